//! Domain claims of several brands coexist: a host may be claimed (`PENDING`) by several
//! tenants at once, and only one may hold it `VERIFIED` (the first to prove it), so an
//! unproven claim can no longer push out, or be pushed out by, another. The unique key on
//! `host` becomes a unique key on verified hosts and one per tenant and host.
//!
//! PostgreSQL drops the column's unique constraint; SQLite cannot drop a column
//! constraint, so the table is rebuilt from its own definition without it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "ALTER TABLE tenant_domains DROP CONSTRAINT IF EXISTS tenant_domains_host_key",
                )
                .await?;
            }
            _ => {
                let row = db
                    .query_one_raw(Statement::from_string(
                        DbBackend::Sqlite,
                        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tenant_domains'",
                    ))
                    .await?
                    .ok_or_else(|| DbErr::Migration("tenant_domains is missing".into()))?;
                let ddl: String = row.try_get("", "sql")?;
                let unique = ddl
                    .find("\"host\"")
                    .and_then(|at| ddl[at..].find(" UNIQUE").map(|u| at + u))
                    .ok_or_else(|| DbErr::Migration(format!("no unique host column in {ddl}")))?;
                let mut rebuilt = ddl.clone();
                rebuilt.replace_range(unique..unique + " UNIQUE".len(), "");
                let rebuilt =
                    rebuilt.replacen("\"tenant_domains\"", "\"tenant_domains_rebuilt\"", 1);
                if !rebuilt.contains("tenant_domains_rebuilt") {
                    return Err(DbErr::Migration(format!("unexpected definition {ddl}")));
                }
                // One batch on one connection: a pool's other connections could still see
                // the old schema between the steps.
                db.execute_unprepared(&format!(
                    "{rebuilt};
                     INSERT INTO tenant_domains_rebuilt SELECT * FROM tenant_domains;
                     DROP TABLE tenant_domains;
                     ALTER TABLE tenant_domains_rebuilt RENAME TO tenant_domains;
                     CREATE INDEX idx_tenant_domains_tenant ON tenant_domains (tenant_id);
                     CREATE INDEX tenant_domains_next_check ON tenant_domains (next_check_at);"
                ))
                .await?;
            }
        }
        // One verified owner per host; one claim per tenant and host; claims by host.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX tenant_domains_verified_host ON tenant_domains (host) \
             WHERE status = 'VERIFIED'",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX tenant_domains_tenant_host ON tenant_domains (tenant_id, host)",
        )
        .await?;
        db.execute_unprepared("CREATE INDEX tenant_domains_host ON tenant_domains (host)")
            .await?;
        Ok(())
    }
}
