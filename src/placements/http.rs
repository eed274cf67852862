use actix_web::{HttpResponse, get, post, web};

use super::feedback::{self, FeedbackInput};
use super::{NewPlacement, Transition, store};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::AppResult;
use crate::http::{Json, Page, Paging, created};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(propose)
        .service(list)
        .service(show)
        .service(transition)
        .service(on_opening)
        .service(presented)
        .service(give_feedback);
}

#[post("/api/v1/placements")]
async fn propose(state: web::Data<AppState>, who: Principal, body: Json<NewPlacement>) -> AppResult<HttpResponse> {
    who.require(&[Role::Broker, Role::Admin])?;
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let placement = db::run(&state.pool, move |c| store::propose(c, now, today, &who, body.0)).await?;
    Ok(created(&placement))
}

#[get("/api/v1/placements")]
async fn list(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<store::PlacementFilter>,
    paging: Paging,
) -> AppResult<HttpResponse> {
    who.require(Role::STAFF)?;
    let q = q.into_inner();
    let (limit, offset) = paging.pair();
    let (items, total) = db::run(&state.pool, move |c| store::list(c, &q, limit, offset)).await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}

#[get("/api/v1/placements/{id}")]
async fn show(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> AppResult<HttpResponse> {
    who.require(Role::STAFF)?;
    let id = id.into_inner();
    let placement = db::run(&state.pool, move |c| store::get(c, &id)).await?;
    Ok(HttpResponse::Ok().json(placement))
}

/// `{to, at, note}`, and for `ended` an `outcome`; an impossible step is 409 listing the
/// allowed ones.
#[post("/api/v1/placements/{id}/transitions")]
async fn transition(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<Transition>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Broker, Role::Officer, Role::Admin])?;
    let id = id.into_inner();
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let placement = db::run(&state.pool, move |c| store::transition(c, now, today, &who, &id, body.0)).await?;
    Ok(HttpResponse::Ok().json(placement))
}

/// An employer's view of the people placed on its own opening.
#[get("/api/v1/openings/{id}/placements")]
async fn on_opening(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    action: crate::audit::Action,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let now = state.clock.now_ts();
    let items = db::run(&state.pool, move |c| {
        db::write_tx(c, |c| {
            crate::openings::store::get_visible(c, &who, &id)?;
            let mut items = store::for_employer(c, &id)?;
            // Managers see figures, never names; whoever sees a name is in the audit log.
            if who.role == Role::Manager {
                for v in &mut items {
                    v.first_name = None;
                    v.last_name = None;
                }
            }
            let named: Vec<String> = items
                .iter()
                .filter(|v| v.first_name.is_some() || v.last_name.is_some())
                .map(|v| v.seeker_id.clone())
                .collect();
            crate::audit::record(c, &who, &named, &action, now)?;
            Ok(items)
        })
    })
    .await?;
    let total = items.len() as i64;
    Ok(HttpResponse::Ok().json(Page::new(items, total, total.max(1), 0)))
}

/// The people presented on an opening, as far as each one's consent goes; for the employer
/// (its own openings) and casework staff. Every read of a person is in the audit log.
#[get("/api/v1/openings/{id}/candidates/presented")]
async fn presented(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    action: crate::audit::Action,
) -> AppResult<HttpResponse> {
    if !(who.role == Role::Employer || Role::CASEWORK.contains(&who.role)) {
        return Err(crate::error::AppError::Forbidden);
    }
    let (id, now) = (id.into_inner(), state.clock.now_ts());
    let items = db::run(&state.pool, move |c| {
        db::write_tx(c, |c| {
            crate::openings::store::get_visible(c, &who, &id)?;
            let items = feedback::presented(c, &id)?;
            crate::audit::record(c, &who, &feedback::seeker_ids(&items), &action, now)?;
            Ok(items)
        })
    })
    .await?;
    let total = items.len() as i64;
    Ok(HttpResponse::Ok().json(Page::new(items, total, total.max(1), 0)))
}

/// The employer's answer about a presented person: suitable, considering, not_suitable or
/// hired, with a note; it shows on the broker's board and the person's timeline.
#[post("/api/v1/openings/{id}/candidates/presented/{placement}/feedback")]
async fn give_feedback(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(String, String)>,
    body: Json<FeedbackInput>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Employer, Role::Admin])?;
    let (id, placement) = path.into_inner();
    let now = state.clock.now_ts();
    let given = db::run(&state.pool, move |c| {
        crate::openings::store::get_visible(c, &who, &id)?;
        feedback::give(c, now, &who, &id, &placement, &body.0)
    })
    .await?;
    Ok(HttpResponse::Created().json(given))
}
