//! Payouts on the brand's rail (issue 28): the brand's rail and smallest withdrawal, and
//! one table of payout accounts for every rail (`RU_BANK`, `SEPA`, `PIX`), each stored
//! whole as JSON tagged by its rail. The Russian requisites saved so far move into it
//! unchanged (the same JSON a withdrawal already keeps, with its rail).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_len_null("payout_rail", 16),
            big_integer_null("withdrawal_minimum_minor"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("tenants")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("payout_accounts")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("partner_id"))
                    .col(string_len("rail", 16))
                    .col(string_len("holder_name", 300))
                    .col(text("details"))
                    .col(big_integer_null("updated_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("payout_accounts", "tenant_id")
                            .to("tenants", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("payout_accounts", "partner_id")
                            .to("partners", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_payout_accounts_partner")
                    .table("payout_accounts")
                    .col("partner_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        let object = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "json_build_object",
            _ => "json_object",
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO payout_accounts \
                 (tenant_id, partner_id, rail, holder_name, details, updated_by, created_at, updated_at) \
                 SELECT tenant_id, partner_id, 'RU_BANK', legal_name, \
                 CAST({object}('rail', 'RU_BANK', 'legalName', legal_name, 'inn', inn, 'kpp', kpp, \
                 'bankName', bank_name, 'bic', bic, 'settlementAccount', settlement_account, \
                 'correspondentAccount', correspondent_account) AS TEXT), \
                 updated_by, created_at, updated_at FROM payout_requisites"
            ))
            .await?;
        manager
            .drop_table(Table::drop().table("payout_requisites").to_owned())
            .await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // The accounts of other rails have nowhere to go back to.
        Err(DbErr::Migration(
            "payout accounts cannot be folded back into Russian requisites".into(),
        ))
    }
}
