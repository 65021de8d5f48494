//! The price list and lines: channel kinds and ChatCoins packages per tenant (money in
//! minor units of the tenant's currency), per-tenant counters (line numbers now, invoice
//! numbers later), lines with their channels, and partners' private comments on lines.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(from: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from, col)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
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
        manager
            .create_table(
                Table::create()
                    .table("channel_kinds")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(string_len("code", 32))
                    .col(string_len("name", 120))
                    .col(boolean("personal"))
                    .col(big_integer("monthly_price_minor"))
                    .col(boolean("active"))
                    .col(integer("position").default(0))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("channel_kinds", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_channel_kinds_code",
            "channel_kinds",
            &["tenant_id", "code"],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("coin_packages")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(string_len("code", 32))
                    .col(big_integer("coins"))
                    .col(big_integer("price_minor"))
                    .col(boolean("active"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("coin_packages", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_coin_packages_code",
            "coin_packages",
            &["tenant_id", "code"],
            true,
        )
        .await?;

        // Per-tenant sequences (`line_number`, later `invoice_number`), taken with
        // `UPDATE .. SET value = value + 1 .. RETURNING value` inside the caller's
        // transaction: gap-free per tenant and safe under concurrency on both backends.
        manager
            .create_table(
                Table::create()
                    .table("tenant_counters")
                    .col(big_integer("tenant_id"))
                    .col(string_len("name", 32))
                    .col(big_integer("value"))
                    .primary_key(Index::create().col("tenant_id").col("name"))
                    .foreign_key(&mut fk("tenant_counters", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("lines")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("line_number"))
                    .col(string_len("name", 120))
                    .col(big_integer("client_user_id"))
                    .col(big_integer("organization_id"))
                    .col(big_integer_null("space_id"))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(big_integer("coin_balance").default(0))
                    .col(big_integer("waba_balance_minor").default(0))
                    .col(boolean("nfr").default(false))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("lines", "tenant_id", "tenants"))
                    .foreign_key(&mut fk("lines", "client_user_id", "users"))
                    .foreign_key(&mut fk("lines", "organization_id", "organizations"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("lines", "space_id")
                            .to("spaces", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_lines_number",
            "lines",
            &["tenant_id", "line_number"],
            true,
        )
        .await?;
        index(
            manager,
            "ix_lines_client",
            "lines",
            &["tenant_id", "client_user_id", "expires_at"],
            false,
        )
        .await?;
        index(
            manager,
            "ix_lines_organization",
            "lines",
            &["tenant_id", "organization_id"],
            false,
        )
        .await?;

        // A line's channels. A kind that lines use cannot be deleted (RESTRICT); the
        // catalogue deactivates kinds instead.
        manager
            .create_table(
                Table::create()
                    .table("line_channels")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("line_id"))
                    .col(big_integer("channel_kind_id"))
                    .col(string_len("status", 16))
                    .col(boolean("paid"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("line_channels", "tenant_id", "tenants"))
                    .foreign_key(&mut fk("line_channels", "line_id", "lines"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("line_channels", "channel_kind_id")
                            .to("channel_kinds", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_line_channels_line",
            "line_channels",
            &["line_id"],
            false,
        )
        .await?;

        // One private note per line and partner.
        manager
            .create_table(
                Table::create()
                    .table("line_comments")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("line_id"))
                    .col(big_integer("partner_id"))
                    .col(text("body"))
                    .col(big_integer_null("updated_by"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("line_comments", "tenant_id", "tenants"))
                    .foreign_key(&mut fk("line_comments", "line_id", "lines"))
                    .foreign_key(&mut fk("line_comments", "partner_id", "partners"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_line_comments",
            "line_comments",
            &["line_id", "partner_id"],
            true,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "line_comments",
            "line_channels",
            "lines",
            "tenant_counters",
            "coin_packages",
            "channel_kinds",
        ] {
            manager
                .drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
