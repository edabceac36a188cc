// The Data screen: import from a spreadsheet (choose a file, confirm the
// columns, look at the preview, import, read the report), past imports
// with Undo, export to CSV, and backups with restore.

import * as api from './api.js';
import { h, fill, must, formatDateTime, showError, clearErrors, described, chosen as chosenOf } from './dom.js';
import { fieldLabels, duplicateLabels } from './types/labels.js';

/** @typedef {import('./types/ImportOptions').ImportOptions} ImportOptions */
/** @typedef {() => Promise<void>} Refresh a panel drawn again from a fresh read */

/** @type {Array<[import('./types/DateOrder').DateOrder, string]>} */
const dateOrders = [['day_first', 'Day first (31/12/1990)'], ['month_first', 'Month first (12/31/1990)']];

/** @param {number} n @param {string} one @param {string} [many] */
const plural = (n, one, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** @param {import('./main.js').App} app */
export async function renderData(app) {
  const root = h('div', { class: 'data' }, h('h1', { tabindex: '-1', text: 'Data: import, export, backups' }));
  const importPanel = h('section', { class: 'panel', id: 'import-panel', 'aria-label': 'Import' });
  const batchesPanel = h('section', { class: 'panel', id: 'import-batches-panel', 'aria-label': 'Past imports' });
  const exportPanel = h('section', { class: 'panel', 'aria-label': 'Export' });
  const calendarPanel = h('section', { class: 'panel', id: 'calendar-panel', 'aria-label': 'Calendar' });
  const backupsPanel = h('section', { class: 'panel', id: 'backups-panel', 'aria-label': 'Backups' });
  root.append(importPanel, batchesPanel, exportPanel, calendarPanel, backupsPanel);

  const refreshBatches = async () => batchesPanel.replaceChildren(...await batchesView(refreshBatches));
  startImport(importPanel, refreshBatches);
  exportPanel.append(...exportView());
  const refreshBackups = async () => backupsPanel.replaceChildren(...await backupsView(refreshBackups));
  /** @param {import('./types/CalendarView').CalendarView} view */
  const showCalendar = (view) => calendarPanel.replaceChildren(...calendarView(view, showCalendar));
  await Promise.all([refreshBatches(), refreshBackups(), api.getCalendar().then(showCalendar)]);
  return root;
}

// ---------------------------------------------------------------- import

/** @param {HTMLElement} panel @param {Refresh} refreshBatches */
function startImport(panel, refreshBatches) {
  const status = h('p', { class: 'field-error', 'data-for': 'file', role: 'alert' });
  const choose = h('button', { type: 'button', class: 'primary', id: 'import-choose' }, 'Choose a CSV file…');
  panel.replaceChildren(
    h('h2', { text: 'Import customers from a spreadsheet' }),
    h('p', { class: 'hint', text: 'Save your list from Excel, Google Sheets or another tool as CSV. You will see how each column is read and every problem before anything is stored, and you can undo the whole import later.' }),
    h('div', { class: 'row' }, choose),
    status,
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }));
  choose.addEventListener('click', async () => {
    try {
      const chosen = await api.chooseFile('import');
      if (!chosen) return;
      /** @type {ImportOptions} */
      const options = { mapping: null, date_order: null, on_duplicate: 'skip', choices: {} };
      const preview = await api.importPreview(chosen.token, options);
      showPreview(panel, chosen.token, options, preview, refreshBatches);
    } catch (error) {
      showError(panel, error);
    }
  });
}

// `file` is the token of the file chosen in the dialog.
/**
 * @param {HTMLElement} panel @param {string} file @param {ImportOptions} options
 * @param {import('./types/ImportPreview').ImportPreview} preview @param {Refresh} refreshBatches
 */
