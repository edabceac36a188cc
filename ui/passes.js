// The passes panel on a card: each pass with what is left ("7 of 10 left,
// until 3 March"), selling one of the shop's pass types, and a correction
// with a reason. Every change answers the card view, which repaints the card.

import * as api from './api.js';
import { h, showError, clearErrors, formatDateTime, part } from './dom.js';
import { formatMoney } from './activity.js';

/** @param {import('./dom.js').CardContext} ctx */
export function renderPasses(ctx) {
  const root = h('section', { class: 'panel passes', 'aria-label': 'Passes', id: 'passes-panel' });
  return part(root, (v) => [v.passes, v.pass_types], (v) => [
    h('h2', { text: 'Passes' }),
    v.passes.length
      ? h('ul', { class: 'pass-list' }, v.passes.map((p) => passItem(p, ctx.app, ctx.changed)))
      : h('p', { class: 'hint', text: v.pass_types.length ? 'No passes yet.' : 'No passes. The shop’s passes are set up in Settings.' }),
    v.pass_types.length ? sellForm(ctx, v.pass_types) : null]);
}

/** @param {import('./types/PassView').PassView} p @param {import('./main.js').App} app @param {import('./dom.js').CardContext['changed']} redraw */
function passItem(p, app, redraw) {
  const ledger = h('details', { class: 'pass-ledger' },
    h('summary', { text: 'History' }),
    h('ul', {}, p.ledger.map((line) => h('li', {},
      h('span', { class: line.sessions < 0 ? 'minus' : 'plus', text: `${line.sessions > 0 ? '+' : ''}${line.sessions}` }),
      ` ${line.memo}`,
      h('span', { class: 'hint', text: ` · ${formatDateTime(line.created_at)}${line.staff_name ? ` · ${line.staff_name}` : ''}` })))),
    adjustForm(p, app, redraw));
  return h('li', { class: p.usable ? 'pass usable' : 'pass ended', dataset: { passId: p.id } },
    h('div', { class: 'pass-head' },
      h('strong', { text: p.name }),
      h('span', { class: 'pass-left', text: p.said })),
    p.usable ? h('progress', { class: 'pass-meter', max: String(p.sessions), value: String(p.left), 'aria-label': p.said }) : null,
    ledger);
}

/** @param {import('./types/PassView').PassView} p @param {import('./main.js').App} app @param {import('./dom.js').CardContext['changed']} redraw */
function adjustForm(p, app, redraw) {
  const sessions = h('input', { type: 'text', class: 'short', 'data-field': 'sessions', 'aria-label': 'Sessions (+1 or -1)', placeholder: '+1' });
  const reason = h('input', { type: 'text', 'data-field': 'reason', 'aria-label': 'Reason', placeholder: 'Reason, e.g. a goodwill session' });
  const form = h('form', { class: 'row pass-adjust', novalidate: true },
    sessions, reason,
    h('button', { type: 'submit' }, 'Correct'),
    ['sessions', 'reason', 'form'].map((f) => h('p', { class: 'field-error', 'data-for': f, role: 'alert' })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      clearErrors(form);
      redraw(await api.adjustPass(p.id, sessions.value, reason.value, app.deskStaff()), `${p.name} corrected.`);
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}

/** @param {import('./dom.js').CardContext} ctx @param {Array<import('./types/PassType').PassType>} types */
function sellForm(ctx, types) {
  const app = ctx.app;
  const choice = h('select', { id: 'pass-type', 'data-field': 'pass_type', 'aria-label': 'Pass to sell' },
    types.map((t) => h('option', {
      value: t.id,
      text: `${t.name} · ${formatMoney(t.price_cents, app.currency())} · ${t.sessions} sessions${t.valid_months ? ` · ${t.valid_months} months` : ''}`,
    })));
  const form = h('form', { class: 'row sell-pass', novalidate: true },
    choice,
    h('button', { type: 'submit', id: 'sell-pass' }, 'Sell pass'),
    ['pass_type', 'staff', 'form'].map((f) => h('p', { class: 'field-error', 'data-for': f, role: 'alert' })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const sold = types.find((t) => t.id === choice.value);
    try {
      clearErrors(form);
      ctx.changed(await api.sellPass(ctx.customerId, choice.value, app.deskStaff()), `${sold ? sold.name : 'Pass'} sold.`);
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}
