// The only module that talks to Rust. Every call returns a promise that
// rejects with { kind, field, message } from the Rust error type.

// Every call is counted (`window.__regularsCalls`): the end-to-end tests
// read it to hold each screen to one call. Calls made to answer an event
// from Rust (the scheduler's "reminders-changed", which can arrive in the
// middle of a change) are counted apart, in `window.__regularsEventCalls`.
let answeringEvent = false;

/**
 * @param {string} command
 * @param {Record<string, any> | Uint8Array} [args] named arguments, or raw bytes (then `options.headers` name the rest)
 * @param {{ headers: Record<string, string> }} [options]
 * @returns {Promise<any>}
 */
const invoke = (command, args = {}, options = undefined) => {
  if (answeringEvent) window.__regularsEventCalls = (window.__regularsEventCalls || 0) + 1;
  else window.__regularsCalls = (window.__regularsCalls || 0) + 1;
  return uncounted(command, args, options);
};

// A call the screens do not make (the owner's activity, reported for keys
// and clicks) goes uncounted, so a screen is still held to its own calls.
/**
 * @param {string} command
 * @param {Record<string, any> | Uint8Array} [args]
 * @param {{ headers: Record<string, string> }} [options]
 * @returns {Promise<any>}
 */
const uncounted = (command, args = {}, options = undefined) => {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core) {
    return Promise.reject({ kind: 'io', field: null, message: 'Regulars must run inside its app window.' });
  }
  const started = performance.now();
  const answer = tauri.core.invoke(command, args, options);
  // The window benchmark's breakdown: how long each call took as the page
  // saw it (Rust's work, the JSON both ways and the trip). Off unless the
  // benchmark sets the list.
  const times = window.__regularsCallTimes;
  if (times) answer.then(() => times.push(performance.now() - started), () => {});
  return answer.catch((error) => {
    throw typeof error === 'object' && error !== null ? error : { kind: 'unknown', field: null, message: String(error) };
  });
};

export const appStatus = () => invoke('app_status');
export const uiReady = () => invoke('ui_ready');
export const startShop = (shopName, businessKind, withSample) =>
  invoke('start_shop', { shopName, businessKind, withSample });
