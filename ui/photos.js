// Photos of customers, people and pets. The pictures come from the app's
// own scheme (regulars-photo://, allowed by name in the CSP: no data: or
// blob: images) by the photo's id and a size; Rust answers 404 for
// anything else (app/photos.rs). Nothing is cached on disk, so the pictures
// already shown this session are kept here, in memory: the search list is
// redrawn on every keystroke and must not reload them each time.

import * as api from './api.js';
import { h, described } from './dom.js';

/** @type {Map<string, HTMLImageElement>} loaded pictures, oldest first */
const kept = new Map();
const KEEP = 300;

/**
 * The picture of photo `id` at `size` (64 or 256 px) as an <img>, loaded
 * lazily; one already shown (and not on screen now) is reused as it is.
 * @param {string} id
 * @param {64 | 256} size
 * @param {string} alt
 * @param {string} className
 */
export function photoImage(id, size, alt, className) {
  const key = `${id}/${size}`;
  const old = kept.get(key);
  if (old && !old.isConnected) {
    old.alt = alt;
    old.className = className;
    return old;
  }
  const img = h('img', { src: api.photoUrl(id, size), alt, class: className, loading: 'lazy', decoding: 'async', draggable: 'false' });
  if (!old) {
    kept.set(key, img);
    const oldest = kept.keys().next();
    if (kept.size > KEEP && !oldest.done) kept.delete(oldest.value);
  }
  return img;
}

/**
 * The photo of a name, or its initials in a circle when there is none.
 * @param {string | null | undefined} id
 * @param {string} name
 * @param {64 | 256} size
 * @param {string} className
 */
export function face(id, name, size, className) {
  if (id) return photoImage(id, size, `Photo of ${name}`, `${className} photo`);
  return h('span', { class: `${className} initials`, 'aria-hidden': 'true', text: initials(name) });
}

/** @param {string} name */
export function initials(name) {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((word) => Array.from(word)[0] || '').join('').toUpperCase() || '?';
}

// A picture pasted on a card (Ctrl+V anywhere on it outside a text field)
// becomes the photo of the slot that has the focus (a person's or pet's),
// else the customer's. The card that is on screen says what to do with it.
/** @type {null | ((file: Blob, personId: string | null) => void)} */
let onPaste = null;

// The biggest picture Rust takes (kernel::picture::MAX_BYTES): a bigger one
// is refused here, before its bytes are read into memory and sent.
const MAX_PHOTO_BYTES = 30 * 1024 * 1024;
// One pasted picture is sent at a time; Rust makes one photo at a time too.
let pasting = false;

/** @param {null | ((file: Blob, personId: string | null) => void)} handler */
export function handlePastes(handler) {
  onPaste = handler;
}

document.addEventListener('paste', async (event) => {
  if (!onPaste) return;
  const target = event.target instanceof Element ? event.target : null;
  if (target && target.closest('input, textarea, select, [contenteditable]')) return;
  const items = Array.from(event.clipboardData ? event.clipboardData.items : []);
  const item = items.find((one) => one.kind === 'file' && one.type.startsWith('image/')) || items.find((one) => one.kind === 'file');
  const file = item && item.getAsFile();
  if (!file) return;
  event.preventDefault();
  const slot = target && target.closest('[data-photo-slot]');
  const handler = onPaste;
  handler(file, slot instanceof HTMLElement ? slot.dataset.personId || null : null);
});

/**
 * The buttons that add, change or remove one photo (the customer's when
 * `personId` is null), and the line where its problems are said.
 * @param {string} customerId
 * @param {string | null} personId
 * @param {string | null} photoId the current photo, if any
 * @param {(view: import('./types/CardView').CardView) => void} onPhotos the card as it is after a change
 */
export function photoControls(customerId, personId, photoId, onPhotos) {
  const subject = personId || 'customer';
  const said = h('span', { class: 'field-error photo-error', role: 'alert', dataset: { photoError: subject } });
  /**
   * @param {HTMLButtonElement} button
   * @param {() => Promise<import('./types/CardView').CardView | null>} change null: nothing changed (the dialog was cancelled)
   */
  const run = async (button, change) => {
    said.textContent = '';
    button.disabled = true;
    try {
      const view = await change();
      if (view) onPhotos(view);
    } catch (error) {
      said.textContent = described(error).message;
    } finally {
      button.disabled = false;
    }
  };
  const choose = h('button', { type: 'button', class: 'link photo-choose', dataset: { subject } }, photoId ? 'Change photo…' : 'Add photo…');
  choose.addEventListener('click', () => run(choose, () => api.choosePhoto(customerId, personId)));
  const remove = photoId
    ? h('button', { type: 'button', class: 'link danger photo-remove', dataset: { subject } }, 'Remove photo')
    : null;
  if (remove) remove.addEventListener('click', () => run(remove, () => api.removePhoto(customerId, personId)));
  return h('span', { class: 'photo-controls' }, choose, remove, said);
}

/**
 * Sends a pasted picture for the card on screen and says a problem next
 * to that photo's buttons.
 * @param {HTMLElement} root the card
 * @param {string} customerId
 * @param {(view: import('./types/CardView').CardView) => void} onPhotos the card as it is after the change
 */
export function pasteInto(root, customerId, onPhotos) {
  handlePastes(async (file, personId) => {
    if (!root.isConnected) return;
    const said = root.querySelector(`[data-photo-error="${personId || 'customer'}"]`);
    /** @param {string} text */
    const say = (text) => { if (said) said.textContent = text; };
    say('');
    if (pasting) return say('A photo is being saved; try again in a moment.');
    if (file.size > MAX_PHOTO_BYTES) {
      return say(`That picture is ${Math.ceil(file.size / (1024 * 1024))} MB; a photo of up to ${MAX_PHOTO_BYTES / (1024 * 1024)} MB can be used.`);
    }
    pasting = true;
    try {
      onPhotos(await api.pastePhoto(customerId, personId, new Uint8Array(await file.arrayBuffer())));
    } catch (error) {
      say(described(error).message);
    } finally {
      pasting = false;
    }
  });
}
