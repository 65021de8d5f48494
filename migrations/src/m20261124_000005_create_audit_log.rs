//! The audit log: append-only records of security-relevant changes. No foreign keys, so
//! entries outlive what they describe.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("audit_log")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer_null("organization_id"))
                    .col(big_integer_null("actor_id"))
                    .col(big_integer_null("impersonator_id"))
                    .col(string_len("action", 64))
                    .col(string_len("target_type", 32))
                    .col(big_integer_null("target_id"))
                    .col(text("details"))
                    .col(string_len("request_id", 64))
                    .col(string_null("client_ip"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("idx_audit_tenant", vec!["tenant_id", "id"]),
            ("idx_audit_org", vec!["organization_id", "id"]),
        ] {
            let mut i = Index::create();
            i.name(name).table("audit_log");
            for c in cols {
                i.col(c);
            }
            manager.create_index(i.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("audit_log").to_owned())
            .await
    }
}
