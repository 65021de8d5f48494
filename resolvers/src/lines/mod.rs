//! Lines and the price list.

pub mod loaders;
pub mod types;

use async_graphql::{Context, Object};
use domain::lines::{catalogue, ops};

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

/// Line mutations.
#[derive(Default)]
pub struct LineEditMutation;

#[Object]
impl LineEditMutation {
    /// Renames a line (its client, its organization's owners, the client's partner, staff).
    async fn rename_line(
        &self,
        ctx: &Context<'_>,
        input: RenameLineInput,
    ) -> crate::GqlResult<LinePayload> {
        let id = ids::decode(&input.line_id, Kind::Line, "lineId")?;
        let line = ops::rename(services(ctx)?, request(ctx)?, id, &input.name).await?;
        Ok(LinePayload { line: line.into() })
    }

    /// Moves a line into a space of its organization, or out of any.
    async fn attach_line_to_space(
        &self,
        ctx: &Context<'_>,
        input: AttachLineToSpaceInput,
    ) -> crate::GqlResult<LinePayload> {
        let id = ids::decode(&input.line_id, Kind::Line, "lineId")?;
        let space = ids::decode_opt(input.space_id.as_ref(), Kind::Space, "spaceId")?;
        let line = ops::attach_to_space(services(ctx)?, request(ctx)?, id, space).await?;
        Ok(LinePayload { line: line.into() })
    }

    /// Takes an unpaid channel off a line (those who may rename it); a paid channel is
    /// refused with `CHANNEL_PAID`.
    async fn remove_line_channel(
        &self,
        ctx: &Context<'_>,
        input: RemoveLineChannelInput,
    ) -> crate::GqlResult<LinePayload> {
        let id = ids::decode(&input.line_id, Kind::Line, "lineId")?;
        let channel = ids::decode(&input.channel_id, Kind::LineChannel, "channelId")?;
        let line = ops::remove_channel(services(ctx)?, request(ctx)?, id, channel).await?;
        Ok(LinePayload { line: line.into() })
    }

    /// Reports a channel's connection state: the messaging side, with a service token
    /// that has the `CHANNEL_STATUS` scope, or staff. A change is recorded as an event for
    /// notifications; reporting the current state again changes nothing.
    async fn set_channel_status(
        &self,
        ctx: &Context<'_>,
        input: SetChannelStatusInput,
    ) -> crate::GqlResult<SetChannelStatusPayload> {
        let id = ids::decode(&input.channel_id, Kind::LineChannel, "channelId")?;
        let (channel, line) =
            ops::set_channel_status(services(ctx)?, request(ctx)?, id, input.status.entity())
                .await?;
        Ok(SetChannelStatusPayload {
            channel: LineChannel(channel),
            line_id: ids::encode(Kind::Line, line.id),
        })
    }

    /// Sets the viewing partner's private note on a client's line (never shown to the
    /// client or another partner).
    async fn set_line_comment(
        &self,
        ctx: &Context<'_>,
        input: SetLineCommentInput,
    ) -> crate::GqlResult<LinePayload> {
        let id = ids::decode(&input.line_id, Kind::Line, "lineId")?;
        let line =
            ops::set_comment(services(ctx)?, request(ctx)?, id, input.comment.as_deref()).await?;
        Ok(LinePayload { line: line.into() })
    }
}
