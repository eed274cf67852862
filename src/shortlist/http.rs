use actix_web::{HttpResponse, get, patch, post, put, web};

use super::{ConsentInput, EntryInput, RequestInput};
use crate::audit::Action;
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult, Fault};
use crate::http::Json;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list)
        .service(add)
        .service(update_in_body)
        .service(update)
        .service(request)
        .service(record)
        .service(show_consent);
}

/// The shortlist with each person's name (an audited read).
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
            crate::audit::record(c, &who, &ids, &action, now)?;
            let names = crate::seekers::store::names(c, &ids)?;
            Ok(entries
                .into_iter()
                .map(|e| {
                    let (first, last) = names.get(&e.seeker_id).cloned().unwrap_or_default();
                    let mut v = serde_json::to_value(&e).expect("serializable");
                    v["first_name"] = first.into();
                    v["last_name"] = last.into();
                    v
                })
                .collect::<Vec<_>>())
        })
    })
    .await?;
    let total = items.len();
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({ "items": items, "total": total, "limit": total.max(1), "offset": 0 })))
}

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

/// Sends the person an answer link (through the message webhook) with a deadline.
#[post("/api/v1/openings/{id}/shortlist/{seeker}/consent-request")]
async fn request(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(String, String)>,
    body: Json<RequestInput>,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let (id, seeker) = path.into_inner();
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let url = state.settings.consent.public_url.clone();
    let consent =
        db::run(&state.pool, move |c| super::request(c, (now, today), &who, &url, (&id, &seeker), &body.0)).await?;
    Ok(HttpResponse::Created().json(consent))
}

/// Records an answer the broker received (by phone, in person, by letter).
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

#[get("/api/v1/openings/{id}/shortlist/{seeker}/consent")]
async fn show_consent(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let (id, seeker) = path.into_inner();
    let today = state.clock.today();
    let consent = db::run(&state.pool, move |c| super::consent(c, &id, &seeker, today)).await?;
    Ok(HttpResponse::Ok().json(consent))
}
