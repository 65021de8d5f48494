//! Types that several domains add fields to, assembled from their parts. Each domain
//! writes its own fields (`identity::UserCore`, `orgs::UserOrgs`,
//! `partners::UserPartners`) and names the type by its handle in [`crate::shared`]; this
//! module, above every domain, merges the parts under the GraphQL name and answers the
//! handles ([`install`]). A new domain that adds a field to `User` writes its part in its
//! own module and adds it here, without touching a lower domain's files. Merged parts are
//! hidden from the SDL.

use std::borrow::Cow;
use std::sync::Arc;

use async_graphql::parser::types::Field;
use async_graphql::registry::{MetaType, MetaTypeId, Registry};
use async_graphql::{
    ContainerType, Context, ContextSelectionSet, MergedObject, ObjectType, OutputType, Positioned,
    SchemaBuilder, ServerResult, SubscriptionType, Value,
};
use entities::{organization, user};

use crate::identity::UserCore;
use crate::leads::{PartnerLeads, ProfileCertificates};
use crate::ledger::PartnerLedger;
use crate::lines::{OrganizationLines, PartnerLines, UserLines};
use crate::notifications::UserNotifications;
use crate::orders::{ClientOrders, PartnerOrders, UserOrders};
use crate::orgs::{Access, OrganizationCore, UserOrgs};
use crate::partners::{
    ClientCore, OrganizationPartner, PartnerCore, PartnerProfileCore, UserPartners,
};
use crate::shared::{self, Assembled, Assembly};

/// A user account on the current tenant.
#[derive(MergedObject)]
#[graphql(name = "User")]
pub struct UserObject(
    UserCore,
    UserOrgs,
    UserPartners,
    UserLines,
    UserOrders,
    UserNotifications,
);

impl UserObject {
    /// The user of this row.
    pub fn new(model: user::Model) -> Self {
        Self::from(&shared::User::new(model))
    }

    /// The global id (for the `Node` interface).
    pub async fn id(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<async_graphql::ID> {
        self.0.id(ctx).await
    }
}

impl From<&shared::User> for UserObject {
    fn from(u: &shared::User) -> Self {
        let model = &u.0;
        Self(
            UserCore(model.clone()),
            UserOrgs(model.clone()),
            UserPartners(model.clone()),
            UserLines(model.clone()),
            UserOrders(model.clone()),
            UserNotifications(model.clone()),
        )
    }
}

/// An organization, as seen by the viewer.
#[derive(MergedObject)]
#[graphql(name = "Organization")]
pub struct OrganizationObject(OrganizationCore, OrganizationPartner, OrganizationLines);

impl OrganizationObject {
    /// The organization of this row, with the viewer's roles in it.
    pub fn new(model: organization::Model, access: Access) -> Self {
        Self::from(&shared::Organization::new(model, access))
    }

    /// The global id (for the `Node` interface).
    pub async fn id(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<async_graphql::ID> {
        self.0.id(ctx).await
    }
}

impl From<&shared::Organization> for OrganizationObject {
    fn from(o: &shared::Organization) -> Self {
        let view = &o.0;
        Self(
            OrganizationCore(view.clone()),
            OrganizationPartner(view.clone()),
            OrganizationLines(view.clone()),
        )
    }
}

/// A partner, as its own members and the program's reviewers see it.
#[derive(MergedObject)]
#[graphql(name = "Partner")]
pub struct PartnerObject(
    PartnerCore,
    PartnerLines,
    PartnerOrders,
    PartnerLedger,
    PartnerLeads,
);

impl From<&shared::Partner> for PartnerObject {
    fn from(p: &shared::Partner) -> Self {
        let model = &p.0;
        Self(
            PartnerCore(model.clone()),
            PartnerLines(model.clone()),
            PartnerOrders(model.clone()),
            PartnerLedger(model.clone()),
            PartnerLeads(model.clone()),
        )
    }
}

/// A partner's public profile, as the directory shows it.
#[derive(MergedObject)]
#[graphql(name = "PartnerProfile")]
pub struct PartnerProfileObject(PartnerProfileCore, ProfileCertificates);

impl From<&shared::PartnerProfile> for PartnerProfileObject {
    fn from(p: &shared::PartnerProfile) -> Self {
        Self(PartnerProfileCore::from(&*p.0), ProfileCertificates(p.0.id))
    }
}

/// A client in a partner's "my clients" list.
#[derive(MergedObject)]
#[graphql(name = "Client")]
pub struct ClientObject(ClientCore, ClientOrders);

impl From<&shared::Client> for ClientObject {
    fn from(c: &shared::Client) -> Self {
        Self(
            ClientCore(c.link.clone()),
            ClientOrders {
                link: c.link.clone(),
                page: c.page.clone(),
            },
        )
    }
}

/// Answers each handle as its merged object.
struct Parts;

#[async_trait::async_trait]
impl Assembly for Parts {
    async fn user(
        &self,
        it: &shared::User,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        OutputType::resolve(&UserObject::from(it), ctx, field).await
    }

    async fn organization(
        &self,
        it: &shared::Organization,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        OutputType::resolve(&OrganizationObject::from(it), ctx, field).await
    }

    async fn partner(
        &self,
        it: &shared::Partner,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        OutputType::resolve(&PartnerObject::from(it), ctx, field).await
    }

    async fn partner_profile(
        &self,
        it: &shared::PartnerProfile,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        OutputType::resolve(&PartnerProfileObject::from(it), ctx, field).await
    }

    async fn client(
        &self,
        it: &shared::Client,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        OutputType::resolve(&ClientObject::from(it), ctx, field).await
    }
}

/// A part of the query root without fields: while the schema is built it registers the
/// assembled types, so the schema knows their fields before it drops every type no field
/// reaches (a handle only names its type). Put it in the query root's parts.
#[derive(Default, Clone, Copy)]
pub struct Types;

impl ContainerType for Types {
    async fn resolve_field(&self, _ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        Ok(None)
    }
}

impl OutputType for Types {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed("AssembledTypes")
    }

    fn create_type_info(registry: &mut Registry) -> String {
        UserObject::create_type_info(registry);
        OrganizationObject::create_type_info(registry);
        PartnerObject::create_type_info(registry);
        PartnerProfileObject::create_type_info(registry);
        ClientObject::create_type_info(registry);
        registry.create_output_type::<Self, _>(MetaTypeId::Object, |_| MetaType::Object {
            name: Self::type_name().to_string(),
            description: None,
            fields: Default::default(),
            cache_control: Default::default(),
            extends: false,
            shareable: false,
            resolvable: true,
            keys: None,
            visible: None,
            inaccessible: false,
            interface_object: false,
            tags: Default::default(),
            is_subscription: false,
            rust_typename: Some(std::any::type_name::<Self>()),
            directive_invocations: Default::default(),
            requires_scopes: Default::default(),
        })
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        async_graphql::resolver_utils::resolve_container(ctx, self).await
    }
}

impl ObjectType for Types {}

/// Installs what answers the handles in a schema whose query root has [`Types`].
pub fn install<Q, M, S>(b: SchemaBuilder<Q, M, S>) -> SchemaBuilder<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    b.data(Assembled(Arc::new(Parts)))
}
