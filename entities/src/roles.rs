//! Roles, stored as their names. Reading a row with a name that is not a role fails (an
//! internal error) instead of silently granting the lowest role.

use sea_orm::entity::prelude::*;

/// A member's role in an organization, lowest first (the derived order is the rank).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OrgRole {
    #[sea_orm(string_value = "MEMBER")]
    Member,
    #[sea_orm(string_value = "USER_ADMIN")]
    UserAdmin,
    #[sea_orm(string_value = "OWNER")]
    Owner,
}

impl OrgRole {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrgRole::Owner => "OWNER",
            OrgRole::UserAdmin => "USER_ADMIN",
            OrgRole::Member => "MEMBER",
        }
    }

    /// The role of a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "OWNER" => Some(OrgRole::Owner),
            "USER_ADMIN" => Some(OrgRole::UserAdmin),
            "MEMBER" => Some(OrgRole::Member),
            _ => None,
        }
    }
}

/// A member's role in a space, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SpaceRole {
    #[sea_orm(string_value = "AGENT")]
    Agent,
    #[sea_orm(string_value = "MANAGER")]
    Manager,
}

impl SpaceRole {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SpaceRole::Manager => "MANAGER",
            SpaceRole::Agent => "AGENT",
        }
    }

    /// The role of a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "MANAGER" => Some(SpaceRole::Manager),
            "AGENT" => Some(SpaceRole::Agent),
            _ => None,
        }
    }
}
