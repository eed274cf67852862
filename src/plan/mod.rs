//! The labour-market plan (arbetsmarknadsplan): the goal agreed with the person, the
//! activities they take part in with their hours, attendance per day, and the offers they
//! declined. From these [`status`] answers, per month, what the assistance decision reads
//! ("har en aktiv arbetsmarknadsplanering", planned and attended hours, unjustified refusals).
//!
//! Everything here is about one person: every read and write passes the privacy gate
//! (`seekers::service::read_person`), and erasure blanks the free text (`privacy::erasure`).

pub mod http;
pub mod service;
pub mod status;
pub mod store;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::clock::Day;
use crate::error::{AppResult, Errors, Fault};

crate::text_enum! {
    /// What the plan leads to.
    pub enum Goal {
        Work = "work",
        Studies = "studies",
        Other = "other",
    }
}

crate::text_enum! {
    /// How the person agreed to the plan.
    pub enum AgreedHow {
        InPerson = "in_person",
        Phone = "phone",
        Digital = "digital",
    }
}

crate::text_enum! {
    /// What kind of activity it is.
    pub enum ActivityKind {
        Praktik = "praktik",
        Arbetstraning = "arbetstraning",
        Extratjanst = "extratjanst",
        Studies = "studies",
        Sfi = "sfi",
        Course = "course",
        JobSearch = "job_search",
        Meeting = "meeting",
        Other = "other",
    }
}

crate::text_enum! {
    /// A day of an activity as recorded.
    pub enum AttendanceState {
        Present = "present",
        /// Giltig frånvaro: sick, a care of child day, an agreed absence.
        AbsentValid = "absent_valid",
        /// Ogiltig frånvaro.
        AbsentInvalid = "absent_invalid",
    }
}

crate::text_enum! {
    /// What kind of offer was declined.
    pub enum DeclineWhat {
        Opening = "opening",
        Activity = "activity",
        Meeting = "meeting",
    }
}

/// Most hours a plan or an activity may ask for in a week.
const MAX_WEEK_HOURS: f64 = 60.0;

/// The plan as staff write it (`PUT` replaces it with a new version; every version is kept).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    pub goal: Goal,
    /// The goal in the person's and the broker's words.
    #[serde(default)]
    pub goal_text: Option<String>,
    /// SSYK 2012 unit group (or a JobTech occupation concept id) the plan aims at.
    #[serde(default)]
    pub occupation: Option<String>,
    /// Hours a week of activities the plan asks for (normally full time).
    pub hours_per_week: f64,
    pub start_date: NaiveDate,
    /// When the plan is to be followed up.
    pub review_date: NaiveDate,
    /// When the person agreed to it; absent while it is a draft.
    #[serde(default)]
    pub agreed_on: Option<NaiveDate>,
    #[serde(default)]
    pub agreed_how: Option<AgreedHow>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A version of a person's plan, with who wrote it and when.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Plan {
    pub seeker_id: String,
    /// 1 for the first plan, one more for each change.
    pub version: i32,
    pub goal: Goal,
    pub goal_text: Option<String>,
    pub occupation: Option<String>,
    pub hours_per_week: f64,
    pub start_date: Day,
    pub review_date: Day,
    pub agreed_on: Option<Day>,
    pub agreed_how: Option<AgreedHow>,
    pub note: Option<String>,
    /// Who wrote this version (name).
    pub by: String,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: i64,
}

impl Plan {
    /// Agreed with the person and started by `day`.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.agreed_on.as_ref().is_some_and(|a| a.date() <= day) && self.start_date.date() <= day
    }
}

/// The plan's fields, checked: free text tidied, the occupation a known code.
pub struct CheckedPlan {
    pub input: PlanInput,
    pub occupation: Option<String>,
}

impl PlanInput {
    pub fn check(mut self, today: NaiveDate) -> AppResult<CheckedPlan> {
        let mut errors = Errors::new();
        self.goal_text = crate::vocabulary::free_text(&self.goal_text, "goal_text", 2000, &mut errors);
        self.note = crate::vocabulary::free_text(&self.note, "note", 5000, &mut errors);
        let occupation = match self.occupation.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => crate::vocabulary::occupation(code, "occupation", &mut errors).map(|c| c.to_string()),
            None => None,
        };
        week_hours(self.hours_per_week, "hours_per_week", &mut errors);
        if self.review_date < self.start_date {
            errors.add("review_date", Fault::Order, "must not be before start_date");
        }
        if self.agreed_on.is_some_and(|d| d > today) {
            errors.add("agreed_on", Fault::Future, "is in the future");
        }
        match (self.agreed_on, self.agreed_how) {
            (Some(_), None) => errors.add("agreed_how", Fault::Required, "is required when agreed_on is given"),
            (None, Some(_)) => errors.add("agreed_how", Fault::NotApplicable, "is given only with agreed_on"),
            _ => {}
        }
        errors.into_result()?;
        Ok(CheckedPlan { input: self, occupation })
    }
}

