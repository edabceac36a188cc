// A customer's card: at a glance first (people and pets, key details,
// health, the next reward, what is next, check in), then everything else.
// Read-only except notes, which the desk adds here, and the panels' own
// actions; the card's fields go through the editor. Every change answers
// the card view, and `showCard` repaints the card from it.

import * as api from './api.js';
import { h, formatDateTime, formatDate, showError, clearErrors, part, panel, inline, described } from './dom.js';
import { renderActivity } from './activity.js';
import { renderMembership } from './membership.js';
import { renderHealth, renderComplaints, renderFeedback } from './health.js';
import { renderOutreach } from './outreach.js';
import { renderPlan } from './plan.js';
import { face, photoControls, pasteInto } from './photos.js';
import { renderPasses } from './passes.js';
import { renderPets } from './pets.js';
import { renderNewsConsent } from './news.js';
import { channelLabels, colourLabels } from './types/labels.js';


/** @type {Array<[keyof import('./types/Discovery').Discovery, string]>} */
export const discoveryQuestions = [
  ['what_brought_you', 'What brought you here?'],
  ['success_looks_like', 'What does success look like?'],
  ['must_happen_first', 'What must happen first?'],
  ['who_else_cares', 'Who else cares about this?'],
  ['update_how_often', 'How often should we update you?'],
  ['hear_from_us_how', 'How do you like to hear from us?'],
];

/** @type {null | { customerId: string, root: HTMLElement, update: (view: import('./types/CardView').CardView) => void }} */
let onScreen = null;

/**
 * The one way the card is painted from a card view: opening it, a check-in
 * and every change made on it (each command answers the card as it is
 * now). The card already on screen for this customer is updated in place,
 * each panel drawing again only what changed, so the focus and anything
 * typed elsewhere stay; another card is drawn whole.
 * @param {import('./types/CardView').CardView} view
 * @param {import('./main.js').App} app
 * @param {string} [said] what just happened
 * @param {string} [at] the id of the status line that says it
 */
export function showCard(view, app, said = '', at = 'checkin-said') {
  if (!onScreen || onScreen.customerId !== view.card.id || !onScreen.root.isConnected) {
    const root = renderCard(view, app);
    say(root, said, at);
    app.showPage('card', root);
    return;
  }
  const focused = document.activeElement;
  const focusedId = focused && focused.id;
  onScreen.update(view);
  say(onScreen.root, said, at);
  // A control drawn again in a part that changed is a new element: its
  // namesake takes the focus (a ticked task, an update to a complaint).
  if (focused && !focused.isConnected && focusedId) {
    const again = document.getElementById(focusedId);
    if (again) again.focus();
  }
}

// A change says what it did in its own status line; the others are cleared.
/** @param {HTMLElement} root @param {string} said @param {string} at */
function say(root, said, at) {
  for (const line of root.querySelectorAll('.flash')) {
    const text = line.id === at ? said : '';
    if (line.textContent !== text) line.textContent = text;
  }
}

/**
 * The whole card, drawn from one card view (one call: get_card_view).
 * The top of it is what the desk needs at a glance, within the first screen
 * of a laptop: who they are with their people and pets, the key details,
 * health, the next reward, what is next, and the check-in. The rest
 * (loyalty in full, logging, history, contact, plans, outreach) follows.
 * Every panel is a node with `update(view)`; `showCard` calls them all.
 * @param {import('./types/CardView').CardView} view
 * @param {import('./main.js').App} app
 */
