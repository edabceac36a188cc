//! vCard import: files made here in the shapes phones and address books
//! export (2.1 with QUOTED-PRINTABLE and CHARSET as old Android and
//! Outlook write it, 3.0 as iPhone/iCloud and Google write it, 4.0), never
//! copied from anyone's contacts, imported on a real SQLite file through
//! the functions the commands use, and checked field by field.

use crate::util;

use proptest::prelude::*;
use regulars::features::cards;
use regulars::io::importer::{self, OnDuplicate, Options};
use regulars::io::{export, vcard};
use regulars::kernel::birthday::Birthday;
use regulars::records::customers::{Card, CustomerInput};
use util::*;

/// One made-up contact, with a mobile, a work phone, two emails (the
/// second preferred), a birthday (with or without its year), a note and tags.
struct Person {
    given: &'static str,
    family: &'static str,
    mobile: &'static str,
    work: &'static str,
    home_email: &'static str,
    work_email: &'static str,
    /// (year, month, day)
    birthday: (Option<i32>, u32, u32),
    note: &'static str,
    tags: &'static [&'static str],
}

const PEOPLE: &[Person] = &[
    Person {
        given: "Zoë",
        family: "Müller",
        mobile: "+44 7700 900123",
        work: "020 7946 0001",
        home_email: "zoe.home@example.com",
        work_email: "zoe@example.org",
        birthday: (Some(1988), 3, 14),
        note: "Prefers mornings; allergic to lavender, and a long note that a phone folds over several lines.",
        tags: &["Gym", "VIP"],
    },
    Person {
        given: "Seán",
        family: "O'Brien",
        mobile: "+353 85 123 4567",
        work: "01 555 0102",
        home_email: "sean@example.net",
        work_email: "sean.obrien@example.org",
        birthday: (None, 5, 21),
        note: "Dog: Biscuit, café au lait",
        tags: &["Dog walking"],
    },
    Person {
        given: "Renée",
        family: "Fabre",
        mobile: "06 12 34 56 78",
        work: "01 42 68 53 00",
        home_email: "renee@example.fr",
        work_email: "r.fabre@example.com",
        birthday: (Some(1979), 12, 2),
        note: "Coupe courte, crème",
        tags: &["Salon"],
    },
];

// ------------------------------------------------------------ generators

/// 2.1's QUOTED-PRINTABLE, with a soft line break ("=" at the end) every
/// 20 characters so values run over several lines.
fn quoted_printable(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut line = 0;
    for &b in bytes {
        let piece = if b.is_ascii_alphanumeric() || b == b' ' || b == b'.' {
            (b as char).to_string()
        } else {
            format!("={b:02X}")
        };
        if line + piece.len() > 20 {
            out.push_str("=\r\n");
            line = 0;
        }
        line += piece.len();
        out.push_str(&piece);
    }
    out
}

fn latin1(text: &str) -> Vec<u8> {
    text.chars().map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 name")).collect()
}

/// Folds a line every 30 characters (a space starts each continuation),
/// as 3.0 and 4.0 writers fold at 75.
fn fold(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    chars.chunks(30).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("\r\n ")
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace(',', "\\,").replace(';', "\\;").replace('\n', "\\n")
}

/// As old Android phones and Outlook write it: Latin-1 names, a UTF-8
/// note, both QUOTED-PRINTABLE, bare types, the birthday as 8 digits (or
/// Apple's 1604 for no year, which some Android exports copy).
fn version_2_1(people: &[Person]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in people {
        out.extend_from_slice(b"BEGIN:VCARD\r\nVERSION:2.1\r\n");
        let name = [latin1(p.family), b";".to_vec(), latin1(p.given), b";;;".to_vec()].concat();
        out.extend_from_slice(
            format!("N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:{}\r\n", quoted_printable(&name)).as_bytes(),
        );
        out.extend_from_slice(format!("TEL;WORK;VOICE:{}\r\nTEL;CELL:{}\r\n", p.work, p.mobile).as_bytes());
        out.extend_from_slice(
            format!("EMAIL;INTERNET;HOME:{}\r\nEMAIL;INTERNET;WORK;PREF:{}\r\n", p.home_email, p.work_email).as_bytes(),
        );
        let (year, month, day) = p.birthday;
        out.extend_from_slice(format!("BDAY:{}{month:02}{day:02}\r\n", year.unwrap_or(1604)).as_bytes());
        out.extend_from_slice(
            format!("NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{}\r\n", quoted_printable(p.note.as_bytes()))
                .as_bytes(),
        );
        out.extend_from_slice(format!("X-CATEGORIES:ignored\r\nCATEGORIES:{}\r\n", p.tags.join(",")).as_bytes());
        out.extend_from_slice(b"END:VCARD\r\n");
    }
    out
}

