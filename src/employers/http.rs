use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde_json::Value;

use super::NewEmployer;
use super::contacts::{self, ContactInput};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult, Thing};
use crate::http::{Json, Paging, created};
use crate::state::AppState;

crate::api_handlers!(create, list, show, list_contacts, add_contact, update_contact, remove_contact);

#[utoipa::path(
    tag = "employers",
    summary = "Register an employer",
    description = "Roles: admin.",
    request_body = crate::employers::NewEmployer,
    responses(
        (status = 201, description = "OK", body = crate::employers::Employer),
    ),
)]
#[post("/api/v1/employers")]
async fn create(state: web::Data<AppState>, who: Principal, body: Json<NewEmployer>) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let new = body.0.validate()?;
    let now = state.clock.now_ts();
    let employer = db::run(&state.pool, move |c| super::create(c, now, new)).await?;
    Ok(created(&employer))
}

#[utoipa::path(
    tag = "employers",
    summary = "List employers",
    description = "Roles: admin, broker, officer, manager.",
    params(
        crate::http::Paging,
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::employers::Employer>),
    ),
)]
#[get("/api/v1/employers")]
async fn list(state: web::Data<AppState>, who: Principal, paging: Paging) -> AppResult<HttpResponse> {
    who.require(Role::STAFF)?;
    let (limit, offset) = paging.pair();
    let (items, total) = db::run(&state.pool, move |c| super::list(c, limit, offset)).await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}

/// Staff see any employer; an employer sees only itself.
#[utoipa::path(
    tag = "employers",
    summary = "An employer",
    description = "Roles: staff; an employer itself.",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, description = "OK", body = crate::employers::Employer),
    ),
)]
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
        Role::Officer | Role::Manager | Role::CaseSystem => Err(AppError::Forbidden),
    }
}

#[utoipa::path(
    tag = "employers",
    summary = "An employer's contact people",
    description = "Roles: staff; an employer its own.",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::employers::contacts::Contact>),
    ),
)]
#[get("/api/v1/employers/{id}/contacts")]
async fn list_contacts(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    contacts_access(&who, &id, false)?;
    let items = db::run(&state.pool, move |c| {
        super::get(c, &id)?;
        contacts::list(c, &id)
    })
    .await?;
    let total = items.len() as i64;
    Ok(HttpResponse::Ok().json(crate::http::Page::new(items, total, total.max(1), 0)))
}

#[utoipa::path(
    tag = "employers",
    summary = "Add a contact person",
    description = "Roles: admin, broker; an employer its own.",
    params(
        ("id" = String, Path),
    ),
    request_body = crate::employers::contacts::ContactInput,
    responses(
        (status = 201, description = "OK", body = crate::employers::contacts::Contact),
    ),
)]
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

#[utoipa::path(
    tag = "employers",
    summary = "Merge-patch a contact person",
    description = "Roles: admin, broker; an employer its own.",
    params(
        ("id" = String, Path),
        ("contact" = String, Path),
    ),
    request_body(content = crate::employers::contacts::ContactInput, content_type = "application/merge-patch+json", description = "A JSON merge patch (RFC 7396): the members to change; null removes an optional one"),
    responses(
        (status = 200, description = "OK", body = crate::employers::contacts::Contact),
    ),
)]
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

#[utoipa::path(
    tag = "employers",
    summary = "Remove a contact person",
    description = "Roles: admin, broker; an employer its own.",
    params(
        ("id" = String, Path),
        ("contact" = String, Path),
    ),
    responses(
        (status = 204, description = "Done; no body"),
    ),
)]
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
