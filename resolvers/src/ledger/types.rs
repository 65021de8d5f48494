//! The partner's money in GraphQL: balances, ledger entries, payout requisites and
//! withdrawals, and the inputs of their mutations.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::ledger::balance::Balance;
use entities::partner_ledger_entry::{self as entry, LedgerKind};
use entities::withdrawal::{self, WithdrawalStatus as Status};
use entities::{money, partner};

use super::loaders::loaders;
use crate::ApiError;
use crate::ids::{self, Kind};
use crate::money::Money;
use crate::pagination::Page;
use crate::{request, services};

fn amount(minor: i64, currency: &str) -> Money {
    Money(money::from_minor(minor, currency))
}

/// A partner's balances. Derived from the ledger each time (never a stored number).
pub struct PartnerBalance(pub Balance);

#[Object]
impl PartnerBalance {
    /// The currency of every amount (ISO 4217).
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// Rewards on account: pending, held and withdrawable together. Negative while a
    /// refunded order's reward that was already withdrawn is being paid back by later
    /// rewards.
    async fn rewards(&self) -> Money {
        amount(self.0.rewards, &self.0.currency)
    }
    /// Review bonuses left: spent on buying or renewing lines, never withdrawn.
    async fn bonuses(&self) -> Money {
        amount(self.0.bonuses, &self.0.currency)
    }
    /// In withdrawals requested and not yet paid or rejected.
    async fn held(&self) -> Money {
        amount(self.0.held, &self.0.currency)
    }
    /// Rewards still in their hold period (`rewardHoldDays` after the order was paid).
    async fn pending(&self) -> Money {
        amount(self.0.pending, &self.0.currency)
    }
    /// What may be withdrawn now.
    async fn withdrawable(&self) -> Money {
        amount(self.0.withdrawable, &self.0.currency)
    }
    /// What `payOrder` with `BONUS_BALANCE` may spend now: bonuses, then withdrawable
    /// rewards.
    async fn spendable(&self) -> Money {
        amount(self.0.spendable(), &self.0.currency)
    }
}

/// What a ledger entry records.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entities::partner_ledger_entry::LedgerKind")]
pub enum LedgerEntryKind {
    /// A reward for a client's paid order (withdrawable once its hold ends).
    Reward,
    /// A review bonus granted by staff (spent on lines only).
    ReviewBonus,
    /// Spent on an order the partner paid from its balance.
    Spend,
    /// Held by a withdrawal request.
    WithdrawalHold,
    /// A rejected withdrawal's hold given back.
    WithdrawalRelease,
    /// A withdrawal paid out.
    WithdrawalPaid,
    /// A refund took back a reward, or gave back what an order spent.
    Reversal,
}

/// Which money an entry moves.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum LedgerPot {
    /// Rewards: withdrawable once held long enough.
    Rewards,
    /// Review bonuses: spent on lines only.
    Bonuses,
}

/// One entry of a partner's ledger. Entries are never changed or removed; a correction
/// is a new entry.
pub struct LedgerEntry(pub entry::Model);

#[Object]
impl LedgerEntry {
    /// The global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::LedgerEntry, self.0.id)
    }
    /// What it records.
    async fn kind(&self) -> LedgerEntryKind {
        self.0.kind.into()
    }
    /// Which money it moves.
    async fn pot(&self) -> LedgerPot {
        if self.0.pot == entry::POT_BONUSES {
            LedgerPot::Bonuses
        } else {
            LedgerPot::Rewards
        }
    }
    /// Signed: what it adds to (or takes from) the partner's money.
    async fn amount(&self) -> Money {
        amount(self.0.amount_minor, &self.0.currency)
    }
    /// The currency (ISO 4217).
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// The order that caused it.
    async fn order_id(&self) -> Option<ID> {
        self.0.order_id.map(|id| ids::encode(Kind::Order, id))
    }
    /// The number of the order that caused it.
    async fn order_number(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<i64>> {
        let Some(id) = self.0.order_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .order_numbers
            .load_one(id)
            .await
            .map_err(ApiError::from)?)
    }
    /// The withdrawal it holds, releases or pays.
    async fn withdrawal_id(&self) -> Option<ID> {
        self.0
            .withdrawal_id
            .map(|id| ids::encode(Kind::Withdrawal, id))
    }
    /// Why (a review bonus's reason, a refund's, a rejection's).
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// When a reward becomes withdrawable (when it was written, for other kinds).
    async fn available_at(&self) -> DateTime<Utc> {
        self.0.available_at
    }
    /// A reward (or its reversal) still in its hold period.
    async fn pending(&self, ctx: &Context<'_>) -> crate::GqlResult<bool> {
        let now = services(ctx)?.clock.now();
        Ok(domain::ledger::entries::is_pending(&self.0, now))
    }
    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Where a withdrawal stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entities::withdrawal::WithdrawalStatus")]
