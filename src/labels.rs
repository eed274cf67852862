//! The Swedish words for values below the capabilities (errors, fields, language levels) and
//! the [`Label`] trait every domain enum implements beside its definition, one exhaustive
//! `match` each: a new variant without a label does not compile, so no English word reaches
//! a page, a CSV export or a message through a fallback. Page-only wording is `web::labels`.

use crate::error::{AppError, Clash, Fault, FieldError, Thing};
use crate::vocabulary::LanguageLevel;

/// A value's Swedish label, as the pages, exports and messages show it.
pub trait Label: Copy {
    fn label(self) -> &'static str;
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
            Clash::AlreadyProposed => {
                "Personen har redan en pågående placering av det här slaget (till annonsen eller studier)."
            }
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
            Clash::HasAttendance => {
                "Det finns registrerad närvaro på aktiviteten. Avsluta den med ett slutdatum i stället för att ta bort den."
            }
            Clash::Unique => "Uppgiften finns redan.",
            Clash::NotRegistered => {
                "Det finns ännu inga uppgifter om dig att ompröva. Ta upp det vid ditt möte med arbetsmarknadssekreteraren."
            }
            Clash::MatchHandled => "Förslaget är redan hanterat.",
            Clash::OfferAnswered => "Erbjudandet är redan besvarat.",
            Clash::OfferExpired => "Tiden hölls inte längre åt dig och har erbjudits någon annan.",
            Clash::DecisionRecorded => "Ett annat beslut är redan registrerat för ansökan.",
            Clash::MeetingPassed => "Mötet är inte längre bokat eller har redan börjat, så det kan inte ändras.",
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
            Thing::Activity => "aktiviteten",
            Thing::Plan => "planeringen",
            Thing::Review => "begäran om omprövning",
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
        AppError::Unauthorized(_) | AppError::UnauthorizedSlowed { .. } => {
            ("Logga in", "Logga in för att se sidan.".into())
        }
        AppError::Forbidden => ("Ingen behörighet", "Din roll ger inte tillgång till den här sidan.".into()),
        AppError::ReasonRequired => {
            ("Ange skäl", "Personen tillhör en annan enhet än din. Ange varför du behöver se uppgifterna.".into())
        }
        AppError::EidRequired => {
            ("Legitimera dig", "Logga in med e-legitimation (BankID eller Freja eID) innan du skickar ansökan.".into())
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
        "broker_id" | "broker" => "Jobbmäklaren",
        "exit_reason" => "Orsaken till avslut",
        "exit_date" => "Datumet för avslut",
        "paused_until" => "Datumet för pausen",
        "pause_reason" => "Orsaken till pausen",
        "version" => "Versionen",
        "deadline" => "Svarsdatumet",
        "seeker_id" => "Den arbetssökande",
        "limit" | "offset" => "Sidan",
        "name" => "Namnet",
        "role" => "Rollen",
        "employer_id" => "Arbetsgivaren",
        "organization_number" => "Organisationsnumret",
        "user_id" => "Användaren",
        "absence_from" => "Startdatumet",
        "absence_to" => "Slutdatumet",
        "meeting_minutes" => "Mötets längd",
        "weekly_hours" => "Arbetstiderna",
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

/// A date as the pages write it: `24 november 2026` (the text as given when it is no date).
pub fn date(d: &str) -> String {
    use chrono::Datelike;
    match d.get(..10).and_then(|d| d.parse::<chrono::NaiveDate>().ok()) {
        Some(d) => format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year()),
        None => d.to_string(),
    }
}

const WEEKDAYS: [&str; 7] = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"];

/// A unix instant as Stockholm time: `tisdag 24 november kl. 09:00`.
pub fn instant(ts: i64) -> String {
    use chrono::Datelike;
    let t = chrono::DateTime::from_timestamp(ts, 0).unwrap_or_default().with_timezone(&chrono_tz::Europe::Stockholm);
    format!(
        "{} {} {} kl. {}",
        WEEKDAYS[t.weekday().num_days_from_monday() as usize],
        t.day(),
        MONTHS[t.month0() as usize],
        t.format("%H:%M")
    )
}

/// A weekday's name, Monday first: `Måndag`.
pub fn weekday(i: usize) -> &'static str {
    ["Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag"][i % 7]
}

/// The day of a unix instant in Stockholm: `tisdag 24 november`.
pub fn day(ts: i64) -> String {
    use chrono::Datelike;
    let t = chrono::DateTime::from_timestamp(ts, 0).unwrap_or_default().with_timezone(&chrono_tz::Europe::Stockholm);
    format!("{} {} {}", WEEKDAYS[t.weekday().num_days_from_monday() as usize], t.day(), MONTHS[t.month0() as usize])
}

/// A count with its noun in the right number: `1 plats`, `3 platser`, `0 platser`.
pub fn count(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The months' Swedish names.
pub const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];
