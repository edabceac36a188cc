//! A shared shop's changes as the server keeps them: sealed with
//! XChaCha20-Poly1305 under a key derived from the shop key, so whoever
//! runs the server sees sizes and opaque ids, never a name or a note, and
//! cannot alter, swap or replay a change under another id unnoticed: the
//! stream's subject, the change id and the sending device are bound into
//! each seal as associated data.

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::kernel::error::{Error, Result};
use crate::kernel::secret::Key;

/// What the derived key is for; another purpose gets another key.
const PURPOSE: &str = "regulars shared shop changes v1";
/// XChaCha20's nonce: 24 random bytes, so random nonces never repeat in practice.
const NONCE_BYTES: usize = 24;

/// The associated data: where a sealed change may be opened, and as what.
pub struct Binding<'a> {
    pub subject: &'a str,
    pub change_id: &'a str,
    pub device: &'a str,
}

impl Binding<'_> {
    fn bytes(&self) -> Vec<u8> {
        // Length-prefixed, so no two bindings give the same bytes.
        let mut out = Vec::new();
        for part in [self.subject, self.change_id, self.device] {
            out.extend_from_slice(&(part.len() as u64).to_be_bytes());
            out.extend_from_slice(part.as_bytes());
        }
        out
    }
}

fn cipher(key: &Key) -> Result<XChaCha20Poly1305> {
    let derived = key.derive(PURPOSE)?;
    Ok(XChaCha20Poly1305::new(derived.as_ref().into()))
}

/// The nonce, then the ciphertext and its tag.
pub fn seal(key: &Key, binding: &Binding, plain: &[u8]) -> Result<Vec<u8>> {
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let sealed = cipher(key)?
        .encrypt(&nonce, Payload { msg: plain, aad: &binding.bytes() })
        .map_err(|_| Error::Conflict("A change could not be sealed.".into()))?;
    let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// The plain bytes of a change sealed with `key` for exactly `binding`;
/// anything else (another shop's key, a byte changed, another id or
/// device) is `Error::WrongKey`.
pub fn open(key: &Key, binding: &Binding, sealed: &[u8]) -> Result<Vec<u8>> {
    if sealed.len() < NONCE_BYTES {
        return Err(Error::WrongKey);
    }
    let (nonce, body) = sealed.split_at(NONCE_BYTES);
    cipher(key)?
        .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: &binding.bytes() })
        .map_err(|_| Error::WrongKey)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_change_opens_only_with_its_key_and_binding() {
        let key = Key::generate();
        let binding = Binding { subject: "s.changes", change_id: "c1", device: "d1" };
        let sealed = seal(&key, &binding, b"Maria 0612").expect("sealed");
        assert!(!sealed.windows(5).any(|w| w == b"Maria"));
        assert_eq!(open(&key, &binding, &sealed).expect("opens"), b"Maria 0612");
        assert!(open(&Key::generate(), &binding, &sealed).is_err());
        let other = Binding { change_id: "c2", ..binding };
        assert!(open(&key, &other, &sealed).is_err());
        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(open(&key, &Binding { subject: "s.changes", change_id: "c1", device: "d1" }, &flipped).is_err());
        assert!(open(&key, &Binding { subject: "s.changes", change_id: "c1", device: "d1" }, &[1, 2]).is_err());
    }
}
