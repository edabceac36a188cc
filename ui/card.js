// A customer's card: at a glance first (people and pets, key details,
// health, the next reward, what is next, check in), then everything else.
// Read-only except notes, which the desk adds here, and the panels' own
// actions; the card's fields go through the editor.

import * as api from './api.js';
import { h, formatDateTime, formatDate, showError, clearErrors, reloadOnCardChange } from './dom.js';
import { renderActivity } from './activity.js';
import { renderMembership } from './membership.js';
import { renderHealth, renderComplaints, renderFeedback } from './health.js';
import { renderOutreach } from './outreach.js';
import { renderPlan } from './plan.js';
import { face, photoControls, pasteInto } from './photos.js';
import { renderPasses } from './passes.js';
import { renderPets } from './pets.js';
import { channelLabels, colourLabels } from './types/labels.js';


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
 * The top of it is what the desk needs at a glance, within the first screen
 * of a laptop: who they are with their people and pets, the key details,
 * health, the next reward, what is next, and the check-in. The rest
 * (loyalty in full, logging, history, contact, plans, outreach) follows.
 * @param {import('./types/CardView').CardView} view
 * @param {any} app
 * @param {string} [said] what just happened (a check-in)
 */
export function renderCard(view, app, said = '') {
  const card = view.card;
  const root = h('article', { class: 'card', 'aria-labelledby': 'card-name', dataset: { customerId: card.id } });
  const rerender = (next) => app.showPage('card', renderCard({ ...view, card: next }, app));
  // A photo added, pasted or removed: the same card with its new photos.
  const onPhotos = (photos) => app.showPage('card', renderCard({ ...view, photos }, app));
  const photoOf = (personId) => (view.photos.find((p) => p.person_id === personId) || { id: null }).id;
  pasteInto(root, card.id, onPhotos);
  // A sale, a correction or a vaccination answers with the whole card.
  /** @type {(next: import('./types/CardView').CardView, flash?: string) => void} */
  const redraw = (next, said = '') => app.showPage('card', renderCard(next, app, said));
  // An expired vaccination shows on the card's head.
  const expired = view.pets.flatMap((pet) => pet.vaccinations.filter((v) => v.state === 'expired').map((v) => `${v.said} (${pet.name})`));

  const others = card.notes.filter((n) => !n.pinned);
  const checkIn = h('button', { type: 'button', class: 'primary check-in', id: 'check-in', title: 'Check in (Ctrl+Enter)', 'aria-keyshortcuts': 'Control+Enter' },
    'Check in ', h('kbd', { text: 'Ctrl Enter' }));
  checkIn.addEventListener('click', () => app.checkInOnCard(card.id).catch((error) => {
    const line = document.getElementById('checkin-said');
    if (line) line.textContent = error.message || String(error);
  }));

  root.append(
    h('header', { class: 'card-head' },
      // The photo, initials until there is one. Click it and paste, or paste
      // anywhere on the card outside a text field; out of the Tab order, so
      // Check in is the card's first stop (the photo's buttons follow it).
      h('div', { class: 'head-photo', 'data-photo-slot': '', tabindex: '-1', title: 'Paste a picture here (Ctrl+V)' },
        face(photoOf(null), card.display_name, 256, 'head-face')),
      h('div', { class: 'card-title' },
        h('h1', { tabindex: '-1', id: 'card-name', text: card.display_name }),
        h('div', { class: 'chips' },
          card.archived_at ? h('span', { class: 'badge', text: 'archived' }) : null,
          card.tags.map((tag) => h('span', { class: 'chip', text: tag })),
          expired.map((text) => h('span', { class: 'chip alert', text })))),
      h('div', { class: 'actions' },
        checkIn,
        h('button', { type: 'button', id: 'edit-customer', onclick: () => app.editCustomer(card) }, 'Edit')),
      // A line of its own under the head, after Check in and Edit in the Tab order.
      h('div', { class: 'head-photo-controls' }, photoControls(card.id, null, photoOf(null), onPhotos))),
    h('p', { class: 'flash checkin-said', id: 'checkin-said', role: 'status', text: said }),
    liveGlance(view, app, rerender),
  );

  // Below the glance, two columns on a laptop: what the desk does (loyalty,
  // logging, history, outreach, complaints) on the left, who the customer is
  // on the right.
  const main = h('div', { class: 'card-main' });
  const side = h('div', { class: 'card-side' });
  root.append(h('div', { class: 'card-body' }, main, side));

  main.append(renderActivity(card, app, view.activity), renderOutreach(card, app, view.review, view.referrals),
    renderComplaints(card, app, view.complaints, view.staff));
  side.append(
    renderHealth(card, view.health),
    h('section', { class: 'panel', 'aria-label': 'Contact' },
      h('h2', { text: 'Contact' }),
      h('dl', { class: 'facts' },
        fact('Phone', card.phone),
        fact('Email', card.email),
        fact('Birthday', card.birthday_label),
        fact('Prefers', card.preferred_channel && channelLabels[card.preferred_channel]),
        fact('Best time', card.best_time),
        fact('Heard of us from', card.heard_from),
        fact('Customer since', formatDate(card.created_at)))),
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
      : h('p', { class: 'hint', text: 'The first-visit questions are not answered yet.' })),
    h('section', { class: 'panel card-admin', 'aria-label': 'This card' },
      h('h2', { text: 'This card' }),
      h('div', { class: 'row' },
        h('button', {
          type: 'button', id: 'archive-customer',
          onclick: async () => rerender(await api.setArchived(card.id, !card.archived_at)),
        }, card.archived_at ? 'Bring back' : 'Archive'),
        exportControl(card),
        deleteControl(card, app))));
  return root;
}


