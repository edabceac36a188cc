//! Reading vCard files (`.vcf`, versions 2.1, 3.0 and 4.0) as phones,
//! iCloud, Google and Outlook export them: many contacts in one file.
//!
//! A small parser of our own: the hard parts are 2.1's QUOTED-PRINTABLE
//! values with soft line breaks and a CHARSET= per property (old Android
//! phones, Outlook, Windows Contacts), which vCard readers in many
//! languages get wrong. It works on bytes, then decodes each value with
//! its own charset (UTF-8 when valid, else Windows-1252 as the common
//! default of those exports), so no input can make it panic: it only
//! slices at positions it found with `find`/`split` on ASCII bytes.
//!
//! `card_to_vcard` is the other way: cards as vCard 4.0, which imports back as the
//! same cards (names, phone, email, birthday, tags, notes, people and pets
//! with their kind and details). Turning contacts into cards is the
//! importer's job.

use std::borrow::Cow;

use rayon::prelude::*;

use crate::kernel::birthday::Birthday;
use crate::kernel::content_lines::{escape, push_folded};
use crate::kernel::text;
use crate::records::customers::{Card, Person};

/// A phone, email or address with its types ("cell", "work") folded to
/// lower case, and whether it is marked preferred.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typed {
    pub value: String,
    pub types: Vec<String>,
    pub pref: bool,
    /// Apple's `item1.X-ABLabel:Gym` names the group's value.
    group: String,
    pub label: String,
}

impl Typed {
    pub fn is_mobile(&self) -> bool {
        self.types.iter().any(|t| matches!(t.as_str(), "cell" | "mobile" | "iphone"))
    }

    /// "Work", "Home", "Fax"… (or Apple's own label): to tell the kept
    /// numbers apart in the note. Empty when the types say nothing useful.
    pub fn label(&self) -> String {
        if !self.label.is_empty() {
            return self.label.clone();
        }
        const PLAIN: &[&str] = &["voice", "pref", "internet", "x400", "text", "msg", "cell", "mobile", "iphone"];
        let mut words: Vec<&str> = self.types.iter().map(String::as_str).filter(|t| !PLAIN.contains(t)).collect();
        if words.is_empty() && self.is_mobile() {
            words.push("mobile");
        }
        words.iter().map(|w| text::capitalised(w)).collect::<Vec<_>>().join(" ")
    }
}

/// A person or pet named on the contact (`RELATED` as text, or Apple's
/// `X-ABRELATEDNAMES`), with the label or type as its kind ("Child",
/// "Dog") and the details Regulars writes beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Related {
    pub name: String,
    pub kind: String,
    pub details: String,
    group: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub family: String,
    /// The given name with any additional names ("Mary Ann").
    pub given: String,
    pub full_name: String,
    /// The first of `NICKNAME`'s names: what they are called.
    pub nickname: String,
    pub phones: Vec<Typed>,
    pub emails: Vec<Typed>,
    /// As written in the file, with a time part cut off, 8 digits and
    /// Apple's year 1604 ("no year") put in a form `kernel::dates` reads.
    pub birthday: String,
    pub notes: Vec<String>,
    pub categories: Vec<String>,
    pub org: String,
    pub addresses: Vec<Typed>,
    pub related: Vec<Related>,
}

/// The file starts (after a byte-order mark and blank space) with
/// BEGIN:VCARD, in UTF-8 or (some Outlook exports) UTF-16.
pub fn looks_like_vcard(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(256)];
    let decoded;
    let text = match encoding_rs::Encoding::for_bom(head) {
        Some((encoding, bom)) => {
            decoded = encoding.decode_without_bom_handling(&head[bom..]).0.into_owned();
            decoded.as_bytes()
        }
        None => head,
    };
    let start = text.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(text.len());
    text[start..].len() >= 11 && text[start..start + 11].eq_ignore_ascii_case(b"BEGIN:VCARD")
}

