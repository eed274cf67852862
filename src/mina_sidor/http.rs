//! The person's own case for a municipality's e-service (`/api/v1/me/…`, with the Mina sidor
//! session cookie; `GET /api/v1/me` stays the staff principal), and the managers' side of
//! requests for review (`/api/v1/reviews`).

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, delete, get, post, put, web};
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;

use super::service::{self, Me};
use super::{AnswerInput, ConsentAnswer, ReviewInput};
use crate::audit::Action;
use crate::auth::{Principal, Role};
use crate::clock::Month;
use crate::error::{AppError, AppResult, Fault};
use crate::http::{Json, Paging, created};
use crate::identity::{MINA_SIDOR_COOKIE, Purpose};
use crate::privacy::Reader;
use crate::state::AppState;

crate::api_handlers!(
    me_person,
    me_bookings,
    me_cancel,
    me_plan,
    me_consents,
    me_answer,
    me_explanations,
    me_extract,
    me_reviews,
    me_ask_review,
    list_reviews,
    get_review,
    answer_review,
);

/// The person a Mina sidor session cookie identifies, for the route the request came
/// through; 401 without a live session.
impl FromRequest for Me {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { me_of(&req).await?.ok_or(AppError::Unauthorized("sign in to Mina sidor")) })
    }
}

/// The signed-in person, if any.
pub async fn me_of(req: &HttpRequest) -> AppResult<Option<Me>> {
    let state = req.app_data::<web::Data<AppState>>().cloned().ok_or_else(|| AppError::internal("no state"))?;
    let Some(cookie) = req.cookie(MINA_SIDOR_COOKIE).map(|c| c.value().to_string()).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let now = state.clock.now_ts();
    let found = crate::identity::service::citizen(&state.pool, now, &cookie, Purpose::MinaSidor).await?;
    Ok(found.map(|c| Me {
        personnummer: c.personnummer,
        given_name: c.given_name,
        family_name: c.family_name,
        action: crate::audit::http::action_of(req),
        now,
        today: state.clock.today(),
    }))
}

#[utoipa::path(
    tag = "me",
    summary = "Who the signed-in person is (Mina sidor session)",
    description = "The person signed in with e-legitimation (`/mina-sidor`). Audited as the person's own read.",
    responses((status = 200, description = "OK", body = super::Person)),
    security(("mina_sidor" = [])),
)]
#[get("/api/v1/me/person")]
async fn me_person(state: web::Data<AppState>, me: Me) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::person(&state.pool, &me).await?))
}

#[utoipa::path(
    tag = "me",
    summary = "The person's meetings, the latest first",
    responses((status = 200, description = "OK", body = Vec<crate::booking::store::Booking>)),
    security(("mina_sidor" = [])),
)]
#[get("/api/v1/me/bookings")]
async fn me_bookings(state: web::Data<AppState>, me: Me) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::bookings(&state.pool, &me).await?))
}

#[utoipa::path(
    tag = "me",
    summary = "Cancel one of the person's meetings still to come",
    description = "404 for a meeting that is not the person's; 409 `conflict.meeting_passed` once it has begun or is no longer booked.",
    params(("id" = String, Path)),
    responses((status = 204, description = "Cancelled")),
    security(("mina_sidor" = [])),
)]
#[delete("/api/v1/me/bookings/{id}")]
async fn me_cancel(state: web::Data<AppState>, me: Me, id: web::Path<String>) -> AppResult<HttpResponse> {
    service::cancel(&state.pool, &me, &id, &crate::booking::Sending::of(&state.settings)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct MonthQuery {
    /// YYYY-MM; the running month when left out.
    month: Option<String>,
}

pub fn month_of(state: &AppState, raw: Option<&str>) -> AppResult<Month> {
    match raw.filter(|m| !m.is_empty()) {
        None => Ok(Month::of(state.clock.today())),
        Some(m) => Month::parse(m).ok_or_else(|| AppError::field("month", Fault::Format, "must be a month, YYYY-MM")),
    }
}

#[utoipa::path(
    tag = "me",
    summary = "The person's plan, activities, the month's recorded attendance and declined offers",
    params(MonthQuery),
    responses((status = 200, description = "OK", body = super::service::OwnPlan)),
    security(("mina_sidor" = [])),
)]
#[get("/api/v1/me/plan")]
async fn me_plan(state: web::Data<AppState>, me: Me, q: web::Query<MonthQuery>) -> AppResult<HttpResponse> {
    let month = month_of(&state, q.month.as_deref())?;
    Ok(HttpResponse::Ok().json(service::plan(&state.pool, &me, month).await?))
}

#[utoipa::path(
    tag = "me",
    summary = "Every consent asked of the person, per opening and employer, with the answers",
    responses((status = 200, description = "OK", body = Vec<crate::shortlist::OwnConsent>)),
    security(("mina_sidor" = [])),
)]
#[get("/api/v1/me/consents")]
async fn me_consents(state: web::Data<AppState>, me: Me) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::consents(&state.pool, &me).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentAnswerInput {
    pub answer: ConsentAnswer,
}

