//! The partner's money: balances and ledger, review bonuses, refunds, payout requisites and
//! withdrawals. Paying an order (`payOrder`, with its `BONUS_BALANCE` method) is in
//! `payments`, above this module.

pub mod loaders;
pub mod payout;
pub mod statement;
pub mod types;

use async_graphql::{Context, Object};
use domain::flows::refund_order;
use domain::ledger::{bonuses, payout_accounts, withdrawals};

use crate::ids::{self, Kind};
use crate::orders::Order;
use crate::pagination::Page;
use crate::{request, services};
pub use payout::*;
pub use types::*;

/// Ledger queries.
#[derive(Default)]
pub struct LedgerQuery;

#[Object]
impl LedgerQuery {
    /// Every partner's withdrawals on the tenant (tenant staff): the queue to approve and
    /// pay, oldest first, or by deadline with what is overdue first (`orderBy: DUE_AT`).
    #[allow(clippy::too_many_arguments)]
    async fn withdrawals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only in this state.")] status: Option<WithdrawalStatus>,
        #[graphql(
            desc = "Only those past the deadline of their step (`true`), or not (`false`): staff read the overdue ones first."
        )]
        overdue: Option<bool>,
        #[graphql(
            desc = "`CREATED_AT` (default): oldest first. `DUE_AT`: the step's deadline soonest first, so overdue ones first; those with nothing due last.",
            default
        )]
        order_by: WithdrawalOrder,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<Page<Withdrawal>> {
        let page = domain::ledger::queue::for_staff(
            services(ctx)?,
            request(ctx)?,
            status.map(Into::into),
            overdue,
            order_by.into(),
            crate::orders::page_args(after, before, first, last),
        )
        .await?;
        Ok(crate::pagination::connection(page, Withdrawal))
    }
}

/// Ledger mutations.
#[derive(Default)]
pub struct LedgerMutation;

#[Object]
impl LedgerMutation {
    /// Tenant staff: grants a partner a review bonus, spent only on lines.
    async fn grant_review_bonus(
        &self,
        ctx: &Context<'_>,
        input: GrantReviewBonusInput,
    ) -> crate::GqlResult<LedgerEntryPayload> {
        let id = ids::decode(&input.partner_id, Kind::Partner, "partnerId")?;
        let e = bonuses::grant(
            services(ctx)?,
            request(ctx)?,
            id,
            input.amount.0,
            &input.reason,
        )
        .await?;
        Ok(LedgerEntryPayload {
            entry: LedgerEntry(e),
        })
    }

    /// Tenant staff: refunds a paid order. What it applied is undone (new lines end,
    /// renewals are taken back, added channels are removed, ChatCoins are debited as far
    /// as the balance allows), the partner's reward is reversed, a balance payment goes
    /// back to the balance and a card payment is refunded through the provider.
    async fn refund_order(
        &self,
        ctx: &Context<'_>,
        input: RefundOrderInput,
    ) -> crate::GqlResult<crate::orders::OrderPayload> {
        let id = ids::decode(&input.order_id, Kind::Order, "orderId")?;
        let o = refund_order::refund(
            services(ctx)?,
            request(ctx)?,
            id,
            &input.reason,
            input.idempotency_key.as_deref(),
        )
        .await?;
        Ok(crate::orders::OrderPayload { order: Order(o) })
    }

    /// The partner's owners: saves the account the partner's rewards are paid to, on the
    /// brand's payout rail; every field is checked as that rail's banks check it.
    async fn save_payout_requisites(
        &self,
        ctx: &Context<'_>,
        input: SavePayoutRequisitesInput,
    ) -> crate::GqlResult<PayoutRequisitesPayload> {
        let (id, account) = input.into_account()?;
        let saved = payout_accounts::save(services(ctx)?, request(ctx)?, id, &account).await?;
        Ok(PayoutRequisitesPayload {
            requisites: saved.into(),
        })
    }

    /// The partner's owners: requests a withdrawal of withdrawable rewards (in the brand's
    /// currency, at least `partnerProgram.withdrawalMinimum`) to the saved account on the
    /// brand's rail; the amount is held. Not while logged in as a
    /// client.
    async fn request_withdrawal(
        &self,
        ctx: &Context<'_>,
        input: RequestWithdrawalInput,
    ) -> crate::GqlResult<WithdrawalPayload> {
        let id = ids::decode(&input.partner_id, Kind::Partner, "partnerId")?;
        let w = withdrawals::request(
            services(ctx)?,
            request(ctx)?,
            id,
            input.amount.0,
            input.idempotency_key.as_deref(),
        )
        .await?;
        Ok(WithdrawalPayload {
            withdrawal: Withdrawal(w),
        })
    }

    /// The partner's owners: the signed documents of a requested withdrawal were sent.
    async fn mark_withdrawal_documents_sent(
        &self,
        ctx: &Context<'_>,
        input: WithdrawalInput,
    ) -> crate::GqlResult<WithdrawalPayload> {
        let id = ids::decode(&input.withdrawal_id, Kind::Withdrawal, "withdrawalId")?;
        let w = withdrawals::mark_documents_sent(services(ctx)?, request(ctx)?, id).await?;
        Ok(WithdrawalPayload {
            withdrawal: Withdrawal(w),
        })
    }

    /// Tenant staff: the act of a `RU_BANK` withdrawal whose documents arrived is signed;
    /// its payment is due within 10 business days (`payBy`).
    async fn mark_withdrawal_act_signed(
        &self,
        ctx: &Context<'_>,
        input: WithdrawalInput,
    ) -> crate::GqlResult<WithdrawalPayload> {
        let id = ids::decode(&input.withdrawal_id, Kind::Withdrawal, "withdrawalId")?;
        let w = domain::ledger::act::mark_act_signed(services(ctx)?, request(ctx)?, id).await?;
        Ok(WithdrawalPayload {
            withdrawal: Withdrawal(w),
        })
    }

    /// Tenant staff: approves a withdrawal whose documents arrived.
    async fn approve_withdrawal(
        &self,
        ctx: &Context<'_>,
        input: WithdrawalInput,
    ) -> crate::GqlResult<WithdrawalPayload> {
        let id = ids::decode(&input.withdrawal_id, Kind::Withdrawal, "withdrawalId")?;
        let w = withdrawals::approve(services(ctx)?, request(ctx)?, id).await?;
        Ok(WithdrawalPayload {
            withdrawal: Withdrawal(w),
        })
    }

    /// Tenant staff: the transfer of an approved withdrawal went out.
    async fn pay_withdrawal(
        &self,
        ctx: &Context<'_>,
        input: WithdrawalInput,
    ) -> crate::GqlResult<WithdrawalPayload> {
        let id = ids::decode(&input.withdrawal_id, Kind::Withdrawal, "withdrawalId")?;
        let w = withdrawals::pay(services(ctx)?, request(ctx)?, id).await?;
        Ok(WithdrawalPayload {
            withdrawal: Withdrawal(w),
        })
    }

    /// Tenant staff: rejects an open withdrawal with a reason; the hold is released.
    async fn reject_withdrawal(
        &self,
        ctx: &Context<'_>,
        input: RejectWithdrawalInput,
    ) -> crate::GqlResult<WithdrawalPayload> {
        let id = ids::decode(&input.withdrawal_id, Kind::Withdrawal, "withdrawalId")?;
        let w = withdrawals::reject(services(ctx)?, request(ctx)?, id, &input.reason).await?;
        Ok(WithdrawalPayload {
            withdrawal: Withdrawal(w),
        })
    }
}