// The glance, drawn again from a fresh card view when a panel below changes
// something it shows (a logged visit moves the points, a complaint the health).
function liveGlance(view, app, rerender) {
  const wrap = h('div', { class: 'glance-wrap' }, glance(view, app, rerender));
  reloadOnCardChange(wrap, async () => {
    try {
      const fresh = await api.getCardView(view.card.id);
      wrap.replaceChildren(glance(fresh, app, rerender));
    } catch {
      // The panel that made the change shows its own error; the glance keeps its last answer.
    }
  });
  return wrap;
}

// The first screen of the card: people and pets and the key details on the
// left; health, the next reward and what is next on the right.
/** @param {import('./types/CardView').CardView} view */
function glance(view, app, rerender) {
  const card = view.card;
  const loyalty = view.activity.loyalty;
  const health = view.health;
  const pinned = card.notes.filter((n) => n.pinned);

  // A photo added, pasted or removed: the same card with its new photos.
  const onPhotos = (/** @type {any} */ photos) => app.showPage('card', renderCard({ ...view, photos }, app));
  const photoOf = (/** @type {string} */ personId) => (view.photos.find((p) => p.person_id === personId) || { id: null }).id;
  const people = card.people.length
    ? h('ul', { class: 'people', id: 'glance-people' }, card.people.map((p) => h('li', { class: 'person', dataset: { personId: p.id } },
      // Focus it (click) and paste a picture of this person or pet.
      h('span', { class: 'person-photo', 'data-photo-slot': '', 'data-person-id': p.id, tabindex: '0', title: `Paste a picture of ${p.name} here (Ctrl+V)` },
        face(photoOf(p.id), p.name, 256, 'person-face')),
      h('div', { class: 'person-text' },
        h('span', { class: 'person-name', text: p.name }),
        p.kind ? h('span', { class: 'person-kind', text: p.kind }) : null,
        p.details ? h('div', { class: 'person-details', text: p.details }) : null,
        photoControls(card.id, p.id, photoOf(p.id), onPhotos)))))
    : h('p', { class: 'hint', id: 'glance-people', text: 'No people or pets yet. Edit the card to add them.' });

  const reason = health.reasons[0];
  const rewardLine = loyalty.ready.length ? `Ready: ${loyalty.ready.join(' · ')}` : (loyalty.progress[0] || loyalty.next_tier || '');
  const next = nextUp(view);

  return h('section', { class: 'panel glance', id: 'glance', 'aria-label': 'At a glance' },
    h('div', { class: 'glance-who' },
      h('h2', { class: 'glance-label', text: 'People and pets' }),
      people,
      pinned.length
        ? h('section', { class: 'key-details', 'aria-label': 'Key details' },
          h('h2', { class: 'glance-label', text: 'Key details' }),
          h('ul', { class: 'notes' }, pinned.map((note) => noteItem(note, rerender))))
        : null),
    h('dl', { class: 'glance-facts' },
      h('dt', { text: 'Health' }),
      h('dd', { id: 'glance-health', class: `health-line ${health.colour}` },
        h('span', { class: `dot ${health.colour}`, 'aria-hidden': 'true' }),
        h('strong', { text: colourLabels[health.colour] }),
        h('span', { class: 'glance-reason', text: reason ? reason.text : 'No warning signs.' })),
      h('dt', { text: 'Loyalty' }),
      h('dd', { id: 'glance-reward' },
        h('strong', { text: `${loyalty.balance} ${loyalty.balance === 1 ? 'point' : 'points'}` }),
        rewardLine ? h('span', { class: loyalty.ready.length ? 'glance-ready' : 'glance-progress', text: rewardLine }) : null),
      h('dt', { text: 'Next' }),
      h('dd', { id: 'glance-next', class: next && next.overdue ? 'overdue' : '' },
        next ? [h('span', { text: next.what }), h('span', { class: 'glance-when', text: next.when })] : h('span', { class: 'hint', text: 'Nothing planned.' }))));
}

