use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};

use super::Explanation;
use super::rank::{OpeningProfile, SeekerProfile, candidates, explain_opening, openings_for};
use crate::auth::{Principal, Role};
use crate::error::{AppError, AppResult};
use crate::http::{Page, Pagination};
use crate::startup::AppState;
use crate::{audit, db, openings, seekers};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(opening_candidates).service(seeker_openings);
}

#[derive(Deserialize)]
struct PageQuery {
    limit: Option<i64>,
    offset: Option<i64>,
}

/// A candidate as a broker sees it: who, and why here. No personnummer or contact details.
#[derive(Serialize)]
struct Candidate {
    id: String,
    rank: usize,
    score: f64,
    first_name: Option<String>,
    last_name: Option<String>,
    municipality_code: String,
    occupations: Vec<String>,
    available_from: Option<String>,
    explanation: Explanation,
}

#[get("/api/v1/openings/{id}/candidates")]
async fn opening_candidates(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let (limit, offset) = Pagination { limit: q.limit, offset: q.offset }.resolve()?;
    let id = id.into_inner();
    let now = state.clock.now_ts();
    let st = state.clone();
    let (items, total) = db::run(&state.pool, move |c| {
        let opening = openings::store::get_visible(c, &who, &id)?;
        let exclude = crate::placements::store::seekers_on_opening(c, &id)?;
        let profile = OpeningProfile::new(&opening);
        let (ranked, total) =
            candidates(&st.search.seekers, &profile, &st.settings.matching, &exclude, limit as usize, offset as usize)
                .map_err(|e| AppError::Internal(e.context("ranking candidates")))?;
        let ids: Vec<String> = ranked.iter().map(|r| r.id.clone()).collect();
        let mut rows: HashMap<String, _> =
            seekers::store::rows_by_ids(c, &ids)?.into_iter().map(|r| (r.id.clone(), r)).collect();
        let items: Vec<Candidate> = ranked
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let s = seekers::Seeker::from(rows.remove(&r.id).filter(|row| row.erased_at.is_none())?);
                Some(Candidate {
                    id: r.id,
                    rank: offset as usize + i + 1,
                    score: r.score,
                    first_name: s.first_name,
                    last_name: s.last_name,
                    municipality_code: s.municipality_code,
                    occupations: s.occupations,
                    available_from: s.available_from,
                    explanation: r.explanation,
                })
            })
            .collect();
        let shown: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
        audit::record(c, &who, &shown, "GET /api/v1/openings/{id}/candidates", now)?;
        Ok((items, total as i64))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::new(items, total, limit, offset)))
}

#[derive(Serialize)]
struct OpeningMatch {
    id: String,
    rank: usize,
    score: f64,
    headline: String,
    employer_id: String,
    occupation: String,
    occupation_name: Option<String>,
    municipality_code: String,
    employment_type: String,
    start_date: Option<String>,
    application_deadline: Option<String>,
    explanation: Explanation,
}

#[get("/api/v1/seekers/{id}/openings")]
async fn seeker_openings(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let (limit, offset) = Pagination { limit: q.limit, offset: q.offset }.resolve()?;
    let id = id.into_inner();
    let now = state.clock.now_ts();
    let st = state.clone();
    let (items, total) = db::run(&state.pool, move |c| {
        let seeker = seekers::store::get(c, &id)?;
        audit::record(c, &who, std::slice::from_ref(&seeker.id), "GET /api/v1/seekers/{id}/openings", now)?;
        let profile = SeekerProfile::new(&seeker);
        let (scored, total) =
            openings_for(&st.search.openings, &profile, &st.settings.matching, limit as usize, offset as usize)
                .map_err(|e| AppError::Internal(e.context("ranking openings")))?;
        let ids: Vec<String> = scored.iter().map(|s| s.id.clone()).collect();
        let mut rows: HashMap<String, _> =
            openings::store::rows_by_ids(c, &ids)?.into_iter().map(|r| (r.id.clone(), r)).collect();
        let items: Vec<OpeningMatch> = scored
            .into_iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let o = openings::Opening::from(rows.remove(&s.id).filter(|r| r.deleted_at.is_none())?);
                let (_, explanation) = explain_opening(&st.settings.matching, &profile, &o, s.bm25);
                Some(OpeningMatch {
                    id: o.id,
                    rank: offset as usize + i + 1,
                    score: (s.score * 10_000.0).round() / 10_000.0,
                    headline: o.headline,
                    employer_id: o.employer_id,
                    occupation: o.occupation,
                    occupation_name: o.occupation_name,
                    municipality_code: o.workplace_address.municipality_code,
                    employment_type: o.employment_type,
                    start_date: o.start_date,
                    application_deadline: o.application_deadline,
                    explanation,
                })
            })
            .collect();
        Ok((items, total as i64))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::new(items, total, limit, offset)))
}
