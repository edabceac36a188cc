// First start: explore a sample shop, or start with an empty one.

import * as api from './api.js';
import { h, showError, clearErrors } from './dom.js';

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
  return form;
}
