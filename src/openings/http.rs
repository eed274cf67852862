use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, http::header, patch, post, put, web};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{OpeningInput, store};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult, Fault};
use crate::http::{Json, Paging, etag, if_match, parse_json};
use crate::state::AppState;

/// Who may write openings: employers (their own) and the brokers and admins who help them.
use super::WRITERS;

crate::api_handlers!(create, list, show, update, set_broker);

fn idempotency(req: &HttpRequest, who: &Principal, body: &Value) -> AppResult<Option<store::Idempotency>> {
    let Some(key) = crate::http::idempotency_key(req)? else { return Ok(None) };
    // serde_json's maps are sorted, so the same body in another key order hashes the same.
    let request_hash = hex::encode(Sha256::digest(body.to_string().as_bytes()));
    Ok(Some(store::Idempotency { scope: who.user_id.clone(), key, request_hash }))
}

#[utoipa::path(
    tag = "openings",
    summary = "Post an opening; honours Idempotency-Key",
    description = "Roles: employer (own), broker, admin.",
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "the same key with the same body gets the first answer again (Idempotent-Replayed: true); with another body it is 422", min_length = 1, max_length = 200, pattern = "^[ -~]*[!-~][ -~]*$"),
    ),
    request_body = crate::openings::OpeningInput,
    responses(
        (status = 201, description = "OK: the opening, with `warnings` for hard requirements that exclude many otherwise matching people (nothing is blocked)", body = crate::openings::SavedOpening, headers(("ETag" = String, description = "the version, for If-Match"))),
    ),
)]
#[post("/api/v1/openings")]
async fn create(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    body: Json<Value>,
    check: web::Data<super::Checker>,
) -> AppResult<HttpResponse> {
    who.require(WRITERS)?;
    let idem = idempotency(&req, &who, &body.0)?;
    let input: OpeningInput = parse_json(body.0.to_string().as_bytes())?;
    let now = state.clock.now_ts();
    let today = state.clock.today();
    let check = check.get_ref().clone();
    let created =
        db::run(&state.pool, move |c| store::create(c, now, today, &who, input, idem, check.as_ref())).await?;
    match created {
        store::Created::New(saved) => {
            state.new_openings.notify_one();
            Ok(HttpResponse::Created().insert_header((header::ETAG, etag(saved.opening.version))).json(saved))
        }
        store::Created::Replayed(r) => {
            let mut replay = HttpResponse::build(StatusCode::from_u16(r.status).unwrap_or(StatusCode::CREATED));
            replay.content_type("application/json").insert_header(("Idempotent-Replayed", "true"));
            // The ETag the first answer carried: the version stored with it.
            let version = serde_json::from_str::<Value>(&r.body).ok().and_then(|b| b["version"].as_i64());
            if let Some(version) = version {
                replay.insert_header((header::ETAG, etag(version)));
            }
            Ok(replay.body(r.body))
        }
    }
}

/// An employer sees its own openings; staff see all.
#[utoipa::path(
    tag = "openings",
    summary = "List openings: an employer sees its own",
    description = "Roles: any.",
    params(
        store::OpeningFilter,
        crate::http::Paging,
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::openings::Opening>),
    ),
)]
#[get("/api/v1/openings")]
async fn list(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<store::OpeningFilter>,
    paging: Paging,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let (limit, offset) = paging.pair();
    let (items, total) = db::run(&state.pool, move |c| store::list(c, &who, &q, limit, offset)).await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}

#[utoipa::path(
    tag = "openings",
    summary = "An opening (another employer's is 404)",
    description = "Roles: any.",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, description = "OK", body = crate::openings::Opening, headers(("ETag" = String, description = "the version, for If-Match"))),
    ),
)]
#[get("/api/v1/openings/{id}")]
async fn show(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let opening = db::run(&state.pool, move |c| store::get_visible(c, &who, &id)).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(opening.version))).json(opening))
}

/// A JSON merge patch; `If-Match` with the current ETag is required, so two people editing
/// the same opening cannot overwrite each other.
#[utoipa::path(
    tag = "openings",
    summary = "Merge-patch an opening; If-Match required (428 without, 412 stale)",
    description = "Roles: employer (own), broker, admin.",
    params(
        ("If-Match" = String, Header, description = "the ETag of your last read (required: 428 without it, 412 when it changed since)", pattern = r#"^(W/)?"[0-9]{1,18}"$"#),
        ("id" = String, Path),
    ),
    request_body(content = crate::openings::OpeningInput, content_type = "application/merge-patch+json", description = "A JSON merge patch (RFC 7396): the members to change; null removes an optional one"),
    responses(
        (status = 200, description = "OK: the opening, with `warnings` for hard requirements that exclude many otherwise matching people (nothing is blocked)", body = crate::openings::SavedOpening, headers(("ETag" = String, description = "the version, for If-Match"))),
    ),
)]
#[patch("/api/v1/openings/{id}")]
async fn update(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<Value>,
    check: web::Data<super::Checker>,
) -> AppResult<HttpResponse> {
    who.require(WRITERS)?;
    if !body.0.is_object() {
        return Err(AppError::field("body", Fault::Format, "must be a JSON object"));
    }
    let expected = if_match(&req)?
        .ok_or_else(|| AppError::PreconditionRequired("send If-Match with the ETag from your last read".into()))?;
    let id = id.into_inner();
    let now = state.clock.now_ts();
    let today = state.clock.today();
    let check = check.get_ref().clone();
    let saved =
        db::run(&state.pool, move |c| store::update(c, now, today, &who, &id, expected, (body.0, check.as_ref())))
            .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(saved.opening.version))).json(saved))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct BrokerInput {
    broker_id: Option<String>,
}

/// Who is responsible for the opening among the brokers (`null`: nobody).
#[utoipa::path(
    tag = "openings",
    summary = "Make a broker (or nobody, null) responsible for the opening (\"Mina annonser\")",
    description = "Roles: admin, broker.",
    params(
        ("id" = String, Path),
    ),
    request_body = BrokerInput,
    responses(
        (status = 200, description = "OK", body = super::Opening),
    ),
)]
#[put("/api/v1/openings/{id}/broker")]
async fn set_broker(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<BrokerInput>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Broker, Role::Admin])?;
    let (id, now) = (id.into_inner(), state.clock.now_ts());
    let broker = body.0.broker_id.filter(|b| !b.is_empty());
    let opening = db::run(&state.pool, move |c| store::set_broker(c, now, &who, &id, broker.as_deref())).await?;
    Ok(HttpResponse::Ok().json(opening))
}
