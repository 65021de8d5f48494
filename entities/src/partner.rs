//! A partner (integrator, agency, reseller): an organization admitted to the tenant's
//! partner program, with its tier, codes and public profile.

use sea_orm::entity::prelude::*;

/// Waiting for review.
pub const STATUS_PENDING: &str = "PENDING";
/// In the program.
pub const STATUS_APPROVED: &str = "APPROVED";
/// Turned down (see `rejection_reason`).
pub const STATUS_REJECTED: &str = "REJECTED";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partners")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub organization_id: i64,
    pub status: String,
    /// `OFFICIAL`, `GOLD` or `TECHNOLOGY` once approved.
    pub tier: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub rejection_reason: Option<String>,
    pub applied_by: Option<i64>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub crm_certificate_url: Option<String>,
    pub referral_code: String,
    pub service_manager_code: String,
    pub white_label_reseller: bool,
    /// Shown in the public directory.
    pub listed: bool,
    pub name: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// JSON list of language codes.
    #[sea_orm(column_type = "Text")]
    pub languages: String,
    pub logo_url: Option<String>,
    pub phone: Option<String>,
    pub work_email: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub working_hours: Option<String>,
    /// JSON list of certificate names or URLs.
    #[sea_orm(column_type = "Text")]
    pub certificates: String,
    pub website_url: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
