//! A tenant's price list: channel kinds and ChatCoins packages, read by anyone on the
//! tenant's host and edited by its admins (platform staff for any tenant). Kinds and
//! packages are saved by code ("upsert") and deactivated, never deleted: running lines keep
//! the kinds they have (the database refuses deleting a kind a line uses).

use entities::{channel_kind, coin_package, money, tenant};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder,
};
use serde_json::json;
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use crate::kernel::audit::{self, Target};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::services::Services;
use crate::kernel::validate;

/// A tenant's price list.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub tenant_id: i64,
    pub currency: String,
    pub channel_kinds: Vec<channel_kind::Model>,
    pub coin_packages: Vec<coin_package::Model>,
    /// The periods a line is bought or renewed for, in months: the brand's ladders'.
    pub periods: Vec<u32>,
}

/// A channel kind to save, by code.
#[derive(Debug, Clone)]
pub struct ChannelKindInput {
    /// The tenant; `None` is the request's (staff may name another).
    pub tenant_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub personal: bool,
    pub monthly_price: Decimal,
    pub active: bool,
    pub position: Option<i32>,
}

/// A ChatCoins package to save, by code.
#[derive(Debug, Clone)]
pub struct CoinPackageInput {
    pub tenant_id: Option<i64>,
    pub code: String,
    pub coins: i64,
    pub price: Decimal,
    pub active: bool,
}

/// A code: 2 to 32 of `A-Z`, `0-9` and `_`, upper-cased.
pub fn code(field: &str, raw: &str) -> ApiResult<String> {
    let c = raw.trim().to_ascii_uppercase();
    if (2..=32).contains(&c.len())
        && c.chars()
            .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '_')
    {
        Ok(c)
    } else {
        Err(ApiError::bad_input(
            field,
            "use 2 to 32 letters, digits or underscores, such as WHATSAPP",
        ))
    }
}

/// A price in the tenant's currency, in minor units: not negative, no finer than the
/// currency's minor unit.
fn price_minor(field: &str, amount: Decimal, currency: &str) -> ApiResult<i64> {
    if amount < Decimal::ZERO {
        return Err(ApiError::bad_input(field, "a price cannot be negative"));
    }
    money::to_minor(amount, currency).map_err(|e| ApiError::bad_input(field, e.to_string()))
}

/// The tenant an edit is about, after the policy: another tenant's id reads as not found
/// for anyone who may not edit it.
async fn tenant_to_edit(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    tenant_id: Option<i64>,
) -> ApiResult<tenant::Model> {
    let id = tenant_id.unwrap_or(req.tenant_id());
    crate::tenancy::access::load_brand_facts(db, req, id).await?;
    authorize(req, Action::ManageCatalogue { tenant_id: id }).map_err(|d| {
        match (d, id == req.tenant_id()) {
            (tenants::Denied::Forbidden, false) => ApiError::NotFound { what: "tenant" },
            (d, _) => ApiError::from(d),
        }
    })?;
    tenant::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound { what: "tenant" })
}

/// The request tenant's price list; inactive entries only for those who edit it.
pub async fn read(
    svc: &Services,
    req: &RequestCtx,
    include_inactive: bool,
) -> ApiResult<Catalogue> {
    let tenant_id = req.tenant_id();
    if include_inactive {
        authorize(req, Action::ManageCatalogue { tenant_id })?;
    }
    let mut kinds = scoped::<channel_kind::Entity>(tenant_id)
        .order_by_asc(channel_kind::Column::Position)
        .order_by_asc(channel_kind::Column::Id);
    let mut packages = scoped::<coin_package::Entity>(tenant_id)
        .order_by_asc(coin_package::Column::Coins)
        .order_by_asc(coin_package::Column::Id);
    if !include_inactive {
        kinds = kinds.filter(channel_kind::Column::Active.eq(true));
        packages = packages.filter(coin_package::Column::Active.eq(true));
    }
    Ok(Catalogue {
        tenant_id,
        currency: req.tenant.model.currency.clone(),
        channel_kinds: kinds.all(&svc.db).await?,
        coin_packages: packages.all(&svc.db).await?,
        periods: crate::tenancy::ladders::Ladders::of(&req.tenant.model).periods,
    })
}

