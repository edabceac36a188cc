//! Customer cards on a real database: create, edit, archive and delete;
//! people and pets; notes; every validation rule (and that a refusal
//! changes nothing); shop settings and the first-start setup.

use crate::util;

use regulars::db::settings::{self, BusinessKind, PaperSize, Settings, StaffMember};
use regulars::features::card_view;
use regulars::features::cards;
use regulars::features::desk;
use regulars::features::desk::LogInput;
use regulars::io::setup;
use regulars::kernel::birthday::Birthday;
use regulars::kernel::error::Error;
use regulars::kernel::time::timestamp;
use regulars::records::customers::{self, Channel, CustomerInput, Discovery, PersonInput, MAX_NOTE_CHARS};

use util::{assert_invalid, assert_unchanged, customer, dump, input_from, minutes_later, now, person, InputExt, Shop};

// ---------------------------------------------------------------- cards

#[test]
fn create_stores_every_field_cleaned_up() {
    let mut shop = Shop::new();
    let input = CustomerInput {
        best_time: "  After 6pm ".into(),
        heard_from: "Instagram".into(),
        discovery: Discovery { what_brought_you: "New puppy".into(), ..Discovery::default() },
        ..customer("  Zoë ", " Müller  ")
            .phone(" (555) 014-2211 ")
            .email(" zoe.muller@example.com ")
            .birthday(" 14", "3 ", "")
            .channel("text")
            .tags(&["VIP", "vip", " ", "morning"])
            .with(person("Biscuit", "dog", "beagle, pulls on the lead"))
            .with(person("", "", "")) // an untouched blank row of the form
            .with(person("Mia", "child", ""))
    };
    let card = shop.create(input);

    assert_eq!(card.first_name, "Zoë");
    assert_eq!(card.last_name, "Müller");
    assert_eq!(card.display_name, "Zoë Müller");
    assert_eq!(card.phone, "(555) 014-2211");
    assert_eq!(card.email, "zoe.muller@example.com");
    assert_eq!(card.birthday, Some(Birthday { day: 14, month: 3, year: None }));
    assert_eq!(card.birthday_label.as_deref(), Some("14 March"));
    assert_eq!(card.preferred_channel, Some(Channel::Text));
    assert_eq!(card.best_time, "After 6pm");
    assert_eq!(card.tags, vec!["VIP", "morning"], "tags are trimmed, blanks dropped, duplicates (any case) merged");
    assert_eq!(card.heard_from, "Instagram");
    assert_eq!(card.discovery.what_brought_you, "New puppy");
    let people: Vec<(&str, &str, &str)> =
        card.people.iter().map(|p| (p.name.as_str(), p.kind.as_str(), p.details.as_str())).collect();
    assert_eq!(people, vec![("Biscuit", "dog", "beagle, pulls on the lead"), ("Mia", "child", "")]);
    assert!(card.notes.is_empty());
    assert_eq!(card.archived_at, None);
    assert_eq!(card.created_at, timestamp(now()));
    assert_eq!(card.updated_at, timestamp(now()));

    // What create returned is what is stored.
    assert_eq!(shop.card(&card.id), card);
    assert_eq!(shop.count("customers"), 1);
    assert_eq!(shop.count("people"), 2);
}

#[test]
fn a_single_name_is_enough() {
    let mut shop = Shop::new();
    assert_eq!(shop.create(customer("", "Okafor")).display_name, "Okafor");
    assert_eq!(shop.create(customer("Cher", "")).display_name, "Cher");
}

#[test]
fn birthdays_with_and_without_a_year() {
    let mut shop = Shop::new();
    let leap_no_year = shop.create(customer("Leap", "Nobody").birthday("29", "2", ""));
    assert_eq!(leap_no_year.birthday, Some(Birthday { day: 29, month: 2, year: None }));
    assert_eq!(leap_no_year.birthday_label.as_deref(), Some("29 February"));

    let leap_year = shop.create(customer("Leap", "Year").birthday("29", "02", "2004"));
    assert_eq!(leap_year.birthday, Some(Birthday { day: 29, month: 2, year: Some(2004) }));
    assert_eq!(leap_year.birthday_label.as_deref(), Some("29 February 2004"));

    let stored: Option<String> = shop
        .conn()
        .query_row("SELECT birthday FROM customers WHERE id = ?1", [&leap_no_year.id], |row| row.get(0))
        .unwrap();
    assert_eq!(stored.as_deref(), Some("--02-29"), "a birthday without a year is stored as ISO --MM-DD");
}

