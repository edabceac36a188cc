//! A file's bytes into a table of cells: the encoding from a byte-order
//! mark (UTF-8, UTF-16), else UTF-8 if the bytes are valid UTF-8, else
//! Windows-1252 (encoding_rs); the delimiter (comma, semicolon, tab, bar)
//! that gives the most rows with the same number of cells; quoted cells
//! may hold delimiters and newlines (the csv crate). Binary files are
//! refused. A vCard file is read by `vcard_rows`.

use std::collections::HashMap;
use std::path::Path;

use super::vcard_rows::vcard_table;
use super::Table;
use crate::io::safe_file;
use crate::io::vcard;
use crate::kernel::error::{Error, Result};

/// The biggest spreadsheet or contacts file an import reads (it is read
/// into memory whole).
pub const IMPORT_LIMIT: u64 = 200 * 1024 * 1024;

/// Why a file of `size` bytes is not imported.
pub fn too_big_to_import(size: u64) -> Error {
    let megabytes = |bytes: u64| bytes.div_ceil(1024 * 1024);
    Error::invalid(
        "file",
        format!(
            "That file is {} MB; a spreadsheet of up to {} MB can be imported.",
            megabytes(size),
            megabytes(IMPORT_LIMIT)
        ),
    )
}

/// Reads and decodes a file into a table. The file is opened once and
/// read through its handle up to `IMPORT_LIMIT` (`safe_file::read_limited`):
/// one swapped for a device, a pipe or a bigger file since it was chosen
/// is refused, never read until memory runs out.
pub fn read_file(path: &Path) -> Result<Table> {
    parse(&safe_file::read_limited(path, IMPORT_LIMIT, too_big_to_import)?)
}

/// Decodes bytes to text: a BOM decides; else UTF-8 if valid; else Windows-1252.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str)> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::invalid("file", "The file is empty."));
    }
    if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
        return Ok((text.into_owned(), encoding.name()));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(Error::invalid(
            "file",
            "This is an Excel or other office workbook, not a CSV file. Open it in your spreadsheet and save it as \"CSV\", then import that.",
        ));
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err(not_text());
    }
    let (text, name) = match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), "UTF-8"),
        Err(_) => (encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned(), "windows-1252"),
    };
    let sample: Vec<char> = text.chars().take(4096).collect();
    let control = sample.iter().filter(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')).count();
    if control * 100 > sample.len() {
        return Err(not_text());
    }
    Ok((text, name))
}

fn not_text() -> Error {
    Error::invalid(
        "file",
        "This file is not a spreadsheet saved as text (CSV). Save it as CSV from your spreadsheet and import that.",
    )
}

/// Parses a whole file's bytes. The first non-empty row holds the headings.
pub fn parse(bytes: &[u8]) -> Result<Table> {
    if vcard::looks_like_vcard(bytes) {
        return Ok(vcard_table(bytes));
    }
    let (text, encoding) = decode(bytes)?;
    let delimiter = detect_delimiter(&text);
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut number = 0usize;
    for record in reader.records() {
        let record =
            record.map_err(|e| Error::invalid("file", format!("Row {} could not be read: {e}", number + 1)))?;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        number += 1;
        let cells: Vec<String> = record.iter().map(clean_cell).collect();
        match headers {
            None => headers = Some(cells),
            Some(_) => rows.push((number, cells)),
        }
    }
    let headers = headers.ok_or_else(|| Error::invalid("file", "The file is empty."))?;
    Ok(Table { encoding, delimiter, headers, rows })
}

/// Trims a cell and takes off the quote a spreadsheet export puts before
/// a value that starts like a formula ('=..., '+44 ...).
fn clean_cell(cell: &str) -> String {
    let cell = cell.trim();
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
        _ => cell.to_string(),
    }
}

/// The delimiter that splits the first rows most consistently into more
/// than one cell; a comma when none does.
pub fn detect_delimiter(text: &str) -> u8 {
    let mut end = text.len().min(64 * 1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    let cut = end < text.len();
    let mut best = (b',', (0usize, 0usize));
    for delimiter in [b',', b';', b'\t', b'|'] {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(sample.as_bytes());
        let mut counts: Vec<usize> = reader
            .records()
            .take(100)
            .filter_map(|r| r.ok())
            .filter(|r| !r.iter().all(|c| c.trim().is_empty()))
            .map(|r| r.len())
            .collect();
        if cut && counts.len() > 1 {
            counts.pop(); // the sample may end mid-row
        }
        let mut frequency: HashMap<usize, usize> = HashMap::new();
        for count in &counts {
            *frequency.entry(*count).or_default() += 1;
        }
        let (mode, times) = frequency.into_iter().max_by_key(|(cells, times)| (*times, *cells)).unwrap_or((0, 0));
        let score = if mode > 1 { (times, mode) } else { (0, 0) };
        if score > best.1 {
            best = (delimiter, score);
        }
    }
    best.0
}

pub(super) fn delimiter_name(delimiter: u8) -> &'static str {
    match delimiter {
        b';' => "semicolon",
        b'\t' => "tab",
        b'|' => "bar",
        _ => "comma",
    }
}
