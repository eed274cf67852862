//! The web pages: server-rendered HTML in Swedish for the municipality's staff (signed in with
//! their token, then a session cookie) and the public applicant page. Every page is a thin
//! handler over the same plain functions as the JSON API; maud escapes every text it renders,
//! and a strict Content-Security-Policy forbids inline scripts besides.

mod admin;
mod agenda;
mod apply;
mod attendance;
mod caseload;
mod consent;
mod employers;
mod exposure;
mod imports;
mod kit;
pub mod labels;
pub(crate) mod layout;
mod messages;
mod mina_sidor;
mod oidc;
mod openings;
mod placements;
mod plan;
mod processes;
mod profile;
mod propose;
mod reports;
mod reviews;
mod seekers;
pub mod session;
mod shortlist;
mod signals;
mod start;

use actix_web::{HttpRequest, HttpResponse, ResponseError, get, http::StatusCode, http::header, web};
use maud::{Markup, html};

use crate::error::AppError;
pub use session::Staff;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(stylesheet)
        .service(favicon)
        .service(script)
        .configure(session::routes)
        .configure(oidc::routes)
        .configure(start::routes)
        .configure(shortlist::routes)
        .configure(openings::routes)
        .configure(caseload::routes)
        .configure(employers::routes)
        .configure(profile::routes)
        .configure(seekers::routes)
        .configure(placements::routes)
        .configure(reports::routes)
        .configure(imports::routes)
        .configure(processes::routes)
        .configure(exposure::routes)
        .configure(signals::routes)
        .configure(agenda::routes)
        .configure(apply::routes)
        .configure(consent::routes)
        .configure(plan::routes)
        .configure(attendance::routes)
        .configure(mina_sidor::routes)
        .configure(reviews::routes)
        .configure(messages::routes)
        .configure(admin::routes);
}

/// Where a sign-in leads back to, and the anonymous CSRF value its form carries.
pub struct SignIn {
    pub next: String,
    pub csrf: String,
    pub new_cookie: Option<actix_web::cookie::Cookie<'static>>,
    pub offers: session::Offers,
}

/// Why a page could not be shown.
pub enum WebError {
    /// Not signed in: the sign-in page is shown in place (401), and leads back to `next`.
    SignIn(Box<SignIn>),
    /// A form without the session's CSRF token (or a stale one).
    Csrf,
    App(AppError),
}

impl<E: Into<AppError>> From<E> for WebError {
    fn from(e: E) -> Self {
        WebError::App(e.into())
    }
}

/// Logged by the request middleware: never the path (it may carry a search for a name).
impl std::fmt::Debug for WebError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebError::App(e) => e.fmt(f),
            other => std::fmt::Display::fmt(other, f),
        }
    }
}

impl std::fmt::Display for WebError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebError::SignIn(_) => f.write_str("sign-in required"),
            WebError::Csrf => f.write_str("form token missing or stale"),
            WebError::App(e) => e.fmt(f),
        }
    }
}

pub type WebResult = Result<HttpResponse, WebError>;

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            WebError::SignIn(_) => StatusCode::UNAUTHORIZED,
            WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::App(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (title, message) = match self {
            WebError::SignIn(s) => {
                let mut res = page_response(StatusCode::UNAUTHORIZED, session::sign_in_markup(&s.csrf, &s.next, None, s.offers));
                if let Some(c) = &s.new_cookie {
                    let _ = res.add_cookie(c);
                }
                return res;
            }
            WebError::Csrf => (
                "Formuläret kunde inte verifieras",
                "Sidan hade hunnit bli för gammal, eller formuläret kom inte från Platsa. Ladda om sidan och försök igen."
                    .to_string(),
            ),
            WebError::App(e) => labels::app_error(e),
        };
        let body = html! {
            section.notice.error { h1 { (title) } p { (message) } p { a href="/" { "Till startsidan" } } }
        };
        page_response(self.status_code(), layout::page(title, &layout::Chrome::anonymous(), body))
    }
}

/// Every page: no caching of personal data, no framing, no inline script, no referrer
/// (the applicant's booking link carries a secret).
pub fn page_response(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(markup.into_string())
}

/// Sent with a sign-out: the browser drops the pages it kept, so Back shows no person.
pub const CLEAR_SITE_DATA: header::HeaderName = header::HeaderName::from_static("clear-site-data");
pub const CLEAR_CACHE: header::HeaderValue = header::HeaderValue::from_static("\"cache\"");

pub fn ok(markup: Markup) -> WebResult {
    Ok(page_response(StatusCode::OK, markup))
}

/// After a successful form post: back to a page on this site (never elsewhere).
pub fn see_other(to: &str) -> HttpResponse {
    let to = if crate::text::is_local_path(to) { to } else { "/" };
    HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish()
}

pub use crate::text::urlencode;

#[get("/static/platsa.css")]
async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("assets/platsa.css"))
}

/// A browser asking for a page: `Accept: text/html`, outside `/api/`.
fn wants_page(req: &HttpRequest) -> bool {
    !req.path().starts_with("/api/")
        && req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"))
}

/// No such route. A browser asking for a page gets a Swedish page with a way back; API
/// clients keep the problem document.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let page = wants_page(&req);
    match crate::http::not_found(req).await {
        Ok(res) => res,
        Err(e) if page => WebError::App(e).error_response(),
        Err(e) => e.error_response(),
    }
}

/// A query string that cannot be read (`/openings?offset=abc`): a Swedish page naming the
/// field for a browser, the problem document for API clients.
pub fn query_error(err: actix_web::error::QueryPayloadError, req: &HttpRequest) -> actix_web::Error {
    let problem = crate::http::query_problem(err);
    if wants_page(req) { WebError::App(problem).into() } else { problem.into() }
}

/// The tab's icon (browsers ask for it on every site, and a 404 fills the log).
#[get("/favicon.ico")]
async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/x-icon")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(&include_bytes!("assets/favicon.ico")[..])
}

#[get("/static/platsa.js")]
async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("assets/platsa.js"))
}
