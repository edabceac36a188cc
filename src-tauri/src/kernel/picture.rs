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
//! Every input is untrusted (a file, the clipboard): the byte count, the
//! pixel count and the decoded picture's memory (`DECODE_BUDGET`) are
//! capped before decoding, the decoded picture is the only full-size copy
//! (the square is shrunk from it before it is turned upright), and a
//! decoder panic is caught, so any bytes give either two thumbnails or an
//! `Invalid { field: "photo" }` that says what to do.

use std::io::Cursor;

use image::imageops::{self, FilterType};
use image::{DynamicImage, ImageDecoder, ImageReader, Limits, RgbImage};

use crate::kernel::error::{Error, Result};

/// The biggest file or paste read (a phone's photo is 2 to 12 MB).
pub const MAX_BYTES: usize = 30 * 1024 * 1024;
/// The most pixels decoded (a 48-megapixel phone photo fits).
pub const MAX_PIXELS: u64 = 50_000_000;
/// The most memory a decoded picture may take, 256 MB, worked out from
/// its header (pixels × channels × bytes per channel) before a byte is
/// decoded. A 48-megapixel phone photo (8-bit RGB) takes 144 MB; a 16-bit
/// picture fits up to about 44 megapixels (RGB) or 33 (RGBA). It is also
/// the decoder's own allocation limit. Nothing else made from a picture is
/// full size: the centred square is shrunk straight from the decoded
/// picture (`WORKING`), and the decoded picture is dropped before the
/// square is turned upright, so one photo peaks at this and a little more.
pub const DECODE_BUDGET: u64 = 256 * 1024 * 1024;
/// The side of the card's photo, in pixels.
pub const LARGE: u32 = 256;
/// The side of the list's photo, in pixels.
pub const SMALL: u32 = 64;
/// The largest side of the square worked on after decoding: twice the
/// card's photo, so the last resize still has pixels to blend (512 × 512
/// at 16-bit RGBA is 2 MB).
pub const WORKING: u32 = 2 * LARGE;
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
    invalid(format!(
        "That picture is {} MB; a photo of up to {} MB can be used.",
        size.div_ceil(1024 * 1024),
        MAX_BYTES / (1024 * 1024)
    ))
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
    let square = std::panic::catch_unwind(|| upright_square(bytes)).unwrap_or_else(|_| Err(unreadable()))?;
    Ok(from_square(&square))
}

fn unreadable() -> Error {
    invalid("That picture could not be read: it may be damaged or cut short. Try saving it again as a JPEG or PNG.")
}

/// The picture's centred square, at most `WORKING` pixels a side, upright
/// (its EXIF orientation applied). The decoded picture is the one
/// full-size copy and is gone before the square is turned: a square's
/// centre is where it was, so cropping first and turning after gives the
/// same square.
fn upright_square(bytes: &[u8]) -> Result<DynamicImage> {
    let (picture, orientation) = decode(bytes)?;
    let mut square = centred_square(&picture, WORKING);
    drop(picture);
    square.apply_orientation(orientation);
    Ok(square)
}

/// The picture as decoded, within the limits, and how to turn it upright.
fn decode(bytes: &[u8]) -> Result<(DynamicImage, image::metadata::Orientation)> {
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
    let too_large = || {
        invalid(format!("That picture is too large to read ({width} × {height} pixels in deep colour). Use a smaller copy of it, or save it as a JPEG."))
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(DECODE_BUDGET);
    let mut reader = reader()?;
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|error| match error {
        image::ImageError::Limits(_) => too_large(),
        _ => unreadable(),
    })?;
    // What the decoded picture will take, from its header and colour type:
    // refused before it is allocated (the decoders do not all count it).
    if decoder.total_bytes() > DECODE_BUDGET {
        return Err(too_large());
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let picture = DynamicImage::from_decoder(decoder).map_err(|error| match error {
        image::ImageError::Limits(_) => too_large(),
        _ => unreadable(),
    })?;
    Ok((picture, orientation))
}

/// The centred square of `picture`, shrunk to at most `most` pixels a
/// side straight from the picture (each of its pixels averaged into one
/// of the square's), so no full-size copy is made; the colour type stays.
fn centred_square(picture: &DynamicImage, most: u32) -> DynamicImage {
    let (width, height) = (picture.width(), picture.height());
    let side = width.min(height).max(1);
    let (x, y) = ((width - side) / 2, (height - side) / 2);
    let out = side.min(most);
    macro_rules! shrunk {
        ($($variant:ident),*) => {
            match picture {
                $(DynamicImage::$variant(buffer) => DynamicImage::from(imageops::thumbnail(&*imageops::crop_imm(buffer, x, y, side, side), out, out)),)*
                // Every colour type is listed above; one added to `image`
                // later is copied once, then shrunk.
                other => other.crop_imm(x, y, side, side).thumbnail_exact(out, out),
            }
        };
    }
    shrunk!(
        ImageLuma8,
        ImageLumaA8,
        ImageRgb8,
        ImageRgba8,
        ImageLuma16,
        ImageLumaA16,
        ImageRgb16,
        ImageRgba16,
        ImageRgb32F,
        ImageRgba32F
    )
}

/// The two thumbnails of a decoded picture (upright already): the centred
/// square, on white where it is transparent.
pub fn from_image(picture: DynamicImage) -> Thumbnails {
    let square = centred_square(&picture, WORKING);
    drop(picture);
    from_square(&square)
}

/// The two thumbnails of a square picture.
fn from_square(square: &DynamicImage) -> Thumbnails {
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
        let picture = image::RgbaImage::from_fn(width, height, |x, y| {
            image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, if x < width / 2 { 255 } else { 0 }])
        });
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
