//! Onboarding plans on a real SQLite file, and the printable one-page PDF
//! checked with poppler's tools (pdftotext, pdfinfo, pdffonts, pdftoppm).
//! Every PDF made here is also rendered to PNG under
//! `target/plan-pdfs/` to be looked at.

use crate::util;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use regulars::db::settings::{self, BusinessKind, PaperSize, Settings, StaffMember};
use regulars::features::reminder_sources;
use regulars::io::plan_pdf::{self, PlanDocument, PrintTask};
use regulars::records::onboarding::{self, PlanTemplate, ShopContact, TaskTemplate, OWNER_CUSTOMER};
use regulars::records::reminders::Rules;
use regulars::Error;
use util::{assert_invalid, assert_unchanged, customer, dump, Shop};

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("a valid time")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// A gym called "Kraftwerk Süd" with two staff members.
fn gym() -> Shop {
    let mut shop = Shop::new();
    let settings = Settings {
        shop_name: "Kraftwerk Süd".into(),
        business_kind: BusinessKind::Gym,
        staff: vec![StaffMember { id: None, name: "Ines".into() }, StaffMember { id: None, name: "Bjørn".into() }],
        setup_done: true,
        ..Settings::default()
    };
    settings::save(shop.conn_mut(), &settings, util::now()).expect("save settings");
    shop
}

fn staff_id(shop: &Shop, name: &str) -> String {
    let settings = settings::load(shop.conn()).expect("settings");
    settings.staff.into_iter().find(|s| s.name == name).and_then(|s| s.id).expect("staff member")
}

// ---------------------------------------------------------------------------
// Templates

#[test]
fn each_kind_has_a_good_default_template() {
    let shop = Shop::new();
    let all = onboarding::templates(shop.conn()).expect("templates");
    assert_eq!(all.len(), 4);
    let gym = all.iter().find(|t| t.kind == BusinessKind::Gym).expect("gym template");
    let titles: Vec<&str> = gym.tasks.iter().map(|t| t.title.as_str()).collect();
    assert!(titles.iter().any(|t| t.contains("tour")), "a tour: {titles:?}");
    assert!(titles.iter().any(|t| t.contains("first-week plan")), "a first-week plan: {titles:?}");
    assert!(
        titles.iter().any(|t| t.contains("check-in") && gym.tasks.iter().any(|x| x.due_days == 7)),
        "a week-one check-in: {titles:?}"
    );
    assert!(!gym.welcome.is_empty() && !gym.promise.what_we_do.is_empty() && !gym.milestone.title.is_empty());
    for kind in [BusinessKind::Salon, BusinessKind::DogWalking] {
        let t = all.iter().find(|t| t.kind == kind).expect("template");
        assert!(t.tasks.len() >= 3, "{kind:?} has a real plan");
        assert_eq!(onboarding::validate_template(shop.conn(), t).expect("defaults are valid"), *t);
    }
}

