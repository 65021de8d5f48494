//! The audit log: every security-relevant change is recorded, in the same transaction as
//! the change, with tenant, actor, impersonator, action, target, request id and client IP.
//! Reading it (`auditLog`) is the organizations domain's (`orgs::audit_log`).

use entities::audit_log;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use tenants::RequestCtx;

use crate::kernel::error::ApiResult;

/// Every audit action, one constant each, so a typo cannot invent a new action and the
/// list in `docs/decisions.md` can be checked against this one.
pub mod action {
    pub const CATALOGUE_CHANNEL_KIND_SAVED: &str = "catalogue.channel_kind_saved";
    pub const CATALOGUE_COIN_PACKAGE_SAVED: &str = "catalogue.coin_package_saved";
    pub const IMPERSONATION_ENDED: &str = "impersonation.ended";
    pub const IMPERSONATION_MUTATION: &str = "impersonation.mutation";
    pub const IMPERSONATION_MUTATION_REFUSED: &str = "impersonation.mutation_refused";
    pub const IMPERSONATION_STARTED: &str = "impersonation.started";
    pub const INVITATION_ACCEPTED: &str = "invitation.accepted";
    pub const INVITATION_CREATED: &str = "invitation.created";
    pub const INVITATION_DECLINED: &str = "invitation.declined";
    pub const INVITATION_RESENT: &str = "invitation.resent";
    pub const INVITATION_REVOKED: &str = "invitation.revoked";
    pub const LINE_RENAMED: &str = "line.renamed";
    pub const LINE_SPACE_CHANGED: &str = "line.space_changed";
    pub const ORDER_CANCELLED: &str = "order.cancelled";
    pub const ORDER_CREATED: &str = "order.created";
    pub const PAYMENT_CONFIRMED: &str = "payment.confirmed";
    pub const PAYMENT_STARTED: &str = "payment.started";
    pub const PAYMENT_REFUND_DUE: &str = "payment.refund_due";
    pub const MEMBER_LEFT: &str = "member.left";
    pub const MEMBER_REMOVED: &str = "member.removed";
    pub const MEMBER_ROLE_CHANGED: &str = "member.role_changed";
    pub const MEMBER_SPACE_ACCESS_CHANGED: &str = "member.space_access_changed";
    pub const ORGANIZATION_CREATED: &str = "organization.created";
    pub const ORGANIZATION_DELETED: &str = "organization.deleted";
    pub const ORGANIZATION_OWNERSHIP_TRANSFERRED: &str = "organization.ownership_transferred";
    pub const ORGANIZATION_UPDATED: &str = "organization.updated";
    pub const PARTNER_APPLIED: &str = "partner.applied";
    pub const PARTNER_APPROVED: &str = "partner.approved";
    pub const PARTNER_CLIENT_ATTACHED: &str = "partner.client_attached";
    pub const PARTNER_CLIENT_CREATED: &str = "partner.client_created";
    pub const PARTNER_CLIENT_DETACHED: &str = "partner.client_detached";
    pub const PARTNER_CODES_ROTATED: &str = "partner.codes_rotated";
    pub const PARTNER_CONSENT_GRANTED: &str = "partner.consent_granted";
    pub const PARTNER_CONSENT_REVOKED: &str = "partner.consent_revoked";
    pub const PARTNER_PROFILE_UPDATED: &str = "partner.profile_updated";
    pub const PARTNER_REJECTED: &str = "partner.rejected";
    pub const PARTNER_TIER_CHANGED: &str = "partner.tier_changed";
    pub const SERVICE_TOKEN_CREATED: &str = "service_token.created";
    pub const SERVICE_TOKEN_REVOKED: &str = "service_token.revoked";
    pub const LINE_CHANNEL_REMOVED: &str = "line.channel_removed";
    pub const SPACE_ARCHIVED: &str = "space.archived";
    pub const SPACE_CREATED: &str = "space.created";
    pub const SPACE_UPDATED: &str = "space.updated";
    pub const TENANT_CREATED: &str = "tenant.created";
    pub const RESELLER_BRAND_CREATED: &str = "tenant.reseller_brand_created";
    pub const TENANT_MAIL_DOMAIN_CHECKED: &str = "tenant.mail_domain_checked";
    pub const TENANT_DOMAIN_ADDED: &str = "tenant.domain_added";
    pub const TENANT_DOMAIN_REMOVED: &str = "tenant.domain_removed";
    pub const TENANT_DOMAIN_VERIFIED: &str = "tenant.domain_verified";
    pub const TENANT_DOMAIN_VERIFICATION_FAILED: &str = "tenant.domain_verification_failed";
    pub const TENANT_DOMAIN_RECORD_LOST: &str = "tenant.domain_record_lost";
    pub const TENANT_DOMAIN_EXPIRED: &str = "tenant.domain_expired";
    pub const TENANT_DOMAIN_PRIMARY_SET: &str = "tenant.domain_primary_set";
    pub const TENANT_UPDATED: &str = "tenant.updated";
    pub const USER_ACCOUNT_UPDATED: &str = "user.account_updated";
    pub const USER_DELETED: &str = "user.deleted";
    pub const USER_EMAIL_VERIFIED: &str = "user.email_verified";
    pub const USER_PASSWORD_CHANGED: &str = "user.password_changed";
    pub const USER_PASSWORD_SET: &str = "user.password_set";
    pub const USER_SIGNED_IN: &str = "user.signed_in";
    pub const USER_SIGNED_UP: &str = "user.signed_up";
    pub const LEDGER_REVIEW_BONUS_GRANTED: &str = "ledger.review_bonus_granted";
    pub const ORDER_PAID_FROM_BALANCE: &str = "order.paid_from_balance";
    pub const ORDER_REFUNDED: &str = "order.refunded";
    pub const PAYOUT_REQUISITES_SAVED: &str = "payout_requisites.saved";
    pub const WITHDRAWAL_REQUESTED: &str = "withdrawal.requested";
    pub const WITHDRAWAL_DOCUMENTS_SENT: &str = "withdrawal.documents_sent";
    pub const WITHDRAWAL_APPROVED: &str = "withdrawal.approved";
    pub const WITHDRAWAL_PAID: &str = "withdrawal.paid";
    pub const WITHDRAWAL_ACT_SIGNED: &str = "withdrawal.act_signed";
    pub const WITHDRAWAL_REJECTED: &str = "withdrawal.rejected";
    pub const OUTBOX_MESSAGE_RETRIED: &str = "outbox.message_retried";
    pub const TENANT_TELEGRAM_BOT_CONFIGURED: &str = "tenant.telegram_bot_configured";
    pub const LEAD_TAKEN: &str = "lead.taken";
    pub const LEAD_STATUS_CHANGED: &str = "lead.status_changed";
    pub const LEAD_RELEASED: &str = "lead.released";
    pub const LEAD_REASSIGNED: &str = "lead.reassigned";
    pub const LEAD_CLOSED: &str = "lead.closed";
    pub const CERTIFICATION_TEST_SAVED: &str = "certification.test_saved";
    pub const CERTIFICATE_ISSUED: &str = "certificate.issued";
    pub const CERTIFICATE_REVOKED: &str = "certificate.revoked";
    pub const CERTIFICATE_ATTACHED: &str = "certificate.attached";
    pub const CERTIFICATE_DETACHED: &str = "certificate.detached";
    pub const TENANT_PAYMENT_ACCOUNT_CONFIGURED: &str = "tenant.payment_account_configured";
    pub const TENANT_PAYMENT_ACCOUNT_REMOVED: &str = "tenant.payment_account_removed";

