//! Integration tests: the real router, driven in-process, on real SQLite (default) or
//! PostgreSQL (`TEST_DATABASE_URL`), with a fresh database per test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod catalogue;
mod certification;
mod cli;
mod client_lines;
mod delivery;
mod domains;
mod hardening;
mod hardening2;
mod http;
mod identity;
mod invitations;
mod jobs;
mod ladders;
mod languages;
mod leads;
mod ledger;
mod limits;
mod lines;
mod local_otlp;
mod mail_domains;
mod money_races;
mod notifications;
mod operations;
mod orders;
mod orgs;
mod paperwork;
mod partners;
mod payment_accounts;
mod public_answers;
mod rails;
mod ratelimits;
mod resellers;
mod statements;
mod storage;
mod support;
mod telegram;
mod telemetry;
mod tenancy;
mod websocket;
