//! The limits that guard accounts (log-in, sign-up, password resets, email verification,
//! the lead form, code look-ups) are counted in the database, shared by every instance:
//! one row per key with its GCRA theoretical arrival time in microseconds.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("rate_limit_buckets")
                    .col(string_len("key", 400).primary_key())
                    .col(big_integer("tat_us"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("rate_limit_buckets_tat")
                    .table("rate_limit_buckets")
                    .col("tat_us")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("rate_limit_buckets").to_owned())
            .await
    }
}
