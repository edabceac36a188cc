//! Realistic made-up shops: the ~50-customer sample offered on first start
//! and the large deterministic shops the `seed` command builds for
//! benchmarks and tests. The same seed always gives the same customers.

use chrono::{DateTime, Duration, Utc};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::db::settings::BusinessKind;
use crate::kernel::error::Result;
use crate::records::customers::{self, CustomerInput, Discovery, PersonInput, SeedCustomer};

const FIRST_NAMES: &[&str] = &[
    "Zoë", "Søren", "José", "Chloé", "Renée", "Łukasz", "Amélie", "Björn", "Siobhán", "Noah", "Emma", "Liam", "Olivia",
    "Mateo", "Aisha", "Yuki", "Priya", "Omar", "Fatima", "Lucas", "Mia", "Ethan", "Sofia", "Jonas", "Ingrid", "Marek",
    "Anaïs", "Hugo", "Nina", "Rafael", "Leila", "Tomás", "Greta", "Kofi", "Mei", "Sven", "Clara", "Diego", "Hannah",
    "Ivan", "Julia", "Karim", "Lena", "Marco", "Nora", "Oscar", "Paula", "Quinn", "Rosa", "Samir", "Tara", "Umar",
    "Vera", "Wes", "Ximena", "Yara", "Zach", "Ada", "Ben", "Cleo", "Dara", "Elif", "Finn", "Gus", "Hiro", "Iris",
    "Jade",
];

const LAST_NAMES: &[&str] = &[
    "Müller",
    "Ødegård",
    "García",
    "Dubois",
    "Łukasiewicz",
    "O'Brien",
    "Nakamura",
    "Patel",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Rodríguez",
    "Martínez",
    "Hernández",
    "López",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Pérez",
    "Thompson",
    "White",
    "Harris",
    "Sánchez",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Kowalski",
    "Novák",
    "Jansen",
    "de Vries",
    "Lindqvist",
    "Andersen",
    "Rossi",
    "Bianchi",
    "Schneider",
    "Fischer",
    "Weber",
];

const PET_NAMES: &[&str] = &[
    "Biscuit", "Luna", "Max", "Bella", "Charlie", "Pepper", "Milo", "Daisy", "Rocky", "Nala", "Oscar", "Coco", "Teddy",
    "Winnie", "Ziggy", "Maple", "Olive", "Bruno", "Hazel", "Scout", "Juniper", "Rufus",
];
const BREEDS: &[&str] = &[
    "beagle",
    "labrador",
    "border collie",
    "dachshund",
    "golden retriever",
    "whippet",
    "pug",
    "cocker spaniel",
    "greyhound",
    "terrier mix",
    "poodle",
    "husky",
];
const DOG_QUIRKS: &[&str] = &[
    "pulls hard on the lead near the park",
    "afraid of thunder, keep walks short when it storms",
    "loves other dogs but not bikes",
    "needs ear drops after swimming",
    "only eats the treats in the blue tin",
    "had knee surgery in spring, no stairs",
    "sits for every crossing, good boy",
];
const CHILD_NAMES: &[&str] = &["Mia", "Leo", "Ava", "Sam", "Ella", "Kai", "Ruby", "Theo", "Lily", "Jack"];
const PARTNER_NAMES: &[&str] = &["Alex", "Jordan", "Chris", "Robin", "Sam", "Taylor", "Morgan", "Jamie"];
const HEARD_FROM: &[&str] = &[
    "A friend",
    "Instagram",
    "Google search",
    "Walked past",
    "Flyer at the café",
    "Local newspaper",
    "Our sign outside",
    "Facebook group",
    "Neighbour",
];
const BEST_TIMES: &[&str] =
    &["Weekday mornings", "After 6pm", "Lunch break", "Weekends", "Any time", "Not before 10am"];
const GENERAL_NOTES: &[&str] = &[
    "Prefers texts after 6pm, works nights at the hospital.",
    "Moving house next month, new address to follow.",
    "Back from a holiday in Portugal, ask how it went.",
    "Daughter starts school in September.",
    "Mentioned a knee injury from skiing, take it easy.",
    "Brought cookies for the team at Christmas!",
    "Pays by card, never cash.",
    "Likes to chat about football, supports the local club.",
    "Getting married in June, very excited.",
    "Training for a half marathon in the autumn.",
    "Asked about gift vouchers for her sister.",
    "Allergic to latex.",
];

