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
use entities::{line, organization, partner, partner_client, user};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, QueryFilter, QueryOrder, QuerySelect};
use tenants::RequestCtx;
use tenants::scope::scoped;

use crate::kernel::error::ApiResult;
use crate::kernel::page::{PageArgs, Paged, paginate_up_to};
use crate::kernel::services::Services;
use crate::kernel::validate;
use crate::partners::clients::may_list_clients;

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
    pub lines: Vec<line::Model>,
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
/// Three statements at any page size: the count, the clients, their lines.
pub async fn page(
    svc: &Services,
    req: &RequestCtx,
    p: &partner::Model,
    filter: ClientLinesFilter,
    args: PageArgs,
) -> ApiResult<Paged<ClientLinesRow>> {
    may_list_clients(&svc.db, req, p).await?;
    let tenant_id = req.tenant_id();
    let (compiled, country) = compile(svc, tenant_id, &filter)?;
    let mut q = scoped::<partner_client::Entity>(tenant_id)
        .filter(partner_client::Column::PartnerId.eq(p.id));
    if let Some(c) = country {
        q = q.filter(
            partner_client::Column::ClientUserId.in_subquery(
                Query::select()
                    .column(user::Column::Id)
                    .from(user::Entity)
                    .and_where(user::Column::TenantId.eq(tenant_id))
                    .and_where(user::Column::Country.eq(c))
                    .to_owned(),
            ),
        );
    }
    if let Some(c) = compiled.client_condition(tenant_id) {
        q = q.filter(c);
    }
    let clients = paginate_up_to(
        &svc.db,
        q,
        partner_client::Column::Id,
        args,
        MAX_CLIENTS,
        |m| (m.id, m),
    )
    .await?;
    let ids: Vec<i64> = clients.items().map(|l| l.client_user_id).collect();
    let lines = if ids.is_empty() {
        Vec::new()
    } else {
        scoped::<line::Entity>(tenant_id)
            .filter(line::Column::ClientUserId.is_in(ids))
            .filter(compiled.line_condition())
            .order_by_asc(line::Column::ClientUserId)
            .order_by_asc(line::Column::LineNumber)
            .all(&svc.db)
            .await?
    };
    let mut by_client: std::collections::HashMap<i64, Vec<line::Model>> =
        std::collections::HashMap::new();
    for l in lines {
        by_client.entry(l.client_user_id).or_default().push(l);
    }
    Ok(clients.map(|link| ClientLinesRow {
        lines: by_client.remove(&link.client_user_id).unwrap_or_default(),
        link,
    }))
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
