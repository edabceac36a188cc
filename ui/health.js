// On the card: the customer's health (colour and reasons, worked out in
// Rust), their complaints and their feedback answers, each drawn from the
// card view; a change answers the card view and repaints the card.

import * as api from './api.js';
import { h, formatDateTime, showError, clearErrors, part, panel, inline } from './dom.js';
import { colourLabels } from './types/labels.js';


// The colour and the reasons, on top of the card.
export function renderHealth() {
  const root = h('section', { class: 'panel health', id: 'health', 'aria-label': 'Relationship health' });
  return part(root, (v) => v.health, (v) => {
    const health = v.health;
    root.className = `panel health ${health.colour}`;
    return [
      h('div', { class: 'health-head' },
        h('span', { class: `dot ${health.colour}`, 'aria-hidden': 'true' }),
        h('strong', { id: 'health-colour', text: colourLabels[health.colour] }),
        health.action ? h('span', { class: 'health-action', text: `Next: ${health.action}` }) : null),
      health.reasons.length
        ? h('ul', { class: 'health-reasons', id: 'health-reasons' }, health.reasons.map((r) => h('li', { class: r.colour, text: r.text })))
        : h('p', { class: 'hint', id: 'health-reasons', text: 'No warning signs.' })];
  });
}

/** @param {Array<import('./types/StaffMember').StaffMember>} staff @param {string | null} [chosen] */
function staffOptions(staff, chosen) {
  return [h('option', { value: '', text: 'Choose…' }),
    ...staff.map((m) => h('option', { value: m.id, text: m.name, selected: m.id === chosen }))];
}

/** @param {string} prefix */
function checkpointFields(prefix) {
  const date = h('input', { type: 'date', id: `${prefix}-date`, 'data-field': 'checkpoint_date', 'aria-label': 'Next checkpoint day' });
  const time = h('input', { type: 'time', id: `${prefix}-time`, 'data-field': 'checkpoint_time', value: '10:00', 'aria-label': 'Next checkpoint time' });
  return { date, time };
}

