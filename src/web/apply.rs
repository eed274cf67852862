//! The public applicant page: apply for support and, right away, pick one of three free
//! meetings with an arbetsmarknadssekreterare on the next working day. Made for a phone.
//! Uses the same functions as `POST /api/v1/applications` and its booking endpoint, with the
//! same rate limit; the booking's guarantees live in the database.

use std::collections::HashMap;
use std::net::IpAddr;

use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, post, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{self, Chrome, clock_time, instant};
use super::session::{anonymous_csrf, check_anonymous};
use super::{WebError, WebResult, page_response, see_other};
use crate::booking::officers;
use crate::booking::slots::Slot;
use crate::booking::store::{self, ApplicationInput, BookError};
use crate::db;
use crate::error::{AppError, FieldError};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(form).service(submit).service(book).service(booked);
}

#[derive(Deserialize, Default, Clone)]
struct ApplyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    personnummer: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    situation: String,
}

fn with_csrf(req: &HttpRequest, status: StatusCode, title: &str, body: impl FnOnce(&str) -> Markup) -> HttpResponse {
    let (csrf, cookie) = anonymous_csrf(req);
    let mut res = page_response(status, layout::page(title, &Chrome::anonymous(), body(&csrf)));
    if let Some(c) = cookie {
        let _ = res.add_cookie(&c);
    }
    res
}

fn application_form(csrf: &str, f: &ApplyForm, errors: &[FieldError]) -> Markup {
    let error = |field: &str| errors.iter().find(|e| e.field == field).map(|e| e.message.clone());
    let field = |name: &str, label: &str, value: &str, kind: &str, auto: &str, hint: Option<&str>| {
        let err = error(name);
        html! {
            div.field {
                label for=(name) { (label) }
                @if let Some(h) = hint { small.hint { (h) } }
                input id=(name) name=(name) type=(kind) value=(value) autocomplete=(auto) aria-invalid=[err.as_ref().map(|_| "true")];
                @if let Some(e) = err { small.error { (e) } }
            }
        }
    };
    html! {
        section.apply {
            h1 { "Ansök om stöd och boka ett möte" }
            p { "När du har skickat din ansökan får du välja en av tre tider med en arbetsmarknadssekreterare nästa arbetsdag. Vägen till jobb börjar direkt, samtidigt som vi utreder din ansökan." }
            @if !errors.is_empty() { p.notice.error role="alert" { "Några uppgifter behöver rättas, se nedan." } }
            form.stack method="post" action="/apply" novalidate {
                input type="hidden" name="csrf" value=(csrf);
                (field("personnummer", "Personnummer", &f.personnummer, "text", "off", Some("ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN")))
                (field("first_name", "Förnamn", &f.first_name, "text", "given-name", None))
                (field("last_name", "Efternamn", &f.last_name, "text", "family-name", None))
                (field("phone", "Telefon", &f.phone, "tel", "tel", None))
                (field("email", "E-post", &f.email, "email", "email", Some("Telefon eller e-post, så att vi kan nå dig")))
                div.field {
                    label for="situation" { "Berätta kort om din situation (frivilligt)" }
                    textarea #situation name="situation" rows="4" maxlength="2000" { (f.situation) }
                    @if let Some(e) = error("situation") { small.error { (e) } }
                }
                button type="submit" { "Skicka ansökan" }
            }
            p.muted { "Dina uppgifter används bara för din ansökan och ditt möte." }
        }
    }
}

#[get("/apply")]
async fn form(req: HttpRequest) -> HttpResponse {
    with_csrf(&req, StatusCode::OK, "Ansök", |csrf| application_form(csrf, &ApplyForm::default(), &[]))
}

async fn officer_names(state: &AppState) -> Result<HashMap<String, String>, WebError> {
    Ok(db::run(&state.pool, officers::list).await?.into_iter().map(|o| (o.id, o.name)).collect())
}

struct Offer<'a> {
    application_id: &'a str,
    token: &'a str,
    slots: &'a [Slot],
    next_day_full: bool,
    message: Option<&'a str>,
}

fn offers_page(csrf: &str, o: &Offer<'_>, names: &HashMap<String, String>) -> Markup {
    html! {
        section.apply {
            h1 { "Välj en tid" }
            @if let Some(m) = o.message { p.notice.error role="alert" { (m) } }
            @if o.next_day_full {
                p.notice { "Nästa arbetsdag är fullbokad. Här är de första lediga tiderna efter den." }
            } @else if !o.slots.is_empty() {
                p { "Din ansökan är mottagen. Välj en av tiderna nästa arbetsdag:" }
            }
            @if o.slots.is_empty() {
                p.notice.error { "Just nu finns inga lediga tider. Vi ringer upp dig inom en arbetsdag." }
            } @else {
                form.stack.slots method="post" action=(format!("/apply/{}/book", o.application_id)) {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="token" value=(o.token);
                    @for (i, s) in o.slots.iter().enumerate() {
                        label.slot {
                            input type="radio" name="slot_id" value=(s.id) required checked[i == 0];
                            span { strong { (instant(s.starts_at)) "–" (clock_time(s.ends_at)) }
                                   br; "med " (names.get(&s.officer_id).cloned().unwrap_or_else(|| "en arbetsmarknadssekreterare".into())) }
                        }
                    }
                    button type="submit" { "Boka tiden" }
                }
            }
        }
    }
}

