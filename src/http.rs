//! Pieces every HTTP handler shares: a JSON body extractor whose errors name the field, the
//! list envelope, pagination, and the handlers that turn actix's own errors into problems.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use actix_web::{
    FromRequest, HttpRequest, HttpResponse,
    body::{BoxBody, MessageBody},
    dev::{Payload, ServiceResponse},
    http::{StatusCode, header},
    middleware::ErrorHandlerResponse,
    web,
};
use futures_util::future::LocalBoxFuture;
use serde::{Serialize, de::DeserializeOwned};

use crate::error::{AppError, AppResult, Fault, PROBLEM_JSON, Problem, Thing};
pub use crate::json::parse_json;

/// The accepted body size, from settings; read by [`Json`].
#[derive(Clone, Copy)]
pub struct BodyLimit(pub usize);

/// How long a body may take to arrive, from settings; read by [`Json`].
#[derive(Clone, Copy)]
pub struct BodyTimeout(pub std::time::Duration);

/// A JSON request body. Unlike `web::Json`, a wrong type or missing field answers 422 with the
/// JSON path of the field, and syntax errors 400; the body limit gives 413, a non-JSON
/// content type 415.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<BodyLimit>().map(|l| l.0).unwrap_or(1 << 20);
        let timeout = req.app_data::<BodyTimeout>().map(|t| t.0).unwrap_or(std::time::Duration::from_secs(15));
        let content_type =
            req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
        let essence = content_type.split(';').next().unwrap_or("").trim().to_string();
        let is_json =
            essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"));
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(AppError::UnsupportedMediaType(format!(
                    "send the body as application/json (got `{}`)",
                    if essence.is_empty() { "nothing" } else { &essence }
                )));
            }
            if declared_len.is_some_and(|n| n > limit) {
                return Err(AppError::PayloadTooLarge(limit));
            }
            let bytes = tokio::time::timeout(timeout, body).await.map_err(|_| AppError::RequestTimeout)?;
            let bytes = bytes.map_err(|e| match e.as_response_error().status_code() {
                StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge(limit),
                _ => AppError::BadRequest { field: None, detail: format!("could not read the body: {e}") },
            })?;
            if bytes.len() > limit {
                return Err(AppError::PayloadTooLarge(limit));
            }
            // Every body the API takes is an object; serde would also read a struct from an
            // array of its fields in order, which no client means.
            if bytes.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|&b| b != b'{') {
                return Err(AppError::field("body", Fault::Format, "must be a JSON object"));
            }
            parse_json(&bytes).map(Json)
        })
    }
}

/// The envelope every list answers with.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// The raw parameters; resolved only by [`Paging`].
#[derive(Debug, Clone, Copy)]
struct Pagination {
    limit: Option<i64>,
    offset: Option<i64>,
}

impl Pagination {
    fn resolve(self) -> AppResult<(i64, i64)> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        let offset = self.offset.unwrap_or(0);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::field("limit", Fault::Range, format!("must be between 1 and {MAX_LIMIT}")));
        }
        if offset < 0 {
            return Err(AppError::field("offset", Fault::Range, "must not be negative"));
        }
        Ok((limit, offset))
    }
}

/// A number in a page's query where a blank (`?offset=`, a form's empty field) means
/// "not given": `#[serde(default, deserialize_with = "crate::http::blank_as_none")]`.
pub fn blank_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
{
    let s: Option<String> = serde::Deserialize::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| serde::de::Error::custom("must be a whole number")),
    }
}

/// `?limit=&offset=` of any list, checked once: 1 ≤ limit ≤ 500 (default 50), offset ≥ 0.
/// Reads only those two parameters, so a handler's own query struct leaves them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub limit: i64,
    pub offset: i64,
}