fn week_hours(hours: f64, field: &str, errors: &mut Errors) {
    if !hours.is_finite() || hours <= 0.0 || hours > MAX_WEEK_HOURS {
        errors.add(field, Fault::Range, format!("must be more than 0 and at most {MAX_WEEK_HOURS}"));
    }
}

/// An activity as staff write it; a `PATCH` is merged into it and checked whole.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    pub kind: ActivityKind,
    /// What the activity is ("Praktik i butik", "SFI kurs C").
    pub title: String,
    /// The placement the activity is (a started praktik, arbetsträning, extratjänst).
    #[serde(default)]
    pub placement_id: Option<String>,
    /// Who runs it (an employer, Komvux, the municipality's own unit).
    #[serde(default)]
    pub provider: Option<String>,
    pub hours_per_week: f64,
    /// ISO weekdays it takes place on: 1 Monday … 7 Sunday.
    pub weekdays: Vec<u8>,
    pub from: NaiveDate,
    /// The last day; open-ended when absent.
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

impl ActivityInput {
    /// Tidies the text and checks the hours, days and dates; the weekdays come back sorted.
    pub fn check(mut self) -> AppResult<Self> {
        let mut errors = Errors::new();
        self.title = crate::vocabulary::text(&self.title, "title", 200, &mut errors);
        if self.title.is_empty() {
            errors.add("title", Fault::Required, "must not be empty");
        }
        self.provider = crate::vocabulary::free_text(&self.provider, "provider", 200, &mut errors);
        week_hours(self.hours_per_week, "hours_per_week", &mut errors);
        self.weekdays.sort_unstable();
        self.weekdays.dedup();
        if self.weekdays.is_empty() {
            errors.add("weekdays", Fault::Required, "must name at least one weekday (1 Monday … 7 Sunday)");
        }
        if self.weekdays.iter().any(|d| !(1..=7).contains(d)) {
            errors.add("weekdays", Fault::Range, "must be ISO weekdays, 1 Monday … 7 Sunday");
        }
        if self.to.is_some_and(|to| to < self.from) {
            errors.add("to", Fault::Order, "must not be before from");
        }
        errors.into_result()?;
        Ok(self)
    }

    /// The hours planned on one day the activity takes place: the week's spread evenly.
    pub fn hours_per_day(&self) -> f64 {
        self.hours_per_week / self.weekdays.len().max(1) as f64
    }
}

/// An activity of a person.
#[derive(Debug, Clone)]
pub struct Activity {
    pub id: String,
    pub seeker_id: String,
    pub fields: ActivityInput,
    pub updated_at: i64,
}

/// An activity as the API answers it: its fields beside its id (an answer may carry more
/// than an input accepts, so it is its own type, not the input flattened).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Activity)]
pub struct ActivityView {
    pub id: String,
    pub seeker_id: String,
    pub kind: ActivityKind,
    pub title: String,
    pub placement_id: Option<String>,
    pub provider: Option<String>,
    pub hours_per_week: f64,
    /// ISO weekdays: 1 Monday … 7 Sunday.
    pub weekdays: Vec<u8>,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

impl From<Activity> for ActivityView {
    fn from(a: Activity) -> Self {
        let f = a.fields;
        Self {
            id: a.id,
            seeker_id: a.seeker_id,
            kind: f.kind,
            title: f.title,
            placement_id: f.placement_id,
            provider: f.provider,
            hours_per_week: f.hours_per_week,
            weekdays: f.weekdays,
            from: f.from,
            to: f.to,
            updated_at: a.updated_at,
        }
    }
}

impl Activity {
    /// Whether the activity takes place on `day` (within from/to, on one of its weekdays).
    pub fn takes_place(&self, day: NaiveDate) -> bool {
        self.within(day) && self.fields.weekdays.contains(&(day.weekday().number_from_monday() as u8))
    }

    /// Whether `day` is within from/to.
    pub fn within(&self, day: NaiveDate) -> bool {
        self.fields.from <= day && self.fields.to.is_none_or(|to| day <= to)
    }

    /// Hours planned in `[from, until)`: its days there times the hours of a day.
    pub fn planned_hours(&self, from: NaiveDate, until: NaiveDate) -> f64 {
        let days = from.iter_days().take_while(|d| *d < until).filter(|d| self.takes_place(*d)).count();
        days as f64 * self.fields.hours_per_day()
    }
}

/// One day of an activity as recorded (`PUT /api/v1/activities/{id}/attendance/{date}`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceInput {
    pub state: AttendanceState,
    /// Hours present (or absent); the activity's hours of a day when left out.
    #[serde(default)]
    pub hours: Option<f64>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A row of a group's week (`POST /api/v1/attendance`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceRow {
    pub activity_id: String,
    pub date: NaiveDate,
    pub state: AttendanceState,
    #[serde(default)]
    pub hours: Option<f64>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A day's attendance as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attendance {
    pub activity_id: String,
    pub seeker_id: String,
    pub date: Day,
    pub state: AttendanceState,
    pub hours: f64,
    pub note: Option<String>,
    /// Who recorded it last (name).
    pub by: String,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: i64,
}