#[test]
fn a_damaged_birthday_cell_reads_as_no_birthday() {
    // Only validated birthdays are written, but a file edited by hand or by
    // a broken tool must still open its cards and log visits.
    let mut shop = Shop::new();
    let card = shop.create(customer("Zoë", "Müller").birthday("14", "3", ""));
    for damaged in ["--00-10", "--05-00", "--13-01", "--02-30", "--ab-cd", "1990-02-30", "garbage"] {
        shop.conn().execute("UPDATE customers SET birthday = ?2 WHERE id = ?1", [&card.id, damaged]).unwrap();
        let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| customers::get(shop.conn(), &card.id)));
        let loaded = match loaded {
            Ok(result) => result.unwrap_or_else(|e| panic!("birthday {damaged:?}: the card does not load: {e:?}")),
            Err(_) => panic!("birthday {damaged:?}: loading the card panicked"),
        };
        assert_eq!(loaded.birthday, None, "birthday {damaged:?}");
        assert_eq!(loaded.birthday_label, None, "birthday {damaged:?}");
        let today = now().date_naive();
        let logged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            desk::check_in(shop.conn_mut(), &card.id, None, now(), today).map(|_| ())
        }));
        assert!(matches!(logged, Ok(Ok(()))), "birthday {damaged:?}: a check-in failed: {logged:?}");
    }
}

#[test]
fn edit_replaces_the_fields_and_keeps_created_at() {
    let mut shop = Shop::new();
    let card = shop.create(customer("Zoe", "Muller").phone("555 0142").tags(&["old"]));
    let edited = cards::update(
        shop.conn_mut(),
        &card.id,
        &customer("Zoë", "Müller-Łukasiewicz").email("zoe@example.com").birthday("1", "12", "1990"),
        minutes_later(10),
    )
    .expect("edit");

    assert_eq!(edited.id, card.id);
    assert_eq!(edited.display_name, "Zoë Müller-Łukasiewicz");
    assert_eq!(edited.phone, "", "a field left empty in the form is cleared");
    assert!(edited.tags.is_empty());
    assert_eq!(edited.email, "zoe@example.com");
    assert_eq!(edited.birthday_label.as_deref(), Some("1 December 1990"));
    assert_eq!(edited.created_at, card.created_at);
    assert_eq!(edited.updated_at, timestamp(minutes_later(10)));
    assert_eq!(shop.card(&card.id), edited);
    assert_eq!(shop.count("customers"), 1);
}

#[test]
fn editing_or_archiving_an_unknown_customer_is_not_found() {
    let mut shop = Shop::new();
    shop.create(customer("Zoë", "Müller"));
    let before = dump(shop.conn());

    let missing = "0190b3c2-0000-7000-8000-000000000000";
    let result = cards::update(shop.conn_mut(), missing, &customer("Ghost", ""), now());
    assert!(matches!(result, Err(Error::NotFound(_))), "update of a missing id: {result:?}");
    let result = customers::set_archived(shop.conn_mut(), missing, true, now());
    assert!(matches!(result, Err(Error::NotFound(_))), "archive of a missing id: {result:?}");
    let result = customers::get(shop.conn(), missing);
    assert!(matches!(result, Err(Error::NotFound(_))), "get of a missing id: {result:?}");
    let result = cards::erase(shop.conn_mut(), missing);
    assert!(matches!(result, Err(Error::NotFound(_))), "delete of a missing id: {result:?}");

    assert_unchanged(&before, &dump(shop.conn()), "touching a missing customer");
}

#[test]
fn archive_and_unarchive() {
    let mut shop = Shop::new();
    let card = shop.create(customer("Zoë", "Müller"));

    let archived = customers::set_archived(shop.conn_mut(), &card.id, true, minutes_later(1)).expect("archive");
    assert_eq!(archived.archived_at, Some(timestamp(minutes_later(1))));
    assert_eq!(shop.card(&card.id).archived_at, Some(timestamp(minutes_later(1))));

    let back = customers::set_archived(shop.conn_mut(), &card.id, false, minutes_later(2)).expect("unarchive");
    assert_eq!(back.archived_at, None);
    assert_eq!(back.updated_at, timestamp(minutes_later(2)));
    assert_eq!(back.display_name, "Zoë Müller", "archiving keeps the card");
}

// ---------------------------------------------------------------- people and pets

#[test]
fn people_are_added_edited_by_id_and_removed() {
    let mut shop = Shop::new();
    let card = shop.create(customer("Zoë", "Müller").pet("Biscuit", "dog").with(person("Mia", "child", "")));
    let biscuit_id = card.people[0].id.clone();
    let mia_id = card.people[1].id.clone();

    // Add one: the form sends the existing people back with their ids.
    let mut input = input_from(&card);
    input.people.push(person("Alex", "partner", ""));
    let card = cards::update(shop.conn_mut(), &card.id, &input, now()).expect("add a person");
    let names: Vec<&str> = card.people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Biscuit", "Mia", "Alex"]);
    assert_eq!(card.people[0].id, biscuit_id, "an existing person keeps their id");
    assert_eq!(card.people[1].id, mia_id);

    // Edit by id, and reorder.
    let mut input = input_from(&card);
    input.people[0].details = "beagle, afraid of thunder".into();
    input.people[0].name = "Biscuit II".into();
    input.people.swap(0, 2);
    let card = cards::update(shop.conn_mut(), &card.id, &input, now()).expect("edit a person");
    let biscuit = card.people.iter().find(|p| p.id == biscuit_id).expect("Biscuit kept his id after the edit");
    assert_eq!((biscuit.name.as_str(), biscuit.details.as_str()), ("Biscuit II", "beagle, afraid of thunder"));
    let names: Vec<&str> = card.people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Alex", "Mia", "Biscuit II"], "people keep the form's order");
    assert_eq!(shop.count("people"), 3);

    // Remove: a person missing from the list is deleted.
    let mut input = input_from(&card);
    input.people.retain(|p| p.id.as_deref() != Some(mia_id.as_str()));
    let card = cards::update(shop.conn_mut(), &card.id, &input, now()).expect("remove a person");
    assert!(card.people.iter().all(|p| p.id != mia_id), "Mia is still on the card: {:?}", card.people);
    assert_eq!(card.people.len(), 2);
    let mia_rows: i64 =
        shop.conn().query_row("SELECT count(*) FROM people WHERE id = ?1", [&mia_id], |row| row.get(0)).unwrap();
    assert_eq!(mia_rows, 0, "the removed person's row is deleted");
}

