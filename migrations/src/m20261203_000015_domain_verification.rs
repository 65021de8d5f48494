//! Custom domains proven by DNS: when a domain was verified, when it was last checked
//! and how that went, when it is checked next (the backoff), and when a verified domain's
//! record was found missing. Domains already verified keep routing and are re-checked.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        let columns = [
            timestamp_with_time_zone_null("verified_at"),
            timestamp_with_time_zone_null("last_checked_at"),
            string_len_null("last_check", 16),
            text_null("last_error"),
            timestamp_with_time_zone_null("next_check_at"),
            integer("check_attempts").default(0).to_owned(),
            timestamp_with_time_zone_null("record_lost_at"),
        ];
        for mut c in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table("tenant_domains")
                        .add_column(&mut c)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE tenant_domains SET verified_at = created_at WHERE status = 'VERIFIED'",
        )
        .await?;
        // Custom domains staff added before DNS proof existed: re-checked from now on.
        db.execute_unprepared(
            "UPDATE tenant_domains SET next_check_at = created_at \
             WHERE kind = 'CUSTOM' AND status = 'VERIFIED'",
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name("tenant_domains_next_check")
                    .table("tenant_domains")
                    .col("next_check_at")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
