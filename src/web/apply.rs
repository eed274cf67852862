//! The public applicant page: apply for support and, right away, pick one of three free
//! meetings with an arbetsmarknadssekreterare on the next working day. Made for a phone.
//! Uses the same functions as `POST /api/v1/applications` and its booking endpoint, with the
//! same rate limit; the booking's guarantees live in the database (one booked meeting per
//! person included).
//!
//! Every form post answers with a redirect (Post/Redirect/Get), so Back and reload never
//! resend it. The booking link (the applicant's key) is kept in an HTTP-only cookie on this
//! device: applying again with the same personnummer while a meeting is booked leads back to
//! that meeting, and nothing is revealed to anyone who does not hold the link.

use std::collections::HashMap;
use std::net::IpAddr;

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, post, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{self, Chrome, clock_time, instant};
use super::session::{anonymous_csrf, check_anonymous};
use super::{WebError, WebResult, page_response, see_other};
use crate::booking::service;
use crate::booking::slots::Slot;
use crate::booking::store::Holder;
use crate::booking::store::{self, ApplicationInput, BookError, Booking};
use crate::error::{AppError, Clash, FieldError, Thing};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(form)
        .service(submit)
        .service(times)
        .service(book)
        .service(booked)
        .service(change_time)
        .service(reschedule)
        .service(earlier)
        .service(new_time)
        .service(cancel_question)
        .service(cancel);
}

/// The booking link this device holds.
const BOOKING_COOKIE: &str = "platsa_booking";

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
    /// The checkbox "Jag har skyddade personuppgifter" (present when ticked).
    #[serde(default)]
    protected_identity: Option<String>,
    /// "Hur vill du få meddelanden från oss?": sms or email.
    #[serde(default)]
    contact_channel: String,
}

pub(super) fn with_csrf(
    req: &HttpRequest,
    status: StatusCode,
    title: &str,
    body: impl FnOnce(&str) -> Markup,
) -> HttpResponse {
    let (csrf, cookie) = anonymous_csrf(req);
    let mut res = page_response(status, layout::page(title, &Chrome::anonymous(), body(&csrf)));
    if let Some(c) = cookie {
        let _ = res.add_cookie(&c);
    }
    res
}

/// How this applicant may identify themselves, and whether they have.
struct Eid {
    /// `[citizen_oidc]` is set: "Logga in med e-legitimation" is offered.
    offered: bool,
    /// Only after e-legitimation (`citizen_oidc.required`).
    required: bool,
    /// Who the e-legitimation says this is.
    who: Option<crate::identity::store::Citizen>,
}

async fn eid_of(state: &AppState, req: &HttpRequest) -> Result<Eid, WebError> {
    let settings = state.settings.citizen_oidc.as_ref();
    let who = if settings.is_some() { super::oidc::citizen_of(state, req).await? } else { None };
    Ok(Eid { offered: settings.is_some(), required: settings.is_some_and(|c| c.required), who })
}

/// A personnummer as people read it: ÅÅÅÅMMDD-NNNN.
fn pnr_display(p: &str) -> String {
    if p.len() == 12 { format!("{}-{}", &p[..8], &p[8..]) } else { p.to_string() }
}

fn application_form(csrf: &str, f: &ApplyForm, errors: &[FieldError], eid: &Eid) -> Markup {
    application_form_with(csrf, f, errors, eid, None)
}