pub enum WithdrawalStatus {
    /// Requested; the amount is held.
    Requested,
    /// The partner sent the signed documents.
    DocumentsSent,
    /// Staff approved it.
    Approved,
    /// The transfer went out.
    Paid,
    /// Staff rejected it (see `rejectionReason`); the hold was released.
    Rejected,
}

/// A withdrawal of rewards to the partner organization's bank account.
pub struct Withdrawal(pub withdrawal::Model);

impl Withdrawal {
    /// Its paperwork deadlines, in its brand's time zone.
    fn deadlines(
        &self,
        ctx: &Context<'_>,
    ) -> crate::ApiResult<domain::ledger::calendar::Deadlines> {
        let tz = match services(ctx)?.registry.by_id(self.0.tenant_id) {
            Some(t) => domain::ledger::calendar::zone(&t.model.timezone),
            None => domain::ledger::calendar::Tz::UTC,
        };
        Ok(domain::ledger::calendar::deadlines(&self.0, tz))
    }
}

#[Object]
impl Withdrawal {
    /// The global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Withdrawal, self.0.id)
    }
    /// Per-tenant number shown to people.
    async fn number(&self) -> i64 {
        self.0.withdrawal_number
    }
    /// The partner's id.
    async fn partner_id(&self) -> ID {
        ids::encode(Kind::Partner, self.0.partner_id)
    }
    /// The partner's name.
    async fn partner_name(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<String>> {
        Ok(loaders(ctx)?
            .partner_names
            .load_one(self.0.partner_id)
            .await
            .map_err(ApiError::from)?)
    }
    /// Where it stands.
    async fn status(&self) -> WithdrawalStatus {
        self.0.status.into()
    }
    /// The amount.
    async fn amount(&self) -> Money {
        amount(self.0.amount_minor, &self.0.currency)
    }
    /// The currency (ISO 4217): the brand's, which its payout rail pays in.
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// The account it is paid to, as it was when requested.
    async fn requisites(&self) -> crate::GqlResult<super::payout::PayoutRequisites> {
        domain::ledger::rails::PayoutAccount::from_json(&self.0.requisites)
            .map(Into::into)
            .ok_or_else(|| ApiError::internal("unreadable withdrawal requisites").into())
    }
    /// Why staff rejected it.
    async fn rejection_reason(&self) -> Option<&str> {
        self.0.rejection_reason.as_deref()
    }
    /// When it was requested.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the partner marked the documents sent.
    async fn documents_sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.documents_sent_at
    }
    /// When staff approved it.
    async fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.0.approved_at
    }
    /// When it was paid.
    async fn paid_at(&self) -> Option<DateTime<Utc>> {
        self.0.paid_at
    }
    /// When it was rejected.
    async fn rejected_at(&self) -> Option<DateTime<Utc>> {
        self.0.rejected_at
    }
    /// When staff marked the act signed (`RU_BANK`).
    async fn act_signed_at(&self) -> Option<DateTime<Utc>> {
        self.0.act_signed_at
    }
    /// `RU_BANK` paperwork: the documents are due by the end of the 15th of the month
    /// after the request, in the brand's time zone (null on other rails).
    async fn documents_due_at(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<DateTime<Utc>>> {
        Ok(self.deadlines(ctx)?.documents_due_at)
    }
    /// `RU_BANK` paperwork: the act is signed within 5 business days after the documents
    /// were sent (null until they are).
    async fn act_sign_by(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<DateTime<Utc>>> {
        Ok(self.deadlines(ctx)?.act_sign_by)
    }
    /// `RU_BANK` paperwork: the payment goes out within 10 business days after the act is
    /// signed (null until it is).
    async fn pay_by(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<DateTime<Utc>>> {
        Ok(self.deadlines(ctx)?.pay_by)
    }
    /// The deadline of the step it is at (null once paid or rejected, or without
    /// paperwork).
    async fn due_at(&self) -> Option<DateTime<Utc>> {
        self.0.due_at
    }
    /// Past the deadline of its step, now.
    async fn overdue(&self, ctx: &Context<'_>) -> crate::GqlResult<bool> {
        let now = services(ctx)?.clock.now();
        Ok(self.0.due_at.is_some_and(|d| d < now))
    }
}

/// How staff's withdrawal queue is ordered.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
#[graphql(remote = "domain::ledger::queue::QueueOrder")]
pub enum WithdrawalOrder {
    /// Oldest first.
    #[default]
    #[graphql(name = "CREATED_AT")]
    Created,
    /// The step's deadline soonest first: overdue ones first, nothing due last.
    DueAt,
}

/// The money fields of `Partner` (assembled in `hub::PartnerObject`).
pub struct PartnerLedger(pub Arc<partner::Model>);

#[Object]
impl PartnerLedger {
    /// The partner's balances now (its owners and user admins, tenant staff).
    async fn balance(&self, ctx: &Context<'_>) -> crate::GqlResult<PartnerBalance> {
        Ok(PartnerBalance(
            domain::ledger::balance::for_viewer(services(ctx)?, request(ctx)?, &self.0).await?,
        ))
    }

    /// The partner's ledger, oldest first (its owners and user admins, tenant staff).
    #[allow(clippy::too_many_arguments)]
    async fn ledger(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only these kinds (all when omitted).")] kinds: Option<
            Vec<LedgerEntryKind>,
        >,
        #[graphql(desc = "Written at or after.")] since: Option<DateTime<Utc>>,
        #[graphql(desc = "Written before.")] until: Option<DateTime<Utc>>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<Page<LedgerEntry>> {
        let filter = domain::ledger::entries::Filter {
            kinds: kinds
                .unwrap_or_default()
                .into_iter()
                .map(LedgerKind::from)
                .collect(),
            since,
            until,
        };
        let page = domain::ledger::entries::page(
            services(ctx)?,
            request(ctx)?,
            &self.0,
            filter,
            crate::orders::page_args(after, before, first, last),
        )
        .await?;
        let orders: Vec<i64> = page.items().filter_map(|e| e.order_id).collect();
        loaders(ctx)?
            .order_numbers
            .load_many(orders)
            .await
            .map_err(ApiError::from)?;
        Ok(crate::pagination::connection(page, LedgerEntry))
    }

    /// The partner's statement of `month` (`YYYY-MM`, in the brand's time zone): the
    /// rewards account's opening and closing balances and what moved it, with a CSV
    /// download (its owners, tenant staff).
    async fn statement(
        &self,
        ctx: &Context<'_>,
        month: String,
    ) -> crate::GqlResult<super::statement::PartnerStatement> {
        let (svc, req) = (services(ctx)?, request(ctx)?);
        let statement =
            domain::ledger::statement::for_viewer(svc, req, &self.0, month.trim()).await?;
        let csv_url = domain::ledger::statement::csv_link(svc, req, &statement)?;
        Ok(super::statement::PartnerStatement { statement, csv_url })
    }

    /// The account rewards are paid to, on the brand's rail, if saved (its owners,
    /// tenant staff).
    async fn payout_requisites(
        &self,
        ctx: &Context<'_>,
    ) -> crate::GqlResult<Option<super::payout::PayoutRequisites>> {
        Ok(
            domain::ledger::payout_accounts::for_viewer(services(ctx)?, request(ctx)?, &self.0)
                .await?
                .map(Into::into),
        )
    }

    /// The partner's withdrawals, oldest first (its owners and user admins, tenant staff).
    async fn withdrawals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only in this state.")] status: Option<WithdrawalStatus>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<Page<Withdrawal>> {
        let page = domain::ledger::withdrawals::for_partner(
            services(ctx)?,
            request(ctx)?,
            &self.0,
            status.map(Status::from),
            crate::orders::page_args(after, before, first, last),
        )
        .await?;
        Ok(crate::pagination::connection(page, Withdrawal))
    }
}

/// Input of `grantReviewBonus`.
#[derive(InputObject)]
pub struct GrantReviewBonusInput {
    /// The partner.
    pub partner_id: ID,
    /// More than zero, in the tenant's currency.
    pub amount: Money,
    /// Why (shown to the partner in its ledger).
    pub reason: String,
}

/// Result of `grantReviewBonus`.
#[derive(SimpleObject)]
pub struct LedgerEntryPayload {
    /// The entry written.
    pub entry: LedgerEntry,
}

/// Result of `savePayoutRequisites`.
#[derive(SimpleObject)]
pub struct PayoutRequisitesPayload {
    /// The account as saved (normalised).
    pub requisites: super::payout::PayoutRequisites,
}

/// Input of `requestWithdrawal`.
#[derive(InputObject)]
pub struct RequestWithdrawalInput {
    /// The partner.
    pub partner_id: ID,
    /// At least 5000.00 RUB, at most the withdrawable balance.
    pub amount: Money,
    /// A retry with the same key answers the first withdrawal (keys are kept 48 hours).
    pub idempotency_key: Option<String>,
}

/// Input of the mutations that move one withdrawal.
#[derive(InputObject)]
pub struct WithdrawalInput {
    /// The withdrawal.
    pub withdrawal_id: ID,
}

/// Input of `rejectWithdrawal`.
#[derive(InputObject)]
pub struct RejectWithdrawalInput {
    /// The withdrawal.
    pub withdrawal_id: ID,
    /// Why (shown to the partner).
    pub reason: String,
}

/// Result of the withdrawal mutations.
#[derive(SimpleObject)]
pub struct WithdrawalPayload {
    /// The withdrawal as it now is.
    pub withdrawal: Withdrawal,
}

/// Input of `refundOrder`.
#[derive(InputObject)]
pub struct RefundOrderInput {
    /// A paid order.
    pub order_id: ID,
    /// Why (kept on the order and in the ledger).
    pub reason: String,
    /// A retry with the same key answers the first refund.
    pub idempotency_key: Option<String>,
}
