// The front-desk search: focused at start, results as you type, arrows to
// choose, Enter to open. Only the newest answer is shown, so a slow reply
// to an older keystroke can never replace a newer one.

import * as api from './api.js';
import { h, clear, must, described } from './dom.js';
import { showDashboard } from './dashboard.js';
import { face } from './photos.js';

const input = must(document, '#search-input', HTMLInputElement);
const list = must(document, '#results', HTMLElement);
const hint = must(document, '#search-hint', HTMLElement);
const flash = must(document, '#search-flash', HTMLElement);
const keysHint = must(document, '#keys-hint', HTMLElement);

/** @type {Array<import('./types/Hit').Hit>} */
let hits = [];
let selected = 0;
let sequence = 0;
/** @type {import('./main.js').App | null} */
let app = null;
/** @type {[number, number] | null} */
let lastPointer = null;

/** @param {import('./main.js').App} appRef */
export function initSearch(appRef) {
  app = appRef;
  input.addEventListener('input', () => { flash.textContent = ''; runSearch(); });
  input.addEventListener('keydown', onKey);
}

export function focusSearch() {
  input.focus();
  input.select();
}

export function refreshSearch() {
  if (input.value.trim()) runSearch();
}

async function runSearch() {
  const query = input.value;
  const mine = ++sequence;
  if (!query.trim()) {
    hits = [];
    render(query);
    return;
  }
  try {
    const found = await api.search(query, 12);
    if (mine !== sequence) return;
    hits = found;
    selected = 0;
    render(query);
  } catch (error) {
    if (mine !== sequence) return;
    hits = [];
    clear(list);
    hint.textContent = described(error).message;
  }
}

/** @param {KeyboardEvent} event */
function onKey(event) {
  if (event.key === 'ArrowDown' && hits.length) {
    event.preventDefault();
    selected = (selected + 1) % hits.length;
    highlight();
  } else if (event.key === 'ArrowUp' && hits.length) {
    event.preventDefault();
    selected = (selected - 1 + hits.length) % hits.length;
    highlight();
  } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    if (hits[selected]) checkIn(hits[selected].id);
  } else if (event.key === 'Enter') {
    event.preventDefault();
    if (hits[selected]) app?.openCard(hits[selected].id);
  } else if (event.key === 'Escape') {
    // Escape in the box clears it (the global handler would only refocus).
    event.preventDefault();
    input.value = '';
    hits = [];
    render('');
  }
}

// Checks the chosen customer in without leaving the search, and says what
// it earned and how close the next reward is.
/** @param {string} id */
async function checkIn(id) {
  try {
    const result = await api.checkIn(id, app ? app.deskStaff() : null);
    flash.textContent = [result.said, ...result.rewards].join(' ');
    flash.classList.remove('error');
  } catch (error) {
    flash.textContent = described(error).message;
    flash.classList.add('error');
  }
  focusSearch();
}

function highlight() {
  list.querySelectorAll('li').forEach((item, index) => {
    const on = index === selected;
    item.classList.toggle('selected', on);
    item.setAttribute('aria-selected', on ? 'true' : 'false');
    if (on) item.scrollIntoView({ block: 'nearest' });
  });
  input.setAttribute('aria-activedescendant', `hit-${selected}`);
}

/** @type {Partial<Record<import('./types/MatchedOn').MatchedOn, string>>} */
const reasons = { phone: 'matched on the phone number', email: 'matched on the email' };

/** @param {string} query */
function render(query) {
  clear(list);
  // It must never name a result that is gone.
  input.removeAttribute('aria-activedescendant');
  // The dashboard is the home screen while the box is empty.
  showDashboard(!query.trim());
  keysHint.hidden = Boolean(query.trim());
  if (!query.trim()) {
    hint.hidden = false;
    hint.textContent = 'Type to find a customer. ↑ ↓ to choose, Enter to open.';
    return;
  }
  if (!hits.length) {
    hint.hidden = false;
    hint.textContent = `Nobody matches “${query.trim()}”. Press Ctrl+N to add a new customer.`;
    return;
  }
  hint.hidden = true;
  hits.forEach((hit, index) => {
    const details = [hit.phone, hit.email].filter(Boolean).join(' · ');
    list.append(h('li', {
      id: `hit-${index}`,
      role: 'option',
      class: hit.archived ? 'hit archived' : 'hit',
      dataset: { id: hit.id },
      onclick: () => app?.openCard(hit.id),
      onmousemove: (event) => {
        // Results appearing under a resting pointer must not steal the
        // keyboard's choice: follow the mouse only when it really moves.
        const moved = lastPointer && (event.screenX !== lastPointer[0] || event.screenY !== lastPointer[1]);
        lastPointer = [event.screenX, event.screenY];
        if (moved && selected !== index) { selected = index; highlight(); }
      },
    },
    // The 64 px picture loads after the list is shown (the search only said there is one).
    face(hit.photo, hit.display_name, 64, 'hit-face'),
    h('div', { class: 'hit-name' }, hit.display_name,
      hit.preferred_name ? h('span', { class: 'hit-called', text: ` (${hit.preferred_name})` }) : null,
      hit.archived ? h('span', { class: 'badge', text: 'archived' }) : null),
    details ? h('div', { class: 'hit-details', text: details }) : null,
    hit.people ? h('div', { class: 'hit-people', text: hit.people }) : null,
    hit.excerpt ? h('div', { class: 'hit-excerpt', text: `Note: ${hit.excerpt}` }) : null,
    // A shortcut for the mouse only: a control inside an option would be a
    // control inside a control. The keyboard has Ctrl+Enter (the hint says so).
    h('span', {
      class: 'hit-checkin', 'aria-hidden': 'true', title: 'Check in (Ctrl+Enter)',
      onclick: (event) => { event.stopPropagation(); checkIn(hit.id); },
    }, 'Check in'),
    reasons[hit.matched_on] ? h('div', { class: 'hit-reason', text: reasons[hit.matched_on] }) : null));
  });
  highlight();
}