function renderCard(view, app) {
  const card = view.card;
  const root = h('article', { class: 'card', 'aria-labelledby': 'card-name', dataset: { customerId: card.id } });
  /** @type {import('./dom.js').CardContext} */
  const ctx = { app, customerId: card.id, changed: (next, said, at) => showCard(next, app, said, at) };
  pasteInto(root, card.id, (next) => ctx.changed(next));

  const checkIn = h('button', { type: 'button', class: 'primary check-in', id: 'check-in', title: 'Check in (Ctrl+Enter)', 'aria-keyshortcuts': 'Control+Enter' },
    'Check in ', h('kbd', { text: 'Ctrl Enter' }));
  checkIn.addEventListener('click', () => app.checkInOnCard(card.id).catch((/** @type {unknown} */ error) => {
    const line = document.getElementById('checkin-said');
    if (line) line.textContent = described(error).message;
  }));

  // An expired vaccination shows on the card's head.
  /** @param {import('./types/CardView').CardView} v */
  const expired = (v) => v.pets.flatMap((pet) => pet.vaccinations.filter((x) => x.state === 'expired').map((x) => `${x.said} (${pet.name})`));
  /** @param {import('./types/CardView').CardView} v */
  const ownPhoto = (v) => photoOf(v, null);
  // The photo, initials until there is one. Click it and paste, or paste
  // anywhere on the card outside a text field; out of the Tab order, so
  // Check in is the card's first stop (the photo's buttons follow it).
  const headPhoto = part(h('div', { class: 'head-photo', 'data-photo-slot': '', tabindex: '-1', title: 'Paste a picture here (Ctrl+V)' }),
    (v) => [ownPhoto(v), v.card.display_name],
    (v) => face(ownPhoto(v), v.card.display_name, 256, 'head-face'));
  const title = part(h('div', { class: 'card-title' }),
    (v) => [v.card.display_name, v.card.preferred_name, v.card.archived_at, v.card.tags, expired(v)],
    (v) => [
      h('h1', { tabindex: '-1', id: 'card-name', text: calledName(v.card) }),
      h('div', { class: 'chips' },
        v.card.archived_at ? h('span', { class: 'badge', text: 'archived' }) : null,
        v.card.tags.map((tag) => h('span', { class: 'chip', text: tag })),
        expired(v).map((text) => h('span', { class: 'chip alert', text })))]);
  const edit = h('button', { type: 'button', id: 'edit-customer' }, 'Edit');
  let current = view;
  // Who referred them comes with the card view, for the editor's picker.
  edit.addEventListener('click', () => app.editCustomer(current.card, current.referrals.referred_by));
  // A line of its own under the head, after Check in and Edit in the Tab order.
  const headControls = part(h('div', { class: 'head-photo-controls' }), ownPhoto, (v) => photoControls(card.id, null, ownPhoto(v), ctx.changed));
  const atAGlance = glance(ctx);
  const main = [renderActivity(ctx), renderOutreach(ctx), renderComplaints(ctx)];
  const side = [
    renderHealth(),
    contactPanel(),
    renderNewsConsent(ctx),
    renderPasses(ctx),
    renderPets(ctx),
    renderMembership(ctx),
    renderPlan(ctx),
    notesSection(ctx),
    renderFeedback(ctx),
    firstVisitPanel(),
  ];
  const archive = part(inline(), (v) => v.card.archived_at, (v) => h('button', {
    type: 'button', id: 'archive-customer',
    onclick: async () => ctx.changed(await api.setArchived(card.id, !v.card.archived_at)),
  }, v.card.archived_at ? 'Bring back' : 'Archive'));
  const panels = [headPhoto, title, headControls, atAGlance, ...main, ...side, archive];

  root.append(
    h('header', { class: 'card-head' },
      headPhoto.node,
      title.node,
      h('div', { class: 'actions' }, checkIn, edit),
      headControls.node),
    h('p', { class: 'flash checkin-said', id: 'checkin-said', role: 'status' }),
    atAGlance.node);

  // Below the glance, two columns on a laptop: what the desk does (loyalty,
  // logging, history, outreach, complaints) on the left, who the customer is
  // on the right.
  root.append(h('div', { class: 'card-body' },
    h('div', { class: 'card-main' }, main.map((piece) => piece.node)),
    h('div', { class: 'card-side' },
      side.map((piece) => piece.node),
      h('section', { class: 'panel card-admin', 'aria-label': 'This card' },
        h('h2', { text: 'This card' }),
        h('div', { class: 'row' }, archive.node, exportControl(card), deleteControl(card, app))))));

  /** @param {import('./types/CardView').CardView} next */
  const update = (next) => {
    current = next;
    for (const piece of panels) piece.update(next);
  };
  update(view);
  onScreen = { customerId: card.id, root, update };
  return root;
}