struct KindProfile {
    tags: &'static [&'static str],
    visits: &'static [&'static str],
    /// Typical spend per visit in cents (0: visits are prepaid).
    spend: (i64, i64),
    notes: &'static [&'static str],
    brought: &'static [&'static str],
    success: &'static [&'static str],
    first: &'static [&'static str],
    shop_name: &'static str,
}

fn profile(kind: BusinessKind) -> KindProfile {
    match kind {
        BusinessKind::Gym => KindProfile {
            visits: &["Leg day", "Spin class", "Yoga", "Upper body", "Personal training", "Open gym", "Check-in"],
            spend: (0, 1500),
            tags: &["morning", "evening", "personal training", "yoga", "student", "senior", "spin"],
            notes: &[
                "Wants to deadlift her body weight by summer.",
                "Lower back pain, check form on squats.",
                "Prefers the quiet hours before 7am.",
                "Signed up with a friend, they train together on Tuesdays.",
                "Asked about the nutrition workshop.",
                "Hit a new personal best on bench press today!",
            ],
            brought: &["Wants to get fit for a wedding", "Doctor said to exercise more", "Training for a 10k"],
            success: &["Running 5k without stopping", "Losing 5 kg by summer", "Feeling stronger at work"],
            first: &["A tour and a first session with a coach", "Sort out a training schedule"],
            shop_name: "Northside Strength & Fitness",
        },
        BusinessKind::Salon => KindProfile {
            visits: &["Cut and blow-dry", "Colour touch-up", "Balayage", "Fringe trim", "Manicure", "Wash and style"],
            spend: (2500, 12000),
            tags: &["colour", "cut", "balayage", "nails", "bridal", "regular", "sensitive scalp"],
            notes: &[
                "Colour formula: 7N + 20 vol, 35 minutes.",
                "Sensitive scalp, patch test before any new colour.",
                "Likes a quiet appointment, not much chat.",
                "Always books with Maria.",
                "Wants to grow her fringe out.",
                "Loved the balayage, asked for the same next time.",
            ],
            brought: &["New job, wants a fresh look", "Moved to the area", "Wedding coming up"],
            success: &["A colour that lasts six weeks", "Easy hair in the morning"],
            first: &["Patch test 48 hours before colour", "Consultation with a stylist"],
            shop_name: "Salon Lumière",
        },
        BusinessKind::DogWalking | BusinessKind::Other => KindProfile {
            visits: &["Morning walk", "Group walk in the park", "Solo walk", "Puppy visit", "Long weekend walk"],
            spend: (1500, 2500),
            tags: &["daily walk", "group walk", "solo walk", "puppy visits", "weekend", "key holder"],
            notes: &[
                "Key is in the lockbox, code changes monthly.",
                "Towel by the door for muddy paws.",
                "Do not let off the lead near the river.",
                "Neighbour's cat is a problem, take the back path.",
                "Owner works from home on Fridays, knock first.",
                "Text a photo after each walk, she loves it.",
            ],
            brought: &["Started a new office job", "New puppy needs company", "Back surgery, can't walk the dog"],
            success: &["A calm, tired dog in the evening", "Never missing a walk"],
            first: &["Meet-and-greet with the dog", "Get a spare key"],
            shop_name: "Happy Paws Walking Co.",
        },
    }
}

/// The sample shop's default name for a business kind.
pub fn shop_name(kind: BusinessKind) -> &'static str {
    profile(kind).shop_name
}

fn pick<'a>(rng: &mut ChaCha8Rng, list: &'a [&'a str]) -> &'a str {
    list.choose(rng).copied().unwrap_or_default()
}

/// Makes `count` customers for a shop of `kind`, as of `now`.
pub fn generate(kind: BusinessKind, count: usize, seed: u64, now: DateTime<Utc>) -> Vec<SeedCustomer> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let profile = profile(kind);
    (0..count).map(|n| one_customer(&mut rng, &profile, kind, n, now)).collect()
}

