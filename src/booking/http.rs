use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, post, put, web};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::calendar::working_days_after;
use super::officers::{self, AbsenceInput, OfficerInput};
use super::store::{self, ApplicationInput, BookError, Holder};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult, Clash, Fault};
use crate::http::{Json, Page, created};
use crate::state::AppState;

crate::api_handlers!(
    create_officer,
    list_officers,
    show_officer,
    update_officer,
    add_absence,
    agenda,
    working_days,
    apply,
    book,
    ics,
    cancel,
    reschedule,
    mark,
    confirm_identity,
    decide,
    decide_for_person,
    earlier,
    show_offer,
    answer_offer
);

#[utoipa::path(
    tag = "officers",
    summary = "Add an officer with weekly hours",
    description = "Roles: admin.",
    request_body = crate::booking::officers::OfficerInput,
    responses(
        (status = 201, description = "OK", body = crate::booking::officers::Officer),
    ),
)]
#[post("/api/v1/officers")]
async fn create_officer(
    state: web::Data<AppState>,
    who: Principal,
    body: Json<OfficerInput>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let input = body.0.validate()?;
    let now = state.clock.now_ts();
    let officer = db::run(&state.pool, move |c| officers::create(c, now, input)).await?;
    Ok(created(&officer))
}

#[utoipa::path(
    tag = "officers",
    summary = "List officers",
    description = "Roles: admin, broker, officer, manager.",
    responses(
        (status = 200, description = "OK", body = Page<super::officers::Officer>),
    ),
)]
#[get("/api/v1/officers")]
async fn list_officers(state: web::Data<AppState>, who: Principal) -> AppResult<HttpResponse> {
    who.require(Role::STAFF)?;
    let items = super::service::officers(&state.pool).await?;
    let total = items.len() as i64;
    Ok(HttpResponse::Ok().json(Page::new(items, total, total.max(1), 0)))
}

#[utoipa::path(
    tag = "officers",
    summary = "An officer",
    description = "Roles: admin, broker, officer, manager.",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, description = "OK", body = crate::booking::officers::Officer),
    ),
)]
#[get("/api/v1/officers/{id}")]
async fn show_officer(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> AppResult<HttpResponse> {
    who.require(Role::STAFF)?;
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(db::run(&state.pool, move |c| officers::get(c, &id)).await?))
}

#[utoipa::path(
    tag = "officers",
    summary = "Merge-patch an officer",
    description = "Roles: admin.",
    params(
        ("id" = String, Path),
    ),
    request_body(content = crate::booking::officers::OfficerInput, content_type = "application/merge-patch+json", description = "A JSON merge patch (RFC 7396): the members to change; null removes an optional one"),
    responses(
        (status = 200, description = "OK", body = crate::booking::officers::Officer),
    ),
)]
#[patch("/api/v1/officers/{id}")]
async fn update_officer(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<Value>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    if !body.0.is_object() {
        return Err(AppError::field("body", Fault::Format, "must be a JSON object"));
    }
    let (id, now) = (id.into_inner(), state.clock.now_ts());
    Ok(HttpResponse::Ok().json(db::run(&state.pool, move |c| officers::update(c, now, &id, body.0)).await?))
}

#[utoipa::path(
    tag = "officers",
    summary = "Record an absence (date range)",
    description = "Roles: admin.",
    params(
        ("id" = String, Path),
    ),
    request_body = crate::booking::officers::AbsenceInput,
    responses(
        (status = 201, description = "OK", body = crate::booking::officers::Officer),
    ),
)]
#[post("/api/v1/officers/{id}/absences")]
async fn add_absence(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<AbsenceInput>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let (id, now) = (id.into_inner(), state.clock.now_ts());
    Ok(created(&db::run(&state.pool, move |c| officers::add_absence(c, now, &id, body.0)).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DateQuery {
    date: Option<String>,
}

/// An officer's day: the meetings with their status (names shown: audited).
#[utoipa::path(
    tag = "officers",
    summary = "An officer's meetings on a date (audited)",
    description = "Roles: admin, officer.",
    params(
        DateQuery,
        ("id" = String, Path),
    ),
    responses(
        (status = 200, description = "OK", body = Agenda),
    ),
)]
#[get("/api/v1/officers/{id}/agenda")]
async fn agenda(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    q: web::Query<DateQuery>,
    action: crate::audit::Action,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin, Role::Officer])?;
    let date = match &q.date {
        Some(d) => d.parse().map_err(|_| AppError::field("date", Fault::Format, "must be a date, YYYY-MM-DD"))?,
        None => state.clock.today(),
    };
    let (id, now) = (id.into_inner(), state.clock.now_ts());
    let items = super::service::agenda(&state.pool, &who, &action, &id, date, now).await?;
    let total = items.len() as i64;
    Ok(HttpResponse::Ok().json(Agenda { date, items, total, limit: total.max(1), offset: 0 }))
}