function contactPanel() {
  return part(h('section', { class: 'panel', 'aria-label': 'Contact' }),
    (v) => [v.card.phone, v.card.email, v.card.birthday_label, v.card.preferred_channel, v.card.best_time, v.card.heard_from, v.card.created_at],
    (v) => [h('h2', { text: 'Contact' }),
      h('dl', { class: 'facts' },
        fact('Phone', v.card.phone),
        fact('Email', v.card.email),
        fact('Birthday', v.card.birthday_label),
        fact('Prefers', v.card.preferred_channel && channelLabels[v.card.preferred_channel]),
        fact('Best time', v.card.best_time),
        fact('Heard of us from', v.card.heard_from),
        fact('Customer since', formatDate(v.card.created_at)))]);
}

function firstVisitPanel() {
  return part(h('section', { class: 'panel', 'aria-label': 'First visit' }), (v) => v.card.discovery, (v) => {
    const answered = discoveryQuestions.filter(([key]) => v.card.discovery[key]);
    return [h('h2', { text: 'First visit' }),
      answered.length
        ? h('dl', { class: 'discovery' }, answered.flatMap(([key, question]) => [
          h('dt', { text: question }), h('dd', { text: v.card.discovery[key] })]))
        : h('p', { class: 'hint', text: 'The first-visit questions are not answered yet.' })];
  });
}

// The name in the card's head, with what the desk calls them between the
// first and last names: Elizabeth “Liz” Taylor.
/** @param {import('./types/Card').Card} card */
function calledName(card) {
  const called = card.preferred_name;
  if (!called || called === card.first_name) return card.display_name;
  return [card.first_name, `“${called}”`, card.last_name].filter(Boolean).join(' ');
}

/** @param {import('./types/CardView').CardView} view @param {string | null} personId */
function photoOf(view, personId) {
  return (view.photos.find((p) => p.person_id === personId) || { id: null }).id;
}


// The first screen of the card: people and pets and the key details on the
// left; health, the next reward and what is next on the right.
/** @param {import('./dom.js').CardContext} ctx */
function glance(ctx) {
  const node = h('section', { class: 'panel glance', id: 'glance', 'aria-label': 'At a glance' });
  /** @param {import('./types/CardView').CardView} v */
  const slice = (v) => [v.card.people, v.photos, v.card.notes.filter((n) => n.pinned), v.health.colour, v.health.reasons[0],
    v.activity.loyalty.balance, v.activity.loyalty.ready, v.activity.loyalty.progress[0], v.activity.loyalty.next_tier, nextUp(v)];
  return part(node, slice, (view) => {
    const card = view.card;
    const loyalty = view.activity.loyalty;
    const health = view.health;
    const pinned = card.notes.filter((n) => n.pinned);
    const people = card.people.length
      ? h('ul', { class: 'people', id: 'glance-people' }, card.people.map((p) => h('li', { class: 'person', dataset: { personId: p.id } },
        // Focus it (click) and paste a picture of this person or pet.
        h('span', { class: 'person-photo', 'data-photo-slot': '', 'data-person-id': p.id, tabindex: '0', title: `Paste a picture of ${p.name} here (Ctrl+V)` },
          face(photoOf(view, p.id), p.name, 256, 'person-face')),
        h('div', { class: 'person-text' },
          h('span', { class: 'person-name', text: p.name }),
          p.kind ? h('span', { class: 'person-kind', text: p.kind }) : null,
          p.details ? h('div', { class: 'person-details', text: p.details }) : null,
          photoControls(card.id, p.id, photoOf(view, p.id), ctx.changed)))))
      : h('p', { class: 'hint', id: 'glance-people', text: 'No people or pets yet. Edit the card to add them.' });

    const reason = health.reasons[0];
    const rewardLine = loyalty.ready.length ? `Ready: ${loyalty.ready.join(' · ')}` : (loyalty.progress[0] || loyalty.next_tier || '');
    const next = nextUp(view);
    return [
      h('div', { class: 'glance-who' },
        h('h2', { class: 'glance-label', text: 'People and pets' }),
        people,
        pinned.length
          ? h('section', { class: 'key-details', 'aria-label': 'Key details' },
            h('h2', { class: 'glance-label', text: 'Key details' }),
            h('ul', { class: 'notes' }, pinned.map((note) => noteItem(note, ctx))))
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
          next ? [h('span', { text: next.what }), h('span', { class: 'glance-when', text: next.when })] : h('span', { class: 'hint', text: 'Nothing planned.' })))];
  });
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

