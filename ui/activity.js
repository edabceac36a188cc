// The card's visits and loyalty: check in, log a visit or call in one line,
// next steps, history (paged, with undo) and the points with their ledger.
// Every number and sentence here comes ready-made from Rust.

import * as api from './api.js';
import { h, clear, formatDateTime, showError, clearErrors, cardChanged } from './dom.js';

const kindLabels = { visit: 'Visit', call: 'Call', message: 'Message', purchase: 'Purchase' };

export function formatMoney(cents, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

// Returns a section drawn from `initial` (the card view's activity), which
// re-renders itself after each change.
/** @param {import('./types/Card').Card} card @param {any} app @param {import('./types/Activity').Activity} initial @param {string} [flash] */
export function renderActivity(card, app, initial, flash = '') {
  const root = h('div', { class: 'activity', id: 'activity' });
  const reload = async (flash) => {
    try {
      const activity = await api.getActivity(card.id);
      draw(activity, flash);
      // After a change (a flash says what happened), health may have moved.
      if (flash) cardChanged();
    } catch (error) {
      clear(root).append(h('p', { class: 'field-error', role: 'alert', text: error.message || String(error) }));
    }
  };
  root.reload = reload;

  /** @param {import('./types/Activity').Activity} a @param {string} [flash] */
  function draw(a, flash) {
    const focusedId = document.activeElement && document.activeElement.id;
    clear(root).append(
      loyaltyPanel(card, a, reload, app, flash),
      logPanel(card, a, reload, app),
      historyPanel(card, a, reload, app));
    if (focusedId) {
      const again = document.getElementById(focusedId);
      if (again) again.focus();
    }
  }
  draw(initial, flash);
  return root;
}

/** @param {import('./types/Card').Card} card @param {import('./types/Activity').Activity} a */
function loyaltyPanel(card, a, reload, app, flash) {
  const s = a.loyalty;
  // The check-in button is at the top of the card (card.js); this panel
  // says what its own changes did (a redeem, an adjustment, a logged visit).
  const message = h('p', { class: 'flash', id: 'loyalty-flash', role: 'status', text: flash || '' });

  const rewards = h('div', { class: 'rewards', id: 'rewards' });
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
          await api.redeem(card.id, what, app.deskStaff());
          await reload(`Redeemed: ${label}.`);
        } catch (error) {
          box.replaceChildren(h('span', { class: 'field-error', text: error.message || String(error) }), no);
        }
      });
      rewards.after(box);
      yes.focus();
    });
    return button;
  };
  if (s.punch) {
    rewards.append(offer(`${s.punch.reward} (punch card)`, { type: 'punch_card' }, s.punch.free_available > 0, 'punch'));
  }
  for (const r of s.rewards) {
    rewards.append(offer(`${r.name} · ${r.cost} pts`, { type: 'reward', id: r.id }, r.available, r.id));
  }

  const stamps = s.punch
    ? h('div', { class: 'stamps', role: 'img', 'aria-label': `${s.punch.stamps} of ${s.punch.every} stamps` },
      Array.from({ length: s.punch.every }, (_, i) => h('span', { class: i < s.punch.stamps ? 'stamp on' : 'stamp' })))
    : null;

  return h('section', { class: 'panel loyalty', 'aria-label': 'Loyalty' },
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
    message,
    rewards,
    adjustForm(card, reload, app),
    s.ledger.length
      ? h('details', { class: 'ledger' },
        h('summary', { text: 'Points history' }),
        h('ul', { id: 'ledger' }, s.ledger.map((line) => h('li', { class: 'ledger-line' },
          h('span', { class: line.points < 0 ? 'pts minus' : 'pts plus', text: line.points ? `${line.points > 0 ? '+' : ''}${line.points}` : '±0' }),
          h('span', { class: 'memo', text: line.memo }),
          h('span', { class: 'hint', text: `${formatDateTime(line.created_at)}${line.staff_name ? ` · ${line.staff_name}` : ''}` })))))
      : null);
}

