// Today: what fell due while the app was closed, what is overdue, and
// what is due today. Each line opens its card; snooze, done or dismiss.

import * as api from './api.js';
import { h, formatDateTime, described } from './dom.js';

/** @param {import('./types/TodayView').TodayView} view @param {import('./main.js').App} app */
export function renderToday(view, app) {
  const root = h('div', { class: 'today', id: 'today' });
  const refresh = () => app.openToday();
  root.append(h('h1', { tabindex: '-1', text: 'Today' }));
  /** @type {Array<[string, string, Array<import('./types/Reminder').Reminder>]>} */
  const groups = [
    ['away', 'While you were away', view.away],
    ['overdue', 'Overdue', view.overdue],
    ['due-today', 'Due today', view.today],
  ];
  let any = false;
  for (const [id, title, items] of groups) {
    if (!items.length) continue;
    any = true;
    root.append(h('section', { class: `panel reminder-group ${id}`, id: `group-${id}`, 'aria-label': title },
      h('h2', { text: `${title} (${items.length})` }),
      h('ul', { class: 'reminders' }, items.map((r) => reminderItem(r, app, refresh)))));
  }
  if (view.more) root.append(h('p', { class: 'hint', text: `${view.more} more are not listed; deal with these first.` }));
  if (!any) root.append(h('p', { class: 'panel hint', id: 'today-empty', text: 'Nothing is due today. Enjoy the calm.' }));
  return root;
}

/** @param {import('./types/Reminder').Reminder} r @param {import('./main.js').App} app @param {() => unknown} refresh */
function reminderItem(r, app, refresh) {
  /** @param {Promise<unknown>} promise */
  const act = (promise) => promise.then(refresh).catch((error) => { note.textContent = described(error).message; });
  const note = h('span', { class: 'field-error', role: 'alert' });
  return h('li', { class: 'reminder', dataset: { id: r.id, source: r.source } },
    h('div', { class: 'reminder-main' },
      h('button', { type: 'button', class: 'link reminder-name', onclick: () => app.openCard(r.customer_id) }, r.customer_name),
      h('span', { class: 'reminder-source', text: r.label }),
      h('div', { class: 'reminder-title', text: r.title }),
      r.detail ? h('div', { class: 'hint reminder-detail', text: r.detail }) : null,
      h('div', { class: 'hint', text: `${r.snoozed ? 'Snoozed until' : 'Due'} ${formatDateTime(r.due_at)}` })),
    h('div', { class: 'reminder-actions' },
      h('button', { type: 'button', class: 'primary', onclick: () => act(api.closeReminder(r.id, false)) }, 'Done'),
      h('button', { type: 'button', onclick: () => act(api.snoozeReminder(r.id, 'one_hour')) }, '1 hour'),
      h('button', { type: 'button', onclick: () => act(api.snoozeReminder(r.id, 'tomorrow_morning')) }, 'Tomorrow'),
      h('button', { type: 'button', onclick: () => act(api.snoozeReminder(r.id, 'next_week')) }, 'Next week'),
      h('button', { type: 'button', class: 'link danger', onclick: () => act(api.closeReminder(r.id, true)) }, 'Dismiss'),
      note));
}
