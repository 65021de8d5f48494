//! A partner's monthly statement (`Partner.statement(month:)`): the rewards account over
//! one calendar month in the brand's time zone, the report an act is drawn up from.
//!
//! The rewards pot only (review bonuses are spent on lines, never paid out), by when each
//! entry was written: `opening` is the balance before the month; then `rewards` earned,
//! `reversals` of rewards (orders refunded), `spent` on orders (net of spends given back),
//! `withdrawn` (withdrawals paid); `closing = opening + rewards - reversals - spent -
//! withdrawn`. Holds of withdrawals not yet paid only set money aside and are not in it.
//!
//! The CSV lists the month's entries with a running balance; it is downloaded through a
//! signed link (`/exports/statement.csv?token=…`, valid for `LINK_TTL`) issued only to
//! those who may read the statement: the partner's owners and the brand's staff.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use entities::partner_ledger_entry::{self as entry, LedgerKind, POT_REWARDS};
use entities::{order, partner, withdrawal};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::services::Services;

/// How long a statement's download link works.
pub const LINK_TTL: Duration = Duration::hours(1);

/// The signed link's purpose.
const LINK_PURPOSE: &str = "statement";

/// A month's figures, minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub partner_id: i64,
    /// `YYYY-MM`.
    pub month: String,
    pub currency: String,
    pub opening: i64,
    pub rewards: i64,
    pub reversals: i64,
    pub spent: i64,
    pub withdrawn: i64,
    pub closing: i64,
    /// The month's entries, oldest first.
    pub entries: Vec<entry::Model>,
}