function showPreview(panel, file, options, preview, refreshBatches) {
  /** @param {Partial<ImportOptions>} change */
  const again = async (change) => {
    const next = { ...options, ...change };
    try {
      const fresh = await api.importPreview(file, next);
      showPreview(panel, file, next, fresh, refreshBatches);
    } catch (error) {
      showError(panel, error);
    }
  };

  const mapping = preview.mapping.slice();
  const columns = h('div', { class: 'import-columns', id: 'import-mapping' }, preview.headers.map((heading, i) => {
    const select = h('select', { 'data-column': String(i), 'aria-label': `Field for column ${heading || i + 1}`, class: mapping[i] === 'ignore' ? 'ignored' : '' },
      fieldLabels.map(([value, label]) => h('option', { value, text: label, selected: mapping[i] === value })));
    select.addEventListener('change', () => {
      mapping[i] = chosenOf(select, fieldLabels);
      again({ mapping });
    });
    return h('div', { class: 'import-column' }, h('span', { class: 'import-heading', text: heading || `Column ${i + 1}` }), select);
  }));

  const hasBirthday = mapping.includes('birthday');
  const dateOrder = h('select', { id: 'import-date-order', 'data-field': 'date_order' },
    dateOrders.map(([value, label]) => h('option', { value, text: label, selected: preview.date_order === value })));
  dateOrder.addEventListener('change', () => again({ mapping, date_order: chosenOf(dateOrder, dateOrders) }));

  const onDuplicate = h('select', { id: 'import-on-duplicate' },
    duplicateLabels.map(([value, label]) => h('option', { value, text: label, selected: options.on_duplicate === value })));
  onDuplicate.addEventListener('change', () => again({ mapping, on_duplicate: chosenOf(onDuplicate, duplicateLabels), choices: {} }));

  const choices = { ...options.choices };
  const duplicates = preview.duplicates.length
    ? h('div', {},
      h('h3', { text: `${plural(preview.duplicate_count, 'row')} ${preview.duplicate_count === 1 ? 'matches a customer' : 'match customers'} already there or earlier in the file` }),
      h('div', { class: 'row' }, h('label', { for: 'import-on-duplicate', text: 'For all of them:' }), onDuplicate),
      h('ul', { class: 'import-list', id: 'import-duplicates' }, preview.duplicates.map((d) => {
        const select = h('select', { 'data-row': String(d.row), 'aria-label': `Row ${d.row}` },
          duplicateLabels.map(([value, label]) => h('option', { value, text: label, selected: d.choice === value })));
        select.addEventListener('change', () => {
          choices[d.row] = chosenOf(select, duplicateLabels);
          again({ mapping, choices });
        });
        return h('li', {},
          h('span', { class: 'import-row-number', text: `Row ${d.row}` }),
          h('span', { class: 'import-what', text: `${d.name}: same ${d.matched_on} as ${d.existing_name}` }),
          select);
      })))
    : null;

  const willImport = preview.new_rows + preview.duplicates.filter((d) => d.choice !== 'skip').length
    + Math.max(0, preview.duplicate_count - preview.duplicates.length) * (options.on_duplicate === 'skip' ? 0 : 1);
  const run = h('button', { type: 'button', class: 'primary', id: 'import-run', disabled: willImport === 0 },
    willImport === 0 ? 'Nothing to import' : `Import ${plural(willImport, 'row')}`);
  const cancel = h('button', { type: 'button', id: 'import-cancel', onclick: () => startImport(panel, refreshBatches) }, 'Cancel');
  run.addEventListener('click', async () => {
    run.disabled = true;
    run.textContent = 'Importing…';
    try {
      const report = await api.importRun(file, { ...options, mapping, choices });
      showReport(panel, report, refreshBatches);
      refreshBatches();
    } catch (error) {
      run.disabled = false;
      run.textContent = `Import ${plural(willImport, 'row')}`;
      showError(panel, error);
    }
  });

  const sampleHeads = ['Row', 'Name', 'Phone', 'Email', 'Birthday', 'Tags', 'People and pets', 'Notes'];
  // fill(), not replaceChildren(): a null (no remembered mapping) is skipped, not shown as "null".
  fill(panel,
    h('h2', { text: `Import ${preview.file_name}` }),
    h('p', { class: 'hint', text: preview.encoding === 'vCard'
      ? `Read as contacts (vCard): ${plural(preview.total_rows, 'contact')}.`
      : `Read as ${preview.encoding}, separated by ${preview.delimiter}. ${plural(preview.total_rows, 'row')} below the headings.` }),
    h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }),
    h('h3', { text: 'Which field is in each column?' }),
    preview.remembered ? h('p', { class: 'hint', id: 'import-remembered', text: 'As you chose them for the last file with these headings.' }) : null,
    columns,
    h('p', { class: 'field-error', 'data-for': 'mapping', role: 'alert' }),
    hasBirthday ? h('div', { class: 'row import-dates' },
      h('label', { for: 'import-date-order', text: 'Birthdays are written' }), dateOrder,
      preview.date_order_ambiguous ? h('span', { class: 'warning', id: 'import-date-warning', text: 'These dates read both ways: please check.' }) : null) : null,
    h('h3', { text: 'Preview: the first rows as they will be stored' }),
    h('div', { class: 'table-wrap' }, h('table', { class: 'import-sample', id: 'import-sample' },
      h('thead', {}, h('tr', {}, sampleHeads.map((text) => h('th', { text })))),
      h('tbody', {}, preview.sample.map((s) => h('tr', {},
        [String(s.row), s.name, s.phone, s.email, s.birthday, s.tags, s.pets, s.notes].map((text) => h('td', { text }))))))),
    h('p', { class: 'import-summary', id: 'import-summary', text: `${plural(preview.new_rows, 'new customer')}, ${plural(preview.duplicate_count, 'duplicate')}, ${plural(preview.rejected_count, 'row')} with a problem.` }),
    preview.problems.length ? h('div', {},
      h('h3', { text: `${plural(preview.rejected_count, 'row')} will not be imported` }),
      problemList(preview.problems, 'import-problems', preview.rejected_count)) : null,
    duplicates,
    h('div', { class: 'row actions' }, run, cancel));
  const first = panel.querySelector('select');
  if (first) first.focus();
}

