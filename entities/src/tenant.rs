//! A tenant: one brand, with its branding and defaults.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub is_root: bool,
    pub display_name: String,
    pub legal_name: Option<String>,
    pub logo_url: Option<String>,
    pub favicon_url: Option<String>,
    pub primary_color: String,
    pub accent_color: String,
    pub support_email: Option<String>,
    pub support_phone: Option<String>,
    pub support_url: Option<String>,
    pub email_sender_name: Option<String>,
    pub email_sender_address: Option<String>,
    pub default_language: String,
    pub currency: String,
    pub timezone: String,
    pub verification_token: String,
    /// Partner discount of each tier and reward rates, in basis points (3500 = 35 %).
    pub partner_discount_official_bp: i32,
    pub partner_discount_gold_bp: i32,
    pub partner_discount_technology_bp: i32,
    pub reward_rate_created_bp: i32,
    pub reward_rate_referral_bp: i32,
    /// Days a reward is held before it may be withdrawn.
    pub reward_hold_days: i32,
    /// Hours between two attempts of one user at the same certification test.
    pub certification_cooldown_hours: i32,
    /// Leads one partner may hold open (`NEW` or `IN_WORK`) at once.
    pub max_open_leads_per_partner: i32,
    /// The organization (on the brand where its reseller applied) whose owners administer
    /// this brand; `None` for the platform's own and staff-made brands.
    pub owner_organization_id: Option<i64>,
    /// The domain of `email_sender_address`: `PENDING` until proven, then `VERIFIED`;
    /// `None` without a sender address. Mail goes from it only when `VERIFIED`.
    pub mail_domain_status: Option<String>,
    pub mail_domain_verified_at: Option<DateTimeUtc>,
    pub mail_domain_checked_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub mail_domain_error: Option<String>,
    /// When the current sender domain was set (its proof asked for).
    pub mail_domain_since: Option<DateTimeUtc>,
    /// When a proven sender domain's record was first found missing.
    pub mail_domain_lost_at: Option<DateTimeUtc>,
    /// When the scheduler checks the sender domain next.
    pub mail_domain_next_check_at: Option<DateTimeUtc>,
    /// Checks in a row that did not find the proof (the backoff).
    pub mail_domain_attempts: i32,
    /// The brand's price ladders as JSON (`domain::tenancy::ladders`); `None` is seed
    /// 001's.
    #[sea_orm(column_type = "Text", nullable)]
    pub price_ladders: Option<String>,
    /// `RU_BANK`, `SEPA` or `PIX`; `None` pays on the currency's rail.
    pub payout_rail: Option<String>,
    /// The smallest withdrawal in minor units; `None` is the currency's default.
    pub withdrawal_minimum_minor: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::tenant_domain::Entity")]
    Domains,
}

impl Related<super::tenant_domain::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Domains.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
