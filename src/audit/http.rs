//! The audit log's route, and the extractor that names the route a read came through.

use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, get, web};
use serde::Deserialize;

use super::{Action, list};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult, Fault};
use crate::http::Paging;
use crate::state::AppState;

impl FromRequest for Action {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(action_of(req)))
    }
}

/// The route a request matched, as an audit action.
pub fn action_of(req: &HttpRequest) -> Action {
    let pattern = req.match_pattern().unwrap_or_else(|| "(unmatched)".into());
    Action(format!("{} {pattern}", req.method()))
}

#[derive(Deserialize)]
struct AuditQuery {
    seeker_id: Option<String>,
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show);
}

#[get("/api/v1/audit")]
async fn show(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<AuditQuery>,
    paging: Paging,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let q = q.into_inner();
    let (limit, offset) = paging.pair();
    if q.seeker_id.as_deref().is_some_and(str::is_empty) {
        return Err(AppError::field("seeker_id", Fault::Required, "must not be empty"));
    }
    let (items, total) = db::run(&state.pool, move |c| list(c, q.seeker_id.as_deref(), limit, offset)).await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}
