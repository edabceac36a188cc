//! Faces (issue 19): a photo for a customer and for each person or pet on
//! their card, stored small inside the shop file; shown by id; replaced,
//! removed, erased with the customer and exported with them.

use std::io::Cursor;
use std::path::Path;

use chrono::NaiveDate;
use proptest::prelude::*;
use regulars::features::{card_view, cards};
use regulars::io::{erase, export, plan_pdf, sample};
use regulars::kernel::error::Error;
use regulars::kernel::picture::{self, Thumbnails};
use regulars::records::onboarding;
use regulars::records::photos::{self, PhotoRef, Size};

use crate::util::*;

/// A picture no other test makes: noise from `seed`, `width` × `height`,
/// as `format` (PNG or JPEG). Noise keeps every stored JPEG's bytes unique.
fn picture_bytes(seed: u64, width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        let n = next();
        image::Rgb([(x * 3) as u8 ^ n as u8, (y * 5) as u8 ^ (n >> 8) as u8, (n >> 16) as u8])
    });
    let mut out = Vec::new();
    picture.write_to(&mut Cursor::new(&mut out), format).expect("encode a test picture");
    out
}

pub(crate) fn png(seed: u64, width: u32, height: u32) -> Vec<u8> {
    picture_bytes(seed, width, height, image::ImageFormat::Png)
}

fn jpeg(seed: u64, width: u32, height: u32) -> Vec<u8> {
    picture_bytes(seed, width, height, image::ImageFormat::Jpeg)
}

fn set(shop: &mut Shop, customer_id: &str, person_id: Option<&str>, bytes: &[u8]) -> Vec<PhotoRef> {
    let thumbnails = picture::thumbnails(bytes).expect("a good picture");
    photos::set(shop.conn_mut(), customer_id, person_id, &thumbnails, now()).expect("store the photo")
}

fn own(photos: &[PhotoRef]) -> &PhotoRef {
    photos.iter().find(|p| p.person_id.is_none()).expect("the customer's own photo")
}

fn size_of(bytes: &[u8]) -> (u32, u32) {
    assert!(picture::is_jpeg(bytes), "stored as JPEG");
    picture::jpeg_size(bytes).expect("a readable JPEG")
}

#[test]
fn a_customer_and_their_pet_get_square_thumbnails_that_survive_a_restart() {
    let mut shop = Shop::new();
    let card = shop.create(customer("Zoë", "Müller").pet("Biscuit", "dog"));
    let dog = card.people[0].id.clone();
    set(&mut shop, &card.id, None, &png(1, 640, 480));
    // A tall JPEG for the dog: cropped to its middle square.
    let all = set(&mut shop, &card.id, Some(&dog), &jpeg(2, 300, 900));
    assert_eq!(all.len(), 2, "{all:?}");
    let mine = own(&all).clone();
    let dogs = all.iter().find(|p| p.person_id.as_deref() == Some(dog.as_str())).expect("the dog's photo").clone();

    for photo in [&mine, &dogs] {
        let large = photos::image(shop.conn(), &photo.id, Size::Large).unwrap().expect("the card's size");
        let small = photos::image(shop.conn(), &photo.id, Size::Small).unwrap().expect("the list's size");
        assert_eq!(size_of(&large), (256, 256));
        assert_eq!(size_of(&small), (64, 64));
        // These test pictures are noise, the worst case for JPEG (a photo is a fifth of that).
        assert!(large.len() < 80_000 && small.len() < 8_000, "small enough: {} and {} bytes", large.len(), small.len());
    }
    // The card view, the search and the printed plan see them.
    let view = card_view::load(shop.conn(), &card.id, now(), now().date_naive(), &chrono::Utc).unwrap();
    assert_eq!(view.photos, all);
    let hit = shop.hits("zoe").into_iter().next().expect("found");
    assert_eq!(hit.photo.as_deref(), Some(mine.id.as_str()), "the search says which photo, never the picture");
    let large = photos::bytes_of(shop.conn(), &card.id, None, Size::Large).unwrap().expect("for printing");
    assert_eq!(Some(large.clone()), photos::image(shop.conn(), &mine.id, Size::Large).unwrap());
    let dog_large = photos::bytes_of(shop.conn(), &card.id, Some(&dog), Size::Large).unwrap().expect("the pet sheet's");
    assert_ne!(dog_large, large);

    // Closed and opened again, as at the next start.
    let shop = shop.reopen();
    assert_eq!(photos::for_customer(shop.conn(), &card.id).unwrap(), all);
    assert_eq!(photos::bytes_of(shop.conn(), &card.id, None, Size::Large).unwrap(), Some(large));
    assert_eq!(shop.hits("zoe")[0].photo.as_deref(), Some(mine.id.as_str()));
}

