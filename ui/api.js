// The only module that talks to Rust. Every call returns a promise that
// rejects with { kind, field, message } from the Rust error type.

// The types of what each call sends and what it resolves to, all generated
// from the Rust types (tests/integration/boundary.rs checks each export here
// carries one).
/**
 * @typedef {import('./types/AppStatus').AppStatus} AppStatus
 * @typedef {import('./types/Settings').Settings} Settings
 * @typedef {import('./types/SharingView').SharingView} SharingView
 * @typedef {import('./types/SharingStatus').SharingStatus} SharingStatus
 * @typedef {import('./types/ShareInput').ShareInput} ShareInput
 * @typedef {import('./types/JoinInput').JoinInput} JoinInput
 * @typedef {import('./types/OwnerState').OwnerState} OwnerState
 * @typedef {import('./types/AuditPage').AuditPage} AuditPage
 * @typedef {import('./types/Hit').Hit} Hit
 * @typedef {import('./types/CardView').CardView} CardView
 * @typedef {import('./types/CardChange').CardChange} CardChange
 * @typedef {import('./types/CheckedIn').CheckedIn} CheckedIn
 * @typedef {import('./types/Erased').Erased} Erased
 * @typedef {import('./types/CustomerInput').CustomerInput} CustomerInput
 * @typedef {import('./types/LogInput').LogInput} LogInput
 * @typedef {import('./types/Redeemable').Redeemable} Redeemable
 * @typedef {import('./types/LoyaltyProgram').LoyaltyProgram} LoyaltyProgram
 * @typedef {import('./types/TodayView').TodayView} TodayView
 * @typedef {import('./types/Snooze').Snooze} Snooze
 * @typedef {import('./types/ReminderRules').ReminderRules} ReminderRules
 * @typedef {import('./types/MembershipInput').MembershipInput} MembershipInput
 * @typedef {import('./types/Dashboard').Dashboard} Dashboard
 * @typedef {import('./types/ReviewLine').ReviewLine} ReviewLine
 * @typedef {import('./types/HealthRules').HealthRules} HealthRules
 * @typedef {import('./types/FeedbackInput').FeedbackInput} FeedbackInput
 * @typedef {import('./types/ComplaintInput').ComplaintInput} ComplaintInput
 * @typedef {import('./types/ComplaintUpdateInput').ComplaintUpdateInput} ComplaintUpdateInput
 * @typedef {import('./types/PassType').PassType} PassType
 * @typedef {import('./types/PassTypeInput').PassTypeInput} PassTypeInput
 * @typedef {import('./types/PetInput').PetInput} PetInput
 * @typedef {import('./types/VaccinationInput').VaccinationInput} VaccinationInput
 * @typedef {import('./types/PetSettings').PetSettings} PetSettings
 * @typedef {import('./types/TemplatesView').TemplatesView} TemplatesView
 * @typedef {import('./types/MessageTemplate').MessageTemplate} MessageTemplate
 * @typedef {import('./types/ComposedMessage').ComposedMessage} ComposedMessage
 * @typedef {import('./types/OutreachRules').OutreachRules} OutreachRules
 * @typedef {import('./types/ReviewCandidate').ReviewCandidate} ReviewCandidate
 * @typedef {import('./types/ReferralOverview').ReferralOverview} ReferralOverview
 * @typedef {import('./types/Qr').Qr} Qr
 * @typedef {import('./types/PlanSettings').PlanSettings} PlanSettings
 * @typedef {import('./types/PlanTemplate').PlanTemplate} PlanTemplate
 * @typedef {import('./types/BusinessKind').BusinessKind} BusinessKind
 * @typedef {import('./types/ShopContact').ShopContact} ShopContact
 * @typedef {import('./types/PdfWritten').PdfWritten} PdfWritten
 * @typedef {import('./types/ImportOptions').ImportOptions} ImportOptions
 * @typedef {import('./types/ImportPreview').ImportPreview} ImportPreview
 * @typedef {import('./types/ImportReport').ImportReport} ImportReport
 * @typedef {import('./types/ImportBatch').ImportBatch} ImportBatch
 * @typedef {import('./types/ImportUndoReport').ImportUndoReport} ImportUndoReport
 * @typedef {import('./types/CalendarView').CalendarView} CalendarView
 * @typedef {import('./types/BackupsView').BackupsView} BackupsView
 * @typedef {import('./types/BackupSettings').BackupSettings} BackupSettings
 * @typedef {import('./types/FilePurpose').FilePurpose} FilePurpose
 * @typedef {import('./types/ChosenFile').ChosenFile} ChosenFile
 * @typedef {import('./types/HistoryPage').HistoryPage} HistoryPage
 * @typedef {import('./types/UpdatesView').UpdatesView} UpdatesView
 * @typedef {import('./types/MailScreen').MailScreen} MailScreen
 * @typedef {import('./types/MailAccount').MailAccount} MailAccount
 * @typedef {import('./types/MailAccountInput').MailAccountInput} MailAccountInput
 * @typedef {import('./types/MailProgress').MailProgress} MailProgress
 * @typedef {import('./types/GroupFilter').GroupFilter} GroupFilter
 * @typedef {import('./types/GroupCount').GroupCount} GroupCount
 * @typedef {import('./types/SavedGroup').SavedGroup} SavedGroup
 * @typedef {import('./types/MessageDraft').MessageDraft} MessageDraft
 * @typedef {import('./types/GroupPreview').GroupPreview} GroupPreview
 */

