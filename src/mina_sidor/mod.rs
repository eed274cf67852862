//! Mina sidor: the person Platsa is about, signed in with e-legitimation, sees their own case
//! (meetings, plan, consents, why they were proposed, everything held about them) and can
//! ask for a review. Every read goes through `privacy::own`, which finds the person by their
//! personnummer and audits the read as theirs; everything after it is read by those ids, so
//! no page or route can reach another person. The same use cases serve the pages and the
//! `/api/v1/me/…` routes (a municipality's own e-service).

pub mod extract;
pub mod http;
pub mod service;
pub mod store;

use serde::{Deserialize, Serialize};

use crate::clock::Day;

crate::text_enum! {
    /// What a request for review is about.
    pub enum ReviewAbout {
        /// The plan, or a decision in it.
        Plan = "plan",
        /// A declined offer marked unjustified (`ref_id`: the decline).
        Decline = "decline",
        /// Being marked "ej lämplig" for an opening (`ref_id`: the opening).
        NotSuitable = "not_suitable",
        /// An absence marked invalid.
        Attendance = "attendance",
        /// Not being proposed for an opening the person thinks they fit.
        MissedProposal = "missed_proposal",
        Other = "other",
    }
}

impl crate::labels::Label for ReviewAbout {
    fn label(self) -> &'static str {
        match self {
            ReviewAbout::Plan => "min planering",
            ReviewAbout::Decline => "ett nej som bedömts som ogiltigt",
            ReviewAbout::NotSuitable => "att jag bedömts som ej lämplig för en tjänst",
            ReviewAbout::Attendance => "en frånvaro som bedömts som ogiltig",
            ReviewAbout::MissedProposal => "att jag inte föreslagits för en tjänst",
            ReviewAbout::Other => "något annat",
        }
    }
}

crate::text_enum! {
    /// The person's answer to a consent request, or their withdrawal of one given.
    pub enum ConsentAnswer {
        Yes = "yes",
        No = "no",
        Withdraw = "withdraw",
    }
}

impl ConsentAnswer {
    pub fn state(self) -> crate::shortlist::ConsentState {
        use crate::shortlist::ConsentState;
        match self {
            ConsentAnswer::Yes => ConsentState::Given,
            ConsentAnswer::No => ConsentState::Declined,
            ConsentAnswer::Withdraw => ConsentState::Withdrawn,
        }
    }
}

impl crate::labels::Label for ConsentAnswer {
    fn label(self) -> &'static str {
        match self {
            ConsentAnswer::Yes => "Ja, jag vill bli presenterad",
            ConsentAnswer::No => "Nej tack",
            ConsentAnswer::Withdraw => "Återkalla mitt samtycke",
        }
    }
}

/// The signed-in person, as their e-legitimation names them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub personnummer: String,
    pub given_name: String,
    pub family_name: String,
    /// Whether Platsa has a record of them (a profile staff registered).
    pub registered: bool,
}

/// A request for review.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    pub about: ReviewAbout,
    /// The decline or opening it concerns, when there is one.
    #[serde(default)]
    pub ref_id: Option<String>,
    pub text: String,
}

/// A request for review and, once given, its answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Review {
    pub id: String,
    pub seeker_id: String,
    pub unit: Option<String>,
    pub about: ReviewAbout,
    pub ref_id: Option<String>,
    pub text: Option<String>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    /// The day the unit's manager is to answer by.
    pub due_on: Day,
    pub answer: Option<String>,
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub answered_at: Option<i64>,
}

/// The manager's answer to a request for review.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    pub answer: String,
}

/// Why the person was proposed or presented for an opening, in plain Swedish, from their
/// own data and the opening's: never another person's data, never a score.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = OwnExplanation)]
pub struct Explanation {
    pub opening_id: String,
    pub headline: String,
    pub employer: String,
    /// Where it stands: "Föreslagen", "Presenterad för arbetsgivaren", "Tillfrågad om samtycke" …
    pub stage: String,
    /// The opening's requirements the person meets.
    pub met: Vec<String>,
    /// The opening's requirements the person does not meet (as Platsa knows them).
    pub missed: Vec<String>,
    /// Merits the opening asks for that the person has.
    pub merits: Vec<String>,
    /// How the person's occupation relates to the opening's.
    pub occupation: String,
    /// How far the workplace is.
    pub distance: String,
    /// When the person can start, against the opening's start.
    pub availability: String,
    /// What the ranking does not use.
    pub not_used: String,
}

/// What the ranking never uses, said to every person it ranks.
pub const NOT_USED: &str = "Rankningen använder inte ditt kön, din ålder, ditt ursprung eller ditt namn, och inga uppgifter om andra personer. Det är alltid en jobbmäklare som bestämmer vem som föreslås; rankningen är ett stöd för att alla ska bli synliga.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_answer_is_the_consent_state_it_says() {
        use crate::shortlist::ConsentState;
        assert_eq!(ConsentAnswer::Yes.state(), ConsentState::Given);
        assert_eq!(ConsentAnswer::No.state(), ConsentState::Declined);
        assert_eq!(ConsentAnswer::Withdraw.state(), ConsentState::Withdrawn);
    }
}
