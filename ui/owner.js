// Owner mode and desk mode as the window shows them. Rust decides (it
// refuses owner-only work in desk mode whatever the page asks); the page
// shows the lock in the top bar, asks for the PIN before the owner's
// screens, hides the card's owner-only buttons (`.owner-only`) and
// follows Rust when owner mode locks itself.

import * as api from './api.js';
import { h, showError, clearErrors, formatDateTime, must, described, showErrorAt } from './dom.js';
import { renderForgotPin } from './vault.js';

const lockButton = must(document, '#owner-lock', HTMLButtonElement);
/** @type {import('./types/OwnerState').OwnerState | null} */
let current = null;
let recheck = 0;
let onLocked = () => {};
// How many answers have been shown: an activity report's answer is dropped
// when another (a lock, an unlock) was shown while it was on its way.
let shown = 0;

/** @param {import('./types/OwnerState').OwnerState} state */
function show(state) {
  shown += 1;
  current = state;
  document.body.dataset.mode = state.owner ? 'owner' : 'desk';
  if (lockButton.hidden !== !state.pin_set) {
    lockButton.hidden = !state.pin_set;
    // The top bar fits its buttons again (main.js) now the lock shows or not.
    window.dispatchEvent(new Event('topbar-changed'));
  }
  lockButton.textContent = state.owner ? 'Owner · Lock' : 'Desk · Unlock';
  lockButton.title = state.owner ? 'Lock owner mode (Ctrl+L)' : 'Unlock owner mode with the owner PIN';
  clearTimeout(recheck);
  // Owner mode locks itself in Rust after the idle minutes; look again then.
  if (state.owner && state.seconds_left != null) {
    recheck = window.setTimeout(refreshOwner, (state.seconds_left + 1) * 1000);
  }
}

// Only what a person does (a key, a click) keeps owner mode open: Rust
// counts nothing else as use, not even the reads the page makes when a
// reminder fires. So the page reports keys and clicks, caught before any
// handler can stop them, at most once every few seconds (a fifth of the
// idle time, from one to 15 seconds) and only while owner mode is open.
let lastReport = -Infinity;

function reportActivity() {
  if (!current || !current.pin_set || !current.owner) return;
  const at = performance.now();
  const every = Math.min(15, Math.max(1, Math.floor((current.idle_seconds ?? 60) / 5))) * 1000;
  if (at - lastReport < every) return;
  lastReport = at;
  const before = shown;
  api.ownerActivity().then((state) => {
    if (shown === before) follow(state);
  }).catch(() => {});
}

/** @param {import('./types/OwnerState').OwnerState} state the state Rust answered */
function follow(state) {
  const wasOwner = current && current.owner;
  show(state);
  if (wasOwner && !state.owner) onLocked();
}

export async function refreshOwner() {
  follow(await api.getOwnerState());
}

/**
 * @param {import('./main.js').App} app
 * @param {() => void} whenLocked what to do when owner mode ends (leave the owner's screens)
 */
export function initOwner(app, whenLocked) {
  onLocked = whenLocked;
  document.addEventListener('keydown', reportActivity, true);
  document.addEventListener('pointerdown', reportActivity, true);
  lockButton.addEventListener('click', () => {
    if (current && current.owner) lockNow();
    else app.showPage('unlock', renderUnlock(() => app.showSearch()));
  });
  return refreshOwner();
}

export async function lockNow() {
  if (!current || !current.pin_set) return;
  show(await api.lockOwner());
  onLocked();
}

/**
 * Runs `open` at once in owner mode; in desk mode asks for the PIN first.
 * @param {{ showPage: (view: string, node: HTMLElement) => void }} app
 * @param {() => void} open
 */
export async function asOwner(app, open) {
  await refreshOwner();
  if (current && current.owner) open();
  else app.showPage('unlock', renderUnlock(open));
}

/** @param {() => void} then what to open once unlocked */
function renderUnlock(then) {
  const pin = h('input', { type: 'password', id: 'owner-pin', inputmode: 'numeric', autocomplete: 'off', 'data-field': 'pin', autofocus: true, 'aria-describedby': 'owner-pin-error' });
  const form = h('form', { class: 'panel unlock', id: 'unlock-form' },
    h('h1', { tabindex: '-1', text: 'Owner mode' }),
    h('p', { text: 'Exports, imports, backups, deleting a customer completely and the settings are for the owner. Type the owner PIN to go on.' }),
    h('label', { for: 'owner-pin', text: 'Owner PIN' }), pin,
    h('p', { class: 'field-error', id: 'owner-pin-error', 'data-for': 'pin', role: 'alert' }),
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('button', { type: 'submit', class: 'primary', id: 'unlock-button', text: 'Unlock' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      show(await api.unlockOwner(pin.value));
      then();
    } catch (error) {
      pin.value = '';
      showErrorAt(form, error, 'pin');
    }
  });
  // A forgotten PIN: the recovery key removes it, and owner mode is open.
  return h('div', { class: 'unlock-page' }, form, renderForgotPin(async () => {
    await refreshOwner();
    then();
  }));
}

