//! The printable one-page onboarding plan, drawn with printpdf.
//!
//! The page is laid out here by hand: text is measured with the embedded
//! font's advance widths and wrapped inside its box, so a long title wraps
//! in its table cell and nothing is ever cut off. A plan that does not fit
//! at the normal size is laid out again in a compact size; if it still does
//! not fit, the caller gets a clear message instead of a cut-off page or a
//! silent second page.
//!
//! Text: DejaVu Sans (shipped in `src-tauri/fonts` with its licence),
//! embedded and subset to the glyphs used. Text is NFC-normalised; right-
//! to-left runs (Hebrew, Arabic) are put in visual order per line with the
//! Unicode bidi algorithm. Arabic letters are not joined (no shaping).
//! Characters the font does not have (colour emoji) are left out of the
//! page and listed in `Rendered::left_out`, so the app can say so.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use printpdf::{
    Color, DictItem, ExternalStream, ExternalXObject, FontId, Line, LinePoint, Op, PaintMode, ParsedFont, PdfDocument,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem, XObjectId, XObjectTransform,
};
use unicode_normalization::UnicodeNormalization;

use crate::db::settings::{self, PaperSize};
use crate::kernel::error::{Error, Result};
use crate::kernel::text;
use crate::records::onboarding;
use rusqlite::Connection;

static REGULAR_TTF: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

/// Everything the page shows; plain data so it can be built from the
/// database (`onboarding::document`) or by hand in tests and benchmarks.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanDocument {
    pub shop_name: String,
    pub customer_name: String,
    pub start_on: NaiveDate,
    pub welcome: String,
    /// (label, text) pairs of the promise block, in order.
    pub promise: Vec<(String, String)>,
    /// The checklist in due order; the first-value milestone is flagged.
    pub tasks: Vec<PrintTask>,
    /// Phone, email, address, website: whichever are known.
    pub contact: Vec<String>,
    pub paper: PaperSize,
    /// The customer's photo (the stored 256 px JPEG), printed in the top
    /// right corner; `None` leaves the corner empty.
    pub photo: Option<Vec<u8>>,
    /// A pet sheet per pet, each on a page of its own after the plan (a
    /// dog-walking or grooming shop's; empty for others).
    pub pets: Vec<PetSheet>,
}

/// What the walker's clipboard needs about one pet.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PetSheet {
    pub name: String,
    /// "Dog · Labrador · 4 years".
    pub about: String,
    /// (label, text) rows: vet, allergies, medication, feeding, handling.
    pub facts: Vec<(String, String)>,
    /// (vaccination, given, expires, state) rows, newest first.
    pub vaccinations: Vec<[String; 4]>,
    /// Required vaccinations with no record.
    pub missing: Vec<String>,
    /// The pet's photo (the stored 256 px JPEG), drawn in the corner by
    /// `draw_photo`; `None` lays the sheet out without a photo box.
    pub photo: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PrintTask {
    pub title: String,
    /// "You", "Us" or a staff member's name.
    pub owner: String,
    pub due_on: NaiveDate,
    pub done: bool,
    pub milestone: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Embed only the glyphs used (the default); `false` embeds the whole
    /// font, the naive baseline the benchmark compares against.
    pub subset_fonts: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions { subset_fonts: true }
    }
}

#[derive(Debug, Clone)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    /// Characters the font cannot draw (emoji, some scripts), left out.
    pub left_out: Vec<char>,
    /// True when the plan needed the compact layout to fit.
    pub compact: bool,
}

impl Rendered {
    /// A sentence for the owner when something could not be printed.
    pub fn notice(&self) -> Option<String> {
        if self.left_out.is_empty() {
            return None;
        }
        let shown: String = self.left_out.iter().take(12).collect::<Vec<_>>().iter().map(|c| format!("{c} ")).collect();
        Some(format!(
            "Some characters cannot be printed with the built-in font and were left out of the PDF: {}",
            shown.trim_end()
        ))
    }
}

struct Fonts {
    regular: ParsedFont,
    bold: ParsedFont,
}

/// The two faces, parsed once per process.
fn fonts() -> Result<&'static Fonts> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let regular = ParsedFont::from_bytes(&slim_font(REGULAR_TTF)?, 0, &mut Vec::new())?;
            let bold = ParsedFont::from_bytes(&slim_font(BOLD_TTF)?, 0, &mut Vec::new())?;
            Some(Fonts { regular, bold })
        })
        .as_ref()
        .ok_or_else(|| Error::Conflict("The built-in printing font could not be read.".into()))
}

/// The font with its `name` table cut down to the names and the licence
/// link (ids 0 to 6 and 14). DejaVu's full `name` table carries the licence
/// text in several languages, about 15 KB that the subsetter copies into
/// every PDF unchanged; the licence itself ships beside the font.
fn slim_font(ttf: &[u8]) -> Option<Vec<u8>> {
    let u16_at = |at: usize| -> Option<u16> { Some(u16::from_be_bytes(ttf.get(at..at + 2)?.try_into().ok()?)) };
    let u32_at = |at: usize| -> Option<u32> { Some(u32::from_be_bytes(ttf.get(at..at + 4)?.try_into().ok()?)) };
    let count = usize::from(u16_at(4)?);
    let mut tables: Vec<([u8; 4], Vec<u8>)> = Vec::with_capacity(count);
    for i in 0..count {
        let entry = 12 + 16 * i;
        let tag: [u8; 4] = ttf.get(entry..entry + 4)?.try_into().ok()?;
        let offset = u32_at(entry + 8)? as usize;
        let length = u32_at(entry + 12)? as usize;
        let mut data = ttf.get(offset..offset + length)?.to_vec();
        if &tag == b"name" {
            data = slim_name_table(&data)?;
        }
        tables.push((tag, data));
    }
    // Rebuild the file: header, directory, then each table 4-byte aligned.
    let mut out = ttf.get(..12)?.to_vec();
    let mut offset = 12 + 16 * tables.len();
    let mut body = Vec::new();
    for (tag, data) in &tables {
        let checksum = data
            .chunks(4)
            .map(|c| {
                let mut word = [0u8; 4];
                word[..c.len()].copy_from_slice(c);
                u32::from_be_bytes(word)
            })
            .fold(0u32, u32::wrapping_add);
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum.to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        body.extend_from_slice(data);
        while body.len() % 4 != 0 {
            body.push(0);
        }
        offset = 12 + 16 * tables.len() + body.len();
    }
    out.extend_from_slice(&body);
    Some(out)
}

