//! Photos as the shop keeps them: whatever picture the desk chose or
//! pasted, checked, turned upright, cropped to a centred square and stored
//! as two small JPEGs (256 px for the card and the printed plan, 64 px for
//! lists). No SQL and no files: bytes in, bytes out.
//!
//! Why JPEG: these are photos of faces and pets, where JPEG is a third of
//! the size of PNG at the same look; the `image` crate's WebP encoder is
//! lossless only (larger still); the window shows JPEG everywhere; and a
//! PDF embeds a JPEG as it is (`DCTDecode`), so the printed plan needs no
//! re-encoding. Transparency (a pasted PNG) is laid on white first.
//!
//! Every input is untrusted (a file, the clipboard): the byte count and
//! the pixel count are capped before decoding, the decoder's memory is
//! limited, and a decoder panic is caught, so any bytes give either two
//! thumbnails or an `Invalid { field: "photo" }` that says what to do.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits, RgbImage};

use crate::kernel::error::{Error, Result};

/// The biggest file or paste read (a phone's photo is 2 to 12 MB).
pub const MAX_BYTES: usize = 30 * 1024 * 1024;
/// The most pixels decoded (a 48-megapixel phone photo fits).
pub const MAX_PIXELS: u64 = 50_000_000;
/// The side of the card's photo, in pixels.
pub const LARGE: u32 = 256;
/// The side of the list's photo, in pixels.
pub const SMALL: u32 = 64;
/// JPEG quality: 80 keeps a face sharp at 256 px in about 10 KB; the 64 px
/// one is tiny either way, so it gets a little more.
const LARGE_QUALITY: u8 = 80;
const SMALL_QUALITY: u8 = 85;

/// The two stored sizes of one photo, JPEG-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnails {
    pub large: Vec<u8>,
    pub small: Vec<u8>,
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::invalid("photo", reason)
}

/// Why a picture of `size` bytes is not used.
pub fn too_big(size: u64) -> Error {
    invalid(format!("That picture is {} MB; a photo of up to {} MB can be used.", size.div_ceil(1024 * 1024), MAX_BYTES / (1024 * 1024)))
}

/// Checks and decodes a picture's bytes and makes its two thumbnails.
pub fn thumbnails(bytes: &[u8]) -> Result<Thumbnails> {
    if bytes.is_empty() {
        return Err(invalid("There is no picture there: the file or the clipboard is empty."));
    }
    if bytes.len() > MAX_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    // The decoders are fuzzed upstream, but a panic on some byte pattern
    // must still be a message, not a failed command.
    let decoded = std::panic::catch_unwind(|| decode(bytes)).unwrap_or_else(|_| Err(unreadable()))?;
    Ok(from_image(decoded))
}

fn unreadable() -> Error {
    invalid("That picture could not be read: it may be damaged or cut short. Try saving it again as a JPEG or PNG.")
}

/// The picture upright (its EXIF orientation applied), within the limits.
fn decode(bytes: &[u8]) -> Result<DynamicImage> {
    let not_a_picture = || invalid("That is not a picture Regulars can read. Use a JPEG, PNG or WebP photo.");
    let reader = || -> Result<ImageReader<Cursor<&[u8]>>> {
        let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_| not_a_picture())?;
        if reader.format().is_none() {
            return Err(not_a_picture());
        }
        Ok(reader)
    };
    // The size from the header first (no limits needed: nothing is
    // decoded yet), so a huge picture is refused before a byte of it is.
    let mut header = reader()?;
    header.no_limits();
    let (width, height) = header.into_dimensions().map_err(|error| match error {
        image::ImageError::Unsupported(_) => not_a_picture(),
        _ => unreadable(),
    })?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(invalid(format!(
            "That picture is {width} × {height} pixels; use one of up to {} megapixels.",
            MAX_PIXELS / 1_000_000
        )));
    }
    if width == 0 || height == 0 {
        return Err(unreadable());
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    // RGBA at 16 bits per channel for the whole picture, and some room.
    limits.max_alloc = Some(MAX_PIXELS * 8 + 64 * 1024 * 1024);
    let mut reader = reader()?;
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| unreadable())?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|error| match error {
        image::ImageError::Limits(_) => invalid(format!(
            "That picture is too large to read ({width} × {height} pixels). Use a smaller copy of it."
        )),
        _ => unreadable(),
    })?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

/// The two thumbnails of a decoded picture: the centred square, on white
/// where it is transparent.
pub fn from_image(picture: DynamicImage) -> Thumbnails {
    let (width, height) = (picture.width(), picture.height());
    let side = width.min(height).max(1);
    let square = picture.crop_imm((width - side) / 2, (height - side) / 2, side, side);
    let large = on_white(&square.resize_exact(LARGE, LARGE, FilterType::Triangle));
    let small = DynamicImage::ImageRgb8(large.clone()).resize_exact(SMALL, SMALL, FilterType::Triangle).to_rgb8();
    Thumbnails { large: jpeg(&large, LARGE_QUALITY), small: jpeg(&small, SMALL_QUALITY) }
}

/// Opaque RGB: each pixel blended over white by its alpha.
fn on_white(picture: &DynamicImage) -> RgbImage {
    if !picture.color().has_alpha() {
        return picture.to_rgb8();
    }
    let rgba = picture.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| ((u32::from(c) * u32::from(a) + 255 * (255 - u32::from(a)) + 127) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    })
}

fn jpeg(picture: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 * 1024);
    // Encoding an in-memory RGB buffer into a Vec cannot fail.
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(picture)
        .expect("JPEG encoding into memory");
    out
}

/// Whether `bytes` start like the JPEGs `thumbnails` makes (the check
/// before a stored photo is put in a PDF or served to the window).
pub fn is_jpeg(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8, 0xFF])
}

/// The pixel size of a JPEG, read from its header without decoding it.
pub fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    ImageReader::with_format(Cursor::new(bytes), image::ImageFormat::Jpeg).into_dimensions().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbaImage::from_fn(width, height, |x, y| image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, if x < width / 2 { 255 } else { 0 }]));
        let mut out = Vec::new();
        picture.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn a_wide_picture_becomes_two_centred_squares() {
        let made = thumbnails(&png(600, 300)).unwrap();
        assert_eq!(jpeg_size(&made.large), Some((LARGE, LARGE)));
        assert_eq!(jpeg_size(&made.small), Some((SMALL, SMALL)));
        assert!(is_jpeg(&made.large) && is_jpeg(&made.small));
        // The transparent right half is white now.
        let large = image::load_from_memory(&made.large).unwrap().to_rgb8();
        let [r, g, b] = large.get_pixel(250, 128).0;
        assert!(r > 235 && g > 235 && b > 235, "{r} {g} {b}");
    }

    #[test]
    fn anything_that_is_not_a_picture_is_refused_with_a_reason() {
        let reason = |bytes: &[u8]| thumbnails(bytes).unwrap_err().to_string();
        assert!(reason(b"").contains("empty"));
        assert!(reason(b"hello, not a picture").contains("not a picture"));
        assert!(reason(b"GIF89a\x01\x00\x01\x00").contains("not a picture"), "GIF is not compiled in");
        let cut = png(40, 40);
        assert!(reason(&cut[..cut.len() / 2]).contains("could not be read"));
        let header_only = &cut[..33];
        assert!(reason(header_only).contains("could not be read"));
    }
}
