//! The requirement check: when an opening is saved (API) or shown (its page), each hard
//! requirement — a must-have language at a level, a required driving licence, the workplace
//! against people's commuting range — is weighed against the register: of the people who
//! otherwise match (active, a related occupation, every other hard requirement met), how many
//! it leaves out. Above `accountability.requirement_exclusion_share` it is said, in Swedish,
//! so brokers can question requirements that act as proxies for origin or age. Nothing is
//! blocked.

use std::sync::Arc;

use crate::config::MatchingSettings;
use crate::index::SearchIndex;
use crate::matching::rank::OpeningProfile;
use crate::matching::rank::reach::{Exclusion, Hard, exclusions};
use crate::openings::{HardRequirement, OpeningData, RequirementCheck, RequirementWarning};

/// The check as the routes are given it.
pub struct RegisterCheck {
    index: Arc<SearchIndex>,
    weights: MatchingSettings,
    share: f64,
}

impl RegisterCheck {
    pub fn new(index: Arc<SearchIndex>, weights: MatchingSettings, share: f64) -> Self {
        Self { index, weights, share }
    }
}

impl RequirementCheck for RegisterCheck {
    fn check(&self, opening: &OpeningData) -> Vec<RequirementWarning> {
        warnings(&self.index, &self.weights, self.share, &OpeningProfile::from_data(opening), municipality(opening))
    }
}

fn municipality(o: &OpeningData) -> String {
    let code = &o.workplace_address.municipality_code;
    crate::reference::reference().municipalities.get(code).map(|m| m.name.clone()).unwrap_or_else(|| code.clone())
}

/// The warnings for an opening's profile (`place`: the workplace's municipality, named in the
/// distance warning). A failed read of the index warns of nothing and is logged: the save
/// itself must not fail over advice.
pub fn warnings(
    index: &SearchIndex,
    weights: &MatchingSettings,
    share: f64,
    profile: &OpeningProfile,
    place: String,
) -> Vec<RequirementWarning> {
    let found = match exclusions(&index.seekers, profile, weights) {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %e, "the requirement check could not read the register");
            return Vec::new();
        }
    };
    found.into_iter().filter_map(|e| warning(e, share, &place)).collect()
}

fn warning(e: Exclusion, threshold: f64, place: &str) -> Option<RequirementWarning> {
    if e.of == 0 {
        return None;
    }
    let share = e.excluded as f64 / e.of as f64;
    if share <= threshold {
        return None;
    }
    let pct = (share * 100.0).round() as i64;
    let (requirement, label, message) = match e.requirement {
        Hard::Language { label } => {
            let m = format!(
                "Kravet på {label} utesluter {pct} % av annars matchande sökande – är det nödvändigt för arbetet?"
            );
            (HardRequirement::Language, label, m)
        }
        Hard::Licence { class } => {
            let m = format!(
                "Kravet på körkort {class} utesluter {pct} % av annars matchande sökande – är det nödvändigt för arbetet?"
            );
            (HardRequirement::DrivingLicence, class, m)
        }
        Hard::Distance => {
            let m = format!(
                "Arbetsplatsen i {place} ligger utanför pendlingsavståndet för {pct} % av annars matchande sökande – \
                 går det att ordna resor eller arbete på distans?"
            );
            (HardRequirement::Distance, place.to_string(), m)
        }
    };
    Some(RequirementWarning {
        requirement,
        label,
        of: e.of as i64,
        excluded: e.excluded as i64,
        share: (share * 10_000.0).round() / 10_000.0,
        message,
    })
}
