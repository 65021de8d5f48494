//! Types that several domains add fields to, assembled from their parts. Each domain
//! writes its own fields (`identity::UserCore`, `orgs::UserOrgs`,
//! `partners::UserPartners`); this module only merges them under the GraphQL name. A new
//! domain that adds a field to `User` writes its part in its own module and adds it here,
//! without touching a lower domain's files. Merged parts are hidden from the SDL.

use std::sync::Arc;

use async_graphql::MergedObject;
use entities::{organization, partner, partner_client, user};

use crate::identity::UserCore;
use crate::leads::{PartnerLeads, ProfileCertificates};
use crate::ledger::PartnerLedger;
use crate::lines::{OrganizationLines, PartnerLines, UserLines};
use crate::notifications::UserNotifications;
use crate::orders::{ClientFigures, ClientOrders, PartnerOrders, UserOrders};
use crate::orgs::{Access, OrgView, OrganizationCore, UserOrgs};
use crate::partners::{
    ClientCore, OrganizationPartner, PartnerCore, PartnerProfileCore, UserPartners,
};

/// A user account on the current tenant.
#[derive(MergedObject)]
#[graphql(name = "User")]
pub struct User(
    UserCore,
    UserOrgs,
    UserPartners,
    UserLines,
    UserOrders,
    UserNotifications,
);

impl User {
    /// The user of this row.
    pub fn new(model: user::Model) -> Self {
        let model = Arc::new(model);
        Self(
            UserCore(model.clone()),
            UserOrgs(model.clone()),
            UserPartners(model.clone()),
            UserLines(model.clone()),
            UserOrders(model.clone()),
            UserNotifications(model),
        )
    }

    /// The global id (for the `Node` interface).
    pub async fn id(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<async_graphql::ID> {
        self.0.id(ctx).await
    }

    /// The row.
    pub fn model(&self) -> &user::Model {
        &self.0.0
    }
}

impl From<user::Model> for User {
    fn from(model: user::Model) -> Self {
        Self::new(model)
    }
}

impl From<OrgView> for Organization {
    fn from(view: OrgView) -> Self {
        let view = Arc::new(view);
        Self(
            OrganizationCore(view.clone()),
            OrganizationPartner(view.clone()),
            OrganizationLines(view),
        )
    }
}

/// An organization, as seen by the viewer.
#[derive(MergedObject)]
#[graphql(name = "Organization")]
pub struct Organization(OrganizationCore, OrganizationPartner, OrganizationLines);

impl Organization {
    /// The organization of this row, with the viewer's roles in it.
    pub fn new(model: organization::Model, access: Access) -> Self {
        Self::from(OrgView { model, access })
    }

    /// The row and the viewer's roles.
    pub fn view(&self) -> &OrgView {
        &self.0.0
    }

    /// The global id (for the `Node` interface).
    pub async fn id(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<async_graphql::ID> {
        self.0.id(ctx).await
    }
}

/// A partner, as its own members and the program's reviewers see it.
#[derive(MergedObject)]
#[graphql(name = "Partner")]
pub struct Partner(
    PartnerCore,
    PartnerLines,
    PartnerOrders,
    PartnerLedger,
    PartnerLeads,
);

impl Partner {
    /// The partner of this row.
    pub fn new(model: partner::Model) -> Self {
        let model = Arc::new(model);
        Self(
            PartnerCore(model.clone()),
            PartnerLines(model.clone()),
            PartnerOrders(model.clone()),
            PartnerLedger(model.clone()),
            PartnerLeads(model),
        )
    }
}

/// A partner's public profile, as the directory shows it.
#[derive(MergedObject)]
#[graphql(name = "PartnerProfile")]
pub struct PartnerProfile(PartnerProfileCore, ProfileCertificates);

impl PartnerProfile {
    /// The profile of this partner.
    pub fn new(model: Arc<partner::Model>) -> Self {
        Self(
            PartnerProfileCore::from(&*model),
            ProfileCertificates(model.id),
        )
    }
}

/// A client in a partner's "my clients" list.
#[derive(MergedObject)]
#[graphql(name = "Client")]
pub struct Client(ClientCore, ClientOrders);

/// The clients of one page: what a domain fetches per client it fetches once for all of
/// them (one statement per page at any size, whichever client asks first).
pub struct ClientPage(Arc<ClientFigures>);

impl ClientPage {
    /// The page of `partner_id` listing `clients` (user ids).
    pub fn new(partner_id: i64, clients: Vec<i64>) -> Self {
        Self(Arc::new(ClientFigures::new(partner_id, clients)))
    }

    /// One client of the page.
    pub fn client(&self, link: partner_client::Model) -> Client {
        let link = Arc::new(link);
        Client(
            ClientCore(link.clone()),
            ClientOrders {
                link,
                page: self.0.clone(),
            },
        )
    }
}
