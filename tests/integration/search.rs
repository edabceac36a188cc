//! Front-desk lookup on a real database: accents, case, phone numbers in
//! any format, email, pets, notes, ranking, index upkeep on every change,
//! hostile queries, the limit, and a larger shop.

use crate::util;

use regulars::db::search::{self, MatchedOn};
use regulars::db::settings::BusinessKind;
use regulars::features::cards;
use regulars::io::sample;
use regulars::kernel::text;
use regulars::records::customers;

use util::{customer, input_from, minutes_later, now, person, InputExt, Shop};

/// A small shop with the names, numbers and notes the tests look for.
fn front_desk() -> Shop {
    let mut shop = Shop::new();
    shop.create(customer("Zoë", "Müller").phone("(555) 014-2211").email("zoe.muller@example.com").with(person(
        "Biscuit",
        "dog",
        "beagle, afraid of thunder",
    )));
    shop.create(customer("Zoe", "Adams").phone("555 867 5309"));
    shop.create(customer("Søren", "Ødegård").email("soren@fjord.example.no"));
    shop.create(customer("Anna", "Łukasiewicz"));
    shop.create(customer("Harriet", "Jones").phone("+44 20 7946 0958").email("harriet.j@mail.test"));
    shop.create(customer("Siobhán", "O'Brien"));
    let tom = shop.create(customer("Tom", "Baker"));
    shop.add_note(&tom.id, "Training for a half marathon in the autumn, bought roses for his mother.", false);
    shop.create(customer("Rose", "Quigley"));
    shop
}

#[track_caller]
fn assert_finds_exactly(shop: &Shop, query: &str, expected: &[&str]) {
    assert_eq!(shop.names(query), expected, "results for {query:?}");
}

#[test]
fn accents_are_ignored_both_ways() {
    let shop = front_desk();
    assert_finds_exactly(&shop, "zoe", &["Zoe Adams", "Zoë Müller"]);
    assert_finds_exactly(&shop, "Zoë", &["Zoe Adams", "Zoë Müller"]);
    assert_finds_exactly(&shop, "zoe muller", &["Zoë Müller"]);
    assert_finds_exactly(&shop, "Zoë Müller", &["Zoë Müller"]);
    assert_finds_exactly(&shop, "müller", &["Zoë Müller"]);
    assert_finds_exactly(&shop, "soren odegard", &["Søren Ødegård"]);
    assert_finds_exactly(&shop, "Søren Ødegård", &["Søren Ødegård"]);
    assert_finds_exactly(&shop, "odegard", &["Søren Ødegård"]);
    assert_finds_exactly(&shop, "lukasiewicz", &["Anna Łukasiewicz"]);
    assert_finds_exactly(&shop, "Łukas", &["Anna Łukasiewicz"]);
    assert_finds_exactly(&shop, "siobhan", &["Siobhán O'Brien"]);
    assert_finds_exactly(&shop, "obrien", &["Siobhán O'Brien"]);
    assert_finds_exactly(&shop, "O'Brien", &["Siobhán O'Brien"]);
    assert_finds_exactly(&shop, "O’Bri", &["Siobhán O'Brien"]);
}

#[test]
fn case_is_ignored() {
    let shop = front_desk();
    for query in ["ZOE MULLER", "zOë mÜlLeR", "ZOË MÜLLER", "zoe MULLER"] {
        assert_finds_exactly(&shop, query, &["Zoë Müller"]);
    }
    assert_finds_exactly(&shop, "ŁUKASIEWICZ", &["Anna Łukasiewicz"]);
    assert_finds_exactly(&shop, "SØREN", &["Søren Ødegård"]);
}

#[test]
fn name_words_in_any_order_and_by_prefix() {
    let shop = front_desk();
    assert_finds_exactly(&shop, "muller zoe", &["Zoë Müller"]);
    assert_finds_exactly(&shop, "mul zo", &["Zoë Müller"]);
    assert_finds_exactly(&shop, "z", &["Zoe Adams", "Zoë Müller"]);
    let hits = shop.hits("muller zoe");
    assert_eq!(hits[0].matched_on, MatchedOn::Name);
}

