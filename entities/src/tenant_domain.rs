//! A host name a tenant answers on.

use sea_orm::entity::prelude::*;

/// `kind`: a subdomain of the platform's base domain (verified by construction).
pub const KIND_PLATFORM_SUBDOMAIN: &str = "PLATFORM_SUBDOMAIN";
/// `kind`: a host name the tenant brings (DNS verification comes with a later issue).
pub const KIND_CUSTOM: &str = "CUSTOM";
/// `status`: the host resolves to its tenant.
pub const STATUS_VERIFIED: &str = "VERIFIED";
/// `status`: waiting for verification; requests on it are refused.
pub const STATUS_PENDING: &str = "PENDING";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant_domains")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    #[sea_orm(unique)]
    pub host: String,
    pub kind: String,
    pub status: String,
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
