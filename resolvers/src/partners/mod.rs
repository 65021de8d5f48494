//! The partner program, partners' clients, consent and "log in as client".

pub mod clients;
pub mod impersonation;
pub mod loaders;
pub mod ops;
pub mod types;

use async_graphql::{Context, ID, Object};

use crate::pagination::{Page, PageArgs};
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
        Ok(ops::directory(services(ctx)?, request(ctx)?, country, language, tier, args).await?)
    }

    /// A partner, for its own members and the program's reviewers.
    async fn partner(&self, ctx: &Context<'_>, id: ID) -> crate::GqlResult<Partner> {
        Ok(ops::get(services(ctx)?, request(ctx)?, &id).await?)
    }

    /// Every partner of the tenant, oldest first (tenant admins and platform staff).
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
        Ok(ops::list(services(ctx)?, request(ctx)?, status, args).await?)
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
        let partner = ops::apply(services(ctx)?, request(ctx)?, input).await?;
        Ok(PartnerPayload { partner })
    }

    /// Approves an application with a tier, or rejects it with a reason (tenant admins and
    /// platform staff).
    async fn review_partner_application(
        &self,
        ctx: &Context<'_>,
        input: ReviewPartnerApplicationInput,
    ) -> crate::GqlResult<PartnerPayload> {
        let partner = ops::review(services(ctx)?, request(ctx)?, input).await?;
        Ok(PartnerPayload { partner })
    }

    /// Changes an approved partner's tier (tenant admins and platform staff).
    async fn set_partner_tier(
        &self,
        ctx: &Context<'_>,
        input: SetPartnerTierInput,
    ) -> crate::GqlResult<PartnerPayload> {
        let partner = ops::set_tier(services(ctx)?, request(ctx)?, input).await?;
        Ok(PartnerPayload { partner })
    }

    /// Edits the partner's public profile (its owners and user admins).
    async fn update_partner_profile(
        &self,
        ctx: &Context<'_>,
        input: UpdatePartnerProfileInput,
    ) -> crate::GqlResult<PartnerPayload> {
        let partner = ops::update_profile(services(ctx)?, request(ctx)?, input).await?;
        Ok(PartnerPayload { partner })
    }

    /// Issues new referral and service-manager codes; the old links stop working.
    async fn rotate_partner_codes(
        &self,
        ctx: &Context<'_>,
        input: PartnerIdInput,
    ) -> crate::GqlResult<PartnerPayload> {
        let partner = ops::rotate_codes(services(ctx)?, request(ctx)?, input).await?;
        Ok(PartnerPayload { partner })
    }

    /// Creates a client account for the partner (origin `CREATED_BY_PARTNER`, access
    /// granted); the client gets a set-password email.
    async fn create_client(
        &self,
        ctx: &Context<'_>,
        input: CreateClientInput,
    ) -> crate::GqlResult<CreateClientPayload> {
        let client = clients::create(services(ctx)?, request(ctx)?, input).await?;
        Ok(CreateClientPayload { client })
    }

    /// The signed-in user opened a partner's referral link: a prompt waits for their Yes.
    async fn join_partner(
        &self,
        ctx: &Context<'_>,
        input: PartnerCodeInput,
    ) -> crate::GqlResult<JoinPartnerPayload> {
        let prompt = clients::join(services(ctx)?, request(ctx)?, input).await?;
        Ok(JoinPartnerPayload { prompt })
    }

    /// Answers a join-partner prompt: Yes attaches (origin `REFERRAL_LINK`, no access).
    async fn respond_to_partner_invitation(
        &self,
        ctx: &Context<'_>,
        input: RespondToPartnerInvitationInput,
    ) -> crate::GqlResult<MyPartnerPayload> {
        let partner = clients::respond(services(ctx)?, request(ctx)?, input).await?;
        Ok(MyPartnerPayload { partner })
    }

    /// The signed-in user confirms a service-manager link: attached with origin
    /// `SERVICE_MANAGER_LINK` and access granted.
    async fn accept_service_manager(
        &self,
        ctx: &Context<'_>,
        input: PartnerCodeInput,
    ) -> crate::GqlResult<MyPartnerPayload> {
        let partner = clients::accept_service_manager(services(ctx)?, request(ctx)?, input).await?;
        Ok(MyPartnerPayload { partner })
    }

    /// Lets the viewer's partner see and log in to their account.
    async fn grant_partner_access(&self, ctx: &Context<'_>) -> crate::GqlResult<MyPartnerPayload> {
        let partner = clients::grant(services(ctx)?, request(ctx)?).await?;
        Ok(MyPartnerPayload { partner })
    }

    /// Takes the partner's access away, at once (live "log in as client" sessions end).
    async fn revoke_partner_access(&self, ctx: &Context<'_>) -> crate::GqlResult<MyPartnerPayload> {
        let partner = clients::revoke(services(ctx)?, request(ctx)?).await?;
        Ok(MyPartnerPayload { partner })
    }

    /// Leaves the partner; consent goes with it.
    async fn detach_from_partner(&self, ctx: &Context<'_>) -> crate::GqlResult<MyPartnerPayload> {
        let partner = clients::detach(services(ctx)?, request(ctx)?).await?;
        Ok(MyPartnerPayload { partner })
    }

    /// "Log in as client": a token for a consenting client's account, at most 60 minutes,
    /// carrying an `act` claim naming the viewer. The client is notified.
    async fn impersonate_client(
        &self,
        ctx: &Context<'_>,
        input: ImpersonateClientInput,
    ) -> crate::GqlResult<ImpersonateClientPayload> {
        Ok(impersonation::start(services(ctx)?, request(ctx)?, input).await?)
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
