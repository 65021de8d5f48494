//! Orders and payments: per-tenant account numbers for users, orders with their priced
//! items (a snapshot taken at creation), payments by invoice or card, the provider events
//! already handled (a replayed webhook changes nothing), idempotency keys of money
//! mutations, the partner's append-only ledger (rewards now, the rest with withdrawals),
//! and domain events for the notifications that come next.

use sea_orm_migration::sea_orm::ConnectionTrait;
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

fn fk_null(from: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from, col)
        .to(to, "id")
        .on_delete(ForeignKeyAction::SetNull)
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
        // The "account ID" partners see and search: per tenant, from `tenant_counters`.
        // Existing accounts are numbered in the order they were created.
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .add_column(big_integer("account_number").default(0))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE users SET account_number = 100000 + \
               (SELECT COUNT(*) FROM users u2 \
                 WHERE u2.tenant_id = users.tenant_id AND u2.id <= users.id)",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO tenant_counters (tenant_id, name, value) \
             SELECT tenant_id, 'account', MAX(account_number) FROM users GROUP BY tenant_id",
        )
        .await?;
        index(
            manager,
            "ux_users_account_number",
            "users",
            &["tenant_id", "account_number"],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("orders")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("order_number"))
                    .col(big_integer_null("client_user_id"))
                    .col(big_integer_null("partner_id"))
                    .col(string_len("payer", 16))
                    .col(string_len("status", 16))
                    .col(string_len("currency", 3))
                    .col(big_integer("base_minor"))
                    .col(big_integer("discount_minor"))
                    .col(big_integer("total_minor"))
                    .col(big_integer("partner_reward_minor"))
                    .col(integer("partner_rate_bp").default(0))
                    .col(big_integer_null("created_by"))
                    .col(boolean("created_while_impersonating").default(false))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("paid_at"))
                    .col(timestamp_with_time_zone_null("cancelled_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("orders", "tenant_id", "tenants"))
                    .foreign_key(&mut fk_null("orders", "client_user_id", "users"))
                    .foreign_key(&mut fk_null("orders", "partner_id", "partners"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_orders_number",
            "orders",
            &["tenant_id", "order_number"],
            true,
        )
        .await?;
        index(
            manager,
            "ix_orders_client",
            "orders",
            &["tenant_id", "client_user_id", "id"],
            false,
        )
        .await?;
        index(
            manager,
            "ix_orders_partner",
            "orders",
            &["tenant_id", "partner_id", "id"],
            false,
        )
        .await?;
        index(
            manager,
            "ix_orders_status",
            "orders",
            &["status", "expires_at"],
            false,
        )
        .await?;

        // What an order buys, priced when it was created. Channel kinds are a JSON array
        // of ids; discounts a JSON array of {kind, percent, amountMinor}.
        manager
            .create_table(
                Table::create()
                    .table("order_items")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("order_id"))
                    .col(integer("position"))
                    .col(string_len("kind", 16))
                    .col(big_integer_null("line_id"))
                    .col(integer("quantity"))
                    .col(integer_null("months"))
                    .col(integer_null("remaining_days"))
                    .col(text("channel_kind_ids"))
                    .col(big_integer_null("coin_package_id"))
                    .col(big_integer("coins").default(0))
                    .col(big_integer_null("organization_id"))
                    .col(big_integer_null("space_id"))
                    .col(big_integer("base_minor"))
                    .col(big_integer("total_minor"))
                    .col(text("discounts"))
                    .foreign_key(&mut fk("order_items", "tenant_id", "tenants"))
                    .foreign_key(&mut fk("order_items", "order_id", "orders"))
                    .foreign_key(&mut fk_null("order_items", "line_id", "lines"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_order_items_order",
            "order_items",
            &["order_id", "position"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("payments")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("order_id"))
                    .col(string_len("method", 16))
                    .col(string_len("status", 16))
                    .col(big_integer("amount_minor"))
                    .col(string_len("currency", 3))
                    .col(string_len_null("provider", 32))
                    .col(string_len_null("provider_ref", 255))
                    .col(text_null("checkout_url"))
                    .col(big_integer_null("invoice_number"))
                    .col(text_null("payer_requisites"))
                    .col(big_integer_null("created_by"))
                    .col(big_integer_null("confirmed_by"))
                    .col(text_null("failure_reason"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("completed_at"))
                    .foreign_key(&mut fk("payments", "tenant_id", "tenants"))
                    .foreign_key(&mut fk("payments", "order_id", "orders"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_payments_order",
            "payments",
            &["order_id"],
            false,
        )
        .await?;
        index(
            manager,
            "ux_payments_invoice",
            "payments",
            &["tenant_id", "invoice_number"],
            true,
        )
        .await?;
        index(
            manager,
            "ux_payments_provider_ref",
            "payments",
            &["provider", "provider_ref"],
            true,
        )
        .await?;

        // Every provider event handled once: the unique key decides a replay or a race.
        manager
            .create_table(
                Table::create()
                    .table("payment_provider_events")
                    .col(big_pk_auto("id"))
                    .col(string_len("provider", 32))
                    .col(string_len("event_id", 255))
                    .col(string_len("event_type", 64))
                    .col(big_integer_null("payment_id"))
                    .col(timestamp_with_time_zone("received_at"))
                    .foreign_key(&mut fk_null(
                        "payment_provider_events",
                        "payment_id",
                        "payments",
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_payment_provider_events",
            "payment_provider_events",
            &["provider", "event_id"],
            true,
        )
        .await?;

        // Idempotency keys of money mutations, per tenant, user and operation. The key is
        // claimed (inserted) inside the operation's transaction, so a concurrent retry
        // waits for the first and then reads its result.
        manager
            .create_table(
                Table::create()
                    .table("idempotency_keys")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("user_id"))
                    .col(string_len("operation", 48))
                    .col(string_len("key", 128))
                    .col(string_len("request_hash", 64))
                    .col(text_null("result"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .foreign_key(&mut fk("idempotency_keys", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_idempotency_keys",
            "idempotency_keys",
            &["tenant_id", "user_id", "operation", "key"],
            true,
        )
        .await?;

        // The partner's money, append-only: signed amounts in minor units; balances are
        // sums. `available_at` is when a reward may be withdrawn (the hold).
        manager
            .create_table(
                Table::create()
                    .table("partner_ledger_entries")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("partner_id"))
                    .col(string_len("kind", 24))
                    .col(big_integer("amount_minor"))
                    .col(string_len("currency", 3))
                    .col(big_integer_null("order_id"))
                    .col(text_null("reason"))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone("available_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("partner_ledger_entries", "tenant_id", "tenants"))
                    .foreign_key(&mut fk("partner_ledger_entries", "partner_id", "partners"))
                    .foreign_key(&mut fk_null("partner_ledger_entries", "order_id", "orders"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_partner_ledger",
            "partner_ledger_entries",
            &["tenant_id", "partner_id", "id"],
            false,
        )
        .await?;
        // One reward (and later one reversal) per order.
        index(
            manager,
            "ux_partner_ledger_order",
            "partner_ledger_entries",
            &["order_id", "kind"],
            true,
        )
        .await?;

        // Domain events, written in the transaction of the change that causes them; the
        // notifications worker reads them in id order.
        manager
            .create_table(
                Table::create()
                    .table("domain_events")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(string_len("kind", 48))
                    .col(text("payload"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("processed_at"))
                    .foreign_key(&mut fk("domain_events", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_domain_events_pending",
            "domain_events",
            &["processed_at", "id"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "domain_events",
            "partner_ledger_entries",
            "idempotency_keys",
            "payment_provider_events",
            "payments",
            "order_items",
            "orders",
        ] {
            manager
                .drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("ux_users_account_number")
                    .table("users")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .drop_column("account_number")
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM tenant_counters WHERE name = 'account'")
            .await?;
        Ok(())
    }
}
