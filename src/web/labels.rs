//! Page wording for domain values: the explanation of a ranking ("Varför", fairness). Every
//! enum's Swedish label is its `Label` impl beside its definition (`crate::labels`), re-exported
//! here for the pages; the test below checks every enum has one.

pub use crate::labels::{Label, app_error, field_name, field_problem, field_problems};
use crate::matching::{FairnessMove, OccupationMatch, Part, Why};

/// Why a score part got its value, in Swedish (the "Varför" column).
pub fn why(part: Part, why: Why) -> String {
    match why {
        Why::Occupation { relation, code, inferred, confidence } => {
            let c = format!("{code:04}");
            let name = crate::reference::reference().ssyk_name(&c).unwrap_or("");
            let read = match (inferred, confidence < 1.0) {
                (false, _) => String::new(),
                (true, false) => " (yrke utläst ur texten)".to_string(),
                (true, true) => {
                    format!(" (yrke utläst ur texten, säkerhet {})", format!("{confidence:.2}").replace('.', ","))
                }
            };
            let text: String = match relation {
                OccupationMatch::None => "inget närliggande yrke".into(),
                OccupationMatch::LargelySubstitutable => {
                    format!("{c} {name} kan i hög grad ersätta (Arbetsförmedlingen: 75)")
                }
                OccupationMatch::PartlySubstitutable => {
                    format!("{c} {name} kan delvis ersätta (Arbetsförmedlingen: 25)")
                }
                other => format!("{}: {c} {name}", other.label()),
            };
            format!("{text}{read}")
        }
        Why::Covered { covered, of, described } => {
            let what = if part == Part::MustHave { "krav uppfyllda" } else { "meriterande" };
            let own = if described > 0 { format!(", {described} enligt egen beskrivning") } else { String::new() };
            format!("{covered} av {of} {what}{own}")
        }
        Why::Distance { km: Some(d), max_commute_km: Some(max), reachable: false } => {
            format!("{d:.0} km, längre än de {max} km personen kan pendla")
        }
        Why::Distance { km: Some(d), max_commute_km: Some(max), .. } if max != u64::MAX => {
            format!("{d:.0} km (pendlar upp till {max} km)")
        }
        Why::Distance { km: Some(d), .. } => format!("{d:.0} km"),
        Why::Distance { km: None, .. } => "okänt avstånd".into(),
        Why::Text { bm25 } => format!("{bm25:.2} för gemensamma ord (BM25)"),
        Why::Availability { days_late } if days_late <= 0 => "tillgänglig till startdagen".into(),
        Why::Availability { days_late } => format!("tillgänglig {days_late} dagar efter startdagen"),
    }
}

