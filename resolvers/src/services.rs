//! The shared services, read from the GraphQL context. The types are the kernel's.

pub use domain::kernel::services::{Services, Settings};

/// The shared services of the schema.
pub fn services<'a>(ctx: &async_graphql::Context<'a>) -> crate::ApiResult<&'a Services> {
    ctx.data::<Services>()
        .map_err(|_| crate::ApiError::internal("services missing from schema data"))
}

/// The request's context.
pub fn request<'a>(ctx: &async_graphql::Context<'a>) -> crate::ApiResult<&'a tenants::RequestCtx> {
    ctx.data::<tenants::RequestCtx>()
        .map_err(|_| crate::ApiError::internal("request context missing"))
}
