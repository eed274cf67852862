//! Who someone is, by the municipality's identity provider (staff) or e-legitimation through
//! an OpenID broker (applicants). Optional: without `[staff_oidc]` staff sign in with their
//! token as before, and without `[citizen_oidc]` applications are taken unidentified.
//!
//! Staff: a user is found or made by (issuer, subject); their name, role and (with
//! `unit_claim`) units are set from the ID token at every sign-in, so leaving a group in the
//! directory takes the access away at the next one. Applicants: the personnummer comes from
//! the e-legitimation and nowhere else.

pub mod oidc;
pub mod service;
pub mod store;

pub use oidc::Refusal;

/// The cookie holding an applicant's e-legitimation session (the application form and the
/// public application API read it).
pub const EID_COOKIE: &str = "platsa_eid";

/// The cookie holding a person's Mina sidor session: a session of its own, never a staff
/// session, and never the application form's.
pub const MINA_SIDOR_COOKIE: &str = "platsa_mina";

/// What a sign-in is for; each has its own redirect URI and provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Staff,
    /// An applicant identifying themselves on the application form.
    Citizen,
    /// A person signing in to their own pages (Mina sidor).
    MinaSidor,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Staff => "staff",
            Self::Citizen => "citizen",
            Self::MinaSidor => "mina_sidor",
        }
    }

    /// The redirect URI registered at the provider.
    pub fn redirect(self, public_url: &str) -> String {
        match self {
            Self::Staff => format!("{public_url}/signin/oidc/callback"),
            Self::Citizen => format!("{public_url}/apply/eid/callback"),
            Self::MinaSidor => format!("{public_url}/mina-sidor/callback"),
        }
    }

    /// What an e-legitimation session opened by this sign-in is for (stored with it).
    pub fn session_kind(self) -> &'static str {
        match self {
            Self::Staff | Self::Citizen => "apply",
            Self::MinaSidor => "mina_sidor",
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::auth::Role;

    #[test]
    fn the_roles_a_provider_may_give_are_the_municipal_roles() {
        let names: Vec<&str> = Role::STAFF.iter().map(|r| r.as_str()).collect();
        assert_eq!(names, crate::config::STAFF_ROLES);
    }
}
