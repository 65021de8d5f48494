//! Identity: sign-up, log-in by email or phone, rotating refresh tokens, log-out, the
//! viewer, and password reset.

pub use domain::identity::accounts;
pub mod loaders;
pub use domain::identity::{email_links, profile, sessions};
pub mod types;

use async_graphql::{Context, Object};

use crate::{request, services};
pub use types::*;

use crate::shared::User;

/// Identity queries.
#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The signed-in user, or null for an anonymous request.
    async fn viewer(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<User>> {
        let (svc, req) = (services(ctx)?, request(ctx)?);
        Ok(domain::identity::sessions::viewer(svc, req)
            .await?
            .map(User::from))
    }
}

/// Identity mutations.
#[derive(Default)]
pub struct IdentityMutation;

#[Object]
impl IdentityMutation {
    /// Signs in with an email or a phone number and a password.
    async fn log_in(&self, ctx: &Context<'_>, input: LogInInput) -> crate::GqlResult<AuthPayload> {
        let input = domain::identity::sessions::LogIn {
            email: input.email,
            phone: input.phone,
            password: input.password,
        };
        Ok(
            domain::identity::sessions::log_in(services(ctx)?, request(ctx)?, input)
                .await?
                .into(),
        )
    }

    /// Exchanges a refresh token for a new access token and a new refresh token. Each
    /// refresh token works once; presenting a used one ends the whole session.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        input: RefreshSessionInput,
    ) -> crate::GqlResult<AuthPayload> {
        Ok(domain::identity::sessions::refresh_session(
            services(ctx)?,
            request(ctx)?,
            &input.refresh_token,
        )
        .await?
        .into())
    }

    /// Ends the current session (or every session of the viewer).
    async fn log_out(
        &self,
        ctx: &Context<'_>,
        input: LogOutInput,
    ) -> crate::GqlResult<LogOutPayload> {
        let n =
            domain::identity::sessions::log_out(services(ctx)?, request(ctx)?, input.everywhere)
                .await?;
        Ok(LogOutPayload {
            ended_sessions: n as i32,
        })
    }

    /// Emails a password-reset link if an account has this email. Always succeeds, so it
    /// does not reveal which emails have accounts.
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        input: RequestPasswordResetInput,
    ) -> crate::GqlResult<RequestPasswordResetPayload> {
        domain::identity::email_links::request_password_reset(
            services(ctx)?,
            request(ctx)?,
            &input.email,
        )
        .await?;
        Ok(RequestPasswordResetPayload { accepted: true })
    }

    /// Changes the viewer's password; every other session ends.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordInput,
    ) -> crate::GqlResult<AccountPayload> {
        let (svc, req) = (services(ctx)?, request(ctx)?);
        let user = domain::identity::profile::change_password(
            svc,
            req,
            input.current_password,
            input.new_password,
        )
        .await?;
        Ok(AccountPayload {
            user: User::new(user),
        })
    }

    /// Changes the viewer's name, email, phone or country. A new email or phone needs
    /// `currentPassword`; a new email must be verified again.
    async fn update_account(
        &self,
        ctx: &Context<'_>,
        input: UpdateAccountInput,
    ) -> crate::GqlResult<AccountPayload> {
        let changes = domain::identity::profile::AccountChanges {
            display_name: input.display_name,
            email: input.email,
            phone: input.phone,
            country: input.country,
            language: input.language.map(|l| l.code().to_string()),
            current_password: input.current_password,
        };
        let user =
            domain::identity::profile::update_account(services(ctx)?, request(ctx)?, changes)
                .await?;
        Ok(AccountPayload {
            user: User::new(user),
        })
    }

    /// Verifies the account's email address with the token of the link sent to it. No
    /// sign-in needed: the link proves the mailbox.
    async fn verify_email(
        &self,
        ctx: &Context<'_>,
        input: VerifyEmailInput,
    ) -> crate::GqlResult<AccountPayload> {
        let user = domain::identity::email_links::verify_email(
            services(ctx)?,
            request(ctx)?,
            &input.token,
        )
        .await?;
        Ok(AccountPayload {
            user: User::new(user),
        })
    }

    /// Sends the viewer a fresh verification link for their unverified email address;
    /// older links stop working.
    async fn resend_email_verification(
        &self,
        ctx: &Context<'_>,
    ) -> crate::GqlResult<ResendEmailVerificationPayload> {
        domain::identity::email_links::resend_email_verification(services(ctx)?, request(ctx)?)
            .await?;
        Ok(ResendEmailVerificationPayload { sent: true })
    }

    /// Sets a new password with a reset (or set-password) link's token and ends every
    /// session of the account.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        input: ResetPasswordInput,
    ) -> crate::GqlResult<ResetPasswordPayload> {
        let user = domain::identity::email_links::reset_password(
            services(ctx)?,
            request(ctx)?,
            &input.token,
            input.new_password,
        )
        .await?;
        Ok(ResetPasswordPayload {
            user: User::new(user),
        })
    }
}
