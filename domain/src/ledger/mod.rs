//! The partner's money: an append-only ledger per partner whose balances are sums of
//! entries, never a stored number (`balance`), the entries page (`entries`), review
//! bonuses granted by staff (`bonuses`), paying an order from the balance (`spend`),
//! refunds that undo what an order applied (`refunds`), the bank account rewards are paid
//! to (`requisites`), withdrawals (`withdrawals`) and the free NFR line (`nfr`).
//!
//! Every write that depends on a balance locks the partner's row first (`FOR UPDATE` on
//! PostgreSQL; SQLite's write lock), so two requests never spend the same money.

pub mod balance;
pub mod bonuses;
pub mod entries;
pub mod nfr;
pub mod refunds;
pub mod requisites;
pub mod spend;
pub mod withdrawals;
