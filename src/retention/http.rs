use actix_web::{HttpResponse, get, web};

use super::{cutoff, due, runs};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::AppResult;
use crate::state::AppState;

crate::api_handlers!(show);

/// The dry run for staff: who the retention period makes due for erasure now (ids, unit,
/// broker, why and since when; no names), and the daily runs with how many each erased.
#[utoipa::path(
    tag = "retention",
    summary = "The retention dry run: who is due for erasure now (ids, unit, broker, reason exited or inactive, since), the period and cutoff, and the daily runs with how many each erased",
    description = "Roles: admin.",
    responses(
        (status = 200, description = "OK", body = RetentionView),
    ),
)]
#[get("/api/v1/retention")]
async fn show(state: web::Data<AppState>, who: Principal) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let (today, months) = (state.clock.today(), state.settings.retention.inactive_months);
    let (items, runs) = db::run(&state.pool, move |c| Ok((due(c, today, months)?, runs(c)?))).await?;
    Ok(HttpResponse::Ok().json(RetentionView {
        inactive_months: months,
        cutoff: cutoff(today, months),
        due: items,
        runs,
    }))
}

/// The retention dry run: who is due for erasure now, and the daily runs.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct RetentionView {
    /// The period; 0 is off.
    inactive_months: u32,
    /// Exited or inactive before this day is due.
    cutoff: Option<chrono::NaiveDate>,
    due: Vec<super::Due>,
    runs: Vec<super::Run>,
}
