//! The preferred name ("Liz" for Elizabeth), followed through every place
//! a field of the card goes: an older shop's upgrade, the editor's checks,
//! the search, the import from a spreadsheet and from a phone's contacts,
//! the exports, the message placeholders and the printed plan.

use crate::util;

use chrono::NaiveDate;
use regulars::db::search;
use regulars::db::settings::{self, BusinessKind, Settings};
use regulars::db::store::{schema_version, Store, DATABASE_FILE};
use regulars::features::{cards, templates};
use regulars::io::importer::{self, Field, Options};
use regulars::io::{export, plan_pdf, vcard};
use regulars::records::customers::{self, CustomerInput};
use regulars::records::onboarding;
use rusqlite::Connection;

use util::{assert_invalid, assert_unchanged, customer, dump, input_from, minutes_later, now, Shop};

fn liz() -> CustomerInput {
    CustomerInput { preferred_name: "  Liz ".into(), ..customer("Elizabeth", "Taylor") }
}

fn import(shop: &mut Shop, bytes: &[u8], file_name: &str) -> importer::Report {
    let table = importer::parse(bytes).unwrap_or_else(|e| panic!("parse refused: {e:?}"));
    importer::import(shop.conn_mut(), None, &table, file_name, &Options::default(), now())
        .unwrap_or_else(|e| panic!("import failed: {e:?}"))
}

// ------------------------------------------------------------ an older shop

/// A shop file as version 14 left it (the real migrations, read from the
/// folder), with one customer and the search entries that version wrote.
fn version_14_file(db: &std::path::Path) {
    let conn = Connection::open(db).unwrap();
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/migrations");
    let mut files: Vec<_> = std::fs::read_dir(folder).unwrap().map(|entry| entry.unwrap().path()).collect();
    files.sort();
    for file in files.iter().filter(|f| f.file_name().unwrap().to_str().unwrap() < "0015") {
        conn.execute_batch(&std::fs::read_to_string(file).unwrap()).unwrap();
    }
    conn.execute_batch(
        "INSERT INTO customers (id, first_name, last_name, display_name, sort_name, phone, phone_digits,
             email, created_at, updated_at)
         VALUES ('0190b3c2-0000-7000-8000-000000000001', 'Elizabeth', 'Taylor', 'Elizabeth Taylor',
             'elizabeth taylor', '+44 20 7946 0958', '442079460958', 'liz@example.com',
             '2025-01-01T10:00:00.000Z', '2025-01-01T10:00:00.000Z');
         INSERT INTO search_keys (key, customer_pk) VALUES ('n elizabeth taylor', 1), ('n taylor', 1),
             ('p 442079460958', 1), ('p 42079460958', 1), ('p 2079460958', 1), ('p 079460958', 1),
             ('e 859064970244', 1);
         INSERT INTO search_entries (customer_pk, keys) VALUES (1, 'n elizabeth taylor' || char(10) || 'n taylor'
             || char(10) || 'p 442079460958' || char(10) || 'p 42079460958' || char(10) || 'p 2079460958'
             || char(10) || 'p 079460958' || char(10) || 'e 859064970244');
         INSERT INTO search_text (rowid, name, contact, people, notes)
         VALUES (1, 'elizabeth taylor', 'liz example com', '', '');
         PRAGMA user_version = 14;",
    )
    .unwrap();
}

