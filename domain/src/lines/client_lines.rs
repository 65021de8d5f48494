//! The partner's "client lines" page (seed 001, section 3): a page of **clients** (the page
//! size counts clients; "show all" is up to [`MAX_CLIENTS`]), each with the lines that
//! match the filters, in a stable order (the order clients were attached, then line
//! number).
//!
//! Filters:
//! - `country`: the client's country;
//! - `status`: `ACTIVE`, `EXPIRES_IN_7_DAYS` and `EXPIRES_IN_30_DAYS` (active and ending
//!   within that many days), `EXPIRED`; only clients with a matching line are listed, and
//!   only matching lines are shown;
//! - `search`: the client's name, email, phone or account number, the name of a line's
//!   organization, or a line number. A client that matches shows all its lines (within the
//!   status filter); a client found through a line shows the lines that matched.
//!
//! A client without lines is listed when no status filter is set.

use chrono::Duration;
use std::collections::HashMap;

use entities::{
    channel_kind, line, line_channel, line_comment, organization, organization_member, partner,
    partner_client, user,
};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};
use tenants::RequestCtx;
use tenants::scope::scoped;

use crate::kernel::error::ApiResult;
use crate::kernel::page::{PageArgs, Paged};
use crate::kernel::rows::{columns_of_both, pairs};
use crate::kernel::services::Services;
use crate::kernel::validate;
use crate::partners::client_list::ClientRow;
use crate::partners::client_list::may_list_clients;
use crate::partners::client_list::page_with_accounts;
use entities::position::ByPosition;

/// "Show all" is bounded at this many clients per page.
pub const MAX_CLIENTS: i32 = 1000;

/// The line status filter of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Active,
    ExpiresIn7Days,
    ExpiresIn30Days,
    Expired,
}

/// What the page is filtered by.
#[derive(Debug, Clone, Default)]
pub struct ClientLinesFilter {
    pub country: Option<String>,
    pub status: Option<StatusFilter>,
    pub search: Option<String>,
}

/// One row: a client and its matching lines.
#[derive(Debug, Clone)]
pub struct ClientLinesRow {
    pub link: partner_client::Model,
    pub client: user::Model,
    pub lines: Vec<line::Model>,
}

/// A page and everything its rows show, fetched in four statements at any page size
/// (see [`page`]).
#[derive(Debug, Clone)]
pub struct ClientLinesPage {
    pub page: Paged<ClientLinesRow>,
    /// The viewing partner's note on each shown line, keyed `(line id, partner id)`;
    /// `None` when there is none.
    pub comments: Vec<((i64, i64), Option<line_comment::Model>)>,
    /// The channels of each shown line, oldest first (empty when it has none).
    pub channels: Vec<(i64, Vec<line_channel::Model>)>,
    /// The kinds of those channels.
    pub kinds: Vec<channel_kind::Model>,
    /// The organizations each listed client belongs to, by id.
    pub organizations_of: Vec<(i64, Vec<i64>)>,
    /// Those organizations.
    pub organizations: Vec<organization::Model>,
}

struct Compiled {
    status: Option<Condition>,
    /// Users matching the search on their own fields.
    users: Option<SelectStatement>,
    /// Lines matching the search on their number or organization.
    line_match: Option<Condition>,
}

fn compile(
    svc: &Services,
    tenant_id: i64,
    filter: &ClientLinesFilter,
) -> ApiResult<(Compiled, Option<String>)> {
    let now = svc.clock.now();
    let status = filter.status.map(|s| match s {
        StatusFilter::Active => Condition::all().add(line::Column::ExpiresAt.gt(now)),
        StatusFilter::ExpiresIn7Days => Condition::all()
            .add(line::Column::ExpiresAt.gt(now))
            .add(line::Column::ExpiresAt.lte(now + Duration::days(7))),
        StatusFilter::ExpiresIn30Days => Condition::all()
            .add(line::Column::ExpiresAt.gt(now))
            .add(line::Column::ExpiresAt.lte(now + Duration::days(30))),
        StatusFilter::Expired => Condition::all().add(line::Column::ExpiresAt.lte(now)),
    });
    let country = filter
        .country
        .as_deref()
        .map(|c| validate::country("country", c))
        .transpose()?;
    let search = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(100).collect::<String>());
    let (users, line_match) = match &search {
        None => (None, None),
        Some(s) => {
            let pattern = format!("%{}%", s.to_lowercase().replace(['%', '_', '\\'], ""));
            let number: Option<i64> = s.trim_start_matches('#').parse().ok();
            let mut who = Condition::any()
                .add(
                    Expr::expr(Func::lower(Expr::col((
                        user::Entity,
                        user::Column::DisplayName,
                    ))))
                    .like(pattern.clone()),
                )
                .add(Expr::col((user::Entity, user::Column::Email)).like(pattern.clone()))
                .add(Expr::col((user::Entity, user::Column::Phone)).like(pattern.clone()));
            if let Some(n) = number {
                who = who.add(Expr::col((user::Entity, user::Column::AccountNumber)).eq(n));
            }
            let users = Query::select()
                .column((user::Entity, user::Column::Id))
                .from(user::Entity)
                .and_where(Expr::col((user::Entity, user::Column::TenantId)).eq(tenant_id))
                .cond_where(who)
                .to_owned();
            let orgs = Query::select()
                .column(organization::Column::Id)
                .from(organization::Entity)
                .and_where(organization::Column::TenantId.eq(tenant_id))
                .and_where(
                    Expr::expr(Func::lower(Expr::col(organization::Column::Name)))
                        .like(pattern.clone()),
                )
                .to_owned();
            let mut lm = Condition::any().add(line::Column::OrganizationId.in_subquery(orgs));
            if let Some(n) = number {
                lm = lm.add(line::Column::LineNumber.eq(n));
            }
            (Some(users), Some(lm))
        }
    };
    Ok((
        Compiled {
            status,
            users,
            line_match,
        },
        country,
    ))
}

