//! Free-text search with filters, as plain functions for the API and the pages: the query,
//! its validation, and the hits with what a broker needs to pick someone out of a list.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::Lookup;
use super::query::{Filters, search};
use crate::db::DbConnection;
use crate::db::text_enum::TextEnum;
use crate::error::{AppError, AppResult, Errors, Fault};
use crate::openings::OpeningStatus;
use crate::privacy::{self, Reader};
use crate::reference::reference;
use crate::seekers::SeekerStatus;
use crate::{openings, seekers};

/// Filters as query parameters; lists are comma-separated (`municipality=1280,1287`).
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
    pub municipality: Option<String>,
    pub occupation: Option<String>,
    pub licence: Option<String>,
    pub status: Option<String>,
    pub available_before: Option<String>,
    pub employer_id: Option<String>,
    /// Seekers assigned to this broker.
    pub broker_id: Option<String>,
    /// On the pages: `1` for the signed-in broker's own seekers ("Mina arbetssökande").
    pub mine: Option<String>,
    // Read here for the pages; the API documents them once, with `Paging`.
    #[param(ignore)]
    pub limit: Option<i64>,
    #[param(ignore)]
    pub offset: Option<i64>,
}

fn list(v: &Option<String>) -> Vec<String> {
    v.as_deref()
        .map(|s| s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())
        .unwrap_or_default()
}

impl SearchQuery {
    /// The filters, checked; `S` is the status enum of the side searched.
    pub fn filters<S: TextEnum>(&self) -> AppResult<Filters> {
        let mut errors = Errors::new();
        let r = reference();
        let municipality = list(&self.municipality);
        for m in &municipality {
            if !r.municipalities.contains_key(m) {
                errors.add("municipality", Fault::Unknown, format!("`{m}` is not a municipality code"));
            }
        }
        let occupation = self.occupation.as_deref().map(str::trim).filter(|o| !o.is_empty()).map(str::to_string);
        if let Some(o) = &occupation
            && !r.ssyk.contains_key(o)
        {
            errors.add("occupation", Fault::Unknown, format!("`{o}` is not an SSYK code at any level"));
        }
        let licence: Vec<String> = list(&self.licence).into_iter().map(|l| l.to_ascii_uppercase()).collect();
        for l in &licence {
            if !r.driving_licences.contains(l) {
                errors.add("licence", Fault::Unknown, format!("`{l}` is not a driving licence class"));
            }
        }
        if let Some(s) = &self.status
            && S::from_word(s).is_none()
        {
            let words: Vec<&str> = S::all().iter().map(|v| v.word()).collect();
            errors.add("status", Fault::Unknown, format!("must be one of {}", words.join(", ")));
        }
        let available_before = match self.available_before.as_deref() {
            Some(d) => match d.parse() {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.add("available_before", Fault::Format, "must be a date, YYYY-MM-DD");
                    None
                }
            },
            None => None,
        };
        if self.q.chars().count() > 500 {
            errors.add("q", Fault::Length, "must be at most 500 characters");
        }
        errors.into_result()?;
        Ok(Filters {
            municipality,
            occupation,
            licence,
            status: self.status.clone(),
            available_before,
            employer: self.employer_id.clone(),
            broker: self.broker_id.clone().filter(|b| !b.is_empty()),
        })
    }
}

/// What a broker needs to pick someone out of a list; no personnummer or contact details.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SeekerHit {
    pub id: String,
    pub score: f32,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub municipality_code: crate::vocabulary::MunicipalityCode,
    pub occupations: Vec<String>,
    pub skills: Vec<String>,
    pub status: SeekerStatus,
    pub available_from: Option<crate::clock::Day>,
    /// Another unit's person: the profile needs a stated reason (see `Seeker.restricted`).
    pub restricted: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OpeningHit {
    pub id: String,
    pub score: f32,
    pub headline: String,
    pub employer_id: String,
    pub occupation: crate::vocabulary::SsykCode,
    pub occupation_name: Option<String>,
    pub municipality_code: String,
    pub employment_type: crate::openings::EmploymentType,
    pub status: OpeningStatus,
    pub start_date: Option<crate::clock::Day>,
    pub application_deadline: Option<crate::clock::Day>,
}

