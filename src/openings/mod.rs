//! Openings (platsannonser) posted by employers with their own token, or by brokers on an
//! employer's behalf. Field names follow Arbetsförmedlingen's JobTech job-ad schema.

pub mod http;
pub mod store;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Who may post, change and withdraw openings (employers only their own).
pub const WRITERS: &[crate::auth::Role] =
    &[crate::auth::Role::Employer, crate::auth::Role::Broker, crate::auth::Role::Admin];

use crate::error::{AppResult, Errors, Fault};
use crate::reference::SkillRef;
use crate::vocabulary::{self, LanguageRequirement, SsykCode};

crate::text_enum! {
    /// The form of employment, JobTech's employment types plus the municipal measures.
    pub enum EmploymentType {
        Permanent = "permanent",
        Temporary = "temporary",
        Summer = "summer",
        Seasonal = "seasonal",
        Hourly = "hourly",
        Praktik = "praktik",
        Arbetstraning = "arbetstraning",
        Extratjanst = "extratjanst",
        Nystartsjobb = "nystartsjobb",
        Lonebidrag = "lonebidrag",
    }
}

crate::text_enum! {
    /// Whether an opening still takes candidates.
    #[derive(Default)]
    pub enum OpeningStatus {
        #[default]
        Open = "open",
        Filled = "filled",
        Closed = "closed",
    }
}

crate::text_enum! {
    /// Where an opening came from: posted in Platsa, or read from Arbetsförmedlingen's
    /// JobStream (Platsbanken), where it is changed and removed.
    #[derive(Default)]
    pub enum OpeningSource {
        #[default]
        Platsa = "platsa",
        Platsbanken = "platsbanken",
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementsInput {
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default)]
    pub languages: Vec<LanguageRequirement>,
    #[serde(default)]
    pub driving_licences: Vec<String>,
}

/// Requirements as stored and shown: skills resolved to the vocabulary where possible.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Requirements {
    pub skills: Vec<SkillRef>,
    pub languages: Vec<LanguageRequirement>,
    pub driving_licences: Vec<String>,
}

