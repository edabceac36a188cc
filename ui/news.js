// News by email: the shop's own mail account, a group with its live count
// and the list beside it, one message written once and previewed for three
// customers, a test to the shop itself, then the send with its progress
// bar, pause, cancel and the failures to retry. On the card, consent to
// news by email in one click, and the messages the customer was sent.
// Every rule is Rust's; this draws what it answers. User text is text.

import * as api from './api.js';
import { h, fill, part, formatDateTime, showError, clearErrors, labelledField, described } from './dom.js';

/** @typedef {import('./types/GroupFilter').GroupFilter} GroupFilter */
/** @typedef {import('./types/MailScreen').MailScreen} MailScreen */
/** @typedef {import('./types/MailProgress').MailProgress} MailProgress */

/** @param {number} n @param {string} one @param {string} [many] */
const plural = (n, one, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

// ---------------------------------------------------------------- the card

/**
 * The card's "News by email" panel: whether they agreed, when and how, one
 * button to record agreement or a stop, and the messages they were sent.
 * @param {import('./dom.js').CardContext} ctx
 */
export function renderNewsConsent(ctx) {
  const node = h('section', { class: 'panel', id: 'news-consent', 'aria-label': 'News by email' });
  return part(node, (v) => [v.consent, v.newsletters, v.card.email], (v) => {
    const c = v.consent;
    const said = c.agreed
      ? `Agreed ${c.agreed_at ? formatDateTime(c.agreed_at) : ''} (${c.how}).`
      : c.withdrawn_at
        ? `Asked to stop ${formatDateTime(c.withdrawn_at)}.`
        : 'Not asked yet: they receive no news.';
    const button = h('button', {
      type: 'button', id: c.agreed ? 'news-stop' : 'news-agree',
      onclick: async () => {
        try {
          ctx.changed(await api.setNewsConsent(ctx.customerId, !c.agreed), c.agreed ? 'News stopped.' : 'Agreement recorded.', 'news-said');
        } catch (error) {
          const line = document.getElementById('news-said');
          if (line) line.textContent = described(error).message;
        }
      },
    }, c.agreed ? 'Stop news' : 'They agree to news');
    return [
      h('h2', { text: 'News by email' }),
      h('p', { id: 'news-consent-line', text: said }),
      !v.card.email && c.agreed ? h('p', { class: 'hint', text: 'Add an email address to the card so news can reach them.' }) : null,
      h('div', { class: 'row' }, button),
      h('p', { class: 'flash', id: 'news-said', role: 'status' }),
      v.newsletters.length
        ? h('ul', { class: 'newsletters', id: 'newsletters' }, v.newsletters.map((line) => h('li', {},
          h('span', { text: line.words }), ' ', h('time', { class: 'hint', datetime: line.sent_at, text: formatDateTime(line.sent_at) }))))
        : null,
    ];
  });
}

// ---------------------------------------------------------------- the page

/** @param {MailScreen} screen */
export function renderNews(screen) {
  const root = h('div', { class: 'news' }, h('h1', { tabindex: '-1', text: 'News by email' }),
    h('p', { class: 'hint', text: 'Write once to a group of customers who agreed to hear from you; each gets it with their own name, from your shop\'s own address.' }));
  const accountPanel = h('section', { class: 'panel', id: 'mail-account', 'aria-label': 'Mail account' });
  const groupPanel = h('section', { class: 'panel', id: 'news-group', 'aria-label': 'Who' });
  const writePanel = h('section', { class: 'panel', id: 'news-write', 'aria-label': 'The message' });
  const sendPanel = h('section', { class: 'panel', id: 'news-send', 'aria-label': 'Sending' });
  root.append(accountPanel, groupPanel, writePanel, sendPanel);
  accountForm(accountPanel, screen);
  const group = groupForm(groupPanel, screen);
  writeForm(writePanel, screen, group, (progress) => showProgress(sendPanel, progress));
  if (screen.messages.length) {
    const latest = screen.messages[0];
    api.getMailProgress(latest.message_id).then((progress) => showProgress(sendPanel, progress), () => {});
  }
  return root;
}

/** @param {string} id @param {string} value @param {Record<string, unknown>} [props] */
const input = (id, value, props = {}) => h('input', { id, value, 'data-field': id.replace(/-/g, '_'), ...props });

/**
 * The mail account: a provider preset fills the server; the password goes
 * to the keychain (never shown again).
 * @param {HTMLElement} panel @param {MailScreen} screen
 */
function accountForm(panel, screen) {
  const a = screen.account;
  const preset = h('select', { id: 'mail-preset' }, h('option', { value: '', text: 'Choose your provider…' }),
    screen.presets.map((p, i) => h('option', { value: String(i), text: p.name })));
  const address = input('mail-address', a ? a.address : '', { type: 'email', autocomplete: 'off' });
  const fromName = input('mail-from-name', a ? a.from_name : '');
  const host = input('mail-host', a ? a.host : '');
  const port = input('mail-port', a ? String(a.port) : '587', { inputmode: 'numeric' });
  const security = h('select', { id: 'mail-security', 'data-field': 'mail_security' },
    h('option', { value: 'starttls', text: 'STARTTLS (port 587)', selected: !a || a.security === 'starttls' }),
    h('option', { value: 'tls', text: 'TLS (port 465)', selected: !!a && a.security === 'tls' }));
  const user = input('mail-user', a ? a.user : '', { autocomplete: 'off' });
  const password = input('mail-password', '', { type: 'password', autocomplete: 'new-password', placeholder: a ? 'kept in the keychain; type to change' : '' });
  const perHour = input('mail-per-hour', a ? String(a.per_hour) : '0', { inputmode: 'numeric', 'data-field': 'mail_limits' });
  const perDay = input('mail-per-day', a ? String(a.per_day) : '500', { inputmode: 'numeric', 'data-field': 'mail_limits' });
  preset.addEventListener('change', () => {
    const p = screen.presets[Number(preset.value)];
    if (!p) return;
    host.value = p.host;
    port.value = String(p.port);
    security.value = p.security;
    perDay.value = String(p.per_day);
    if (!user.value) user.value = address.value;
  });
  const said = h('p', { class: 'flash', id: 'mail-account-said', role: 'status' });
  const save = h('button', { type: 'submit', class: 'primary', id: 'mail-account-save' }, 'Save the mail account');
  const form = h('form', { class: 'form-grid' },
    labelledField('mail-preset', 'Provider', preset, 'mail_preset'),
    labelledField('mail-address', 'Your shop\'s email address', address, 'mail_address'),
    labelledField('mail-from-name', 'Name shown beside it', fromName, 'mail_from_name'),
    labelledField('mail-host', 'Mail server', host, 'mail_host'),
    labelledField('mail-port', 'Port', port, 'mail_port'),
    labelledField('mail-security', 'Security', security, 'mail_security'),
    labelledField('mail-user', 'User name', user, 'mail_user'),
    labelledField('mail-password', 'Password (an app password)', password, 'mail_password'),
    h('p', { class: 'hint', id: 'app-password-hint', text: screen.app_password }),
    labelledField('mail-per-hour', 'Most messages in an hour (0: no limit)', perHour, 'mail_per_hour'),
    labelledField('mail-per-day', 'Most messages in a day (0: no limit)', perDay, 'mail_limits'),
    h('p', { class: 'hint', text: 'Providers limit how many messages an account sends in a day (Gmail about 500); sending waits and goes on by itself when a limit is reached.' }),
    h('div', { class: 'row' }, save), said,
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    said.textContent = '';
    const numbers = whole(form, [[port, 'mail_port'], [perHour, 'mail_per_hour'], [perDay, 'mail_limits']]);
    if (!numbers) return;
    try {
      const saved = await api.saveMailAccount({
        account: {
          address: address.value, from_name: fromName.value, host: host.value, port: numbers[0],
          security: security.value === 'tls' ? 'tls' : 'starttls', user: user.value, per_hour: numbers[1], per_day: numbers[2],
        },
        password: password.value,
      });
      password.value = '';
      said.textContent = `Saved. Messages go out from ${saved.address}.`;
    } catch (error) {
      showError(form, error);
    }
  });
  fill(panel, h('h2', { text: 'Your mail account' }), form);
}