/** @param {string} label @param {string | null | undefined} value */
function fact(label, value) {
  return [h('dt', { text: label }), h('dd', { class: value ? '' : 'empty', text: value || '—' })];
}

/** @param {import('./types/Note').Note} note @param {import('./dom.js').CardContext} ctx */
function noteItem(note, ctx) {
  return h('li', { class: note.pinned ? 'note pinned' : 'note', dataset: { id: note.id } },
    h('p', { class: 'note-body', text: note.body }),
    h('div', { class: 'note-meta' },
      h('time', { datetime: note.created_at, text: formatDateTime(note.created_at) }),
      h('button', {
        type: 'button', class: 'link',
        onclick: async () => ctx.changed(await api.setNotePinned(note.id, !note.pinned)),
      }, note.pinned ? 'Unpin' : 'Pin as key detail'),
      h('button', {
        type: 'button', class: 'link danger',
        onclick: async () => ctx.changed(await api.deleteNote(note.id)),
      }, 'Delete')));
}

// The form stays as it is across repaints (what is typed, the focus); the
// list below it is drawn again when the notes change.
/** @param {import('./dom.js').CardContext} ctx */
function notesSection(ctx) {
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
  /** @param {Event} event */
  const submit = async (event) => {
    event.preventDefault();
    try {
      clearErrors(form);
      const next = await api.addNote(ctx.customerId, body.value, pin.checked);
      form.reset();
      ctx.changed(next);
    } catch (error) {
      showError(form, error);
    }
  };
  form.addEventListener('submit', submit);
  body.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) submit(event);
  });
  const list = part(inline(), (v) => v.card.notes.filter((n) => !n.pinned), (v) => {
    const notes = v.card.notes.filter((n) => !n.pinned);
    return notes.length ? h('ul', { class: 'notes', id: 'notes' }, notes.map((note) => noteItem(note, ctx))) : null;
  });
  return panel(h('section', { class: 'panel', 'aria-label': 'Notes' }, h('h2', { text: 'Notes' }), form, list.node), list);
}

// One customer's complete data as JSON (a privacy request).
/** @param {import('./types/Card').Card} card */
function exportControl(card) {
  const name = card.display_name.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '') || 'customer';
  /**
   * @param {string} id @param {string} title @param {string} text @param {string} done
   * @param {import('./types/FilePurpose').FilePurpose} purpose @param {string} extension
   * @param {(id: string, file: string) => Promise<unknown>} run
   */
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
        button.textContent = described(error).message || 'Export failed';
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

/**
 * @param {import('./types/Card').Card} card
 * @param {import('./main.js').App} app
 * @returns {HTMLElement}
 */
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
          wrap.replaceChildren(h('span', { class: 'confirm-text', text: described(error).message || 'The delete failed; nothing was changed.' }), confirmButton, cancel);
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

/** The id of the card on screen, if one is. @returns {string | null} */
export function cardOnScreen() {
  return onScreen && onScreen.root.isConnected ? onScreen.customerId : null;
}