// Every call is counted (`window.__regularsCalls`): the end-to-end tests
// read it to hold each screen to one call. Calls made to answer an event
// from Rust (the scheduler's "reminders-changed", which can arrive in the
// middle of a change) are counted apart, in `window.__regularsEventCalls`.
let answeringEvent = false;

/**
 * The answer's type is the export's own (each export below declares it).
 * @template [T=unknown]
 * @param {string} command
 * @param {Record<string, unknown> | Uint8Array} [args] named arguments, or raw bytes (then `options.headers` name the rest)
 * @param {{ headers: Record<string, string> }} [options]
 * @returns {Promise<T>}
 */
const invoke = (command, args = {}, options = undefined) => {
  if (answeringEvent) window.__regularsEventCalls = (window.__regularsEventCalls || 0) + 1;
  else window.__regularsCalls = (window.__regularsCalls || 0) + 1;
  return uncounted(command, args, options);
};

// A call the screens do not make (the owner's activity, reported for keys
// and clicks) goes uncounted, so a screen is still held to its own calls.
/**
 * @template [T=unknown]
 * @param {string} command
 * @param {Record<string, unknown> | Uint8Array} [args]
 * @param {{ headers: Record<string, string> }} [options]
 * @returns {Promise<T>}
 */
const uncounted = (command, args = {}, options = undefined) => {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core) {
    return Promise.reject({ kind: 'io', field: null, message: 'Regulars must run inside its app window.' });
  }
  const started = performance.now();
  // The one place the answer's type is taken on trust: each export names the
  // Rust type its command returns, and boundary.rs keeps those declarations true.
  const answer = /** @type {Promise<T>} */ (tauri.core.invoke(command, args, options));
  // The window benchmark's breakdown: how long each call took as the page
  // saw it (Rust's work, the JSON both ways and the trip). Off unless the
  // benchmark sets the list.
  const times = window.__regularsCallTimes;
  if (times) answer.then(() => times.push(performance.now() - started), () => {});
  return answer.catch((/** @type {unknown} */ error) => {
    throw typeof error === 'object' && error !== null ? error : { kind: 'unknown', field: null, message: String(error) };
  });
};

/** @type {() => Promise<AppStatus>} */
export const appStatus = () => invoke('app_status');
/** @type {() => Promise<void>} */
export const uiReady = () => invoke('ui_ready');
/** @type {(shopName: string, businessKind: string, withSample: boolean) => Promise<Settings>} */
export const startShop = (shopName, businessKind, withSample) =>
  invoke('start_shop', { shopName, businessKind, withSample });
