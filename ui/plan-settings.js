// Settings: the welcome plan template per kind of business (welcome text,
// the promise, the first win, the tasks) and how customers reach the shop,
// which is printed at the foot of every plan.

import * as api from './api.js';
import { h, showError, clearErrors, must, chosen } from './dom.js';

/** @typedef {import('./types/PlanTemplate').PlanTemplate} PlanTemplate */
/** @typedef {Array<import('./types/StaffMember').StaffMember>} Staff */

/** @type {Array<[import('./types/BusinessKind').BusinessKind, string]>} */
const kinds = [['gym', 'Gym'], ['salon', 'Hair or beauty salon'], ['dog-walking', 'Dog walking'], ['other', 'Other']];
/** @type {Array<[keyof import('./types/Promise').Promise, string]>} */
const promiseFields = [
  ['what_we_do', 'What we will do'],
  ['by_when', 'By when'],
  ['price_and_term', 'Price and term'],
  ['success', 'What success means'],
  ['meetings', 'When we meet'],
  ['reply_time', 'How fast we reply'],
];

/**
 * @param {import('./types/PlanSettings').PlanSettings} planSettings
 * @param {import('./types/Settings').Settings} settings
 */
export function renderPlanSettings(planSettings, settings) {
  const wrap = h('div', { class: 'plan-settings' });
  let templates = planSettings.templates;
  let kind = settings.business_kind;
  const host = h('div', {});
  const templateFor = () => {
    const found = templates.find((t) => t.kind === kind);
    // Rust answers a template for every kind the menu offers.
    if (!found) throw new Error(`No plan template for "${kind}".`);
    return found;
  };
  const draw = () => host.replaceChildren(templateForm(templateFor(), settings.staff, (saved) => {
    templates = templates.map((t) => (t.kind === saved.kind ? saved : t));
    draw();
    const status = host.querySelector('.saved');
    if (status) status.textContent = 'Saved.';
  }));
  const pick = h('select', { id: 'plan-kind', 'aria-label': 'Plan for which kind of business' },
    kinds.map(([value, label]) => h('option', { value, text: label, selected: value === kind })));
  pick.addEventListener('change', () => { kind = chosen(pick, kinds); draw(); });
  draw();
  wrap.append(
    h('section', { class: 'panel editor', 'aria-label': 'Welcome plans' },
      h('h2', { text: 'Welcome plans' }),
      h('p', { class: 'hint', text: 'A new customer’s plan is made from this template. Due dates count days from the day the plan starts. Changing the template does not change plans already started.' }),
      h('div', { class: 'row' }, h('label', { for: 'plan-kind', text: 'Template for' }), pick),
      host),
    contactForm(planSettings.contact));
  return wrap;
}

/** @param {string} id @param {string} value @param {Staff} staff */
function ownerSelect(id, value, staff) {
  /** @type {Array<[string, string]>} */
  const options = [['', 'The shop'], ['customer', 'The customer']];
  for (const s of staff) if (s.id) options.push([s.id, s.name]);
  return h('select', { id, class: 'plan-owner-select', 'aria-label': 'Who does it' },
    options.map(([v, label]) => h('option', { value: v, text: label, selected: v === (value || '') })));
}