/// As an iPhone/iCloud writes it: grouped items with Apple labels, types
/// in lower and upper case, "pref" as a type, folded lines, a year-less
/// birthday as --MM-DD, an address and a photo.
fn version_3_iphone(people: &[Person]) -> Vec<u8> {
    let mut out = String::new();
    for p in people {
        out.push_str("BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.0//EN\r\n");
        out.push_str(&fold(&format!("N:{};{};;;", escape(p.family), escape(p.given))));
        out.push_str(&format!("\r\nFN:{} {}\r\nORG:Example Works;Front desk\r\n", escape(p.given), escape(p.family)));
        out.push_str(&format!("item1.TEL;type=WORK;type=VOICE:{}\r\nitem1.X-ABLabel:_$!<Work>!$_\r\n", p.work));
        out.push_str(&format!("item2.TEL;type=CELL;type=VOICE;type=pref:{}\r\n", p.mobile));
        out.push_str(&format!("EMAIL;type=INTERNET;type=HOME:{}\r\n", p.home_email));
        out.push_str(&format!("EMAIL;type=INTERNET;type=WORK;type=pref:{}\r\n", p.work_email));
        out.push_str("item3.ADR;type=HOME:;;1 High Street;Townsville;;AB1 2CD;United Kingdom\r\n");
        let (year, month, day) = p.birthday;
        match year {
            Some(year) => out.push_str(&format!("BDAY;value=date:{year}-{month:02}-{day:02}\r\n")),
            None => out.push_str(&format!("BDAY:--{month:02}-{day:02}\r\n")),
        }
        out.push_str(&fold(&format!("NOTE:{}", escape(p.note))));
        out.push_str(&format!("\r\nCATEGORIES:{}\r\n", p.tags.iter().map(|t| escape(t)).collect::<Vec<_>>().join(",")));
        out.push_str(
            "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\r\n /2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U\r\n",
        );
        out.push_str("END:VCARD\r\n");
    }
    out.into_bytes()
}

/// vCard 4.0: tel: URIs with quoted types and PREF=1, --MMDD for a
/// year-less birthday, LF line ends.
fn version_4(people: &[Person]) -> Vec<u8> {
    let mut out = String::new();
    for p in people {
        out.push_str("BEGIN:VCARD\nVERSION:4.0\n");
        out.push_str(&format!(
            "FN:{} {}\nN:{};{};;;\n",
            escape(p.given),
            escape(p.family),
            escape(p.family),
            escape(p.given)
        ));
        out.push_str(&format!("TEL;VALUE=uri;TYPE=\"work,voice\":tel:{}\n", p.work.replace(' ', "-")));
        out.push_str(&format!("TEL;VALUE=uri;TYPE=\"cell,voice\";PREF=1:tel:{}\n", p.mobile.replace(' ', "-")));
        out.push_str(&format!("EMAIL;TYPE=home:{}\nEMAIL;TYPE=work;PREF=1:{}\n", p.home_email, p.work_email));
        let (year, month, day) = p.birthday;
        match year {
            Some(year) => out.push_str(&format!("BDAY:{year}{month:02}{day:02}\n")),
            None => out.push_str(&format!("BDAY:--{month:02}{day:02}\n")),
        }
        out.push_str(&fold(&format!("NOTE:{}", escape(p.note))).replace("\r\n", "\n"));
        out.push_str(&format!(
            "\nCATEGORIES:{}\nEND:VCARD\n",
            p.tags.iter().map(|t| escape(t)).collect::<Vec<_>>().join(",")
        ));
    }
    out.into_bytes()
}

// ------------------------------------------------------------ checks