#[test]
fn phone_digits_in_any_format() {
    let shop = front_desk();
    for query in [
        "555 01",
        "(555) 01",
        "55501",
        "(555) 014-2211",
        "555-014-2211",
        "555.014.2211",
        "5550142211",
        "014 2211",
        "2211",
        "42211",
    ] {
        let hits = shop.hits(query);
        let names: Vec<&str> = hits.iter().map(|h| h.display_name.as_str()).collect();
        assert_eq!(names, ["Zoë Müller"], "phone query {query:?}");
        assert_eq!(hits[0].matched_on, MatchedOn::Phone, "phone query {query:?}");
        assert_eq!(hits[0].phone, "(555) 014-2211");
    }
    // Both 555 numbers start alike.
    assert_finds_exactly(&shop, "555", &["Zoë Müller", "Zoe Adams"]);
    assert_finds_exactly(&shop, "867-5309", &["Zoe Adams"]);
    // A number that nobody has.
    assert!(shop.names("555 999").is_empty());
    assert!(shop.names("2212").is_empty());
}

#[test]
fn international_phone_numbers() {
    let shop = front_desk();
    for query in ["+44", "+44 20", "+44 20 7946 0958", "+44-20-7946-0958", "44 20 7946", "7946 0958", "0958"] {
        assert_finds_exactly(&shop, query, &["Harriet Jones"]);
    }
    // Typed without the country code, as the customer says it.
    for query in ["20 7946 0958", "20 79", "207"] {
        assert_finds_exactly(&shop, query, &["Harriet Jones"]);
    }
    // Only the start (with or without a country code) and the end are
    // filed: digits from the middle do not find the number.
    assert!(shop.names("7946").is_empty());
}

#[test]
fn email_fragments() {
    let shop = front_desk();
    assert_finds_exactly(&shop, "zoe.muller@example.com", &["Zoë Müller"]);
    assert_finds_exactly(&shop, "muller@exam", &["Zoë Müller"]);
    assert_finds_exactly(&shop, "harriet.j@", &["Harriet Jones"]);
    assert_finds_exactly(&shop, "fjord", &["Søren Ødegård"]);
    assert_finds_exactly(&shop, "mail.test", &["Harriet Jones"]);
    let hits = shop.hits("fjord");
    assert_eq!(hits[0].matched_on, MatchedOn::Email);
    assert_eq!(hits[0].email, "soren@fjord.example.no");
}

#[test]
fn pets_and_people_by_name_prefix() {
    let shop = front_desk();
    let hits = shop.hits("bisc");
    let names: Vec<&str> = hits.iter().map(|h| h.display_name.as_str()).collect();
    assert_eq!(names, ["Zoë Müller"], "\"bisc\" should find the owner of Biscuit");
    assert_eq!(hits[0].matched_on, MatchedOn::Person);
    assert_eq!(hits[0].people, "Biscuit (dog)");
    assert_finds_exactly(&shop, "BISCUIT", &["Zoë Müller"]);
    // A pet's details are searchable too.
    assert_finds_exactly(&shop, "thunder", &["Zoë Müller"]);
}

#[test]
fn note_words_with_an_excerpt() {
    let shop = front_desk();
    let hits = shop.hits("marathon");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].display_name, "Tom Baker");
    assert_eq!(hits[0].matched_on, MatchedOn::Other);
    let excerpt = hits[0].excerpt.as_deref().unwrap_or("");
    assert!(excerpt.contains("marathon"), "the excerpt should show the note around the match: {excerpt:?}");
    assert_finds_exactly(&shop, "half marathon", &["Tom Baker"]);
    assert_finds_exactly(&shop, "mother", &["Tom Baker"]);
}

#[test]
fn a_name_match_ranks_before_a_note_match() {
    let shop = front_desk();
    let hits = shop.hits("rose");
    let names: Vec<&str> = hits.iter().map(|h| h.display_name.as_str()).collect();
    assert_eq!(names, ["Rose Quigley", "Tom Baker"], "name prefix first, the note mention of \"roses\" after");
    assert_eq!(hits[0].matched_on, MatchedOn::Name);
    assert_eq!(hits[1].matched_on, MatchedOn::Other);
}