#[test]
fn a_person_id_from_another_card_is_not_taken_over() {
    let mut shop = Shop::new();
    let zoe = shop.create(customer("Zoë", "Müller").pet("Biscuit", "dog"));
    let tom = shop.create(customer("Tom", "Smith"));
    let biscuit_id = zoe.people[0].id.clone();

    let input = customer("Tom", "Smith").with(PersonInput {
        id: Some(biscuit_id.clone()),
        name: "Rex".into(),
        kind: "dog".into(),
        details: String::new(),
    });
    let tom = cards::update(shop.conn_mut(), &tom.id, &input, now()).expect("edit Tom");

    assert_eq!(tom.people.len(), 1);
    assert_ne!(tom.people[0].id, biscuit_id, "Tom's new dog must get its own id");
    assert_eq!(tom.people[0].name, "Rex");
    assert_eq!(shop.card(&zoe.id).people, zoe.people, "Zoë's dog is unchanged");
}

// ---------------------------------------------------------------- notes

#[test]
fn notes_pinned_first_then_newest() {
    let mut shop = Shop::new();
    let id = shop.create(customer("Zoë", "Müller")).id;
    let at = |minutes| minutes_later(minutes);
    customers::add_note(shop.conn_mut(), &id, "first", false, at(1)).unwrap();
    customers::add_note(shop.conn_mut(), &id, "second", false, at(2)).unwrap();
    let card = customers::add_note(shop.conn_mut(), &id, "  third\n", false, at(3)).unwrap();
    let bodies = |card: &customers::Card| card.notes.iter().map(|n| n.body.clone()).collect::<Vec<_>>();
    assert_eq!(bodies(&card), ["third", "second", "first"], "newest first, bodies trimmed");
    assert_eq!(card.updated_at, timestamp(at(3)), "a note touches the card");

    let first = card.notes.iter().find(|n| n.body == "first").unwrap().id.clone();
    let card = customers::set_note_pinned(shop.conn_mut(), &first, true, at(4)).unwrap();
    assert_eq!(bodies(&card), ["first", "third", "second"], "a pinned note comes first");
    assert!(card.notes[0].pinned);
    assert!(!card.notes[1].pinned && !card.notes[2].pinned);

    let card = customers::add_note(shop.conn_mut(), &id, "pinned newest", true, at(5)).unwrap();
    assert_eq!(
        bodies(&card),
        ["pinned newest", "first", "third", "second"],
        "pinned notes newest first, then the rest"
    );

    let card = customers::set_note_pinned(shop.conn_mut(), &first, false, at(6)).unwrap();
    assert_eq!(bodies(&card), ["pinned newest", "third", "second", "first"], "an unpinned note goes back to its place");

    let third = card.notes.iter().find(|n| n.body == "third").unwrap().id.clone();
    let card = customers::delete_note(shop.conn_mut(), &third, at(7)).unwrap();
    assert_eq!(bodies(&card), ["pinned newest", "second", "first"]);
    assert_eq!(shop.count("notes"), 3);
    assert_eq!(shop.card(&id), card);
}

#[test]
fn notes_on_missing_things_are_not_found() {
    let mut shop = Shop::new();
    let id = shop.create(customer("Zoë", "Müller")).id;
    shop.add_note(&id, "likes tea", false);
    let before = dump(shop.conn());

    let result = customers::add_note(shop.conn_mut(), "no-such-customer", "hello", false, now());
    assert!(matches!(result, Err(Error::NotFound(_))), "note on a missing customer: {result:?}");
    let result = customers::set_note_pinned(shop.conn_mut(), "no-such-note", true, now());
    assert!(matches!(result, Err(Error::NotFound(_))), "pin a missing note: {result:?}");
    let result = customers::delete_note(shop.conn_mut(), "no-such-note", now());
    assert!(matches!(result, Err(Error::NotFound(_))), "delete a missing note: {result:?}");

    assert_unchanged(&before, &dump(shop.conn()), "notes on missing records");
}

