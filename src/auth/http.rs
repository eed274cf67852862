//! The auth routes (tokens, users, me) and the `Principal` extractor every API route uses.

use actix_web::{FromRequest, HttpRequest, HttpResponse, delete, dev::Payload, get, http::header, post, web};
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;

use super::{Principal, Role, hash_token, store};
use crate::db;
use crate::error::{AppError, AppResult, Errors, Fault, Thing};
use crate::http::{Json, Paging, created};
use crate::state::AppState;

crate::api_handlers!(create_token, list_tokens, revoke_token, list_users, me);

/// Either a new user (`role`, `name`, and `employer_id` for employers) or another token for
/// an existing user (`user_id`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    role: Option<String>,
    name: Option<String>,
    employer_id: Option<String>,
    user_id: Option<String>,
    /// A new staff user's e-mail address (an import's broker column may name them by it).
    email: Option<String>,
}

enum TokenFor {
    NewUser { role: Role, name: String, employer_id: Option<String>, email: Option<String> },
    User(String),
}

impl TokenRequest {
    fn validate(self) -> AppResult<TokenFor> {
        if let Some(user_id) = self.user_id {
            if self.role.is_some() || self.name.is_some() || self.employer_id.is_some() || self.email.is_some() {
                return Err(AppError::field(
                    "user_id",
                    Fault::NotApplicable,
                    "give either user_id or role and name, not both",
                ));
            }
            return Ok(TokenFor::User(user_id));
        }
        let mut errors = Errors::new();
        let role = match self.role.as_deref().map(Role::parse) {
            Some(Some(r)) => Some(r),
            Some(None) => {
                let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                errors.add("role", Fault::Unknown, format!("must be one of {}", roles.join(", ")));
                None
            }
            None => {
                errors.add("role", Fault::Required, "is required");
                None
            }
        };
        let name = self.name.unwrap_or_default().trim().to_string();
        if name.is_empty() || name.chars().count() > 200 {
            errors.add("name", Fault::Length, "must be 1 to 200 characters");
        }
        match (role, &self.employer_id) {
            (Some(Role::Employer), None) => {
                errors.add("employer_id", Fault::Required, "is required for the employer role")
            }
            (Some(r), Some(_)) if r != Role::Employer => {
                errors.add("employer_id", Fault::NotApplicable, "only the employer role is bound to an employer")
            }
            _ => {}
        }
        errors.into_result()?;
        let email = self.email.map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty());
        if email.as_deref().is_some_and(|e| !crate::text::valid_email(e)) {
            return Err(AppError::field("email", Fault::Format, "is not an e-mail address"));
        }
        Ok(TokenFor::NewUser { role: role.expect("checked"), name, employer_id: self.employer_id, email })
    }
}

#[utoipa::path(
    tag = "tokens",
    summary = "Create a user with a token, or another token for a user",
    description = "Roles: admin.",
    request_body = crate::auth::http::TokenRequest,
    responses(
        (status = 201, description = "OK", body = crate::auth::store::IssuedToken),
    ),
)]
#[post("/api/v1/tokens")]
async fn create_token(state: web::Data<AppState>, who: Principal, body: Json<TokenRequest>) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let request = body.0.validate()?;
    let now = state.clock.now_ts();
    let issued = db::run(&state.pool, move |c| match request {
        TokenFor::NewUser { role, name, employer_id, email } => {
            store::create_user_with_token(c, now, role, &name, employer_id.as_deref(), email.as_deref())
        }
        TokenFor::User(user_id) => store::create_token_for_user(c, now, &user_id),
    })
    .await?;
    tracing::info!(token_id = %issued.id, user_id = %issued.user_id, role = %issued.role, "token issued");
    Ok(created(&issued))
}

#[utoipa::path(
    tag = "tokens",
    summary = "List tokens (never their text)",
    description = "Roles: admin.",
    params(
        crate::http::Paging,
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::auth::store::TokenRecord>),
    ),
)]
#[get("/api/v1/tokens")]
async fn list_tokens(state: web::Data<AppState>, who: Principal, paging: Paging) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let (limit, offset) = paging.pair();
    let (items, total) = db::run(&state.pool, move |c| store::list_tokens(c, limit, offset)).await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}

#[utoipa::path(
    tag = "tokens",
    summary = "Revoke a token at once",
    description = "Roles: admin.",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 204, description = "Done; no body"),
    ),
)]
#[delete("/api/v1/tokens/{id}")]
async fn revoke_token(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let id = id.into_inner();
    let now = state.clock.now_ts();
    let found = db::run(&state.pool, {
        let id = id.clone();
        move |c| store::revoke(c, now, &id)
    })
    .await?;
    if !found {
        return Err(AppError::NotFound(Thing::Token));
    }
    tracing::info!(token_id = %id, "token revoked");
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct UserQuery {
    #[param(inline, value_type = Option<Role>)]
    role: Option<String>,
}

/// Staff list users, e.g. the brokers a seeker can be assigned to.
#[utoipa::path(
    tag = "users",
    summary = "List users, e.g. ?role=broker",
    description = "Roles: admin, broker, officer, manager.",
    params(
        UserQuery,
        crate::http::Paging,
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::auth::store::User>),
    ),
)]
#[get("/api/v1/users")]
async fn list_users(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<UserQuery>,
    paging: Paging,
) -> AppResult<HttpResponse> {
    who.require(Role::STAFF)?;
    let q = q.into_inner();
    let role = match q.role.as_deref() {
        None => None,
        Some(r) => Some(Role::parse(r).ok_or_else(|| AppError::field("role", Fault::Unknown, "unknown role"))?),
    };
    let (limit, offset) = paging.pair();
    let (items, total) = db::run(&state.pool, move |c| store::list_users(c, role, limit, offset)).await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}