impl Compiled {
    /// Which lines are shown.
    fn line_condition(&self) -> Condition {
        let mut c = Condition::all();
        if let Some(s) = &self.status {
            c = c.add(s.clone());
        }
        if let (Some(users), Some(lm)) = (&self.users, &self.line_match) {
            c = c.add(
                Condition::any()
                    .add(line::Column::ClientUserId.in_subquery(users.clone()))
                    .add(lm.clone()),
            );
        }
        c
    }

    /// Which clients are listed, as a condition on `partner_clients`.
    fn client_condition(&self, tenant_id: i64) -> Option<Condition> {
        let lines_of = |c: Condition| {
            Query::select()
                .column(line::Column::ClientUserId)
                .from(line::Entity)
                .and_where(line::Column::TenantId.eq(tenant_id))
                .cond_where(c)
                .to_owned()
        };
        match (&self.status, &self.users, &self.line_match) {
            (None, None, _) => None,
            (Some(_), _, _) => Some(Condition::all().add(
                partner_client::Column::ClientUserId.in_subquery(lines_of(self.line_condition())),
            )),
            (None, Some(users), Some(lm)) => Some(
                Condition::any()
                    .add(partner_client::Column::ClientUserId.in_subquery(users.clone()))
                    .add(partner_client::Column::ClientUserId.in_subquery(lines_of(lm.clone()))),
            ),
            (None, Some(users), None) => Some(
                Condition::all()
                    .add(partner_client::Column::ClientUserId.in_subquery(users.clone())),
            ),
        }
    }
}

/// `Partner.clientLines`: one page of the partner's clients with their matching lines.
///
/// Four statements at any page size: the clients with their accounts and the total; their
/// lines with the partner's notes; the lines' channels with their kinds; the clients'
/// organizations.
pub async fn page(
    svc: &Services,
    req: &RequestCtx,
    p: &partner::Model,
    filter: ClientLinesFilter,
    args: PageArgs,
) -> ApiResult<ClientLinesPage> {
    may_list_clients(&svc.db, req, p).await?;
    let tenant_id = req.tenant_id();
    let (compiled, country) = compile(svc, tenant_id, &filter)?;
    let mut q = scoped::<partner_client::Entity>(tenant_id)
        .filter(partner_client::Column::PartnerId.eq(p.id));
    if let Some(c) = country {
        q = q.filter(Expr::col((user::Entity, user::Column::Country)).eq(c));
    }
    if let Some(c) = compiled.client_condition(tenant_id) {
        q = q.filter(c);
    }
    let clients = page_with_accounts(&svc.db, q, args, MAX_CLIENTS).await?;
    let ids: Vec<i64> = clients.items().map(|r| r.link.client_user_id).collect();
    if ids.is_empty() {
        return Ok(ClientLinesPage {
            page: clients.map(|ClientRow { link, client }| ClientLinesRow {
                link,
                client,
                lines: Vec::new(),
            }),
            comments: Vec::new(),
            channels: Vec::new(),
            kinds: Vec::new(),
            organizations_of: Vec::new(),
            organizations: Vec::new(),
        });
    }

    // The lines that match, each with the partner's note.
    let mut lq = scoped::<line::Entity>(tenant_id)
        .filter(line::Column::ClientUserId.is_in(ids.clone()))
        .filter(compiled.line_condition())
        .order_by_asc(line::Column::ClientUserId)
        .order_by_asc(line::Column::LineNumber);
    QueryTrait::query(&mut lq).join(
        JoinType::LeftJoin,
        line_comment::Entity,
        Expr::col((line_comment::Entity, line_comment::Column::LineId))
            .equals((line::Entity, line::Column::Id))
            .and(Expr::col((line_comment::Entity, line_comment::Column::PartnerId)).eq(p.id))
            .and(Expr::col((line_comment::Entity, line_comment::Column::TenantId)).eq(tenant_id)),
    );
    let lines = pairs::<line::Entity, line_comment::Entity>(&svc.db, lq).await?;
    let line_ids: Vec<i64> = lines.iter().map(|(l, _)| l.id).collect();
    let comments = lines
        .iter()
        .map(|(l, c)| ((l.id, p.id), c.clone()))
        .collect();

    // Their channels with the channels' kinds, and the clients' organizations.
    let (channels, orgs) = futures_util::future::try_join(
        channels_with_kinds(&svc.db, tenant_id, &line_ids),
        memberships_with_organizations(&svc.db, tenant_id, &ids),
    )
    .await?;

    let mut by_line: HashMap<i64, Vec<line_channel::Model>> =
        line_ids.iter().map(|id| (*id, Vec::new())).collect();
    for c in channels.channels {
        by_line.entry(c.line_id).or_default().push(c);
    }
    let kinds = channels.kinds;
    let mut of_client: HashMap<i64, Vec<i64>> = ids.iter().map(|id| (*id, Vec::new())).collect();
    let mut organizations: HashMap<i64, organization::Model> = HashMap::new();
    for (m, o) in orgs {
        of_client
            .entry(m.user_id)
            .or_default()
            .push(m.organization_id);
        if let Some(o) = o {
            organizations.entry(o.id).or_insert(o);
        }
    }
    let mut by_client: HashMap<i64, Vec<line::Model>> = HashMap::new();
    for (l, _) in lines {
        by_client.entry(l.client_user_id).or_default().push(l);
    }
    Ok(ClientLinesPage {
        page: clients.map(|ClientRow { link, client }| ClientLinesRow {
            lines: by_client.remove(&link.client_user_id).unwrap_or_default(),
            link,
            client,
        }),
        comments,
        channels: by_line.into_iter().collect(),
        kinds: kinds.into_values().collect(),
        organizations_of: of_client.into_iter().collect(),
        organizations: organizations.into_values().collect(),
    })
}

