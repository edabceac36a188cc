// Settings: the message templates (with a live preview for a chosen
// customer) and the review rules (review link with its QR code, cool-down,
// follow-up). Placeholders are checked in Rust when a template is saved.

import * as api from './api.js';
import { h, svg, fill, showError, clearErrors, described } from './dom.js';
import { customerPicker } from './outreach.js';

/** @param {import('./types/TemplatesView').TemplatesView} view @param {import('./main.js').App} app */
export function renderTemplateSettings(view, app) {
  const byKey = Object.fromEntries(view.templates.map((t) => [t.key, t]));
  let key = view.titles[0][0];
  /** @type {string | null} the customer the preview is for */
  let previewFor = null;
  const choose = h('select', { id: 'template-key', 'aria-label': 'Template' },
    view.titles.map(([k, title]) => h('option', { value: k, text: title })));
  const subject = h('input', { type: 'text', id: 'template-subject', 'data-field': 'template_subject' });
  const body = h('textarea', { id: 'template-body', rows: 5, 'data-field': 'template_body' });
  const preview = h('div', { class: 'template-preview', id: 'template-preview' }, h('p', { class: 'hint', text: 'Pick a customer to see the message as they would get it.' }));
  const saved = h('p', { class: 'saved', role: 'status' });
  const show = () => {
    subject.value = byKey[key].subject;
    body.value = byKey[key].body;
    refresh();
  };
  let sequence = 0;
  const refresh = async () => {
    if (!previewFor) return;
    const mine = ++sequence;
    try {
      const composed = await api.previewTemplate(previewFor, { key, subject: subject.value, body: body.value }, app.deskStaff());
      if (mine !== sequence) return;
      fill(preview,
        h('p', { class: 'message-subject' }, pieceNodes(composed.subject)),
        h('p', { class: 'message-body' }, pieceNodes(composed.body)),
        composed.missing.length
          ? h('p', { class: 'message-gaps', id: 'preview-gaps', text: `No value for this customer: ${composed.missing.map((m) => `{${m}}`).join(', ')}. Such a message cannot be sent.` })
          : h('p', { class: 'hint', id: 'preview-gaps', text: 'Every placeholder has a value for this customer.' }));
    } catch (error) {
      if (mine === sequence) fill(preview, h('p', { class: 'field-error', text: described(error).message }));
    }
  };
  /** @param {string} name */
  const insert = (name) => {
    const at = body.selectionStart ?? body.value.length;
    body.value = `${body.value.slice(0, at)}{${name}}${body.value.slice(body.selectionEnd ?? at)}`;
    body.focus();
    refresh();
  };
  choose.addEventListener('change', () => { key = choose.value; saved.textContent = ''; show(); });
  subject.addEventListener('input', refresh);
  body.addEventListener('input', refresh);
  const picker = customerPicker({
    id: 'preview-customer', field: 'preview_customer', placeholder: 'Preview for… (search a customer)',
    onPick: (hit) => { previewFor = hit ? hit.id : null; refresh(); },
  });
  const form = h('form', { class: 'panel editor template-editor', id: 'templates-form', novalidate: true },
    h('h2', { text: 'Message templates' }),
    h('div', { class: 'field' }, h('label', { for: 'template-key', text: 'Template' }), choose),
    h('div', { class: 'field' }, h('label', { for: 'template-subject', text: 'Subject (for email)' }), subject,
      h('p', { class: 'field-error', 'data-for': 'template_subject', role: 'alert' })),
    h('div', { class: 'field' }, h('label', { for: 'template-body', text: 'Message' }), body,
      h('p', { class: 'field-error', 'data-for': 'template_body', role: 'alert' })),
    h('p', { class: 'hint', text: 'Placeholders (click to insert):' }),
    h('div', { class: 'placeholder-list' }, view.placeholders.map(([name, what]) =>
      h('button', { type: 'button', title: what, onclick: () => insert(name) }, `{${name}}`))),
    h('div', { class: 'field' }, h('label', { for: 'preview-customer', text: 'Preview' }), picker),
    preview,
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('div', { class: 'row actions' }, h('button', { type: 'submit', class: 'primary', id: 'save-template' }, 'Save template'), saved));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      clearErrors(form);
      const stored = await api.saveTemplate({ key, subject: subject.value, body: body.value });
      byKey[key] = stored;
      saved.textContent = 'Saved.';
    } catch (error) {
      saved.textContent = '';
      showError(form, error);
    }
  });
  show();
  return form;
}