#[test]
fn a_replaced_photo_gets_a_new_id_and_a_removed_one_is_gone() {
    let mut shop = Shop::new();
    let card = shop.create(customer("Ada", "Lovelace").pet("Rex", "dog").pet("Mia", "child"));
    let first = own(&set(&mut shop, &card.id, None, &png(3, 100, 100))).clone();
    let second = own(&set(&mut shop, &card.id, None, &png(4, 100, 100))).clone();
    assert_ne!(first.id, second.id, "the window's old address must not show the new picture");
    assert_eq!(photos::image(shop.conn(), &first.id, Size::Small).unwrap(), None, "the old one answers nothing");
    assert_eq!(shop.count("photos"), 1);

    // Photos of both people, then one person taken off the card: their photo goes too.
    let (rex, mia) = (card.people[0].id.clone(), card.people[1].id.clone());
    set(&mut shop, &card.id, Some(&rex), &png(5, 80, 120));
    set(&mut shop, &card.id, Some(&mia), &png(6, 80, 120));
    assert_eq!(shop.count("photos"), 3);
    let mut input = input_from(&shop.card(&card.id));
    input.people.retain(|p| p.name != "Rex");
    cards::update(shop.conn_mut(), &card.id, &input, now()).unwrap();
    let left = photos::for_customer(shop.conn(), &card.id).unwrap();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.iter().all(|p| p.person_id.as_deref() != Some(rex.as_str())));

    // Removing: the customer's, then again (nothing to remove is fine).
    let after = photos::remove(shop.conn_mut(), &card.id, None).unwrap();
    assert_eq!(after.len(), 1);
    assert!(photos::remove(shop.conn_mut(), &card.id, None).unwrap().iter().all(|p| p.person_id.is_some()));
    assert_eq!(shop.hits("ada")[0].photo, None);
    assert_eq!(photos::image(shop.conn(), &second.id, Size::Large).unwrap(), None);
    photos::remove(shop.conn_mut(), &card.id, Some(&mia)).unwrap();
    assert_eq!(shop.count("photos"), 0);
}

#[test]
fn bad_bytes_and_huge_pictures_are_refused_with_a_reason_and_change_nothing() {
    let mut shop = Shop::new();
    let card = shop.create(customer("Bea", "Keeper").pet("Rex", "dog"));
    set(&mut shop, &card.id, None, &png(7, 50, 50));
    let other = shop.create(customer("Other", "Person").pet("Tom", "cat"));
    let before = dump_of(shop.conn(), &["photos", "customers", "people"]);

    // A well-formed PNG of a few bytes whose header claims 20,000 × 20,000
    // pixels (400 megapixels): refused from the header, before decoding.
    let header = png_claiming(20_000, 20_000, 8);
    // Within the pixel count, but 16 bits a channel: 7071 × 7071 RGB would
    // take 300 MB decoded, over the budget, so it is refused before then.
    let deep = png_claiming(7071, 7071, 16);
    let good = png(8, 60, 60);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("nothing", Vec::new(), "empty"),
        ("text", "Zoë's photo.jpg".as_bytes().to_vec(), "not a picture"),
        ("a PDF", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj".to_vec(), "not a picture"),
        ("a GIF (not compiled in)", b"GIF89a\x10\x00\x10\x00\x80\x00\x00".to_vec(), "not a picture"),
        ("half a PNG", good[..good.len() / 2].to_vec(), "could not be read"),
        ("a JPEG's start", jpeg(9, 40, 40)[..200].to_vec(), "could not be read"),
        ("400 megapixels", header, "20000 × 20000 pixels"),
        ("300 MB decoded", deep, "too large to read (7071 × 7071 pixels"),
        ("31 MB", vec![0xFF; picture::MAX_BYTES + 1024 * 1024], "up to 30 MB"),
    ];
    for (what, bytes, says) in cases {
        let reason = assert_invalid(picture::thumbnails(&bytes), "photo");
        assert!(reason.contains(says), "{what}: {reason}");
    }
    // Someone who is not there, or not on this card.
    let fine = picture::thumbnails(&good).unwrap();
    assert!(matches!(photos::set(shop.conn_mut(), "no-such-id", None, &fine, now()), Err(Error::NotFound(_))));
    assert!(matches!(
        photos::set(shop.conn_mut(), &card.id, Some(&other.people[0].id), &fine, now()),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(photos::remove(shop.conn_mut(), &card.id, Some("no-such-person")), Err(Error::NotFound(_))));
    assert_eq!(before, dump_of(shop.conn(), &["photos", "customers", "people"]), "nothing changed");
}

/// One PNG chunk: length, type, data, CRC.
fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut typed = kind.to_vec();
    typed.extend_from_slice(data);
    out.extend_from_slice(&typed);
    out.extend_from_slice(&crc32(&typed).to_be_bytes());
    out
}

