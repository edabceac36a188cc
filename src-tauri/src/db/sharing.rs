//! What a shared shop sends and keeps: every table's place in sharing, the
//! outbox the writers fill in their own transactions, and the ledger of
//! what this device has applied. The one writer of the `sync_*` tables.
//!
//! The outbox is filled by triggers, not by each writer by hand: a
//! writer cannot forget to say what it wrote, and a column added later is
//! sent without a change here (the triggers are made from the schema each
//! time the writer connection opens). They are TEMP triggers, kept on the
//! connection and out of the file, so the shop's schema stays the one its
//! migrations make (`store::schema_is_ours`). They record only while this
//! device shares the shop (`sync_state.capture`), and `seal` gives one
//! transaction's rows one change id and one clock reading before it
//! commits: one transaction, one change.
//!
//! Derived figures (health, balances, rhythm, monthly figures, the search
//! index) are never sent: each device works them out from the records it
//! applies (`features::sync`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::kernel::error::{Error, Result};
use crate::kernel::hlc::Reading;
use crate::kernel::ids::new_id;

/// A table's place in a shared shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// Sent: rows are inserted, edited field by field (the later clock
    /// wins) and deleted.
    Record,
    /// Sent: rows are only ever added; devices' rows merge as a union.
    AppendOnly,
    /// This device's own; never sent.
    DeviceLocal,
    /// Worked out from the records on each device; never sent.
    Derived,
}

/// One table of the schema and how it is shared.
pub struct Table {
    pub name: &'static str,
    pub sharing: Sharing,
    /// The column that names a row on every device.
    pub key: &'static str,
    /// SQL for the customer a row belongs to, with `R` for the row (NEW or
    /// OLD), so "delete completely" finds that customer's unsent rows;
    /// `NULL` for rows of the shop.
    pub owner: &'static str,
    /// Columns kept on the row but never sent: figures each device works
    /// out, and what belongs to this device alone.
    pub never_sent: &'static [&'static str],
}

const fn table(name: &'static str, sharing: Sharing, owner: &'static str) -> Table {
    Table { name, sharing, key: "id", owner, never_sent: &[] }
}

use Sharing::{AppendOnly, Derived, DeviceLocal, Record};

/// Every table of the schema, each in one place; the architecture test
/// fails when a table is missing here.
pub const TABLES: &[Table] = &[
    Table {
        name: "customers",
        sharing: Record,
        key: "id",
        owner: "R.id",
        never_sent: &[
            "pk",
            "last_visit_at",
            "usual_gap_days",
            "quiet_after",
            "usual_minute",
            "usual_weekdays",
            "lifetime_cents",
            "points_balance",
            "stamps_balance",
            "health_yellow_from",
            "health_red_from",
        ],
    },
    table("people", Record, "R.customer_id"),
    table("notes", Record, "R.customer_id"),
    table("memberships", Record, "R.customer_id"),
    table("complaints", Record, "R.customer_id"),
    table("plans", Record, "R.customer_id"),
    table("plan_tasks", Record, "R.customer_id"),
    table("tasks", Record, "R.customer_id"),
    table("photos", Record, "R.customer_id"),
    Table { name: "pets", sharing: Record, key: "person_id", owner: "R.customer_id", never_sent: &[] },
    table("vaccinations", Record, "R.customer_id"),
    table("referrals", Record, "R.referred_id"),
    table("review_requests", Record, "R.customer_id"),
    table("staff", Record, "NULL"),
    table("passes", Record, "R.customer_id"),
    // Snoozes and dismissals travel; each desk shows its own notification.
    Table {
        name: "reminders",
        sharing: Record,
        key: "id",
        owner: "R.customer_id",
        never_sent: &["notified_at", "notified_how"],
    },
    Table { name: "settings", sharing: Record, key: "key", owner: "NULL", never_sent: &[] },
    table("import_batches", Record, "NULL"),
    // Every device knows every other by name, and which the owner removed.
    table("devices", Record, "NULL"),
    // Consent travels like the card; its id is derived from the customer's.
    table("email_consent", Record, "R.customer_id"),
    table("interactions", AppendOnly, "R.customer_id"),
    table("points_ledger", AppendOnly, "R.customer_id"),
    table("pass_ledger", AppendOnly, "R.customer_id"),
    table("feedback", AppendOnly, "R.customer_id"),
    table("complaint_updates", AppendOnly, "(SELECT customer_id FROM main.complaints WHERE id = R.complaint_id)"),
    table("import_rows", AppendOnly, "R.customer_id"),
    // What each customer was sent: a line on their history on every device.
    table("mail_sent", AppendOnly, "R.customer_id"),
    // Its integer id is each device's own; a received line gets the next one here.
    Table { name: "audit_log", sharing: AppendOnly, key: "id", owner: "NULL", never_sent: &["id"] },
    table("activity_months", Derived, "NULL"),
    table("month_stats", Derived, "NULL"),
    table("feedback_months", Derived, "NULL"),
    table("search_keys", Derived, "NULL"),
    table("search_entries", Derived, "NULL"),
    table("search_text", Derived, "NULL"),
    table("sync_state", DeviceLocal, "NULL"),
    table("sync_outbox", DeviceLocal, "NULL"),
    table("sync_clocks", DeviceLocal, "NULL"),
    table("sync_applied", DeviceLocal, "NULL"),
    table("sync_tombstones", DeviceLocal, "NULL"),
    table("sync_parts", DeviceLocal, "NULL"),
    // What this device saw overwritten by another's later edit.
    table("overwritten_fields", DeviceLocal, "R.customer_id"),
    // A message goes out from the device that holds the mail account's
    // password: its queue is that device's own.
    table("mail_messages", DeviceLocal, "NULL"),
    table("mail_outbox", DeviceLocal, "NULL"),
];

