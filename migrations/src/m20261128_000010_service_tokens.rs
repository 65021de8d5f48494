//! Service tokens (the messaging side reports channel states with one) and a unique index
//! that allows one open payment per order and method, behind the order's row lock.

use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A token for a machine of a tenant: only its SHA-256 is kept; `scopes` is a JSON
        // list of what it may do.
        manager
            .create_table(
                Table::create()
                    .table("service_tokens")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(string_len("name", 120))
                    .col(string_len("token_hash", 64))
                    .col(text("scopes"))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("last_used_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("service_tokens", "tenant_id")
                            .to("tenants", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("service_tokens", "created_by")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_service_tokens_hash")
                    .table("service_tokens")
                    .col("token_hash")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_service_tokens_tenant")
                    .table("service_tokens")
                    .col("tenant_id")
                    .to_owned(),
            )
            .await?;
        // One open payment per order and method: the same statement on both backends
        // (partial indexes).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_payments_open ON payments (order_id, method) WHERE status = 'PENDING'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ux_payments_open")
            .await?;
        manager
            .drop_table(Table::drop().table("service_tokens").to_owned())
            .await
    }
}
