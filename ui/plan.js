// The welcome plan on a card: start it from a date, tick tasks (recording
// the staff member at the desk), see progress, overdue tasks and the first
// win, and print the one-page PDF (Save as PDF or Print). Dates, labels and
// progress come ready-made from Rust.

import * as api from './api.js';
import { h, clear, formatDateTime, showError, clearErrors, described } from './dom.js';

function isoToday() {
  const now = new Date();
  /** @param {number} n */
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** @param {string} name */
function fileName(name) {
  const safe = name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').trim() || 'customer';
  return `Welcome plan - ${safe}.pdf`;
}

// The plan is drawn again from the card view when it changed; its status
// line stays (it says what the last change or print did).
/** @param {import('./dom.js').CardContext} ctx */
export function renderPlan(ctx) {
  const app = ctx.app;
  /** @type {import('./types/Card').Card} */
  let card;
  const root = h('section', { class: 'panel plan', id: 'plan-panel', 'aria-label': 'Welcome plan' });
  const flash = h('p', { class: 'flash', id: 'plan-flash', role: 'status' });
  /** @param {string} text @param {boolean} [isError] */
  const say = (text, isError = false) => {
    flash.textContent = text;
    flash.classList.toggle('error', isError);
  };

  /** @param {string} label */
  const startForm = (label) => {
    const date = h('input', { type: 'date', id: 'plan-start-on', 'data-field': 'start_on', value: isoToday() });
    const form = h('form', { class: 'plan-start', novalidate: true },
      h('div', { class: 'row' },
        h('label', { for: 'plan-start-on', text: 'Starts on' }), date,
        h('button', { type: 'submit', class: 'primary', id: 'plan-start' }, label)),
      h('p', { class: 'field-error', 'data-for': 'start_on', role: 'alert' }),
      h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        clearErrors(form);
        ctx.changed(await api.startPlan(card.id, date.value), 'Welcome plan started.', 'plan-flash');
      } catch (error) {
        showError(form, error);
      }
    });
    return form;
  };

  const pdfButtons = () => {
    const save = h('button', { type: 'button', id: 'plan-save-pdf' }, 'Save as PDF');
    const print = h('button', { type: 'button', id: 'plan-print' }, 'Print');
    save.addEventListener('click', async () => {
      try {
        const chosen = await api.chooseFile('plan_pdf', fileName(card.display_name));
        if (!chosen) return;
        const written = await api.savePlanPdf(card.id, chosen.token);
        say(written.notice ? `Saved to ${written.path}. ${written.notice}` : `Saved to ${written.path}.`);
      } catch (error) {
        say(described(error).message, true);
      }
    });
    print.addEventListener('click', async () => {
      try {
        const written = await api.printPlan(card.id);
        say(written.notice ? `Opened for printing. ${written.notice}` : 'Opened in your PDF viewer: print it from there.');
      } catch (error) {
        say(described(error).message, true);
      }
    });
    return [save, print];
  };

  const removeControl = () => {
    const wrap = h('span', { class: 'delete-wrap' });
    const ask = h('button', { type: 'button', class: 'link danger', id: 'plan-remove' }, 'Remove plan');
    ask.addEventListener('click', () => {
      const yes = h('button', {
        type: 'button', class: 'danger solid', id: 'plan-remove-confirm',
        onclick: async () => {
          try {
            ctx.changed(await api.cancelPlan(card.id), 'The plan was removed.', 'plan-flash');
          } catch (error) {
            say(described(error).message, true);
          }
        },
      }, 'Remove');
      const no = h('button', { type: 'button', onclick: () => wrap.replaceChildren(ask) }, 'Keep');
      wrap.replaceChildren(h('span', { class: 'confirm-text', text: 'Remove this plan and its reminders?' }), yes, no);
      no.focus();
    });
    wrap.append(ask);
    return wrap;
  };

  /** @param {import('./types/Plan').Plan | null} plan */
  function draw(plan) {
    clear(root).append(h('h2', { text: 'Welcome plan' }));
    if (!plan) {
      root.append(h('p', { class: 'hint', text: 'No welcome plan yet. It lists what happens in the first weeks, with dates, and prints on one page.' }),
        startForm('Start welcome plan'), flash);
      return;
    }
    root.append(
      h('p', { class: 'plan-progress', id: 'plan-progress' },
        h('strong', { text: plan.progress_label }),
        plan.overdue ? h('span', { class: 'plan-overdue-count', text: ` · ${plan.overdue} overdue` }) : null,
        h('span', { class: 'hint', text: ` · started ${plan.start_label}` })),
      h('progress', { class: 'plan-bar', max: String(Math.max(plan.total, 1)), value: String(plan.done), 'aria-label': plan.progress_label }));

    const milestone = plan.tasks.find((t) => t.milestone);
    if (milestone) {
      root.append(h('div', { class: milestone.done_at ? 'plan-milestone reached' : 'plan-milestone', id: 'plan-milestone' },
        h('span', { class: 'plan-star', 'aria-hidden': 'true', text: '★' }),
        h('div', {},
          h('div', { class: 'plan-milestone-label', text: milestone.done_at ? 'First win reached' : `First win · by ${milestone.due_label}` }),
          h('div', { class: 'plan-milestone-title', text: milestone.title }))));
    }

    root.append(h('ul', { class: 'plan-tasks', id: 'plan-tasks' }, plan.tasks.map((task, i) => {
      const box = h('input', { type: 'checkbox', id: `plan-task-${i}`, checked: Boolean(task.done_at), 'aria-label': `Done: ${task.title}` });
      box.addEventListener('change', async () => {
        try {
          ctx.changed(await api.tickPlanTask(task.id, box.checked, app.deskStaff()));
        } catch (error) {
          box.checked = !box.checked;
          say(described(error).message, true);
        }
      });
      const classes = ['plan-task'];
      if (task.overdue) classes.push('overdue');
      if (task.done_at) classes.push('done');
      if (task.milestone) classes.push('milestone');
      return h('li', { class: classes.join(' '), dataset: { id: task.id } },
        box,
        h('label', { for: `plan-task-${i}`, class: 'plan-task-title', text: task.milestone ? `★ ${task.title}` : task.title }),
        h('span', { class: 'plan-task-meta' },
          h('span', { class: 'plan-owner', text: task.owner_label }),
          h('span', { class: 'due', text: task.overdue ? `overdue since ${task.due_label}` : task.due_label }),
          task.done_at ? h('span', { class: 'plan-done-by', text: `✓ ${task.done_by || ''}, ${formatDateTime(task.done_at)}` }) : null));
    })));

    root.append(h('div', { class: 'row plan-actions' }, pdfButtons(), plan.completed_at ? null : removeControl()), flash);
    if (plan.completed_at) {
      root.append(h('p', { class: 'hint', text: `Completed ${formatDateTime(plan.completed_at)}.` }), startForm('Start a new plan'));
    }
  }

  /** @type {string | undefined} */
  let drawn;
  return {
    node: root,
    /** @param {import('./types/CardView').CardView} view */
    update(view) {
      card = view.card;
      const now = JSON.stringify(view.plan);
      if (now === drawn) return;
      drawn = now;
      draw(view.plan);
    },
  };
}
