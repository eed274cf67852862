use actix_web::{HttpResponse, get, post, web};

use super::lists::{CandidateFilter, CandidatePage, OpeningMatchPage, candidates_for_opening, openings_for_seeker};
use crate::audit::Action;
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::AppResult;
use crate::http::Paging;
use crate::state::AppState;

crate::api_handlers!(
    opening_candidates,
    seeker_openings,
    daily_matches,
    daily_shortlist,
    daily_dismiss,
    daily_outcomes
);

#[utoipa::path(
    tag = "openings",
    summary = "Seekers ranked for the opening, each with score and explanation (audited)",
    description = "Roles: admin, broker, officer.",
    params(
        CandidateFilter,
        crate::http::Paging,
        ("id" = String, Path),
    ),
    responses(
        (status = 200, description = "OK", body = crate::matching::lists::CandidatePage),
    ),
)]
#[get("/api/v1/openings/{id}/candidates")]
async fn opening_candidates(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    paging: Paging,
    filter: web::Query<CandidateFilter>,
    action: Action,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let filter = filter.into_inner().validate()?;
    let st = state.clone();
    let (limit, offset) = paging.pair();
    let listed = db::run(&state.pool, move |c| {
        candidates_for_opening(c, st.lookup(), &who, &id, (limit, offset), &filter, &action)
    })
    .await?;
    Ok(HttpResponse::Ok().json(CandidatePage {
        items: listed.items,
        total: listed.total,
        limit,
        offset,
        ranking_log_id: listed.ranking_log_id,
    }))
}

#[utoipa::path(
    tag = "seekers",
    summary = "Open openings ranked for the seeker, with explanations (a read of the person: audited; another unit's person needs X-Access-Reason)",
    description = "Roles: admin, broker, officer.",
    params(
        crate::http::Paging,
        ("id" = String, Path),
        ("X-Access-Reason" = Option<String>, Header, description = "why you need a person of another unit (need-to-know, audited)", min_length = 3, max_length = 300),
    ),
    responses(
        (status = 200, description = "OK", body = crate::matching::lists::OpeningMatchPage),
    ),
)]
#[get("/api/v1/seekers/{id}/openings")]
async fn seeker_openings(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    paging: Paging,
    action: Action,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let (st, pair) = (state.clone(), paging.pair());
    let reader = crate::privacy::Reader::new(who, action, &state.clock);
    let listed = db::run(&state.pool, move |c| {
        db::write_tx(c, |c| {
            let seeker = crate::seekers::service::read_person(c, &reader, &id)?;
            openings_for_seeker(c, st.lookup(), (&reader.who, &reader.action), &seeker, pair)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(OpeningMatchPage {
        items: listed.items,
        total: listed.total,
        limit: pair.0,
        offset: pair.1,
        ranking_log_id: listed.ranking_log_id,
    }))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DayQuery {
    /// YYYY-MM-DD; today when left out.
    day: Option<chrono::NaiveDate>,
}

/// "Dagens förslag": today's suggestions for the calling broker (an admin sees every broker's).
#[utoipa::path(
    tag = "daily-matches",
    summary = "Today's suggestions (\"Dagens förslag\") for the calling broker, best first, each with its explanation (audited)",
    description = "Roles: broker (their own), admin (everyone's). Made each morning from `matching.daily_hour` and when an opening is made.",
    params(DayQuery),
    responses((status = 200, description = "OK", body = Vec<super::daily::DailyMatch>)),
)]
#[get("/api/v1/daily-matches")]
async fn daily_matches(
    state: web::Data<AppState>,
    who: Principal,
    action: Action,
    q: web::Query<DayQuery>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Broker, Role::Admin])?;
    let day = q.day.unwrap_or_else(|| state.clock.today());
    let r = crate::privacy::Reader::new(who, action, &state.clock);
    let st = state.clone();
    let items = db::run(&state.pool, move |c| {
        let broker = (r.who.role == Role::Broker).then(|| r.who.user_id.clone());
        super::daily::of_day(c, st.lookup(), &r, broker.as_deref(), day)
    })
    .await?;
    Ok(HttpResponse::Ok().json(items))
}

#[utoipa::path(
    tag = "daily-matches",
    summary = "Put a suggested person on the opening's shortlist",
    description = "Roles: broker (their own suggestions), admin. 404 for another broker's; 409 conflict.match_handled once acted on.",
    params(("opening_id" = String, Path), ("seeker_id" = String, Path)),
    responses((status = 204, description = "Shortlisted")),
)]
#[post("/api/v1/daily-matches/{opening_id}/{seeker_id}/shortlist")]
async fn daily_shortlist(
    state: web::Data<AppState>,
    who: Principal,
    action: Action,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Broker, Role::Admin])?;
    let r = crate::privacy::Reader::new(who, action, &state.clock);
    let (opening, seeker) = path.into_inner();
    db::run(&state.pool, move |c| super::daily::shortlist(c, &r, (&opening, &seeker))).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DismissInput {
    pub reason: super::daily::DismissReason,
}

#[utoipa::path(
    tag = "daily-matches",
    summary = "Dismiss a suggestion, with a reason (kept: how often brokers follow the suggestions)",
    description = "Roles: broker (their own suggestions), admin. 404 for another broker's; 409 conflict.match_handled once acted on.",
    params(("opening_id" = String, Path), ("seeker_id" = String, Path)),
    request_body = DismissInput,
    responses((status = 204, description = "Dismissed")),
)]
#[post("/api/v1/daily-matches/{opening_id}/{seeker_id}/dismiss")]
async fn daily_dismiss(
    state: web::Data<AppState>,
    who: Principal,
    action: Action,
    path: web::Path<(String, String)>,
    body: crate::http::Json<DismissInput>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Broker, Role::Admin])?;
    let r = crate::privacy::Reader::new(who, action, &state.clock);
    let (opening, seeker) = path.into_inner();
    let reason = body.0.reason;
    db::run(&state.pool, move |c| super::daily::dismiss(c, &r, (&opening, &seeker), reason)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PeriodQuery {
    /// First day, YYYY-MM-DD (the month's first when left out).
    from: Option<chrono::NaiveDate>,
    /// Day after the last, YYYY-MM-DD (tomorrow when left out).
    to: Option<chrono::NaiveDate>,
}

#[utoipa::path(
    tag = "daily-matches",
    summary = "What became of the suggestions of a period: shortlisted, dismissed (by reason), still open",
    description = "Roles: manager, admin, broker.",
    params(PeriodQuery),
    responses((status = 200, description = "OK", body = super::daily::Outcomes)),
)]
#[get("/api/v1/daily-matches/outcomes")]
async fn daily_outcomes(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<PeriodQuery>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Manager, Role::Admin, Role::Broker])?;
    let today = state.clock.today();
    let from = q.from.unwrap_or_else(|| crate::clock::Month::of(today).first());
    let to = q.to.unwrap_or_else(|| today.succ_opt().expect("a next day"));
    if to <= from {
        return Err(crate::error::AppError::field("to", crate::error::Fault::Order, "must be after from"));
    }
    Ok(HttpResponse::Ok().json(db::run(&state.pool, move |c| super::daily::outcomes(c, from, to)).await?))
}