function adjustForm(card, reload, app) {
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
      await api.adjustPoints(card.id, points.value, reason.value, app.deskStaff());
      await reload('Points adjusted.');
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}

/** @param {import('./types/Card').Card} card @param {import('./types/Activity').Activity} a */
function logPanel(card, a, reload, app) {
  const kind = h('select', { id: 'log-kind', 'data-field': 'kind', 'aria-label': 'Kind' },
    Object.entries(kindLabels).map(([value, label]) => h('option', { value, text: label })));
  const summary = h('input', { type: 'text', id: 'log-summary', 'data-field': 'summary', placeholder: 'What happened', 'aria-label': 'Summary' });
  const amount = h('input', { type: 'text', id: 'log-amount', 'data-field': 'amount', class: 'short', inputmode: 'decimal', placeholder: `Amount (${a.currency})`, 'aria-label': 'Amount' });
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
      const logged = await api.logInteraction(card.id, {
        kind: kind.value, summary: summary.value, amount: amount.value,
        staff_id: app.deskStaff(), next_step: nextStep.value,
        next_step_due: due.value && dueTime.value ? `${due.value}T${dueTime.value}` : due.value,
        paid_late: late.checked,
        win: win.checked,
      });
      const earned = logged.points + logged.birthday_bonus;
      const referral = logged.referral_bonus ? ` Their first visit: the friend who referred them got ${logged.referral_bonus} points.` : '';
      await reload(`${kindLabels[kind.value]} logged${earned ? `: +${earned} points` : ''}.${referral}`);
    } catch (error) {
      showError(form, error);
    }
  });

  const tasks = a.open_tasks.length
    ? h('ul', { class: 'tasks', id: 'open-tasks' }, a.open_tasks.map((task) => {
      const box = h('input', { type: 'checkbox', 'aria-label': `Done: ${task.title}` });
      box.addEventListener('change', async () => {
        await api.completeTask(task.id, app.deskStaff());
        await reload('Next step done.');
      });
      return h('li', { class: task.overdue ? 'task overdue' : 'task' },
        h('label', { class: 'check' }, box, h('span', { text: task.title })),
        h('span', { class: 'due', text: `${task.overdue ? 'Overdue since' : 'Due'} ${task.due_on}` }),
        task.staff_name ? h('span', { class: 'hint', text: task.staff_name }) : null);
    }))
    : null;

  return h('section', { class: 'panel', 'aria-label': 'Log a visit' },
    h('h2', { text: 'Log a visit, call, message or purchase' }),
    form,
    tasks ? h('h3', { text: 'Open next steps' }) : null,
    tasks);
}

/** @param {import('./types/Card').Card} card @param {import('./types/Activity').Activity} a */
function historyPanel(card, a, reload, app) {
  const list = h('ul', { class: 'history', id: 'history' });
  const more = h('button', { type: 'button', id: 'history-more' }, 'Show older');
  let before = a.history.next_before;
  const addItems = (items) => {
    for (const item of items) list.append(historyItem(item, reload, app));
  };
  addItems(a.history.items);
  more.hidden = !before;
  more.addEventListener('click', async () => {
    const page = await api.getHistory(card.id, before);
    addItems(page.items);
    before = page.next_before;
    more.hidden = !before;
  });
  return h('section', { class: 'panel', 'aria-label': 'History' },
    h('h2', { text: 'History' }),
    a.history.items.length ? list : h('p', { class: 'hint', text: 'Nothing logged yet.' }),
    more);
}

function historyItem(item, reload, app) {
  const undo = item.undone_at ? null : h('button', { type: 'button', class: 'link danger' }, 'Undo');
  const li = h('li', { class: item.undone_at ? 'event undone' : 'event', dataset: { id: item.id } },
    h('span', { class: 'event-kind', text: kindLabels[item.kind] || item.kind }),
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
        await api.undoInteraction(item.id, app.deskStaff());
        await reload('Undone; its points were taken back.');
      });
      undo.replaceWith(box);
      no.focus();
    });
  }
  return li;
}
