//! Quotes, orders and payments.

pub mod loaders;
pub mod types;

use async_graphql::{Context, Object};
use domain::orders::ops;

use crate::ids::{self, Kind};
use crate::{request, services};
pub use types::*;

/// Order queries.
#[derive(Default)]
pub struct OrderQuery;

#[Object]
impl OrderQuery {
    /// The price of an order, exactly as `createOrder` would snapshot it. No side effects.
    async fn quote(&self, ctx: &Context<'_>, input: OrderInput) -> crate::GqlResult<Quote> {
        let order = input.request()?;
        Ok(Quote(std::sync::Arc::new(
            ops::quote(services(ctx)?, request(ctx)?, &order).await?,
        )))
    }
}

/// Order mutations.
#[derive(Default)]
pub struct OrderMutation;

#[Object]
impl OrderMutation {
    /// Creates an order with the quoted prices, discounts and reward snapshotted. It
    /// expires unpaid after 72 hours.
    async fn create_order(
        &self,
        ctx: &Context<'_>,
        input: CreateOrderInput,
    ) -> crate::GqlResult<OrderPayload> {
        let order = input.order.request()?;
        let o = ops::create(
            services(ctx)?,
            request(ctx)?,
            &order,
            input.idempotency_key.as_deref(),
        )
        .await?;
        Ok(OrderPayload { order: Order(o) })
    }

    /// Cancels a pending order.
    async fn cancel_order(
        &self,
        ctx: &Context<'_>,
        input: CancelOrderInput,
    ) -> crate::GqlResult<OrderPayload> {
        let id = ids::decode(&input.order_id, Kind::Order, "orderId")?;
        let o = domain::flows::cancel_order::cancel(services(ctx)?, request(ctx)?, id).await?;
        Ok(OrderPayload { order: Order(o) })
    }
}