#[test]
fn empty_and_too_long_notes_are_refused_and_change_nothing() {
    let mut shop = Shop::new();
    let id = shop.create(customer("Zoë", "Müller")).id;
    shop.add_note(&id, "likes tea", false);
    let card = shop.card(&id);
    let before = dump(shop.conn());

    let too_long = "a".repeat(MAX_NOTE_CHARS + 1);
    for body in ["", "   ", "\n\t ", too_long.as_str()] {
        let result = customers::add_note(shop.conn_mut(), &id, body, false, minutes_later(5));
        assert_invalid(result, "note");
        assert_eq!(shop.card(&id), card, "the card changed after refusing a note of {} chars", body.len());
        assert_unchanged(&before, &dump(shop.conn()), "a refused note");
    }

    // The limit counts characters, not bytes, and is inclusive.
    let longest = "é".repeat(MAX_NOTE_CHARS);
    let card = shop.add_note(&id, &longest, false);
    assert_eq!(card.notes.len(), 2);
}

// ---------------------------------------------------------------- validation

/// Every way the card form can be refused, with the field it must name.
fn refused_inputs() -> Vec<(&'static str, CustomerInput, &'static str)> {
    let base = || customer("Zoë", "Müller");
    let long_name = "x".repeat(201);
    vec![
        ("no name at all", customer("", ""), "first_name"),
        ("a name of spaces", customer("   ", "\t"), "first_name"),
        ("a first name over 200 characters", customer(&long_name, "Müller"), "first_name"),
        ("a last name over 200 characters", customer("Zoë", &long_name), "last_name"),
        (
            "a preferred name over 200 characters",
            CustomerInput { preferred_name: long_name.clone(), ..base() },
            "preferred_name",
        ),
        ("email without @", base().email("zoe.example.com"), "email"),
        ("email without local part", base().email("@example.com"), "email"),
        ("email without domain", base().email("zoe@"), "email"),
        ("email domain without a dot", base().email("zoe@example"), "email"),
        ("email with a space", base().email("zoe muller@example.com"), "email"),
        ("email with two dots", base().email("zoe@example..com"), "email"),
        ("email with two @", base().email("zoe@@example.com"), "email"),
        ("phone with letters", base().phone("555-CALL-ZOE"), "phone"),
        ("phone as words", base().phone("ask at the desk"), "phone"),
        ("phone with too few digits", base().phone("555 1"), "phone"),
        ("phone with too many digits", base().phone("+1 234 567 890 123 456"), "phone"),
        ("phone of punctuation only", base().phone("( ) -"), "phone"),
        ("birthday day without month", base().birthday("14", "", ""), "birthday"),
        ("birthday month without day", base().birthday("", "3", ""), "birthday"),
        ("birthday year only", base().birthday("", "", "1990"), "birthday"),
        ("31 April", base().birthday("31", "4", ""), "birthday"),
        ("31 April with a year", base().birthday("31", "4", "1990"), "birthday"),
        ("29 February in a non-leap year", base().birthday("29", "2", "2023"), "birthday"),
        ("29 February 1900 (not a leap year)", base().birthday("29", "2", "1900"), "birthday"),
        ("30 February without a year", base().birthday("30", "2", ""), "birthday"),
        ("day 0", base().birthday("0", "5", ""), "birthday"),
        ("day 32", base().birthday("32", "1", ""), "birthday"),
        ("day as a word", base().birthday("first", "5", ""), "birthday"),
        ("negative day", base().birthday("-1", "5", ""), "birthday"),
        ("month 13", base().birthday("1", "13", ""), "birthday"),
        ("month 0", base().birthday("1", "0", ""), "birthday"),
        ("month as a word", base().birthday("1", "May", ""), "birthday"),
        ("year before 1900", base().birthday("1", "5", "1899"), "birthday"),
        ("year in the future", base().birthday("1", "5", "2999"), "birthday"),
        ("two-digit year", base().birthday("1", "5", "90"), "birthday"),
        ("year as a word", base().birthday("1", "5", "nineteen"), "birthday"),
        ("unknown channel", base().channel("fax"), "preferred_channel"),
        ("channel as a label", base().channel("Text message"), "preferred_channel"),
        ("pet with a kind but no name", base().with(person("", "dog", "")), "people"),
        ("person with details but no name", base().with(person("  ", "", "allergic to nuts")), "people"),
        ("person with a name over 200 characters", base().with(person(&long_name, "dog", "")), "people"),
        ("a tag over 40 characters", base().tags(&[&"t".repeat(41)]), "tags"),
    ]
}

#[test]
fn every_refused_create_names_its_field_and_saves_nothing() {
    let mut shop = Shop::new();
    shop.create(customer("Existing", "Customer").pet("Rex", "dog"));
    let before = dump(shop.conn());

    for (what, input, field) in refused_inputs() {
        let result = cards::create(shop.conn_mut(), &input, now());
        match result {
            Err(Error::Invalid { field: got, ref reason }) => {
                assert_eq!(got, field, "{what}: refused for the wrong field ({reason})");
                assert!(!reason.is_empty(), "{what}: no message");
            }
            other => panic!("{what}: expected Invalid {{ field: {field:?} }}, got {other:?}"),
        }
        assert_eq!(shop.count("customers"), 1, "{what}: a customer was saved anyway");
        assert_unchanged(&before, &dump(shop.conn()), what);
    }
}