impl Paging {
    pub fn from_query(query: &str) -> AppResult<Self> {
        let mut p = Pagination { limit: None, offset: None };
        for pair in query.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let slot = match key {
                "limit" => &mut p.limit,
                "offset" => &mut p.offset,
                _ => continue,
            };
            // Never echo the value: a query string may carry personal data.
            // Not a number is a malformed query string (400), like any other parameter;
            // out of range is a bad value (422).
            *slot = Some(value.parse().map_err(|_| AppError::BadRequest {
                field: Some(key.to_string()),
                detail: format!("`{key}` must be a whole number"),
            })?);
        }
        let (limit, offset) = p.resolve()?;
        Ok(Self { limit, offset })
    }

    pub fn pair(self) -> (i64, i64) {
        (self.limit, self.offset)
    }

    pub fn page<T>(self, items: Vec<T>, total: i64) -> Page<T> {
        Page::new(items, total, self.limit, self.offset)
    }
}

impl FromRequest for Paging {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Self::from_query(req.query_string()))
    }
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: i64, limit: i64, offset: i64) -> Self {
        Self { items, total, limit, offset }
    }
}

pub fn created<T: Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Created().json(body)
}

/// Bad query strings name the parameter when serde says which.
/// An optional day from a query parameter taken as text (so a bad one is named, not a 400 of
/// the whole query): empty is none.
pub fn optional_day(v: &Option<String>, field: &str) -> AppResult<Option<chrono::NaiveDate>> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| AppError::field(field, Fault::Format, "must be a date, YYYY-MM-DD")),
    }
}

pub fn query_error(err: actix_web::error::QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    query_problem(err).into()
}

/// What is wrong with a query string, naming the parameter.
pub fn query_problem(err: actix_web::error::QueryPayloadError) -> AppError {
    let message = err.to_string();
    let field = message.split('`').nth(1).map(str::to_string);
    AppError::BadRequest { field, detail: format!("invalid query string: {message}") }
}

pub fn path_error(err: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    AppError::BadRequest { field: None, detail: format!("invalid path: {err}") }.into()
}

/// Refuses an address whose path or query carries a control character (`%00`, `%0A`…) before
/// any handler or database sees it: PostgreSQL cannot store NUL, and a newline may end up in
/// a header. The value is not logged.
pub async fn refuse_control_characters<B: MessageBody + 'static>(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<B>,
) -> Result<ServiceResponse<actix_web::body::EitherBody<B>>, actix_web::Error> {
    use crate::text::has_encoded_control;
    if has_encoded_control(req.path()) || has_encoded_control(req.query_string()) {
        let field = if has_encoded_control(req.path()) { "path" } else { "query" };
        let refused = AppError::BadRequest {
            field: Some(field.into()),
            detail: format!("the {field} contains a control character"),
        };
        let res = actix_web::ResponseError::error_response(&refused);
        return Ok(req.into_response(res).map_into_right_body());
    }
    next.call(req).await.map(ServiceResponse::map_into_left_body)
}

/// The methods each API path template takes (for `Allow`); startup fills it from the OpenAPI
/// document.
pub struct AllowedMethods(Vec<(Vec<String>, Vec<String>)>);

impl AllowedMethods {
    pub fn new(paths: impl IntoIterator<Item = (String, Vec<String>)>) -> Self {
        Self(paths.into_iter().map(|(t, m)| (t.split('/').map(str::to_string).collect(), m)).collect())
    }

    /// The methods of every template `path` fits, sorted. Empty outside the API (the pages).
    pub fn for_path(&self, path: &str) -> Vec<String> {
        let wanted: Vec<&str> = path.split('/').collect();
        // `{token}` matches any one segment, `{token}.ics` any one ending in `.ics`.
        let fits = |template: &str, segment: &str| match template.split_once('}') {
            Some((open, suffix)) if open.starts_with('{') => !segment.is_empty() && segment.ends_with(suffix),
            _ => template == segment,
        };
        // The most specific templates win, as in the router: `/imports/seekers` over
        // `/imports/{id}`, `{token}.ics` over `{token}`.
        let literal = |t: &str| !t.starts_with('{') || !t.ends_with('}');
        let fitting: Vec<&(Vec<String>, Vec<String>)> = self
            .0
            .iter()
            .filter(|(t, _)| t.len() == wanted.len() && t.iter().zip(&wanted).all(|(t, s)| fits(t, s)))
            .collect();
        let specificity = |t: &[String]| t.iter().filter(|s| literal(s)).count();
        let best = fitting.iter().map(|(t, _)| specificity(t)).max().unwrap_or(0);
        let mut allowed: Vec<String> =
            fitting.into_iter().filter(|(t, _)| specificity(t) == best).flat_map(|(_, m)| m.iter().cloned()).collect();
        allowed.sort();
        allowed.dedup();
        allowed
    }
}