/// The fairness note on a ranked hit.
pub fn fairness(m: FairnessMove) -> String {
    let places = if m.places == 1 { "en plats".to_string() } else { format!("{} platser", m.places) };
    format!(
        "flyttad upp {places}: har väntat längst bland kandidater vars poäng skiljer högst {} från varandra",
        format!("{:.2}", m.margin).replace('.', ",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::booking::BookingStatus;
    use crate::error::{Clash, Fault, Thing};
    use crate::journal::EntryKind;
    use crate::openings::{EmploymentType, OpeningSource, OpeningStatus};
    use crate::placements::{Kind, Outcome, Status};
    use crate::seekers::{ExitReason, SeekerStatus};
    use crate::vocabulary::LanguageLevel;

    /// Every variant has a Swedish label of its own: not empty, not the stored English word
    /// (compared without case, so `Praktik` for `praktik` passes only where the words agree).
    fn check<T: Label + std::fmt::Display>(all: &[T], swedish_as_stored: &[&str]) {
        let mut seen = std::collections::HashSet::new();
        for v in all {
            let label = v.label();
            assert!(!label.trim().is_empty(), "{v} has an empty label");
            let stored = v.to_string();
            if label.eq_ignore_ascii_case(&stored) {
                assert!(swedish_as_stored.contains(&stored.as_str()), "{v} is labelled with its stored word");
            }
            assert!(seen.insert(label), "two variants share the label {label}");
        }
    }

    #[test]
    fn every_variant_of_every_enum_has_a_swedish_label() {
        let swedish_words = ["praktik", "nystartsjobb"];
        check(Role::ALL, &[]);
        check(Status::ALL, &[]);
        check(Kind::ALL, &swedish_words);
        check(Outcome::ALL, &[]);
        check(SeekerStatus::ALL, &[]);
        check(ExitReason::ALL, &[]);
        check(OpeningStatus::ALL, &[]);
        check(OpeningSource::ALL, &["platsa", "platsbanken"]);
        check(EmploymentType::ALL, &swedish_words);
        check(BookingStatus::ALL, &[]);
        check(crate::booking::IdentifiedBy::ALL, &[]);
        check(crate::identity::Refusal::ALL, &[]);
        check(OccupationMatch::ALL, &[]);
        check(Part::ALL, &[]);
        check(Fault::ALL, &[]);
        check(Clash::ALL, &[]);
        check(Thing::ALL, &[]);
        check(crate::caseload::Sort::ALL, &["status"]);
        check(crate::shortlist::ShortlistStatus::ALL, &[]);
        check(crate::shortlist::ConsentState::ALL, &[]);
        check(crate::shortlist::ConsentHow::ALL, &[]);
        check(crate::placements::feedback::Answer::ALL, &[]);
        check(crate::openings::OpeningSort::ALL, &[]);
        check(EntryKind::ALL, &["sms"]);
        check(crate::processes::Measure::ALL, &[]);
        check(crate::processes::Pace::ALL, &[]);
        check(crate::signals::SignalKind::ALL, &[]);
        check(crate::plan::Goal::ALL, &[]);
        check(crate::plan::AgreedHow::ALL, &[]);
        check(crate::plan::ActivityKind::ALL, &["praktik", "sfi"]);
        check(crate::plan::AttendanceState::ALL, &[]);
        check(crate::plan::DeclineWhat::ALL, &[]);
        check(crate::audit::ReadBy::ALL, &[]);
        check(crate::booking::DecisionOutcome::ALL, &[]);
        check(crate::matching::daily::MatchState::ALL, &[]);
        check(crate::matching::daily::DismissReason::ALL, &[]);
        check(crate::mina_sidor::ReviewAbout::ALL, &[]);
        check(crate::mina_sidor::ConsentAnswer::ALL, &[]);
        check(crate::vocabulary::written::Stance::ALL, &[]);
        check(crate::vocabulary::written::NotSoughtWhy::ALL, &[]);
        check(crate::ranking_log::ListKind::ALL, &[]);
        check(crate::messages::Channel::ALL, &["sms"]);
        check(crate::messages::MessageState::ALL, &[]);
        check(crate::messages::Recipient::ALL, &[]);
        check(crate::messages::Template::ALL, &[]);
        check(crate::messages::service::Skip::ALL, &[]);
        check(crate::booking::OfferState::ALL, &[]);
        check(crate::accountability::exposure::WaitBand::ALL, &[]);
        check(crate::openings::HardRequirement::ALL, &[]);
        for l in [LanguageLevel::Basic, LanguageLevel::Good, LanguageLevel::Fluent, LanguageLevel::Native] {
            assert!(!l.label().is_empty());
        }
    }

    #[test]
    fn explanations_and_fairness_read_in_swedish() {
        let f = fairness(FairnessMove { places: 2, margin: 0.02 });
        assert!(f.starts_with("flyttad upp 2 platser"), "{f}");
        assert!(!f.contains("place(s)") && !f.contains("waited"), "{f}");
        for (part, w) in [
            (Part::MustHave, Why::Covered { covered: 1, of: 2, described: 1 }),
            (Part::Distance, Why::Distance { km: Some(30.0), max_commute_km: Some(20), reachable: false }),
            (Part::Availability, Why::Availability { days_late: 3 }),
            (Part::Text, Why::Text { bm25: 1.5 }),
        ] {
            let text = why(part, w);
            for english in ["of", "beyond", "available", "shared words", "must-haves"] {
                assert!(!text.split_whitespace().any(|t| t == english), "{text}");
            }
        }
    }
}