/** @param {import('./types/RenderedText').RenderedText} rendered */
function pieceNodes(rendered) {
  return rendered.pieces.map((p) => (p.missing ? h('mark', { class: 'gap', text: p.text }) : p.text));
}

/** @param {import('./types/OutreachRules').OutreachRules} rules */
export function renderOutreachSettings(rules) {
  const link = h('input', { type: 'url', id: 'review-link', 'data-field': 'review_link', value: rules.review_link, placeholder: 'https://g.page/r/your-shop/review' });
  /** @type {Array<[Exclude<keyof import('./types/OutreachRules').OutreachRules, 'review_link'>, string]>} */
  const numbers = [
    ['cool_down_days', 'Never ask the same customer again within (days)'],
    ['follow_up_days', 'One follow-up after (days)'],
    ['moment_days', 'A good moment stays good for (days)'],
  ];
  /** @type {Map<string, HTMLInputElement>} */
  const inputs = new Map();
  const saved = h('p', { class: 'saved', role: 'status' });
  const qr = h('div', { class: 'qr-slot', id: 'review-qr' });
  const drawQr = async () => {
    try {
      const code = await api.getReviewQr();
      const size = code.width + 8;
      const image = svg('svg', { viewBox: `0 0 ${size} ${size}`, class: 'qr-preview', role: 'img', 'aria-label': 'QR code of the review link' });
      code.dark.forEach((dark, i) => {
        if (dark) image.append(svg('rect', { x: 4 + (i % code.width), y: 4 + Math.floor(i / code.width), width: 1.02, height: 1.02 }));
      });
      fill(qr, image);
    } catch {
      fill(qr, h('p', { class: 'hint', text: 'Add the link to see its QR code.' }));
    }
  };
  const form = h('form', { class: 'panel editor', id: 'outreach-rules-form', novalidate: true },
    h('h2', { text: 'Reviews' }),
    h('div', { class: 'row link-row' },
      h('div', { class: 'field grow' }, h('label', { for: 'review-link', text: 'Your review link' }), link,
        h('p', { class: 'field-error', 'data-for': 'review_link', role: 'alert' })),
      qr),
    h('div', { class: 'form-grid' }, numbers.map(([key, label]) => {
      const input = h('input', { type: 'number', min: '1', id: `outreach-${key}`, class: 'short', 'data-field': key, value: String(rules[key]) });
      inputs.set(key, input);
      return h('div', { class: 'field' }, h('label', { for: `outreach-${key}`, text: label }), input,
        h('p', { class: 'field-error', 'data-for': key, role: 'alert' }));
    })),
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('div', { class: 'row actions' }, h('button', { type: 'submit', class: 'primary', id: 'save-outreach-rules' }, 'Save review rules'), saved));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const next = { ...rules, review_link: link.value };
    for (const [key] of numbers) {
      const typed = inputs.get(key)?.value ?? '';
      const value = Number(typed);
      next[key] = Number.isFinite(value) && typed.trim() !== '' ? Math.trunc(value) : -1;
    }
    try {
      clearErrors(form);
      const stored = await api.saveOutreachRules(next);
      link.value = stored.review_link;
      saved.textContent = 'Saved.';
      drawQr();
    } catch (error) {
      saved.textContent = '';
      showError(form, error);
    }
  });
  drawQr();
  return form;
}