fn application_form_with(csrf: &str, f: &ApplyForm, errors: &[FieldError], eid: &Eid, notice: Option<&str>) -> Markup {
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
            @if let Some(n) = notice { p.notice.error role="alert" #limit { (n) } }
            @if eid.who.is_none() && eid.offered {
                p { a.button #eid href="/apply/eid" { "Logga in med e-legitimation" } }
                @if eid.required {
                    p { "Du legitimerar dig med BankID eller Freja eID innan du skickar ansökan." }
                } @else {
                    p.muted { "Med e-legitimation vet vi att ansökan är din. Har du ingen kan du fylla i dina uppgifter nedan." }
                }
            }
            @if let Some(who) = &eid.who {
                div.notice #identified {
                    p { strong { "Identifierad med e-legitimation" } }
                    p { (who.given_name) " " (who.family_name) br; (pnr_display(&who.personnummer)) }
                }
            }
            @if !(eid.required && eid.who.is_none()) {
            form.stack method="post" action="/apply" novalidate {
                input type="hidden" name="csrf" value=(csrf);
                @if eid.who.is_none() {
                    (field("personnummer", "Personnummer", &f.personnummer, "text", "off", Some("ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN")))
                    (field("first_name", "Förnamn", &f.first_name, "text", "given-name", None))
                    (field("last_name", "Efternamn", &f.last_name, "text", "family-name", None))
                }
                (field("phone", "Telefon", &f.phone, "tel", "tel", None))
                (field("email", "E-post", &f.email, "email", "email", Some("Telefon eller e-post, så att vi kan nå dig")))
                div.field {
                    label for="situation" { "Berätta kort om din situation (frivilligt)" }
                    textarea #situation name="situation" rows="4" maxlength="2000" { (f.situation) }
                    @if let Some(e) = error("situation") { small.error { (e) } }
                }
                div.field {
                    label.check for="protected_identity" {
                        input #protected_identity type="checkbox" name="protected_identity" value="1" checked[f.protected_identity.is_some()];
                        " Jag har skyddade personuppgifter"
                    }
                    small.hint { "Då träffar du en handläggare som arbetar med skyddade personuppgifter." }
                }
                div.field {
                    label for="contact_channel" { "Hur vill du få meddelanden från oss?" }
                    select #contact_channel name="contact_channel" {
                        option value="" selected[f.contact_channel.is_empty()] { "Sms om du gett telefon, annars e-post" }
                        option value="sms" selected[f.contact_channel == "sms"] { "Bara sms" }
                        option value="email" selected[f.contact_channel == "email"] { "Bara e-post" }
                    }
                    small.hint { "Har du skyddade personuppgifter och gett både telefon och e-post, välj ett av dem: vi skickar bara dit." }
                    @if let Some(e) = error("contact_channel") { small.error { (e) } }
                }
                button type="submit" { "Skicka ansökan" }
            }
            }
            p.muted { "Dina uppgifter används bara för din ansökan och ditt möte." }
        }
    }
}

#[get("/apply")]
async fn form(state: web::Data<AppState>, req: HttpRequest) -> WebResult {
    let eid = eid_of(&state, &req).await?;
    Ok(with_csrf(&req, StatusCode::OK, "Ansök", |csrf| application_form(csrf, &ApplyForm::default(), &[], &eid)))
}

pub(super) async fn officer_names(state: &AppState) -> Result<HashMap<String, String>, WebError> {
    Ok(service::officers(&state.pool).await?.into_iter().map(|o| (o.id, o.name)).collect())
}

pub(super) struct Offer<'a> {
    /// Where the chosen slot is posted.
    pub action: String,
    pub slots: &'a [Slot],
    pub next_day_full: bool,
    pub message: Option<&'a str>,
    /// Moving a booked meeting rather than booking one.
    pub moving: bool,
}

