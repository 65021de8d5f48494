//! GraphQL types of the partner program and its clients.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::partners::Tier;
use entities::{consent, partner, partner_client, partner_join_request};

use super::loaders::loaders;
use crate::identity::loaders::loaders as identity_loaders;
use crate::ids::{self, Kind};
use crate::links;
use crate::pagination::Page;
use crate::shared::{Partner, User};
use crate::{ApiError, request, services};

/// Where a partner application stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PartnerStatus {
    /// Waiting for review.
    Pending,
    /// In the program.
    Approved,
    /// Turned down.
    Rejected,
}

impl PartnerStatus {
    /// The stored status.
    pub fn entity(self) -> partner::PartnerStatus {
        match self {
            PartnerStatus::Pending => partner::STATUS_PENDING,
            PartnerStatus::Approved => partner::STATUS_APPROVED,
            PartnerStatus::Rejected => partner::STATUS_REJECTED,
        }
    }
}

impl From<partner::PartnerStatus> for PartnerStatus {
    fn from(s: partner::PartnerStatus) -> Self {
        match s {
            partner::PartnerStatus::Pending => PartnerStatus::Pending,
            partner::PartnerStatus::Approved => PartnerStatus::Approved,
            partner::PartnerStatus::Rejected => PartnerStatus::Rejected,
        }
    }
}

/// A partner's tier; its discount is a tenant setting.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PartnerTier {
    /// 35 % by default.
    Official,
    /// 50 % by default.
    Gold,
    /// 50 % by default.
    Technology,
}

impl PartnerTier {
    /// The domain's tier.
    pub fn domain(self) -> Tier {
        match self {
            PartnerTier::Official => Tier::Official,
            PartnerTier::Gold => Tier::Gold,
            PartnerTier::Technology => Tier::Technology,
        }
    }

    /// From what is stored.
    pub fn parse(s: &str) -> Option<Self> {
        Tier::parse(s).map(|t| match t {
            Tier::Official => PartnerTier::Official,
            Tier::Gold => PartnerTier::Gold,
            Tier::Technology => PartnerTier::Technology,
        })
    }
}

/// How a client came to their partner.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ClientOrigin {
    /// The partner created the account.
    CreatedByPartner,
    /// Through the referral link.
    ReferralLink,
    /// Through the service-manager link, with consent.
    ServiceManagerLink,
}

impl ClientOrigin {
    /// The stored origin.
    pub fn entity(self) -> partner_client::ClientOrigin {
        match self {
            ClientOrigin::CreatedByPartner => partner_client::ORIGIN_CREATED,
            ClientOrigin::ReferralLink => partner_client::ORIGIN_REFERRAL,
            ClientOrigin::ServiceManagerLink => partner_client::ORIGIN_SERVICE_MANAGER,
        }
    }
}

impl From<partner_client::ClientOrigin> for ClientOrigin {
    fn from(o: partner_client::ClientOrigin) -> Self {
        match o {
            partner_client::ClientOrigin::Created => ClientOrigin::CreatedByPartner,
            partner_client::ClientOrigin::Referral => ClientOrigin::ReferralLink,
            partner_client::ClientOrigin::ServiceManager => ClientOrigin::ServiceManagerLink,
        }
    }
}

/// Whether the partner may see and log in to the client's account.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ClientAccess {
    /// The client consents.
    Granted,
    /// No consent (never given, or revoked).
    NotGranted,
}

impl ClientAccess {
    /// The domain's access state.
    pub fn domain(self) -> domain::partners::ClientAccess {
        match self {
            ClientAccess::Granted => domain::partners::ClientAccess::Granted,
            ClientAccess::NotGranted => domain::partners::ClientAccess::NotGranted,
        }
    }
}

/// The partner-program fields of `Partner` (assembled in `hub::PartnerObject`).
pub struct PartnerCore(pub std::sync::Arc<partner::Model>);

fn json_list(raw: &str) -> Vec<String> {
    serde_json::from_str(raw).unwrap_or_default()
}

