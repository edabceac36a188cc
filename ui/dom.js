// Builds DOM nodes. Strings always become text nodes, never HTML, so user
// text (names, notes) is shown exactly as typed.

/**
 * What h() and fill() take as children: nodes, text, numbers, and lists of
 * them; null, undefined and false are skipped (so `cond && h(...)` works).
 * (Declared as DomChild in .ci/globals.d.ts: a JSDoc type cannot name itself.)
 * @typedef {DomChild} Child
 */

/**
 * An element's handlers, typed by event: `onclick` gets a MouseEvent,
 * `onkeydown` a KeyboardEvent, `onsubmit` a SubmitEvent.
 * @typedef {{ [E in keyof HTMLElementEventMap as `on${E}`]?: (event: HTMLElementEventMap[E]) => void }} Handlers
 */

/**
 * What h() sets on an element: `class`, `text` (as text, never HTML),
 * `dataset`, handlers, the live `value`/`checked`/`selected`, and any other
 * attribute (true is a bare attribute; null, undefined and false leave it off).
 * @typedef {Handlers & {
 *   class?: string | null | false,
 *   text?: string | number | null | false,
 *   dataset?: Record<string, string>,
 *   value?: string | number | null,
 *   checked?: boolean,
 *   selected?: boolean,
 *   [attribute: string]: unknown,
 * }} Props
 */

/**
 * An element with `props` (text and attributes become text, never HTML),
 * typed by its tag: h('input') is an HTMLInputElement.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = String(value);
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    // Props typed each handler by its event (Handlers); here it is any function.
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    else if (key === 'value' || key === 'checked' || key === 'selected') Reflect.set(node, key, value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/**
 * @param {Element} node
 * @param {readonly Child[]} children
 */
function append(node, children) {
  // Lists nested in lists are appended in order, as if flattened.
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (child instanceof Node) node.append(child);
    else if (typeof child === 'object') append(node, child);
    else node.append(document.createTextNode(String(child)));
  }
}

/**
 * The same for inline SVG (charts): attributes set as given, strings as text.
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number | null | undefined | false>} [attrs]
 * @param {...Child} children
 * @returns {SVGElementTagNameMap[K]}
 */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

/**
 * @template {Element} E
 * @param {E} node
 * @returns {E}
 */
export function clear(node) {
  node.replaceChildren();
  return node;
}

/**
 * @typedef {import('./types/CardView').CardView} CardView
 * @typedef {{ node: HTMLElement, update: (view: CardView) => void }} Part
 * What each panel of the card is given: the app, the customer's id, and
 * `changed(view, said, at)`, the one repaint of the card from the answer of
 * the command that changed it (`said` shown in the status line `at`).
 * @typedef {{ app: import('./main.js').App, customerId: string, changed: (view: CardView, said?: string, at?: string) => void }} CardContext
 */

/**
 * A piece of the card drawn from its slice of the card view. `update(view)`
 * draws it again only when that slice changed, so a change elsewhere on the
 * card leaves it alone: the focus, an open <details> and anything typed in
 * it stay as they are. `node` keeps its place; only its children change.
 * @param {HTMLElement} node
 * @param {(view: CardView) => unknown} slice what of the view it shows
 * @param {(view: CardView) => Child} draw its children
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
/** @returns {HTMLDivElement} */
export function inline() {
  return h('div', { class: 'part' });
}

/**
 * A panel of the card: its node, and `update(view)` for all its parts.
 * @param {HTMLElement} node
 * @param {...Part} parts
 * @returns {Part}
 */
export function panel(node, ...parts) {
  return { node, update: (view) => { for (const piece of parts) piece.update(view); } };
}

// Replaces a node's children, with h()'s rules: arrays are flattened,
// null and false are skipped, strings become text.
/**
 * @template {Element} E
 * @param {E} node
 * @param {...Child} children
 * @returns {E}
 */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/**
 * @param {string | null | undefined} iso
 * @returns {string}
 */
export function formatDateTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/**
 * @param {string | null | undefined} iso
 * @returns {string}
 */
export function formatDate(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateOnly.format(date);
}

