//! Organizations, spaces, members, roles and invitations.

pub mod access;
pub mod audit_log;
pub mod invitations;
pub mod invitee;
pub mod members;
pub mod organizations;
pub mod spaces;

use std::collections::HashMap;

use entities::{invitation, organization, space};
use tenants::policy::{self, Standing};

/// A user's roles in one organization.
#[derive(Debug, Clone, Default)]
pub struct Access {
    pub org: Option<policy::OrgRole>,
    pub spaces: HashMap<i64, policy::SpaceRole>,
}

impl Access {
    /// Standing for organization-wide actions.
    pub fn standing(&self) -> Standing {
        Standing {
            org: self.org,
            space: None,
        }
    }

    /// The effective role in a space: owners act as managers of every space.
    pub fn space_role(&self, space_id: i64) -> Option<policy::SpaceRole> {
        if self.org == Some(policy::OrgRole::Owner) {
            Some(policy::SpaceRole::Manager)
        } else {
            self.spaces.get(&space_id).copied()
        }
    }

    /// Standing for actions on one space.
    pub fn in_space(&self, space_id: i64) -> Standing {
        Standing {
            org: self.org,
            space: self.spaces.get(&space_id).copied(),
        }
    }
}

/// An organization and the viewer's roles in it.
#[derive(Debug, Clone)]
pub struct OrgView {
    pub model: organization::Model,
    pub access: Access,
}

/// A space and the viewer's effective role in it.
#[derive(Debug, Clone)]
pub struct SpaceView {
    pub model: space::Model,
    pub viewer_role: Option<policy::SpaceRole>,
}

/// An invitation and its organization's name.
#[derive(Debug, Clone)]
pub struct InvitationView {
    pub model: invitation::Model,
    pub organization_name: String,
}
