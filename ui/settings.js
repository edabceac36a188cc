// Shop settings: name, kind, currency, paper size and staff names.

import * as api from './api.js';
import { h, showError, clearErrors, chosen, must, all, labelledField } from './dom.js';

/** @type {Array<[import('./types/BusinessKind').BusinessKind, string]>} */
const kinds = [['gym', 'Gym'], ['salon', 'Hair or beauty salon'], ['dog-walking', 'Dog walking'], ['other', 'Other']];
/** @type {Array<[import('./types/PaperSize').PaperSize, string]>} */
const papers = [['A4', 'A4'], ['Letter', 'US Letter']];

/** @param {import('./types/Settings').Settings} settings @param {import('./main.js').App} app */
export function renderSettings(settings, app) {
  const shopName = h('input', { type: 'text', id: 'shop-name-input', 'data-field': 'shop_name', value: settings.shop_name, autofocus: true });
  const kind = h('select', { id: 'business-kind', 'data-field': 'business_kind' },
    kinds.map(([value, label]) => h('option', { value, text: label, selected: settings.business_kind === value })));
  const currency = h('input', { type: 'text', id: 'currency', class: 'short', 'data-field': 'currency', value: settings.currency, maxlength: 3 });
  const paper = h('select', { id: 'paper-size', 'data-field': 'paper_size' },
    papers.map(([value, label]) => h('option', { value, text: label, selected: settings.paper_size === value })));

  const staffList = h('ul', { class: 'staff-list', id: 'staff-list' });
  /** @param {import('./types/StaffMember').StaffMember} [member] */
  const addStaffRow = (member = { id: null, name: '' }) => {
    const input = h('input', { type: 'text', class: 'staff-name', 'aria-label': 'Staff name', value: member.name, dataset: { id: member.id || '' } });
    const row = h('li', {}, input, h('button', { type: 'button', class: 'link danger', onclick: () => row.remove() }, 'Remove'));
    staffList.append(row);
    return input;
  };
  settings.staff.forEach(addStaffRow);

  const saved = h('p', { class: 'saved', role: 'status' });
  const form = h('form', { class: 'panel editor', id: 'settings-form', novalidate: true },
    h('h1', { tabindex: '-1', text: 'Settings' }),
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('div', { class: 'form-grid' },
      labelledField('shop-name-input', 'Shop name', shopName, 'shop_name'),
      labelledField('business-kind', 'Kind of business', kind, 'business_kind'),
      labelledField('currency', 'Currency (three letters, e.g. EUR, USD, GBP)', currency, 'currency'),
      labelledField('paper-size', 'Paper size for printing', paper, 'paper_size')),
    h('fieldset', {},
      h('legend', { text: 'Staff (owners of tasks)' }),
      staffList,
      h('p', { class: 'field-error', 'data-for': 'staff', role: 'alert' }),
      h('button', { type: 'button', id: 'add-staff', onclick: () => addStaffRow().focus() }, '+ Add a staff member')),
    h('div', { class: 'row actions' },
      h('button', { type: 'submit', class: 'primary', id: 'save-settings' }, 'Save settings'),
      saved));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    saved.textContent = '';
    const next = {
      ...settings,
      shop_name: shopName.value,
      business_kind: chosen(kind, kinds),
      currency: currency.value,
      paper_size: chosen(paper, papers),
      staff: all(staffList, '.staff-name', HTMLInputElement).map((input) => ({ id: input.dataset.id || null, name: input.value })),
    };
    try {
      clearErrors(form);
      const stored = await api.saveSettings(next);
      app.setShopName(stored.shop_name);
      app.setStaff(stored.staff);
      const fresh = renderSettings(stored, app);
      form.replaceWith(fresh);
      must(fresh, '.saved', HTMLElement).textContent = 'Saved.';
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}

