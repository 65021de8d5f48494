//! Partner certification (SPEC §9): tests on the platform's topics, attempts, and the
//! certificates they issue.
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

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entities::{certificate, certification_attempt, certification_test, partner, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect,
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

fn manage(req: &RequestCtx) -> ApiResult<()> {
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

async fn find_test(
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

/// Whether the viewer may take tests: a member of an approved partner of the tenant.
async fn takes_tests(db: &impl ConnectionTrait, req: &RequestCtx) -> ApiResult<bool> {
    let partners =
        super::market::viewer_partners_for(db, req, |me| Action::TakeCertification { me }).await?;
    Ok(!partners.is_empty())
}

fn not_a_partner() -> ApiError {
    ApiError::domain(
        code::NO_PARTNER,
        None,
        "certification is for the members of approved partners",
    )
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

/// When the viewer may start their next attempt at `test_id` (`None`: now).
pub async fn next_attempt_at(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    test_id: i64,
    now: DateTime<Utc>,
) -> ApiResult<Option<DateTime<Utc>>> {
    let Some(u) = req.viewer.user() else {
        return Ok(None);
    };
    let last = last_attempt(db, req.tenant_id(), u.user_id, test_id).await?;
    Ok(last
        .and_then(|a| a.submitted_at)
        .map(|at| at + cooldown(req))
        .filter(|at| *at > now))
}

fn cooldown(req: &RequestCtx) -> Duration {
    Duration::hours(i64::from(req.tenant.model.certification_cooldown_hours))
}

async fn last_attempt(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    user_id: i64,
    test_id: i64,
) -> ApiResult<Option<certification_attempt::Model>> {
    Ok(scoped::<certification_attempt::Entity>(tenant_id)
        .filter(certification_attempt::Column::UserId.eq(user_id))
        .filter(certification_attempt::Column::TestId.eq(test_id))
        .order_by_desc(certification_attempt::Column::Id)
        .one(db)
        .await?)
}

/// `startCertificationAttempt`: a new attempt at an active test (or the open one).
pub async fn start(
    svc: &Services,
    req: &RequestCtx,
    test_id: i64,
) -> ApiResult<certification_attempt::Model> {
    let user = me(req)?;
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    if !takes_tests(&txn, req).await? {
        // An impersonation is told why; anyone else that certification is for partners.
        if req.viewer.user().is_some_and(|u| u.impersonator.is_some()) {
            authorize(
                req,
                Action::TakeCertification {
                    me: Default::default(),
                },
            )?;
        }
        return Err(not_a_partner());
    }
    let t = find_test(&txn, req.tenant_id(), test_id).await?;
    if !t.active {
        return Err(ApiError::NotFound {
            what: "certification test",
        });
    }
    // One start at a time per user: concurrent starts queue here.
    scoped::<user::Entity>(req.tenant_id())
        .filter(user::Column::Id.eq(user))
        .lock_exclusive()
        .one(&txn)
        .await?;
    if scoped::<certificate::Entity>(req.tenant_id())
        .filter(certificate::Column::UserId.eq(user))
        .filter(certificate::Column::TestId.eq(t.id))
        .filter(certificate::Column::RevokedAt.is_null())
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(ApiError::conflict(
            "testId",
            "you already hold a valid certificate for this test",
        ));
    }
    if let Some(last) = last_attempt(&txn, req.tenant_id(), user, t.id).await? {
        match last.submitted_at {
            None => return Ok(last),
            Some(at) if at + cooldown(req) > now => {
                let until = at + cooldown(req);
                return Err(ApiError::domain(
                    code::CERTIFICATION_COOLDOWN,
                    Some("testId"),
                    format!(
                        "the next attempt at this test is possible from {}",
                        until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    let total = questions(&t.questions).len() as i32;
    let a = certification_attempt::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        test_id: Set(t.id),
        user_id: Set(user),
        questions: Set(t.questions.clone()),
        started_at: Set(now),
        submitted_at: Set(None),
        correct: Set(None),
        total: Set(total),
        certificate_id: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn::commit(txn, req).await?;
    Ok(a)
}

/// An attempt of the viewer's own (anyone else's reads as absent).
pub async fn own_attempt(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<certification_attempt::Model> {
    let user = me(req)?;
    scoped::<certification_attempt::Entity>(req.tenant_id())
        .filter(certification_attempt::Column::Id.eq(id))
        .filter(certification_attempt::Column::UserId.eq(user))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound { what: "attempt" })
}

/// The questions answered exactly right.
pub fn score(qs: &[Question], answers: &HashMap<String, Vec<String>>) -> i32 {
    qs.iter()
        .filter(|q| {
            let Some(chosen) = answers.get(&q.id) else {
                return false;
            };
            let mut chosen = chosen.clone();
            chosen.sort();
            chosen.dedup();
            let mut right = q.correct.clone();
            right.sort();
            chosen == right
        })
        .count() as i32
}

/// Whether `correct` of `total` passes (90 % or more, in exact integers).
pub fn passes(correct: i32, total: i32) -> bool {
    total > 0 && i64::from(correct) * 100 >= PASS_PERCENT * i64::from(total)
}

/// `submitCertificationAttempt`: scores the viewer's open attempt once; 90 % or more
/// issues a certificate.
pub async fn submit(
    svc: &Services,
    req: &RequestCtx,
    attempt_id: i64,
    answers: Vec<(String, Vec<String>)>,
) -> ApiResult<(certification_attempt::Model, Option<certificate::Model>)> {
    let user = me(req)?;
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let a = own_attempt(&txn, req, attempt_id).await?;
    if a.submitted_at.is_some() {
        return Err(ApiError::conflict(
            "attemptId",
            "this attempt is already submitted",
        ));
    }
    let qs = questions(&a.questions);
    let mut given: HashMap<String, Vec<String>> = HashMap::new();
    for (i, (qid, options)) in answers.into_iter().enumerate() {
        let Some(q) = qs.iter().find(|q| q.id == qid) else {
            return Err(ApiError::bad_input(
                &format!("answers.{i}.questionId"),
                "not a question of this attempt",
            ));
        };
        if options
            .iter()
            .any(|o| !q.options.iter().any(|c| &c.id == o))
        {
            return Err(ApiError::bad_input(
                &format!("answers.{i}.optionIds"),
                "not an option of this question",
            ));
        }
        if given.insert(qid, options).is_some() {
            return Err(ApiError::bad_input(
                &format!("answers.{i}.questionId"),
                "answered twice",
            ));
        }
    }
    let correct = score(&qs, &given);
    let passed = passes(correct, a.total);
    let cert = if passed {
        let holder = scoped::<user::Entity>(req.tenant_id())
            .filter(user::Column::Id.eq(user))
            .one(&txn)
            .await?
            .ok_or(ApiError::NotFound { what: "user" })?;
        let t = find_test(&txn, req.tenant_id(), a.test_id).await?;
        let c = certificate::ActiveModel {
            tenant_id: Set(req.tenant_id()),
            test_id: Set(a.test_id),
            user_id: Set(user),
            code: Set(new_code()),
            holder_name: Set(holder.display_name.clone()),
            test_title: Set(t.title.clone()),
            score_percent: Set(percent(correct, a.total)),
            partner_id: Set(None),
            issued_at: Set(now),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        Some(c)
    } else {
        None
    };
    // Scored once: a second, concurrent submission changes nothing and is refused.
    let done = certification_attempt::Entity::update_many()
        .col_expr(certification_attempt::Column::SubmittedAt, Expr::value(now))
        .col_expr(certification_attempt::Column::Correct, Expr::value(correct))
        .col_expr(
            certification_attempt::Column::CertificateId,
            Expr::value(cert.as_ref().map(|c| c.id)),
        )
        .filter(certification_attempt::Column::Id.eq(a.id))
        .filter(certification_attempt::Column::SubmittedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if done != 1 {
        return Err(ApiError::conflict(
            "attemptId",
            "this attempt is already submitted",
        ));
    }
    if let Some(c) = &cert {
        audit::record(
            &txn,
            req,
            None,
            audit::action::CERTIFICATE_ISSUED,
            Target::Certificate(c.id),
            None,
            json!({ "testId": a.test_id, "testTitle": c.test_title, "scorePercent": c.score_percent }),
        )
        .await?;
    }
    let a = own_attempt(&txn, req, a.id).await?;
    txn::commit(txn, req).await?;
    Ok((a, cert))
}

/// `correct` of `total` in whole percent, rounded down.
pub fn percent(correct: i32, total: i32) -> i32 {
    if total == 0 {
        0
    } else {
        (i64::from(correct) * 100 / i64::from(total)) as i32
    }
}

/// A verification code: 16 characters without look-alikes (80 bits), in groups of four.
pub fn new_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let raw: Vec<char> = (0..16)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    raw.chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed (any case, with or without dashes and spaces), in its stored form.
pub fn normalize_code(raw: &str) -> Option<String> {
    let chars: Vec<char> = raw
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (chars.len() == 16).then(|| {
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    })
}

/// Whether a certificate is valid now.
pub fn valid(c: &certificate::Model) -> bool {
    c.revoked_at.is_none()
}

/// `verifyCertificate(code)`: public; the tenant's certificate with this code, if any.
pub async fn verify(
    svc: &Services,
    req: &RequestCtx,
    code: &str,
) -> ApiResult<Option<certificate::Model>> {
    svc.limits
        .guard(crate::kernel::ratelimit::Guarded::CodeLookUp, req, None)
        .await?;
    let Some(code) = normalize_code(code) else {
        return Ok(None);
    };
    Ok(scoped::<certificate::Entity>(req.tenant_id())
        .filter(certificate::Column::Code.eq(code))
        .one(&svc.db)
        .await?)
}

/// `myCertificates`: the viewer's certificates, newest first.
pub async fn mine(svc: &Services, req: &RequestCtx) -> ApiResult<Vec<certificate::Model>> {
    let user = me(req)?;
    Ok(scoped::<certificate::Entity>(req.tenant_id())
        .filter(certificate::Column::UserId.eq(user))
        .order_by_desc(certificate::Column::Id)
        .all(&svc.db)
        .await?)
}

/// `revokeCertificate` (tenant staff): it stays verifiable, as not valid, and leaves any
/// profile it was attached to.
pub async fn revoke(
    svc: &Services,
    req: &RequestCtx,
    id: i64,
    reason: Option<String>,
) -> ApiResult<certificate::Model> {
    manage(req)?;
    let reason = validate::opt_text("reason", reason.as_deref(), 500)?;
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let c = find_certificate(&txn, req.tenant_id(), id).await?;
    if c.revoked_at.is_some() {
        return Err(ApiError::conflict("certificateId", "already revoked"));
    }
    let mut m = c.into_active_model();
    m.revoked_at = Set(Some(now));
    m.partner_id = Set(None);
    let c = m.update(&txn).await?;
    audit::record(
        &txn,
        req,
        None,
        audit::action::CERTIFICATE_REVOKED,
        Target::Certificate(c.id),
        None,
        json!({ "code": c.code, "reason": reason }),
    )
    .await?;
    txn::commit(txn, req).await?;
    Ok(c)
}

async fn find_certificate(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> ApiResult<certificate::Model> {
    scoped::<certificate::Entity>(tenant_id)
        .filter(certificate::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound {
            what: "certificate",
        })
}

/// `attachCertificate` / `detachCertificate`: the partner's owners and user admins show
/// (or stop showing) a valid certificate of one of the organization's members on the
/// partner's public profile.
pub async fn attach(
    svc: &Services,
    req: &RequestCtx,
    partner_id: i64,
    certificate_id: i64,
    on: bool,
) -> ApiResult<partner::Model> {
    let txn = txn::begin(&svc.db).await?;
    let (p, _) = crate::partners::ops::for_member(&txn, req, partner_id).await?;
    let c = find_certificate(&txn, req.tenant_id(), certificate_id).await?;
    let holder =
        crate::orgs::ops::access(&txn, req.tenant_id(), p.organization_id, c.user_id).await?;
    // A certificate of someone outside the organization reads as absent.
    if holder.org.is_none() && c.partner_id != Some(p.id) {
        return Err(ApiError::NotFound {
            what: "certificate",
        });
    }
    if on {
        if !valid(&c) {
            return Err(ApiError::conflict(
                "certificateId",
                "the certificate was revoked",
            ));
        }
        if c.partner_id.is_some_and(|other| other != p.id) {
            return Err(ApiError::conflict(
                "certificateId",
                "the certificate is shown on another partner's profile",
            ));
        }
    } else if c.partner_id != Some(p.id) {
        return Err(ApiError::NotFound {
            what: "certificate",
        });
    }
    let mut m = c.into_active_model();
    m.partner_id = Set(on.then_some(p.id));
    let c = m.update(&txn).await?;
    audit::record(
        &txn,
        req,
        Some(p.organization_id),
        if on {
            audit::action::CERTIFICATE_ATTACHED
        } else {
            audit::action::CERTIFICATE_DETACHED
        },
        Target::Certificate(c.id),
        None,
        json!({ "partnerId": p.id, "code": c.code }),
    )
    .await?;
    txn::commit(txn, req).await?;
    Ok(p)
}

/// The valid certificates shown on each partner's profile, oldest first.
pub async fn of_partners(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    partner_ids: &[i64],
) -> Result<HashMap<i64, Vec<certificate::Model>>, sea_orm::DbErr> {
    let mut out: HashMap<i64, Vec<certificate::Model>> = HashMap::new();
    for c in scoped::<certificate::Entity>(tenant_id)
        .filter(certificate::Column::PartnerId.is_in(partner_ids.iter().copied()))
        .filter(certificate::Column::RevokedAt.is_null())
        .order_by_asc(certificate::Column::Id)
        .all(db)
        .await?
    {
        if let Some(p) = c.partner_id {
            out.entry(p).or_default().push(c);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ninety_percent_passes_in_exact_integers() {
        assert!(passes(9, 10));
        assert!(!passes(8, 10));
        assert!(passes(27, 30));
        assert!(!passes(26, 30));
        // 89.99..% is not 90 %.
        assert!(!passes(8999, 10000));
        assert!(!passes(0, 0));
    }

    #[test]
    fn a_question_counts_only_with_exactly_its_correct_options() {
        let q = Question {
            id: "Q1".into(),
            text: "?".into(),
            options: vec![],
            correct: vec!["Q1A".into(), "Q1C".into()],
        };
        let ans = |v: &[&str]| {
            HashMap::from([(
                "Q1".to_string(),
                v.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )])
        };
        assert_eq!(score(std::slice::from_ref(&q), &ans(&["Q1C", "Q1A"])), 1);
        assert_eq!(score(std::slice::from_ref(&q), &ans(&["Q1A"])), 0);
        assert_eq!(
            score(std::slice::from_ref(&q), &ans(&["Q1A", "Q1B", "Q1C"])),
            0
        );
        assert_eq!(score(&[q], &HashMap::new()), 0);
    }

    #[test]
    fn codes_are_grouped_and_read_back_however_typed() {
        let c = new_code();
        assert_eq!(c.len(), 19);
        assert_eq!(normalize_code(&c.to_lowercase().replace('-', " ")), Some(c));
        assert_eq!(normalize_code("ABC"), None);
    }
}
