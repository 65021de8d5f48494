//! Patch semantics for optional fields: an omitted field is left alone, `null` clears it.

/// A change to an optional field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// Leave the field as it is (the input omitted it).
    #[default]
    Keep,
    /// Clear the field (the input gave `null`).
    Clear,
    /// Set the field.
    Set(T),
}
