//! The partner's money: which pot a ledger entry moves (rewards or review bonuses) and the
//! withdrawal it belongs to; payout requisites; withdrawals; the reward hold per tenant;
//! what applying an order did (so a refund can undo exactly that); refunds on orders and
//! payments; the NFR line a partner was given; lines that ended; and the scheduler's jobs.

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
        // Days a reward is held before it may be withdrawn (0: at once).
        add(
            manager,
            "tenants",
            integer("reward_hold_days").default(14).to_owned(),
        )
        .await?;

        // Requisites of the partner organization's bank account: one set per partner.
        manager
            .create_table(
                Table::create()
                    .table("payout_requisites")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("partner_id"))
                    .col(string_len("legal_name", 300))
                    .col(string_len("inn", 12))
                    .col(string_len_null("kpp", 9))
                    .col(string_len_null("bank_name", 300))
                    .col(string_len("bic", 9))
                    .col(string_len("settlement_account", 20))
                    .col(string_len("correspondent_account", 20))
                    .col(big_integer_null("updated_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("payout_requisites", "tenant_id")
                            .to("tenants", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("payout_requisites", "partner_id")
                            .to("partners", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_payout_requisites_partner",
            "payout_requisites",
            &["partner_id"],
            true,
        )
        .await?;

        // A withdrawal of rewards: its amount is held by a ledger entry from the request
        // until it is paid or rejected. `requisites` is the JSON snapshot it is paid to.
        manager
            .create_table(
                Table::create()
                    .table("withdrawals")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("partner_id"))
                    .col(big_integer("withdrawal_number"))
                    .col(big_integer("amount_minor"))
                    .col(string_len("currency", 3))
                    .col(string_len("status", 24))
                    .col(text("requisites"))
                    .col(big_integer_null("requested_by"))
                    .col(big_integer_null("reviewed_by"))
                    .col(text_null("rejection_reason"))
                    .col(timestamp_with_time_zone_null("documents_sent_at"))
                    .col(timestamp_with_time_zone_null("approved_at"))
                    .col(timestamp_with_time_zone_null("paid_at"))
                    .col(timestamp_with_time_zone_null("rejected_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("withdrawals", "tenant_id")
                            .to("tenants", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("withdrawals", "partner_id")
                            .to("partners", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_withdrawals_number",
            "withdrawals",
            &["tenant_id", "withdrawal_number"],
            true,
        )
        .await?;
        index(
            manager,
            "ix_withdrawals_partner",
            "withdrawals",
            &["tenant_id", "partner_id", "id"],
            false,
        )
        .await?;
        index(
            manager,
            "ix_withdrawals_status",
            "withdrawals",
            &["tenant_id", "status", "id"],
            false,
        )
        .await?;

        // The old one-entry-per-order-and-kind index goes first (see below).
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ux_partner_ledger_order")
            .await?;
        // Ledger entries move one pot: `REWARDS` (withdrawable once held long enough) or
        // `BONUSES` (spent on lines only); withdrawal entries name their withdrawal.
        add(
            manager,
            "partner_ledger_entries",
            string_len("pot", 16).default("REWARDS").to_owned(),
        )
        .await?;
        add(
            manager,
            "partner_ledger_entries",
            big_integer_null("withdrawal_id").to_owned(),
        )
        .await?;
        // Per order: one reward, one spend and one reversal per pot (an order paid from
        // both pots spends, and is refunded, in two entries).
        index(
            manager,
            "ux_partner_ledger_order_pot",
            "partner_ledger_entries",
            &["order_id", "kind", "pot"],
            true,
        )
        .await?;
        // Per withdrawal: one hold, then one release or one payment.
        index(
            manager,
            "ux_partner_ledger_withdrawal",
            "partner_ledger_entries",
            &["withdrawal_id", "kind"],
            true,
        )
        .await?;

        // What applying an order item did (JSON): the lines it created, the expiry a
        // renewal moved from and to, the channels it added. A refund undoes exactly this.
        add(manager, "order_items", text_null("applied").to_owned()).await?;
        add(
            manager,
            "orders",
            timestamp_with_time_zone_null("refunded_at").to_owned(),
        )
        .await?;
        add(
            manager,
            "orders",
            big_integer_null("refunded_by").to_owned(),
        )
        .await?;
        add(manager, "orders", text_null("refund_reason").to_owned()).await?;
        // A refund of a payment: asked of the provider (card) after the order's refund
        // commits, done when it answers; an invoice's transfer back is done by staff.
        add(
            manager,
            "payments",
            timestamp_with_time_zone_null("refund_requested_at").to_owned(),
        )
        .await?;
        add(
            manager,
            "payments",
            timestamp_with_time_zone_null("refunded_at").to_owned(),
        )
        .await?;
        add(
            manager,
            "payments",
            string_len_null("refund_ref", 255).to_owned(),
        )
        .await?;

        // The free not-for-resale line a partner was given (once).
        add(
            manager,
            "partners",
            big_integer_null("nfr_line_id").to_owned(),
        )
        .await?;
        // A line ended before its time (refunded), or an NFR line that was not renewed.
        add(
            manager,
            "lines",
            timestamp_with_time_zone_null("ended_at").to_owned(),
        )
        .await?;
        manager
            .get_connection()
            .execute_unprepared("CREATE INDEX ix_lines_nfr ON lines (expires_at) WHERE nfr")
            .await?;

        // The scheduler: one row per job. An instance claims a due job's row
        // (`FOR UPDATE SKIP LOCKED` on PostgreSQL) for the length of the run.
        manager
            .create_table(
                Table::create()
                    .table("scheduled_jobs")
                    .col(string_len("name", 64).primary_key())
                    .col(timestamp_with_time_zone("next_run_at"))
                    .col(timestamp_with_time_zone_null("last_started_at"))
                    .col(timestamp_with_time_zone_null("last_finished_at"))
                    .col(text_null("last_error"))
                    .col(big_integer("runs").default(0))
                    .col(big_integer("items").default(0))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "m20261129_000011_ledger_and_withdrawals cannot be reverted".into(),
        ))
    }
}
