//! Placements: a seeker's path from proposal through work experience (arbetsträning, praktik,
//! extratjänst) to employment or studies. Every transition is kept; the outcomes feed the
//! monthly reports.

pub mod http;
pub mod store;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Arbetstraning,
    Praktik,
    Extratjanst,
    Nystartsjobb,
    Lonebidrag,
    /// Unsubsidised employment.
    Employment,
    Studies,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Arbetstraning,
        Kind::Praktik,
        Kind::Extratjanst,
        Kind::Nystartsjobb,
        Kind::Lonebidrag,
        Kind::Employment,
        Kind::Studies,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Proposed,
    Presented,
    Interview,
    Offered,
    Started,
    Ended,
    DeclinedBySeeker,
    DeclinedByEmployer,
    Withdrawn,
}

impl Status {
    /// Where a placement may go from here. Studies have no employer to present to, so a
    /// study placement may start straight from proposed.
    pub fn allowed(self, kind: Kind) -> Vec<Status> {
        use Status::*;
        match self {
            Proposed if kind == Kind::Studies => vec![Started, DeclinedBySeeker, Withdrawn],
            Proposed => vec![Presented, DeclinedBySeeker, Withdrawn],
            Presented => vec![Interview, Offered, DeclinedBySeeker, DeclinedByEmployer, Withdrawn],
            Interview => vec![Offered, DeclinedBySeeker, DeclinedByEmployer, Withdrawn],
            Offered => vec![Started, DeclinedBySeeker, DeclinedByEmployer, Withdrawn],
            Started => vec![Ended],
            Ended | DeclinedBySeeker | DeclinedByEmployer | Withdrawn => vec![],
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(self, Status::Ended | Status::DeclinedBySeeker | Status::DeclinedByEmployer | Status::Withdrawn)
    }
}

/// How a placement ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Employment,
    SubsidisedEmployment,
    MunicipalLabourMarketJob,
    Studies,
    Extended,
    Other,
    Aborted,
}

impl Outcome {
    /// Work or studies: the person leaves assistance.
    pub fn is_exit(self) -> bool {
        matches!(
            self,
            Outcome::Employment | Outcome::SubsidisedEmployment | Outcome::MunicipalLabourMarketJob | Outcome::Studies
        )
    }
}

pub fn as_str(v: &impl Serialize) -> String {
    crate::openings::enum_str(v)
}

pub fn parse<T: for<'de> Deserialize<'de>>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPlacement {
    pub seeker_id: String,
    #[serde(default)]
    pub opening_id: Option<String>,
    pub kind: Kind,
    /// When it was proposed; today when left out.
    #[serde(default)]
    pub proposed_on: Option<NaiveDate>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    pub to: Status,
    /// The date it happened: in the past or today, never in the future.
    pub at: NaiveDate,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// For employment outcomes: the last day, or null when permanent.
    #[serde(default)]
    pub employment_until: Option<NaiveDate>,
    /// For studies: whether the studies give right to student finance (CSN).
    #[serde(default)]
    pub student_finance_eligible: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub from: Option<String>,
    pub to: String,
    pub at: String,
    pub note: Option<String>,
    pub by: String,
    #[serde(with = "crate::clock::rfc3339")]
    pub recorded_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Placement {
    pub id: String,
    pub seeker_id: String,
    pub opening_id: Option<String>,
    pub kind: String,
    pub status: String,
    pub broker_id: String,
    pub unit: Option<String>,
    pub outcome: Option<String>,
    pub employment_until: Option<String>,
    pub student_finance_eligible: Option<bool>,
    pub proposed_on: String,
    pub started_on: Option<String>,
    pub ended_on: Option<String>,
    /// What may happen next.
    pub allowed_transitions: Vec<Status>,
    pub history: Vec<Event>,
    #[serde(with = "crate::clock::rfc3339")]
    pub created_at: i64,
    #[serde(with = "crate::clock::rfc3339")]
    pub updated_at: i64,
    pub version: i64,
}