fn slim_name_table(name: &[u8]) -> Option<Vec<u8>> {
    let u16_at = |at: usize| -> Option<u16> { Some(u16::from_be_bytes(name.get(at..at + 2)?.try_into().ok()?)) };
    let count = usize::from(u16_at(2)?);
    let storage = usize::from(u16_at(4)?);
    let mut records = Vec::new();
    let mut strings = Vec::new();
    for i in 0..count {
        let r = 6 + 12 * i;
        let name_id = u16_at(r + 6)?;
        if !(name_id <= 6 || name_id == 14) {
            continue;
        }
        let length = usize::from(u16_at(r + 8)?);
        let offset = storage + usize::from(u16_at(r + 10)?);
        let text = name.get(offset..offset + length)?;
        let mut record = name.get(r..r + 8)?.to_vec();
        record.extend_from_slice(&(length as u16).to_be_bytes());
        record.extend_from_slice(&(strings.len() as u16).to_be_bytes());
        records.push(record);
        strings.extend_from_slice(text);
    }
    let mut out = Vec::with_capacity(6 + 12 * records.len() + strings.len());
    out.extend_from_slice(&0u16.to_be_bytes());
    out.extend_from_slice(&(records.len() as u16).to_be_bytes());
    out.extend_from_slice(&((6 + 12 * records.len()) as u16).to_be_bytes());
    for record in records {
        out.extend_from_slice(&record);
    }
    out.extend_from_slice(&strings);
    Some(out)
}

/// Renders the plan to PDF bytes with the default options.
pub fn render(doc: &PlanDocument) -> Result<Rendered> {
    render_with(doc, RenderOptions::default())
}

pub fn render_with(doc: &PlanDocument, options: RenderOptions) -> Result<Rendered> {
    let fonts = fonts()?;
    let (width, height) = match doc.paper {
        PaperSize::A4 => (595.28, 841.89),
        PaperSize::Letter => (612.0, 792.0),
    };
    let mut pdf = PdfDocument::new(&format!("Welcome plan for {}", clean(&doc.customer_name)));
    pdf.metadata.info.author = clean(&doc.shop_name);
    pdf.metadata.info.creator = "Regulars".into();
    pdf.metadata.info.producer = "Regulars (printpdf)".into();
    let regular = pdf.add_font(&fonts.regular);
    let bold = pdf.add_font(&fonts.bold);
    let photo = doc.photo.as_deref().and_then(jpeg_xobject).map(|xobject| pdf.add_xobject(&xobject));
    let mut outcome = None;
    for style in [Style::NORMAL, Style::COMPACT] {
        let mut page = Page::new(fonts, regular.clone(), bold.clone(), width, height);
        page.photo = photo.clone();
        compose(&mut page, doc, &style);
        if page.fits {
            outcome = Some((page, style.compact));
            break;
        }
    }
    let Some((page, compact)) = outcome else {
        return Err(Error::invalid(
            "plan",
            format!(
                "This plan does not fit on one page, even in small print ({} tasks). Shorten the welcome message or some task titles, or remove a few tasks.",
                doc.tasks.len()
            ),
        ));
    };
    let mut left_out: BTreeSet<char> = page.left_out;
    let mut pages = vec![PdfPage::new(Pt(width).into(), Pt(height).into(), page.ops)];
    for pet in &doc.pets {
        let photo = pet.photo.as_deref().and_then(jpeg_xobject).map(|xobject| pdf.add_xobject(&xobject));
        let mut fitted = None;
        for style in [Style::NORMAL, Style::COMPACT] {
            let mut sheet = Page::new(fonts, regular.clone(), bold.clone(), width, height);
            compose_pet_sheet(&mut sheet, doc, pet, photo.as_ref(), &style);
            if sheet.fits {
                fitted = Some(sheet);
                break;
            }
        }
        let sheet = fitted.ok_or_else(|| {
            Error::invalid(
                "pet",
                format!("The pet sheet for {} does not fit on one page: shorten its notes.", clean(&pet.name)),
            )
        })?;
        left_out.extend(sheet.left_out);
        pages.push(PdfPage::new(Pt(width).into(), Pt(height).into(), sheet.ops));
    }
    let left_out = left_out.into_iter().collect();
    let save = PdfSaveOptions { subset_fonts: options.subset_fonts, ..PdfSaveOptions::default() };
    let bytes = pdf.with_pages(pages).save(&save, &mut Vec::new());
    Ok(Rendered { bytes, left_out, compact })
}

/// A stored JPEG as a PDF image, embedded as it is (`DCTDecode`): no
/// decoding and no re-encoding. `None` for bytes that are not a JPEG of a
/// readable size (the corner is then left empty).
fn jpeg_xobject(jpeg: &[u8]) -> Option<ExternalXObject> {
    if !crate::kernel::picture::is_jpeg(jpeg) {
        return None;
    }
    let (width, height) = crate::kernel::picture::jpeg_size(jpeg)?;
    let name = |n: &str| DictItem::Name(n.as_bytes().to_vec());
    let dict = [
        ("Type", name("XObject")),
        ("Subtype", name("Image")),
        ("Width", DictItem::Int(i64::from(width))),
        ("Height", DictItem::Int(i64::from(height))),
        // `kernel::picture` always writes 3-channel (YCbCr) JPEGs.
        ("ColorSpace", name("DeviceRGB")),
        ("BitsPerComponent", DictItem::Int(8)),
        ("Filter", name("DCTDecode")),
    ];
    Some(ExternalXObject {
        stream: ExternalStream {
            dict: dict.into_iter().map(|(key, value)| (key.to_string(), value)).collect(),
            content: jpeg.to_vec(),
            // Already compressed.
            compress: false,
        },
        // No size: the placement below scales the unit square itself.
        width: None,
        height: None,
        dpi: None,
    })
}

/// Writes the plan to a new file beside `path` and renames it into place,
/// so a reader never sees half a file and a link planted beside it is
/// never written through (`safe_file::write_atomically`).
pub fn write_file(doc: &PlanDocument, path: &std::path::Path) -> Result<Rendered> {
    let rendered = render(doc)?;
    crate::io::safe_file::write_bytes_atomically(path, &rendered.bytes)?;
    Ok(rendered)
}

