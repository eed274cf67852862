use actix_web::{HttpResponse, get, web};

use super::{cutoff, due, runs};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::AppResult;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show);
}

/// The dry run for staff: who the retention period makes due for erasure now (ids, unit,
/// broker, why and since when; no names), and the daily runs with how many each erased.
#[get("/api/v1/retention")]
async fn show(state: web::Data<AppState>, who: Principal) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let (today, months) = (state.clock.today(), state.settings.retention.inactive_months);
    let (items, runs) = db::run(&state.pool, move |c| Ok((due(c, today, months)?, runs(c)?))).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "inactive_months": months,
        "cutoff": cutoff(today, months).map(|d| d.to_string()),
        "due": items,
        "runs": runs,
    })))
}
