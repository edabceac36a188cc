// Reminder rules in Settings.

import * as api from './api.js';
import { h, showError, clearErrors, must } from './dom.js';

/** @typedef {import('./types/ReminderRules').ReminderRules} ReminderRules */
/** The number fields (the tray's checkbox is apart). @type {Array<[Exclude<keyof ReminderRules, 'keep_running_in_tray'>, string, number]>} */
const fields = [
  ['due_hour', 'Reminders for a date fall due at (hour, 0–23)', 1],
  ['renewal_days_ahead', 'Remind of a renewal this many days ahead', 1],
  ['birthday_days_ahead', 'Remind of a birthday this many days ahead (0: on the day)', 1],
  ['quiet_multiplier', '“Gone quiet” after this many times their usual gap', 0.5],
  ['quiet_min_visits', '…once they have at least this many visits', 1],
  ['quiet_min_days', '…and not sooner than this many days', 1],
  ['quiet_new_customer_days', 'Newer customers: gone quiet after this many days', 1],
];

/**
 * @param {import('./types/ReminderRules').ReminderRules} rules
 * @param {HTMLElement | null} [startAtLogin] the start-at-login switch (update-settings.js), shown beside the tray's; it saves itself
 */
export function renderReminderSettings(rules, startAtLogin = null) {
  /** @type {Map<string, HTMLInputElement>} */
  const inputs = new Map();
  const saved = h('p', { class: 'saved', role: 'status' });
  const tray = h('input', { type: 'checkbox', id: 'rule-keep_running_in_tray', 'data-field': 'keep_running_in_tray', checked: rules.keep_running_in_tray });
  const form = h('form', { class: 'panel editor', id: 'reminder-rules-form', novalidate: true },
    h('h2', { text: 'Reminders' }),
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('div', { class: 'form-grid' }, fields.map(([key, label, step]) => {
      const input = h('input', { type: 'number', step: String(step), min: '0', id: `rule-${key}`, class: 'short', 'data-field': key, value: String(rules[key]) });
      inputs.set(key, input);
      return h('div', { class: 'field' }, h('label', { for: `rule-${key}`, text: label }), input,
        h('p', { class: 'field-error', 'data-for': key, role: 'alert' }));
    })),
    h('div', { class: 'field' },
      h('label', { class: 'check' }, tray, ' Keep Regulars running in the tray when the window is closed, so reminders still arrive'),
      h('p', { class: 'hint', text: 'Where the desktop shows tray icons. Quit Regulars from its icon in the tray; without a tray, closing the window quits.' })),
    startAtLogin,
    h('div', { class: 'row actions' }, h('button', { type: 'submit', class: 'primary', id: 'save-reminder-rules' }, 'Save reminder rules'), saved));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const next = { ...rules, keep_running_in_tray: tray.checked };
    for (const [key] of fields) {
      const value = Number(inputs.get(key)?.value);
      next[key] = key === 'quiet_multiplier' ? value : Math.trunc(Number.isFinite(value) ? value : -1);
    }
    try {
      clearErrors(form);
      const stored = await api.saveReminderRules(next);
      const fresh = renderReminderSettings(stored, startAtLogin);
      form.replaceWith(fresh);
      must(fresh, '.saved', HTMLElement).textContent = 'Saved.';
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}
