//! A reseller's organization owns its brand: `tenants.owner_organization_id` names the
//! organization (on the brand where the reseller applied) whose owners administer the
//! brand. One organization owns at most one brand. Brands created before this change have
//! no owner; their `is_tenant_admin` users keep their rights.

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
                    .add_column(big_integer_null("owner_organization_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_tenants_owner_organization")
                    .table("tenants")
                    .col("owner_organization_id")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_tenants_owner_organization")
                    .table("tenants")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("tenants")
                    .drop_column("owner_organization_id")
                    .to_owned(),
            )
            .await
    }
}
