// Settings → Share this shop: the server's address, this device's user and
// password and its name; the status in words; stop sharing on this device.
// Rust reaches the server with what is typed before anything changes, keeps
// the password in the system keychain, and seals every change with the
// shop's key: the page never sees a key or a stored password.

import * as api from './api.js';
import { h, showError, clearErrors, labelledField } from './dom.js';

/** @param {api.SharingView} view */
export function renderSharingSettings(view) {
  const server = h('input', { type: 'text', id: 'sharing-server', 'data-field': 'server', value: view.server, placeholder: 'nats://192.168.1.20:4222', spellcheck: 'false' });
  const user = h('input', { type: 'text', id: 'sharing-user', 'data-field': 'user', value: view.user, autocomplete: 'off', spellcheck: 'false' });
  const password = h('input', { type: 'password', id: 'sharing-password', 'data-field': 'password', autocomplete: 'new-password' });
  const deviceName = h('input', { type: 'text', id: 'sharing-device-name', 'data-field': 'device_name', value: view.device_name, placeholder: 'Front desk', maxlength: 60 });
  const status = h('p', { class: 'sharing-words', id: 'sharing-words', role: 'status', text: view.status.shared ? view.status.words : 'Not shared: this shop is on this computer only.' });
  const share = h('button', { type: 'submit', class: 'primary', id: 'share-shop', text: view.status.shared ? 'Save and reconnect' : 'Share this shop' });
  const stop = h('button', { type: 'button', class: 'link danger', id: 'stop-sharing', text: 'Stop sharing on this device', hidden: !view.status.shared });
  const form = h('form', { class: 'panel editor', id: 'sharing-settings', 'aria-label': 'Share this shop', novalidate: true },
    h('h2', { text: 'Share this shop' }),
    h('p', { class: 'hint', text: 'Use the same customers, visits, points and passes on several computers (a second desk, the owner’s laptop) through a sync server the shop runs or rents (see README: “Sharing a shop: the server”). Each change is sealed with this shop’s key: the server never sees a name or a note. Every computer keeps working when the server is away and catches up when it is back.' }),
    view.encrypted ? null : h('p', { class: 'field-error', role: 'alert', text: 'Encrypt the shop first: restart Regulars to be offered encryption.' }),
    status,
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('div', { class: 'form-grid' },
      labelledField('sharing-server', 'Sync server', server, 'server'),
      labelledField('sharing-device-name', 'This computer’s name', deviceName, 'device_name'),
      labelledField('sharing-user', 'User name (leave empty if the server has none)', user, 'user'),
      labelledField('sharing-password', 'Password', password, 'password')),
    h('div', { class: 'row actions' }, share, stop));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    status.textContent = 'Reaching the server…';
    try {
      const next = await api.shareShop({ server: server.value, user: user.value, password: password.value, device_name: deviceName.value });
      form.replaceWith(renderSharingSettings(next));
    } catch (error) {
      status.textContent = '';
      showError(form, error);
    }
  });
  stop.addEventListener('click', async () => {
    clearErrors(form);
    try {
      form.replaceWith(renderSharingSettings(await api.stopSharing()));
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}

/** The top bar's line: hidden while the shop is not shared. @param {api.SharingStatus} status */
export function showSharingStatus(status) {
  const line = document.getElementById('sharing-status');
  if (!line) return;
  const moved = line.hidden !== !status.shared || line.textContent !== status.words;
  line.hidden = !status.shared;
  line.textContent = status.words;
  line.title = status.words;
  line.dataset.state = status.state;
  // The bar's destinations fit again around the line (main.js, fitNav).
  if (moved) window.dispatchEvent(new Event('topbar-changed'));
  const words = document.getElementById('sharing-words');
  if (words && status.shared) words.textContent = status.words;
}

