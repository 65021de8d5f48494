//! Relay global ids as GraphQL `ID`s; the encoding is the kernel's
//! (`domain::kernel::ids`).

use async_graphql::ID;

pub use domain::kernel::ids::{Kind, parse};

use crate::error::ApiError;

/// The global id of row `id` of `kind`.
pub fn encode(kind: Kind, id: i64) -> ID {
    ID(domain::kernel::ids::encode(kind, id))
}

/// The row id behind `id`, which must be of `kind`; `field` names the input for errors.
pub fn decode(id: &ID, kind: Kind, field: &str) -> Result<i64, ApiError> {
    domain::kernel::ids::decode(id, kind, field)
}

/// The row id behind an optional id.
pub fn decode_opt(id: Option<&ID>, kind: Kind, field: &str) -> Result<Option<i64>, ApiError> {
    id.map(|id| decode(id, kind, field)).transpose()
}
