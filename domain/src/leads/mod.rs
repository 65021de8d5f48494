//! The leads marketplace and partner certification (SPEC §7, §9).
//!
//! - `submit`: the public integrators page's form (no sign-in; validated, rate-limited per
//!   client address, with a honeypot).
//! - `market`: free leads, taking one (one winner), the partner's own leads, their status,
//!   releasing them, comments; tenant staff see, reassign and close every lead.
//! - `certification`: tests, attempts, certificates and their public verification.
//!
//! Who sees a lead's contacts is decided once, in [`LeadView`]: the members of the
//! partner working it and tenant staff; everyone else reads the name's initial only.

pub mod attempts;
pub mod certificates;
pub mod certification;
pub mod features;
pub mod market;
pub mod progress;
pub mod submit;
pub mod take;

use entities::lead;

/// A lead as the viewer may see it.
#[derive(Debug, Clone)]
pub struct LeadView {
    pub lead: lead::Model,
    /// The viewer may read the contacts (name, phone, email) and the comments.
    pub contacts: bool,
}

impl LeadView {
    /// The contact name as the viewer may read it: in full, or its first letter.
    pub fn contact_name(&self) -> String {
        if self.contacts {
            self.lead.contact_name.clone()
        } else {
            initial(&self.lead.contact_name)
        }
    }
}

/// `"Ivan Petrov"` -> `"I."`.
pub fn initial(name: &str) -> String {
    name.trim()
        .chars()
        .next()
        .map(|c| format!("{}.", c.to_uppercase()))
        .unwrap_or_default()
}

/// The features a lead asks for, from their stored JSON.
pub fn features(l: &lead::Model) -> Vec<String> {
    serde_json::from_str(&l.features).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_initial_is_one_upper_case_letter() {
        assert_eq!(super::initial("ivan Petrov"), "I.");
        assert_eq!(super::initial("  Örs"), "Ö.");
        assert_eq!(super::initial(""), "");
    }
}
