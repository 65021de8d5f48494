//! The partner's payout account (issue 28): one per partner, on the brand's payout rail,
//! saved by the partner's owners (`savePayoutRequisites`) and read by them and the brand's
//! staff (`Partner.payoutRequisites`). An account on another rail than the brand's is
//! refused naming its field; the checks are each rail's (`super::rails`).

use entities::payout_account as req_row;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, IntoActiveModel, QueryFilter,
};
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use super::rails::PayoutAccount;
use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::services::Services;
use crate::kernel::txn;

/// The partner's saved account, without deciding who may see it.
pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    partner_id: i64,
) -> ApiResult<Option<req_row::Model>> {
    Ok(scoped::<req_row::Entity>(tenant_id)
        .filter(req_row::Column::PartnerId.eq(partner_id))
        .one(db)
        .await?)
}

/// A saved account as its rail's type; a row that no longer reads (a hand edit) is an
/// internal error, logged, never shown.
pub fn account_of(row: &req_row::Model) -> ApiResult<PayoutAccount> {
    PayoutAccount::from_json(&row.details).ok_or_else(|| {
        tracing::error!(account = row.id, "unreadable payout account");
        ApiError::Internal
    })
}

/// A saved account and when it was last saved.
pub struct Saved {
    pub account: PayoutAccount,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// `Partner.payoutRequisites` (the partner's owners, tenant staff).
pub async fn for_viewer(
    svc: &Services,
    req: &RequestCtx,
    p: &entities::partner::Model,
) -> ApiResult<Option<Saved>> {
    let acc = crate::partners::ops::standing(&svc.db, req, p).await?;
    authorize(
        req,
        Action::ViewPayoutRequisites {
            tenant_id: p.tenant_id,
            me: acc.standing(),
        },
    )?;
    find(&svc.db, p.tenant_id, p.id)
        .await?
        .map(|row| {
            Ok(Saved {
                account: account_of(&row)?,
                updated_at: row.updated_at,
            })
        })
        .transpose()
}

/// `savePayoutRequisites` (the partner's owners): an account on the brand's rail.
pub async fn save(
    svc: &Services,
    req: &RequestCtx,
    partner_id: i64,
    input: &PayoutAccount,
) -> ApiResult<Saved> {
    let user = me(req)?;
    let rail = crate::tenancy::payout_rail::Rail::of(&req.tenant.model);
    if rail != Some(input.rail()) {
        let wanted = rail.map_or("no rail: the brand does not pay out yet".to_string(), |r| {
            format!("the brand pays out by {}", r.as_str())
        });
        return Err(ApiError::bad_input(rail_field(input.rail()), wanted));
    }
    let account = input.checked()?;
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let p = super::balance::lock_partner(&txn, req, partner_id).await?;
    let acc = crate::partners::ops::standing(&txn, req, &p).await?;
    authorize(req, Action::EditPayoutRequisites { me: acc.standing() })?;
    let (details, holder) = (account.to_json(), account.holder().to_string());
    let rail = account.rail().as_str().to_string();
    match find(&txn, p.tenant_id, p.id).await? {
        Some(old) => {
            let mut m = old.into_active_model();
            m.rail = Set(rail);
            m.holder_name = Set(holder);
            m.details = Set(details);
            m.updated_by = Set(Some(user));
            m.updated_at = Set(now);
            m.update(&txn).await?;
        }
        None => {
            req_row::ActiveModel {
                tenant_id: Set(p.tenant_id),
                partner_id: Set(p.id),
                rail: Set(rail),
                holder_name: Set(holder),
                details: Set(details),
                updated_by: Set(Some(user)),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    audit::record(
        &txn,
        req,
        Some(p.organization_id),
        audit::action::PAYOUT_REQUISITES_SAVED,
        Target::Partner(p.id),
        None,
        serde_json::to_value(&account).unwrap_or_default(),
    )
    .await?;
    txn::commit(txn, req).await?;
    Ok(Saved {
        account,
        updated_at: now,
    })
}

/// The input field of each rail's account.
fn rail_field(rail: crate::tenancy::payout_rail::Rail) -> &'static str {
    use crate::tenancy::payout_rail::Rail;
    match rail {
        Rail::RuBank => "ruBank",
        Rail::Sepa => "sepa",
        Rail::Pix => "pix",
    }
}
