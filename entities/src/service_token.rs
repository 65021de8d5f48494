//! A tenant's service token: a credential for a machine (the messaging side), with scopes.
//! Only the SHA-256 of the secret is stored; the secret is shown once, at creation.

use sea_orm::entity::prelude::*;

/// Scope: report channel connection states (`setChannelStatus`).
pub const SCOPE_CHANNEL_STATUS: &str = "CHANNEL_STATUS";

/// Every scope a token may carry.
pub const SCOPES: [&str; 1] = [SCOPE_CHANNEL_STATUS];

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub name: String,
    /// SHA-256 of the secret, hex.
    pub token_hash: String,
    /// JSON list of scope names.
    pub scopes: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

impl Model {
    /// The scopes, as stored.
    pub fn scope_list(&self) -> Vec<String> {
        serde_json::from_str(&self.scopes).unwrap_or_default()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
