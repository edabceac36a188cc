// The shop's key as the window sees it: what to ask before the shop opens
// (a new passphrase, the passphrase, the recovery key, or consent to
// encrypt a plain shop), the recovery sheet, and a forgotten PIN reset
// with the recovery key. The key itself never reaches the page: Rust
// checks what is typed and writes the sheet to the file chosen for it.

import * as api from './api.js';
import { h, showError, showErrorAt, clearErrors, described } from './dom.js';

const reload = () => window.location.reload();

/**
 * Runs one answer with every button of `form` disabled, so "Not now"
 * cannot be pressed while "Encrypt my shop" runs (Rust refuses a second
 * answer too). The page reloads on success; on an error the buttons
 * come back and the message shows next to its field.
 * @param {HTMLElement} form
 * @param {() => Promise<unknown>} work
 * @param {(error: unknown) => void} failed
 */
async function answer(form, work, failed) {
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((button) => { button.disabled = true; });
  form.setAttribute('aria-busy', 'true');
  try {
    await work();
    reload();
  } catch (error) {
    buttons.forEach((button) => { button.disabled = false; });
    form.removeAttribute('aria-busy');
    failed(error);
  }
}

/**
 * A password field with its label and its error line: the field first, then
 * the three nodes to show (label, field, error line).
 * @param {string} id
 * @param {string} field
 * @param {string} label
 * @param {import('./dom.js').Props} [attrs]
 * @returns {[HTMLInputElement, HTMLLabelElement, HTMLInputElement, HTMLParagraphElement]}
 */
