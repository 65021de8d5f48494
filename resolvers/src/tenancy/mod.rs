//! Tenancy: the current brand (public), and tenants and domains for platform staff and
//! tenant admins.

pub mod loaders;
pub mod mail;
pub mod pricing;
pub mod rail;
pub use domain::tenancy::{hosts, settings, setup};
pub mod types;

use async_graphql::{Context, Object};

use crate::ids::{self, Kind};
use crate::pagination::{Page, PageArgs, connection};
use crate::{request, services};
pub use rail::PayoutRail;
pub use types::*;

/// Tenancy queries.
#[derive(Default)]
pub struct TenancyQuery;

#[Object]
impl TenancyQuery {
    /// The brand this request's host belongs to. Public, so a frontend can render its
    /// login page before anyone signs in.
    async fn tenant(&self, ctx: &Context<'_>) -> crate::GqlResult<Tenant> {
        Ok(Tenant(request(ctx)?.tenant.model.clone()))
    }

    /// Every tenant, oldest first (platform staff only).
    async fn tenants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<Page<Tenant>> {
        let args = PageArgs {
            after,
            before,
            first,
            last,
        };
        let page =
            domain::tenancy::settings::list_tenants(services(ctx)?, request(ctx)?, args).await?;
        Ok(connection(page, Tenant::from))
    }
}

/// Tenancy mutations.
#[derive(Default)]
pub struct TenancyMutation;

#[Object]
impl TenancyMutation {
    /// Creates a brand with its platform subdomain and, optionally, its first admin
    /// (platform staff only).
    async fn create_tenant(
        &self,
        ctx: &Context<'_>,
        input: CreateTenantInput,
    ) -> crate::GqlResult<CreateTenantPayload> {
        let (tenant, admin) =
            domain::tenancy::setup::create_tenant(services(ctx)?, request(ctx)?, input.into())
                .await?;
        Ok(CreateTenantPayload {
            tenant: Tenant::from(tenant),
            admin: admin.map(crate::shared::User::new),
        })
    }

    /// Changes a brand's settings: staff change any tenant, a tenant's admins their own
    /// tenant's branding and defaults. Takes effect on the next request.
    async fn update_tenant(
        &self,
        ctx: &Context<'_>,
        input: UpdateTenantInput,
    ) -> crate::GqlResult<UpdateTenantPayload> {
        let changes = input.into_changes()?;
        let tenant =
            domain::tenancy::settings::update_tenant(services(ctx)?, request(ctx)?, changes)
                .await?;
        Ok(UpdateTenantPayload {
            tenant: Tenant::from(tenant),
        })
    }

    /// Binds a host name to a tenant. A custom domain (tenant admins, platform staff)
    /// starts `PENDING` with the TXT record to create; a platform subdomain (staff) is
    /// verified at once.
    async fn add_tenant_domain(
        &self,
        ctx: &Context<'_>,
        input: AddTenantDomainInput,
    ) -> crate::GqlResult<AddTenantDomainPayload> {
        let tenant_id = ids::decode(&input.tenant_id, Kind::Tenant, "tenantId")?;
        let (domain, tenant) = domain::tenancy::hosts::add_domain(
            services(ctx)?,
            request(ctx)?,
            tenant_id,
            &input.host,
            input.make_primary,
        )
        .await?;
        Ok(AddTenantDomainPayload {
            domain: TenantDomain(domain),
            tenant: Tenant::from(tenant),
        })
    }

    /// Creates a service token for a machine of the tenant (tenant admins, platform
    /// staff). The answer carries the secret, once.
    async fn create_service_token(
        &self,
        ctx: &Context<'_>,
        input: CreateServiceTokenInput,
    ) -> crate::GqlResult<CreateServiceTokenPayload> {
        let req = request(ctx)?;
        let tenant_id = match &input.tenant_id {
            Some(id) => ids::decode(id, Kind::Tenant, "tenantId")?,
            None => req.tenant_id(),
        };
        let created = domain::tenancy::service_tokens::create(
            services(ctx)?,
            req,
            tenant_id,
            &input.name,
            &input.scope_names(),
        )
        .await?;
        Ok(CreateServiceTokenPayload {
            token: created.secret,
            service_token: ServiceToken(created.token),
        })
    }

    /// Revokes a service token: its next request is refused.
    async fn revoke_service_token(
        &self,
        ctx: &Context<'_>,
        input: RevokeServiceTokenInput,
    ) -> crate::GqlResult<RevokeServiceTokenPayload> {
        let id = ids::decode(
            &input.service_token_id,
            Kind::ServiceToken,
            "serviceTokenId",
        )?;
        let t = domain::tenancy::service_tokens::revoke(services(ctx)?, request(ctx)?, id).await?;
        Ok(RevokeServiceTokenPayload {
            service_token: ServiceToken(t),
        })
    }

    /// Checks the brand's sender domain now (its admins, platform staff): the TXT record
    /// `_gateway-mail.<domain>` with the brand's token and, when the relay names one, the
    /// SPF include. The outcome is on `Tenant.mailDomain`.
    async fn verify_tenant_mail_domain(
        &self,
        ctx: &Context<'_>,
        input: mail::VerifyTenantMailDomainInput,
    ) -> crate::GqlResult<VerifyTenantMailDomainPayload> {
        let tenant_id = ids::decode(&input.tenant_id, Kind::Tenant, "tenantId")?;
        let t =
            domain::tenancy::mail_domain::verify(services(ctx)?, request(ctx)?, tenant_id).await?;
        Ok(VerifyTenantMailDomainPayload { tenant: t.into() })
    }

    /// Checks a custom domain's DNS record now (tenant admins, platform staff). The
    /// outcome is on the domain: `status`, `lastCheck`, `lastError`.
    async fn verify_tenant_domain(
        &self,
        ctx: &Context<'_>,
        input: TenantDomainInput,
    ) -> crate::GqlResult<TenantDomainPayload> {
        let domain_id = ids::decode(&input.domain_id, Kind::TenantDomain, "domainId")?;
        let d = domain::tenancy::domains::verify(services(ctx)?, request(ctx)?, domain_id).await?;
        Ok(TenantDomainPayload {
            domain: TenantDomain(d),
        })
    }

    /// Makes a verified domain the primary one: links and emails use it (tenant admins,
    /// platform staff).
    async fn set_primary_tenant_domain(
        &self,
        ctx: &Context<'_>,
        input: TenantDomainInput,
    ) -> crate::GqlResult<TenantDomainPayload> {
        let domain_id = ids::decode(&input.domain_id, Kind::TenantDomain, "domainId")?;
        let (d, _) =
            domain::tenancy::hosts::set_primary(services(ctx)?, request(ctx)?, domain_id).await?;
        Ok(TenantDomainPayload {
            domain: TenantDomain(d),
        })
    }

    /// Unbinds a host name from its tenant (custom domains: tenant admins and platform
    /// staff; platform subdomains: staff). The primary domain stays until another is
    /// made primary.
    async fn remove_tenant_domain(
        &self,
        ctx: &Context<'_>,
        input: RemoveTenantDomainInput,
    ) -> crate::GqlResult<RemoveTenantDomainPayload> {
        let domain_id = ids::decode(&input.domain_id, Kind::TenantDomain, "domainId")?;
        let (removed, tenant) =
            domain::tenancy::hosts::remove_domain(services(ctx)?, request(ctx)?, domain_id).await?;
        Ok(RemoveTenantDomainPayload {
            removed_domain_id: ids::encode(Kind::TenantDomain, removed),
            tenant: Tenant::from(tenant),
        })
    }
}
