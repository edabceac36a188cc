// Starts the app, switches between the search and the page area, and owns
// the global keys: Escape returns to the search, Ctrl+N adds a customer.

import * as api from './api.js';
import { h, clear, must, described, all } from './dom.js';
import { initSearch, focusSearch, refreshSearch } from './search.js';
import { showCard, cardOnScreen } from './card.js';
import { renderSharingSettings, showSharingStatus } from './sharing-settings.js';
import { renderEditor } from './editor.js';
import { renderSettings } from './settings.js';
import { renderLoyaltySettings } from './loyalty-settings.js';
import { renderWelcome } from './welcome.js';
import { renderToday } from './today.js';
import { renderReminderSettings } from './reminder-settings.js';
import { renderUpdateSettings, renderStartAtLogin } from './update-settings.js';
import { renderHealthSettings } from './health-settings.js';
import { initDashboard, loadDashboard } from './dashboard.js';
import { renderReview } from './review.js';
import { renderOutreachPage } from './outreach.js';
import { renderTemplateSettings, renderOutreachSettings } from './templates-settings.js';
import { renderPlanSettings } from './plan-settings.js';
import { renderPassSettings, renderPetSettings } from './pass-settings.js';
import { renderData } from './data.js';
import { renderNews } from './news.js';
import { initOwner, asOwner, lockNow, renderOwnerSettings, renderAudit } from './owner.js';
import { renderGate, renderRecoverySettings, saveRecoverySheet } from './vault.js';

// index.html's own elements: one missing is a programming error, said at start.
const searchView = must(document, '#search-view', HTMLElement);
const page = must(document, '#page', HTMLElement);
const shopName = must(document, '#shop-name', HTMLElement);
const deskStaff = must(document, '#desk-staff', HTMLSelectElement);
const DESK_KEY = 'regulars.deskStaff';
const todayCount = must(document, '#today-count', HTMLElement);
const awayBanner = must(document, '#away-banner', HTMLElement);
let currency = 'EUR';
// Whether the shop's data is encrypted (from the start status).
let encrypted = false;

let ready = false;

/**
 * What every screen is given: the moves between screens and the desk's state.
 * @typedef {{
 *   showSearch(): void,
 *   showPage(view: string, node: HTMLElement): void,
 *   openCard(id: string): Promise<void>,
 *   checkInOnCard(customerId: string): Promise<void>,
 *   openToday(): Promise<void>,
 *   openReview(): Promise<void>,
 *   openOutreach(): Promise<void>,
 *   currency(): string,
 *   newCustomer(): void,
 *   editCustomer(card: import('./types/Card').Card, referrerNow?: { name: string } | null): void,
 *   openSettings(): Promise<void>,
 *   openSettingsUnlocked(): Promise<void>,
 *   openData(): Promise<void>,
 *   openNews(): Promise<void>,
 *   openNewsUnlocked(): Promise<void>,
 *   openDataUnlocked(): Promise<void>,
 *   deskStaff(): string | null,
 *   setStaff(staff: Array<import('./types/StaffMember').StaffMember>): void,
 *   setShopName(name: string): void,
 *   markReady(): void,
 * }} App
 */

