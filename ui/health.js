// On the card: the customer's health (colour and reasons, worked out in
// Rust), their complaints and their feedback answers. Each panel reloads
// itself after a change and when the card's activity changes.

import * as api from './api.js';
import { h, clear, fill, formatDateTime, showError, clearErrors, cardChanged, reloadOnCardChange } from './dom.js';
import { colourLabels } from './types/labels.js';


function errorLine(error) {
  return h('p', { class: 'field-error', role: 'alert', text: error.message || String(error) });
}

// The colour and the reasons, on top of the card.
/** @param {import('./types/Card').Card} card @param {import('./types/Health').Health} initial */
export function renderHealth(card, initial) {
  const root = h('section', { class: 'panel health', id: 'health', 'aria-label': 'Relationship health' });
  const load = async () => {
    try {
      draw(await api.getHealth(card.id));
    } catch (error) {
      clear(root).append(errorLine(error));
    }
  };
  /** @param {import('./types/Health').Health} health */
  const draw = (health) => {
      root.className = `panel health ${health.colour}`;
      fill(root,
        h('div', { class: 'health-head' },
          h('span', { class: `dot ${health.colour}`, 'aria-hidden': 'true' }),
          h('strong', { id: 'health-colour', text: colourLabels[health.colour] }),
          health.action ? h('span', { class: 'health-action', text: `Next: ${health.action}` }) : null),
        health.reasons.length
          ? h('ul', { class: 'health-reasons', id: 'health-reasons' }, health.reasons.map((r) => h('li', { class: r.colour, text: r.text })))
          : h('p', { class: 'hint', id: 'health-reasons', text: 'No warning signs.' }));
  };
  reloadOnCardChange(root, load);
  draw(initial);
  return root;
}


function staffOptions(staff, chosen) {
  return [h('option', { value: '', text: 'Choose…' }),
    ...staff.map((m) => h('option', { value: m.id, text: m.name, selected: m.id === chosen }))];
}

function checkpointFields(prefix) {
  const date = h('input', { type: 'date', id: `${prefix}-date`, 'data-field': 'checkpoint_date', 'aria-label': 'Next checkpoint day' });
  const time = h('input', { type: 'time', id: `${prefix}-time`, 'data-field': 'checkpoint_time', value: '10:00', 'aria-label': 'Next checkpoint time' });
  return { date, time };
}

// Open complaints with their updates, an update form and a close form;
// a form to open one; the last closed ones with their recap.
/** @param {import('./types/Card').Card} card @param {any} app @param {Array<import('./types/Complaint').Complaint>} initial @param {Array<import('./types/StaffMember').StaffMember>} staff */
export function renderComplaints(card, app, initial, staff) {
  const root = h('section', { class: 'panel complaints', id: 'complaints', 'aria-label': 'Complaints' });
  const load = async () => {
    try {
      const [list, settings] = await Promise.all([api.getComplaints(card.id), api.getSettings()]);
      draw(list, settings.staff);
    } catch (error) {
      clear(root).append(h('h2', { text: 'Complaints' }), errorLine(error));
    }
  };
  /** @param {Array<import('./types/Complaint').Complaint>} list @param {Array<import('./types/StaffMember').StaffMember>} staff */
  const draw = (list, staff) => {
    const open = list.filter((c) => !c.closed_at);
    const closed = list.filter((c) => c.closed_at);
    root.classList.toggle('has-open', open.length > 0);
    fill(root, h('h2', { text: open.length ? `Open complaint${open.length > 1 ? 's' : ''}` : 'Complaints' }),
      open.map((c) => openComplaint(c)),
      openForm(staff, open.length > 0),
      closed.length ? h('details', { class: 'closed-complaints' },
        h('summary', { text: `Closed (${closed.length})` }),
        h('ul', {}, closed.map((c) => h('li', {},
          h('p', { class: 'complaint-summary', text: c.summary }),
          h('p', { class: 'hint', text: `Closed ${formatDateTime(c.closed_at)} by ${c.closed_by}: ` }, h('span', { class: 'recap', text: c.recap })))))) : null);
  };

  const openComplaint = (c) => {
    const body = h('input', { type: 'text', id: `update-body-${c.id}`, class: 'update-body', 'data-field': 'complaint_update', placeholder: 'What happened since', 'aria-label': 'Update' });
    const { date, time } = checkpointFields(`update-${c.id}`);
    date.required = false;
    const updateForm = h('form', { class: 'complaint-update' },
      body,
      h('div', { class: 'row' }, h('span', { class: 'hint', text: 'Move the next checkpoint (optional)' }), date, time,
        h('button', { type: 'submit', class: 'add-update' }, 'Add update')),
      ['complaint_update', 'checkpoint_date', 'checkpoint_time', 'form'].map((f) => h('p', { class: 'field-error', 'data-for': f, role: 'alert' })));
    updateForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        clearErrors(updateForm);
        await api.addComplaintUpdate(c.id, { body: body.value, checkpoint_date: date.value, checkpoint_time: date.value ? time.value : '', staff_id: app.deskStaff() });
        await load();
      } catch (error) {
        showError(updateForm, error);
      }
    });
    const recap = h('textarea', { rows: 2, class: 'recap-input', id: `recap-${c.id}`, 'data-field': 'complaint_recap', placeholder: 'What changed, in a sentence or two', 'aria-label': 'Recap' });
    const closeForm = h('form', { class: 'complaint-close' },
      recap,
      h('p', { class: 'field-error', 'data-for': 'complaint_recap', role: 'alert' }),
      h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
      h('button', { type: 'submit', class: 'close-complaint' }, 'Close with this recap'));
    closeForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        clearErrors(closeForm);
        await api.closeComplaint(c.id, recap.value, app.deskStaff());
        await load();
        cardChanged();
      } catch (error) {
        showError(closeForm, error);
      }
    });
    return h('article', { class: 'complaint', dataset: { id: c.id } },
      h('p', { class: 'complaint-summary', text: c.summary }),
      h('p', { class: 'hint', text: `Owner ${c.owner_name} · opened ${formatDateTime(c.opened_at)} by ${c.opened_by}${c.checkpoint_at ? ` · next checkpoint ${formatDateTime(c.checkpoint_at)}` : ''}` }),
      c.updates.length ? h('ul', { class: 'updates' }, c.updates.map((u) => h('li', {},
        h('span', { class: 'hint', text: `${formatDateTime(u.created_at)} · ${u.staff_name}: ` }), h('span', { text: u.body })))) : null,
      updateForm,
      closeForm);
  };

  const openForm = (staff, collapsed) => {
    const summary = h('textarea', { rows: 2, id: 'complaint-summary', 'data-field': 'complaint_summary', placeholder: 'What happened', 'aria-label': 'What happened' });
    const owner = h('select', { id: 'complaint-owner', 'data-field': 'complaint_owner', 'aria-label': 'Owner' }, staffOptions(staff, app.deskStaff()));
    const { date, time } = checkpointFields('complaint-checkpoint');
    const form = h('form', { class: 'complaint-open', id: 'complaint-form' },
      summary,
      h('p', { class: 'field-error', 'data-for': 'complaint_summary', role: 'alert' }),
      h('div', { class: 'row' },
        h('label', { for: 'complaint-owner', text: 'Owner' }), owner,
        h('label', { for: 'complaint-checkpoint-date', text: 'Next checkpoint' }), date, time,
        h('button', { type: 'submit', class: 'primary', id: 'open-complaint' }, 'Open complaint')),
      ['complaint_owner', 'checkpoint_date', 'checkpoint_time', 'staff', 'form'].map((f) => h('p', { class: 'field-error', 'data-for': f, role: 'alert' })));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        clearErrors(form);
        await api.openComplaint(card.id, {
          summary: summary.value, owner_id: owner.value, checkpoint_date: date.value, checkpoint_time: time.value, staff_id: app.deskStaff(),
        });
        await load();
        cardChanged();
      } catch (error) {
        showError(form, error);
      }
    });
    form.hidden = true;
    const reveal = h('button', { type: 'button', class: 'link', id: 'new-complaint' }, collapsed ? 'Open another complaint' : 'Open a complaint');
    reveal.addEventListener('click', () => {
      form.hidden = false;
      reveal.hidden = true;
      summary.focus();
    });
    return h('div', { class: 'open-complaint' }, reveal, form);
  };

  draw(initial, staff);
  return root;
}

