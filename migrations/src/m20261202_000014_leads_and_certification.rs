//! Leads and certification: requests left on a tenant's public integrators page (free, or
//! addressed to one partner, taken by one partner at a time) with the comments that stay
//! with them; certification tests, the attempts at them and the certificates they issue;
//! the cool-down between attempts as a tenant setting.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(table: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
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
        // Hours a partner user waits between two attempts at the same test.
        manager
            .alter_table(
                Table::alter()
                    .table("tenants")
                    .add_column(integer("certification_cooldown_hours").default(24))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("leads")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("lead_number"))
                    .col(string_len("contact_name", 120))
                    .col(string_len("phone", 20))
                    .col(string_len("email", 254))
                    .col(string_len_null("company", 200))
                    .col(text("task"))
                    // JSON list of wanted features.
                    .col(text("features"))
                    .col(string_len_null("country", 2))
                    .col(string_len_null("language", 8))
                    // The partner the client chose on the directory, if any.
                    .col(big_integer_null("addressed_partner_id"))
                    // The partner working it now; NULL: a free lead.
                    .col(big_integer_null("partner_id"))
                    .col(string_len("status", 16))
                    .col(big_integer_null("taken_by"))
                    .col(timestamp_with_time_zone_null("taken_at"))
                    .col(timestamp_with_time_zone_null("closed_at"))
                    .col(string_len_null("client_ip", 45))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("leads", "tenant_id", "tenants"))
                    .foreign_key(
                        &mut ForeignKey::create()
                            .from("leads", "partner_id")
                            .to("partners", "id")
                            .on_delete(ForeignKeyAction::SetNull)
                            .to_owned(),
                    )
                    .foreign_key(
                        &mut ForeignKey::create()
                            .from("leads", "addressed_partner_id")
                            .to("partners", "id")
                            .on_delete(ForeignKeyAction::SetNull)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "leads_number",
            "leads",
            &["tenant_id", "lead_number"],
            true,
        )
        .await?;
        index(
            manager,
            "leads_partner",
            "leads",
            &["tenant_id", "partner_id"],
            false,
        )
        .await?;
        index(
            manager,
            "leads_ip",
            "leads",
            &["tenant_id", "client_ip", "created_at"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("lead_comments")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("lead_id"))
                    .col(big_integer_null("author_user_id"))
                    // The partner the author wrote for (NULL: tenant staff).
                    .col(big_integer_null("author_partner_id"))
                    .col(text("body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("lead_comments", "tenant_id", "tenants"))
                    .foreign_key(&mut fk("lead_comments", "lead_id", "leads"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "lead_comments_lead",
            "lead_comments",
            &["lead_id"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("certification_tests")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(string_len("title", 200))
                    .col(string_len("topic", 120))
                    .col(text_null("description"))
                    // JSON: [{id, text, options: [{id, text}], correct: [option ids]}].
                    .col(text("questions"))
                    .col(boolean("active").default(false))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("certification_tests", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("certification_attempts")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("test_id"))
                    .col(big_integer("user_id"))
                    // The questions as they were when the attempt started (with the answers;
                    // never sent to the partner).
                    .col(text("questions"))
                    .col(timestamp_with_time_zone("started_at"))
                    .col(timestamp_with_time_zone_null("submitted_at"))
                    .col(integer_null("correct"))
                    .col(integer("total"))
                    .col(big_integer_null("certificate_id"))
                    .foreign_key(&mut fk("certification_attempts", "tenant_id", "tenants"))
                    .foreign_key(&mut fk(
                        "certification_attempts",
                        "test_id",
                        "certification_tests",
                    ))
                    .foreign_key(&mut fk("certification_attempts", "user_id", "users"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "certification_attempts_user",
            "certification_attempts",
            &["tenant_id", "user_id", "test_id"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("certificates")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("test_id"))
                    .col(big_integer("user_id"))
                    .col(string_len_uniq("code", 32))
                    // As issued: the names stay as they were.
                    .col(string_len("holder_name", 200))
                    .col(string_len("test_title", 200))
                    .col(integer("score_percent"))
                    // The partner whose public profile shows it, if attached.
                    .col(big_integer_null("partner_id"))
                    .col(timestamp_with_time_zone("issued_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(&mut fk("certificates", "tenant_id", "tenants"))
                    .foreign_key(&mut fk("certificates", "test_id", "certification_tests"))
                    .foreign_key(&mut fk("certificates", "user_id", "users"))
                    .foreign_key(
                        &mut ForeignKey::create()
                            .from("certificates", "partner_id")
                            .to("partners", "id")
                            .on_delete(ForeignKeyAction::SetNull)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "certificates_user",
            "certificates",
            &["tenant_id", "user_id"],
            false,
        )
        .await?;
        index(
            manager,
            "certificates_partner",
            "certificates",
            &["tenant_id", "partner_id"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "certificates",
            "certification_attempts",
            "certification_tests",
            "lead_comments",
            "leads",
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("tenants")
                    .drop_column("certification_cooldown_hours")
                    .to_owned(),
            )
            .await
    }
}