#[test]
fn every_refused_edit_names_its_field_and_leaves_the_card_unchanged() {
    let mut shop = Shop::new();
    let card = shop.create(
        customer("Tom", "Smith")
            .phone("(555) 014-2211")
            .email("tom@example.com")
            .birthday("14", "3", "1990")
            .pet("Rex", "dog"),
    );
    shop.add_note(&card.id, "likes tea", true);
    let card = shop.card(&card.id);
    let before = dump(shop.conn());

    for (what, mut input, field) in refused_inputs() {
        // Keep the people's ids as the real form would, plus the bad change.
        let mut people = input_from(&card).people;
        people.append(&mut input.people);
        input.people = people;
        let result = cards::update(shop.conn_mut(), &card.id, &input, minutes_later(30));
        let reason = match result {
            Err(Error::Invalid { field: got, reason }) => {
                assert_eq!(got, field, "{what}: refused for the wrong field ({reason})");
                reason
            }
            other => panic!("{what}: expected Invalid {{ field: {field:?} }}, got {other:?}"),
        };
        assert_eq!(shop.card(&card.id), card, "{what}: the card changed although the edit was refused ({reason})");
        assert_unchanged(&before, &dump(shop.conn()), what);
    }
}

#[test]
fn the_error_reaches_the_ui_as_kind_field_and_message() {
    let mut shop = Shop::new();
    let error = cards::create(shop.conn_mut(), &customer("Zoë", "").email("nope"), now()).unwrap_err();
    let json = serde_json::to_value(&error).unwrap();
    assert_eq!(json["kind"], "invalid");
    assert_eq!(json["field"], "email");
    let message = json["message"].as_str().unwrap();
    assert!(message.contains("nope"), "the message should quote what was typed: {message}");
}

// ---------------------------------------------------------------- delete

#[test]
fn delete_leaves_no_trace_of_the_customer() {
    let mut shop = Shop::new();
    let keep = shop.create(customer("Tom", "Smith").pet("Rex", "dog").phone("555 777 1234"));
    shop.add_note(&keep.id, "plays tennis", false);
    let gone = shop.create(
        customer("Zoë", "Müller")
            .email("zoe@example.com")
            .phone("(555) 014-2211")
            .with(person("Biscuit", "dog", "beagle"))
            .with(person("Mia", "child", "")),
    );
    shop.add_note(&gone.id, "marathon runner", true);
    shop.add_note(&gone.id, "allergic to latex", false);
    // Their history too: a visit with points and an open next step.
    let today = now().date_naive();
    let visit = LogInput {
        kind: "purchase".into(),
        summary: "Shampoo".into(),
        amount: "12.50".into(),
        next_step: "Call about the new colour".into(),
        next_step_due: (today + chrono::Duration::days(7)).to_string(),
        ..LogInput::default()
    };
    desk::log(shop.conn_mut(), &gone.id, &visit, now(), today).expect("log a purchase");
    desk::log(shop.conn_mut(), &keep.id, &visit, now(), today).expect("log a purchase");
    let gone_pk: i64 =
        shop.conn().query_row("SELECT pk FROM customers WHERE id = ?1", [&gone.id], |row| row.get(0)).unwrap();
    assert_eq!(shop.names("biscuit"), ["Zoë Müller"], "precondition: the customer is indexed");

    cards::erase(shop.conn_mut(), &gone.id).expect("delete");

    let conn = shop.conn();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [&gone.id], |row| row.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM customers WHERE id = ?1"), 0, "customer row");
    assert_eq!(count("SELECT count(*) FROM people WHERE customer_id = ?1"), 0, "people rows");
    assert_eq!(count("SELECT count(*) FROM notes WHERE customer_id = ?1"), 0, "note rows");
    let by_pk = |sql: &str| -> i64 { conn.query_row(sql, [gone_pk], |row| row.get(0)).unwrap() };
    assert_eq!(by_pk("SELECT count(*) FROM search_keys WHERE customer_pk = ?1"), 0, "search_keys rows");
    assert_eq!(by_pk("SELECT count(*) FROM search_entries WHERE customer_pk = ?1"), 0, "search_entries row");
    assert_eq!(by_pk("SELECT count(*) FROM search_text WHERE rowid = ?1"), 0, "search_text row");
    // Every table that names a customer, including ones added later.
    let tables_with_customer: Vec<String> = conn
        .prepare(
            "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c
             WHERE m.type = 'table' AND c.name = 'customer_id' ORDER BY m.name",
        )
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for table in ["people", "notes", "interactions", "tasks", "points_ledger"] {
        assert!(
            tables_with_customer.iter().any(|t| t == table),
            "{table} has no customer_id: {tables_with_customer:?}"
        );
    }
    for table in &tables_with_customer {
        let left = count(&format!("SELECT count(*) FROM {table} WHERE customer_id = ?1"));
        assert_eq!(left, 0, "{table} still has {left} rows of the deleted customer");
        let kept = conn
            .query_row(&format!("SELECT count(*) FROM {table} WHERE customer_id = ?1"), [&keep.id], |row| {
                row.get::<_, i64>(0)
            })
            .unwrap();
        if ["people", "notes", "interactions", "tasks", "points_ledger"].contains(&table.as_str()) {
            assert!(kept > 0, "{table}: the other customer's rows went too");
        }
    }

    // Only the other customer is left, everywhere.
    assert_eq!(shop.count("customers"), 1);
    assert_eq!(shop.count("people"), 1);
    assert_eq!(shop.count("notes"), 1);
    assert_eq!(shop.count("search_text"), 1);
    let keep_pk: i64 =
        shop.conn().query_row("SELECT pk FROM customers WHERE id = ?1", [&keep.id], |row| row.get(0)).unwrap();
    let name_keys: Vec<i64> = shop
        .conn()
        .prepare("SELECT DISTINCT customer_pk FROM search_keys")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(name_keys, [keep_pk]);

    for query in ["zoe", "muller", "biscuit", "mia", "marathon", "latex", "2211", "zoe@example"] {
        assert!(shop.names(query).is_empty(), "{query:?} still finds something: {:?}", shop.names(query));
    }
    assert_eq!(shop.names("tennis"), ["Tom Smith"]);
    assert!(matches!(customers::get(shop.conn(), &gone.id), Err(Error::NotFound(_))));
    assert!(matches!(cards::erase(shop.conn_mut(), &gone.id), Err(Error::NotFound(_))), "a second delete");
}

