//! Signing in and out, the `Staff` extractor, and CSRF protection for every form.
//!
//! Staff forms carry the session's synchronizer token. The two anonymous forms (sign-in and
//! the application) use a double-submit cookie instead: a random value in an HttpOnly,
//! SameSite=Strict cookie that the form must repeat. Both cookies are SameSite=Strict too.

use actix_web::{
    FromRequest, HttpRequest, HttpResponse,
    cookie::{Cookie, SameSite, time::Duration},
    dev::Payload,
    http::StatusCode,
    web,
};
use futures_util::future::LocalBoxFuture;
use maud::html;
use serde::Deserialize;

use super::layout::{self, Chrome};
use super::{WebError, WebResult, page_response, see_other};
use crate::auth::{Principal, Role, generate_token, hash_token, sessions, store};
use crate::db;
use crate::error::AppError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "platsa_session";
pub const CSRF_COOKIE: &str = "platsa_csrf";

/// A signed-in member of staff, and the CSRF token their forms must carry.
pub struct Staff {
    pub who: Principal,
    pub csrf: String,
    /// The route this page came through, for the audit rows of what it shows.
    pub action: crate::audit::Action,
}

impl Staff {
    /// The form's token must be the session's. A bearer-token client has no session token,
    /// so it cannot post forms at all.
    pub fn check(&self, form_token: &str) -> Result<(), WebError> {
        if !self.csrf.is_empty() && same(&self.csrf, form_token) { Ok(()) } else { Err(WebError::Csrf) }
    }

    /// The signed-in reader for the privacy gate, now.
    pub fn reader(&self, clock: &crate::clock::Clock) -> crate::privacy::Reader {
        crate::privacy::Reader::new(self.who.clone(), self.action.clone(), clock)
    }

    pub fn chrome(&self) -> Chrome<'_> {
        Chrome { who: Some(&self.who), csrf: &self.csrf }
    }

    pub fn require(&self, roles: &[Role]) -> Result<(), WebError> {
        Ok(self.who.require(roles)?)
    }
}

/// Constant-time comparison of two tokens.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The session behind the request's cookie (or, for scripts, a bearer token); `None` when
/// there is none or it has ended.
pub async fn current(req: &HttpRequest) -> Result<Option<Staff>, WebError> {
    let state = req.app_data::<web::Data<AppState>>().cloned().ok_or_else(|| AppError::internal("no state"))?;
    let now = state.clock.now_ts();
    if let Some(cookie) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()) {
        let found = db::run(&state.pool, move |c| sessions::principal(c, &cookie, now)).await?;
        return Ok(found.map(|(who, csrf)| Staff { who, csrf, action: crate::audit::http::action_of(req) }));
    }
    let bearer = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| hash_token(t.trim()));
    let Some(hash) = bearer else { return Ok(None) };
    let who = db::run(&state.pool, move |c| store::principal_by_hash(c, &hash)).await?;
    Ok(who.map(|who| Staff { who, csrf: String::new(), action: crate::audit::http::action_of(req) }))
}

impl FromRequest for Staff {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let next = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
            match current(&req).await? {
                Some(staff) if staff.who.is_staff() => Ok(staff),
                Some(_) => Err(AppError::Forbidden.into()),
                None => {
                    let (csrf, new_cookie) = anonymous_csrf(&req);
                    let offers = offers(&req);
                    Err(WebError::SignIn(Box::new(super::SignIn { next, csrf, new_cookie, offers })))
                }
            }
        })
    }
}

/// A staff session cookie (the anonymous forms' CSRF cookie is made the same way).
pub fn strict_cookie<'a>(req: &HttpRequest, name: &'a str, value: String, max_age: Duration) -> Cookie<'a> {
    site_cookie(req, (name, value), max_age, SameSite::Strict)
}

fn cookie<'a>(req: &HttpRequest, name: &'a str, value: String, max_age: Duration) -> Cookie<'a> {
    strict_cookie(req, name, value, max_age)
}

/// Every cookie Platsa sets: the whole site, never readable by scripts, secure over TLS.
pub fn site_cookie<'a>(
    req: &HttpRequest,
    (name, value): (&'a str, String),
    max_age: Duration,
    same_site: SameSite,
) -> Cookie<'a> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(same_site)
        .secure(req.connection_info().scheme() == "https")
        .max_age(max_age)
        .finish()
}

/// The anonymous forms' CSRF value: the cookie's, or a new one to set with the page.
pub fn anonymous_csrf(req: &HttpRequest) -> (String, Option<Cookie<'static>>) {
    match req.cookie(CSRF_COOKIE) {
        Some(c) if c.value().len() == 64 => (c.value().to_string(), None),
        _ => {
            let value = hash_token(&generate_token());
            let c = cookie(req, CSRF_COOKIE, value.clone(), Duration::hours(12));
            (value, Some(c))
        }
    }
}

/// An anonymous form must repeat its cookie's value.
pub fn check_anonymous(req: &HttpRequest, form_token: &str) -> Result<(), WebError> {
    match req.cookie(CSRF_COOKIE) {
        Some(c) if !c.value().is_empty() && same(c.value(), form_token) => Ok(()),
        _ => Err(WebError::Csrf),
    }
}

/// The ways staff may sign in here.
#[derive(Debug, Clone, Copy)]
pub struct Offers {
    /// "Logga in med ditt kommunkonto" (`[staff_oidc]` is set).
    pub provider: bool,
    /// The token form (unless `staff_oidc.only`).
    pub token: bool,
}

