//! The partner's "my clients": who may list them, the filters, and the page with the
//! clients' accounts.

use entities::position::ByPosition;
use entities::{consent, partner, partner_client, user};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, JoinType, QueryFilter, QueryTrait};
use tenants::policy::Action;
use tenants::scope::scoped;
use tenants::{RequestCtx, authorize};

use super::ClientAccess;
use super::ops::standing;
use crate::kernel::error::ApiResult;
use crate::kernel::page::{MAX_PAGE_SIZE, PageArgs, Paged, paginate_rows};
use crate::kernel::services::Services;
use crate::kernel::validate;

/// What the partner's client list is filtered by.
pub struct ClientFilter {
    pub search: Option<String>,
    pub origin: Option<partner_client::ClientOrigin>,
    pub access: Option<ClientAccess>,
    pub country: Option<String>,
}

fn active_consents(tenant_id: i64, partner_id: i64) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(consent::Column::ClientUserId)
        .from(consent::Entity)
        .and_where(consent::Column::TenantId.eq(tenant_id))
        .and_where(consent::Column::PartnerId.eq(partner_id))
        .and_where(consent::Column::RevokedAt.is_null())
        .to_owned()
}

/// Whether the viewer may list the partner's clients (and their lines): those who act
/// for the partner, and the program's reviewers.
pub async fn may_list_clients(
    db: &impl ConnectionTrait,
    req: &RequestCtx,
    p: &partner::Model,
) -> ApiResult<()> {
    let reviewer = authorize(
        req,
        Action::ReviewPartners {
            tenant_id: req.tenant_id(),
        },
    )
    .is_ok();
    if !reviewer {
        let acc = standing(db, req, p).await?;
        authorize(req, Action::ActForPartner { me: acc.standing() })?;
    }
    Ok(())
}

/// "My clients": one page of the partner's client links (its members and reviewers).
pub async fn list(
    svc: &Services,
    req: &RequestCtx,
    p: &partner::Model,
    filter: ClientFilter,
    args: PageArgs,
) -> ApiResult<Paged<ClientRow>> {
    may_list_clients(&svc.db, req, p).await?;
    let mut q = scoped::<partner_client::Entity>(req.tenant_id())
        .filter(partner_client::Column::PartnerId.eq(p.id));
    if let Some(o) = filter.origin {
        q = q.filter(partner_client::Column::Origin.eq(o));
    }
    match filter.access {
        Some(ClientAccess::Granted) => {
            q = q.filter(
                partner_client::Column::ClientUserId
                    .in_subquery(active_consents(req.tenant_id(), p.id)),
            );
        }
        Some(ClientAccess::NotGranted) => {
            q = q.filter(
                partner_client::Column::ClientUserId
                    .not_in_subquery(active_consents(req.tenant_id(), p.id)),
            );
        }
        None => {}
    }
    let mut users = Query::select()
        .column(user::Column::Id)
        .from(user::Entity)
        .and_where(user::Column::TenantId.eq(req.tenant_id()))
        .to_owned();
    let mut narrowed = false;
    if let Some(c) = &filter.country {
        users.and_where(user::Column::Country.eq(validate::country("country", c)?));
        narrowed = true;
    }
    if let Some(s) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let pattern = format!("%{}%", s.to_lowercase().replace(['%', '_'], ""));
        users.cond_where(
            Condition::any()
                .add(
                    Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(
                        user::Column::DisplayName,
                    )))
                    .like(pattern.clone()),
                )
                .add(user::Column::Email.like(pattern.clone()))
                .add(user::Column::Phone.like(pattern)),
        );
        narrowed = true;
    }
    if narrowed {
        q = q.filter(partner_client::Column::ClientUserId.in_subquery(users));
    }
    page_with_accounts(&svc.db, q, args, MAX_PAGE_SIZE).await
}

/// A page of client links (ordered by when they were attached) with each client's
/// account, in one statement: the links joined to their users, and the total.
/// `select` may filter on `users` columns.
pub async fn page_with_accounts(
    db: &impl ConnectionTrait,
    select: sea_orm::Select<partner_client::Entity>,
    args: PageArgs,
    max: i32,
) -> ApiResult<Paged<ClientRow>> {
    let mut q =
        crate::kernel::rows::columns_of_both::<partner_client::Entity, user::Entity>(select);
    QueryTrait::query(&mut q).join(
        JoinType::InnerJoin,
        user::Entity,
        Expr::col((user::Entity, user::Column::Id))
            .equals((partner_client::Entity, partner_client::Column::ClientUserId)),
    );
    paginate_rows(
        db,
        q,
        partner_client::Column::Id,
        args,
        max,
        // By position: the link's columns, then the account's.
        |r| {
            Ok(ClientRow {
                link: partner_client::Model::read_at(r, 0)?,
                client: user::Model::read_at(r, partner_client::Model::WIDTH)?,
            })
        },
        |row| (row.link.id, row),
    )
    .await
}

/// A client of a partner: the link and the client's account.
#[derive(Debug, Clone)]
pub struct ClientRow {
    pub link: partner_client::Model,
    pub client: user::Model,
}
