use actix_web::{HttpResponse, delete, get, post, web};

use super::feedback::{self, FeedbackInput};
use super::{NewPlacement, Transition, store};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::AppResult;
use crate::http::{Json, Page, Paging, created};
use crate::state::AppState;

crate::api_handlers!(propose, list, show, transition, on_opening, presented, give_feedback, remove);

#[utoipa::path(
    tag = "placements",
    summary = "Propose a seeker for an opening (or studies)",
    description = "Roles: broker, admin.",
    request_body = crate::placements::NewPlacement,
    responses(
        (status = 201, description = "OK", body = crate::placements::Placement),
    ),
)]
#[post("/api/v1/placements")]
async fn propose(state: web::Data<AppState>, who: Principal, body: Json<NewPlacement>) -> AppResult<HttpResponse> {
    who.require(&[Role::Broker, Role::Admin])?;
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let placement = db::run(&state.pool, move |c| store::propose(c, now, today, &who, body.0)).await?;
    Ok(created(&placement))
}

#[utoipa::path(
    tag = "placements",
    summary = "List placements",
    description = "Roles: admin, broker, officer, manager.",
    params(
        store::PlacementFilter,
        crate::http::Paging,
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::placements::Placement>),
    ),
)]
#[get("/api/v1/placements")]
async fn list(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<store::PlacementFilter>,
    paging: Paging,
    action: crate::audit::Action,
) -> AppResult<HttpResponse> {
    who.require(Role::STAFF)?;
    let q = q.into_inner();
    let (limit, offset) = paging.pair();
    let (now, role) = (state.clock.now_ts(), who.role);
    // A placement's history holds what staff wrote about the person: a read of it is audited.
    let (items, total) = db::run(&state.pool, move |c| {
        db::write_tx(c, |c| {
            let (items, total) = store::list(c, &q, limit, offset)?;
            let ids: Vec<String> = items.iter().map(|p| p.seeker_id.clone()).collect();
            crate::privacy::shown(c, &who, &ids, &action, now)?;
            Ok((items.into_iter().map(|p| p.for_reader(role)).collect::<Vec<_>>(), total))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}

#[utoipa::path(
    tag = "placements",
    summary = "A placement with its history (managers: the steps without the notes staff wrote)",
    description = "Roles: admin, broker, officer, manager.",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, description = "OK", body = crate::placements::Placement),
    ),
)]
#[get("/api/v1/placements/{id}")]
async fn show(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    action: crate::audit::Action,
) -> AppResult<HttpResponse> {
    who.require(Role::STAFF)?;
    let (id, now, role) = (id.into_inner(), state.clock.now_ts(), who.role);
    let placement = db::run(&state.pool, move |c| {
        db::write_tx(c, |c| {
            let placement = store::get(c, &id)?;
            crate::privacy::shown(c, &who, std::slice::from_ref(&placement.seeker_id), &action, now)?;
            Ok(placement.for_reader(role))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(placement))
}

/// `{to, at, note}`, and for `ended` an `outcome`; an impossible step is 409 listing the
/// allowed ones.
#[utoipa::path(
    tag = "placements",
    summary = "Move a placement; an impossible step is 409 with `allowed`",
    description = "Roles: broker, officer, admin.",
    params(
        ("id" = String, Path),
    ),
    request_body = crate::placements::Transition,
    responses(
        (status = 200, description = "OK", body = crate::placements::Placement),
    ),
)]
#[post("/api/v1/placements/{id}/transitions")]
async fn transition(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<Transition>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Broker, Role::Officer, Role::Admin])?;
    let id = id.into_inner();
    let (now, today, url) = (state.clock.now_ts(), state.clock.today(), state.settings.public_url.clone());
    let placement =
        db::run(&state.pool, move |c| store::transition(c, now, today, &who, &id, body.0, Some(&url))).await?;
    Ok(HttpResponse::Ok().json(placement))
}

/// An employer's view of the people placed on its own opening.
#[utoipa::path(
    tag = "openings",
    summary = "Placements on an opening, without personnummer or contact details",
    description = "Roles: employer (own), staff.",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::placements::store::EmployerView>),
    ),
)]
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
            crate::privacy::shown(c, &who, &named, &action, now)?;
            Ok(items)
        })
    })
    .await?;
    let total = items.len() as i64;
    Ok(HttpResponse::Ok().json(Page::new(items, total, total.max(1), 0)))
}

/// The people presented on an opening, as far as each one's consent goes; for the employer
/// (its own openings) and casework staff. Every read of a person is in the audit log.
#[utoipa::path(
    tag = "openings",
    summary = "The people presented on the opening, as far as each one's consent goes (name, contact, occupations, skills, languages, licences, summary) with the employer's latest answer; only while the consent stands (audited)",
    description = "Roles: employer (own openings), admin, broker, officer.",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::placements::feedback::Presented>),
    ),
)]
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
            crate::privacy::shown(c, &who, &feedback::seeker_ids(&items), &action, now)?;
            Ok(items)
        })
    })
    .await?;
    let total = items.len() as i64;
    Ok(HttpResponse::Ok().json(Page::new(items, total, total.max(1), 0)))
}

/// The employer's answer about a presented person: suitable, considering, not_suitable or
/// hired, with a note; it shows on the broker's board and the person's timeline.
#[utoipa::path(
    tag = "openings",
    summary = "The employer's answer about a presented person",
    description = "Roles: employer (own openings), admin.",
    params(
        ("id" = String, Path),
        ("placement" = String, Path),
    ),
    request_body = crate::placements::feedback::FeedbackInput,
    responses(
        (status = 201, description = "OK", body = crate::placements::feedback::Feedback),
    ),
)]
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

/// Withdrawing an opening is the pipeline's to allow: not while placements are under way.
#[utoipa::path(
    tag = "openings",
    summary = "Withdraw an opening",
    description = "Roles: employer (own), broker, admin.",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 204, description = "Done; no body"),
    ),
)]
#[delete("/api/v1/openings/{id}")]
async fn remove(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> AppResult<HttpResponse> {
    who.require(crate::openings::WRITERS)?;
    let id = id.into_inner();
    let now = state.clock.now_ts();
    db::run(&state.pool, move |c| super::service::remove_opening(c, now, &who, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