/// A declined offer as staff record it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineInput {
    pub what: DeclineWhat,
    /// The opening, activity or booking declined, when it is in Platsa.
    #[serde(default)]
    pub ref_id: Option<String>,
    pub date: NaiveDate,
    pub reason: String,
    /// Whether the reason was accepted; only an unjustified refusal counts against the person.
    pub justified: bool,
}

/// A declined offer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Decline {
    pub id: String,
    pub seeker_id: String,
    pub what: DeclineWhat,
    pub ref_id: Option<String>,
    pub date: Day,
    pub reason: Option<String>,
    pub justified: bool,
    pub by: String,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: i64,
}

/// The hours of a recorded day: as given, or the activity's hours of a day; 0 to 24.
fn day_hours(given: Option<f64>, activity: &Activity, field: &str, errors: &mut Errors) -> f64 {
    let hours = given.unwrap_or_else(|| (activity.fields.hours_per_day() * 100.0).round() / 100.0);
    if !hours.is_finite() || !(0.0..=24.0).contains(&hours) {
        errors.add(field, Fault::Range, "must be between 0 and 24");
    }
    hours
}

/// Checks a day of attendance against its activity: within from/to and not in the future.
pub fn check_day(
    activity: &Activity,
    date: NaiveDate,
    hours: Option<f64>,
    note: &Option<String>,
    today: NaiveDate,
    prefix: &str,
    errors: &mut Errors,
) -> (f64, Option<String>) {
    let at = |f: &str| if prefix.is_empty() { f.to_string() } else { format!("{prefix}.{f}") };
    if date > today {
        errors.add(at("date"), Fault::Future, "is in the future");
    } else if !activity.within(date) {
        errors.add(at("date"), Fault::Range, "is outside the activity's from and to");
    }
    let hours = day_hours(hours, activity, &at("hours"), errors);
    let note = crate::vocabulary::free_text(note, &at("note"), 1000, errors);
    (hours, note)
}

// The Swedish words the pages, CSV exports and messages show for these values.
impl crate::labels::Label for Goal {
    fn label(self) -> &'static str {
        match self {
            Goal::Work => "Arbete",
            Goal::Studies => "Studier",
            Goal::Other => "Annat",
        }
    }
}

impl crate::labels::Label for AgreedHow {
    fn label(self) -> &'static str {
        match self {
            AgreedHow::InPerson => "vid möte",
            AgreedHow::Phone => "per telefon",
            AgreedHow::Digital => "digitalt",
        }
    }
}

impl crate::labels::Label for ActivityKind {
    fn label(self) -> &'static str {
        match self {
            ActivityKind::Praktik => "Praktik",
            ActivityKind::Arbetstraning => "Arbetsträning",
            ActivityKind::Extratjanst => "Extratjänst",
            ActivityKind::Studies => "Studier",
            ActivityKind::Sfi => "SFI",
            ActivityKind::Course => "Kurs",
            ActivityKind::JobSearch => "Jobbsökande",
            ActivityKind::Meeting => "Möte",
            ActivityKind::Other => "Annat",
        }
    }
}

impl crate::labels::Label for AttendanceState {
    fn label(self) -> &'static str {
        match self {
            AttendanceState::Present => "Närvarande",
            AttendanceState::AbsentValid => "Giltig frånvaro",
            AttendanceState::AbsentInvalid => "Ogiltig frånvaro",
        }
    }
}

impl crate::labels::Label for DeclineWhat {
    fn label(self) -> &'static str {
        match self {
            DeclineWhat::Opening => "Jobb",
            DeclineWhat::Activity => "Aktivitet",
            DeclineWhat::Meeting => "Möte",
        }
    }
}

/// The weekdays as the pages write them ("mån–tors", "fre").
pub fn weekday_names(days: &[u8]) -> String {
    const NAMES: [&str; 7] = ["mån", "tis", "ons", "tors", "fre", "lör", "sön"];
    days.iter().filter_map(|d| NAMES.get(usize::from(*d).wrapping_sub(1))).copied().collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(hours: f64, weekdays: Vec<u8>, from: &str, to: Option<&str>) -> Activity {
        Activity {
            id: "a".into(),
            seeker_id: "s".into(),
            fields: ActivityInput {
                kind: ActivityKind::Praktik,
                title: "Praktik".into(),
                placement_id: None,
                provider: None,
                hours_per_week: hours,
                weekdays,
                from: from.parse().unwrap(),
                to: to.map(|t| t.parse().unwrap()),
            },
            updated_at: 0,
        }
    }

    #[test]
    fn planned_hours_count_the_weekdays_within_from_and_to() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        // March 2027: Mondays–Thursdays from the 5th (a Friday) are 8–11, 15–18, 22–25, 29–31.
        let praktik = activity(20.0, vec![1, 2, 3, 4], "2027-03-05", None);
        assert_eq!(praktik.planned_hours(d("2027-03-01"), d("2027-04-01")), 15.0 * 5.0);
        let sfi = activity(4.0, vec![5], "2027-03-01", Some("2027-03-19"));
        assert_eq!(sfi.planned_hours(d("2027-03-01"), d("2027-04-01")), 3.0 * 4.0);
    }
}