export const getSettings = () => invoke('get_settings');
// The shop's key (see vault.js): Rust checks what is typed; the key never comes back.
export const createWithPassphrase = (passphrase, repeated) => invoke('create_with_passphrase', { passphrase, repeated });
export const openWithKey = (typed) => invoke('open_with_key', { typed });
export const encryptShop = (passphrase, repeated) => invoke('encrypt_shop', { passphrase, repeated });
export const keepPlainForNow = () => invoke('keep_plain_for_now');
export const saveRecoverySheet = (file) => invoke('save_recovery_sheet', { file });
export const resetPinWithRecoveryKey = (recoveryKey) => invoke('reset_pin_with_recovery_key', { recoveryKey });
/** @type {() => Promise<import('./types/OwnerState').OwnerState>} */
export const getOwnerState = () => invoke('get_owner_state');
// A person pressed a key or clicked: the only use that keeps owner mode open.
/** @type {() => Promise<import('./types/OwnerState').OwnerState>} */
export const ownerActivity = () => uncounted('owner_activity');
/** @type {(pin: string) => Promise<import('./types/OwnerState').OwnerState>} */
export const unlockOwner = (pin) => invoke('unlock_owner', { pin });
/** @type {() => Promise<import('./types/OwnerState').OwnerState>} */
export const lockOwner = () => invoke('lock_owner');
/** @type {(pin: string, repeated: string) => Promise<import('./types/OwnerState').OwnerState>} */
export const setOwnerPin = (pin, repeated) => invoke('set_owner_pin', { pin, repeated });
/** @type {(minutes: number) => Promise<import('./types/OwnerState').OwnerState>} */
export const setAutoLock = (minutes) => invoke('set_auto_lock', { minutes });
// A page of the audit trail, newest first; `before` is the cursor the last page gave (its `older`).
/** @type {(before?: number | null) => Promise<import('./types/AuditPage').AuditPage>} */
export const getAudit = (before = null) => invoke('get_audit', { before });
export const saveSettings = (settings) => invoke('save_settings', { settings });
/** @type {(query: string, limit?: number) => Promise<Array<import('./types/Hit').Hit>>} */
export const search = (query, limit = 12) => invoke('search', { query, limit });
/** @type {(id: string) => Promise<import('./types/CardView').CardView>} */
export const getCardView = (id) => invoke('get_card_view', { id });
/** @type {(input: Record<string, any>) => Promise<CardView>} */
export const createCustomer = (input) => invoke('create_customer', { input });
/** @type {(id: string, input: Record<string, any>) => Promise<CardView>} */
export const updateCustomer = (id, input) => invoke('update_customer', { id, input });
/** @type {(id: string, archived: boolean) => Promise<CardView>} */
export const setArchived = (id, archived) => invoke('set_archived', { id, archived });
/** @type {(id: string) => Promise<import('./types/Erased').Erased>} */
export const deleteCustomer = (id) => invoke('delete_customer', { id });
/** @type {(customerId: string, body: string, pinned: boolean) => Promise<CardView>} */
export const addNote = (customerId, body, pinned) => invoke('add_note', { customerId, body, pinned });
/** @type {(noteId: string, pinned: boolean) => Promise<CardView>} */
export const setNotePinned = (noteId, pinned) => invoke('set_note_pinned', { noteId, pinned });
/** @type {(noteId: string) => Promise<CardView>} */
export const deleteNote = (noteId) => invoke('delete_note', { noteId });
// Every change to a card answers the card view as it is now (CardView), which
// the card repaints from (card.js showCard); logging and feedback answer a
// sentence with it (CardChange).
/** @typedef {import('./types/CardView').CardView} CardView */
/** @typedef {import('./types/CardChange').CardChange} CardChange */
// Photos: a person's or pet's photo names them; null is the customer's own.
/** @type {(customerId: string, personId: string | null, file: string) => Promise<CardView>} */
export const setPhotoFromFile = (customerId, personId, file) => invoke('set_photo_from_file', { customerId, personId, file });
// A pasted picture goes as the call's raw bytes, not as JSON.
/** @type {(customerId: string, personId: string | null, bytes: Uint8Array) => Promise<CardView>} */
export const pastePhoto = (customerId, personId, bytes) =>
  invoke('paste_photo', bytes, { headers: { 'x-customer-id': customerId, 'x-person-id': personId || '' } });