/** @param {Array<import('./types/ImportProblem').ImportProblem>} problems @param {string} id @param {number} total */
function problemList(problems, id, total) {
  return h('ul', { class: 'import-list problems', id }, problems.map((p) => h('li', {},
    h('span', { class: 'import-row-number', text: `Row ${p.row}` }),
    h('span', { class: 'import-what' }, h('strong', { text: p.reason }), h('span', { class: 'hint', text: ` ${p.cells}` })))),
  total > problems.length ? h('li', { class: 'hint', text: `…and ${(total - problems.length).toLocaleString()} more` }) : null);
}

/** @param {HTMLElement} panel @param {import('./types/ImportReport').ImportReport} report @param {Refresh} refreshBatches */
function showReport(panel, report, refreshBatches) {
  fill(panel,
    h('h2', { text: 'Import finished' }),
    h('p', { class: 'import-report', id: 'import-report', role: 'status', text:
      `Imported ${report.imported.toLocaleString()}, merged ${report.merged.toLocaleString()}, skipped ${report.skipped.toLocaleString()}, rejected ${report.rejected.toLocaleString()}.` }),
    report.problems.length ? problemList(report.problems, 'import-report-problems', report.rejected) : null,
    h('p', { class: 'hint', text: report.batch_id ? 'You can undo this import below under “Past imports”.' : 'Nothing was stored.' }),
    h('div', { class: 'row' }, h('button', { type: 'button', id: 'import-another', onclick: () => startImport(panel, refreshBatches) }, 'Import another file')));
  const heading = must(panel, 'h2', HTMLHeadingElement);
  heading.setAttribute('tabindex', '-1');
  heading.focus();
}

/** @param {Refresh} refresh */
async function batchesView(refresh) {
  const head = h('h2', { text: 'Past imports' });
  /** @type {Array<import('./types/ImportBatch').ImportBatch>} */
  let batches;
  try {
    batches = await api.importBatches();
  } catch (error) {
    return [head, h('p', { class: 'field-error', text: described(error).message })];
  }
  if (!batches.length) return [head, h('p', { class: 'hint', text: 'No imports yet.' })];
  return [head, h('ul', { class: 'import-list', id: 'import-batches' }, batches.map((b) => {
    const line = h('li', { dataset: { id: b.id } },
      h('span', { class: 'import-what' },
        h('strong', { text: b.file_name }),
        h('span', { class: 'hint', text: ` ${formatDateTime(b.created_at)}: ${b.imported} added, ${b.merged} merged, ${b.skipped} skipped, ${b.rejected} rejected` })));
    if (b.undone_at) {
      line.append(h('span', { class: 'badge', text: 'undone' }));
    } else {
      const undo = h('button', { type: 'button', class: 'danger undo-import' }, 'Undo…');
      undo.addEventListener('click', () => {
        const message = h('p', { class: 'field-error', role: 'alert' });
        const yes = h('button', {
          type: 'button', class: 'danger solid', id: 'confirm-undo-import',
          onclick: async () => {
            try {
              await api.importUndo(b.id);
              refresh();
            } catch (error) {
              message.textContent = described(error).message;
            }
          },
        }, 'Undo the import');
        const no = h('button', { type: 'button', onclick: () => refresh() }, 'Keep it');
        line.append(h('div', { class: 'confirm-box' },
          h('span', { text: `The ${plural(b.imported, 'customer')} it added ${b.imported === 1 ? 'is' : 'are'} deleted, with anything logged for them since${b.merged ? `; the ${plural(b.merged, 'card')} it merged into ${b.merged === 1 ? 'goes' : 'go'} back to how ${b.merged === 1 ? 'it was' : 'they were'} before it` : ''}.` }),
          yes, no, message));
        undo.remove();
        no.focus();
      });
      line.append(undo);
    }
    return line;
  }))];
}

