// Reviews and referrals: the card's panel (is now a good moment to ask,
// the requests and their answers, who referred whom), the message box that
// shows a filled template with its gaps flagged and sends it (copy, email,
// text message, printed card), the Outreach page, and the customer picker
// the editor uses for "Referred by".

import * as api from './api.js';
import { h, clear, fill, formatDate, showError, clearErrors, part, panel, inline, described } from './dom.js';

// A review request's status and channel as Rust words them (text columns).
/** @type {Record<string, string | undefined>} */
const statusWords = { asked: 'Asked', reviewed: 'Reviewed', declined: 'Declined', no_answer: 'No answer' };
/** @type {Record<string, string | undefined>} */
const channelWords = { copy: 'copied', email: 'by email', sms: 'by text message', print: 'on a printed card' };

/** @param {unknown} error */
function errorLine(error) {
  return h('p', { class: 'field-error', role: 'alert', text: described(error).message });
}

// A filled template: the text with its gaps flagged, and the ways to send
// it. `send(channel)` is the one call: Rust keeps what the sending changes
// and opens the mail/SMS app or prints (it builds the link from the card
// and the message's key; the page passes no link) and answers the card;
// copying is done here. The card's repaint and the line saying so are
// made together, in one paint.
/**
 * How a message goes: copied, by the mail or messages app, or as the printed QR card.
 * @typedef {'copy' | 'email' | 'sms' | 'print'} SendChannel
 */
/**
 * @param {import('./types/ComposedMessage').ComposedMessage} composed
 * @param {{
 *   send: (channel: SendChannel) => Promise<import('./types/CardView').CardView>,
 *   repaint: (view: import('./types/CardView').CardView) => void,
 *   channels?: SendChannel[],
 *   extra?: HTMLElement | null,
 * }} options
 */
export function messageBox(composed, { send: sendBy, repaint, channels = ['copy', 'email', 'sms'], extra = null }) {
  const status = h('p', { class: 'flash', role: 'status' });
  const errors = h('p', { class: 'field-error', 'data-for': 'message', role: 'alert' });
  const box = h('div', { class: 'message-box', id: `message-${composed.key}` },
    h('p', { class: 'message-subject' }, pieces(composed.subject)),
    h('p', { class: 'message-body' }, pieces(composed.body)),
    composed.missing.length
      ? h('p', { class: 'message-gaps', text: `Missing: ${composed.missing.map((m) => `{${m}}`).join(', ')}. Fill it in on the card before sending.` })
      : null,
    errors, status);
  /** @type {Record<SendChannel, string>} */
  const saidFor = {
    copy: 'Copied. Paste it into your message.',
    email: 'Opened in your mail app.',
    sms: 'Opened in your messages app.',
    print: 'The card with the QR code opened for printing.',
  };
  /** @param {SendChannel} channel */
  const send = async (channel) => {
    try {
      clearErrors(box);
      status.textContent = '';
      const view = await sendBy(channel);
      if (channel === 'copy') await copyText(`${composed.body.text}`);
      repaint(view);
      status.textContent = saidFor[channel];
    } catch (error) {
      showError(box, error);
    }
  };
  const labels = { copy: 'Copy', email: 'Email', sms: 'Text message', print: 'Print QR card' };
  const blocked = composed.missing.length > 0;
  box.append(h('div', { class: 'row' },
    channels.map((channel) => h('button', {
      type: 'button', class: `send-${channel}`, id: `send-${composed.key}-${channel}`,
      disabled: blocked || (channel === 'email' && !composed.mailto) || (channel === 'sms' && !composed.sms),
      title: channel === 'email' && !composed.mailto ? 'No email address on the card' : channel === 'sms' && !composed.sms ? 'No phone number on the card' : undefined,
      onclick: () => send(channel),
    }, labels[channel])),
    extra));
  return box;
}

/** @param {import('./types/RenderedText').RenderedText} rendered */
function pieces(rendered) {
  return rendered.pieces.map((piece) => (piece.missing
    ? h('mark', { class: 'gap', title: 'No value for this customer', text: piece.text })
    : piece.text));
}