#[test]
fn templates_are_edited_and_bad_input_changes_nothing() {
    let mut shop = gym();
    let ines = staff_id(&shop, "Ines");
    let mut template = onboarding::template(shop.conn(), BusinessKind::Gym).expect("template");
    template.tasks = vec![
        TaskTemplate { title: "  Intro call  ".into(), owner: ines.clone(), due_days: 0 },
        TaskTemplate { title: "".into(), owner: String::new(), due_days: 3 },
        TaskTemplate { title: "Bring your shoes".into(), owner: OWNER_CUSTOMER.into(), due_days: 2 },
    ];
    template.promise.reply_time = "Within an hour".into();
    let saved = onboarding::save_template(shop.conn_mut(), &template, util::now()).expect("save");
    assert_eq!(saved.tasks.len(), 2, "the empty task is dropped");
    assert_eq!(saved.tasks[0].title, "Intro call");
    assert_eq!(onboarding::template(shop.conn(), BusinessKind::Gym).expect("reload"), saved);
    // The other kinds keep their defaults.
    assert_eq!(
        onboarding::template(shop.conn(), BusinessKind::Salon).expect("salon"),
        onboarding::default_template(BusinessKind::Salon)
    );

    let bad = |f: &dyn Fn(&mut PlanTemplate)| {
        let mut t = saved.clone();
        f(&mut t);
        t
    };
    for (template, field) in [
        (bad(&|t| t.milestone.title = "  ".into()), "milestone_title"),
        (bad(&|t| t.milestone.due_days = -1), "milestone_days"),
        (bad(&|t| t.tasks[0].due_days = 400), "tasks"),
        (bad(&|t| t.tasks[0].owner = "no-such-staff".into()), "tasks"),
        (bad(&|t| t.tasks[0].title = "x".repeat(301)), "tasks"),
        (bad(&|t| t.welcome = "w".repeat(601)), "welcome"),
        (bad(&|t| t.promise.success = "s".repeat(201)), "success"),
        (bad(&|t| t.tasks = vec![TaskTemplate { title: "t".into(), owner: String::new(), due_days: 1 }; 41]), "tasks"),
    ] {
        let before = dump(shop.conn());
        assert_invalid(onboarding::save_template(shop.conn_mut(), &template, util::now()), field);
        assert_unchanged(&before, &dump(shop.conn()), field);
    }

    let reset = onboarding::reset_template(shop.conn_mut(), BusinessKind::Gym, util::now()).expect("reset");
    assert_eq!(reset, onboarding::default_template(BusinessKind::Gym));
    assert_eq!(onboarding::template(shop.conn(), BusinessKind::Gym).expect("reload"), reset);
}

#[test]
fn the_shops_contact_is_validated() {
    let shop = Shop::new();
    let good = ShopContact {
        phone: "+49 30 1234-567".into(),
        email: "hallo@kraftwerk.de".into(),
        address: "Hauptstraße 5\n10827 Berlin".into(),
        website: "kraftwerk.de".into(),
    };
    let saved = onboarding::save_contact(shop.conn(), &good, util::now()).expect("save contact");
    assert_eq!(saved.address, "Hauptstraße 5, 10827 Berlin");
    assert_eq!(onboarding::contact(shop.conn()).expect("load"), saved);
    for (input, field) in [
        (ShopContact { phone: "call us".into(), ..good.clone() }, "contact_phone"),
        (ShopContact { phone: "12".into(), ..good.clone() }, "contact_phone"),
        (ShopContact { email: "hallo@".into(), ..good.clone() }, "contact_email"),
        (ShopContact { email: "hal lo@x.de".into(), ..good.clone() }, "contact_email"),
        (ShopContact { website: "kraft werk.de".into(), ..good.clone() }, "contact_website"),
    ] {
        assert_invalid(onboarding::save_contact(shop.conn(), &input, util::now()), field);
        assert_eq!(onboarding::contact(shop.conn()).expect("load"), saved, "bad input changed nothing");
    }
}

// ---------------------------------------------------------------------------
// A customer's plan

#[test]
fn a_plan_started_from_a_date_has_real_due_dates_and_shows_overdue() {
    let mut shop = gym();
    let zoe = shop.create(customer("Zoë", "Müller-Łukasiewicz"));
    let start = date(2024, 5, 13);
    let plan = onboarding::start(shop.conn_mut(), &zoe.id, start, start, util::now()).expect("start");
    let template = onboarding::default_template(BusinessKind::Gym);
    assert_eq!(plan.total, template.tasks.len() + 1, "the tasks and the milestone");
    assert_eq!(plan.progress_label, format!("0 of {} done", plan.total));
    assert_eq!(plan.tasks[0].due_on, start);
    assert_eq!(plan.tasks[0].title, template.tasks[0].title);
    let milestone = plan.milestone().expect("a milestone");
    assert_eq!(milestone.title, template.milestone.title);
    assert_eq!(milestone.due_on, date(2024, 5, 20));
    // Due order, and owners in words.
    assert!(plan.tasks.windows(2).all(|w| w[0].due_on <= w[1].due_on));
    assert!(plan.tasks.iter().any(|t| t.owner_label == "Customer"));
    assert!(plan.tasks.iter().any(|t| t.owner_label == "The shop"));
    assert_eq!(plan.overdue, 0);

    // Three days on, the tasks of the first days are overdue.
    let later = onboarding::for_customer(shop.conn(), &zoe.id, date(2024, 5, 16)).expect("load").expect("a plan");
    let overdue: Vec<&str> = later.tasks.iter().filter(|t| t.overdue).map(|t| t.title.as_str()).collect();
    assert_eq!(overdue.len(), later.tasks.iter().filter(|t| t.due_on < date(2024, 5, 16)).count());
    assert!(!overdue.is_empty());

    // One plan in progress at a time.
    let again = onboarding::start(shop.conn_mut(), &zoe.id, start, start, util::now());
    assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
    // An unknown customer.
    assert!(matches!(onboarding::start(shop.conn_mut(), "nobody", start, start, util::now()), Err(Error::NotFound(_))));
}