#[test]
fn name_prefix_ranks_before_people_and_notes_even_when_created_later() {
    let mut shop = Shop::new();
    let owner = shop.create(customer("Ann", "Walker").pet("Luna", "dog"));
    shop.add_note(&owner.id, "Luna's sister is also a client", false);
    let noted = shop.create(customer("Bo", "Chen"));
    shop.add_note(&noted.id, "lunar new year party", false);
    shop.create(customer("Luna", "Park"));
    assert_eq!(shop.names("luna"), ["Luna Park", "Ann Walker", "Bo Chen"]);
    let matched: Vec<MatchedOn> = shop.hits("luna").iter().map(|h| h.matched_on).collect();
    assert_eq!(matched, [MatchedOn::Name, MatchedOn::Person, MatchedOn::Other]);
}

#[test]
fn archived_customers_come_after_active_ones_and_are_flagged() {
    let mut shop = Shop::new();
    // Alphabetically the archived ones would come first.
    let abbott = shop.create(customer("Zoe", "Abbott"));
    let baker = shop.create(customer("Zoe", "Baker"));
    shop.create(customer("Zoe", "Young"));
    customers::set_archived(shop.conn_mut(), &abbott.id, true, now()).unwrap();
    customers::set_archived(shop.conn_mut(), &baker.id, true, now()).unwrap();

    let hits = shop.hits("zoe");
    let shown: Vec<(&str, bool)> = hits.iter().map(|h| (h.display_name.as_str(), h.archived)).collect();
    assert_eq!(shown, [("Zoe Young", false), ("Zoe Abbott", true), ("Zoe Baker", true)]);

    customers::set_archived(shop.conn_mut(), &abbott.id, false, minutes_later(1)).unwrap();
    let shown: Vec<(String, bool)> = shop.hits("zoe").into_iter().map(|h| (h.display_name, h.archived)).collect();
    assert_eq!(
        shown,
        [("Zoe Abbott".to_string(), false), ("Zoe Young".to_string(), false), ("Zoe Baker".to_string(), true)]
    );
}

#[test]
fn an_archived_customer_does_not_push_active_ones_out_of_a_full_list() {
    let mut shop = Shop::new();
    // Ten archived Smiths sort before the one active Smith by name.
    for i in 0..10 {
        let card = shop.create(customer(&format!("A{i}"), "Smith"));
        customers::set_archived(shop.conn_mut(), &card.id, true, now()).unwrap();
    }
    shop.create(customer("Zed", "Smith"));
    let hits = search::search(shop.conn(), "smith", 5, None).unwrap();
    assert_eq!(hits.len(), 5);
    assert_eq!(hits[0].display_name, "Zed Smith", "the active customer must lead: {hits:?}");
    assert!(!hits[0].archived);
    assert!(hits[1..].iter().all(|h| h.archived));
}

#[test]
fn deleting_a_note_updates_the_index() {
    let mut shop = Shop::new();
    let card = shop.create(customer("Tom", "Baker"));
    let card = customers::add_note(shop.conn_mut(), &card.id, "allergic to latex", false, now()).unwrap();
    customers::add_note(shop.conn_mut(), &card.id, "plays tennis", false, minutes_later(1)).unwrap();
    assert_eq!(shop.names("latex"), ["Tom Baker"]);

    let note_id = card.notes[0].id.clone();
    customers::delete_note(shop.conn_mut(), &note_id, minutes_later(2)).unwrap();
    assert!(shop.names("latex").is_empty(), "a deleted note's word still finds: {:?}", shop.names("latex"));
    assert_eq!(shop.names("tennis"), ["Tom Baker"], "the other note is still indexed");

    // Pinning does not drop the note from the index either.
    let tennis = shop.card(&card.id).notes[0].id.clone();
    customers::set_note_pinned(shop.conn_mut(), &tennis, true, minutes_later(3)).unwrap();
    assert_eq!(shop.names("tennis"), ["Tom Baker"]);
}

