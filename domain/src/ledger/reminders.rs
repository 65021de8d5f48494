//! The paperwork calendar's reminders (`RU_BANK` withdrawals, `calendar`), emitted by the
//! scheduler (`withdrawals.reminders`): the partner is reminded `LEAD_DAYS` before its
//! documents are due (`withdrawal.documents_due`), and the brand's staff are told when a
//! step missed its deadline (`withdrawal.overdue`: documents not received, act not
//! signed, payment not made).
//!
//! Once per deadline: the row records the deadline each reminder went out for
//! (`reminded_for`, `overdue_notified_for`), set by the conditional update that claims it,
//! so a second run (or instance) finds nothing; the next step has a new deadline, which
//! re-arms both.

use chrono::{DateTime, Duration, Utc};
use entities::withdrawal::{self, WithdrawalStatus};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;

use crate::kernel::error::ApiResult;
use crate::kernel::events::{self, kind};

/// How long before documents are due the partner is reminded.
pub const LEAD_DAYS: i64 = 3;

/// At most this many of each reminder per run; the next run takes the rest.
const BATCH: u64 = 200;

/// The step a withdrawal's deadline belongs to.
fn step(w: &withdrawal::Model) -> &'static str {
    match (w.status, w.act_signed_at) {
        (WithdrawalStatus::Requested, _) => "DOCUMENTS",
        (_, None) => "ACT",
        (_, Some(_)) => "PAYMENT",
    }
}

/// Emits the due reminders; how many.
pub async fn emit_due(db: &impl ConnectionTrait, now: DateTime<Utc>) -> ApiResult<u64> {
    let soon = claim(
        db,
        withdrawal::Column::RemindedFor,
        Condition::all()
            .add(withdrawal::Column::Status.eq(WithdrawalStatus::Requested.as_str()))
            .add(withdrawal::Column::DueAt.gt(now))
            .add(withdrawal::Column::DueAt.lte(now + Duration::days(LEAD_DAYS))),
    )
    .await?;
    let late = claim(
        db,
        withdrawal::Column::OverdueNotifiedFor,
        Condition::all().add(withdrawal::Column::DueAt.lte(now)),
    )
    .await?;
    for (w, event) in soon
        .iter()
        .map(|w| (w, kind::WITHDRAWAL_DOCUMENTS_DUE))
        .chain(late.iter().map(|w| (w, kind::WITHDRAWAL_OVERDUE)))
    {
        events::record(
            db,
            w.tenant_id,
            event,
            json!({
                "withdrawalId": w.id,
                "withdrawalNumber": w.withdrawal_number,
                "partnerId": w.partner_id,
                "amountMinor": w.amount_minor,
                "currency": w.currency,
                "dueAt": w.due_at,
                "step": step(w),
            }),
            now,
        )
        .await?;
    }
    Ok((soon.len() + late.len()) as u64)
}

/// Open withdrawals matching `due` whose `mark` is not their deadline yet, marked with it
/// (each only if no one marked it meanwhile).
async fn claim(
    db: &impl ConnectionTrait,
    mark: withdrawal::Column,
    due: Condition,
) -> ApiResult<Vec<withdrawal::Model>> {
    let not_marked = Condition::any()
        .add(mark.is_null())
        .add(Expr::col(mark).ne(Expr::col(withdrawal::Column::DueAt)));
    let found = withdrawal::Entity::find()
        .filter(withdrawal::Column::DueAt.is_not_null())
        .filter(due)
        .filter(not_marked.clone())
        .limit(BATCH)
        .all(db)
        .await?;
    let mut claimed = Vec::with_capacity(found.len());
    for w in found {
        let r = withdrawal::Entity::update_many()
            .col_expr(mark, Expr::col(withdrawal::Column::DueAt))
            .filter(withdrawal::Column::Id.eq(w.id))
            .filter(withdrawal::Column::DueAt.eq(w.due_at))
            .filter(not_marked.clone())
            .exec(db)
            .await?;
        if r.rows_affected == 1 {
            claimed.push(w);
        }
    }
    Ok(claimed)
}
