use actix_web::{HttpResponse, get, put, web};

use super::{Measure, ProcessTargetInput, processes, set_process_target};
use crate::auth::{Principal, Role};
use crate::clock::Month;
use crate::db;
use crate::error::{AppError, AppResult, Fault};
use crate::http::Json;
use crate::reports::http::ReportQuery;
use crate::state::AppState;

crate::api_handlers!(report, put_target);

const READERS: &[Role] = &[Role::Manager, Role::Admin, Role::Broker];

/// Every process of every unit (or one) in a month, against its target, with the pace.
#[utoipa::path(
    tag = "reports",
    summary = "Every process measure per unit against its target, with the pace so far, fairness over waiting time, human oversight of the ranking, and the no-show rate of meetings per officer and unit",
    description = "Roles: manager, admin, broker.",
    params(
        ReportQuery,
    ),
    responses(
        (status = 200, description = "OK", body = ProcessesWithOversight),
    ),
)]
#[get("/api/v1/reports/processes")]
async fn report(state: web::Data<AppState>, who: Principal, q: web::Query<ReportQuery>) -> AppResult<HttpResponse> {
    who.require(READERS)?;
    let m = q.month(&state)?;
    let (now, tol) = (state.clock.now_ts(), state.settings.signals.pace_tolerance);
    let clock = state.settings.signals.decisions.clock;
    let unit = q.unit.clone().filter(|u| !u.is_empty());
    let r = db::run(&state.pool, move |c| {
        let period = crate::accountability::exposure::Period { from: m.first(), to: m.end() };
        Ok(ProcessesWithOversight {
            report: processes(c, m, unit.as_deref(), now, (tol, clock))?,
            oversight: crate::accountability::oversight::figures(c, period, unit.as_deref())?,
            no_shows: crate::booking::report::no_shows(
                c,
                (crate::clock::start_of_day_ts(m.first()), crate::clock::start_of_day_ts(m.end())),
                unit.as_deref(),
            )?,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(r))
}

/// The processes of a month with how brokers used the ranking in it (human oversight:
/// proposals from ranks 1–10, 11–50 and outside the list, per unit and broker).
#[derive(serde::Serialize, utoipa::ToSchema)]
struct ProcessesWithOversight {
    #[serde(flatten)]
    report: super::ProcessReport,
    oversight: crate::accountability::oversight::Oversight,
    /// Meetings with officers in the month marked held or missed, per officer and unit.
    no_shows: crate::booking::report::NoShows,
}

/// Sets a unit's monthly target for one measure (`exits_to_work_or_studies` is the same
/// target as `PUT /api/v1/targets/{unit}/{month}`).
#[utoipa::path(
    tag = "targets",
    summary = "Set a unit's monthly target for one process measure (exits_to_work_or_studies is the same target as above)",
    description = "Roles: manager, admin.",
    params(
        ("unit" = String, Path),
        ("month" = String, Path),
        ("measure" = inline(Measure), Path),
    ),
    request_body = crate::processes::ProcessTargetInput,
    responses(
        (status = 200, description = "OK", body = ProcessTargetSet),
    ),
)]
#[put("/api/v1/targets/{unit}/{month}/{measure}")]
async fn put_target(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(String, String, String)>,
    body: Json<ProcessTargetInput>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Manager, Role::Admin])?;
    let (unit, m, measure) = path.into_inner();
    let m = Month::parse(&m).ok_or_else(|| AppError::field("month", Fault::Format, "must be a month, YYYY-MM"))?;
    let measure = Measure::parse(&measure).ok_or_else(|| {
        let words: Vec<&str> = Measure::ALL.iter().map(|m| m.as_str()).collect();
        AppError::field("measure", Fault::Unknown, format!("must be one of {}", words.join(", ")))
    })?;
    let (now, by, input) = (state.clock.now_ts(), who.user_id.clone(), body.0);
    let (u, target, note) = (unit.clone(), input.target, input.note.clone());
    db::run(&state.pool, move |c| set_process_target(c, &u, m, measure, &input, &by, now)).await?;
    Ok(HttpResponse::Ok().json(ProcessTargetSet { unit, month: m.to_string(), measure, target, note }))
}

/// The target as set.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct ProcessTargetSet {
    unit: String,
    /// YYYY-MM.
    month: String,
    measure: Measure,
    target: f64,
    note: Option<String>,
}
