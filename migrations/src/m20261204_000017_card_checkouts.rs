//! A card checkout whose order was cancelled or expired is closed at the provider, so it
//! can no longer be paid: `checkout_closed_at` says the provider was told (or said the
//! checkout was not open any more); until then the scheduler asks again.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("payments")
                    .add_column(timestamp_with_time_zone_null("checkout_closed_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("payments")
                    .drop_column("checkout_closed_at")
                    .to_owned(),
            )
            .await
    }
}
