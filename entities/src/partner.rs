//! A partner (integrator, agency, reseller): an organization admitted to the tenant's
//! partner program, with its tier, codes and public profile.

use sea_orm::entity::prelude::*;

/// A partner application's state. Stored as its name; a name that is not one fails the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum PartnerStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
}

impl PartnerStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PartnerStatus::Pending => "PENDING",
            PartnerStatus::Approved => "APPROVED",
            PartnerStatus::Rejected => "REJECTED",
        }
    }
}

/// `PENDING`.
pub const STATUS_PENDING: PartnerStatus = PartnerStatus::Pending;
/// `APPROVED`.
pub const STATUS_APPROVED: PartnerStatus = PartnerStatus::Approved;
/// `REJECTED`.
pub const STATUS_REJECTED: PartnerStatus = PartnerStatus::Rejected;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partners")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub organization_id: i64,
    pub status: PartnerStatus,
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
    /// The free not-for-resale line the partner was given (once).
    pub nfr_line_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