/** @type {(customerId: string, personId: string | null) => Promise<CardView>} */
export const removePhoto = (customerId, personId) => invoke('remove_photo', { customerId, personId });
// The address of a photo's picture (64 or 256 px) in the app's own scheme:
// regulars-photo://localhost/<id>/<size> (http://regulars-photo.localhost/
// on Windows). Only an id and a size: never a path.
/** @type {(id: string, size: number) => string} */
export const photoUrl = (id, size) => {
  const tauri = window.__TAURI__;
  return tauri && tauri.core ? tauri.core.convertFileSrc(`${id}/${size}`, 'regulars-photo') : '';
};
export const getHistory = (customerId, before) => invoke('get_history', { customerId, before });
/** @type {(customerId: string, input: Record<string, any>) => Promise<CardChange>} */
export const logInteraction = (customerId, input) => invoke('log_interaction', { customerId, input });
/** @type {(customerId: string, staffId: string | null) => Promise<import('./types/CheckedIn').CheckedIn>} */
export const checkIn = (customerId, staffId) => invoke('check_in', { customerId, staffId });
/** @type {(interactionId: string, staffId: string | null) => Promise<CardView>} */
export const undoInteraction = (interactionId, staffId) => invoke('undo_interaction', { interactionId, staffId });
/** @type {(taskId: string, staffId: string | null) => Promise<CardView>} */
export const completeTask = (taskId, staffId) => invoke('complete_task', { taskId, staffId });
/** @type {(customerId: string, what: Record<string, any>, staffId: string | null) => Promise<CardView>} */
export const redeem = (customerId, what, staffId) => invoke('redeem', { customerId, what, staffId });
/** @type {(customerId: string, points: string, reason: string, staffId: string | null) => Promise<CardView>} */
export const adjustPoints = (customerId, points, reason, staffId) => invoke('adjust_points', { customerId, points, reason, staffId });
export const getLoyaltyProgram = () => invoke('get_loyalty_program');
export const saveLoyaltyProgram = (program) => invoke('save_loyalty_program', { program });
/** @type {() => Promise<import('./types/TodayView').TodayView>} */
export const getToday = () => invoke('get_today');
export const snoozeReminder = (id, how) => invoke('snooze_reminder', { id, how });
export const closeReminder = (id, dismissed) => invoke('close_reminder', { id, dismissed });
export const getReminderRules = () => invoke('get_reminder_rules');
export const saveReminderRules = (rules) => invoke('save_reminder_rules', { rules });
/** @type {(customerId: string, input: Record<string, any>) => Promise<CardView>} */
export const setMembership = (customerId, input) => invoke('set_membership', { customerId, input });
/** @type {(customerId: string) => Promise<CardView>} */
export const renewMembership = (customerId) => invoke('renew_membership', { customerId });
/** @type {(customerId: string) => Promise<CardView>} */
export const endMembership = (customerId) => invoke('end_membership', { customerId });
export const getDashboard = () => invoke('get_dashboard');
export const getReviewList = () => invoke('get_review_list');
export const getHealthRules = () => invoke('get_health_rules');
export const saveHealthRules = (rules) => invoke('save_health_rules', { rules });
/** @type {(customerId: string, input: Record<string, any>) => Promise<CardChange>} */
export const recordFeedback = (customerId, input) => invoke('record_feedback', { customerId, input });
/** @type {(customerId: string, input: Record<string, any>) => Promise<CardView>} */
export const openComplaint = (customerId, input) => invoke('open_complaint', { customerId, input });
/** @type {(complaintId: string, input: Record<string, any>) => Promise<CardView>} */
export const addComplaintUpdate = (complaintId, input) => invoke('add_complaint_update', { complaintId, input });
/** @type {(complaintId: string, recap: string, staffId: string | null) => Promise<CardView>} */
export const closeComplaint = (complaintId, recap, staffId) => invoke('close_complaint', { complaintId, recap, staffId });
/** @type {(customerId: string, typeId: string, staffId: string | null) => Promise<import('./types/CardView').CardView>} */
export const sellPass = (customerId, typeId, staffId) => invoke('sell_pass', { customerId, typeId, staffId });
/** @type {(passId: string, sessions: string, reason: string, staffId: string | null) => Promise<import('./types/CardView').CardView>} */
export const adjustPass = (passId, sessions, reason, staffId) => invoke('adjust_pass', { passId, sessions, reason, staffId });
/** @type {(personId: string, input: Record<string, any>) => Promise<import('./types/CardView').CardView>} */
export const savePet = (personId, input) => invoke('save_pet', { personId, input });
/** @type {(personId: string, input: { name: string, given_on: string, expires_on: string }) => Promise<import('./types/CardView').CardView>} */
export const addVaccination = (personId, input) => invoke('add_vaccination', { personId, input });
/** @type {(vaccinationId: string) => Promise<import('./types/CardView').CardView>} */
export const deleteVaccination = (vaccinationId) => invoke('delete_vaccination', { vaccinationId });
/** @type {() => Promise<Array<import('./types/PassType').PassType>>} */
export const getPassTypes = () => invoke('get_pass_types');
/** @type {(types: Array<Record<string, any>>) => Promise<Array<import('./types/PassType').PassType>>} */
export const savePassTypes = (types) => invoke('save_pass_types', { types });
/** @type {() => Promise<import('./types/PetSettings').PetSettings>} */
export const getPetSettings = () => invoke('get_pet_settings');
/** @type {(settings: import('./types/PetSettings').PetSettings) => Promise<import('./types/PetSettings').PetSettings>} */
export const savePetSettings = (settings) => invoke('save_pet_settings', { settings });
export const getTemplates = () => invoke('get_templates');
export const saveTemplate = (template) => invoke('save_template', { template });
export const previewTemplate = (customerId, template, staffId) => invoke('preview_template', { customerId, template, staffId });
export const composeMessage = (customerId, key, staffId) => invoke('compose_message', { customerId, key, staffId });
export const getOutreachRules = () => invoke('get_outreach_rules');
export const saveOutreachRules = (rules) => invoke('save_outreach_rules', { rules });
/** @type {(customerId: string, channel: string, staffId: string | null) => Promise<CardView>} */
export const askReview = (customerId, channel, staffId) => invoke('ask_review', { customerId, channel, staffId });
/** @type {(requestId: string, status: string) => Promise<CardView>} */
export const setReviewStatus = (requestId, status) => invoke('set_review_status', { requestId, status });
export const getReviewCandidates = () => invoke('get_review_candidates');
export const getReferralOverview = () => invoke('get_referral_overview');
/** @type {(referralId: string) => Promise<CardView>} */
export const markReferralThanked = (referralId) => invoke('mark_referral_thanked', { referralId });
// The mail or messages app with a composed message: the page names the
// customer and the message, Rust builds the link.
export const openMessage = (customerId, key, channel, staffId) => invoke('open_message', { customerId, key, channel, staffId });
export const printReviewCard = () => invoke('print_review_card');
export const getReviewQr = () => invoke('get_review_qr');
export const getPlanSettings = () => invoke('get_plan_settings');
export const savePlanTemplate = (template) => invoke('save_plan_template', { template });
export const resetPlanTemplate = (kind) => invoke('reset_plan_template', { kind });
export const saveShopContact = (contact) => invoke('save_shop_contact', { contact });
/** @type {(customerId: string, startOn: string) => Promise<CardView>} */
export const startPlan = (customerId, startOn) => invoke('start_plan', { customerId, startOn });
/** @type {(taskId: string, done: boolean, staffId: string | null) => Promise<CardView>} */
export const tickPlanTask = (taskId, done, staffId) => invoke('tick_plan_task', { taskId, done, staffId });
/** @type {(customerId: string) => Promise<CardView>} */
export const cancelPlan = (customerId) => invoke('cancel_plan', { customerId });
export const savePlanPdf = (customerId, file) => invoke('save_plan_pdf', { customerId, file });
export const printPlan = (customerId) => invoke('print_plan', { customerId });
export const importPreview = (file, options) => invoke('import_preview', { file, options });
export const importRun = (file, options) => invoke('import_run', { file, options });
export const importBatches = () => invoke('import_batches');
export const importUndo = (batchId) => invoke('import_undo', { batchId });
export const exportCustomers = (file) => invoke('export_customers', { file });
export const exportCustomer = (id, file) => invoke('export_customer', { id, file });
export const exportContacts = (file) => invoke('export_contacts', { file });
export const exportContact = (id, file) => invoke('export_contact', { id, file });
export const getCalendar = () => invoke('get_calendar');
export const setCalendarFile = (file) => invoke('set_calendar_file', { file });
export const stopCalendar = () => invoke('stop_calendar');
export const backupNow = (file) => invoke('backup_now', { file });
export const listBackups = () => invoke('list_backups');
export const saveBackupSettings = (settings) => invoke('save_backup_settings', { settings });
// A backup from the list, by its file name; or one chosen in a dialog.
export const restoreBackup = (fileName) => invoke('restore_backup', { fileName });
export const restoreFromFile = (file) => invoke('restore_from_file', { file });
// A native file dialog for one purpose ('import', 'export_all',
// 'export_customer', 'backup', 'restore', 'plan_pdf', 'photo'; Rust picks the title and
// the filter), with a suggested name for saving. Resolves to null if cancelled,
// else to { token, name }: the commands above take the token, never a path.
/** @type {(purpose: string, suggestedName?: string) => Promise<{ token: string, name: string } | null>} */
export const chooseFile = (purpose, suggestedName) => invoke('choose_file', { purpose, suggestedName: suggestedName ?? null });

// Events from Rust: the scheduler's "reminders-changed" and a click on a
// notification ("open-card" with the customer's id).
export const listen = (event, handler) => {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.event) return Promise.resolve(() => {});
  return tauri.event.listen(event, (message) => {
    // A handler's first call is made before its first await: that is the
    // one counted apart.
    answeringEvent = true;
    try {
      handler(message.payload);
    } finally {
      answeringEvent = false;
    }
  });
};
