//! `markWithdrawalActSigned` (tenant staff): the act of a withdrawal on the `RU_BANK` rail
//! is signed, once the partner sent the documents; its payment is then due within 10
//! business days (`super::calendar`). A stamp, not a state: the withdrawal stays
//! `DOCUMENTS_SENT` or `APPROVED`. Signing twice, before the documents, after payment or
//! on a rail without paperwork is `WRONG_WITHDRAWAL_STATE`; racing staff sign it once.

use entities::withdrawal::{self, WithdrawalStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tenants::{Action, RequestCtx, authorize};

use super::withdrawals::{changed, find, lock, refresh_due};
use crate::identity::me;
use crate::kernel::audit;
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::services::Services;
use crate::kernel::txn;

/// `markWithdrawalActSigned` (tenant staff).
pub async fn mark_act_signed(
    svc: &Services,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<withdrawal::Model> {
    let user = me(req)?;
    authorize(
        req,
        Action::ManagePartnerMoney {
            tenant_id: req.tenant_id(),
        },
    )?;
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let w = lock(&txn, req, id).await?;
    let open = matches!(
        w.status,
        WithdrawalStatus::DocumentsSent | WithdrawalStatus::Approved
    );
    let paperwork = super::calendar::has_paperwork(&w);
    if !open || !paperwork || w.act_signed_at.is_some() {
        return Err(ApiError::domain(
            code::WRONG_WITHDRAWAL_STATE,
            Some("withdrawalId"),
            format!(
                "the withdrawal is {}{}: its act is signed once, after the documents were sent, on the RU_BANK rail",
                w.status.as_str(),
                if w.act_signed_at.is_some() {
                    " with its act signed"
                } else {
                    ""
                }
            ),
        ));
    }
    let updated = withdrawal::Entity::update_many()
        .col_expr(withdrawal::Column::ActSignedAt, Expr::value(now))
        .col_expr(withdrawal::Column::ReviewedBy, Expr::value(user))
        .col_expr(withdrawal::Column::UpdatedAt, Expr::value(now))
        .filter(withdrawal::Column::Id.eq(w.id))
        .filter(withdrawal::Column::ActSignedAt.is_null())
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ApiError::domain(
            code::WRONG_WITHDRAWAL_STATE,
            Some("withdrawalId"),
            "the withdrawal changed meanwhile; reload it",
        ));
    }
    let p = crate::partners::ops::find(&txn, req, w.partner_id).await?;
    let signed = refresh_due(&txn, req, find(&txn, w.tenant_id, w.id).await?).await?;
    changed(
        &txn,
        req,
        &p,
        &signed,
        Some(w.status),
        audit::action::WITHDRAWAL_ACT_SIGNED,
        now,
    )
    .await?;
    txn::commit(txn, req).await?;
    Ok(signed)
}
