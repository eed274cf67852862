use actix_web::{HttpResponse, delete, get, patch, post, put, web};

use super::{UnitInput, UnitPatch};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::AppResult;
use crate::http::Json;
use crate::state::AppState;

crate::api_handlers!(list, create, update, remove, user_units, set_user_units);

/// The units a staff member works in (need-to-know: another unit's people need a reason).
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
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

#[utoipa::path(
    tag = "users",
    summary = "The units a staff member works in (admins: anyone's; staff: their own)",
    description = "Roles: staff.",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, description = "OK", body = crate::units::http::UserUnits),
    ),
)]
#[get("/api/v1/users/{id}/units")]
async fn user_units(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    // Admins read anyone's; staff their own; nobody else (as the description says).
    who.require(Role::STAFF)?;
    if who.role != Role::Admin && who.user_id != id {
        who.require(&[Role::Admin])?;
    }
    let units = db::run(&state.pool, move |c| {
        user_exists(c, &id)?;
        super::of_user(c, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserUnits { units }))
}

#[utoipa::path(
    tag = "users",
    summary = "Set the units a staff member works in (need-to-know: another unit's people then need a stated reason); each must exist",
    description = "Roles: admin.",
    params(
        ("id" = String, Path),
    ),
    request_body = crate::units::http::UserUnits,
    responses(
        (status = 200, description = "OK", body = crate::units::http::UserUnits),
    ),
)]
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
    Ok(HttpResponse::Ok().json(UserUnits { units }))
}

/// Every staff role reads the list (forms offer it); admins change it.
#[utoipa::path(
    tag = "units",
    summary = "The units (enheter) seekers, officers, placements and targets refer to",
    description = "Roles: admin, broker, officer, manager.",
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::units::Unit>),
    ),
)]
#[get("/api/v1/units")]
async fn list(state: web::Data<AppState>, who: Principal) -> AppResult<HttpResponse> {
    who.require(Role::STAFF)?;
    let items = db::run(&state.pool, super::list).await?;
    let total = items.len() as i64;
    Ok(HttpResponse::Ok().json(crate::http::Page::new(items, total, total.max(1), 0)))
}

#[utoipa::path(
    tag = "units",
    summary = "Add a unit; a name in use is 409 conflict.duplicate",
    description = "Roles: admin.",
    request_body = UnitInput,
    responses(
        (status = 201, description = "OK", body = crate::units::Unit),
    ),
)]
#[post("/api/v1/units")]
async fn create(state: web::Data<AppState>, who: Principal, body: Json<UnitInput>) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let now = state.clock.now_ts();
    let unit = db::run(&state.pool, move |c| super::create(c, now, body.0)).await?;
    Ok(HttpResponse::Created().json(unit))
}

#[utoipa::path(
    tag = "units",
    summary = "Rename a unit (every reference follows) or (de)activate it",
    description = "Roles: admin.",
    params(
        ("name" = String, Path),
    ),
    request_body = UnitPatch,
    responses(
        (status = 200, description = "OK", body = crate::units::Unit),
    ),
)]
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

#[utoipa::path(
    tag = "units",
    summary = "Remove a unit nothing refers to; one in use is 409 conflict.not_empty (deactivate it instead)",
    description = "Roles: admin.",
    params(
        ("name" = String, Path),
    ),
    responses(
        (status = 204, description = "Done; no body"),
    ),
)]
#[delete("/api/v1/units/{name}")]
async fn remove(state: web::Data<AppState>, who: Principal, name: web::Path<String>) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let name = name.into_inner();
    db::run(&state.pool, move |c| super::delete(c, &name)).await?;
    Ok(HttpResponse::NoContent().finish())
}