/// A small card (A6) to hand over the counter: the shop's name, a line
/// asking for a review, the review link as a QR code and the link itself.
pub fn review_card(shop_name: &str, link: &str, qr: &crate::kernel::qr::Qr) -> Result<Vec<u8>> {
    let fonts = fonts()?;
    let (width, height) = (297.64, 419.53);
    let mut pdf = PdfDocument::new(&format!("Review card for {}", clean(shop_name)));
    pdf.metadata.info.creator = "Regulars".into();
    let regular = pdf.add_font(&fonts.regular);
    let bold = pdf.add_font(&fonts.bold);
    let mut page = Page::new(fonts, regular, bold, width, height);
    let margin = 28.0;
    let inner = width - 2.0 * margin;
    let title = page.wrap(shop_name, true, 18.0, inner);
    let mut y = page.lines(margin, margin, &title, true, 18.0, 1.25, INK);
    let ask = page.wrap("Enjoyed your visit? Scan the code to leave us a short review. Thank you!", false, 11.0, inner);
    y = page.lines(margin, y + 6.0, &ask, false, 11.0, 1.4, MUTED);
    // The code, square and centred, with its quiet zone on white.
    let quiet = 4.0;
    let module = ((inner - 20.0) / (qr.width as f32 + 2.0 * quiet)).min(7.0);
    let side = module * (qr.width as f32 + 2.0 * quiet);
    let left = (width - side) / 2.0;
    let top = y + 14.0;
    page.fill(left, top, side, side, (1.0, 1.0, 1.0));
    for (i, dark) in qr.dark.iter().enumerate() {
        if *dark {
            let (col, row) = ((i % qr.width) as f32, (i / qr.width) as f32);
            page.fill(
                left + (quiet + col) * module,
                top + (quiet + row) * module,
                module + 0.05,
                module + 0.05,
                (0.0, 0.0, 0.0),
            );
        }
    }
    let below = page.wrap(link, false, 8.5, inner);
    let bottom = page.lines(margin, top + side + 10.0, &below, false, 8.5, 1.3, MUTED);
    page.check(bottom, height - margin);
    if !page.fits {
        return Err(Error::invalid("review_link", "The review link is too long to print on the card."));
    }
    Ok(pdf
        .with_pages(vec![PdfPage::new(Pt(width).into(), Pt(height).into(), page.ops)])
        .save(&PdfSaveOptions::default(), &mut Vec::new()))
}

/// The recovery sheet: one page with the shop's name and the date, the
/// recovery key in groups (monospaced by hand: each group in its own cell)
/// and as a QR code, and what to do with it.
pub fn recovery_sheet(shop_name: &str, date: &str, recovery_text: &str, paper: settings::PaperSize) -> Result<Vec<u8>> {
    let fonts = fonts()?;
    let (width, height) = match paper {
        settings::PaperSize::A4 => (595.28, 841.89),
        settings::PaperSize::Letter => (612.0, 792.0),
    };
    let qr = crate::kernel::qr::qr(recovery_text)?;
    let mut pdf = PdfDocument::new("Regulars recovery sheet");
    pdf.metadata.info.creator = "Regulars".into();
    let regular = pdf.add_font(&fonts.regular);
    let bold = pdf.add_font(&fonts.bold);
    let mut page = Page::new(fonts, regular, bold, width, height);
    let mut y = recovery_intro(&mut page, shop_name, date);
    y = recovery_key_groups(&mut page, recovery_text, y);
    y = recovery_qr(&mut page, &qr, y);
    y = recovery_steps(&mut page, y);
    page.check(y, height - MARGIN_BOTTOM);
    if !page.fits {
        return Err(Error::Conflict("The recovery sheet did not fit on one page.".into()));
    }
    Ok(pdf
        .with_pages(vec![PdfPage::new(Pt(width).into(), Pt(height).into(), page.ops)])
        .save(&PdfSaveOptions::default(), &mut Vec::new()))
}

/// The recovery sheet's title, the shop and date, and what the key is for.
fn recovery_intro(page: &mut Page, shop_name: &str, date: &str) -> f32 {
    let inner = page.width - 2.0 * MARGIN_X;
    let title = page.wrap("Recovery sheet", true, 22.0, inner);
    let mut y = page.lines(MARGIN_X, MARGIN_TOP, &title, true, 22.0, 1.25, INK);
    let shop = if clean(shop_name).is_empty() { "Your shop".to_string() } else { clean(shop_name) };
    let about = page.wrap(&format!("{shop} · made on {date}"), false, 12.0, inner);
    y = page.lines(MARGIN_X, y + 4.0, &about, false, 12.0, 1.3, MUTED);
    let intro = page.wrap(
        "Regulars keeps this shop's data encrypted. This key opens it on any computer: after a new laptop, a reinstalled system, \
         a forgotten passphrase or owner PIN, or to open a backup. Without it, nobody can read the data, not even you.",
        false, 10.5, inner);
    page.lines(MARGIN_X, y + 14.0, &intro, false, 10.5, 1.4, INK)
}

/// The key: four lines of four groups, each group in a tinted cell.
fn recovery_key_groups(page: &mut Page, recovery_text: &str, y: f32) -> f32 {
    let inner = page.width - 2.0 * MARGIN_X;
    let heading = page.wrap("Recovery key", true, 12.0, inner);
    let y = page.lines(MARGIN_X, y + 16.0, &heading, true, 12.0, 1.3, ACCENT);
    let groups: Vec<&str> = recovery_text.split(' ').collect();
    let (cell_w, cell_h, gap) = (82.0, 26.0, 10.0);
    let top = y + 8.0;
    for (i, group) in groups.iter().enumerate() {
        let (col, row) =
            ((i % crate::kernel::secret::GROUPS_PER_LINE) as f32, (i / crate::kernel::secret::GROUPS_PER_LINE) as f32);
        let (x, cy) = (MARGIN_X + col * (cell_w + gap), top + row * (cell_h + gap));
        page.fill(x, cy, cell_w, cell_h, KEY);
        let line = page.wrap(group, true, 16.0, cell_w);
        page.lines(x + 14.0, cy + 4.0, &line, true, 16.0, 1.2, INK);
    }
    let rows = groups.len().div_ceil(crate::kernel::secret::GROUPS_PER_LINE) as f32;
    top + rows * (cell_h + gap)
}

/// The same key as a QR code, for a phone's camera or a scanner, with a
/// line beside it.
fn recovery_qr(page: &mut Page, qr: &crate::kernel::qr::Qr, y: f32) -> f32 {
    let width = page.width;
    let quiet = 4.0;
    let module = (150.0 / (qr.width as f32 + 2.0 * quiet)).min(5.0);
    let side = module * (qr.width as f32 + 2.0 * quiet);
    page.fill(MARGIN_X, y + 6.0, side, side, (1.0, 1.0, 1.0));
    for (i, dark) in qr.dark.iter().enumerate() {
        if *dark {
            let (col, row) = ((i % qr.width) as f32, (i / qr.width) as f32);
            page.fill(
                MARGIN_X + (quiet + col) * module,
                y + 6.0 + (quiet + row) * module,
                module + 0.05,
                module + 0.05,
                (0.0, 0.0, 0.0),
            );
        }
    }
    let beside_x = MARGIN_X + side + 18.0;
    let beside = page.wrap(
        "The same key as a QR code. Typing it, the spaces do not matter, nor capitals.",
        false,
        9.5,
        width - MARGIN_X - beside_x,
    );
    page.lines(beside_x, y + 20.0, &beside, false, 9.5, 1.4, MUTED);
    y + side + 22.0
}

