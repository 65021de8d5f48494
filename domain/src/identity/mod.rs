//! Identity: accounts (the one place a `users` row is built), sessions, the viewer.

pub mod accounts;
pub mod email_links;
pub mod profile;
pub mod sessions;

use tenants::RequestCtx;

use crate::kernel::error::ApiResult;

/// The signed-in viewer's user id (`UNAUTHENTICATED` for anyone else).
pub fn me(req: &RequestCtx) -> ApiResult<i64> {
    accounts::signed_in(req).map(|u| u.user_id)
}
