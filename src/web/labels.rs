//! Every Swedish word the pages show for a domain value. Each enum's labels are one exhaustive
//! `match`: a new variant without a label does not compile, so no English word can reach a
//! page through a fallback.

use crate::auth::Role;
use crate::booking::BookingStatus;
use crate::error::{AppError, Clash, Fault, FieldError, Thing};
use crate::journal::EntryKind;
use crate::matching::{FairnessMove, OccupationMatch, Part, Why};
use crate::openings::{EmploymentType, OpeningSource, OpeningStatus};
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

impl Label for OpeningSource {
    fn label(self) -> &'static str {
        match self {
            OpeningSource::Platsa => "Platsa",
            OpeningSource::Platsbanken => "Platsbanken",
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

impl Label for Fault {
    fn label(self) -> &'static str {
        match self {
            Fault::Required => "behöver fyllas i",
            Fault::Length => "har för få eller för många tecken",
            Fault::Range => "ligger utanför det tillåtna",
            Fault::Format => "är inte skrivet på rätt sätt",
            Fault::CheckDigit => "stämmer inte (kontrollsiffran)",
            Fault::DateOfBirth => "innehåller inget rimligt födelsedatum",
            Fault::Future => "ligger i framtiden",
            Fault::Past => "har redan passerat",
            Fault::Order => "kommer i fel ordning",
            Fault::Unknown => "känns inte igen",
            Fault::Duplicate => "finns redan med",
            Fault::NotApplicable => "hör inte hit",
            Fault::NotFound => "finns inte",
            Fault::Type => "har fel slags värde",
            Fault::UnknownField => "finns inte i formuläret",
            Fault::Character => "innehåller tecken som inte är tillåtna",
            Fault::Mismatch => "stämmer inte med ett annat fält",
        }
    }
}

impl Label for Clash {
    fn label(self) -> &'static str {
        match self {
            Clash::Duplicate => "Uppgiften finns redan registrerad.",
            Clash::Imported => "Annonsen kommer från Platsbanken och ändras där; här följer den annonsen.",
            Clash::AlreadyProposed => "Personen är redan föreslagen till den här annonsen.",
            Clash::SeekerNotActive => "Personen är inte aktiv och kan inte föreslås nu.",
            Clash::OpeningNotOpen => "Annonsen är inte längre öppen.",
            Clash::TransitionNotAllowed => "Det steget går inte härifrån.",
            Clash::ChangedMeanwhile => "Någon ändrade samtidigt. Ladda om sidan och försök igen.",
            Clash::SlotTaken => "Tiden hann någon annan boka.",
            Clash::AlreadyBooked => "Det finns redan en bokad tid. Avboka eller boka om den.",
            Clash::NothingBooked => "Det finns ingen bokad tid att flytta.",
            Clash::NoConsent => {
                "Personen kan inte presenteras för arbetsgivaren utan sitt samtycke för den här annonsen. Registrera samtycket eller begär det först."
            }
            Clash::NoContactDetails => {
                "Personen har inget telefonnummer eller någon e-postadress att skicka frågan till. Registrera svaret du fått i stället."
            }
            Clash::ConsentClosed => "Frågan kan inte längre besvaras på det sättet.",
            Clash::ActivePlacements => "Annonsen har placeringar som pågår. Stäng den i stället för att ta bort den.",
            Clash::HasMeeting => {
                "Du har redan en bokad tid. Öppna länken du fick när du bokade för att se, byta eller avboka den."
            }
            Clash::IdentityConfirmed => "Ansökan är redan kopplad till en annan arbetssökande.",
            Clash::MeetingCancelled => "Mötet är avbokat.",
            Clash::NotEmpty => "Databasen innehåller redan uppgifter.",
            Clash::LastAdmin => "Den sista administratörsnyckeln kan inte återkallas.",
            Clash::Unique => "Uppgiften finns redan.",
        }
    }
}

impl Label for crate::caseload::Sort {
    fn label(self) -> &'static str {
        use crate::caseload::Sort;
        match self {
            Sort::Waited => "väntat längst",
            Sort::LastContact => "längst sedan kontakt",
            Sort::NextContact => "nästa kontakt",
            Sort::Status => "status",
            Sort::Name => "namn",
        }
    }
}

impl Label for crate::shortlist::ShortlistStatus {
    fn label(self) -> &'static str {
        use crate::shortlist::ShortlistStatus as S;
        match self {
            S::Considering => "övervägs",
            S::Contacted => "kontaktad",
            S::Suitable => "lämplig",
            S::NotSuitable => "ej aktuell – passar inte",
            S::NotInterested => "ej aktuell – inte intresserad",
        }
    }
}

impl Label for crate::shortlist::ConsentState {
    fn label(self) -> &'static str {
        use crate::shortlist::ConsentState as C;
        match self {
            C::Requested => "samtycke begärt",
            C::Given => "samtycke givet",
            C::Declined => "samtycke nekat",
            C::Expired => "ingen svarade i tid",
            C::Withdrawn => "samtycke återkallat",
        }
    }
}