/// The settings rows every device shares (the shop, its programs, rules
/// and templates, the owner PIN). Every other row is this device's own:
/// where it writes its calendar file and backups, its recovery sheet's
/// state, when its reminder sources last ran, an import's remembered
/// mapping.
/// The settings row with this device's connection to the shop's server
/// (`io::sharing_setup`); without it, this device does not share.
pub const CONNECTION_SETTING: &str = "sharing_connection";

pub const SHARED_SETTINGS: &[&str] = &[
    "shop",
    "loyalty",
    "pass_types",
    "pet_settings",
    "plan_templates",
    "shop_contact",
    "reminder_rules",
    "health_rules",
    "outreach_rules",
    "message_templates",
    "owner_lock",
    "mail_groups",
];

pub fn table_named(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|table| table.name == name)
}

/// A table's columns as they are sent: (name, is a BLOB). A BLOB travels
/// as hex in the change's JSON.
pub fn sent_columns(conn: &Connection, table: &Table) -> Result<Vec<(String, bool)>> {
    let mut stmt = conn.prepare_cached("SELECT name, upper(type) = 'BLOB' FROM pragma_table_info(?1) ORDER BY cid")?;
    let columns = stmt.query_map([table.name], |row| Ok((row.get::<_, String>(0)?, row.get::<_, bool>(1)?)))?;
    let mut sent = Vec::new();
    for column in columns {
        let (name, blob) = column?;
        if !table.never_sent.contains(&name.as_str()) {
            sent.push((name, blob));
        }
    }
    Ok(sent)
}

/// Makes this connection's capture triggers (see the module comment). Run
/// on every writer connection when it opens; they do nothing until the
/// shop is shared.
pub fn make_capture_triggers(conn: &Connection) -> Result<()> {
    // This transaction's change id and clock reading (`begin`), on the
    // connection only: never in the file.
    let mut sql = String::from(
        "CREATE TEMP TABLE IF NOT EXISTS sync_pending (
            only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
            change_id TEXT NOT NULL,
            clock TEXT NOT NULL
        );\n",
    );
    for table in TABLES.iter().filter(|table| matches!(table.sharing, Record | AppendOnly)) {
        let columns = sent_columns(conn, table)?;
        sql.push_str(&capture_triggers_sql(table, &columns));
    }
    conn.execute_batch(&sql)?;
    Ok(())
}

