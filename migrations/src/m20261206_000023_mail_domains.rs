//! Mail from the brand's own domain only once the brand proves it: the state of the
//! domain of `tenants.email_sender_address` (`mail_domain_status`: `PENDING` until a TXT
//! record `_gateway-mail.<domain>` holds the brand's token, then `VERIFIED`; what the last
//! check found), and the `Reply-To` of outbox messages (the brand's address while its
//! mail goes from the platform's). Brands that already had a sender address start
//! `PENDING`: their mail goes from the platform's address until they prove the domain.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_len_null("mail_domain_status", 16),
            timestamp_with_time_zone_null("mail_domain_verified_at"),
            timestamp_with_time_zone_null("mail_domain_checked_at"),
            text_null("mail_domain_error"),
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
        manager
            .alter_table(
                Table::alter()
                    .table("outbox_messages")
                    .add_column(string_len_null("reply_to", 320))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE tenants SET mail_domain_status = 'PENDING' \
                 WHERE email_sender_address IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("outbox_messages")
                    .drop_column("reply_to")
                    .to_owned(),
            )
            .await?;
        for column in [
            "mail_domain_status",
            "mail_domain_verified_at",
            "mail_domain_checked_at",
            "mail_domain_error",
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
