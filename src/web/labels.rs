//! Every Swedish word the pages show for a domain value. Each enum's labels are one exhaustive
//! `match`: a new variant without a label does not compile, so no English word can reach a
//! page through a fallback.

use crate::auth::Role;
use crate::booking::BookingStatus;
use crate::matching::{FairnessMove, OccupationMatch, Part, Why};
use crate::openings::{EmploymentType, OpeningStatus};
use crate::placements::{Kind, Outcome, Status};
use crate::seekers::{ExitReason, SeekerStatus};
use crate::vocabulary::LanguageLevel;

/// A value's Swedish label, as the pages show it.
pub trait Label: Copy {
    fn label(self) -> &'static str;
}

impl Label for Role {
    fn label(self) -> &'static str {
        match self {
            Role::Admin => "administratör",
            Role::Broker => "jobbmäklare",
            Role::Officer => "arbetsmarknadssekreterare",
            Role::Manager => "chef",
            Role::Employer => "arbetsgivare",
        }
    }
}

impl Label for Status {
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

impl Label for Kind {
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

impl Label for Outcome {
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

impl Label for SeekerStatus {
    fn label(self) -> &'static str {
        match self {
            SeekerStatus::Active => "Aktiv",
            SeekerStatus::Paused => "Vilande",
            SeekerStatus::Placed => "Placerad",
            SeekerStatus::Exited => "Avslutad",
        }
    }
}

impl Label for ExitReason {
    fn label(self) -> &'static str {
        match self {
            ExitReason::Employment => "Anställning",
            ExitReason::SubsidisedEmployment => "Subventionerad anställning",
            ExitReason::MunicipalLabourMarketJob => "Kommunalt arbetsmarknadsjobb",
            ExitReason::Studies => "Studier",
            ExitReason::Moved => "Flyttat",
            ExitReason::Other => "Annat",
        }
    }
}

impl Label for OpeningStatus {
    fn label(self) -> &'static str {
        match self {
            OpeningStatus::Open => "Öppen",
            OpeningStatus::Filled => "Tillsatt",
            OpeningStatus::Closed => "Stängd",
        }
    }
}

impl Label for EmploymentType {
    fn label(self) -> &'static str {
        match self {
            EmploymentType::Permanent => "Tillsvidare",
            EmploymentType::Temporary => "Visstid",
            EmploymentType::Summer => "Sommarjobb",
            EmploymentType::Seasonal => "Säsongsanställning",
            EmploymentType::Hourly => "Timanställning",
            EmploymentType::Praktik => "Praktik",
            EmploymentType::Arbetstraning => "Arbetsträning",
            EmploymentType::Extratjanst => "Extratjänst",
            EmploymentType::Nystartsjobb => "Nystartsjobb",
            EmploymentType::Lonebidrag => "Lönebidrag",
        }
    }
}

impl Label for BookingStatus {
    fn label(self) -> &'static str {
        match self {
            BookingStatus::Booked => "Bokad",
            BookingStatus::Cancelled => "Avbokad",
            BookingStatus::Held => "Genomförd",
            BookingStatus::NoShow => "Uteblev",
        }
    }
}

impl Label for OccupationMatch {
    fn label(self) -> &'static str {
        match self {
            OccupationMatch::Exact => "Samma yrke",
            OccupationMatch::SameMinorGroup => "Närliggande yrke (samma yrkesgrupp)",
            OccupationMatch::LargelySubstitutable => "Yrke som i hög grad kan ersätta",
            OccupationMatch::SameSubMajorGroup => "Samma yrkesområde",
            OccupationMatch::PartlySubstitutable => "Yrke som delvis kan ersätta",
            OccupationMatch::SameMajorGroup => "Samma huvudområde",
            OccupationMatch::None => "Annat yrke",
        }
    }
}

impl Label for Part {
    fn label(self) -> &'static str {
        match self {
            Part::Occupation => "Yrke",
            Part::MustHave => "Krav",
            Part::Distance => "Avstånd",
            Part::Text => "Egen beskrivning",
            Part::NiceToHave => "Meriterande",
            Part::Availability => "Tillgänglig",
        }
    }
}

impl Label for LanguageLevel {
    fn label(self) -> &'static str {
        match self {
            LanguageLevel::Basic => "grundläggande",
            LanguageLevel::Good => "god",
            LanguageLevel::Fluent => "flytande",
            LanguageLevel::Native => "modersmål",
        }
    }
}

/// Why a score part got its value, in Swedish (the "Varför" column).
pub fn why(part: Part, why: Why) -> String {
    match why {
        Why::Occupation { relation, code } => {
            let c = format!("{code:04}");
            let name = crate::reference::reference().ssyk_name(&c).unwrap_or("");
            match relation {
                OccupationMatch::None => "inget närliggande yrke".into(),
                OccupationMatch::LargelySubstitutable => {
                    format!("{c} {name} kan i hög grad ersätta (Arbetsförmedlingen: 75)")
                }
                OccupationMatch::PartlySubstitutable => {
                    format!("{c} {name} kan delvis ersätta (Arbetsförmedlingen: 25)")
                }
                other => format!("{}: {c} {name}", other.label()),
            }
        }
        Why::Covered { covered, of } if part == Part::MustHave => format!("{covered} av {of} krav uppfyllda"),
        Why::Covered { covered, of } => format!("{covered} av {of} meriterande"),
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
        check(EmploymentType::ALL, &swedish_words);
        check(BookingStatus::ALL, &[]);
        check(OccupationMatch::ALL, &[]);
        check(Part::ALL, &[]);
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
            (Part::MustHave, Why::Covered { covered: 1, of: 2 }),
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
