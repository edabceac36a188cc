//! A shop shared between devices: the outbox the writers fill, the sealed
//! changes, and the merge rules (ARCHITECTURE.md, "A shared shop"), on two
//! and three real shop files. The stream here is a list in memory standing
//! for JetStream's (ordered, de-duplicated by change id); `sync_link.rs`
//! runs the same changes through a real `nats-server`.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use regulars::db::sharing::{self, Sharing};
use regulars::db::store;
use regulars::features::{cards, desk, sync};
use regulars::kernel::secret::Key;
use regulars::records::customers::{self, CustomerInput};
use regulars::records::devices;

use crate::util::{self, Shop};

const SUBJECT: &str = "REGULARS_test.changes";

/// JetStream's part: an ordered log, one message per change id.
#[derive(Default)]
struct Stream {
    messages: Vec<Vec<u8>>,
    ids: Vec<String>,
}

impl Stream {
    /// Stores a message unless its id is already stored; its sequence.
    fn publish(&mut self, change_id: &str, message: Vec<u8>) -> u64 {
        if let Some(at) = self.ids.iter().position(|id| id == change_id) {
            return at as u64 + 1;
        }
        self.ids.push(change_id.to_string());
        self.messages.push(message);
        self.messages.len() as u64
    }
}

struct Device {
    shop: Shop,
    key: Key,
}

impl Device {
    fn new(name: &str, key: &Key) -> Device {
        let shop = Shop::new();
        sharing::start(shop.conn(), name).expect("start sharing");
        Device { shop, key: key.clone() }
    }

    /// `new`, in the shop's list of devices (as turning sharing on and
    /// joining put it), so others know it by name.
    fn listed(name: &str, key: &Key) -> Device {
        let mut device = Device::new(name, key);
        let me = sharing::device(device.shop.conn()).expect("device").expect("shared");
        store::write(device.conn(), |tx| devices::add(tx, &me.id, &me.name, util::now())).expect("listed");
        device
    }

    fn id(&self) -> String {
        sharing::device(self.shop.conn()).expect("device").expect("shared").id
    }

    fn conn(&mut self) -> &mut rusqlite::Connection {
        self.shop.conn_mut()
    }

    /// Sends every waiting change, as the engine does when the server answers.
    fn publish(&mut self, stream: &mut Stream) -> usize {
        let changes = sharing::waiting(self.shop.conn(), 10_000, store::schema_version()).expect("waiting");
        for change in &changes {
            let message = sync::pack(change, &self.key, SUBJECT).expect("pack");
            let seq = stream.publish(&change.id, message);
            sync::sent(self.conn(), &change.id, seq).expect("sent");
        }
        changes.len()
    }

    /// Applies what the stream holds after what this device applied.
    fn pull(&mut self, stream: &Stream, now: DateTime<Utc>) {
        let after = sharing::device(self.shop.conn()).expect("device").expect("shared").applied_seq as usize;
        for (at, message) in stream.messages.iter().enumerate().skip(after) {
            let change = sync::unpack(message, &self.key, SUBJECT).expect("unpack");
            sync::apply(self.conn(), &change, at as u64 + 1, now).expect("apply");
        }
    }

    fn sync(&mut self, stream: &mut Stream) {
        self.publish(stream);
        self.pull(stream, Utc::now());
    }

    fn create(&mut self, first: &str, last: &str) -> String {
        self.shop.create(util::customer(first, last)).id
    }

    fn edit(&mut self, id: &str, change: impl FnOnce(&mut CustomerInput)) {
        let mut input = util::input_from(&self.shop.card(id));
        change(&mut input);
        cards::update(self.conn(), id, &input, util::now()).expect("update");
    }

    fn check_in(&mut self, id: &str, at: DateTime<Utc>) {
        desk::check_in(self.conn(), id, None, at, at.date_naive()).expect("check in");
    }

    /// Every shared table's rows as sent (no device-local column), by key.
    fn shared_state(&self) -> BTreeMap<String, Vec<String>> {
        let conn = self.shop.conn();
        let mut state = BTreeMap::new();
        for table in sharing::TABLES.iter().filter(|t| matches!(t.sharing, Sharing::Record | Sharing::AppendOnly)) {
            let columns: Vec<String> = sharing::sent_columns(conn, table)
                .expect("columns")
                .into_iter()
                .map(|(name, _)| format!("quote(\"{name}\")"))
                .collect();
            let order = if table.name == "audit_log" { "at, action, detail" } else { table.key };
            // Settings rows other than the shared ones are each device's own.
            let only = if table.name == "settings" {
                let keys: Vec<String> = sharing::SHARED_SETTINGS.iter().map(|key| format!("'{key}'")).collect();
                format!("WHERE key IN ({})", keys.join(", "))
            } else {
                String::new()
            };
            let sql = format!("SELECT {} FROM \"{}\" {only} ORDER BY {order}", columns.join(" || '|' || "), table.name);
            let rows: Vec<String> = conn
                .prepare(&sql)
                .expect("prepare")
                .query_map([], |row| row.get(0))
                .expect("query")
                .collect::<rusqlite::Result<_>>()
                .expect("rows");
            state.insert(table.name.to_string(), rows);
        }
        state
    }

