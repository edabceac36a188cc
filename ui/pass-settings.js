// Passes and pet settings in Settings: the passes the desk sells ("10-class
// pass, 120, 10 sessions, valid 3 months") and the vaccinations the shop
// requires of pets. Rust validates; passes already sold keep what they were
// sold as.

import * as api from './api.js';
import { h, showError, clearErrors, must, all } from './dom.js';

/** @param {import('./types/PassType').PassType | null} t */
function passRow(t) {
  const row = h('li', { class: 'pass-type-row', dataset: { id: t ? t.id : '' } },
    h('input', { type: 'text', class: 'pass-type-name', 'aria-label': 'Pass name', placeholder: 'e.g. 10-class pass', value: t ? t.name : '' }),
    h('input', { type: 'text', class: 'pass-type-price short', 'aria-label': 'Price', placeholder: 'Price', value: t ? (t.price_cents / 100).toFixed(2) : '' }),
    h('input', { type: 'number', min: '1', class: 'pass-type-sessions short', 'aria-label': 'Sessions', value: String(t ? t.sessions : 10) }),
    h('span', { class: 'hint', text: 'sessions, valid' }),
    h('input', { type: 'number', min: '0', class: 'pass-type-months short', 'aria-label': 'Months valid (0: no end)', value: String(t ? t.valid_months : 3) }),
    h('span', { class: 'hint', text: 'months' }),
    h('button', { type: 'button', class: 'link danger', onclick: () => row.remove() }, 'Remove'));
  return row;
}

/** @param {Array<import('./types/PassType').PassType>} types */
export function renderPassSettings(types) {
  const list = h('ul', { class: 'edit-rows', id: 'pass-type-rows' }, types.map(passRow));
  const saved = h('p', { class: 'saved', role: 'status' });
  const form = h('form', { class: 'panel editor', id: 'pass-types-form', novalidate: true },
    h('h2', { text: 'Passes and packages' }),
    h('p', { class: 'hint', text: 'What the desk sells on a card. Each check-in uses a session from the pass that ends first; 0 months means the pass never ends.' }),
    list,
    h('p', { class: 'field-error', 'data-for': 'pass_types', role: 'alert' }),
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('button', { type: 'button', id: 'add-pass-type', onclick: () => { const row = passRow(null); list.append(row); must(row, 'input', HTMLInputElement).focus(); } }, '+ Add a pass'),
    h('div', { class: 'row actions' }, h('button', { type: 'submit', class: 'primary', id: 'save-pass-types' }, 'Save passes'), saved));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const rows = all(list, '.pass-type-row', HTMLElement).map((row) => {
      /** @type {(cls: string) => string} */
      const value = (cls) => must(row, cls, HTMLInputElement).value;
      /** @param {string} text */
      const whole = (text) => (text.trim() === '' || !Number.isFinite(Number(text)) ? -1 : Math.trunc(Number(text)));
      return {
        id: row.dataset.id || null,
        name: value('.pass-type-name'),
        price: value('.pass-type-price'),
        sessions: whole(value('.pass-type-sessions')),
        valid_months: whole(value('.pass-type-months')),
      };
    });
    try {
      clearErrors(form);
      const stored = await api.savePassTypes(rows);
      const fresh = renderPassSettings(stored);
      form.replaceWith(fresh);
      must(fresh, '.saved', HTMLElement).textContent = 'Saved.';
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}

/** @param {import('./types/PetSettings').PetSettings} settings */
export function renderPetSettings(settings) {
  const required = h('input', {
    type: 'text', id: 'required-vaccinations', 'data-field': 'required_vaccinations',
    value: settings.required_vaccinations.join(', '), placeholder: 'Rabies, DHPP, Kennel cough',
  });
  const saved = h('p', { class: 'saved', role: 'status' });
  const form = h('form', { class: 'panel editor', id: 'pet-settings-form', novalidate: true },
    h('h2', { text: 'Pets' }),
    h('p', { class: 'hint', text: 'A pet is a person on a card whose kind is dog, cat, puppy… Required vaccinations turn a card yellow 30 days before they expire and red once expired; with none listed, every vaccination counts.' }),
    h('div', { class: 'field' },
      h('label', { for: 'required-vaccinations', text: 'Required vaccinations (separated by commas)' }), required,
      h('p', { class: 'field-error', 'data-for': 'required_vaccinations', role: 'alert' })),
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('div', { class: 'row actions' }, h('button', { type: 'submit', class: 'primary', id: 'save-pet-settings' }, 'Save pet settings'), saved));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      clearErrors(form);
      const stored = await api.savePetSettings({ required_vaccinations: required.value.split(',') });
      const fresh = renderPetSettings(stored);
      form.replaceWith(fresh);
      must(fresh, '.saved', HTMLElement).textContent = 'Saved. Every customer’s colour was worked out again.';
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}