fn ihdr(width: u32, height: u32, depth: u8) -> Vec<u8> {
    chunk(b"IHDR", &[&width.to_be_bytes()[..], &height.to_be_bytes()[..], &[depth, 2, 0, 0, 0]].concat())
}

/// A PNG (RGB) whose header claims `width` × `height` pixels of `depth`
/// bits a channel, with an empty image stream: a few bytes.
fn png_claiming(width: u32, height: u32, depth: u8) -> Vec<u8> {
    [
        &b"\x89PNG\r\n\x1a\n"[..],
        &ihdr(width, height, depth),
        &chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]),
        &chunk(b"IEND", &[]),
    ]
    .concat()
}

/// EXIF (big-endian TIFF) with one entry: Orientation = `orientation`
/// (6: turn a quarter clockwise to show it upright).
fn exif_orientation(orientation: u16) -> Vec<u8> {
    let mut exif = b"MM\0\x2a\0\0\0\x08\0\x01".to_vec();
    exif.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01]);
    exif.extend_from_slice(&orientation.to_be_bytes());
    exif.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    exif
}

/// A black PNG of `width` × `height` pixels at 16 bits a channel (RGB)
/// that its EXIF says to turn a quarter, made without holding its pixels:
/// the image stream is one fixed-Huffman deflate block of 258-byte runs
/// of zeros, so 100 MB of pixels is a file of under a megabyte.
fn deep_black_turned_png(width: u32, height: u32) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        pending: u64,
        count: u32,
    }
    impl Bits {
        /// `count` bits of `value`, lowest first (deflate's header bits).
        fn put(&mut self, value: u32, count: u32) {
            self.pending |= u64::from(value) << self.count;
            self.count += count;
            while self.count >= 8 {
                self.out.push(self.pending as u8);
                self.pending >>= 8;
                self.count -= 8;
            }
        }
        /// A Huffman code, highest bit first.
        fn code(&mut self, code: u32, length: u32) {
            let reversed = (0..length).fold(0, |r, i| r | (((code >> i) & 1) << (length - 1 - i)));
            self.put(reversed, length);
        }
    }
    let total = u64::from(height) * (1 + u64::from(width) * 6);
    let mut bits = Bits { out: vec![0x78, 0x01], pending: 0, count: 0 };
    bits.put(1, 1); // the last block
    bits.put(1, 2); // fixed Huffman codes
    bits.code(0x30, 8); // the literal 0
    let mut left = total - 1;
    while left >= 258 {
        bits.code(0xC5, 8); // length 258 (code 285)...
        bits.code(0, 5); // ...at distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.code(0x30, 8);
    }
    bits.code(0, 7); // the end of the block
    bits.put(0, 7); // up to a byte
    let mut stream = bits.out;
    // Adler-32 of zeros: a stays 1, b counts the bytes.
    stream.extend_from_slice(&((((total % 65521) as u32) << 16) | 1).to_be_bytes());
    [
        &b"\x89PNG\r\n\x1a\n"[..],
        &ihdr(width, height, 16),
        &chunk(b"eXIf", &exif_orientation(6)),
        &chunk(b"IDAT", &stream),
        &chunk(b"IEND", &[]),
    ]
    .concat()
}

