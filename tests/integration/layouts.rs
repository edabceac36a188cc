//! The layouts people export their contacts in (Google Contacts, Outlook,
//! the booking tools a shop leaves, and headings in the shops' languages),
//! made here by generators from made-up contacts, imported through the same
//! functions the commands use (`importer::preview_file` and `import_file`)
//! on a real SQLite file, and checked field by field. And a confirmed
//! mapping remembered for the next file with the same headings.

use crate::util::*;

use std::path::{Path, PathBuf};

use regulars::io::importer::{self, Field, Options};
use regulars::records::customers::Card;

/// A made-up contact, as the source knows it.
#[derive(Clone)]
struct Contact {
    first: &'static str,
    last: &'static str,
    /// (label, number); the first is the one the card should show.
    phones: Vec<(&'static str, &'static str)>,
    emails: Vec<(&'static str, &'static str)>,
    /// (day, month, year)
    birthday: Option<(u32, u32, Option<i32>)>,
    notes: &'static str,
    tags: Vec<&'static str>,
    /// (name, species, breed)
    pets: Vec<(&'static str, &'static str, &'static str)>,
}

fn contacts() -> Vec<Contact> {
    vec![
        Contact {
            first: "Zoë",
            last: "Müller",
            phones: vec![("Mobile", "+44 7700 900123"), ("Work", "+44 20 7946 0001"), ("Home", "+44 20 7946 0002")],
            emails: vec![("Home", "zoe@example.com"), ("Work", "zoe.mueller@work.example")],
            birthday: Some((21, 5, None)),
            notes: "Prefers mornings, knee injury 2024",
            tags: vec!["Gym", "VIP"],
            pets: vec![("Biscuit", "Dog", "Beagle")],
        },
        Contact {
            first: "José",
            last: "García López",
            phones: vec![("Mobile", "+34 612 345 678")],
            emails: vec![("Other", "jose@example.org")],
            birthday: Some((14, 3, Some(1988))),
            notes: "",
            tags: vec!["Friends"],
            pets: vec![("Rex", "Dog", "Boxer"), ("Mimi", "Cat", "Siamese")],
        },
        Contact {
            first: "Anne-Sophie",
            last: "O'Neill",
            phones: vec![],
            emails: vec![("Home", "anne@example.net")],
            birthday: None,
            notes: "Line one, with a comma",
            tags: vec![],
            pets: vec![],
        },
    ]
}

/// The contacts with a year on every birthday, for sources that need one.
fn with_years(mut contacts: Vec<Contact>) -> Vec<Contact> {
    for c in &mut contacts {
        if let Some((d, m, None)) = c.birthday {
            c.birthday = Some((d, m, Some(1990)));
        }
    }
    contacts
}

/// The contacts without birthdays, for sources that keep none for the owner.
fn without_birthdays(mut contacts: Vec<Contact>) -> Vec<Contact> {
    for c in &mut contacts {
        c.birthday = None;
    }
    contacts
}

/// The contacts with at most `phones` phones and `emails` emails.
fn at_most(mut contacts: Vec<Contact>, phones: usize, emails: usize) -> Vec<Contact> {
    for c in &mut contacts {
        c.phones.truncate(phones);
        c.emails.truncate(emails);
    }
    contacts
}

/// A CSV cell, quoted when it needs to be.
fn cell(value: &str) -> String {
    if value.contains([',', '"', '\n', ';']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// A file in a layout: the headings, then one row per contact with the
/// cell `value(heading, contact)` under each heading.
fn layout(
    headings: &[&str],
    delimiter: &str,
    contacts: &[Contact],
    value: impl Fn(&str, &Contact) -> String,
) -> String {
    let line = |cells: Vec<String>| cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(delimiter) + "\r\n";
    let mut out = line(headings.iter().map(|h| h.to_string()).collect());
    for c in contacts {
        out.push_str(&line(headings.iter().map(|h| value(h, c)).collect()));
    }
    out
}

fn phone_labelled(c: &Contact, label: &str) -> String {
    c.phones.iter().find(|(l, _)| *l == label).map(|(_, n)| n.to_string()).unwrap_or_default()
}

fn phone(c: &Contact, n: usize) -> String {
    c.phones.get(n).map(|(_, p)| p.to_string()).unwrap_or_default()
}

fn email(c: &Contact, n: usize) -> String {
    c.emails.get(n).map(|(_, e)| e.to_string()).unwrap_or_default()
}

fn pets(c: &Contact, part: fn(&(&'static str, &'static str, &'static str)) -> &'static str) -> String {
    c.pets.iter().map(part).collect::<Vec<_>>().join(", ")
}

fn pet_names(c: &Contact) -> String {
    pets(c, |p| p.0)
}

fn pet_kinds(c: &Contact) -> String {
    pets(c, |p| p.1)
}

fn pet_breeds(c: &Contact) -> String {
    pets(c, |p| p.2)
}

fn iso_birthday(c: &Contact, no_year: &str) -> String {
    match c.birthday {
        Some((d, m, Some(y))) => format!("{y}-{m:02}-{d:02}"),
        Some((d, m, None)) => format!("{no_year}-{m:02}-{d:02}"),
        None => String::new(),
    }
}

fn us_birthday(c: &Contact) -> String {
    match c.birthday {
        Some((d, m, Some(y))) => format!("{m}/{d}/{y}"),
        Some((d, m, None)) => format!("{m}/{d}"),
        None => String::new(),
    }
}

/// What a layout carries to the card besides names, the first phone and
/// email, and the birthday.
struct Carries {
    /// The label a file gives the phones beyond the first (from the
    /// contact's label), or `None` when the layout holds one phone only.
    other_phones: Option<fn(&str) -> String>,
    other_emails: Option<fn(&str) -> String>,
    notes: bool,
    tags: bool,
    pets: bool,
    breeds: bool,
}

fn same(label: &str) -> String {
    label.to_string()
}

fn none(_: &str) -> String {
    String::new()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write test file");
    path
}

fn all_cards(shop: &Shop) -> Vec<Card> {
    let ids: Vec<String> = {
        let mut stmt = shop.conn().prepare("SELECT id FROM customers ORDER BY pk").unwrap();
        stmt.query_map([], |row| row.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    ids.iter().map(|id| shop.card(id)).collect()
}

/// "Other phones: Work +44 …; Home +44 …" as the import writes it.
fn others_note(heading: &str, list: &[(&str, &str)], label: fn(&str) -> String) -> Option<String> {
    let others: Vec<String> = list
        .iter()
        .skip(1)
        .map(|(l, value)| match label(l) {
            l if l.is_empty() => value.to_string(),
            l => format!("{l} {value}"),
        })
        .collect();
    (!others.is_empty()).then(|| format!("{heading}: {}", others.join("; ")))
}

/// Imports the file through the commands' functions and checks every
/// contact's card field by field.
fn import_and_check(file_name: &str, text: &str, contacts: &[Contact], carries: Carries) -> Shop {
    let mut shop = Shop::new();
    let path = write(&shop.data_dir(), file_name, text);
    let preview = importer::preview_file(shop.conn(), &path, &Options::default(), now()).expect("preview");
    let mapped: Vec<_> = preview.headers.iter().zip(&preview.mapping).filter(|(_, f)| **f != Field::Ignore).collect();
    assert_eq!(
        preview.rejected_count, 0,
        "{file_name}: rows rejected in the preview: {:?}\nmapping: {mapped:?}",
        preview.problems
    );
    let options = Options { mapping: Some(preview.mapping.clone()), ..Options::default() };
    let report = importer::import_file(shop.conn_mut(), None, &path, &options, now()).expect("import");
    assert_eq!(
        (report.imported, report.rejected),
        (contacts.len(), 0),
        "{file_name}: {:?}\nmapping: {mapped:?}",
        report.problems
    );
    let cards = all_cards(&shop);
    for c in contacts {
        let card = cards.iter().find(|card| card.first_name == c.first).unwrap_or_else(|| {
            panic!(
                "{file_name}: no card with first name {}: {:?}\nmapping: {mapped:?}",
                c.first,
                cards.iter().map(|c| &c.display_name).collect::<Vec<_>>()
            )
        });
        let who = format!("{file_name}, {}", c.first);
        assert_eq!(card.last_name, c.last, "{who}: last name");
        assert_eq!(card.phone, phone(c, 0), "{who}: the first phone is the card's");
        assert_eq!(card.email, email(c, 0), "{who}: the first email is the card's");
        assert_eq!(card.birthday.map(|b| (b.day, b.month, b.year)), c.birthday, "{who}: birthday");
        let mut expected_notes: Vec<String> = Vec::new();
        if carries.notes && !c.notes.is_empty() {
            expected_notes.push(c.notes.to_string());
        }
        expected_notes.extend(carries.other_phones.and_then(|label| others_note("Other phones", &c.phones, label)));
        expected_notes.extend(carries.other_emails.and_then(|label| others_note("Other emails", &c.emails, label)));
        let mut notes: Vec<String> = card.notes.iter().map(|n| n.body.clone()).collect();
        notes.sort();
        expected_notes.sort();
        assert_eq!(notes, expected_notes, "{who}: notes (the other phones and emails kept in one)");
        let mut tags = card.tags.clone();
        tags.sort();
        let mut expected: Vec<String> =
            if carries.tags { c.tags.iter().map(|t| t.to_string()).collect() } else { vec![] };
        expected.sort();
        assert_eq!(tags, expected, "{who}: tags, without the source's own labels");
        let pets: Vec<(String, String, String)> =
            card.people.iter().map(|p| (p.name.clone(), p.kind.clone(), p.details.clone())).collect();
        let expected: Vec<(String, String, String)> = if carries.pets {
            c.pets
                .iter()
                .map(|(n, k, b)| {
                    (n.to_string(), k.to_string(), if carries.breeds { b.to_string() } else { String::new() })
                })
                .collect()
        } else {
            vec![]
        };
        assert_eq!(pets, expected, "{who}: pets (name, species, breed)");
    }
    shop
}

const GOOGLE: &[&str] = &[
    "First Name",
    "Middle Name",
    "Last Name",
    "Phonetic First Name",
    "Phonetic Middle Name",
    "Phonetic Last Name",
    "Name Prefix",
    "Name Suffix",
    "Nickname",
    "File As",
    "Organization Name",
    "Organization Title",
    "Organization Department",
    "Birthday",
    "Notes",
    "Photo",
    "Labels",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "E-mail 2 - Label",
    "E-mail 2 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Phone 2 - Label",
    "Phone 2 - Value",
    "Phone 3 - Label",
    "Phone 3 - Value",
    "Address 1 - Label",
    "Address 1 - Formatted",
    "Address 1 - City",
    "Website 1 - Label",
    "Website 1 - Value",
];

/// Google Contacts' own CSV (contacts.google.com → Export → Google CSV).
fn google_csv(contacts: &[Contact]) -> String {
    layout(GOOGLE, ",", contacts, |heading, c| {
        let numbered = |prefix: &str| heading.strip_prefix(prefix).and_then(|rest| rest.split_once(" - "));
        if let Some((n, part)) = numbered("E-mail ") {
            let (label, value) = c.emails.get(n.parse::<usize>().unwrap() - 1).copied().unwrap_or_default();
            // Google marks the primary address with "* ".
            return match part {
                "Label" if n == "1" && !label.is_empty() => format!("* {label}"),
                "Label" => label.to_string(),
                _ => value.to_string(),
            };
        }
        if let Some((n, part)) = numbered("Phone ") {
            let (label, value) = c.phones.get(n.parse::<usize>().unwrap() - 1).copied().unwrap_or_default();
            return if part == "Label" { label.to_string() } else { value.to_string() };
        }
        match heading {
            "First Name" => c.first.into(),
            "Last Name" => c.last.into(),
            "Nickname" => "Zo".into(),
            "Organization Name" => "Acme Ltd".into(),
            "Organization Title" => "Manager".into(),
            "Birthday" => iso_birthday(c, "-"),
            "Notes" => c.notes.into(),
            "Labels" => {
                let mut labels = vec!["* myContacts".to_string()];
                labels.extend(c.tags.iter().map(|t| t.to_string()));
                labels.push("* starred".into());
                labels.join(" ::: ")
            }
            "Address 1 - Label" => "Home".into(),
            "Address 1 - Formatted" => "1 High Street\nLondon".into(),
            "Address 1 - City" => "London".into(),
            _ => String::new(),
        }
    })
}

#[test]
fn google_contacts_csv() {
    let contacts = contacts();
    let carries = Carries {
        other_phones: Some(same),
        other_emails: Some(same),
        notes: true,
        tags: true,
        pets: false,
        breeds: false,
    };
    import_and_check("contacts.csv", &google_csv(&contacts), &contacts, carries);
}

#[test]
fn google_puts_several_numbers_of_one_label_in_one_cell() {
    let mut contacts = contacts();
    contacts.truncate(1);
    let text = google_csv(&contacts).replace("+44 20 7946 0001", "+44 20 7946 0001 ::: +44 20 7946 0003");
    contacts[0].phones.insert(2, ("Work", "+44 20 7946 0003"));
    let carries = Carries {
        other_phones: Some(same),
        other_emails: Some(same),
        notes: true,
        tags: true,
        pets: false,
        breeds: false,
    };
    import_and_check("contacts.csv", &text, &contacts, carries);
}

const OUTLOOK: &[&str] = &[
    "Title",
    "First Name",
    "Middle Name",
    "Last Name",
    "Suffix",
    "Company",
    "Department",
    "Job Title",
    "Business Street",
    "Business City",
    "Business Fax",
    "Business Phone",
    "Business Phone 2",
    "Callback",
    "Car Phone",
    "Company Main Phone",
    "Home Fax",
    "Home Phone",
    "Home Phone 2",
    "ISDN",
    "Mobile Phone",
    "Other Fax",
    "Other Phone",
    "Pager",
    "Primary Phone",
    "Radio Phone",
    "TTY/TDD Phone",
    "Telex",
    "Anniversary",
    "Assistant's Name",
    "Assistant's Phone",
    "Birthday",
    "Categories",
    "E-mail Address",
    "E-mail Type",
    "E-mail Display Name",
    "E-mail 2 Address",
    "E-mail 2 Type",
    "E-mail 2 Display Name",
    "Gender",
    "Manager's Name",
    "Notes",
    "Referred By",
    "Spouse",
    "Web Page",
];

/// Outlook's CSV (File → Open & Export → Import/Export → Export to a file).
/// It writes "0/0/00" for no birthday and cannot hold one without a year.
#[test]
fn outlook_csv() {
    let contacts = with_years(contacts());
    let text = layout(OUTLOOK, ",", &contacts, |heading, c| match heading {
        "Title" => "Ms.".into(),
        "First Name" => c.first.into(),
        "Last Name" => c.last.into(),
        "Company" => "Acme Ltd".into(),
        "Job Title" => "Manager".into(),
        "Business Fax" => "+44 20 7946 0999".into(),
        "Business Phone" => phone_labelled(c, "Work"),
        "Home Phone" => phone_labelled(c, "Home"),
        "Mobile Phone" => phone_labelled(c, "Mobile"),
        "Assistant's Name" => "Sam Smith".into(),
        "Assistant's Phone" => "+44 20 7946 0998".into(),
        "Manager's Name" => "Kim Lee".into(),
        "Anniversary" => "0/0/00".into(),
        "Birthday" => {
            if c.birthday.is_some() {
                us_birthday(c)
            } else {
                "0/0/00".into()
            }
        }
        "Categories" => c.tags.join(";"),
        "E-mail Address" => email(c, 0),
        "E-mail Type" | "E-mail 2 Type" => "SMTP".into(),
        "E-mail Display Name" => format!("{} {} ({})", c.first, c.last, email(c, 0)),
        "E-mail 2 Address" => email(c, 1),
        "Gender" => "Unspecified".into(),
        "Notes" => c.notes.into(),
        _ => String::new(),
    });
    fn outlook_label(label: &str) -> String {
        if label == "Work" {
            "Business".into()
        } else {
            label.into()
        }
    }
    let carries = Carries {
        other_phones: Some(outlook_label),
        other_emails: Some(none),
        notes: true,
        tags: true,
        pets: false,
        breeds: false,
    };
    import_and_check("outlook contacts.CSV", &text, &contacts, carries);
}

/// Square: Customers → Customer directory → Export customers.
#[test]
fn square_customers() {
    let headings = [
        "Reference ID",
        "First Name",
        "Last Name",
        "Email Address",
        "Phone Number",
        "Nickname",
        "Company Name",
        "Street Address 1",
        "Street Address 2",
        "City",
        "State",
        "Postal Code",
        "Birthday",
        "Memo",
        "Square Customer ID",
        "Creation Source",
        "First Visit",
        "Last Visit",
        "Transaction Count",
        "Lifetime Spend",
        "Email Subscription Status",
        "Instant Profile",
        "Groups",
    ];
    let contacts = at_most(contacts(), 1, 1);
    let text = layout(&headings, ",", &contacts, |heading, c| match heading {
        "Reference ID" => "R-1".into(),
        "First Name" => c.first.into(),
        "Last Name" => c.last.into(),
        "Email Address" => email(c, 0),
        "Phone Number" => phone(c, 0),
        "Nickname" => "Zo".into(),
        "Company Name" => "Acme Ltd".into(),
        // Square writes a birthday without its year with the year 0000.
        "Birthday" => iso_birthday(c, "0000"),
        "Memo" => c.notes.into(),
        "Square Customer ID" => "ABCDEF123".into(),
        "Creation Source" => "Directory".into(),
        "Transaction Count" => "4".into(),
        "Email Subscription Status" => "subscribed".into(),
        "Groups" => c.tags.join(", "),
        _ => String::new(),
    });
    let carries =
        Carries { other_phones: None, other_emails: None, notes: true, tags: true, pets: false, breeds: false };
    import_and_check("customers.csv", &text, &contacts, carries);
}

/// Fresha: Clients → Options → Export (CSV).
#[test]
fn fresha_clients() {
    let headings = [
        "Client ID",
        "First Name",
        "Last Name",
        "Full Name",
        "Blocked",
        "Block Reason",
        "Gender",
        "Mobile Number",
        "Telephone",
        "Email",
        "Accepts Marketing",
        "Accepts SMS Marketing",
        "Address",
        "City",
        "Postcode",
        "Date of Birth",
        "Added",
        "Note",
        "Referral Source",
    ];
    let contacts = at_most(contacts(), 2, 1);
    let text = layout(&headings, ",", &contacts, |heading, c| match heading {
        "First Name" => c.first.into(),
        "Last Name" => c.last.into(),
        "Full Name" => format!("{} {}", c.first, c.last),
        "Blocked" => "No".into(),
        "Mobile Number" => phone(c, 0),
        "Telephone" => phone(c, 1),
        "Email" => email(c, 0),
        "Accepts Marketing" | "Accepts SMS Marketing" => "Yes".into(),
        "Date of Birth" => match c.birthday {
            Some((d, m, y)) => {
                format!("{d} {}{}", ["Mar", "May"][usize::from(m == 5)], y.map(|y| format!(" {y}")).unwrap_or_default())
            }
            None => String::new(),
        },
        "Added" => "2024-01-02".into(),
        "Note" => c.notes.into(),
        _ => String::new(),
    });
    fn telephone(_: &str) -> String {
        "Telephone".into()
    }
    let carries = Carries {
        other_phones: Some(telephone),
        other_emails: None,
        notes: true,
        tags: false,
        pets: false,
        breeds: false,
    };
    import_and_check("clients.csv", &text, &contacts, carries);
}

/// Vagaro: Customers → Export. Its "Cell Phone" is the card's phone.
#[test]
fn vagaro_customers() {
    let headings = [
        "First Name",
        "Last Name",
        "Email",
        "Day Phone",
        "Night Phone",
        "Cell Phone",
        "Address",
        "City",
        "State",
        "Zip",
        "Birthday",
        "Gender",
        "Customer Since",
        "Last Visit",
        "Referred By",
        "Notes",
    ];
    let contacts = with_years(contacts());
    let text = layout(&headings, ",", &contacts, |heading, c| match heading {
        "First Name" => c.first.into(),
        "Last Name" => c.last.into(),
        "Email" => email(c, 0),
        "Cell Phone" => phone_labelled(c, "Mobile"),
        "Day Phone" => phone_labelled(c, "Work"),
        "Night Phone" => phone_labelled(c, "Home"),
        "Birthday" => us_birthday(c),
        "Customer Since" => "01/02/2024".into(),
        "Notes" => c.notes.into(),
        _ => String::new(),
    });
    fn vagaro_label(label: &str) -> String {
        if label == "Work" {
            "Day".into()
        } else {
            "Night".into()
        }
    }
    let carries = Carries {
        other_phones: Some(vagaro_label),
        other_emails: None,
        notes: true,
        tags: false,
        pets: false,
        breeds: false,
    };
    import_and_check("vagaro.csv", &text, &contacts, carries);
}

/// Mindbody: Reports → Client → Client list (or Contact Logs) → Export.
#[test]
fn mindbody_clients() {
    let headings = [
        "ID",
        "Last Name",
        "First Name",
        "Email",
        "Mobile Phone",
        "Work Phone",
        "Home Phone",
        "Address",
        "City",
        "State",
        "Postal Code",
        "Birth Date",
        "Gender",
        "Referred By",
        "Creation Date",
        "Client Indexes",
    ];
    let contacts = with_years(contacts());
    let text = layout(&headings, ",", &contacts, |heading, c| match heading {
        "ID" => "100000123".into(),
        "Last Name" => c.last.into(),
        "First Name" => c.first.into(),
        "Email" => email(c, 0),
        "Mobile Phone" => phone_labelled(c, "Mobile"),
        "Work Phone" => phone_labelled(c, "Work"),
        "Home Phone" => phone_labelled(c, "Home"),
        "Birth Date" => us_birthday(c),
        "Creation Date" => "1/2/2024".into(),
        _ => String::new(),
    });
    let carries =
        Carries { other_phones: Some(same), other_emails: None, notes: false, tags: false, pets: false, breeds: false };
    import_and_check("mindbody.csv", &text, &contacts, carries);
}

/// Gingr: Reports → Owners (with their animals) → Export CSV.
#[test]
fn gingr_owners_and_animals() {
    let headings = [
        "Owner ID",
        "First Name",
        "Last Name",
        "Email",
        "Cell Phone",
        "Home Phone",
        "Work Phone",
        "Address 1",
        "City",
        "State",
        "Zip",
        "Emergency Contact Name",
        "Emergency Contact Phone",
        "Vet Name",
        "Vet Phone",
        "Animal Name",
        "Species",
        "Breed",
        "Animal Birthday",
        "Notes",
    ];
    let contacts = without_birthdays(at_most(contacts(), 1, 1));
    let text = layout(&headings, ",", &contacts, |heading, c| match heading {
        "Owner ID" => "77".into(),
        "First Name" => c.first.into(),
        "Last Name" => c.last.into(),
        "Email" => email(c, 0),
        "Cell Phone" => phone(c, 0),
        "Emergency Contact Name" => "Pat Doe".into(),
        "Emergency Contact Phone" => "+44 7700 900999".into(),
        "Vet Name" => "Town Vets".into(),
        "Vet Phone" => "+44 20 7946 0555".into(),
        "Animal Name" => pet_names(c),
        "Species" => pet_kinds(c),
        "Breed" => pet_breeds(c),
        "Animal Birthday" => {
            if c.pets.is_empty() {
                String::new()
            } else {
                "2019-04-01".into()
            }
        }
        "Notes" => c.notes.into(),
        _ => String::new(),
    });
    let carries =
        Carries { other_phones: None, other_emails: None, notes: true, tags: false, pets: true, breeds: true };
    import_and_check("gingr owners.csv", &text, &contacts, carries);
}

/// Time To Pet: Clients → Export Clients.
#[test]
fn time_to_pet_clients() {
    let headings = [
        "First Name",
        "Last Name",
        "Email",
        "Secondary Email",
        "Cell Phone",
        "Home Phone",
        "Work Phone",
        "Address",
        "City",
        "State",
        "Zip",
        "Pets",
        "Pet Type",
        "Breed",
        "Vet Name",
        "Vet Phone",
        "Emergency Contact Phone",
        "Client Notes",
    ];
    let contacts = without_birthdays(contacts());
    let text = layout(&headings, ",", &contacts, |heading, c| match heading {
        "First Name" => c.first.into(),
        "Last Name" => c.last.into(),
        "Email" => email(c, 0),
        "Secondary Email" => email(c, 1),
        "Cell Phone" => phone_labelled(c, "Mobile"),
        "Home Phone" => phone_labelled(c, "Home"),
        "Work Phone" => phone_labelled(c, "Work"),
        "Pets" => pet_names(c),
        "Pet Type" => pet_kinds(c),
        "Breed" => pet_breeds(c),
        "Vet Phone" => "+44 20 7946 0555".into(),
        "Emergency Contact Phone" => "+44 7700 900999".into(),
        "Client Notes" => c.notes.into(),
        _ => String::new(),
    });
    fn secondary(_: &str) -> String {
        "Secondary".into()
    }
    // Zoë's numbers come in the columns' order: home before work.
    let mut expected = contacts.clone();
    expected[0].phones.swap(1, 2);
    let carries = Carries {
        other_phones: Some(same),
        other_emails: Some(secondary),
        notes: true,
        tags: false,
        pets: true,
        breeds: true,
    };
    import_and_check("time to pet.csv", &text, &expected, carries);
}

/// A spreadsheet kept in a shop's own language: the headings, the
/// delimiter its Excel writes, and its birthdays with month names.
struct Language {
    file: &'static str,
    delimiter: &'static str,
    /// First name, last name, mobile, phone, email, birthday, notes, tags, pet, species, breed.
    headings: [&'static str; 11],
    march: &'static str,
    may: &'static str,
    /// Day, month name, and the year if any, as written.
    date: fn(u32, &str, Option<i32>) -> String,
}

fn languages() -> Vec<Language> {
    let plain = |d: u32, m: &str, y: Option<i32>| format!("{d} {m}{}", y.map(|y| format!(" {y}")).unwrap_or_default());
    vec![
        Language {
            file: "kunden.csv",
            delimiter: ";",
            headings: [
                "Vorname",
                "Nachname",
                "Handy",
                "Telefon",
                "E-Mail",
                "Geburtstag",
                "Notizen",
                "Gruppen",
                "Haustier",
                "Tierart",
                "Rasse",
            ],
            march: "März",
            may: "Mai",
            date: |d, m, y| format!("{d}. {m}{}", y.map(|y| format!(" {y}")).unwrap_or_default()),
        },
        Language {
            file: "clients.csv",
            delimiter: ";",
            headings: [
                "Prénom",
                "Nom",
                "Portable",
                "Téléphone",
                "Courriel",
                "Date de naissance",
                "Remarques",
                "Étiquettes",
                "Nom de l'animal",
                "Espèce",
                "Race",
            ],
            march: "mars",
            may: "mai",
            date: plain,
        },
        Language {
            file: "clientes.csv",
            delimiter: ",",
            headings: [
                "Nombre",
                "Apellidos",
                "Móvil",
                "Teléfono",
                "Correo electrónico",
                "Fecha de nacimiento",
                "Notas",
                "Etiquetas",
                "Mascota",
                "Especie",
                "Raza",
            ],
            march: "marzo",
            may: "mayo",
            date: |d, m, y| format!("{d} de {m}{}", y.map(|y| format!(" de {y}")).unwrap_or_default()),
        },
        Language {
            file: "clienti.csv",
            delimiter: ";",
            headings: [
                "Nome",
                "Cognome",
                "Cellulare",
                "Telefono",
                "Email",
                "Data di nascita",
                "Note",
                "Etichette",
                "Animale",
                "Specie",
                "Razza",
            ],
            march: "marzo",
            may: "maggio",
            date: plain,
        },
        Language {
            file: "klanten.csv",
            delimiter: ";",
            headings: [
                "Voornaam",
                "Achternaam",
                "Mobiel",
                "Telefoon",
                "E-mailadres",
                "Geboortedatum",
                "Opmerkingen",
                "Groepen",
                "Huisdier",
                "Soort",
                "Ras",
            ],
            march: "maart",
            may: "mei",
            date: plain,
        },
        Language {
            file: "clientes pt.csv",
            delimiter: ";",
            headings: [
                "Nome",
                "Apelido",
                "Telemóvel",
                "Telefone",
                "Email",
                "Data de nascimento",
                "Notas",
                "Etiquetas",
                "Animal",
                "Espécie",
                "Raça",
            ],
            march: "março",
            may: "maio",
            date: |d, m, y| format!("{d} de {m}{}", y.map(|y| format!(" de {y}")).unwrap_or_default()),
        },
    ]
}

#[test]
fn headings_and_month_names_in_six_languages() {
    let contacts = at_most(contacts(), 2, 1);
    for language in languages() {
        let h = language.headings;
        let text = layout(&h, language.delimiter, &contacts, |heading, c| {
            let at = h.iter().position(|x| *x == heading).unwrap();
            match at {
                0 => c.first.into(),
                1 => c.last.into(),
                2 => phone(c, 0),
                3 => phone(c, 1),
                4 => email(c, 0),
                5 => match c.birthday {
                    Some((d, m, y)) => (language.date)(d, if m == 3 { language.march } else { language.may }, y),
                    None => String::new(),
                },
                6 => c.notes.into(),
                7 => c.tags.join(", "),
                8 => pet_names(c),
                9 => pet_kinds(c),
                _ => pet_breeds(c),
            }
        });
        // The label of the second phone is its column's heading.
        let label: fn(&str) -> String = match language.headings[3] {
            "Telefon" => |_| "Telefon".into(),
            "Téléphone" => |_| "Téléphone".into(),
            "Teléfono" => |_| "Teléfono".into(),
            "Telefono" => |_| "Telefono".into(),
            "Telefoon" => |_| "Telefoon".into(),
            _ => |_| "Telefone".into(),
        };
        let carries = Carries {
            other_phones: Some(label),
            other_emails: None,
            notes: true,
            tags: true,
            pets: true,
            breeds: true,
        };
        import_and_check(language.file, &text, &contacts, carries);
    }
}

/// The headings alone, as a unit: each lands on its field.
#[test]
fn every_layout_maps_its_name_phone_and_email_columns() {
    let map = |headings: &[&str]| importer::guess_mapping(&headings.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    let google = map(GOOGLE);
    let at = |name: &str| GOOGLE.iter().position(|h| *h == name).unwrap();
    assert_eq!(google[at("Phone 1 - Label")], Field::Ignore, "the label column is not the phone");
    assert_eq!(google[at("Phone 1 - Value")], Field::Phone);
    assert_eq!(google[at("Phone 2 - Value")], Field::OtherPhone);
    assert_eq!(google[at("E-mail 1 - Value")], Field::Email);
    assert_eq!(google[at("E-mail 2 - Value")], Field::OtherEmail);
    assert_eq!(google[at("Phonetic First Name")], Field::Ignore);
    assert_eq!(google[at("Organization Name")], Field::Ignore);
    assert_eq!(google[at("Labels")], Field::Tags);
    let outlook = map(OUTLOOK);
    let at = |name: &str| OUTLOOK.iter().position(|h| *h == name).unwrap();
    assert_eq!(outlook[at("Mobile Phone")], Field::Phone, "a mobile is the card's phone before a business phone");
    assert_eq!(outlook[at("Business Phone")], Field::OtherPhone);
    for ignored in [
        "Business Fax",
        "Assistant's Phone",
        "Company Main Phone",
        "E-mail Type",
        "E-mail Display Name",
        "Manager's Name",
    ] {
        assert_eq!(outlook[at(ignored)], Field::Ignore, "{ignored}");
    }
    assert_eq!(outlook[at("Middle Name")], Field::MiddleName);
}

/// Headings the guess gets wrong: the owner's mapping, confirmed by an
/// import, is where the next file with the same headings starts, even
/// after the shop is closed and opened again.
#[test]
fn a_confirmed_mapping_is_remembered_for_the_same_headings() {
    let mut shop = Shop::new();
    let dir = shop.data_dir();
    let first = write(&dir, "first.csv", "Kundennr;Rufname;Sippe;Draht\n1;Zoë;Müller;+44 7700 900123\n");
    let guessed = importer::preview_file(shop.conn(), &first, &Options::default(), now()).unwrap();
    assert!(!guessed.remembered);
    let chosen = vec![Field::Ignore, Field::FirstName, Field::LastName, Field::Phone];
    assert_ne!(guessed.mapping, chosen, "the test needs headings the guess gets wrong");
    let options = Options { mapping: Some(chosen.clone()), ..Options::default() };
    importer::import_file(shop.conn_mut(), None, &first, &options, now()).unwrap();

    let mut shop = shop.reopen();
    // The same headings, written differently (case, spaces, accents).
    let second = write(&dir, "second.csv", "KUNDENNR; rufname ;Sippe;Dráht\n2;José;García;+34 612 345 678\n");
    let preview = importer::preview_file(shop.conn(), &second, &Options::default(), now()).unwrap();
    assert!(preview.remembered, "the preview says the mapping is the remembered one");
    assert_eq!(preview.mapping, chosen);
    assert_eq!((preview.sample[0].name.as_str(), preview.sample[0].phone.as_str()), ("José García", "+34 612 345 678"));
    // Without a mapping (as `regulars import FILE` runs), the import uses it too.
    let report = importer::import_file(shop.conn_mut(), None, &second, &Options::default(), now()).unwrap();
    assert_eq!((report.imported, report.rejected), (1, 0), "{:?}", report.problems);
    let jose = all_cards(&shop).into_iter().find(|c| c.first_name == "José").expect("José imported");
    assert_eq!((jose.last_name.as_str(), jose.phone.as_str()), ("García", "+34 612 345 678"));

    // Other headings start from the guess.
    let other = write(&dir, "other.csv", "Kundennr;Rufname;Sippe\n3;Ana;Silva\n");
    let preview = importer::preview_file(shop.conn(), &other, &Options::default(), now()).unwrap();
    assert!(!preview.remembered);
    assert_eq!(preview.mapping, importer::guess_mapping(&preview.headers));
}
