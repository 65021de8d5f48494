//! Quotes and orders: `quote` prices without side effects; `createOrder` snapshots the
//! same price (items, discounts, reward) under an idempotency key; `cancelOrder`; unpaid
//! orders expire after `Settings::order_ttl` (read as `EXPIRED` from then on, and stored
//! so when next touched). Who may do what is decided in the policy (`orders`).

use chrono::{DateTime, Utc};
use entities::{money, order, order_item, partner};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use tenants::policy::{OrderStanding, Standing};
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use super::prepare::prepare;
use super::request::{OrderRequest, Prepared};
use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::counters;
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::idempotency::{self, Start};
use crate::kernel::page::{PageArgs, Paged, paginate};
use crate::kernel::services::Services;
use crate::kernel::txn;
use crate::orgs::access::viewer_access;

/// `quote`: the price of `request`, as the viewer may order it. Writes nothing.
pub async fn quote(
    svc: &Services,
    req: &RequestCtx,
    request: &OrderRequest,
) -> ApiResult<Prepared> {
    prepare(&svc.db, req, svc.clock.now(), request).await
}

/// An order's status at `now`: a pending order past its expiry reads `EXPIRED`.
pub fn effective_status(o: &order::Model, now: DateTime<Utc>) -> order::OrderStatus {
    if o.status == order::OrderStatus::Pending && o.expires_at <= now {
        order::OrderStatus::Expired
    } else {
        o.status
    }
}

fn minor(amount: rust_decimal::Decimal, currency: &str) -> ApiResult<i64> {
    money::to_minor(amount, currency).map_err(ApiError::internal)
}