/// An officer's meetings on a day, as a list.
#[derive(Serialize, utoipa::ToSchema)]
struct Agenda {
    date: chrono::NaiveDate,
    items: Vec<store::AgendaItem>,
    total: i64,
    limit: i64,
    offset: i64,
}

/// Working days, as a list.
#[derive(Serialize, utoipa::ToSchema)]
struct WorkingDays {
    items: Vec<WorkingDay>,
    total: i64,
    limit: i64,
    offset: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
struct WorkingDay {
    date: chrono::NaiveDate,
}

/// A booked meeting and its calendar file.
#[derive(Serialize, utoipa::ToSchema)]
struct Booked {
    booking: store::Booking,
    ics_url: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct WorkingDaysQuery {
    from: Option<String>,
    count: Option<usize>,
}

#[utoipa::path(
    tag = "calendar",
    summary = "The next working days in Sweden after a date",
    description = "Roles: admin, broker, officer, manager.",
    params(
        WorkingDaysQuery,
    ),
    responses(
        (status = 200, description = "OK", body = WorkingDays),
    ),
)]
#[get("/api/v1/calendar/working-days")]
async fn working_days(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<WorkingDaysQuery>,
) -> AppResult<HttpResponse> {
    who.require(Role::STAFF)?;
    let from = match &q.from {
        Some(d) => d.parse().map_err(|_| AppError::field("from", Fault::Format, "must be a date, YYYY-MM-DD"))?,
        None => state.clock.today(),
    };
    let count = q.count.unwrap_or(10);
    if !(1..=366).contains(&count) {
        return Err(AppError::field("count", Fault::Range, "must be between 1 and 366"));
    }
    let items: Vec<WorkingDay> = working_days_after(from, count).into_iter().map(|date| WorkingDay { date }).collect();
    let count = count as i64;
    Ok(HttpResponse::Ok().json(WorkingDays { items, total: count, limit: count, offset: 0 }))
}

