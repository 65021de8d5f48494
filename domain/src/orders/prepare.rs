//! From an order request to a priced order: who the client is, through which partner,
//! whether the viewer may order it, what every item is (lines, channel kinds, packages,
//! remaining days by the clock), and the price by [`super::pricing::price`]. `quote` stops
//! here; `createOrder` snapshots the result. A handful of statements whatever the size:
//! the lines, their channels, the client links and the catalogue are each read at once.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use entities::{
    channel_kind, line, line_channel, money, organization_member, partner, partner_client, space,
};
use rust_decimal::Decimal;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use tenants::policy::{OrderStanding, Standing};
use tenants::scope::scoped;
use tenants::{Action, RequestCtx, authorize};

use super::pricing::{self, ItemKind, PricingInput};
use crate::identity::me;
use crate::kernel::error::{ApiError, ApiResult, code};
use crate::lines::ops::days_left;
use crate::orders::price_list::{Catalogue, not_found};
use crate::orders::request::{
    ItemContext, MAX_ADDITIONS, MAX_NEW_LINE_ITEMS, MAX_RENEWED_LINES, OrderRequest,
    PRICED_LINE_COLUMNS, PayerKind, Prepared, PricedLine, PricedLineRow, RenewalRequest,
    renewed_until,
};
use crate::orgs::access::viewer_access;

fn bp_percent(bp: i32) -> Decimal {
    Decimal::new(i64::from(bp), 2)
}

fn tier_bp(tenant: &entities::tenant::Model, tier: Option<&str>) -> i32 {
    match tier.and_then(crate::partners::Tier::parse) {
        Some(crate::partners::Tier::Official) => tenant.partner_discount_official_bp,
        Some(crate::partners::Tier::Gold) => tenant.partner_discount_gold_bp,
        Some(crate::partners::Tier::Technology) => tenant.partner_discount_technology_bp,
        None => 0,
    }
}

/// Resolves and prices `request` as the viewer may order it.
pub async fn prepare(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    now: DateTime<Utc>,
    request: &OrderRequest,
) -> ApiResult<Prepared> {
    let viewer = me(req)?;
    let tenant_id = req.tenant_id();
    let renewals = request.renewals.clone().unwrap_or_default();
    check_sizes(request, &renewals)?;
    let lines = touched_lines(db, tenant_id, request, &renewals).await?;
    let by_id: HashMap<i64, &PricedLine> = lines.iter().map(|l| (l.id, l)).collect();
    let (clients, client_id) = the_clients(request, &renewals, &lines)?;
    let (partner, rate_bp) = through_partner(db, req, viewer, request, &clients, client_id).await?;
    let catalogue = Catalogue::read(db, req, request).await?;
    let mut order = Items::default();
    new_lines(db, req, request, client_id, &catalogue, &mut order).await?;
    let channels_of = channels_of(db, tenant_id, &lines).await?;
    renewed_lines(&lines, &renewals, &channels_of, &catalogue, now, &mut order)?;
    additions(request, &by_id, &channels_of, &catalogue, now, &mut order)?;
    let priced = pricing::price(&PricingInput {
        currency: catalogue.currency,
        items: order.pricing,
        partner_discount_percent: (request.payer == PayerKind::Partner)
            .then(|| bp_percent(rate_bp)),
        reward_rate_percent: (request.payer == PayerKind::Client && rate_bp > 0)
            .then(|| bp_percent(rate_bp)),
        ladders: crate::tenancy::ladders::Ladders::of(&req.tenant.model),
    })?;
    Ok(Prepared {
        client_id,
        payer: request.payer,
        partner,
        rate_bp,
        items: order.items,
        priced,
    })
}

/// Something to order, and the limits on each kind of item.
fn check_sizes(request: &OrderRequest, renewals: &RenewalRequest) -> ApiResult<()> {
    if request.new_lines.is_empty()
        && renewals.line_ids.is_empty()
        && renewals.client_ids.is_empty()
        && request.additions.is_empty()
    {
        return Err(ApiError::bad_input(
            "order",
            "add new lines, renewals or channel additions",
        ));
    }
    if request.new_lines.len() > MAX_NEW_LINE_ITEMS {
        return Err(ApiError::bad_input(
            "newLines",
            format!("at most {MAX_NEW_LINE_ITEMS} items"),
        ));
    }
    if request.additions.len() > MAX_ADDITIONS {
        return Err(ApiError::bad_input(
            "channelAdditions",
            format!("at most {MAX_ADDITIONS} items"),
        ));
    }
    if renewals.line_ids.len() + renewals.client_ids.len() > MAX_RENEWED_LINES {
        return Err(ApiError::bad_input(
            "renewals",
            format!("at most {MAX_RENEWED_LINES} lines"),
        ));
    }
    if request.payer == PayerKind::Partner && request.partner_id.is_none() {
        return Err(ApiError::bad_input(
            "partnerId",
            "name the partner that pays",
        ));
    }
    Ok(())
}