/**
 * Whole numbers from inputs, or null with a message next to the first bad one.
 * @param {HTMLElement} form @param {Array<[HTMLInputElement, string]>} fields
 * @returns {number[] | null}
 */
function whole(form, fields) {
  /** @type {number[]} */
  const values = [];
  for (const [field, name] of fields) {
    const text = field.value.trim();
    if (!/^\d{1,7}$/.test(text)) {
      showError(form, { field: name, message: 'Type a whole number, such as 0 or 500.' });
      return null;
    }
    values.push(Number(text));
  }
  return values;
}

/**
 * Days from an input: null when empty, a number, or undefined (and a
 * message next to it) when it is not a whole number.
 * @param {HTMLElement} form @param {HTMLInputElement} field @param {string} name
 */
function days(form, field, name) {
  const text = field.value.trim();
  if (!text) return null;
  if (!/^\d{1,5}$/.test(text)) {
    showError(form, { field: name, message: 'Type a number of days, or leave it empty.' });
    return undefined;
  }
  return Number(text);
}

/**
 * Who: every condition at once, a live count and the list beside it, and
 * the saved groups.
 * @param {HTMLElement} panel @param {MailScreen} screen
 * @returns {{ filter(): GroupFilter | null, name(): string }}
 */
function groupForm(panel, screen) {
  let groups = screen.groups;
  const saved = h('select', { id: 'group-saved' });
  const drawSaved = () => fill(saved, h('option', { value: '', text: groups.length ? 'Saved groups…' : 'No saved groups yet' }),
    groups.map((g) => h('option', { value: g.id, text: g.name })));
  drawSaved();
  const tags = input('group-tags', '', { placeholder: 'puppy, weekend', 'data-field': 'tags' });
  const health = h('select', { id: 'group-health', 'data-field': 'health' },
    [['', 'Any'], ['green', 'Green'], ['yellow', 'Yellow'], ['red', 'Red']].map(([v, t]) => h('option', { value: v, text: t })));
  const notSeen = input('group-not-seen', '', { inputmode: 'numeric', 'data-field': 'not_seen_days' });
  const renewing = input('group-renewing', '', { inputmode: 'numeric', 'data-field': 'renewing_within_days' });
  const pass = input('group-pass', '', { inputmode: 'numeric', 'data-field': 'pass_ending_within_days' });
  const vaccination = input('group-vaccination', '', { inputmode: 'numeric', 'data-field': 'vaccination_due_within_days' });
  /** @param {string} id @param {string} label */
  const box = (id, label) => {
    const control = h('input', { type: 'checkbox', id });
    return { control, node: h('label', { class: 'check', for: id }, control, ' ', label) };
  };
  const birthday = box('group-birthday', 'Birthday this month');
  const promoters = box('group-promoters', 'Promoters (scored 9 or 10)');
  const referred = box('group-referred', 'Referred by someone');
  const fresh = box('group-new', 'New this month');
  const name = input('group-name', '', { placeholder: 'Spring walkers', 'data-field': 'group_name' });
  const saveButton = h('button', { type: 'button', id: 'group-save' }, 'Save this group');
  const count = h('p', { class: 'group-count', id: 'group-count', role: 'status' });
  const members = h('ul', { class: 'group-members', id: 'group-members', 'aria-label': 'In this group' });
  const form = h('form', { class: 'group-form' },
    labelledField('group-saved', 'Start from', saved, 'group_saved'),
    labelledField('group-tags', 'Tags (all of them)', tags, 'tags'),
    labelledField('group-health', 'Health', health, 'health'),
    labelledField('group-not-seen', 'Not seen for at least … days', notSeen, 'not_seen_days'),
    labelledField('group-renewing', 'Membership renews within … days', renewing, 'renewing_within_days'),
    labelledField('group-pass', 'A pass runs out within … days', pass, 'pass_ending_within_days'),
    labelledField('group-vaccination', 'A pet\'s required vaccination runs out within … days', vaccination, 'vaccination_due_within_days'),
    h('div', { class: 'checks' }, birthday.node, promoters.node, referred.node, fresh.node),
    h('div', { class: 'row' }, labelledField('group-name', 'Name', name, 'group_name'), saveButton),
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }));

  /** @returns {GroupFilter | null} */
  const filter = () => {
    clearErrors(form);
    const d = [days(form, notSeen, 'not_seen_days'), days(form, renewing, 'renewing_within_days'),
      days(form, pass, 'pass_ending_within_days'), days(form, vaccination, 'vaccination_due_within_days')];
    if (d.some((x) => x === undefined)) return null;
    const [a, b, c, e] = /** @type {Array<number | null>} */ (d);
    return {
      tags: tags.value.split(/[,;]/).map((t) => t.trim()).filter(Boolean),
      health: health.value, not_seen_days: a, renewing_within_days: b, pass_ending_within_days: c,
      birthday_this_month: birthday.control.checked, vaccination_due_within_days: e,
      promoters: promoters.control.checked, referred: referred.control.checked, new_this_month: fresh.control.checked,
    };
  };
  let asked = 0;
  const recount = async () => {
    const f = filter();
    if (!f) return;
    const mine = ++asked;
    try {
      const c = await api.countGroup(f);
      if (mine !== asked) return;
      count.textContent = `${plural(Number(c.total), 'customer')} in this group · ${Number(c.consenting).toLocaleString()} will receive it · left out: ${Number(c.no_consent).toLocaleString()} without consent, ${Number(c.no_address).toLocaleString()} without an email address`;
      fill(members, ...c.members.map((m) => h('li', { class: m.will_receive ? '' : 'left-out', text: m.will_receive ? m.name : `${m.name} (left out)` })));
    } catch (error) {
      if (mine === asked) showError(form, error);
    }
  };
  /** @type {number | undefined} */
  let timer;
  form.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(recount, 250);
  });
  form.addEventListener('change', (event) => {
    if (event.target !== saved) return;
    const g = groups.find((x) => x.id === saved.value);
    if (!g) return;
    const f = g.filter;
    tags.value = f.tags.join(', ');
    health.value = f.health;
    notSeen.value = f.not_seen_days === null ? '' : String(f.not_seen_days);
    renewing.value = f.renewing_within_days === null ? '' : String(f.renewing_within_days);
    pass.value = f.pass_ending_within_days === null ? '' : String(f.pass_ending_within_days);
    vaccination.value = f.vaccination_due_within_days === null ? '' : String(f.vaccination_due_within_days);
    birthday.control.checked = f.birthday_this_month;
    promoters.control.checked = f.promoters;
    referred.control.checked = f.referred;
    fresh.control.checked = f.new_this_month;
    name.value = g.name;
    recount();
  });
  saveButton.addEventListener('click', async () => {
    const f = filter();
    if (!f) return;
    try {
      groups = await api.saveGroup(name.value, f);
      drawSaved();
      const mine = groups.find((g) => g.name.toLowerCase() === name.value.trim().toLowerCase());
      if (mine) saved.value = mine.id;
    } catch (error) {
      showError(form, error);
    }
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  fill(panel, h('h2', { text: 'Who' }), h('div', { class: 'group-layout' }, form, h('div', { class: 'group-side' }, count, members)));
  recount();
  return { filter, name: () => name.value.trim() };
}

/**
 * The message: subject and words with placeholders, the preview for three
 * customers, a test to the shop, and the send.
 * @param {HTMLElement} panel @param {MailScreen} screen
 * @param {{ filter(): GroupFilter | null, name(): string }} group
 * @param {(progress: MailProgress) => void} sent
 */
function writeForm(panel, screen, group, sent) {
  const subject = input('news-subject', '', { 'data-field': 'subject', placeholder: 'Spring opening hours' });
  const body = h('textarea', { id: 'news-body', rows: '8', 'data-field': 'body', placeholder: 'Hi {first_name}, …' });
  const preview = h('div', { class: 'news-preview', id: 'news-preview', 'aria-live': 'polite' });
  const said = h('p', { class: 'flash', id: 'news-said-test', role: 'status' });
  const previewButton = h('button', { type: 'button', id: 'news-preview-button' }, 'Preview');
  const testButton = h('button', { type: 'button', id: 'news-test' }, 'Send a test to the shop');
  const sendButton = h('button', { type: 'button', class: 'primary', id: 'news-send-button', disabled: true }, 'Send');
  const form = h('form', {},
    labelledField('news-subject', 'Subject', subject, 'subject'),
    labelledField('news-body', 'Message', body, 'body'),
    h('p', { class: 'hint', text: `Placeholders: ${screen.placeholders.map(([n]) => `{${n}}`).join(' ')}. A line saying how to stop is added at the end of every message.` }),
    h('p', { class: 'field-error', 'data-for': 'group', role: 'alert' }),
    h('p', { class: 'field-error', 'data-for': 'mail_address', role: 'alert' }),
    h('div', { class: 'row' }, previewButton, testButton, sendButton), said,
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    preview);
  /** @returns {import('./types/MessageDraft').MessageDraft | null} */
  const draft = () => {
    const f = group.filter();
    if (!f) return null;
    clearErrors(form);
    return { filter: f, group_name: group.name(), subject: subject.value, body: body.value };
  };
  form.addEventListener('input', () => { sendButton.disabled = true; });
  previewButton.addEventListener('click', async () => {
    const d = draft();
    if (!d) return;
    try {
      const p = await api.previewGroupMessage(d);
      fill(preview,
        h('p', { id: 'news-ready', text: `${plural(Number(p.ready), 'customer')} will receive it. Left out: ${Number(p.no_consent).toLocaleString()} without consent, ${Number(p.no_address).toLocaleString()} without an email address.` }),
        p.samples.map((s) => h('article', { class: 'news-sample' },
          h('p', { class: 'hint', text: `To ${s.name} <${s.address}>` }),
          h('p', { class: 'news-sample-subject' }, h('strong', { text: s.subject })),
          h('pre', { class: 'news-sample-body', text: s.body }))),
        p.skipped.length
          ? h('section', { id: 'news-skipped', 'aria-label': 'Skipped' },
            h('h3', { text: `Skipped: ${plural(p.skipped.length, 'customer')} without a value for a placeholder` }),
            h('ul', {}, p.skipped.map((s) => h('li', { text: `${s.name}: no ${s.missing.map((m) => `{${m}}`).join(', ')}` }))))
          : null);
      sendButton.textContent = `Send to ${plural(Number(p.ready), 'customer')}`;
      sendButton.disabled = Number(p.ready) === 0;
    } catch (error) {
      showError(form, error);
    }
  });
  testButton.addEventListener('click', async () => {
    const d = draft();
    if (!d) return;
    said.textContent = 'Sending a test…';
    try {
      said.textContent = await api.sendTestMessage(d);
    } catch (error) {
      said.textContent = '';
      showError(form, error);
    }
  });
  sendButton.addEventListener('click', async () => {
    const d = draft();
    if (!d) return;
    sendButton.disabled = true;
    try {
      sent(await api.sendGroupMessage(d));
    } catch (error) {
      showError(form, error);
    }
  });
  fill(panel, h('h2', { text: 'The message' }), form);
}

/** @type {number | undefined} */
let polling;

/**
 * The send's progress bar, pause, resume, cancel, and the failures with
 * the server's reasons; asked again while it is sending.
 * @param {HTMLElement} panel @param {MailProgress} view
 */
function showProgress(panel, view) {
  window.clearTimeout(polling);
  const p = view.progress;
  const done = Number(p.sent) + Number(p.failed) + Number(p.cancelled);
  const total = Number(p.total);
  /** @param {'paused' | 'sending' | 'cancelled'} to */
  const move = async (to) => showProgress(panel, await api.setMailState(p.message_id, to));
  const words = p.state === 'done'
    ? `Done: ${plural(Number(p.sent), 'message')} sent${Number(p.failed) ? `, ${Number(p.failed).toLocaleString()} not` : ''}.`
    : p.state === 'paused' ? `Paused: ${done.toLocaleString()} of ${total.toLocaleString()}.`
      : p.state === 'cancelled' ? `Cancelled: ${plural(Number(p.sent), 'message')} sent, ${Number(p.cancelled).toLocaleString()} not.`
        : `Sending: ${done.toLocaleString()} of ${total.toLocaleString()}…`;
  fill(panel,
    h('h2', { text: 'Sending' }),
    h('p', { id: 'news-progress-subject' }, h('strong', { text: p.subject }), p.group_name ? ` · ${p.group_name}` : ''),
    h('progress', { id: 'news-progress', max: String(total), value: String(done), 'aria-label': 'Sent so far' }),
    h('p', { id: 'news-progress-words', role: 'status', text: words }),
    view.status ? h('p', { class: 'field-error', id: 'news-status', role: 'alert', text: view.status }) : null,
    h('div', { class: 'row' },
      p.state === 'sending' && Number(p.waiting) > 0 ? h('button', { type: 'button', id: 'news-pause', onclick: () => move('paused') }, 'Pause') : null,
      p.state === 'paused' ? h('button', { type: 'button', id: 'news-resume', onclick: () => move('sending') }, 'Resume') : null,
      (p.state === 'sending' || p.state === 'paused') && Number(p.waiting) > 0
        ? h('button', { type: 'button', class: 'danger', id: 'news-cancel', onclick: () => move('cancelled') }, 'Cancel the rest') : null),
    view.failures.length
      ? h('section', { id: 'news-failures', 'aria-label': 'Not sent' },
        h('h3', { text: `Not sent: ${plural(view.failures.length, 'customer')}` }),
        h('ul', {}, view.failures.map((f) => h('li', {},
          h('strong', { text: f.name }), ' ', h('span', { class: 'hint', text: f.address }), h('br'),
          h('span', { text: f.reason }), ' ',
          h('button', { type: 'button', class: 'link', onclick: async () => showProgress(panel, await api.retryMail(p.message_id, f.outbox_id)) }, 'Retry')))),
        h('button', { type: 'button', id: 'news-retry-all', onclick: async () => showProgress(panel, await api.retryMail(p.message_id, null)) }, 'Retry all'))
      : null);
  if (p.state === 'sending' && Number(p.waiting) > 0) {
    polling = window.setTimeout(async () => {
      if (!panel.isConnected) return;
      try {
        showProgress(panel, await api.getMailProgress(p.message_id));
      } catch {
        // Asked again by the next change on the page.
      }
    }, 600);
  }
}
