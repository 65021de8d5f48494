//! Row scoping: every read of tenant-owned rows starts here, so `tenant_id = ?` is never
//! forgotten in a resolver.

use entities::{
    audit_log, certificate, certification_attempt, certification_test, channel_kind, coin_package,
    consent, domain_event, idempotency_key, impersonation, invitation, lead, lead_comment, line,
    line_channel, line_comment, notification, one_time_token, order, order_item, organization,
    organization_member, outbox_message, partner, partner_client, partner_join_request,
    partner_ledger_entry, payment, payout_account, refresh_token, service_token, session, space,
    space_member, telegram_connection, telegram_link_token, tenant_domain, user, withdrawal,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select};

/// A table whose rows belong to one tenant.
pub trait TenantOwned: EntityTrait {
    /// The column holding the owning tenant's id.
    fn tenant_column() -> Self::Column;
}

macro_rules! tenant_owned {
    ($($m:ident),*) => {$(
        impl TenantOwned for $m::Entity {
            fn tenant_column() -> Self::Column {
                $m::Column::TenantId
            }
        }
    )*};
}
tenant_owned!(
    telegram_connection,
    telegram_link_token,
    user,
    session,
    refresh_token,
    one_time_token,
    outbox_message,
    tenant_domain,
    organization,
    organization_member,
    space,
    space_member,
    invitation,
    audit_log,
    partner,
    partner_client,
    partner_join_request,
    consent,
    impersonation,
    notification,
    channel_kind,
    coin_package,
    line,
    line_channel,
    line_comment,
    order,
    order_item,
    payment,
    idempotency_key,
    partner_ledger_entry,
    domain_event,
    service_token,
    payout_account,
    withdrawal,
    lead,
    lead_comment,
    certification_test,
    certification_attempt,
    certificate
);

/// `SELECT .. FROM E WHERE tenant_id = ?`.
pub fn scoped<E: TenantOwned>(tenant_id: i64) -> Select<E> {
    E::find().filter(E::tenant_column().eq(tenant_id))
}
