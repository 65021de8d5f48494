//! Hardening before billing: verified email addresses, the code a join-partner prompt was
//! opened with, and consent history that survives deletion of the partner or the client
//! (their ids become NULL; the row, its times and the partner's name stay).

use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // NULL until the owner follows a link sent to the address.
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .add_column(timestamp_with_time_zone_null("email_verified_at"))
                    .to_owned(),
            )
            .await?;
        // The referral code a prompt was opened with: answering Yes re-checks that it is
        // still the partner's code. NULL for prompts made before this column existed.
        manager
            .alter_table(
                Table::alter()
                    .table("partner_join_requests")
                    .add_column(string_len_null("code", 32))
                    .to_owned(),
            )
            .await?;
        // The partner's name when consent was granted, so the history stays readable
        // after the partner is gone.
        manager
            .alter_table(
                Table::alter()
                    .table("consents")
                    .add_column(string_null("partner_name"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE consents SET partner_name = \
             (SELECT name FROM partners WHERE partners.id = consents.partner_id)",
        )
        .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "ALTER TABLE consents \
                       ALTER COLUMN partner_id DROP NOT NULL, \
                       ALTER COLUMN client_user_id DROP NOT NULL, \
                       DROP CONSTRAINT IF EXISTS consents_partner_id_fkey, \
                       DROP CONSTRAINT IF EXISTS consents_client_user_id_fkey, \
                       ADD CONSTRAINT consents_partner_id_fkey FOREIGN KEY (partner_id) \
                         REFERENCES partners(id) ON DELETE SET NULL, \
                       ADD CONSTRAINT consents_client_user_id_fkey FOREIGN KEY (client_user_id) \
                         REFERENCES users(id) ON DELETE SET NULL",
                )
                .await?;
            }
            _ => {
                // SQLite cannot change a foreign key: rebuild the table (nothing refers
                // to it). One script, so every step runs on the same pooled connection.
                db.execute_unprepared(
                    "CREATE TABLE consents_new ( \
                       id integer NOT NULL PRIMARY KEY AUTOINCREMENT, \
                       tenant_id bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, \
                       partner_id bigint NULL REFERENCES partners(id) ON DELETE SET NULL, \
                       client_user_id bigint NULL REFERENCES users(id) ON DELETE SET NULL, \
                       granted_at timestamp_with_timezone_text NOT NULL, \
                       granted_by bigint NULL, \
                       revoked_at timestamp_with_timezone_text NULL, \
                       revoked_by bigint NULL, \
                       partner_name varchar NULL); \
                     INSERT INTO consents_new (id, tenant_id, partner_id, client_user_id, \
                       granted_at, granted_by, revoked_at, revoked_by, partner_name) \
                     SELECT id, tenant_id, partner_id, client_user_id, granted_at, granted_by, \
                       revoked_at, revoked_by, partner_name FROM consents; \
                     DROP TABLE consents; \
                     ALTER TABLE consents_new RENAME TO consents; \
                     CREATE INDEX idx_consents_client ON consents (client_user_id, partner_id);",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Consent history with NULL ids cannot go back under NOT NULL columns.
        Err(DbErr::Migration(
            "m20261125_000007_hardening cannot be reverted".into(),
        ))
    }
}