    /// All of them.
    pub const ALL: &[&str] = &[
        CATALOGUE_CHANNEL_KIND_SAVED,
        CATALOGUE_COIN_PACKAGE_SAVED,
        LINE_CHANNEL_REMOVED,
        LINE_RENAMED,
        LINE_SPACE_CHANGED,
        ORDER_CANCELLED,
        ORDER_CREATED,
        PAYMENT_CONFIRMED,
        PAYMENT_STARTED,
        PAYMENT_REFUND_DUE,
        IMPERSONATION_ENDED,
        IMPERSONATION_MUTATION,
        IMPERSONATION_MUTATION_REFUSED,
        IMPERSONATION_STARTED,
        INVITATION_ACCEPTED,
        INVITATION_CREATED,
        INVITATION_DECLINED,
        INVITATION_RESENT,
        INVITATION_REVOKED,
        MEMBER_LEFT,
        MEMBER_REMOVED,
        MEMBER_ROLE_CHANGED,
        MEMBER_SPACE_ACCESS_CHANGED,
        ORGANIZATION_CREATED,
        ORGANIZATION_DELETED,
        ORGANIZATION_OWNERSHIP_TRANSFERRED,
        ORGANIZATION_UPDATED,
        PARTNER_APPLIED,
        PARTNER_APPROVED,
        PARTNER_CLIENT_ATTACHED,
        PARTNER_CLIENT_CREATED,
        PARTNER_CLIENT_DETACHED,
        PARTNER_CODES_ROTATED,
        PARTNER_CONSENT_GRANTED,
        PARTNER_CONSENT_REVOKED,
        PARTNER_PROFILE_UPDATED,
        PARTNER_REJECTED,
        PARTNER_TIER_CHANGED,
        SERVICE_TOKEN_CREATED,
        SERVICE_TOKEN_REVOKED,
        SPACE_ARCHIVED,
        SPACE_CREATED,
        SPACE_UPDATED,
        TENANT_CREATED,
        RESELLER_BRAND_CREATED,
        TENANT_MAIL_DOMAIN_CHECKED,
        TENANT_DOMAIN_ADDED,
        TENANT_DOMAIN_REMOVED,
        TENANT_DOMAIN_VERIFIED,
        TENANT_DOMAIN_VERIFICATION_FAILED,
        TENANT_DOMAIN_RECORD_LOST,
        TENANT_DOMAIN_EXPIRED,
        TENANT_DOMAIN_PRIMARY_SET,
        TENANT_UPDATED,
        USER_ACCOUNT_UPDATED,
        USER_DELETED,
        USER_EMAIL_VERIFIED,
        USER_PASSWORD_CHANGED,
        USER_PASSWORD_SET,
        USER_SIGNED_IN,
        USER_SIGNED_UP,
        LEDGER_REVIEW_BONUS_GRANTED,
        ORDER_PAID_FROM_BALANCE,
        ORDER_REFUNDED,
        PAYOUT_REQUISITES_SAVED,
        WITHDRAWAL_REQUESTED,
        WITHDRAWAL_DOCUMENTS_SENT,
        WITHDRAWAL_APPROVED,
        WITHDRAWAL_PAID,
        WITHDRAWAL_ACT_SIGNED,
        WITHDRAWAL_REJECTED,
        OUTBOX_MESSAGE_RETRIED,
        TENANT_TELEGRAM_BOT_CONFIGURED,
        LEAD_TAKEN,
        LEAD_STATUS_CHANGED,
        LEAD_RELEASED,
        LEAD_REASSIGNED,
        LEAD_CLOSED,
        CERTIFICATION_TEST_SAVED,
        CERTIFICATE_ISSUED,
        CERTIFICATE_REVOKED,
        CERTIFICATE_ATTACHED,
        CERTIFICATE_DETACHED,
        TENANT_PAYMENT_ACCOUNT_CONFIGURED,
        TENANT_PAYMENT_ACCOUNT_REMOVED,
    ];
}

