//! Pet records on real SQLite files: the record and its checks, dates
//! through `parse_day`, vaccinations turning the card yellow and red with
//! the reason in words (stored health agreeing with the live one), the
//! shop's required vaccinations, reminders made exactly once, a pet taken
//! off the card, the pet sheet in the welcome plan PDF, export and erase.

use crate::util;

use std::path::PathBuf;
use std::process::Command;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use regulars::db::settings::{self, BusinessKind, Settings};
use regulars::derived::health::{self, Colour, Health};
use regulars::features::{self, card_view, cards, reminder_sources};
use regulars::io::{export, plan_pdf};
use regulars::records::onboarding;
use regulars::records::pets::{self, PetInput, PetSettings, VaccinationInput, VaccineState};
use regulars::records::reminders::{self, Rules};
use util::{assert_invalid, customer, InputExt, Shop};

fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A dog-walking shop (requires rabies, DHPP and kennel cough) with Ana,
/// her dog Rex and her son Tom. Returns (shop, Ana's id, Rex's person id).
fn walkers() -> (Shop, String, String) {
    let mut shop = Shop::new();
    let shop_settings = Settings {
        shop_name: "Happy Paws".into(),
        business_kind: BusinessKind::DogWalking,
        setup_done: true,
        ..Settings::default()
    };
    settings::save(shop.conn_mut(), &shop_settings, utc(2026, 1, 1, 9)).unwrap();
    let card = cards::create(
        shop.conn_mut(),
        &customer("Ana", "Walker").phone("+49 30 555 0101").pet("Rex", "Dog").pet("Tom", "son"),
        utc(2026, 11, 1, 9),
    )
    .unwrap();
    let rex = card.people.iter().find(|p| p.name == "Rex").unwrap().id.clone();
    (shop, card.id, rex)
}

fn vaccine(name: &str, given: &str, expires: &str) -> VaccinationInput {
    VaccinationInput { name: name.into(), given_on: given.into(), expires_on: expires.into() }
}

fn vaccinate(shop: &mut Shop, pet: &str, name: &str, expires: &str, at: DateTime<Utc>) {
    features::pets::add_vaccination(shop.conn_mut(), pet, &vaccine(name, "", expires), at.date_naive(), at).unwrap();
}

/// Health now, asserting the stored moments give the same colour.
fn health_at(shop: &Shop, id: &str, now: DateTime<Utc>) -> Health {
    let live = health::assess(shop.conn(), id, now, &Utc).unwrap();
    assert_eq!(
        health::stored_colour(shop.conn(), id, now).unwrap(),
        live.colour,
        "stored and live disagree at {now}: {live:?}"
    );
    live
}

fn reasons(health: &Health) -> Vec<String> {
    health.reasons.iter().map(|r| r.text.clone()).collect()
}

#[test]
fn a_pet_record_is_kept_checked_and_only_for_pets() {
    let (mut shop, ana, rex) = walkers();
    let record = PetInput {
        breed: "Labrador".into(),
        birthday: "2021-04-03".into(),
        vet_name: "Dr. Ølund".into(),
        vet_phone: "+49 30 555 0199".into(),
        allergies: "Chicken".into(),
        medication: "Apoquel 16 mg in the morning".into(),
        feeding: "Half a cup at noon, no treats".into(),
        on_lead: "Harness only, pulls".into(),
        recall: "Good in the park".into(),
        reactive_to_dogs: true,
        handling: "Nervous of bikes 🚲".into(),
    };
    features::pets::save(shop.conn_mut(), &rex, &record, day(2026, 12, 2), utc(2026, 12, 2, 9)).unwrap();

    // Dates go through parse_day; the message names the field; nothing changes.
    for (birthday, field) in [("2201-01-01", "birthday"), ("3.4.2021", "birthday"), ("2027-01-01", "birthday")] {
        let bad = PetInput { birthday: birthday.into(), ..record.clone() };
        assert_invalid(
            features::pets::save(shop.conn_mut(), &rex, &bad, day(2026, 12, 2), utc(2026, 12, 2, 10)),
            field,
        );
    }
    let long = PetInput { allergies: "x".repeat(1001), ..record.clone() };
    assert_invalid(
        features::pets::save(shop.conn_mut(), &rex, &long, day(2026, 12, 2), utc(2026, 12, 2, 10)),
        "allergies",
    );
    // Tom is a son, not a pet.
    let card = shop.card(&ana);
    let tom = card.people.iter().find(|p| p.name == "Tom").unwrap().id.clone();
    assert_invalid(features::pets::save(shop.conn_mut(), &tom, &record, day(2026, 12, 2), utc(2026, 12, 2, 10)), "pet");

    let shop = shop.reopen();
    let view = card_view::load(shop.conn(), &ana, utc(2026, 12, 2, 11), day(2026, 12, 2), &Utc).unwrap();
    assert_eq!(view.pets.len(), 1, "only Rex has a pet record");
    let pet = &view.pets[0];
    assert_eq!((pet.name.as_str(), pet.recorded, pet.age.as_deref()), ("Rex", true, Some("5 years")));
    assert_eq!(pet.record, record);
    assert_eq!(pet.missing, vec!["Rabies", "DHPP", "Kennel cough"]);
}

