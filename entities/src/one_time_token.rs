//! One-time links (password reset, set password, email verification), stored hashed,
//! expiring.

use sea_orm::entity::prelude::*;

/// Purpose of a password-reset link.
pub const PURPOSE_PASSWORD_RESET: &str = "PASSWORD_RESET";
/// Purpose of a set-password link sent to an account created for someone.
pub const PURPOSE_SET_PASSWORD: &str = "SET_PASSWORD";
/// Purpose of an email-verification link.
pub const PURPOSE_VERIFY_EMAIL: &str = "VERIFY_EMAIL";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "one_time_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub user_id: i64,
    pub purpose: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
