//! Raw statements written once for both backends: `?` placeholders, numbered `$1, $2, ..`
//! for PostgreSQL. For the few statements sea-orm's builder cannot express
//! (`UPDATE .. RETURNING`, `INSERT .. ON CONFLICT DO NOTHING RETURNING`, `UNION ALL`).

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

/// `sql` with `?` placeholders, bound to `values`, for `db`'s backend.
pub fn statement(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            let mut out = String::new();
            let mut n = 0;
            for ch in sql.chars() {
                if ch == '?' {
                    n += 1;
                    out.push_str(&format!("${n}"));
                } else {
                    out.push(ch);
                }
            }
            out
        }
        _ => sql.to_string(),
    };
    Statement::from_sql_and_values(db.get_database_backend(), sql, values)
}

/// ` FOR UPDATE SKIP LOCKED` on PostgreSQL (claiming rows so that several instances take
/// different ones), nothing on SQLite (one instance, whose write transaction serialises).
pub fn skip_locked(db: &impl ConnectionTrait) -> &'static str {
    match db.get_database_backend() {
        DbBackend::Postgres => " FOR UPDATE SKIP LOCKED",
        _ => "",
    }
}
