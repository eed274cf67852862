use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, post, web};
use serde_json::Value;

use super::{SeekerInput, store};
use crate::audit;
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult, Fault};
use crate::http::{Json, Paging, etag, if_match};
use crate::state::AppState;

crate::api_handlers!(create, list, show, update, erase);

#[utoipa::path(
    tag = "seekers",
    summary = "Register a seeker; a known personnummer is 409 with existing_seeker_id",
    description = "Roles: admin, broker, officer.",
    request_body = crate::seekers::SeekerInput,
    responses(
        (status = 201, description = "OK", body = crate::seekers::Seeker, headers(("ETag" = String, description = "the version, for If-Match"))),
    ),
)]
#[post("/api/v1/seekers")]
async fn create(state: web::Data<AppState>, who: Principal, body: Json<SeekerInput>) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let data = body.0.validate(state.clock.today())?;
    let now = state.clock.now_ts();
    let seeker = db::run(&state.pool, move |c| store::create(c, now, data)).await?;
    Ok(HttpResponse::Created().insert_header((header::ETAG, etag(seeker.version))).json(seeker))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Find a person: a name (any order, accents and a typo forgiven), a place, a
    /// personnummer, a phone number or an e-mail address.
    q: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    filter: store::SeekerFilter,
}

#[utoipa::path(
    tag = "seekers",
    summary = "List seekers, or find a person with q: a name (any order, accents, a typo), a place, or exactly a personnummer (10 or 12 digits), phone or e-mail (audited)",
    description = "Roles: admin, broker, officer.",
    params(
        ListQuery,
        store::SeekerFilter,
        crate::http::Paging,
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::seekers::Seeker>),
    ),
)]
#[get("/api/v1/seekers")]
async fn list(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<ListQuery>,
    paging: Paging,
    action: audit::Action,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let ListQuery { q, filter } = q.into_inner();
    let (limit, offset) = paging.pair();
    let now = state.clock.now_ts();
    if let Some(q) = q.filter(|q| !q.trim().is_empty()) {
        let query = crate::search::hits::SearchQuery {
            q,
            status: filter.status.clone(),
            municipality: filter.municipality_code.clone(),
            ..Default::default()
        };
        let st = state.clone();
        let (items, total) = db::run(&state.pool, move |c| {
            db::write_tx(c, |c| {
                // The hits are audited as they are found.
                let (hits, total) =
                    crate::search::hits::seeker_hits(c, st.lookup(), &who, &query, (limit, offset), &action)?;
                // One query for the page's full records, in the hits' order.
                let ids: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
                let mut rows: std::collections::HashMap<String, store::SeekerRow> =
                    store::rows_by_ids(c, &ids)?.into_iter().map(|r| (r.id.clone(), r)).collect();
                let items: Vec<super::Seeker> = ids.iter().filter_map(|id| rows.remove(id)).map(Into::into).collect();
                Ok((items, total))
            })
        })
        .await?;
        return Ok(HttpResponse::Ok().json(paging.page(items, total)));
    }
    let (items, total) = db::run(&state.pool, move |c| {
        db::write_tx(c, |c| {
            let (items, total) = store::list(c, &filter, limit, offset)?;
            let ids: Vec<String> = items.iter().map(|s| s.id.clone()).collect();
            audit::record(c, &who, &ids, &action, now)?;
            Ok((items, total))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}

#[utoipa::path(
    tag = "seekers",
    summary = "A seeker (audited); a person of another unit than the reader's needs X-Access-Reason",
    description = "Roles: admin, broker, officer.",
    params(
        ("id" = String, Path),
        ("X-Access-Reason" = Option<String>, Header, description = "why you need the record of a person of another unit than yours (need-to-know; 3–300 characters, audited); without it such a read is 403 access.reason_required", min_length = 3, max_length = 300),
    ),
    responses(
        (status = 200, description = "OK", body = crate::seekers::Seeker, headers(("ETag" = String, description = "the version, for If-Match"))),
    ),
)]
#[get("/api/v1/seekers/{id}")]
async fn show(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    action: audit::Action,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let id = id.into_inner();
    let now = state.clock.now_ts();
    let today_start = crate::clock::start_of_day_ts(state.clock.today());
    let seeker = db::run(&state.pool, move |c| {
        db::write_tx(c, |c| {
            let seeker = store::get(c, &id)?;
            let stated = (&seeker.id[..], seeker.unit.as_deref());
            let reason = crate::units::may_read(c, &who, stated, action.1.as_deref(), today_start)?;
            audit::record(c, &who, std::slice::from_ref(&seeker.id), &action.with_reason(reason), now)?;
            Ok(seeker)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(seeker.version))).json(seeker))
}

/// A JSON merge patch; `If-Match` is honoured when sent.
#[utoipa::path(
    tag = "seekers",
    summary = "Merge-patch a seeker; If-Match honoured",
    description = "Roles: admin, broker, officer.",
    params(
        ("If-Match" = Option<String>, Header, description = "the ETag of your last read: 412 when it changed since (empty: no condition)", pattern = r#"^((W/)?"[0-9]{1,18}")?$"#),
        ("id" = String, Path),
    ),
    request_body(content = crate::seekers::SeekerInput, content_type = "application/merge-patch+json", description = "A JSON merge patch (RFC 7396): the members to change; null removes an optional one"),
    responses(
        (status = 200, description = "OK", body = crate::seekers::Seeker, headers(("ETag" = String, description = "the version, for If-Match"))),
    ),
)]
#[patch("/api/v1/seekers/{id}")]
async fn update(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<Value>,
    action: audit::Action,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    if !body.0.is_object() {
        return Err(AppError::field("body", Fault::Format, "must be a JSON object"));
    }
    let expected = if_match(&req)?;
    let id = id.into_inner();
    let now = state.clock.now_ts();
    let today = state.clock.today();
    let seeker = db::run(&state.pool, move |c| {
        let seeker = store::update(c, now, today, &id, expected, body.0)?;
        audit::record(c, &who, std::slice::from_ref(&seeker.id), &action, now)?;
        Ok(seeker)
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(seeker.version))).json(seeker))
}

/// Erasure (GDPR): personal data is removed; the anonymous row stays for reports.
#[utoipa::path(
    tag = "seekers",
    summary = "Erase personal data, keep the anonymous row",
    description = "Roles: admin.",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 204, description = "Done; no body"),
    ),
)]
#[delete("/api/v1/seekers/{id}")]
async fn erase(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let id = id.into_inner();
    let now = state.clock.now_ts();
    db::run(&state.pool, move |c| store::erase(c, now, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
