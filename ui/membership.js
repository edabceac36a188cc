// The membership panel on a card: plan, price, term and renewal date.

import * as api from './api.js';
import { h, clear, showError, clearErrors, cardChanged } from './dom.js';
import { formatMoney } from './activity.js';

/** @param {import('./types/Card').Card} card @param {any} app @param {import('./types/Membership').Membership | null} initial */
export function renderMembership(card, app, initial) {
  const root = h('section', { class: 'panel membership', 'aria-label': 'Membership' });
  /** @param {import('./types/Membership').Membership | null} m @param {boolean} [editing] @param {boolean} [changed] */
  const draw = (m, editing = false, changed = false) => {
    // A renewal coming up is a health signal: tell the card it moved.
    if (changed) cardChanged();
    clear(root).append(h('h2', { text: 'Membership' }));
    if (m && !editing) {
      root.append(
        h('p', { class: 'membership-line', id: 'membership-line' },
          h('strong', { text: m.plan_name }), ` · ${formatMoney(m.price_cents, app.currency())} per ${m.term} · renews on ${m.renews_on}`),
        h('div', { class: 'row' },
          h('button', { type: 'button', id: 'membership-renewed', onclick: async () => draw(await api.renewMembership(card.id), false, true) }, 'Renewed'),
          h('button', { type: 'button', onclick: () => draw(m, true) }, 'Change'),
          h('button', { type: 'button', class: 'link danger', onclick: async () => { await api.endMembership(card.id); draw(null, false, true); } }, 'End')));
      return;
    }
    if (!m && !editing) {
      root.append(h('p', { class: 'hint', text: 'No membership.' }),
        h('button', { type: 'button', id: 'add-membership', onclick: () => draw(null, true) }, '+ Add a membership'));
      return;
    }
    const plan = h('input', { type: 'text', id: 'membership-plan', 'data-field': 'plan_name', placeholder: 'Plan, e.g. Unlimited monthly', value: m ? m.plan_name : '' });
    const price = h('input', { type: 'text', id: 'membership-price', 'data-field': 'price', class: 'short', placeholder: 'Price', value: m ? (m.price_cents / 100).toFixed(2) : '' });
    const term = h('select', { id: 'membership-term', 'data-field': 'term' },
      ['week', 'month', 'quarter', 'year'].map((t) => h('option', { value: t, text: `per ${t}`, selected: m ? m.term === t : t === 'month' })));
    const renews = h('input', { type: 'date', id: 'membership-renews', 'data-field': 'renews_on', value: m ? m.renews_on : '' });
    const form = h('form', { class: 'membership-form', novalidate: true },
      h('div', { class: 'row' }, plan, price, term, h('label', { for: 'membership-renews', text: 'renews on' }), renews),
      ['plan_name', 'price', 'term', 'renews_on', 'form'].map((f) => h('p', { class: 'field-error', 'data-for': f, role: 'alert' })),
      h('div', { class: 'row' },
        h('button', { type: 'submit', class: 'primary', id: 'membership-save' }, 'Save membership'),
        h('button', { type: 'button', onclick: () => draw(m) }, 'Cancel')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        clearErrors(form);
        draw(await api.setMembership(card.id, { plan_name: plan.value, price: price.value, term: term.value, renews_on: renews.value }), false, true);
      } catch (error) {
        showError(form, error);
      }
    });
    root.append(form);
    plan.focus();
  };
  draw(initial);
  return root;
}