/// The channels of some lines and their kinds.
struct ChannelsWithKinds {
    channels: Vec<line_channel::Model>,
    kinds: HashMap<i64, channel_kind::Model>,
}

/// The channels of `line_ids`, oldest first, and their kinds: one statement. Rows are read
/// by position, and a kind's columns only on the first row that has it (450 channels of a
/// page share a handful of kinds).
async fn channels_with_kinds(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    line_ids: &[i64],
) -> Result<ChannelsWithKinds, sea_orm::DbErr> {
    let mut out = ChannelsWithKinds {
        channels: Vec::new(),
        kinds: HashMap::new(),
    };
    if line_ids.is_empty() {
        return Ok(out);
    }
    let mut cq = columns_of_both::<line_channel::Entity, channel_kind::Entity>(
        scoped::<line_channel::Entity>(tenant_id)
            .filter(line_channel::Column::LineId.is_in(line_ids.iter().copied()))
            .order_by_asc(line_channel::Column::Id),
    );
    QueryTrait::query(&mut cq).join(
        JoinType::InnerJoin,
        channel_kind::Entity,
        Expr::col((channel_kind::Entity, channel_kind::Column::Id))
            .equals((line_channel::Entity, line_channel::Column::ChannelKindId)),
    );
    let rows = db.query_all(cq.as_query()).await?;
    out.channels.reserve(rows.len());
    for r in &rows {
        let c = line_channel::Model::read_at(r, 0)?;
        if !out.kinds.contains_key(&c.channel_kind_id) {
            let k = channel_kind::Model::read_at(r, line_channel::Model::WIDTH)?;
            out.kinds.insert(k.id, k);
        }
        out.channels.push(c);
    }
    Ok(out)
}

/// The organizations the users `ids` belong to, with each membership: one statement.
async fn memberships_with_organizations(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    ids: &[i64],
) -> Result<Vec<(organization_member::Model, Option<organization::Model>)>, sea_orm::DbErr> {
    let mut oq = scoped::<organization_member::Entity>(tenant_id)
        .filter(organization_member::Column::UserId.is_in(ids.iter().copied()))
        .order_by_asc(organization_member::Column::OrganizationId);
    QueryTrait::query(&mut oq).join(
        JoinType::InnerJoin,
        organization::Entity,
        Expr::col((organization::Entity, organization::Column::Id)).equals((
            organization_member::Entity,
            organization_member::Column::OrganizationId,
        )),
    );
    pairs::<organization_member::Entity, organization::Entity>(db, oq).await
}

/// `Partner.clientCountries`: the countries the partner's clients are in, sorted.
pub async fn client_countries(
    svc: &Services,
    req: &RequestCtx,
    p: &partner::Model,
) -> ApiResult<Vec<String>> {
    may_list_clients(&svc.db, req, p).await?;
    let tenant_id = req.tenant_id();
    let clients = Query::select()
        .column(partner_client::Column::ClientUserId)
        .from(partner_client::Entity)
        .and_where(partner_client::Column::TenantId.eq(tenant_id))
        .and_where(partner_client::Column::PartnerId.eq(p.id))
        .to_owned();
    let rows: Vec<Option<String>> = scoped::<user::Entity>(tenant_id)
        .select_only()
        .column(user::Column::Country)
        .distinct()
        .filter(user::Column::Id.in_subquery(clients))
        .filter(user::Column::Country.is_not_null())
        .order_by_asc(user::Column::Country)
        .into_tuple()
        .all(&svc.db)
        .await?;
    Ok(rows.into_iter().flatten().collect())
}