/// The people a query finds, as ids and scores, and how many there are in all.
pub fn seeker_matches(
    c: &mut DbConnection,
    at: Lookup<'_>,
    q: &SearchQuery,
    (limit, offset): (i64, i64),
) -> AppResult<(Vec<(String, f32)>, i64)> {
    let filters = q.filters::<SeekerStatus>()?;
    // A personnummer, phone number or e-mail address finds that person exactly, from the
    // database; words search names, places and profiles in the index.
    let (hits, total) = match seekers::store::Identifiers::of(&q.q, crate::clock::stockholm_date(at.now)) {
        Some(identifiers) => {
            let ids = seekers::store::find_by_identifiers(c, &identifiers)?;
            let total = ids.len();
            (ids.into_iter().skip(offset as usize).take(limit as usize).map(|id| (id, 1.0)).collect(), total)
        }
        None => search(&at.index.seekers, &q.q, &filters, limit as usize, offset as usize)
            .map_err(|e| AppError::Internal(e.context("searching seekers")))?,
    };
    Ok((hits, total as i64))
}

/// Seekers matching the query, read through the privacy gate (audited; another unit's
/// people without their profile).
pub fn seeker_hits(
    c: &mut DbConnection,
    at: Lookup<'_>,
    reader: &Reader,
    q: &SearchQuery,
    paging: (i64, i64),
) -> AppResult<(Vec<SeekerHit>, i64)> {
    let (hits, total) = seeker_matches(c, at, q, paging)?;
    let ids: Vec<String> = hits.iter().map(|(id, _)| id.clone()).collect();
    let scores: HashMap<String, f32> = hits.into_iter().collect();
    let items = privacy::people(c, reader, &ids)?
        .into_iter()
        .map(|s| SeekerHit {
            score: scores.get(&s.id).copied().unwrap_or_default(),
            id: s.id,
            first_name: s.first_name,
            last_name: s.last_name,
            municipality_code: s.municipality_code,
            occupations: s.occupations,
            skills: s.skills.into_iter().map(|k| k.label).collect(),
            status: s.status,
            available_from: s.available_from,
            restricted: s.restricted,
        })
        .collect();
    Ok((items, total))
}

/// Openings matching the query.
pub fn opening_hits(
    c: &mut DbConnection,
    at: Lookup<'_>,
    q: &SearchQuery,
    (limit, offset): (i64, i64),
) -> AppResult<(Vec<OpeningHit>, i64)> {
    let filters = q.filters::<OpeningStatus>()?;
    let (hits, total) = search(&at.index.openings, &q.q, &filters, limit as usize, offset as usize)
        .map_err(|e| AppError::Internal(e.context("searching openings")))?;
    let ids: Vec<String> = hits.iter().map(|(id, _)| id.clone()).collect();
    let mut rows: HashMap<String, _> =
        openings::store::rows_by_ids(c, &ids)?.into_iter().map(|r| (r.id.clone(), r)).collect();
    let items: Vec<OpeningHit> = hits
        .into_iter()
        .filter_map(|(id, score)| {
            let o = openings::Opening::from(rows.remove(&id).filter(|r| r.deleted_at.is_none())?);
            Some(OpeningHit {
                id: o.id,
                score,
                headline: o.headline,
                employer_id: o.employer_id,
                occupation: o.occupation,
                occupation_name: o.occupation_name,
                municipality_code: o.workplace_address.municipality_code,
                employment_type: o.employment_type,
                status: o.status,
                start_date: o.start_date,
                application_deadline: o.application_deadline,
            })
        })
        .collect();
    Ok((items, total as i64))
}
