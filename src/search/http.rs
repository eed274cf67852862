use actix_web::{HttpResponse, get, web};

use super::hits::{SearchQuery, opening_hits, seeker_hits};
use crate::audit::Action;
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::AppResult;
use crate::http::Paging;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(search_seekers).service(search_openings);
}

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
    let st = state.clone();
    let (items, total) =
        db::run(&state.pool, move |c| seeker_hits(c, st.lookup(), &who, &q, paging.pair(), &action)).await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}

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
