// Health thresholds in Settings. Saving recomputes every customer's colour.

import * as api from './api.js';
import { h, showError, clearErrors, must } from './dom.js';

// [key, label, step, is a factor (decimal)]
/** @type {Array<[keyof import('./types/HealthRules').HealthRules, string, number, boolean]>} */
const fields = [
  ['rhythm_yellow_factor', 'Yellow when the gap since the last visit passes this many times their usual gap', 0.1, true],
  ['rhythm_red_factor', 'Red past this many times their usual gap', 0.1, true],
  ['rhythm_min_days', '…but never yellow sooner than this many days after a visit', 1, false],
  ['contact_yellow_days', 'Yellow after this many days without any contact', 1, false],
  ['contact_red_days', 'Red after this many days without any contact', 1, false],
  ['renewal_days', 'Yellow this many days before a membership renews', 1, false],
  ['late_payments_red', 'Red after this many late payments in a row (one is yellow)', 1, false],
];

/** @param {import('./types/HealthRules').HealthRules} rules */
export function renderHealthSettings(rules) {
  /** @type {Map<string, HTMLInputElement>} */
  const inputs = new Map();
  const saved = h('p', { class: 'saved', role: 'status' });
  const form = h('form', { class: 'panel editor', id: 'health-rules-form', novalidate: true },
    h('h2', { text: 'Relationship health' }),
    h('p', { class: 'hint', text: 'An open complaint, a low feedback score (NPS 0–6, satisfaction 1–2) or late payments also colour a customer.' }),
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('div', { class: 'form-grid' }, fields.map(([key, label, step]) => {
      const input = h('input', { type: 'number', step: String(step), min: '0', id: `health-${key}`, class: 'short', 'data-field': key, value: String(rules[key]) });
      inputs.set(key, input);
      return h('div', { class: 'field' }, h('label', { for: `health-${key}`, text: label }), input,
        h('p', { class: 'field-error', 'data-for': key, role: 'alert' }));
    })),
    h('div', { class: 'row actions' }, h('button', { type: 'submit', class: 'primary', id: 'save-health-rules' }, 'Save health rules'), saved));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const next = { ...rules };
    for (const [key, , , decimal] of fields) {
      const text = (inputs.get(key)?.value ?? '').trim();
      const value = text === '' ? NaN : Number(text);
      // Unreadable input goes to Rust as -1, which names the field in its refusal.
      next[key] = Number.isFinite(value) ? (decimal ? value : Math.trunc(value)) : -1;
    }
    try {
      clearErrors(form);
      const stored = await api.saveHealthRules(next);
      const fresh = renderHealthSettings(stored);
      form.replaceWith(fresh);
      must(fresh, '.saved', HTMLElement).textContent = 'Saved. Every customer’s colour was worked out again.';
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}
