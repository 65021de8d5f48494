//! A user account. Users belong to exactly one tenant.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    /// Per-tenant "account ID" shown to partners and in notifications.
    pub account_number: i64,
    /// Lower-cased.
    pub email: String,
    /// E.164.
    pub phone: Option<String>,
    /// argon2id PHC string; `None` until the user sets a password.
    pub password_hash: Option<String>,
    pub display_name: String,
    pub is_platform_admin: bool,
    pub is_tenant_admin: bool,
    /// ISO 3166-1 alpha-2, if known.
    pub country: Option<String>,
    /// When the owner proved they read mail at `email`; `None` until then, and again after
    /// every change of address.
    pub email_verified_at: Option<DateTimeUtc>,
    /// ISO 639-1: the language everything written for this person is in.
    pub language: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::by_position!(
    id,
    tenant_id,
    account_number,
    email,
    phone,
    password_hash,
    display_name,
    is_platform_admin,
    is_tenant_admin,
    country,
    email_verified_at,
    language,
    created_at,
    updated_at
);
