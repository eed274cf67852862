use actix_web::{HttpResponse, delete, get, patch, post, put, web};

use super::{UnitInput, UnitPatch};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::AppResult;
use crate::http::Json;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(create).service(update).service(remove).service(user_units).service(set_user_units);
}

/// The units a staff member works in (need-to-know: another unit's people need a reason).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct UserUnits {
    units: Vec<String>,
}

fn user_exists(c: &mut crate::db::DbConnection, id: &str) -> AppResult<()> {
    use crate::db::schema::users;
    use diesel::prelude::*;
    let found: i64 = users::table.filter(users::id.eq(id)).count().get_result(c)?;
    if found == 0 { Err(crate::error::AppError::NotFound(crate::error::Thing::User)) } else { Ok(()) }
}

#[get("/api/v1/users/{id}/units")]
async fn user_units(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    // Admins read anyone's; staff their own.
    if who.role != Role::Admin && who.user_id != id {
        who.require(&[Role::Admin])?;
    }
    let units = db::run(&state.pool, move |c| {
        user_exists(c, &id)?;
        super::of_user(c, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "units": units })))
}

#[put("/api/v1/users/{id}/units")]
async fn set_user_units(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<UserUnits>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let id = id.into_inner();
    let units = db::run(&state.pool, move |c| {
        user_exists(c, &id)?;
        super::set_for_user(c, &id, &body.0.units)
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "units": units })))
}

/// Every staff role reads the list (forms offer it); admins change it.
#[get("/api/v1/units")]
async fn list(state: web::Data<AppState>, who: Principal) -> AppResult<HttpResponse> {
    who.require(Role::STAFF)?;
    let items = db::run(&state.pool, super::list).await?;
    let total = items.len();
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({ "items": items, "total": total, "limit": total.max(1), "offset": 0 })))
}

#[post("/api/v1/units")]
async fn create(state: web::Data<AppState>, who: Principal, body: Json<UnitInput>) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let now = state.clock.now_ts();
    let unit = db::run(&state.pool, move |c| super::create(c, now, body.0)).await?;
    Ok(HttpResponse::Created().json(unit))
}

#[patch("/api/v1/units/{name}")]
async fn update(
    state: web::Data<AppState>,
    who: Principal,
    name: web::Path<String>,
    body: Json<UnitPatch>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let (name, now) = (name.into_inner(), state.clock.now_ts());
    let unit = db::run(&state.pool, move |c| super::update(c, now, &name, body.0)).await?;
    Ok(HttpResponse::Ok().json(unit))
}

#[delete("/api/v1/units/{name}")]
async fn remove(state: web::Data<AppState>, who: Principal, name: web::Path<String>) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let name = name.into_inner();
    db::run(&state.pool, move |c| super::delete(c, &name)).await?;
    Ok(HttpResponse::NoContent().finish())
}
