//! Reminders of the paperwork calendar, each sent once per deadline: the deadline the
//! partner was reminded of before documents were due (`reminded_for`), and the deadline
//! staff were told was missed (`overdue_notified_for`). A new step has a new deadline,
//! which re-arms both.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            timestamp_with_time_zone_null("reminded_for"),
            timestamp_with_time_zone_null("overdue_notified_for"),
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
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["reminded_for", "overdue_notified_for"] {
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