/// The process's peak and current resident memory, in bytes (Linux).
fn resident() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let field = |name: &str| {
        let line =
            status.lines().find(|line| line.starts_with(name)).unwrap_or_else(|| panic!("{name} in /proc/self/status"));
        line.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()).expect("a size in kB") * 1024
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// A picture is decoded into one full-size copy and no more: the square
/// is shrunk straight from it and turned upright small. Before, turning
/// it by its EXIF and then cropping each made another full-size copy, so a
/// small file took twice its decoded size or more. Measured as the peak
/// resident memory of a child process (this test binary again) that
/// makes the photo of a 4096 × 4096 16-bit picture (96 MB decoded).
#[cfg(target_os = "linux")]
#[test]
fn a_picture_turned_by_its_exif_takes_one_decoded_copy_of_memory() {
    const CHILD: &str = "REGULARS_TEST_PHOTO_PEAK";
    const SIDE: u32 = 4096;
    let decoded = u64::from(SIDE) * u64::from(SIDE) * 6;
    if let Some(file) = std::env::var_os(CHILD) {
        let bytes = std::fs::read(file).expect("the picture");
        let (_, before) = resident();
        let made = picture::thumbnails(&bytes).expect("the photo is made");
        let (peak, _) = resident();
        assert_eq!(picture::jpeg_size(&made.large), Some((256, 256)));
        let grew = peak.saturating_sub(before);
        let mb = |bytes: u64| bytes / (1024 * 1024);
        eprintln!("decoded {} MB, peak grew by {} MB", mb(decoded), mb(grew));
        assert!(
            grew < decoded + decoded / 2,
            "the peak grew by {} MB for a picture of {} MB decoded",
            mb(grew),
            mb(decoded)
        );
        return;
    }
    let bytes = deep_black_turned_png(SIDE, SIDE);
    assert!(bytes.len() < 1024 * 1024, "a small file: {} bytes", bytes.len());
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("deep.png");
    std::fs::write(&file, &bytes).expect("the picture");
    drop(bytes);
    let status = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--exact",
            "photos::a_picture_turned_by_its_exif_takes_one_decoded_copy_of_memory",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(CHILD, &file)
        .status()
        .expect("run the child");
    assert!(status.success(), "the child made the photo within one decoded copy of memory");
}

/// A picture its EXIF says to turn a quarter clockwise is stored upright:
/// what was its left edge is the top.
#[test]
fn a_picture_is_stored_the_way_its_exif_says_is_up() {
    use image::ImageEncoder;
    // 60 × 40: red on the left, blue on the right.
    let picture =
        image::RgbImage::from_fn(
            60,
            40,
            |x, _| if x < 30 { image::Rgb([220, 20, 20]) } else { image::Rgb([20, 20, 220]) },
        );
    let mut bytes = Vec::new();
    let mut encoder = image::codecs::png::PngEncoder::new(&mut bytes);
    encoder.set_exif_metadata(exif_orientation(6)).expect("EXIF in a PNG");
    encoder.write_image(picture.as_raw(), 60, 40, image::ExtendedColorType::Rgb8).expect("encode");
    let made = picture::thumbnails(&bytes).expect("the photo");
    let large = image::load_from_memory(&made.large).expect("a JPEG").to_rgb8();
    let (top, bottom) = (large.get_pixel(128, 20).0, large.get_pixel(128, 235).0);
    assert!(top[0] > 150 && top[2] < 100, "red on top: {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "blue below: {bottom:?}");
}

/// CRC-32 (IEEE), for the made-up PNG headers above.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Any bytes, and good pictures with bytes changed, give thumbnails or
    /// a reason: never a panic, never something else.
    #[test]
    fn any_bytes_give_two_thumbnails_or_a_reason(
        noise in proptest::collection::vec(any::<u8>(), 0..2048),
        base in 0usize..3,
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..12),
        cut in any::<usize>(),
    ) {
        check_any(&noise);
        let mut good = match base {
            0 => png(10, 40, 30),
            1 => jpeg(11, 48, 64),
            _ => {
                let mut out = Vec::new();
                image::RgbaImage::from_pixel(16, 16, image::Rgba([1, 2, 3, 4]))
                    .write_to(&mut Cursor::new(&mut out), image::ImageFormat::WebP)
                    .unwrap();
                out
            }
        };
        for (at, value) in flips {
            let len = good.len();
            good[at % len] ^= value;
        }
        check_any(&good);
        check_any(&good[..cut % (good.len() + 1)]);
    }
}