/// The lines renewed or added to, and every line of the clients renewed: one statement, of
/// the columns pricing needs. A line of another tenant reads as missing, like one that
/// never existed.
async fn touched_lines(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    request: &OrderRequest,
    renewals: &RenewalRequest,
) -> ApiResult<Vec<PricedLine>> {
    let line_ids: BTreeSet<i64> = renewals
        .line_ids
        .iter()
        .copied()
        .chain(request.additions.iter().map(|a| a.line_id))
        .collect();
    if line_ids.is_empty() && renewals.client_ids.is_empty() {
        return Ok(Vec::new());
    }
    let lines: Vec<PricedLine> = scoped::<line::Entity>(tenant_id)
        .select_only()
        .columns(PRICED_LINE_COLUMNS)
        .filter(
            Condition::any()
                .add(line::Column::Id.is_in(line_ids.iter().copied()))
                .add(line::Column::ClientUserId.is_in(renewals.client_ids.iter().copied())),
        )
        .into_tuple::<PricedLineRow>()
        .all(db)
        .await?
        .into_iter()
        .map(PricedLine::from)
        .collect();
    let found: HashSet<i64> = lines.iter().map(|l| l.id).collect();
    if line_ids.iter().any(|id| !found.contains(id)) {
        return Err(ApiError::NotFound { what: "line" });
    }
    Ok(lines)
}

/// Every client the order touches, and the one client when there is one.
fn the_clients(
    request: &OrderRequest,
    renewals: &RenewalRequest,
    lines: &[PricedLine],
) -> ApiResult<(BTreeSet<i64>, Option<i64>)> {
    let mut clients: BTreeSet<i64> = lines.iter().map(|l| l.client_user_id).collect();
    clients.extend(renewals.client_ids.iter().copied());
    if let Some(c) = request.client_id {
        clients.insert(c);
    }
    if clients.is_empty() {
        return Err(ApiError::bad_input("clientId", "name the client"));
    }
    if request.client_id.is_some() && clients.len() > 1 {
        return Err(ApiError::bad_input(
            "clientId",
            "every line of the order must belong to this client",
        ));
    }
    if request.payer == PayerKind::Client && clients.len() > 1 {
        return Err(ApiError::bad_input(
            "payer",
            "a client pays for its own lines only: order for one client at a time",
        ));
    }
    let client_id = if clients.len() == 1 {
        clients.first().copied()
    } else {
        None
    };
    if !request.new_lines.is_empty() && client_id.is_none() {
        return Err(ApiError::bad_input(
            "clientId",
            "name the client the new lines are for",
        ));
    }
    Ok((clients, client_id))
}