fn import(shop: &mut Shop, bytes: &[u8], options: &Options) -> importer::Report {
    let table = importer::parse(bytes).unwrap_or_else(|e| panic!("parse refused: {e:?}"));
    importer::import(shop.conn_mut(), None, &table, "contacts.vcf", options, now())
        .unwrap_or_else(|e| panic!("import failed: {e:?}"))
}

fn card_of(shop: &Shop, given: &str) -> regulars::records::customers::Card {
    let id: String = shop
        .conn()
        .query_row("SELECT id FROM customers WHERE first_name = ?1", [given], |r| r.get(0))
        .unwrap_or_else(|e| panic!("no card for {given}: {e}"));
    shop.card(&id)
}

fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// Every field where a shop owner would look for it.
fn check_cards(shop: &Shop, version: &str, with_org: bool) {
    for p in PEOPLE {
        let card = card_of(shop, p.given);
        assert_eq!((card.first_name.as_str(), card.last_name.as_str()), (p.given, p.family), "{version}");
        assert_eq!(digits(&card.phone), digits(p.mobile), "{version}: the mobile is the card's phone");
        assert_eq!(card.email, p.work_email, "{version}: the preferred email is the card's");
        let (year, month, day) = p.birthday;
        assert_eq!(card.birthday, Some(Birthday { day, month, year }), "{version}: {}", p.given);
        assert_eq!(card.tags, p.tags.iter().map(|t| t.to_string()).collect::<Vec<_>>(), "{version}");
        let notes: Vec<&str> = card.notes.iter().map(|n| n.body.as_str()).collect();
        assert!(notes.contains(&p.note), "{version}: the note is kept: {notes:?}");
        let other_phones =
            notes.iter().find(|n| n.starts_with("Other phones: ")).unwrap_or_else(|| panic!("{version}: {notes:?}"));
        assert!(other_phones.starts_with("Other phones: Work "), "{version}: {other_phones}");
        assert_eq!(digits(other_phones), digits(p.work), "{version}: {other_phones}");
        assert!(notes.contains(&format!("Other emails: Home {}", p.home_email).as_str()), "{version}: {notes:?}");
        if with_org {
            assert!(notes.contains(&"Organisation: Example Works, Front desk"), "{notes:?}");
            assert!(notes.contains(&"Address: Home: 1 High Street, Townsville, AB1 2CD, United Kingdom"), "{notes:?}");
        }
    }
}

#[test]
fn every_version_imports_field_by_field() {
    for (version, bytes, with_org) in [
        ("2.1", version_2_1(PEOPLE), false),
        ("3.0", version_3_iphone(PEOPLE), true),
        ("4.0", version_4(PEOPLE), false),
    ] {
        let mut shop = Shop::new();
        let preview = importer::preview(
            shop.conn(),
            &importer::parse(&bytes).unwrap(),
            "contacts.vcf",
            &Options::default(),
            now(),
        )
        .unwrap_or_else(|e| panic!("{version}: {e:?}"));
        assert_eq!(
            (preview.total_rows, preview.new_rows, preview.rejected_count),
            (3, 3, 0),
            "{version}: {:?}",
            preview.problems
        );
        assert_eq!(preview.sample[0].name, "Zoë Müller", "{version}");
        let report = import(&mut shop, &bytes, &Options::default());
        assert_eq!((report.imported, report.rejected), (3, 0), "{version}: {:?}", report.problems);
        check_cards(&shop, version, with_org);
    }
}

#[test]
fn a_contact_without_a_name_is_a_problem_row_and_the_others_import() {
    let file = "BEGIN:VCARD\nVERSION:3.0\nFN:Ada Lovelace\nTEL;TYPE=HOME:555 0101\nBDAY:--0521\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:3.0\nTEL:555 0102\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:3.0\nN:Hopper;Grace;;;\nTEL;TYPE=CELL:not a number\nEND:VCARD\n";
    let mut shop = Shop::new();
    let report = import(&mut shop, file.as_bytes(), &Options::default());
    assert_eq!((report.imported, report.rejected), (1, 2));
    assert_eq!(report.problems.iter().map(|p| p.row).collect::<Vec<_>>(), vec![2, 3], "rows are counted by contact");
    assert!(report.problems[0].reason.contains("no name"), "{:?}", report.problems);
    assert!(report.problems[1].reason.contains("phone"), "{:?}", report.problems);
    let ada = card_of(&shop, "Ada");
    assert_eq!(
        (ada.last_name.as_str(), ada.phone.as_str()),
        ("Lovelace", "555 0101"),
        "with no mobile the first number serves"
    );
    assert_eq!(ada.birthday, Some(Birthday { day: 21, month: 5, year: None }));
}