/// Unknown routes; a known path with another method is 405, with `Allow` naming the methods
/// it takes (from the OpenAPI document, for the API's paths).
pub async fn not_found(req: HttpRequest) -> AppResult<HttpResponse> {
    if !req.resource_map().has_resource(req.path()) {
        return Err(AppError::NotFound(Thing::Route));
    }
    let mut res = actix_web::ResponseError::error_response(&AppError::MethodNotAllowed);
    let allowed =
        req.app_data::<actix_web::web::Data<AllowedMethods>>().map(|a| a.for_path(req.path())).unwrap_or_default();
    if !allowed.is_empty()
        && let Ok(v) = header::HeaderValue::from_str(&allowed.join(", "))
    {
        res.headers_mut().insert(header::ALLOW, v);
    }
    Ok(res)
}

/// The last line of defence: any error answer that is not yet a problem document (a 405 from
/// a resource, an error from actix itself) is rewritten as one, keeping its status.
pub fn problem_fallback<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON));
    // The web pages answer their errors as HTML pages of their own.
    let is_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_problem || is_page || !(res.status().is_client_error() || res.status().is_server_error()) {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (slug, title) = match status {
        StatusCode::NOT_FOUND => ("not-found", "Not found"),
        StatusCode::METHOD_NOT_ALLOWED => ("method-not-allowed", "Method not allowed"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload-too-large", "Payload too large"),
        s if s.is_server_error() => ("internal", "Internal server error"),
        _ => ("bad-request", "Bad request"),
    };
    let detail = match status {
        StatusCode::METHOD_NOT_ALLOWED => "this route does not accept that method".to_string(),
        s => s.canonical_reason().unwrap_or("error").to_string(),
    };
    let problem = Problem::new(status, slug, title, detail);
    let (req, old) = res.into_parts();
    let mut new = problem.response();
    // Keep headers such as Allow or WWW-Authenticate.
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    let new: HttpResponse<BoxBody> = new;
    Ok(ErrorHandlerResponse::Response(ServiceResponse::new(req, new).map_into_right_body()))
}

/// A strong ETag from a row version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version an `If-Match` header names; `Ok(None)` when there is no header.
pub fn if_match(req: &HttpRequest) -> AppResult<Option<i64>> {
    let Some(value) = req.headers().get(header::IF_MATCH) else { return Ok(None) };
    let text = value.to_str().unwrap_or("").trim();
    // Sent empty, as some clients do for "no condition".
    if text.is_empty() {
        return Ok(None);
    }
    let text = text.strip_prefix("W/").unwrap_or(text);
    text.trim_matches('"').parse().map(Some).map_err(|_| AppError::BadRequest {
        field: Some("If-Match".into()),
        detail: "not an ETag this API issued".into(),
    })
}

/// Requests per client address and minute, counted in this process (a public form's flood
/// guard, not a guarantee: each `serve` process counts its own).
#[derive(Default)]
pub struct RateLimiter(Mutex<HashMap<IpAddr, (Instant, u32)>>);

impl RateLimiter {
    pub fn allow(&self, ip: IpAddr, per_minute: u32) -> Result<(), u64> {
        let mut map = self.0.lock().expect("rate limiter lock");
        let now = Instant::now();
        if map.len() > 10_000 {
            map.retain(|_, (since, _)| now.duration_since(*since).as_secs() < 60);
        }
        let entry = map.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0).as_secs() >= 60 {
            *entry = (now, 0);
        }
        if entry.1 >= per_minute {
            return Err(60u64.saturating_sub(now.duration_since(entry.0).as_secs()).max(1));
        }
        entry.1 += 1;
        Ok(())
    }

    /// Whether `ip` has used up `per_minute` already (seconds to wait if so), without counting
    /// this call: for limits on failures, counted with [`RateLimiter::allow`] when they happen.
    /// Counts a miss (an unknown link) and answers the wait when this client has now missed
    /// more than `per_minute` times in the minute. A link that is found is never counted, so
    /// a valid one always opens.
    pub fn missed(&self, ip: IpAddr, per_minute: u32) -> Option<u64> {
        let _ = self.allow(ip, u32::MAX);
        self.exhausted(ip, per_minute.saturating_add(1))
    }

    pub fn exhausted(&self, ip: IpAddr, per_minute: u32) -> Option<u64> {
        let map = self.0.lock().expect("rate limiter lock");
        let (since, n) = map.get(&ip)?;
        let elapsed = Instant::now().duration_since(*since).as_secs();
        (elapsed < 60 && *n >= per_minute).then(|| 60u64.saturating_sub(elapsed).max(1))
    }
}

