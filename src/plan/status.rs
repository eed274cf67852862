//! The plan status for one person and month: what the assistance case system reads before a
//! decision (Trelleborg approves försörjningsstöd only with "en aktiv arbetsmarknadsplanering";
//! a reduction needs an unjustified refusal).
//!
//! Definitions (also in the README), for month M, "the day" being the last day of M, or today
//! while M runs (or lies ahead):
//! - `has_active_plan`: the plan version in force at the end of the day was agreed with the
//!   person on or before the day and has started by then.
//! - `review_due`: that plan's review date is on or before the day.
//! - `planned_hours`: for every activity, its weekdays in M within its from/to, times its
//!   week's hours spread evenly over its weekdays (20 h on Mon–Thu: 5 h a day), the whole month.
//! - `attended_hours`, `absent_valid_hours`, `absent_invalid_hours`: the hours recorded in M
//!   as present, valid and invalid absence.
//! - `unjustified_declines`: offers declined in M without an accepted reason.
//! - `last_contact_on`: the latest journal contact (call, SMS, e-mail, meeting) or meeting
//!   held, up to the day.

use chrono::NaiveDate;
use serde::Serialize;

use super::{AttendanceState, store};
use crate::clock::{Day, Month, start_of_day_ts, stockholm_date};
use crate::db::DbConnection;
use crate::error::AppResult;

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct PlanStatus {
    pub seeker_id: String,
    /// YYYY-MM.
    pub month: String,
    pub has_active_plan: bool,
    pub plan_agreed_on: Option<Day>,
    /// The plan's follow-up date.
    pub review_date: Option<Day>,
    pub review_due: bool,
    pub planned_hours: f64,
    pub attended_hours: f64,
    pub absent_valid_hours: f64,
    pub absent_invalid_hours: f64,
    pub unjustified_declines: i64,
    pub last_contact_on: Option<Day>,
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The day a month's status is taken on: its last day, or today while it runs or lies ahead.
pub fn status_day(month: Month, today: NaiveDate) -> NaiveDate {
    let last = month.end().pred_opt().expect("a day before");
    if month.first() > today { today } else { last.min(today) }
}

/// The status of one person (the caller has read them through the gate).
pub fn of(c: &mut DbConnection, seeker_id: &str, month: Month, today: NaiveDate) -> AppResult<PlanStatus> {
    let day = status_day(month, today);
    let end_of_day = start_of_day_ts(day.succ_opt().expect("a next day"));
    let plan = store::current_at(c, seeker_id, end_of_day)?;
    let planned: f64 =
        store::activities_of(c, seeker_id)?.iter().map(|a| a.planned_hours(month.first(), month.end())).sum();
    let (mut present, mut valid, mut invalid) = (0.0, 0.0, 0.0);
    for a in store::attendance_of_person(c, seeker_id, month.first(), month.end())? {
        match a.state {
            AttendanceState::Present => present += a.hours,
            AttendanceState::AbsentValid => valid += a.hours,
            AttendanceState::AbsentInvalid => invalid += a.hours,
        }
    }
    let unjustified =
        store::declines_of(c, seeker_id)?.iter().filter(|d| !d.justified && month.contains(d.date.date())).count()
            as i64;
    let journal = crate::journal::last_contact(c, seeker_id, end_of_day)?;
    let meeting = crate::booking::service::last_held(c, seeker_id, end_of_day)?;
    let last_contact = journal.max(meeting).map(|t| Day::from(stockholm_date(t)));
    Ok(PlanStatus {
        seeker_id: seeker_id.to_string(),
        month: month.to_string(),
        has_active_plan: plan.as_ref().is_some_and(|p| p.active_on(day)),
        plan_agreed_on: plan.as_ref().and_then(|p| p.agreed_on.clone()),
        review_date: plan.as_ref().map(|p| p.review_date.clone()),
        review_due: plan.as_ref().is_some_and(|p| p.review_date.date() <= day),
        planned_hours: round2(planned),
        attended_hours: round2(present),
        absent_valid_hours: round2(valid),
        absent_invalid_hours: round2(invalid),
        unjustified_declines: unjustified,
        last_contact_on: last_contact,
    })
}
