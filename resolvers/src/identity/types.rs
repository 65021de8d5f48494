//! GraphQL types of the identity domain.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::user;

use crate::ids::{self, Kind};
use crate::shared::User;
use crate::{ApiError, request};

/// The identity fields of `User`; the type is assembled from its domains' parts in
/// `hub::UserObject`.
pub struct UserCore(pub Arc<user::Model>);

#[Object]
impl UserCore {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::User, self.0.id)
    }
    /// The per-tenant account number ("account ID") partners and support quote.
    async fn account_number(&self) -> i64 {
        self.0.account_number
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
    /// Whether the owner proved they read mail at `email` (by a verification, invitation,
    /// set-password or reset link). Until then invitations sent to the address cannot be
    /// listed or accepted by id.
    async fn email_verified(&self) -> bool {
        self.0.email_verified_at.is_some()
    }
    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The ISO 3166-1 alpha-2 country, if known.
    async fn country(&self) -> Option<&str> {
        self.0.country.as_deref()
    }
    /// The language everything the product writes to this person is in.
    async fn language(&self) -> crate::language::Language {
        crate::language::Language::from_code(&self.0.language)
    }
}

/// The request, if `user` is its viewer: for the fields only the account's owner reads.
pub fn own_request<'a>(
    ctx: &Context<'a>,
    user: &user::Model,
) -> Result<&'a tenants::RequestCtx, ApiError> {
    let req = request(ctx)?;
    tenants::authorize(
        req,
        tenants::Action::ReadOwnAccountData {
            tenant_id: user.tenant_id,
            user_id: user.id,
        },
    )?;
    Ok(req)
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

impl From<domain::identity::sessions::Session> for AuthPayload {
    fn from(s: domain::identity::sessions::Session) -> Self {
        Self {
            access_token: s.access_token,
            refresh_token: s.refresh_token,
            expires_in: s.expires_in,
            viewer: User::new(s.user),
        }
    }
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
    /// A partner's referral code (from `?ref=`): the new account becomes the partner's
    /// client with origin `REFERRAL_LINK` and no access.
    pub referral_code: Option<String>,
    /// The token of an invitation link: the new account joins that organization at once.
    /// The email must be the one the invitation was sent to.
    pub invitation_token: Option<String>,
    /// The language the person chose (on the referral landing page, say); without one,
    /// the brand's default.
    pub language: Option<crate::language::Language>,
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

/// Input of `changePassword`.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// The current password.
    pub current_password: String,
    /// The new password, at least 10 characters.
    pub new_password: String,
}

/// Input of `verifyEmail`.
#[derive(InputObject)]
pub struct VerifyEmailInput {
    /// The token from the verification link.
    pub token: String,
}

/// Result of `resendEmailVerification`.
#[derive(SimpleObject)]
pub struct ResendEmailVerificationPayload {
    /// Always true: a new link is on its way.
    pub sent: bool,
}

/// Input of `updateAccount`. Omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateAccountInput {
    /// The current password: required to change `email` or `phone`.
    pub current_password: Option<String>,
    /// The name shown to others.
    pub display_name: Option<String>,
    /// A new email (refused while logged in as a client).
    pub email: Option<String>,
    /// A new phone, international format (refused while logged in as a client).
    pub phone: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    pub country: Option<String>,
    /// The language everything is written to the person in.
    pub language: Option<crate::language::Language>,
}

/// Input of `deleteAccount`.
#[derive(InputObject)]
pub struct DeleteAccountInput {
    /// The current password, to confirm.
    pub password: String,
}

/// Result of `changePassword` and `updateAccount`.
#[derive(SimpleObject)]
pub struct AccountPayload {
    /// The account as it now is.
    pub user: User,
}

/// Result of `deleteAccount`.
#[derive(SimpleObject)]
pub struct DeleteAccountPayload {
    /// The deleted account's id.
    pub deleted_user_id: ID,
}