#[test]
fn a_task_owned_by_staff_keeps_their_name() {
    let mut shop = gym();
    let bjorn = staff_id(&shop, "Bjørn");
    let mut template = onboarding::template(shop.conn(), BusinessKind::Gym).expect("template");
    template.tasks[0].owner = bjorn;
    onboarding::save_template(shop.conn_mut(), &template, util::now()).expect("save");
    let zoe = shop.create(customer("Zoë", "Müller"));
    let plan =
        onboarding::start(shop.conn_mut(), &zoe.id, date(2024, 5, 13), date(2024, 5, 13), util::now()).expect("start");
    assert_eq!(plan.tasks[0].owner_label, "Bjørn");
    let doc = plan_pdf::document(shop.conn(), &zoe.id, date(2024, 5, 13)).expect("document");
    assert_eq!(doc.tasks[0].owner, "Bjørn");
    assert!(doc.tasks.iter().any(|t| t.owner == "You"), "the customer's tasks say You");
}

#[test]
fn ticking_records_who_and_when_and_the_last_tick_completes_the_plan() {
    let mut shop = gym();
    let ines = staff_id(&shop, "Ines");
    let zoe = shop.create(customer("Zoë", "Müller"));
    let start = date(2024, 5, 13);
    let plan = onboarding::start(shop.conn_mut(), &zoe.id, start, start, util::now()).expect("start");
    assert_eq!(onboarding::completed_since(shop.conn(), &zoe.id, None).expect("query"), None);

    let first = &plan.tasks[0];
    let at = utc(2024, 5, 13, 10, 0);
    assert_eq!(onboarding::tick(shop.conn_mut(), &first.id, Some(&ines), at).expect("tick"), zoe.id);
    let plan = onboarding::for_customer(shop.conn(), &zoe.id, start).expect("load").expect("plan");
    assert_eq!(plan.tasks[0].done_by.as_deref(), Some("Ines"));
    assert_eq!(plan.tasks[0].done_at.as_deref(), Some("2024-05-13T10:00:00.000Z"));
    assert_eq!(plan.done, 1);
    assert!(plan.completed_at.is_none());

    // Nobody at the desk: "the desk".
    onboarding::tick(shop.conn_mut(), &plan.tasks[1].id, None, at).expect("tick");
    let plan = onboarding::for_customer(shop.conn(), &zoe.id, start).expect("load").expect("plan");
    assert_eq!(plan.tasks[1].done_by.as_deref(), Some("the desk"));

    // A staff member who left cannot tick.
    assert_invalid(onboarding::tick(shop.conn_mut(), &plan.tasks[2].id, Some("gone"), at), "staff");

    let done_at = utc(2024, 5, 20, 18, 0);
    for task in plan.tasks.iter().skip(2) {
        onboarding::tick(shop.conn_mut(), &task.id, Some(&ines), done_at).expect("tick");
    }
    let plan = onboarding::for_customer(shop.conn(), &zoe.id, start).expect("load").expect("plan");
    assert_eq!(plan.progress_label, "All done");
    assert_eq!(plan.completed_at.as_deref(), Some("2024-05-20T18:00:00.000Z"));
    assert_eq!(onboarding::completed_since(shop.conn(), &zoe.id, None).expect("query"), Some(done_at));
    assert_eq!(
        onboarding::completed_since(shop.conn(), &zoe.id, Some(utc(2024, 5, 20, 0, 0))).expect("query"),
        Some(done_at)
    );
    assert_eq!(onboarding::completed_since(shop.conn(), &zoe.id, Some(utc(2024, 5, 21, 0, 0))).expect("query"), None);
    assert_eq!(
        onboarding::completions_since(shop.conn(), utc(2024, 5, 1, 0, 0)).expect("query"),
        vec![(zoe.id.clone(), done_at)]
    );

    // Untick (a mis-click) opens it again.
    onboarding::untick(shop.conn_mut(), &plan.tasks[3].id, done_at).expect("untick");
    let plan = onboarding::for_customer(shop.conn(), &zoe.id, start).expect("load").expect("plan");
    assert!(plan.completed_at.is_none() && plan.tasks[3].done_at.is_none());
    assert_eq!(onboarding::completed_since(shop.conn(), &zoe.id, None).expect("query"), None);
}