/** @type {App} */
export const app = {
  showSearch() {
    page.hidden = true;
    clear(page);
    searchView.hidden = false;
    document.body.dataset.view = 'search';
    refreshSearch();
    focusSearch();
    loadDashboard();
  },
  showPage(view, node) {
    searchView.hidden = true;
    page.hidden = false;
    document.body.dataset.view = view;
    clear(page).append(node);
    const first = node.querySelector('[autofocus]') || node.querySelector('h1');
    if (first instanceof HTMLElement) first.focus();
  },
  async openCard(id) {
    try {
      showCard(await api.getCardView(id), app);
    } catch (error) {
      app.showPage('error', errorPanel(error));
    }
  },
  // The check-in button and Ctrl+Enter on a card: one call, which returns
  // the sentence to show and the card as it is now, repainted in place.
  async checkInOnCard(customerId) {
    const result = await api.checkIn(customerId, app.deskStaff());
    showCard(result.view, app, result.said);
  },
  async openToday() {
    try {
      const view = await api.getToday();
      showCount(view.due_count);
      app.showPage('today', renderToday(view, app));
    } catch (error) {
      app.showPage('error', errorPanel(error));
    }
  },
  async openReview() {
    try {
      app.showPage('review', renderReview(await api.getReviewList(), app));
    } catch (error) {
      app.showPage('error', errorPanel(error));
    }
  },
  async openOutreach() {
    try {
      const [candidates, overview] = await Promise.all([api.getReviewCandidates(), api.getReferralOverview()]);
      app.showPage('outreach', renderOutreachPage(candidates, overview, app));
    } catch (error) {
      app.showPage('error', errorPanel(error));
    }
  },
  currency() {
    return currency;
  },
  newCustomer() {
    app.showPage('editor', renderEditor(null, app));
  },
  editCustomer(card, referrerNow = null) {
    app.showPage('editor', renderEditor(card, app, referrerNow));
  },
  openSettings() {
    return asOwner(app, () => app.openSettingsUnlocked());
  },
  async openSettingsUnlocked() {
    try {
      const [settings, program, rules, plans, health, templates, outreach, passTypes, pets, sharing, updates] = await Promise.all([
        api.getSettings(), api.getLoyaltyProgram(), api.getReminderRules(), api.getPlanSettings(), api.getHealthRules(), api.getTemplates(), api.getOutreachRules(),
        api.getPassTypes(), api.getPetSettings(), api.getSharingStatus(), api.getUpdates()]);
      app.showPage('settings', h('div', {}, renderSettings(settings, app), renderOwnerSettings(), renderRecoverySettings(encrypted), renderSharingSettings(sharing), renderLoyaltySettings(program), renderPassSettings(passTypes), renderReminderSettings(rules, renderStartAtLogin(updates.start_at_login)),
        renderUpdateSettings(updates), renderPlanSettings(plans, settings), renderHealthSettings(health), renderPetSettings(pets), renderOutreachSettings(outreach), renderTemplateSettings(templates, app)));
    } catch (error) {
      app.showPage('error', errorPanel(error));
    }
  },
  openData() {
    return asOwner(app, () => app.openDataUnlocked());
  },
  openNews() {
    return asOwner(app, () => app.openNewsUnlocked());
  },
  async openNewsUnlocked() {
    try {
      app.showPage('news', renderNews(await api.getMailScreen()));
    } catch (error) {
      app.showPage('error', errorPanel(error));
    }
  },
  async openDataUnlocked() {
    try {
      const data = await renderData(app);
      data.append(await renderAudit());
      app.showPage('data', data);
    } catch (error) {
      app.showPage('error', errorPanel(error));
    }
  },
  // The staff member at the desk is a choice of this window, not shop data,
  // so it is remembered in the window's own storage.
  deskStaff() {
    return deskStaff.value || null;
  },
  setStaff(staff) {
    const chosen = deskStaff.value || localStorage.getItem(DESK_KEY) || '';
    deskStaff.replaceChildren(h('option', { value: '', text: '—' }),
      ...staff.map((member) => h('option', { value: member.id, text: member.name, selected: member.id === chosen })));
  },
  setShopName(name) {
    shopName.textContent = name || 'Regulars';
    // One line, cut with an ellipsis; the whole name on hover.
    must(document, '#shop-name-box', HTMLElement).title = name || 'Regulars';
    fitNav();
    document.title = name ? `Regulars · ${name}` : 'Regulars';
  },
  markReady() {
    ready = true;
    refreshReminders();
    document.body.classList.remove('setup');
    app.showSearch();
    api.uiReady().catch(() => {});
  },
};

/** @param {number} count */
function showCount(count) {
  todayCount.hidden = !count;
  todayCount.textContent = String(count);
  fitNav();
}

// Keeps the Today badge (and the Today page, when open) in step with the
// scheduler; says once per start what fell due while the app was closed.
async function refreshReminders() {
  try {
    const view = await api.getToday();
    showCount(view.due_count);
    if (view.away.length) {
      const names = view.away.slice(0, 3).map((r) => r.customer_name).join(', ');
      awayBanner.textContent = '';
      awayBanner.append(`While you were away, ${view.away.length} reminder${view.away.length === 1 ? '' : 's'} fell due (${names}${view.away.length > 3 ? ', …' : ''}). `,
        h('button', { type: 'button', class: 'link', id: 'open-away', onclick: () => app.openToday() }, 'Open Today'));
      awayBanner.hidden = false;
    } else {
      awayBanner.hidden = true;
    }
    if (document.body.dataset.view === 'today') app.openToday();
    if (document.body.dataset.view === 'search') loadDashboard();
  } catch {
    // The badge is a convenience; the Today page shows errors itself.
  }
}

/** @param {unknown} error */
function errorPanel(error) {
  return h('div', { class: 'panel error-panel', role: 'alert' },
    h('h1', { tabindex: '-1', text: 'Something went wrong' }),
    h('p', { text: described(error).message }));
}