#[test]
fn vaccinations_turn_the_card_yellow_then_red_with_the_reason_in_words() {
    let (mut shop, ana, rex) = walkers();
    let at = utc(2026, 11, 20, 10);
    // Refusals name their field and change nothing.
    for (input, field) in [
        (vaccine("", "", "2027-01-12"), "vaccine_name"),
        (vaccine("Rabies", "", ""), "expires_on"),
        (vaccine("Rabies", "", "2201-01-12"), "expires_on"),
        (vaccine("Rabies", "2026-13-01", "2027-01-12"), "given_on"),
        (vaccine("Rabies", "2026-12-01", "2027-01-12"), "given_on"),
        (vaccine("Rabies", "2026-01-12", "2025-01-12"), "expires_on"),
    ] {
        assert_invalid(features::pets::add_vaccination(shop.conn_mut(), &rex, &input, at.date_naive(), at), field);
    }
    assert_eq!(shop.count("vaccinations"), 0);

    // "rabies" takes the required spelling.
    features::pets::add_vaccination(
        shop.conn_mut(),
        &rex,
        &vaccine("rabies", "2026-01-12", "2027-01-12"),
        at.date_naive(),
        at,
    )
    .unwrap();
    vaccinate(&mut shop, &rex, "DHPP", "2028-05-01", at);
    vaccinate(&mut shop, &rex, "Kennel cough", "2027-09-01", at);
    // (Ana joined on 1 November: no contact turns her yellow only from 16 December.)
    let green = health_at(&shop, &ana, utc(2026, 12, 12, 10));
    assert_eq!(green.colour, Colour::Green, "{green:?}");

    // From 13 December (30 days before 12 January): yellow, in words.
    let yellow = health_at(&shop, &ana, utc(2026, 12, 13, 0));
    assert_eq!(yellow.colour, Colour::Yellow);
    assert_eq!(reasons(&yellow), vec!["Rabies vaccine expires 12 Jan 2027 (Rex)"]);
    assert_eq!(yellow.action.as_deref(), Some("Ask for the new vaccination record"));
    let view = card_view::load(shop.conn(), &ana, utc(2026, 12, 13, 10), day(2026, 12, 13), &Utc).unwrap();
    let rabies = view.pets[0].vaccinations.iter().find(|v| v.name == "Rabies").unwrap();
    assert_eq!((&rabies.state, rabies.given_on.as_deref()), (&VaccineState::Due, Some("2026-01-12")));
    assert!(view.pets[0].missing.is_empty());

    // Still covered on 12 January; red from the 13th.
    assert_eq!(health_at(&shop, &ana, utc(2027, 1, 12, 23)).colour, Colour::Yellow);
    let red = health_at(&shop, &ana, utc(2027, 1, 13, 0));
    assert_eq!(red.colour, Colour::Red);
    assert_eq!(reasons(&red)[0], "Rabies vaccine expired 12 Jan (Rex)");
    let view = card_view::load(shop.conn(), &ana, utc(2027, 1, 13, 10), day(2027, 1, 13), &Utc).unwrap();
    assert_eq!(view.pets[0].vaccinations.iter().find(|v| v.name == "Rabies").unwrap().state, VaccineState::Expired);

    // The new rabies shot replaces the old one: green again (contact aside).
    vaccinate(&mut shop, &rex, "Rabies", "2028-01-12", utc(2027, 1, 13, 11));
    let after = health_at(&shop, &ana, utc(2027, 1, 13, 12));
    assert!(!reasons(&after).iter().any(|r| r.contains("vaccine")), "{after:?}");
    let view = card_view::load(shop.conn(), &ana, utc(2027, 1, 13, 12), day(2027, 1, 13), &Utc).unwrap();
    let states: Vec<(&str, &VaccineState)> =
        view.pets[0].vaccinations.iter().map(|v| (v.name.as_str(), &v.state)).collect();
    assert_eq!(
        states,
        vec![
            ("DHPP", &VaccineState::Ok),
            ("Rabies", &VaccineState::Ok),
            ("Kennel cough", &VaccineState::Ok),
            ("Rabies", &VaccineState::Replaced)
        ]
    );
    for later in [0, 10, 200, 330, 365, 366, 400] {
        health_at(&shop, &ana, utc(2027, 1, 13, 12) + Duration::days(later));
    }
}