#[test]
fn a_new_customer_after_a_delete_does_not_inherit_search_entries() {
    // The pk of the deleted (newest) customer is reused by SQLite.
    let mut shop = Shop::new();
    let gone = shop.create(customer("Zoë", "Müller").pet("Biscuit", "dog"));
    shop.add_note(&gone.id, "marathon runner", false);
    cards::erase(shop.conn_mut(), &gone.id).unwrap();
    shop.create(customer("Tom", "Smith"));
    assert!(shop.names("biscuit").is_empty());
    assert!(shop.names("marathon").is_empty());
    assert!(shop.names("zoe").is_empty());
    assert_eq!(shop.names("tom"), ["Tom Smith"]);
}

// ---------------------------------------------------------------- persistence

#[test]
fn everything_is_there_after_reopening() {
    let mut shop = Shop::new();
    let card = shop.create(
        customer("Søren", "Ødegård")
            .phone("+45 20 12 34 56")
            .birthday("29", "2", "")
            .tags(&["key holder"])
            .pet("Luna", "dog"),
    );
    shop.add_note(&card.id, "code for the lockbox changes monthly", true);
    let card = shop.card(&card.id);
    let saved = settings::save(
        shop.conn_mut(),
        &Settings { shop_name: "Happy Paws".into(), staff: vec![staff("Maria")], ..Settings::default() },
        now(),
    )
    .unwrap();

    let shop = shop.reopen();
    assert_eq!(shop.card(&card.id), card);
    assert_eq!(settings::load(shop.conn()).unwrap(), saved);
    assert_eq!(shop.names("soren"), ["Søren Ødegård"]);
    assert_eq!(shop.names("lockbox"), ["Søren Ødegård"]);
    assert_eq!(shop.names("2012 34"), ["Søren Ødegård"]);
}

// ---------------------------------------------------------------- settings

fn staff(name: &str) -> StaffMember {
    StaffMember { id: None, name: name.into() }
}

#[test]
fn settings_start_empty_and_round_trip() {
    let mut shop = Shop::new();
    let fresh = settings::load(shop.conn()).unwrap();
    assert_eq!(fresh, Settings::default());
    assert!(!fresh.setup_done);

    let wanted = Settings {
        shop_name: "  Salon Lumière ".into(),
        business_kind: BusinessKind::Salon,
        currency: " gbp".into(),
        paper_size: PaperSize::Letter,
        staff: vec![staff(" Maria "), staff(""), staff("Dev"), staff("Sam")],
        setup_done: true,
    };
    let saved = settings::save(shop.conn_mut(), &wanted, now()).expect("save settings");
    assert_eq!(saved.shop_name, "Salon Lumière");
    assert_eq!(saved.currency, "GBP");
    assert_eq!(saved.business_kind, BusinessKind::Salon);
    assert_eq!(saved.paper_size, PaperSize::Letter);
    assert!(saved.setup_done);
    let names: Vec<&str> = saved.staff.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Maria", "Dev", "Sam"], "trimmed, blanks skipped, order kept");
    assert!(saved.staff.iter().all(|s| s.id.is_some()), "saved staff get ids: {:?}", saved.staff);
    assert_eq!(settings::load(shop.conn()).unwrap(), saved);

    // Renaming by id keeps the id.
    let mut renamed = saved.clone();
    renamed.staff[1].name = "Devika".into();
    let again = settings::save(shop.conn_mut(), &renamed, now()).unwrap();
    assert_eq!(again.staff[1].id, saved.staff[1].id);
    assert_eq!(again.staff[1].name, "Devika");
    assert_eq!(shop.count("staff"), 3);
}