/// A row's sent columns as a JSON object (`row` is NEW or OLD); a BLOB as hex.
fn row_json(row: &str, columns: &[(String, bool)]) -> String {
    let pairs: Vec<String> = columns
        .iter()
        .map(|(column, blob)| {
            if *blob {
                format!("'{column}', hex({row}.\"{column}\")")
            } else {
                format!("'{column}', {row}.\"{column}\"")
            }
        })
        .collect();
    format!("json_object({})", pairs.join(", "))
}

/// What an update's trigger says about the sent columns: whether any
/// differs, the names of those that do, and the new row's values of those
/// alone. An update sends the columns it changed and no others: a
/// check-in's card row is then a few dozen bytes in the outbox, not the
/// whole card.
struct UpdateSql {
    differs: String,
    changed: String,
    data: String,
}

fn update_sql(columns: &[(String, bool)]) -> UpdateSql {
    let differs: Vec<String> =
        columns.iter().map(|(column, _)| format!("NEW.\"{column}\" IS NOT OLD.\"{column}\"")).collect();
    // One row per changed column (name, new value), gathered into the
    // object and the list: a card's 40-odd columns are compared, but only
    // the changed ones are written out. (Building the whole row and then
    // removing the unchanged members cost about three times as much.)
    let changed_rows: Vec<String> = columns
        .iter()
        .map(|(column, blob)| {
            let value = if *blob { format!("hex(NEW.\"{column}\")") } else { format!("NEW.\"{column}\"") };
            format!("SELECT '{column}' AS name, {value} AS value WHERE NEW.\"{column}\" IS NOT OLD.\"{column}\"")
        })
        .collect();
    let changed_rows = changed_rows.join(" UNION ALL ");
    UpdateSql {
        differs: differs.join(" OR "),
        changed: format!("(SELECT json_group_array(name) FROM ({changed_rows}))"),
        data: format!("(SELECT json_group_object(name, value) FROM ({changed_rows}))"),
    }
}

fn capture_triggers_sql(table: &Table, columns: &[(String, bool)]) -> String {
    let name = table.name;
    let update = update_sql(columns);
    let owner = |row: &str| table.owner.replace("R.", &format!("{row}."));
    // The row's key: the local integer id of an audit line is never sent,
    // but it still names the outbox row.
    let key = |row: &str| format!("{row}.\"{}\"", table.key);
    let shared_only = |row: &str| {
        if name == "settings" {
            let keys: Vec<String> = SHARED_SETTINGS.iter().map(|key| format!("'{key}'")).collect();
            format!(" AND {row}.key IN ({})", keys.join(", "))
        } else {
            String::new()
        }
    };
    let capturing = "(SELECT capture FROM main.sync_state) = 1";
    let stamp = "(SELECT change_id FROM temp.sync_pending), (SELECT clock FROM temp.sync_pending)";
    format!(
        "CREATE TEMP TRIGGER IF NOT EXISTS sync_{name}_insert AFTER INSERT ON main.\"{name}\"
         WHEN {capturing}{new_shared} BEGIN
           INSERT INTO main.sync_outbox (change_id, clock, table_name, row_key, op, customer_id, row_data)
           VALUES ({stamp}, '{name}', {new_key}, 'insert', {new_owner}, {new_data});
         END;
         CREATE TEMP TRIGGER IF NOT EXISTS sync_{name}_update AFTER UPDATE ON main.\"{name}\"
         WHEN {capturing}{new_shared} AND ({differs}) BEGIN
           INSERT INTO main.sync_outbox (change_id, clock, table_name, row_key, op, customer_id, row_data, changed)
           VALUES ({stamp}, '{name}', {new_key}, 'update', {new_owner}, {changed_data}, {changed});
         END;
         CREATE TEMP TRIGGER IF NOT EXISTS sync_{name}_delete AFTER DELETE ON main.\"{name}\"
         WHEN {capturing}{old_shared} BEGIN
           INSERT INTO main.sync_outbox (change_id, clock, table_name, row_key, op, customer_id)
           VALUES ({stamp}, '{name}', {old_key}, 'delete', {old_owner});
         END;\n",
        new_shared = shared_only("NEW"),
        old_shared = shared_only("OLD"),
        new_key = key("NEW"),
        old_key = key("OLD"),
        new_owner = owner("NEW"),
        old_owner = owner("OLD"),
        new_data = row_json("NEW", columns),
        differs = update.differs,
        changed = update.changed,
        changed_data = update.data,
    )
}