    /// Every card's balances against its ledger.
    fn balances_match_ledgers(&self) {
        let wrong: i64 = self
            .shop
            .conn()
            .query_row(
                "SELECT count(*) FROM customers c WHERE points_balance IS NOT
                   (SELECT coalesce(sum(points), 0) FROM points_ledger WHERE customer_id = c.id)
                 OR stamps_balance IS NOT (SELECT coalesce(sum(stamps), 0) FROM points_ledger WHERE customer_id = c.id)
                 OR lifetime_cents IS NOT (SELECT coalesce(sum(amount_cents), 0) FROM interactions
                                           WHERE customer_id = c.id AND undone_at IS NULL)
                 OR coalesce(last_contact_at, '') < coalesce((SELECT max(happened_at) FROM interactions
                                           WHERE customer_id = c.id AND undone_at IS NULL), '')",
                [],
                |row| row.get(0),
            )
            .expect("count");
        assert_eq!(wrong, 0, "balances, spend or last contact that are not what their records say");
    }
}

fn pair() -> (Device, Device, Stream) {
    let key = Key::generate();
    (Device::new("Front desk", &key), Device::new("Owner's laptop", &key), Stream::default())
}

#[track_caller]
fn assert_same(a: &Device, b: &Device) {
    let (left, right) = (a.shared_state(), b.shared_state());
    for (table, rows) in &left {
        assert_eq!(rows, &right[table], "table {table} differs between the devices");
    }
    // The monthly figures each device works out from the same visits.
    let months = |d: &Device| -> Vec<String> {
        d.shop
            .conn()
            .prepare(
                "SELECT customer_id || month || visits FROM activity_months
                 UNION ALL SELECT month || active || retained FROM month_stats WHERE active + retained > 0 ORDER BY 1",
            )
            .expect("prepare")
            .query_map([], |row| row.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    };
    assert_eq!(months(a), months(b), "the monthly figures differ between the devices");
}

#[test]
fn a_check_in_on_one_desk_is_on_the_other_with_its_points_health_and_search() {
    let (mut a, mut b, mut stream) = pair();
    let maria = a.create("Maria", "Lopez");
    a.check_in(&maria, util::now());
    assert!(a.publish(&mut stream) >= 2, "the card and the check-in are sent");
    b.pull(&stream, util::now());

    assert_eq!(b.shop.card(&maria).display_name, "Maria Lopez");
    assert_eq!(b.shop.names("mar"), vec!["Maria Lopez"]);
    assert_eq!(util::count_rows(b.shop.conn(), "interactions"), 1);
    b.balances_match_ledgers();
    let figures = |d: &Device| -> (i64, Option<String>, Option<String>) {
        d.shop
            .conn()
            .query_row(
                "SELECT points_balance + stamps_balance, last_visit_at, health_yellow_from FROM customers WHERE id = ?1",
                [&maria],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("figures")
    };
    assert_eq!(figures(&a), figures(&b), "the figures are worked out the same from the same records");
    b.sync(&mut stream);
    a.sync(&mut stream);
    assert_same(&a, &b);
}

#[test]
fn the_later_edit_of_a_field_wins_on_every_device_and_other_fields_merge() {
    let (mut a, mut b, mut stream) = pair();
    let zoe = a.create("Zoe", "Adams");
    a.sync(&mut stream);
    b.sync(&mut stream);
    // Both offline: the phone edited on both, the email only on A.
    a.edit(&zoe, |input| {
        input.phone = "0611 111 111".into();
        input.email = "zoe@example.com".into();
    });
    std::thread::sleep(std::time::Duration::from_millis(5));
    b.edit(&zoe, |input| input.phone = "0622 222 222".into());
    // B's change reaches the stream first; the order must not matter.
    b.sync(&mut stream);
    a.sync(&mut stream);
    b.sync(&mut stream);
    for device in [&a, &b] {
        let card = device.shop.card(&zoe);
        assert_eq!(card.phone, "0622 222 222", "the later edit wins");
        assert_eq!(card.email, "zoe@example.com", "a field edited on one side only is kept");
    }
    assert_same(&a, &b);
}

#[test]
fn a_field_edited_here_and_not_sent_yet_keeps_its_value_against_an_older_edit() {
    let (mut a, mut b, mut stream) = pair();
    let zoe = a.create("Zoe", "Adams");
    // Synced both ways first, so each outbox has emptied once and starts
    // its sequence again (the fields' clocks are recorded from it).
    a.sync(&mut stream);
    b.sync(&mut stream);
    b.check_in(&zoe, Utc::now());
    b.sync(&mut stream);
    a.sync(&mut stream);
    a.edit(&zoe, |input| input.phone = "0611 111 111".into());
    a.publish(&mut stream);
    std::thread::sleep(std::time::Duration::from_millis(5));
    // B's later edit is still in its outbox when A's older one arrives.
    b.edit(&zoe, |input| input.phone = "0622 222 222".into());
    b.pull(&stream, Utc::now());
    assert_eq!(b.shop.card(&zoe).phone, "0622 222 222", "the later edit, not yet sent, is kept");
    b.sync(&mut stream);
    a.sync(&mut stream);
    assert_eq!(a.shop.card(&zoe).phone, "0622 222 222");
    assert_same(&a, &b);
}

#[test]
fn a_device_s_clock_never_goes_back_when_its_changes_leave_the_outbox() {
    let (mut a, _, mut stream) = pair();
    let zoe = a.create("Zoe", "Adams");
    a.publish(&mut stream);
    // The clock reads an hour ahead (it heard from such a device): a
    // change's reading is kept on its outbox rows, and in the device's
    // state once they leave.
    let ahead = (Utc::now() + Duration::hours(1)).timestamp_millis();
    a.shop.conn().execute("UPDATE sync_state SET clock_wall_ms = ?1", [ahead]).expect("set the clock ahead");
    a.edit(&zoe, |input| input.phone = "0611 111 111".into());
    assert_eq!(sharing::device(a.shop.conn()).expect("device").expect("shared").clock.wall_ms, ahead);
    assert_eq!(a.publish(&mut stream), 1);
    a.edit(&zoe, |input| input.phone = "0622 222 222".into());
    a.publish(&mut stream);
    let clocks: Vec<String> =
        stream.messages.iter().map(|message| sync::unpack(message, &a.key, SUBJECT).expect("unpack").clock).collect();
    assert_eq!(clocks.len(), 3);
    assert!(clocks[1].starts_with(&format!("{ahead:015}-")), "the edit read the clock as it stood: {}", clocks[1]);
    assert!(clocks[2] > clocks[1], "the next change's reading is later: {} after {}", clocks[2], clocks[1]);
}

#[test]
fn a_write_outside_a_writer_s_transaction_leaves_with_the_next_change() {
    let (mut a, mut b, mut stream) = pair();
    let zoe = a.create("Zoe", "Adams");
    a.sync(&mut stream);
    b.sync(&mut stream);
    // A bare statement on the writer connection: no change is open, so its
    // row waits unstamped and is not sent on its own.
    a.shop.conn().execute("UPDATE customers SET best_time = 'Mornings' WHERE id = ?1", [&zoe]).expect("bare update");
    assert_eq!(a.publish(&mut stream), 0);
    a.edit(&zoe, |input| input.phone = "0611 111 111".into());
    assert_eq!(a.publish(&mut stream), 1, "both rows leave as one change");
    b.sync(&mut stream);
    let card = b.shop.card(&zoe);
    assert_eq!((card.best_time.as_str(), card.phone.as_str()), ("Mornings", "0611 111 111"));
}

/// A change's rows are one run of the outbox, whichever connection wrote
/// it (the writer, a second one as the scheduler's, a bare statement swept
/// into the next change), so `waiting` and `sent` read the outbox from its
/// start; a change sent takes its own rows with it and no other's.
#[test]
fn each_change_s_rows_are_one_run_of_the_outbox_and_leave_together() {
    let (mut a, _b, mut stream) = pair();
    let zoe = a.create("Zoe", "Adams");
    let mut second = store::Store::open_with(&a.shop.db_path(), None).expect("a second connection");
    for round in 0..3 {
        a.check_in(&zoe, util::now() + Duration::minutes(round));
        desk::check_in(second.conn_mut(), &zoe, None, util::now(), util::now().date_naive()).expect("check in");
        a.shop
            .conn()
            .execute("UPDATE customers SET best_time = ?2 WHERE id = ?1", [&zoe, &format!("r{round}")])
            .expect("bare");
        a.edit(&zoe, |input| input.phone = format!("0611 111 11{round}"));
    }
    let runs = |conn: &rusqlite::Connection| -> (i64, i64) {
        conn.query_row(
            "SELECT count(*), count(*) FILTER (WHERE max_seq - min_seq + 1 <> rows) FROM
             (SELECT min(seq) AS min_seq, max(seq) AS max_seq, count(*) AS rows FROM sync_outbox
              WHERE change_id IS NOT NULL GROUP BY change_id)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("runs")
    };
    let (changes, broken) = runs(a.shop.conn());
    assert!(changes >= 9, "{changes} changes");
    assert_eq!(broken, 0, "every change's rows are one run of sequences");

    // The second oldest leaves first: its rows go, every other change's stay.
    let waiting = sharing::waiting(a.shop.conn(), 2, store::schema_version()).expect("waiting");
    assert_eq!(waiting.len(), 2, "no more than asked for");
    let rows_before: i64 = a.shop.conn().query_row("SELECT count(*) FROM sync_outbox", [], |r| r.get(0)).expect("rows");
    sync::sent(a.conn(), &waiting[1].id, 2).expect("sent");
    let rows_after: i64 = a.shop.conn().query_row("SELECT count(*) FROM sync_outbox", [], |r| r.get(0)).expect("rows");
    assert_eq!(rows_before - rows_after, waiting[1].rows.len() as i64);
    assert_eq!(runs(a.shop.conn()), (changes - 1, 0));
    let left = sharing::waiting(a.shop.conn(), 100, store::schema_version()).expect("waiting");
    assert_eq!(left[0], waiting[0], "the oldest is still waiting, whole");
    assert!(left.iter().all(|change| change.id != waiting[1].id));
    assert_eq!(a.publish(&mut stream) as i64, changes - 1);
    assert_eq!(sharing::waiting_count(a.shop.conn()).expect("count"), 0);
}

/// An edit's changed columns travel as they were typed: accents, quotes,
/// a backslash, an emoji, a value emptied.
#[test]
fn an_edit_in_any_script_arrives_as_it_was_typed() {
    let (mut a, mut b, mut stream) = pair();
    let zoe = a.create("Zoe", "Adams");
    a.edit(&zoe, |input| input.phone = "0611 111 111".into());
    a.sync(&mut stream);
    b.sync(&mut stream);
    a.edit(&zoe, |input| {
        input.first_name = "Zoë 😀".into();
        input.last_name = "Müller-Łukasiewicz \"Łu\" \\ 王".into();
        input.phone = String::new();
    });
    a.sync(&mut stream);
    b.sync(&mut stream);
    let (on_a, on_b) = (a.shop.card(&zoe), b.shop.card(&zoe));
    assert_eq!(on_b.first_name, "Zoë 😀");
    assert_eq!(on_b.last_name, "Müller-Łukasiewicz \"Łu\" \\ 王");
    assert_eq!((on_b.phone.as_str(), on_b.display_name.as_str()), (on_a.phone.as_str(), on_a.display_name.as_str()));
    assert_same(&a, &b);
}

#[test]
fn a_card_field_another_device_overwrote_is_kept_in_the_card_s_history() {
    let key = Key::generate();
    let (mut a, mut b, mut stream) =
        (Device::listed("Front desk", &key), Device::listed("Owner's laptop", &key), Stream::default());
    let zoe = a.create("Zoe", "Adams");
    a.edit(&zoe, |input| input.phone = "0611 111 111".into());
    a.sync(&mut stream);
    b.sync(&mut stream);
    std::thread::sleep(std::time::Duration::from_millis(5));
    b.edit(&zoe, |input| input.phone = "0622 222 222".into());
    b.sync(&mut stream);
    a.sync(&mut stream);

    let on_a =
        regulars::records::interactions::activity(a.shop.conn(), &zoe, util::now().date_naive()).expect("activity");
    assert_eq!(on_a.overwritten.len(), 1, "{:?}", on_a.overwritten);
    let line = &on_a.overwritten[0];
    assert_eq!(line.field, "phone");
    assert_eq!(line.old_value.as_deref(), Some("0611 111 111"), "the overwritten value is kept");
    assert_eq!(line.device_name, "Owner's laptop", "named by the device that made the edit");
    // B overwrote nothing of its own; a check-in (the card's last contact) is no line either.
    let on_b =
        regulars::records::interactions::activity(b.shop.conn(), &zoe, util::now().date_naive()).expect("activity");
    assert!(on_b.overwritten.is_empty(), "{:?}", on_b.overwritten);
    b.check_in(&zoe, util::now());
    b.sync(&mut stream);
    a.sync(&mut stream);
    let on_a =
        regulars::records::interactions::activity(a.shop.conn(), &zoe, util::now().date_naive()).expect("activity");
    assert_eq!(on_a.overwritten.len(), 1, "{:?}", on_a.overwritten);
    assert_same(&a, &b);

    // Delete completely takes the kept value with the card.
    cards::erase(a.conn(), &zoe).expect("erase");
    assert_eq!(util::count_rows(a.shop.conn(), "overwritten_fields"), 0);
}

#[test]
fn a_removed_device_s_later_changes_are_dropped_everywhere_and_it_stops_sharing() {
    let key = Key::generate();
    let (mut owner, mut desk, mut laptop) = (
        Device::listed("Owner's laptop", &key),
        Device::listed("Front desk", &key),
        Device::listed("Old laptop", &key),
    );
    let mut stream = Stream::default();
    let maria = owner.create("Maria", "Lopez");
    owner.sync(&mut stream);
    desk.sync(&mut stream);
    laptop.sync(&mut stream);
    owner.sync(&mut stream);
    desk.sync(&mut stream);
    let names: Vec<String> = devices::list(desk.shop.conn()).expect("list").into_iter().map(|d| d.name).collect();
    assert_eq!(names.len(), 3, "every device knows every other by name: {names:?}");

    // A visit the old laptop logs before it is removed travels.
    laptop.check_in(&maria, util::now());
    laptop.publish(&mut stream);
    std::thread::sleep(std::time::Duration::from_millis(5));
    // The owner cannot remove the device in use, only another one.
    let me = owner.id();
    assert!(regulars::io::sharing_setup::remove_device(owner.conn(), &me, util::now()).is_err());
    let old = laptop.id();
    regulars::io::sharing_setup::remove_device(owner.conn(), &old, util::now()).expect("remove");
    owner.sync(&mut stream);
    // What the old laptop makes after its removal is dropped by every device.
    std::thread::sleep(std::time::Duration::from_millis(5));
    laptop.edit(&maria, |input| input.phone = "0699 999 999".into());
    laptop.publish(&mut stream);
    owner.sync(&mut stream);
    desk.sync(&mut stream);
    for device in [&owner, &desk] {
        assert_eq!(util::count_rows(device.shop.conn(), "interactions"), 1, "the visit before the removal is kept");
        assert_ne!(device.shop.card(&maria).phone, "0699 999 999", "the edit after the removal is dropped");
    }
    assert_same(&owner, &desk);

    // The old laptop hears of its removal and stops sharing.
    store::write(laptop.conn(), |tx| {
        regulars::db::settings::save_json(
            tx,
            sharing::CONNECTION_SETTING,
            &serde_json::json!({"server": "x"}),
            util::now(),
        )
    })
    .expect("a connection");
    laptop.pull(&stream, util::now());
    assert!(regulars::io::sharing_setup::this_device_removed(laptop.shop.conn()).expect("removed"));
    assert!(regulars::db::settings::load_json::<serde_json::Value>(laptop.shop.conn(), sharing::CONNECTION_SETTING)
        .expect("setting")
        .is_none());
    laptop.edit(&maria, |input| input.phone = "0688 888 888".into());
    assert_eq!(sharing::waiting_count(laptop.shop.conn()).expect("waiting"), 0, "nothing more is recorded");
}

#[test]
fn a_device_whose_clock_is_an_hour_ahead_does_not_keep_winning() {
    let (mut a, mut b, mut stream) = pair();
    let id = a.create("Hour", "Ahead");
    a.sync(&mut stream);
    b.sync(&mut stream);
    // A's wall clock reads an hour ahead: its readings start there.
    a.shop
        .conn()
        .execute("UPDATE sync_state SET clock_wall_ms = ?1", [(Utc::now() + Duration::hours(1)).timestamp_millis()])
        .expect("set the clock ahead");
    a.edit(&id, |input| input.phone = "0611 111 111".into());
    a.sync(&mut stream);
    b.sync(&mut stream);
    assert_eq!(b.shop.card(&id).phone, "0611 111 111");
    // B saw A's edit, so B's edit a moment later (by B's right clock) wins,
    // though B's wall time is an hour behind A's reading.
    b.edit(&id, |input| input.phone = "0622 222 222".into());
    b.sync(&mut stream);
    a.sync(&mut stream);
    assert_eq!(a.shop.card(&id).phone, "0622 222 222");
    assert_eq!(b.shop.card(&id).phone, "0622 222 222");
}

#[test]
fn a_change_delivered_twice_or_in_another_order_gives_the_same_shop() {
    let key = Key::generate();
    let mut a = Device::new("A", &key);
    let mut b = Device::new("B", &key);
    let mut c = Device::new("C", &key);
    let mut stream = Stream::default();
    let id = a.create("Sam", "Order");
    a.sync(&mut stream);
    b.sync(&mut stream);
    a.check_in(&id, util::now());
    b.check_in(&id, util::minutes_later(5));
    b.edit(&id, |input| input.tags = vec!["early".into()]);
    a.add_note_and_sync_later(&id);
    // Into one stream A's changes then B's; into another B's then A's
    // (each device's own order is kept, as JetStream keeps it), each twice.
    let created = stream.messages.len();
    let sent_by_a = a.publish(&mut stream);
    b.publish(&mut stream);
    let mut other = Stream::default();
    let order: Vec<usize> =
        (0..created).chain(created + sent_by_a..stream.messages.len()).chain(created..created + sent_by_a).collect();
    for at in order.iter().chain(order.iter()) {
        other.publish(&stream.ids[*at], stream.messages[*at].clone());
    }
    c.pull(&stream, Utc::now());
    c.pull(&stream, Utc::now());
    a.pull(&stream, Utc::now());
    b.pull(&stream, Utc::now());
    assert_same(&a, &c);
    assert_same(&b, &c);
    // A fourth device reading the other order ends the same.
    let mut d = Device::new("D", &key);
    for (at, message) in other.messages.iter().enumerate() {
        let change = sync::unpack(message, &key, SUBJECT).expect("unpack");
        let again = sync::apply(d.conn(), &change, at as u64 + 1, Utc::now()).expect("apply");
        assert_eq!(again.changes, 1);
        assert_eq!(
            sync::apply(d.conn(), &change, at as u64 + 1, Utc::now()).expect("again").changes,
            0,
            "applied once"
        );
    }
    assert_same(&c, &d);
    d.balances_match_ledgers();
    assert_eq!(util::count_rows(d.shop.conn(), "interactions"), 2);
}

impl Device {
    fn add_note_and_sync_later(&mut self, id: &str) {
        customers::add_note(self.conn(), id, "Likes the window seat", false, util::now()).expect("note");
    }
}

#[test]
fn delete_completely_on_one_device_wins_over_the_other_device_s_edits() {
    let (mut a, mut b, mut stream) = pair();
    let marker = "Quintessa Marker";
    let id = a.create("Quintessa", "Marker");
    a.sync(&mut stream);
    b.sync(&mut stream);
    // B, offline, edits the card and checks them in; A deletes them completely.
    b.edit(&id, |input| input.phone = "0699 999 999".into());
    b.check_in(&id, util::now());
    customers::add_note(b.conn(), &id, "Quintessa's note", false, util::now()).expect("note");
    cards::erase(a.conn(), &id).expect("erase");
    a.sync(&mut stream);
    b.sync(&mut stream);
    a.sync(&mut stream);
    for device in [&a, &b] {
        assert!(!customers::exists(device.shop.conn(), &id).expect("exists"), "the customer is gone");
        assert_eq!(util::count_rows(device.shop.conn(), "interactions"), 0);
        assert_eq!(util::count_rows(device.shop.conn(), "notes"), 0);
        assert_eq!(util::count_rows(device.shop.conn(), "sync_outbox"), 0);
    }
    assert_same(&a, &b);
    // The erase guarantee on each device's files.
    for mut device in [a, b] {
        store::truncate_wal(device.conn()).expect("truncate");
        for file in std::fs::read_dir(device.shop.data_dir()).expect("dir") {
            let path = file.expect("entry").path();
            if path.is_file() {
                let bytes = std::fs::read(&path).expect("read");
                for needle in [marker, "Quintessa", "0699 999 999"] {
                    assert!(
                        !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                        "{needle:?} is still in {}",
                        path.display()
                    );
                }
            }
        }
    }
}

#[test]
fn nothing_is_recorded_until_the_shop_is_shared_and_received_changes_are_not_sent_back() {
    let mut shop = Shop::new();
    shop.create(util::customer("Not", "Shared"));
    assert_eq!(shop.count("sync_outbox"), 0, "a shop that is not shared keeps no outbox");
    let (mut a, mut b, mut stream) = pair();
    a.create("Only", "Once");
    a.sync(&mut stream);
    b.pull(&stream, Utc::now());
    assert_eq!(b.publish(&mut stream), 0, "B does not send back what it applied");
    assert_eq!(stream.messages.len(), 1);
}

#[test]
fn a_change_sealed_with_another_shop_s_key_or_altered_is_refused() {
    let (mut a, _b, mut stream) = pair();
    a.create("Sealed", "Card");
    a.publish(&mut stream);
    let message = &stream.messages[0];
    assert!(!message.windows(6).any(|w| w == b"Sealed"), "the name is not in the message");
    assert!(matches!(sync::unpack(message, &Key::generate(), SUBJECT), Err(regulars::kernel::error::Error::WrongKey)));
    assert!(sync::unpack(message, &a.key, "another.subject").is_err());
    let mut altered = message.clone();
    let last = altered.len() - 1;
    altered[last] ^= 0x01;
    assert!(sync::unpack(&altered, &a.key, SUBJECT).is_err());
    for junk in [&b""[..], &[0u8], &[200u8, 1, 2], &[1u8, b'x', 1, b'y', 9, 9]] {
        assert!(sync::unpack(junk, &a.key, SUBJECT).is_err());
    }
}

#[test]
fn every_table_of_the_schema_has_its_place_in_sharing() {
    let shop = Shop::new();
    let tables: Vec<String> = shop
        .conn()
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
             AND name NOT LIKE 'search\\_text\\_%' ESCAPE '\\' ORDER BY name",
        )
        .expect("prepare")
        .query_map([], |row| row.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("tables");
    let classified: HashSet<&str> = sharing::TABLES.iter().map(|t| t.name).collect();
    let missing: Vec<&String> = tables.iter().filter(|t| !classified.contains(t.as_str())).collect();
    assert!(missing.is_empty(), "tables with no place in sharing (db/sharing.rs, TABLES): {missing:?}");
    let gone: Vec<&&str> = classified.iter().filter(|t| !tables.iter().any(|name| name == **t)).collect();
    assert!(gone.is_empty(), "TABLES names tables the schema does not have: {gone:?}");
}

#[test]
fn two_desks_offline_merge_to_the_same_shop_with_one_bonus_and_a_visible_overdraft() {
    use regulars::features::reminder_sources;
    use regulars::records::loyalty::{self, Redeemable};
    use regulars::records::passes::{self, PassTypeInput};

    let (mut a, mut b, mut stream) = pair();
    let start = util::now();
    let mut program = loyalty::load_program(a.shop.conn()).expect("program");
    // Points only from the opening balance and the referral, so the sum is plain to see.
    program.points_per_visit = 0;
    program.points_per_currency_unit = 0;
    program.referral_bonus = 50;
    program.rewards = vec![loyalty::Reward { id: "coffee".into(), name: "Coffee".into(), cost: 10 }];
    loyalty::save_program(a.conn(), &program, start).expect("program");
    let one = PassTypeInput { id: None, name: "Single class".into(), price: "10".into(), sessions: 1, valid_months: 0 };
    let types = passes::save_types(a.conn(), &[one], start).expect("pass types");
    let ana = a.create("Ana", "Overdrawn");
    let pass = desk::sell_pass(a.conn(), &ana, &types[0].id, None, start, start.date_naive()).expect("sell");
    let rita = a.create("Rita", "Referrer");
    let mut friend_input = util::customer("Fred", "Friend");
    friend_input.referred_by = Some(rita.clone());
    let fred = cards::create(a.conn(), &friend_input, start).expect("friend").id;
    let regulars: Vec<String> = (0..5).map(|i| a.create(&format!("Regular{i}"), "Desk")).collect();
    // Ana earns enough for one coffee.
    loyalty::adjust(a.conn(), &ana, 10, "opening balance", None, start).expect("adjust");
    a.sync(&mut stream);
    b.sync(&mut stream);
    assert_same(&a, &b);

    // The server is down: both desks work on.
    let mut made = 0;
    for (side, device) in [&mut a, &mut b].into_iter().enumerate() {
        let at = start + Duration::hours(1 + side as i64);
        device.check_in(&ana, at); // the pass's last session, on both
        loyalty::redeem(device.conn(), &ana, &Redeemable::Reward("coffee".into()), None, at).expect("redeem");
        device.check_in(&fred, at); // the friend's first visit, on both
        device.edit(&rita, |input| input.phone = format!("06{side}0 000 000"));
        customers::add_note(device.conn(), &rita, &format!("Note from desk {side}"), false, at).expect("note");
        // A purchase on each desk; desk A takes its own back: the spend
        // and last contact are what the standing visits say, on both.
        let purchase = desk::LogInput {
            kind: "purchase".into(),
            summary: "Lead".into(),
            amount: format!("{}", 12 + side),
            ..Default::default()
        };
        let bought = desk::log(device.conn(), &regulars[0], &purchase, at, at.date_naive()).expect("purchase");
        if side == 0 {
            desk::undo(device.conn(), &bought.interaction_id, None, at).expect("undo");
        }
        for round in 0..40 {
            for (i, id) in regulars.iter().enumerate() {
                let when = at + Duration::days(round + 1) + Duration::minutes(i as i64 * 7 + side as i64);
                device.check_in(id, when);
                made += 1;
            }
        }
    }
    assert!(made >= 400);
    a.publish(&mut stream);
    b.publish(&mut stream);
    a.pull(&stream, Utc::now());
    b.pull(&stream, Utc::now());
    assert_same(&a, &b);

    for device in [&mut a, &mut b] {
        device.balances_match_ledgers();
        let bonuses: i64 = device
            .shop
            .conn()
            .query_row(
                "SELECT count(*) FROM points_ledger WHERE customer_id = ?1 AND memo LIKE 'Referral bonus%'",
                [&rita],
                |row| row.get(0),
            )
            .expect("count");
        assert_eq!(bonuses, 1, "one referral bonus, though both desks saw the friend's first visit");
        assert_eq!(passes::left(device.shop.conn(), &pass).expect("left"), -1, "the pass is overdrawn, not corrected");
        let points: i64 = device
            .shop
            .conn()
            .query_row("SELECT points_balance FROM customers WHERE id = ?1", [&ana], |row| row.get(0))
            .expect("balance");
        assert_eq!(points, -10, "two coffees on ten points leave the balance below zero");
        reminder_sources::sync(device.conn(), Utc::now(), &Utc, &Default::default()).expect("reminders");
    }
    // Both desks made the same overdraft reminders: one row each, once merged.
    a.sync(&mut stream);
    b.sync(&mut stream);
    a.sync(&mut stream);
    assert_same(&a, &b);
    let overdrafts: Vec<String> = a
        .shop
        .conn()
        .prepare("SELECT title FROM reminders WHERE source = 'overdraft' ORDER BY title")
        .expect("prepare")
        .query_map([], |row| row.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    assert_eq!(overdrafts.len(), 2, "{overdrafts:?}");
    assert!(overdrafts.iter().any(|t| t.contains("Single class")), "{overdrafts:?}");
}

#[test]
fn a_change_too_large_for_one_message_travels_in_parts_and_applies_whole() {
    use regulars::records::customers::SeedCustomer;

    let (mut a, mut b, _) = pair();
    let key = a.key.clone();
    // One transaction with 300 cards, as a large import makes.
    let batch: Vec<SeedCustomer> = (0..300)
        .map(|i| SeedCustomer {
            input: util::customer(&format!("Part{i}"), "Import"),
            notes: vec![(format!("A note long enough to weigh something, number {i}. ").repeat(4), false, util::now())],
            created_at: util::now(),
            last_contact_at: None,
        })
        .collect();
    cards::insert_many(a.conn(), &batch, util::now()).expect("insert");
    let changes = sharing::waiting(a.shop.conn(), 10, store::schema_version()).expect("waiting");
    assert_eq!(changes.len(), 1, "one transaction, one change");
    let messages = sync::into_messages(&changes[0], &key, SUBJECT, 16 * 1024).expect("parts");
    assert!(messages.len() > 5, "split into parts: {}", messages.len());
    assert!(messages.iter().all(|(_, m)| m.len() <= 16 * 1024), "each part fits");
    // Another device's change arrives between the parts; a part comes twice.
    let c = b.create("Between", "Parts");
    let between = sharing::waiting(b.shop.conn(), 10, store::schema_version()).expect("waiting").remove(0);
    let mut stream = Stream::default();
    let last = messages.len() - 1;
    for (at, (id, message)) in messages.iter().enumerate() {
        stream.publish(id, message.clone());
        if at == 2 {
            stream.publish(&between.id, sync::pack(&between, &key, SUBJECT).expect("pack"));
        }
        if at == last - 1 {
            b.pull(&stream, Utc::now());
            assert_eq!(util::count_rows(b.shop.conn(), "customers"), 1, "nothing of the change before its last part");
        }
    }
    let mut again = Stream::default();
    for (id, message) in &stream.ids.iter().zip(&stream.messages).collect::<Vec<_>>() {
        again.publish(id, (*message).clone());
    }
    b.pull(&stream, Utc::now());
    assert_eq!(util::count_rows(b.shop.conn(), "customers"), 301, "the whole change, and the one between");
    assert_eq!(util::count_rows(b.shop.conn(), "notes"), 300);
    assert_eq!(util::count_rows(b.shop.conn(), "sync_parts"), 0, "no part is kept after the change is applied");
    assert!(customers::exists(b.shop.conn(), &c).expect("exists"));
    // Delivered again from the start: nothing more.
    let d_before = util::count_rows(b.shop.conn(), "customers");
    for (at, message) in again.messages.iter().enumerate() {
        let change = sync::unpack(message, &key, SUBJECT).expect("unpack");
        sync::apply(b.conn(), &change, at as u64 + 1, Utc::now()).expect("apply again");
    }
    assert_eq!(util::count_rows(b.shop.conn(), "customers"), d_before);
    // The receiving device's own outbox: nothing of it to send back.
    assert_eq!(b.publish(&mut Stream::default()), 1, "only B's own card waits");
}
