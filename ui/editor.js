// The card form, for a new customer or an existing one. Rust validates;
// a refused save shows the message next to the field and changes nothing.

import * as api from './api.js';
import { h, showError, clearErrors, must, all } from './dom.js';
import { channelLabels } from './types/labels.js';
import { discoveryQuestions, showCard } from './card.js';
import { customerPicker } from './outreach.js';

const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];
const kinds = ['dog', 'cat', 'child', 'partner', 'parent', 'friend', 'horse', 'other'];

/**
 * @param {string} id
 * @param {string} label
 * @param {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} input
 * @param {string} [note]
 */
function field(id, label, input, note) {
  input.id = id;
  return h('div', { class: 'field' },
    h('label', { for: id, text: label }),
    input,
    note ? h('p', { class: 'hint', text: note }) : null,
    h('p', { class: 'field-error', 'data-for': input.dataset.field, role: 'alert' }));
}

/**
 * @param {string} name
 * @param {string | null | undefined} value
 * @param {import('./dom.js').Props} [extra]
 */
function text(name, value, extra = {}) {
  return h('input', { type: 'text', 'data-field': name, name, value: value || '', autocomplete: 'off', ...extra });
}

/**
 * @param {import('./types/Card').Card | null} card the card to edit, or null for a new customer
 * @param {import('./main.js').App} app
 * @param {{ name: string } | null} [referrerNow] who referred them, from the card view
 */