#[Object]
impl PartnerCore {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Partner, self.0.id)
    }
    /// The partner's organization.
    async fn organization_id(&self) -> ID {
        ids::encode(Kind::Organization, self.0.organization_id)
    }
    /// Application state.
    async fn status(&self) -> PartnerStatus {
        self.0.status.into()
    }
    /// Tier, once approved.
    async fn tier(&self) -> Option<PartnerTier> {
        self.0.tier.as_deref().and_then(PartnerTier::parse)
    }
    /// Why the application was rejected.
    async fn rejection_reason(&self) -> Option<&str> {
        self.0.rejection_reason.as_deref()
    }
    /// Whether the partner applied for (or is in) the reseller program: approving it
    /// with `approveResellerBrand` gives its organization a brand of its own.
    async fn white_label_reseller(&self) -> bool {
        self.0.white_label_reseller
    }
    /// Contact person of the application.
    async fn contact_name(&self) -> &str {
        &self.0.contact_name
    }
    /// Contact email of the application.
    async fn contact_email(&self) -> &str {
        &self.0.contact_email
    }
    /// Contact phone of the application.
    async fn contact_phone(&self) -> Option<&str> {
        self.0.contact_phone.as_deref()
    }
    /// The CRM partner certificate file, if one was attached.
    async fn crm_certificate_url(&self) -> Option<&str> {
        self.0.crm_certificate_url.as_deref()
    }
    /// The referral code (works once the partner is approved).
    async fn referral_code(&self) -> &str {
        &self.0.referral_code
    }
    /// The referral link on the tenant's primary host.
    async fn referral_link(&self, ctx: &Context<'_>) -> crate::GqlResult<String> {
        let (svc, req) = (services(ctx)?, request(ctx)?);
        Ok(links::tenant_url(
            &svc.settings,
            &req.tenant,
            &format!("/?ref={}", self.0.referral_code),
        ))
    }
    /// The service-manager code (works once the partner is approved).
    async fn service_manager_code(&self) -> &str {
        &self.0.service_manager_code
    }
    /// The service-manager link on the tenant's primary host.
    async fn service_manager_link(&self, ctx: &Context<'_>) -> crate::GqlResult<String> {
        let (svc, req) = (services(ctx)?, request(ctx)?);
        Ok(links::tenant_url(
            &svc.settings,
            &req.tenant,
            &format!("/?sm={}", self.0.service_manager_code),
        ))
    }
    /// The public profile.
    async fn profile(&self) -> crate::shared::PartnerProfile {
        crate::shared::PartnerProfile::new(self.0.clone())
    }
    /// When the partner applied.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// While the application is pending: when it is due to be answered (72 hours after
    /// it was sent). Staff's queue (`partners(status: PENDING)`) lists the oldest due
    /// first.
    async fn review_due_at(&self) -> Option<DateTime<Utc>> {
        domain::partners::reseller::review_due_at(&self.0)
    }
    /// The brand the partner's organization owns, once `approveResellerBrand` made it.
    async fn brand(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<crate::tenancy::Tenant>> {
        if !self.0.white_label_reseller {
            return Ok(None);
        }
        let svc = services(ctx)?;
        let brand = domain::tenancy::setup::brand_of(&svc.db, self.0.organization_id).await?;
        Ok(brand.map(crate::tenancy::Tenant::from))
    }
    /// "My clients": search by name, email or phone; filter by origin, access and country.
    #[allow(clippy::too_many_arguments)]
    async fn clients(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Part of the client's name, email or phone.")] search: Option<String>,
        #[graphql(desc = "Only clients of this origin.")] origin: Option<ClientOrigin>,
        #[graphql(desc = "Only clients with this access state.")] access: Option<ClientAccess>,
        #[graphql(desc = "Only clients from this country (ISO 3166-1 alpha-2).")] country: Option<
            String,
        >,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<Page<crate::shared::Client>> {
        let filter = domain::partners::client_list::ClientFilter {
            search,
            origin: origin.map(ClientOrigin::entity),
            access: access.map(ClientAccess::domain),
            country,
        };
        let args = crate::pagination::PageArgs {
            after,
            before,
            first,
            last,
        };
        let page = domain::partners::client_list::list(
            services(ctx)?,
            request(ctx)?,
            &self.0,
            filter,
            args,
        )
        .await?;
        // The accounts came with the page; the figures are one batch; the page's clients
        // share what other domains fetch for them. The same statements at any size.
        let keys: Vec<(i64, i64)> = page
            .items()
            .map(|r| (self.0.id, r.link.client_user_id))
            .collect();
        identity_loaders(ctx)?
            .users
            .feed_many(page.items().map(|r| (r.client.id, r.client.clone())))
            .await;
        loaders(ctx)?
            .client_summaries
            .load_many(keys)
            .await
            .map_err(ApiError::from)?;
        let shared = crate::shared::ClientPage::new(
            self.0.id,
            page.items().map(|r| r.link.client_user_id).collect(),
        );
        Ok(crate::pagination::connection(page, |r| {
            shared.client(r.link)
        }))
    }
}

/// The partner program's fields of a partner's public profile (assembled in
/// `hub::PartnerProfileObject`).
#[derive(SimpleObject, Clone)]
pub struct PartnerProfileCore {
    /// Name.
    pub name: String,
    /// Two or three sentences about the partner.
    pub description: Option<String>,
    /// Languages spoken (ISO 639-1 codes).
    pub languages: Vec<String>,
    /// Logo URL.
    pub logo_url: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Work email.
    pub work_email: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Country (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// Working hours, as the partner writes them.
    pub working_hours: Option<String>,
    /// Certificates the partner lists itself (names or URLs).
    pub crm_certificates: Vec<String>,
    /// The partner's page on their website.
    pub website_url: Option<String>,
    /// Whether the profile is listed in the public directory.
    pub listed: bool,
}

impl From<&partner::Model> for PartnerProfileCore {
    fn from(p: &partner::Model) -> Self {
        Self {
            name: p.name.clone(),
            description: p.description.clone(),
            languages: json_list(&p.languages),
            logo_url: p.logo_url.clone(),
            phone: p.phone.clone(),
            work_email: p.work_email.clone(),
            city: p.city.clone(),
            country: p.country.clone(),
            working_hours: p.working_hours.clone(),
            crm_certificates: json_list(&p.certificates),
            website_url: p.website_url.clone(),
            listed: p.listed,
        }
    }
}

/// The partner a link names, as the sign-up page shows it: the name only.
#[derive(SimpleObject)]
pub struct ReferralPartner {
    /// The partner's public name.
    pub name: String,
    /// Whether the link is a service-manager link (confirmed after sign-up with
    /// `acceptServiceManager`) rather than a referral link.
    pub service_manager: bool,
}

/// A partner in the public integrators directory: no private fields.
pub struct DirectoryPartner(pub partner::Model);

#[Object]
impl DirectoryPartner {
    /// The partner's global id (to address a lead to them).
    async fn id(&self) -> ID {
        ids::encode(Kind::Partner, self.0.id)
    }
    /// Tier.
    async fn tier(&self) -> Option<PartnerTier> {
        self.0.tier.as_deref().and_then(PartnerTier::parse)
    }
    /// The public profile.
    async fn profile(&self) -> crate::shared::PartnerProfile {
        crate::shared::PartnerProfile::new(std::sync::Arc::new(self.0.clone()))
    }
}

/// The partner program's fields of a client in "my clients" (assembled in
/// `hub::ClientObject`).
pub struct ClientCore(pub std::sync::Arc<partner_client::Model>);

#[Object]
impl ClientCore {
    /// The client's user id.
    async fn id(&self) -> ID {
        ids::encode(Kind::User, self.0.client_user_id)
    }
    /// The client's account (name, email, phone, country).
    async fn user(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<User>> {
        Ok(identity_loaders(ctx)?
            .users
            .load_one(self.0.client_user_id)
            .await
            .map_err(ApiError::from)?
            .map(User::new))
    }
    /// How the client came to the partner.
    async fn origin(&self) -> ClientOrigin {
        self.0.origin.into()
    }
    /// When the client was attached.
    async fn attached_at(&self) -> DateTime<Utc> {
        self.0.attached_at
    }
    /// Whether the client consents to the partner's access.
    async fn access(&self, ctx: &Context<'_>) -> crate::GqlResult<ClientAccess> {
        Ok(if self.summary(ctx).await?.consent {
            ClientAccess::Granted
        } else {
            ClientAccess::NotGranted
        })
    }
    /// How many organizations the client belongs to.
    async fn organization_count(&self, ctx: &Context<'_>) -> crate::GqlResult<i64> {
        Ok(self.summary(ctx).await?.organizations)
    }
    /// The client's last sign-in or token refresh.
    async fn last_active_at(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<DateTime<Utc>>> {
        Ok(self.summary(ctx).await?.last_active_at)
    }
}

impl ClientCore {
    async fn summary(&self, ctx: &Context<'_>) -> crate::GqlResult<super::loaders::Summary> {
        Ok(loaders(ctx)?
            .client_summaries
            .load_one((self.0.partner_id, self.0.client_user_id))
            .await
            .map_err(ApiError::from)?
            .unwrap_or_default())
    }
}

/// The viewer's own partner, as a client sees it.
pub struct MyPartner {
    pub partner: partner::Model,
    pub link: partner_client::Model,
    pub consent: bool,
}

impl From<domain::partners::MyPartnerView> for MyPartner {
    fn from(v: domain::partners::MyPartnerView) -> Self {
        Self {
            partner: v.partner,
            link: v.link,
            consent: v.consent,
        }
    }
}

#[Object]
impl MyPartner {
    /// The partner's global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Partner, self.partner.id)
    }
    /// The partner's name.
    async fn name(&self) -> &str {
        &self.partner.name
    }
    /// How the viewer came to the partner.
    async fn origin(&self) -> ClientOrigin {
        self.link.origin.into()
    }
    /// Whether the partner may see and log in to the viewer's account.
    async fn access(&self) -> ClientAccess {
        if self.consent {
            ClientAccess::Granted
        } else {
            ClientAccess::NotGranted
        }
    }
    /// Since when.
    async fn attached_at(&self) -> DateTime<Utc> {
        self.link.attached_at
    }
    /// The partner's contact details: null for clients who came by the referral link.
    async fn contacts(&self) -> Option<PartnerContacts> {
        (self.link.origin != partner_client::ORIGIN_REFERRAL).then(|| PartnerContacts {
            email: self
                .partner
                .work_email
                .clone()
                .unwrap_or_else(|| self.partner.contact_email.clone()),
            phone: self
                .partner
                .phone
                .clone()
                .or_else(|| self.partner.contact_phone.clone()),
            website_url: self.partner.website_url.clone(),
        })
    }
}

/// How to reach a partner.
#[derive(SimpleObject)]
pub struct PartnerContacts {
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: Option<String>,
    /// Website.
    pub website_url: Option<String>,
}

/// A join-partner prompt waiting for the viewer's answer.
pub struct JoinPrompt {
    pub request: partner_join_request::Model,
    pub partner_name: String,
}

impl From<domain::partners::JoinPromptView> for JoinPrompt {
    fn from(v: domain::partners::JoinPromptView) -> Self {
        Self {
            request: v.request,
            partner_name: v.partner_name,
        }
    }
}

#[Object]
impl JoinPrompt {
    /// The prompt's global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::PartnerJoinRequest, self.request.id)
    }
    /// The partner's name.
    async fn partner_name(&self) -> &str {
        &self.partner_name
    }
    /// When the link was opened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.request.created_at
    }
}

/// One grant of consent, and its revocation.
pub struct ConsentRecord(pub consent::Model);

#[Object]
impl ConsentRecord {
    /// The partner; null once the partner has left the program for good (the record
    /// stays as history).
    async fn partner_id(&self) -> Option<ID> {
        self.0.partner_id.map(|id| ids::encode(Kind::Partner, id))
    }
    /// The partner's name when access was granted.
    async fn partner_name(&self) -> Option<&str> {
        self.0.partner_name.as_deref()
    }
    /// When access was granted.
    async fn granted_at(&self) -> DateTime<Utc> {
        self.0.granted_at
    }
    /// Who granted it.
    async fn granted_by(&self) -> Option<ID> {
        self.0.granted_by.map(|id| ids::encode(Kind::User, id))
    }
    /// When it was revoked, if it was.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// Who revoked it.
    async fn revoked_by(&self) -> Option<ID> {
        self.0.revoked_by.map(|id| ids::encode(Kind::User, id))
    }
}

/// Input of `applyAsPartner`.
#[derive(InputObject)]
pub struct ApplyAsPartnerInput {
    /// Apply with this organization of the viewer's (they must own it); or give
    /// `organizationName` to create one.
    pub organization_id: Option<ID>,
    /// The name of a new organization to apply with.
    pub organization_name: Option<String>,
    /// Contact person.
    pub contact_name: String,
    /// Contact email.
    pub contact_email: String,
    /// Contact phone.
    pub contact_phone: Option<String>,
    /// A CRM partner certificate file.
    pub crm_certificate_url: Option<String>,
    /// Apply for the reseller (white-label) program: once staff approve it, the
    /// organization owns a brand of its own.
    #[graphql(default)]
    pub white_label: bool,
}

/// Input of `approveResellerBrand`.
#[derive(InputObject)]
pub struct ApproveResellerBrandInput {
    /// The white-label application (or approved reseller) to make a brand for.
    pub partner_id: ID,
    /// The brand's slug; its platform subdomain is `<slug>.<platform domain>`.
    pub slug: String,
    /// The brand's name as its people see it.
    pub display_name: String,
    /// The tier a pending application is approved with (default `OFFICIAL`).
    pub tier: Option<PartnerTier>,
}

/// Result of `approveResellerBrand`.
#[derive(SimpleObject)]
pub struct ApproveResellerBrandPayload {
    /// The new brand, owned by the partner's organization.
    pub brand: crate::tenancy::Tenant,
    /// The partner, approved.
    pub partner: Partner,
}

/// Result of partner mutations.
#[derive(SimpleObject)]
pub struct PartnerPayload {
    /// The partner as it now is.
    pub partner: Partner,
}

/// A reviewer's decision.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReviewDecision {
    /// Admit with a tier.
    Approve,
    /// Turn down with a reason.
    Reject,
}