impl Requirements {
    fn to_input(&self) -> RequirementsInput {
        RequirementsInput {
            skills: self.skills.iter().map(|s| s.id.clone().unwrap_or_else(|| s.label.clone())).collect(),
            languages: self.languages.clone(),
            driving_licences: self.driving_licences.clone(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.skills.is_empty() && self.languages.is_empty() && self.driving_licences.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkplaceAddress {
    pub municipality_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The workplace itself, when known; distances are otherwise from the municipality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coordinates: Option<Coordinates>,
}

/// WGS 84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Coordinates {
    pub lat: f64,
    pub lon: f64,
}

impl Coordinates {
    /// Inside Sweden's bounding box (with a margin): a point elsewhere is a typo or a swapped
    /// latitude and longitude, and would make every distance wrong.
    pub fn in_sweden(self) -> bool {
        (55.0..=69.5).contains(&self.lat) && (10.5..=24.5).contains(&self.lon)
    }
}

/// Percent of full time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeOfWork {
    pub min: u8,
    pub max: u8,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningInput {
    /// Required when staff post on an employer's behalf; an employer's own token implies it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employer_id: Option<String>,
    pub headline: String,
    #[serde(default)]
    pub description: String,
    /// SSYK unit group (or a JobTech occupation concept id). May be left out when
    /// `occupation_concept_id` is given, or when the headline names the occupation.
    #[serde(default)]
    pub occupation: String,
    /// A JobTech occupation-name concept id, mapped to its SSYK unit group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupation_concept_id: Option<String>,
    pub workplace_address: WorkplaceAddress,
    #[serde(default = "one")]
    pub number_of_vacancies: u32,
    pub employment_type: EmploymentType,
    #[serde(default)]
    pub must_have: RequirementsInput,
    #[serde(default)]
    pub nice_to_have: RequirementsInput,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_deadline: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_of_work: Option<ScopeOfWork>,
    #[serde(default)]
    pub status: OpeningStatus,
}

#[derive(Debug, Clone)]
pub struct OpeningData {
    pub headline: String,
    pub description: String,
    pub occupation: SsykCode,
    pub workplace_address: WorkplaceAddress,
    pub number_of_vacancies: u32,
    pub employment_type: EmploymentType,
    pub must_have: Requirements,
    pub nice_to_have: Requirements,
    pub application_deadline: Option<NaiveDate>,
    pub start_date: Option<NaiveDate>,
    pub scope_of_work: Option<ScopeOfWork>,
    pub status: OpeningStatus,
}

fn requirements(input: &RequirementsInput, field: &str, errors: &mut Errors) -> Requirements {
    Requirements {
        skills: vocabulary::skills(&input.skills, &format!("{field}.skills"), errors),
        languages: vocabulary::language_requirements(&input.languages, &format!("{field}.languages"), errors),
        driving_licences: vocabulary::driving_licences(
            &input.driving_licences,
            &format!("{field}.driving_licences"),
            errors,
        ),
    }
}

/// A Swedish postcode as written on letters (`231 42`), from five digits with or without spaces.
pub fn swedish_postcode(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == 5 && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| format!("{} {}", &digits[..3], &digits[3..]))
}

impl OpeningInput {
    /// The occupation: the code given, or the concept id's group, or one the headline or
    /// description names as a JobTech occupation (a unit group; a name spread over a whole
    /// minor group is not enough).
    fn occupation_of(&self, headline: &str, description: &str, errors: &mut Errors) -> Option<SsykCode> {
        let given = (!self.occupation.trim().is_empty())
            .then(|| vocabulary::occupation(&self.occupation, "occupation", errors));
        let concept = self
            .occupation_concept_id
            .as_ref()
            .map(|id| vocabulary::occupation_concept(id, "occupation_concept_id", errors));
        match (given, concept) {
            (Some(Some(code)), Some(Some(other))) if code != other => {
                errors.add(
                    "occupation_concept_id",
                    Fault::Mismatch,
                    format!("names SSYK {other}, but `occupation` is {code}"),
                );
                None
            }
            (Some(code), _) | (None, Some(code)) => code,
            (None, None) => {
                let read = crate::vocabulary::written::read(&format!("{headline}. {description}"))
                    .occupations
                    .into_iter()
                    .find_map(|o| SsykCode::known(o.code));
                if read.is_none() {
                    errors.add(
                        "occupation",
                        Fault::Required,
                        "give an SSYK code or occupation_concept_id; the headline names no occupation",
                    );
                }
                read
            }
        }
    }

    /// `previous_deadline`: on an update, an unchanged deadline may lie in the past.
    pub fn validate(&self, today: NaiveDate, previous_deadline: Option<NaiveDate>) -> AppResult<OpeningData> {
        let mut errors = Errors::new();
        let headline = vocabulary::text(&self.headline, "headline", 200, &mut errors);
        let description = vocabulary::free_text(&Some(self.description.clone()), "description", 20_000, &mut errors)
            .unwrap_or_default();
        let occupation = self.occupation_of(&headline, &description, &mut errors);
        let mut address = self.workplace_address.clone();
        address.municipality_code = address.municipality_code.trim().to_string();
        vocabulary::municipality(&address.municipality_code, "workplace_address.municipality_code", &mut errors);
        address.street_address =
            vocabulary::optional_text(&address.street_address, "workplace_address.street_address", 200, &mut errors);
        address.city = vocabulary::optional_text(&address.city, "workplace_address.city", 100, &mut errors);
        address.postcode =
            match vocabulary::optional_text(&address.postcode, "workplace_address.postcode", 10, &mut errors) {
                Some(p) => {
                    let code = swedish_postcode(&p);
                    if code.is_none() {
                        errors.add(
                            "workplace_address.postcode",
                            Fault::Format,
                            "must be a Swedish postcode of 5 digits",
                        );
                    }
                    code
                }
                None => None,
            };
        if address.coordinates.is_some_and(|c| !c.in_sweden()) {
            errors.add(
                "workplace_address.coordinates",
                Fault::Range,
                "must be a point in Sweden (lat, lon in degrees)",
            );
        }
        if !(1..=1000).contains(&self.number_of_vacancies) {
            errors.add("number_of_vacancies", Fault::Range, "must be between 1 and 1000");
        }
        let must_have = requirements(&self.must_have, "must_have", &mut errors);
        let nice_to_have = requirements(&self.nice_to_have, "nice_to_have", &mut errors);
        if let Some(d) = self.application_deadline
            && d < today
            && Some(d) != previous_deadline
        {
            errors.add("application_deadline", Fault::Past, "is in the past");
        }
        if let Some(s) = self.scope_of_work
            && (s.min == 0 || s.max > 100 || s.min > s.max)
        {
            errors.add("scope_of_work", Fault::Range, "min and max are percent of full time, 1 ≤ min ≤ max ≤ 100");
        }
        errors.into_result()?;
        let Some(occupation) = occupation else {
            return Err(crate::error::AppError::internal("validation passed without the occupation"));
        };
        Ok(OpeningData {
            headline,
            description,
            occupation,
            workplace_address: address,
            number_of_vacancies: self.number_of_vacancies,
            employment_type: self.employment_type,
            must_have,
            nice_to_have,
            application_deadline: self.application_deadline,
            start_date: self.start_date,
            scope_of_work: self.scope_of_work,
            status: self.status,
        })
    }
}

crate::text_enum! {
    /// The kinds of hard requirement the requirement check weighs.
    pub enum HardRequirement {
        Language = "language",
        DrivingLicence = "driving_licence",
        /// The workplace, against each person's own commuting range.
        Distance = "distance",
    }
}

/// A hard requirement that leaves out a large share of the people who otherwise match the
/// opening (`accountability.requirement_exclusion_share`), so brokers and employers can ask
/// whether it is needed for the work: requirements can act as proxies for origin or age.
/// Said, never blocking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RequirementWarning {
    pub requirement: HardRequirement,
    /// Which: the language and level, the licence class, or the workplace's municipality.
    pub label: String,
    /// Otherwise matching people (active, a related occupation, every other hard requirement
    /// met) …
    pub of: i64,
    /// … of whom this many do not meet this one.
    pub excluded: i64,
    /// `excluded / of`.
    pub share: f64,
    /// The warning in Swedish, as the opening page shows it.
    pub message: String,
}

/// The answer to a create or an edit: the opening and what the requirement check found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SavedOpening {
    #[serde(flatten)]
    pub opening: Opening,
    pub warnings: Vec<RequirementWarning>,
}

