//! One-click unsubscribe (RFC 8058). Every notification email that is not about security
//! carries `List-Unsubscribe: <https://<tenant host>/unsubscribe?token=..>` and
//! `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. The token is signed by the
//! server's key for that tenant, user and kind (it never passes as an access token), so a
//! `POST` to the link turns that kind's email off for that user without signing in. A
//! `GET` only shows a confirmation form: link scanners and previews fetch links, and must
//! not unsubscribe anyone.

use entities::{outbox_message, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tenants::TenantInfo;

use super::kinds::{Channel, NotificationKind};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::services::Services;

const PURPOSE: &str = "unsubscribe";

/// The one-click link of a notification email, `None` for account and security mail.
pub fn link_for(svc: &Services, m: &outbox_message::Model) -> Option<String> {
    let user_id = m.user_id?;
    let kind = NotificationKind::parse(&m.kind)?;
    if kind.security() {
        return None;
    }
    let tenant = svc.registry.by_id(m.tenant_id)?;
    let token = svc
        .keys
        .sign_link(PURPOSE, m.tenant_id, &user_id.to_string(), kind.as_str())
        .ok()?;
    Some(crate::kernel::links::tenant_url(
        &svc.settings,
        &tenant,
        &format!("/unsubscribe?token={token}"),
    ))
}

/// What a valid link turns off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribed {
    pub user_id: i64,
    pub kind: NotificationKind,
    /// The account's language: the page is written in it.
    pub language: String,
}

/// Reads a link without changing anything (what the confirmation page shows).
pub async fn check(svc: &Services, tenant: &TenantInfo, token: &str) -> ApiResult<Unsubscribed> {
    let invalid = || ApiError::bad_input("token", "this unsubscribe link is not valid");
    let (sub, data) = svc
        .keys
        .verify_link(PURPOSE, tenant.id(), token)
        .map_err(|_| invalid())?;
    let user_id: i64 = sub.parse().map_err(|_| invalid())?;
    let kind = NotificationKind::parse(&data).ok_or_else(invalid)?;
    let account = user::Entity::find_by_id(user_id)
        .filter(user::Column::TenantId.eq(tenant.id()))
        .one(&svc.db)
        .await?
        .ok_or_else(invalid)?;
    Ok(Unsubscribed {
        user_id,
        kind,
        language: account.language,
    })
}

/// Turns the link's kind off on email for its user.
pub async fn apply(svc: &Services, tenant: &TenantInfo, token: &str) -> ApiResult<Unsubscribed> {
    let u = check(svc, tenant, token).await?;
    super::settings::set(
        &svc.db,
        tenant.id(),
        u.user_id,
        u.kind,
        Channel::Email,
        false,
        svc.clock.now(),
    )
    .await?;
    tracing::info!(
        tenant_id = tenant.id(),
        user_id = u.user_id,
        kind = u.kind.as_str(),
        "unsubscribed by link"
    );
    Ok(u)
}
