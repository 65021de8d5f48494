//! Tenants (brands) and the host names they answer on.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("tenants")
                    .col(big_pk_auto("id"))
                    .col(string_uniq("slug"))
                    .col(boolean("is_root").default(false))
                    .col(string("display_name"))
                    .col(string_null("legal_name"))
                    .col(string_null("logo_url"))
                    .col(string_null("favicon_url"))
                    .col(string_len("primary_color", 7))
                    .col(string_len("accent_color", 7))
                    .col(string_null("support_email"))
                    .col(string_null("support_phone"))
                    .col(string_null("support_url"))
                    .col(string_null("email_sender_name"))
                    .col(string_null("email_sender_address"))
                    .col(string_len("default_language", 8))
                    .col(string_len("currency", 3))
                    .col(string("timezone"))
                    .col(string("verification_token"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("tenant_domains")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    // A host name belongs to at most one tenant at a time.
                    .col(string_uniq("host"))
                    .col(string_len("kind", 32))
                    .col(string_len("status", 16))
                    .col(boolean("is_primary").default(false))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("tenant_domains", "tenant_id")
                            .to("tenants", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tenant_domains_tenant")
                    .table("tenant_domains")
                    .col("tenant_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("tenant_domains").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("tenants").to_owned())
            .await
    }
}
