//! Review requests, referrals and message templates on real SQLite files,
//! with the time passed in: eligibility on fixed dates and at the edges of
//! the cool-down, the open-complaint block, exactly-once referral bonuses
//! across undo, redo and retries, template rendering with accents, emoji,
//! missing and unknown placeholders, the QR code read back, and the
//! mailto:/sms: links decoded back to the message.

use crate::util;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use percent_encoding::percent_decode_str;
use regulars::db::settings::{self, BusinessKind, Settings, StaffMember};
use regulars::db::store::Store;
use regulars::features;
use regulars::features::cards;
use regulars::features::desk;
use regulars::features::desk::LogInput;
use regulars::features::outreach::{self, Eligibility, Moments, OutreachRules};
use regulars::features::reminder_sources;
use regulars::features::templates::{self, Template};
use regulars::io::plan_pdf;
use regulars::records::complaints::OpenInput;
use regulars::records::customers::{self, CustomerInput};
use regulars::records::feedback::FeedbackInput;
use regulars::records::loyalty;
use regulars::records::onboarding;
use regulars::records::referrals;
use regulars::records::reminders::Rules;
use regulars::Error;
use util::{assert_invalid, assert_unchanged, customer, dump_of, person, InputExt, Shop};

const TABLES: &[&str] = &["customers", "interactions", "points_ledger", "review_requests", "referrals", "settings"];

fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().expect("a valid time")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn salon() -> Shop {
    let mut shop = Shop::new();
    let settings = Settings {
        shop_name: "Salon Ørsted".into(),
        business_kind: BusinessKind::Salon,
        staff: vec![StaffMember { id: None, name: "Ana".into() }],
        setup_done: true,
        ..Settings::default()
    };
    settings::save(shop.conn_mut(), &settings, utc(2026, 1, 1, 8)).expect("save settings");
    shop
}

fn set_link(shop: &mut Shop, link: &str) {
    let rules = OutreachRules { review_link: link.into(), ..OutreachRules::default() };
    outreach::save_rules(shop.conn_mut(), &rules, utc(2026, 1, 1, 8)).expect("save outreach rules");
}

fn add(shop: &mut Shop, input: CustomerInput, at: DateTime<Utc>) -> String {
    cards::create(shop.conn_mut(), &input, at).expect("create").id
}

fn visit(shop: &mut Shop, id: &str, win: bool, summary: &str, at: DateTime<Utc>) -> String {
    let input = LogInput { kind: "visit".into(), summary: summary.into(), win, ..Default::default() };
    desk::log(shop.conn_mut(), id, &input, at, at.date_naive()).expect("log").interaction_id
}

fn staff(shop: &Shop) -> String {
    settings::load(shop.conn()).unwrap().staff[0].id.clone().unwrap()
}

// ------------------------------------------------------------ eligibility

