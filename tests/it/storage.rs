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
