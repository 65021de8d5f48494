//! Telegram: each tenant's bot (its token, its username, how updates arrive: the webhook
//! with its secret, or long polling from the stored offset), the chat each user connected,
//! and the one-time tokens of the deep links that connect them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn tenant_fk(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, "tenant_id")
        .to("tenants", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn user_fk(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, "user_id")
        .to("users", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("telegram_bots")
                    .col(big_pk_auto("id"))
                    .col(big_integer_uniq("tenant_id"))
                    .col(text("bot_token"))
                    .col(string("username"))
                    .col(string("webhook_secret"))
                    .col(boolean("use_webhook").default(false))
                    .col(big_integer("update_offset").default(0))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut tenant_fk("telegram_bots"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("telegram_connections")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer_uniq("user_id"))
                    .col(string("chat_id"))
                    .col(string_null("username"))
                    .col(timestamp_with_time_zone("connected_at"))
                    .foreign_key(&mut tenant_fk("telegram_connections"))
                    .foreign_key(&mut user_fk("telegram_connections"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("telegram_link_tokens")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("user_id"))
                    .col(string_len_uniq("token_hash", 64))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut tenant_fk("telegram_link_tokens"))
                    .foreign_key(&mut user_fk("telegram_link_tokens"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "telegram_link_tokens",
            "telegram_connections",
            "telegram_bots",
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
