//! Exposure and oversight over the API.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};

use super::exposure::{self, Exposure, Period};
use super::oversight::{self, Oversight};
use crate::audit::Action;
use crate::auth::{Principal, Role};
use crate::db::{self, DbConnection};
use crate::error::AppResult;
use crate::state::AppState;

crate::api_handlers!(report, never_shown);

/// The query as sent: dates are parsed here, so a bad one is named.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExposureParams {
    /// First day, YYYY-MM-DD (30 days before `to` when left out).
    pub from: Option<String>,
    /// The day after the last, YYYY-MM-DD (tomorrow when left out).
    pub to: Option<String>,
    /// Only this unit's people.
    pub unit: Option<String>,
}

impl ExposureParams {
    pub fn query(&self) -> AppResult<ExposureQuery> {
        let day = crate::http::optional_day;
        Ok(ExposureQuery { from: day(&self.from, "from")?, to: day(&self.to, "to")?, unit: self.unit.clone() })
    }
}

/// A period and a unit, parsed.
#[derive(Debug, Clone, Default)]
pub struct ExposureQuery {
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub unit: Option<String>,
}

impl ExposureQuery {
    pub fn resolve(&self, c: &mut DbConnection, today: chrono::NaiveDate) -> AppResult<(Period, Option<String>)> {
        let unit = self.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_string);
        crate::units::check(c, unit.as_deref(), "unit")?;
        Ok((super::period(self.from, self.to, today)?, unit))
    }
}

/// Exposure with the oversight figures of the same period.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExposureReport {
    #[serde(flatten)]
    pub exposure: Exposure,
    pub oversight: Oversight,
}

/// The eligible people of the query's period, with the report of them, as the page and the
/// API read it (the page lists the never-shown from the same people).
pub fn exposure_report(
    c: &mut DbConnection,
    at: crate::index::Lookup<'_>,
    q: &ExposureQuery,
    today: chrono::NaiveDate,
) -> AppResult<(Vec<exposure::Person>, ExposureReport)> {
    let (p, unit) = q.resolve(c, today)?;
    let (people, openings) = exposure::people(c, at, p, unit.as_deref())?;
    let figures = ExposureReport {
        exposure: exposure::summarise(&people, openings, p, unit.as_deref()),
        oversight: oversight::figures(c, p, unit.as_deref())?,
    };
    Ok((people, figures))
}

#[utoipa::path(
    tag = "accountability",
    summary = "Exposure (\"alla blir synliggjorda\"): of the eligible active people, the share shown in a top-20 list, proposed, and never shown; by unit, broker and waiting time; with human oversight (proposals from the top 10, ranks 11–50, outside the list; \"not suitable\" over a top-10 rank)",
    description = "Roles: manager, admin. Eligible: those the candidate ranking could show for at least one opening open in the period.",
    params(ExposureParams),
    responses((status = 200, description = "OK", body = ExposureReport)),
)]
#[get("/api/v1/reports/exposure")]
async fn report(state: web::Data<AppState>, who: Principal, q: web::Query<ExposureParams>) -> AppResult<HttpResponse> {
    who.require(&[Role::Manager, Role::Admin])?;
    let q = q.query()?;
    let (st, today) = (state.clone(), state.clock.today());
    let (_, r) = db::run(&state.pool, move |c| exposure_report(c, st.lookup(), &q, today)).await?;
    Ok(HttpResponse::Ok().json(r))
}

/// A never-shown person, for the broker who can act on it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NeverShown {
    pub id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub unit: Option<String>,
    pub broker_id: Option<String>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub waiting_since: i64,
}

/// The never-shown of the eligible `people` (longest wait first, as [`exposure::people`]
/// orders them): a broker's own units' (all for an admin or a broker of no unit), names read
/// through the privacy gate (audited).
pub fn never_shown_people(
    c: &mut DbConnection,
    (who, action): (&Principal, &Action),
    people: Vec<exposure::Person>,
    now: i64,
) -> AppResult<Vec<NeverShown>> {
    let mut people: Vec<exposure::Person> = people.into_iter().filter(|p| !p.shown).collect();
    if who.role != Role::Admin {
        let mine = crate::units::of_user(c, &who.user_id)?;
        if !mine.is_empty() {
            people.retain(|p| p.unit.as_ref().is_none_or(|u| mine.contains(u)));
        }
    }
    let ids: Vec<String> = people.iter().map(|p| p.id.clone()).collect();
    let mut names = crate::db::write_tx(c, |c| crate::seekers::service::names(c, who, &ids, action, now))?;
    Ok(people
        .into_iter()
        .map(|p| {
            let (first_name, last_name) = names.remove(&p.id).unwrap_or_default();
            NeverShown {
                id: p.id,
                first_name,
                last_name,
                unit: p.unit,
                broker_id: p.broker_id,
                waiting_since: p.waiting_since,
            }
        })
        .collect())
}

#[utoipa::path(
    tag = "accountability",
    summary = "The eligible people no ranked list showed in the period, longest wait first, with names (audited): whom to look at",
    description = "Roles: broker (the units they work in), admin.",
    params(ExposureParams),
    responses((status = 200, description = "OK", body = Vec<NeverShown>)),
)]
#[get("/api/v1/reports/exposure/never-shown")]
async fn never_shown(
    state: web::Data<AppState>,
    who: Principal,
    action: Action,
    q: web::Query<ExposureParams>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Broker, Role::Admin])?;
    let q = q.query()?;
    let (st, today) = (state.clone(), state.clock.today());
    let people = db::run(&state.pool, move |c| {
        let (p, unit) = q.resolve(c, today)?;
        let at = st.lookup();
        let (people, _) = exposure::people(c, at, p, unit.as_deref())?;
        never_shown_people(c, (&who, &action), people, at.now)
    })
    .await?;
    Ok(HttpResponse::Ok().json(people))
}

impl crate::labels::Label for exposure::WaitBand {
    fn label(self) -> &'static str {
        match self {
            exposure::WaitBand::UnderThreeMonths => "Under 3 månader",
            exposure::WaitBand::ThreeToSixMonths => "3–6 månader",
            exposure::WaitBand::SixToTwelveMonths => "6–12 månader",
            exposure::WaitBand::OverAYear => "Över ett år",
        }
    }
}
