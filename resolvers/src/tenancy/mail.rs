//! GraphQL of a brand's sender domain: its proof state and the DNS records to create
//! (`Tenant.mailDomain`); `verifyTenantMailDomain` is in the tenancy mutations.

use async_graphql::{ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::tenancy::mail_domain::{self, MailRecord};
use entities::tenant;

/// The domain of a brand's sender address (`emailSenderAddress`). Its mail goes from that
/// address only once the domain is `VERIFIED`; until then from the platform's address
/// under the brand's name, with the brand's address as `Reply-To`.
pub struct MailDomain {
    pub(super) tenant: std::sync::Arc<tenant::Model>,
    pub(super) records: Vec<MailRecord>,
}

#[Object]
impl MailDomain {
    /// The domain, from the sender address.
    async fn domain(&self) -> String {
        self.tenant
            .email_sender_address
            .as_deref()
            .and_then(mail_domain::domain_of)
            .unwrap_or_default()
    }
    /// The custom domains' statuses: `PENDING` until the records below are found (the
    /// scheduler re-checks with backoff), then `VERIFIED` (re-checked daily); `FAILED` when
    /// not proven within 7 days, `EXPIRED` when a proven domain's record stayed missing for
    /// 7 days. Only `VERIFIED` is used (`inUse`); `verifyTenantMailDomain` checks at once.
    async fn status(&self) -> &str {
        self.tenant
            .mail_domain_status
            .as_deref()
            .unwrap_or(mail_domain::PENDING)
    }
    /// Whether mail goes from the brand's own address now.
    async fn in_use(&self) -> bool {
        mail_domain::proven(&self.tenant)
    }
    /// When the domain was proven.
    async fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.tenant.mail_domain_verified_at
    }
    /// When it was last checked (`verifyTenantMailDomain`).
    async fn last_checked_at(&self) -> Option<DateTime<Utc>> {
        self.tenant.mail_domain_checked_at
    }
    /// What the last check found wrong, if anything.
    async fn last_error(&self) -> Option<&str> {
        self.tenant.mail_domain_error.as_deref()
    }
    /// The DNS records to create: the proof (`VERIFY`), and what the mail relay asks for
    /// (`SPF`, `DKIM`).
    async fn records(&self) -> Vec<MailDnsRecord> {
        self.records
            .iter()
            .map(|r| MailDnsRecord {
                purpose: r.purpose.to_string(),
                kind: r.kind.clone(),
                name: r.name.clone(),
                value: r.value.clone(),
            })
            .collect()
    }
}

/// A DNS record for a brand's sender domain.
#[derive(SimpleObject)]
pub struct MailDnsRecord {
    /// `VERIFY` (proves the brand controls the domain), `SPF` or `DKIM` (what the mail
    /// relay asks for; the SPF include is checked too).
    pub purpose: String,
    /// `TXT`, `CNAME`, ...
    #[graphql(name = "type")]
    pub kind: String,
    /// The full record name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// Input of `verifyTenantMailDomain`.
#[derive(InputObject)]
pub struct VerifyTenantMailDomainInput {
    /// The brand.
    pub tenant_id: ID,
}
