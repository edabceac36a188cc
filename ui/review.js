// The weekly review: red then yellow customers, most valuable first, each
// with the reasons and one suggested next action.

import { h } from './dom.js';
import { formatMoney } from './activity.js';

/** @param {Array<import('./types/ReviewLine').ReviewLine>} lines @param {import('./main.js').App} app */
export function renderReview(lines, app) {
  const red = lines.filter((l) => l.health.colour === 'red').length;
  const yellow = lines.length - red;
  return h('article', { class: 'review', id: 'review' },
    h('h1', { tabindex: '-1', text: 'Weekly review' }),
    h('p', { class: 'hint', text: lines.length
      ? `${red} red and ${yellow} yellow customer${yellow === 1 ? '' : 's'} shown, most valuable first. Open one to act on it.`
      : 'Nobody needs attention this week.' }),
    h('ol', { class: 'review-list' }, lines.map((line) => h('li', { class: `review-line ${line.health.colour}` },
      h('span', { class: `dot ${line.health.colour}`, 'aria-hidden': 'true' }),
      h('div', { class: 'review-who' },
        h('button', { type: 'button', class: 'link person-link', onclick: () => app.openCard(line.customer_id) }, line.name),
        h('span', { class: 'hint', text: `${formatMoney(line.lifetime_cents, app.currency())} so far` })),
      h('ul', { class: 'review-reasons' }, line.health.reasons.map((r) => h('li', { text: r.text }))),
      h('p', { class: 'review-action', text: line.health.action || '' })))));
}
