//! Relay global ids: opaque, type-checked. `User:42` is sent as base64url text so clients
//! treat it as a token, and an id of one type is refused where another is expected. The
//! GraphQL layer wraps these strings in its `ID` type; operations take decoded row ids and
//! use [`encode`] only where an id is written into data (audit details, links).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::error::ApiError;

/// The node types that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Tenant,
    TenantDomain,
    User,
    Organization,
    OrganizationMember,
    Space,
    Invitation,
    AuditLogEntry,
    Partner,
    PartnerJoinRequest,
    ChannelKind,
    CoinPackage,
    Line,
    Order,
    Payment,
    LineChannel,
    ServiceToken,
    Withdrawal,
    LedgerEntry,
    Notification,
    OutboxMessage,
    Lead,
    LeadComment,
    CertificationTest,
    CertificationAttempt,
    Certificate,
}

const ALL: [Kind; 26] = [
    Kind::Tenant,
    Kind::TenantDomain,
    Kind::User,
    Kind::Organization,
    Kind::OrganizationMember,
    Kind::Space,
    Kind::Invitation,
    Kind::AuditLogEntry,
    Kind::Partner,
    Kind::PartnerJoinRequest,
    Kind::ChannelKind,
    Kind::CoinPackage,
    Kind::Line,
    Kind::Order,
    Kind::Payment,
    Kind::LineChannel,
    Kind::ServiceToken,
    Kind::Withdrawal,
    Kind::LedgerEntry,
    Kind::Notification,
    Kind::OutboxMessage,
    Kind::Lead,
    Kind::LeadComment,
    Kind::CertificationTest,
    Kind::CertificationAttempt,
    Kind::Certificate,
];

impl Kind {
    /// The GraphQL type name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Tenant => "Tenant",
            Kind::TenantDomain => "TenantDomain",
            Kind::User => "User",
            Kind::Organization => "Organization",
            Kind::OrganizationMember => "OrganizationMember",
            Kind::Space => "Space",
            Kind::Invitation => "Invitation",
            Kind::AuditLogEntry => "AuditLogEntry",
            Kind::Partner => "Partner",
            Kind::PartnerJoinRequest => "PartnerJoinRequest",
            Kind::ChannelKind => "ChannelKind",
            Kind::CoinPackage => "CoinPackage",
            Kind::Line => "Line",
            Kind::Order => "Order",
            Kind::Payment => "Payment",
            Kind::LineChannel => "LineChannel",
            Kind::ServiceToken => "ServiceToken",
            Kind::Withdrawal => "Withdrawal",
            Kind::LedgerEntry => "LedgerEntry",
            Kind::Notification => "Notification",
            Kind::OutboxMessage => "OutboxMessage",
            Kind::Lead => "Lead",
            Kind::LeadComment => "LeadComment",
            Kind::CertificationTest => "CertificationTest",
            Kind::CertificationAttempt => "CertificationAttempt",
            Kind::Certificate => "Certificate",
        }
    }

    fn from_name(s: &str) -> Option<Self> {
        ALL.into_iter().find(|k| k.name() == s)
    }
}

/// The global id of row `id` of `kind`.
pub fn encode(kind: Kind, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name()))
}

/// Splits a global id into its kind and row id, if it is one of ours.
pub fn parse(id: &str) -> Option<(Kind, i64)> {
    let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let (kind, raw) = text.split_once(':')?;
    let n: i64 = raw.parse().ok()?;
    (n > 0).then_some(())?;
    Some((Kind::from_name(kind)?, n))
}

/// The row id behind `id`, which must be of `kind`; `field` names the input for errors.
pub fn decode(id: &str, kind: Kind, field: &str) -> Result<i64, ApiError> {
    match parse(id) {
        Some((k, n)) if k == kind => Ok(n),
        _ => Err(ApiError::bad_input(
            field,
            format!("not a valid {} id", kind.name()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_type_checked() {
        let id = encode(Kind::User, 42);
        assert!(!id.contains("User"));
        assert_eq!(parse(&id), Some((Kind::User, 42)));
        assert_eq!(decode(&id, Kind::User, "id"), Ok(42));
        assert!(decode(&id, Kind::Tenant, "id").is_err());
        assert_eq!(parse("garbage"), None);
        assert_eq!(parse(&URL_SAFE_NO_PAD.encode("User:-1")), None);
        assert_eq!(parse(&URL_SAFE_NO_PAD.encode("Nope:1")), None);
    }
}