// The clipboard API, or the old selection trick where it is not allowed.
/** @param {string} text */
async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = h('textarea', { class: 'visually-hidden', value: text });
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
}

// The card's panel. The message box (the composer) stays across repaints,
// so a request sent from it keeps its "sent" line while the requests and
// referrals above it are drawn again from the card view.
/** @param {import('./dom.js').CardContext} ctx */
export function renderOutreach(ctx) {
  const app = ctx.app;
  const customerId = ctx.customerId;
  const composer = h('div', { class: 'composer' });
  const moments = part(inline(), (v) => v.review, (v) => {
    const status = v.review;
    const e = status.eligibility;
    const moment = e.answer === 'ask'
      ? h('div', { class: 'moment good', id: 'review-moment' }, h('strong', { text: 'A good moment to ask for a review: ' }), e.reasons.join('; '))
      : e.answer === 'wait'
        ? h('p', { class: 'moment wait', id: 'review-moment', text: e.why })
        : h('p', { class: 'moment hint', id: 'review-moment', text: 'No special moment lately (a win, a solved problem, a high score).' });
    const ask = e.answer === 'wait' ? null : h('button', { type: 'button', id: 'ask-review', onclick: () => openAsk() }, 'Ask for a review…');
    const requests = status.requests.length ? h('ul', { class: 'requests', id: 'review-requests' }, status.requests.map((r) => h('li', { dataset: { id: r.id } },
      h('span', { class: `badge status-${r.status}`, text: statusWords[r.status] }),
      h('span', { text: ` ${formatDate(r.asked_at)} ${channelWords[r.channel] || ''}` }),
      r.status === 'asked' && r.follow_up_on ? h('span', { class: 'hint', text: ` · follow up on ${r.follow_up_on}` }) : null,
      r.status === 'asked' ? h('span', { class: 'answer-buttons' },
        ['reviewed', 'declined', 'no_answer'].map((s) => h('button', {
          type: 'button', class: `link set-${s}`,
          onclick: async () => {
            try {
              ctx.changed(await api.setReviewStatus(r.id, s));
            } catch (error) {
              fill(composer, errorLine(error));
            }
          },
        }, statusWords[s]))) : null))) : null;
    return [moment, ask, requests];
  });
  const referrals = part(inline(), (v) => v.referrals, (v) => {
    const by = v.referrals.referred_by;
    const referredBy = by ? h('p', { id: 'referred-by' }, 'Referred by ',
      h('button', { type: 'button', class: 'link person-link', onclick: () => app.openCard(by.customer_id) }, by.name),
      by.bonus_awarded_at ? h('span', { class: 'hint', text: ` (their bonus was given ${formatDate(by.bonus_awarded_at)})` }) : h('span', { class: 'hint', text: ' (their bonus comes with the first visit)' })) : null;
    const referred = v.referrals.referred.length ? h('ul', { class: 'referred', id: 'referred-list' }, v.referrals.referred.map((r) => h('li', {},
      h('button', { type: 'button', class: 'link person-link', onclick: () => app.openCard(r.customer_id) }, r.name),
      h('span', { class: 'hint', text: r.bonus_awarded_at ? ` · came in; +${r.bonus_points} points` : ' · not in yet' }),
      r.thanked_at ? h('span', { class: 'hint', text: ` · thanked ${formatDate(r.thanked_at)}` })
        : h('button', { type: 'button', class: 'link thank', onclick: () => openThanks(r) }, 'Say thank you')))) : null;
    return [referredBy, v.referrals.referred.length ? h('h3', { text: `Referred ${v.referrals.referred.length}` }) : null, referred];
  });
  const openAsk = async () => {
    try {
      const composed = await api.composeMessage(customerId, 'review_request', app.deskStaff());
      fill(composer, h('h3', { text: 'Review request' }), messageBox(composed, {
        channels: ['copy', 'email', 'sms', 'print'],
        send: (channel) => api.askReview(customerId, channel, app.deskStaff()),
        repaint: (view) => ctx.changed(view),
      }));
    } catch (error) {
      fill(composer, errorLine(error));
    }
  };
  /** @param {import('./types/Link').Link} referral */
  const openThanks = async (referral) => {
    try {
      const composed = await api.composeMessage(customerId, 'referral_thanks', app.deskStaff());
      fill(composer, h('h3', { text: `Thank you for ${referral.name}` }), messageBox(composed, {
        send: (channel) => api.thankReferrer(customerId, referral.referral_id, channel, app.deskStaff()),
        repaint: (view) => ctx.changed(view),
      }));
    } catch (error) {
      fill(composer, errorLine(error));
    }
  };
  const root = h('section', { class: 'panel outreach', id: 'outreach', 'aria-label': 'Reviews and referrals' },
    h('h2', { text: 'Reviews and referrals' }), moments.node, composer, referrals.node);
  return panel(root, moments, referrals);
}