/// The first instant of `month` (`YYYY-MM`) and of the month after, in `tz`.
fn bounds(month: &str, tz: chrono_tz::Tz) -> ApiResult<(DateTime<Utc>, DateTime<Utc>)> {
    let bad = || ApiError::bad_input("month", "a month is written YYYY-MM, e.g. 2026-11");
    let (y, m) = month.split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let first = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    }
    .ok_or_else(bad)?;
    // Midnight, or the first instant after it where the zone skips it (a summer-time gap).
    let at = |d: NaiveDate| {
        let midnight = d.and_time(chrono::NaiveTime::MIN);
        (0..=2)
            .find_map(|h| {
                tz.from_local_datetime(&(midnight + Duration::hours(h)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(bad)
    };
    Ok((at(first)?, at(next)?))
}

/// Refuses unless the viewer may read the partner's statements (its owners, the brand's
/// staff: those who see its payout requisites).
async fn authorize_statement(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    p: &partner::Model,
) -> ApiResult<()> {
    let me = crate::partners::ops::standing(db, req, p).await?;
    authorize(
        req,
        Action::ViewPayoutRequisites {
            tenant_id: p.tenant_id,
            me: me.standing(),
        },
    )?;
    Ok(())
}

/// `Partner.statement(month:)` for the viewer.
pub async fn for_viewer(
    svc: &Services,
    req: &RequestCtx,
    p: &partner::Model,
    month: &str,
) -> ApiResult<Statement> {
    authorize_statement(&svc.db, req, p).await?;
    let tz = super::calendar::zone(&req.tenant.model.timezone);
    let (start, _) = bounds(month, tz)?;
    if start > svc.clock.now() {
        return Err(ApiError::bad_input("month", "that month has not begun"));
    }
    of(&svc.db, p, month, tz, &req.tenant.model.currency).await
}

/// The statement of `p` for `month` in `tz` (no authorization: callers decide).
pub async fn of(
    db: &impl ConnectionTrait,
    p: &partner::Model,
    month: &str,
    tz: chrono_tz::Tz,
    currency: &str,
) -> ApiResult<Statement> {
    let (start, end) = bounds(month, tz)?;
    let counted = || {
        scoped::<entry::Entity>(p.tenant_id)
            .filter(entry::Column::PartnerId.eq(p.id))
            .filter(entry::Column::Pot.eq(POT_REWARDS))
            .filter(entry::Column::Kind.is_not_in([
                LedgerKind::WithdrawalHold.as_str(),
                LedgerKind::WithdrawalRelease.as_str(),
            ]))
    };
    // PostgreSQL sums BIGINT as NUMERIC: cast back.
    let opening: Option<i64> = counted()
        .filter(entry::Column::CreatedAt.lt(start))
        .select_only()
        .column_as(
            sea_orm::sea_query::Expr::cust("CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT)"),
            "total",
        )
        .into_tuple::<i64>()
        .one(db)
        .await?;
    let entries = counted()
        .filter(entry::Column::CreatedAt.gte(start))
        .filter(entry::Column::CreatedAt.lt(end))
        .order_by_asc(entry::Column::CreatedAt)
        .order_by_asc(entry::Column::Id)
        .all(db)
        .await?;
    let opening = opening.unwrap_or(0);
    let (mut rewards, mut reversals, mut spent, mut withdrawn) = (0, 0, 0, 0);
    for e in &entries {
        match (e.kind, e.amount_minor < 0) {
            (LedgerKind::Reward, _) => rewards += e.amount_minor,
            (LedgerKind::Reversal, true) => reversals -= e.amount_minor,
            (LedgerKind::WithdrawalPaid, _) => withdrawn -= e.amount_minor,
            // Spends, and spends given back (a refunded order paid from the balance).
            _ => spent -= e.amount_minor,
        }
    }
    Ok(Statement {
        partner_id: p.id,
        month: month.to_string(),
        currency: currency.to_string(),
        opening,
        rewards,
        reversals,
        spent,
        withdrawn,
        closing: opening + rewards - reversals - spent - withdrawn,
        entries,
    })
}

/// A signed link to the statement's CSV, valid for [`LINK_TTL`].
pub fn csv_link(svc: &Services, req: &RequestCtx, s: &Statement) -> ApiResult<String> {
    let expires = (svc.clock.now() + LINK_TTL).timestamp();
    let token = svc
        .keys
        .sign_link(
            LINK_PURPOSE,
            req.tenant_id(),
            &s.partner_id.to_string(),
            &format!("{}:{expires}", s.month),
        )
        .map_err(ApiError::internal)?;
    Ok(crate::kernel::links::tenant_url(
        &svc.settings,
        &req.tenant,
        &format!("/exports/statement.csv?token={token}"),
    ))
}

/// The CSV a signed link names, with its file name; `None` for a link that is not valid
/// (forged, of another brand, expired, or its partner gone).
pub async fn csv_of_link(
    svc: &Services,
    tenant: &tenants::TenantInfo,
    token: &str,
) -> ApiResult<Option<(String, String)>> {
    let Ok((sub, data)) = svc.keys.verify_link(LINK_PURPOSE, tenant.id(), token) else {
        return Ok(None);
    };
    let Some((month, expires)) = data.split_once(':') else {
        return Ok(None);
    };
    let (Ok(partner_id), Ok(expires)) = (sub.parse::<i64>(), expires.parse::<i64>()) else {
        return Ok(None);
    };
    if svc.clock.now().timestamp() > expires {
        return Ok(None);
    }
    let Some(p) = scoped::<partner::Entity>(tenant.id())
        .filter(partner::Column::Id.eq(partner_id))
        .one(&svc.db)
        .await?
    else {
        return Ok(None);
    };
    let tz = super::calendar::zone(&tenant.model.timezone);
    let s = of(&svc.db, &p, month, tz, &tenant.model.currency).await?;
    let csv = to_csv(&svc.db, &s, tz).await?;
    Ok(Some((csv, format!("statement-{}-{month}.csv", p.id))))
}

/// The statement as CSV: a summary, then each entry with the balance after it.
async fn to_csv(db: &impl ConnectionTrait, s: &Statement, tz: chrono_tz::Tz) -> ApiResult<String> {
    let orders: Vec<i64> = s.entries.iter().filter_map(|e| e.order_id).collect();
    let withdrawals: Vec<i64> = s.entries.iter().filter_map(|e| e.withdrawal_id).collect();
    let order_numbers: std::collections::HashMap<i64, i64> = order::Entity::find()
        .filter(order::Column::Id.is_in(orders))
        .select_only()
        .columns([order::Column::Id, order::Column::OrderNumber])
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let withdrawal_numbers: std::collections::HashMap<i64, i64> = withdrawal::Entity::find()
        .filter(withdrawal::Column::Id.is_in(withdrawals))
        .select_only()
        .columns([withdrawal::Column::Id, withdrawal::Column::WithdrawalNumber])
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let money = |minor: i64| entities::money::from_minor(minor, &s.currency).to_string();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut row = |r: [&str; 5]| w.write_record(r).map_err(ApiError::internal);
    row(["date", "entry", "reference", "amount", "balance"])?;
    let mut balance = s.opening;
    row(["", "OPENING_BALANCE", &s.month, "", &money(balance)])?;
    for e in &s.entries {
        balance += e.amount_minor;
        let reference = match (e.order_id, e.withdrawal_id) {
            (Some(o), _) => format!("order {}", order_numbers.get(&o).copied().unwrap_or(o)),
            (None, Some(wd)) => format!(
                "withdrawal {}",
                withdrawal_numbers.get(&wd).copied().unwrap_or(wd)
            ),
            _ => e.reason.clone().unwrap_or_default(),
        };
        let date = e.created_at.with_timezone(&tz);
        row([
            &format!("{}-{:02}-{:02}", date.year(), date.month(), date.day()),
            e.kind.as_str(),
            &reference,
            &money(e.amount_minor),
            &money(balance),
        ])?;
    }
    row(["", "CLOSING_BALANCE", &s.month, "", &money(s.closing)])?;
    let bytes = w.into_inner().map_err(ApiError::internal)?;
    String::from_utf8(bytes).map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_runs_from_midnight_to_midnight_in_the_brands_zone() {
        let tz: chrono_tz::Tz = "Europe/Moscow".parse().unwrap();
        let (a, b) = bounds("2026-11", tz).unwrap();
        assert_eq!(a.to_rfc3339(), "2026-10-31T21:00:00+00:00");
        assert_eq!(b.to_rfc3339(), "2026-11-30T21:00:00+00:00");
        let (_, b) = bounds("2026-12", tz).unwrap();
        assert_eq!(b.to_rfc3339(), "2026-12-31T21:00:00+00:00");
        for bad in [
            "2026-13", "2026-1", "26-11", "2026/11", "", "abcd-ef", "2026-00",
        ] {
            assert_eq!(bounds(bad, tz).unwrap_err().field(), Some("month"), "{bad}");
        }
    }
}
