//! The partner program: applications, review and tiers, the public profile and directory,
//! the referral and service-manager codes, partners' clients, consent and "log in as
//! client".

pub mod attach;
pub mod client_list;
pub mod consent;
pub mod impersonation;
pub mod ops;
pub mod reseller;

use entities::{partner, partner_client, partner_join_request, user};

/// A partner's tier; its discount is a tenant setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Official,
    Gold,
    Technology,
}

impl Tier {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Official => "OFFICIAL",
            Tier::Gold => "GOLD",
            Tier::Technology => "TECHNOLOGY",
        }
    }

    /// From what is stored.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "OFFICIAL" => Some(Tier::Official),
            "GOLD" => Some(Tier::Gold),
            "TECHNOLOGY" => Some(Tier::Technology),
            _ => None,
        }
    }
}

/// Whether a client consents to their partner's access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAccess {
    Granted,
    NotGranted,
}

/// The viewer's own partner, as a client sees it.
#[derive(Debug, Clone)]
pub struct MyPartnerView {
    pub partner: partner::Model,
    pub link: partner_client::Model,
    pub consent: bool,
}

/// A join-partner prompt waiting for the viewer's answer.
#[derive(Debug, Clone)]
pub struct JoinPromptView {
    pub request: partner_join_request::Model,
    pub partner_name: String,
}

/// A started impersonation: the token and the client's account.
#[derive(Debug, Clone)]
pub struct Impersonation {
    pub access_token: String,
    pub expires_in: i32,
    pub client: user::Model,
}
