//! What only development, the demo, tests and benchmarks use: the demo brands (`demo`), the
//! large benchmark data set (`gen_data`), and local servers that speak a third party's real
//! protocol where the real service cannot be reached (`local_stripe`, `local_yookassa`,
//! `local_telegram`, `local_dns`, `local_smtp`). `serve --demo` starts the local servers
//! it needs; a production deployment never
//! does, and nothing in the server's own modules depends on this one except the commands
//! that start it.

pub mod demo;
pub mod demo_payments;
pub mod gen_data;
pub mod local_dns;
pub mod local_smtp;
pub mod local_stripe;
pub mod local_telegram;
pub mod local_yookassa;