#[test]
fn duplicates_of_a_stored_card_then_one_step_undo() {
    let mut shop = Shop::new();
    let zoe = shop.create(customer("Zoë", "Müller").email("ZOE@example.org").tags(&["regular"]));
    let bytes = version_3_iphone(PEOPLE);
    let table = importer::parse(&bytes).unwrap();
    let preview = importer::preview(shop.conn(), &table, "contacts.vcf", &Options::default(), now()).unwrap();
    assert_eq!((preview.new_rows, preview.duplicate_count), (2, 1));
    assert_eq!(preview.duplicates[0].existing_id.as_deref(), Some(zoe.id.as_str()));
    assert_eq!(preview.duplicates[0].matched_on, "email");

    let before = dump(shop.conn());
    let report = import(&mut shop, &bytes, &Options { on_duplicate: OnDuplicate::Merge, ..Options::default() });
    assert_eq!((report.imported, report.merged), (2, 1));
    let merged = shop.card(&zoe.id);
    assert_eq!(merged.tags, vec!["regular", "Gym", "VIP"]);
    assert_eq!(digits(&merged.phone), digits(PEOPLE[0].mobile), "the empty phone is filled");

    let batch = &importer::batches(shop.conn()).unwrap()[0];
    let undone = importer::undo(shop.conn_mut(), &batch.id, now()).unwrap();
    assert_eq!((undone.deleted, undone.restored), (2, 1));
    let after = dump(shop.conn());
    let sorted = |rows: &Vec<String>| {
        let mut rows = rows.clone();
        rows.sort();
        rows
    };
    for table in ["customers", "people", "notes", "search_keys", "search_entries"] {
        assert_eq!(sorted(&before[table]), sorted(&after[table]), "{table} is back as it was");
    }
}

#[test]
fn the_command_line_imports_a_vcf_file() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let file = dir.path().join("contacts.vcf");
    std::fs::write(&file, version_2_1(PEOPLE)).unwrap();
    let (code, said) = util::cli_import(&data_dir, &file);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("imported 3 merged 0 skipped 0 rejected 0"), "{said}");
    let store = util::open_cli_shop(&data_dir);
    let stored: String = store
        .conn()
        .query_row("SELECT birthday FROM customers WHERE display_name = 'Seán O''Brien'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, "--05-21", "a birthday without its year");
}

// ------------------------------------------------------------ the other way

type ContactFields = (
    (String, String, String),
    String,
    String,
    Option<Birthday>,
    Vec<String>,
    Vec<(String, String, String)>,
    Vec<String>,
);

/// A card's contact fields, as compared after a round trip: the notes as a
/// sorted list (an import writes them all at one moment, so their order on
/// the card is not the exported order).
fn contact_fields(card: &Card) -> ContactFields {
    let mut notes: Vec<String> = card.notes.iter().map(|n| n.body.clone()).collect();
    notes.sort();
    (
        (card.first_name.clone(), card.last_name.clone(), card.preferred_name.clone()),
        card.phone.clone(),
        card.email.clone(),
        card.birthday,
        card.tags.clone(),
        card.people.iter().map(|p| (p.name.clone(), p.kind.clone(), p.details.clone())).collect(),
        notes,
    )
}

fn export_to(shop: &Shop, only: Option<&str>) -> (usize, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("contacts.vcf");
    let count = export::export_vcards(shop.conn(), only, &path).unwrap_or_else(|e| panic!("export failed: {e:?}"));
    (count, std::fs::read(&path).unwrap())
}

