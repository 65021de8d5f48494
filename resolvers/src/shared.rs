//! The object types that several domains add fields to (`User`, `Organization`,
//! `Partner`, `PartnerProfile`, `Client`), as every module names them: a handle on the
//! row, which the schema answers as the whole object.
//!
//! Each domain writes its own fields of such a type in its own module
//! (`identity::UserCore`, `orgs::UserOrgs`, `lines::UserLines`, ...) and returns the
//! handle (`Line.client` is a `shared::User`) without knowing which other domains add
//! fields. `hub`, at the top of the crate, merges the parts under the GraphQL
//! name and installs an [`Assembly`] in the schema; a handle resolves through it. So no
//! module imports one above it, and a new domain that adds a field to `User` touches only
//! its own module and the hub.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{ContextSelectionSet, OutputType, Positioned, ServerResult, Value};
use domain::orgs::{Access, OrgView};
use entities::{organization, partner, partner_client, user};

/// A user account on the current tenant.
#[derive(Clone)]
pub struct User(pub Arc<user::Model>);

impl User {
    /// The user of this row.
    pub fn new(model: user::Model) -> Self {
        Self(Arc::new(model))
    }

    /// The row.
    pub fn model(&self) -> &user::Model {
        &self.0
    }
}

impl From<user::Model> for User {
    fn from(model: user::Model) -> Self {
        Self::new(model)
    }
}

/// An organization, as seen by the viewer.
#[derive(Clone)]
pub struct Organization(pub Arc<OrgView>);

impl Organization {
    /// The organization of this row, with the viewer's roles in it.
    pub fn new(model: organization::Model, access: Access) -> Self {
        Self::from(OrgView { model, access })
    }

    /// The row and the viewer's roles.
    pub fn view(&self) -> &OrgView {
        &self.0
    }
}

impl From<OrgView> for Organization {
    fn from(view: OrgView) -> Self {
        Self(Arc::new(view))
    }
}

/// A partner, as its own members and the program's reviewers see it.
#[derive(Clone)]
pub struct Partner(pub Arc<partner::Model>);

impl Partner {
    /// The partner of this row.
    pub fn new(model: partner::Model) -> Self {
        Self(Arc::new(model))
    }
}

/// A partner's public profile, as the directory shows it.
#[derive(Clone)]
pub struct PartnerProfile(pub Arc<partner::Model>);

impl PartnerProfile {
    /// The profile of this partner.
    pub fn new(model: Arc<partner::Model>) -> Self {
        Self(model)
    }
}

/// A client in a partner's "my clients" list, on its page.
#[derive(Clone)]
pub struct Client {
    pub link: Arc<partner_client::Model>,
    pub page: Arc<ClientPage>,
}

/// The clients of one page of "my clients": what a domain fetches per client it fetches
/// once for all of them (one statement per page at any size, whichever client asks
/// first), and keeps here.
pub struct ClientPage {
    pub partner_id: i64,
    /// The clients' user ids.
    pub clients: Vec<i64>,
    /// The orders domain's figures of every client of the page.
    pub order_figures: tokio::sync::OnceCell<HashMap<i64, domain::orders::ops::ClientFigures>>,
}

impl ClientPage {
    /// The page of `partner_id` listing `clients` (user ids).
    pub fn new(partner_id: i64, clients: Vec<i64>) -> Arc<Self> {
        Arc::new(Self {
            partner_id,
            clients,
            order_figures: tokio::sync::OnceCell::new(),
        })
    }

    /// One client of the page.
    pub fn client(self: &Arc<Self>, link: partner_client::Model) -> Client {
        Client {
            link: Arc::new(link),
            page: self.clone(),
        }
    }
}

/// Answers a handle as the whole object: implemented by `hub`, installed in the
/// schema's data.
#[async_trait::async_trait]
pub trait Assembly: Send + Sync {
    async fn user(
        &self,
        it: &User,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value>;
    async fn organization(
        &self,
        it: &Organization,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value>;
    async fn partner(
        &self,
        it: &Partner,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value>;
    async fn partner_profile(
        &self,
        it: &PartnerProfile,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value>;
    async fn client(
        &self,
        it: &Client,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value>;
}

/// The schema's data holding the assembly.
pub struct Assembled(pub Arc<dyn Assembly>);

/// Each handle is the GraphQL type of its name; the hub registers the type's fields (a
/// handle only names it) and answers it.
macro_rules! answered_by_the_hub {
    ($ty:ident, $name:literal, $method:ident) => {
        impl OutputType for $ty {
            fn type_name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }

            fn create_type_info(_: &mut Registry) -> String {
                Self::qualified_type_name()
            }

            async fn resolve(
                &self,
                ctx: &ContextSelectionSet<'_>,
                field: &Positioned<Field>,
            ) -> ServerResult<Value> {
                let assembled = ctx
                    .data::<Assembled>()
                    .map_err(|e| e.into_server_error(field.pos))?;
                assembled.0.$method(self, ctx, field).await
            }
        }
    };
}

answered_by_the_hub!(User, "User", user);
answered_by_the_hub!(Organization, "Organization", organization);
answered_by_the_hub!(Partner, "Partner", partner);
answered_by_the_hub!(PartnerProfile, "PartnerProfile", partner_profile);
answered_by_the_hub!(Client, "Client", client);