// Feedback: record an NPS or CSAT answer; the latest answers.
/** @param {import('./types/Card').Card} card @param {any} app @param {Array<import('./types/Answer').Answer>} initial */
export function renderFeedback(card, app, initial) {
  const root = h('section', { class: 'panel feedback', id: 'feedback', 'aria-label': 'Feedback' });
  const kind = h('select', { id: 'feedback-kind', 'data-field': 'feedback_kind', 'aria-label': 'Question' },
    h('option', { value: 'nps', text: 'Recommend us? (0–10)' }),
    h('option', { value: 'csat', text: 'Satisfied? (1–5)' }));
  const score = h('input', { type: 'text', inputmode: 'numeric', id: 'feedback-score', class: 'score', 'data-field': 'score', 'aria-label': 'Score' });
  const comment = h('input', { type: 'text', id: 'feedback-comment', 'data-field': 'feedback_comment', placeholder: 'Their words (optional)', 'aria-label': 'Comment' });
  const said = h('p', { class: 'flash', role: 'status', id: 'feedback-flash' });
  const form = h('form', { class: 'feedback-form', id: 'feedback-form' },
    h('div', { class: 'row' }, kind, score),
    h('div', { class: 'row' }, comment, h('button', { type: 'submit', class: 'primary', id: 'record-feedback' }, 'Record')),
    ['feedback_kind', 'score', 'feedback_comment', 'staff', 'form'].map((f) => h('p', { class: 'field-error', 'data-for': f, role: 'alert' })),
    said);
  const list = h('ul', { class: 'answers', id: 'feedback-answers' });
  /** @param {Array<import('./types/Answer').Answer>} answers */
  const draw = (answers) => fill(list, answers.map((a) => h('li', {},
    h('strong', { text: `${a.score}/${a.kind === 'nps' ? 10 : 5}` }),
    h('span', { class: `answer-label ${a.label.toLowerCase()}`, text: a.label }),
    a.comment ? h('span', { class: 'answer-comment', text: `“${a.comment}”` }) : null,
    h('span', { class: 'hint', text: formatDateTime(a.answered_at) }))));
  const load = async () => {
    try {
      draw(await api.getFeedback(card.id));
    } catch (error) {
      clear(list).append(h('li', {}, errorLine(error)));
    }
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      clearErrors(form);
      const recorded = await api.recordFeedback(card.id, { kind: kind.value, score: score.value, comment: comment.value, staff_id: app.deskStaff() });
      score.value = '';
      comment.value = '';
      said.textContent = recorded.follow_up ? `Saved. A follow-up was added: ${recorded.follow_up}.` : `Saved: ${recorded.answer.label}.`;
      await load();
      cardChanged();
    } catch (error) {
      showError(form, error);
    }
  });
  root.append(h('h2', { text: 'Feedback' }), form, list);
  draw(initial);
  return root;
}