/// `upsertChannelKind`: creates the kind with this code, or changes it. Returns it with
/// its tenant's currency.
pub async fn upsert_channel_kind(
    svc: &Services,
    req: &RequestCtx,
    input: ChannelKindInput,
) -> ApiResult<(channel_kind::Model, String)> {
    let code = code("code", &input.code)?;
    let name = validate::text("name", &input.name, 120)?;
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let t = tenant_to_edit(&txn, req, input.tenant_id).await?;
    let price = price_minor("monthlyPrice", input.monthly_price, &t.currency)?;
    let now = entities::time::now();
    let existing = scoped::<channel_kind::Entity>(t.id)
        .filter(channel_kind::Column::Code.eq(&code))
        .one(&txn)
        .await?;
    let saved = match existing {
        Some(k) => {
            let mut m = k.into_active_model();
            m.name = Set(name);
            m.personal = Set(input.personal);
            m.monthly_price_minor = Set(price);
            m.active = Set(input.active);
            if let Some(p) = input.position {
                m.position = Set(p);
            }
            m.updated_at = Set(now);
            m.update(&txn).await?
        }
        None => channel_kind::ActiveModel {
            tenant_id: Set(t.id),
            code: Set(code),
            name: Set(name),
            personal: Set(input.personal),
            monthly_price_minor: Set(price),
            active: Set(input.active),
            position: Set(input.position.unwrap_or(0)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| ApiError::from_unique(e, "code", "a kind with this code was just added"))?,
    };
    audit::record(
        &txn,
        req,
        None,
        audit::action::CATALOGUE_CHANNEL_KIND_SAVED,
        Target::ChannelKind(saved.id),
        None,
        json!({
            "tenantId": t.id,
            "code": saved.code,
            "monthlyPrice": money::from_minor(saved.monthly_price_minor, &t.currency).to_string(),
            "personal": saved.personal,
            "active": saved.active,
        }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok((saved, t.currency))
}

/// `upsertCoinPackage`: creates the package with this code, or changes it. Returns it
/// with its tenant's currency.
pub async fn upsert_coin_package(
    svc: &Services,
    req: &RequestCtx,
    input: CoinPackageInput,
) -> ApiResult<(coin_package::Model, String)> {
    let code = code("code", &input.code)?;
    if !(1..=1_000_000_000).contains(&input.coins) {
        return Err(ApiError::bad_input(
            "coins",
            "must be between 1 and 1000000000",
        ));
    }
    let txn = crate::kernel::txn::begin(&svc.db).await?;
    let t = tenant_to_edit(&txn, req, input.tenant_id).await?;
    let price = price_minor("price", input.price, &t.currency)?;
    let now = entities::time::now();
    let existing = scoped::<coin_package::Entity>(t.id)
        .filter(coin_package::Column::Code.eq(&code))
        .one(&txn)
        .await?;
    let saved = match existing {
        Some(p) => {
            let mut m = p.into_active_model();
            m.coins = Set(input.coins);
            m.price_minor = Set(price);
            m.active = Set(input.active);
            m.updated_at = Set(now);
            m.update(&txn).await?
        }
        None => coin_package::ActiveModel {
            tenant_id: Set(t.id),
            code: Set(code),
            coins: Set(input.coins),
            price_minor: Set(price),
            active: Set(input.active),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| ApiError::from_unique(e, "code", "a package with this code was just added"))?,
    };
    audit::record(
        &txn,
        req,
        None,
        audit::action::CATALOGUE_COIN_PACKAGE_SAVED,
        Target::CoinPackage(saved.id),
        None,
        json!({
            "tenantId": t.id,
            "code": saved.code,
            "coins": saved.coins,
            "price": money::from_minor(saved.price_minor, &t.currency).to_string(),
            "active": saved.active,
        }),
    )
    .await?;
    crate::kernel::txn::commit(txn, req).await?;
    Ok((saved, t.currency))
}