#[test]
fn eligibility_rules_on_fixed_dates() {
    let rules = OutreachRules::default(); // 14-day moments, 90-day cool-down
    let now = utc(2026, 6, 15, 12);
    let win = |days: i64| Moments {
        win: Some((now - Duration::days(days), "Balayage came out great".into())),
        ..Moments::default()
    };

    assert_eq!(outreach::eligibility(&Moments::default(), &rules, now), Eligibility::NoMoment);
    match outreach::eligibility(&win(3), &rules, now) {
        Eligibility::Ask { reasons, .. } => {
            assert_eq!(reasons, vec!["A win on 12 Jun: Balayage came out great".to_string()])
        }
        other => panic!("a fresh win is a moment: {other:?}"),
    }
    assert!(matches!(outreach::eligibility(&win(14), &rules, now), Eligibility::Ask { .. }), "14 days is still fresh");
    assert_eq!(outreach::eligibility(&win(15), &rules, now), Eligibility::NoMoment, "15 days is too late");

    let blocked = Moments { complaint_open: true, ..win(1) };
    assert_eq!(
        outreach::eligibility(&blocked, &rules, now),
        Eligibility::Wait { why: "Not while a complaint is open.".into() }
    );

    // Cool-down edges: 89 days after asking is too soon, 90 days is fine.
    let asked = |days: i64| Moments { last_asked: Some(now - Duration::days(days)), ..win(1) };
    assert_eq!(
        outreach::eligibility(&asked(89), &rules, now),
        Eligibility::Wait { why: "Asked on 18 Mar; the 90-day cool-down ends on 16 Jun 2026.".into() }
    );
    assert!(matches!(outreach::eligibility(&asked(90), &rules, now), Eligibility::Ask { .. }));

    // Several moments: newest first.
    let many = Moments {
        complaint_solved: Some(now - Duration::days(2)),
        promoter: Some((now - Duration::days(5), 10)),
        onboarding_done: Some(now - Duration::days(20)),
        ..win(7)
    };
    match outreach::eligibility(&many, &rules, now) {
        Eligibility::Ask { reasons, .. } => assert_eq!(
            reasons,
            vec![
                "Their complaint was solved on 13 Jun".to_string(),
                "Gave 10 out of 10 on 10 Jun".to_string(),
                "A win on 8 Jun: Balayage came out great".to_string(),
            ]
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn moments_come_from_the_card_and_a_complaint_blocks_until_solved() {
    let mut shop = salon();
    set_link(&mut shop, "https://g.page/r/salon-orsted/review");
    let mia = add(&mut shop, customer("Mia", "Øberg"), utc(2026, 5, 1, 9));
    let now = utc(2026, 6, 15, 12);
    assert_eq!(outreach::check(shop.conn(), &mia, now).unwrap(), Eligibility::NoMoment);
    visit(&mut shop, &mia, true, "New colour, very happy", utc(2026, 6, 10, 10));
    assert!(matches!(outreach::check(shop.conn(), &mia, now).unwrap(), Eligibility::Ask { .. }));
    assert_eq!(
        outreach::candidates(shop.conn(), now, 10).unwrap().iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        vec!["Mia Øberg"]
    );

    let input = OpenInput {
        summary: "Colour faded in a week".into(),
        owner_id: staff(&shop),
        checkpoint_date: "2026-06-16".into(),
        ..Default::default()
    };
    let complaint = features::complaints::open(shop.conn_mut(), &mia, &input, utc(2026, 6, 15, 9), &Berlin).unwrap();
    assert_eq!(
        outreach::check(shop.conn(), &mia, now).unwrap(),
        Eligibility::Wait { why: "Not while a complaint is open.".into() }
    );
    assert!(outreach::candidates(shop.conn(), now, 10).unwrap().is_empty());
    let before = dump_of(shop.conn(), TABLES);
    assert!(matches!(
        outreach::ask(shop.conn_mut(), &mia, "copy", None, now, date(2026, 6, 15), &Berlin),
        Err(Error::Conflict(why)) if why == "Not while a complaint is open."
    ));
    assert_unchanged(&before, &dump_of(shop.conn(), TABLES), "asking while a complaint is open");

    features::complaints::close(
        shop.conn_mut(),
        &complaint.id,
        "Redone for free with a gloss",
        None,
        utc(2026, 6, 16, 10),
    )
    .unwrap();
    match outreach::check(shop.conn(), &mia, utc(2026, 6, 16, 12)).unwrap() {
        Eligibility::Ask { reasons, .. } => {
            assert_eq!(reasons[0], "Their complaint was solved on 16 Jun");
            assert_eq!(reasons[1], "A win on 10 Jun: New colour, very happy");
        }
        other => panic!("{other:?}"),
    }

    // A promoter answer is a moment too.
    let ola = add(&mut shop, customer("Ola", "Nowak"), utc(2026, 5, 1, 9));
    let answer = FeedbackInput { kind: "nps".into(), score: "9".into(), ..Default::default() };
    features::feedback::record(shop.conn_mut(), &ola, &answer, utc(2026, 6, 14, 10), date(2026, 6, 14)).unwrap();
    match outreach::check(shop.conn(), &ola, now).unwrap() {
        Eligibility::Ask { reasons, .. } => assert_eq!(reasons, vec!["Gave 9 out of 10 on 14 Jun".to_string()]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn asking_records_the_request_with_one_follow_up_and_a_cool_down() {
    let mut shop = salon();
    let zoe = add(&mut shop, customer("Zoë", "Müller").email("zoe@example.com"), utc(2026, 5, 1, 9));
    visit(&mut shop, &zoe, true, "Wedding hair", utc(2026, 6, 12, 10));
    let now = utc(2026, 6, 15, 12);
    let today = date(2026, 6, 15);

    // No review link yet: the message has a gap and cannot be sent.
    let before = dump_of(shop.conn(), TABLES);
    let gap = assert_invalid(outreach::ask(shop.conn_mut(), &zoe, "email", None, now, today, &Berlin), "message");
    assert!(gap.contains("your review link"), "{gap}");
    assert_unchanged(&before, &dump_of(shop.conn(), TABLES), "a message with a gap");

    set_link(&mut shop, "https://g.page/r/salon-orsted/review");
    assert_invalid(outreach::ask(shop.conn_mut(), &zoe, "fax", None, now, today, &Berlin), "channel");
    let request = outreach::ask(shop.conn_mut(), &zoe, "email", None, now, today, &Berlin).expect("ask");
    assert_eq!((request.status.as_str(), request.follow_up_on.as_deref()), ("asked", Some("2026-06-22")));
    assert_eq!(request.reason, "A win on 12 Jun: Wedding hair");
    assert!(
        matches!(outreach::check(shop.conn(), &zoe, now).unwrap(), Eligibility::Wait { .. }),
        "cool-down after asking"
    );
    assert!(matches!(outreach::ask(shop.conn_mut(), &zoe, "copy", None, now, today, &Berlin), Err(Error::Conflict(_))));

    // One follow-up reminder when it falls due, however often sync runs.
    let follow_ups = |shop: &Shop| -> Vec<(String, bool)> {
        shop.conn()
            .prepare("SELECT title, done_at IS NOT NULL FROM reminders WHERE source = 'review_follow_up'")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    reminder_sources::sync(shop.conn_mut(), utc(2026, 6, 18, 9), &Berlin, &Rules::default()).unwrap();
    assert!(follow_ups(&shop).is_empty(), "not yet");
    for _ in 0..3 {
        reminder_sources::sync(shop.conn_mut(), utc(2026, 6, 21, 9), &Berlin, &Rules::default()).unwrap();
    }
    assert_eq!(follow_ups(&shop), vec![("Follow up on the review request".to_string(), false)]);

    assert_invalid(outreach::set_status(shop.conn_mut(), &request.id, "maybe", now), "status");
    let reviewed = outreach::set_status(shop.conn_mut(), &request.id, "reviewed", utc(2026, 6, 22, 10)).unwrap();
    assert_eq!((reviewed.status.as_str(), reviewed.follow_up_on), ("reviewed", None));
    assert_eq!(
        follow_ups(&shop),
        vec![("Follow up on the review request".to_string(), true)],
        "answering closes the follow-up"
    );
}

// ------------------------------------------------------------ referrals

fn referral_bonus_rows(shop: &Shop, id: &str) -> i64 {
    shop.conn()
        .query_row(
            "SELECT count(*) FROM points_ledger WHERE customer_id = ?1 AND memo LIKE 'Referral bonus:%'",
            [id],
            |row| row.get(0),
        )
        .unwrap()
}

#[test]
fn the_referrer_earns_the_bonus_once_on_the_first_visit() {
    let mut shop = salon();
    let bonus = loyalty::load_program(shop.conn()).unwrap().referral_bonus;
    assert!(bonus > 0, "the salon program has a referral bonus");
    let ana = add(&mut shop, customer("Ana", "Silva"), utc(2026, 3, 1, 9));
    let before = dump_of(shop.conn(), TABLES);
    let own = CustomerInput { referred_by: Some("no-such-customer".into()), ..customer("Bea", "Lind") };
    assert_invalid(cards::create(shop.conn_mut(), &own, utc(2026, 3, 2, 9)), "referred_by");
    assert_unchanged(&before, &dump_of(shop.conn(), TABLES), "a referral to nobody");

    let bea =
        add(&mut shop, CustomerInput { referred_by: Some(ana.clone()), ..customer("Bea", "Lind") }, utc(2026, 3, 2, 9));
    assert_eq!(loyalty::totals(shop.conn(), &ana).unwrap().balance, 0, "nothing on creation");
    let links = referrals::for_customer(shop.conn(), &ana).unwrap();
    assert_eq!(links.referred.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), vec!["Bea Lind"]);
    assert_eq!(
        referrals::for_customer(shop.conn(), &bea).unwrap().referred_by.map(|l| l.name),
        Some("Ana Silva".into())
    );

    // A call is not a visit.
    let call = LogInput { kind: "call".into(), summary: "Booked".into(), ..Default::default() };
    desk::log(shop.conn_mut(), &bea, &call, utc(2026, 3, 3, 9), date(2026, 3, 3)).unwrap();
    assert_eq!(referral_bonus_rows(&shop, &ana), 0);

    let first = visit(&mut shop, &bea, false, "First cut", utc(2026, 3, 5, 10));
    assert_eq!(referral_bonus_rows(&shop, &ana), 1);
    assert_eq!(loyalty::totals(shop.conn(), &ana).unwrap().balance, bonus);
    // Undo and redo, and the desk logging twice: still once.
    desk::undo(shop.conn_mut(), &first, None, utc(2026, 3, 5, 11)).unwrap();
    assert_eq!(
        loyalty::totals(shop.conn(), &ana).unwrap().balance,
        bonus,
        "undoing the friend's visit keeps the bonus"
    );
    visit(&mut shop, &bea, false, "First cut, logged again", utc(2026, 3, 5, 12));
    visit(&mut shop, &bea, false, "Trim", utc(2026, 4, 5, 12));
    assert_eq!(referral_bonus_rows(&shop, &ana), 1);
    assert_eq!(loyalty::totals(shop.conn(), &ana).unwrap().balance, bonus);

    // Who referred Bea cannot change once the bonus went to Ana.
    let cid = add(&mut shop, customer("Cid", "Moreau"), utc(2026, 4, 1, 9));
    let card = customers::get(shop.conn(), &bea).unwrap();
    let change = CustomerInput { referred_by: Some(cid.clone()), ..util::input_from(&card) };
    assert_invalid(cards::update(shop.conn_mut(), &bea, &change, utc(2026, 4, 6, 9)), "referred_by");
    // Nobody refers themselves.
    let card = customers::get(shop.conn(), &cid).unwrap();
    let selfie = CustomerInput { referred_by: Some(cid.clone()), ..util::input_from(&card) };
    assert_invalid(cards::update(shop.conn_mut(), &cid, &selfie, utc(2026, 4, 6, 9)), "referred_by");

    let top = referrals::top_referrers(shop.conn(), 5).unwrap();
    assert_eq!((top[0].name.as_str(), top[0].referred, top[0].came_in), ("Ana Silva", 1, 1));
    assert_eq!(referrals::recent(shop.conn(), 5).unwrap()[0].referred_name, "Bea Lind");
}

#[test]
fn two_desks_logging_the_first_visit_at_once_give_one_bonus() {
    let mut shop = salon();
    let ana = add(&mut shop, customer("Ana", "Silva"), utc(2026, 3, 1, 9));
    let bea =
        add(&mut shop, CustomerInput { referred_by: Some(ana.clone()), ..customer("Bea", "Lind") }, utc(2026, 3, 2, 9));
    let path = shop.db_path();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let path = path.clone();
            let bea = bea.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).expect("second desk");
                let input = LogInput { kind: "visit".into(), summary: format!("Desk {i}"), ..Default::default() };
                let at = utc(2026, 3, 5, 10) + Duration::minutes(i);
                desk::log(store.conn_mut(), &bea, &input, at, at.date_naive()).expect("log from a desk");
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("desk thread");
    }
    assert_eq!(referral_bonus_rows(&shop, &ana), 1);
}

// ------------------------------------------------------------ templates

fn values(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn rendering_keeps_accents_and_emoji_and_flags_what_is_missing() {
    let filled = templates::render(
        "Hej {first_name} 👋 – {shop_name} ✂️",
        &values(&[("first_name", "Zoë"), ("shop_name", "Salon Ørsted")]),
    );
    assert_eq!(filled.text, "Hej Zoë 👋 – Salon Ørsted ✂️");
    assert!(filled.missing.is_empty());
    assert_eq!(filled.pieces.len(), 1);

    let holes = templates::render(
        "Hi {first_name}, how is {pet_name}? {pet_name} 🐶",
        &values(&[("first_name", "Søren"), ("pet_name", "  ")]),
    );
    assert_eq!(holes.text, "Hi Søren, how is {pet_name}? {pet_name} 🐶");
    assert_eq!(holes.missing, vec!["pet_name".to_string()]);
    assert_eq!(holes.pieces.iter().filter(|p| p.missing).count(), 2);
    // Braces that are not placeholders are just text.
    assert_eq!(templates::render("{ } {Name} {", &values(&[])).text, "{ } {Name} {");
}

#[test]
fn templates_are_saved_only_with_known_placeholders_and_fill_from_the_card() {
    let mut shop = salon();
    let all = templates::load(shop.conn()).unwrap();
    assert_eq!(all.len(), templates::KEYS.len());
    let before = dump_of(shop.conn(), TABLES);
    let unknown = Template { key: "birthday".into(), subject: "Hi".into(), body: "Happy birthday {first_nam}!".into() };
    let reason = assert_invalid(templates::save(shop.conn_mut(), &unknown, utc(2026, 1, 2, 9)), "template_body");
    assert!(reason.contains("{first_nam}"), "{reason}");
    let unknown_subject = Template { key: "birthday".into(), subject: "For {nick}".into(), body: "Hi".into() };
    assert_invalid(templates::save(shop.conn_mut(), &unknown_subject, utc(2026, 1, 2, 9)), "template_subject");
    assert_invalid(
        templates::save(
            shop.conn_mut(),
            &Template { key: "birthday".into(), subject: String::new(), body: " ".into() },
            utc(2026, 1, 2, 9),
        ),
        "template_body",
    );
    assert_unchanged(&before, &dump_of(shop.conn(), TABLES), "refused templates");

    let mine = Template {
        key: "birthday".into(),
        subject: "🎂 {first_name}".into(),
        body: "Happy birthday {first_name}! Give {pet_name} a treat from {shop_name}.".into(),
    };
    templates::save(shop.conn_mut(), &mine, utc(2026, 1, 2, 9)).unwrap();
    let shop = shop.reopen();
    assert_eq!(templates::get(shop.conn(), "birthday").unwrap(), mine, "saved templates survive a restart");

    let mut shop = shop;
    let zoe = add(
        &mut shop,
        customer("Zoë", "Łukasiewicz").email("zoe@example.com").with(person("Biscuit", "dog", "beagle")),
        utc(2026, 1, 3, 9),
    );
    let composed = outreach::compose(shop.conn(), &zoe, "birthday", None, &Berlin).unwrap();
    assert_eq!(composed.subject.text, "🎂 Zoë");
    assert_eq!(composed.body.text, "Happy birthday Zoë! Give Biscuit a treat from Salon Ørsted.");
    assert!(composed.missing.is_empty());

    // The mailto: link carries the exact message, encoded.
    let link = composed.mailto.expect("a complete message with an email gets a mailto: link");
    let (address, query) = link.trim_start_matches("mailto:").split_once('?').unwrap();
    assert_eq!(address, "zoe@example.com");
    let decoded: Vec<(String, String)> = query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            assert!(!v.contains(' ') && !v.contains('&'), "encoded: {v}");
            (k.to_string(), percent_decode_str(v).decode_utf8().unwrap().to_string())
        })
        .collect();
    assert_eq!(decoded, vec![("subject".into(), "🎂 Zoë".into()), ("body".into(), composed.body.text.clone())]);
    assert!(composed.sms.is_none(), "no phone, no sms: link");

    // Without a pet the message has a hole and no links.
    let ben = add(&mut shop, customer("Ben", "Ode").phone("+44 20 7946 0958"), utc(2026, 1, 3, 9));
    let holey = outreach::compose(shop.conn(), &ben, "birthday", None, &Berlin).unwrap();
    assert_eq!(holey.missing, vec!["pet_name".to_string()]);
    assert!(holey.mailto.is_none() && holey.sms.is_none());
    assert_invalid(outreach::ensure_complete(&holey), "message");
    let welcome = outreach::compose(shop.conn(), &ben, "we_miss_you", None, &Berlin).unwrap();
    let sms = welcome.sms.expect("sms link");
    assert!(sms.starts_with("sms:+442079460958?body="), "{sms}");
    assert_eq!(percent_decode_str(sms.split_once("?body=").unwrap().1).decode_utf8().unwrap(), welcome.body.text);
}

/// Some mail apps attach the file a mailto: link names (`attach=`). The
/// link is built from the message only (address, subject, body), so text
/// that tries to add a parameter, in the address or the template, stays
/// inside its own value.
#[test]
fn an_attach_parameter_cannot_get_into_a_link() {
    let mut shop = salon();
    let sly = Template {
        key: "birthday".into(),
        subject: "Hi?attach=/etc/passwd".into(),
        body: "{first_name}&attach=/home/x/regulars.sqlite3\n?attach=x".into(),
    };
    templates::save(shop.conn_mut(), &sly, utc(2026, 1, 2, 9)).unwrap();
    let email = "ada?attach=/home/x/regulars.sqlite3&cc=eve@example.com";
    let ada = add(&mut shop, customer("Ada", "Byron").email(email).phone("+44 20 7946 0958"), utc(2026, 1, 3, 9));
    let composed = outreach::compose(shop.conn(), &ada, "birthday", None, &Berlin).unwrap();
    let mailto = composed.mailto.expect("a mailto: link");
    let (address, query) = mailto.strip_prefix("mailto:").unwrap().split_once('?').unwrap();
    assert_eq!(percent_decode_str(address).decode_utf8().unwrap(), email, "the address is one value");
    let keys: Vec<&str> = query.split('&').map(|pair| pair.split_once('=').unwrap().0).collect();
    assert_eq!(keys, ["subject", "body"], "{mailto}");
    let sms = composed.sms.expect("an sms: link");
    let (number, query) = sms.strip_prefix("sms:").unwrap().split_once('?').unwrap();
    assert_eq!(number, "+442079460958");
    assert_eq!(query.split('&').map(|pair| pair.split_once('=').unwrap().0).collect::<Vec<_>>(), ["body"], "{sms}");
}

#[test]
fn the_qr_code_reads_back_as_the_review_link() {
    let mut shop = salon();
    assert_invalid(outreach::review_qr(shop.conn()), "review_link");
    assert_invalid(
        outreach::save_rules(
            shop.conn_mut(),
            &OutreachRules { review_link: "g.page/review".into(), ..OutreachRules::default() },
            utc(2026, 1, 1, 9),
        ),
        "review_link",
    );
    let link = "https://g.page/r/Salon-Ørsted/review?hl=da";
    set_link(&mut shop, link);
    let qr = outreach::review_qr(shop.conn()).unwrap();
    // Draw it as a scanner would see it: 4 pixels a module, a quiet zone of 4.
    let scale = 4;
    let side = (qr.width + 8) * scale;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
        let (mx, my) = (x / scale, y / scale);
        let inside = (4..qr.width + 4).contains(&mx) && (4..qr.width + 4).contains(&my);
        if inside && qr.dark[(my - 4) * qr.width + (mx - 4)] {
            0
        } else {
            255
        }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the card");
    let (_, content) = grids[0].decode().expect("the QR code decodes");
    assert_eq!(content, link);
}

#[test]
fn a_finished_welcome_plan_is_a_moment_to_ask() {
    let mut shop = salon();
    let eva = add(&mut shop, customer("Eva", "Novák"), utc(2026, 6, 1, 9));
    let plan = onboarding::start(shop.conn_mut(), &eva, date(2026, 6, 1), date(2026, 6, 1), utc(2026, 6, 1, 9))
        .expect("start a plan");
    assert!(plan.tasks.len() > 1);
    let now = utc(2026, 6, 15, 12);
    for (i, task) in plan.tasks.iter().enumerate() {
        assert_eq!(outreach::check(shop.conn(), &eva, now).unwrap(), Eligibility::NoMoment, "not before the last task");
        onboarding::tick(shop.conn_mut(), &task.id, None, utc(2026, 6, 2 + i as u32, 10)).expect("tick");
    }
    let done_day = 2 + plan.tasks.len() as u32 - 1;
    match outreach::check(shop.conn(), &eva, now).unwrap() {
        Eligibility::Ask { reasons, .. } => {
            assert_eq!(reasons, vec![format!("Finished their welcome plan on {done_day} Jun")])
        }
        other => panic!("{other:?}"),
    }
    let names: Vec<String> = outreach::candidates(shop.conn(), now, 10).unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names, vec!["Eva Novák".to_string()]);
}

/// Reads a binary PGM (P5) as pdftoppm -gray writes it.
pub(crate) fn read_pgm(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..at]).to_string());
    }
    assert_eq!(fields[0], "P5", "a binary grey map");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, bytes[at + 1..at + 1 + w * h].to_vec())
}

#[test]
fn the_printed_review_card_scans_back_to_the_link() {
    let mut shop = salon();
    let link = "https://g.page/r/salon-orsted/review";
    set_link(&mut shop, link);
    let qr = outreach::review_qr(shop.conn()).unwrap();
    let pdf = plan_pdf::review_card("Salon Ørsted & Søn", link, &qr).expect("review card");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("review-card");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("review-card.pdf");
    std::fs::write(&file, &pdf).unwrap();

    let text = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (make test installs poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Salon Ørsted & Søn"), "{text}");
    assert!(text.contains(link), "{text}");
    // Rendered as a scanner would see the paper: grey pixels, read back.
    let status = std::process::Command::new("pdftoppm")
        .args(["-gray", "-r", "150", "-singlefile"])
        .arg(&file)
        .arg(dir.join("review-card"))
        .status()
        .unwrap();
    assert!(status.success());
    std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-singlefile"])
        .arg(&file)
        .arg(dir.join("review-card"))
        .status()
        .unwrap();
    let (w, h, pixels) = read_pgm(&std::fs::read(dir.join("review-card.pgm")).unwrap());
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the printed card");
    assert_eq!(grids[0].decode().expect("decodes").1, link);
}
