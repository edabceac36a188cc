// The pet records on a card: for each pet (a person on the card whose kind
// is an animal), its breed, birthday, vet, allergies, medication, feeding
// and handling notes, and its vaccinations with their expiry. Every change
// answers the card view, which repaints the card (health moves with
// vaccinations).

import * as api from './api.js';
import { h, clear, showError, clearErrors, part, inline } from './dom.js';

/**
 * The record's text fields: which, their label, and how they are typed.
 * @type {Array<[Exclude<keyof import('./types/PetInput').PetInput, 'reactive_to_dogs'>, string, string]>}
 */
const recordFields = [
  ['breed', 'Breed', 'text'],
  ['birthday', 'Birthday', 'date'],
  ['vet_name', 'Vet', 'text'],
  ['vet_phone', 'Vet’s phone', 'text'],
  ['allergies', 'Allergies', 'textarea'],
  ['medication', 'Medication', 'textarea'],
  ['feeding', 'Feeding', 'textarea'],
  ['on_lead', 'On the lead', 'text'],
  ['recall', 'Recall', 'text'],
  ['handling', 'Handling notes', 'textarea'],
];

const stateWords = { ok: 'valid', due: 'due soon', expired: 'expired', replaced: 'replaced' };

// One part for all the pets: a change to a pet answers the card view, and
// the pets are drawn again when any of their records changed.
/** @param {import('./dom.js').CardContext} ctx */
export function renderPets(ctx) {
  return part(inline(), (v) => v.pets, (v) => v.pets.map((pet) => petPanel(pet, ctx.changed)));
}

/** @param {import('./types/PetRecord').PetRecord} pet @param {import('./dom.js').CardContext['changed']} redraw */
function petPanel(pet, redraw) {
  const root = h('section', { class: 'panel pet', 'aria-label': `Pet record: ${pet.name}`, dataset: { personId: pet.person_id } });
  const draw = (editing = false) => {
    clear(root).append(h('h2', {}, `${pet.name} `, h('span', { class: 'person-kind', text: pet.kind })));
    if (editing) {
      root.append(recordForm(pet, redraw, () => draw(false)));
    } else {
      root.append(facts(pet),
        h('button', { type: 'button', class: 'edit-pet', onclick: () => draw(true) }, pet.recorded ? 'Edit pet record' : '+ Add a pet record'));
    }
    root.append(vaccinations(pet, redraw));
  };
  draw();
  return root;
}

/** @param {import('./types/PetRecord').PetRecord} pet */
function facts(pet) {
  const r = pet.record;
  const rows = [
    ['Breed', [r.breed, pet.age].filter(Boolean).join(' · ')],
    ['Vet', [r.vet_name, r.vet_phone].filter(Boolean).join(', ')],
    ['Allergies', r.allergies],
    ['Medication', r.medication],
    ['Feeding', r.feeding],
    ['On the lead', r.on_lead],
    ['Recall', r.recall],
    ['Other dogs', r.reactive_to_dogs ? 'Reactive: keep distance' : ''],
    ['Handling', r.handling],
  ].filter(([, value]) => value);
  if (!rows.length) return h('p', { class: 'hint', text: 'No details yet.' });
  return h('dl', { class: 'facts pet-facts' }, rows.flatMap(([label, value]) => [h('dt', { text: label }), h('dd', { text: value })]));
}

/** @param {import('./types/PetRecord').PetRecord} pet @param {import('./dom.js').CardContext['changed']} redraw @param {() => void} cancel */
function recordForm(pet, redraw, cancel) {
  /** @type {Map<string, HTMLInputElement | HTMLTextAreaElement>} */
  const inputs = new Map();
  const reactive = h('input', { type: 'checkbox', 'data-field': 'reactive_to_dogs', checked: pet.record.reactive_to_dogs });
  const form = h('form', { class: 'pet-form', novalidate: true },
    h('div', { class: 'form-grid' }, recordFields.map(([key, label, type]) => {
      const id = `pet-${key}-${pet.person_id}`;
      const field = type === 'textarea'
        ? h('textarea', { id, 'data-field': key, rows: 2, value: pet.record[key] })
        : h('input', { type, id, 'data-field': key, value: pet.record[key] });
      inputs.set(key, field);
      return h('div', { class: 'field' }, h('label', { for: id, text: label }), field,
        h('p', { class: 'field-error', 'data-for': key, role: 'alert' }));
    })),
    h('label', { class: 'check' },
      reactive,
      ' Reactive to other dogs'),
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'primary save-pet' }, 'Save pet record'),
      h('button', { type: 'button', onclick: () => cancel() }, 'Cancel')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    /** @type {import('./types/PetInput').PetInput} */
    const input = { ...pet.record, reactive_to_dogs: reactive.checked };
    for (const [key] of recordFields) input[key] = inputs.get(key)?.value ?? '';
    try {
      clearErrors(form);
      redraw(await api.savePet(pet.person_id, input), `${pet.name}’s record saved.`);
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}

/** @param {import('./types/PetRecord').PetRecord} pet @param {import('./dom.js').CardContext['changed']} redraw */
function vaccinations(pet, redraw) {
  const list = pet.vaccinations.length
    ? h('ul', { class: 'vaccinations' }, pet.vaccinations.map((v) => h('li', { class: `vaccine ${v.state}` },
      h('span', { class: 'vaccine-name', text: v.name }),
      h('span', { class: 'hint', text: ` ${v.given_on ? `given ${v.given_on} · ` : ''}expires ${v.expires_on}` }),
      h('span', { class: `badge vaccine-${v.state}`, text: stateWords[v.state] }),
      h('button', {
        type: 'button', class: 'link danger', 'aria-label': `Remove ${v.name} (recorded by mistake)`,
        onclick: async () => redraw(await api.deleteVaccination(v.id), `${v.name} removed.`),
      }, 'Remove'))))
    : h('p', { class: 'hint', text: 'No vaccinations recorded.' });
  const listId = `vaccine-names-${pet.person_id}`;
  const name = h('input', { type: 'text', 'data-field': 'vaccine_name', 'aria-label': 'Vaccination', placeholder: 'Rabies, DHPP, Kennel cough', list: listId, class: 'vaccine-name-input' });
  const given = h('input', { type: 'date', 'data-field': 'given_on', 'aria-label': 'Given on', class: 'vaccine-given' });
  const expires = h('input', { type: 'date', 'data-field': 'expires_on', 'aria-label': 'Expires on', class: 'vaccine-expires' });
  const form = h('form', { class: 'vaccine-form', novalidate: true },
    h('datalist', { id: listId }, ['Rabies', 'DHPP', 'Kennel cough', 'Leptospirosis', ...pet.missing].map((n) => h('option', { value: n }))),
    h('div', { class: 'row' }, name,
      h('label', { text: 'given' }), given,
      h('label', { text: 'expires' }), expires,
      h('button', { type: 'submit', class: 'add-vaccine' }, 'Add vaccination')),
    ['vaccine_name', 'given_on', 'expires_on', 'pet', 'form'].map((f) => h('p', { class: 'field-error', 'data-for': f, role: 'alert' })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      clearErrors(form);
      redraw(await api.addVaccination(pet.person_id, { name: name.value, given_on: given.value, expires_on: expires.value }), `${name.value.trim()} recorded for ${pet.name}.`);
    } catch (error) {
      showError(form, error);
    }
  });
  return h('div', { class: 'pet-vaccinations' },
    h('h3', { text: 'Vaccinations' }),
    list,
    pet.missing.length ? h('p', { class: 'hint missing', text: `Not on record: ${pet.missing.join(', ')}` }) : null,
    form);
}
