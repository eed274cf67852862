use actix_web::{HttpResponse, get, patch, post, put, web};

use super::{ConsentInput, EntryInput, RequestInput};
use crate::audit::Action;
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult, Fault};
use crate::http::Json;
use crate::state::AppState;

crate::api_handlers!(list, add, update_in_body, update, request, record, show_consent);

/// The shortlist with each person's name (an audited read).
#[utoipa::path(
    tag = "openings",
    summary = "The opening's shortlist: each person's status, note and consent, with their name (audited)",
    description = "Roles: admin, broker, officer.",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<Shortlisted>),
    ),
)]
#[get("/api/v1/openings/{id}/shortlist")]
async fn list(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    action: Action,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let (id, now, today) = (id.into_inner(), state.clock.now_ts(), state.clock.today());
    let items = db::run(&state.pool, move |c| {
        db::write_tx(c, |c| {
            crate::openings::store::get_visible(c, &who, &id)?;
            let entries = super::list(c, &id, today)?;
            let ids: Vec<String> = entries.iter().map(|e| e.seeker_id.clone()).collect();
            crate::privacy::shown(c, &who, &ids, &action, now)?;
            let names = crate::seekers::store::names(c, &ids)?;
            Ok(entries
                .into_iter()
                .map(|entry| {
                    let (first_name, last_name) = names.get(&entry.seeker_id).cloned().unwrap_or_default();
                    Shortlisted { entry, first_name, last_name }
                })
                .collect::<Vec<_>>())
        })
    })
    .await?;
    let total = items.len() as i64;
    Ok(HttpResponse::Ok().json(crate::http::Page::new(items, total, total.max(1), 0)))
}

/// A shortlist entry with the person's name (erased people have none).
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Shortlisted {
    #[serde(flatten)]
    entry: super::Entry,
    first_name: Option<String>,
    last_name: Option<String>,
}

#[utoipa::path(
    tag = "openings",
    summary = "Put a seeker on the shortlist; again is 409 conflict.duplicate",
    description = "Roles: admin, broker, officer.",
    params(
        ("id" = String, Path),
    ),
    request_body = EntryInput,
    responses(
        (status = 201, description = "OK", body = crate::shortlist::Entry),
    ),
)]
#[post("/api/v1/openings/{id}/shortlist")]
async fn add(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<EntryInput>,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let (id, now, today) = (id.into_inner(), state.clock.now_ts(), state.clock.today());
    let entry = db::run(&state.pool, move |c| super::add(c, now, today, &who, &id, &body.0)).await?;
    Ok(HttpResponse::Created().json(entry))
}

/// The same change with the seeker named in the body.
#[utoipa::path(
    tag = "openings",
    summary = "Change a person's status or note (seeker_id in the body)",
    description = "Roles: admin, broker, officer.",
    params(
        ("id" = String, Path),
    ),
    request_body = EntryInput,
    responses(
        (status = 200, description = "OK", body = crate::shortlist::Entry),
    ),
)]
#[patch("/api/v1/openings/{id}/shortlist")]
async fn update_in_body(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<EntryInput>,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let seeker = body
        .0
        .seeker_id
        .clone()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AppError::field("seeker_id", Fault::Required, "name the seeker whose entry to change"))?;
    let (id, now, today) = (id.into_inner(), state.clock.now_ts(), state.clock.today());
    let entry = db::run(&state.pool, move |c| super::update(c, now, today, &id, &seeker, &body.0)).await?;
    Ok(HttpResponse::Ok().json(entry))
}

#[utoipa::path(
    tag = "openings",
    summary = "Change a person's status or note",
    description = "Roles: admin, broker, officer.",
    params(
        ("id" = String, Path),
        ("seeker" = String, Path),
    ),
    request_body = EntryInput,
    responses(
        (status = 200, description = "OK", body = crate::shortlist::Entry),
    ),
)]
#[patch("/api/v1/openings/{id}/shortlist/{seeker}")]
async fn update(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(String, String)>,
    body: Json<EntryInput>,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let (id, seeker) = path.into_inner();
    if body.0.seeker_id.as_ref().is_some_and(|s| *s != seeker) {
        return Err(AppError::field("seeker_id", Fault::NotApplicable, "is the path's seeker; leave it out"));
    }
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let entry = db::run(&state.pool, move |c| super::update(c, now, today, &id, &seeker, &body.0)).await?;
    Ok(HttpResponse::Ok().json(entry))
}

/// Sends the person an answer link (a message) with a deadline.
#[utoipa::path(
    tag = "openings",
    summary = "Ask the person for consent: an answer link with a deadline goes out as a message (SMS, else e-mail; GET /api/v1/messages shows its state); 409 conflict.no_contact_details without phone or e-mail. Honours Idempotency-Key: a replay changes and sends nothing",
    description = "Roles: admin, broker, officer.",
    params(
        ("id" = String, Path),
        ("seeker" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "the same key sends nothing twice", min_length = 1, max_length = 200, pattern = "^[ -~]*[!-~][ -~]*$"),
    ),
    request_body = RequestInput,
    responses(
        (status = 201, description = "OK", body = crate::shortlist::Consent),
    ),
)]
#[post("/api/v1/openings/{id}/shortlist/{seeker}/consent-request")]
async fn request(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    who: Principal,
    path: web::Path<(String, String)>,
    body: Json<RequestInput>,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let (id, seeker) = path.into_inner();
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let url = state.settings.consent.public_url.clone();
    let replay = crate::http::idempotency_key(&req)?;
    let consent = db::run(&state.pool, move |c| {
        super::request(c, (now, today), &who, &url, (&id, &seeker), &body.0, replay.as_deref())
    })
    .await?;
    Ok(HttpResponse::Created().json(consent))
}

/// Records an answer the broker received (by phone, in person, by letter).
#[utoipa::path(
    tag = "openings",
    summary = "Record an answer the broker received: given, declined or withdrawn, and how (phone, in_person, digital, letter)",
    description = "Roles: admin, broker, officer.",
    params(
        ("id" = String, Path),
        ("seeker" = String, Path),
    ),
    request_body = ConsentInput,
    responses(
        (status = 200, description = "OK", body = crate::shortlist::Consent),
    ),
)]
#[put("/api/v1/openings/{id}/shortlist/{seeker}/consent")]
async fn record(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(String, String)>,
    body: Json<ConsentInput>,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let (id, seeker) = path.into_inner();
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let consent = db::run(&state.pool, move |c| super::record(c, now, today, &who, &id, &seeker, &body.0)).await?;
    Ok(HttpResponse::Ok().json(consent))
}

#[utoipa::path(
    tag = "openings",
    summary = "The consent's state (requested, given, declined, expired, withdrawn) and its history",
    description = "Roles: admin, broker, officer.",
    params(
        ("id" = String, Path),
        ("seeker" = String, Path),
    ),
    responses(
        (status = 200, description = "OK", body = crate::shortlist::Consent),
    ),
)]
#[get("/api/v1/openings/{id}/shortlist/{seeker}/consent")]
async fn show_consent(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(String, String)>,
    action: Action,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let (id, seeker) = path.into_inner();
    let (today, now) = (state.clock.today(), state.clock.now_ts());
    // The consent's history holds the notes staff wrote: a read of it is audited.
    let consent = db::run(&state.pool, move |c| {
        db::write_tx(c, |c| {
            let consent = super::consent(c, &id, &seeker, today)?;
            crate::privacy::shown(c, &who, std::slice::from_ref(&seeker), &action, now)?;
            Ok(consent)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(consent))
}