#[test]
fn refused_settings_name_their_field_and_save_nothing() {
    let mut shop = Shop::new();
    let good = settings::save(
        shop.conn_mut(),
        &Settings { shop_name: "Northside".into(), staff: vec![staff("Maria"), staff("Dev")], ..Settings::default() },
        now(),
    )
    .unwrap();
    let before = dump(shop.conn());

    let cases: Vec<(&str, Settings, &str)> = vec![
        ("empty shop name", Settings { shop_name: "".into(), ..good.clone() }, "shop_name"),
        ("blank shop name", Settings { shop_name: "   ".into(), ..good.clone() }, "shop_name"),
        ("shop name over 80", Settings { shop_name: "N".repeat(81), ..good.clone() }, "shop_name"),
        ("empty currency", Settings { currency: "".into(), ..good.clone() }, "currency"),
        ("four-letter currency", Settings { currency: "EURO".into(), ..good.clone() }, "currency"),
        ("currency symbol", Settings { currency: "€".into(), ..good.clone() }, "currency"),
        ("currency with a digit", Settings { currency: "E1R".into(), ..good.clone() }, "currency"),
        ("currency with accents", Settings { currency: "ÉUR".into(), ..good.clone() }, "currency"),
        (
            "duplicate staff names",
            Settings { staff: vec![staff("Maria"), staff("Dev"), staff("Maria")], ..good.clone() },
            "staff",
        ),
        (
            "duplicate staff names differing in case and accents",
            Settings { staff: vec![staff("Maria"), staff(" MARÍA ")], ..good.clone() },
            "staff",
        ),
        ("staff name over 60", Settings { staff: vec![staff(&"S".repeat(61))], ..good.clone() }, "staff"),
    ];
    for (what, wanted, field) in cases {
        let result = settings::save(shop.conn_mut(), &wanted, minutes_later(1));
        match result {
            Err(Error::Invalid { field: got, ref reason }) => {
                assert_eq!(got, field, "{what}: refused for the wrong field ({reason})")
            }
            other => panic!("{what}: expected Invalid {{ field: {field:?} }}, got {other:?}"),
        }
        assert_eq!(settings::load(shop.conn()).unwrap(), good, "{what}: the settings changed");
        assert_unchanged(&before, &dump(shop.conn()), what);
    }

    // An unknown staff id is refused as a whole: the shop name is not saved either.
    let wanted = Settings {
        shop_name: "Renamed".into(),
        staff: vec![StaffMember { id: Some("no-such-staff".into()), name: "Ghost".into() }],
        ..good.clone()
    };
    let result = settings::save(shop.conn_mut(), &wanted, minutes_later(1));
    assert!(matches!(result, Err(Error::NotFound(_))), "unknown staff id: {result:?}");
    assert_eq!(settings::load(shop.conn()).unwrap(), good);
    assert_unchanged(&before, &dump(shop.conn()), "an unknown staff id");
}

