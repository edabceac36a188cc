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

// Something on the card changed (a visit, a complaint, feedback, a
// membership): panels that show derived facts (health, review moments)
// load again.
export function cardChanged() {
  document.dispatchEvent(new CustomEvent('card-changed'));
}

// Runs `load` whenever the card changes, until `panel` has left the screen
// (the card is redrawn after edits, leaving old panels behind).
export function reloadOnCardChange(panel, load) {
  const listener = () => {
    if (!panel.isConnected) {
      document.removeEventListener('card-changed', listener);
      return;
    }
    load();
  };
  document.addEventListener('card-changed', listener);
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