// The screens of the top bar, in the order they give up their place to
// "More" when the bar is too narrow (the last first), each with its Alt key.
/** @type {Array<{ id: string, code: string | null, open: () => unknown }>} */
const destinations = [
  { id: 'nav-search', code: null, open: () => app.showSearch() },
  { id: 'nav-today', code: 'KeyT', open: () => app.openToday() },
  { id: 'nav-review', code: 'KeyR', open: () => app.openReview() },
  { id: 'nav-new', code: 'KeyN', open: () => app.newCustomer() },
  { id: 'nav-outreach', code: 'KeyV', open: () => app.openOutreach() },
  { id: 'nav-news', code: 'KeyW', open: () => app.openNews() },
  { id: 'nav-data', code: 'KeyD', open: () => app.openData() },
  { id: 'nav-settings', code: 'KeyS', open: () => app.openSettings() },
];
const topbar = must(document, '.topbar', HTMLElement);
const topnav = must(document, '#topnav', HTMLElement);
const moreWrap = must(document, '#more-wrap', HTMLElement);
const moreButton = must(document, '#nav-more', HTMLElement);
const moreMenu = must(document, '#more-menu', HTMLElement);
/** @param {string} id a destination's button */
const navButton = (id) => must(document, `#${id}`, HTMLElement);

for (const destination of destinations) {
  navButton(destination.id).addEventListener('click', () => ready && destination.open());
}

// Shows as many destinations as fit in the bar, the rest under "More", so
// the bar never scrolls sideways at any window width or text size.
function fitNav() {
  closeMore();
  const buttons = destinations.map((d) => navButton(d.id));
  for (const button of buttons) button.hidden = false;
  moreWrap.hidden = true;
  topbar.classList.remove('compact');
  const overflowing = () => topnav.scrollWidth > topnav.clientWidth + 1;
  if (!overflowing()) return;
  moreWrap.hidden = false;
  // Search and Today stay; the others move from the end.
  for (let i = buttons.length - 1; i >= 2 && overflowing(); i--) buttons[i].hidden = true;
  // Large text in a narrow window: the shop's name gives up room too.
  if (overflowing()) topbar.classList.add('compact');
  const moved = destinations.filter((d) => navButton(d.id).hidden);
  moreMenu.replaceChildren(...moved.map((d) => {
    const source = navButton(d.id);
    const keys = (source.getAttribute('aria-keyshortcuts') ?? '').split(' ')[0].replace('Control', 'Ctrl');
    return h('button', {
      type: 'button', role: 'menuitem', tabindex: '-1', id: `more-${d.id}`,
      onclick: () => { closeMore(); if (ready) d.open(); },
    }, h('span', { text: (source.textContent ?? '').trim() }), h('kbd', { text: keys.replace('+', ' ') }));
  }));
}

function openMore() {
  moreMenu.hidden = false;
  moreButton.setAttribute('aria-expanded', 'true');
  const first = moreMenu.querySelector('[role=menuitem]');
  if (first instanceof HTMLElement) first.focus();
}

function closeMore() {
  moreMenu.hidden = true;
  moreButton.setAttribute('aria-expanded', 'false');
}

moreButton.addEventListener('click', () => (moreMenu.hidden ? openMore() : closeMore()));
moreMenu.addEventListener('keydown', (event) => {
  const items = all(moreMenu, '[role=menuitem]', HTMLElement);
  const at = document.activeElement instanceof HTMLElement ? items.indexOf(document.activeElement) : -1;
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    const step = event.key === 'ArrowDown' ? 1 : -1;
    items[(at + step + items.length) % items.length].focus();
  } else if (event.key === 'Tab') {
    closeMore();
  }
});
// A click anywhere else closes the menu.
document.addEventListener('click', (event) => {
  if (!moreMenu.hidden && event.target instanceof Node && !moreWrap.contains(event.target)) closeMore();
});
new ResizeObserver(() => fitNav()).observe(topbar);
window.addEventListener('topbar-changed', () => fitNav());

document.addEventListener('keydown', (event) => {
  if (!ready) return;
  const ctrl = event.ctrlKey || event.metaKey;
  if (event.key === 'Escape' && !event.defaultPrevented) {
    // Escape always goes back to the search, from any screen or menu.
    event.preventDefault();
    closeMore();
    app.showSearch();
  } else if (ctrl && event.key.toLowerCase() === 'n') {
    event.preventDefault();
    app.newCustomer();
  } else if (event.altKey && !ctrl && event.code === 'KeyM') {
    event.preventDefault();
    if (moreWrap.hidden) return;
    if (moreMenu.hidden) openMore(); else closeMore();
  } else if (event.altKey && !ctrl && destinations.some((d) => d.code === event.code)) {
    event.preventDefault();
    closeMore();
    destinations.find((d) => d.code === event.code)?.open();
  } else if (ctrl && event.key === 'Enter' && document.body.dataset.view === 'card'
    && !(event.target instanceof HTMLTextAreaElement) && !(event.target instanceof HTMLInputElement)) {
    // Ctrl+Enter on a card checks the customer in; inside a field it belongs to the field.
    const card = page.querySelector('article.card');
    const customerId = card instanceof HTMLElement ? card.dataset.customerId : undefined;
    if (customerId) {
      event.preventDefault();
      app.checkInOnCard(customerId).catch((error) => {
        // The card may have been left while the call ran: no line to say it on then.
        const said = document.getElementById('checkin-said');
        if (said) said.textContent = described(error).message;
      });
    }
  } else if (ctrl && event.key.toLowerCase() === 'k') {
    event.preventDefault();
    app.showSearch();
  } else if (ctrl && event.key.toLowerCase() === 'l') {
    // Locks owner mode at once (the owner walks away from the desk).
    event.preventDefault();
    lockNow();
  }
});