/// Every contact between BEGIN:VCARD and END:VCARD. Lines it does not
/// know are skipped; a contact without END (a cut file) is still read.
pub fn read(bytes: &[u8]) -> Vec<Contact> {
    // UTF-16 files (some Outlook exports) are turned into UTF-8 first.
    let owned;
    let bytes = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, bom)) if encoding != encoding_rs::UTF_8 => {
            owned = encoding.decode_without_bom_handling(&bytes[bom..]).0.into_owned().into_bytes();
            &owned[..]
        }
        Some((_, bom)) => &bytes[bom..],
        None => bytes,
    };
    // A phone's export has a million lines. The lines that open or close a
    // contact are found on every core, then each contact's lines are parsed
    // and put together on every core again, straight from the file's bytes.
    let lines = logical_lines(bytes);
    let markers: Vec<Option<Marker>> = lines.par_iter().map(|line| marker(line)).collect();
    // Which lines belong to which contact: from BEGIN:VCARD to its END (or
    // to the next BEGIN, or to the end of a cut file).
    let mut spans: Vec<std::ops::Range<usize>> = Vec::new();
    let mut open: Option<usize> = None;
    for (i, marker) in markers.iter().enumerate() {
        match marker {
            Some(Marker::Begin) => {
                if let Some(start) = open.replace(i + 1) {
                    spans.push(start..i);
                }
            }
            Some(Marker::End) => {
                if let Some(start) = open.take() {
                    spans.push(start..i);
                }
            }
            None => {}
        }
    }
    if let Some(start) = open {
        spans.push(start..lines.len());
    }
    spans
        .into_par_iter()
        .map(|span| {
            let mut contact = Contact::default();
            for property in lines[span].iter().filter_map(|line| Property::parse(line)) {
                apply(&mut contact, property);
            }
            finish(contact)
        })
        .collect()
}

enum Marker {
    Begin,
    End,
}

/// Whether a line is BEGIN:VCARD or END:VCARD (any case, any group or
/// parameters). Only a short value can be "VCARD", even quoted-printable
/// (three bytes a letter at most), so the other lines are not parsed.
fn marker(line: &[u8]) -> Option<Marker> {
    let colon = find_colon(line)?;
    if line.len() - colon - 1 > 15 {
        return None;
    }
    let property = Property::parse(line)?;
    if !property.raw.eq_ignore_ascii_case(b"VCARD") {
        return None;
    }
    match property.name.as_str() {
        "BEGIN" => Some(Marker::Begin),
        "END" => Some(Marker::End),
        _ => None,
    }
}

fn finish(mut contact: Contact) -> Contact {
    for list in [&mut contact.phones, &mut contact.emails, &mut contact.addresses] {
        list.retain(|t| !t.value.trim().is_empty());
    }
    contact.related.retain(|r| !r.name.is_empty());
    contact
}

/// The file's lines with folding undone: a line starting with a space or
/// tab continues the previous one, and in a QUOTED-PRINTABLE value a line
/// ending in "=" (a soft line break) continues on the next.
fn logical_lines(bytes: &[u8]) -> Vec<Cow<'_, [u8]>> {
    // Most lines are not folded: they stay slices of the file, and only a
    // folded line is copied (a phone's export has a million lines).
    let mut lines: Vec<Cow<'_, [u8]>> = Vec::new();
    let mut soft_break = false;
    for raw in bytes.split(|b| *b == b'\n') {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        match (lines.last_mut(), raw.first()) {
            (Some(last), _) if soft_break => {
                let last = last.to_mut();
                last.pop(); // the "=" of the soft break
                            // Some 2.1 writers also fold the continuation with a tab; a
                            // space may be text, so only the tab is dropped.
                last.extend_from_slice(raw.strip_prefix(b"\t").unwrap_or(raw));
            }
            (Some(last), Some(b' ' | b'\t')) => last.to_mut().extend_from_slice(&raw[1..]),
            _ => lines.push(Cow::Borrowed(raw)),
        }
        let last: &[u8] = lines.last().map(|line| line.as_ref()).unwrap_or(&[]);
        soft_break = last.ends_with(b"=") && is_quoted_printable_line(last);
    }
    lines
}

