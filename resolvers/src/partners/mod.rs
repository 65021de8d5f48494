//! The partner program, partners' clients, consent and "log in as client".

pub mod loaders;
pub mod types;

use async_graphql::{Context, ID, Object};
pub use domain::partners::{attach, client_list, consent, impersonation, ops};

use crate::ids::{self, Kind};
use crate::inputs::patch;
use crate::pagination::{Page, PageArgs, connection};
use crate::shared::Partner;
use crate::{request, services};
pub use types::*;

/// Partner queries.
#[derive(Default)]
pub struct PartnerQuery;

#[Object]
impl PartnerQuery {
    /// The tenant's public integrators directory: approved partners who chose to be
    /// listed. No sign-in needed.
    #[allow(clippy::too_many_arguments)]
    async fn partner_directory(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only partners in this country (ISO 3166-1 alpha-2).")] country: Option<
            String,
        >,
        #[graphql(desc = "Only partners speaking this language (ISO 639-1).")] language: Option<
            String,
        >,
        #[graphql(desc = "Only partners of this tier.")] tier: Option<PartnerTier>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<Page<DirectoryPartner>> {
        let args = PageArgs {
            after,
            before,
            first,
            last,
        };
        let tier = tier.map(PartnerTier::domain);
        let page =
            ops::directory(services(ctx)?, request(ctx)?, country, language, tier, args).await?;
        Ok(connection(page, DirectoryPartner))
    }

    /// Public: the partner a referral link (`/?ref=CODE`) or service-manager link names,
    /// for the sign-up page; null when the code names no approved partner of this brand.
    /// Rate-limited like every code look-up.
    async fn referral_partner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The code from the link.")] code: String,
    ) -> crate::GqlResult<Option<ReferralPartner>> {
        let found = ops::referral(services(ctx)?, request(ctx)?, &code).await?;
        Ok(found.map(|(p, service_manager)| ReferralPartner {
            name: p.name,
            service_manager,
        }))
    }

    /// A partner, for its own members and the program's reviewers.
    async fn partner(&self, ctx: &Context<'_>, id: ID) -> crate::GqlResult<Partner> {
        let id = ids::decode(&id, Kind::Partner, "id")?;
        Ok(Partner::new(
            ops::get(services(ctx)?, request(ctx)?, id).await?,
        ))
    }

    /// Every partner of the tenant, oldest first (tenant admins and platform staff). With
    /// `status: PENDING` this is the review queue: oldest first is also earliest
    /// `reviewDueAt` first.
    async fn partners(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only partners in this state.")] status: Option<PartnerStatus>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<Page<Partner>> {
        let args = PageArgs {
            after,
            before,
            first,
            last,
        };
        let status = status.map(PartnerStatus::entity);
        let page = ops::list(services(ctx)?, request(ctx)?, status, args).await?;
        Ok(connection(page, Partner::new))
    }
}

/// Partner mutations.
#[derive(Default)]
pub struct PartnerMutation;

#[Object]
impl PartnerMutation {
    /// Applies to the partner program with an organization the viewer owns, or a new one.
    async fn apply_as_partner(
        &self,
        ctx: &Context<'_>,
        input: ApplyAsPartnerInput,
    ) -> crate::GqlResult<PartnerPayload> {
        let application = ops::Application {
            organization_id: ids::decode_opt(
                input.organization_id.as_ref(),
                Kind::Organization,
                "organizationId",
            )?,
            organization_name: input.organization_name,
            contact_name: input.contact_name,
            contact_email: input.contact_email,
            contact_phone: input.contact_phone,
            crm_certificate_url: input.crm_certificate_url,
            white_label: input.white_label,
        };
        let partner = ops::apply(services(ctx)?, request(ctx)?, application).await?;
        Ok(PartnerPayload {
            partner: Partner::new(partner),
        })
    }

