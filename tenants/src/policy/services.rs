//! What a service token may do: only what one of its scopes names, only on its own
//! tenant. Everything else is refused, whatever the action.

use entities::service_token::SCOPE_CHANNEL_STATUS;

use super::Action;
use crate::viewer::ServiceAuth;

/// Whether the machine behind `service` may do `action`.
pub(super) fn allows(service: &ServiceAuth, action: Action) -> bool {
    match action {
        Action::ReportChannelStatus { tenant_id } => {
            service.tenant_id == tenant_id && service.has(SCOPE_CHANNEL_STATUS)
        }
        _ => false,
    }
}
