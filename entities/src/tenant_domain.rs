//! A host name a tenant answers on.

use sea_orm::entity::prelude::*;

/// Whether a host name serves its tenant. Stored as its name; a name that is not one fails the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum DomainStatus {
    #[sea_orm(string_value = "VERIFIED")]
    Verified,
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// The record was not found within the time allowed; not routed.
    #[sea_orm(string_value = "FAILED")]
    Failed,
    /// Was verified, but its record failed the daily re-check for 7 days in a row; not
    /// routed any more (the host may have changed hands).
    #[sea_orm(string_value = "EXPIRED")]
    Expired,
}

impl DomainStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DomainStatus::Verified => "VERIFIED",
            DomainStatus::Pending => "PENDING",
            DomainStatus::Failed => "FAILED",
            DomainStatus::Expired => "EXPIRED",
        }
    }
}

/// `VERIFIED`.
pub const STATUS_VERIFIED: DomainStatus = DomainStatus::Verified;
/// `PENDING`.
pub const STATUS_PENDING: DomainStatus = DomainStatus::Pending;

/// `kind`: a subdomain of the platform's base domain (verified by construction).
pub const KIND_PLATFORM_SUBDOMAIN: &str = "PLATFORM_SUBDOMAIN";
/// `kind`: a host name the tenant brings, proven by a DNS TXT record.
pub const KIND_CUSTOM: &str = "CUSTOM";

/// `last_check`: the record was found with the tenant's token.
pub const CHECK_VERIFIED: &str = "VERIFIED";
/// `last_check`: no record, or not the tenant's token (what was found is in `last_error`).
pub const CHECK_FAILED: &str = "FAILED";
/// `last_check`: the resolver could not be asked (timeout, SERVFAIL): says nothing about
/// the record.
pub const CHECK_UNREACHABLE: &str = "UNREACHABLE";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant_domains")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    #[sea_orm(unique)]
    pub host: String,
    pub kind: String,
    pub status: DomainStatus,
    pub is_primary: bool,
    pub created_at: DateTimeUtc,
    pub verified_at: Option<DateTimeUtc>,
    pub last_checked_at: Option<DateTimeUtc>,
    /// `VERIFIED`, `FAILED` or `UNREACHABLE` (`CHECK_*`); none before the first check.
    pub last_check: Option<String>,
    pub last_error: Option<String>,
    /// When the scheduler checks next; none when it no longer does.
    pub next_check_at: Option<DateTimeUtc>,
    /// Checks since the last success (the backoff's exponent).
    pub check_attempts: i32,
    /// When a verified domain's record was first found missing (reported once).
    pub record_lost_at: Option<DateTimeUtc>,
    /// When the TLS-terminating proxy was first allowed a certificate for the host
    /// (`GET /tls/ask`).
    pub tls_allowed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::tenant::Entity",
        from = "Column::TenantId",
        to = "super::tenant::Column::Id"
    )]
    Tenant,
}

impl Related<super::tenant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