/// Checks an opening's hard requirements against the register. The accountability
/// capability gives one to the routes at startup: checking reads the ranking's tables, and
/// matching depends on openings.
pub trait RequirementCheck: Send + Sync {
    fn check(&self, opening: &OpeningData) -> Vec<RequirementWarning>;
}

/// What the routes are given (actix app data).
pub type Checker = std::sync::Arc<dyn RequirementCheck>;

/// An opening as its employer and staff see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Opening {
    pub id: String,
    pub employer_id: String,
    pub headline: String,
    pub description: String,
    pub occupation: SsykCode,
    pub occupation_name: Option<String>,
    pub workplace_address: WorkplaceAddress,
    pub number_of_vacancies: i32,
    pub filled_vacancies: i32,
    pub employment_type: EmploymentType,
    pub must_have: Requirements,
    pub nice_to_have: Requirements,
    pub application_deadline: Option<crate::clock::Day>,
    pub start_date: Option<crate::clock::Day>,
    pub scope_of_work: Option<ScopeOfWork>,
    pub status: OpeningStatus,
    /// The broker responsible for the opening ("Mina annonser").
    pub broker_id: Option<String>,
    pub source: OpeningSource,
    /// The ad's id at its source (Platsbanken's annons-id).
    pub external_id: Option<String>,
    /// The ad's own page at its source.
    pub webpage_url: Option<String>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
    pub version: i64,
}

crate::text_enum! {
    /// How a list of openings is ordered.
    pub enum OpeningSort {
        /// The soonest application deadline first (none last).
        Deadline = "deadline",
        /// The most recently published first.
        Published = "published",
        /// The most vacancies left first.
        Vacancies = "vacancies",
    }
}

impl Opening {
    pub fn to_input(&self) -> serde_json::Value {
        let input = OpeningInput {
            employer_id: None,
            headline: self.headline.clone(),
            description: self.description.clone(),
            occupation: self.occupation.to_string(),
            occupation_concept_id: None,
            workplace_address: self.workplace_address.clone(),
            number_of_vacancies: self.number_of_vacancies as u32,
            employment_type: self.employment_type,
            must_have: self.must_have.to_input(),
            nice_to_have: self.nice_to_have.to_input(),
            application_deadline: self.application_deadline.as_ref().map(crate::clock::Day::date),
            start_date: self.start_date.as_ref().map(crate::clock::Day::date),
            scope_of_work: self.scope_of_work,
            status: self.status,
        };
        serde_json::to_value(input).expect("serializable")
    }
}

// The Swedish words the pages, CSV exports and messages show for these values.
impl crate::labels::Label for OpeningSource {
    fn label(self) -> &'static str {
        match self {
            OpeningSource::Platsa => "Platsa",
            OpeningSource::Platsbanken => "Platsbanken",
        }
    }
}

impl crate::labels::Label for OpeningStatus {
    fn label(self) -> &'static str {
        match self {
            OpeningStatus::Open => "Öppen",
            OpeningStatus::Filled => "Tillsatt",
            OpeningStatus::Closed => "Stängd",
        }
    }
}

impl crate::labels::Label for EmploymentType {
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

impl crate::labels::Label for OpeningSort {
    fn label(self) -> &'static str {
        use crate::openings::OpeningSort as S;
        match self {
            S::Deadline => "sista ansökningsdag",
            S::Published => "senast publicerad",
            S::Vacancies => "flest platser kvar",
        }
    }
}

impl crate::labels::Label for HardRequirement {
    fn label(self) -> &'static str {
        match self {
            HardRequirement::Language => "språkkrav",
            HardRequirement::DrivingLicence => "körkortskrav",
            HardRequirement::Distance => "arbetsplatsens läge",
        }
    }
}
