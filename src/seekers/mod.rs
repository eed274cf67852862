//! Job seekers: people on assistance, newcomers, young people. Personal data (personnummer,
//! names, contact details) is read by brokers and officers only, every read is audited, and
//! it is never indexed, logged or shown to employers.

pub mod http;
pub mod service;
pub mod store;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{AppResult, Errors, Fault};
use crate::ident::Personnummer;
use crate::reference::SkillRef;
use crate::vocabulary::{self, Language, MunicipalityCode, SsykCode};

crate::text_enum! {
    /// Where a seeker is: looking (active), paused, in a placement, or gone from assistance.
    #[derive(Default)]
    pub enum SeekerStatus {
        #[default]
        Active = "active",
        Paused = "paused",
        Placed = "placed",
        Exited = "exited",
    }
}

crate::text_enum! {
    /// Why someone left assistance.
    pub enum ExitReason {
        Employment = "employment",
        SubsidisedEmployment = "subsidised_employment",
        MunicipalLabourMarketJob = "municipal_labour_market_job",
        Studies = "studies",
        Moved = "moved",
        Other = "other",
    }
}

/// A seeker as clients send it (create), and as a PATCH is merged into.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeekerInput {
    pub personnummer: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub municipality_code: String,
    #[serde(default)]
    pub occupations: Vec<String>,
    /// A JobTech occupation-name concept id: its SSYK unit group is added to `occupations`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupation_concept_id: Option<String>,
    /// Vocabulary ids or free text.
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default)]
    pub languages: Vec<Language>,
    #[serde(default)]
    pub driving_licences: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_from: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_commute_km: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker_id: Option<String>,
    #[serde(default)]
    pub status: SeekerStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_reason: Option<ExitReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_date: Option<NaiveDate>,
    /// With status `paused`: until when, and why (kept only while paused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_until: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause_reason: Option<String>,
}

/// A validated, normalised seeker, ready to store.
#[derive(Debug, Clone)]
pub struct SeekerData {
    pub personnummer: Personnummer,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub municipality_code: MunicipalityCode,
    pub occupations: Vec<SsykCode>,
    pub skills: Vec<SkillRef>,
    pub languages: Vec<Language>,
    pub driving_licences: Vec<String>,
    pub available_from: Option<NaiveDate>,
    pub max_commute_km: Option<u32>,
    pub summary: Option<String>,
    pub unit: Option<String>,
    pub broker_id: Option<String>,
    pub status: SeekerStatus,
    pub exit_reason: Option<ExitReason>,
    pub exit_date: Option<NaiveDate>,
    pub paused_until: Option<NaiveDate>,
    pub pause_reason: Option<String>,
}

pub use crate::text::valid_email;

/// Keeps `+` and digits; 7 to 15 digits as E.164 allows.
pub fn normalize_phone(p: &str) -> Option<String> {
    if !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
        return None;
    }
    let digits: String = p.chars().filter(char::is_ascii_digit).collect();
    if !(7..=15).contains(&digits.len()) {
        return None;
    }
    Some(if p.trim_start().starts_with('+') { format!("+{digits}") } else { digits })
}