#[test]
fn only_required_vaccinations_count_and_saving_the_list_recomputes_health() {
    let (mut shop, ana, rex) = walkers();
    let at = utc(2026, 12, 1, 10);
    vaccinate(&mut shop, &rex, "Leptospirosis", "2026-12-10", at);
    assert_eq!(health_at(&shop, &ana, at).colour, Colour::Green, "not required by the shop");
    let saved = features::pets::save_settings(
        shop.conn_mut(),
        &PetSettings { required_vaccinations: vec!["Rabies".into(), " leptospirosis ".into(), "".into()] },
        at,
    )
    .unwrap();
    assert_eq!(saved.required_vaccinations, vec!["Rabies", "leptospirosis"]);
    assert_eq!(reasons(&health_at(&shop, &ana, at)), vec!["Leptospirosis vaccine expires 10 Dec (Rex)"]);
    assert_invalid(
        features::pets::save_settings(
            shop.conn_mut(),
            &PetSettings { required_vaccinations: vec!["Rabies".into(), "RABIES".into()] },
            at,
        ),
        "required_vaccinations",
    );
    assert_eq!(pets::load_settings(shop.conn()).unwrap().required_vaccinations, vec!["Rabies", "leptospirosis"]);
    // With none listed every vaccination counts.
    features::pets::save_settings(shop.conn_mut(), &PetSettings { required_vaccinations: vec![] }, at).unwrap();
    assert_eq!(health_at(&shop, &ana, at).colour, Colour::Yellow);
}

fn vaccine_reminders(shop: &Shop) -> Vec<(String, String)> {
    let mut stmt = shop
        .conn()
        .prepare("SELECT title, due_at FROM reminders WHERE source = 'vaccination' ORDER BY due_at")
        .unwrap();
    stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
}

