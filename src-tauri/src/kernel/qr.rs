//! QR codes as a grid of dark and light modules, for the printed pages.

use serde::Serialize;

use crate::kernel::error::{Error, Result};
use ts_rs::TS;

/// The review link as a QR code: `width` modules a side, row by row,
/// `true` for dark. Drawn by the page (SVG) and the printed card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Qr {
    pub width: usize,
    pub dark: Vec<bool>,
}

pub fn qr(text: &str) -> Result<Qr> {
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|_| Error::invalid("review_link", "This link is too long for a QR code."))?;
    let dark = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    Ok(Qr { width: code.width(), dark })
}
