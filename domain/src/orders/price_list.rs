//! The brand's price list as an order reads it: the channel kinds still sold, the
//! ChatCoins packages, and their prices in the brand's currency. One statement each.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use entities::{channel_kind, coin_package, money};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter};
use tenants::RequestCtx;
use tenants::scope::scoped;

use super::pricing::ChannelPrice;
use crate::kernel::error::{ApiError, ApiResult};
use crate::orders::request::OrderRequest;

fn distinct_kinds(field: &str, ids: &[i64]) -> ApiResult<()> {
    if ids.is_empty() {
        return Err(ApiError::bad_input(field, "choose at least one channel"));
    }
    let set: HashSet<_> = ids.iter().collect();
    if set.len() != ids.len() {
        return Err(ApiError::bad_input(field, "a channel kind is listed twice"));
    }
    Ok(())
}

pub fn not_found(field: &str, what: &str) -> ApiError {
    ApiError::bad_input(field, format!("no such {what}"))
}

/// The brand's price list as the order needs it: one statement each.
pub struct Catalogue {
    /// Shared, so an order's items refer to them without copying (a renewal of 1,000
    /// lines names 3,000 channels).
    pub kinds: HashMap<i64, Arc<channel_kind::Model>>,
    pub packages: HashMap<i64, coin_package::Model>,
    pub currency: String,
}

impl Catalogue {
    pub async fn read(
        db: &impl ConnectionTrait,
        req: &RequestCtx,
        request: &OrderRequest,
    ) -> ApiResult<Self> {
        let tenant_id = req.tenant_id();
        let kinds = scoped::<channel_kind::Entity>(tenant_id)
            .all(db)
            .await?
            .into_iter()
            .map(|k| (k.id, Arc::new(k)))
            .collect();
        let package_ids: Vec<i64> = request
            .new_lines
            .iter()
            .filter_map(|n| n.coin_package)
            .collect();
        let packages = if package_ids.is_empty() {
            HashMap::new()
        } else {
            scoped::<coin_package::Entity>(tenant_id)
                .filter(coin_package::Column::Id.is_in(package_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|p| (p.id, p))
                .collect()
        };
        Ok(Self {
            kinds,
            packages,
            currency: req.tenant.model.currency.clone(),
        })
    }

    pub fn price_of(&self, k: &channel_kind::Model) -> ChannelPrice {
        ChannelPrice {
            kind_id: k.id,
            personal: k.personal,
            monthly_price: money::from_minor(k.monthly_price_minor, &self.currency),
        }
    }

    pub fn prices(&self, kinds: &[Arc<channel_kind::Model>]) -> Vec<ChannelPrice> {
        kinds.iter().map(|k| self.price_of(k)).collect()
    }

    /// The channel kinds `ids`, each listed once and still sold.
    pub fn sellable(&self, field: &str, ids: &[i64]) -> ApiResult<Vec<Arc<channel_kind::Model>>> {
        distinct_kinds(field, ids)?;
        ids.iter()
            .map(|id| match self.kinds.get(id) {
                Some(k) if k.active => Ok(k.clone()),
                Some(_) => Err(ApiError::bad_input(
                    field,
                    "this channel kind is not sold any more",
                )),
                None => Err(not_found(field, "channel kind")),
            })
            .collect()
    }

    /// The ChatCoins package `id`, still sold.
    pub fn package(&self, id: Option<i64>) -> ApiResult<Option<coin_package::Model>> {
        let Some(id) = id else {
            return Ok(None);
        };
        match self.packages.get(&id) {
            Some(p) if p.active => Ok(Some(p.clone())),
            Some(_) => Err(ApiError::bad_input(
                "newLines.coinPackage",
                "this package is not sold any more",
            )),
            None => Err(not_found("newLines.coinPackage", "ChatCoins package")),
        }
    }
}
