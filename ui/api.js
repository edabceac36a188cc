// The only module that talks to Rust. Every call returns a promise that
// rejects with { kind, field, message } from the Rust error type.

const invoke = (command, args = {}) => {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core) {
    return Promise.reject({ kind: 'io', field: null, message: 'Regulars must run inside its app window.' });
  }
  return tauri.core.invoke(command, args).catch((error) => {
    throw typeof error === 'object' && error !== null ? error : { kind: 'unknown', field: null, message: String(error) };
  });
};

export const appStatus = () => invoke('app_status');
export const uiReady = () => invoke('ui_ready');
export const startShop = (shopName, businessKind, withSample) =>
  invoke('start_shop', { shopName, businessKind, withSample });
export const getSettings = () => invoke('get_settings');
export const saveSettings = (settings) => invoke('save_settings', { settings });
export const search = (query, limit = 12) => invoke('search', { query, limit });
export const getCard = (id) => invoke('get_card', { id });
export const createCustomer = (input) => invoke('create_customer', { input });
export const updateCustomer = (id, input) => invoke('update_customer', { id, input });
export const setArchived = (id, archived) => invoke('set_archived', { id, archived });
export const deleteCustomer = (id) => invoke('delete_customer', { id });
export const addNote = (customerId, body, pinned) => invoke('add_note', { customerId, body, pinned });
export const setNotePinned = (noteId, pinned) => invoke('set_note_pinned', { noteId, pinned });
export const deleteNote = (noteId) => invoke('delete_note', { noteId });
export const getActivity = (customerId) => invoke('get_activity', { customerId });
export const getHistory = (customerId, before) => invoke('get_history', { customerId, before });
export const logInteraction = (customerId, input) => invoke('log_interaction', { customerId, input });
export const checkIn = (customerId, staffId) => invoke('check_in', { customerId, staffId });
export const undoInteraction = (interactionId, staffId) => invoke('undo_interaction', { interactionId, staffId });
export const completeTask = (taskId, staffId) => invoke('complete_task', { taskId, staffId });
export const redeem = (customerId, what, staffId) => invoke('redeem', { customerId, what, staffId });
export const adjustPoints = (customerId, points, reason, staffId) => invoke('adjust_points', { customerId, points, reason, staffId });
export const getLoyaltyProgram = () => invoke('get_loyalty_program');
export const saveLoyaltyProgram = (program) => invoke('save_loyalty_program', { program });
export const getToday = () => invoke('get_today');
export const snoozeReminder = (id, how) => invoke('snooze_reminder', { id, how });
export const closeReminder = (id, dismissed) => invoke('close_reminder', { id, dismissed });
export const getReminderRules = () => invoke('get_reminder_rules');
export const saveReminderRules = (rules) => invoke('save_reminder_rules', { rules });
export const getMembership = (customerId) => invoke('get_membership', { customerId });
export const setMembership = (customerId, input) => invoke('set_membership', { customerId, input });
export const renewMembership = (customerId) => invoke('renew_membership', { customerId });
export const endMembership = (customerId) => invoke('end_membership', { customerId });
export const importPreview = (path, options) => invoke('import_preview', { path, options });
export const importRun = (path, options) => invoke('import_run', { path, options });
export const importBatches = () => invoke('import_batches');
export const importUndo = (batchId) => invoke('import_undo', { batchId });
export const exportCustomers = (path) => invoke('export_customers', { path });
export const exportCustomer = (id, path) => invoke('export_customer', { id, path });
export const backupNow = (path) => invoke('backup_now', { path });
export const listBackups = () => invoke('list_backups');
export const saveBackupSettings = (settings) => invoke('save_backup_settings', { settings });
export const restoreBackup = (path) => invoke('restore_backup', { path });
// A native file dialog. question: { mode: 'open'|'save', title, filterName,
// extensions: ['csv'], suggestedName }. Resolves to a path, or null if cancelled.
export const chooseFile = (question) => invoke('choose_file', {
  question: {
    mode: question.mode, title: question.title, filter_name: question.filterName,
    extensions: question.extensions, suggested_name: question.suggestedName ?? null,
  },
});

// Events from Rust: the scheduler's "reminders-changed" and a click on a
// notification ("open-card" with the customer's id).
export const listen = (event, handler) => {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.event) return Promise.resolve(() => {});
  return tauri.event.listen(event, (message) => handler(message.payload));
};