/** @param {PlanTemplate} template @param {Staff} staff @param {(saved: PlanTemplate) => void} onSaved */
function templateForm(template, staff, onSaved) {
  const welcome = h('textarea', { id: 'plan-welcome', 'data-field': 'welcome', rows: 3, value: template.welcome });
  /** @type {Map<string, HTMLTextAreaElement>} */
  const promise = new Map();
  const promiseRows = promiseFields.map(([key, label]) => {
    const area = h('textarea', { id: `plan-promise-${key}`, 'data-field': key, rows: 2, value: template.promise[key] || '' });
    promise.set(key, area);
    return h('div', { class: 'field' }, h('label', { for: `plan-promise-${key}`, text: label }), area,
      h('p', { class: 'field-error', 'data-for': key, role: 'alert' }));
  });
  const milestoneTitle = h('input', { type: 'text', id: 'plan-milestone-title', 'aria-label': 'First win', 'data-field': 'milestone_title', value: template.milestone.title });
  const milestoneOwner = ownerSelect('plan-milestone-owner', template.milestone.owner, staff);
  milestoneOwner.setAttribute('data-field', 'milestone_owner');
  const milestoneDays = h('input', { type: 'number', min: '0', max: '365', class: 'short', id: 'plan-milestone-days', 'aria-label': 'First win due after days', 'data-field': 'milestone_days', value: String(template.milestone.due_days) });

  const list = h('ol', { class: 'plan-template-tasks', id: 'plan-template-tasks' });
  let counter = 0;
  const addRow = (task = { title: '', owner: '', due_days: 0 }) => {
    counter += 1;
    const title = h('input', { type: 'text', class: 'plan-task-input', 'aria-label': 'Task', value: task.title, placeholder: 'What happens' });
    const owner = ownerSelect(`plan-task-owner-${counter}`, task.owner, staff);
    const days = h('input', { type: 'number', min: '0', max: '365', class: 'short plan-task-days', 'aria-label': 'Days after the start', value: String(task.due_days) });
    const row = h('li', { class: 'plan-template-task' }, title, owner,
      h('span', { class: 'plan-days' }, 'day', days),
      h('button', { type: 'button', class: 'link danger', onclick: () => row.remove() }, 'Remove'));
    list.append(row);
    return title;
  };
  template.tasks.forEach(addRow);

  const saved = h('p', { class: 'saved', role: 'status' });
  const form = h('form', { class: 'plan-template-form', id: 'plan-template-form', novalidate: true },
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('div', { class: 'field' }, h('label', { for: 'plan-welcome', text: 'Welcome message' }), welcome,
      h('p', { class: 'field-error', 'data-for': 'welcome', role: 'alert' })),
    h('fieldset', {}, h('legend', { text: 'Our promise' }), h('div', { class: 'form-grid' }, promiseRows)),
    h('fieldset', {}, h('legend', { text: 'The first win (a milestone on the plan)' }),
      h('div', { class: 'row' }, milestoneTitle, milestoneOwner, h('span', { class: 'plan-days' }, 'day', milestoneDays)),
      ['milestone_title', 'milestone_owner', 'milestone_days'].map((f) => h('p', { class: 'field-error', 'data-for': f, role: 'alert' }))),
    h('fieldset', {}, h('legend', { text: 'Tasks (day 0 is the start day)' }), list,
      h('p', { class: 'field-error', 'data-for': 'tasks', role: 'alert' }),
      h('button', { type: 'button', id: 'plan-add-task', onclick: () => addRow().focus() }, '+ Add a task')),
    h('div', { class: 'row actions' },
      h('button', { type: 'submit', class: 'primary', id: 'save-plan-template' }, 'Save plan template'),
      h('button', {
        type: 'button', id: 'reset-plan-template',
        onclick: async () => {
          try {
            onSaved(await api.resetPlanTemplate(template.kind));
          } catch (error) {
            showError(form, error);
          }
        },
      }, 'Back to the default'),
      saved));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const promised = { ...template.promise };
    for (const [key] of promiseFields) promised[key] = promise.get(key)?.value ?? '';
    /** @type {PlanTemplate} */
    const next = {
      kind: template.kind,
      welcome: welcome.value,
      promise: promised,
      milestone: { title: milestoneTitle.value, owner: milestoneOwner.value, due_days: Number(milestoneDays.value) },
      tasks: [...list.querySelectorAll('.plan-template-task')].map((row) => ({
        title: must(row, '.plan-task-input', HTMLInputElement).value,
        owner: must(row, '.plan-owner-select', HTMLSelectElement).value,
        due_days: Number(must(row, '.plan-task-days', HTMLInputElement).value),
      })),
    };
    for (const t of [next.milestone, ...next.tasks]) {
      if (!Number.isInteger(t.due_days)) t.due_days = -1;
    }
    try {
      clearErrors(form);
      onSaved(await api.savePlanTemplate(next));
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}

/** @param {import('./types/ShopContact').ShopContact} contact */
function contactForm(contact) {
  /** @type {Array<[keyof import('./types/ShopContact').ShopContact, string, string]>} */
  const fields = [
    ['phone', 'Phone', 'contact_phone'],
    ['email', 'Email', 'contact_email'],
    ['address', 'Address', 'contact_address'],
    ['website', 'Website', 'contact_website'],
  ];
  /** @type {Map<string, HTMLInputElement>} */
  const inputs = new Map();
  const saved = h('p', { class: 'saved', role: 'status' });
  const form = h('form', { class: 'panel editor', id: 'shop-contact-form', novalidate: true },
    h('h2', { text: 'How customers reach you' }),
    h('p', { class: 'hint', text: 'Printed at the foot of every welcome plan.' }),
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('div', { class: 'form-grid' }, fields.map(([key, label, field]) => {
      const input = h('input', { type: key === 'email' ? 'email' : 'text', id: `shop-${key}`, 'data-field': field, value: contact[key] || '' });
      inputs.set(key, input);
      return h('div', { class: 'field' }, h('label', { for: `shop-${key}`, text: label }), input,
        h('p', { class: 'field-error', 'data-for': field, role: 'alert' }));
    })),
    h('div', { class: 'row actions' }, h('button', { type: 'submit', class: 'primary', id: 'save-shop-contact' }, 'Save contact details'), saved));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      clearErrors(form);
      const next = { ...contact };
      for (const [key] of fields) next[key] = inputs.get(key)?.value ?? '';
      const stored = await api.saveShopContact(next);
      const fresh = contactForm(stored);
      form.replaceWith(fresh);
      must(fresh, '.saved', HTMLElement).textContent = 'Saved.';
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}
