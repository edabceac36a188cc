//! The owner PIN: checked for shape, stored only as an Argon2id hash (a
//! PHC string with its own random salt and parameters), never as itself.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::kernel::error::{Error, Result};

/// 4 to 12 digits: typed at a desk, and enough with the wait after wrong tries.
pub fn check_shape(pin: &str) -> Result<()> {
    if !(4..=12).contains(&pin.chars().count()) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid("pin", "A PIN is 4 to 12 digits."));
    }
    Ok(())
}

pub fn hash(pin: &str) -> Result<String> {
    check_shape(pin)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::Conflict(format!("The PIN could not be stored: {e}")))
}

/// Whether `pin` is the one `stored` was made from; an unreadable hash matches nothing.
pub fn matches(pin: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| Argon2::default().verify_password(pin.as_bytes(), &hash).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_is_kept_as_an_argon2id_hash_that_only_it_matches() {
        let stored = hash("4821").unwrap();
        assert!(stored.starts_with("$argon2id$") && !stored.contains("4821"));
        assert!(matches("4821", &stored));
        assert!(!matches("4822", &stored) && !matches("", &stored) && !matches("4821", "not a hash"));
        assert_ne!(hash("4821").unwrap(), stored, "a new salt every time");
        for bad in ["", "123", "12ab", "1234567890123", "１２３４"] {
            assert!(hash(bad).is_err(), "{bad:?}");
        }
    }
}