pub fn offers(req: &HttpRequest) -> Offers {
    let oidc = req.app_data::<web::Data<AppState>>().and_then(|s| s.settings.staff_oidc.clone());
    Offers { provider: oidc.is_some(), token: !oidc.is_some_and(|o| o.only) }
}

/// The sign-in page.
pub fn sign_in_page(req: &HttpRequest, next: &str, error: Option<&str>, status: StatusCode) -> HttpResponse {
    let (csrf, new_cookie) = anonymous_csrf(req);
    let mut res = page_response(status, sign_in_markup(&csrf, next, error, offers(req)));
    if let Some(c) = new_cookie {
        let _ = res.add_cookie(&c);
    }
    res
}

pub fn sign_in_markup(csrf: &str, next: &str, error: Option<&str>, offers: Offers) -> maud::Markup {
    // Only a path on this site is carried on; anything else leads to the start page.
    let next = if crate::text::is_local_path(next) { next } else { "/" };
    let provider = format!("/signin/oidc?next={}", super::urlencode(next));
    let body = html! {
        section.signin {
            h1 { "Logga in i Platsa" }
            p { "Platsa matchar arbetssökande med arbetsgivare." }
            @if let Some(e) = error { p.notice.error role="alert" { (e) } }
            @if offers.provider {
                p { a.button #signin-provider href=(provider) { "Logga in med ditt kommunkonto" } }
            }
            @if offers.token {
                @if offers.provider { h2 { "Eller med din nyckel" } }
                p { "Logga in med din personliga nyckel (API-token) som du fått av din administratör." }
                form method="post" action="/signin" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="next" value=(next);
                    label for="token" { "Nyckel" }
                    input #token type="password" name="token" autocomplete="current-password" required;
                    button type="submit" { "Logga in" }
                }
            }
            p.muted { "Söker du ekonomiskt bistånd? " a href="/apply" { "Ansök och boka ett möte här." } }
        }
    };
    layout::page("Logga in", &Chrome::anonymous(), body)
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    next: String,
}

#[actix_web::post("/signin")]
async fn sign_in(state: web::Data<AppState>, req: HttpRequest, form: web::Form<SignInForm>) -> WebResult {
    check_anonymous(&req, &form.csrf)?;
    let next = if crate::text::is_local_path(&form.next) { form.next.as_str() } else { "/" };
    if !offers(&req).token {
        return Ok(sign_in_page(
            &req,
            next,
            Some("Här loggar personalen in med sitt kommunkonto."),
            StatusCode::FORBIDDEN,
        ));
    }
    let hash = hash_token(form.token.trim());
    let now = state.clock.now_ts();
    let signed_in = db::run(&state.pool, move |c| {
        let Some(who) = store::principal_by_hash(c, &hash)? else { return Ok(None) };
        if !who.is_staff() {
            return Ok(Some(Err(who)));
        }
        let (id, _) = sessions::create(c, now, &who.user_id, Some(&who.token_id), sessions::SignedInWith::Token)?;
        Ok(Some(Ok(id)))
    })
    .await?;
    match signed_in {
        None => {
            if let Some(retry_after_secs) = crate::auth::http::sign_in_failed(&state, &req).await {
                return Err(AppError::TooManyRequests { retry_after_secs }.into());
            }
            Ok(sign_in_page(
                &req,
                next,
                Some("Nyckeln är okänd eller återkallad. Kontrollera att du klistrat in hela nyckeln."),
                StatusCode::UNAUTHORIZED,
            ))
        }
        Some(Err(_)) => Ok(sign_in_page(
            &req,
            next,
            Some("Sidorna är till för kommunens personal. Arbetsgivare använder API:t med sin nyckel."),
            StatusCode::FORBIDDEN,
        )),
        Some(Ok(id)) => {
            let mut res = see_other(next);
            let _ = res.add_cookie(&cookie(&req, SESSION_COOKIE, id, Duration::seconds(sessions::LIFETIME_SECS)));
            Ok(res)
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

#[actix_web::post("/signout")]
async fn sign_out(state: web::Data<AppState>, req: HttpRequest, staff: Staff, form: web::Form<CsrfForm>) -> WebResult {
    staff.check(&form.csrf)?;
    let mut ended = None;
    if let Some(c) = req.cookie(SESSION_COOKIE) {
        let value = c.value().to_string();
        ended = db::run(&state.pool, move |c| sessions::end(c, &value)).await?;
    }
    // Signed in through the provider: its session ends too, where it has a sign-out address.
    // A page of Platsa's own moves on there: a form may only lead to this site.
    let provider_end = match (ended, &state.settings.staff_oidc) {
        (Some(sessions::SignedInWith::Oidc), Some(oidc)) => {
            let after = format!("{}/", state.settings.public_url);
            crate::identity::oidc::end_session_url(&oidc.client, &after).await
        }
        _ => None,
    };
    let mut res = match provider_end {
        Some(url) => page_response(
            StatusCode::OK,
            layout::moving_on(
                "Utloggad",
                "Du är utloggad från Platsa",
                ("provider-signout", "Logga ut från kommunkontot också"),
                &url,
            ),
        ),
        None => see_other("/"),
    };
    let _ = res.add_removal_cookie(&cookie(&req, SESSION_COOKIE, String::new(), Duration::ZERO));
    // Back after signing out must show no person: the browser drops what it kept of the pages.
    res.headers_mut().insert(super::CLEAR_SITE_DATA, super::CLEAR_CACHE);
    Ok(res)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(sign_in).service(sign_out);
}
