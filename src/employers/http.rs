use actix_web::{HttpResponse, get, post, web};

use super::NewEmployer;
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult, Thing};
use crate::http::{Json, Paging, created};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create).service(list).service(show);
}

#[post("/api/v1/employers")]
async fn create(state: web::Data<AppState>, who: Principal, body: Json<NewEmployer>) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let new = body.0.validate()?;
    let now = state.clock.now_ts();
    let employer = db::run(&state.pool, move |c| super::create(c, now, new)).await?;
    Ok(created(&employer))
}

#[get("/api/v1/employers")]
async fn list(state: web::Data<AppState>, who: Principal, paging: Paging) -> AppResult<HttpResponse> {
    who.require(Role::STAFF)?;
    let (limit, offset) = paging.pair();
    let (items, total) = db::run(&state.pool, move |c| super::list(c, limit, offset)).await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}

/// Staff see any employer; an employer sees only itself.
#[get("/api/v1/employers/{id}")]
async fn show(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    if who.role == Role::Employer && who.employer_id.as_deref() != Some(id.as_str()) {
        return Err(AppError::NotFound(Thing::Employer));
    }
    let employer = db::run(&state.pool, move |c| super::get(c, &id)).await?;
    Ok(HttpResponse::Ok().json(employer))
}