#[test]
fn a_removed_plan_makes_room_for_a_new_one() {
    let mut shop = gym();
    let zoe = shop.create(customer("Zoë", "Müller"));
    let start = date(2024, 5, 13);
    onboarding::start(shop.conn_mut(), &zoe.id, start, start, util::now()).expect("start");
    onboarding::cancel(shop.conn_mut(), &zoe.id, util::now()).expect("cancel");
    assert!(onboarding::for_customer(shop.conn(), &zoe.id, start).expect("load").is_none());
    assert!(matches!(onboarding::cancel(shop.conn_mut(), &zoe.id, util::now()), Err(Error::NotFound(_))));
    onboarding::start(shop.conn_mut(), &zoe.id, date(2024, 6, 1), start, util::now()).expect("start again");
    let plan = onboarding::for_customer(shop.conn(), &zoe.id, start).expect("load").expect("plan");
    assert_eq!(plan.start_on, date(2024, 6, 1));
}

// ---------------------------------------------------------------------------
// Reminders

/// (dedup key, title, due at, done at, dismissed at)
type ReminderRow = (String, String, String, Option<String>, Option<String>);

fn reminder_rows(shop: &Shop) -> Vec<ReminderRow> {
    let mut stmt = shop
        .conn()
        .prepare("SELECT dedup_key, title, due_at, done_at, dismissed_at FROM reminders WHERE source = 'onboarding' ORDER BY due_at, dedup_key")
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn onboarding_tasks_become_reminders_once_and_ticking_resolves_them() {
    let mut shop = gym();
    let zoe = shop.create(customer("Zoë", "Müller"));
    let start = date(2027, 5, 12);
    let plan = onboarding::start(shop.conn_mut(), &zoe.id, start, start, utc(2027, 5, 12, 8, 0)).expect("start");
    let rules = Rules::default();
    let now = utc(2027, 5, 12, 12, 0);
    let added = reminder_sources::sync(shop.conn_mut(), now, &Berlin, &rules).expect("sync");
    let due_by_tomorrow: Vec<_> = plan.tasks.iter().filter(|t| t.due_on <= date(2027, 5, 13)).collect();
    assert!(added >= due_by_tomorrow.len());
    let rows = reminder_rows(&shop);
    assert_eq!(rows.len(), due_by_tomorrow.len());
    assert_eq!(rows[0].0, format!("onboarding:{}", plan.tasks[0].id));
    assert_eq!(rows[0].1, format!("Onboarding: {}", plan.tasks[0].title));
    // Due at 09:00 Berlin (07:00 UTC) on the task's day.
    assert_eq!(rows[0].2, "2027-05-12T07:00:00.000Z");

    // Again: nothing new.
    reminder_sources::sync(shop.conn_mut(), now, &Berlin, &rules).expect("sync");
    assert_eq!(reminder_rows(&shop).len(), due_by_tomorrow.len());

    // Ticking the task closes its reminder.
    onboarding::tick(shop.conn_mut(), &plan.tasks[0].id, None, now).expect("tick");
    let rows = reminder_rows(&shop);
    let first = rows.iter().find(|r| r.0 == format!("onboarding:{}", plan.tasks[0].id)).expect("row");
    assert!(first.3.is_some(), "resolved when ticked: {first:?}");

    // Done from Today ticks the task.
    let second_key = format!("onboarding:{}", plan.tasks[1].id);
    let reminder_id: String = shop
        .conn()
        .query_row("SELECT id FROM reminders WHERE dedup_key = ?1", [&second_key], |r| r.get(0))
        .expect("reminder");
    reminder_sources::close(shop.conn_mut(), &reminder_id, false, now).expect("close");
    let reloaded = onboarding::for_customer(shop.conn(), &zoe.id, start).expect("load").expect("plan");
    assert_eq!(reloaded.tasks[1].done_by.as_deref(), Some("from the reminder"));

    // The milestone week: its reminder says "First win".
    let week_on = utc(2027, 5, 18, 12, 0);
    reminder_sources::sync(shop.conn_mut(), week_on, &Berlin, &rules).expect("sync");
    assert!(reminder_rows(&shop).iter().any(|r| r.1.starts_with("First win: ")));

    // Removing the plan dismisses what is still open.
    onboarding::cancel(shop.conn_mut(), &zoe.id, week_on).expect("cancel");
    assert!(reminder_rows(&shop).iter().all(|r| r.3.is_some() || r.4.is_some()));
    reminder_sources::sync(shop.conn_mut(), utc(2027, 5, 25, 12, 0), &Berlin, &rules).expect("sync");
    assert!(reminder_rows(&shop).iter().all(|r| r.3.is_some() || r.4.is_some()), "a removed plan adds no reminders");
}

// ---------------------------------------------------------------------------
// The PDF

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("plan-pdfs");
    std::fs::create_dir_all(&dir).expect("create target/plan-pdfs");
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

/// Writes the PDF, renders a PNG beside it, and returns the page's text.
pub(crate) fn write_and_read(name: &str, bytes: &[u8]) -> (PathBuf, String) {
    let path = out_dir().join(format!("{name}.pdf"));
    std::fs::write(&path, bytes).expect("write pdf");
    let p = path.to_str().expect("utf-8 path");
    tool("pdftoppm", &["-png", "-r", "80", "-singlefile", p, out_dir().join(name).to_str().expect("path")]);
    let text = tool("pdftotext", &[p, "-"]);
    (path, text)
}

fn info(path: &Path) -> String {
    tool("pdfinfo", &[path.to_str().expect("path")])
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn sample_doc(paper: PaperSize) -> PlanDocument {
    let start = date(2026, 11, 23);
    let task = |title: &str, owner: &str, days: i64, done: bool, milestone: bool| PrintTask {
        title: title.into(),
        owner: owner.into(),
        due_on: start + chrono::Duration::days(days),
        done,
        milestone,
    };
    PlanDocument {
        shop_name: "Kraftwerk Süd".into(),
        customer_name: "Zoë Müller-Łukasiewicz".into(),
        start_on: start,
        welcome: onboarding::default_template(BusinessKind::Gym).welcome,
        promise: onboarding::default_template(BusinessKind::Gym)
            .promise
            .lines()
            .into_iter()
            .map(|(l, t)| (l.into(), t))
            .collect(),
        tasks: vec![
            task("Welcome and a 15-minute tour of the gym", "Søren Ødegård", 0, true, false),
            task("Set up your locker and app login", "You", 0, false, false),
            task("Talk about your goals and write your first-week plan", "Us", 1, false, false),
            task("Come for two workouts in your first week", "You", 6, false, false),
            task("First full workout on your own plan", "You", 7, false, true),
            task("Milestone check-in: how did week one go?", "Søren Ødegård", 7, false, false),
        ],
        contact: vec!["+49 30 1234-567".into(), "hallo@kraftwerk.de".into(), "Hauptstraße 5, 10827 Berlin".into()],
        paper,
        photo: None,
        pets: vec![],
    }
}

#[test]
fn the_pdf_has_every_name_date_and_task_on_one_a4_or_letter_page() {
    for (paper, name, size) in
        [(PaperSize::A4, "plan-a4", "595.28 x 841.89"), (PaperSize::Letter, "plan-letter", "612 x 792")]
    {
        let doc = sample_doc(paper);
        let rendered = plan_pdf::render(&doc).expect("render");
        assert!(rendered.left_out.is_empty(), "{:?}", rendered.left_out);
        assert!(!rendered.compact);
        let (path, text) = write_and_read(name, &rendered.bytes);
        let flat = squash(&text);
        for needle in [
            "Kraftwerk Süd".to_uppercase().as_str(),
            "Zoë Müller-Łukasiewicz",
            "Søren Ødegård",
            "Monday 23 November 2026",
            "Mon 23 Nov",
            "Tue 24 Nov",
            "Sun 29 Nov",
            "Mon 30 Nov",
            "Our promise to you",
            "What we will do",
            "How fast we reply",
            "Your first win",
            "+49 30 1234-567",
            "hallo@kraftwerk.de",
            "Hauptstraße 5, 10827 Berlin",
        ] {
            assert!(flat.contains(needle), "{name}: {needle:?} missing from:\n{text}");
        }
        for task in &doc.tasks {
            assert!(flat.contains(&task.title), "{name}: task {:?} missing from:\n{text}", task.title);
        }
        let info = info(&path);
        assert!(info.contains("Pages:           1"), "{info}");
        assert!(info.contains(size), "{name}: {info}");
        assert!(info.contains(if paper == PaperSize::A4 { "(A4)" } else { "(letter)" }), "{name}: {info}");
        let fonts = tool("pdffonts", &[path.to_str().expect("path")]);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert_eq!(rows.len(), 2, "regular and bold: {fonts}");
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            assert!(cols[0].contains('+') && cols[0].contains("DejaVuSans"), "a subset tag on the name: {fonts}");
            // name type encoding emb sub uni object ID
            let n = cols.len();
            assert_eq!(&cols[n - 5..n - 2], &["yes", "yes", "yes"], "embedded, subset, with a ToUnicode map: {fonts}");
        }
        assert!(rendered.bytes.len() < 30_000, "{name} is {} bytes", rendered.bytes.len());
    }
}

#[test]
fn a_plan_with_no_tasks_still_makes_a_good_page() {
    let doc = PlanDocument {
        tasks: vec![],
        promise: vec![],
        welcome: String::new(),
        contact: vec![],
        ..sample_doc(PaperSize::A4)
    };
    let rendered = plan_pdf::render(&doc).expect("render");
    let (path, text) = write_and_read("plan-no-tasks", &rendered.bytes);
    assert!(squash(&text).contains("No tasks yet"), "{text}");
    assert!(info(&path).contains("Pages:           1"));
}

#[test]
fn thirty_tasks_and_a_300_character_title_fit_on_one_page() {
    let mut doc = sample_doc(PaperSize::A4);
    let base = doc.tasks[0].clone();
    doc.tasks = (1..=30)
        .map(|i| PrintTask {
            title: format!("Task number {i}: a session with a coach"),
            due_on: base.due_on + chrono::Duration::days(i),
            ..base.clone()
        })
        .collect();
    let rendered = plan_pdf::render(&doc).expect("30 tasks fit");
    let (path, text) = write_and_read("plan-30-tasks", &rendered.bytes);
    let flat = squash(&text);
    for i in 1..=30 {
        assert!(flat.contains(&format!("Task number {i}:")), "task {i} missing");
    }
    assert!(info(&path).contains("Pages:           1"));

    // One very long title wraps inside its cell: every word is printed.
    let long: String = (0..60).map(|i| format!("w{i:02}")).collect::<Vec<_>>().join(" ") + " end-of-the-long-title";
    let long: String = long.chars().take(300).collect();
    assert_eq!(long.chars().count(), 300.min(long.chars().count()));
    let mut doc = sample_doc(PaperSize::Letter);
    doc.tasks[1].title = long.clone();
    let rendered = plan_pdf::render(&doc).expect("a long title fits");
    let (path, text) = write_and_read("plan-long-title", &rendered.bytes);
    for word in long.split(' ') {
        assert!(text.contains(word), "{word:?} missing: the title was cut");
    }
    assert!(info(&path).contains("Pages:           1"));
    // Wrapped: no line of the page is as wide as the title.
    assert!(text.lines().all(|l| !l.contains(&long[..80])), "the title was not wrapped");
}

#[test]
fn a_plan_too_long_for_one_page_gets_a_clear_message() {
    let mut doc = sample_doc(PaperSize::A4);
    let base = doc.tasks[0].clone();
    doc.tasks = (0..40)
        .map(|i| PrintTask {
            title: format!("{i} {}", "A long task title that wraps over several lines. ".repeat(6)),
            ..base.clone()
        })
        .collect();
    let message = assert_invalid(plan_pdf::render(&doc), "plan");
    assert!(message.contains("does not fit on one page"), "{message}");
}

#[test]
fn right_to_left_and_emoji_names_give_a_good_page_and_say_what_was_left_out() {
    let mut doc = sample_doc(PaperSize::A4);
    doc.customer_name = "Noa 🐶 כהן".into();
    doc.tasks[1].owner = "דנה".into();
    doc.tasks[2].title = "Say hi to Biscuit 🐕‍🦺 at the door".into();
    let rendered = plan_pdf::render(&doc).expect("render");
    assert!(rendered.left_out.contains(&'🐶') && rendered.left_out.contains(&'🐕'), "{:?}", rendered.left_out);
    assert!(!rendered.left_out.contains(&'\u{200d}'), "joiners are not reported");
    assert!(rendered.notice().expect("a notice").contains("left out"));
    let (path, text) = write_and_read("plan-rtl-emoji", &rendered.bytes);
    assert!(info(&path).contains("Pages:           1"));
    let flat = squash(&text);
    assert!(flat.contains("Say hi to Biscuit at the door"), "the emoji is dropped cleanly: {text}");
    for c in "כהןדנה".chars() {
        assert!(text.contains(c), "{c} missing: {text}");
    }
    // The Hebrew is drawn right to left: the last letter comes first.
    assert!(text.contains("ןהכ") || text.contains("כהן"), "{text}");
}

#[test]
fn the_plan_pdf_command_writes_a_customers_plan() {
    let mut shop = gym();
    let zoe = shop.create(customer("Zoë", "Müller-Łukasiewicz"));
    let start = date(2026, 11, 23);
    onboarding::start(shop.conn_mut(), &zoe.id, start, start, util::now()).expect("start");
    onboarding::save_contact(
        shop.conn(),
        &ShopContact { phone: "+49 30 1234-567".into(), ..Default::default() },
        util::now(),
    )
    .expect("contact");
    let dir = shop.data_dir();
    drop(shop.store);
    let out = out_dir().join("plan-cli.pdf");
    let _ = std::fs::remove_file(&out);
    let run = Command::new(env!("CARGO_BIN_EXE_regulars"))
        .args(["plan-pdf", "--customer", "zoë müller-łukasiewicz", "--paper", "letter", "--out"])
        .arg(&out)
        .arg("--data-dir")
        .arg(&dir)
        .output()
        .expect("run regulars plan-pdf");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = tool("pdftotext", &[out.to_str().expect("path"), "-"]);
    assert!(
        text.contains("Zoë Müller-Łukasiewicz") && text.contains("KRAFTWERK SÜD") && text.contains("+49 30 1234-567"),
        "{text}"
    );
    assert!(info(&out).contains("(letter)"));

    let missing = Command::new(env!("CARGO_BIN_EXE_regulars"))
        .args(["plan-pdf", "--customer", "Nobody Here", "--out"])
        .arg(out_dir().join("nobody.pdf"))
        .arg("--data-dir")
        .arg(&dir)
        .output()
        .expect("run");
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("No customer has the id or name"));
}
