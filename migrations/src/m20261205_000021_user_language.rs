//! Every person reads their own language: `users.language` (ISO 639-1), chosen at sign-up
//! or later. Existing accounts take their brand's default language. An invitation may name
//! the language of the person invited (`invitations.language`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .add_column(string_len("language", 8).default("en"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("invitations")
                    .add_column(string_len_null("language", 8))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE users SET language = \
                 (SELECT default_language FROM tenants WHERE tenants.id = users.tenant_id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("invitations")
                    .drop_column("language")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .drop_column("language")
                    .to_owned(),
            )
            .await
    }
}