#[test]
fn removed_staff_are_deactivated_not_deleted() {
    let mut shop = Shop::new();
    let saved = settings::save(
        shop.conn_mut(),
        &Settings {
            shop_name: "Northside".into(),
            staff: vec![staff("Maria"), staff("Dev"), staff("Sam")],
            ..Settings::default()
        },
        now(),
    )
    .unwrap();
    let dev = saved.staff[1].clone();
    let dev_id = dev.id.clone().unwrap();

    let without_dev = Settings { staff: vec![saved.staff[0].clone(), saved.staff[2].clone()], ..saved.clone() };
    let after = settings::save(shop.conn_mut(), &without_dev, minutes_later(1)).unwrap();
    let names: Vec<&str> = after.staff.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Maria", "Sam"]);

    let (count, active): (i64, i64) = shop
        .conn()
        .query_row("SELECT count(*), max(active) FROM staff WHERE id = ?1", [&dev_id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap();
    assert_eq!((count, active), (1, 0), "Dev's row is kept but inactive");
    // History still names who did it.
    let staff_ref = settings::staff_ref(shop.conn(), Some(&dev_id)).unwrap();
    assert_eq!(staff_ref.name, "Dev");

    // Adding Dev back by id makes him active again, in the new position.
    let mut back = after.clone();
    back.staff.insert(0, dev);
    let after = settings::save(shop.conn_mut(), &back, minutes_later(2)).unwrap();
    let names: Vec<&str> = after.staff.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Dev", "Maria", "Sam"]);
    assert_eq!(shop.count("staff"), 3);
}

// ---------------------------------------------------------------- first start

#[test]
fn start_shop_with_the_sample_once() {
    let mut shop = Shop::new();
    let started =
        setup::start_shop(shop.conn_mut(), "", BusinessKind::DogWalking, true, now()).expect("start with sample");
    assert!(started.setup_done);
    assert_eq!(started.business_kind, BusinessKind::DogWalking);
    assert!(!started.shop_name.is_empty(), "an empty name gets the sample shop's name");
    let staff: Vec<&str> = started.staff.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(staff, ["Maria", "Dev", "Sam"]);
    let count = customers::count(shop.conn()).unwrap();
    assert!((45..=55).contains(&count), "the sample shop should have about 50 customers, has {count}");
    assert_eq!(count, setup::SAMPLE_SIZE as i64);
    // Every sample customer is findable by their own name.
    let ids = customers::all_ids(shop.conn()).unwrap();
    for id in ids.iter().take(10) {
        let card = shop.card(id);
        let hits = shop.hits(&card.display_name);
        assert!(hits.iter().any(|h| h.id == card.id), "{:?} is not found by name", card.display_name);
    }
    let before = dump(shop.conn());

    let again = setup::start_shop(shop.conn_mut(), "Other", BusinessKind::Gym, true, minutes_later(1));
    assert!(matches!(again, Err(Error::Conflict(_))), "a second start: {again:?}");
    assert_eq!(customers::count(shop.conn()).unwrap(), count, "the sample was added twice");
    assert_unchanged(&before, &dump(shop.conn()), "a second start");
    assert_eq!(settings::load(shop.conn()).unwrap(), started);
}

#[test]
fn start_shop_empty() {
    let mut shop = Shop::new();
    let started = setup::start_shop(shop.conn_mut(), " Corner Gym ", BusinessKind::Gym, false, now()).unwrap();
    assert!(started.setup_done);
    assert_eq!(started.shop_name, "Corner Gym");
    assert!(started.staff.is_empty());
    assert_eq!(customers::count(shop.conn()).unwrap(), 0);
    let again = setup::start_shop(shop.conn_mut(), "Corner Gym", BusinessKind::Gym, true, now());
    assert!(matches!(again, Err(Error::Conflict(_))), "a second start: {again:?}");
    assert_eq!(customers::count(shop.conn()).unwrap(), 0);
}

#[test]
fn start_shop_without_a_name_or_sample_is_refused() {
    let mut shop = Shop::new();
    let result = setup::start_shop(shop.conn_mut(), "  ", BusinessKind::Other, false, now());
    assert_invalid(result, "shop_name");
    assert!(!settings::load(shop.conn()).unwrap().setup_done);
}

#[test]
fn the_card_view_holds_every_panel_of_the_card() {
    let mut shop = Shop::new();
    let card =
        shop.create(CustomerInput { people: vec![person("Biscuit", "dog", "whippet")], ..customer("Zoë", "Müller") });
    shop.add_note(&card.id, "Prefers texts after 6pm", true);
    let at = now();
    desk::check_in(shop.conn_mut(), &card.id, None, at, at.date_naive()).expect("check in");
    let view =
        card_view::load(shop.conn(), &card.id, minutes_later(1), at.date_naive(), &chrono::Utc).expect("card view");
    assert_eq!(view.card.display_name, "Zoë Müller");
    assert_eq!(view.card.people[0].name, "Biscuit");
    assert_eq!(view.card.notes[0].body, "Prefers texts after 6pm");
    assert_eq!(view.activity.visit_count, 1);
    assert_eq!(view.activity.history.items.len(), 1);
    assert!(view.membership.is_none() && view.plan.is_none() && view.complaints.is_empty() && view.feedback.is_empty());
    assert!(view.review.requests.is_empty());
    assert!(view.referrals.referred_by.is_none());
    assert!(matches!(
        card_view::load(shop.conn(), "no-such-id", at, at.date_naive(), &chrono::Utc),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn a_check_in_says_what_it_earned_and_returns_the_card_as_it_is_now() {
    let mut shop = Shop::new();
    let card = shop.create(customer("Ada", "Regular"));
    let at = now();
    let first =
        desk::check_in_and_show(shop.conn_mut(), &card.id, None, at, at.date_naive(), &chrono::Utc).expect("check in");
    let points = first.logged.points;
    assert!(points > 0, "the default program gives points for a visit");
    assert_eq!(first.said, format!("Ada Regular checked in: +{points} points (balance {points})."));
    assert_eq!(first.view.activity.visit_count, 1);
    assert_eq!(first.view.activity.loyalty.balance, points);
    let second =
        desk::check_in_and_show(shop.conn_mut(), &card.id, None, minutes_later(5), at.date_naive(), &chrono::Utc)
            .expect("again");
    assert_eq!(second.said, format!("Ada Regular checked in: +{points} points (balance {}).", points * 2));
    assert_eq!(second.view.activity.visit_count, 2);
    let lines: Vec<&String> =
        second.view.activity.loyalty.ready.iter().chain(&second.view.activity.loyalty.progress).collect();
    assert_eq!(second.rewards.iter().collect::<Vec<_>>(), lines, "reward lines: ready first, then progress");
}