/// What to do with the sheet, step by step.
fn recovery_steps(page: &mut Page, mut y: f32) -> f32 {
    let inner = page.width - 2.0 * MARGIN_X;
    let steps = [
        "Keep this sheet somewhere safe and away from the laptop: a locked drawer at home, or a safe. Anyone with this sheet and a copy of the data can read it.",
        "Do not photograph it, email it or keep it in the data folder.",
        "To open the data on a new computer: install Regulars, put the data folder (or a backup, renamed regulars.sqlite3) in place, start the app and type this key when it asks.",
        "Forgot the owner PIN? On the PIN screen choose “Forgot the PIN?” and type this key.",
        "If this sheet is lost while the app still opens, save a new one from Settings and destroy the old.",
    ];
    let heading = page.wrap("What to do with it", true, 12.0, inner);
    y = page.lines(MARGIN_X, y, &heading, true, 12.0, 1.3, ACCENT);
    for step in steps {
        let lines = page.wrap(step, false, 10.0, inner - 14.0);
        page.fill(MARGIN_X + 2.0, y + 10.0, 4.0, 4.0, ACCENT);
        y = page.lines(MARGIN_X + 14.0, y + 6.0, &lines, false, 10.0, 1.4, INK);
    }
    y
}

// ---------------------------------------------------------------------------
// Sizes and colours

#[derive(Clone, Copy)]
struct Style {
    compact: bool,
    body: f32,
    small: f32,
    title: f32,
    heading: f32,
    /// Line height as a multiple of the font size.
    lh: f32,
    /// Space between sections.
    gap: f32,
    /// Padding above and below the text of a table row.
    row_pad: f32,
}

impl Style {
    const NORMAL: Style =
        Style { compact: false, body: 10.5, small: 8.5, title: 22.0, heading: 12.0, lh: 1.32, gap: 16.0, row_pad: 5.0 };
    const COMPACT: Style =
        Style { compact: true, body: 8.5, small: 7.2, title: 17.0, heading: 10.0, lh: 1.22, gap: 9.0, row_pad: 2.6 };
}

const INK: (f32, f32, f32) = (0.110, 0.137, 0.129);
const MUTED: (f32, f32, f32) = (0.357, 0.404, 0.392);
const ACCENT: (f32, f32, f32) = (0.059, 0.463, 0.431);
const RULE: (f32, f32, f32) = (0.82, 0.85, 0.84);
const TINT: (f32, f32, f32) = (0.933, 0.969, 0.961);
const ZEBRA: (f32, f32, f32) = (0.965, 0.969, 0.961);
const KEY: (f32, f32, f32) = (1.0, 0.965, 0.84);
const KEY_LINE: (f32, f32, f32) = (0.914, 0.788, 0.416);

const MARGIN_X: f32 = 54.0;
const MARGIN_TOP: f32 = 48.0;
const MARGIN_BOTTOM: f32 = 42.0;

fn color((r, g, b): (f32, f32, f32)) -> Color {
    Color::Rgb(Rgb::new(r, g, b, None))
}

// ---------------------------------------------------------------------------
// Text

/// NFC, every kind of line break or control character as a space, runs of
/// spaces as one.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfc() {
        let c = if c.is_control() || c == '\u{2028}' || c == '\u{2029}' { ' ' } else { c };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    out.trim_end().to_string()
}

/// Invisible characters that are fine to drop without telling anyone:
/// variation selectors, joiners, bidi marks, tag characters.
fn invisible(c: char) -> bool {
    matches!(c as u32, 0xFE00..=0xFE0F | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0xE0000..=0xE007F | 0xFEFF)
}

struct Page<'f> {
    fonts: &'f Fonts,
    regular: FontId,
    bold: FontId,
    width: f32,
    height: f32,
    ops: Vec<Op>,
    /// The customer's photo, for the top right corner.
    photo: Option<XObjectId>,
    left_out: BTreeSet<char>,
    /// False once something was placed below the lowest line allowed.
    fits: bool,
}

impl<'f> Page<'f> {
    fn new(fonts: &'f Fonts, regular: FontId, bold: FontId, width: f32, height: f32) -> Self {
        Page {
            fonts,
            regular,
            bold,
            width,
            height,
            ops: Vec::with_capacity(512),
            photo: None,
            left_out: BTreeSet::new(),
            fits: true,
        }
    }

