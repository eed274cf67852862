//! The assistance decision on an application ("beslut inom 24 timmar"): the case system (or an
//! officer) reports when it was made and its outcome, by the application's id or by the
//! person's personnummer and the day they applied. One per application: the same decision
//! posted again changes nothing, another is refused. Codes and times only.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::DecisionOutcome;
use super::calendar::is_working_day;
use crate::clock::{Month, format_ts, start_of_day_ts, stockholm_date};
use crate::config::DecisionClock;
use crate::db::DbConnection;
use crate::db::schema::{applications, bookings, decisions, officers, seekers};
use crate::error::{AppError, AppResult, Clash, Fault, Thing};
use crate::ident::Personnummer;

/// A decision as reported.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// When the decision was made, RFC 3339.
    #[schema(value_type = String, format = DateTime)]
    pub decided_at: DateTime<FixedOffset>,
    pub outcome: DecisionOutcome,
}

/// A decision for the person the case system knows: the application they made that day.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonDecisionInput {
    pub personnummer: String,
    /// The day the person applied (Europe/Stockholm).
    pub applied_on: NaiveDate,
    #[schema(value_type = String, format = DateTime)]
    pub decided_at: DateTime<FixedOffset>,
    pub outcome: DecisionOutcome,
}

/// A recorded decision.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Decision {
    pub application_id: String,
    pub outcome: DecisionOutcome,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub decided_at: i64,
    /// Hours from the application to the decision, by the configured clock.
    pub hours: f64,
}

/// Hours from `from` to `to`: all of them, or (working hours) only those on working days.
pub fn hours_between(from: i64, to: i64, clock: DecisionClock) -> f64 {
    if to <= from {
        return 0.0;
    }
    match clock {
        DecisionClock::Hours => (to - from) as f64 / 3600.0,
        DecisionClock::WorkingHours => {
            let mut secs = 0i64;
            let mut day = stockholm_date(from);
            let last = stockholm_date(to);
            while day <= last {
                let next = day.succ_opt().expect("a next day");
                if is_working_day(day) {
                    let (start, end) = (start_of_day_ts(day).max(from), start_of_day_ts(next).min(to));
                    secs += (end - start).max(0);
                }
                day = next;
            }
            secs as f64 / 3600.0
        }
    }
}

fn round1(h: f64) -> f64 {
    (h * 10.0).round() / 10.0
}

/// Checks a reported time: not before the application, not in the future.
fn decided_at(at: &DateTime<FixedOffset>, created: i64, now: i64) -> AppResult<i64> {
    let t = at.timestamp();
    if t > now + 300 {
        return Err(AppError::field("decided_at", Fault::Future, "is in the future"));
    }
    if t < created {
        return Err(AppError::field("decided_at", Fault::Order, "is before the application was made"));
    }
    Ok(t)
}

/// Records the decision on an application, in the caller's transaction: `true` when it is
/// new, `false` when the same decision was already recorded; another decision on the same
/// application is 409.
pub fn record(
    c: &mut DbConnection,
    (now, by): (i64, &str),
    application: &str,
    input: &DecisionInput,
    clock: DecisionClock,
) -> AppResult<(Decision, bool)> {
    let created: i64 = applications::table
        .find(application)
        .select(applications::created_at)
        .first(c)
        .optional()?
        .ok_or(AppError::NotFound(Thing::Application))?;
    let at = decided_at(&input.decided_at, created, now)?;
    let existing: Option<(i64, DecisionOutcome)> =
        decisions::table.find(application).select((decisions::decided_at, decisions::outcome)).first(c).optional()?;
    let decision = Decision {
        application_id: application.to_string(),
        outcome: input.outcome,
        decided_at: at,
        hours: round1(hours_between(created, at, clock)),
    };
    match existing {
        Some((t, o)) if t == at && o == input.outcome => Ok((decision, false)),
        Some(_) => Err(AppError::conflict(
            Clash::DecisionRecorded,
            "another decision is already recorded for this application",
        )),
        None => {
            diesel::insert_into(decisions::table)
                .values((
                    decisions::application_id.eq(application),
                    decisions::decided_at.eq(at),
                    decisions::outcome.eq(input.outcome),
                    decisions::recorded_by.eq(by),
                    decisions::recorded_at.eq(now),
                ))
                .execute(c)?;
            Ok((decision, true))
        }
    }
}

