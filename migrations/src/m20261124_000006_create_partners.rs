//! The partner program: partner settings on tenants, partners, their clients, join
//! prompts, service-manager consent, impersonation sessions and in-app notifications.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(from: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from, col)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
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
        // Percentages in basis points (3500 = 35 %), exact on both backends. SQLite takes
        // one column per ALTER TABLE.
        for (col, default) in [
            ("partner_discount_official_bp", 3500),
            ("partner_discount_gold_bp", 5000),
            ("partner_discount_technology_bp", 5000),
            ("reward_rate_created_bp", 2000),
            ("reward_rate_referral_bp", 0),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("tenants")
                        .add_column(integer(col).default(default))
                        .to_owned(),
                )
                .await?;
        }

        // A client's country, for the partner's "my clients" filters.
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .add_column(string_len_null("country", 2))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("partners")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("organization_id"))
                    .col(string_len("status", 16))
                    .col(string_len_null("tier", 16))
                    .col(text_null("rejection_reason"))
                    .col(big_integer_null("applied_by"))
                    .col(big_integer_null("reviewed_by"))
                    .col(timestamp_with_time_zone_null("reviewed_at"))
                    .col(string("contact_name"))
                    .col(string("contact_email"))
                    .col(string_null("contact_phone"))
                    .col(string_null("crm_certificate_url"))
                    .col(string("referral_code"))
                    .col(string("service_manager_code"))
                    .col(boolean("white_label_reseller").default(false))
                    .col(boolean("listed").default(false))
                    .col(string("name"))
                    .col(text_null("description"))
                    .col(text("languages"))
                    .col(string_null("logo_url"))
                    .col(string_null("phone"))
                    .col(string_null("work_email"))
                    .col(string_null("city"))
                    .col(string_len_null("country", 2))
                    .col(string_null("working_hours"))
                    .col(text("certificates"))
                    .col(string_null("website_url"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("partners", "tenant_id", "tenants"))
                    .foreign_key(&mut fk("partners", "organization_id", "organizations"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_partners_org",
            "partners",
            &["organization_id"],
            true,
        )
        .await?;
        index(
            manager,
            "ux_partners_referral_code",
            "partners",
            &["tenant_id", "referral_code"],
            true,
        )
        .await?;
        index(
            manager,
            "ux_partners_sm_code",
            "partners",
            &["tenant_id", "service_manager_code"],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("partner_clients")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("partner_id"))
                    .col(big_integer("client_user_id"))
                    .col(string_len("origin", 32))
                    .col(big_integer_null("attached_by"))
                    .col(timestamp_with_time_zone("attached_at"))
                    .foreign_key(&mut fk("partner_clients", "tenant_id", "tenants"))
                    .foreign_key(&mut fk("partner_clients", "partner_id", "partners"))
                    .foreign_key(&mut fk("partner_clients", "client_user_id", "users"))
                    .to_owned(),
            )
            .await?;
        // A client is attached to at most one partner at a time: the race for a client
        // has one winner because of this index.
        index(
            manager,
            "ux_partner_clients_client",
            "partner_clients",
            &["client_user_id"],
            true,
        )
        .await?;
        index(
            manager,
            "idx_partner_clients_partner",
            "partner_clients",
            &["partner_id"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("partner_join_requests")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("partner_id"))
                    .col(big_integer("client_user_id"))
                    .col(string_len("status", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("responded_at"))
                    .foreign_key(&mut fk("partner_join_requests", "tenant_id", "tenants"))
                    .foreign_key(&mut fk("partner_join_requests", "partner_id", "partners"))
                    .foreign_key(&mut fk("partner_join_requests", "client_user_id", "users"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_join_requests_client",
            "partner_join_requests",
            &["client_user_id"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("consents")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("partner_id"))
                    .col(big_integer("client_user_id"))
                    .col(timestamp_with_time_zone("granted_at"))
                    .col(big_integer_null("granted_by"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .col(big_integer_null("revoked_by"))
                    .foreign_key(&mut fk("consents", "tenant_id", "tenants"))
                    .foreign_key(&mut fk("consents", "partner_id", "partners"))
                    .foreign_key(&mut fk("consents", "client_user_id", "users"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_consents_client",
            "consents",
            &["client_user_id", "partner_id"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("impersonations")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("partner_id"))
                    .col(big_integer("actor_user_id"))
                    .col(big_integer("client_user_id"))
                    .col(big_integer("session_id"))
                    .col(text("reason"))
                    .col(timestamp_with_time_zone("started_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("ended_at"))
                    .foreign_key(&mut fk("impersonations", "tenant_id", "tenants"))
                    .foreign_key(&mut fk("impersonations", "session_id", "sessions"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_impersonations_client",
            "impersonations",
            &["client_user_id", "partner_id"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("notifications")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("user_id"))
                    .col(string_len("kind", 64))
                    .col(text("payload"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("read_at"))
                    .foreign_key(&mut fk("notifications", "tenant_id", "tenants"))
                    .foreign_key(&mut fk("notifications", "user_id", "users"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_notifications_user",
            "notifications",
            &["user_id", "id"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "notifications",
            "impersonations",
            "consents",
            "partner_join_requests",
            "partner_clients",
            "partners",
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .drop_column("country")
                    .to_owned(),
            )
            .await?;
        for col in [
            "partner_discount_official_bp",
            "partner_discount_gold_bp",
            "partner_discount_technology_bp",
            "reward_rate_created_bp",
            "reward_rate_referral_bp",
        ] {
            manager
                .alter_table(Table::alter().table("tenants").drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