    /// Approves an application with a tier, or rejects it with a reason (tenant admins and
    /// platform staff).
    async fn review_partner_application(
        &self,
        ctx: &Context<'_>,
        input: ReviewPartnerApplicationInput,
    ) -> crate::GqlResult<PartnerPayload> {
        let partner_id = ids::decode(&input.partner_id, Kind::Partner, "partnerId")?;
        let decision = match input.decision {
            ReviewDecision::Approve => ops::Review::Approve {
                tier: input.tier.map(PartnerTier::domain),
            },
            ReviewDecision::Reject => ops::Review::Reject {
                reason: input.reason,
            },
        };
        let partner = ops::review(services(ctx)?, request(ctx)?, partner_id, decision).await?;
        Ok(PartnerPayload {
            partner: Partner::new(partner),
        })
    }

    /// Platform staff: approves a white-label application (or an approved reseller that
    /// has no brand yet) and creates the brand its organization owns. The organization's
    /// owners administer it from then on; its platform subdomain serves at once.
    async fn approve_reseller_brand(
        &self,
        ctx: &Context<'_>,
        input: ApproveResellerBrandInput,
    ) -> crate::GqlResult<ApproveResellerBrandPayload> {
        let new = domain::partners::reseller::ResellerBrand {
            partner_id: ids::decode(&input.partner_id, Kind::Partner, "partnerId")?,
            slug: input.slug,
            display_name: input.display_name,
            tier: input.tier.map(PartnerTier::domain),
        };
        let (brand, partner) =
            domain::partners::reseller::approve_reseller_brand(services(ctx)?, request(ctx)?, new)
                .await?;
        Ok(ApproveResellerBrandPayload {
            brand: brand.into(),
            partner: Partner::new(partner),
        })
    }

    /// Changes an approved partner's tier (tenant admins and platform staff).
    async fn set_partner_tier(
        &self,
        ctx: &Context<'_>,
        input: SetPartnerTierInput,
    ) -> crate::GqlResult<PartnerPayload> {
        let partner_id = ids::decode(&input.partner_id, Kind::Partner, "partnerId")?;
        let tier = input.tier.domain();
        let partner = ops::set_tier(services(ctx)?, request(ctx)?, partner_id, tier).await?;
        Ok(PartnerPayload {
            partner: Partner::new(partner),
        })
    }

    /// Edits the partner's public profile (its owners and user admins).
    async fn update_partner_profile(
        &self,
        ctx: &Context<'_>,
        input: UpdatePartnerProfileInput,
    ) -> crate::GqlResult<PartnerPayload> {
        let changes = ops::ProfileChanges {
            partner_id: ids::decode(&input.partner_id, Kind::Partner, "partnerId")?,
            name: input.name,
            description: patch(input.description),
            languages: input.languages,
            logo_url: patch(input.logo_url),
            phone: patch(input.phone),
            work_email: patch(input.work_email),
            city: patch(input.city),
            country: patch(input.country),
            working_hours: patch(input.working_hours),
            certificates: input.crm_certificates,
            website_url: patch(input.website_url),
            listed: input.listed,
        };
        let partner = ops::update_profile(services(ctx)?, request(ctx)?, changes).await?;
        Ok(PartnerPayload {
            partner: Partner::new(partner),
        })
    }

    /// Issues new referral and service-manager codes; the old links stop working.
    async fn rotate_partner_codes(
        &self,
        ctx: &Context<'_>,
        input: PartnerIdInput,
    ) -> crate::GqlResult<PartnerPayload> {
        let partner_id = ids::decode(&input.partner_id, Kind::Partner, "partnerId")?;
        let partner = ops::rotate_codes(services(ctx)?, request(ctx)?, partner_id).await?;
        Ok(PartnerPayload {
            partner: Partner::new(partner),
        })
    }

    /// Creates a client account for the partner (origin `CREATED_BY_PARTNER`, access
    /// granted); the client gets a set-password email.
    async fn create_client(
        &self,
        ctx: &Context<'_>,
        input: CreateClientInput,
    ) -> crate::GqlResult<CreateClientPayload> {
        let new = domain::partners::attach::NewClient {
            partner_id: ids::decode(&input.partner_id, Kind::Partner, "partnerId")?,
            full_name: input.full_name,
            email: input.email,
            phone: input.phone,
            country: input.country,
            language: input.language.map(|l| l.code().to_string()),
        };
        let link = domain::partners::attach::create(services(ctx)?, request(ctx)?, new).await?;
        Ok(CreateClientPayload {
            client: crate::shared::ClientPage::new(link.partner_id, vec![link.client_user_id])
                .client(link),
        })
    }

