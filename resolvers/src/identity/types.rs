//! GraphQL types of the identity domain.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::user;

use crate::ids::{self, Kind};
use crate::orgs::{Invitation, Organization};
use crate::{ApiError, request, services};

/// A user account on the current tenant.
pub struct User(pub user::Model);

impl From<user::Model> for User {
    fn from(m: user::Model) -> Self {
        Self(m)
    }
}

#[Object]
impl User {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::User, self.0.id)
    }
    /// The email address, lower-cased.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// The phone number in E.164, if any.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// The name shown to others.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// Whether the user is platform staff (users of the root tenant only).
    async fn is_platform_admin(&self) -> bool {
        self.0.is_platform_admin
    }
    /// Whether the user administers their tenant's branding and settings.
    async fn is_tenant_admin(&self) -> bool {
        self.0.is_tenant_admin
    }
    /// Whether the account has a password (accounts created for someone do not until the
    /// set-password link is used).
    async fn has_password(&self) -> bool {
        self.0.password_hash.is_some()
    }
    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The organizations this user belongs to, each with their role (`viewerRole`).
    /// Readable for the viewer's own account only.
    async fn organizations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Organization>> {
        let req = self.own(ctx)?;
        Ok(crate::orgs::ops::viewer_organizations(services(ctx)?, req).await?)
    }
    /// Invitations waiting for this user's answer, found by email: no link needed.
    /// Readable for the viewer's own account only.
    async fn pending_invitations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<Invitation>> {
        let req = self.own(ctx)?;
        Ok(crate::orgs::invitations::pending_for_viewer(services(ctx)?, req).await?)
    }
}

impl User {
    /// The request, if this user is its viewer.
    fn own<'a>(&self, ctx: &Context<'a>) -> Result<&'a tenants::RequestCtx, ApiError> {
        let req = request(ctx)?;
        match req.viewer.user() {
            Some(me) if me.user_id == self.0.id && me.tenant_id == self.0.tenant_id => Ok(req),
            _ => Err(ApiError::Forbidden),
        }
    }
}

/// A signed-in session's tokens.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// A short-lived JWT for the `Authorization: Bearer` header.
    pub access_token: String,
    /// A one-use token for `refreshSession`. Keep it secret.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i32,
    /// The signed-in user.
    pub viewer: User,
}

/// Input of `signUp`.
#[derive(InputObject)]
pub struct SignUpInput {
    /// The email address; compared case-insensitively.
    pub email: String,
    /// An optional phone number in international format.
    pub phone: Option<String>,
    /// At least 10 characters.
    pub password: String,
    /// The name shown to others.
    pub display_name: String,
    /// The token of an invitation link: the new account joins that organization at once.
    /// The email must be the one the invitation was sent to.
    pub invitation_token: Option<String>,
}

/// Input of `logIn`: exactly one of `email` and `phone`.
#[derive(InputObject)]
pub struct LogInInput {
    /// The account's email.
    pub email: Option<String>,
    /// The account's phone number.
    pub phone: Option<String>,
    /// The password.
    pub password: String,
}

/// Input of `refreshSession`.
#[derive(InputObject)]
pub struct RefreshSessionInput {
    /// The refresh token from the last `signUp`, `logIn` or `refreshSession`.
    pub refresh_token: String,
}

/// Input of `logOut`.
#[derive(InputObject)]
pub struct LogOutInput {
    /// End every session of the viewer, not just this one.
    #[graphql(default)]
    pub everywhere: bool,
}

/// Result of `logOut`.
#[derive(SimpleObject)]
pub struct LogOutPayload {
    /// How many sessions were ended.
    pub ended_sessions: i32,
}

/// Input of `requestPasswordReset`.
#[derive(InputObject)]
pub struct RequestPasswordResetInput {
    /// The account's email.
    pub email: String,
}

/// Result of `requestPasswordReset`.
#[derive(SimpleObject)]
pub struct RequestPasswordResetPayload {
    /// Always true: whether an email was sent is not revealed.
    pub accepted: bool,
}

/// Input of `resetPassword`.
#[derive(InputObject)]
pub struct ResetPasswordInput {
    /// The token from the link.
    pub token: String,
    /// The new password, at least 10 characters.
    pub new_password: String,
}

/// Result of `resetPassword`.
#[derive(SimpleObject)]
pub struct ResetPasswordPayload {
    /// The account whose password was set.
    pub user: User,
}