fn one_customer(
    rng: &mut ChaCha8Rng,
    profile: &KindProfile,
    kind: BusinessKind,
    n: usize,
    now: DateTime<Utc>,
) -> SeedCustomer {
    let first = pick(rng, FIRST_NAMES);
    let last = pick(rng, LAST_NAMES);
    let created_at = now - Duration::minutes(rng.gen_range(60..3 * 365 * 24 * 60));
    let phone = match rng.gen_range(0..3) {
        0 => format!("({:03}) {:03}-{:04}", rng.gen_range(200..999), rng.gen_range(0..999), n % 10_000),
        1 => format!("+44 7{:03} {:06}", rng.gen_range(100..999), rng.gen_range(0..999_999)),
        _ => format!(
            "06 {:02} {:02} {:02} {:02}",
            rng.gen_range(0..99),
            rng.gen_range(0..99),
            rng.gen_range(0..99),
            n % 100
        ),
    };
    let email_user = crate::kernel::text::words(&format!("{first}.{last}")).join(".");
    let email = format!("{email_user}{}@{}", n, pick(rng, &["example.com", "mail.test", "inbox.example.org"]));
    let mut people = Vec::new();
    let pet_chance = if kind == BusinessKind::DogWalking { 100 } else { 35 };
    if rng.gen_range(0..100) < pet_chance {
        people.push(PersonInput {
            id: None,
            name: pick(rng, PET_NAMES).to_string(),
            kind: "dog".into(),
            details: format!("{}, {}", pick(rng, BREEDS), pick(rng, DOG_QUIRKS)),
        });
    }
    if rng.gen_range(0..100) < 30 {
        people.push(PersonInput {
            id: None,
            name: pick(rng, CHILD_NAMES).into(),
            kind: "child".into(),
            details: String::new(),
        });
    }
    if rng.gen_range(0..100) < 20 {
        people.push(PersonInput {
            id: None,
            name: pick(rng, PARTNER_NAMES).into(),
            kind: "partner".into(),
            details: String::new(),
        });
    }
    let mut tags: Vec<String> = Vec::new();
    for _ in 0..rng.gen_range(0..3) {
        tags.push(pick(rng, profile.tags).to_string());
    }
    let has_birthday = rng.gen_range(0..100) < 70;
    let input = CustomerInput {
        first_name: first.into(),
        last_name: last.into(),
        phone,
        email,
        birthday_day: if has_birthday { rng.gen_range(1..=28).to_string() } else { String::new() },
        birthday_month: if has_birthday { rng.gen_range(1..=12).to_string() } else { String::new() },
        birthday_year: if has_birthday && rng.gen_bool(0.5) {
            rng.gen_range(1950..2008).to_string()
        } else {
            String::new()
        },
        preferred_channel: pick(rng, &["text", "email", "phone", ""]).into(),
        best_time: pick(rng, BEST_TIMES).into(),
        tags,
        heard_from: pick(rng, HEARD_FROM).into(),
        people,
        discovery: Discovery {
            what_brought_you: pick(rng, profile.brought).into(),
            success_looks_like: pick(rng, profile.success).into(),
            must_happen_first: pick(rng, profile.first).into(),
            who_else_cares: pick(rng, &["Partner", "Nobody else", "Their doctor", "Their kids"]).into(),
            update_how_often: pick(rng, &["Monthly", "After each visit", "Only when needed"]).into(),
            hear_from_us_how: pick(rng, &["Text", "Email", "A quick call"]).into(),
        },
        // A field the sample shop has no values for stays empty.
        ..CustomerInput::default()
    };
    let mut notes = Vec::new();
    for i in 0..rng.gen_range(1..4) {
        let body = if rng.gen_bool(0.5) { pick(rng, profile.notes) } else { pick(rng, GENERAL_NOTES) };
        let at = created_at + Duration::minutes(rng.gen_range(0..=(now - created_at).num_minutes().max(1)));
        notes.push((body.to_string(), i == 0 && rng.gen_bool(0.3), at));
    }
    let last_contact_at = Some(now - Duration::hours(rng.gen_range(1..(now - created_at).num_hours().max(2))));
    SeedCustomer { input, notes, created_at, last_contact_at }
}

/// Builds a shop of `count` customers in batches (each one transaction).
pub fn seed(
    conn: &mut rusqlite::Connection,
    kind: BusinessKind,
    count: usize,
    seed: u64,
    now: DateTime<Utc>,
) -> Result<()> {
    const BATCH: usize = 5_000;
    let mut done = 0;
    while done < count {
        let size = BATCH.min(count - done);
        let batch = generate(kind, size, seed.wrapping_add(done as u64), now);
        crate::features::cards::insert_many(conn, &batch, now)?;
        done += size;
    }
    Ok(())
}

