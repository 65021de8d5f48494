//! Attempts at a certification test: starting one (the questions copied in, without
//! their answers), submitting it, the score and the cool-down before the next.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entities::{certificate, certification_attempt, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::services::Services;
use crate::kernel::txn;
use crate::leads::certificates::new_code;
use crate::leads::certification::{
    PASS_PERCENT, Question, find_test, not_a_partner, questions, takes_tests,
};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leads::certificates::normalize_code;

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