/// The public application form's endpoint: no token; rate-limited per client address.
#[utoipa::path(
    tag = "applications",
    summary = "Apply for support and get three meetings to choose from (rate-limited). The application is linked to no seeker until staff confirm the applicant's identity, so the answer is the same whether or not the personnummer is registered; a person holds one booked meeting at a time (booking a second is 409 conflict.has_meeting)",
    description = "Roles: public. A browser that signed in with e-legitimation at /apply/eid sends its `platsa_eid` cookie: the e-ID's personnummer and names are stored, whatever the body says, and `identified_by` is `eid`. With `citizen_oidc.required`, an application without it is 403 `identity.eid_required`.",
    request_body = crate::booking::store::ApplicationInput,
    responses(
        (status = 201, description = "OK", body = crate::booking::store::ApplicationCreated),
    ),
    security(()),
)]
#[post("/api/v1/applications")]
async fn apply(state: web::Data<AppState>, req: HttpRequest, body: Json<ApplicationInput>) -> AppResult<HttpResponse> {
    // The limit counts applications made, not ones refused for a mistake.
    let ip = crate::http::client(&req).ip;
    if let Some(retry_after_secs) =
        state.applications_limiter.exhausted(ip, state.settings.booking.applications_per_minute)
    {
        return Err(AppError::TooManyRequests { retry_after_secs });
    }
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    // A browser that signed in with e-legitimation (`/apply/eid`) carries it in a cookie.
    let eid = match req.cookie(crate::identity::EID_COOKIE) {
        Some(c) => {
            crate::identity::service::citizen(&state.pool, now, c.value(), crate::identity::Purpose::Citizen).await?
        }
        None => None,
    };
    let identified = eid.map(|who| super::store::Identified {
        personnummer: who.personnummer,
        first_name: who.given_name,
        last_name: who.family_name,
    });
    if identified.is_none() && state.settings.citizen_oidc.as_ref().is_some_and(|c| c.required) {
        return Err(AppError::EidRequired);
    }
    let settings = state.settings.booking.clone();
    let created = super::service::apply(&state.pool, (now, today), &settings, body.0, identified).await?;
    let _ = state.applications_limiter.allow(ip, u32::MAX);
    Ok(HttpResponse::Created().json(created))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct BookInput {
    token: String,
    slot_id: String,
}

async fn do_book(
    state: &AppState,
    application: Option<String>,
    token: String,
    slot_id: String,
    moving: bool,
) -> AppResult<HttpResponse> {
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let (horizon, sending) = (state.settings.booking.horizon_working_days, super::Sending::of(&state.settings));
    let result =
        super::service::book(&state.pool, now, (application, Holder::Link(token.clone()), &slot_id), moving, &sending)
            .await?;
    match result {
        Ok(booking) => {
            Ok(HttpResponse::Created().json(Booked { booking, ics_url: format!("/api/v1/bookings/{token}.ics") }))
        }
        Err(BookError::Taken) => {
            let offers =
                super::service::offers(&state.pool, (now, today), horizon, Holder::Link(token.clone())).await?.slots;
            Err(AppError::conflict_with(
                Clash::SlotTaken,
                "that time was just taken by someone else; pick one of these",
                json!({ "offered_slots": offers }),
            ))
        }
        Err(BookError::HasMeeting) => Err(AppError::conflict(
            Clash::HasMeeting,
            "this person already has a booked meeting; open it with its booking link to move or cancel it",
        )),
        Err(BookError::Other(e)) => Err(e),
    }
}

/// Unknown booking links a client may present in a minute before it is answered 429: a
/// person who mistypes one is unaffected, guessing a 256-bit link is hopeless anyway, and
/// this keeps anyone from trying.
const TOKEN_MISSES_PER_MINUTE: u32 = 30;

/// Runs a request that presents a booking link, counting it when the link is unknown: past
/// the limit, an unknown link is answered 429; a valid one always works.
async fn guarded<T>(
    state: &AppState,
    req: &HttpRequest,
    work: impl std::future::Future<Output = AppResult<T>>,
) -> AppResult<T> {
    let result = work.await;
    if matches!(result, Err(AppError::NotFound(_)))
        && let Some(retry_after_secs) =
            state.booking_token_misses.missed(crate::http::client(req).ip, TOKEN_MISSES_PER_MINUTE)
    {
        return Err(AppError::TooManyRequests { retry_after_secs });
    }
    result
}

#[utoipa::path(
    tag = "applications",
    summary = "Book an offered meeting; 409 with fresh offers if just taken",
    description = "Roles: public (with the booking token).",
    params(
        ("id" = String, Path),
    ),
    request_body = crate::booking::http::BookInput,
    responses(
        (status = 201, description = "OK", body = Booked),
    ),
)]
#[post("/api/v1/applications/{id}/booking")]
async fn book(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<BookInput>,
) -> AppResult<HttpResponse> {
    let BookInput { token, slot_id } = body.0;
    guarded(&state, &req, do_book(&state, Some(id.into_inner()), token, slot_id, false)).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RescheduleInput {
    slot_id: String,
}

/// Cancel and book in one transaction: if the new time is taken, the old one stays.
#[utoipa::path(
    tag = "bookings",
    summary = "Move the meeting (cancel and book in one transaction)",
    description = "Roles: public (with the booking token).",
    params(
        ("token" = String, Path),
    ),
    request_body = crate::booking::http::RescheduleInput,
    responses(
        (status = 201, description = "OK", body = Booked),
    ),
)]
#[post("/api/v1/bookings/{token}/reschedule")]
async fn reschedule(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    body: Json<RescheduleInput>,
) -> AppResult<HttpResponse> {
    guarded(&state, &req, do_book(&state, None, token.into_inner(), body.0.slot_id, true)).await
}