fn is_quoted_printable_line(line: &[u8]) -> bool {
    let head = match find_colon(line) {
        Some(at) => &line[..at],
        None => return false,
    };
    // Asked of every line of the file: compared in place, not upper-cased into a copy.
    head.windows(16).any(|w| w.eq_ignore_ascii_case(b"QUOTED-PRINTABLE"))
}

/// The colon that ends the name and parameters, outside double quotes.
fn find_colon(line: &[u8]) -> Option<usize> {
    let mut quoted = false;
    for (i, b) in line.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b':' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

struct Property<'a> {
    group: String,
    /// Upper case, without the group.
    name: String,
    types: Vec<String>,
    pref: bool,
    /// The value's bytes after QUOTED-PRINTABLE decoding.
    raw: Cow<'a, [u8]>,
    charset: Option<&'static encoding_rs::Encoding>,
    base64: bool,
    /// `VALUE=text`: the value is words, even when it looks like a link.
    text_value: bool,
}

impl<'a> Property<'a> {
    fn parse(line: &'a [u8]) -> Option<Property<'a>> {
        let colon = find_colon(line)?;
        let (head, value) = (&line[..colon], &line[colon + 1..]);
        let head = String::from_utf8_lossy(head);
        let mut parts = head.split(';');
        let full_name = parts.next()?.trim();
        let (group, name) = match full_name.rsplit_once('.') {
            Some((group, name)) => (group.to_ascii_lowercase(), name.to_ascii_uppercase()),
            None => (String::new(), full_name.to_ascii_uppercase()),
        };
        let mut property = Property {
            group,
            name,
            types: Vec::new(),
            pref: false,
            raw: Cow::Borrowed(&[]),
            charset: None,
            base64: false,
            text_value: false,
        };
        let mut quoted_printable = false;
        for param in parts {
            let (key, values) = match param.split_once('=') {
                Some((key, values)) => (key.trim().to_ascii_uppercase(), values.trim().trim_matches('"')),
                // vCard 2.1 writes bare values: "TEL;CELL;PREF:".
                None => (String::new(), param.trim()),
            };
            match key.as_str() {
                "ENCODING" | "" if values.eq_ignore_ascii_case("QUOTED-PRINTABLE") => quoted_printable = true,
                "ENCODING" | "" if values.eq_ignore_ascii_case("B") || values.eq_ignore_ascii_case("BASE64") => {
                    property.base64 = true
                }
                "CHARSET" => property.charset = encoding_rs::Encoding::for_label(values.as_bytes()),
                "PREF" => property.pref = true,
                "VALUE" => property.text_value = values.eq_ignore_ascii_case("text"),
                "TYPE" | "" => {
                    for value in values.split(',').map(|v| v.trim().to_ascii_lowercase()).filter(|v| !v.is_empty()) {
                        if value == "pref" {
                            property.pref = true;
                        } else {
                            property.types.push(value);
                        }
                    }
                }
                _ => {}
            }
        }
        property.raw = if quoted_printable { Cow::Owned(decode_quoted_printable(value)) } else { Cow::Borrowed(value) };
        Some(property)
    }

    /// The value as text: its charset, else UTF-8 when valid, else Windows-1252.
    fn text(&self) -> String {
        match self.charset {
            Some(encoding) => encoding.decode_without_bom_handling(&self.raw).0.into_owned(),
            None => match std::str::from_utf8(&self.raw) {
                Ok(text) => text.to_string(),
                Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(&self.raw).0.into_owned(),
            },
        }
    }
}

fn decode_quoted_printable(value: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        match (value[i], value.get(i + 1).copied().and_then(hex), value.get(i + 2).copied().and_then(hex)) {
            (b'=', Some(high), Some(low)) => {
                out.push(high * 16 + low);
                i += 3;
            }
            // A stray "=" (a soft break already joined, or a writer's slip) is dropped.
            (b'=', _, _) => i += 1,
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// Splits at unescaped `separator` and undoes the backslash escapes
/// (`\,` `\;` `\\` `\n`).
fn split_escaped(text: &str, separator: char) -> Vec<String> {
    split_at(text, Some(separator))
}

fn split_at(text: &str, separator: Option<char>) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        let part = parts.last_mut().expect("parts starts with one");
        match c {
            '\\' => match chars.next() {
                Some('n' | 'N') => part.push('\n'),
                Some(other) => part.push(other),
                None => {}
            },
            c if Some(c) == separator => parts.push(String::new()),
            c => part.push(c),
        }
    }
    parts.into_iter().map(|p| p.trim().to_string()).collect()
}

fn unescape(text: &str) -> String {
    split_at(text, None).concat()
}

fn apply(contact: &mut Contact, property: Property) {
    if property.base64 {
        return; // photos, logos, sounds
    }
    let text = property.text();
    let typed = |value: String| Typed {
        value,
        types: property.types.clone(),
        pref: property.pref,
        group: property.group.clone(),
        label: String::new(),
    };
    match property.name.as_str() {
        "N" => {
            let parts = split_escaped(&text, ';');
            let part = |i: usize| parts.get(i).cloned().unwrap_or_default();
            contact.family = part(0);
            contact.given = [part(1), part(2)].iter().filter(|p| !p.is_empty()).cloned().collect::<Vec<_>>().join(" ");
        }
        "FN" => contact.full_name = unescape(&text).trim().to_string(),
        // A list ("Liz,Lizzie"): the first is what they are called.
        "NICKNAME" if contact.nickname.is_empty() => {
            contact.nickname = split_escaped(&text, ',').into_iter().find(|n| !n.is_empty()).unwrap_or_default();
        }
        "TEL" => {
            let value = unescape(&text);
            let value = value.trim();
            let value = value.strip_prefix("tel:").unwrap_or(value);
            contact.phones.push(typed(value.trim().to_string()));
        }
        "EMAIL" => {
            let value = unescape(&text);
            let value = value.trim();
            contact.emails.push(typed(value.strip_prefix("mailto:").unwrap_or(value).to_string()));
        }
        "BDAY" => contact.birthday = birthday(text.trim()),
        "NOTE" => {
            let note = unescape(&text).trim().to_string();
            if !note.is_empty() {
                contact.notes.push(note);
            }
        }
        "CATEGORIES" => contact.categories.extend(split_escaped(&text, ',').into_iter().filter(|c| !c.is_empty())),
        "ORG" => {
            contact.org = split_escaped(&text, ';').into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(", ")
        }
        "ADR" => {
            let parts: Vec<String> = split_escaped(&text, ';').into_iter().filter(|p| !p.is_empty()).collect();
            contact.addresses.push(typed(parts.join(", ").replace('\n', ", ")));
        }
        "RELATED" | "X-ABRELATEDNAMES" => {
            let name = unescape(&text).trim().to_string();
            // A link to another contact ("urn:uuid:…", a web address) names nobody here.
            if !property.text_value && (name.starts_with("urn:") || name.contains("://")) {
                return;
            }
            let kind = property.types.first().map(|t| text::capitalised(t)).unwrap_or_default();
            contact.related.push(Related { name, kind, details: String::new(), group: property.group.clone() });
        }
        "X-ABLABEL" => {
            let label = unescape(&text);
            // Apple writes "_$!<Mobile>!$_" for its own labels.
            let label = label.trim().trim_start_matches("_$!<").trim_end_matches(">!$_").trim().to_string();
            for list in [&mut contact.phones, &mut contact.emails, &mut contact.addresses] {
                for item in list.iter_mut().filter(|t| !t.group.is_empty() && t.group == property.group) {
                    item.label = label.clone();
                }
            }
            for related in contact.related.iter_mut().filter(|r| !r.group.is_empty() && r.group == property.group) {
                related.kind = label.clone();
            }
        }
        "X-REGULARS-DETAILS" => {
            let details = unescape(&text).trim().to_string();
            for related in contact.related.iter_mut().filter(|r| !r.group.is_empty() && r.group == property.group) {
                related.details = details.clone();
            }
        }
        _ => {}
    }
}

/// "19880314" → "1988-03-14"; "--0521" → "--05-21"; Apple's "1604-05-21"
/// (a birthday without its year) → "--05-21"; a time part is cut off.
fn birthday(value: &str) -> String {
    let date = value.split(['T', 't']).next().unwrap_or("").trim();
    let digits: String = date.chars().filter(|c| c.is_ascii_digit()).collect();
    let all_digits = date.chars().all(|c| c.is_ascii_digit());
    if all_digits && digits.len() == 8 {
        return if digits.starts_with("1604") {
            format!("--{}-{}", &digits[4..6], &digits[6..8])
        } else {
            format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..8])
        };
    }
    if date.starts_with("--") && digits.len() == 4 && date.chars().skip(2).all(|c| c.is_ascii_digit()) {
        return format!("--{}-{}", &digits[..2], &digits[2..]);
    }
    if let Some(rest) = date.strip_prefix("1604-") {
        return format!("--{rest}");
    }
    date.to_string()
}

