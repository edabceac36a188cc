//! Public ids.

/// A new public id: UUIDv7, so ids sort by creation time on every desk.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The id of something that happens once because of `cause` (a reminder
/// for one occasion, a referral's bonus, a year's birthday bonus): a
/// name-based UUID (v5) of the cause, so two desks of a shared shop that
/// both make it make the same row, which merges into one.
pub fn derived_id(cause: &str) -> String {
    uuid::Uuid::new_v5(&REGULARS_NAMESPACE, cause.as_bytes()).to_string()
}

/// The namespace of `derived_id`: a fixed random UUID, Regulars' own.
const REGULARS_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6f1c_3a52_9d4e_4b7a_8c21_5e0f_7d93_a4b6);

#[cfg(test)]
mod tests {
    #[test]
    fn a_cause_always_gives_the_same_id_and_two_causes_two() {
        assert_eq!(super::derived_id("birthday:c1:2026"), super::derived_id("birthday:c1:2026"));
        assert_ne!(super::derived_id("birthday:c1:2026"), super::derived_id("birthday:c1:2027"));
    }
}