// ---------------------------------------------------------------- export

function exportView() {
  const said = h('p', { class: 'saved', role: 'status', id: 'export-status' });
  const form = h('div', {}, h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }));
  // One button per format: the file is chosen in Rust's dialog, then written.
  /**
   * @param {string} id @param {string} text @param {import('./types/FilePurpose').FilePurpose} purpose
   * @param {string} extension @param {(file: string) => Promise<number>} run
   */
  const exportButton = (id, text, purpose, extension, run) => {
    const button = h('button', { type: 'button', id }, text);
    button.addEventListener('click', async () => {
      said.textContent = '';
      try {
        clearErrors(form);
        const day = new Date().toISOString().slice(0, 10);
        const chosen = await api.chooseFile(purpose, `customers-${day}.${extension}`);
        if (!chosen) return;
        const count = await run(chosen.token);
        said.textContent = `Exported ${plural(count, 'customer')} to ${chosen.name}.`;
      } catch (error) {
        showError(form, error);
      }
    });
    return button;
  };
  return [
    h('h2', { text: 'Export' }),
    h('p', { class: 'hint', text: 'Every customer with every field, as a CSV file that Excel and Google Sheets open directly; or as contacts (vCard) for a phone, Google Contacts or Outlook. One customer’s complete data is exported from their card.' }),
    h('div', { class: 'row' },
      exportButton('export-all', 'Export all customers to CSV…', 'export_all', 'csv', api.exportCustomers),
      exportButton('export-contacts', 'Export all as contacts (vCard)…', 'export_contacts', 'vcf', api.exportContacts),
      said),
    form,
  ];
}

// ---------------------------------------------------------------- calendar

/**
 * @param {import('./types/CalendarView').CalendarView} view
 * @param {(view: import('./types/CalendarView').CalendarView) => void} show
 */
function calendarView(view, show) {
  const form = h('div', {}, h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }));
  /** @param {() => Promise<import('./types/CalendarView').CalendarView | null>} action */
  const run = (action) => async () => {
    try {
      clearErrors(form);
      const next = await action();
      if (next) show(next);
    } catch (error) {
      showError(form, error);
    }
  };
  const choose = h('button', { type: 'button', id: 'calendar-choose' }, view.file ? 'Choose another file…' : 'Keep a calendar file…');
  choose.addEventListener('click', run(async () => {
    const chosen = await api.chooseFile('calendar', 'regulars-calendar.ics');
    return chosen ? api.setCalendarFile(chosen.token) : null;
  }));
  const stop = view.file ? h('button', { type: 'button', id: 'calendar-stop' }, 'Stop updating it') : null;
  stop?.addEventListener('click', run(() => api.stopCalendar()));
  const status = view.file
    ? `Kept up to date at ${view.file}${view.events == null ? '' : ` (${plural(view.events, 'event')} now)`}.`
    : 'No calendar file yet.';
  return [
    h('h2', { text: 'Calendar of birthdays and renewals' }),
    h('p', { class: 'hint', text: 'A calendar file (.ics) with every customer’s birthday and every membership renewal, rewritten within a minute or two of a change while Regulars runs. Put it in a folder your calendar app subscribes to (Thunderbird, Evolution or macOS Calendar read a local file; for Google or Outlook, a synced folder). It holds names and dates: keep it somewhere private.' }),
    h('p', { class: 'saved', role: 'status', id: 'calendar-status', text: status }),
    h('div', { class: 'row' }, choose, stop),
    form,
  ];
}

// ---------------------------------------------------------------- backups

