//! The TLS-terminating proxy asks the gateway before it gets a certificate for a host
//! (`GET /tls/ask`): `tls_allowed_at` records when it was first allowed one for this
//! domain, so a brand's admins see that HTTPS is on its way (`TenantDomain.tlsReady`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("tenant_domains")
                    .add_column(timestamp_with_time_zone_null("tls_allowed_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("tenant_domains")
                    .drop_column("tls_allowed_at")
                    .to_owned(),
            )
            .await
    }
}