pub(super) fn offers_page(csrf: &str, o: &Offer<'_>, names: &HashMap<String, String>) -> Markup {
    html! {
        section.apply {
            h1 { @if o.moving { "Välj en ny tid" } @else { "Välj en tid" } }
            @if let Some(m) = o.message { p.notice.error role="alert" { (m) } }
            @if o.next_day_full {
                p.notice { "Nästa arbetsdag är fullbokad. Här är de första lediga tiderna efter den." }
            } @else if !o.slots.is_empty() && !o.moving {
                p { "Din ansökan är mottagen. Välj en av tiderna nästa arbetsdag:" }
            }
            @if o.slots.is_empty() {
                p.notice.error { "Just nu finns inga lediga tider. Vi ringer upp dig inom en arbetsdag." }
            } @else {
                form.stack.slots method="post" action=(o.action) {
                    input type="hidden" name="csrf" value=(csrf);
                    @for (i, s) in o.slots.iter().enumerate() {
                        label.slot {
                            input type="radio" name="slot_id" value=(s.id) required checked[i == 0];
                            span { strong { (instant(s.starts_at)) "–" (clock_time(s.ends_at)) }
                                   br; "med " (names.get(&s.officer_id).cloned().unwrap_or_else(|| "en arbetsmarknadssekreterare".into()))
                                   br; span.place { (s.office) @if let Some(a) = &s.address { ", " (a) } } }
                        }
                    }
                    button type="submit" { @if o.moving { "Byt till den här tiden" } @else { "Boka tiden" } }
                }
            }
        }
    }
}

fn client_ip(req: &HttpRequest) -> IpAddr {
    crate::http::client(req).ip
}

fn booking_cookie(req: &HttpRequest, token: &str) -> Cookie<'static> {
    Cookie::build(BOOKING_COOKIE, token.to_string())
        .path("/apply")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(req.connection_info().scheme() == "https")
        .max_age(Duration::days(30))
        .finish()
}