/// The application a person made on a day (the latest that day): 404 when none.
pub fn application_of(
    c: &mut DbConnection,
    personnummer: &str,
    applied_on: NaiveDate,
    today: NaiveDate,
) -> AppResult<String> {
    let pnr = Personnummer::parse(personnummer, today)
        .map_err(|_| AppError::field("personnummer", Fault::Format, "is not a valid personnummer"))?;
    let (from, to) = (start_of_day_ts(applied_on), start_of_day_ts(applied_on.succ_opt().expect("a next day")));
    let registered = seekers::table.filter(seekers::personnummer.eq(pnr.as_str())).select(seekers::id.nullable());
    applications::table
        .filter(applications::created_at.ge(from))
        .filter(applications::created_at.lt(to))
        .filter(applications::personnummer.eq(pnr.as_str()).or(applications::seeker_id.eq_any(registered)))
        .order(applications::created_at.desc())
        .select(applications::id)
        .first(c)
        .optional()?
        .ok_or(AppError::NotFound(Thing::Application))
}

/// The subject the audit log names for an application: its person once linked.
pub fn audit_subject(c: &mut DbConnection, application: &str) -> AppResult<String> {
    let seeker: Option<Option<String>> =
        applications::table.find(application).select(applications::seeker_id).first(c).optional()?;
    Ok(seeker.flatten().unwrap_or_else(|| format!("application:{application}")))
}

/// The decision state of these applications: outcome and when.
pub fn of_applications(c: &mut DbConnection, ids: &[String]) -> AppResult<HashMap<String, Decided>> {
    let rows: Vec<(String, DecisionOutcome, i64)> = decisions::table
        .filter(decisions::application_id.eq_any(ids))
        .select((decisions::application_id, decisions::outcome, decisions::decided_at))
        .load(c)?;
    Ok(rows.into_iter().map(|(a, o, t)| (a, (o, t))).collect())
}

/// An outcome and when it was decided.
pub type Decided = (DecisionOutcome, i64);

/// A person's applications with their decisions, the latest first: (applied, decision).
pub fn of_person(c: &mut DbConnection, seeker_id: &str) -> AppResult<Vec<(i64, Option<Decided>)>> {
    let apps: Vec<(String, i64)> = applications::table
        .filter(applications::seeker_id.eq(seeker_id))
        .order(applications::created_at.desc())
        .select((applications::id, applications::created_at))
        .load(c)?;
    let ids: Vec<String> = apps.iter().map(|a| a.0.clone()).collect();
    let decided = of_applications(c, &ids)?;
    Ok(apps.into_iter().map(|(id, at)| (at, decided.get(&id).copied())).collect())
}

/// The unit an application belongs to: its first meeting's officer's, else its person's.
fn units_of(c: &mut DbConnection, ids: &[String]) -> AppResult<HashMap<String, Option<String>>> {
    let meetings: Vec<(String, i64, String)> = bookings::table
        .inner_join(officers::table)
        .filter(bookings::application_id.eq_any(ids))
        .filter(bookings::status.ne(super::BookingStatus::Cancelled))
        .select((bookings::application_id, bookings::starts_at, officers::unit))
        .load(c)?;
    let mut first: HashMap<String, (i64, String)> = HashMap::new();
    for (app, starts, unit) in meetings {
        let e = first.entry(app).or_insert((starts, unit.clone()));
        if starts < e.0 {
            *e = (starts, unit);
        }
    }
    let people: Vec<(String, Option<String>)> = applications::table
        .inner_join(seekers::table.on(seekers::id.nullable().eq(applications::seeker_id)))
        .filter(applications::id.eq_any(ids))
        .select((applications::id, seekers::unit))
        .load(c)?;
    let mut out: HashMap<String, Option<String>> = people.into_iter().collect();
    for (app, (_, unit)) in first {
        out.insert(app, Some(unit));
    }
    Ok(out)
}

/// What decisions contribute to a unit's month: the hours to each decision, and of the
/// applications old enough to judge (24 hours by the clock have passed, or decided), how many
/// were decided within 24 hours.
#[derive(Debug, Clone, Default)]
pub struct DecisionFigures {
    pub hours_to_decision: Vec<f64>,
    pub within_24h: (i64, i64),
}

/// For applications made in the month, per unit (`None`: no unit).
pub fn figures(
    c: &mut DbConnection,
    month: Month,
    now: i64,
    clock: DecisionClock,
) -> AppResult<HashMap<Option<String>, DecisionFigures>> {
    let (start, end) = (start_of_day_ts(month.first()), start_of_day_ts(month.end()));
    let apps: Vec<(String, i64, Option<i64>)> = applications::table
        .left_join(decisions::table)
        .filter(applications::created_at.ge(start))
        .filter(applications::created_at.lt(end.min(now)))
        .select((applications::id, applications::created_at, decisions::decided_at.nullable()))
        .load(c)?;
    let ids: Vec<String> = apps.iter().map(|a| a.0.clone()).collect();
    let units = units_of(c, &ids)?;
    let mut out: HashMap<Option<String>, DecisionFigures> = HashMap::new();
    for (id, created, decided) in apps {
        let f = out.entry(units.get(&id).cloned().flatten()).or_default();
        match decided {
            Some(t) if t <= now => {
                let h = hours_between(created, t, clock);
                f.hours_to_decision.push(h);
                f.within_24h.0 += i64::from(h <= 24.0);
                f.within_24h.1 += 1;
            }
            _ if hours_between(created, now, clock) > 24.0 => f.within_24h.1 += 1,
            _ => {}
        }
    }
    Ok(out)
}