    fn face(&self, bold: bool) -> &'f ParsedFont {
        if bold {
            &self.fonts.bold
        } else {
            &self.fonts.regular
        }
    }

    /// Keeps the characters the face can draw, noting the others.
    fn drawable(&mut self, text: &str, bold: bool) -> String {
        let face = self.face(bold);
        let mut out = String::with_capacity(text.len());
        for c in clean(text).chars() {
            if invisible(c) {
                continue;
            }
            if c == ' ' || face.lookup_glyph_index(c as u32).is_some_and(|g| g != 0) {
                out.push(c);
            } else {
                self.left_out.insert(c);
            }
        }
        // Dropping an emoji between two spaces must not leave a double space.
        clean(&out)
    }

    fn measure(&self, text: &str, bold: bool, size: f32) -> f32 {
        let face = self.face(bold);
        let units = f32::from(face.pdf_font_metrics.units_per_em.max(1));
        let total: u32 = text
            .chars()
            .map(|c| face.lookup_glyph_index(c as u32).map_or(0, |g| u32::from(face.get_horizontal_advance(g))))
            .sum();
        total as f32 * size / units
    }

    /// Greedy word wrap in `max` points; a word longer than a line is
    /// broken between characters. Lines come back in visual order.
    fn wrap(&mut self, text: &str, bold: bool, size: f32, max: f32) -> Vec<String> {
        let text = self.drawable(text, bold);
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if self.measure(&candidate, bold, size) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if self.measure(word, bold, size) <= max {
                line = word.to_string();
                continue;
            }
            for c in word.chars() {
                line.push(c);
                if self.measure(&line, bold, size) > max && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines.into_iter().map(|l| visual_order(&l)).collect()
    }

    fn check(&mut self, bottom: f32, limit: f32) {
        if bottom > limit + 0.01 {
            self.fits = false;
        }
    }

    /// Draws one line of text with its baseline at `y` (from the top).
    fn text(&mut self, x: f32, y: f32, text: &str, bold: bool, size: f32, ink: (f32, f32, f32)) {
        if text.is_empty() {
            return;
        }
        let font = if bold { self.bold.clone() } else { self.regular.clone() };
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: color(ink) },
            Op::SetFont { font: PdfFontHandle::External(font), size: Pt(size) },
            Op::SetTextCursor { pos: Point { x: Pt(x), y: Pt(self.height - y) } },
            Op::ShowText { items: vec![TextItem::Text(text.to_string())] },
            Op::EndTextSection,
        ]);
    }

    /// Lines of text from `top`, each `size * lh` high; returns the bottom.
    /// (Position, text and its look, all plain numbers: a struct for them
    /// would only rename the arguments at every call.)
    #[allow(clippy::too_many_arguments)]
    fn lines(
        &mut self,
        x: f32,
        top: f32,
        lines: &[String],
        bold: bool,
        size: f32,
        lh: f32,
        ink: (f32, f32, f32),
    ) -> f32 {
        let step = size * lh;
        for (i, line) in lines.iter().enumerate() {
            let baseline = top + i as f32 * step + baseline_offset(size, lh);
            self.text(x, baseline, line, bold, size, ink);
        }
        top + lines.len() as f32 * step
    }

    fn fill(&mut self, x: f32, top: f32, w: f32, h: f32, fill: (f32, f32, f32)) {
        self.ops.push(Op::SetFillColor { col: color(fill) });
        self.ops.push(Op::DrawRectangle { rectangle: rect(x, self.height - top - h, w, h, PaintMode::Fill) });
    }

    fn frame(&mut self, x: f32, top: f32, w: f32, h: f32, stroke: (f32, f32, f32), thickness: f32) {
        self.ops.push(Op::SetOutlineColor { col: color(stroke) });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
        self.ops.push(Op::DrawRectangle { rectangle: rect(x, self.height - top - h, w, h, PaintMode::Stroke) });
    }

    /// Draws the photo as a `side`-point square with its top left at (x, top).
    fn image(&mut self, id: XObjectId, x: f32, top: f32, side: f32) {
        self.ops.push(Op::UseXobject {
            id,
            transform: XObjectTransform {
                translate_x: Some(Pt(x)),
                translate_y: Some(Pt(self.height - top - side)),
                scale_x: Some(side),
                scale_y: Some(side),
                ..XObjectTransform::default()
            },
        });
    }

    fn hline(&mut self, x1: f32, x2: f32, y: f32, stroke: (f32, f32, f32), thickness: f32) {
        let at = |x: f32| LinePoint { p: Point { x: Pt(x), y: Pt(self.height - y) }, bezier: false };
        let line = Line { points: vec![at(x1), at(x2)], is_closed: false };
        self.ops.push(Op::SetOutlineColor { col: color(stroke) });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
        self.ops.push(Op::DrawLine { line });
    }
}

fn rect(x: f32, y: f32, w: f32, h: f32, mode: PaintMode) -> Rect {
    Rect { x: Pt(x), y: Pt(y), width: Pt(w), height: Pt(h), mode: Some(mode), winding_order: None }
}

/// Where the baseline sits below the top of a line box.
fn baseline_offset(size: f32, lh: f32) -> f32 {
    size * ((lh - 1.0) / 2.0 + 0.80)
}

/// One line in visual (left-to-right drawing) order.
fn visual_order(line: &str) -> String {
    if !line.chars().any(is_rtl) {
        return line.to_string();
    }
    let info = unicode_bidi::BidiInfo::new(line, None);
    match info.paragraphs.first() {
        Some(para) => info.reorder_line(para, para.range.clone()).into_owned(),
        None => line.to_string(),
    }
}

fn is_rtl(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
}

