//! The shop key: 256 random bits SQLCipher uses as a raw key (no key
//! derivation on every start), the recovery key that writes it out for a
//! person, and the passphrase a shop without a keychain derives it from.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::kernel::error::{Error, Result};

/// Bytes in a key (256 bits).
const KEY_BYTES: usize = 32;
/// Hex digits per group on the recovery sheet, and groups per printed line.
const GROUP: usize = 4;
pub const GROUPS_PER_LINE: usize = 4;
/// A passphrase shorter than this is refused.
pub const MIN_PASSPHRASE_CHARS: usize = 10;

/// A shop key. Its bytes are wiped from memory when dropped, and `Debug`
/// never shows them (a key must not reach a log by a stray `{:?}`).
#[derive(Clone, PartialEq, Eq)]
pub struct Key(Zeroizing<[u8; KEY_BYTES]>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}

impl Key {
    /// 256 bits from the operating system's random source.
    pub fn generate() -> Key {
        let mut bytes = Zeroizing::new([0u8; KEY_BYTES]);
        OsRng.fill_bytes(bytes.as_mut());
        Key(bytes)
    }

    /// The key a passphrase gives with `kdf` (Argon2id; the same passphrase
    /// and parameters give the same key).
    pub fn from_passphrase(passphrase: &str, kdf: &Kdf) -> Result<Key> {
        let salt = hex::decode(&kdf.salt)
            .map_err(|_| Error::Conflict("The passphrase settings beside the shop file are damaged.".into()))?;
        let params = Params::new(kdf.m_kib, kdf.t, kdf.p, Some(KEY_BYTES))
            .map_err(|_| Error::Conflict("The passphrase settings beside the shop file are damaged.".into()))?;
        let mut bytes = Zeroizing::new([0u8; KEY_BYTES]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase.as_bytes(), &salt, bytes.as_mut())
            .map_err(|_| Error::Conflict("The passphrase settings beside the shop file are damaged.".into()))?;
        Ok(Key(bytes))
    }

    /// The key from its recovery text: 64 hex digits, in any case, with any
    /// spaces, dashes or line breaks between them (as typed off the sheet
    /// or read from its QR code).
    pub fn from_recovery(text: &str) -> Result<Key> {
        let digits: Zeroizing<String> =
            Zeroizing::new(text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect());
        let wrong = || {
            Error::invalid(
                "recovery_key",
                "A recovery key is 64 letters and digits (0–9, a–f), as printed on the recovery sheet.",
            )
        };
        if digits.len() != KEY_BYTES * 2 {
            return Err(wrong());
        }
        let mut bytes = Zeroizing::new([0u8; KEY_BYTES]);
        hex::decode_to_slice(digits.as_bytes(), bytes.as_mut()).map_err(|_| wrong())?;
        Ok(Key(bytes))
    }

    /// The key's 64 hex digits, written straight into memory that is wiped
    /// when dropped (no intermediate `String` is left behind in freed memory).
    fn digits(&self) -> Zeroizing<[u8; KEY_BYTES * 2]> {
        let mut digits = Zeroizing::new([0u8; KEY_BYTES * 2]);
        // Cannot fail: the buffer is exactly twice the key's length.
        let _ = hex::encode_to_slice(self.0.as_ref(), digits.as_mut());
        digits
    }

    /// `before`, the hex digits and `after`, in one wiped string of exactly
    /// the right capacity (so it never reallocates and leaves a copy).
    fn digits_between(&self, before: &str, after: &str) -> Zeroizing<String> {
        let digits = self.digits();
        let mut text = Zeroizing::new(String::with_capacity(before.len() + digits.len() + after.len()));
        text.push_str(before);
        text.push_str(std::str::from_utf8(digits.as_ref()).unwrap_or_default());
        text.push_str(after);
        text
    }

    /// The recovery key as printed: 16 groups of 4 hex digits.
    pub fn recovery_text(&self) -> Zeroizing<String> {
        let digits = self.digits();
        let mut text = Zeroizing::new(String::with_capacity(80));
        for (i, group) in digits.chunks(GROUP).enumerate() {
            if i > 0 {
                text.push(' ');
            }
            text.push_str(std::str::from_utf8(group).unwrap_or_default());
        }
        text
    }

