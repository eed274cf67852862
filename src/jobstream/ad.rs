//! One job ad in JobTech's JobAd format (as JobStream's `/snapshot` and `/stream` send it),
//! read leniently, and turned into an opening. An ad that cannot become a whole opening is
//! refused with the field that is wrong, never stored in part.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::config::JobStreamFilters;
use crate::openings::{
    Coordinates, EmploymentType, OpeningData, OpeningStatus, Requirements, ScopeOfWork, WorkplaceAddress,
};
use crate::reference::{SkillRef, reference};
use crate::vocabulary::{LanguageLevel, LanguageRequirement, SsykCode, tidied};

/// A taxonomy term as JobTech writes it.
#[derive(Debug, Default, Deserialize)]
pub struct Concept {
    pub concept_id: Option<String>,
    pub label: Option<String>,
    pub legacy_ams_taxonomy_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Description {
    pub text: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Scope {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Employer {
    pub organization_number: Option<String>,
    pub name: Option<String>,
    pub workplace: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Address {
    pub municipality_code: Option<String>,
    pub region_code: Option<String>,
    pub street_address: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    /// `[longitude, latitude]`, GeoJSON's order.
    pub coordinates: Option<Vec<Option<f64>>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Weighted {
    pub concept_id: Option<String>,
    pub label: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AdRequirements {
    #[serde(default)]
    pub skills: Vec<Weighted>,
    #[serde(default)]
    pub languages: Vec<Weighted>,
}

/// The parts of a JobAd Platsa uses; every other field is ignored.
#[derive(Debug, Default, Deserialize)]
pub struct JobAd {
    #[serde(default)]
    pub id: serde_json::Value,
    #[serde(default)]
    pub removed: bool,
    pub headline: Option<String>,
    pub webpage_url: Option<String>,
    pub application_deadline: Option<String>,
    pub number_of_vacancies: Option<i64>,
    pub description: Option<Description>,
    pub employment_type: Option<Concept>,
    pub scope_of_work: Option<Scope>,
    pub employer: Option<Employer>,
    pub driving_license_required: Option<bool>,
    pub driving_license: Option<Vec<Concept>>,
    pub occupation: Option<Concept>,
    pub occupation_group: Option<Concept>,
    pub occupation_field: Option<Concept>,
    pub workplace_address: Option<Address>,
    pub must_have: Option<AdRequirements>,
    pub nice_to_have: Option<AdRequirements>,
}

/// Why an ad was not read: the field (a JSON path into the ad) and the kind of problem.
/// Never a value from the ad.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = AdProblem)]
pub struct Problem {
    /// The ad's id, or `#N` (its place in the answer) when it has none.
    pub ad: String,
    pub field: String,
    pub problem: String,
}

/// An ad read whole: the opening, its employer, and where it lives in Platsbanken.
#[derive(Debug, Clone)]
pub struct Converted {
    pub external_id: String,
    pub webpage_url: Option<String>,
    pub organization_number: String,
    pub employer_name: String,
    pub data: OpeningData,
    pub region_code: Option<String>,
    pub occupation_field: Option<String>,
}

/// What one element of an answer is.
#[derive(Debug)]
pub enum Read {
    Ad(Box<Converted>),
    Removed(String),
    Malformed(Problem),
}

/// The ad's id as text (JobTech sends a string; older payloads a number).
fn id_of(v: &serde_json::Value) -> Option<String> {
    let id = match v {
        serde_json::Value::String(s) => s.trim().to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .then_some(id)
}

/// Reads one element of a snapshot or stream answer; `place` is its position there.
pub fn read(element: serde_json::Value, place: usize) -> Read {
    let fallback = element.get("id").and_then(id_of).unwrap_or_else(|| format!("#{place}"));
    let ad: JobAd = match serde_path_to_error::deserialize(element) {
        Ok(ad) => ad,
        Err(e) => {
            let field = e.path().to_string();
            return Read::Malformed(Problem { ad: fallback, field, problem: "has the wrong type".into() });
        }
    };
    let Some(id) = id_of(&ad.id) else {
        return Read::Malformed(Problem {
            ad: fallback,
            field: "id".into(),
            problem: "missing or not an ad id".into(),
        });
    };
    if ad.removed {
        return Read::Removed(id);
    }
    match convert(&id, &ad) {
        Ok(c) => Read::Ad(Box::new(c)),
        Err((field, problem)) => Read::Malformed(Problem { ad: id, field: field.into(), problem: problem.into() }),
    }
}

type Refused = (&'static str, &'static str);

/// The SSYK unit group: the occupation name's, else the occupation group's concept or its
/// legacy id (which is the SSYK code).
fn occupation(ad: &JobAd) -> Option<SsykCode> {
    let r = reference();
    let by_name = ad.occupation.as_ref().and_then(|o| r.occupation_by_concept(o.concept_id.as_deref()?));
    let code = by_name.map(|o| o.ssyk4.clone()).or_else(|| {
        let g = ad.occupation_group.as_ref()?;
        g.concept_id
            .as_deref()
            .and_then(|id| r.by_concept.ssyk.get(id).cloned())
            .or_else(|| g.legacy_ams_taxonomy_id.clone().filter(|c| r.is_ssyk4(c)))
    })?;
    SsykCode::known(code)
}

/// JobTech's employment types onto Platsa's; a summer job is told by its label.
fn employment_type(c: Option<&Concept>) -> EmploymentType {
    let label = c.and_then(|c| c.label.as_deref()).unwrap_or("").to_lowercase();
    if label.contains("sommar") || label.contains("ferie") {
        return EmploymentType::Summer;
    }
    match c.and_then(|c| c.concept_id.as_deref()) {
        Some("PFZr_Syz_cUq") => EmploymentType::Permanent,
        Some("vWxw_BCd_VG6") => EmploymentType::Temporary,
        Some("1paU_aCR_nGn") => EmploymentType::Hourly,
        Some("Jh8f_q9J_pbJ") => EmploymentType::Seasonal,
        _ if label.contains("tidsbegränsad") || label.contains("vikariat") => EmploymentType::Temporary,
        _ if label.contains("timanställning") || label.contains("behovsanställning") => EmploymentType::Hourly,
        _ => EmploymentType::Permanent,
    }
}

fn requirements(r: Option<&AdRequirements>, licences: Vec<String>) -> Requirements {
    let reference = reference();
    let mut skills: Vec<SkillRef> = Vec::new();
    let mut languages: Vec<LanguageRequirement> = Vec::new();
    if let Some(r) = r {
        for s in &r.skills {
            let known = s.concept_id.as_deref().and_then(|id| reference.skill(id));
            let skill = match (known, s.label.as_deref().map(|l| tidied(l, 100, false))) {
                (Some(k), _) => SkillRef { id: Some(k.id.clone()), label: k.label.clone() },
                (None, Some(label)) if !label.is_empty() => reference.resolve_skill(&label),
                _ => continue,
            };
            if !skills.iter().any(|o| o.label.eq_ignore_ascii_case(&skill.label)) && skills.len() < 50 {
                skills.push(skill);
            }
        }
        for l in &r.languages {
            let code = l.concept_id.as_deref().and_then(|id| reference.by_concept.language.get(id));
            if let Some(code) = code.filter(|c| !languages.iter().any(|o| &o.code == *c)) {
                languages.push(LanguageRequirement { code: code.clone(), level: LanguageLevel::Basic });
            }
        }
    }
    Requirements { skills, languages, driving_licences: licences }
}

fn date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.get(..10)?, "%Y-%m-%d").ok()
}

fn convert(id: &str, ad: &JobAd) -> Result<Converted, Refused> {
    let r = reference();
    let headline = tidied(ad.headline.as_deref().unwrap_or(""), 200, false);
    if headline.is_empty() {
        return Err(("headline", "missing"));
    }
    let description = tidied(ad.description.as_ref().and_then(|d| d.text.as_deref()).unwrap_or(""), 20_000, true);
    let occupation = occupation(ad).ok_or(("occupation", "no known occupation concept or SSYK group"))?;
    let place = ad.workplace_address.as_ref();
    let municipality_code = place
        .and_then(|a| a.municipality_code.as_deref())
        .map(str::trim)
        .filter(|c| r.municipalities.contains_key(*c))
        .ok_or(("workplace_address.municipality_code", "missing or not a Swedish municipality"))?
        .to_string();
    let employer = ad.employer.as_ref();
    let organization_number = employer
        .and_then(|e| e.organization_number.as_deref())
        .and_then(|n| crate::ident::normalize_organization_number(n).ok())
        .ok_or(("employer.organization_number", "missing or not an organisation number"))?;
    let employer_name = tidied(employer.and_then(|e| e.name.as_deref()).unwrap_or(""), 200, false);
    if employer_name.is_empty() {
        return Err(("employer.name", "missing"));
    }
    let postcode = place.and_then(|a| a.postcode.as_deref()).and_then(crate::openings::swedish_postcode);
    let coordinates = match place.and_then(|a| a.coordinates.as_deref()) {
        Some([Some(lon), Some(lat)]) => Some(Coordinates { lat: *lat, lon: *lon }).filter(|c| c.in_sweden()),
        _ => None,
    };
    let text = |v: Option<&String>, max| v.map(|s| tidied(s, max, false)).filter(|s| !s.is_empty());
    let workplace_address = WorkplaceAddress {
        municipality_code,
        street_address: text(place.and_then(|a| a.street_address.as_ref()), 200),
        postcode,
        city: text(place.and_then(|a| a.city.as_ref()), 100),
        coordinates,
    };
    let application_deadline = match ad.application_deadline.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(d) => Some(date(d).ok_or(("application_deadline", "not a date"))?),
        None => None,
    };
    let mut licences: Vec<String> = ad
        .driving_license
        .iter()
        .flatten()
        .filter_map(|l| r.by_concept.licence.get(l.concept_id.as_deref()?).cloned())
        .collect();
    licences.sort();
    licences.dedup();
    let required = ad.driving_license_required.unwrap_or(false);
    let (must_licences, nice_licences) = if required { (licences, Vec::new()) } else { (Vec::new(), licences) };
    let scope_of_work = ad.scope_of_work.as_ref().and_then(|s| {
        let max = s.max?.round().clamp(1.0, 100.0) as u8;
        let min = s.min.unwrap_or(f64::from(max)).round().clamp(1.0, f64::from(max)) as u8;
        Some(ScopeOfWork { min, max })
    });
    let webpage_url = ad
        .webpage_url
        .as_deref()
        .map(str::trim)
        .filter(|u| u.len() <= 500 && (u.starts_with("https://") || u.starts_with("http://")))
        .filter(|u| !u.chars().any(|c| c.is_whitespace() || c.is_control()))
        .map(str::to_string);
    Ok(Converted {
        external_id: id.to_string(),
        webpage_url,
        organization_number,
        employer_name,
        data: OpeningData {
            headline,
            description,
            occupation,
            workplace_address,
            number_of_vacancies: ad.number_of_vacancies.unwrap_or(1).clamp(1, 1000) as u32,
            employment_type: employment_type(ad.employment_type.as_ref()),
            must_have: requirements(ad.must_have.as_ref(), must_licences),
            nice_to_have: requirements(ad.nice_to_have.as_ref(), nice_licences),
            application_deadline,
            start_date: None,
            scope_of_work,
            status: OpeningStatus::Open,
        },
        region_code: place.and_then(|a| a.region_code.clone()),
        occupation_field: ad.occupation_field.as_ref().and_then(|f| f.concept_id.clone()),
    })
}

impl JobStreamFilters {
    /// Whether the municipality reads this ad: it matches every filter given.
    pub fn admit(&self, c: &Converted) -> bool {
        let municipality = &c.data.workplace_address.municipality_code;
        (self.municipality_codes.is_empty() || self.municipality_codes.contains(municipality))
            && (self.region_codes.is_empty()
                || self.region_codes.iter().any(|r| Some(r) == c.region_code.as_ref() || municipality.starts_with(r)))
            && (self.occupation_fields.is_empty()
                || c.occupation_field.as_ref().is_some_and(|f| self.occupation_fields.contains(f)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ad() -> serde_json::Value {
        json!({
            "id": "30112233",
            "webpage_url": "https://arbetsformedlingen.se/platsbanken/annonser/30112233",
            "headline": "Undersköterska till hemtjänsten\u{202E}",
            "application_deadline": "2026-12-20T23:59:59",
            "number_of_vacancies": 2,
            "description": { "text": "Vi söker dig.\r\nVälkommen!" },
            "employment_type": { "concept_id": "vWxw_BCd_VG6", "label": "Tidsbegränsad anställning/Vikariat" },
            "scope_of_work": { "min": 75, "max": 100 },
            "employer": { "organization_number": "2120001124", "name": "Trelleborgs kommun" },
            "driving_license_required": true,
            "driving_license": [{ "concept_id": "VTK8_WRx_GcM", "label": "B" }],
            "occupation": { "concept_id": "unknown", "label": "Undersköterska" },
            "occupation_group": { "concept_id": "x", "legacy_ams_taxonomy_id": "5321" },
            "workplace_address": { "municipality_code": "1287", "region_code": "12", "postcode": "23144", "coordinates": [13.15, 55.37] },
            "must_have": { "skills": [], "languages": [] }
        })
    }

    #[test]
    fn an_ad_becomes_an_opening_with_its_taxonomy_mapped() {
        let Read::Ad(c) = read(ad(), 0) else { panic!("read") };
        assert_eq!(c.external_id, "30112233");
        assert_eq!(c.data.headline, "Undersköterska till hemtjänsten");
        assert_eq!(c.data.description, "Vi söker dig.\nVälkommen!");
        assert_eq!(c.data.occupation.as_str(), "5321");
        assert_eq!(c.data.employment_type, EmploymentType::Temporary);
        assert_eq!(c.data.must_have.driving_licences, vec!["B".to_string()]);
        assert_eq!(c.data.workplace_address.postcode.as_deref(), Some("231 44"));
        assert_eq!(c.data.workplace_address.coordinates, Some(Coordinates { lat: 55.37, lon: 13.15 }));
        assert_eq!(c.organization_number, "212000-1124");
        assert_eq!(c.data.scope_of_work, Some(ScopeOfWork { min: 75, max: 100 }));
    }

    #[test]
    fn a_malformed_ad_names_the_field_and_never_a_value() {
        let mut bad = ad();
        bad["number_of_vacancies"] = json!("två");
        let Read::Malformed(p) = read(bad, 3) else { panic!("malformed") };
        assert_eq!((p.ad.as_str(), p.field.as_str()), ("30112233", "number_of_vacancies"));
        let mut bad = ad();
        bad["workplace_address"]["municipality_code"] = json!("9999");
        let Read::Malformed(p) = read(bad, 3) else { panic!("malformed") };
        assert_eq!(p.field, "workplace_address.municipality_code");
        let Read::Malformed(p) = read(json!({"headline": "x"}), 7) else { panic!("malformed") };
        assert_eq!((p.ad.as_str(), p.field.as_str()), ("#7", "id"));
        assert!(matches!(read(json!({"id": "1", "removed": true}), 0), Read::Removed(id) if id == "1"));
    }
}