/// The booking link this device holds, and what it opens (a link no longer valid is ignored).
async fn held(state: &AppState, req: &HttpRequest) -> Result<Option<(String, store::Opened)>, WebError> {
    let Some(token) = req.cookie(BOOKING_COOKIE).map(|c| c.value().to_string()).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    match service::open(&state.pool, Holder::Link(token.clone())).await {
        Ok(opened) => Ok(Some((token, opened))),
        Err(AppError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn booked_path(token: &str) -> String {
    format!("/apply/booked/{}", super::urlencode(token))
}

#[post("/apply")]
async fn submit(state: web::Data<AppState>, req: HttpRequest, f: web::Form<ApplyForm>) -> WebResult {
    check_anonymous(&req, &f.csrf)?;
    let f = f.into_inner();
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let eid = eid_of(&state, &req).await?;
    if eid.required && eid.who.is_none() {
        return Ok(see_other("/apply"));
    }
    // The limit counts applications made, not forms with a mistake in them; past it the
    // form comes back with what was typed, to send again in a minute.
    let (ip, per_minute) = (client_ip(&req), state.settings.booking.applications_per_minute);
    if let Some(wait) = state.applications_limiter.exhausted(ip, per_minute) {
        let mut res = with_csrf(&req, StatusCode::TOO_MANY_REQUESTS, "Ansök", |csrf| {
            let notice = format!(
                "Många ansökningar har skickats härifrån den senaste minuten. Vänta {wait} sekunder och tryck på \"Skicka ansökan\" igen: det du har skrivit finns kvar."
            );
            application_form_with(csrf, &f, &[], &eid, Some(&notice))
        });
        res.headers_mut().insert(actix_web::http::header::RETRY_AFTER, wait.into());
        return Ok(res);
    }
    // With e-legitimation the e-ID's personnummer is the applicant's, whatever was posted.
    let personnummer = eid.who.as_ref().map(|w| w.personnummer.clone()).unwrap_or_else(|| f.personnummer.clone());
    // Applying again on the device that holds the booking: back to that meeting.
    if let Some((token, opened)) = held(&state, &req).await? {
        let same = crate::ident::normalize_personnummer(personnummer.trim(), today).ok();
        if opened.booking.is_some() && same.is_some() && same == opened.personnummer {
            return Ok(see_other(&format!("{}?again=1", booked_path(&token))));
        }
    }
    let blank = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let input = ApplicationInput {
        personnummer: f.personnummer.trim().to_string(),
        first_name: f.first_name.trim().to_string(),
        last_name: f.last_name.trim().to_string(),
        email: blank(&f.email),
        phone: blank(&f.phone),
        situation: blank(&f.situation),
        protected_identity: f.protected_identity.is_some(),
        contact_channel: Some(f.contact_channel.clone()),
    };
    let identified = eid.who.as_ref().map(|w| store::Identified {
        personnummer: w.personnummer.clone(),
        first_name: w.given_name.clone(),
        last_name: w.family_name.clone(),
    });
    match service::apply(&state.pool, (now, today), &state.settings.booking, input, identified).await {
        Ok(created) => {
            let _ = state.applications_limiter.allow(ip, u32::MAX);
            let mut res = see_other("/apply/tider");
            let _ = res.add_cookie(&booking_cookie(&req, &created.booking_token));
            // The e-legitimation has done its work; the personnummer is not kept beside it.
            super::oidc::close_citizen(&state, &req, &mut res).await?;
            Ok(res)
        }
        Err(AppError::Validation(errors)) => {
            let errors = errors
                .into_iter()
                .map(|e| FieldError { message: super::labels::field_problem(&e), ..e })
                .collect::<Vec<_>>();
            Ok(with_csrf(&req, StatusCode::UNPROCESSABLE_ENTITY, "Ansök", |csrf| {
                application_form(csrf, &f, &errors, &eid)
            }))
        }
        Err(e) => Err(e.into()),
    }
}

/// The times offered for the application this device holds (reached by redirect).
#[get("/apply/tider")]
async fn times(state: web::Data<AppState>, req: HttpRequest) -> WebResult {
    let Some((token, opened)) = held(&state, &req).await? else { return Ok(see_other("/apply")) };
    if opened.booking.is_some() {
        return Ok(see_other(&booked_path(&token)));
    }
    let now = state.clock.now_ts();
    if let Some(starts) = service::meeting_elsewhere(&state.pool, now, Holder::Link(token.clone())).await? {
        return Ok(elsewhere(&state, starts, StatusCode::OK));
    }
    offer_times(&state, &req, (&opened.application_id, &token), None, StatusCode::OK).await
}

/// The person already has a meeting, booked through another application (on another device,
/// say): its day (not its time, officer or place: those are for whoever holds its link), how
/// to find it, and the number to call. No times to book, as none could be.
fn elsewhere(state: &AppState, starts: i64, status: StatusCode) -> HttpResponse {
    let day = crate::labels::day(starts);
    let phone = state.settings.booking.phone.trim().to_string();
    let body = {
        html! {
            section.apply.elsewhere {
                h1 { "Du har redan en bokad tid" }
                p.big #elsewhere-day { "Ditt möte är " strong { (day) } "." }
                p { "Öppna länken i sms:et eller e-postmeddelandet du fick när du bokade: där ser du tiden och kan byta eller avboka den." }
                @if phone.is_empty() {
                    p { "Har du inte länken kvar, ring kommunens kontaktcenter så hjälper vi dig." }
                } @else {
                    p #call { "Har du inte länken kvar, ring oss på " a href=(format!("tel:{}", phone.replace([' ', '-'], ""))) { (phone) } " så hjälper vi dig." }
                }
            }
        }
    };
    page_response(status, layout::page("Du har redan en bokad tid", &Chrome::anonymous(), body))
}

async fn offer_times(
    state: &AppState,
    req: &HttpRequest,
    (application, token): (&str, &str),
    message: Option<&str>,
    status: StatusCode,
) -> WebResult {
    let (now, today, horizon) =
        (state.clock.now_ts(), state.clock.today(), state.settings.booking.horizon_working_days);
    let offers = service::offers(&state.pool, (now, today), horizon, Holder::Link(token.to_string())).await?;
    let names = officer_names(state).await?;
    let offer = Offer {
        action: format!("/apply/{application}/book"),
        slots: &offers.slots,
        next_day_full: offers.next_day_full,
        message,
        moving: false,
    };
    Ok(with_csrf(req, status, "Välj en tid", |csrf| offers_page(csrf, &offer, &names)))
}

#[derive(Deserialize)]
pub(super) struct BookForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub slot_id: String,
}

/// Why a chosen time could not be booked, in the applicant's words; `None` for errors that
/// are not the applicant's to fix.
pub(super) fn refused(result: &BookError, slot_id: &str) -> Option<&'static str> {
    match result {
        BookError::Taken => {
            Some("Tiden du valde hann någon annan boka precis nu. Välj en av de här lediga tiderna i stället.")
        }
        BookError::HasMeeting => Some(
            "Du har redan en bokad tid. Öppna länken du fick när du bokade för att se, byta eller avboka den. \
             Har du inte länken kvar, ring oss så hjälper vi dig.",
        ),
        BookError::Other(AppError::Validation(_)) if slot_id.is_empty() => Some("Välj en av tiderna."),
        BookError::Other(AppError::Validation(_) | AppError::NotFound(Thing::Officer)) => {
            Some("Tiden finns inte längre. Välj en av de här lediga tiderna i stället.")
        }
        BookError::Other(_) => None,
    }
}

pub(super) fn unexpected(e: BookError) -> WebError {
    match e {
        BookError::Other(e) => e.into(),
        BookError::Taken | BookError::HasMeeting => AppError::internal("a refusal without a message").into(),
    }
}

#[post("/apply/{id}/book")]
async fn book(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    f: web::Form<BookForm>,
) -> WebResult {
    check_anonymous(&req, &f.csrf)?;
    let Some((token, _)) = held(&state, &req).await? else { return Ok(see_other("/apply")) };
    let id = id.into_inner();
    let now = state.clock.now_ts();
    let sending = crate::booking::Sending::of(&state.settings);
    let result =
        service::book(&state.pool, now, (Some(id.clone()), Holder::Link(token.clone()), &f.slot_id), false, &sending)
            .await?;
    match result {
        // Booked now, or a second click after the first booked it.
        Ok(_) | Err(BookError::Other(AppError::Conflict { clash: Clash::AlreadyBooked, .. })) => {
            Ok(see_other(&booked_path(&token)))
        }
        Err(BookError::HasMeeting) => {
            match service::meeting_elsewhere(&state.pool, now, Holder::Link(token.clone())).await? {
                Some(starts) => Ok(elsewhere(&state, starts, StatusCode::CONFLICT)),
                // Cancelled meanwhile: the times again.
                None => offer_times(&state, &req, (&id, &token), None, StatusCode::OK).await,
            }
        }
        Err(e) => match refused(&e, &f.slot_id) {
            Some(message) => offer_times(&state, &req, (&id, &token), Some(message), StatusCode::CONFLICT).await,
            None => Err(unexpected(e)),
        },
    }
}

#[derive(Deserialize)]
struct BookedQuery {
    again: Option<String>,
    moved: Option<String>,
    cancelled: Option<String>,
    tidigare: Option<String>,
}

/// The applicant's meeting: when, with whom, where; add to calendar, change time, cancel.
#[get("/apply/booked/{token}")]
async fn booked(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    q: web::Query<BookedQuery>,
) -> WebResult {
    let token = token.into_inner();
    let opened = service::open(&state.pool, Holder::Link(token.clone())).await?;
    let notice = match (&q.again, &q.moved, &q.cancelled) {
        (Some(_), _, _) => Some("Du har redan en bokad tid. Du kan behålla den, byta tid eller avboka."),
        (_, Some(_), _) => Some("Din tid är ändrad."),
        (_, _, Some(_)) => Some("Din tid är avbokad."),
        _ if q.tidigare.as_deref() == Some("ja") => {
            Some("Du står på väntelistan. Vi skickar ett sms om en tidigare tid blir ledig.")
        }
        _ if q.tidigare.as_deref() == Some("nej") => Some("Du står inte längre på väntelistan."),
        _ => None,
    };
    let app = opened.application_id.clone();
    let waiting = crate::db::run(&state.pool, move |c| Ok(crate::booking::offers::wants_earlier(c, &app)?)).await?;
    let (csrf, csrf_cookie) = anonymous_csrf(&req);
    let body = match &opened.booking {
        Some(b) => confirmation(&csrf, &token, b, notice, (&opened.application_id, waiting)),
        None => html! {
            section.apply.confirmation {
                h1 { "Ingen bokad tid" }
                @if let Some(n) = notice { p.notice role="status" { (n) } }
                p { "Du har ingen bokad tid just nu." }
                p { a.button href=(format!("{}/ny-tid", booked_path(&token))) { "Boka en ny tid" } }
            }
        },
    };
    let mut res = page_response(StatusCode::OK, layout::page("Din bokning", &Chrome::anonymous(), body));
    // This device now holds the link (opened from an SMS or e-mail, say).
    let _ = res.add_cookie(&booking_cookie(&req, &token));
    if let Some(c) = csrf_cookie {
        let _ = res.add_cookie(&c);
    }
    Ok(res)
}

fn confirmation(csrf: &str, token: &str, b: &Booking, notice: Option<&str>, (app, waiting): (&str, bool)) -> Markup {
    html! {
        section.apply.confirmation {
            @if let Some(n) = notice { p.notice role="status" { (n) } }
            h1 { "Ditt möte är bokat" }
            p.big { strong { (instant(b.starts_ts)) "–" (clock_time(b.ends_ts)) } }
            p { "Du träffar " (b.officer_name) ", " (b.unit) "." }
            @if let Some(a) = &b.address { p.address { "Adress: " strong { (a) } } }
            p { a.button href=(format!("/api/v1/bookings/{}.ics", super::urlencode(token))) download { "Lägg till i kalendern (.ics)" } }
            // Links, not forms: Back from the times or the question comes here again.
            div.actions {
                a.button href=(format!("{}/ny-tid", booked_path(token))) { "Byt tid" }
                a.button.secondary href=(format!("{}/avboka", booked_path(token))) { "Avboka" }
            }
            form.stack.earlier method="post" action=(format!("{}/tidigare", booked_path(token))) {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="application" value=(app);
                input type="hidden" name="wanted" value=(if waiting { "0" } else { "1" });
                @if waiting {
                    p { "Du står på väntelistan för en tidigare tid." }
                    button.secondary type="submit" { "Jag vill inte längre ha en tidigare tid" }
                } @else {
                    button.secondary type="submit" { "Jag vill ha en tidigare tid om någon avbokar" }
                }
            }
            p.muted { "Spara den här sidan: länken är din nyckel till bokningen. Vi skickar en påminnelse dagen före." }
        }
    }
}

#[derive(Deserialize)]
struct EarlierForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    application: String,
    #[serde(default)]
    wanted: String,
}