#[test]
fn editing_a_card_updates_the_index() {
    let mut shop = Shop::new();
    let card = shop.create(
        customer("Zoë", "Müller")
            .phone("(555) 014-2211")
            .email("zoe@example.com")
            .tags(&["balayage"])
            .with(person("Biscuit", "dog", "beagle")),
    );
    shop.create(customer("Other", "Person"));

    let mut input = input_from(&card);
    input.first_name = "Chloé".into();
    input.last_name = "Dubois".into();
    input.phone = "06 12 34 56 78".into();
    input.email = "chloe@mail.test".into();
    input.tags = vec!["fringe".into()];
    input.people[0].name = "Pepper".into();
    input.people[0].details = "whippet, loves the beach".into();
    cards::update(shop.conn_mut(), &card.id, &input, minutes_later(1)).unwrap();

    for gone in ["zoe", "muller", "zoe muller", "2211", "(555) 014", "zoe@example", "biscuit", "balayage", "beagle"] {
        assert!(shop.names(gone).is_empty(), "old value {gone:?} still finds: {:?}", shop.names(gone));
    }
    for (query, kind) in [
        ("chloe", MatchedOn::Name),
        ("dubois", MatchedOn::Name),
        ("Chloé Dubois", MatchedOn::Name),
        ("06 12 34", MatchedOn::Phone),
        ("5678", MatchedOn::Phone),
        ("chloe@mail", MatchedOn::Email), // every word must match within one field
        ("pepper", MatchedOn::Person),
        ("whippet", MatchedOn::Other), // a pet's details are indexed with the notes
        ("fringe", MatchedOn::Other),
    ] {
        let hits = shop.hits(query);
        let names: Vec<&str> = hits.iter().map(|h| h.display_name.as_str()).collect();
        assert_eq!(names, ["Chloé Dubois"], "new value {query:?}");
        assert_eq!(hits[0].matched_on, kind, "why {query:?} matched");
    }

    // Removing the pet removes it from the index.
    let mut input = input_from(&shop.card(&card.id));
    input.people.clear();
    cards::update(shop.conn_mut(), &card.id, &input, minutes_later(2)).unwrap();
    assert!(shop.names("pepper").is_empty(), "a removed pet still finds its owner");
    assert!(shop.names("whippet").is_empty());
}

#[test]
fn empty_and_punctuation_only_queries_return_nothing() {
    let shop = front_desk();
    for query in ["", " ", "   \t\n", "-", "---", "...", "!?", "()", "( )", "'", "’", "@", "+", "+ -", "* ", "\"\""] {
        let hits = search::search(shop.conn(), query, 20, None).unwrap_or_else(|e| panic!("{query:?} errored: {e}"));
        assert!(hits.is_empty(), "{query:?} should find nothing, found {hits:?}");
    }
}

#[test]
fn fts_syntax_in_queries_never_errors() {
    let shop = front_desk();
    let hostile = [
        "\"",
        "\"zoe",
        "zoe\"",
        "\"zoe muller\"",
        "*",
        "zoe*",
        "*zoe",
        "AND",
        "OR",
        "NOT",
        "zoe AND",
        "AND zoe",
        "zoe OR muller",
        "zoe NOT muller",
        "NEAR(",
        "NEAR(zoe muller)",
        "NEAR(zoe muller, 2)",
        "-",
        "-zoe",
        "zoe -muller",
        ":",
        "name:zoe",
        "name : zoe",
        "contact:555",
        "{name contact}: zoe",
        "^zoe",
        "zoe^",
        "(zoe",
        "zoe)",
        "((",
        "+zoe",
        "zoe + muller",
        "'; DROP TABLE customers; --",
        "%",
        "_",
        "zoe%",
        "\\",
        "\0",
        "zoe\0muller",
        "🐶",
        "🅐",
        "Ⓩoe",
        "ﬁ",
        "Ⅻ",
        "²",
        "\u{200b}",
        "\u{0301}",
        "e\u{0301}",
        "ﾞ",
        "ⅹ",
        "😀 zoe",
        "555 (",
        "+44 (0)",
        "(((555)))",
        "555/",
        "1",
        "12",
    ];
    for query in hostile {
        if let Err(e) = search::search(shop.conn(), query, 20, None) {
            panic!("search for {query:?} failed: {e}");
        }
    }
    // And the readable ones still find what a person would expect.
    assert_eq!(shop.names("\"zoe muller\""), ["Zoë Müller"]);
    assert_eq!(shop.names("zoe*"), ["Zoe Adams", "Zoë Müller"]);
    assert_eq!(shop.names("NEAR(zoe muller)")[..], [] as [&str; 0], "\"near\" is a word no customer has");
    assert!(shop.names("'; DROP TABLE customers; --").is_empty());
    assert_eq!(customers::count(shop.conn()).unwrap(), 8, "the shop lost customers");
}