fn check_any(bytes: &[u8]) {
    match picture::thumbnails(bytes) {
        Ok(Thumbnails { large, small }) => {
            assert_eq!(picture::jpeg_size(&large), Some((256, 256)));
            assert_eq!(picture::jpeg_size(&small), Some((64, 64)));
        }
        Err(Error::Invalid { field: "photo", reason }) => assert!(!reason.is_empty()),
        Err(other) => panic!("not a reason about the photo: {other:?}"),
    }
}

/// Every file in the data folder (backups left out: they hold the
/// customer until they rotate, which the erase says).
fn data_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|name| name != regulars::io::backup::BACKUPS_DIR) {
                found.extend(data_files(&path));
            }
        } else {
            found.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    found
}

/// 48 bytes from the middle of a JPEG: its coded picture, which no other
/// photo shares (the headers and tables at the start are the same in all).
fn fingerprint(jpeg: &[u8]) -> Vec<u8> {
    jpeg[jpeg.len() / 2..jpeg.len() / 2 + 48].to_vec()
}

fn found_in(dir: &Path, fingerprints: &[Vec<u8>]) -> usize {
    let files = data_files(dir);
    fingerprints
        .iter()
        .filter(|print| files.iter().any(|(_, bytes)| bytes.windows(print.len()).any(|w| w == print.as_slice())))
        .count()
}

#[test]
fn erase_leaves_no_byte_of_their_photos_or_their_pets_in_the_data_folder() {
    let mut shop = Shop::new();
    let data = shop.data_dir();
    let mut kept = Vec::new();
    for i in 0..20 {
        let filler = shop.create(customer(&format!("Filler{i}"), "Person"));
        let all = set(&mut shop, &filler.id, None, &png(100 + i, 90, 90));
        kept.push(fingerprint(&photos::image(shop.conn(), &own(&all).id, Size::Large).unwrap().unwrap()));
    }
    let card = shop.create(customer("Quentin", "Zyx").pet("Rexo", "dog"));
    let dog = card.people[0].id.clone();
    let mut gone = Vec::new();
    let mut remember = |shop: &Shop, photo: &PhotoRef| {
        for size in [Size::Large, Size::Small] {
            gone.push(fingerprint(&photos::image(shop.conn(), &photo.id, size).unwrap().unwrap()));
        }
    };
    // A photo replaced earlier (its old pages must not linger either), the
    // current one, and the dog's; checkpointed into the database file.
    let old = own(&set(&mut shop, &card.id, None, &png(200, 300, 200))).clone();
    remember(&shop, &old);
    shop.store.checkpoint().unwrap();
    let all = set(&mut shop, &card.id, None, &jpeg(201, 400, 400));
    remember(&shop, own(&all));
    let all = set(&mut shop, &card.id, Some(&dog), &png(202, 120, 160));
    remember(&shop, all.iter().find(|p| p.person_id.is_some()).unwrap());
    for i in 20..30 {
        let filler = shop.create(customer(&format!("Filler{i}"), "Person"));
        set(&mut shop, &filler.id, None, &png(100 + i, 90, 90));
    }
    shop.store.checkpoint().unwrap();
    assert_eq!(found_in(&data, &gone[2..]), 4, "precondition: the current photos are on disk to be found");

    erase::erase_customer(shop.conn_mut(), &data, &card.id, now(), &chrono::Utc).expect("delete completely");

    assert_eq!(found_in(&data, &gone), 0, "a photo of the erased customer or their dog is still in the data folder");
    assert_eq!(found_in(&data, &kept), kept.len(), "the others' photos stay");
    assert_eq!(shop.count("photos"), 30, "the 30 others' photos");
    let shop = shop.reopen();
    assert_eq!(found_in(&data, &gone), 0, "after a restart");
    assert!(photos::for_customer(shop.conn(), &card.id).unwrap().is_empty());
}

