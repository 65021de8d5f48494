//! Paying an order, in one room: `payOrder` (an invoice, a card checkout, or the partner's
//! balance) and `confirmInvoicePayment` (tenant staff saw the transfer), with their inputs
//! and payload; and a brand's own card payment account (`accounts`). Above `ledger`,
//! because paying from the balance spends from it; the `Payment` object itself stays with
//! the order it belongs to (`Order.payments`).

pub mod accounts;
pub mod types;

use async_graphql::{Context, Object};
use domain::flows::{pay_from_balance, pay_order};
use domain::orders::ops;
use domain::payments::start;

use crate::ids::{self, Kind};
use crate::orders::{Order, Payment};
use crate::{request, services};
pub use accounts::{PaymentAccountMutation, PaymentAccountQuery};
pub use types::*;

/// Payment mutations.
#[derive(Default)]
pub struct PaymentMutation;

#[Object]
impl PaymentMutation {
    /// Pays an order: `INVOICE` issues an invoice staff confirm when the transfer
    /// arrives; `CARD` answers the provider's `checkoutUrl`, and the provider's signed
    /// notification pays the order; `BONUS_BALANCE` pays an order the partner pays from
    /// its balance at once (bonuses first, then withdrawable rewards), or is refused with
    /// `INSUFFICIENT_BALANCE`. Not while logged in as a client.
    async fn pay_order(
        &self,
        ctx: &Context<'_>,
        input: PayOrderInput,
    ) -> crate::GqlResult<PaymentPayload> {
        let id = ids::decode(&input.order_id, Kind::Order, "orderId")?;
        let (svc, req) = (services(ctx)?, request(ctx)?);
        let key = input.idempotency_key.as_deref();
        let p = match input.method {
            PayMethod::Invoice => start::pay(svc, req, id, start::Method::Invoice, key).await?,
            PayMethod::Card => start::pay(svc, req, id, start::Method::Card, key).await?,
            PayMethod::BonusBalance => pay_from_balance::pay(svc, req, id, key).await?,
        };
        let o = ops::find(&svc.db, req, p.order_id).await?;
        Ok(PaymentPayload {
            payment: Payment(p),
            order: Order(o),
        })
    }

    /// Tenant staff: the bank transfer of an invoice arrived; the order is paid and
    /// applied.
    async fn confirm_invoice_payment(
        &self,
        ctx: &Context<'_>,
        input: ConfirmInvoicePaymentInput,
    ) -> crate::GqlResult<PaymentPayload> {
        let id = ids::decode(&input.payment_id, Kind::Payment, "paymentId")?;
        let (svc, req) = (services(ctx)?, request(ctx)?);
        let p = pay_order::confirm_invoice(svc, req, id).await?;
        let o = ops::find(&svc.db, req, p.order_id).await?;
        Ok(PaymentPayload {
            payment: Payment(p),
            order: Order(o),
        })
    }
}