/// Adds about `total` past visits spread over the shop's customers, each
/// with its own rhythm (some weekly, some rarely), over the last year.
pub fn seed_visits(
    conn: &mut rusqlite::Connection,
    kind: BusinessKind,
    total: usize,
    seed: u64,
    now: DateTime<Utc>,
) -> Result<()> {
    const BATCH: usize = 50_000;
    let profile = profile(kind);
    let ids = crate::records::customers::all_ids(conn)?;
    if ids.is_empty() || total == 0 {
        return Ok(());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x005e_ed0f_u64);
    let mut batch = Vec::with_capacity(BATCH.min(total));
    let mut made = 0;
    let per_customer = (total / ids.len()).max(1);
    'customers: for id in ids.iter().cycle() {
        // Regulars come often, others rarely: from a fifth to nearly twice the average.
        let count = rng.gen_range(per_customer / 5..=per_customer * 9 / 5).max(1);
        let gap_days = (365 / count as i64).max(1);
        let mut at = now - Duration::days(rng.gen_range(0..gap_days.max(2))) - Duration::minutes(rng.gen_range(0..600));
        for _ in 0..count {
            if made == total {
                break 'customers;
            }
            let amount = if profile.spend.1 == 0 || rng.gen_bool(0.4) {
                None
            } else {
                Some(rng.gen_range(profile.spend.0..=profile.spend.1) / 50 * 50)
            };
            batch.push(crate::features::desk::PastVisit {
                customer_id: id.clone(),
                kind: if amount.is_some() && rng.gen_bool(0.15) { "purchase" } else { "visit" },
                summary: pick(&mut rng, profile.visits).to_string(),
                amount_cents: amount,
                at,
            });
            made += 1;
            at -= Duration::days(rng.gen_range(gap_days / 2..=gap_days + gap_days / 2).max(1))
                + Duration::minutes(rng.gen_range(0..300));
            if batch.len() == BATCH {
                crate::features::desk::record_past(conn, &batch)?;
                batch.clear();
            }
        }
    }
    crate::features::desk::record_past(conn, &batch)
}

const PRAISE: &[&str] = &["Always friendly", "Love the new schedule", "Great value", "Best in town", "", "", ""];
const GRUMBLES: &[&str] = &["Waited too long", "Booking was confusing", "Felt rushed", "", ""];

/// Feedback from about a quarter of the customers over the last year:
/// mostly happy, some not. Deterministic for a seed.
pub fn seed_feedback(conn: &mut rusqlite::Connection, seed: u64, now: DateTime<Utc>) -> Result<()> {
    let ids = customers::all_ids(conn)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xfeed_bac4_u64);
    let mut answers = Vec::new();
    for id in &ids {
        if !rng.gen_bool(0.25) {
            continue;
        }
        let at = now - Duration::days(rng.gen_range(1..360)) - Duration::minutes(rng.gen_range(0..600));
        let roll: f64 = rng.gen();
        let (kind, score, comment) = if rng.gen_bool(0.8) {
            let score = if roll < 0.55 {
                rng.gen_range(9..=10)
            } else if roll < 0.82 {
                rng.gen_range(7..=8)
            } else {
                rng.gen_range(0..=6)
            };
            (
                "nps",
                score,
                if score >= 9 {
                    pick(&mut rng, PRAISE)
                } else if score <= 6 {
                    pick(&mut rng, GRUMBLES)
                } else {
                    ""
                },
            )
        } else {
            let score = if roll < 0.7 { rng.gen_range(4..=5) } else { rng.gen_range(1..=3) };
            ("csat", score, if score >= 4 { pick(&mut rng, PRAISE) } else { pick(&mut rng, GRUMBLES) })
        };
        answers.push(crate::records::feedback::PastAnswer {
            customer_id: id.clone(),
            kind,
            score,
            comment: comment.to_string(),
            at,
        });
    }
    crate::features::feedback::insert_past(conn, &answers)
}

/// One open complaint, so the sample shop shows how complaints look on a
/// card, in health and on the dashboard.
pub fn seed_complaint(conn: &mut rusqlite::Connection, now: DateTime<Utc>) -> Result<()> {
    let ids = customers::all_ids(conn)?;
    let owner = crate::db::settings::load(conn)?.staff.into_iter().next().and_then(|member| member.id);
    let (Some(customer_id), Some(owner_id)) = (ids.get(2), owner) else { return Ok(()) };
    let input = crate::records::complaints::OpenInput {
        summary: "Was charged twice for the last visit; we promised to refund it.".into(),
        owner_id,
        checkpoint_date: (now + Duration::days(1)).date_naive().to_string(),
        checkpoint_time: "10:00".into(),
        staff_id: None,
    };
    crate::features::complaints::open(conn, customer_id, &input, now - Duration::days(2), &Utc)?;
    Ok(())
}

/// Which made-up customers get a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Photos {
    None,
    /// About a third of the customers and half of the dogs.
    Some,
    /// Every customer (the benchmark's worst case).
    All,
}

