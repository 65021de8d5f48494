//! Review bonuses: tenant staff grant them (for a review of the platform, say), with a
//! reason. They are spent only on buying or renewing lines (`BONUS_BALANCE`), never
//! withdrawn.

use entities::partner;
use entities::partner_ledger_entry::{self as entry, LedgerKind, POT_BONUSES};
use rust_decimal::Decimal;
use serde_json::json;
use tenants::{Action, RequestCtx, authorize};

use super::entries::{NewEntry, write};
use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::services::Services;
use crate::kernel::{txn, validate};

/// The largest single bonus (a typo guard), in major units.
pub const MAX_BONUS: i64 = 1_000_000;

/// A positive amount of the tenant's currency in minor units; `field` names the input.
pub fn positive_amount(field: &str, amount: Decimal, currency: &str, max: i64) -> ApiResult<i64> {
    if amount <= Decimal::ZERO {
        return Err(ApiError::bad_input(field, "must be more than zero"));
    }
    if amount > Decimal::from(max) {
        return Err(ApiError::bad_input(field, format!("at most {max}")));
    }
    entities::money::to_minor(amount, currency).map_err(|_| {
        ApiError::bad_input(
            field,
            format!(
                "at most {} decimals in {currency}",
                entities::money::minor_digits(currency)
            ),
        )
    })
}

/// `grantReviewBonus` (tenant staff).
pub async fn grant(
    svc: &Services,
    req: &RequestCtx,
    partner_id: i64,
    amount: Decimal,
    reason: &str,
) -> ApiResult<entry::Model> {
    authorize(
        req,
        Action::ManagePartnerMoney {
            tenant_id: req.tenant_id(),
        },
    )?;
    let staff = me(req)?;
    let currency = req.tenant.model.currency.clone();
    let minor = positive_amount("amount", amount, &currency, MAX_BONUS)?;
    let reason = validate::text("reason", reason, 1000)?;
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let p = super::balance::lock_partner(&txn, req, partner_id).await?;
    if p.status != partner::STATUS_APPROVED {
        return Err(ApiError::domain(
            code::PARTNER_NOT_APPROVED,
            Some("partnerId"),
            "bonuses go to approved partners",
        ));
    }
    let e = write(
        &txn,
        NewEntry {
            tenant_id: p.tenant_id,
            partner_id: p.id,
            kind: LedgerKind::ReviewBonus,
            pot: POT_BONUSES,
            amount_minor: minor,
            currency: &currency,
            order_id: None,
            withdrawal_id: None,
            reason: Some(reason.clone()),
            created_by: Some(staff),
            available_at: now,
            now,
        },
    )
    .await?;
    audit::record(
        &txn,
        req,
        Some(p.organization_id),
        audit::action::LEDGER_REVIEW_BONUS_GRANTED,
        Target::Partner(p.id),
        None,
        json!({ "amountMinor": minor, "currency": currency, "reason": reason, "entryId": e.id }),
    )
    .await?;
    txn::commit(txn, req).await?;
    Ok(e)
}