/** @param {Refresh} refresh */
async function backupsView(refresh) {
  const head = h('h2', { text: 'Backups' });
  /** @type {import('./types/BackupsView').BackupsView} */
  let view;
  try {
    view = await api.listBackups();
  } catch (error) {
    return [head, h('p', { class: 'field-error', text: described(error).message })];
  }
  const form = h('div', {}, h('p', { class: 'field-error', 'data-for': 'form', role: 'alert' }));
  const said = h('p', { class: 'saved', role: 'status', id: 'backup-status' });
  const now = h('button', { type: 'button', id: 'backup-now' }, 'Back up now…');
  now.addEventListener('click', async () => {
    said.textContent = '';
    try {
      clearErrors(form);
      const stamp = new Date().toISOString().slice(0, 16).replace(/[T:]/g, '-');
      const chosen = await api.chooseFile('backup', `regulars-backup-${stamp}.sqlite3`);
      if (!chosen) return;
      await api.backupNow(chosen.token);
      said.textContent = `Saved a backup to ${chosen.name}.`;
    } catch (error) {
      showError(form, error);
    }
  });
  const fromFile = h('button', { type: 'button', id: 'restore-file' }, 'Restore from a file…');
  fromFile.addEventListener('click', async () => {
    try {
      clearErrors(form);
      const chosen = await api.chooseFile('restore');
      if (chosen) confirmRestore(form, () => api.restoreFromFile(chosen.token), chosen.name);
    } catch (error) {
      showError(form, error);
    }
  });
  const keep = h('input', { type: 'number', min: '1', max: '365', id: 'backup-keep', class: 'short', 'data-field': 'keep', value: String(view.settings.keep) });
  const saveKeep = h('button', { type: 'button', id: 'save-backup-keep' }, 'Save');
  saveKeep.addEventListener('click', async () => {
    try {
      clearErrors(form);
      await api.saveBackupSettings({ keep: Math.trunc(Number(keep.value) || 0) });
      refresh();
    } catch (error) {
      showError(form, error);
    }
  });

  const list = view.backups.length
    ? h('ul', { class: 'import-list', id: 'backup-list' }, view.backups.map((b) => h('li', {},
      h('span', { class: 'import-what' },
        h('strong', { text: formatDateTime(b.made_at) }),
        h('span', { class: 'hint', text: ` ${b.automatic ? 'automatic' : b.file_name.startsWith('before-restore') ? 'saved before a restore' : b.file_name}, ${(b.size_bytes / 1048576).toFixed(1)} MB` })),
      h('button', { type: 'button', class: 'restore-backup', onclick: () => confirmRestore(form, () => api.restoreBackup(b.file_name), formatDateTime(b.made_at)) }, 'Restore…'))))
    : h('p', { class: 'hint', text: 'No backups yet. The first automatic one is made a few seconds after start.' });

  return [
    head,
    h('p', { class: 'hint', text: `Regulars backs up automatically when it starts and once a day while it runs, into ${view.folder}.` }),
    h('div', { class: 'row' },
      h('label', { for: 'backup-keep', text: 'Keep the last' }), keep, h('span', { text: 'automatic backups' }), saveKeep),
    h('p', { class: 'field-error', 'data-for': 'keep', role: 'alert' }),
    h('div', { class: 'row actions' }, now, fromFile, said),
    form,
    list,
  ];
}

// `restore` makes the call: from the list by name, or a chosen file by token.
/** @param {HTMLElement} form @param {() => Promise<unknown>} restore @param {string} label */
function confirmRestore(form, restore, label) {
  const old = form.querySelector('.confirm-box');
  if (old) old.remove();
  const message = h('p', { class: 'field-error', role: 'alert' });
  const yes = h('button', {
    type: 'button', class: 'danger solid', id: 'confirm-restore',
    onclick: async () => {
      yes.disabled = true;
      try {
        await restore();
        window.location.reload();
      } catch (error) {
        yes.disabled = false;
        message.textContent = described(error).message;
      }
    },
  }, 'Restore');
  const no = h('button', { type: 'button', onclick: () => box.remove() }, 'Cancel');
  const box = h('div', { class: 'confirm-box', id: 'restore-confirm' },
    h('span', { text: `Replace all current data with the backup from ${label}? The backup is checked first, and your current data is saved as a backup in the backups folder, so you can go back.` }),
    yes, no, message);
  form.append(box);
  no.focus();
}