#[test]
fn an_older_shop_gets_an_empty_preferred_name_and_its_search_still_works() {
    let temp = tempfile::tempdir().unwrap();
    let db = temp.path().join(DATABASE_FILE);
    version_14_file(&db);

    let mut store = Store::open(&db).expect("open a version 14 shop");
    let version: i64 = store.conn().query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
    assert_eq!(version, schema_version());
    assert!(
        store_schema_is_a_new_shops(store.conn()),
        "upgrading from version 14 gives a different schema than a new shop"
    );
    let id = "0190b3c2-0000-7000-8000-000000000001";
    let card = customers::get(store.conn(), id).expect("the customer survives");
    assert_eq!(card.preferred_name, "", "an existing card has no preferred name");
    let names = |conn: &Connection, query: &str| -> Vec<String> {
        search::search(conn, query, 20, None).unwrap().into_iter().map(|h| h.display_name).collect()
    };
    for query in ["eliza", "taylor", "liz example", "7946 0958"] {
        assert_eq!(names(store.conn(), query), ["Elizabeth Taylor"], "{query:?} after the upgrade");
    }

    // No refill was needed: this version files an unchanged card under exactly the keys version 14 did.
    let entry = |conn: &Connection| -> String {
        conn.query_row("SELECT keys FROM search_entries WHERE customer_pk = 1", [], |row| row.get(0)).unwrap()
    };
    let upgraded = entry(store.conn());
    search::reindex(store.conn(), id).unwrap();
    assert_eq!(entry(store.conn()), upgraded);

    // The upgraded card takes a preferred name like a new one.
    let input = CustomerInput { preferred_name: "Liz".into(), ..input_from(&card) };
    cards::update(store.conn_mut(), id, &input, now()).expect("edit");
    assert_eq!(names(store.conn(), "liz"), ["Elizabeth Taylor"]);
    assert_eq!(names(store.conn(), "liz tay"), ["Elizabeth Taylor"]);
}

