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
}

impl DomainStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DomainStatus::Verified => "VERIFIED",
            DomainStatus::Pending => "PENDING",
        }
    }
}

/// `VERIFIED`.
pub const STATUS_VERIFIED: DomainStatus = DomainStatus::Verified;
/// `PENDING`.
pub const STATUS_PENDING: DomainStatus = DomainStatus::Pending;

/// `kind`: a subdomain of the platform's base domain (verified by construction).
pub const KIND_PLATFORM_SUBDOMAIN: &str = "PLATFORM_SUBDOMAIN";
/// `kind`: a host name the tenant brings (DNS verification comes with a later issue).
pub const KIND_CUSTOM: &str = "CUSTOM";

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
