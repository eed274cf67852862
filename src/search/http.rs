use actix_web::{HttpResponse, get, web};

use super::hits::{opening_hits, seeker_hits};
use crate::audit::Action;
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::AppResult;
use crate::http::Paging;
use crate::index::query::SearchQuery;
use crate::state::AppState;

crate::api_handlers!(search_seekers, search_openings);

#[utoipa::path(
    tag = "search",
    summary = "Free-text search of seekers (audited; another unit's people without their profile: restricted)",
    description = "Roles: admin, broker, officer.",
    params(
        SearchQuery,
        crate::http::Paging,
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::search::hits::SeekerHit>),
    ),
)]
#[get("/api/v1/search/seekers")]
async fn search_seekers(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<SearchQuery>,
    paging: Paging,
    action: Action,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let q = q.into_inner();
    let (st, pair) = (state.clone(), paging.pair());
    let reader = crate::privacy::Reader::new(who, action, &state.clock);
    let (items, total) =
        db::run(&state.pool, move |c| db::write_tx(c, |c| seeker_hits(c, st.lookup(), &reader, &q, pair))).await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}

#[utoipa::path(
    tag = "search",
    summary = "Free-text search of openings",
    description = "Roles: admin, broker, officer, manager.",
    params(
        SearchQuery,
        crate::http::Paging,
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::search::hits::OpeningHit>),
    ),
)]
#[get("/api/v1/search/openings")]
async fn search_openings(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<SearchQuery>,
    paging: Paging,
) -> AppResult<HttpResponse> {
    who.require(Role::STAFF)?;
    let q = q.into_inner();
    let st = state.clone();
    let (items, total) = db::run(&state.pool, move |c| opening_hits(c, st.lookup(), &q, paging.pair())).await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}