impl SeekerInput {
    pub fn validate(&self, today: NaiveDate) -> AppResult<SeekerData> {
        let mut errors = Errors::new();
        let personnummer = match Personnummer::parse(&self.personnummer, today) {
            Ok(p) => Some(p),
            Err((fault, msg)) => {
                errors.add("personnummer", fault, msg);
                None
            }
        };
        let first_name = vocabulary::text(&self.first_name, "first_name", 100, &mut errors);
        let last_name = vocabulary::text(&self.last_name, "last_name", 100, &mut errors);
        let email = vocabulary::optional_text(&self.email, "email", 254, &mut errors).map(|e| e.to_lowercase());
        if email.as_deref().is_some_and(|e| !valid_email(e)) {
            errors.add("email", Fault::Format, "is not an e-mail address");
        }
        let phone = match vocabulary::optional_text(&self.phone, "phone", 30, &mut errors) {
            Some(p) => normalize_phone(&p).or_else(|| {
                errors.add("phone", Fault::Format, "must be a phone number of 7 to 15 digits");
                None
            }),
            None => None,
        };
        let municipality_code = vocabulary::municipality(&self.municipality_code, "municipality_code", &mut errors);
        let mut occupations = vocabulary::occupations(&self.occupations, "occupations", &mut errors);
        if let Some(id) = &self.occupation_concept_id
            && let Some(code) = vocabulary::occupation_concept(id, "occupation_concept_id", &mut errors)
            && !occupations.contains(&code)
        {
            occupations.insert(0, code);
        }
        let skills = vocabulary::skills(&self.skills, "skills", &mut errors);
        let languages = vocabulary::languages(&self.languages, "languages", &mut errors);
        let driving_licences = vocabulary::driving_licences(&self.driving_licences, "driving_licences", &mut errors);
        if self.max_commute_km.is_some_and(|k| k > 1000) {
            errors.add("max_commute_km", Fault::Range, "must be at most 1000");
        }
        let summary = vocabulary::free_text(&self.summary, "summary", 5000, &mut errors);
        let unit = vocabulary::optional_text(&self.unit, "unit", 100, &mut errors);
        let broker_id = vocabulary::optional_text(&self.broker_id, "broker_id", 100, &mut errors);
        match (self.status, self.exit_reason, self.exit_date) {
            (SeekerStatus::Exited, None, _) => {
                errors.add("exit_reason", Fault::Required, "is required when status is exited")
            }
            (SeekerStatus::Exited, _, None) => {
                errors.add("exit_date", Fault::Required, "is required when status is exited")
            }
            (SeekerStatus::Exited, _, Some(d)) if d > today => {
                errors.add("exit_date", Fault::Future, "is in the future")
            }
            (s, Some(_), _) if s != SeekerStatus::Exited => {
                errors.add("exit_reason", Fault::NotApplicable, "only for status exited")
            }
            _ => {}
        }
        let paused = self.status == SeekerStatus::Paused;
        let pause_reason = vocabulary::optional_text(&self.pause_reason, "pause_reason", 200, &mut errors);
        if paused && self.paused_until.is_some_and(|d| d < today) {
            errors.add("paused_until", Fault::Past, "is in the past");
        }
        errors.into_result()?;
        let (Some(personnummer), Some(municipality_code)) = (personnummer, municipality_code) else {
            return Err(crate::error::AppError::internal("validation passed without the codes"));
        };
        Ok(SeekerData {
            personnummer,
            first_name,
            last_name,
            email,
            phone,
            municipality_code,
            occupations,
            skills,
            languages,
            driving_licences,
            available_from: self.available_from,
            max_commute_km: self.max_commute_km,
            summary,
            unit,
            broker_id,
            status: self.status,
            exit_reason: self.exit_reason,
            exit_date: self.exit_date.filter(|_| self.status == SeekerStatus::Exited),
            paused_until: self.paused_until.filter(|_| paused),
            pause_reason: pause_reason.filter(|_| paused),
        })
    }
}

/// A seeker as staff see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Seeker {
    pub id: String,
    pub personnummer: Option<Personnummer>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub municipality_code: MunicipalityCode,
    pub occupations: Vec<String>,
    pub skills: Vec<SkillRef>,
    pub languages: Vec<Language>,
    pub driving_licences: Vec<String>,
    pub available_from: Option<crate::clock::Day>,
    pub max_commute_km: Option<i32>,
    pub summary: Option<String>,
    pub unit: Option<String>,
    pub broker_id: Option<String>,
    pub status: SeekerStatus,
    pub exit_reason: Option<ExitReason>,
    pub exit_date: Option<crate::clock::Day>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused_until: Option<crate::clock::Day>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pause_reason: Option<String>,
    /// What the summary says, read by Platsa ("utläst ur texten"): occupations with stance,
    /// confidence and the words that gave them, skills, licences. Read-only; `POST
    /// /api/v1/seekers/{id}/inferred/confirm` turns it into codes. Absent without a summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inferred: Option<crate::vocabulary::written::Reading>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub registered_at: i64,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_proposed_at: Option<i64>,
    pub version: i64,
    /// Another unit's person as a list shows them: id, name, unit, municipality and status
    /// only. The record needs `GET /api/v1/seekers/{id}` with `X-Access-Reason`.
    pub restricted: bool,
}