fn store_schema_is_a_new_shops(conn: &Connection) -> bool {
    let schema = |conn: &Connection| -> Vec<(String, String, Option<String>)> {
        conn.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    schema(conn) == schema(Shop::new().conn())
}

// ------------------------------------------------------------ the editor

#[test]
fn the_editor_stores_it_trimmed_and_refuses_one_too_long_changing_nothing() {
    let mut shop = Shop::new();
    let card = shop.create(liz());
    assert_eq!(card.preferred_name, "Liz", "trimmed");
    assert_eq!(card.display_name, "Elizabeth Taylor", "the name stays the name");
    assert_eq!(shop.card(&card.id).preferred_name, "Liz");

    let before = dump(shop.conn());
    let long = CustomerInput { preferred_name: "L".repeat(201), ..input_from(&card) };
    let reason = assert_invalid(cards::update(shop.conn_mut(), &card.id, &long, minutes_later(5)), "preferred_name");
    assert_eq!(reason, "The preferred name can be at most 200 characters.");
    assert_unchanged(&before, &dump(shop.conn()), "a refused preferred name");
    assert_invalid(
        cards::create(shop.conn_mut(), &CustomerInput { preferred_name: "L".repeat(201), ..liz() }, now()),
        "preferred_name",
    );
    assert_eq!(shop.count("customers"), 1);

    // A preferred name alone is not a name: the card still needs one.
    let only = CustomerInput { preferred_name: "Liz".into(), ..customer("", "") };
    assert_invalid(cards::create(shop.conn_mut(), &only, now()), "first_name");

    // Cleared, it is gone from the search too.
    let cleared = CustomerInput { preferred_name: "  ".into(), ..input_from(&card) };
    cards::update(shop.conn_mut(), &card.id, &cleared, minutes_later(10)).expect("clear");
    assert_eq!(shop.card(&card.id).preferred_name, "");
    assert!(shop.names("liz").is_empty(), "{:?}", shop.names("liz"));
}

// ------------------------------------------------------------ the search

#[test]
fn typing_the_preferred_name_finds_her_first_by_name() {
    let mut shop = Shop::new();
    shop.create(customer("Lizzy", "Adams"));
    let liz = shop.create(liz());
    shop.create(customer("Robert", "Liston"));
    let bobby = shop.create(CustomerInput { preferred_name: "Bobby".into(), ..customer("Robert", "Brown") });

    let hits = shop.hits("liz");
    assert!(hits.iter().any(|h| h.id == liz.id), "{hits:?}");
    let hit = hits.iter().find(|h| h.id == liz.id).unwrap();
    assert_eq!(hit.matched_on, search::MatchedOn::Name);
    assert_eq!(hit.preferred_name, "Liz", "the list shows the name she goes by");
    assert_eq!(shop.hits("lizzy")[0].preferred_name, "");
    assert_eq!(shop.names("liz taylor"), ["Elizabeth Taylor"]);
    assert_eq!(shop.names("taylor liz"), ["Elizabeth Taylor"], "words in any order");
    assert_eq!(shop.names("bobby"), ["Robert Brown"]);
    assert_eq!(shop.hits("bob")[0].id, bobby.id);
    // The name itself still finds them, and only once.
    assert_eq!(shop.names("elizabeth"), ["Elizabeth Taylor"]);
    assert_eq!(shop.names("taylor"), ["Elizabeth Taylor"]);
}

// ------------------------------------------------------------ import

#[test]
fn a_spreadsheet_with_a_nickname_column_fills_it() {
    let headings = |line: &str| -> Vec<Field> {
        importer::guess_mapping(&line.split(',').map(str::to_string).collect::<Vec<_>>())
    };
    assert_eq!(headings("First Name,Last Name,Nickname")[2], Field::PreferredName);
    for heading in ["Preferred name", "Known as", "Goes by", "Client Nickname", "Preferred First Name", "Spitzname"] {
        assert_eq!(headings(&format!("Name,{heading}"))[1], Field::PreferredName, "{heading:?}");
    }
    assert_eq!(headings("Name,Spouse Nickname")[1], Field::Ignore, "someone else's nickname");
    assert_eq!(headings("Name,Preferred email")[1], Field::Email);

    let mut shop = Shop::new();
    let report = import(
        &mut shop,
        "First Name,Last Name,Nickname,Email\nElizabeth,Taylor, Liz ,liz@example.com\nRobert,Brown,,bob@example.com\n"
            .as_bytes(),
        "clients.csv",
    );
    assert_eq!(report.imported, 2, "{:?}", report.problems);
    let liz = shop.card(&shop.hits("liz")[0].id);
    assert_eq!((liz.display_name.as_str(), liz.preferred_name.as_str()), ("Elizabeth Taylor", "Liz"));
    assert_eq!(shop.card(&shop.hits("brown")[0].id).preferred_name, "");

    // A merge fills it on a card that has none, and leaves one that has.
    let merge = Options { on_duplicate: importer::OnDuplicate::Merge, ..Options::default() };
    let table = importer::parse(
        b"Name,Email,Goes by\nRobert Brown,bob@example.com,Bobby\nElizabeth Taylor,liz@example.com,Beth\n",
    )
    .unwrap();
    importer::import(shop.conn_mut(), None, &table, "again.csv", &merge, now()).expect("merge");
    assert_eq!(shop.card(&shop.hits("brown")[0].id).preferred_name, "Bobby");
    assert_eq!(shop.card(&liz.id).preferred_name, "Liz");
    assert_eq!(shop.names("bobby"), ["Robert Brown"]);
}

#[test]
fn a_vcard_nickname_fills_it_and_the_export_writes_it_back() {
    let mut shop = Shop::new();
    let file = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Taylor;Elizabeth;;;\r\nFN:Elizabeth Taylor\r\n\
NICKNAME:Liz,Lizzie\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nN:Brown;Robert;;;\r\nFN:Robert Brown\r\nEND:VCARD\r\n";
    let report = import(&mut shop, file.as_bytes(), "contacts.vcf");
    assert_eq!(report.imported, 2, "{:?}", report.problems);
    let liz = shop.card(&shop.hits("liz")[0].id);
    assert_eq!(liz.preferred_name, "Liz", "the first of the nicknames");
    assert_eq!(shop.card(&shop.hits("brown")[0].id).preferred_name, "");

    // Exported as NICKNAME (escaped like every value), and read back the same.
    let tricky =
        shop.create(CustomerInput { preferred_name: "Jo, the boss; really".into(), ..customer("Joanna", "Kay") });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("all.vcf");
    export::export_vcards(shop.conn(), None, &path).expect("export");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("NICKNAME:Liz\r\n"), "{text}");
    assert!(text.contains("NICKNAME:Jo\\, the boss\\; really\r\n"), "{text}");
    assert_eq!(text.matches("NICKNAME").count(), 2, "no NICKNAME without a preferred name: {text}");
    let one = vcard::card_to_vcard(&vcard::ContactCard::from(&shop.card(&tricky.id)));
    assert_eq!(vcard::read(one.as_bytes())[0].nickname, "Jo, the boss; really");

    let mut other = Shop::new();
    let report = import(&mut other, text.as_bytes(), "all.vcf");
    assert_eq!(report.imported, 3, "{:?}", report.problems);
    for (query, preferred) in [("taylor", "Liz"), ("brown", ""), ("kay", "Jo, the boss; really")] {
        assert_eq!(other.card(&other.hits(query)[0].id).preferred_name, preferred, "{query}");
    }
}

