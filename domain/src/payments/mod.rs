//! Payments of orders: starting one (an invoice, a card checkout: `start`), the card
//! providers behind one trait (`provider`, the Stripe protocol in `stripe`), and what
//! happens at the provider after our side decided (`checkouts`: closing the checkouts of
//! cancelled or expired orders, refunding card payments). Applying a payment to its order
//! and paying from the partner's balance are flows (`flows::pay_order`,
//! `flows::pay_from_balance`): they reach the lines and the ledger.

pub mod accounts;
pub mod checkouts;
pub mod provider;
pub mod routing;
pub mod start;
pub mod stripe;
pub mod yookassa;