/** @type {() => Promise<Settings>} */
export const getSettings = () => invoke('get_settings');
// A shared shop (Settings → Share this shop; the top bar's status line).
/** @type {() => Promise<SharingView>} */
export const getSharingStatus = () => invoke('get_sharing_status');
/** @type {(input: ShareInput) => Promise<SharingView>} */
export const shareShop = (input) => invoke('share_shop', { input });
/** @type {() => Promise<SharingView>} */
export const stopSharing = () => invoke('stop_sharing');
// Another device of the shop removed (owner only); the Share panel as it is now.
/** @type {(deviceId: string) => Promise<SharingView>} */
export const removeDevice = (deviceId) => invoke('remove_device', { deviceId });
// A new computer joins a shared shop (the first screen); Regulars then starts again.
/** @type {(input: JoinInput) => Promise<void>} */
export const joinShop = (input) => invoke('join_shop', { input });
// The shop's key (see vault.js): Rust checks what is typed; the key never comes back.
/** @type {(passphrase: string, repeated: string) => Promise<void>} */
export const createWithPassphrase = (passphrase, repeated) => invoke('create_with_passphrase', { passphrase, repeated });
/** @type {(typed: string) => Promise<void>} */
export const openWithKey = (typed) => invoke('open_with_key', { typed });
/** @type {(passphrase: string | null, repeated: string | null) => Promise<void>} */
export const encryptShop = (passphrase, repeated) => invoke('encrypt_shop', { passphrase, repeated });
/** @type {() => Promise<void>} */
export const keepPlainForNow = () => invoke('keep_plain_for_now');
/** @type {(file: string) => Promise<void>} */
export const saveRecoverySheet = (file) => invoke('save_recovery_sheet', { file });
/** @type {(recoveryKey: string) => Promise<void>} */
export const resetPinWithRecoveryKey = (recoveryKey) => invoke('reset_pin_with_recovery_key', { recoveryKey });
/** @type {() => Promise<OwnerState>} */
export const getOwnerState = () => invoke('get_owner_state');
// A person pressed a key or clicked: the only use that keeps owner mode open.
/** @type {() => Promise<OwnerState>} */
export const ownerActivity = () => uncounted('owner_activity');
/** @type {(pin: string) => Promise<OwnerState>} */
export const unlockOwner = (pin) => invoke('unlock_owner', { pin });
/** @type {() => Promise<OwnerState>} */
export const lockOwner = () => invoke('lock_owner');
/** @type {(pin: string, repeated: string) => Promise<OwnerState>} */
export const setOwnerPin = (pin, repeated) => invoke('set_owner_pin', { pin, repeated });
/** @type {(minutes: number) => Promise<OwnerState>} */
export const setAutoLock = (minutes) => invoke('set_auto_lock', { minutes });
// A page of the audit trail, newest first; `before` is the cursor the last page gave (its `older`).
/** @type {(before?: number | null) => Promise<AuditPage>} */
export const getAudit = (before = null) => invoke('get_audit', { before });
/** @type {(settings: Settings) => Promise<Settings>} */
export const saveSettings = (settings) => invoke('save_settings', { settings });
/** @type {(query: string, limit?: number) => Promise<Array<Hit>>} */
export const search = (query, limit = 12) => invoke('search', { query, limit });
/** @type {(id: string) => Promise<CardView>} */
export const getCardView = (id) => invoke('get_card_view', { id });
/** @type {(input: CustomerInput) => Promise<CardView>} */
export const createCustomer = (input) => invoke('create_customer', { input });
/** @type {(id: string, input: CustomerInput) => Promise<CardView>} */
export const updateCustomer = (id, input) => invoke('update_customer', { id, input });
/** @type {(id: string, archived: boolean) => Promise<CardView>} */
export const setArchived = (id, archived) => invoke('set_archived', { id, archived });
/** @type {(id: string) => Promise<Erased>} */
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
// Photos: a person's or pet's photo names them; null is the customer's own.
// Choosing one from a file is one call: Rust shows the dialog and keeps the
// photo; null when the dialog was cancelled.
/** @type {(customerId: string, personId: string | null) => Promise<CardView | null>} */
export const choosePhoto = (customerId, personId) => invoke('choose_photo', { customerId, personId });
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
/** @type {(customerId: string, before: string | null) => Promise<HistoryPage>} */
export const getHistory = (customerId, before) => invoke('get_history', { customerId, before });
/** @type {(customerId: string, input: LogInput) => Promise<CardChange>} */
export const logInteraction = (customerId, input) => invoke('log_interaction', { customerId, input });
/** @type {(customerId: string, staffId: string | null) => Promise<CheckedIn>} */
export const checkIn = (customerId, staffId) => invoke('check_in', { customerId, staffId });
/** @type {(interactionId: string, staffId: string | null) => Promise<CardView>} */
export const undoInteraction = (interactionId, staffId) => invoke('undo_interaction', { interactionId, staffId });
/** @type {(taskId: string, staffId: string | null) => Promise<CardView>} */
export const completeTask = (taskId, staffId) => invoke('complete_task', { taskId, staffId });
/** @type {(customerId: string, what: Redeemable, staffId: string | null) => Promise<CardView>} */
export const redeem = (customerId, what, staffId) => invoke('redeem', { customerId, what, staffId });
/** @type {(customerId: string, points: string, reason: string, staffId: string | null) => Promise<CardView>} */
export const adjustPoints = (customerId, points, reason, staffId) => invoke('adjust_points', { customerId, points, reason, staffId });
/** @type {() => Promise<LoyaltyProgram>} */
export const getLoyaltyProgram = () => invoke('get_loyalty_program');
/** @type {(program: LoyaltyProgram) => Promise<LoyaltyProgram>} */
export const saveLoyaltyProgram = (program) => invoke('save_loyalty_program', { program });
/** @type {() => Promise<TodayView>} */
export const getToday = () => invoke('get_today');
/** @type {(id: string, how: Snooze) => Promise<string>} */
export const snoozeReminder = (id, how) => invoke('snooze_reminder', { id, how });
/** @type {(id: string, dismissed: boolean) => Promise<void>} */
export const closeReminder = (id, dismissed) => invoke('close_reminder', { id, dismissed });
/** @type {() => Promise<ReminderRules>} */
export const getReminderRules = () => invoke('get_reminder_rules');
/** @type {(rules: ReminderRules) => Promise<ReminderRules>} */
export const saveReminderRules = (rules) => invoke('save_reminder_rules', { rules });
/** @type {(customerId: string, input: MembershipInput) => Promise<CardView>} */
export const setMembership = (customerId, input) => invoke('set_membership', { customerId, input });
/** @type {(customerId: string) => Promise<CardView>} */
export const renewMembership = (customerId) => invoke('renew_membership', { customerId });
/** @type {(customerId: string) => Promise<CardView>} */
export const endMembership = (customerId) => invoke('end_membership', { customerId });
/** @type {() => Promise<Dashboard>} */
export const getDashboard = () => invoke('get_dashboard');
/** @type {() => Promise<Array<ReviewLine>>} */
export const getReviewList = () => invoke('get_review_list');
/** @type {() => Promise<HealthRules>} */
export const getHealthRules = () => invoke('get_health_rules');
/** @type {(rules: HealthRules) => Promise<HealthRules>} */
export const saveHealthRules = (rules) => invoke('save_health_rules', { rules });
/** @type {(customerId: string, input: FeedbackInput) => Promise<CardChange>} */
export const recordFeedback = (customerId, input) => invoke('record_feedback', { customerId, input });
/** @type {(customerId: string, input: ComplaintInput) => Promise<CardView>} */
export const openComplaint = (customerId, input) => invoke('open_complaint', { customerId, input });
/** @type {(complaintId: string, input: ComplaintUpdateInput) => Promise<CardView>} */
export const addComplaintUpdate = (complaintId, input) => invoke('add_complaint_update', { complaintId, input });
/** @type {(complaintId: string, recap: string, staffId: string | null) => Promise<CardView>} */
export const closeComplaint = (complaintId, recap, staffId) => invoke('close_complaint', { complaintId, recap, staffId });
/** @type {(customerId: string, typeId: string, staffId: string | null) => Promise<CardView>} */
export const sellPass = (customerId, typeId, staffId) => invoke('sell_pass', { customerId, typeId, staffId });
/** @type {(passId: string, sessions: string, reason: string, staffId: string | null) => Promise<CardView>} */
export const adjustPass = (passId, sessions, reason, staffId) => invoke('adjust_pass', { passId, sessions, reason, staffId });
/** @type {(personId: string, input: PetInput) => Promise<CardView>} */
export const savePet = (personId, input) => invoke('save_pet', { personId, input });
/** @type {(personId: string, input: VaccinationInput) => Promise<CardView>} */
export const addVaccination = (personId, input) => invoke('add_vaccination', { personId, input });
/** @type {(vaccinationId: string) => Promise<CardView>} */
export const deleteVaccination = (vaccinationId) => invoke('delete_vaccination', { vaccinationId });
/** @type {() => Promise<Array<PassType>>} */
export const getPassTypes = () => invoke('get_pass_types');
/** @type {(types: Array<PassTypeInput>) => Promise<Array<PassType>>} */
export const savePassTypes = (types) => invoke('save_pass_types', { types });
/** @type {() => Promise<PetSettings>} */
export const getPetSettings = () => invoke('get_pet_settings');
/** @type {(settings: PetSettings) => Promise<PetSettings>} */
export const savePetSettings = (settings) => invoke('save_pet_settings', { settings });
/** @type {() => Promise<TemplatesView>} */
export const getTemplates = () => invoke('get_templates');
/** @type {(template: MessageTemplate) => Promise<MessageTemplate>} */
export const saveTemplate = (template) => invoke('save_template', { template });
/** @type {(customerId: string, template: MessageTemplate, staffId: string | null) => Promise<ComposedMessage>} */
export const previewTemplate = (customerId, template, staffId) => invoke('preview_template', { customerId, template, staffId });
/** @type {(customerId: string, key: string, staffId: string | null) => Promise<ComposedMessage>} */
export const composeMessage = (customerId, key, staffId) => invoke('compose_message', { customerId, key, staffId });
/** @type {() => Promise<OutreachRules>} */
export const getOutreachRules = () => invoke('get_outreach_rules');
/** @type {(rules: OutreachRules) => Promise<OutreachRules>} */
export const saveOutreachRules = (rules) => invoke('save_outreach_rules', { rules });
// Asking for a review and thanking a referrer are kept and sent in one call:
// the page names the customer and the channel (copy, email, sms, print),
// Rust builds the mail or SMS link from the stored template and opens it,
// or prints the QR card; copying is the page's own.
/** @type {(customerId: string, channel: string, staffId: string | null) => Promise<CardView>} */
export const askReview = (customerId, channel, staffId) => invoke('ask_review', { customerId, channel, staffId });
/** @type {(requestId: string, status: string) => Promise<CardView>} */
export const setReviewStatus = (requestId, status) => invoke('set_review_status', { requestId, status });
/** @type {() => Promise<Array<ReviewCandidate>>} */
export const getReviewCandidates = () => invoke('get_review_candidates');
/** @type {() => Promise<ReferralOverview>} */
export const getReferralOverview = () => invoke('get_referral_overview');
/** @type {(customerId: string, referralId: string, channel: string, staffId: string | null) => Promise<CardView>} */
export const thankReferrer = (customerId, referralId, channel, staffId) =>
  invoke('thank_referrer', { customerId, referralId, channel, staffId });