/// Input of `reviewPartnerApplication`.
#[derive(InputObject)]
pub struct ReviewPartnerApplicationInput {
    /// The partner.
    pub partner_id: ID,
    /// Approve or reject.
    pub decision: ReviewDecision,
    /// The tier, when approving.
    pub tier: Option<PartnerTier>,
    /// The reason, when rejecting.
    pub reason: Option<String>,
}

/// Input of `setPartnerTier`.
#[derive(InputObject)]
pub struct SetPartnerTierInput {
    /// The partner.
    pub partner_id: ID,
    /// The new tier.
    pub tier: PartnerTier,
}

/// Input of `updatePartnerProfile`. Omitted fields stay; null clears.
#[derive(InputObject)]
pub struct UpdatePartnerProfileInput {
    /// The partner.
    pub partner_id: ID,
    /// Name.
    pub name: Option<String>,
    /// Two or three sentences, at most 600 characters.
    pub description: MaybeUndefined<String>,
    /// ISO 639-1 codes.
    pub languages: Option<Vec<String>>,
    /// Logo URL.
    pub logo_url: MaybeUndefined<String>,
    /// Phone, international format.
    pub phone: MaybeUndefined<String>,
    /// Work email.
    pub work_email: MaybeUndefined<String>,
    /// City.
    pub city: MaybeUndefined<String>,
    /// ISO 3166-1 alpha-2.
    pub country: MaybeUndefined<String>,
    /// Working hours, e.g. "Mon-Fri 9:00-18:00 MSK".
    pub working_hours: MaybeUndefined<String>,
    /// Certificates the partner lists itself (a CRM vendor's partner certificate, ...),
    /// names or URLs. The platform's own certificates are attached with
    /// `attachCertificate`.
    pub crm_certificates: Option<Vec<String>>,
    /// The partner's page on their website.
    pub website_url: MaybeUndefined<String>,
    /// Show the profile in the public directory.
    pub listed: Option<bool>,
}

