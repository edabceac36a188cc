// First start: explore a sample shop, or start with an empty one.

import * as api from './api.js';
import { h, showError, clearErrors, labelledField } from './dom.js';

/** @param {import('./main.js').App} app */
export function renderWelcome(app) {
  const name = h('input', { type: 'text', id: 'welcome-shop-name', 'data-field': 'shop_name', placeholder: 'e.g. Northside Fitness', autofocus: true });
  const kind = h('select', { id: 'welcome-kind', 'data-field': 'business_kind' },
    [['gym', 'Gym'], ['salon', 'Hair or beauty salon'], ['dog-walking', 'Dog walking'], ['other', 'Other']]
      .map(([value, label]) => h('option', { value, text: label })));
  const form = h('form', { class: 'panel welcome', id: 'welcome-form', novalidate: true },
    h('h1', { tabindex: '-1', text: 'Welcome to Regulars' }),
    h('p', { text: 'Keep your regulars: their cards, their pets, the little things they told you. Everything stays on this computer.' }),
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('div', { class: 'form-grid' },
      h('div', { class: 'field' }, h('label', { for: 'welcome-shop-name', text: 'Your shop’s name' }), name,
        h('p', { class: 'field-error', 'data-for': 'shop_name', role: 'alert' })),
      h('div', { class: 'field' }, h('label', { for: 'welcome-kind', text: 'Kind of business' }), kind,
        h('p', { class: 'field-error', 'data-for': 'business_kind', role: 'alert' }))),
    h('div', { class: 'row actions' },
      h('button', { type: 'button', class: 'primary', id: 'start-sample', onclick: () => start(true) }, 'Explore a sample shop (50 customers)'),
      h('button', { type: 'button', id: 'start-empty', onclick: () => start(false) }, 'Start with an empty shop')),
    h('p', { class: 'hint', text: 'With the sample shop you can try everything on made-up customers. The shop name is optional for the sample.' }));

  /** @param {boolean} withSample */
  async function start(withSample) {
    try {
      clearErrors(form);
      const settings = await api.startShop(name.value, kind.value, withSample);
      app.setShopName(settings.shop_name);
      app.setStaff(settings.staff);
      app.markReady();
    } catch (error) {
      showError(form, error);
    }
  }
  form.addEventListener('submit', (event) => { event.preventDefault(); start(false); });
  return h('div', {}, form, renderJoin());
}

/** A second computer of a shop that is shared already: join it instead. */
function renderJoin() {
  const server = input('join-server', 'server', 'text', 'nats://192.168.1.20:4222');
  const deviceName = input('join-device-name', 'device_name', 'text', 'Owner’s laptop');
  const user = input('join-user', 'user', 'text', '');
  const password = input('join-password', 'password', 'password', '');
  const recovery = input('join-recovery-key', 'recovery_key', 'text', 'The 64 characters from the recovery sheet');
  const said = h('p', { class: 'hint', id: 'join-said', role: 'status' });
  const form = h('form', { class: 'panel editor welcome', id: 'join-form', novalidate: true },
    h('h2', { text: 'Join a shared shop' }),
    h('p', { class: 'hint', text: 'Is this a second computer of a shop that is shared already (Settings → Share this shop on its first computer)? Give the sync server, this computer’s name and the recovery key from the shop’s recovery sheet: the shop is copied here and kept in step.' }),
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('div', { class: 'form-grid' },
      labelledField('join-server', 'Sync server', server, 'server'),
      labelledField('join-device-name', 'This computer’s name', deviceName, 'device_name'),
      labelledField('join-user', 'User name (leave empty if the server has none)', user, 'user'),
      labelledField('join-password', 'Password (or, with no user name, this computer’s nkey seed or pasted .creds file)', password, 'password'),
      labelledField('join-recovery-key', 'Recovery key', recovery, 'recovery_key')),
    h('div', { class: 'row actions' }, h('button', { type: 'submit', id: 'join-shop', text: 'Join the shop' }), said));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    said.textContent = 'Copying the shop from the server…';
    try {
      await api.joinShop({ server: server.value, user: user.value, password: password.value, device_name: deviceName.value, recovery_key: recovery.value });
      said.textContent = 'Joined. Regulars starts again to open the shop.';
    } catch (error) {
      said.textContent = '';
      showError(form, error);
    }
  });
  return form;
}

/** @param {string} id @param {string} name @param {string} type @param {string} placeholder */
function input(id, name, type, placeholder) {
  return h('input', { type, id, 'data-field': name, placeholder, autocomplete: 'off', spellcheck: 'false' });
}