// The Outreach page: who is worth asking for a review now and why; the
// latest referrals and the top referrers.
/**
 * @param {Array<import('./types/ReviewCandidate').ReviewCandidate>} candidates
 * @param {import('./types/ReferralOverview').ReferralOverview} overview
 * @param {import('./main.js').App} app
 */
export function renderOutreachPage(candidates, overview, app) {
  /** @param {string} id @param {string} name */
  const person = (id, name) => h('button', { type: 'button', class: 'link person-link', onclick: () => app.openCard(id) }, name);
  return h('article', { class: 'outreach-page', id: 'outreach-page' },
    h('h1', { tabindex: '-1', text: 'Reviews and referrals' }),
    h('section', { class: 'panel' },
      h('h2', { text: 'Worth asking for a review now' }),
      candidates.length
        ? h('ul', { class: 'candidates', id: 'review-candidates' }, candidates.map((c) => h('li', {},
          person(c.customer_id, c.name),
          h('span', { class: 'hint', text: c.reasons.join('; ') }))))
        : h('p', { class: 'hint', text: 'Nobody right now. Mark a visit as a win, solve a problem or record a high score, and they appear here.' })),
    h('div', { class: 'two-columns' },
      h('section', { class: 'panel' },
        h('h2', { text: 'Top referrers' }),
        overview.top.length ? h('ol', { class: 'top-referrers', id: 'top-referrers' }, overview.top.map((t) => h('li', {},
          person(t.customer_id, t.name),
          h('span', { class: 'hint', text: ` referred ${t.referred}, ${t.came_in} came in` }))))
          : h('p', { class: 'hint', text: 'No referrals yet. Record who referred a new customer when you add them.' })),
      h('section', { class: 'panel' },
        h('h2', { text: 'Latest referrals' }),
        overview.recent.length ? h('ul', { class: 'referral-list', id: 'referral-list' }, overview.recent.map((r) => h('li', {},
          h('span', { text: `${r.referrer_name} → ${r.referred_name}` }),
          h('span', { class: 'hint', text: ` ${formatDate(r.created_at)}${r.bonus_awarded_at ? ' · bonus given' : ''}` }))))
          : h('p', { class: 'hint', text: 'None yet.' }))));
}

// A search-and-pick field for a customer. `onPick(hit)` gets the chosen
// search hit, or null when cleared.
/**
 * @param {{ id: string, field: string, placeholder: string, current?: string, onPick: (hit: import('./types/Hit').Hit | null) => void }} options
 */
export function customerPicker({ id, field, placeholder, current, onPick }) {
  const input = h('input', { type: 'text', id, 'data-field': field, autocomplete: 'off', placeholder, value: current || '' });
  // A plain list of buttons (Tab reaches each), not a listbox of options.
  const list = h('ul', { class: 'picker-results', 'aria-label': 'Matching customers' });
  let sequence = 0;
  input.addEventListener('input', async () => {
    const mine = ++sequence;
    const query = input.value.trim();
    if (!query) {
      clear(list);
      onPick(null);
      return;
    }
    const hits = await api.search(query, 6);
    if (mine !== sequence) return;
    fill(list, hits.map((hit) => h('li', {},
      h('button', {
        type: 'button', class: 'pick', onclick: () => {
          input.value = hit.display_name;
          clear(list);
          onPick(hit);
        },
      }, hit.display_name, hit.phone ? h('span', { class: 'hint', text: ` ${hit.phone}` }) : null))));
  });
  return h('div', { class: 'picker' }, input, list);
}