impl Photos {
    pub fn parse(text: &str) -> Option<Photos> {
        match text {
            "none" => Some(Photos::None),
            "some" => Some(Photos::Some),
            "all" => Some(Photos::All),
            _ => None,
        }
    }
}

/// How many different made-up pictures a seeded shop uses (each stored
/// once per customer, as a real one would be).
const PICTURES: usize = 48;

/// Puts made-up photos on the shop's customers (and, with `Some`, on half
/// of the dogs), in batches of one transaction each. The pictures are drawn
/// here, never real faces: a silhouette on a textured background
/// (`sample_picture`).
pub fn seed_photos(conn: &mut rusqlite::Connection, photos: Photos, seed: u64, now: DateTime<Utc>) -> Result<()> {
    const BATCH: usize = 2_000;
    if photos == Photos::None {
        return Ok(());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0000_f0f0_u64);
    let people: Vec<crate::kernel::picture::Thumbnails> = (0..PICTURES)
        .map(|_| crate::kernel::picture::from_image(image::DynamicImage::ImageRgb8(sample_picture(&mut rng, false))))
        .collect();
    let dogs: Vec<crate::kernel::picture::Thumbnails> = (0..PICTURES / 2)
        .map(|_| crate::kernel::picture::from_image(image::DynamicImage::ImageRgb8(sample_picture(&mut rng, true))))
        .collect();
    let mut wanted: Vec<(String, Option<String>, &crate::kernel::picture::Thumbnails)> = Vec::new();
    for id in customers::all_ids(conn)? {
        if photos == Photos::All || rng.gen_range(0..3) == 0 {
            wanted.push((id, None, &people[rng.gen_range(0..people.len())]));
        }
    }
    if photos == Photos::Some {
        let dog_rows: Vec<(String, String)> = conn
            .prepare("SELECT customer_id, id FROM people WHERE kind = 'dog' ORDER BY customer_id, id")?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (customer_id, person_id) in dog_rows {
            if rng.gen_bool(0.5) {
                wanted.push((customer_id, Some(person_id), &dogs[rng.gen_range(0..dogs.len())]));
            }
        }
    }
    for batch in wanted.chunks(BATCH) {
        crate::records::photos::insert_many(conn, batch, now)?;
    }
    Ok(())
}

/// A made-up 256 px picture: a two-colour background with a light grain
/// (so it costs about what a photo costs to store) and a person's head and
/// shoulders, or a dog's head with its ears, in a darker colour.
pub fn sample_picture(rng: &mut ChaCha8Rng, dog: bool) -> image::RgbImage {
    let side = crate::kernel::picture::LARGE;
    let colour = |rng: &mut ChaCha8Rng, low: u8, high: u8| {
        [rng.gen_range(low..high), rng.gen_range(low..high), rng.gen_range(low..high)]
    };
    let (top, bottom) = (colour(rng, 150, 250), colour(rng, 120, 230));
    let figure = colour(rng, 40, 140);
    let light = colour(rng, 170, 240);
    let inside =
        |x: f32, y: f32, cx: f32, cy: f32, rx: f32, ry: f32| ((x - cx) / rx).powi(2) + ((y - cy) / ry).powi(2) <= 1.0;
    let mut grain = ChaCha8Rng::seed_from_u64(rng.gen());
    image::RgbImage::from_fn(side, side, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let t = fy / side as f32;
        let mut pixel = [0u8; 3];
        for c in 0..3 {
            pixel[c] = (f32::from(top[c]) * (1.0 - t) + f32::from(bottom[c]) * t) as u8;
        }
        let shape = if dog {
            if inside(fx, fy, 128.0, 175.0, 26.0, 19.0) {
                Some(light)
            } else if inside(fx, fy, 80.0, 95.0, 22.0, 48.0)
                || inside(fx, fy, 176.0, 95.0, 22.0, 48.0)
                || inside(fx, fy, 128.0, 140.0, 62.0, 66.0)
            {
                Some(figure)
            } else {
                None
            }
        } else if inside(fx, fy, 128.0, 100.0, 46.0, 54.0) || inside(fx, fy, 128.0, 262.0, 108.0, 90.0) {
            Some(figure)
        } else {
            None
        };
        if let Some(shape) = shape {
            pixel = shape;
        }
        let noise: i16 = grain.gen_range(-14..=14);
        image::Rgb(pixel.map(|c| (i16::from(c) + noise).clamp(0, 255) as u8))
    })
}
