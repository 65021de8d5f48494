//! The API's errors as GraphQL sees them. The error type and its codes are the domain's
//! (`domain::kernel::error`); this module turns them into GraphQL errors with
//! `extensions.code` and `extensions.field`. Resolvers return [`GqlResult`]: `?` on a
//! domain result converts through [`GqlError`], never through `Display` (which would drop
//! the code).

use async_graphql::ErrorExtensions;

pub use domain::kernel::error::{ApiError, ApiResult, code};

/// A resolver's error: a domain error (with its code) or one async-graphql made.
#[derive(Debug, Clone)]
pub enum GqlError {
    Api(ApiError),
    Graphql(async_graphql::Error),
}

/// What resolvers return.
pub type GqlResult<T> = Result<T, GqlError>;

impl From<ApiError> for GqlError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl From<async_graphql::Error> for GqlError {
    fn from(e: async_graphql::Error) -> Self {
        Self::Graphql(e)
    }
}

impl From<GqlError> for async_graphql::Error {
    fn from(e: GqlError) -> Self {
        match e {
            GqlError::Graphql(e) => e,
            GqlError::Api(e) => {
                let field = e.field().map(str::to_string);
                let code = e.code();
                let retry_after = e.retry_after();
                async_graphql::Error::new(e.message()).extend_with(|_, ext| {
                    ext.set("code", code);
                    if let Some(field) = &field {
                        ext.set("field", field.as_str());
                    }
                    if let Some(secs) = retry_after {
                        ext.set("retryAfter", secs);
                    }
                })
            }
        }
    }
}
