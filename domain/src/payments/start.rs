//! Starting a payment of an order (`payOrder` by invoice or card): the invoice with its
//! per-tenant number and the payer's requisites, or a checkout at the card provider. The
//! order row is locked (`FOR UPDATE` on PostgreSQL; SQLite's write lock), so racing calls
//! reuse the one open payment of a method instead of opening another. Paying from the
//! partner's balance and applying a payment are flows (`flows::pay_from_balance`,
//! `flows::pay_order`): they write to the ledger, which sits above this domain.

use chrono::{DateTime, Utc};
use entities::{order, partner, payment, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use super::provider::CheckoutRequest;
use crate::identity::me;
use crate::kernel::audit::{self, Target};
use crate::kernel::counters;
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::kernel::idempotency::{self, Start};
use crate::kernel::services::Services;
use crate::kernel::txn;
use crate::orders::ops::{effective_status, find, not_pending, standing};

/// How an order is paid through `payOrder`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Method {
    Invoice,
    Card,
}

/// `payOrder`: an invoice, or a card checkout. A retry with the same key, or another
/// call while a payment of the method is open, answers that payment.
pub async fn pay(
    svc: &Services,
    req: &RequestCtx,
    order_id: i64,
    method: Method,
    key: Option<&str>,
) -> ApiResult<payment::Model> {
    let viewer = me(req)?;
    if req.viewer.user().is_some_and(|u| u.impersonator.is_some()) {
        return Err(ApiError::domain(
            code::IMPERSONATION_FORBIDDEN,
            None,
            "orders are paid by the client or the partner themselves, not while logged in as the client",
        ));
    }
    let now = svc.clock.now();
    let txn = txn::begin(&svc.db).await?;
    let claim_id = match idempotency::start(
        &txn,
        req.tenant_id(),
        viewer,
        "payOrder",
        key,
        &json!({ "orderId": order_id, "method": method }),
        "paymentId",
        now,
    )
    .await?
    {
        Start::Replay(id) => {
            drop(txn);
            let p = payment_for_viewer(&svc.db, req, id).await?;
            return ensure_checkout(svc, req, p).await;
        }
        Start::Fresh(claim) => claim,
    };
    let o = lock_payable(&txn, req, order_id, now).await?;
    let wanted = match method {
        Method::Invoice => payment::PaymentMethod::Invoice,
        Method::Card => payment::PaymentMethod::Card,
    };
    let open = scoped::<payment::Entity>(req.tenant_id())
        .filter(payment::Column::OrderId.eq(o.id))
        .filter(payment::Column::Method.eq(wanted.as_str()))
        .filter(payment::Column::Status.eq(payment::PaymentStatus::Pending.as_str()))
        .one(&txn)
        .await?;
    let p = match open {
        Some(p) => p,
        None => {
            let mut p = payment::ActiveModel {
                tenant_id: Set(req.tenant_id()),
                order_id: Set(o.id),
                method: Set(wanted),
                status: Set(payment::PaymentStatus::Pending),
                amount_minor: Set(o.total_minor),
                currency: Set(o.currency.clone()),
                created_by: Set(Some(viewer)),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            match method {
                Method::Invoice => {
                    p.invoice_number = Set(Some(
                        counters::next(&txn, req.tenant_id(), counters::INVOICE).await?,
                    ));
                    p.payer_requisites = Set(Some(requisites(&txn, req, &o).await?.to_string()));
                }
                Method::Card => {}
            }
            if method == Method::Card
                && !super::accounts::card_payments_possible(
                    &txn,
                    &svc.card_providers,
                    req.tenant_id(),
                    &o.currency,
                )
                .await?
            {
                return Err(no_card_provider());
            }
            let p = p.insert(&txn).await?;
            audit::record(
                &txn,
                req,
                None,
                audit::action::PAYMENT_STARTED,
                Target::Payment(p.id),
                None,
                json!({ "orderNumber": o.order_number, "method": p.method.as_str(), "invoiceNumber": p.invoice_number }),
            )
            .await?;
            p
        }
    };
    if let Some(id) = claim_id {
        idempotency::finish(&txn, id, &json!({ "paymentId": p.id })).await?;
    }
    txn::commit(txn, req).await?;
    // The provider is asked after the commit: no row lock (nor SQLite's write lock) is
    // held across an HTTP call.
    ensure_checkout(svc, req, p).await
}

fn no_card_provider() -> ApiError {
    ApiError::domain(
        code::PAYMENT_PROVIDER_UNAVAILABLE,
        Some("method"),
        "card payments are not configured on this installation",
    )
}

/// A card payment without a checkout gets one from the provider, outside any transaction.
/// The provider is asked with the payment's id as its idempotency key, so racing or
/// retried calls get the same session; the first answer stored wins (a conditional
/// update). If the provider does not answer, the payment stays open without a URL and
/// the next `payOrder` asks again.
async fn ensure_checkout(
    svc: &Services,
    req: &RequestCtx,
    p: payment::Model,
) -> ApiResult<payment::Model> {
    if p.method != payment::PaymentMethod::Card
        || p.checkout_url.is_some()
        || p.status != payment::PaymentStatus::Pending
    {
        return Ok(p);
    }
    let (provider, account_id) = super::routing::for_new_payment(svc, req.tenant_id(), &p.currency)
        .await?
        .ok_or_else(no_card_provider)?;
    let o = scoped::<order::Entity>(req.tenant_id())
        .filter(order::Column::Id.eq(p.order_id))
        .one(&svc.db)
        .await?
        .ok_or(ApiError::NotFound { what: "order" })?;
    let base = crate::kernel::links::tenant_url(
        &svc.settings,
        &req.tenant,
        &format!("/orders/{}", o.order_number),
    );
    let checkout = provider
        .create_checkout(&CheckoutRequest {
            payment_id: p.id,
            tenant_id: o.tenant_id,
            order_number: o.order_number,
            amount_minor: p.amount_minor,
            currency: p.currency.clone(),
            description: format!("{} order {}", req.tenant.model.display_name, o.order_number),
            success_url: format!("{base}?paid=1"),
            cancel_url: format!("{base}?cancelled=1"),
        })
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "checkout session failed");
            ApiError::domain(
                code::PAYMENT_PROVIDER_UNAVAILABLE,
                Some("method"),
                "the card payment provider did not answer; try again shortly",
            )
        })?;
    payment::Entity::update_many()
        .col_expr(
            payment::Column::Provider,
            Expr::val(provider.name().to_string()),
        )
        .col_expr(payment::Column::ProviderRef, Expr::val(checkout.reference))
        .col_expr(payment::Column::CheckoutUrl, Expr::val(checkout.url))
        .col_expr(payment::Column::PaymentAccountId, Expr::val(account_id))
        .col_expr(payment::Column::UpdatedAt, Expr::val(svc.clock.now()))
        .filter(payment::Column::Id.eq(p.id))
        .filter(payment::Column::CheckoutUrl.is_null())
        .exec(&svc.db)
        .await?;
    payment::Entity::find_by_id(p.id)
        .one(&svc.db)
        .await?
        .ok_or(ApiError::NotFound { what: "payment" })
}