// Open complaints with their updates, an update form and a close form;
// a form to open one (it stays as typed across repaints); the last closed
// ones with their recap.
/** @param {import('./dom.js').CardContext} ctx */
export function renderComplaints(ctx) {
  const app = ctx.app;
  const heading = part(inline(), (v) => v.complaints.filter((c) => !c.closed_at).length, (v) => {
    const open = v.complaints.filter((c) => !c.closed_at).length;
    root.classList.toggle('has-open', open > 0);
    reveal.textContent = open ? 'Open another complaint' : 'Open a complaint';
    return h('h2', { text: open ? `Open complaint${open > 1 ? 's' : ''}` : 'Complaints' });
  });
  const openOnes = part(inline(), (v) => v.complaints.filter((c) => !c.closed_at), (v) => v.complaints.filter((c) => !c.closed_at).map((c) => openComplaint(c)));
  const closedOnes = part(inline(), (v) => v.complaints.filter((c) => c.closed_at), (v) => {
    const closed = v.complaints.filter((c) => c.closed_at);
    return closed.length ? h('details', { class: 'closed-complaints' },
      h('summary', { text: `Closed (${closed.length})` }),
      h('ul', {}, closed.map((c) => h('li', {},
        h('p', { class: 'complaint-summary', text: c.summary }),
        h('p', { class: 'hint', text: `Closed ${formatDateTime(c.closed_at)} by ${c.closed_by}: ` }, h('span', { class: 'recap', text: c.recap })))))) : null;
  });

  /** @param {import('./types/Complaint').Complaint} c */
  const openComplaint = (c) => {
    const body = h('input', { type: 'text', id: `update-body-${c.id}`, class: 'update-body', 'data-field': 'complaint_update', placeholder: 'What happened since', 'aria-label': 'Update' });
    const { date, time } = checkpointFields(`update-${c.id}`);
    date.required = false;
    const updateForm = h('form', { class: 'complaint-update' },
      body,
      h('div', { class: 'row' }, h('span', { class: 'hint', text: 'Move the next checkpoint (optional)' }), date, time,
        h('button', { type: 'submit', class: 'add-update', id: `add-update-${c.id}` }, 'Add update')),
      ['complaint_update', 'checkpoint_date', 'checkpoint_time', 'form'].map((f) => h('p', { class: 'field-error', 'data-for': f, role: 'alert' })));
    updateForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        clearErrors(updateForm);
        ctx.changed(await api.addComplaintUpdate(c.id, { body: body.value, checkpoint_date: date.value, checkpoint_time: date.value ? time.value : '', staff_id: app.deskStaff() }));
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
        ctx.changed(await api.closeComplaint(c.id, recap.value, app.deskStaff()));
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

  const summary = h('textarea', { rows: 2, id: 'complaint-summary', 'data-field': 'complaint_summary', placeholder: 'What happened', 'aria-label': 'What happened' });
  const owner = h('select', { id: 'complaint-owner', 'data-field': 'complaint_owner', 'aria-label': 'Owner' });
  // The staff come with the card view; the choice made stays.
  const owners = part(owner, (v) => v.staff, (v) => staffOptions(v.staff, owner.value || app.deskStaff()));
  const { date, time } = checkpointFields('complaint-checkpoint');
  const form = h('form', { class: 'complaint-open', id: 'complaint-form' },
    summary,
    h('p', { class: 'field-error', 'data-for': 'complaint_summary', role: 'alert' }),
    h('div', { class: 'row' },
      h('label', { for: 'complaint-owner', text: 'Owner' }), owner,
      h('label', { for: 'complaint-checkpoint-date', text: 'Next checkpoint' }), date, time,
      h('button', { type: 'submit', class: 'primary', id: 'open-complaint' }, 'Open complaint')),
    ['complaint_owner', 'checkpoint_date', 'checkpoint_time', 'staff', 'form'].map((f) => h('p', { class: 'field-error', 'data-for': f, role: 'alert' })));
  const reveal = h('button', { type: 'button', class: 'link', id: 'new-complaint' }, 'Open a complaint');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      clearErrors(form);
      const next = await api.openComplaint(ctx.customerId, {
        summary: summary.value, owner_id: owner.value, checkpoint_date: date.value, checkpoint_time: time.value, staff_id: app.deskStaff(),
      });
      summary.value = '';
      date.value = '';
      ctx.changed(next);
      // Folded away again, as before it was opened; its button keeps the focus.
      form.hidden = true;
      reveal.hidden = false;
      reveal.focus();
    } catch (error) {
      showError(form, error);
    }
  });
  form.hidden = true;
  reveal.addEventListener('click', () => {
    form.hidden = false;
    reveal.hidden = true;
    summary.focus();
  });
  const root = h('section', { class: 'panel complaints', id: 'complaints', 'aria-label': 'Complaints' },
    heading.node, openOnes.node, h('div', { class: 'open-complaint' }, reveal, form), closedOnes.node);
  return panel(root, heading, openOnes, owners, closedOnes);
}

// Feedback: record an NPS or CSAT answer (the form stays as it is across
// repaints); the latest answers.
/** @param {import('./dom.js').CardContext} ctx */
export function renderFeedback(ctx) {
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
  const list = part(h('ul', { class: 'answers', id: 'feedback-answers' }), (v) => v.feedback, (v) => v.feedback.map((a) => h('li', {},
    h('strong', { text: `${a.score}/${a.kind === 'nps' ? 10 : 5}` }),
    h('span', { class: `answer-label ${a.label.toLowerCase()}`, text: a.label }),
    a.comment ? h('span', { class: 'answer-comment', text: `“${a.comment}”` }) : null,
    h('span', { class: 'hint', text: formatDateTime(a.answered_at) }))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      clearErrors(form);
      const answer = await api.recordFeedback(ctx.customerId, { kind: kind.value, score: score.value, comment: comment.value, staff_id: ctx.app.deskStaff() });
      score.value = '';
      comment.value = '';
      ctx.changed(answer.view, answer.said, 'feedback-flash');
    } catch (error) {
      showError(form, error);
    }
  });
  return panel(h('section', { class: 'panel feedback', id: 'feedback', 'aria-label': 'Feedback' }, h('h2', { text: 'Feedback' }), form, list.node), list);
}