/// Input naming a partner.
#[derive(InputObject)]
pub struct PartnerIdInput {
    /// The partner.
    pub partner_id: ID,
}

/// Input of `createClient`.
#[derive(InputObject)]
pub struct CreateClientInput {
    /// The partner creating the client.
    pub partner_id: ID,
    /// The client's full name.
    pub full_name: String,
    /// The client's email; must not have an account yet.
    pub email: String,
    /// The client's phone, international format.
    pub phone: Option<String>,
    /// The client's country (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// The client's language (their emails are written in it); without one, the brand's
    /// default.
    pub language: Option<crate::language::Language>,
}

/// Result of `createClient`.
#[derive(SimpleObject)]
pub struct CreateClientPayload {
    /// The new client.
    pub client: crate::shared::Client,
}

/// Input naming a partner by one of its codes.
#[derive(InputObject)]
pub struct PartnerCodeInput {
    /// The referral or service-manager code from the link.
    pub code: String,
}

/// Result of `joinPartner`.
#[derive(SimpleObject)]
pub struct JoinPartnerPayload {
    /// The prompt to answer with `respondToPartnerInvitation`.
    pub prompt: JoinPrompt,
}

/// Input of `respondToPartnerInvitation`.
#[derive(InputObject)]
pub struct RespondToPartnerInvitationInput {
    /// The prompt.
    pub prompt_id: ID,
    /// Yes (join) or no.
    pub accept: bool,
}