/// This device in a shared shop.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub id: String,
    pub name: String,
    pub clock: Reading,
    /// The last stream sequence applied here.
    pub applied_seq: u64,
}

/// This device, when the shop is shared; `None` when it is not.
///
/// Its clock is the later of the reading kept in `sync_state` and the one
/// its newest unsent change carries: a change made at the desk stamps
/// only its outbox rows, and the reading moves to `sync_state` when a
/// change leaves the outbox (`keep_clock`), so a check-in writes one page
/// fewer.
pub fn device(conn: &Connection) -> Result<Option<Device>> {
    Ok(state(conn)?.map(|state| state.device))
}

/// This device and where its outbox stands, read in one statement (every
/// write transaction of a shared shop reads it in `begin`).
struct State {
    device: Device,
    capturing: bool,
    /// The outbox's last sequence, and the last one stamped with a change.
    last_seq: Option<i64>,
    stamped_to: i64,
}

fn state(conn: &Connection) -> Result<Option<State>> {
    let Some((mut state, newest)) = conn
        .prepare_cached(
            "SELECT s.device_id, s.device_name, s.clock_wall_ms, s.clock_counter, s.applied_seq, s.capture,
                    (SELECT max(seq) FROM sync_outbox), o.seq, o.clock
             FROM sync_state s LEFT JOIN (SELECT seq, clock FROM sync_outbox WHERE change_id IS NOT NULL
                                          ORDER BY seq DESC LIMIT 1) o
             WHERE s.only_row = 1",
        )?
        .query_row([], |row| {
            let id: String = row.get(0)?;
            let clock = Reading { wall_ms: row.get(2)?, counter: row.get(3)?, device: id.clone() };
            let device = Device { id, name: row.get(1)?, clock, applied_seq: row.get::<_, i64>(4)?.max(0) as u64 };
            let state = State {
                device,
                capturing: row.get(5)?,
                last_seq: row.get(6)?,
                stamped_to: row.get::<_, Option<i64>>(7)?.unwrap_or(0),
            };
            Ok((state, row.get::<_, Option<String>>(8)?))
        })
        .optional()?
    else {
        return Ok(None);
    };
    if let Some(newest) = newest.as_deref().and_then(Reading::decode) {
        let clock = &mut state.device.clock;
        if (newest.wall_ms, newest.counter) > (clock.wall_ms, clock.counter) {
            *clock = Reading { device: clock.device.clone(), ..newest };
        }
    }
    Ok(Some(state))
}

/// Keeps this device's clock in `sync_state` before outbox rows are
/// removed: the reading their change carried must not be lost with them
/// (see `device`).
fn keep_clock(conn: &Connection) -> Result<()> {
    if let Some(device) = device(conn)? {
        conn.prepare_cached("UPDATE sync_state SET clock_wall_ms = ?1, clock_counter = ?2 WHERE only_row = 1")?
            .execute(params![device.clock.wall_ms, device.clock.counter])?;
    }
    Ok(())
}

/// A device's name as the owner types it: 1 to 60 characters. Checked
/// before a server is reached, so a bad name is said first.
pub fn check_device_name(name: &str) -> Result<()> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(Error::invalid(
            "device_name",
            "Give this device a name of up to 60 characters, such as \"Front desk\".",
        ));
    }
    Ok(())
}