/** The owner PIN and the auto-lock, for the Settings screen. */
export function renderOwnerSettings() {
  const state = current || { pin_set: false, owner: true, auto_lock_minutes: 5, seconds_left: null, idle_seconds: null };
  const pin = h('input', { type: 'password', id: 'new-pin', inputmode: 'numeric', autocomplete: 'new-password', 'data-field': 'pin' });
  const repeated = h('input', { type: 'password', id: 'new-pin-repeat', inputmode: 'numeric', autocomplete: 'new-password', 'data-field': 'pin_repeat' });
  const minutes = h('input', { type: 'number', id: 'auto-lock-minutes', class: 'short', min: '1', max: '240', 'data-field': 'auto_lock_minutes', value: String(state.auto_lock_minutes) });
  const said = h('p', { class: 'hint', id: 'owner-settings-said', role: 'status' });
  const form = h('form', { class: 'panel', id: 'owner-settings-form', 'aria-label': 'Owner PIN' },
    h('h2', { text: 'Owner PIN' }),
    h('p', { class: 'hint', text: state.pin_set
      ? 'With a PIN the app starts at the desk: finding, checking in, notes, rewards, reminders and plans. Exports, imports, backups, deleting completely and these settings ask for the PIN. Ctrl+L locks at once.'
      : 'No PIN yet: anyone at this computer can export, import, restore and change the settings. Set a PIN to keep those for the owner.' }),
    h('label', { for: 'new-pin', text: state.pin_set ? 'New PIN (4 to 12 digits)' : 'PIN (4 to 12 digits)' }), pin,
    h('p', { class: 'field-error', 'data-for': 'pin', role: 'alert' }),
    h('label', { for: 'new-pin-repeat', text: 'The same PIN again' }), repeated,
    h('p', { class: 'field-error', 'data-for': 'pin_repeat', role: 'alert' }),
    h('label', { for: 'auto-lock-minutes', text: 'Lock again after this many minutes without use' }), minutes,
    h('p', { class: 'field-error', 'data-for': 'auto_lock_minutes', role: 'alert' }),
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('button', { type: 'submit', class: 'primary', id: 'save-owner-settings', text: 'Save' }), said);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    said.textContent = '';
    try {
      if (pin.value || repeated.value || !state.pin_set) show(await api.setOwnerPin(pin.value, repeated.value));
      if (Number(minutes.value) !== state.auto_lock_minutes) show(await api.setAutoLock(Number(minutes.value)));
      pin.value = '';
      repeated.value = '';
      said.textContent = 'Saved.';
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}

/**
 * The audit trail, for the Data screen: a page at a time, newest first,
 * and "Show older lines" adds the next page below until the oldest.
 */
export async function renderAudit() {
  const first = await api.getAudit();
  if (!first.entries.length) {
    return h('section', { class: 'panel', id: 'audit-panel', 'aria-label': 'Audit trail' },
      h('h2', { text: 'Audit trail' }), auditHint(), h('p', { text: 'Nothing yet.' }));
  }
  const rows = h('tbody', {});
  const table = h('table', { class: 'audit', id: 'audit-table', tabindex: '-1' },
    h('thead', {}, h('tr', {}, h('th', { text: 'When' }), h('th', { text: 'Who' }), h('th', { text: 'What' }), h('th', { text: 'Details' }))), rows);
  const older = h('button', { type: 'button', id: 'audit-older', text: 'Show older lines' });
  const said = h('p', { class: 'hint', id: 'audit-said', role: 'status' });
  const error = h('p', { class: 'field-error', id: 'audit-error', role: 'alert' });
  /** @type {number | null} */
  let cursor = null;
  /** @param {import('./types/AuditPage').AuditPage} page */
  const add = (page) => {
    rows.append(...page.entries.map((entry) => h('tr', {},
      h('td', { text: formatDateTime(entry.at) }), h('td', { text: entry.who }), h('td', { text: entry.action }), h('td', { text: entry.detail }))));
    cursor = page.older;
    older.hidden = cursor == null;
  };
  add(first);
  // A second click while a page is on its way would fetch it twice.
  let loading = false;
  older.addEventListener('click', async () => {
    if (loading) return;
    loading = true;
    error.textContent = '';
    try {
      const page = await api.getAudit(cursor);
      add(page);
      said.textContent = cursor == null ? `${rows.children.length} lines: the oldest is the last.` : `${rows.children.length} lines shown.`;
      // The button is gone after the oldest page: the table keeps the focus.
      if (older.hidden) table.focus();
    } catch (failure) {
      error.textContent = described(failure).message;
    } finally {
      loading = false;
    }
  });
  return h('section', { class: 'panel', id: 'audit-panel', 'aria-label': 'Audit trail' },
    h('h2', { text: 'Audit trail' }), auditHint(), table, older, said, error);
}

function auditHint() {
  return h('p', { class: 'hint', text: 'Who exported, imported, deleted, restored or changed settings, and every wrong owner PIN or recovery key. Newest first. It cannot be changed, and backups include it.' });
}
