//! Partner certification (SPEC §9): tests on the platform's topics, attempts, and the
//! certificates they issue. Tests are written and read here; taking them is `attempts`,
//! what passing gives is `certificates`.
//!
//! - Tenant staff write tests: questions, their options and which are correct; a test is
//!   active or not. The answers never leave through a partner-facing path: an attempt
//!   carries the questions without them, and its result is a score, not a key.
//! - A member of an approved partner starts an attempt at an active test; the questions
//!   are copied into the attempt, so editing the test never changes one under way. Asking
//!   again while an attempt is open returns that attempt.
//! - After a submitted attempt the user waits the tenant's cool-down
//!   (`certification_cooldown_hours`) before the next attempt at the same test
//!   (`CERTIFICATION_COOLDOWN`, with the time it ends). The user's row is locked while an
//!   attempt starts, so two concurrent starts make one attempt.
//! - A question counts when exactly its correct options are chosen. 90 % or more issues a
//!   certificate with a public verification code (about 80 bits, `XXXX-XXXX-XXXX-XXXX`);
//!   submitting is a conditional update, so an attempt is scored once.
//! - `verifyCertificate(code)` answers the holder's name, the test, the date and whether
//!   it is valid (staff may revoke). A partner's owners and user admins attach a
//!   member's certificate to the partner's public profile.

use entities::certification_test;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::services::Services;
use crate::kernel::{txn, validate};

/// The share of questions to answer right for a certificate, in percent.
pub const PASS_PERCENT: i64 = 90;

/// Most questions in one test.
pub const MAX_QUESTIONS: usize = 200;

/// Most options of one question.
pub const MAX_OPTIONS: usize = 10;

/// A question as stored: with its correct options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub text: String,
    pub options: Vec<Choice>,
    pub correct: Vec<String>,
}

/// One option of a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub text: String,
}

/// A question as staff write it.
#[derive(Debug, Clone)]
pub struct NewQuestion {
    pub text: String,
    pub options: Vec<(String, bool)>,
}

/// `upsertCertificationTest`'s input.
#[derive(Debug, Clone)]
pub struct TestInput {
    /// The test to change; `None` creates one.
    pub id: Option<i64>,
    pub title: String,
    pub topic: String,
    pub description: Option<String>,
    pub active: bool,
    pub questions: Vec<NewQuestion>,
}

/// The questions of a test or an attempt.
pub fn questions(json: &str) -> Vec<Question> {
    serde_json::from_str(json).unwrap_or_default()
}

pub fn manage(req: &RequestCtx) -> ApiResult<()> {
    authorize(
        req,
        Action::ManageCertification {
            tenant_id: req.tenant_id(),
        },
    )?;
    Ok(())
}

/// Whether the viewer writes the tests (and may read their answers).
pub fn manages(req: &RequestCtx) -> bool {
    manage(req).is_ok()
}

/// A test's questions with their correct options: tenant staff only.
pub fn answer_key(req: &RequestCtx, t: &certification_test::Model) -> ApiResult<Vec<Question>> {
    manage(req)?;
    Ok(questions(&t.questions))
}

/// Checks staff's questions and gives them ids (`Q1`, `Q1A`, ...).
fn check_questions(input: &[NewQuestion]) -> ApiResult<Vec<Question>> {
    if input.is_empty() || input.len() > MAX_QUESTIONS {
        return Err(ApiError::bad_input(
            "questions",
            format!("from 1 to {MAX_QUESTIONS} questions"),
        ));
    }
    let mut out = Vec::new();
    for (i, q) in input.iter().enumerate() {
        let field = format!("questions.{i}");
        let text = validate::opt_paragraphs(&format!("{field}.text"), Some(&q.text), 1000)?
            .ok_or_else(|| ApiError::bad_input(&format!("{field}.text"), "must not be empty"))?;
        if q.options.len() < 2 || q.options.len() > MAX_OPTIONS {
            return Err(ApiError::bad_input(
                &format!("{field}.options"),
                format!("from 2 to {MAX_OPTIONS} options"),
            ));
        }
        let id = format!("Q{}", i + 1);
        let mut options = Vec::new();
        let mut correct = Vec::new();
        for (j, (t, right)) in q.options.iter().enumerate() {
            let oid = format!("{id}{}", (b'A' + j as u8) as char);
            let text = validate::text(&format!("{field}.options.{j}.text"), t, 500)?;
            if *right {
                correct.push(oid.clone());
            }
            options.push(Choice { id: oid, text });
        }
        if correct.is_empty() {
            return Err(ApiError::bad_input(
                &format!("{field}.options"),
                "mark at least one option correct",
            ));
        }
        out.push(Question {
            id,
            text,
            options,
            correct,
        });
    }
    Ok(out)
}

/// `upsertCertificationTest` (tenant staff).
pub async fn upsert_test(
    svc: &Services,
    req: &RequestCtx,
    input: TestInput,
) -> ApiResult<certification_test::Model> {
    manage(req)?;
    let title = validate::text("title", &input.title, 200)?;
    let topic = validate::text("topic", &input.topic, 120)?;
    let description = validate::opt_paragraphs("description", input.description.as_deref(), 2000)?;
    let qs = json!(check_questions(&input.questions)?).to_string();
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let t = match input.id {
        None => {
            certification_test::ActiveModel {
                tenant_id: Set(req.tenant_id()),
                title: Set(title),
                topic: Set(topic),
                description: Set(description),
                questions: Set(qs),
                active: Set(input.active),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
        Some(id) => {
            let mut m = find_test(&txn, req.tenant_id(), id)
                .await?
                .into_active_model();
            m.title = Set(title);
            m.topic = Set(topic);
            m.description = Set(description);
            m.questions = Set(qs);
            m.active = Set(input.active);
            m.updated_at = Set(now);
            m.update(&txn).await?
        }
    };
    audit::record(
        &txn,
        req,
        None,
        audit::action::CERTIFICATION_TEST_SAVED,
        Target::CertificationTest(t.id),
        None,
        json!({ "title": t.title, "active": t.active, "questions": input.questions.len() }),
    )
    .await?;
    txn::commit(txn, req).await?;
    Ok(t)
}

pub async fn find_test(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> ApiResult<certification_test::Model> {
    scoped::<certification_test::Entity>(tenant_id)
        .filter(certification_test::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound {
            what: "certification test",
        })
}

/// `certificationTests`: every test for staff; the active ones for partners' members.
pub async fn tests(svc: &Services, req: &RequestCtx) -> ApiResult<Vec<certification_test::Model>> {
    me(req)?;
    let mut q = scoped::<certification_test::Entity>(req.tenant_id());
    if !manages(req) {
        if !takes_tests(&svc.db, req).await? {
            return Err(not_a_partner());
        }
        q = q.filter(certification_test::Column::Active.eq(true));
    }
    Ok(q.order_by_asc(certification_test::Column::Id)
        .all(&svc.db)
        .await?)
}

/// Whether the viewer may take tests: a member of an approved partner of the tenant.
pub async fn takes_tests(db: &impl ConnectionTrait, req: &RequestCtx) -> ApiResult<bool> {
    let partners =
        super::market::viewer_partners_for(db, req, |me| Action::TakeCertification { me }).await?;
    Ok(!partners.is_empty())
}

pub fn not_a_partner() -> ApiError {
    ApiError::domain(
        code::NO_PARTNER,
        None,
        "certification is for the members of approved partners",
    )
}