/// Starts recording this device's changes: the shop is shared from here
/// on (what it held before travels in the snapshot). Returns the device.
pub fn start(conn: &Connection, device_name: &str) -> Result<Device> {
    check_device_name(device_name)?;
    let name = device_name.trim();
    if let Some(mut device) = device(conn)? {
        conn.execute("UPDATE sync_state SET device_name = ?1, capture = 1 WHERE only_row = 1", [name])?;
        device.name = name.to_string();
        return Ok(device);
    }
    let id = new_id();
    conn.execute("INSERT INTO sync_state (only_row, device_id, device_name) VALUES (1, ?1, ?2)", params![id, name])?;
    device(conn)?.ok_or(Error::NotFound("This device's sharing state"))
}

/// Stops recording: this device no longer shares the shop. What waits in
/// the outbox is dropped (it will not be sent); the device keeps its id,
/// clock and position, so sharing again goes on from there.
pub fn stop(conn: &Connection) -> Result<()> {
    leave_outbox(conn, "DELETE FROM sync_outbox", [])?;
    conn.execute("UPDATE sync_state SET capture = 0 WHERE only_row = 1", [])?;
    Ok(())
}

/// A copy of another device's shop that this device joins with: that
/// device's identity, clock and unsent changes are not this one's.
pub fn forget_device(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM sync_state", [])?;
    conn.execute("DELETE FROM sync_outbox", [])?;
    // A change this transaction opened was that device's too.
    conn.execute("DELETE FROM temp.sync_pending", [])?;
    Ok(())
}

/// Whether changes are recorded here now (sharing on, no apply under way).
pub fn capturing(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT capture FROM sync_state WHERE only_row = 1")?
        .query_row([], |row| row.get(0))
        .optional()?
        .unwrap_or(false))
}

/// Sets whether this connection's changes are recorded: off while another
/// device's change is applied (it is not this device's to send), on again
/// before that transaction commits.
pub fn set_capture(conn: &Connection, on: bool) -> Result<()> {
    conn.prepare_cached("UPDATE sync_state SET capture = ?1 WHERE only_row = 1")?.execute([on])?;
    Ok(())
}

/// Opens this transaction's change: the id and the device's next clock
/// reading the capture triggers stamp on every outbox row the transaction
/// adds (`temp.sync_pending`), so a row is written once, at its final
/// size. Called by every writer's transaction before its first write
/// (`store::write`); does nothing when this device does not share or an
/// apply has turned recording off.
///
/// Rows a write outside `store::write` left unstamped (at the end of the
/// outbox, after the last stamped one: found by walking back from the
/// last sequence, with no index kept on unstamped rows) join this change.
pub fn begin(tx: &Connection, now: DateTime<Utc>) -> Result<()> {
    let Some(state) = state(tx)?.filter(|state| state.capturing) else { return Ok(()) };
    let clock = state.device.clock.tick(now.timestamp_millis()).encode();
    let change_id = new_id();
    if state.last_seq.is_some_and(|last| last > state.stamped_to) {
        tx.prepare_cached("UPDATE sync_outbox SET change_id = ?1, clock = ?2 WHERE seq > ?3")?.execute(params![
            change_id,
            clock,
            state.stamped_to
        ])?;
    }
    tx.prepare_cached("INSERT OR REPLACE INTO temp.sync_pending (only_row, change_id, clock) VALUES (1, ?1, ?2)")?
        .execute(params![change_id, clock])?;
    Ok(())
}

/// Closes this transaction's change just before it commits: rows written
/// after it on this connection are not stamped with its id. Noted as
/// applied when sent (`sent`), off the desk's path: a change of this
/// device's that comes back before then is applied again, which changes
/// nothing (its rows are here, its fields' clocks its own: see
/// `record_own_clocks`). Its clock reading stays on its outbox rows until
/// then too (`device`).
pub fn seal(tx: &Connection) -> Result<()> {
    tx.prepare_cached("DELETE FROM temp.sync_pending")?.execute([])?;
    Ok(())
}

