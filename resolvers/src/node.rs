//! Relay object identification: `node(id)` and `nodes(ids)`. A node the viewer may not see
//! reads as null, exactly like one that does not exist.

use async_graphql::{Context, ID, Interface, Object};
use tenants::RequestCtx;

use crate::error::{ApiError, ApiResult};
use crate::hub::{OrganizationObject, UserObject};
use crate::ids::{self, Kind};
use crate::orgs::Space;
use crate::services::Services;
use crate::tenancy::{Tenant, TenantDomain};
use crate::{request, services};

/// An object with a global id.
// Nodes live for one response; boxing the larger variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The global id."))]
pub enum Node {
    Tenant(Tenant),
    TenantDomain(TenantDomain),
    User(UserObject),
    Organization(OrganizationObject),
    Space(Space),
    Line(crate::lines::Line),
    Order(crate::orders::Order),
}

/// The most ids `nodes` accepts at once.
pub const MAX_NODES: usize = 100;

async fn load(svc: &Services, req: &RequestCtx, id: &str) -> ApiResult<Option<Node>> {
    let Some((kind, n)) = ids::parse(id) else {
        return Ok(None);
    };
    let node = match kind {
        Kind::Tenant => domain::tenancy::settings::tenant_for_viewer(svc, req, n)
            .await?
            .map(|t| Node::Tenant(Tenant::from(t))),
        Kind::TenantDomain => domain::tenancy::hosts::domain_for_viewer(svc, req, n)
            .await?
            .map(|d| Node::TenantDomain(TenantDomain(d))),
        Kind::User => domain::identity::profile::user_for_viewer(svc, req, n)
            .await?
            .map(|u| Node::User(UserObject::new(u))),
        Kind::Organization => match crate::orgs::access::org_for_viewer(svc, req, n).await {
            Ok(org) => Some(Node::Organization(OrganizationObject::new(
                org.model, org.access,
            ))),
            Err(ApiError::Internal) => return Err(ApiError::Internal),
            // Not found, not a member, not signed in: all read as "no such node".
            Err(_) => None,
        },
        Kind::Space => crate::orgs::spaces::space_for_viewer(svc, req, n)
            .await?
            .map(|s| Node::Space(Space::from(s))),
        // Not (yet) fetchable by id on their own.
        Kind::OrganizationMember
        | Kind::Invitation
        | Kind::AuditLogEntry
        | Kind::Partner
        | Kind::PartnerJoinRequest
        | Kind::ChannelKind
        | Kind::CoinPackage
        | Kind::Payment
        | Kind::LineChannel
        | Kind::ServiceToken
        | Kind::Withdrawal
        | Kind::LedgerEntry
        | Kind::Notification
        | Kind::OutboxMessage
        | Kind::LeadComment
        | Kind::CertificationAttempt
        | Kind::CertificationTest
        | Kind::Certificate
        | Kind::Lead => None,
        Kind::Order => domain::orders::ops::order_for_viewer(svc, req, n)
            .await?
            .map(|o| Node::Order(crate::orders::Order(o))),
        Kind::Line => domain::lines::ops::line_for_viewer(svc, req, n)
            .await?
            .map(|l| Node::Line(crate::lines::Line::from(l))),
    };
    Ok(node)
}

/// Relay node queries.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global id, or null if it does not exist or is not visible.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> crate::GqlResult<Option<Node>> {
        Ok(load(services(ctx)?, request(ctx)?, &id).await?)
    }

    /// The objects with these global ids, in order; null where one does not exist or is
    /// not visible. At most 100 ids.
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> crate::GqlResult<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(ApiError::bad_input("ids", format!("at most {MAX_NODES} ids")).into());
        }
        let (svc, req) = (services(ctx)?, request(ctx)?);
        let mut out = Vec::with_capacity(ids.len());
        for id in &ids {
            out.push(load(svc, req, id).await?);
        }
        Ok(out)
    }
}