/// Result of the client-side partner mutations.
#[derive(SimpleObject)]
pub struct MyPartnerPayload {
    /// The viewer's partner after the change; null when not attached.
    pub partner: Option<MyPartner>,
}

/// Input of `impersonateClient`.
#[derive(InputObject)]
pub struct ImpersonateClientInput {
    /// The partner acting.
    pub partner_id: ID,
    /// The client's user id.
    pub client_id: ID,
    /// Why; recorded and shown to the client.
    pub reason: String,
    /// Token lifetime in minutes, 1 to 60.
    #[graphql(default = 30)]
    pub minutes: i32,
}

/// Result of `impersonateClient`.
#[derive(SimpleObject)]
pub struct ImpersonateClientPayload {
    /// An access token for the client's account, carrying an `act` claim naming you.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: i32,
    /// The client's account.
    pub client: User,
}

/// Result of `endImpersonation`.
#[derive(SimpleObject)]
pub struct EndImpersonationPayload {
    /// Whether an impersonation session was ended.
    pub ended: bool,
}

/// The partner-program fields of `User` (assembled in `hub::UserObject`).
pub struct UserPartners(pub std::sync::Arc<entities::user::Model>);

#[Object]
impl UserPartners {
    /// The user's partner, as a client. Readable for the viewer's own account only.
    async fn my_partner(
        &self,
        ctx: &Context<'_>,
    ) -> crate::GqlResult<Option<crate::partners::MyPartner>> {
        let req = crate::identity::own_request(ctx, &self.0)?;
        let mine = crate::partners::consent::my_partner(services(ctx)?, req).await?;
        Ok(mine.map(MyPartner::from))
    }
    /// Join-partner prompts waiting for this user's Yes or No (own account only).
    async fn partner_prompts(
        &self,
        ctx: &Context<'_>,
    ) -> crate::GqlResult<Vec<crate::partners::JoinPrompt>> {
        let req = crate::identity::own_request(ctx, &self.0)?;
        let list = crate::partners::attach::prompts(services(ctx)?, req).await?;
        Ok(list.into_iter().map(JoinPrompt::from).collect())
    }
    /// Every grant and revocation of partner access to this account, newest first (own
    /// account only).
    async fn consent_history(
        &self,
        ctx: &Context<'_>,
    ) -> crate::GqlResult<Vec<crate::partners::ConsentRecord>> {
        let req = crate::identity::own_request(ctx, &self.0)?;
        let list = crate::partners::consent::consent_history(services(ctx)?, req).await?;
        Ok(list.into_iter().map(ConsentRecord).collect())
    }
}

/// The partner program's field of `Organization` (assembled in
/// `hub::OrganizationObject`).
pub struct OrganizationPartner(pub std::sync::Arc<crate::orgs::OrgView>);

#[Object]
impl OrganizationPartner {
    /// The organization's partner-program membership, for those who act for it (owners
    /// and user admins); null otherwise.
    async fn partner(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<Partner>> {
        Ok(super::ops::of_organization(
            services(ctx)?,
            request(ctx)?,
            self.0.model.id,
            &self.0.access,
        )
        .await?
        .map(Partner::new))
    }
}
