//! What an order asks for (`OrderInput` with ids decoded), the limits on its size, and
//! what preparing it gives: each item with what it is about, and the price.

use std::sync::Arc;

use chrono::{DateTime, Months, Utc};
use entities::{channel_kind, coin_package, line, order, partner};
use serde::{Deserialize, Serialize};

use super::pricing::Priced;

/// Most items of each kind in one order.
pub const MAX_NEW_LINE_ITEMS: usize = 50;

pub const MAX_RENEWED_LINES: usize = 5000;

pub const MAX_ADDITIONS: usize = 200;

/// Who pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayerKind {
    Client,
    Partner,
}

impl PayerKind {
    pub fn entity(self) -> order::Payer {
        match self {
            PayerKind::Client => order::Payer::Client,
            PayerKind::Partner => order::Payer::Partner,
        }
    }
}

/// New lines: `quantity` identical lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLinesRequest {
    pub channel_kinds: Vec<i64>,
    pub quantity: u32,
    pub months: u32,
    pub coin_package: Option<i64>,
    pub organization_id: i64,
    pub space_id: Option<i64>,
}

/// Renewals: these lines, and every line of these clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RenewalRequest {
    pub line_ids: Vec<i64>,
    pub client_ids: Vec<i64>,
    pub months: u32,
}

/// Channels added to a running line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdditionRequest {
    pub line_id: i64,
    pub channel_kinds: Vec<i64>,
}

/// `OrderInput`, with ids decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    pub client_id: Option<i64>,
    pub payer: PayerKind,
    pub partner_id: Option<i64>,
    pub new_lines: Vec<NewLinesRequest>,
    pub renewals: Option<RenewalRequest>,
    pub additions: Vec<AdditionRequest>,
}

/// What pricing and the order need of a line renewed or added to: read by position, the
/// columns only (a `quote` of 1,000 lines read whole models and spent most of its time
/// decoding columns it never used). The whole line is the resolvers' to load, when asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PricedLine {
    pub id: i64,
    pub line_number: i64,
    pub client_user_id: i64,
    pub organization_id: i64,
    pub space_id: Option<i64>,
    pub expires_at: DateTime<Utc>,
    pub nfr: bool,
}

/// The columns of [`PricedLine`], in its fields' order.
pub const PRICED_LINE_COLUMNS: [line::Column; 7] = [
    line::Column::Id,
    line::Column::LineNumber,
    line::Column::ClientUserId,
    line::Column::OrganizationId,
    line::Column::SpaceId,
    line::Column::ExpiresAt,
    line::Column::Nfr,
];

/// A row of [`PRICED_LINE_COLUMNS`], as read by position.
pub type PricedLineRow = (i64, i64, i64, i64, Option<i64>, DateTime<Utc>, bool);

impl From<PricedLineRow> for PricedLine {
    fn from(
        (id, line_number, client_user_id, organization_id, space_id, expires_at, nfr): PricedLineRow,
    ) -> Self {
        Self {
            id,
            line_number,
            client_user_id,
            organization_id,
            space_id,
            expires_at,
            nfr,
        }
    }
}

/// What an item is about, next to its price.
#[derive(Debug, Clone)]
pub struct ItemContext {
    pub kind: entities::order_item::ItemKind,
    pub line: Option<PricedLine>,
    pub channel_kinds: Vec<Arc<channel_kind::Model>>,
    pub quantity: u32,
    pub months: Option<u32>,
    pub remaining_days: Option<i64>,
    pub coin_package: Option<coin_package::Model>,
    pub organization_id: Option<i64>,
    pub space_id: Option<i64>,
    /// For renewals: the expiry the line would get if paid now.
    pub new_expires_at: Option<DateTime<Utc>>,
}

/// A priced order, not stored.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub client_id: Option<i64>,
    pub payer: PayerKind,
    /// The partner the order goes through: the payer when `PARTNER`, the client's partner
    /// (who earns the reward) when `CLIENT`.
    pub partner: Option<partner::Model>,
    /// The partner discount or the reward rate applied, in basis points.
    pub rate_bp: i32,
    pub items: Vec<ItemContext>,
    pub priced: Priced,
}

/// `N` calendar months after `from`, clamped to the month's end (Jan 31 + 1 = Feb 28/29).
pub fn add_months(from: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    from.checked_add_months(Months::new(months))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// When a renewal of a line expiring at `expires_at` by `months` ends, renewed at `now`:
/// from the later of now and the current expiry.
pub fn renewed_until(expires_at: DateTime<Utc>, now: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    add_months(expires_at.max(now), months)
}