impl Label for crate::shortlist::ConsentHow {
    fn label(self) -> &'static str {
        use crate::shortlist::ConsentHow as H;
        match self {
            H::Phone => "per telefon",
            H::InPerson => "vid möte",
            H::Digital => "digitalt via länken",
            H::Letter => "per brev",
        }
    }
}

impl Label for crate::placements::feedback::Answer {
    fn label(self) -> &'static str {
        use crate::placements::feedback::Answer as A;
        match self {
            A::Suitable => "lämplig",
            A::Considering => "funderar",
            A::NotSuitable => "inte lämplig",
            A::Hired => "anställd",
        }
    }
}

impl Label for crate::openings::OpeningSort {
    fn label(self) -> &'static str {
        use crate::openings::OpeningSort as S;
        match self {
            S::Deadline => "sista ansökningsdag",
            S::Published => "senast publicerad",
            S::Vacancies => "flest platser kvar",
        }
    }
}

impl Label for Thing {
    fn label(self) -> &'static str {
        match self {
            Thing::Route => "sidan",
            Thing::Resource => "uppgiften",
            Thing::Token => "nyckeln",
            Thing::User => "användaren",
            Thing::Employer => "arbetsgivaren",
            Thing::Seeker => "den arbetssökande",
            Thing::Opening => "annonsen",
            Thing::Placement => "placeringen",
            Thing::Officer => "arbetsmarknadssekreteraren",
            Thing::Application => "ansökan",
            Thing::Booking => "bokningen",
            Thing::Vocabulary => "ordlistan",
            Thing::Unit => "enheten",
            Thing::Contact => "kontaktpersonen",
            Thing::ShortlistEntry => "personen på kortlistan",
            Thing::ConsentRequest => "frågan om samtycke",
            Thing::Import => "importen",
        }
    }
}

/// An error as a page shows it: a title and a sentence, both Swedish whatever the error.
pub fn app_error(e: &AppError) -> (&'static str, String) {
    match e {
        AppError::Validation(errors) => ("Uppgifterna behöver rättas", field_problems(errors)),
        AppError::BadRequest { field: Some(f), .. } => {
            ("Uppgifterna behöver rättas", format!("{} är inte skrivet på rätt sätt.", field_name(f)))
        }
        AppError::BadRequest { field: None, .. } => ("Det gick inte", "Förfrågan kunde inte läsas.".into()),
        AppError::Unauthorized(_) => ("Logga in", "Logga in för att se sidan.".into()),
        AppError::Forbidden => ("Ingen behörighet", "Din roll ger inte tillgång till den här sidan.".into()),
        AppError::ReasonRequired => {
            ("Ange skäl", "Personen tillhör en annan enhet än din. Ange varför du behöver se uppgifterna.".into())
        }
        AppError::NotFound(thing) => ("Hittades inte", format!("Vi hittar inte {}.", thing.label())),
        AppError::Conflict { clash, .. } => ("Det gick inte", clash.label().to_string()),
        AppError::PreconditionFailed(_) | AppError::PreconditionRequired(_) => {
            ("Det gick inte", Clash::ChangedMeanwhile.label().to_string())
        }
        AppError::PayloadTooLarge(_) => ("Det gick inte", "Det som skickades var för stort.".into()),
        AppError::RequestTimeout => ("Det gick inte", "Det tog för lång tid att skicka. Försök igen.".into()),
        AppError::UnsupportedMediaType(_) => ("Det gick inte", "Formuläret kunde inte läsas.".into()),
        AppError::MethodNotAllowed => ("Det gick inte", "Sidan går inte att använda på det sättet.".into()),
        AppError::TooManyRequests { .. } => ("För många försök", "Vänta en minut och försök igen.".into()),
        AppError::Unprocessable { .. } => ("Det gick inte", "Uppgifterna gick inte att använda.".into()),
        AppError::Unavailable(_) => {
            ("Tillfälligt fel", "Tjänsten är upptagen just nu. Försök igen om en stund.".into())
        }
        AppError::Internal(_) => match e.log_internal() {
            Some(id) => ("Något gick fel", format!("Något gick fel hos oss. Ange felkod {id} om du hör av dig.")),
            None => ("Något gick fel", "Något gick fel hos oss.".into()),
        },
    }
}

impl Label for EntryKind {
    fn label(self) -> &'static str {
        match self {
            EntryKind::Note => "Anteckning",
            EntryKind::Call => "Samtal",
            EntryKind::Sms => "Sms",
            EntryKind::Email => "E-post",
            EntryKind::Meeting => "Möte",
        }
    }
}

