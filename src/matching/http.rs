use actix_web::{HttpResponse, get, web};
use serde::Deserialize;

use super::lists::{candidates_for_opening, openings_for_seeker};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::AppResult;
use crate::http::{Page, Pagination};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(opening_candidates).service(seeker_openings);
}

#[derive(Deserialize)]
struct PageQuery {
    limit: Option<i64>,
    offset: Option<i64>,
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
    let st = state.clone();
    let (items, total) = db::run(&state.pool, move |c| {
        candidates_for_opening(c, st.lookup(), &who, &id, (limit, offset), "GET /api/v1/openings/{id}/candidates")
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::new(items, total, limit, offset)))
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
    let st = state.clone();
    let (items, total) = db::run(&state.pool, move |c| {
        openings_for_seeker(c, st.lookup(), &who, &id, (limit, offset), "GET /api/v1/seekers/{id}/openings")
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::new(items, total, limit, offset)))
}
