use actix_web::{HttpResponse, get, web};

use super::lists::{CandidateFilter, candidates_for_opening, openings_for_seeker};
use crate::audit::Action;
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::AppResult;
use crate::http::Paging;
use crate::state::AppState;

crate::api_handlers!(opening_candidates, seeker_openings);

#[utoipa::path(
    tag = "openings",
    summary = "Seekers ranked for the opening, each with score and explanation (audited)",
    description = "Roles: admin, broker, officer.",
    params(
        CandidateFilter,
        crate::http::Paging,
        ("id" = String, Path),
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::matching::lists::Candidate>),
    ),
)]
#[get("/api/v1/openings/{id}/candidates")]
async fn opening_candidates(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    paging: Paging,
    filter: web::Query<CandidateFilter>,
    action: Action,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let filter = filter.into_inner().validate()?;
    let st = state.clone();
    let (items, total) = db::run(&state.pool, move |c| {
        candidates_for_opening(c, st.lookup(), &who, &id, paging.pair(), &filter, &action)
    })
    .await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}

#[utoipa::path(
    tag = "seekers",
    summary = "Open openings ranked for the seeker, with explanations (a read of the person: audited; another unit's person needs X-Access-Reason)",
    description = "Roles: admin, broker, officer.",
    params(
        crate::http::Paging,
        ("id" = String, Path),
        ("X-Access-Reason" = Option<String>, Header, description = "why you need a person of another unit (need-to-know, audited)", min_length = 3, max_length = 300),
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::matching::lists::OpeningMatch>),
    ),
)]
#[get("/api/v1/seekers/{id}/openings")]
async fn seeker_openings(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    paging: Paging,
    action: Action,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let (st, pair) = (state.clone(), paging.pair());
    let reader = crate::privacy::Reader::new(who, action, &state.clock);
    let (items, total) = db::run(&state.pool, move |c| {
        db::write_tx(c, |c| {
            let seeker = crate::seekers::service::read_person(c, &reader, &id)?;
            openings_for_seeker(c, st.lookup(), &seeker, pair)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}