// Shows a Rust error next to the field it names, or in the form's general
// message area when it names none. `error` is what a rejected call gives
// (a RustError), or anything else a catch caught.
/**
 * @typedef {{ kind: string, field: string | null, message: string }} RustError
 */
/**
 * @param {ParentNode} form
 * @param {unknown} error
 */
export function showError(form, error) {
  for (const old of form.querySelectorAll('.field-error')) old.textContent = '';
  for (const old of form.querySelectorAll('[aria-invalid]')) old.removeAttribute('aria-invalid');
  // clearErrors passes an empty message: that must clear, not show "[object Object]".
  const { message, field } = described(error);
  const slot = (field && form.querySelector(`.field-error[data-for="${field}"]`))
    || form.querySelector('.field-error[data-for="form"]');
  if (slot) slot.textContent = message;
  const input = field && form.querySelector(`[data-field="${field}"]`);
  if (input instanceof HTMLElement) {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }
}

/**
 * A caught error's message and the field it names, whatever was thrown:
 * a RustError from api.js, an Error, or anything else.
 * @param {unknown} error
 * @returns {{ message: string, field: string | null }}
 */
export function described(error) {
  if (typeof error === 'object' && error !== null) {
    const { message, field } = /** @type {{ message?: unknown, field?: unknown }} */ (error);
    return {
      message: typeof message === 'string' ? message : String(error),
      field: typeof field === 'string' && field ? field : null,
    };
  }
  return { message: String(error), field: null };
}

/**
 * The element a page's own markup or a builder put there: missing is a
 * programming error, said with the selector rather than as a null later.
 * @template {Element} E
 * @param {ParentNode} root
 * @param {string} selector
 * @param {new (...args: never[]) => E} type what it must be (HTMLInputElement ...)
 * @returns {E}
 */
export function must(root, selector, type) {
  const found = root.querySelector(selector);
  if (!(found instanceof type)) {
    throw new Error(`The page has no ${type.name} at "${selector}" (found ${found ? found.tagName : 'nothing'}).`);
  }
  return found;
}

/**
 * Every element at `selector`, each of `type`: rows a builder made. One of
 * another type is a programming error, said as one (like must()).
 * @template {Element} E
 * @param {ParentNode} root
 * @param {string} selector
 * @param {new (...args: never[]) => E} type
 * @returns {E[]}
 */
export function all(root, selector, type) {
  return [...root.querySelectorAll(selector)].map((found) => {
    if (!(found instanceof type)) throw new Error(`The page has a ${found.tagName} at "${selector}", not a ${type.name}.`);
    return found;
  });
}

/**
 * Shows a caught error next to `field` when it names no field of its own
 * (a wrong PIN or key is the field's, whatever Rust named).
 * @param {ParentNode} form
 * @param {unknown} error
 * @param {string} field
 */
export function showErrorAt(form, error, field) {
  const said = described(error);
  showError(form, said.field ? said : { message: said.message, field });
}

/**
 * The chosen option of a menu built from `choices`, as the type of its
 * words (a BusinessKind, a PaperSize ...). A value the menu does not offer
 * is a programming error, said as one.
 * @template {string} W
 * @param {HTMLSelectElement} select
 * @param {ReadonlyArray<readonly [W, string]>} choices
 * @returns {W}
 */
export function chosen(select, choices) {
  const found = choices.find(([word]) => word === select.value);
  if (!found) throw new Error(`The menu #${select.id} offers no "${select.value}".`);
  return found[0];
}

/** @param {ParentNode} form */
export function clearErrors(form) {
  showError(form, { field: null, message: '' });
}

/**
 * A form field: its label, the control, and the line its error is shown on
 * (`showError` finds it by the field's name).
 * @param {string} id the control's id
 * @param {string} label
 * @param {HTMLElement} control
 * @param {string} name the field's name in the errors Rust returns
 */
export function labelledField(id, label, control, name) {
  return h('div', { class: 'field' },
    h('label', { for: id, text: label }),
    control,
    h('p', { class: 'field-error', 'data-for': name, role: 'alert' }));
}