/// What an audit entry is about.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Tenant(i64),
    TenantDomain(i64),
    User(i64),
    Organization(i64),
    Space(i64),
    Invitation(i64),
    Partner(i64),
    ChannelKind(i64),
    CoinPackage(i64),
    Line(i64),
    Order(i64),
    Payment(i64),
    ServiceToken(i64),
    Withdrawal(i64),
    OutboxMessage(i64),
    Lead(i64),
    CertificationTest(i64),
    Certificate(i64),
}

impl Target {
    fn parts(self) -> (&'static str, i64) {
        match self {
            Target::Tenant(id) => ("TENANT", id),
            Target::TenantDomain(id) => ("TENANT_DOMAIN", id),
            Target::User(id) => ("USER", id),
            Target::Organization(id) => ("ORGANIZATION", id),
            Target::Space(id) => ("SPACE", id),
            Target::Invitation(id) => ("INVITATION", id),
            Target::Partner(id) => ("PARTNER", id),
            Target::ChannelKind(id) => ("CHANNEL_KIND", id),
            Target::CoinPackage(id) => ("COIN_PACKAGE", id),
            Target::Line(id) => ("LINE", id),
            Target::Order(id) => ("ORDER", id),
            Target::Payment(id) => ("PAYMENT", id),
            Target::ServiceToken(id) => ("SERVICE_TOKEN", id),
            Target::Withdrawal(id) => ("WITHDRAWAL", id),
            Target::OutboxMessage(id) => ("OUTBOX_MESSAGE", id),
            Target::Lead(id) => ("LEAD", id),
            Target::CertificationTest(id) => ("CERTIFICATION_TEST", id),
            Target::Certificate(id) => ("CERTIFICATE", id),
        }
    }
}