    /// The hex digits alone, as the keychain keeps them.
    pub fn hex(&self) -> Zeroizing<String> {
        self.digits_between("", "")
    }

    /// The key as SQLCipher's raw-key literal, `x'…'` (64 hex digits: used
    /// as the key itself, no derivation).
    pub fn sql_literal(&self) -> Zeroizing<String> {
        self.digits_between("x'", "'")
    }

    /// A key for another use (`purpose` names it), derived with
    /// HKDF-SHA256: knowing it tells nothing of the shop key, and each
    /// purpose gets its own.
    pub fn derive(&self, purpose: &str) -> Result<Zeroizing<[u8; KEY_BYTES]>> {
        let mut derived = Zeroizing::new([0u8; KEY_BYTES]);
        let hkdf = hkdf::Hkdf::<sha2::Sha256>::new(None, self.0.as_ref());
        // 32 bytes is always within HKDF-SHA256's limit (8,160 bytes).
        hkdf.expand(purpose.as_bytes(), derived.as_mut())
            .map_err(|_| Error::Conflict("A key for sharing could not be derived.".into()))?;
        Ok(derived)
    }

    /// Compared in constant time (a recovery key typed to reset the PIN).
    pub fn same_as(&self, other: &Key) -> bool {
        self.0.iter().zip(other.0.iter()).fold(0u8, |diff, (a, b)| diff | (a ^ b)) == 0
    }
}

/// How a passphrase becomes the key: Argon2id with these parameters and
/// salt, kept beside the shop file (none of them is secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kdf {
    /// 16 random bytes, hex.
    pub salt: String,
    /// Memory in KiB, passes, lanes.
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl Kdf {
    /// A fresh salt with the argon2 crate's default cost (19 MiB, 2 passes,
    /// 1 lane: OWASP's recommended minimum), paid once per start.
    pub fn new() -> Kdf {
        let mut salt = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        Kdf {
            salt: hex::encode(salt),
            m_kib: Params::DEFAULT_M_COST,
            t: Params::DEFAULT_T_COST,
            p: Params::DEFAULT_P_COST,
        }
    }
}

impl Default for Kdf {
    fn default() -> Self {
        Kdf::new()
    }
}

/// A new passphrase's shape: long enough to be worth a key.
pub fn check_passphrase(passphrase: &str, repeated: &str) -> Result<()> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::invalid(
            "passphrase",
            format!("A passphrase is at least {MIN_PASSPHRASE_CHARS} characters: a few words you will remember."),
        ));
    }
    if passphrase != repeated {
        return Err(Error::invalid("passphrase_repeated", "The two passphrases are not the same."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_survives_its_recovery_text_however_it_is_typed_and_never_shows_in_debug() {
        let key = Key::generate();
        let text = key.recovery_text();
        assert_eq!(text.split(' ').count(), 16);
        assert!(Key::from_recovery(&text).unwrap().same_as(&key));
        let typed = text.to_uppercase().replace(' ', "-");
        assert!(Key::from_recovery(&format!("  {typed}\n")).unwrap().same_as(&key));
        assert!(!Key::generate().same_as(&key));
        assert_eq!(format!("{key:?}"), "Key(…)");
        assert_eq!(key.sql_literal().len(), 67);
        for bad in
            ["", "abc", &text[..text.len() - 1], &format!("{}g", &text[..text.len() - 1]), "é".repeat(64).as_str()]
        {
            assert!(Key::from_recovery(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_same_passphrase_and_salt_give_the_same_key_and_another_salt_another() {
        let kdf = Kdf { m_kib: 1024, ..Kdf::new() };
        let one = Key::from_passphrase("correct horse battery", &kdf).unwrap();
        assert!(one.same_as(&Key::from_passphrase("correct horse battery", &kdf).unwrap()));
        assert!(!one.same_as(&Key::from_passphrase("correct horse batterY", &kdf).unwrap()));
        assert!(
            !one.same_as(&Key::from_passphrase("correct horse battery", &Kdf { m_kib: 1024, ..Kdf::new() }).unwrap())
        );
        assert!(Key::from_passphrase("x", &Kdf { salt: "zz".into(), ..kdf.clone() }).is_err());
        assert!(check_passphrase("short", "short").is_err());
        assert!(check_passphrase("long enough words", "long enough word").is_err());
        assert!(check_passphrase("long enough words", "long enough words").is_ok());
    }
}
