//! Bearer API tokens and roles. A token is 256 random bits shown once; only its SHA-256 is
//! stored, so a database leak yields no usable token. Every request looks the token up, so a
//! revocation takes effect at once.

/// The account openings read from JobStream (Platsbanken) are created by; made by its
/// migration, with no tokens, so nobody signs in as it; user lists leave it out.
pub const JOBSTREAM_USER: &str = "jobstream";

pub mod http;
pub mod sessions;
pub mod store;

use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

crate::text_enum! {
    /// What a token may do.
    pub enum Role {
        Admin = "admin",
        /// Jobbmäklare: matches seekers and openings.
        Broker = "broker",
        /// Arbetsmarknadssekreterare: meets seekers.
        Officer = "officer",
        /// Reads reports and sets targets.
        Manager = "manager",
        /// Bound to one employer; sees only its own openings.
        Employer = "employer",
        /// The assistance case system (försörjningsstöd): reads each person's plan status
        /// and nothing else ([`CASE_SYSTEM_ROUTES`]).
        CaseSystem = "case_system",
    }
}

impl Role {
    /// Municipal staff who work with seekers.
    pub const CASEWORK: &'static [Role] = &[Role::Admin, Role::Broker, Role::Officer];
    /// Every municipal role.
    pub const STAFF: &'static [Role] = &[Role::Admin, Role::Broker, Role::Officer, Role::Manager];
}

/// The only routes a `case_system` token reaches, whatever a handler's own check says: the
/// guard sits in the token extractor, so a new handler cannot open more by mistake.
pub const CASE_SYSTEM_ROUTES: &[&str] = &[
    "/api/v1/seekers/{id}/plan-status",
    "/api/v1/plan-status",
    "/api/v1/applications/{id}/decision",
    "/api/v1/decisions",
];

/// Who is calling. Deliberately carries no token text.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: String,
    pub token_id: String,
    pub name: String,
    pub role: Role,
    pub employer_id: Option<String>,
}

impl Principal {
    /// 403 unless the caller has one of the roles.
    pub fn require(&self, roles: &[Role]) -> AppResult<()> {
        if roles.contains(&self.role) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    pub fn is_staff(&self) -> bool {
        Role::STAFF.contains(&self.role)
    }
}

/// A new token: a recognisable prefix (so secret scanners can find leaked ones) and 256 bits.
pub fn generate_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    format!("platsa_{}", hex::encode(bytes))
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

// The Swedish words the pages, CSV exports and messages show for these values.
impl crate::labels::Label for Role {
    fn label(self) -> &'static str {
        match self {
            Role::Admin => "administratör",
            Role::Broker => "jobbmäklare",
            Role::Officer => "arbetsmarknadssekreterare",
            Role::Manager => "chef",
            Role::Employer => "arbetsgivare",
            Role::CaseSystem => "ärendesystem (försörjningsstöd)",
        }
    }
}