    /// The signed-in user opened a partner's referral link: a prompt waits for their Yes.
    async fn join_partner(
        &self,
        ctx: &Context<'_>,
        input: PartnerCodeInput,
    ) -> crate::GqlResult<JoinPartnerPayload> {
        let prompt =
            domain::partners::attach::join(services(ctx)?, request(ctx)?, &input.code).await?;
        Ok(JoinPartnerPayload {
            prompt: prompt.into(),
        })
    }

    /// Answers a join-partner prompt: Yes attaches (origin `REFERRAL_LINK`, no access).
    async fn respond_to_partner_invitation(
        &self,
        ctx: &Context<'_>,
        input: RespondToPartnerInvitationInput,
    ) -> crate::GqlResult<MyPartnerPayload> {
        let prompt_id = ids::decode(&input.prompt_id, Kind::PartnerJoinRequest, "promptId")?;
        let partner = domain::partners::attach::respond(
            services(ctx)?,
            request(ctx)?,
            prompt_id,
            input.accept,
        )
        .await?;
        Ok(MyPartnerPayload {
            partner: partner.map(MyPartner::from),
        })
    }

    /// The signed-in user confirms a service-manager link: attached with origin
    /// `SERVICE_MANAGER_LINK` and access granted.
    async fn accept_service_manager(
        &self,
        ctx: &Context<'_>,
        input: PartnerCodeInput,
    ) -> crate::GqlResult<MyPartnerPayload> {
        let partner = domain::partners::attach::accept_service_manager(
            services(ctx)?,
            request(ctx)?,
            &input.code,
        )
        .await?;
        Ok(MyPartnerPayload {
            partner: partner.map(MyPartner::from),
        })
    }

    /// Lets the viewer's partner see and log in to their account.
    async fn grant_partner_access(&self, ctx: &Context<'_>) -> crate::GqlResult<MyPartnerPayload> {
        let partner = domain::partners::consent::grant(services(ctx)?, request(ctx)?).await?;
        Ok(MyPartnerPayload {
            partner: partner.map(MyPartner::from),
        })
    }

    /// Takes the partner's access away, at once (live "log in as client" sessions end).
    async fn revoke_partner_access(&self, ctx: &Context<'_>) -> crate::GqlResult<MyPartnerPayload> {
        let partner = domain::partners::consent::revoke(services(ctx)?, request(ctx)?).await?;
        Ok(MyPartnerPayload {
            partner: partner.map(MyPartner::from),
        })
    }

    /// Leaves the partner; consent goes with it.
    async fn detach_from_partner(&self, ctx: &Context<'_>) -> crate::GqlResult<MyPartnerPayload> {
        let partner = domain::partners::consent::detach(services(ctx)?, request(ctx)?).await?;
        Ok(MyPartnerPayload {
            partner: partner.map(MyPartner::from),
        })
    }

    /// "Log in as client": a token for a consenting client's account, at most 60 minutes,
    /// carrying an `act` claim naming the viewer. The client is notified.
    async fn impersonate_client(
        &self,
        ctx: &Context<'_>,
        input: ImpersonateClientInput,
    ) -> crate::GqlResult<ImpersonateClientPayload> {
        let wanted = impersonation::ImpersonationRequest {
            partner_id: ids::decode(&input.partner_id, Kind::Partner, "partnerId")?,
            client_id: ids::decode(&input.client_id, Kind::User, "clientId")?,
            reason: input.reason,
            minutes: input.minutes,
        };
        let started = impersonation::start(services(ctx)?, request(ctx)?, wanted).await?;
        Ok(ImpersonateClientPayload {
            access_token: started.access_token,
            expires_in: started.expires_in,
            client: crate::shared::User::new(started.client),
        })
    }

    /// "Return to own account": ends the impersonation session of this token.
    async fn end_impersonation(
        &self,
        ctx: &Context<'_>,
    ) -> crate::GqlResult<EndImpersonationPayload> {
        let ended = impersonation::end(services(ctx)?, request(ctx)?).await?;
        Ok(EndImpersonationPayload { ended })
    }
}