fn long_date(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

fn short_date(date: NaiveDate, start: NaiveDate) -> String {
    if date.year() == start.year() {
        date.format("%a %-d %b").to_string()
    } else {
        date.format("%a %-d %b %Y").to_string()
    }
}

// ---------------------------------------------------------------------------
// The page, top to bottom

/// The plan page, top to bottom. The footer is drawn first: its height
/// decides how low the body may go.
fn compose(page: &mut Page, doc: &PlanDocument, s: &Style) {
    let limit = footer(page, doc, s) - 10.0;
    let mut y = plan_header(page, doc, s);
    y = welcome(page, doc, s, y);
    y = promise(page, doc, s, y);
    y = first_win(page, doc, s, y);
    y = checklist(page, doc, s, y);
    page.check(y, limit);
}

/// The page's left and right edges and the width between them.
fn columns(page: &Page) -> (f32, f32, f32) {
    let (left, right) = (MARGIN_X, page.width - MARGIN_X);
    (left, right, right - left)
}

/// The shop, "Welcome plan for", the customer's name and the start, with
/// the photo in the top right corner and the text wrapped beside it.
/// Returns where the body starts.
fn plan_header(page: &mut Page, doc: &PlanDocument, s: &Style) -> f32 {
    let (left, right, content) = columns(page);
    let mut y = MARGIN_TOP;
    let mut header_w = content;
    let mut photo_bottom = y;
    if let Some(photo) = page.photo.clone() {
        let side = if s.compact { 64.0 } else { 84.0 };
        page.image(photo, right - side, y, side);
        page.frame(right - side, y, side, side, RULE, 0.8);
        header_w = content - side - 14.0;
        photo_bottom = y + side;
    }
    let shop = page.wrap(&doc.shop_name.to_uppercase(), true, s.small + 1.0, header_w);
    y = page.lines(left, y, &shop[..shop.len().min(2)], true, s.small + 1.0, s.lh, ACCENT);
    y += s.gap * 0.35;
    let intro = page.wrap("Welcome plan for", false, s.heading, header_w);
    y = page.lines(left, y, &intro, false, s.heading, s.lh, MUTED);
    let name = page.wrap(&doc.customer_name, true, s.title, header_w);
    y = page.lines(left, y, &name, true, s.title, 1.18, INK);
    y += 2.0;
    let start = page.wrap(&format!("Starts on {}", long_date(doc.start_on)), false, s.body, header_w);
    y = page.lines(left, y, &start, false, s.body, s.lh, MUTED);
    y = y.max(photo_bottom);
    y += s.gap * 0.5;
    page.hline(left, right, y, ACCENT, 1.6);
    y + s.gap
}

/// The welcome message, when there is one.
fn welcome(page: &mut Page, doc: &PlanDocument, s: &Style, y: f32) -> f32 {
    if doc.welcome.trim().is_empty() {
        return y;
    }
    let (left, _, content) = columns(page);
    let welcome = page.wrap(&doc.welcome, false, s.body, content);
    page.lines(left, y, &welcome, false, s.body, s.lh, INK) + s.gap
}

/// The promise block: each label beside its text, on a tinted box.
fn promise(page: &mut Page, doc: &PlanDocument, s: &Style, y: f32) -> f32 {
    if doc.promise.is_empty() {
        return y;
    }
    let (left, _, content) = columns(page);
    let y = heading(page, left, y, "Our promise to you", s);
    let pad = if s.compact { 6.0 } else { 10.0 };
    let label_w = if s.compact { 100.0 } else { 118.0 };
    let value_w = content - 2.0 * pad - label_w - 8.0;
    let mut rows = Vec::new();
    for (label, text) in &doc.promise {
        let l = page.wrap(label, true, s.small, label_w);
        let v = page.wrap(text, false, s.body, value_w);
        let h = (l.len() as f32 * s.small * s.lh).max(v.len() as f32 * s.body * s.lh);
        rows.push((l, v, h));
    }
    let row_gap = if s.compact { 2.0 } else { 4.0 };
    let box_h = 2.0 * pad + rows.iter().map(|r| r.2).sum::<f32>() + row_gap * rows.len().saturating_sub(1) as f32;
    page.fill(left, y, content, box_h, TINT);
    page.fill(left, y, 3.0, box_h, ACCENT);
    let mut ry = y + pad;
    for (l, v, h) in &rows {
        // Labels sit on the value's first baseline.
        let shift = baseline_offset(s.body, s.lh) - baseline_offset(s.small, s.lh);
        page.lines(left + pad + 4.0, ry + shift, l, true, s.small, s.lh, MUTED);
        page.lines(left + pad + 4.0 + label_w + 8.0, ry, v, false, s.body, s.lh, INK);
        ry += h + row_gap;
    }
    y + box_h + s.gap
}

/// The first-value milestone, starred, when the plan has one.
fn first_win(page: &mut Page, doc: &PlanDocument, s: &Style, y: f32) -> f32 {
    let Some(m) = doc.tasks.iter().find(|t| t.milestone) else { return y };
    let (left, _, content) = columns(page);
    let pad = if s.compact { 6.0 } else { 9.0 };
    let inner = content - 2.0 * pad - 22.0;
    let label =
        page.wrap(&format!("Your first win  ·  by {}", short_date(m.due_on, doc.start_on)), true, s.small, inner);
    let title = page.wrap(&m.title, true, s.body + 1.0, inner);
    let h = 2.0 * pad + label.len() as f32 * s.small * s.lh + title.len() as f32 * (s.body + 1.0) * s.lh;
    page.fill(left, y, content, h, KEY);
    page.frame(left, y, content, h, KEY_LINE, 0.8);
    page.text(
        left + pad,
        y + pad + baseline_offset(s.heading + 2.0, 1.0),
        "★",
        false,
        s.heading + 2.0,
        (0.76, 0.55, 0.05),
    );
    let ty = page.lines(left + pad + 22.0, y + pad, &label, true, s.small, s.lh, MUTED);
    page.lines(left + pad + 22.0, ty, &title, true, s.body + 1.0, s.lh, INK);
    y + h + s.gap
}

/// The checklist: a table of task, who, due and a box to tick.
fn checklist(page: &mut Page, doc: &PlanDocument, s: &Style, y: f32) -> f32 {
    let (left, right, content) = columns(page);
    let mut y = heading(page, left, y, "Your checklist", s);
    if doc.tasks.is_empty() {
        let none = page.wrap("No tasks yet: we will plan your first weeks together.", false, s.body, content);
        return page.lines(left, y, &none, false, s.body, s.lh, MUTED);
    }
    let done_w = if s.compact { 30.0 } else { 36.0 };
    let due_w = if s.compact { 66.0 } else { 78.0 };
    let who_w = if s.compact { 82.0 } else { 96.0 };
    let task_w = content - done_w - due_w - who_w;
    let cols = [left, left + task_w, left + task_w + who_w, left + task_w + who_w + due_w];
    for (x, label) in cols.iter().zip(["Task", "Who", "Due", "Done"]) {
        page.text(x + CELL, y + baseline_offset(s.small, s.lh), label, true, s.small, MUTED);
    }
    y += s.small * s.lh + 3.0;
    page.hline(left, right, y, INK, 0.8);
    let table = TaskTable { cols, widths: [task_w, who_w, due_w, done_w] };
    for (i, task) in doc.tasks.iter().enumerate() {
        y = task_row(page, doc, task, i % 2 == 1, &table, s, y);
        page.hline(left, right, y, RULE, 0.5);
    }
    y
}

/// The space between a table cell's edge and its text.
const CELL: f32 = 6.0;

/// The checklist's columns: where each starts and how wide it is (task,
/// who, due, done).
struct TaskTable {
    cols: [f32; 4],
    widths: [f32; 4],
}

/// One task of the checklist, its row striped (or marked, for the first
/// win) and its done box on the first line. Returns the row's bottom.
fn task_row(
    page: &mut Page,
    doc: &PlanDocument,
    task: &PrintTask,
    striped: bool,
    table: &TaskTable,
    s: &Style,
    y: f32,
) -> f32 {
    let (left, _, content) = columns(page);
    let (cols, [task_w, who_w, due_w, done_w]) = (table.cols, table.widths);
    let title_text = if task.milestone { format!("★ {}", task.title) } else { task.title.clone() };
    let title = page.wrap(&title_text, task.milestone, s.body, task_w - 2.0 * CELL);
    let who = page.wrap(&task.owner, false, s.body, who_w - 2.0 * CELL);
    let due = page.wrap(&short_date(task.due_on, doc.start_on), false, s.body, due_w - 2.0 * CELL);
    let lines = title.len().max(who.len()).max(due.len()).max(1);
    let h = lines as f32 * s.body * s.lh + 2.0 * s.row_pad;
    if task.milestone {
        page.fill(left, y, content, h, KEY);
    } else if striped {
        page.fill(left, y, content, h, ZEBRA);
    }
    let top = y + s.row_pad;
    page.lines(cols[0] + CELL, top, &title, task.milestone, s.body, s.lh, INK);
    page.lines(cols[1] + CELL, top, &who, false, s.body, s.lh, INK);
    page.lines(cols[2] + CELL, top, &due, false, s.body, s.lh, INK);
    let b = s.body * 0.95;
    let bx = cols[3] + (done_w - b) / 2.0;
    let by = top + (s.body * s.lh - b) / 2.0;
    page.frame(bx, by, b, b, MUTED, 0.9);
    if task.done {
        page.text(bx + b * 0.08, by + b * 0.86, "✓", true, b * 1.1, ACCENT);
    }
    y + h
}

/// The footer every page shares: how to reach the shop. Returns its top.
fn footer(page: &mut Page, doc: &PlanDocument, s: &Style) -> f32 {
    let (left, right) = (MARGIN_X, page.width - MARGIN_X);
    let reach: Vec<String> = std::iter::once(doc.shop_name.clone())
        .chain(doc.contact.iter().cloned())
        .filter(|p| !p.trim().is_empty())
        .collect();
    let reach_lines = page.wrap(&reach.join("   ·   "), false, s.small + 0.5, right - left);
    let footer_h = 8.0 + s.small * s.lh + reach_lines.len() as f32 * (s.small + 0.5) * s.lh;
    let footer_top = page.height - MARGIN_BOTTOM - footer_h;
    page.hline(left, right, footer_top, RULE, 0.8);
    let fy = page.lines(left, footer_top + 8.0, &["How to reach us".to_string()], true, s.small, s.lh, ACCENT);
    page.lines(left, fy, &reach_lines, false, s.small + 0.5, s.lh, INK);
    footer_top
}

/// Draws the pet's photo, framed, in the square at (`x`, `top`) of `side`
/// points and says whether there was one: without a photo the sheet is
/// laid out without the square, so it never shows an empty frame.
fn draw_photo(page: &mut Page, photo: Option<&XObjectId>, x: f32, top: f32, side: f32) -> bool {
    let Some(photo) = photo else { return false };
    page.image(photo.clone(), x, top, side);
    page.frame(x, top, side, side, RULE, 0.8);
    true
}

/// One pet's sheet for the walker's clipboard: name, kind and breed, the
/// photo when there is one, vet, allergies, medication, feeding, handling
/// and the vaccinations with their dates.
fn compose_pet_sheet(page: &mut Page, doc: &PlanDocument, pet: &PetSheet, photo: Option<&XObjectId>, s: &Style) {
    let limit = footer(page, doc, s) - 10.0;
    let mut y = pet_header(page, doc, pet, photo, s);
    y = pet_facts(page, pet, s, y);
    y = vaccinations(page, pet, s, y);
    y = not_on_record(page, pet, s, y);
    page.check(y, limit);
}

/// The shop, "Pet sheet · customer", the pet's name and what it is, with
/// its photo in the top right corner when there is one. Returns where the
/// body starts.
fn pet_header(page: &mut Page, doc: &PlanDocument, pet: &PetSheet, photo: Option<&XObjectId>, s: &Style) -> f32 {
    let (left, right, content) = columns(page);
    let mut y = MARGIN_TOP;
    let side = if s.compact { 96.0 } else { 120.0 };
    let has_photo = draw_photo(page, photo, right - side, y, side);
    let head_w = if has_photo { content - side - 16.0 } else { content };
    let shop = page.wrap(&doc.shop_name.to_uppercase(), true, s.small + 1.0, head_w);
    y = page.lines(left, y, &shop[..shop.len().min(2)], true, s.small + 1.0, s.lh, ACCENT);
    y += s.gap * 0.35;
    let intro = page.wrap(&format!("Pet sheet · {}", doc.customer_name), false, s.heading, head_w);
    y = page.lines(left, y, &intro, false, s.heading, s.lh, MUTED);
    let name = page.wrap(&pet.name, true, s.title, head_w);
    y = page.lines(left, y, &name, true, s.title, 1.18, INK);
    if !pet.about.is_empty() {
        let about = page.wrap(&pet.about, false, s.body, head_w);
        y = page.lines(left, y + 2.0, &about, false, s.body, s.lh, MUTED);
    }
    if has_photo {
        y = y.max(MARGIN_TOP + side);
    }
    y += s.gap * 0.5;
    page.hline(left, right, y, ACCENT, 1.6);
    y + s.gap
}

/// The facts, label beside text, as the promise block on the plan.
fn pet_facts(page: &mut Page, pet: &PetSheet, s: &Style, mut y: f32) -> f32 {
    let (left, _, content) = columns(page);
    if !pet.facts.is_empty() {
        let label_w = if s.compact { 100.0 } else { 118.0 };
        let value_w = content - label_w - 8.0;
        for (label, text) in &pet.facts {
            let l = page.wrap(label, true, s.small, label_w);
            let v = page.wrap(text, false, s.body, value_w);
            let shift = baseline_offset(s.body, s.lh) - baseline_offset(s.small, s.lh);
            page.lines(left, y + shift, &l, true, s.small, s.lh, MUTED);
            let bottom = page.lines(left + label_w + 8.0, y, &v, false, s.body, s.lh, INK);
            y = bottom.max(y + l.len() as f32 * s.small * s.lh) + (if s.compact { 3.0 } else { 6.0 });
        }
        y += s.gap * 0.6;
    }
    y
}

/// The vaccinations as a small table; due or expired ones marked.
fn vaccinations(page: &mut Page, pet: &PetSheet, s: &Style, y: f32) -> f32 {
    let (left, right, content) = columns(page);
    let mut y = heading(page, left, y, "Vaccinations", s);
    if pet.vaccinations.is_empty() {
        let none = page.wrap("None recorded.", false, s.body, content);
        y = page.lines(left, y, &none, false, s.body, s.lh, MUTED);
    } else {
        let widths = [content * 0.38, content * 0.2, content * 0.2, content * 0.22];
        let cell = 6.0;
        let mut x = left;
        let mut cols = [0.0; 4];
        for (i, w) in widths.iter().enumerate() {
            cols[i] = x;
            x += w;
        }
        for (x, label) in cols.iter().zip(["Vaccination", "Given", "Expires", ""]) {
            page.text(x + cell, y + baseline_offset(s.small, s.lh), label, true, s.small, MUTED);
        }
        y += s.small * s.lh + 3.0;
        page.hline(left, right, y, INK, 0.8);
        for (i, row) in pet.vaccinations.iter().enumerate() {
            let cells: Vec<Vec<String>> =
                row.iter().zip(widths).map(|(text, w)| page.wrap(text, false, s.body, w - 2.0 * cell)).collect();
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let h = lines as f32 * s.body * s.lh + 2.0 * s.row_pad;
            let alert = row[3] == "Expired" || row[3].starts_with("Due");
            if alert {
                page.fill(left, y, content, h, KEY);
            } else if i % 2 == 1 {
                page.fill(left, y, content, h, ZEBRA);
            }
            for (col, lines) in cols.iter().zip(&cells) {
                page.lines(col + cell, y + s.row_pad, lines, false, s.body, s.lh, INK);
            }
            y += h;
            page.hline(left, right, y, RULE, 0.5);
        }
    }
    y
}

/// The required vaccinations the pet has no record of, when any.
fn not_on_record(page: &mut Page, pet: &PetSheet, s: &Style, mut y: f32) -> f32 {
    let (left, _, content) = columns(page);
    if !pet.missing.is_empty() {
        y += s.gap * 0.4;
        let missing = page.wrap(&format!("Not on record: {}", pet.missing.join(", ")), true, s.body, content);
        y = page.lines(left, y, &missing, true, s.body, s.lh, (0.62, 0.16, 0.12));
    }
    y
}

fn heading(page: &mut Page, left: f32, y: f32, text: &str, s: &Style) -> f32 {
    let lines = page.wrap(text, true, s.heading, page.width);
    page.lines(left, y, &lines, true, s.heading, s.lh, ACCENT) + s.gap * 0.4
}

/// The welcome message, opened with the name the customer goes by when
/// they have one ("Hi Liz! Welcome to the gym!"); else as it was written.
fn greeted(preferred_name: &str, welcome: &str) -> String {
    if preferred_name.is_empty() {
        return welcome.to_string();
    }
    format!("Hi {preferred_name}! {welcome}").trim_end().to_string()
}

/// Everything the one-page PDF shows for a customer's current plan.
pub fn document(conn: &Connection, customer_id: &str, today: NaiveDate) -> Result<PlanDocument> {
    let customer_name = crate::records::customers::display_name(conn, customer_id)?;
    let preferred_name = crate::records::customers::preferred_name(conn, customer_id)?;
    let plan = onboarding::for_customer(conn, customer_id, today)?
        .ok_or(Error::NotFound("An onboarding plan for this customer"))?;
    let shop = settings::load(conn)?;
    let contact = onboarding::contact(conn)?;
    let kinds: Vec<(String, String)> = conn
        .prepare_cached("SELECT owner_kind, owner_name FROM plan_tasks WHERE plan_id = ?1 ORDER BY position")?
        .query_map([&plan.id], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let tasks = plan
        .tasks
        .iter()
        .zip(kinds.iter())
        .map(|(t, (kind, name))| PrintTask {
            title: t.title.clone(),
            owner: onboarding::owner_label(kind, name, true),
            due_on: t.due_on,
            done: t.done_at.is_some(),
            milestone: t.milestone,
        })
        .collect();
    Ok(PlanDocument {
        shop_name: shop.shop_name,
        customer_name,
        start_on: plan.start_on,
        welcome: greeted(&preferred_name, &plan.welcome),
        promise: plan.promise.lines().into_iter().map(|(l, t)| (l.to_string(), t)).collect(),
        tasks,
        contact: [contact.phone, contact.email, contact.address, contact.website]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect(),
        paper: shop.paper_size,
        photo: crate::records::photos::bytes_of(conn, customer_id, None, crate::records::photos::Size::Large)?,
        pets: if pet_sheets_for(shop.business_kind) { pet_sheets(conn, customer_id, today)? } else { Vec::new() },
    })
}

/// Shops whose welcome plan carries a pet sheet: dog walking, and grooming
/// (which sets itself up as a salon or "other").
pub fn pet_sheets_for(kind: settings::BusinessKind) -> bool {
    !matches!(kind, settings::BusinessKind::Gym)
}

/// The pet sheets of a customer's pets. `photo` gives a pet's photo bytes
/// by its person id (the photo feature passes its reader; `None` leaves
/// the sheets without photos).
pub fn pet_sheets(conn: &Connection, customer_id: &str, today: NaiveDate) -> Result<Vec<PetSheet>> {
    let mut sheets = Vec::new();
    for pet in crate::records::pets::for_customer(conn, customer_id, today)? {
        let photo = crate::records::photos::bytes_of(
            conn,
            customer_id,
            Some(&pet.person_id),
            crate::records::photos::Size::Large,
        )?;
        sheets.push(PetSheet {
            about: pet_about(&pet),
            facts: pet_facts_of(&pet.record),
            vaccinations: vaccination_rows(&pet),
            name: pet.name,
            missing: pet.missing,
            photo,
        });
    }
    Ok(sheets)
}

/// A stored date as the sheet prints it ("4 Mar 2026"), or "" when unreadable.
fn sheet_day(text: &str) -> String {
    crate::kernel::time::stored_day(text).map(|d| d.format("%-d %b %Y").to_string()).unwrap_or_default()
}

/// "Dog · Beagle · 4 years": the kind, breed and age that are known.
fn pet_about(pet: &crate::records::pets::PetRecord) -> String {
    let mut about = vec![text::capitalised(&pet.kind)];
    if !pet.record.breed.is_empty() {
        about.push(pet.record.breed.clone());
    }
    if let Some(age) = &pet.age {
        about.push(age.clone());
    }
    about.join(" · ")
}

/// The facts the walker needs, label and text, those with a text only.
fn pet_facts_of(r: &crate::records::pets::PetInput) -> Vec<(String, String)> {
    let vet = [r.vet_name.as_str(), r.vet_phone.as_str()]
        .iter()
        .filter(|t| !t.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let reactive = if r.reactive_to_dogs { "Yes: keep distance from other dogs".to_string() } else { String::new() };
    [
        ("Vet", vet),
        ("Born", sheet_day(&r.birthday)),
        ("Allergies", r.allergies.clone()),
        ("Medication", r.medication.clone()),
        ("Feeding", r.feeding.clone()),
        ("On the lead", r.on_lead.clone()),
        ("Recall", r.recall.clone()),
        ("Reactive to other dogs", reactive),
        ("Handling", r.handling.clone()),
    ]
    .into_iter()
    .filter(|(_, text)| !text.trim().is_empty())
    .map(|(label, text)| (label.to_string(), text))
    .collect()
}

/// Each vaccination as the table's cells: name, given, expires, state.
fn vaccination_rows(pet: &crate::records::pets::PetRecord) -> Vec<[String; 4]> {
    use crate::records::pets::VaccineState;
    pet.vaccinations
        .iter()
        .map(|v| {
            let state = match v.state {
                VaccineState::Ok => "Valid",
                VaccineState::Due => "Due soon",
                VaccineState::Expired => "Expired",
                VaccineState::Replaced => "Replaced",
            };
            [
                v.name.clone(),
                v.given_on.as_deref().map(sheet_day).unwrap_or_default(),
                sheet_day(&v.expires_on),
                state.to_string(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_folds_breaks_and_composes() {
        assert_eq!(clean("Zoe\u{0308}\n  Mu\u{0308}ller\t"), "Zoë Müller");
    }

    #[test]
    fn hebrew_is_drawn_in_visual_order() {
        assert_eq!(visual_order("שלום"), "םולש");
        assert_eq!(visual_order("Ana"), "Ana");
    }
}
