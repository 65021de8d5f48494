//! Notifications: what each bell item says (title, body, link) and the event it came from
//! (one per event and user); per-user settings per kind and channel; outbox messages that
//! name their user and event, with one key per event, recipient and channel, the last
//! error and when they failed; and which expiry of a line its 7-day and expiry notices
//! were sent for (renewing a line moves its expiry and so re-arms them). Events recorded
//! before this migration count as processed (history, not news).

use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn add(m: &SchemaManager<'_>, table: &'static str, col: ColumnDef) -> Result<(), DbErr> {
    // One column per statement: SQLite adds one at a time.
    let mut col = col;
    m.alter_table(Table::alter().table(table).add_column(&mut col).to_owned())
        .await
}

async fn index(
    m: &SchemaManager<'_>,
    name: &str,
    table: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    m.create_index(i.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add(manager, "notifications", big_integer_null("event_id")).await?;
        add(
            manager,
            "notifications",
            text("title").default("").to_owned(),
        )
        .await?;
        add(
            manager,
            "notifications",
            text("body").default("").to_owned(),
        )
        .await?;
        add(manager, "notifications", text_null("link")).await?;
        // One bell item per event and user, whoever fans the event out.
        index(
            manager,
            "ux_notifications_event_user",
            "notifications",
            &["event_id", "user_id"],
            true,
        )
        .await?;
        // Events recorded before notifications existed are history: fanning them out now
        // would mail people about old orders and channel changes.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE domain_events SET processed_at = created_at WHERE processed_at IS NULL",
            )
            .await?;
        // The impersonation notice written before events were fanned out.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE notifications SET kind = 'IMPERSONATION_STARTED' \
                 WHERE kind = 'PARTNER_LOGGED_IN_AS_YOU'",
            )
            .await?;

        // What a user turned on or off; a kind and channel without a row has its default.
        manager
            .create_table(
                Table::create()
                    .table("notification_settings")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("user_id"))
                    .col(string_len("kind", 64))
                    .col(string_len("channel", 16))
                    .col(boolean("enabled"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("notification_settings", "tenant_id")
                            .to("tenants", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("notification_settings", "user_id")
                            .to("users", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_notification_settings",
            "notification_settings",
            &["user_id", "kind", "channel"],
            true,
        )
        .await?;

        add(manager, "outbox_messages", big_integer_null("user_id")).await?;
        add(manager, "outbox_messages", big_integer_null("event_id")).await?;
        add(
            manager,
            "outbox_messages",
            string_len_null("dedupe_key", 200),
        )
        .await?;
        add(manager, "outbox_messages", text_null("last_error")).await?;
        add(
            manager,
            "outbox_messages",
            timestamp_with_time_zone_null("failed_at"),
        )
        .await?;
        // One message per event, recipient and channel.
        index(
            manager,
            "ux_outbox_dedupe",
            "outbox_messages",
            &["dedupe_key"],
            true,
        )
        .await?;

        // The expiry the 7-day notice, and the expiry notice, were sent for.
        add(
            manager,
            "lines",
            timestamp_with_time_zone_null("expiring_notice_for"),
        )
        .await?;
        add(
            manager,
            "lines",
            timestamp_with_time_zone_null("expired_notice_for"),
        )
        .await?;
        // The notices job reads lines by expiry across tenants.
        index(manager, "ix_lines_expires", "lines", &["expires_at"], false).await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "m20261130_000012_notifications cannot be reverted".into(),
        ))
    }
}