/// The waiting list for an earlier meeting, on or off (then back to the meeting's page).
#[post("/apply/booked/{token}/tidigare")]
async fn earlier(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    f: web::Form<EarlierForm>,
) -> WebResult {
    check_anonymous(&req, &f.csrf)?;
    let (token, now, wanted) = (token.into_inner(), state.clock.now_ts(), f.wanted == "1");
    service::want_earlier(&state.pool, now, Holder::Link(token.clone()), &f.application, wanted).await?;
    Ok(see_other(&format!("{}?tidigare={}", booked_path(&token), if wanted { "ja" } else { "nej" })))
}

/// "Jag kan inte komma – ge mig en ny tid": the reminder's one tap to the times to move to.
#[get("/apply/booked/{token}/ny-tid")]
async fn new_time(state: web::Data<AppState>, req: HttpRequest, token: web::Path<String>) -> WebResult {
    let token = token.into_inner();
    let opened = service::open(&state.pool, Holder::Link(token.clone())).await?;
    change_page(&state, &req, &token, &opened, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// A form from an older page asking for new times: to the page that shows them
/// (Post/Redirect/Get, so Back never resubmits).
#[post("/apply/booked/{token}/byt")]
async fn change_time(req: HttpRequest, token: web::Path<String>, f: web::Form<CsrfForm>) -> WebResult {
    check_anonymous(&req, &f.csrf)?;
    Ok(see_other(&format!("{}/ny-tid", booked_path(&token.into_inner()))))
}

/// "Avboka": are you sure? On a page of its own; "Ja, avboka" posts, "Nej" goes back.
#[get("/apply/booked/{token}/avboka")]
async fn cancel_question(state: web::Data<AppState>, req: HttpRequest, token: web::Path<String>) -> WebResult {
    let token = token.into_inner();
    let opened = service::open(&state.pool, Holder::Link(token.clone())).await?;
    let Some(b) = opened.booking else { return Ok(see_other(&booked_path(&token))) };
    Ok(with_csrf(&req, StatusCode::OK, "Avboka", |csrf| {
        html! {
            section.apply.cancel {
                h1 { "Är du säker?" }
                p { "Vill du avboka ditt möte " strong { (instant(b.starts_ts)) } " med " (b.officer_name) "?" }
                p.muted { "Tiden kan då gå till någon annan. Du kan boka en ny tid efteråt." }
                div.actions {
                    form method="post" action=(format!("{}/avboka", booked_path(&token))) {
                        input type="hidden" name="csrf" value=(csrf);
                        button type="submit" { "Ja, avboka" }
                    }
                    a.button.secondary href=(booked_path(&token)) { "Nej, behåll tiden" }
                }
            }
        }
    }))
}

async fn change_page(
    state: &AppState,
    req: &HttpRequest,
    token: &str,
    opened: &store::Opened,
    message: Option<&str>,
    status: StatusCode,
) -> WebResult {
    if opened.booking.is_none() {
        return offer_times(state, req, (&opened.application_id, token), message, status).await;
    }
    let (now, today, horizon) =
        (state.clock.now_ts(), state.clock.today(), state.settings.booking.horizon_working_days);
    let offers = service::offers(&state.pool, (now, today), horizon, Holder::Link(token.to_string())).await?;
    let names = officer_names(state).await?;
    let offer = Offer {
        action: format!("{}/flytta", booked_path(token)),
        slots: &offers.slots,
        next_day_full: offers.next_day_full,
        message,
        moving: true,
    };
    Ok(with_csrf(req, status, "Byt tid", |csrf| offers_page(csrf, &offer, &names)))
}

/// Moves the meeting: the old time is let go only if the new one is booked.
#[post("/apply/booked/{token}/flytta")]
async fn reschedule(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    f: web::Form<BookForm>,
) -> WebResult {
    check_anonymous(&req, &f.csrf)?;
    let token = token.into_inner();
    let (now, sending) = (state.clock.now_ts(), crate::booking::Sending::of(&state.settings));
    let result =
        service::book(&state.pool, now, (None, Holder::Link(token.clone()), &f.slot_id), true, &sending).await?;
    match result {
        Ok(_) => Ok(see_other(&format!("{}?moved=1", booked_path(&token)))),
        Err(e) => match refused(&e, &f.slot_id) {
            Some(message) => {
                let opened = service::open(&state.pool, Holder::Link(token.clone())).await?;
                change_page(&state, &req, &token, &opened, Some(message), StatusCode::CONFLICT).await
            }
            None => Err(unexpected(e)),
        },
    }
}

#[post("/apply/booked/{token}/avboka")]
async fn cancel(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    f: web::Form<CsrfForm>,
) -> WebResult {
    check_anonymous(&req, &f.csrf)?;
    let (token, now) = (token.into_inner(), state.clock.now_ts());
    match service::cancel(&state.pool, now, Holder::Link(token.clone()), &crate::booking::Sending::of(&state.settings))
        .await
    {
        // Cancelled now, or already: either way nothing is booked.
        Ok(()) | Err(AppError::NotFound(Thing::Booking)) => {
            Ok(see_other(&format!("{}?cancelled=1", booked_path(&token))))
        }
        Err(e) => Err(e.into()),
    }
}