/// Who sent a request: the peer, or, when the peer is a trusted proxy, the client it names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Client {
    pub ip: IpAddr,
    /// The client reached the proxy over TLS (`X-Forwarded-Proto: https` from a trusted proxy).
    pub tls: bool,
}

/// Reads the client from the request: `X-Forwarded-For` is read from the right, past every
/// trusted hop, so a client cannot choose its address by sending the header itself.
pub fn client(req: &HttpRequest) -> Client {
    let peer = req.peer_addr().map(|a| a.ip()).unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let Some(trusted) = req.app_data::<crate::config::AddressSet>() else { return Client { ip: peer, tls: false } };
    if !trusted.contains(peer) {
        return Client { ip: peer, tls: false };
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    let ip = forwarded.iter().rev().find(|a| !trusted.contains(**a)).or(forwarded.first()).copied().unwrap_or(peer);
    let tls = req
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
    Client { ip, tls }
}

/// Answers to a client that came over TLS tell its browser to keep to TLS (HSTS).
pub async fn strict_transport_security<B: MessageBody + 'static>(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let tls = client(req.request()).tls;
    let mut res = next.call(req).await?;
    if tls {
        res.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            header::HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    Ok(res)
}

/// A module's API handlers, listed once: `routes` registers them (in this order, which is
/// the order actix tries them) and `api` is their part of the OpenAPI document, built from
/// each handler's `#[utoipa::path]` and the types it names, so no handler can be served
/// undescribed or described unserved.
#[macro_export]
macro_rules! api_handlers {
    ($($handler:ident),+ $(,)?) => {
        pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
            $( cfg.service($handler); )+
        }

        pub fn api() -> utoipa::openapi::OpenApi {
            #[derive(utoipa::OpenApi)]
            #[openapi(paths($($handler),+))]
            struct Api;
            <Api as utoipa::OpenApi>::openapi()
        }
    };
}

/// The request's `Idempotency-Key` header, if sent: 1 to 200 visible characters.
pub fn idempotency_key(req: &actix_web::HttpRequest) -> AppResult<Option<String>> {
    let Some(v) = req.headers().get("Idempotency-Key") else { return Ok(None) };
    let key = v.to_str().unwrap_or("").trim().to_string();
    if key.is_empty() || v.len() > 200 {
        return Err(AppError::BadRequest {
            field: Some("Idempotency-Key".into()),
            detail: "must be 1 to 200 visible characters".into(),
        });
    }
    Ok(Some(key))
}

/// The `X-Access-Reason` header in the OpenAPI document (the `Action` extractor reads it):
/// why the caller needs a person of another unit (need-to-know, audited).
pub struct AccessReason;

impl utoipa::IntoParams for AccessReason {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        vec![
            ParameterBuilder::new()
                .name("X-Access-Reason")
                .parameter_in(ParameterIn::Header)
                .required(utoipa::openapi::Required::False)
                .description(Some("why you need a person of another unit (need-to-know, audited)"))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String).min_length(Some(3)).max_length(Some(300))))
                .build(),
        ]
    }
}

// `?limit=&offset=` in the OpenAPI document, as `Paging::from_query` reads them.
impl utoipa::IntoParams for Paging {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let param = |name: &str, description: &str, min: i64, max: i64| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(utoipa::openapi::Required::False)
                .description(Some(description))
                .schema(Some(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(min)).maximum(Some(max))))
                .build()
        };
        vec![
            param("limit", "how many (default 50)", 1, MAX_LIMIT),
            param("offset", "how many to skip (default 0)", 0, i64::MAX),
        ]
    }
}
