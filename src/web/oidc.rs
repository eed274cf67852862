//! Signing in through a provider: staff with the municipality's account
//! (`/signin/oidc` → `/signin/oidc/callback`) and applicants with e-legitimation
//! (`/apply/eid` → `/apply/eid/callback`). The browser that starts a sign-in holds a random
//! value in a cookie; only it can finish that sign-in. That cookie is SameSite=Lax, since
//! the provider's answer is a navigation from another site.
//!
//! A staff session cookie is SameSite=Strict, and a browser does not send such a cookie
//! anywhere along a chain of redirects that another site started. So a staff sign-in ends
//! on a short page of Platsa's own that moves on to `next` (a same-site navigation).

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, web};
use maud::html;
use serde::Deserialize;

use super::layout::{self, Chrome};
use super::session::SESSION_COOKIE;
use super::{WebResult, page_response, see_other};
use crate::auth::{generate_token, hash_token, sessions};
use crate::identity::{Purpose, Refusal, service, store};
use crate::labels::Label;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(staff_start)
        .service(staff_callback)
        .service(citizen_start)
        .service(citizen_callback)
        .service(mina_sidor_callback);
}

/// The browser's half of a sign-in under way.
const BROWSER_COOKIE: &str = "platsa_oidc";
use crate::identity::{EID_COOKIE, MINA_SIDOR_COOKIE};