/// Records the clock reading of every field this device's unsent changes
/// edited, from the outbox rows not recorded yet (`sync_state.clocks_to`).
/// Done on the way to the server, not at the desk: before another
/// device's changes are applied (a field edited here later keeps its
/// value) and before outbox rows leave. A check-in in a shared shop then
/// writes no clock row.
pub fn record_own_clocks(conn: &Connection) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_clocks (table_name, row_key, column_name, clock)
         SELECT o.table_name, o.row_key, c.value, o.clock FROM sync_outbox o, json_each(o.changed) c
         WHERE o.seq > (SELECT clocks_to FROM sync_state WHERE only_row = 1)
           AND o.op = 'update' AND o.clock IS NOT NULL AND c.value IS NOT NULL
         ON CONFLICT (table_name, row_key, column_name) DO UPDATE SET clock = max(clock, excluded.clock)",
    )?
    .execute([])?;
    conn.prepare_cached(
        "UPDATE sync_state SET clocks_to = max(clocks_to,
            (SELECT coalesce(max(seq), 0) FROM sync_outbox WHERE clock IS NOT NULL)) WHERE only_row = 1",
    )?
    .execute([])?;
    Ok(())
}

/// Removes outbox rows (`delete`, with its parameter) without losing what
/// they carried for this device: its clock reading and its fields' clocks
/// are recorded first. The outbox's sequence starts again from its last
/// row, so the recorded mark comes back down with it.
fn leave_outbox(conn: &Connection, delete: &str, values: impl rusqlite::Params) -> Result<()> {
    keep_clock(conn)?;
    record_own_clocks(conn)?;
    conn.prepare_cached(delete)?.execute(values)?;
    conn.prepare_cached(
        "UPDATE sync_state SET clocks_to = min(clocks_to, (SELECT coalesce(max(seq), 0) FROM sync_outbox))
         WHERE only_row = 1",
    )?
    .execute([])?;
    Ok(())
}

/// One row a change carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowChange {
    pub table: String,
    pub key: String,
    pub op: Op,
    /// Whose card the row is on, when it is on one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// The columns sent: all of an inserted row's, the ones an update
    /// changed, none for a delete or an erase.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub data: serde_json::Map<String, serde_json::Value>,
    /// The columns an update changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Insert,
    Update,
    Delete,
    /// A customer deleted completely: the id alone travels.
    Erase,
}

/// One transaction's changes, as sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub id: String,
    pub device: String,
    pub clock: String,
    /// The schema version of the device that made it.
    pub schema: i64,
    pub rows: Vec<RowChange>,
    /// Set on one part of a change too large for one message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<Part>,
}

/// Which part of which change a message is: `n` of `total`, from 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub of: String,
    pub n: u32,
    pub total: u32,
}

/// Keeps a part of a change until its last part arrives.
pub fn keep_part(conn: &Connection, part: &Part, rows: &[RowChange]) -> Result<()> {
    let json =
        serde_json::to_string(rows).map_err(|_| Error::Conflict("A part of a change could not be kept.".into()))?;
    conn.prepare_cached("INSERT OR REPLACE INTO sync_parts (change_id, part, row_data) VALUES (?1, ?2, ?3)")?
        .execute(params![part.of, part.n, json])?;
    Ok(())
}