/** @type {() => Promise<Qr>} */
export const getReviewQr = () => invoke('get_review_qr');
/** @type {() => Promise<PlanSettings>} */
export const getPlanSettings = () => invoke('get_plan_settings');
/** @type {(template: PlanTemplate) => Promise<PlanTemplate>} */
export const savePlanTemplate = (template) => invoke('save_plan_template', { template });
/** @type {(kind: BusinessKind) => Promise<PlanTemplate>} */
export const resetPlanTemplate = (kind) => invoke('reset_plan_template', { kind });
/** @type {(contact: ShopContact) => Promise<ShopContact>} */
export const saveShopContact = (contact) => invoke('save_shop_contact', { contact });
/** @type {(customerId: string, startOn: string) => Promise<CardView>} */
export const startPlan = (customerId, startOn) => invoke('start_plan', { customerId, startOn });
/** @type {(taskId: string, done: boolean, staffId: string | null) => Promise<CardView>} */
export const tickPlanTask = (taskId, done, staffId) => invoke('tick_plan_task', { taskId, done, staffId });
/** @type {(customerId: string) => Promise<CardView>} */
export const cancelPlan = (customerId) => invoke('cancel_plan', { customerId });
/** @type {(customerId: string, file: string) => Promise<PdfWritten>} */
export const savePlanPdf = (customerId, file) => invoke('save_plan_pdf', { customerId, file });
/** @type {(customerId: string) => Promise<PdfWritten>} */
export const printPlan = (customerId) => invoke('print_plan', { customerId });
/** @type {(file: string, options: ImportOptions) => Promise<ImportPreview>} */
export const importPreview = (file, options) => invoke('import_preview', { file, options });
/** @type {(file: string, options: ImportOptions) => Promise<ImportReport>} */
export const importRun = (file, options) => invoke('import_run', { file, options });
/** @type {() => Promise<Array<ImportBatch>>} */
export const importBatches = () => invoke('import_batches');
/** @type {(batchId: string) => Promise<ImportUndoReport>} */
export const importUndo = (batchId) => invoke('import_undo', { batchId });
/** @type {(file: string) => Promise<number>} */
export const exportCustomers = (file) => invoke('export_customers', { file });
/** @type {(id: string, file: string) => Promise<void>} */
export const exportCustomer = (id, file) => invoke('export_customer', { id, file });
/** @type {(file: string) => Promise<number>} */
export const exportContacts = (file) => invoke('export_contacts', { file });
/** @type {(id: string, file: string) => Promise<number>} */
export const exportContact = (id, file) => invoke('export_contact', { id, file });
/** @type {() => Promise<CalendarView>} */
export const getCalendar = () => invoke('get_calendar');
/** @type {(file: string) => Promise<CalendarView>} */
export const setCalendarFile = (file) => invoke('set_calendar_file', { file });
/** @type {() => Promise<CalendarView>} */
export const stopCalendar = () => invoke('stop_calendar');
/** @type {(file: string) => Promise<void>} */
export const backupNow = (file) => invoke('backup_now', { file });
/** @type {() => Promise<BackupsView>} */
export const listBackups = () => invoke('list_backups');
/** @type {(settings: BackupSettings) => Promise<BackupSettings>} */
export const saveBackupSettings = (settings) => invoke('save_backup_settings', { settings });

