//! Sender domains are re-checked by the scheduler like custom domains, with the same
//! statuses: when the proof was asked for (`mail_domain_since`), when its record was
//! found missing after it was proven (`mail_domain_lost_at`), when to check next and how
//! many checks failed in a row (the backoff).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            timestamp_with_time_zone_null("mail_domain_since"),
            timestamp_with_time_zone_null("mail_domain_lost_at"),
            timestamp_with_time_zone_null("mail_domain_next_check_at"),
            integer("mail_domain_attempts").default(0).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("tenants")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // Pending sender domains are due for their first check now.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE tenants SET mail_domain_since = updated_at, \
                 mail_domain_next_check_at = updated_at WHERE mail_domain_status = 'PENDING'",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_tenants_mail_domain_next_check")
                    .table("tenants")
                    .col("mail_domain_next_check_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_tenants_mail_domain_next_check")
                    .table("tenants")
                    .to_owned(),
            )
            .await?;
        for column in [
            "mail_domain_since",
            "mail_domain_lost_at",
            "mail_domain_next_check_at",
            "mail_domain_attempts",
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("tenants")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