#[test]
fn the_one_customer_export_holds_their_photos_and_their_pets() {
    let mut shop = Shop::new();
    let card = shop.create(customer("Quentin", "Zyx").pet("Rexo", "dog"));
    let other = shop.create(customer("Other", "Person"));
    set(&mut shop, &other.id, None, &png(300, 50, 50));
    set(&mut shop, &card.id, None, &png(301, 50, 50));
    set(&mut shop, &card.id, Some(&card.people[0].id), &png(302, 50, 50));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quentin.json");
    export::export_customer_json(shop.conn(), &card.id, &path, now()).unwrap();
    let data: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let rows = data["records"]["photos"].as_array().expect("the photos table is exported");
    assert_eq!(rows.len(), 2, "theirs and the dog's, nobody else's: {rows:?}");
    for row in rows {
        assert_eq!(row["customer_id"], card.id.as_str());
        let stored = photos::bytes_of(shop.conn(), &card.id, row["person_id"].as_str(), Size::Large).unwrap().unwrap();
        let hex = row["large"].as_str().expect("the picture as hex");
        let bytes: Vec<u8> =
            (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
        assert_eq!(bytes, stored, "the exported picture is the stored one, byte for byte");
        assert!(row["small"].as_str().is_some_and(|s| s.starts_with("ffd8ff")), "the 64 px JPEG too");
    }
}

#[test]
fn the_welcome_plan_prints_the_photo_in_its_corner() {
    let mut shop = Shop::new();
    let card = shop.create(customer("Zoë", "Müller-Łukasiewicz"));
    let today = NaiveDate::from_ymd_opt(2024, 5, 15).unwrap();
    onboarding::start(shop.conn_mut(), &card.id, today, today, now()).unwrap();
    let without = plan_pdf::render(&plan_pdf::document(shop.conn(), &card.id, today).unwrap()).unwrap();
    set(&mut shop, &card.id, None, &jpeg(400, 500, 500));
    let doc = plan_pdf::document(shop.conn(), &card.id, today).unwrap();
    let stored = doc.photo.clone().expect("the plan carries the photo");
    let with = plan_pdf::render(&doc).unwrap();
    assert!(!with.compact);
    // Embedded as it is stored: the JPEG's bytes are in the PDF unchanged.
    assert!(with.bytes.windows(stored.len()).any(|w| w == stored.as_slice()), "the JPEG is embedded as is");
    assert!(
        with.bytes.len() < without.bytes.len() + stored.len() + 2_000,
        "{} vs {}",
        with.bytes.len(),
        without.bytes.len()
    );
    // Kept beside the other printed pages (and as a PNG) to look at.
    let (path, _) = crate::plans::write_and_read("plan-with-photo", &with.bytes);
    let list =
        std::process::Command::new("pdfimages").arg("-list").arg(&path).output().expect("pdfimages (poppler-utils)");
    let list = String::from_utf8_lossy(&list.stdout);
    let rows: Vec<&str> = list.lines().skip(2).collect();
    assert_eq!(rows.len(), 1, "{list}");
    let cols: Vec<&str> = rows[0].split_whitespace().collect();
    // page num type width height color comp bpc enc
    assert_eq!(&cols[3..9], &["256", "256", "rgb", "3", "8", "jpeg"], "{list}");
    let text = std::process::Command::new("pdftotext").arg(&path).arg("-").output().unwrap();
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("Müller-Łukasiewicz"),
        "the name still fits beside the photo"
    );
    // A stored value that is not a JPEG (a hand-edited file) leaves the corner empty.
    let odd = plan_pdf::PlanDocument { photo: Some(b"not a jpeg".to_vec()), ..doc };
    assert!(plan_pdf::render(&odd).is_ok());
}

#[test]
fn a_seeded_shop_has_drawn_photos_on_some_or_all_customers() {
    let mut shop = Shop::new();
    sample::seed(shop.conn_mut(), regulars::db::settings::BusinessKind::DogWalking, 60, 5, now()).unwrap();
    sample::seed_photos(shop.conn_mut(), sample::Photos::Some, 5, now()).unwrap();
    let customers: i64 =
        shop.conn().query_row("SELECT count(*) FROM photos WHERE person_id IS NULL", [], |r| r.get(0)).unwrap();
    let pets: i64 =
        shop.conn().query_row("SELECT count(*) FROM photos WHERE person_id IS NOT NULL", [], |r| r.get(0)).unwrap();
    assert!((8..=35).contains(&customers), "about a third: {customers}");
    assert!((10..=50).contains(&pets), "about half the dogs: {pets}");
    sample::seed_photos(shop.conn_mut(), sample::Photos::All, 6, now()).unwrap();
    let customers: i64 =
        shop.conn().query_row("SELECT count(*) FROM photos WHERE person_id IS NULL", [], |r| r.get(0)).unwrap();
    assert_eq!(customers, 60, "every customer, once");
    let (small, large): (Vec<u8>, Vec<u8>) =
        shop.conn().query_row("SELECT small, large FROM photos LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((size_of(&small), size_of(&large)), ((64, 64), (256, 256)));
}