#[utoipa::path(
    tag = "bookings",
    summary = "The meeting as iCalendar (UTC, stable UID)",
    description = "Roles: public (with the booking token).",
    params(
        ("token" = String, Path),
    ),
    responses(
        (status = 200, description = "OK", body = String, content_type = "text/calendar"),
    ),
)]
#[get("/api/v1/bookings/{token}.ics")]
async fn ics(state: web::Data<AppState>, req: HttpRequest, token: web::Path<String>) -> AppResult<HttpResponse> {
    let token = token.into_inner();
    let booking = guarded(&state, &req, super::service::by_token(&state.pool, Holder::Link(token.clone()))).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"platsa-mote.ics\""))
        .body(store::ics(&booking)))
}

#[utoipa::path(
    tag = "bookings",
    summary = "Cancel the meeting",
    description = "Roles: public (with the booking token).",
    params(
        ("token" = String, Path),
    ),
    responses(
        (status = 204, description = "Done; no body"),
    ),
)]
#[delete("/api/v1/bookings/{token}")]
async fn cancel(state: web::Data<AppState>, req: HttpRequest, token: web::Path<String>) -> AppResult<HttpResponse> {
    let (token, now) = (token.into_inner(), state.clock.now_ts());
    let sending = super::Sending::of(&state.settings);
    guarded(&state, &req, super::service::cancel(&state.pool, now, Holder::Link(token.clone()), &sending)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct MarkInput {
    status: String,
}

/// Officers record how the meeting went: `held` or `no_show`.
#[utoipa::path(
    tag = "bookings",
    summary = "Mark a meeting held or no_show",
    description = "Roles: admin, officer.",
    params(
        ("id" = String, Path),
    ),
    request_body = crate::booking::http::MarkInput,
    responses(
        (status = 204, description = "Done; no body"),
    ),
)]
#[post("/api/v1/bookings/{id}/status")]
async fn mark(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<MarkInput>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin, Role::Officer])?;
    let (id, now) = (id.into_inner(), state.clock.now_ts());
    super::service::mark(&state.pool, now, &id, &body.0.status).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Staff have met the applicant and confirm who they are: link the application to the
/// registered seeker `seeker_id`, or (without it) register a new seeker from the application.
/// Until then an application reads and changes no seeker record.
#[utoipa::path(
    tag = "applications",
    summary = "Staff confirm who applied, after checking their identity at the meeting: link the application to the registered seeker `seeker_id`, or (without it) register a new seeker from the application. 409 conflict.duplicate (with existing_seeker_id) when the personnummer is registered; 409 conflict.identity_confirmed when linked to another seeker",
    description = "Roles: admin, broker, officer.",
    params(
        ("id" = String, Path),
    ),
    request_body = crate::booking::store::IdentityInput,
    responses(
        (status = 200, description = "OK", body = crate::booking::store::IdentityConfirmed),
    ),
)]
#[post("/api/v1/applications/{id}/identity")]
async fn confirm_identity(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<store::IdentityInput>,
    action: crate::audit::Action,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let (id, now, today) = (id.into_inner(), state.clock.now_ts(), state.clock.today());
    let municipality = state.settings.booking.municipality_code.clone();
    let done = super::service::confirm_identity(&state.pool, (&who, &action), (now, today), &municipality, &id, body.0)
        .await?;
    Ok(HttpResponse::Ok().json(done))
}

/// The roles that report assistance decisions.
const DECIDERS: &[Role] = &[Role::CaseSystem, Role::Officer, Role::Admin];

fn decided(done: (super::decisions::Decision, bool)) -> HttpResponse {
    match done {
        (d, true) => HttpResponse::Created().json(d),
        (d, false) => HttpResponse::Ok().json(d),
    }
}

/// The case system reports the assistance decision on an application ("beslut inom 24
/// timmar"): the decision clock's measures and signal read it.
#[utoipa::path(
    tag = "applications",
    summary = "Report the assistance decision on an application (the case system or an officer); the same decision again is 200, another 409 conflict.decision_recorded",
    description = "Roles: case_system, officer, admin. Audited. `decided_at` may not be before the application or in the future.",
    params(("id" = String, Path)),
    request_body = super::decisions::DecisionInput,
    responses(
        (status = 201, description = "Recorded", body = super::decisions::Decision),
        (status = 200, description = "Already recorded, the same", body = super::decisions::Decision),
    ),
)]
#[post("/api/v1/applications/{id}/decision")]
async fn decide(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<super::decisions::DecisionInput>,
    action: crate::audit::Action,
) -> AppResult<HttpResponse> {
    who.require(DECIDERS)?;
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let target = super::service::DecisionFor::Application(id.into_inner());
    let clock = state.settings.signals.decisions.clock;
    Ok(decided(super::service::decide(&state.pool, (&who, &action), (now, today), target, body.0, clock).await?))
}

