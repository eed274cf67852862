//! `POST/GET /api/v1/seekers/{id}/journal`.

use actix_web::{HttpResponse, get, post, web};

use super::{EntryInput, add, list};
use crate::audit::{self, Action};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::AppResult;
use crate::http::{Json, Paging, created};
use crate::state::AppState;

crate::api_handlers!(write, read);

#[utoipa::path(
    tag = "seekers",
    summary = "Add a journal entry (note, call, sms, email, meeting) with an optional next contact",
    description = "Roles: admin, broker, officer.",
    params(
        ("id" = String, Path),
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
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let entry = db::run(&state.pool, move |c| add(c, now, today, &who, &id, &body.0)).await?;
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
    let now = state.clock.now_ts();
    let today_start = crate::clock::start_of_day_ts(state.clock.today());
    let (limit, offset) = paging.pair();
    let (items, total) = db::run(&state.pool, move |c| {
        db::write_tx(c, |c| {
            let seeker = crate::seekers::store::get(c, &id)?;
            let stated = (&seeker.id[..], seeker.unit.as_deref());
            let reason = crate::units::may_read(c, &who, stated, action.1.as_deref(), today_start)?;
            audit::record(c, &who, std::slice::from_ref(&seeker.id), &action.with_reason(reason), now)?;
            list(c, &id, limit, offset)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}