#[test]
fn arbitrary_text_never_errors() {
    use proptest::prelude::*;
    let shop = front_desk();
    let config = ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() };
    // In name order and weighed by likelihood at the desk.
    proptest!(config, |(query in "\\PC{0,24}")| {
        for at in [None, Some(now())] {
            let result = search::search(shop.conn(), &query, 20, at);
            prop_assert!(result.is_ok(), "search for {:?} failed: {:?}", query, result.err());
        }
    });
    proptest!(config, |(query in "[ \"*():^+\\-.a-zA-Z0-9ëøŁ]{0,16}")| {
        for at in [None, Some(now())] {
            let result = search::search(shop.conn(), &query, 20, at);
            prop_assert!(result.is_ok(), "search for {:?} failed: {:?}", query, result.err());
        }
    });
}

/// Customers with any name and note a person can type (accents, CJK,
/// emoji, combining marks, right-to-left) are stored, and found again by
/// their name as typed and by its first word.
#[test]
fn any_name_is_found_by_what_was_typed() {
    use proptest::prelude::*;
    let config = ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(names in prop::collection::vec(util::name_text(), 1..4), note in util::name_text())| {
        let mut shop = Shop::new();
        let mut ids = Vec::new();
        for name in &names {
            let card = shop.create(customer(name, "Quarterfield"));
            shop.add_note(&card.id, &note, false);
            ids.push(card.id);
        }
        for (name, id) in names.iter().zip(&ids) {
            let words = text::words(name);
            let mut queries = vec![name.clone()];
            queries.extend(words.first().cloned());
            for query in queries {
                let hits = search::search(shop.conn(), &query, 50, None);
                prop_assert!(hits.is_ok(), "search for {:?} failed: {:?}", query, hits.err());
                if !words.is_empty() {
                    let found = hits.unwrap().iter().any(|h| &h.id == id);
                    prop_assert!(found, "{:?} is not found by {:?}", name, query);
                }
            }
        }
    });
}

