use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, post, web};
use serde_json::Value;

use super::{SeekerInput, service, store};
use crate::audit;
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult, Fault};
use crate::http::{Json, Paging, etag, if_match};
use crate::privacy::Reader;
use crate::state::AppState;

crate::api_handlers!(create, list, show, update, confirm_inferred, erase);

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
async fn create(
    state: web::Data<AppState>,
    who: Principal,
    action: audit::Action,
    body: Json<SeekerInput>,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let data = body.0.validate(state.clock.today())?;
    let reader = Reader::new(who, action, &state.clock);
    let seeker = db::run(&state.pool, move |c| service::create(c, &reader, data)).await?;
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
    summary = "List seekers, or find a person with q: a name (any order, accents, a typo), a place, or exactly a personnummer (10 or 12 digits), phone or e-mail (audited); another unit's people show id, name, unit, municipality and status only (restricted)",
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
    let reader = Reader::new(who, action, &state.clock);
    let (st, pair) = (state.clone(), paging.pair());
    let (items, total) = match q.filter(|q| !q.trim().is_empty()) {
        Some(q) => {
            let query = crate::index::query::SearchQuery {
                q,
                status: filter.status.clone(),
                municipality: filter.municipality_code.clone(),
                ..Default::default()
            };
            db::run(&state.pool, move |c| service::find(c, st.lookup(), &reader, &query, pair)).await?
        }
        None => db::run(&state.pool, move |c| service::list(c, &reader, &filter, pair)).await?,
    };
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
    let reader = Reader::new(who, action, &state.clock);
    let seeker = db::run(&state.pool, move |c| service::show(c, &reader, &id)).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(seeker.version))).json(seeker))
}

/// A JSON merge patch; `If-Match` is honoured when sent.
#[utoipa::path(
    tag = "seekers",
    summary = "Merge-patch a seeker; If-Match honoured; a person of another unit needs X-Access-Reason",
    description = "Roles: admin, broker, officer.",
    params(
        ("If-Match" = Option<String>, Header, description = "the ETag of your last read: 412 when it changed since (empty: no condition)", pattern = r#"^((W/)?"[0-9]{1,18}")?$"#),
        ("id" = String, Path),
        ("X-Access-Reason" = Option<String>, Header, description = "why you change the record of a person of another unit than yours (a write shows the record: need-to-know; 3–300 characters, audited); without it such a write is 403 access.reason_required", min_length = 3, max_length = 300),
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
    let reader = Reader::new(who, action, &state.clock);
    let seeker = db::run(&state.pool, move |c| service::update(c, &reader, &id, expected, &body.0)).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(seeker.version))).json(seeker))
}

/// The version of the profile the broker read the reading on.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmInferred {
    /// The seeker's `version` when the reading was shown; 412 if it changed since.
    pub version: i64,
}

/// "Stämmer": the broker confirms what Platsa read from the summary (`inferred`), and it
/// becomes registered codes.
#[utoipa::path(
    tag = "seekers",
    summary = "Register what was read from the summary (occupations, skills, licences) as the profile's codes",
    description = "Roles: admin, broker, officer. The occupations sought (a 3-digit group as its first unit group), skills and driving licences in `inferred` are added to the registered ones. 412 when the version changed since it was read; 422 when the reading adds nothing.",
    params(
        ("id" = String, Path),
        ("X-Access-Reason" = Option<String>, Header, description = "why you change the record of a person of another unit than yours (audited)", min_length = 3, max_length = 300),
    ),
    request_body = ConfirmInferred,
    responses(
        (status = 200, description = "OK: the updated seeker", body = crate::seekers::Seeker, headers(("ETag" = String, description = "the version, for If-Match"))),
    ),
)]
#[post("/api/v1/seekers/{id}/inferred/confirm")]
async fn confirm_inferred(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<ConfirmInferred>,
    action: audit::Action,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let reader = Reader::new(who, action, &state.clock);
    let version = body.0.version;
    let seeker = db::run(&state.pool, move |c| service::confirm_inferred(c, &reader, &id, version)).await?;
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
    let rewrite = state.settings.retention.rewrite_tables;
    db::run(&state.pool, move |c| service::erase(c, now, &id, rewrite)).await?;
    Ok(HttpResponse::NoContent().finish())
}