/// The partner the order goes through, once the viewer may place it, and the rate it
/// gets: the tier's discount when it pays, the reward rate when its client pays.
async fn through_partner(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    viewer: i64,
    request: &OrderRequest,
    clients: &BTreeSet<i64>,
    client_id: Option<i64>,
) -> ApiResult<(Option<partner::Model>, i32)> {
    let tenant_id = req.tenant_id();
    // Which partner each client has: one statement.
    let links: Vec<partner_client::Model> = scoped::<partner_client::Entity>(tenant_id)
        .filter(partner_client::Column::ClientUserId.is_in(clients.iter().copied()))
        .all(db)
        .await?;
    let link_of: HashMap<i64, &partner_client::Model> =
        links.iter().map(|l| (l.client_user_id, l)).collect();
    let users_exist = scoped::<entities::user::Entity>(tenant_id)
        .filter(entities::user::Column::Id.is_in(clients.iter().copied()))
        .count(db)
        .await?;
    if users_exist != clients.len() as u64 {
        return Err(ApiError::NotFound { what: "client" });
    }
    let partner_id = match request.partner_id {
        Some(p) => Some(p),
        None => client_id.and_then(|c| link_of.get(&c).map(|l| l.partner_id)),
    };
    let partner = match partner_id {
        Some(pid) => {
            scoped::<partner::Entity>(tenant_id)
                .filter(partner::Column::Id.eq(pid))
                .one(db)
                .await?
        }
        None => None,
    };
    if request.partner_id.is_some() && partner.is_none() {
        return Err(not_found("partnerId", "partner"));
    }
    let all_linked = partner.as_ref().is_some_and(|p| {
        clients
            .iter()
            .all(|c| link_of.get(c).is_some_and(|l| l.partner_id == p.id))
    });
    let partner_standing: Option<Standing> = match (&partner, all_linked) {
        (Some(p), true) => Some(viewer_access(db, req, p.organization_id).await?.standing()),
        _ => None,
    };
    let standing = OrderStanding {
        tenant_id,
        client_self: client_id == Some(viewer),
        partner: partner_standing,
        payer_partner: request.payer == PayerKind::Partner,
    };
    // Someone else's client (or lines) is not found, whoever asks.
    let acts = partner_standing.is_some_and(|_| {
        authorize(
            req,
            Action::PlaceOrder {
                order: OrderStanding {
                    payer_partner: true,
                    ..standing
                },
            },
        )
        .is_ok()
    });
    if !standing.client_self && !acts {
        return Err(ApiError::NotFound { what: "client" });
    }
    authorize(req, Action::PlaceOrder { order: standing })?;
    let tenant = &req.tenant.model;
    let rate_bp = match (request.payer, &partner) {
        (PayerKind::Partner, Some(p)) => {
            if p.status != partner::STATUS_APPROVED {
                return Err(ApiError::domain(
                    code::PARTNER_NOT_APPROVED,
                    Some("partnerId"),
                    "the partner program has not approved this partner yet",
                ));
            }
            tier_bp(tenant, p.tier.as_deref())
        }
        (PayerKind::Client, Some(p)) if p.status == partner::STATUS_APPROVED => {
            match client_id.and_then(|c| link_of.get(&c)) {
                Some(l) if l.origin == partner_client::ORIGIN_CREATED => {
                    tenant.reward_rate_created_bp
                }
                Some(_) => tenant.reward_rate_referral_bp,
                None => 0,
            }
        }
        _ => 0,
    };
    Ok((partner, rate_bp))
}

/// The order's items so far, each with what the pricing function sees of it.
#[derive(Default)]
struct Items {
    items: Vec<ItemContext>,
    pricing: Vec<ItemKind>,
}

impl Items {
    fn push(&mut self, priced: ItemKind, item: ItemContext) {
        self.pricing.push(priced);
        self.items.push(item);
    }
}