/// The text of a field that the editor takes: trimmed it is not empty and
/// holds at most `max` characters.
fn field_text(pieces: std::ops::Range<usize>, max: usize) -> impl Strategy<Value = String> {
    user_text(pieces).prop_filter("fits the field", move |s| !s.trim().is_empty() && s.trim().chars().count() <= max)
}

fn any_card() -> impl Strategy<Value = (CustomerInput, Vec<String>)> {
    let birthday = proptest::option::of((proptest::option::of(1900..2020i32), 1..=12u32, 1..=28u32));
    let people = proptest::collection::vec(
        (name_text(), proptest::option::of(field_text(1..3, 40)), proptest::option::of(field_text(1..4, 200))),
        0..3,
    );
    (
        (name_text(), proptest::option::of(name_text()), proptest::option::of(name_text())),
        proptest::option::of("[0-9]{3} [0-9]{3} [0-9]{4}"),
        proptest::option::of("[a-z]{1,8}@[a-z]{1,8}\\.[a-z]{2,3}"),
        birthday,
        proptest::collection::vec(field_text(1..3, 40), 0..4),
        people,
        proptest::collection::vec(field_text(1..6, 2000), 0..3),
    )
        .prop_map(|((first, last, preferred), phone, email, birthday, tags, people, notes)| {
            let mut input = customer(&first, &last.unwrap_or_default());
            input.preferred_name = preferred.unwrap_or_default();
            input.phone = phone.unwrap_or_default();
            input.email = email.unwrap_or_default();
            if let Some((year, month, day)) = birthday {
                input.birthday_day = day.to_string();
                input.birthday_month = month.to_string();
                input.birthday_year = year.map(|y| y.to_string()).unwrap_or_default();
            }
            input.tags = tags;
            input.people = people
                .into_iter()
                .map(|(n, k, d)| person(&n, &k.unwrap_or_default(), &d.unwrap_or_default()))
                .collect();
            (input, notes)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Export → import gives the same card back, for any text a person can
    /// type: accents, scripts, emoji, commas, semicolons, backslashes,
    /// brackets and line breaks in names, tags, people and notes.
    #[test]
    fn an_exported_vcard_imports_back_as_the_same_card((input, notes) in any_card()) {
        let mut from = Shop::new();
        let Ok(card) = cards::create(from.conn_mut(), &input, now()) else {
            return Err(TestCaseError::reject("the editor refuses this card"));
        };
        for note in &notes {
            from.add_note(&card.id, note, false);
        }
        let card = from.card(&card.id);
        let (count, bytes) = export_to(&from, Some(&card.id));
        prop_assert_eq!(count, 1);
        let mut into = Shop::new();
        let report = import(&mut into, &bytes, &Options::default());
        prop_assert_eq!(report.imported, 1, "{:?}", report);
        let id: String = into.conn().query_row("SELECT id FROM customers", [], |r| r.get(0)).unwrap();
        prop_assert_eq!(contact_fields(&into.card(&id)), contact_fields(&card));
    }
}

#[test]
fn every_customer_exports_as_a_contact_and_a_phone_reads_them() {
    let mut shop = Shop::new();
    let zoe = shop.create(CustomerInput {
        people: vec![person("Biscuit", "dog", "beagle, shy; \"won't share\""), person("Mia", "", "")],
        tags: vec!["VIP, gold".into(), "Gym".into()],
        ..customer("Zoë", "Müller").phone("+44 7700 900123").email("zoe@example.com")
    });
    shop.add_note(&zoe.id, "Knee: go easy\non squats; \\ no lunges", true);
    shop.create(customer("Seán", "O'Brien"));
    shop.create(customer("", "Nakamura"));
    let (count, bytes) = export_to(&shop, None);
    assert_eq!(count, 3);
    let text = String::from_utf8(bytes.clone()).expect("UTF-8");
    assert!(text.split("\r\n").all(|line| line.len() <= 75), "lines are folded at 75 bytes");
    assert_eq!(text.matches("BEGIN:VCARD\r\nVERSION:4.0\r\n").count(), 3);
    assert!(text.contains(&format!("UID:urn:uuid:{}", zoe.id)));
    assert!(text.contains("CATEGORIES:VIP\\, gold,Gym"), "{text}");
    assert!(text.contains("item1.RELATED;VALUE=text:Biscuit\r\nitem1.X-ABLabel:dog\r\n"), "{text}");
    // What a phone's reader sees: the same three, with Zoë's mobile, pets and note.
    let contacts = vcard::read(&bytes);
    assert_eq!(contacts.len(), 3);
    let read = &contacts[0];
    assert_eq!((read.given.as_str(), read.family.as_str(), read.full_name.as_str()), ("Zoë", "Müller", "Zoë Müller"));
    assert!(read.phones[0].is_mobile());
    assert_eq!(read.categories, vec!["VIP, gold".to_string(), "Gym".to_string()]);
    assert_eq!(read.related[0].name, "Biscuit");
    assert_eq!(read.related[0].kind, "dog");
    assert_eq!(read.notes, vec!["Knee: go easy\non squats; \\ no lunges".to_string()]);
    // And the whole file back into an empty shop.
    let mut into = Shop::new();
    assert_eq!(import(&mut into, &bytes, &Options::default()).imported, 3);
    assert_eq!(contact_fields(&card_of(&into, "Zoë")), contact_fields(&shop.card(&zoe.id)));
    // One customer only, and a made-up id is refused with nothing written.
    assert_eq!(export_to(&shop, Some(&zoe.id)).0, 1);
    let dir = tempfile::tempdir().unwrap();
    let refused = export::export_vcards(shop.conn(), Some("not-a-customer"), &dir.path().join("x.vcf"));
    assert!(refused.is_err());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no file, not even a partial one");
}

/// iPhone's related names (`X-ABRELATEDNAMES` with Apple's label) and vCard
/// 4.0's `RELATED` as text become people on the card; a link to another
/// contact names nobody.
#[test]
fn related_names_become_people_and_pets() {
    let file = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Fabre;Renée;;;\r\nitem1.X-ABRELATEDNAMES:Mia\r\nitem1.X-ABLabel:_$!<Child>!$_\r\n\
item2.X-ABRELATEDNAMES:Rex\r\nitem2.X-ABLabel:Dog\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:4.0\r\nN:Dijk;Jan;;;\r\nRELATED;TYPE=child;VALUE=text:Leo\r\nRELATED;TYPE=friend:urn:uuid:0190c0de-0000-7000-8000-000000000000\r\nEND:VCARD\r\n";
    let mut shop = Shop::new();
    assert_eq!(import(&mut shop, file.as_bytes(), &Options::default()).imported, 2);
    let people =
        |given: &str| card_of(&shop, given).people.iter().map(|p| (p.name.clone(), p.kind.clone())).collect::<Vec<_>>();
    assert_eq!(people("Renée"), vec![("Mia".into(), "Child".into()), ("Rex".into(), "Dog".into())]);
    assert_eq!(people("Jan"), vec![("Leo".to_string(), "Child".to_string())]);
}

/// Outlook's and Google's "Middle Name" column, and Dutch, German, French
/// and Spanish surnames with their particle in a full-name column.
#[test]
fn middle_names_and_surname_particles() {
    let csv = "First Name,Middle Name,Last Name,Name\nJan,van,Dijk,\nAnna,Maria,Schmidt,\nPiet,van der,Berg,\n,,,Jan Willem van der Berg\n,,,Jean de La Fontaine\n,,,Zoë Müller\n,,,Maria Da Silva\n";
    let mut shop = Shop::new();
    let table = importer::parse(csv.as_bytes()).unwrap();
    let report = importer::import(shop.conn_mut(), None, &table, "contacts.csv", &Options::default(), now()).unwrap();
    assert_eq!(report.imported, 7, "{report:?}");
    let mut names: Vec<(String, String)> = shop
        .conn()
        .prepare("SELECT first_name, last_name FROM customers")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    names.sort();
    let expected: Vec<(String, String)> = [
        ("Anna Maria", "Schmidt"),
        ("Jan", "van Dijk"),
        ("Jan Willem", "van der Berg"),
        ("Jean", "de La Fontaine"),
        ("Maria", "Da Silva"),
        ("Piet", "van der Berg"),
        ("Zoë", "Müller"),
    ]
    .iter()
    .map(|(f, l)| (f.to_string(), l.to_string()))
    .collect();
    assert_eq!(names, expected);
}
