// The membership panel on a card: plan, price, term and renewal date. A
// change answers the card view (a renewal coming up is a health signal, so
// the glance and health move with it).

import * as api from './api.js';
import { h, fill, showError, clearErrors, part } from './dom.js';
import { formatMoney } from './activity.js';

/** @param {import('./dom.js').CardContext} ctx */
export function renderMembership(ctx) {
  const app = ctx.app;
  const customerId = ctx.customerId;
  const root = h('section', { class: 'panel membership', 'aria-label': 'Membership' });
  // Opening the form or cancelling it is the panel's own affair, no call.
  /** @param {import('./types/Membership').Membership | null} m @param {boolean} editing */
  const show = (m, editing) => {
    fill(root, content(m, editing));
    const first = root.querySelector('#membership-plan');
    if (first instanceof HTMLElement) first.focus();
  };
  /** @param {import('./types/Membership').Membership | null} m @param {boolean} [editing] */
  const content = (m, editing = false) => {
    const heading = h('h2', { text: 'Membership' });
    if (m && !editing) {
      return [heading,
        h('p', { class: 'membership-line', id: 'membership-line' },
          h('strong', { text: m.plan_name }), ` · ${formatMoney(m.price_cents, app.currency())} per ${m.term} · renews on ${m.renews_on}`),
        h('div', { class: 'row' },
          h('button', { type: 'button', id: 'membership-renewed', onclick: async () => ctx.changed(await api.renewMembership(customerId)) }, 'Renewed'),
          h('button', { type: 'button', id: 'membership-change', onclick: () => show(m, true) }, 'Change'),
          h('button', { type: 'button', class: 'link danger', id: 'membership-end', onclick: async () => ctx.changed(await api.endMembership(customerId)) }, 'End'))];
    }
    if (!m && !editing) {
      return [heading, h('p', { class: 'hint', text: 'No membership.' }),
        h('button', { type: 'button', id: 'add-membership', onclick: () => show(null, true) }, '+ Add a membership')];
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
        h('button', { type: 'button', onclick: () => show(m, false) }, 'Cancel')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        clearErrors(form);
        const next = await api.setMembership(customerId, { plan_name: plan.value, price: price.value, term: term.value, renews_on: renews.value });
        ctx.changed(next);
        // Saved as it was: the view did not change, so the form is closed here.
        if (form.isConnected) fill(root, content(next.membership));
      } catch (error) {
        showError(form, error);
      }
    });
    return [heading, form];
  };
  return part(root, (v) => v.membership, (v) => content(v.membership));
}