deskStaff.addEventListener('change', () => localStorage.setItem(DESK_KEY, deskStaff.value));

async function start() {
  initSearch(app);
  initDashboard(app);
  /** @type {import('./types/AppStatus').AppStatus} */
  let status;
  try {
    status = await api.appStatus();
  } catch (error) {
    status = { error: described(error).message, data_dir: '', settings: null, ask: 'nothing', why: '', encrypted: false, sheet_due: false };
  }
  if (status.ask && status.ask !== 'nothing') {
    // The shop is not open yet: its key (or consent to encrypt) first.
    document.body.classList.add('setup');
    app.showPage('gate', renderGate(status));
    return;
  }
  if (status.error || !status.settings) {
    document.body.classList.add('setup');
    app.showPage('error', h('div', { class: 'panel error-panel', role: 'alert' },
      h('h1', { tabindex: '-1', text: 'Regulars cannot open its data' }),
      h('p', { text: status.error ?? 'The shop’s settings could not be read.' }),
      h('p', { class: 'hint', text: `Data folder: ${status.data_dir}` })));
    return;
  }
  // Leaving owner mode leaves the owner's screens too.
  await initOwner(app, () => {
    if (['data', 'settings'].includes(document.body.dataset.view ?? '')) app.showSearch();
  });
  encrypted = status.encrypted;
  if (status.sheet_due) showSheetBanner();
  app.setShopName(status.settings.shop_name);
  app.setStaff(status.settings.staff);
  currency = status.settings.currency;
  // The scheduler starts with the app and may have news before the window
  // listens: the badge is read (`markReady`) only once it does.
  await api.listen('reminders-changed', () => refreshReminders());
  api.listen('open-card', (id) => ready && app.openCard(id));
  // A shared shop: the status line, and what other devices changed shown
  // where it is on screen (the open card in place, the search, Today's count).
  // The engine starts with the app, before this page, and may speak at
  // any moment: the line is asked for only once the window listens, so no
  // change falls between the two, and an answer an event overtook is dropped.
  let heardSharing = false;
  await api.listen('sharing-status', (status) => {
    heardSharing = true;
    showSharingStatus(status);
  });
  api.listen('shop-changed', (ids) => ready && showOtherDevicesChanges(ids));
  api.getSharingStatus().then((view) => heardSharing || showSharingStatus(view.status), () => {});
  // The tray's "Today's reminders" (see app/tray.rs).
  api.listen('open-today', () => ready && app.openToday());
  if (!status.settings.setup_done) {
    document.body.classList.add('setup');
    app.showPage('welcome', renderWelcome(app));
    return;
  }
  app.markReady();
}

/** @param {string[]} ids the cards another device's changes touched */
async function showOtherDevicesChanges(ids) {
  refreshReminders();
  const open = cardOnScreen();
  if (document.body.dataset.view === 'card' && open && ids.includes(open)) {
    try {
      showCard(await api.getCardView(open), app);
    } catch (error) {
      app.showPage('error', errorPanel(error));
    }
  } else if (document.body.dataset.view === 'search') {
    refreshSearch();
    loadDashboard();
  }
}

/** Until the owner saves it, the search screen asks for the recovery sheet. */
function showSheetBanner() {
  const banner = must(document, '#sheet-banner', HTMLElement);
  const button = h('button', { type: 'button', id: 'sheet-banner-save', text: 'Save the recovery sheet…' });
  button.addEventListener('click', () => asOwner(app, async () => {
    app.showSearch();
    try {
      if (await saveRecoverySheet()) banner.hidden = true;
    } catch (error) {
      if (banner.firstChild) banner.firstChild.textContent = described(error).message;
    }
  }));
  banner.replaceChildren(h('span', { text: 'Your shop’s data is encrypted. Save the recovery sheet and keep it safe: without it the data cannot be opened on another computer. ' }), button);
  banner.hidden = false;
}

start();
