// Builds DOM nodes. Strings always become text nodes, never HTML, so user
// text (names, notes) is shown exactly as typed.

/**
 * An element with `props` (text and attributes become text, never HTML).
 * Typed loosely: the checks that matter are on the data from Rust.
 * @param {string} tag
 * @param {Record<string, any>} [props]
 * @param {...any} children
 * @returns {any}
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked' || key === 'selected') node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// The same for inline SVG (charts): attributes set as given, strings as text.
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = value;
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

/**
 * @typedef {import('./types/CardView').CardView} CardView
 * @typedef {{ node: any, update: (view: CardView) => void }} Part
 * What each panel of the card is given: the app, the customer's id, and
 * `changed(view, said, at)`, the one repaint of the card from the answer of
 * the command that changed it (`said` shown in the status line `at`).
 * @typedef {{ app: any, customerId: string, changed: (view: CardView, said?: string, at?: string) => void }} CardContext
 */

/**
 * A piece of the card drawn from its slice of the card view. `update(view)`
 * draws it again only when that slice changed, so a change elsewhere on the
 * card leaves it alone: the focus, an open <details> and anything typed in
 * it stay as they are. `node` keeps its place; only its children change.
 * @param {any} node
 * @param {(view: CardView) => any} slice what of the view it shows
 * @param {(view: CardView) => any} draw its children
 * @returns {Part}
 */
export function part(node, slice, draw) {
  /** @type {string | undefined} */
  let drawn;
  return {
    node,
    update(view) {
      const now = JSON.stringify(slice(view));
      if (now === drawn) return;
      drawn = now;
      fill(node, draw(view));
    },
  };
}

// A part that is no element of its own (display: contents), for a piece of
// a panel among parts that stay (a form, a status line).
export function inline() {
  return h('div', { class: 'part' });
}

/**
 * A panel of the card: its node, and `update(view)` for all its parts.
 * @param {any} node
 * @param {...Part} parts
 * @returns {Part}
 */
export function panel(node, ...parts) {
  return { node, update: (view) => { for (const piece of parts) piece.update(view); } };
}

// Replaces a node's children, with h()'s rules: arrays are flattened,
// null and false are skipped, strings become text.
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function formatDateTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatDate(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateOnly.format(date);
}

// Shows a Rust error next to the field it names, or in the form's general
// message area when it names none.
export function showError(form, error) {
  for (const old of form.querySelectorAll('.field-error')) old.textContent = '';
  for (const old of form.querySelectorAll('[aria-invalid]')) old.removeAttribute('aria-invalid');
  // clearErrors passes an empty message: that must clear, not show "[object Object]".
  const message = error && typeof error.message === 'string' ? error.message : String(error);
  const slot = (error && error.field && form.querySelector(`.field-error[data-for="${error.field}"]`))
    || form.querySelector('.field-error[data-for="form"]');
  if (slot) slot.textContent = message;
  const input = error && error.field && form.querySelector(`[data-field="${error.field}"]`);
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }
}

export function clearErrors(form) {
  showError(form, { field: null, message: '' });
}
