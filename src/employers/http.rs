use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde_json::Value;

use super::NewEmployer;
use super::contacts::{self, ContactInput};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult, Thing};
use crate::http::{Json, Paging, created};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create)
        .service(list)
        .service(show)
        .service(list_contacts)
        .service(add_contact)
        .service(update_contact)
        .service(remove_contact);
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

/// Who may keep an employer's contacts: brokers and admins, and the employer itself; others
/// (officers, managers) read them. Another employer's are a 404.
fn contacts_access(who: &Principal, employer: &str, write: bool) -> AppResult<()> {
    match who.role {
        Role::Employer if who.employer_id.as_deref() == Some(employer) => Ok(()),
        Role::Employer => Err(AppError::NotFound(Thing::Employer)),
        Role::Admin | Role::Broker => Ok(()),
        Role::Officer | Role::Manager if !write => Ok(()),
        Role::Officer | Role::Manager => Err(AppError::Forbidden),
    }
}

#[get("/api/v1/employers/{id}/contacts")]
async fn list_contacts(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    contacts_access(&who, &id, false)?;
    let items = db::run(&state.pool, move |c| {
        super::get(c, &id)?;
        contacts::list(c, &id)
    })
    .await?;
    let total = items.len();
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({ "items": items, "total": total, "limit": total.max(1), "offset": 0 })))
}

#[post("/api/v1/employers/{id}/contacts")]
async fn add_contact(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<ContactInput>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    contacts_access(&who, &id, true)?;
    let now = state.clock.now_ts();
    let contact = db::run(&state.pool, move |c| contacts::create(c, now, &id, &body.0)).await?;
    Ok(created(&contact))
}

#[patch("/api/v1/employers/{id}/contacts/{contact}")]
async fn update_contact(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(String, String)>,
    body: Json<Value>,
) -> AppResult<HttpResponse> {
    let (id, contact) = path.into_inner();
    contacts_access(&who, &id, true)?;
    if !body.0.is_object() {
        return Err(AppError::field("body", crate::error::Fault::Format, "must be a JSON object"));
    }
    let now = state.clock.now_ts();
    let updated = db::run(&state.pool, move |c| contacts::update(c, now, &id, &contact, body.0)).await?;
    Ok(HttpResponse::Ok().json(updated))
}

#[delete("/api/v1/employers/{id}/contacts/{contact}")]
async fn remove_contact(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, contact) = path.into_inner();
    contacts_access(&who, &id, true)?;
    db::run(&state.pool, move |c| contacts::delete(c, &id, &contact)).await?;
    Ok(HttpResponse::NoContent().finish())
}
