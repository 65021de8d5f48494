//! Seed 001's paperwork calendar for withdrawals on the `RU_BANK` rail: when the act was
//! signed, and the deadline of the step a withdrawal is at (`due_at`: documents due, act
//! to sign, payment due; `NULL` when closed or on a rail without paperwork), indexed so
//! staff find what is overdue.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            timestamp_with_time_zone_null("act_signed_at"),
            timestamp_with_time_zone_null("due_at"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("withdrawals")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_withdrawals_due")
                    .table("withdrawals")
                    .col("tenant_id")
                    .col("due_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_withdrawals_due")
                    .table("withdrawals")
                    .to_owned(),
            )
            .await?;
        for column in ["act_signed_at", "due_at"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("withdrawals")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