fn client_ip(req: &HttpRequest) -> IpAddr {
    req.peer_addr().map(|a| a.ip()).unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

#[post("/apply")]
async fn submit(state: web::Data<AppState>, req: HttpRequest, f: web::Form<ApplyForm>) -> WebResult {
    check_anonymous(&req, &f.csrf)?;
    state
        .applications_limiter
        .allow(client_ip(&req), state.settings.booking.applications_per_minute)
        .map_err(|retry_after_secs| AppError::TooManyRequests { retry_after_secs })?;
    let f = f.into_inner();
    let blank = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let input = ApplicationInput {
        personnummer: f.personnummer.trim().to_string(),
        first_name: f.first_name.trim().to_string(),
        last_name: f.last_name.trim().to_string(),
        email: blank(&f.email),
        phone: blank(&f.phone),
        situation: blank(&f.situation),
    };
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let settings = state.settings.booking.clone();
    match db::run(&state.pool, move |c| store::apply(c, now, today, &settings, input)).await {
        Ok(created) => {
            let names = officer_names(&state).await?;
            let offer = Offer {
                application_id: &created.id,
                token: &created.booking_token,
                slots: &created.offered_slots,
                next_day_full: created.next_day_full,
                message: None,
            };
            Ok(with_csrf(&req, StatusCode::CREATED, "Välj en tid", |csrf| offers_page(csrf, &offer, &names)))
        }
        Err(AppError::Validation(errors)) => {
            let errors = errors
                .into_iter()
                .map(|e| FieldError { message: super::labels::field_problem(&e), ..e })
                .collect::<Vec<_>>();
            Ok(with_csrf(&req, StatusCode::UNPROCESSABLE_ENTITY, "Ansök", |csrf| application_form(csrf, &f, &errors)))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct BookForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    slot_id: String,
}

#[post("/apply/{id}/book")]
async fn book(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    f: web::Form<BookForm>,
) -> WebResult {
    check_anonymous(&req, &f.csrf)?;
    let id = id.into_inner();
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let (horizon, hour) = (state.settings.booking.horizon_working_days, state.settings.booking.reminder_hour);
    let (token, slot, app) = (f.token.clone(), f.slot_id.clone(), id.clone());
    let result = db::run(&state.pool, move |c| Ok(store::book(c, now, Some(&app), &token, &slot, false, hour))).await?;
    let message = match result {
        Ok(_) => return Ok(see_other(&format!("/apply/booked/{}", super::urlencode(&f.token)))),
        Err(BookError::Taken) => {
            "Tiden du valde hann någon annan boka precis nu. Välj en av de här lediga tiderna i stället."
        }
        Err(BookError::Other(AppError::Validation(_))) if f.slot_id.is_empty() => "Välj en av tiderna.",
        Err(BookError::Other(AppError::Validation(_) | AppError::NotFound(_))) => {
            "Tiden finns inte längre. Välj en av de här lediga tiderna i stället."
        }
        Err(BookError::Other(e)) => return Err(e.into()),
    };
    let slots = db::run(&state.pool, move |c| store::fresh_offers(c, today, now, horizon)).await?;
    let names = officer_names(&state).await?;
    let offer =
        Offer { application_id: &id, token: &f.token, slots: &slots, next_day_full: false, message: Some(message) };
    Ok(with_csrf(&req, StatusCode::CONFLICT, "Välj en tid", |csrf| offers_page(csrf, &offer, &names)))
}

#[get("/apply/booked/{token}")]
async fn booked(state: web::Data<AppState>, token: web::Path<String>) -> WebResult {
    let token = token.into_inner();
    let t = token.clone();
    let b = db::run(&state.pool, move |c| store::by_token(c, &t)).await?;
    let body = html! {
        section.apply.confirmation {
            h1 { "Ditt möte är bokat" }
            p.big { strong { (instant(b.starts_ts)) "–" (clock_time(b.ends_ts)) } }
            p { "Du träffar " (b.officer_name) ", " (b.unit) "." }
            p { a.button href=(format!("/api/v1/bookings/{}.ics", super::urlencode(&token))) download { "Lägg till i kalendern (.ics)" } }
            p.muted { "Spara den här sidan: länken är din nyckel till bokningen. Vi skickar en påminnelse dagen före." }
        }
    };
    super::ok(layout::page("Bokat", &Chrome::anonymous(), body))
}
