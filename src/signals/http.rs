use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};

use super::{Scope, Signal, SignalKind, current, reason};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult, Fault};
use crate::http::Page;
use crate::state::AppState;

crate::api_handlers!(list, deliveries);

/// Whose signals a role sees: managers and admins all; brokers their own work (their seekers,
/// openings and consent requests); officers the meeting capacity and no-shows.
pub async fn scope(state: &AppState, who: &Principal) -> AppResult<Scope> {
    match who.role {
        Role::Admin => Ok(Scope::Admin),
        Role::Manager => Ok(Scope::All),
        Role::Broker => {
            let id = who.user_id.clone();
            let me = id.clone();
            let units = db::run(&state.pool, move |c| super::units_of_broker(c, &me)).await?;
            Ok(Scope::Broker { id, units })
        }
        Role::Officer => Ok(Scope::Meetings),
        Role::Employer | Role::CaseSystem => Err(AppError::Forbidden),
    }
}

/// A signal with its reason, as the API and the page show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Shown {
    #[serde(flatten)]
    pub signal: Signal,
    pub reason: String,
}

/// The signals `who` sees now, optionally one kind or one unit.
pub async fn visible(
    state: &AppState,
    who: &Principal,
    kind: Option<SignalKind>,
    unit: Option<String>,
) -> AppResult<Vec<Shown>> {
    let scope = scope(state, who).await?;
    let (now, settings) = (state.clock.now_ts(), state.settings.signals.clone());
    let all = db::run(&state.pool, move |c| current(c, now, &settings, &scope)).await?;
    Ok(all
        .into_iter()
        .filter(|s| kind.is_none_or(|k| s.kind == k))
        .filter(|s| unit.as_deref().is_none_or(|u| s.unit.as_deref() == Some(u)))
        .map(|signal| Shown { reason: reason::text(&signal), signal })
        .collect())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SignalQuery {
    kind: Option<String>,
    unit: Option<String>,
}

#[utoipa::path(
    tag = "signals",
    summary = "The current signals the caller should act on, each with its reason and a link to the people behind it",
    description = "Roles: manager, admin (all); broker (own work and own units' processes); officer (meetings).",
    params(
        SignalQuery,
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::signals::Signal>),
    ),
)]
#[get("/api/v1/signals")]
async fn list(state: web::Data<AppState>, who: Principal, q: web::Query<SignalQuery>) -> AppResult<HttpResponse> {
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(SignalKind::parse(k).ok_or_else(|| {
            let words: Vec<&str> = SignalKind::ALL.iter().map(|k| k.as_str()).collect();
            AppError::field("kind", Fault::Unknown, format!("must be one of {}", words.join(", ")))
        })?),
        None => None,
    };
    let items = visible(&state, &who, kind, q.unit.clone().filter(|u| !u.is_empty())).await?;
    let total = items.len() as i64;
    Ok(HttpResponse::Ok().json(Page::new(items, total, total.max(1), 0)))
}

/// The record of signals pushed to the webhook.
#[utoipa::path(
    tag = "signals",
    summary = "Every signal pushed to signals.webhook, with its attempts",
    description = "Roles: manager, admin.",
    responses(
        (status = 200, description = "OK", body = Page<crate::signals::push::SignalDelivery>),
    ),
)]
#[get("/api/v1/signals/deliveries")]
async fn deliveries(state: web::Data<AppState>, who: Principal) -> AppResult<HttpResponse> {
    who.require(&[Role::Manager, Role::Admin])?;
    let items = super::push::list(&state.pool, 1000).await?;
    let total = items.len() as i64;
    Ok(HttpResponse::Ok().json(Page::new(items, total, total.max(1), 0)))
}
