// Settings → Updates: this copy's version, "Check now", the daily check
// the owner can turn off, and "Install and restart" when a newer signed
// version was found. Rust decides where updates come from, checks their
// signature, makes a backup first and refuses anything else; the page
// shows its one sentence next to the buttons, as text.

import * as api from './api.js';
import { h, described } from './dom.js';

/** @param {api.UpdatesView} view */
export function renderUpdateSettings(view) {
  const words = h('p', { class: 'update-words', id: 'update-words', role: 'status', text: view.words });
  const check = h('button', { type: 'button', id: 'check-updates', text: 'Check now' });
  const install = h('button', { type: 'button', class: 'primary', id: 'install-update', text: `Install ${view.available ?? ''} and restart`, hidden: !view.available || !view.can_install });
  const auto = h('input', { type: 'checkbox', id: 'update-auto-check', 'data-field': 'auto_check', checked: view.auto_check });
  const panel = h('section', { class: 'panel editor', id: 'update-settings', 'aria-label': 'Updates' },
    h('h2', { text: 'Updates' }),
    h('p', { class: 'hint', text: `This is Regulars ${view.version}. Updates come from the Regulars releases, signed: one that is not signed by the Regulars release key, or is not newer than this version, is refused. A backup of the shop is made before an update is installed.` }),
    view.can_install ? null : h('p', { class: 'hint', text: 'This copy was built from source: it is updated by building the new version.' }),
    view.notes ? h('p', { class: 'update-notes', text: view.notes }) : null,
    h('div', { class: 'row actions' }, check, install, words),
    h('div', { class: 'field' },
      h('label', { class: 'check' }, auto, ' Look for updates once a day while Regulars is open')));
  /** @param {() => Promise<api.UpdatesView | void>} action @param {string} busy */
  const run = async (action, busy) => {
    words.textContent = busy;
    words.classList.remove('field-error');
    check.disabled = true;
    install.disabled = true;
    try {
      const next = await action();
      if (next) panel.replaceWith(renderUpdateSettings(next));
    } catch (error) {
      // The reason, next to the button: this version keeps running.
      words.textContent = described(error).message;
      words.classList.add('field-error');
      check.disabled = false;
      install.disabled = false;
    }
  };
  check.addEventListener('click', () => run(api.checkForUpdates, 'Looking for an update…'));
  install.addEventListener('click', () => run(api.installUpdate, 'Downloading, checking the signature and backing up…'));
  auto.addEventListener('change', () => run(() => api.setUpdateChecks(auto.checked), ''));
  return panel;
}

/**
 * The start-at-login switch, shown beside "keep running in the tray".
 * @param {boolean | null} on whether Regulars starts at login (null: this system cannot say)
 */
export function renderStartAtLogin(on) {
  if (on === null) return null;
  const box = h('input', { type: 'checkbox', id: 'start-at-login', checked: on });
  const line = h('p', { class: 'field-error', role: 'alert' });
  const field = h('div', { class: 'field', id: 'start-at-login-field' },
    h('label', { class: 'check' }, box, ' Start Regulars when I log in to this computer, so reminders arrive without opening it'),
    line);
  box.addEventListener('change', async () => {
    line.textContent = '';
    try {
      const view = await api.setStartAtLogin(box.checked);
      box.checked = view.start_at_login ?? box.checked;
    } catch (error) {
      box.checked = !box.checked;
      line.textContent = described(error).message;
    }
  });
  return field;
}
