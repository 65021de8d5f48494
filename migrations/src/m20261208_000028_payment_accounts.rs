//! A brand's own card payment account: its provider (`STRIPE` or `YOOKASSA`), its
//! credentials sealed with AES-256-GCM under a configured key (`key_id` names it; the
//! plaintext is never stored), the hints shown instead of them, and whether it is the
//! brand's active account (one at most; earlier ones stay so their payments can still be
//! refunded and their notifications checked). A payment remembers the account that took it
//! (`payments.payment_account_id`; `NULL`: the platform's).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("payment_accounts")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(string_len("provider", 24))
                    .col(string_len("account_hint", 64))
                    .col(string_len("secret_hint", 64))
                    .col(string_len("key_id", 32))
                    .col(text("sealed"))
                    .col(boolean("active"))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("verified_at"))
                    .col(timestamp_with_time_zone_null("deactivated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("payment_accounts", "tenant_id")
                            .to("tenants", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_payment_accounts_tenant")
                    .table("payment_accounts")
                    .col("tenant_id")
                    .col("provider")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("payments")
                    .add_column(big_integer_null("payment_account_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("payments")
                    .drop_column("payment_account_id")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("payment_accounts").to_owned())
            .await
    }
}