/// Who the token belongs to.
#[utoipa::path(
    tag = "me",
    summary = "Who the token belongs to",
    description = "Roles: any.",
    responses(
        (status = 200, description = "OK", body = Me),
    ),
)]
#[get("/api/v1/me")]
async fn me(who: Principal) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(Me {
        user_id: who.user_id,
        token_id: who.token_id,
        name: who.name,
        role: who.role,
        employer_id: who.employer_id,
    }))
}

/// Who a token belongs to.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Me {
    user_id: String,
    token_id: String,
    name: String,
    role: Role,
    employer_id: Option<String>,
}

/// A bearer token looked up before the handler runs ([`resolve_bearer`]).
#[derive(Clone)]
enum Resolved {
    Known(Principal),
    Unknown,
    /// Unknown, from an address past its failed sign-ins for the minute (answered late).
    Throttled(u64),
}

/// How late an unknown token is answered once its address is past the minute's failures.
const THROTTLE_DELAY: std::time::Duration = std::time::Duration::from_millis(250);

/// A failed sign-in from the request's client: counted for the admins' signal, and for the
/// minute's limit; `Some(wait)` once the client is past it.
pub async fn sign_in_failed(state: &AppState, req: &HttpRequest) -> Option<u64> {
    let ip = crate::http::client(req).ip;
    let (now, address) = (state.clock.now_ts(), ip.to_string());
    if let Err(e) = crate::db::run(&state.pool, move |c| store::failed_sign_in(c, now, &address)).await {
        tracing::warn!(error = %e, "a failed sign-in could not be counted");
    }
    state.sign_in_failures.missed(ip, store::FAILURES_PER_MINUTE)
}

/// Looks the request's bearer token up before any extractor reads the body, so a request
/// with an unknown token is answered 401 whatever its body holds (the handler's extractors
/// run side by side, and a body read would otherwise answer first, with 422). A lookup that
/// fails leaves it to the extractor, which looks again.
pub async fn resolve_bearer<B: actix_web::body::MessageBody + 'static>(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<B>,
) -> Result<actix_web::dev::ServiceResponse<B>, actix_web::Error> {
    use actix_web::HttpMessage;
    if let (Some(token), Some(state)) = (bearer(req.request()), req.app_data::<web::Data<AppState>>().cloned()) {
        let hash = hash_token(&token);
        if let Ok(found) = crate::db::run(&state.pool, move |c| store::principal_by_hash(c, &hash)).await {
            let resolved = match found {
                Some(p) => Resolved::Known(p),
                None => match sign_in_failed(&state, req.request()).await {
                    Some(wait) => {
                        // Throttled, not refused outright: a valid token from the same address
                        // (a municipality's shared exit) still works; a guesser is slowed down.
                        tokio::time::sleep(THROTTLE_DELAY).await;
                        Resolved::Throttled(wait)
                    }
                    None => Resolved::Unknown,
                },
            };
            req.extensions_mut().insert(resolved);
        }
    }
    next.call(req).await
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

impl FromRequest for Principal {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        use actix_web::HttpMessage;
        let token = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let pattern = req.match_pattern();
        let resolved = req.extensions().get::<Resolved>().cloned();
        Box::pin(async move {
            let token = token.ok_or(AppError::Unauthorized("missing bearer token"))?;
            let principal = match resolved {
                Some(Resolved::Known(p)) => Some(p),
                Some(Resolved::Unknown) => None,
                Some(Resolved::Throttled(retry_after_secs)) => {
                    return Err(AppError::UnauthorizedSlowed { retry_after_secs });
                }
                None => {
                    let state = state.ok_or_else(|| AppError::internal("application state missing"))?;
                    let hash = hash_token(&token);
                    crate::db::run(&state.pool, move |c| store::principal_by_hash(c, &hash)).await?
                }
            };
            let principal = principal.ok_or(AppError::Unauthorized("unknown or revoked token"))?;
            tracing::Span::current().record("user_id", principal.user_id.as_str());
            if principal.role == Role::CaseSystem
                && !pattern.as_deref().is_some_and(|p| super::CASE_SYSTEM_ROUTES.contains(&p))
            {
                return Err(AppError::Forbidden);
            }
            Ok(principal)
        })
    }
}