/// Records one entry in the caller's transaction. `actor` defaults to the viewer (pass it
/// for sign-ins, where the viewer is still anonymous).
pub async fn record(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    organization_id: Option<i64>,
    action: &str,
    target: Target,
    actor: Option<i64>,
    details: serde_json::Value,
) -> ApiResult<()> {
    let viewer = req.viewer.user();
    // A machine acting: which service token, since there is no user to name.
    let mut details = details;
    if let (Some(s), Some(map)) = (req.viewer.service(), details.as_object_mut()) {
        map.insert("serviceTokenId".into(), s.token_id.into());
    }
    audit_log::Entity::insert(audit_log::ActiveModel {
        organization_id: Set(organization_id),
        actor_id: Set(actor.or(viewer.map(|u| u.user_id))),
        impersonator_id: Set(viewer
            .and_then(|u| u.impersonator.as_deref())
            .and_then(|s| s.parse().ok())),
        request_id: Set(req.request_id.chars().take(64).collect()),
        client_ip: Set(req.client_ip.map(|ip| ip.to_string())),
        ..entry(req.tenant_id(), action, target, &details)
    })
    .exec(db)
    .await?;
    Ok(())
}

/// An entry with what every entry has; who and where are left for the caller.
fn entry(
    tenant_id: i64,
    action: &str,
    target: Target,
    details: &serde_json::Value,
) -> audit_log::ActiveModel {
    let (target_type, target_id) = target.parts();
    audit_log::ActiveModel {
        tenant_id: Set(tenant_id),
        action: Set(action.into()),
        target_type: Set(target_type.into()),
        target_id: Set(Some(target_id)),
        details: Set(details.to_string()),
        created_at: Set(entities::time::now()),
        ..Default::default()
    }
}

/// Records an entry for `req`'s viewer, or for the scheduler when there is no request
/// (work both a mutation and a job do, such as a domain check).
pub async fn record_by(
    db: &impl ConnectionTrait,
    req: Option<&RequestCtx>,
    tenant_id: i64,
    action: &str,
    target: Target,
    details: serde_json::Value,
) -> ApiResult<()> {
    match req {
        Some(req) => record(db, req, None, action, target, None, details).await,
        None => record_system(db, tenant_id, action, target, details).await,
    }
}

/// Records an entry the system made on its own (a scheduled job): no actor, no request.
pub async fn record_system(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    action: &str,
    target: Target,
    details: serde_json::Value,
) -> ApiResult<()> {
    audit_log::Entity::insert(audit_log::ActiveModel {
        organization_id: Set(None),
        actor_id: Set(None),
        impersonator_id: Set(None),
        request_id: Set("scheduler".into()),
        client_ip: Set(None),
        ..entry(tenant_id, action, target, &details)
    })
    .exec(db)
    .await?;
    Ok(())
}
