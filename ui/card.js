// A customer's card: key details first, then contact, people and pets,
// notes and the first-visit answers. Read-only except notes, which the
// desk adds here; everything else goes through the editor.

import * as api from './api.js';
import { h, formatDateTime, formatDate, showError, clearErrors } from './dom.js';
import { renderActivity } from './activity.js';
import { renderMembership } from './membership.js';
import { renderHealth, renderComplaints, renderFeedback } from './health.js';
import { renderOutreach } from './outreach.js';
import { renderPlan } from './plan.js';
import { renderPasses } from './passes.js';
import { renderPets } from './pets.js';

const channelNames = { text: 'Text message', email: 'Email', phone: 'Phone call' };

export const discoveryQuestions = [
  ['what_brought_you', 'What brought you here?'],
  ['success_looks_like', 'What does success look like?'],
  ['must_happen_first', 'What must happen first?'],
  ['who_else_cares', 'Who else cares about this?'],
  ['update_how_often', 'How often should we update you?'],
  ['hear_from_us_how', 'How do you like to hear from us?'],
];

/**
 * The whole card, drawn from one card view (one call: get_card_view).
 * @param {import('./types/CardView').CardView} view
 * @param {any} app
 * @param {string} [flash] what just happened (a check-in)
 */
export function renderCard(view, app, flash = '') {
  const card = view.card;
  const root = h('article', { class: 'card', 'aria-label': card.display_name, dataset: { customerId: card.id } });
  const rerender = (next) => app.showPage('card', renderCard({ ...view, card: next }, app));
  // A sale, a correction or a vaccination answers with the whole card.
  /** @type {(next: import('./types/CardView').CardView, flash?: string) => void} */
  const redraw = (next, said = '') => app.showPage('card', renderCard(next, app, said));
  // An expired vaccination shows on the card's head.
  const expired = view.pets.flatMap((pet) => pet.vaccinations.filter((v) => v.state === 'expired').map((v) => `${v.said} (${pet.name})`));

  const pinned = card.notes.filter((n) => n.pinned);
  const others = card.notes.filter((n) => !n.pinned);

  root.append(
    h('header', { class: 'card-head' },
      h('div', {},
        h('h1', { tabindex: '-1', id: 'card-name', text: card.display_name }),
        h('div', { class: 'chips' },
          card.archived_at ? h('span', { class: 'badge', text: 'archived' }) : null,
          card.tags.map((tag) => h('span', { class: 'chip', text: tag })),
          expired.map((text) => h('span', { class: 'chip alert', text })))),
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'edit-customer', onclick: () => app.editCustomer(card) }, 'Edit'),
        h('button', {
          type: 'button', id: 'archive-customer',
          onclick: async () => rerender(await api.setArchived(card.id, !card.archived_at)),
        }, card.archived_at ? 'Bring back' : 'Archive'),
        exportControl(card),
        deleteControl(card, app))),
  );

  // Two columns on a laptop: what the desk says and does on the left (key
  // details, loyalty, logging, history), who the customer is on the right.
  const main = h('div', { class: 'card-main' });
  const side = h('div', { class: 'card-side' });
  root.append(h('div', { class: 'card-body' }, main, side));

  if (pinned.length) {
    main.append(h('section', { class: 'panel key-details', 'aria-label': 'Key details' },
      h('h2', { text: 'Key details' }),
      h('ul', { class: 'notes' }, pinned.map((note) => noteItem(note, rerender)))));
  }
  main.append(renderActivity(card, app, view.activity, flash), renderOutreach(card, app, view.review, view.referrals),
    renderComplaints(card, app, view.complaints, view.staff));
  side.append(renderHealth(card, view.health));

  side.append(
    h('section', { class: 'panel', 'aria-label': 'Contact' },
      h('h2', { text: 'Contact' }),
      h('dl', { class: 'facts' },
        fact('Phone', card.phone),
        fact('Email', card.email),
        fact('Birthday', card.birthday_label),
        fact('Prefers', channelNames[card.preferred_channel]),
        fact('Best time', card.best_time),
        fact('Heard of us from', card.heard_from),
        fact('Customer since', formatDate(card.created_at)))),
    h('section', { class: 'panel', 'aria-label': 'People and pets' },
      h('h2', { text: 'People and pets' }),
      card.people.length
        ? h('ul', { class: 'people' }, card.people.map((p) => h('li', { class: 'person' },
          h('span', { class: 'person-name', text: p.name }),
          p.kind ? h('span', { class: 'person-kind', text: p.kind }) : null,
          p.details ? h('div', { class: 'person-details', text: p.details }) : null)))
        : h('p', { class: 'hint', text: 'No people or pets yet. Edit the card to add them.' })),
    renderPasses(card, app, view, redraw),
    ...renderPets(app, view, redraw),
    renderMembership(card, app, view.membership),
    renderPlan(card, app, view.plan),
    notesSection(card, others, rerender),
    renderFeedback(card, app, view.feedback));

  const answered = discoveryQuestions.filter(([key]) => card.discovery[key]);
  side.append(h('section', { class: 'panel', 'aria-label': 'First visit' },
    h('h2', { text: 'First visit' }),
    answered.length
      ? h('dl', { class: 'discovery' }, answered.flatMap(([key, question]) => [
        h('dt', { text: question }), h('dd', { text: card.discovery[key] })]))
      : h('p', { class: 'hint', text: 'The first-visit questions are not answered yet.' })));
  return root;
}