// The open next step or reminder that falls due first.
/** @param {import('./types/CardView').CardView} view */
function nextUp(view) {
  /** @type {Array<{ key: string, what: string, when: string, overdue: boolean }>} */
  const candidates = [];
  const task = view.activity.open_tasks[0];
  if (task) candidates.push({ key: task.due_on, what: task.title, when: `${task.overdue ? 'overdue since' : 'due'} ${task.due_on}`, overdue: task.overdue });
  const reminder = view.next_reminder;
  if (reminder) {
    const overdue = new Date(reminder.due_at).getTime() < Date.now();
    candidates.push({
      key: reminder.due_at, what: reminder.title, // "Next step: …", "Birthday …": it says its kind
      when: `${overdue ? 'overdue since' : 'due'} ${formatDateTime(reminder.due_at)}`, overdue,
    });
  }
  candidates.sort((a, b) => a.key.slice(0, 10).localeCompare(b.key.slice(0, 10)));
  return candidates[0] || null;
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
  const name = card.display_name.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '') || 'customer';
  const control = (id, title, text, done, purpose, extension, run) => {
    // Exports are the owner's: hidden in desk mode (and refused by Rust there).
    const button = h('button', { type: 'button', id, title, class: 'owner-only' }, text);
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const chosen = await api.chooseFile(purpose, `${name}.${extension}`);
        if (chosen) {
          await run(card.id, chosen.token);
          button.textContent = `${done} ✓`;
        }
      } catch (error) {
        button.textContent = error.message || 'Export failed';
      } finally {
        button.disabled = false;
      }
    });
    return button;
  };
  return [
    control('export-customer', 'Everything stored about this customer, as a JSON file', 'Export data', 'Exported', 'export_customer', 'json', api.exportCustomer),
    control('export-contact', 'This customer as a contact (vCard) for the shop’s phone', 'Save as contact', 'Saved', 'export_contact', 'vcf', api.exportContact),
  ];
}

function deleteControl(card, app) {
  const wrap = h('span', { class: 'delete-wrap owner-only' });
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
