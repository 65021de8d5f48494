//! Mutations that cross domains: their operations are `domain::flows`, the top of the
//! domain order.

use async_graphql::{Context, Object};

pub use domain::flows::*;

use crate::identity::{AuthPayload, DeleteAccountInput, DeleteAccountPayload, SignUpInput};
use crate::ids::{self, Kind};
use crate::{request, services};

/// Mutations that cross domains.
#[derive(Default)]
pub struct FlowsMutation;

#[Object]
impl FlowsMutation {
    /// Creates an account on the current tenant and signs it in.
    async fn sign_up(
        &self,
        ctx: &Context<'_>,
        input: SignUpInput,
    ) -> crate::GqlResult<AuthPayload> {
        let new = SignUp {
            email: input.email,
            phone: input.phone,
            password: input.password,
            display_name: input.display_name,
            referral_code: input.referral_code,
            invitation_token: input.invitation_token,
            language: input.language.map(|l| l.code().to_string()),
        };
        Ok(sign_up(services(ctx)?, request(ctx)?, new).await?.into())
    }

    /// Deletes the viewer's account. The last owner of an organization must hand it over
    /// first.
    async fn delete_account(
        &self,
        ctx: &Context<'_>,
        input: DeleteAccountInput,
    ) -> crate::GqlResult<DeleteAccountPayload> {
        let id = delete_account(services(ctx)?, request(ctx)?, input.password).await?;
        Ok(DeleteAccountPayload {
            deleted_user_id: ids::encode(Kind::User, id),
        })
    }
}