function fact(label, value) {
  return [h('dt', { text: label }), h('dd', { class: value ? '' : 'empty', text: value || '—' })];
}

function noteItem(note, rerender) {
  return h('li', { class: note.pinned ? 'note pinned' : 'note', dataset: { id: note.id } },
    h('p', { class: 'note-body', text: note.body }),
    h('div', { class: 'note-meta' },
      h('time', { datetime: note.created_at, text: formatDateTime(note.created_at) }),
      h('button', {
        type: 'button', class: 'link',
        onclick: async () => rerender(await api.setNotePinned(note.id, !note.pinned)),
      }, note.pinned ? 'Unpin' : 'Pin as key detail'),
      h('button', {
        type: 'button', class: 'link danger',
        onclick: async () => rerender(await api.deleteNote(note.id)),
      }, 'Delete')));
}

function notesSection(card, notes, rerender) {
  const body = h('textarea', {
    id: 'note-body', 'data-field': 'note', rows: 3,
    placeholder: 'Something to remember: “Her dog Biscuit had surgery”',
  });
  const pin = h('input', { type: 'checkbox', id: 'note-pinned' });
  const form = h('form', { class: 'note-form', id: 'note-form' },
    h('label', { for: 'note-body', class: 'visually-hidden', text: 'New note' }),
    body,
    h('p', { class: 'field-error', 'data-for': 'note', role: 'alert' }),
    h('div', { class: 'row' },
      h('label', { class: 'check' }, pin, ' Pin as key detail'),
      h('button', { type: 'submit', class: 'primary', id: 'add-note' }, 'Add note ', h('kbd', { text: 'Ctrl Enter' }))));
  const submit = async (event) => {
    event.preventDefault();
    try {
      clearErrors(form);
      const next = await api.addNote(card.id, body.value, pin.checked);
      rerender(next);
    } catch (error) {
      showError(form, error);
    }
  };
  form.addEventListener('submit', submit);
  body.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) submit(event);
  });
  return h('section', { class: 'panel', 'aria-label': 'Notes' },
    h('h2', { text: 'Notes' }),
    form,
    notes.length ? h('ul', { class: 'notes', id: 'notes' }, notes.map((note) => noteItem(note, rerender))) : null);
}

// One customer's complete data as JSON (a privacy request).
function exportControl(card) {
  const button = h('button', { type: 'button', id: 'export-customer', title: 'Everything stored about this customer, as a JSON file' }, 'Export data');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const name = card.display_name.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '') || 'customer';
      const chosen = await api.chooseFile('export_customer', `${name}.json`);
      if (chosen) {
        await api.exportCustomer(card.id, chosen.token);
        button.textContent = 'Exported ✓';
      }
    } catch (error) {
      button.textContent = error.message || 'Export failed';
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

function deleteControl(card, app) {
  const wrap = h('span', { class: 'delete-wrap' });
  const ask = h('button', { type: 'button', class: 'danger', id: 'delete-customer' }, 'Delete…');
  ask.addEventListener('click', () => {
    const confirmButton = h('button', {
      type: 'button', class: 'danger solid', id: 'confirm-delete',
      onclick: async () => {
        confirmButton.disabled = true;
        try {
          // The answer says until when the backups still hold them.
          const erased = await api.deleteCustomer(card.id);
          const done = h('button', { type: 'button', id: 'deleted-ok', onclick: () => app.showSearch() }, 'OK');
          wrap.replaceChildren(h('span', { class: 'confirm-text', id: 'deleted-said', text: erased.said }), done);
          done.focus();
        } catch (error) {
          confirmButton.disabled = false;
          wrap.replaceChildren(h('span', { class: 'confirm-text', text: error.message || 'The delete failed; nothing was changed.' }), confirmButton, cancel);
        }
      },
    }, 'Delete for good');
    const cancel = h('button', { type: 'button', onclick: () => wrap.replaceChildren(ask) }, 'Cancel');
    wrap.replaceChildren(
      h('span', { class: 'confirm-text', text: `Delete ${card.display_name} and everything stored about them (notes, visits, points, plans, printed pages)? This cannot be undone. Backups made before now still hold them until they are replaced; you will see the date.` }),
      confirmButton, cancel);
    cancel.focus();
  });
  wrap.append(ask);
  return wrap;
}
