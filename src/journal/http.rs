//! `POST/GET /api/v1/seekers/{id}/journal`.

use actix_web::{HttpResponse, get, post, web};

use super::{EntryInput, add, list};
use crate::audit::Action;
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::AppResult;
use crate::http::{Json, Paging, created};
use crate::privacy::Reader;
use crate::state::AppState;

crate::api_handlers!(write, read);

#[utoipa::path(
    tag = "seekers",
    summary = "Add a journal entry (note, call, sms, email, meeting) with an optional next contact; a person of another unit needs X-Access-Reason",
    description = "Roles: admin, broker, officer.",
    params(
        ("id" = String, Path),
        ("X-Access-Reason" = Option<String>, Header, description = "why you write about a person of another unit (need-to-know, audited)", min_length = 3, max_length = 300),
    ),
    request_body = crate::journal::EntryInput,
    responses(
        (status = 201, description = "OK", body = crate::journal::Entry),
    ),
)]
#[post("/api/v1/seekers/{id}/journal")]
async fn write(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<EntryInput>,
    action: Action,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let reader = Reader::new(who, action, &state.clock);
    let entry = db::run(&state.pool, move |c| add(c, &reader, &id, &body.0)).await?;
    Ok(created(&entry))
}

/// Reading the journal is reading about the person: audited.
#[utoipa::path(
    tag = "seekers",
    summary = "The seeker's journal, newest first (audited); a person of another unit needs X-Access-Reason",
    description = "Roles: admin, broker, officer.",
    params(
        crate::http::Paging,
        ("id" = String, Path),
        ("X-Access-Reason" = Option<String>, Header, description = "why you need the journal of a person of another unit (need-to-know, audited)", min_length = 3, max_length = 300),
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::journal::Entry>),
    ),
)]
#[get("/api/v1/seekers/{id}/journal")]
async fn read(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    paging: Paging,
    action: Action,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let reader = Reader::new(who, action, &state.clock);
    let pair = paging.pair();
    let (items, total) = db::run(&state.pool, move |c| list(c, &reader, &id, pair)).await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}