/// The rows of the parts kept for `change_id`, in order; they are removed.
pub fn take_parts(conn: &Connection, change_id: &str) -> Result<Vec<RowChange>> {
    let texts: Vec<String> = conn
        .prepare_cached("SELECT row_data FROM sync_parts WHERE change_id = ?1 ORDER BY part")?
        .query_map([change_id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    conn.prepare_cached("DELETE FROM sync_parts WHERE change_id = ?1")?.execute([change_id])?;
    let mut rows = Vec::new();
    for text in texts {
        let part: Vec<RowChange> =
            serde_json::from_str(&text).map_err(|_| Error::Conflict("A kept part of a change is damaged.".into()))?;
        rows.extend(part);
    }
    Ok(rows)
}

/// The sealed changes waiting to be sent, oldest first, at most `limit`.
/// A change's rows are one run in the outbox (see `sent`): it is read from
/// the start and no further than the changes asked for.
pub fn waiting(conn: &Connection, limit: usize, schema: i64) -> Result<Vec<Change>> {
    let Some(device) = device(conn)? else { return Ok(Vec::new()) };
    let mut stmt = conn.prepare_cached(
        "SELECT change_id, clock, table_name, row_key, op, customer_id, row_data, changed FROM sync_outbox
         WHERE change_id IS NOT NULL ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut changes: Vec<Change> = Vec::new();
    while let Some(row) = rows.next()? {
        let change_id: String = row.get(0)?;
        let another = changes.last().is_none_or(|change| change.id != change_id);
        if another && changes.len() == limit {
            break;
        }
        let op: String = row.get(4)?;
        let row_change = RowChange {
            table: row.get(2)?,
            key: row.get(3)?,
            op: serde_json::from_value(serde_json::Value::String(op))
                .map_err(|_| Error::Conflict("An outbox row names an unknown change.".into()))?,
            customer: row.get(5)?,
            data: parse_object(&row.get::<_, String>(6)?)?,
            changed: parse_names(&row.get::<_, String>(7)?)?,
        };
        match changes.last_mut() {
            Some(change) if change.id == change_id => change.rows.push(row_change),
            _ => changes.push(Change {
                id: change_id,
                device: device.id.clone(),
                clock: row.get(1)?,
                schema,
                rows: vec![row_change],
                part: None,
            }),
        }
    }
    Ok(changes)
}

fn parse_object(text: &str) -> Result<serde_json::Map<String, serde_json::Value>> {
    serde_json::from_str(text).map_err(|_| Error::Conflict("An outbox row is damaged.".into()))
}

fn parse_names(text: &str) -> Result<Vec<String>> {
    let names: Vec<Option<String>> =
        serde_json::from_str(text).map_err(|_| Error::Conflict("An outbox row is damaged.".into()))?;
    Ok(names.into_iter().flatten().collect())
}

/// How many sealed changes wait to be sent.
pub fn waiting_count(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT count(DISTINCT change_id) FROM sync_outbox WHERE change_id IS NOT NULL")?
        .query_row([], |row| row.get(0))?)
}

/// A change the server has stored at `seq`: it leaves the outbox.
///
/// The outbox has no index by change (a check-in would write one more
/// page), and a desk back from a day offline holds thousands of changes:
/// deleting by change id alone read the whole outbox for each change sent.
/// A change's rows are written together (one transaction on the one
/// writer) and changes are sent oldest first, so its rows are the first run
/// of rows in the outbox: found from the start, deleted by sequence.
pub fn sent(conn: &Connection, change_id: &str, seq: u64) -> Result<()> {
    let (first, next): (Option<i64>, Option<i64>) = conn
        .prepare_cached(
            "WITH first AS (SELECT seq FROM sync_outbox WHERE change_id = ?1 ORDER BY seq LIMIT 1)
             SELECT (SELECT seq FROM first),
                    (SELECT seq FROM sync_outbox WHERE seq > (SELECT seq FROM first) AND change_id IS NOT ?1
                     ORDER BY seq LIMIT 1)",
        )?
        .query_row([change_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    if let Some(first) = first {
        // Both bounds plain comparisons of the sequence, so the delete
        // reads the run alone (an OR in either would read to the end).
        leave_outbox(
            conn,
            "DELETE FROM sync_outbox WHERE seq >= ?2 AND seq < ?3 AND change_id = ?1",
            params![change_id, first, next.unwrap_or(i64::MAX)],
        )?;
    }
    note_applied(conn, change_id, Some(seq))
}

fn note_applied(conn: &Connection, change_id: &str, seq: Option<u64>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_applied (change_id, seq) VALUES (?1, ?2)
         ON CONFLICT (change_id) DO UPDATE SET seq = coalesce(excluded.seq, seq)",
    )?
    .execute(params![change_id, seq.map(|seq| seq as i64)])?;
    Ok(())
}

/// Whether the change `change_id` was already applied here (made here, or
/// received before).
pub fn was_applied(conn: &Connection, change_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM sync_applied WHERE change_id = ?1)")?
        .query_row([change_id], |row| row.get(0))?)
}

/// Records a received change as applied, with the stream position it came
/// from; in the apply's own transaction, so a crash leaves both or neither.
pub fn received(conn: &Connection, change_id: &str, seq: u64) -> Result<()> {
    note_applied(conn, change_id, Some(seq))
}

/// After a page of received changes: this device's position moves past
/// `seq`, and its clock past the latest reading it saw (`latest`), once
/// for the page.
pub fn advance(conn: &Connection, seq: u64, latest: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    let Some(device) = device(conn)? else { return Ok(()) };
    let clock = match latest.and_then(Reading::decode) {
        Some(remote) => device.clock.receive(&remote, now.timestamp_millis()),
        None => device.clock,
    };
    conn.prepare_cached(
        "UPDATE sync_state SET applied_seq = max(applied_seq, ?1), clock_wall_ms = ?2, clock_counter = ?3 WHERE only_row = 1",
    )?
    .execute(params![seq as i64, clock.wall_ms, clock.counter])?;
    Ok(())
}

/// Moves the applied stream position past `seq` (a message this device
/// sent itself, or one it could not open and left).
pub fn skip_to(conn: &Connection, seq: u64) -> Result<()> {
    conn.prepare_cached("UPDATE sync_state SET applied_seq = max(applied_seq, ?1) WHERE only_row = 1")?
        .execute([seq as i64])?;
    Ok(())
}

/// The clock reading that last set each of a row's fields.
pub fn field_clocks(conn: &Connection, table: &str, key: &str) -> Result<BTreeMap<String, String>> {
    let mut stmt =
        conn.prepare_cached("SELECT column_name, clock FROM sync_clocks WHERE table_name = ?1 AND row_key = ?2")?;
    let rows = stmt.query_map([table, key], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn set_field_clock(conn: &Connection, table: &str, key: &str, column: &str, clock: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_clocks (table_name, row_key, column_name, clock) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (table_name, row_key, column_name) DO UPDATE SET clock = excluded.clock",
    )?
    .execute(params![table, key, column, clock])?;
    Ok(())
}

/// Whether `customer_id` was deleted completely (here or on another device).
pub fn is_erased(conn: &Connection, customer_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM sync_tombstones WHERE customer_id = ?1)")?
        .query_row([customer_id], |row| row.get(0))?)
}

