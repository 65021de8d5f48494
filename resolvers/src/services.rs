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

/// The currency of the brand `tenant_id`: the request's, or (for an allowed row of
/// another brand, such as a reseller's client's line) that brand's.
pub fn currency_of(ctx: &async_graphql::Context<'_>, tenant_id: i64) -> crate::ApiResult<String> {
    let req = request(ctx)?;
    if tenant_id == req.tenant_id() {
        return Ok(req.tenant.model.currency.clone());
    }
    services(ctx)?
        .registry
        .by_id(tenant_id)
        .map(|t| t.model.currency.clone())
        .ok_or_else(|| crate::ApiError::internal("a row of an unknown brand"))
}
