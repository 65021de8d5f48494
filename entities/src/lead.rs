//! A lead: a request left on a tenant's public integrators page, free until one partner
//! takes it (or addressed to one partner from the start).

use sea_orm::entity::prelude::*;

/// Where a lead stands. Stored as its name; a name that is not one fails the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum LeadStatus {
    #[sea_orm(string_value = "NEW")]
    New,
    #[sea_orm(string_value = "IN_WORK")]
    InWork,
    #[sea_orm(string_value = "SUCCESS")]
    Success,
    #[sea_orm(string_value = "FAILURE")]
    Failure,
}

impl LeadStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadStatus::New => "NEW",
            LeadStatus::InWork => "IN_WORK",
            LeadStatus::Success => "SUCCESS",
            LeadStatus::Failure => "FAILURE",
        }
    }

    /// `SUCCESS` or `FAILURE`: nothing more happens to the lead.
    pub fn closed(self) -> bool {
        matches!(self, LeadStatus::Success | LeadStatus::Failure)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "leads")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    /// Per-tenant number shown to people.
    pub lead_number: i64,
    pub contact_name: String,
    /// E.164.
    pub phone: String,
    pub email: String,
    pub company: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub task: String,
    /// JSON list of wanted features.
    #[sea_orm(column_type = "Text")]
    pub features: String,
    pub country: Option<String>,
    pub language: Option<String>,
    /// The partner the client chose in the directory.
    pub addressed_partner_id: Option<i64>,
    /// The partner working the lead; `None`: a free lead.
    pub partner_id: Option<i64>,
    pub status: LeadStatus,
    pub taken_by: Option<i64>,
    pub taken_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    /// Where the request came from (rate limiting; never shown to partners).
    pub client_ip: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
