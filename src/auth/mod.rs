//! Bearer API tokens and roles. A token is 256 random bits shown once; only its SHA-256 is
//! stored, so a database leak yields no usable token. Every request looks the token up, so a
//! revocation takes effect at once.

pub mod http;
pub mod sessions;
pub mod store;

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    /// Jobbmäklare: matches seekers and openings.
    Broker,
    /// Arbetsmarknadssekreterare: meets seekers.
    Officer,
    /// Reads reports and sets targets.
    Manager,
    /// Bound to one employer; sees only its own openings.
    Employer,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Broker, Role::Officer, Role::Manager, Role::Employer];
    /// Municipal staff who work with seekers.
    pub const CASEWORK: &'static [Role] = &[Role::Admin, Role::Broker, Role::Officer];
    /// Every municipal role.
    pub const STAFF: &'static [Role] = &[Role::Admin, Role::Broker, Role::Officer, Role::Manager];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Broker => "broker",
            Role::Officer => "officer",
            Role::Manager => "manager",
            Role::Employer => "employer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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
