//! Lines and the price list.

pub mod types;

use async_graphql::{Context, Object};
use domain::lines::catalogue;

use crate::ids::{self, Kind};
use crate::{request, services};
pub use types::*;

/// Price-list and line queries.
#[derive(Default)]
pub struct LineQuery;

#[Object]
impl LineQuery {
    /// The current tenant's price list. Public; `includeInactive` is for those who edit it.
    async fn catalogue(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Also kinds and packages no longer sold (tenant admins, staff).",
            default
        )]
        include_inactive: bool,
    ) -> crate::GqlResult<Catalogue> {
        let c = catalogue::read(services(ctx)?, request(ctx)?, include_inactive).await?;
        Ok(Catalogue(c))
    }
}

/// Price-list and line mutations.
#[derive(Default)]
pub struct LineMutation;

#[Object]
impl LineMutation {
    /// Creates or changes a channel kind by its code (tenant admins; staff for any tenant).
    async fn upsert_channel_kind(
        &self,
        ctx: &Context<'_>,
        input: UpsertChannelKindInput,
    ) -> crate::GqlResult<ChannelKindPayload> {
        let wanted = catalogue::ChannelKindInput {
            tenant_id: ids::decode_opt(input.tenant_id.as_ref(), Kind::Tenant, "tenantId")?,
            code: input.code,
            name: input.name,
            personal: input.personal,
            monthly_price: input.monthly_price.0,
            active: input.active,
            position: input.position,
        };
        let (model, currency) =
            catalogue::upsert_channel_kind(services(ctx)?, request(ctx)?, wanted).await?;
        Ok(ChannelKindPayload {
            channel_kind: ChannelKind { model, currency },
        })
    }

    /// Creates or changes a ChatCoins package by its code (tenant admins; staff for any
    /// tenant).
    async fn upsert_coin_package(
        &self,
        ctx: &Context<'_>,
        input: UpsertCoinPackageInput,
    ) -> crate::GqlResult<CoinPackagePayload> {
        let wanted = catalogue::CoinPackageInput {
            tenant_id: ids::decode_opt(input.tenant_id.as_ref(), Kind::Tenant, "tenantId")?,
            code: input.code,
            coins: input.coins,
            price: input.price.0,
            active: input.active,
        };
        let (model, currency) =
            catalogue::upsert_coin_package(services(ctx)?, request(ctx)?, wanted).await?;
        Ok(CoinPackagePayload {
            coin_package: CoinPackage { model, currency },
        })
    }
}