/// The same when the case system knows only the person and the day they applied.
#[utoipa::path(
    tag = "applications",
    summary = "Report the assistance decision on the application a person made on a day (the latest that day); 404 when they made none",
    description = "Roles: case_system, officer, admin. Audited.",
    request_body = super::decisions::PersonDecisionInput,
    responses(
        (status = 201, description = "Recorded", body = super::decisions::Decision),
        (status = 200, description = "Already recorded, the same", body = super::decisions::Decision),
    ),
)]
#[post("/api/v1/decisions")]
async fn decide_for_person(
    state: web::Data<AppState>,
    who: Principal,
    body: Json<super::decisions::PersonDecisionInput>,
    action: crate::audit::Action,
) -> AppResult<HttpResponse> {
    who.require(DECIDERS)?;
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let b = body.0;
    let target = super::service::DecisionFor::Person { personnummer: b.personnummer, applied_on: b.applied_on };
    let input = super::decisions::DecisionInput { decided_at: b.decided_at, outcome: b.outcome };
    let clock = state.settings.signals.decisions.clock;
    Ok(decided(super::service::decide(&state.pool, (&who, &action), (now, today), target, input, clock).await?))
}

#[utoipa::path(
    tag = "applications",
    summary = "The waiting list: ask for an earlier meeting if someone cancels (wanted: true), or stop asking; a freed earlier time is then offered by SMS with a hold (booking.offer_hold_minutes)",
    description = "Roles: public (with the booking token). 409 conflict.nothing_booked without a booked meeting.",
    security(()),
    params(("id" = String, Path)),
    request_body = super::offers::EarlierInput,
    responses((status = 200, description = "OK", body = super::offers::Earlier)),
)]
#[put("/api/v1/applications/{id}/booking/earlier")]
async fn earlier(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: Json<super::offers::EarlierInput>,
) -> AppResult<HttpResponse> {
    let body = body.0;
    let now = state.clock.now_ts();
    let done = guarded(
        &state,
        &req,
        super::service::want_earlier(&state.pool, now, Holder::Link(body.token), &id, body.wanted),
    )
    .await?;
    Ok(HttpResponse::Ok().json(done))
}

#[utoipa::path(
    tag = "applications",
    summary = "An offered earlier meeting, as its link shows it: when, where, held until when, and its state",
    description = "Roles: public (the offer's link is the key).",
    security(()),
    params(("token" = String, Path)),
    responses((status = 200, description = "OK", body = super::offers::OfferView)),
)]
#[get("/api/v1/booking-offers/{token}")]
async fn show_offer(state: web::Data<AppState>, req: HttpRequest, token: web::Path<String>) -> AppResult<HttpResponse> {
    let offer = guarded(&state, &req, super::service::offer(&state.pool, &token)).await?;
    Ok(HttpResponse::Ok().json(offer))
}

#[utoipa::path(
    tag = "applications",
    summary = "Take an offered earlier meeting (accept: true; the booking moves) or say no thanks (the time passes to the next person); 409 offer_answered, offer_expired or slot_taken",
    description = "Roles: public (the offer's link is the key).",
    security(()),
    params(("token" = String, Path)),
    request_body = super::offers::OfferAnswer,
    responses((status = 200, description = "OK", body = super::offers::OfferView)),
)]
#[post("/api/v1/booking-offers/{token}")]
async fn answer_offer(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    body: Json<super::offers::OfferAnswer>,
) -> AppResult<HttpResponse> {
    let (now, sending) = (state.clock.now_ts(), super::Sending::of(&state.settings));
    let offer =
        guarded(&state, &req, super::service::answer_offer(&state.pool, now, &token, body.0.accept, &sending)).await?;
    Ok(HttpResponse::Ok().json(offer))
}