// Settings → Updates, and start at login (Rust decides where updates come
// from and which key signs them; the page only asks).
/** @type {() => Promise<UpdatesView>} */
export const getUpdates = () => invoke('get_updates');
/** @type {() => Promise<UpdatesView>} */
export const checkForUpdates = () => invoke('check_for_updates');
/** Restarts into the new version when it works. @type {() => Promise<void>} */
export const installUpdate = () => invoke('install_update');
/** @type {(on: boolean) => Promise<UpdatesView>} */
export const setUpdateChecks = (on) => invoke('set_update_checks', { on });
/** @type {(on: boolean) => Promise<UpdatesView>} */
export const setStartAtLogin = (on) => invoke('set_start_at_login', { on });

// A backup from the list, by its file name; or one chosen in a dialog.
/** @type {(fileName: string) => Promise<string>} */
export const restoreBackup = (fileName) => invoke('restore_backup', { fileName });
/** @type {(file: string) => Promise<string>} */
export const restoreFromFile = (file) => invoke('restore_from_file', { file });
// News by email (owner only): the shop's mail account, groups with a live
// count, a message previewed, a test to the shop itself, the send and its
// progress; consent on the card answers the card.
/** @type {() => Promise<MailScreen>} */
export const getMailScreen = () => invoke('get_mail_screen');
/** @type {(input: MailAccountInput) => Promise<MailAccount>} */
export const saveMailAccount = (input) => invoke('save_mail_account', { input });
/** @type {(filter: GroupFilter) => Promise<GroupCount>} */
export const countGroup = (filter) => invoke('count_group', { filter });
/** @type {(name: string, filter: GroupFilter) => Promise<SavedGroup[]>} */
export const saveGroup = (name, filter) => invoke('save_group', { name, filter });
/** @type {(id: string) => Promise<SavedGroup[]>} */
export const removeGroup = (id) => invoke('remove_group', { id });
/** @type {(draft: MessageDraft) => Promise<GroupPreview>} */
export const previewGroupMessage = (draft) => invoke('preview_group_message', { draft });
/** @type {(draft: MessageDraft) => Promise<string>} */
export const sendTestMessage = (draft) => invoke('send_test_message', { draft });
/** @type {(draft: MessageDraft) => Promise<MailProgress>} */
export const sendGroupMessage = (draft) => invoke('send_group_message', { draft });
/** @type {(messageId: string) => Promise<MailProgress>} */
export const getMailProgress = (messageId) => invoke('get_mail_progress', { messageId });
/** @type {(messageId: string, to: 'paused' | 'sending' | 'cancelled') => Promise<MailProgress>} */
export const setMailState = (messageId, to) => invoke('set_mail_state', { messageId, to });
/** @type {(messageId: string, outboxId: string | null) => Promise<MailProgress>} */
export const retryMail = (messageId, outboxId) => invoke('retry_mail', { messageId, outboxId });
/** @type {(customerId: string, agreed: boolean) => Promise<CardView>} */
export const setNewsConsent = (customerId, agreed) => invoke('set_news_consent', { customerId, agreed });