/// Who pays, as the invoice names them.
async fn requisites(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    o: &order::Model,
) -> ApiResult<serde_json::Value> {
    if o.payer == order::Payer::Partner
        && let Some(pid) = o.partner_id
        && let Some(p) = scoped::<partner::Entity>(req.tenant_id())
            .filter(partner::Column::Id.eq(pid))
            .one(db)
            .await?
    {
        return Ok(
            json!({ "name": p.name, "contactName": p.contact_name, "email": p.contact_email, "phone": p.contact_phone }),
        );
    }
    let u = match o.client_user_id {
        Some(id) => {
            scoped::<user::Entity>(req.tenant_id())
                .filter(user::Column::Id.eq(id))
                .one(db)
                .await?
        }
        None => None,
    };
    Ok(match u {
        Some(u) => {
            json!({ "name": u.display_name, "email": u.email, "phone": u.phone, "accountNumber": u.account_number })
        }
        None => json!({}),
    })
}

/// The order `order_id`, locked for the rest of the transaction (racing `payOrder` calls
/// of one order queue here), if the viewer may see and pay it and it is still pending.
pub async fn lock_payable(
    txn: &impl ConnectionTrait,
    req: &RequestCtx,
    order_id: i64,
    now: DateTime<Utc>,
) -> ApiResult<order::Model> {
    // Visible at all? Then lock it.
    find(txn, req, order_id).await?;
    let o = scoped::<order::Entity>(req.tenant_id())
        .filter(order::Column::Id.eq(order_id))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound { what: "order" })?;
    let s = standing(txn, req, &o).await?;
    authorize(req, Action::PayOrder { order: s })?;
    if effective_status(&o, now) != order::OrderStatus::Pending {
        return Err(not_pending(&o, now));
    }
    Ok(o)
}

/// A payment the viewer may see (through its order).
pub async fn payment_for_viewer(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    id: i64,
) -> ApiResult<payment::Model> {
    let p = scoped::<payment::Entity>(req.tenant_id())
        .filter(payment::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound { what: "payment" })?;
    find(db, req, p.order_id)
        .await
        .map_err(|_| ApiError::NotFound { what: "payment" })?;
    Ok(p)
}