// ------------------------------------------------------------ exports

#[test]
fn the_csv_and_the_customers_data_export_carry_it() {
    let mut shop = Shop::new();
    let liz = shop.create(liz());
    let mut out = Vec::new();
    export::write_customers_csv(shop.conn(), &mut out).expect("csv");
    let text = String::from_utf8(out[3..].to_vec()).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let column = headers.iter().position(|h| h == "preferred_name").expect("a preferred_name column");
    assert_eq!(&row[column], "Liz");

    // The CSV imports back with it.
    let mut other = Shop::new();
    assert_eq!(import(&mut other, &out, "export.csv").imported, 1);
    assert_eq!(other.card(&other.hits("liz")[0].id).preferred_name, "Liz");

    let data = serde_json::to_value(export::customer_data(shop.conn(), &liz.id, now()).expect("data")).unwrap();
    assert_eq!(data["card"]["preferred_name"], "Liz");
    assert_eq!(data["records"]["customers"][0]["preferred_name"], "Liz");
}

// ------------------------------------------------------------ messages and print

#[test]
fn the_preferred_name_placeholder_falls_back_to_the_first_name() {
    let mut shop = Shop::new();
    let liz = shop.create(liz());
    let tom = shop.create(customer("Tom", "Smith"));
    let hello = |id: &str| {
        let values = templates::values_for(shop.conn(), id, "", "", &chrono::Utc).expect("values");
        templates::render("Hi {preferred_name} ({first_name})", &values).text
    };
    assert_eq!(hello(&liz.id), "Hi Liz (Elizabeth)");
    assert_eq!(hello(&tom.id), "Hi Tom (Tom)");
    let template =
        templates::Template { key: "welcome".into(), subject: "Hi".into(), body: "Hi {preferred_name}".into() };
    templates::validate(&template).expect("a known placeholder");
}

#[test]
fn the_printed_plan_greets_her_by_the_name_she_goes_by() {
    let mut shop = Shop::new();
    let gym = Settings { shop_name: "Corner Gym".into(), business_kind: BusinessKind::Gym, ..Settings::default() };
    settings::save(shop.conn_mut(), &gym, now()).expect("settings");
    let liz = shop.create(liz());
    let tom = shop.create(customer("Tom", "Smith"));
    let start = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    for id in [&liz.id, &tom.id] {
        onboarding::start(shop.conn_mut(), id, start, start, now()).expect("start a plan");
    }

    let doc = plan_pdf::document(shop.conn(), &liz.id, start).expect("document");
    assert_eq!(doc.customer_name, "Elizabeth Taylor", "the plan is still for her by name");
    let rendered = plan_pdf::render(&doc).expect("render");
    let (_, text) = crate::plans::write_and_read("plan-preferred-name", &rendered.bytes);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Elizabeth Taylor"), "{text}");
    assert!(flat.contains("Hi Liz! Welcome to the gym!"), "{text}");

    // Without a preferred name the welcome is as written.
    let doc = plan_pdf::document(shop.conn(), &tom.id, start).expect("document");
    assert_eq!(doc.welcome, onboarding::default_template(BusinessKind::Gym).welcome);
}