// A native file dialog for one purpose ('import', 'export_all',
// 'export_customer', 'backup', 'restore', 'plan_pdf', 'photo'; Rust picks the title and
// the filter), with a suggested name for saving. Resolves to null if cancelled,
// else to { token, name }: the commands above take the token, never a path.
/** @type {(purpose: FilePurpose, suggestedName?: string) => Promise<ChosenFile | null>} */
export const chooseFile = (purpose, suggestedName) => invoke('choose_file', { purpose, suggestedName: suggestedName ?? null });

// Events from Rust: the scheduler's "reminders-changed", a click on a
// notification ("open-card" with the customer's id), the tray's "Today's
// reminders" ("open-today"), and in a shared shop how sharing stands
// ("sharing-status") and the cards other devices' changes touched
// ("shop-changed", their ids).
/**
 * What each event carries.
 * @typedef {{ 'reminders-changed': null, 'open-card': string, 'open-today': null, 'sharing-status': SharingStatus, 'shop-changed': string[] }} Events
 */
/**
 * @template {keyof Events} E
 * @param {E} event
 * @param {(payload: Events[E]) => void} handler
 * @returns {Promise<() => void>}
 */
export const listen = (event, handler) => {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.event) return Promise.resolve(() => {});
  return tauri.event.listen(event, (message) => {
    // A handler's first call is made before its first await: that is the
    // one counted apart.
    answeringEvent = true;
    try {
      handler(/** @type {Events[E]} */ (message.payload));
    } finally {
      answeringEvent = false;
    }
  });
};
