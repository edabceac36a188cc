// The card's visits and loyalty: check in, log a visit or call in one line,
// next steps, history (paged, with undo) and the points with their ledger.
// Every number and sentence here comes ready-made from Rust.

import * as api from './api.js';
import { h, formatDateTime, showError, clearErrors, part, panel, inline, described } from './dom.js';

/** @type {Record<string, string | undefined>} a history item's kind, as Rust words it */
const kindLabels = { visit: 'Visit', call: 'Call', message: 'Message', purchase: 'Purchase' };
/** @type {Record<string, string | undefined>} the history's own kinds besides: a group message sent (never undone here) */
const shownKinds = { ...kindLabels, newsletter: 'Newsletter' };

/** @param {number} cents @param {string} currency */
export function formatMoney(cents, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

// The loyalty panel, the log form with the open next steps, and the
// history: every change answers the card view (ctx.changed repaints it);
// the forms stay as they are across repaints, the figures and lists are
// drawn again when they change.
/** @param {import('./dom.js').CardContext} ctx */
export function renderActivity(ctx) {
  const loyalty = loyaltyPanel(ctx);
  const log = logPanel(ctx);
  const history = part(h('section', { class: 'panel', 'aria-label': 'History' }), (v) => [v.activity.history, v.activity.overwritten],
    (v) => historyPanel(ctx, v.activity));
  return panel(h('div', { class: 'activity', id: 'activity' }, loyalty.node, log.node, history.node), loyalty, log, history);
}

/** @param {import('./dom.js').CardContext} ctx */
function loyaltyPanel(ctx) {
  // The check-in button is at the top of the card (card.js); this panel
  // says what its own changes did (a redeem, an adjustment, a logged visit).
  const message = h('p', { class: 'flash', id: 'loyalty-flash', role: 'status' });
  const figures = part(inline(), (v) => [v.activity.loyalty.balance, v.activity.loyalty.tier, v.activity.loyalty.next_tier,
    v.activity.visit_count, v.activity.lifetime_spend_cents, v.activity.last_contact_at, v.activity.loyalty.ready,
    v.activity.loyalty.progress, v.activity.loyalty.punch], (v) => loyaltyFigures(v.activity));
  const rewards = part(h('div', { class: 'rewards', id: 'rewards' }), (v) => [v.activity.loyalty.punch, v.activity.loyalty.rewards],
    (v) => rewardButtons(ctx, v.activity.loyalty, rewards.node));
  const ledger = part(inline(), (v) => v.activity.loyalty.ledger, (v) => (v.activity.loyalty.ledger.length
    ? h('details', { class: 'ledger' },
      h('summary', { text: 'Points history' }),
      h('ul', { id: 'ledger' }, v.activity.loyalty.ledger.map((line) => h('li', { class: 'ledger-line' },
        h('span', { class: line.points < 0 ? 'pts minus' : 'pts plus', text: line.points ? `${line.points > 0 ? '+' : ''}${line.points}` : '±0' }),
        h('span', { class: 'memo', text: line.memo }),
        h('span', { class: 'hint', text: `${formatDateTime(line.created_at)}${line.staff_name ? ` · ${line.staff_name}` : ''}` })))))
    : null));
  // The confirmation of a redeem sits after the rewards, outside their part,
  // so a repaint that leaves the rewards alone leaves it too.
  const confirm = inline();
  const node = h('section', { class: 'panel loyalty', 'aria-label': 'Loyalty' },
    figures.node, message, rewards.node, confirm, adjustForm(ctx), ledger.node);
  return panel(node, figures, rewards, ledger);
}

/** @param {import('./types/Activity').Activity} a */
function loyaltyFigures(a) {
  const s = a.loyalty;
  const punch = s.punch;
  const stamps = punch
    ? h('div', { class: 'stamps', role: 'img', 'aria-label': `${punch.stamps} of ${punch.every} stamps` },
      Array.from({ length: punch.every }, (_, i) => h('span', { class: i < punch.stamps ? 'stamp on' : 'stamp' })))
    : null;
  return [
    h('div', { class: 'loyalty-head' },
      h('div', {},
        h('div', { class: 'balance' }, h('span', { id: 'points-balance', text: String(s.balance) }), ' points'),
        h('div', { class: 'tier', id: 'tier' },
          s.tier ? `${s.tier.name} member${s.tier.perk ? ` · ${s.tier.perk}` : ''}` : 'No tier yet',
          s.next_tier ? h('span', { class: 'hint', text: ` · ${s.next_tier}` }) : null)),
      h('div', { class: 'stats' },
        h('div', {}, h('strong', { text: String(a.visit_count) }), a.visit_count === 1 ? ' visit' : ' visits'),
        h('div', {}, h('strong', { text: formatMoney(a.lifetime_spend_cents, a.currency) }), ' spent'),
        h('div', { class: 'hint', text: a.last_contact_at ? `Last contact ${formatDateTime(a.last_contact_at)}` : 'No contact yet' }))),
    s.ready.length ? h('p', { class: 'ready', id: 'reward-ready', role: 'status', text: `Ready: ${s.ready.join(' · ')}` }) : null,
    h('ul', { class: 'progress', id: 'progress' }, s.progress.map((line) => h('li', { text: line }))),
    stamps,
  ];
}

/** @param {import('./dom.js').CardContext} ctx @param {import('./types/Activity').Activity['loyalty']} s @param {HTMLElement} rewards */
function rewardButtons(ctx, s, rewards) {
  /**
   * @param {string} label @param {import('./types/Redeemable').Redeemable} what
   * @param {boolean} available @param {string} key
   */
  const offer = (label, what, available, key) => {
    const button = h('button', { type: 'button', class: available ? 'reward available' : 'reward', disabled: !available, dataset: { reward: key } }, label);
    button.addEventListener('click', () => {
      const yes = h('button', { type: 'button', class: 'primary', id: 'confirm-redeem' }, 'Yes, redeem');
      const no = h('button', { type: 'button' }, 'Cancel');
      const box = h('div', { class: 'confirm-box', role: 'alertdialog', 'aria-label': 'Confirm redeem' },
        h('span', { text: `Redeem ${label}?` }), yes, no);
      no.addEventListener('click', () => { box.remove(); button.focus(); });
      yes.addEventListener('click', async () => {
        try {
          const next = await api.redeem(ctx.customerId, what, ctx.app.deskStaff());
          box.remove();
          ctx.changed(next, `Redeemed: ${label}.`, 'loyalty-flash');
        } catch (error) {
          box.replaceChildren(h('span', { class: 'field-error', text: described(error).message }), no);
        }
      });
      const slot = rewards.nextElementSibling;
      if (slot) slot.replaceChildren(box);
      yes.focus();
    });
    return button;
  };
  const buttons = [];
  if (s.punch) {
    buttons.push(offer(`${s.punch.reward} (punch card)`, { type: 'punch_card' }, s.punch.free_available > 0, 'punch'));
  }
  for (const r of s.rewards) {
    buttons.push(offer(`${r.name} · ${r.cost} pts`, { type: 'reward', id: r.id }, r.available, r.id));
  }
  return buttons;
}

/** @param {import('./dom.js').CardContext} ctx */
function adjustForm(ctx) {
  const points = h('input', { type: 'text', id: 'adjust-points', 'data-field': 'points', class: 'short', placeholder: '+50 or -20', 'aria-label': 'Points to add or remove' });
  const reason = h('input', { type: 'text', id: 'adjust-reason', 'data-field': 'reason', placeholder: 'Why (kept in the history)', 'aria-label': 'Reason' });
  const form = h('form', { class: 'adjust', novalidate: true },
    h('details', {},
      h('summary', { text: 'Adjust points by hand' }),
      h('div', { class: 'row' }, points, reason, h('button', { type: 'submit', id: 'adjust-save' }, 'Adjust')),
      h('p', { class: 'field-error', 'data-for': 'points', role: 'alert' }),
      h('p', { class: 'field-error', 'data-for': 'reason', role: 'alert' }),
      h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      clearErrors(form);
      const next = await api.adjustPoints(ctx.customerId, points.value, reason.value, ctx.app.deskStaff());
      points.value = '';
      reason.value = '';
      ctx.changed(next, 'Points adjusted.', 'loyalty-flash');
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}

/** @param {import('./dom.js').CardContext} ctx */
function logPanel(ctx) {
  const kind = h('select', { id: 'log-kind', 'data-field': 'kind', 'aria-label': 'Kind' },
    Object.entries(kindLabels).map(([value, label]) => h('option', { value, text: label })));
  const summary = h('input', { type: 'text', id: 'log-summary', 'data-field': 'summary', placeholder: 'What happened', 'aria-label': 'Summary' });
  const amount = h('input', { type: 'text', id: 'log-amount', 'data-field': 'amount', class: 'short', inputmode: 'decimal', 'aria-label': 'Amount' });
  const nextStep = h('input', { type: 'text', id: 'log-next-step', 'data-field': 'next_step', placeholder: 'Next step (optional)', 'aria-label': 'Next step' });
  const due = h('input', { type: 'date', id: 'log-next-due', 'data-field': 'next_step_due', 'aria-label': 'Next step due date' });
  const dueTime = h('input', { type: 'time', id: 'log-next-time', step: '1', 'aria-label': 'Next step time (optional)' });
  const late = h('input', { type: 'checkbox', id: 'log-paid-late', 'data-field': 'paid_late' });
  const win = h('input', { type: 'checkbox', id: 'log-win', 'data-field': 'win' });
  const form = h('form', { class: 'log-form', id: 'log-form', novalidate: true },
    h('div', { class: 'log-row' }, kind, summary, amount, h('button', { type: 'submit', class: 'primary', id: 'log-save' }, 'Log')),
    h('div', { class: 'log-row next' }, nextStep, due, dueTime),
    h('div', { class: 'row log-flags' },
      h('label', { class: 'check' }, late, ' Paid late'),
      h('label', { class: 'check', title: 'It went especially well: a good moment to ask for a review' }, win, ' A win')),
    ['kind', 'summary', 'amount', 'paid_late', 'win', 'next_step', 'next_step_due', 'staff', 'form'].map((f) => h('p', { class: 'field-error', 'data-for': f, role: 'alert' })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      clearErrors(form);
      const answer = await api.logInteraction(ctx.customerId, {
        kind: kind.value, summary: summary.value, amount: amount.value,
        staff_id: ctx.app.deskStaff(), next_step: nextStep.value,
        next_step_due: due.value && dueTime.value ? `${due.value}T${dueTime.value}` : due.value,
        paid_late: late.checked,
        win: win.checked,
      });
      // Ready for the next one; the focus stays where it was.
      form.reset();
      ctx.changed(answer.view, answer.said, 'loyalty-flash');
    } catch (error) {
      showError(form, error);
    }
  });
  // The currency can change in the settings; the placeholder follows the card.
  const tasks = part(inline(), (v) => [v.activity.currency, v.activity.open_tasks], (v) => {
    amount.setAttribute('placeholder', `Amount (${v.activity.currency})`);
    const open = v.activity.open_tasks;
    return open.length ? [h('h3', { text: 'Open next steps' }), h('ul', { class: 'tasks', id: 'open-tasks' }, open.map((task) => {
      const box = h('input', { type: 'checkbox', 'aria-label': `Done: ${task.title}` });
      box.addEventListener('change', async () => {
        try {
          ctx.changed(await api.completeTask(task.id, ctx.app.deskStaff()), 'Next step done.', 'loyalty-flash');
        } catch (error) {
          box.checked = false;
          showError(form, error);
        }
      });
      return h('li', { class: task.overdue ? 'task overdue' : 'task' },
        h('label', { class: 'check' }, box, h('span', { text: task.title })),
        h('span', { class: 'due', text: `${task.overdue ? 'Overdue since' : 'Due'} ${task.due_on}` }),
        task.staff_name ? h('span', { class: 'hint', text: task.staff_name }) : null);
    }))] : null;
  });
  const node = h('section', { class: 'panel', 'aria-label': 'Log a visit' },
    h('h2', { text: 'Log a visit, call, message or purchase' }),
    form,
    tasks.node);
  return panel(node, tasks);
}

// The history's first page from the card view; older pages are read on
// demand ("Show older", a read that changes nothing).
/** @param {import('./dom.js').CardContext} ctx @param {import('./types/Activity').Activity} a */
function historyPanel(ctx, a) {
  const list = h('ul', { class: 'history', id: 'history' });
  const more = h('button', { type: 'button', id: 'history-more' }, 'Show older');
  let before = a.history.next_before;
  /** @param {Array<import('./types/HistoryItem').HistoryItem>} items */
  const addItems = (items) => {
    for (const item of items) list.append(historyItem(item, ctx));
  };
  addItems(a.history.items);
  more.hidden = !before;
  more.addEventListener('click', async () => {
    const page = await api.getHistory(ctx.customerId, before);
    addItems(page.items);
    before = page.next_before;
    more.hidden = !before;
  });
  return [
    h('h2', { text: 'History' }),
    overwrittenList(a.overwritten),
    a.history.items.length ? list : h('p', { class: 'hint', text: 'Nothing logged yet.' }),
    more];
}

// In a shared shop: the card's fields another device's later edit replaced
// here ("Phone changed on Front desk 2 at 10:02"), with what they were.
/** @param {Array<import('./types/OverwrittenField').OverwrittenField>} fields */
function overwrittenList(fields) {
  if (!fields.length) return null;
  return h('ul', { class: 'history overwritten', id: 'overwritten' }, fields.map((f) => h('li', { class: 'event' },
    h('span', { text: `${fieldWords(f.field)} changed on ${f.device_name} at ${formatDateTime(f.changed_at)}` }),
    h('span', { class: 'hint', text: f.old_value ? ` · was “${f.old_value}”` : ' · was empty' }))));
}

/** A card column as words: "preferred_name" → "Preferred name". @param {string} field */
function fieldWords(field) {
  const words = field.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** @param {import('./types/HistoryItem').HistoryItem} item @param {import('./dom.js').CardContext} ctx */
function historyItem(item, ctx) {
  const undo = item.undone_at || item.kind === 'newsletter' ? null : h('button', { type: 'button', class: 'link danger' }, 'Undo');
  const li = h('li', { class: item.undone_at ? 'event undone' : 'event', dataset: { id: item.id } },
    h('span', { class: 'event-kind', text: shownKinds[item.kind] || item.kind }),
    h('span', { class: 'event-summary', text: item.summary }),
    item.amount_cents !== null ? h('span', { class: 'event-amount', text: (item.amount_cents / 100).toFixed(2) }) : null,
    item.paid_late ? h('span', { class: 'badge late', text: 'paid late' }) : null,
    item.win ? h('span', { class: 'badge win', text: 'win' }) : null,
    h('span', { class: 'hint', text: `${formatDateTime(item.happened_at)}${item.staff_name ? ` · ${item.staff_name}` : ''}` }),
    item.undone_at ? h('span', { class: 'badge', text: 'undone' }) : null,
    undo);
  if (undo) {
    undo.addEventListener('click', () => {
      const yes = h('button', { type: 'button', class: 'danger solid' }, 'Yes, undo');
      const no = h('button', { type: 'button' }, 'Keep');
      const box = h('span', { class: 'confirm-inline' }, 'Undo this and take back its points? ', yes, no);
      no.addEventListener('click', () => box.replaceWith(undo));
      yes.addEventListener('click', async () => {
        try {
          ctx.changed(await api.undoInteraction(item.id, ctx.app.deskStaff()), 'Undone; its points were taken back.', 'loyalty-flash');
        } catch (error) {
          box.replaceChildren(h('span', { class: 'field-error', text: described(error).message }), no);
        }
      });
      undo.replaceWith(box);
      no.focus();
    });
  }
  return li;
}
