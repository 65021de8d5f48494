//! Turning GraphQL input shapes into the domain's plain ones.

use async_graphql::MaybeUndefined;
use domain::kernel::patch::Patch;

/// An omitted field is kept; `null` clears it.
pub fn patch<T>(m: MaybeUndefined<T>) -> Patch<T> {
    match m {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(v) => Patch::Set(v),
    }
}