impl Label for crate::processes::Measure {
    fn label(self) -> &'static str {
        use crate::processes::Measure as M;
        match self {
            M::ExitsToWorkOrStudies => "Avslut till arbete eller studier",
            M::MedianHoursToMeeting => "Mediantimmar från ansökan till möte",
            M::ShareMetNextWorkingDay => "Andel möten nästa arbetsdag",
            M::NoShowShare => "Andel uteblivna möten",
            M::Proposals => "Förslag till arbetsgivare",
            M::ShareContacted14Days => "Andel med kontakt senaste 14 dagarna",
            M::MedianDaysToFirstProposal => "Mediandagar från inskrivning till första förslag",
        }
    }
}

impl Label for crate::processes::Pace {
    fn label(self) -> &'static str {
        use crate::processes::Pace as P;
        match self {
            P::Ahead => "Före",
            P::OnTrack => "I fas",
            P::Behind => "Efter",
            P::NoTarget => "Inget mål",
            P::NoData => "Inga uppgifter än",
        }
    }
}

impl Label for crate::signals::SignalKind {
    fn label(self) -> &'static str {
        use crate::signals::SignalKind as K;
        match self {
            K::ProcessBehind => "Process efter målet",
            K::NoContact => "Ingen kontakt",
            K::NextDayFull => "Nästa arbetsdag fullbokad",
            K::NoShows => "Många uteblivna möten",
            K::DeadlineNobodyPresented => "Sista ansökningsdag nära, ingen presenterad",
            K::ConsentExpires => "Samtyckesfrågan går ut i morgon",
        }
    }
}

/// A field's name as a person would say it; fields the pages never show get a neutral word.
pub fn field_name(base: &str) -> &'static str {
    match base {
        "personnummer" => "Personnumret",
        "first_name" => "Förnamnet",
        "last_name" => "Efternamnet",
        "email" => "E-postadressen",
        "phone" => "Telefonnumret",
        "situation" => "Beskrivningen",
        "municipality" | "municipality_code" | "workplace_address.municipality_code" => "Kommunen",
        "occupation" | "occupations" => "Yrket",
        "licence" | "driving_licences" => "Körkortet",
        "status" => "Statusen",
        "available_before" => "Datumet för tillgänglig före",
        "q" => "Sökordet",
        "month" => "Månaden",
        "unit" => "Enheten",
        "kind" => "Typen av placering",
        "to" => "Nästa steg",
        "at" => "Datumet",
        "outcome" => "Utfallet",
        "employment_until" => "Anställningens slutdatum",
        "student_finance_eligible" => "Uppgiften om studiemedel",
        "note" | "text" => "Anteckningen",
        "next_contact_on" => "Nästa kontakt",
        "slot_id" => "Tiden",
        "skills" => "Kompetensen",
        "languages" => "Språket",
        "available_from" => "Datumet för tillgänglig från",
        "max_commute_km" => "Pendlingsavståndet",
        "summary" => "Beskrivningen",
        "broker_id" => "Jobbmäklaren",
        "exit_reason" => "Orsaken till avslut",
        "exit_date" => "Datumet för avslut",
        "paused_until" => "Datumet för pausen",
        "pause_reason" => "Orsaken till pausen",
        "version" => "Versionen",
        "deadline" => "Svarsdatumet",
        "seeker_id" => "Den arbetssökande",
        "limit" | "offset" => "Sidan",
        _ => "Uppgiften",
    }
}

/// What is wrong, in Swedish, for showing beside the field; the codes an applicant meets
/// get a sentence of their own.
pub fn field_problem(e: &FieldError) -> String {
    match e.code.as_str() {
        "personnummer.check_digit" => "Personnumret stämmer inte (kontrollsiffran). Kontrollera siffrorna.".into(),
        "personnummer.format" | "personnummer.date_of_birth" => {
            "Skriv personnumret som ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN.".into()
        }
        "phone.required" => "Ange telefon eller e-post, så att vi kan nå dig.".into(),
        "phone.format" => "Skriv telefonnumret med 7 till 15 siffror.".into(),
        "email.format" => "Skriv en e-postadress som namn@exempel.se.".into(),
        "month.format" => "Välj en månad, ÅÅÅÅ-MM.".into(),
        _ if e.fault == Fault::Required => "Fyll i det här fältet.".into(),
        _ => format!("{} {}.", field_name(&e.field_base()), e.fault.label()),
    }
}

/// The same, for a list of problems above a form: names the field.
pub fn field_problems(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| match e.fault {
            Fault::Required => format!("{} behöver fyllas i.", field_name(&e.field_base())),
            _ => field_problem(e),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Why a score part got its value, in Swedish (the "Varför" column).
pub fn why(part: Part, why: Why) -> String {
    match why {
        Why::Occupation { relation, code, inferred } => {
            let c = format!("{code:04}");
            let name = crate::reference::reference().ssyk_name(&c).unwrap_or("");
            let read = if inferred { " (yrke utläst ur texten)" } else { "" };
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