// ------------------------------------------------------------------ writing

/// What a contact file carries of a card.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactCard {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub preferred_name: String,
    pub display_name: String,
    pub phone: String,
    pub email: String,
    pub birthday: Option<Birthday>,
    pub tags: Vec<String>,
    pub people: Vec<Person>,
    /// Pinned first, then newest first, as the card shows them.
    pub notes: Vec<String>,
}

impl From<&Card> for ContactCard {
    fn from(card: &Card) -> Self {
        ContactCard {
            id: card.id.clone(),
            first_name: card.first_name.clone(),
            last_name: card.last_name.clone(),
            preferred_name: card.preferred_name.clone(),
            display_name: card.display_name.clone(),
            phone: card.phone.clone(),
            email: card.email.clone(),
            birthday: card.birthday,
            tags: card.tags.clone(),
            people: card.people.clone(),
            notes: card.notes.iter().map(|n| n.body.clone()).collect(),
        }
    }
}

/// A card as one vCard 4.0 contact: `UID` is the card's id, the preferred
/// name a `NICKNAME`, the phone a mobile, every note a `NOTE`, every person
/// or pet a `RELATED` text with its kind as Apple's label (which phones
/// show) and its details in `X-REGULARS-DETAILS`, so `read` and the importer give the same card back.
pub fn card_to_vcard(card: &ContactCard) -> String {
    let mut out = String::with_capacity(512);
    let mut line = |text: String| push_folded(&mut out, &text);
    line("BEGIN:VCARD".into());
    line("VERSION:4.0".into());
    line("PRODID:-//Regulars//Regulars//EN".into());
    line(format!("UID:urn:uuid:{}", card.id));
    line(format!("FN:{}", escape(&card.display_name)));
    line(format!("N:{};{};;;", escape(&card.last_name), escape(&card.first_name)));
    if !card.preferred_name.is_empty() {
        line(format!("NICKNAME:{}", escape(&card.preferred_name)));
    }
    if !card.phone.is_empty() {
        line(format!("TEL;TYPE=cell;VALUE=text:{}", escape(&card.phone)));
    }
    if !card.email.is_empty() {
        line(format!("EMAIL:{}", escape(&card.email)));
    }
    if let Some(birthday) = card.birthday {
        line(match birthday.year {
            Some(year) => format!("BDAY:{year:04}{:02}{:02}", birthday.month, birthday.day),
            None => format!("BDAY:--{:02}{:02}", birthday.month, birthday.day),
        });
    }
    if !card.tags.is_empty() {
        line(format!("CATEGORIES:{}", card.tags.iter().map(|t| escape(t)).collect::<Vec<_>>().join(",")));
    }
    for note in &card.notes {
        line(format!("NOTE:{}", escape(note)));
    }
    for (i, person) in card.people.iter().enumerate() {
        let group = format!("item{}", i + 1);
        line(format!("{group}.RELATED;VALUE=text:{}", escape(&person.name)));
        if !person.kind.is_empty() {
            line(format!("{group}.X-ABLabel:{}", escape(&person.kind)));
        }
        if !person.details.is_empty() {
            line(format!("{group}.X-REGULARS-DETAILS:{}", escape(&person.details)));
        }
    }
    line("END:VCARD".into());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn version_2_1_quoted_printable_with_soft_breaks_and_charset() {
        let file =
            b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;Zo=EB;;;\r\n\
NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Likes =C3=A9clairs and=\r\n long =\r\nwalks\r\n\
TEL;CELL;PREF:+44 7700 900123\r\nTEL;WORK:020 7946 0000\r\nEND:VCARD\r\n";
        let contacts = read(file);
        assert_eq!(contacts.len(), 1);
        let c = &contacts[0];
        assert_eq!((c.given.as_str(), c.family.as_str()), ("Zoë", "Müller"));
        assert_eq!(c.notes, vec!["Likes éclairs and long walks".to_string()]);
        assert!(c.phones[0].is_mobile() && c.phones[0].pref);
        assert_eq!(c.phones[1].label(), "Work");
        // A soft break folded with a tab, and Windows-1252 without a CHARSET.
        let file = b"BEGIN:VCARD\nVERSION:2.1\nFN;QUOTED-PRINTABLE:=D0=98=D0=B3=D0=BE=\n\t=D1=80=D1=8C\nNOTE;ENCODING=QUOTED-PRINTABLE:Reid=92s place\nEND:VCARD\n";
        let c = &read(file)[0];
        assert_eq!(c.full_name, "Игорь");
        assert_eq!(c.notes, vec!["Reid\u{2019}s place".to_string()]);
    }

    #[test]
    fn a_utf16_file_from_outlook() {
        let text = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Müller;Zoë\r\nEND:VCARD\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert!(looks_like_vcard(&bytes));
        assert_eq!(read(&bytes)[0].family, "Müller");
        assert!(!looks_like_vcard(b"First name,Last name\nBEGIN:VCARD"));
    }

    #[test]
    fn folded_lines_escapes_groups_and_birthdays() {
        let file = "BEGIN:VCARD\nVERSION:3.0\nN:O\\;Brien;Se\n án;;;\nitem1.TEL;type=pref:555 0101\nitem1.X-ABLabel:_$!<Gym>!$_\n\
BDAY:1604-05-21\nCATEGORIES:Gym,VIP\\, gold\nEND:VCARD\n";
        let c = &read(file.as_bytes())[0];
        assert_eq!((c.given.as_str(), c.family.as_str()), ("Seán", "O;Brien"));
        assert_eq!(c.phones[0].label(), "Gym");
        assert_eq!(c.birthday, "--05-21");
        assert_eq!(c.categories, vec!["Gym".to_string(), "VIP, gold".to_string()]);
        assert_eq!(birthday("19880314"), "1988-03-14");
        assert_eq!(birthday("--0521"), "--05-21");
        assert_eq!(birthday("1988-03-14T00:00:00Z"), "1988-03-14");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn any_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let mut file = b"BEGIN:VCARD\r\n".to_vec();
            file.extend_from_slice(&bytes);
            let _ = read(&file);
            let _ = read(&bytes);
        }

        #[test]
        fn any_text_never_panics(text in "\\PC*", name in "[A-Za-z0-9;=.:\"\\\\-]{0,30}") {
            let file = format!("BEGIN:VCARD\n{name}:{text}\nTEL;ENCODING=QUOTED-PRINTABLE:{text}=\n{text}\nBDAY:{text}\nN:{text}\nEND:VCARD\n");
            let _ = read(file.as_bytes());
            let _ = birthday(&text);
        }
    }
}
