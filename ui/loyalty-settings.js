// The loyalty program form in Settings: points, punch card, rewards, tiers
// and bonuses. Rust validates; saving never changes past ledger entries.

import * as api from './api.js';
import { h, showError, clearErrors, must, all } from './dom.js';

/** @param {string} id @param {string} label @param {number} value @param {string} field */
function numberField(id, label, value, field) {
  return h('div', { class: 'field' },
    h('label', { for: id, text: label }),
    h('input', { type: 'number', min: '0', step: '1', id, class: 'short', 'data-field': field, value: String(value) }),
    h('p', { class: 'field-error', 'data-for': field, role: 'alert' }));
}

/**
 * @template T
 * @param {string} id @param {T[]} items @param {(item: T) => HTMLElement} makeRow
 */
function rowList(id, items, makeRow) {
  const list = h('ul', { class: 'edit-rows', id });
  for (const item of items) list.append(makeRow(item));
  return list;
}

/** @param {import('./types/Reward').Reward} [reward] */
function rewardRow(reward = { id: '', name: '', cost: 100 }) {
  const row = h('li', { class: 'reward-row', dataset: { id: reward.id || '' } },
    h('input', { type: 'text', class: 'reward-name', 'aria-label': 'Reward', placeholder: 'e.g. Free smoothie', value: reward.name }),
    h('input', { type: 'number', min: '1', class: 'reward-cost short', 'aria-label': 'Points', value: String(reward.cost) }),
    h('span', { class: 'hint', text: 'points' }),
    h('button', { type: 'button', class: 'link danger', onclick: () => row.remove() }, 'Remove'));
  return row;
}

/** @param {import('./types/Tier').Tier} [tier] */
function tierRow(tier = { name: '', threshold: 1000, perk: '' }) {
  const row = h('li', { class: 'tier-row' },
    h('input', { type: 'text', class: 'tier-name', 'aria-label': 'Tier name', placeholder: 'e.g. Gold', value: tier.name }),
    h('input', { type: 'number', min: '1', class: 'tier-threshold short', 'aria-label': 'Lifetime points', value: String(tier.threshold) }),
    h('input', { type: 'text', class: 'tier-perk', 'aria-label': 'Perk', placeholder: 'Perk, e.g. 10% off', value: tier.perk }),
    h('button', { type: 'button', class: 'link danger', onclick: () => row.remove() }, 'Remove'));
  return row;
}

/** @param {import('./types/LoyaltyProgram').LoyaltyProgram} program */
export function renderLoyaltySettings(program) {
  const punchOn = h('input', { type: 'checkbox', id: 'punch-on', checked: Boolean(program.punch_card) });
  const punchEvery = h('input', { type: 'number', min: '2', id: 'punch-every', 'aria-label': 'Visits per reward', class: 'short', 'data-field': 'punch_card', value: String(program.punch_card ? program.punch_card.every : 10) });
  const punchReward = h('input', { type: 'text', id: 'punch-reward', 'aria-label': 'Punch card reward', value: program.punch_card ? program.punch_card.reward : 'free visit' });
  const rewards = rowList('reward-rows', program.rewards, rewardRow);
  const tiers = rowList('tier-rows', program.tiers, tierRow);
  const saved = h('p', { class: 'saved', role: 'status' });

  const form = h('form', { class: 'panel editor', id: 'loyalty-form', novalidate: true },
    h('h2', { text: 'Loyalty program' }),
    h('p', { class: 'hint', text: 'Changes apply from now on; points already earned or redeemed stay as they were.' }),
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('div', { class: 'form-grid' },
      numberField('points-per-visit', 'Points per visit', program.points_per_visit, 'points_per_visit'),
      numberField('points-per-unit', 'Points per unit of money spent', program.points_per_currency_unit, 'points_per_currency_unit'),
      numberField('birthday-bonus', 'Birthday bonus (visit within a week of it)', program.birthday_bonus, 'birthday_bonus'),
      numberField('referral-bonus', 'Referral bonus', program.referral_bonus, 'referral_bonus'),
      h('div', { class: 'field' },
        h('label', { for: 'visit-word', text: 'One visit is called' }),
        h('input', { type: 'text', id: 'visit-word', 'data-field': 'visit_word', value: program.visit_word, placeholder: 'visit, walk, class…' }),
        h('p', { class: 'field-error', 'data-for': 'visit_word', role: 'alert' }))),
    h('fieldset', {},
      h('legend', { text: 'Punch card' }),
      h('div', { class: 'row' },
        h('label', { class: 'check' }, punchOn, ' Every'), punchEvery,
        h('span', { text: 'visits earn a' }), punchReward),
      h('p', { class: 'field-error', 'data-for': 'punch_card', role: 'alert' })),
    h('fieldset', {},
      h('legend', { text: 'Rewards' }),
      rewards,
      h('p', { class: 'field-error', 'data-for': 'rewards', role: 'alert' }),
      h('button', { type: 'button', id: 'add-reward', onclick: () => { const row = rewardRow(); rewards.append(row); must(row, 'input', HTMLInputElement).focus(); } }, '+ Add a reward')),
    h('fieldset', {},
      h('legend', { text: 'Tiers (by lifetime points)' }),
      tiers,
      h('p', { class: 'field-error', 'data-for': 'tiers', role: 'alert' }),
      h('button', { type: 'button', id: 'add-tier', onclick: () => { const row = tierRow(); tiers.append(row); must(row, 'input', HTMLInputElement).focus(); } }, '+ Add a tier')),
    h('div', { class: 'row actions' },
      h('button', { type: 'submit', class: 'primary', id: 'save-loyalty' }, 'Save loyalty program'),
      saved));

  /** @param {HTMLInputElement} input */
  const whole = (input) => (input.value.trim() === '' ? -1 : Math.trunc(Number(input.value)));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    saved.textContent = '';
    /** @type {import('./types/LoyaltyProgram').LoyaltyProgram} */
    const next = {
      points_per_visit: whole(must(form, '#points-per-visit', HTMLInputElement)),
      points_per_currency_unit: whole(must(form, '#points-per-unit', HTMLInputElement)),
      birthday_bonus: whole(must(form, '#birthday-bonus', HTMLInputElement)),
      referral_bonus: whole(must(form, '#referral-bonus', HTMLInputElement)),
      visit_word: must(form, '#visit-word', HTMLInputElement).value,
      punch_card: punchOn.checked ? { every: whole(punchEvery), reward: punchReward.value } : null,
      rewards: all(rewards, '.reward-row', HTMLElement).map((row) => ({
        id: row.dataset.id ?? '', name: must(row, '.reward-name', HTMLInputElement).value, cost: whole(must(row, '.reward-cost', HTMLInputElement)),
      })),
      tiers: [...tiers.querySelectorAll('.tier-row')].map((row) => ({
        name: must(row, '.tier-name', HTMLInputElement).value,
        threshold: whole(must(row, '.tier-threshold', HTMLInputElement)),
        perk: must(row, '.tier-perk', HTMLInputElement).value,
      })),
    };
    try {
      clearErrors(form);
      const stored = await api.saveLoyaltyProgram(next);
      const fresh = renderLoyaltySettings(stored);
      form.replaceWith(fresh);
      must(fresh, '.saved', HTMLElement).textContent = 'Saved.';
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}