/// The reading of a summary: the stored one when the current reader wrote it, else read now
/// (a profile saved before the reader changed). `None` without a summary.
pub fn reading(summary: Option<&str>, stored: Option<&str>) -> Option<crate::vocabulary::written::Reading> {
    use crate::vocabulary::written::{READER_VERSION, Reading, read};
    let summary = summary.filter(|s| !s.trim().is_empty())?;
    let kept = stored.and_then(|s| serde_json::from_str::<Reading>(s).ok()).filter(|r| r.reader == READER_VERSION);
    Some(kept.unwrap_or_else(|| read(summary)))
}

impl Seeker {
    /// The stored seeker as a client would send it, for merging a PATCH into.
    pub fn to_input(&self) -> serde_json::Value {
        let input = SeekerInput {
            personnummer: self.personnummer.as_deref().unwrap_or_default().to_string(),
            first_name: self.first_name.clone().unwrap_or_default(),
            last_name: self.last_name.clone().unwrap_or_default(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            municipality_code: self.municipality_code.to_string(),
            occupations: self.occupations.clone(),
            occupation_concept_id: None,
            skills: self.skills.iter().map(|s| s.id.clone().unwrap_or_else(|| s.label.clone())).collect(),
            languages: self.languages.clone(),
            driving_licences: self.driving_licences.clone(),
            available_from: self.available_from.as_ref().map(crate::clock::Day::date),
            max_commute_km: self.max_commute_km.map(|k| k as u32),
            summary: self.summary.clone(),
            unit: self.unit.clone(),
            broker_id: self.broker_id.clone(),
            status: self.status,
            exit_reason: self.exit_reason,
            exit_date: self.exit_date.as_ref().map(crate::clock::Day::date),
            paused_until: self.paused_until.as_ref().map(crate::clock::Day::date),
            pause_reason: self.pause_reason.clone(),
        };
        serde_json::to_value(input).expect("serializable")
    }
}

impl Seeker {
    /// What a list shows of a person the reader may not see whole (another unit's, without a
    /// stated reason): who, where, and how they stand; nothing to contact them by, nothing
    /// they or staff wrote.
    pub fn restricted(self) -> Seeker {
        Seeker {
            id: self.id,
            first_name: self.first_name,
            last_name: self.last_name,
            municipality_code: self.municipality_code,
            unit: self.unit,
            status: self.status,
            registered_at: self.registered_at,
            updated_at: self.updated_at,
            last_proposed_at: None,
            version: self.version,
            personnummer: None,
            email: None,
            phone: None,
            occupations: vec![],
            skills: vec![],
            languages: vec![],
            driving_licences: vec![],
            available_from: None,
            max_commute_km: None,
            summary: None,
            broker_id: None,
            exit_reason: None,
            exit_date: None,
            paused_until: None,
            pause_reason: None,
            inferred: None,
            restricted: true,
        }
    }
}

// The Swedish words the pages, CSV exports and messages show for these values.
impl crate::labels::Label for SeekerStatus {
    fn label(self) -> &'static str {
        match self {
            SeekerStatus::Active => "Aktiv",
            SeekerStatus::Paused => "Vilande",
            SeekerStatus::Placed => "Placerad",
            SeekerStatus::Exited => "Avslutad",
        }
    }
}

impl crate::labels::Label for ExitReason {
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