export function renderEditor(card, app, referrerNow = null) {
  const isNew = !card;
  /** @type {import('./types/Discovery').Discovery} */
  const noAnswers = { what_brought_you: '', success_looks_like: '', must_happen_first: '', who_else_cares: '', update_how_often: '', hear_from_us_how: '' };
  /** @type {Partial<import('./types/Card').Card> & Pick<import('./types/Card').Card, 'tags' | 'people' | 'discovery' | 'birthday'>} */
  const c = card || { tags: [], people: [], discovery: noAnswers, birthday: null };
  const birthday = c.birthday;

  const firstName = text('first_name', c.first_name, { autofocus: true });
  const lastName = text('last_name', c.last_name);
  const preferredName = text('preferred_name', c.preferred_name, { placeholder: 'e.g. Liz for Elizabeth' });
  const phone = text('phone', c.phone, { type: 'tel' });
  const email = text('email', c.email, { type: 'email' });
  const day = h('input', { type: 'text', inputmode: 'numeric', 'data-field': 'birthday', id: 'birthday-day',
    class: 'short', placeholder: 'Day', 'aria-label': 'Birthday day', value: birthday ? String(birthday.day) : '' });
  const month = h('select', { id: 'birthday-month', 'aria-label': 'Birthday month' },
    h('option', { value: '', text: 'Month' }),
    months.map((name, i) => h('option', { value: String(i + 1), text: name, selected: birthday?.month === i + 1 })));
  const year = h('input', { type: 'text', inputmode: 'numeric', id: 'birthday-year', class: 'short',
    placeholder: 'Year (optional)', 'aria-label': 'Birthday year', value: birthday?.year ? String(birthday.year) : '' });
  const channel = h('select', { 'data-field': 'preferred_channel' },
    [['', 'No preference'], ...Object.entries(channelLabels)]
      .map(([value, label]) => h('option', { value, text: label, selected: (c.preferred_channel ?? '') === value })));
  const bestTime = text('best_time', c.best_time, { placeholder: 'e.g. after 6pm' });
  const tags = text('tags', c.tags.join(', '), { placeholder: 'e.g. morning, personal training' });
  const heardFrom = text('heard_from', c.heard_from, { placeholder: 'e.g. a friend, Instagram' });

  const peopleList = h('div', { class: 'people-rows', id: 'people-rows' });
  /** @param {Partial<import('./types/Person').Person>} [person] */
  const addPersonRow = (person = {}) => {
    const row = h('div', { class: 'person-row', dataset: { id: person.id || '' } },
      h('input', { type: 'text', class: 'person-name-input', 'aria-label': 'Name', placeholder: 'Name, e.g. Biscuit', value: person.name || '' }),
      h('input', { type: 'text', class: 'person-kind-input', 'aria-label': 'Kind', placeholder: 'dog, child…', list: 'person-kinds', value: person.kind || '' }),
      h('input', { type: 'text', class: 'person-details-input', 'aria-label': 'Details', placeholder: 'Breed, age, quirks…', value: person.details || '' }),
      h('button', { type: 'button', class: 'link danger', 'aria-label': 'Remove', onclick: () => row.remove() }, 'Remove'));
    peopleList.append(row);
    return row;
  };
  c.people.forEach(addPersonRow);

  // Who referred them: sent only when changed (null leaves it as it is).
  /** @type {string | null} */
  let referredBy = null;
  const referrer = customerPicker({
    id: 'referred-by-input', field: 'referred_by', placeholder: 'Search a customer…',
    onPick: (hit) => { referredBy = hit ? hit.id : ''; },
  });
  if (referrerNow) must(referrer, 'input', HTMLInputElement).value = referrerNow.name;

  /** @type {Array<[keyof import('./types/Discovery').Discovery, HTMLTextAreaElement]>} */
  const answerAreas = discoveryQuestions.map(([key]) =>
    [key, h('textarea', { rows: 2, 'data-field': 'discovery', dataset: { key }, value: c.discovery[key] || '' })]);
  const discovery = discoveryQuestions.map(([key, question], i) => field(`discovery-${key}`, question, answerAreas[i][1]));

  const form = h('form', { class: 'panel editor', id: 'customer-form', novalidate: true },
    h('h1', { tabindex: '-1', text: isNew ? 'New customer' : `Edit ${c.display_name}` }),
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('div', { class: 'form-grid' },
      field('first-name', 'First name (or the one name they go by)', firstName),
      field('last-name', 'Last name', lastName),
      field('preferred-name', 'Preferred name (what the desk calls them)', preferredName),
      field('phone', 'Phone', phone),
      field('email', 'Email', email),
      h('div', { class: 'field' },
        h('label', { for: 'birthday-day', text: 'Birthday' }),
        h('div', { class: 'row' }, day, month, year),
        h('p', { class: 'field-error', 'data-for': 'birthday', role: 'alert' })),
      field('preferred-channel', 'Preferred channel', channel),
      field('best-time', 'Best time to contact', bestTime),
      field('heard-from', 'Heard of us from', heardFrom),
      field('tags', 'Tags (separated by commas)', tags),
      h('div', { class: 'field' },
        h('label', { for: 'referred-by-input', text: 'Referred by (a customer)' }),
        referrer,
        h('p', { class: 'field-error', 'data-for': 'referred_by', role: 'alert' }))),
    h('fieldset', {},
      h('legend', { text: 'People and pets' }),
      peopleList,
      h('datalist', { id: 'person-kinds' }, kinds.map((k) => h('option', { value: k }))),
      h('p', { class: 'field-error', 'data-for': 'people', role: 'alert' }),
      h('button', { type: 'button', id: 'add-person', onclick: () => must(addPersonRow(), 'input', HTMLInputElement).focus() }, '+ Add a person or pet')),
    h('fieldset', {},
      h('legend', { text: 'First visit' }),
      discovery),
    h('div', { class: 'row actions' },
      h('button', { type: 'submit', class: 'primary', id: 'save-customer' }, isNew ? 'Add customer' : 'Save changes'),
      h('button', { type: 'button', onclick: () => (card ? app.openCard(card.id) : app.showSearch()) }, 'Cancel')));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const answers = { ...noAnswers };
    for (const [key, area] of answerAreas) answers[key] = area.value;
    // The save payload, checked by tsc against the Rust CustomerInput.
    /** @type {import('./types/CustomerInput').CustomerInput} */
    const input = {
      first_name: firstName.value,
      last_name: lastName.value,
      preferred_name: preferredName.value,
      phone: phone.value,
      email: email.value,
      birthday_day: day.value,
      birthday_month: month.value,
      birthday_year: year.value,
      preferred_channel: channel.value,
      best_time: bestTime.value,
      tags: tags.value.split(',').map((t) => t.trim()).filter(Boolean),
      heard_from: heardFrom.value,
      people: all(peopleList, '.person-row', HTMLElement).map((row) => ({
        id: row.dataset.id || null,
        name: must(row, '.person-name-input', HTMLInputElement).value,
        kind: must(row, '.person-kind-input', HTMLInputElement).value,
        details: must(row, '.person-details-input', HTMLInputElement).value,
      })),
      discovery: answers,
      referred_by: referredBy,
    };
    try {
      clearErrors(form);
      // The save answers the card as it is now: shown without another call.
      showCard(card ? await api.updateCustomer(card.id, input) : await api.createCustomer(input), app);
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}