#[test]
fn the_limit_is_respected() {
    let mut shop = Shop::new();
    for i in 0..40 {
        let card = shop.create(customer(&format!("Customer{i:02}"), "Smith").phone(&format!("555 010 {i:04}")));
        shop.add_note(&card.id, "smith family friend", false);
    }
    for limit in [1, 5, 20, 39] {
        for query in ["smith", "sm", "555 010", "family", "customer"] {
            let hits = search::search(shop.conn(), query, limit, None).unwrap();
            assert_eq!(hits.len(), limit, "{query:?} with limit {limit}");
            let mut ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), limit, "{query:?} returned a customer twice");
        }
    }
    assert_eq!(search::search(shop.conn(), "smith", 1000, None).unwrap().len(), 40);
    assert_eq!(shop.hits("smith").len(), search::DEFAULT_LIMIT);
    // Names in alphabetical order within the name tier.
    let names = shop.names("smith");
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn a_customer_is_found_among_two_thousand() {
    let mut shop = Shop::new();
    sample::seed(shop.conn_mut(), BusinessKind::Salon, 1000, 42, now()).unwrap();
    let wanted =
        shop.create(customer("Wilhelmina", "Quarterfield").phone("(555) 987-6543").with(person("Zebedee", "cat", "")));
    sample::seed(shop.conn_mut(), BusinessKind::Salon, 1000, 43, now()).unwrap();
    assert_eq!(customers::count(shop.conn()).unwrap(), 2001);

    for query in ["wil", "wilhelm", "Wilhelmina Q", "quarterf", "quarterfield wilhelmina", "555 987-6543", "zebed"] {
        let hits = shop.hits(query);
        assert!(
            hits.iter().any(|h| h.id == wanted.id),
            "{query:?} does not find Wilhelmina among 2,001 customers: {:?}",
            hits.iter().map(|h| &h.display_name).collect::<Vec<_>>()
        );
    }
    assert_eq!(shop.names("wilhelmina")[0], "Wilhelmina Quarterfield");

    // A common name fills the list with customers who really have it.
    let hits = shop.hits("zoe");
    assert_eq!(hits.len(), search::DEFAULT_LIMIT, "the sample has many Zoës");
    for hit in &hits {
        assert_eq!(hit.matched_on, MatchedOn::Name);
        let words = text::words(&hit.display_name);
        assert!(words.iter().any(|w| w.starts_with("zoe")), "{:?} came up for \"zoe\"", hit.display_name);
    }
}

fn visits(
    customer_id: &str,
    days_ago: &[i64],
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<regulars::features::desk::PastVisit> {
    days_ago
        .iter()
        .map(|d| regulars::features::desk::PastVisit {
            customer_id: customer_id.into(),
            kind: "visit",
            summary: "Walk".into(),
            amount_cents: None,
            at: now - chrono::Duration::days(*d),
        })
        .collect()
}

/// Three "Leila Davis" and a "Leila Dawson": the one who comes every
/// Tuesday is first on a Tuesday after two letters; the one who comes three
/// times a week is next; without a clock the name order is kept.
#[test]
fn the_regular_expected_today_is_the_top_hit_after_two_letters() {
    let mut shop = Shop::new();
    let now = now();
    let rare = shop.create(customer("Leila", "Davis"));
    let dawson = shop.create(customer("Leila", "Dawson"));
    let weekly = shop.create(customer("Leila", "Davis"));
    let often = shop.create(customer("Leila", "Davis"));
    for n in 0..40 {
        shop.create(customer("Leonie", &format!("Abbot {n}")));
    }
    regulars::features::desk::record_past(shop.conn_mut(), &visits(&rare.id, &[200, 300, 400], now)).unwrap();
    regulars::features::desk::record_past(shop.conn_mut(), &visits(&weekly.id, &[7, 14, 21, 28, 35], now)).unwrap();
    regulars::features::desk::record_past(shop.conn_mut(), &visits(&often.id, &[1, 3, 5, 8, 10, 12], now)).unwrap();

    let ranked = |shop: &Shop, query: &str| -> Vec<String> {
        search::search(shop.conn(), query, 10, Some(now)).unwrap().into_iter().map(|hit| hit.id).collect()
    };
    assert_eq!(ranked(&shop, "le")[0], weekly.id, "expected today by her weekly rhythm");
    assert_eq!(ranked(&shop, "le")[1], often.id, "three times a week, not due today");
    assert_eq!(ranked(&shop, "leila dav")[..3], [weekly.id.clone(), often.id.clone(), rare.id.clone()]);
    assert!(ranked(&shop, "leila daw") == [dawson.id.clone()], "a regular never pushes in where she does not match");

    let by_name: Vec<String> =
        search::search(shop.conn(), "le", 10, None).unwrap().into_iter().map(|hit| hit.display_name).collect();
    assert!(by_name.iter().take(3).all(|name| name == "Leila Davis") && by_name[3] == "Leila Dawson", "{by_name:?}");
    // An archived regular comes after every active match all the same.
    customers::set_archived(shop.conn_mut(), &weekly.id, true, now).unwrap();
    assert_eq!(ranked(&shop, "leila d")[0], often.id);
    assert_eq!(ranked(&shop, "leila d").last(), Some(&weekly.id));
}
