//! The partner's money: an append-only ledger per partner whose balances are sums of
//! entries, never a stored number (`balance`), the entries page (`entries`), review
//! bonuses granted by staff (`bonuses`), the account rewards are paid to on the brand's
//! rail (`rails`, `requisites`, `payout_accounts`), withdrawals (`withdrawals`) with the
//! `RU_BANK` paperwork calendar (`calendar`, `act`) and the free NFR line (`nfr`). Paying an
//! order from the balance and refunding an order cross domains: `flows::pay_from_balance`,
//! `flows::refund_order`.
//!
//! Every write that depends on a balance locks the partner's row first (`FOR UPDATE` on
//! PostgreSQL; SQLite's write lock), so two requests never spend the same money.

pub mod act;
pub mod balance;
pub mod bonuses;
pub mod calendar;
pub mod entries;
pub mod nfr;
pub mod payout_accounts;
pub mod queue;
pub mod rails;
pub mod reminders;
pub mod requisites;
pub mod statement;
pub mod withdrawals;