#[utoipa::path(
    tag = "me",
    summary = "Answer a consent request (yes, no) or withdraw a consent given",
    description = "Withdrawing hides the person from that employer at once. 404 when nothing was asked for the opening; 409 `conflict.consent_closed` when the request can no longer be answered that way.",
    params(("opening_id" = String, Path)),
    request_body = ConsentAnswerInput,
    responses((status = 200, description = "OK", body = crate::shortlist::OwnConsent)),
    security(("mina_sidor" = [])),
)]
#[put("/api/v1/me/consents/{opening_id}")]
async fn me_answer(
    state: web::Data<AppState>,
    me: Me,
    opening: web::Path<String>,
    body: Json<ConsentAnswerInput>,
) -> AppResult<HttpResponse> {
    let answer = body.0.answer;
    Ok(HttpResponse::Ok().json(service::answer_consent(&state.pool, &me, &opening, answer).await?))
}

#[utoipa::path(
    tag = "me",
    summary = "Why the person was proposed, presented or asked about each opening, in plain Swedish",
    description = "From the person's own profile and the opening's requirements: never another person's data or any score.",
    responses((status = 200, description = "OK", body = Vec<super::Explanation>)),
    security(("mina_sidor" = [])),
)]
#[get("/api/v1/me/explanations")]
async fn me_explanations(state: web::Data<AppState>, me: Me) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::explanations(&state.pool, &me, state.settings.matching).await?))
}

#[utoipa::path(
    tag = "me",
    summary = "The register extract (GDPR Art. 15): everything Platsa holds about the person, as JSON",
    responses((status = 200, description = "OK", body = Object)),
    security(("mina_sidor" = [])),
)]
#[get("/api/v1/me/extract")]
async fn me_extract(state: web::Data<AppState>, me: Me) -> AppResult<HttpResponse> {
    let show = state.settings.mina_sidor.show_reader_names;
    let extract = service::extract(&state.pool, &me, show).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"mina-uppgifter-platsa.json\"",
        ))
        .json(extract))
}

#[utoipa::path(
    tag = "me",
    summary = "The person's requests for review, with the answers given",
    responses((status = 200, description = "OK", body = Vec<super::Review>)),
    security(("mina_sidor" = [])),
)]
#[get("/api/v1/me/reviews")]
async fn me_reviews(state: web::Data<AppState>, me: Me) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::reviews(&state.pool, &me).await?))
}

#[utoipa::path(
    tag = "me",
    summary = "Ask for a review of a decision or mark: a signal for the person's unit manager",
    description = "`ref_id` names the decline or opening when there is one; it must be the person's. 409 `conflict.not_registered` while Platsa has no record of the person.",
    request_body = ReviewInput,
    responses((status = 201, description = "Created", body = super::Review)),
    security(("mina_sidor" = [])),
)]
#[post("/api/v1/me/reviews")]
async fn me_ask_review(state: web::Data<AppState>, me: Me, body: Json<ReviewInput>) -> AppResult<HttpResponse> {
    let days = state.settings.mina_sidor.review_days;
    Ok(created(&service::ask_review(&state.pool, &me, body.0, days).await?))
}

fn manager(state: &AppState, who: Principal, action: Action) -> AppResult<Reader> {
    who.require(&[Role::Manager, Role::Admin])?;
    Ok(Reader::new(who, action, &state.clock))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ReviewQuery {
    /// Only those not yet answered (the default), or `false` for all.
    open: Option<bool>,
}

#[utoipa::path(
    tag = "reviews",
    summary = "Requests for review, the soonest due first",
    description = "Roles: manager, admin. Ids and dates only: the text is read one at a time (audited).",
    params(ReviewQuery, crate::http::Paging),
    responses((status = 200, description = "OK", body = crate::http::Page<super::Review>)),
)]
#[get("/api/v1/reviews")]
async fn list_reviews(
    state: web::Data<AppState>,
    who: Principal,
    action: Action,
    q: web::Query<ReviewQuery>,
    paging: Paging,
) -> AppResult<HttpResponse> {
    manager(&state, who, action)?;
    let (items, total) = service::list_reviews(&state.pool, q.open.unwrap_or(true), paging.pair()).await?;
    let items: Vec<super::Review> =
        items.into_iter().map(|r| super::Review { text: None, answer: None, ..r }).collect();
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}

#[utoipa::path(
    tag = "reviews",
    summary = "One request for review with the person's text (audited as a read of the person)",
    description = "Roles: manager, admin. A person of another unit needs X-Access-Reason.",
    params(("id" = String, Path), crate::http::AccessReason),
    responses((status = 200, description = "OK", body = super::Review)),
)]
#[get("/api/v1/reviews/{id}")]
async fn get_review(
    state: web::Data<AppState>,
    who: Principal,
    action: Action,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let r = manager(&state, who, action)?;
    let (review, _) = service::review(&state.pool, &r, &id).await?;
    Ok(HttpResponse::Ok().json(review))
}

#[utoipa::path(
    tag = "reviews",
    summary = "Answer a request for review; the person sees the answer on Mina sidor",
    description = "Roles: manager, admin. A later answer replaces an earlier one.",
    params(("id" = String, Path), crate::http::AccessReason),
    request_body = AnswerInput,
    responses((status = 200, description = "OK", body = super::Review)),
)]
#[post("/api/v1/reviews/{id}/answer")]
async fn answer_review(
    state: web::Data<AppState>,
    who: Principal,
    action: Action,
    id: web::Path<String>,
    body: Json<AnswerInput>,
) -> AppResult<HttpResponse> {
    let r = manager(&state, who, action)?;
    Ok(HttpResponse::Ok().json(service::answer_review(&state.pool, &r, &id, body.0).await?))
}