/// An application of the month not decided within 24 hours (decided later, or not yet and
/// older than that): who applied, as they gave it, and when.
#[derive(Debug, Clone)]
pub struct Late {
    pub seeker_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub created_at: i64,
}

/// The month's applications of `unit` (`None`: of no unit) not decided within 24 hours.
pub fn late(
    c: &mut DbConnection,
    month: Month,
    now: i64,
    clock: DecisionClock,
    unit: Option<&str>,
) -> AppResult<Vec<Late>> {
    let (start, end) = (start_of_day_ts(month.first()), start_of_day_ts(month.end()));
    type Row = (String, Option<String>, Option<String>, Option<String>, i64, Option<i64>);
    let rows: Vec<Row> = applications::table
        .left_join(decisions::table)
        .filter(applications::created_at.ge(start))
        .filter(applications::created_at.lt(end.min(now)))
        .select((
            applications::id,
            applications::seeker_id,
            applications::first_name,
            applications::last_name,
            applications::created_at,
            decisions::decided_at.nullable(),
        ))
        .load(c)?;
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let units = units_of(c, &ids)?;
    Ok(rows
        .into_iter()
        .filter(|r| units.get(&r.0).and_then(|u| u.as_deref()) == unit)
        .filter(|r| hours_between(r.4, r.5.unwrap_or(now).min(now), clock) > 24.0)
        .map(|(_, seeker_id, first_name, last_name, created_at, _)| Late {
            seeker_id,
            first_name,
            last_name,
            created_at,
        })
        .collect())
}

/// An application without a decision: id, made at, unit, its person (once linked).
#[derive(Debug, Clone)]
pub struct Undecided {
    pub application_id: String,
    pub created_at: i64,
    pub unit: Option<String>,
    pub seeker_id: Option<String>,
}

/// Applications made in the last week that have waited `after_hours` or more (by the clock)
/// without a decision.
pub fn undecided(c: &mut DbConnection, now: i64, after_hours: u32, clock: DecisionClock) -> AppResult<Vec<Undecided>> {
    if after_hours == 0 {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, i64, Option<String>)> = applications::table
        .left_join(decisions::table)
        .filter(decisions::application_id.nullable().is_null())
        .filter(applications::created_at.ge(now - 7 * 86_400))
        .filter(applications::created_at.le(now - i64::from(after_hours) * 3600))
        .select((applications::id, applications::created_at, applications::seeker_id))
        .load(c)?;
    let rows: Vec<(String, i64, Option<String>)> =
        rows.into_iter().filter(|r| hours_between(r.1, now, clock) >= f64::from(after_hours)).collect();
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let units = units_of(c, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(application_id, created_at, seeker_id)| Undecided {
            unit: units.get(&application_id).cloned().flatten(),
            application_id,
            created_at,
            seeker_id,
        })
        .collect())
}

/// The decision state for a page: "Beviljad 2026-11-24 14:00", or none yet.
pub fn describe(d: Option<Decided>) -> String {
    use crate::labels::Label;
    match d {
        Some((o, t)) => {
            format!("{} {}", o.label(), format_ts(t).replace('T', " ").chars().take(16).collect::<String>())
        }
        None => "Inget beslut ännu".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn working_hours_leave_out_weekends_and_holidays() {
        // Friday 16:00 to Monday 10:00: 8 hours of Friday and 10 of Monday.
        let (fri, mon) = (at("2026-11-20T16:00:00+01:00"), at("2026-11-23T10:00:00+01:00"));
        assert_eq!(hours_between(fri, mon, DecisionClock::Hours), 66.0);
        assert_eq!(hours_between(fri, mon, DecisionClock::WorkingHours), 18.0);
        // Over Christmas: 23 December 12:00 to 28 December 12:00 is 12 + 12 working hours.
        let (a, b) = (at("2026-12-23T12:00:00+01:00"), at("2026-12-28T12:00:00+01:00"));
        assert_eq!(hours_between(a, b, DecisionClock::WorkingHours), 24.0);
        assert_eq!(hours_between(b, a, DecisionClock::Hours), 0.0);
    }
}
