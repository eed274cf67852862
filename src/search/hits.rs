//! Free-text search with filters, as plain functions for the API and the pages: the query,
//! its validation, and the hits with what a broker needs to pick someone out of a list.

use std::collections::HashMap;

use serde::Serialize;

use crate::db::DbConnection;
use crate::error::{AppError, AppResult};
use crate::index::Lookup;
use crate::index::query::{SearchQuery, search};
use crate::openings::OpeningStatus;
use crate::privacy::Reader;
use crate::seekers::SeekerStatus;
use crate::{openings, seekers};

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

/// Seekers matching the query, read through the privacy gate (audited; another unit's
/// people without their profile).
pub fn seeker_hits(
    c: &mut DbConnection,
    at: Lookup<'_>,
    reader: &Reader,
    q: &SearchQuery,
    paging: (i64, i64),
) -> AppResult<(Vec<SeekerHit>, i64)> {
    let (hits, total) = seekers::service::matches(c, at, q, paging)?;
    let ids: Vec<String> = hits.iter().map(|(id, _)| id.clone()).collect();
    let scores: HashMap<String, f32> = hits.into_iter().collect();
    let items = seekers::service::people(c, reader, &ids)?
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