/// `createOrder`: stores the priced order. With `key`, a retry answers the first order.
pub async fn create(
    svc: &Services,
    req: &RequestCtx,
    request: &OrderRequest,
    key: Option<&str>,
) -> ApiResult<order::Model> {
    let viewer = me(req)?;
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let claim_id = match idempotency::start(
        &txn,
        req.tenant_id(),
        viewer,
        "createOrder",
        key,
        request,
        "orderId",
        now,
    )
    .await?
    {
        Start::Replay(id) => {
            drop(txn);
            return find(&svc.db, req, id).await;
        }
        Start::Fresh(claim) => claim,
    };
    let p = prepare(&txn, req, now, request).await?;
    let cur = p.priced.currency.clone();
    let number = counters::next(&txn, req.tenant_id(), counters::ORDER).await?;
    let ttl = chrono::Duration::from_std(svc.settings.order_ttl).map_err(ApiError::internal)?;
    let o = order::ActiveModel {
        tenant_id: Set(req.tenant_id()),
        order_number: Set(number),
        client_user_id: Set(p.client_id),
        partner_id: Set(p.partner.as_ref().map(|x| x.id)),
        payer: Set(p.payer.entity()),
        status: Set(order::OrderStatus::Pending),
        currency: Set(cur.clone()),
        base_minor: Set(minor(p.priced.base, &cur)?),
        discount_minor: Set(minor(p.priced.base - p.priced.total, &cur)?),
        total_minor: Set(minor(p.priced.total, &cur)?),
        partner_reward_minor: Set(minor(p.priced.partner_reward, &cur)?),
        partner_rate_bp: Set(p.rate_bp),
        created_by: Set(Some(viewer)),
        created_while_impersonating: Set(req
            .viewer
            .user()
            .is_some_and(|u| u.impersonator.is_some())),
        expires_at: Set(now + ttl),
        paid_at: Set(None),
        cancelled_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for (i, (ctx, priced)) in p.items.iter().zip(&p.priced.items).enumerate() {
        let discounts: Vec<serde_json::Value> = priced
            .discounts
            .iter()
            .map(|d| {
                Ok(json!({
                    "kind": format!("{:?}", d.kind).to_uppercase(),
                    "percent": d.percent.to_string(),
                    "amountMinor": minor(d.amount, &cur)?,
                }))
            })
            .collect::<ApiResult<_>>()?;
        order_item::ActiveModel {
            tenant_id: Set(req.tenant_id()),
            order_id: Set(o.id),
            position: Set(i as i32),
            kind: Set(ctx.kind),
            line_id: Set(ctx.line.as_ref().map(|l| l.id)),
            quantity: Set(ctx.quantity as i32),
            months: Set(ctx.months.map(|m| m as i32)),
            remaining_days: Set(ctx.remaining_days.map(|d| d as i32)),
            channel_kind_ids: Set(serde_json::to_string(
                &ctx.channel_kinds.iter().map(|k| k.id).collect::<Vec<_>>(),
            )
            .map_err(ApiError::internal)?),
            coin_package_id: Set(ctx.coin_package.as_ref().map(|c| c.id)),
            coins: Set(ctx.coin_package.as_ref().map_or(0, |c| c.coins)),
            organization_id: Set(ctx.organization_id),
            space_id: Set(ctx.space_id),
            base_minor: Set(minor(priced.base, &cur)?),
            total_minor: Set(minor(priced.total, &cur)?),
            discounts: Set(serde_json::Value::Array(discounts).to_string()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        req,
        None,
        audit::action::ORDER_CREATED,
        Target::Order(o.id),
        None,
        json!({ "orderNumber": o.order_number, "payer": o.payer.as_str(), "total": p.priced.total.to_string(), "currency": cur }),
    )
    .await?;
    if let Some(id) = claim_id {
        idempotency::finish(&txn, id, &json!({ "orderId": o.id })).await?;
    }
    txn::commit(txn, req).await?;
    Ok(o)
}

/// The viewer's standing toward an order.
pub async fn standing(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    o: &order::Model,
) -> ApiResult<OrderStanding> {
    let viewer = me(req)?;
    let partner: Option<Standing> = match o.partner_id {
        Some(pid) => match scoped::<partner::Entity>(req.tenant_id())
            .filter(partner::Column::Id.eq(pid))
            .one(db)
            .await?
        {
            Some(p) => Some(viewer_access(db, req, p.organization_id).await?.standing()),
            None => None,
        },
        None => None,
    };
    Ok(OrderStanding {
        tenant_id: o.tenant_id,
        client_self: o.client_user_id == Some(viewer),
        partner,
        payer_partner: o.payer == order::Payer::Partner,
    })
}

/// The order `id` of the request's tenant, if the viewer may see it; NOT_FOUND otherwise.
pub async fn find(db: &impl ConnectionTrait, req: &RequestCtx, id: i64) -> ApiResult<order::Model> {
    let o = scoped::<order::Entity>(req.tenant_id())
        .filter(order::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound { what: "order" })?;
    let s = standing(db, req, &o).await?;
    authorize(req, Action::ViewOrder { order: s })
        .map_err(|_| ApiError::NotFound { what: "order" })?;
    Ok(o)
}

/// The order `id`, or `None` when it does not exist or is not the viewer's to see.
pub async fn order_for_viewer(
    svc: &Services,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<Option<order::Model>> {
    if req.viewer.user().is_none() {
        return Ok(None);
    }
    match find(&svc.db, req, id).await {
        Ok(o) => Ok(Some(o)),
        Err(ApiError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `ORDER_NOT_PENDING`, saying what the order is instead.
pub fn not_pending(o: &order::Model, now: DateTime<Utc>) -> ApiError {
    ApiError::domain(
        code::ORDER_NOT_PENDING,
        Some("orderId"),
        format!(
            "the order is {}",
            effective_status(o, now).as_str().to_lowercase()
        ),
    )
}

/// The items of an order, in order.
pub async fn items(
    db: &impl ConnectionTrait,
    o: &order::Model,
) -> ApiResult<Vec<order_item::Model>> {
    Ok(scoped::<order_item::Entity>(o.tenant_id)
        .filter(order_item::Column::OrderId.eq(o.id))
        .order_by_asc(order_item::Column::Position)
        .all(db)
        .await?)
}

/// `Partner.orders`: orders made through the partner (its members, reviewers), newest
/// last.
pub async fn partner_orders(
    svc: &Services,
    req: &RequestCtx,
    p: &partner::Model,
    args: PageArgs,
) -> ApiResult<Paged<order::Model>> {
    crate::partners::client_list::may_list_clients(&svc.db, req, p).await?;
    let q = scoped::<order::Entity>(req.tenant_id()).filter(order::Column::PartnerId.eq(p.id));
    paginate(&svc.db, q, order::Column::Id, args, |m| (m.id, m)).await
}

/// `User.orders`: a client's orders (the client, the brand's admins and user admins, staff),
/// on the client's own brand, which may be another than the request's.
pub async fn user_orders(
    svc: &Services,
    req: &RequestCtx,
    user: &entities::user::Model,
    args: PageArgs,
) -> ApiResult<Paged<order::Model>> {
    // A reseller's user admins read their brand's people from the brand they live on.
    crate::tenancy::access::load_brand_facts(&svc.db, req, user.tenant_id).await?;
    crate::tenancy::access::authorize_on(
        req,
        Action::ViewUserOrders {
            tenant_id: user.tenant_id,
            user_id: user.id,
        },
        user.tenant_id,
    )?;
    let q = scoped::<order::Entity>(user.tenant_id).filter(order::Column::ClientUserId.eq(user.id));
    paginate(&svc.db, q, order::Column::Id, args, |m| (m.id, m)).await
}

/// The billing figures of one client in a partner's "my clients".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientFigures {
    /// Lines of the client that have not expired.
    pub open_lines: i64,
    /// Orders for the client, placed through this partner, that are paid.
    pub paid_orders: i64,
    /// Their sum, in minor units of the tenant's currency.
    pub paid_minor: i64,
}

/// [`ClientFigures`] of the partner's `clients`, in one statement whatever their number.
/// Payments count only orders placed through this partner (what the client paid while
/// attached to another partner is not this partner's business); open lines are all the
/// client's lines. The caller has already been allowed to list the partner's clients.
pub async fn client_figures(
    svc: &Services,
    req: &RequestCtx,
    partner_id: i64,
    clients: &[i64],
) -> ApiResult<std::collections::HashMap<i64, ClientFigures>> {
    use entities::{line, user};
    use sea_orm::sea_query::{Alias, ExprTrait, Query, SimpleExpr};
    if clients.is_empty() {
        return Ok(Default::default());
    }
    let tenant_id = req.tenant_id();
    let currency = req.tenant.model.currency.clone();
    let client = || Expr::col((user::Entity, user::Column::Id));
    let paid = |value: SimpleExpr| {
        Query::select()
            .expr(value)
            .from(order::Entity)
            .and_where(Expr::col((order::Entity, order::Column::TenantId)).eq(tenant_id))
            .and_where(
                Expr::col((order::Entity, order::Column::ClientUserId))
                    .equals((user::Entity, user::Column::Id)),
            )
            .and_where(Expr::col((order::Entity, order::Column::PartnerId)).eq(partner_id))
            .and_where(
                Expr::col((order::Entity, order::Column::Status))
                    .eq(order::OrderStatus::Paid.as_str()),
            )
            .and_where(Expr::col((order::Entity, order::Column::Currency)).eq(currency.clone()))
            .to_owned()
    };
    let open = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from(line::Entity)
        .and_where(Expr::col((line::Entity, line::Column::TenantId)).eq(tenant_id))
        .and_where(
            Expr::col((line::Entity, line::Column::ClientUserId))
                .equals((user::Entity, user::Column::Id)),
        )
        .and_where(Expr::col((line::Entity, line::Column::ExpiresAt)).gt(svc.clock.now()))
        .to_owned();
    let sum = Expr::cust("COALESCE(SUM(total_minor), 0)").cast_as(Alias::new("BIGINT"));
    let q = Query::select()
        .expr_as(client(), Alias::new("client"))
        .expr_as(
            Expr::SubQuery(None, Box::new(open.into())),
            Alias::new("open_lines"),
        )
        .expr_as(
            Expr::SubQuery(None, Box::new(paid(Expr::cust("COUNT(*)")).into())),
            Alias::new("paid_orders"),
        )
        .expr_as(
            Expr::SubQuery(None, Box::new(paid(sum).into())),
            Alias::new("paid_minor"),
        )
        .from(user::Entity)
        .and_where(Expr::col((user::Entity, user::Column::TenantId)).eq(tenant_id))
        .and_where(client().is_in(clients.iter().copied()))
        .to_owned();
    let rows = svc.db.query_all(&q).await?;
    let mut out = std::collections::HashMap::new();
    for r in rows {
        out.insert(
            r.try_get::<i64>("", "client")?,
            ClientFigures {
                open_lines: r.try_get("", "open_lines")?,
                paid_orders: r.try_get("", "paid_orders")?,
                paid_minor: r.try_get("", "paid_minor")?,
            },
        );
    }
    Ok(out)
}
