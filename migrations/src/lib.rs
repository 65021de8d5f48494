//! Database migrations, one file per change. This crate depends on nothing else in the
//! workspace so the schema history never changes when entities or resolvers do.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_create_tenants;
mod m20261124_000002_create_identity;
mod m20261124_000003_create_outbox;
mod m20261124_000004_create_organizations;
mod m20261124_000005_create_audit_log;
mod m20261124_000006_create_partners;
mod m20261125_000007_hardening;
mod m20261126_000008_catalogue_and_lines;
mod m20261127_000009_orders_and_payments;
mod m20261128_000010_service_tokens;
mod m20261129_000011_ledger_and_withdrawals;
mod m20261130_000012_notifications;
mod m20261201_000013_telegram;
mod m20261202_000014_leads_and_certification;
mod m20261203_000015_domain_verification;
mod m20261204_000016_lead_limits;
mod m20261204_000017_card_checkouts;
mod m20261204_000018_shared_rate_limits;
mod m20261204_000019_domain_claims;
mod m20261205_000020_tls_ready;
mod m20261205_000021_user_language;
mod m20261206_000022_reseller_brands;
mod m20261206_000023_mail_domains;
mod m20261206_000024_mail_domain_checks;
mod m20261207_000025_price_ladders;
mod m20261207_000026_payout_rails;
mod m20261207_000027_withdrawal_calendar;
mod m20261208_000028_payment_accounts;
mod m20261208_000029_withdrawal_reminders;

/// Applies every migration in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_tenants::Migration),
            Box::new(m20261124_000002_create_identity::Migration),
            Box::new(m20261124_000003_create_outbox::Migration),
            Box::new(m20261124_000004_create_organizations::Migration),
            Box::new(m20261124_000005_create_audit_log::Migration),
            Box::new(m20261124_000006_create_partners::Migration),
            Box::new(m20261125_000007_hardening::Migration),
            Box::new(m20261126_000008_catalogue_and_lines::Migration),
            Box::new(m20261127_000009_orders_and_payments::Migration),
            Box::new(m20261128_000010_service_tokens::Migration),
            Box::new(m20261129_000011_ledger_and_withdrawals::Migration),
            Box::new(m20261130_000012_notifications::Migration),
            Box::new(m20261201_000013_telegram::Migration),
            Box::new(m20261202_000014_leads_and_certification::Migration),
            Box::new(m20261203_000015_domain_verification::Migration),
            Box::new(m20261204_000016_lead_limits::Migration),
            Box::new(m20261204_000017_card_checkouts::Migration),
            Box::new(m20261204_000018_shared_rate_limits::Migration),
            Box::new(m20261204_000019_domain_claims::Migration),
            Box::new(m20261205_000020_tls_ready::Migration),
            Box::new(m20261205_000021_user_language::Migration),
            Box::new(m20261206_000022_reseller_brands::Migration),
            Box::new(m20261206_000023_mail_domains::Migration),
            Box::new(m20261206_000024_mail_domain_checks::Migration),
            Box::new(m20261207_000025_price_ladders::Migration),
            Box::new(m20261207_000026_payout_rails::Migration),
            Box::new(m20261207_000027_withdrawal_calendar::Migration),
            Box::new(m20261208_000028_payment_accounts::Migration),
            Box::new(m20261208_000029_withdrawal_reminders::Migration),
        ]
    }
}

/// A stable fingerprint of the migration list, used by tests to name a migrated template
/// database so a new migration never reuses a stale template.
pub fn fingerprint() -> String {
    Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect::<Vec<_>>()
        .join(",")
}
