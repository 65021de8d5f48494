//! Storage: what is written reads back exactly, on both backends.

use entities::{session, user};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

use crate::support::*;

#[tokio::test]
async fn timestamps_read_back_exactly() {
    let app = TestApp::new().await;
    app.sign_up(ROOT, "ann@example.com").await;
    let u = user::Entity::find().one(app.db()).await.unwrap().unwrap();
    let at = entities::time::truncate(
        chrono::DateTime::parse_from_rfc3339("2026-02-28T23:59:59.123456789+03:00")
            .unwrap()
            .with_timezone(&chrono::Utc),
    );
    let s = session::ActiveModel {
        tenant_id: Set(u.tenant_id),
        user_id: Set(u.id),
        created_at: Set(at),
        last_used_at: Set(at),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        user_agent: Set(None),
        client_ip: Set(None),
        ..Default::default()
    }
    .insert(app.db())
    .await
    .unwrap();
    let back = session::Entity::find_by_id(s.id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.created_at, at);
    assert_eq!(back.created_at.timestamp_subsec_micros(), 123_456);
    let now = entities::time::now();
    assert_eq!(now, entities::time::truncate(now));
}

#[tokio::test]
async fn the_backend_under_test_is_announced() {
    let app = TestApp::new().await;
    let backend = app.db().get_database_backend();
    if app.is_postgres() {
        assert_eq!(backend, sea_orm::DatabaseBackend::Postgres);
        eprintln!("storage tests ran on PostgreSQL ({})", app.database_url());
    } else {
        assert_eq!(backend, sea_orm::DatabaseBackend::Sqlite);
        eprintln!(
            "\n*** storage tests ran on SQLite only: PostgreSQL was SKIPPED. Set \
             TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres to run them there \
             too (as .ci/run does). ***\n"
        );
    }
}
