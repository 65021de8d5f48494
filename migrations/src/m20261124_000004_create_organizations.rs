//! Organizations, their members, spaces (ChatApp's projects), space members and
//! invitations.

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
        manager
            .create_table(
                Table::create()
                    .table("organizations")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(string("name"))
                    .col(string_len_null("country", 2))
                    .col(string("timezone"))
                    .col(string_len("language", 8))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("organizations", "tenant_id", "tenants"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_organizations_tenant",
            "organizations",
            &["tenant_id"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("organization_members")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("organization_id"))
                    .col(big_integer("user_id"))
                    .col(string_len("role", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("organization_members", "tenant_id", "tenants"))
                    .foreign_key(&mut fk(
                        "organization_members",
                        "organization_id",
                        "organizations",
                    ))
                    .foreign_key(&mut fk("organization_members", "user_id", "users"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_org_members_org_user",
            "organization_members",
            &["organization_id", "user_id"],
            true,
        )
        .await?;
        index(
            manager,
            "idx_org_members_user",
            "organization_members",
            &["user_id"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("spaces")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("organization_id"))
                    .col(string("name"))
                    .col(text_null("description"))
                    .col(timestamp_with_time_zone_null("archived_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("spaces", "tenant_id", "tenants"))
                    .foreign_key(&mut fk("spaces", "organization_id", "organizations"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_spaces_org",
            "spaces",
            &["organization_id"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("space_members")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("organization_id"))
                    .col(big_integer("space_id"))
                    .col(big_integer("user_id"))
                    .col(string_len("role", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("space_members", "tenant_id", "tenants"))
                    .foreign_key(&mut fk("space_members", "organization_id", "organizations"))
                    .foreign_key(&mut fk("space_members", "space_id", "spaces"))
                    .foreign_key(&mut fk("space_members", "user_id", "users"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_space_members_space_user",
            "space_members",
            &["space_id", "user_id"],
            true,
        )
        .await?;
        index(
            manager,
            "idx_space_members_org_user",
            "space_members",
            &["organization_id", "user_id"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("invitations")
                    .col(big_pk_auto("id"))
                    .col(big_integer("tenant_id"))
                    .col(big_integer("organization_id"))
                    .col(string("email"))
                    .col(string_len("org_role", 16))
                    // JSON: [{"spaceId": 1, "role": "MANAGER"}]
                    .col(text("space_roles"))
                    .col(string_uniq("token_hash"))
                    .col(string_len("status", 16))
                    .col(big_integer_null("invited_by"))
                    .col(big_integer_null("accepted_by"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("responded_at"))
                    .foreign_key(&mut fk("invitations", "tenant_id", "tenants"))
                    .foreign_key(&mut fk("invitations", "organization_id", "organizations"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_invitations_org",
            "invitations",
            &["organization_id"],
            false,
        )
        .await?;
        index(
            manager,
            "idx_invitations_tenant_email",
            "invitations",
            &["tenant_id", "email"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "invitations",
            "space_members",
            "spaces",
            "organization_members",
            "organizations",
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
