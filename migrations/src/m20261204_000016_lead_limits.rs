//! Leads cannot be harvested: a brand setting caps the leads one partner holds open at
//! once, and each release is remembered (which partner, when), so the same partner cannot
//! take back within 24 hours a lead it just released.

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
                    .add_column(integer("max_open_leads_per_partner").default(10))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("lead_releases")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("lead_id"))
                    .col(big_integer("partner_id"))
                    .col(timestamp_with_time_zone("released_at"))
                    .foreign_key(
                        &mut ForeignKey::create()
                            .from("lead_releases", "lead_id")
                            .to("leads", "id")
                            .on_delete(ForeignKeyAction::Cascade)
                            .to_owned(),
                    )
                    .foreign_key(
                        &mut ForeignKey::create()
                            .from("lead_releases", "partner_id")
                            .to("partners", "id")
                            .on_delete(ForeignKeyAction::Cascade)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("lead_releases_lead_partner")
                    .table("lead_releases")
                    .col("lead_id")
                    .col("partner_id")
                    .col("released_at")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("lead_releases").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("tenants")
                    .drop_column("max_open_leads_per_partner")
                    .to_owned(),
            )
            .await
    }
}