/// After "delete completely": the customer's unsent rows leave the outbox
/// (they hold what was erased), the id is kept so later changes for it are
/// dropped, and, when this device made the erase, the erase itself is
/// sent, holding the id alone. Only in a shared shop.
pub fn tombstone(conn: &Connection, customer_id: &str, made_here: bool) -> Result<()> {
    let Some(device) = device(conn)? else { return Ok(()) };
    leave_outbox(conn, "DELETE FROM sync_outbox WHERE customer_id = ?1", [customer_id])?;
    conn.prepare_cached("INSERT OR IGNORE INTO sync_tombstones (customer_id) VALUES (?1)")?.execute([customer_id])?;
    if made_here && capturing(conn)? {
        conn.prepare_cached(
            "INSERT INTO sync_outbox (change_id, clock, table_name, row_key, op, customer_id)
             VALUES ((SELECT change_id FROM temp.sync_pending), (SELECT clock FROM temp.sync_pending),
                     'customers', ?1, 'erase', ?1)",
        )?
        .execute([customer_id])?;
    }
    tracing::debug!(device = %device.id, "a tombstone kept");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_triggers_send_only_the_sent_columns_and_shared_settings() {
        let settings = table_named("settings").expect("classified");
        let sql = capture_triggers_sql(settings, &[("key".into(), false), ("value".into(), false)]);
        assert!(sql.contains("NEW.key IN ('shop'"));
        let photos = table_named("photos").expect("classified");
        let sql = capture_triggers_sql(photos, &[("id".into(), false), ("small".into(), true)]);
        assert!(sql.contains("hex(NEW.\"small\")"));
    }
}
