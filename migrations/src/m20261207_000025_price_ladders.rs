//! A brand's own price ladders (volume and period discounts, the periods offered), as a
//! JSON document validated on write; `NULL` is seed 001's ladders.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("tenants")
                    .add_column(text_null("price_ladders"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("tenants")
                    .drop_column("price_ladders")
                    .to_owned(),
            )
            .await
    }
}
