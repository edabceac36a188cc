// The home screen under the search box: due today, at-risk customers, new
// this month, retention and NPS charts, customers close to a reward, the
// top customers and passes running out. Every figure comes from Rust; the charts are inline SVG
// coloured by the theme's CSS variables, so they read in light and dark.

import * as api from './api.js';
import { formatMoney } from './activity.js';
import { h, svg, clear, fill, must, described } from './dom.js';

const board = must(document, '#dashboard', HTMLElement);
/** @type {import('./main.js').App | null} */
let appRef = null;
let sequence = 0;

/** @param {import('./main.js').App} app */
export function initDashboard(app) {
  appRef = app;
}

// The app, given at start before anything is drawn.
function theApp() {
  if (!appRef) throw new Error('The dashboard was drawn before initDashboard.');
  return appRef;
}

/** @param {boolean} visible */
export function showDashboard(visible) {
  board.hidden = !visible;
}

export async function loadDashboard() {
  const mine = ++sequence;
  try {
    const data = await api.getDashboard();
    if (mine !== sequence) return;
    draw(data);
  } catch (error) {
    clear(board).append(h('p', { class: 'field-error', role: 'alert', text: described(error).message }));
  }
}

/** @param {Array<import('./types/DashboardLine').DashboardLine>} lines @param {string} empty */
function people(lines, empty) {
  if (!lines.length) return h('p', { class: 'hint', text: empty });
  return h('ul', { class: 'tile-lines' }, lines.map((line) => h('li', {},
    h('button', { type: 'button', class: 'link person-link', onclick: () => theApp().openCard(line.customer_id) }, line.name),
    h('span', { class: 'hint', text: line.amount_cents === null ? line.detail : formatMoney(line.amount_cents, theApp().currency()) }))));
}

/**
 * @param {string} id @param {string} title @param {import('./dom.js').Child} figure
 * @param {...import('./dom.js').Child} body
 */
function tile(id, title, figure, ...body) {
  return h('section', { class: 'tile', id, 'aria-label': title },
    h('h2', { text: title }),
    figure !== null ? h('p', { class: 'figure' }, figure) : null,
    ...body);
}

/** @param {import('./types/Dashboard').Dashboard} d */
function draw(d) {
  const latest = d.scores[d.scores.length - 1];
  const retentionNow = [...d.retention].reverse().find((r) => r.percent !== null);
  fill(board,
    tile('dash-due', 'Due today', h('span', { text: String(d.due_today) }),
      people(d.due, 'Nothing due. A quiet day.'),
      d.due_today ? h('button', { type: 'button', class: 'link', onclick: () => theApp().openToday() }, 'Open Today') : null),
    tile('dash-risk', 'At risk',
      h('span', {}, h('span', { class: 'dot red', 'aria-hidden': 'true' }), ` ${d.red} red  `,
        h('span', { class: 'dot yellow', 'aria-hidden': 'true' }), ` ${d.yellow} yellow`),
      people(d.at_risk, 'Everyone is doing well.'),
      h('button', { type: 'button', class: 'link', id: 'open-review', onclick: () => theApp().openReview() }, 'Weekly review')),
    tile('dash-new', 'New this month', h('span', { text: String(d.new_this_month) }),
      h('p', { class: 'hint', text: `${d.new_last_month} last month` })),
    tile('dash-retention', 'Retention',
      h('span', { text: retentionNow ? `${retentionNow.percent}%` : '—' }),
      h('p', { class: 'hint', text: 'Of last month’s customers, the share who came back this month.' }),
      barChart(d.retention.map((r) => ({ label: r.label, value: r.percent, title: r.percent === null ? `${r.label}: nobody came the month before` : `${r.label}: ${r.retained} of ${r.base} came back (${r.percent}%)` })), 0, 100, '%')),
    tile('dash-nps', 'NPS, last 12 months',
      h('span', { text: d.nps_year === null ? '—' : String(d.nps_year) }),
      h('p', { class: 'hint', text: latest && latest.csat_average !== null ? `Satisfaction this month: ${latest.csat_average} / 5` : 'Promoters minus detractors, per month.' }),
      barChart(d.scores.map((m) => ({ label: m.label, value: m.nps, title: m.nps === null ? `${m.label}: no answers` : `${m.label}: NPS ${m.nps} from ${m.nps_answers} answers` })), -100, 100, '')),
    tile('dash-close', 'Close to a reward', h('span', { text: String(d.close_to_reward) }),
      people(d.close, 'Nobody is one step from a reward.')),
    tile('dash-top', 'Top customers', null, people(d.top, 'No spending logged yet.')),
    // Shown once the shop sells passes: one session left, or ending within a week.
    d.passes_running_out || d.passes.length
      ? tile('dash-passes', 'Passes running out', h('span', { text: String(d.passes_running_out) }), people(d.passes, ''))
      : null,
  );
}

// Bars for values between min and max (a zero line when min < 0); months
// without a value show a dash. Sized by viewBox, so it scales with the tile.
/**
 * @param {Array<{ label: string, value: number | null, title: string }>} points
 * @param {number} min @param {number} max @param {string} unit
 */
function barChart(points, min, max, unit) {
  const width = 300;
  const height = 132;
  const top = 14;
  const bottom = 30; // room for a negative bar's value above the month names
  const span = max - min;
  /** @param {number} v */
  const y = (v) => top + (height - top - bottom) * (1 - (v - min) / span);
  const slot = width / points.length;
  const zero = y(Math.max(min, 0));
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': points.map((p) => p.title).join('; ') },
    svg('line', { x1: 0, x2: width, y1: zero, y2: zero, class: 'axis' }));
  points.forEach((p, i) => {
    const x = i * slot + slot * 0.18;
    const w = slot * 0.64;
    const cx = i * slot + slot / 2;
    chart.append(svg('text', { x: cx, y: height - 4, class: 'chart-label', 'text-anchor': 'middle', text: p.label }));
    if (p.value === null || p.value === undefined) {
      chart.append(svg('text', { x: cx, y: zero - 4, class: 'chart-value', 'text-anchor': 'middle', text: '–' }));
      return;
    }
    const v = Math.max(min, Math.min(max, p.value));
    const y1 = Math.min(y(v), zero);
    const barHeight = Math.max(1.5, Math.abs(y(v) - zero));
    chart.append(svg('rect', { x, y: y1, width: w, height: barHeight, rx: 2, class: v < 0 ? 'bar negative' : 'bar' }, svg('title', { text: p.title })));
    const labelY = v < 0 ? y1 + barHeight + 11 : y1 - 3;
    chart.append(svg('text', { x: cx, y: labelY, class: 'chart-value', 'text-anchor': 'middle', text: `${p.value}${unit}` }));
  });
  return chart;
}