fn lax_cookie(req: &HttpRequest, name: &'static str, value: String, max_age: Duration) -> Cookie<'static> {
    super::session::site_cookie(req, (name, value), max_age, SameSite::Lax)
}

#[derive(Deserialize)]
struct StartQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
struct Answer {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

/// A sign-in that gave no session: said in Swedish, with the way back.
fn refused(refusal: Refusal, again: &str) -> HttpResponse {
    tracing::info!(refusal = refusal.as_str(), "sign-in refused");
    let status = match refusal {
        Refusal::Unavailable => StatusCode::BAD_GATEWAY,
        Refusal::UnknownState | Refusal::CodeRejected | Refusal::ProviderError => StatusCode::BAD_REQUEST,
        Refusal::InvalidToken | Refusal::NoRole | Refusal::NoPersonnummer => StatusCode::FORBIDDEN,
    };
    let body = html! {
        section.notice.error {
            h1 { "Ingen inloggning" }
            p role="alert" { (refusal.label()) }
            p { a href=(again) { "Försök igen" } }
        }
    };
    page_response(status, layout::page("Ingen inloggning", &Chrome::anonymous(), body))
}

/// A provider's sign-in asked for where none is set up.
fn not_configured(purpose: Purpose) -> HttpResponse {
    let (text, back) = match purpose {
        Purpose::Staff => ("Inloggning med kommunkonto är inte inställd i Platsa. Logga in med din nyckel.", "/"),
        Purpose::Citizen => ("Inloggning med e-legitimation är inte inställd här. Du kan ansöka utan den.", "/apply"),
        Purpose::MinaSidor => (
            "Mina sidor kräver inloggning med e-legitimation, som inte är inställd här. Kontakta din handläggare för att få veta hur ditt ärende går.",
            "/apply",
        ),
    };
    let body = html! { section.notice { h1 { "Inte inställt" } p { (text) } p { a href=(back) { "Tillbaka" } } } };
    page_response(StatusCode::NOT_FOUND, layout::page("Inte inställt", &Chrome::anonymous(), body))
}

fn failed(f: service::Failed, again: &str) -> WebResult {
    match f {
        service::Failed::Refused(r) => Ok(refused(r, again)),
        service::Failed::App(e) => Err(e.into()),
    }
}

/// Where a refused sign-in starts again.
fn again_of(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Staff => "/",
        Purpose::Citizen => "/apply",
        Purpose::MinaSidor => "/mina-sidor",
    }
}

/// Sends the browser to the provider, with the sign-in kept and the browser's cookie set.
pub(super) async fn start(state: &AppState, req: &HttpRequest, purpose: Purpose, next: &str) -> WebResult {
    let client = match purpose {
        Purpose::Staff => state.settings.staff_oidc.as_ref().map(|s| &s.client),
        Purpose::Citizen | Purpose::MinaSidor => state.settings.citizen_oidc.as_ref().map(|s| &s.client),
    };
    let again = again_of(purpose);
    let Some(client) = client else { return Ok(not_configured(purpose)) };
    let browser = hash_token(&generate_token());
    let next = if crate::text::is_local_path(next) { next } else { again };
    let now = state.clock.now_ts();
    match service::start(&state.pool, now, (purpose, client, &state.settings.public_url), &browser, next).await {
        Ok(url) => {
            let mut res = HttpResponse::SeeOther().insert_header((actix_web::http::header::LOCATION, url)).finish();
            let _ = res.add_cookie(&lax_cookie(req, BROWSER_COOKIE, browser, Duration::seconds(store::LOGIN_SECS)));
            Ok(res)
        }
        Err(f) => failed(f, again),
    }
}

fn browser_of(req: &HttpRequest) -> String {
    req.cookie(BROWSER_COOKIE).map(|c| c.value().to_string()).unwrap_or_default()
}

/// The answer's state and code, or the refusal it amounts to (an error answer's sign-in is
/// taken too, so it cannot be finished later).
async fn answer_of(
    state: &AppState,
    req: &HttpRequest,
    purpose: Purpose,
    q: &Answer,
) -> Result<(String, String), Refusal> {
    let now = state.clock.now_ts();
    match (&q.state, &q.code, &q.error) {
        (Some(s), _, Some(_)) => {
            let _ = service::abandon(&state.pool, now, purpose, s, &browser_of(req)).await;
            Err(Refusal::ProviderError)
        }
        (_, _, Some(_)) => Err(Refusal::ProviderError),
        (Some(s), Some(c), None) if !s.is_empty() && !c.is_empty() => Ok((s.clone(), c.clone())),
        _ => Err(Refusal::UnknownState),
    }
}

#[get("/signin/oidc")]
async fn staff_start(state: web::Data<AppState>, req: HttpRequest, q: web::Query<StartQuery>) -> WebResult {
    start(&state, &req, Purpose::Staff, q.next.as_deref().unwrap_or("/")).await
}

#[get("/signin/oidc/callback")]
async fn staff_callback(state: web::Data<AppState>, req: HttpRequest, q: web::Query<Answer>) -> WebResult {
    let Some(settings) = state.settings.staff_oidc.as_ref() else { return Ok(not_configured(Purpose::Staff)) };
    let (st, code) = match answer_of(&state, &req, Purpose::Staff, &q).await {
        Ok(a) => a,
        Err(r) => return Ok(refused(r, "/")),
    };
    let now = state.clock.now_ts();
    let signed_in = service::finish_staff(
        &state.pool,
        now,
        (settings, &state.settings.public_url),
        &browser_of(&req),
        (&st, &code),
    )
    .await;
    let done = match signed_in {
        Ok(done) => done,
        Err(f) => return failed(f, "/"),
    };
    let next = if crate::text::is_local_path(&done.next) { done.next.as_str() } else { "/" };
    let markup = layout::moving_on("Inloggad", "Du är inloggad", ("continue", "Fortsätt till Platsa"), next);
    let mut res = page_response(StatusCode::OK, markup);
    let _ = res.add_cookie(&super::session::strict_cookie(
        &req,
        SESSION_COOKIE,
        done.session,
        Duration::seconds(sessions::LIFETIME_SECS),
    ));
    let _ = res.add_removal_cookie(&lax_cookie(&req, BROWSER_COOKIE, String::new(), Duration::ZERO));
    Ok(res)
}

#[get("/apply/eid")]
async fn citizen_start(state: web::Data<AppState>, req: HttpRequest) -> WebResult {
    start(&state, &req, Purpose::Citizen, "/apply").await
}

#[get("/apply/eid/callback")]
async fn citizen_callback(state: web::Data<AppState>, req: HttpRequest, q: web::Query<Answer>) -> WebResult {
    let Some(settings) = state.settings.citizen_oidc.as_ref() else { return Ok(not_configured(Purpose::Citizen)) };
    let (st, code) = match answer_of(&state, &req, Purpose::Citizen, &q).await {
        Ok(a) => a,
        Err(r) => return Ok(refused(r, "/apply")),
    };
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let signed_in = service::finish_citizen(
        &state.pool,
        (now, today),
        (settings, &state.settings.public_url, Purpose::Citizen),
        &browser_of(&req),
        (&st, &code),
    )
    .await;
    match signed_in {
        Ok(done) => {
            let mut res = see_other(&done.next);
            let _ = res.add_cookie(&lax_cookie(&req, EID_COOKIE, done.session, Duration::seconds(store::EID_SECS)));
            let _ = res.add_removal_cookie(&lax_cookie(&req, BROWSER_COOKIE, String::new(), Duration::ZERO));
            Ok(res)
        }
        Err(f) => failed(f, "/apply"),
    }
}

/// A person's sign-in to Mina sidor: the session cookie is SameSite=Strict (it opens the
/// person's whole case, and the `/api/v1/me` routes that change it), so, as for staff, the
/// sign-in ends on a page of Platsa's own that moves on.
#[get("/mina-sidor/callback")]
async fn mina_sidor_callback(state: web::Data<AppState>, req: HttpRequest, q: web::Query<Answer>) -> WebResult {
    let purpose = Purpose::MinaSidor;
    let Some(settings) = state.settings.citizen_oidc.as_ref() else { return Ok(not_configured(purpose)) };
    let (st, code) = match answer_of(&state, &req, purpose, &q).await {
        Ok(a) => a,
        Err(r) => return Ok(refused(r, again_of(purpose))),
    };
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let signed_in = service::finish_citizen(
        &state.pool,
        (now, today),
        (settings, &state.settings.public_url, purpose),
        &browser_of(&req),
        (&st, &code),
    )
    .await;
    let done = match signed_in {
        Ok(done) => done,
        Err(f) => return failed(f, again_of(purpose)),
    };
    let next = if done.next.starts_with("/mina-sidor") { done.next.as_str() } else { "/mina-sidor" };
    let markup = layout::moving_on("Inloggad", "Du är inloggad", ("continue", "Fortsätt till Mina sidor"), next);
    let mut res = page_response(StatusCode::OK, markup);
    let _ = res.add_cookie(&super::session::strict_cookie(
        &req,
        MINA_SIDOR_COOKIE,
        done.session,
        Duration::seconds(store::EID_SECS),
    ));
    let _ = res.add_removal_cookie(&lax_cookie(&req, BROWSER_COOKIE, String::new(), Duration::ZERO));
    Ok(res)
}

/// The applicant this request's e-legitimation cookie identifies.
pub async fn citizen_of(state: &AppState, req: &HttpRequest) -> Result<Option<store::Citizen>, crate::error::AppError> {
    match req.cookie(EID_COOKIE).map(|c| c.value().to_string()).filter(|v| !v.is_empty()) {
        Some(cookie) => service::citizen(&state.pool, state.clock.now_ts(), &cookie, Purpose::Citizen).await,
        None => Ok(None),
    }
}

/// Ends the e-legitimation once the application is made.
pub async fn close_citizen(
    state: &AppState,
    req: &HttpRequest,
    res: &mut HttpResponse,
) -> Result<(), crate::error::AppError> {
    if let Some(cookie) = req.cookie(EID_COOKIE).map(|c| c.value().to_string()) {
        service::close_citizen(&state.pool, &cookie).await?;
        let _ = res.add_removal_cookie(&lax_cookie(req, EID_COOKIE, String::new(), Duration::ZERO));
    }
    Ok(())
}

/// Ends a person's Mina sidor session (they sign out).
pub async fn close_mina_sidor(
    state: &AppState,
    req: &HttpRequest,
    res: &mut HttpResponse,
) -> Result<(), crate::error::AppError> {
    if let Some(cookie) = req.cookie(MINA_SIDOR_COOKIE).map(|c| c.value().to_string()) {
        service::close_citizen(&state.pool, &cookie).await?;
        let removal = super::session::strict_cookie(req, MINA_SIDOR_COOKIE, String::new(), Duration::ZERO);
        let _ = res.add_removal_cookie(&removal);
    }
    Ok(())
}