#[test]
fn a_vaccination_expiring_within_30_days_reminds_exactly_once() {
    let (mut shop, ana, rex) = walkers();
    vaccinate(&mut shop, &rex, "Rabies", "2027-01-12", utc(2026, 11, 20, 10));
    let sync = |shop: &mut Shop, at| reminder_sources::sync(shop.conn_mut(), at, &Utc, &Rules::default()).unwrap();
    sync(&mut shop, utc(2026, 12, 10, 10));
    assert!(vaccine_reminders(&shop).is_empty(), "33 days ahead: not yet");
    sync(&mut shop, utc(2026, 12, 12, 10));
    let expected =
        vec![("Rabies vaccine expires 12 Jan 2027 (Rex)".to_string(), "2026-12-13T09:00:00.000Z".to_string())];
    assert_eq!(vaccine_reminders(&shop), expected);
    sync(&mut shop, utc(2026, 12, 13, 10));
    let mut shop = shop.reopen();
    sync(&mut shop, utc(2026, 12, 14, 10));
    assert_eq!(vaccine_reminders(&shop), expected, "synced four times, across a restart: one reminder");
    let fired = reminders::take_due(shop.conn_mut(), utc(2026, 12, 14, 11), "test").unwrap();
    assert_eq!(
        fired.iter().filter(|r| r.source == "vaccination").map(|r| r.customer_id.as_str()).collect::<Vec<_>>(),
        vec![ana.as_str()]
    );
    assert!(reminders::take_due(shop.conn_mut(), utc(2026, 12, 14, 12), "test").unwrap().is_empty(), "fires once");
    let today = reminder_sources::today(shop.conn(), utc(2026, 12, 14, 12), &Utc, None).unwrap();
    assert!(today.overdue.iter().chain(&today.today).any(|r| r.label == "Vaccination"));

    // The new shot answers it, and the new one is not due for a year.
    vaccinate(&mut shop, &rex, "Rabies", "2028-01-12", utc(2026, 12, 15, 10));
    let open: i64 = shop
        .conn()
        .query_row("SELECT count(*) FROM reminders WHERE source = 'vaccination' AND done_at IS NULL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(open, 0);
    sync(&mut shop, utc(2026, 12, 16, 10));
    assert_eq!(vaccine_reminders(&shop).len(), 1);
}

#[test]
fn a_pet_taken_off_the_card_takes_its_vaccinations_and_their_colour() {
    let (mut shop, ana, rex) = walkers();
    vaccinate(&mut shop, &rex, "Rabies", "2026-11-25", utc(2026, 11, 20, 10));
    assert_eq!(health_at(&shop, &ana, utc(2026, 12, 1, 10)).colour, Colour::Red);
    let mut input = util::input_from(&shop.card(&ana));
    input.people.retain(|p| p.name != "Rex");
    cards::update(shop.conn_mut(), &ana, &input, utc(2026, 12, 1, 11)).unwrap();
    assert_eq!(shop.count("vaccinations"), 0);
    assert_eq!(health_at(&shop, &ana, utc(2026, 12, 1, 12)).colour, Colour::Green);
}

#[test]
fn export_holds_the_pet_records_and_erase_removes_them() {
    let (mut shop, ana, rex) = walkers();
    features::pets::save(
        shop.conn_mut(),
        &rex,
        &PetInput { breed: "Beagle".into(), ..PetInput::default() },
        day(2026, 12, 1),
        utc(2026, 12, 1, 9),
    )
    .unwrap();
    vaccinate(&mut shop, &rex, "Rabies", "2027-06-01", utc(2026, 12, 1, 9));
    let bea =
        cards::create(shop.conn_mut(), &customer("Bea", "Other").pet("Fido", "dog"), utc(2026, 12, 1, 9)).unwrap();
    let fido = bea.people[0].id.clone();
    vaccinate(&mut shop, &fido, "Rabies", "2027-06-01", utc(2026, 12, 1, 9));

    let data = export::customer_data(shop.conn(), &ana, utc(2026, 12, 2, 9)).unwrap();
    assert_eq!(data.records["pets"].len(), 1);
    assert_eq!(data.records["pets"][0]["breed"], "Beagle");
    assert_eq!(data.records["vaccinations"].len(), 1);
    assert_eq!(data.records["vaccinations"][0]["expires_on"], "2027-06-01");

    cards::erase(shop.conn_mut(), &ana).unwrap();
    assert_eq!(shop.count("pets"), 0);
    assert_eq!(shop.count("vaccinations"), 1, "Bea's dog keeps its record");
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("plan-pdfs");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} could not run (install poppler-utils): {e}"));
    assert!(out.status.success(), "{name} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_welcome_plan_of_a_dog_walker_carries_a_pet_sheet() {
    let (mut shop, ana, rex) = walkers();
    let record = PetInput {
        breed: "Labrador".into(),
        birthday: "2021-04-03".into(),
        vet_name: "Dr. Ølund, Tierarztpraxis am Park".into(),
        vet_phone: "+49 30 555 0199".into(),
        allergies: "Chicken".into(),
        medication: "Apoquel 16 mg in the morning".into(),
        feeding: "Half a cup at noon, no treats".into(),
        on_lead: "Harness only, pulls towards squirrels".into(),
        recall: "Good in the park, poor near roads".into(),
        reactive_to_dogs: true,
        handling: "Nervous of bikes; likes his ears scratched".into(),
    };
    let today = day(2026, 12, 2);
    features::pets::save(shop.conn_mut(), &rex, &record, today, utc(2026, 12, 2, 9)).unwrap();
    vaccinate(&mut shop, &rex, "Rabies", "2026-12-20", utc(2026, 12, 2, 9));
    vaccinate(&mut shop, &rex, "DHPP", "2028-05-01", utc(2026, 12, 2, 9));
    onboarding::start(shop.conn_mut(), &ana, today, today, utc(2026, 12, 2, 9)).unwrap();

    let doc = plan_pdf::document(shop.conn(), &ana, today).unwrap();
    assert_eq!(doc.pets.len(), 1);
    assert_eq!(doc.pets[0].about, "Dog · Labrador · 5 years");
    assert_eq!(doc.pets[0].photo, None, "no photo until the photo feature passes one");
    let rendered = plan_pdf::render(&doc).unwrap();
    let path = out_dir().join("pet-sheet.pdf");
    std::fs::write(&path, &rendered.bytes).unwrap();
    let p = path.to_str().unwrap();
    tool("pdftoppm", &["-png", "-r", "80", "-f", "2", "-singlefile", p, out_dir().join("pet-sheet").to_str().unwrap()]);
    assert!(tool("pdfinfo", &[p]).contains("Pages:           2"));
    let text = tool("pdftotext", &["-f", "2", "-l", "2", p, "-"]);
    for expected in [
        "Pet sheet · Ana Walker",
        "Rex",
        "Dr. Ølund, Tierarztpraxis am Park, +49 30 555 0199",
        "Apoquel 16 mg",
        "Reactive to other dogs",
        "Rabies",
        "20 Dec 2026",
        "Due soon",
        "DHPP",
        "1 May 2028",
        "Not on record: Kennel cough",
    ] {
        assert!(text.contains(expected), "{expected:?} not on the pet sheet:\n{text}");
    }

    // A gym's plan has no pet sheet; a plan without pets neither.
    assert!(!plan_pdf::pet_sheets_for(BusinessKind::Gym));
    let bea = cards::create(shop.conn_mut(), &customer("Bea", "Nopet"), utc(2026, 12, 2, 9)).unwrap();
    onboarding::start(shop.conn_mut(), &bea.id, today, today, utc(2026, 12, 2, 9)).unwrap();
    assert!(plan_pdf::document(shop.conn(), &bea.id, today).unwrap().pets.is_empty());
}
