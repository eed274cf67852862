//! Placements: a seeker's path from proposal through work experience (arbetsträning, praktik,
//! extratjänst) to employment or studies. Every transition is kept; the outcomes feed the
//! monthly reports.

pub mod feedback;
pub mod http;
pub mod service;
pub mod store;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// What kind of step a placement is.
    pub enum Kind {
        Arbetstraning = "arbetstraning",
        Praktik = "praktik",
        Extratjanst = "extratjanst",
        Nystartsjobb = "nystartsjobb",
        Lonebidrag = "lonebidrag",
        /// Unsubsidised employment.
        Employment = "employment",
        Studies = "studies",
    }
}

crate::text_enum! {
    /// Where a placement is on its way.
    pub enum Status {
        Proposed = "proposed",
        Presented = "presented",
        Interview = "interview",
        Offered = "offered",
        Started = "started",
        Ended = "ended",
        DeclinedBySeeker = "declined_by_seeker",
        DeclinedByEmployer = "declined_by_employer",
        Withdrawn = "withdrawn",
    }
}

impl Status {
    /// Under way and not yet started: the opening's pipeline.
    pub const AWAITING_START: [Status; 4] = [Status::Proposed, Status::Presented, Status::Interview, Status::Offered];

    /// Over: no longer under way (as the partial unique indexes name them).
    pub const CLOSED: [Status; 4] =
        [Status::Ended, Status::DeclinedBySeeker, Status::DeclinedByEmployer, Status::Withdrawn];

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

    /// Whether the employer may see who the person is: once presented, and not after the
    /// person said no or the broker withdrew before presenting.
    pub fn is_shown_to_employer(self) -> bool {
        !matches!(self, Status::Proposed | Status::Withdrawn | Status::DeclinedBySeeker)
    }

    pub fn is_open(self) -> bool {
        !Status::CLOSED.contains(&self)
    }
}

crate::text_enum! {
    /// How a placement ended.
    pub enum Outcome {
        Employment = "employment",
        SubsidisedEmployment = "subsidised_employment",
        MunicipalLabourMarketJob = "municipal_labour_market_job",
        Studies = "studies",
        Extended = "extended",
        Other = "other",
        Aborted = "aborted",
    }
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

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
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
    /// The ranked list the broker proposed from (`ranking_log_id` of a candidates page, or of
    /// the person's openings): the rank the person (or opening) had there is kept, so human
    /// oversight can be shown. Left out: proposed from a search or the profile.
    #[serde(default)]
    pub ranking_log_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub from: Option<Status>,
    pub to: Status,
    pub at: crate::clock::Day,
    pub note: Option<String>,
    pub by: String,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Placement {
    pub id: String,
    pub seeker_id: String,
    pub opening_id: Option<String>,
    pub kind: Kind,
    pub status: Status,
    pub broker_id: String,
    pub unit: Option<String>,
    pub outcome: Option<Outcome>,
    pub employment_until: Option<crate::clock::Day>,
    pub student_finance_eligible: Option<bool>,
    pub proposed_on: crate::clock::Day,
    pub started_on: Option<crate::clock::Day>,
    pub ended_on: Option<crate::clock::Day>,
    /// The rank on the list it was proposed from; null when proposed from a search or the
    /// profile.
    pub list_rank: Option<i32>,
    /// What may happen next.
    pub allowed_transitions: Vec<Status>,
    pub history: Vec<Event>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
    pub version: i64,
}

impl Placement {
    /// The placement as a manager reads it: the facts (steps, dates, outcome) without what
    /// staff wrote about the person at each step.
    pub fn for_reader(mut self, role: crate::auth::Role) -> Self {
        if role == crate::auth::Role::Manager {
            for e in &mut self.history {
                e.note = None;
            }
        }
        self
    }
}

impl Outcome {
    /// The exit from assistance this outcome means, for outcomes that leave assistance.
    pub fn exit_reason(self) -> Option<crate::seekers::ExitReason> {
        use crate::seekers::ExitReason;
        match self {
            Outcome::Employment => Some(ExitReason::Employment),
            Outcome::SubsidisedEmployment => Some(ExitReason::SubsidisedEmployment),
            Outcome::MunicipalLabourMarketJob => Some(ExitReason::MunicipalLabourMarketJob),
            Outcome::Studies => Some(ExitReason::Studies),
            Outcome::Extended | Outcome::Other | Outcome::Aborted => None,
        }
    }
}

// The Swedish words the pages, CSV exports and messages show for these values.
impl crate::labels::Label for Status {
    fn label(self) -> &'static str {
        match self {
            Status::Proposed => "Föreslagen",
            Status::Presented => "Presenterad",
            Status::Interview => "Intervju",
            Status::Offered => "Erbjuden",
            Status::Started => "Påbörjad",
            Status::Ended => "Avslutad",
            Status::DeclinedBySeeker => "Tackade nej",
            Status::DeclinedByEmployer => "Nej från arbetsgivaren",
            Status::Withdrawn => "Återkallad",
        }
    }
}

impl crate::labels::Label for Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Arbetstraning => "Arbetsträning",
            Kind::Praktik => "Praktik",
            Kind::Extratjanst => "Extratjänst",
            Kind::Nystartsjobb => "Nystartsjobb",
            Kind::Lonebidrag => "Lönebidrag",
            Kind::Employment => "Anställning",
            Kind::Studies => "Studier",
        }
    }
}

impl crate::labels::Label for Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Employment => "Anställning",
            Outcome::SubsidisedEmployment => "Subventionerad anställning",
            Outcome::MunicipalLabourMarketJob => "Kommunalt arbetsmarknadsjobb",
            Outcome::Studies => "Studier",
            Outcome::Extended => "Förlängd",
            Outcome::Other => "Annat",
            Outcome::Aborted => "Avbruten",
        }
    }
}
