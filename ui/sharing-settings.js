// Settings → Share this shop: the server's address, this device's user and
// password and its name; the status in words; stop sharing on this device;
// the shop's devices, and removing another one (owner only).
// Rust reaches the server with what is typed before anything changes, keeps
// the password in the system keychain, and seals every change with the
// shop's key: the page never sees a key or a stored password.

import * as api from './api.js';
import { h, showError, clearErrors, labelledField, described, formatDate } from './dom.js';

/** @param {api.SharingView} view */
export function renderSharingSettings(view) {
  const server = h('input', { type: 'text', id: 'sharing-server', 'data-field': 'server', value: view.server, placeholder: 'nats://192.168.1.20:4222', spellcheck: 'false' });
  const user = h('input', { type: 'text', id: 'sharing-user', 'data-field': 'user', value: view.user, autocomplete: 'off', spellcheck: 'false' });
  const password = h('input', { type: 'password', id: 'sharing-password', 'data-field': 'password', autocomplete: 'new-password' });
  const deviceName = h('input', { type: 'text', id: 'sharing-device-name', 'data-field': 'device_name', value: view.device_name, placeholder: 'Front desk', maxlength: 60 });
  const removedHere = view.status.state === 'removed';
  const status = h('p', { class: 'sharing-words', id: 'sharing-words', role: 'status',
    text: view.status.shared || removedHere ? view.status.words : 'Not shared: this shop is on this computer only.' });
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
      labelledField('sharing-password', 'Password (or, with no user name, this computer’s nkey seed or pasted .creds file)', password, 'password')),
    h('div', { class: 'row actions' }, share, stop),
    deviceList(view, (next) => form.replaceWith(renderSharingSettings(next))));
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

// The shop's devices as every device knows them; another one can be
// removed (Rust checks the owner and refuses this device itself).
/**
 * @param {api.SharingView} view
 * @param {(next: api.SharingView) => void} repaint
 */
function deviceList(view, repaint) {
  if (!view.devices.length) return null;
  const said = h('p', { class: 'field-error', 'data-for': 'device', role: 'alert' });
  const rows = view.devices.map((device) => {
    const here = device.id === view.this_device;
    const remove = here || device.removed_at ? null : h('button', {
      type: 'button', class: 'link danger remove-device', dataset: { deviceId: device.id }, text: 'Remove',
      onclick: async () => {
        said.textContent = '';
        try {
          repaint(await api.removeDevice(device.id));
        } catch (error) {
          said.textContent = described(error).message;
        }
      },
    });
    const note = here ? ' · this computer' : device.removed_at ? ` · removed ${formatDate(device.removed_at)}` : '';
    return h('li', { class: 'device', dataset: { deviceId: device.id } },
      h('span', { class: 'device-name', text: device.name }), h('span', { class: 'hint', text: note }), remove);
  });
  return h('section', { class: 'devices', 'aria-label': 'Devices' },
    h('h3', { text: 'Devices of this shop' }),
    h('ul', { class: 'device-list', id: 'device-list' }, rows),
    h('p', { class: 'hint', text: 'Removing a device stops every other one taking its changes, and it stops sharing when it next reaches the server. Also take its user off the server, so its password no longer works; what it already holds stays on it, encrypted.' }),
    said);
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