/// New lines, in the client's organizations and their open spaces.
async fn new_lines(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    request: &OrderRequest,
    client_id: Option<i64>,
    catalogue: &Catalogue,
    order: &mut Items,
) -> ApiResult<()> {
    if request.new_lines.is_empty() {
        return Ok(());
    }
    let tenant_id = req.tenant_id();
    let client = client_id.unwrap_or_default();
    let orgs: HashSet<i64> = scoped::<organization_member::Entity>(tenant_id)
        .filter(organization_member::Column::UserId.eq(client))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.organization_id)
        .collect();
    let space_ids: Vec<i64> = request
        .new_lines
        .iter()
        .filter_map(|n| n.space_id)
        .collect();
    let spaces: HashMap<i64, space::Model> = if space_ids.is_empty() {
        HashMap::new()
    } else {
        scoped::<space::Entity>(tenant_id)
            .filter(space::Column::Id.is_in(space_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect()
    };
    for n in &request.new_lines {
        let chosen = catalogue.sellable("newLines.channelKinds", &n.channel_kinds)?;
        if !orgs.contains(&n.organization_id) {
            return Err(ApiError::bad_input(
                "newLines.organizationId",
                "not an organization of the client",
            ));
        }
        if let Some(sid) = n.space_id {
            open_space_of(&spaces, sid, n.organization_id)?;
        }
        let package = catalogue.package(n.coin_package)?;
        order.push(
            ItemKind::NewLines {
                channels: catalogue.prices(&chosen),
                quantity: n.quantity,
                months: n.months,
                coin_package_price: package
                    .as_ref()
                    .map(|p| money::from_minor(p.price_minor, &catalogue.currency)),
            },
            ItemContext {
                kind: entities::order_item::ItemKind::NewLines,
                line: None,
                channel_kinds: chosen,
                quantity: n.quantity,
                months: Some(n.months),
                remaining_days: None,
                coin_package: package,
                organization_id: Some(n.organization_id),
                space_id: n.space_id,
                new_expires_at: None,
            },
        );
    }
    Ok(())
}

/// The space `id` is one of the organization's and not archived.
fn open_space_of(spaces: &HashMap<i64, space::Model>, id: i64, org_id: i64) -> ApiResult<()> {
    match spaces.get(&id) {
        Some(s) if s.organization_id == org_id => {
            if s.archived_at.is_some() {
                return Err(ApiError::domain(
                    code::SPACE_ARCHIVED,
                    Some("newLines.spaceId"),
                    "the space is archived",
                ));
            }
            Ok(())
        }
        _ => Err(ApiError::bad_input(
            "newLines.spaceId",
            "no such space in the organization",
        )),
    }
}

/// The channel kinds on each of `lines`, oldest first: one statement. By the ids read, not
/// by the condition again, so a line that changed client between the two statements
/// cannot lose its channels here.
async fn channels_of(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    lines: &[PricedLine],
) -> ApiResult<HashMap<i64, Vec<i64>>> {
    let mut channels_of: HashMap<i64, Vec<i64>> = HashMap::new();
    if lines.is_empty() {
        return Ok(channels_of);
    }
    // Only the two columns pricing needs, read by position.
    let channels: Vec<(i64, i64)> = scoped::<line_channel::Entity>(tenant_id)
        .select_only()
        .column(line_channel::Column::LineId)
        .column(line_channel::Column::ChannelKindId)
        .filter(line_channel::Column::LineId.is_in(lines.iter().map(|l| l.id)))
        .order_by_asc(line_channel::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for (line_id, kind_id) in channels {
        channels_of.entry(line_id).or_default().push(kind_id);
    }
    Ok(channels_of)
}

/// Renewals, by line number: each line renews the channels it has.
fn renewed_lines(
    lines: &[PricedLine],
    renewals: &RenewalRequest,
    channels_of: &HashMap<i64, Vec<i64>>,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
    order: &mut Items,
) -> ApiResult<()> {
    let line_ids: HashSet<i64> = renewals.line_ids.iter().copied().collect();
    let client_ids: HashSet<i64> = renewals.client_ids.iter().copied().collect();
    let mut renewed: Vec<&PricedLine> = lines
        .iter()
        .filter(|l| line_ids.contains(&l.id) || client_ids.contains(&l.client_user_id))
        .collect();
    renewed.sort_by_key(|l| l.line_number);
    for l in renewed {
        if l.nfr {
            return Err(ApiError::bad_input(
                "renewals.lineIds",
                format!(
                    "line {} is a free NFR line; it renews on its own",
                    l.line_number
                ),
            ));
        }
        let on_line: Vec<Arc<channel_kind::Model>> = channels_of
            .get(&l.id)
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| catalogue.kinds.get(id).cloned())
                    .collect()
            })
            .unwrap_or_default();
        if on_line.is_empty() {
            return Err(ApiError::bad_input(
                "renewals.lineIds",
                format!("line {} has no channels to renew", l.line_number),
            ));
        }
        order.push(
            ItemKind::Renewal {
                line_id: l.id,
                channels: catalogue.prices(&on_line),
                months: renewals.months,
            },
            ItemContext {
                kind: entities::order_item::ItemKind::Renewal,
                line: Some(*l),
                channel_kinds: on_line,
                quantity: 1,
                months: Some(renewals.months),
                remaining_days: None,
                coin_package: None,
                organization_id: Some(l.organization_id),
                space_id: l.space_id,
                new_expires_at: Some(renewed_until(l.expires_at, now, renewals.months)),
            },
        );
    }
    Ok(())
}

/// Channels added to running lines, priced by the days the line has left.
fn additions(
    request: &OrderRequest,
    by_id: &HashMap<i64, &PricedLine>,
    channels_of: &HashMap<i64, Vec<i64>>,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
    order: &mut Items,
) -> ApiResult<()> {
    for a in &request.additions {
        let l = by_id
            .get(&a.line_id)
            .copied()
            .ok_or(ApiError::NotFound { what: "line" })?;
        let chosen = catalogue.sellable("channelAdditions.channelKinds", &a.channel_kinds)?;
        let existing = channels_of.get(&l.id).cloned().unwrap_or_default();
        if chosen.iter().any(|k| existing.contains(&k.id)) {
            return Err(ApiError::bad_input(
                "channelAdditions.channelKinds",
                format!("line {} already has this channel", l.line_number),
            ));
        }
        let remaining = days_left(l.expires_at, now);
        order.push(
            ItemKind::Addition {
                line_id: l.id,
                channels: catalogue.prices(&chosen),
                remaining_days: remaining,
            },
            ItemContext {
                kind: entities::order_item::ItemKind::Addition,
                line: Some(*l),
                channel_kinds: chosen,
                quantity: 1,
                months: None,
                remaining_days: Some(remaining),
                coin_package: None,
                organization_id: Some(l.organization_id),
                space_id: l.space_id,
                new_expires_at: None,
            },
        );
    }
    Ok(())
}