function secretField(id, field, label, attrs = {}) {
  const input = h('input', { type: 'password', id, 'data-field': field, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${id}-error`, ...attrs });
  return [input, h('label', { for: id, text: label }), input, h('p', { class: 'field-error', id: `${id}-error`, 'data-for': field, role: 'alert' })];
}

/**
 * The screen shown before the shop opens, for what Rust asks (`status.ask`).
 * @param {import('./types/AppStatus').AppStatus} status
 */
export function renderGate(status) {
  switch (status.ask) {
    case 'new_passphrase': return newPassphrase(status.why);
    case 'convert': return convert(status.why);
    case 'passphrase': return typeKey(status.why, true);
    default: return typeKey(status.why, false);
  }
}

/** @param {string} why */
function newPassphrase(why) {
  const [pass, ...passParts] = secretField('new-passphrase', 'passphrase', 'Passphrase (at least 10 characters)', { autofocus: true, autocomplete: 'new-password' });
  const [again, ...againParts] = secretField('new-passphrase-repeat', 'passphrase_repeated', 'The same passphrase again', { autocomplete: 'new-password' });
  const form = h('form', { class: 'panel gate', id: 'new-passphrase-form' },
    h('h1', { tabindex: '-1', text: 'Protect your shop with a passphrase' }),
    h('p', { text: why }),
    h('p', { text: 'Your customers’ data will be encrypted. The passphrase is asked each time Regulars starts. Choose a few words you will remember; after this you can save a recovery sheet in Settings.' }),
    ...passParts, ...againParts,
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('button', { type: 'submit', class: 'primary', id: 'create-with-passphrase', text: 'Encrypt and start' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    await answer(form, () => api.createWithPassphrase(pass.value, again.value), (error) => showError(form, error));
  });
  return form;
}

/** @param {string} why @param {boolean} passphrase */
function typeKey(why, passphrase) {
  const label = passphrase ? 'Passphrase (or the recovery key)' : 'Recovery key (16 groups of 4 letters and digits)';
  const [typed, ...parts] = secretField('open-key', passphrase ? 'passphrase' : 'recovery_key', label, { autofocus: true });
  const form = h('form', { class: 'panel gate', id: 'open-key-form' },
    h('h1', { tabindex: '-1', text: passphrase ? 'Type the passphrase' : 'Type the recovery key' }),
    h('p', { text: why }),
    h('p', { class: 'hint', text: passphrase
      ? 'Forgot it? The recovery key on the recovery sheet opens the shop too.'
      : 'It is on the recovery sheet printed when the shop was encrypted. Spaces and capitals do not matter.' }),
    ...parts,
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('button', { type: 'submit', class: 'primary', id: 'open-with-key', text: 'Open the shop' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    await answer(form, () => api.openWithKey(typed.value), (error) => {
      typed.select();
      showErrorAt(form, error, passphrase ? 'passphrase' : 'recovery_key');
    });
  });
  return form;
}

/** @param {string} why */
function convert(why) {
  const [pass, ...passParts] = secretField('convert-passphrase', 'passphrase', 'Passphrase, if this computer has no keychain (at least 10 characters)', { autocomplete: 'new-password' });
  const [again, ...againParts] = secretField('convert-passphrase-repeat', 'passphrase_repeated', 'The same passphrase again', { autocomplete: 'new-password' });
  const said = h('p', { class: 'hint', id: 'convert-said', role: 'status' });
  const form = h('form', { class: 'panel gate', id: 'convert-form' },
    h('h1', { tabindex: '-1', text: 'Encrypt your shop’s data?' }),
    h('p', { text: why }),
    h('p', { text: 'Regulars can encrypt it now, so a copied folder or a stolen laptop gives nothing away. An encrypted copy is made and checked first; only then does it replace the plain file. The old backups are plain copies too: they are deleted, and a new encrypted backup is made a few seconds after the shop opens.' }),
    h('p', { text: 'The key is kept in this computer’s keychain. Afterwards, save the recovery sheet from Settings: with it the data opens on another computer.' }),
    ...passParts, ...againParts,
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('div', { class: 'row actions' },
      h('button', { type: 'submit', class: 'primary', id: 'encrypt-shop', text: 'Encrypt my shop' }),
      h('button', { type: 'button', id: 'keep-plain', text: 'Not now', onclick: async () => {
        clearErrors(form);
        await answer(form, () => api.keepPlainForNow(), (error) => showError(form, error));
      } })),
    said);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    said.textContent = 'Encrypting… this takes a moment for a large shop.';
    await answer(form, () => api.encryptShop(pass.value || null, again.value || null), (error) => {
      said.textContent = '';
      showError(form, error);
    });
  });
  return form;
}

/** Saves the recovery sheet to a file the owner chooses (outside the data folder). */
export async function saveRecoverySheet() {
  const chosen = await api.chooseFile('recovery_sheet', 'regulars-recovery-sheet.pdf');
  if (!chosen) return false;
  await api.saveRecoverySheet(chosen.token);
  return true;
}

/** The recovery sheet's place in Settings. */
/** @param {boolean} encrypted */
export function renderRecoverySettings(encrypted) {
  const said = h('p', { class: 'hint', id: 'recovery-said', role: 'status' });
  const save = h('button', { type: 'button', id: 'save-recovery-sheet', text: 'Save the recovery sheet…' });
  save.addEventListener('click', async () => {
    said.textContent = '';
    try {
      if (await saveRecoverySheet()) said.textContent = 'Saved. Print it and keep it somewhere safe, away from this computer; then delete the file.';
    } catch (error) {
      said.textContent = described(error).message;
    }
  });
  return h('section', { class: 'panel', id: 'recovery-settings', 'aria-label': 'Encryption and recovery sheet' },
    h('h2', { text: 'Encryption and recovery sheet' }),
    h('p', { class: 'hint', text: encrypted
      ? 'This shop’s data, its WAL and its backups are encrypted. The recovery sheet holds the key: with it the data opens on another computer, and a forgotten PIN is reset.'
      : 'This shop’s data is not encrypted. Restart Regulars to be offered encryption.' }),
    encrypted ? save : null, said);
}

/** On the PIN screen: a forgotten PIN is removed with the recovery key. */
/** @param {() => void} onReset */
export function renderForgotPin(onReset) {
  const [typed, ...parts] = secretField('forgot-recovery-key', 'recovery_key', 'Recovery key');
  const form = h('form', { class: 'forgot', id: 'forgot-pin-form' },
    ...parts,
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('button', { type: 'submit', id: 'reset-pin', text: 'Remove the PIN' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      await api.resetPinWithRecoveryKey(typed.value);
      onReset();
    } catch (error) {
      showErrorAt(form, error, 'recovery_key');
    }
  });
  return h('details', { class: 'forgot-pin' }, h('summary', { text: 'Forgot the PIN?' }),
    h('p', { class: 'hint', text: 'Type the recovery key from the recovery sheet. The PIN is removed; set a new one in Settings.' }), form);
}
