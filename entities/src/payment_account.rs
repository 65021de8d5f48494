//! A brand's own card payment account: the provider, the credentials sealed under a
//! configured key (`domain::kernel::sealed`), and the hints shown instead of them. At most
//! one is active per brand; earlier ones are kept for their payments' refunds and
//! notifications.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    /// The provider's name (`stripe`, `yookassa`), as payments name it.
    pub provider: String,
    /// What identifies the account without being secret (YooKassa's shop id, the start
    /// of Stripe's key).
    pub account_hint: String,
    /// The secret key's last characters.
    pub secret_hint: String,
    /// The key the credentials are sealed under.
    pub key_id: String,
    /// The sealed credentials (base64 of nonce and ciphertext).
    #[sea_orm(column_type = "Text")]
    pub sealed: String,
    pub active: bool,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    /// When the provider last accepted the credentials.
    pub verified_at: DateTimeUtc,
    pub deactivated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
