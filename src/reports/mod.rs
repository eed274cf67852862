//! Monthly placement reports against targets (EOR), per unit and broker, and the Kolada KPI.
//!
//! Definitions (also in the README):
//! - `exits_to_work`: placements that ended in the month with outcome `employment`,
//!   `subsidised_employment` or `municipal_labour_market_job`; `exits_to_studies`: with
//!   outcome `studies`; `exits_total`: both. Counted per placement, by the unit the seeker
//!   belonged to when proposed and by the proposing broker.
//! - Kolada, "deltagare som börjat arbeta eller studera": `participants_ended` is the number
//!   of people with a placement that ended in the month; `started_work_or_studies` those of
//!   them for whom one such ending was employment, subsidised or not, lasting at least one
//!   continuous month (`employment_until` empty, or at least a month after the end date;
//!   municipal labour-market jobs do not count), or studies with right to student finance;
//!   `share` is the second over the first.

pub mod csv;
pub mod http;
pub mod push;
pub mod svg;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Months, NaiveDate};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::booking::report::BookingFigures;
use crate::clock::Day;
pub use crate::clock::Month;
use crate::db::DbConnection;
use crate::db::schema::{openings, placements, seekers, target_changes, targets, users};
use crate::error::{AppError, AppResult, Fault};
use crate::placements::{Kind, Outcome};
use crate::seekers::SeekerStatus;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Kolada {
    pub participants_ended: i64,
    pub started_work_or_studies: i64,
    pub share: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Figures {
    pub exits_to_work: i64,
    pub exits_to_studies: i64,
    pub exits_total: i64,
    pub target: Option<i64>,
    pub ytd_exits: i64,
    pub ytd_target: Option<i64>,
    pub placements_started: BTreeMap<Kind, i64>,
    pub placements_ended: BTreeMap<Kind, i64>,
    pub kolada: Kolada,
    pub median_days_to_first_placement: Option<f64>,
    pub median_hours_application_to_meeting: Option<f64>,
    pub share_met_next_working_day: Option<f64>,
    pub next_day_full: i64,
    pub not_proposed_30_days: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub openings_posted: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub openings_filled: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BrokerReport {
    pub broker_id: String,
    pub broker_name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitReport {
    pub unit: String,
    #[serde(flatten)]
    pub figures: Figures,
    pub brokers: Vec<BrokerReport>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub month: String,
    pub units: Vec<UnitReport>,
    pub totals: Figures,
}

/// The name reports give seekers and placements without a unit.
pub const NO_UNIT: &str = "(ingen enhet)";

/// A unit as reports name it ([`NO_UNIT`] for none).
pub fn unit_name(u: &Option<String>) -> String {
    u.clone().unwrap_or_else(|| NO_UNIT.to_string())
}

#[derive(Debug, Clone, Queryable)]
struct P {
    seeker_id: String,
    kind: Kind,
    broker_id: String,
    unit: Option<String>,
    outcome: Option<Outcome>,
    employment_until: Option<Day>,
    student_finance_eligible: Option<bool>,
    proposed_on: Day,
    started_on: Option<Day>,
    ended_on: Option<Day>,
}

fn date(s: &Option<Day>) -> Option<NaiveDate> {
    s.as_ref().map(Day::date)
}

/// The median; `None` for no values.
pub fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

fn kinds() -> BTreeMap<Kind, i64> {
    Kind::ALL.iter().map(|k| (*k, 0)).collect()
}

/// Employment lasting at least one continuous month from the day the measure ended.
fn lasting_a_month(ended: NaiveDate, until: Option<NaiveDate>) -> bool {
    until.is_none_or(|u| u >= ended + Months::new(1) - chrono::Days::new(1))
}

/// Figures for one group of placements and seekers.
fn figures(
    month: Month,
    ps: &[&P],
    waiting: &[(i64, i64)],
    first_placement_days: &[f64],
    booking: Option<&BookingFigures>,
    now: i64,
) -> Figures {
    let mut f = Figures { placements_started: kinds(), placements_ended: kinds(), ..Default::default() };
    let year_start = NaiveDate::from_ymd_opt(month.year, 1, 1).expect("valid");
    let mut participants: BTreeSet<&str> = BTreeSet::new();
    let mut started_work: BTreeSet<&str> = BTreeSet::new();
    for p in ps {
        let outcome = p.outcome;
        if let Some(started) = date(&p.started_on)
            && month.contains(started)
        {
            *f.placements_started.entry(p.kind).or_default() += 1;
        }
        let Some(ended) = date(&p.ended_on) else { continue };
        let is_work = matches!(
            outcome,
            Some(Outcome::Employment | Outcome::SubsidisedEmployment | Outcome::MunicipalLabourMarketJob)
        );
        let is_studies = outcome == Some(Outcome::Studies);
        if ended >= year_start && ended < month.end() && (is_work || is_studies) {
            f.ytd_exits += 1;
        }
        if !month.contains(ended) {
            continue;
        }
        *f.placements_ended.entry(p.kind).or_default() += 1;
        f.exits_to_work += i64::from(is_work);
        f.exits_to_studies += i64::from(is_studies);
        participants.insert(&p.seeker_id);
        let counts_for_kolada = match outcome {
            Some(Outcome::Employment | Outcome::SubsidisedEmployment) => {
                lasting_a_month(ended, date(&p.employment_until))
            }
            Some(Outcome::Studies) => p.student_finance_eligible == Some(true),
            _ => false,
        };
        if counts_for_kolada {
            started_work.insert(&p.seeker_id);
        }
    }
    f.exits_total = f.exits_to_work + f.exits_to_studies;
    f.kolada = Kolada {
        participants_ended: participants.len() as i64,
        started_work_or_studies: started_work.len() as i64,
        share: (!participants.is_empty())
            .then(|| (started_work.len() as f64 / participants.len() as f64 * 10_000.0).round() / 10_000.0),
    };
    f.median_days_to_first_placement = median(first_placement_days.to_vec());
    // Nobody is forgotten: active, and no proposal (or registration) in the last 30 days,
    // counted at the month's end (or now, for the running month).
    let at = now.min(crate::clock::start_of_day_ts(month.end()));
    f.not_proposed_30_days = waiting.iter().filter(|(since, _)| *since < at - 30 * 86_400).count() as i64;
    if let Some(b) = booking {
        f.median_hours_application_to_meeting = median(b.hours_to_meeting.clone()).map(|h| (h * 10.0).round() / 10.0);
        f.share_met_next_working_day = (b.met_next_working_day.1 > 0)
            .then(|| (b.met_next_working_day.0 as f64 / b.met_next_working_day.1 as f64 * 10_000.0).round() / 10_000.0);
        f.next_day_full = b.next_day_full;
    }
    f
}

/// A seeker as reports see it: id, unit, broker, status, registered at, last proposed at.
type Person = (String, Option<String>, Option<String>, SeekerStatus, i64, Option<i64>);

/// Builds the report for a month, optionally for one unit.
pub fn monthly(conn: &mut DbConnection, month: Month, only_unit: Option<&str>, now: i64) -> AppResult<Report> {
    let ps: Vec<P> = placements::table
        .filter(placements::proposed_on.lt(month.end().to_string()))
        .select((
            placements::seeker_id,
            placements::kind,
            placements::broker_id,
            placements::unit,
            placements::outcome,
            placements::employment_until,
            placements::student_finance_eligible,
            placements::proposed_on,
            placements::started_on,
            placements::ended_on,
        ))
        .load(conn)?;
    // Seekers: who waits (active), and when each registered (for days to first placement).
    let people: Vec<Person> = seekers::table
        .select((
            seekers::id,
            seekers::unit,
            seekers::broker_id,
            seekers::status,
            seekers::registered_at,
            seekers::last_proposed_at,
        ))
        .load(conn)?;
    let registered: HashMap<&str, i64> = people.iter().map(|p| (p.0.as_str(), p.4)).collect();
    let mut first: HashMap<&str, &P> = HashMap::new();
    for p in &ps {
        let e = first.entry(p.seeker_id.as_str()).or_insert(p);
        if p.proposed_on < e.proposed_on {
            *e = p;
        }
    }
    let firsts: Vec<(&P, f64)> = first
        .values()
        .filter_map(|p| {
            let proposed = p.proposed_on.date();
            if !month.contains(proposed) {
                return None;
            }
            let reg = crate::clock::stockholm_date(*registered.get(p.seeker_id.as_str())?);
            Some((*p, (proposed - reg).num_days().max(0) as f64))
        })
        .collect();
    let target_rows: Vec<(String, String, i32)> = targets::table
        .filter(targets::month.ge(format!("{:04}-01", month.year)))
        .filter(targets::month.le(month.to_string()))
        .select((targets::unit, targets::month, targets::exits_to_work_or_studies))
        .load(conn)?;
    let names: HashMap<String, String> =
        users::table.select((users::id, users::name)).load(conn)?.into_iter().collect();
    let booking: HashMap<String, BookingFigures> = crate::booking::report::figures(conn, month)?
        .into_iter()
        .map(|(unit, f)| (unit.unwrap_or_else(|| NO_UNIT.to_string()), f))
        .collect();

    let mut units: BTreeSet<String> = ps.iter().map(|p| unit_name(&p.unit)).collect();
    units.extend(target_rows.iter().filter(|t| t.1 == month.to_string()).map(|t| t.0.clone()));
    units.extend(people.iter().filter(|p| p.3 == SeekerStatus::Active).map(|p| unit_name(&p.1)));
    if let Some(u) = only_unit {
        units.retain(|x| x == u);
    }
    let target_for = |unit: &str| -> (Option<i64>, Option<i64>) {
        let rows: Vec<&(String, String, i32)> = target_rows.iter().filter(|t| t.0 == unit).collect();
        let this = rows.iter().find(|t| t.1 == month.to_string()).map(|t| i64::from(t.2));
        let ytd = (!rows.is_empty()).then(|| rows.iter().map(|t| i64::from(t.2)).sum());
        (this, ytd)
    };
    let waiting = |filter: &dyn Fn(&Person) -> bool| -> Vec<(i64, i64)> {
        people.iter().filter(|p| p.3 == SeekerStatus::Active && filter(p)).map(|p| (p.5.unwrap_or(p.4), 0)).collect()
    };

    let mut unit_reports = Vec::new();
    for unit in &units {
        let in_unit: Vec<&P> = ps.iter().filter(|p| &unit_name(&p.unit) == unit).collect();
        let days: Vec<f64> = firsts.iter().filter(|(p, _)| &unit_name(&p.unit) == unit).map(|(_, d)| *d).collect();
        let mut f = figures(month, &in_unit, &waiting(&|p| &unit_name(&p.1) == unit), &days, booking.get(unit), now);
        (f.target, f.ytd_target) = target_for(unit);
        let brokers: BTreeSet<&str> = in_unit.iter().map(|p| p.broker_id.as_str()).collect();
        let broker_reports = brokers
            .into_iter()
            .map(|b| {
                let of_broker: Vec<&P> = in_unit.iter().copied().filter(|p| p.broker_id == b).collect();
                let days: Vec<f64> = firsts
                    .iter()
                    .filter(|(p, _)| &unit_name(&p.unit) == unit && p.broker_id == b)
                    .map(|(_, d)| *d)
                    .collect();
                BrokerReport {
                    broker_id: b.to_string(),
                    broker_name: names.get(b).cloned().unwrap_or_default(),
                    figures: figures(
                        month,
                        &of_broker,
                        &waiting(&|p| &unit_name(&p.1) == unit && p.2.as_deref() == Some(b)),
                        &days,
                        None,
                        now,
                    ),
                }
            })
            .collect();
        unit_reports.push(UnitReport { unit: unit.clone(), figures: f, brokers: broker_reports });
    }

    let all: Vec<&P> = ps.iter().filter(|p| units.contains(&unit_name(&p.unit))).collect();
    let days: Vec<f64> = firsts.iter().filter(|(p, _)| units.contains(&unit_name(&p.unit))).map(|(_, d)| *d).collect();
    let all_booking = only_unit.map_or_else(
        || {
            booking.values().fold(BookingFigures::default(), |mut acc, b| {
                acc.hours_to_meeting.extend(&b.hours_to_meeting);
                acc.met_next_working_day.0 += b.met_next_working_day.0;
                acc.met_next_working_day.1 += b.met_next_working_day.1;
                acc.next_day_full += b.next_day_full;
                acc
            })
        },
        |u| booking.get(u).cloned().unwrap_or_default(),
    );
    let mut totals =
        figures(month, &all, &waiting(&|p| units.contains(&unit_name(&p.1))), &days, Some(&all_booking), now);
    let (mut target, mut ytd_target) = (None, None);
    for u in &units {
        let (t, y) = target_for(u);
        target = match (target, t) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        ytd_target = match (ytd_target, y) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
    }
    totals.target = target;
    totals.ytd_target = ytd_target;
    if only_unit.is_none() {
        let (start, end) = (crate::clock::start_of_day_ts(month.first()), crate::clock::start_of_day_ts(month.end()));
        totals.openings_posted = Some(
            openings::table
                .filter(openings::created_at.ge(start))
                .filter(openings::created_at.lt(end))
                .count()
                .get_result(conn)?,
        );
        let filled: BTreeSet<String> = placements::table
            .inner_join(openings::table.on(openings::id.nullable().eq(placements::opening_id)))
            .filter(openings::status.eq(crate::openings::OpeningStatus::Filled))
            .filter(placements::started_on.ge(month.first().to_string()))
            .filter(placements::started_on.lt(month.end().to_string()))
            .select(openings::id)
            .load::<String>(conn)?
            .into_iter()
            .collect();
        totals.openings_filled = Some(filled.len() as i64);
    }
    Ok(Report { month: month.to_string(), units: unit_reports, totals })
}

/// The exits and target of each of the 12 months up to `month`, for the chart.
pub fn last_12_months(
    conn: &mut DbConnection,
    month: Month,
    unit: Option<&str>,
    now: i64,
) -> AppResult<Vec<(Month, i64, Option<i64>)>> {
    let mut out = Vec::new();
    let mut m = month;
    for _ in 0..12 {
        let r = monthly(conn, m, unit, now)?;
        out.push((m, r.totals.exits_total, r.totals.target));
        m = m.previous();
    }
    out.reverse();
    Ok(out)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetInput {
    pub exits_to_work_or_studies: i64,
    #[serde(default)]
    pub note: Option<String>,
}

/// Sets (or replaces) a unit's target for a month.
pub fn set_target(
    conn: &mut DbConnection,
    unit: &str,
    month: Month,
    input: &TargetInput,
    by: &str,
    now: i64,
) -> AppResult<()> {
    if !(0..=100_000).contains(&input.exits_to_work_or_studies) {
        return Err(AppError::field("exits_to_work_or_studies", Fault::Range, "must be between 0 and 100000"));
    }
    if unit.trim().is_empty() || unit.chars().count() > 100 {
        return Err(AppError::field("unit", Fault::Length, "must be 1 to 100 characters"));
    }
    let m = month.to_string();
    crate::db::write_tx(conn, |c| {
        crate::units::check(c, Some(unit), "unit")?;
        let n = diesel::update(targets::table.find((unit, &m)))
            .set((
                targets::exits_to_work_or_studies.eq(input.exits_to_work_or_studies as i32),
                targets::note.eq(&input.note),
                targets::updated_by.eq(by),
                targets::updated_at.eq(now),
            ))
            .execute(c)?;
        if n == 0 {
            diesel::insert_into(targets::table)
                .values((
                    targets::unit.eq(unit),
                    targets::month.eq(&m),
                    targets::exits_to_work_or_studies.eq(input.exits_to_work_or_studies as i32),
                    targets::note.eq(&input.note),
                    targets::updated_by.eq(by),
                    targets::updated_at.eq(now),
                ))
                .execute(c)?;
        }
        diesel::insert_into(target_changes::table)
            .values((
                target_changes::id.eq(crate::db::new_id()),
                target_changes::unit.eq(unit),
                target_changes::month.eq(&m),
                target_changes::exits_to_work_or_studies.eq(input.exits_to_work_or_studies as i32),
                target_changes::note.eq(&input.note),
                target_changes::changed_by.eq(by),
                target_changes::changed_at.eq(now),
            ))
            .execute(c)?;
        Ok(())
    })
}

/// A change of a target, newest first: what was set, by whom (name), when.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TargetChange {
    pub unit: String,
    pub month: String,
    pub exits_to_work_or_studies: i64,
    pub note: Option<String>,
    pub changed_by: String,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub changed_at: i64,
}

/// The month's target changes (one unit's, or all).
pub fn target_changes(conn: &mut DbConnection, month: Month, unit: Option<&str>) -> AppResult<Vec<TargetChange>> {
    let mut q = target_changes::table
        .inner_join(users::table.on(users::id.eq(target_changes::changed_by)))
        .filter(target_changes::month.eq(month.to_string()))
        .into_boxed();
    if let Some(u) = unit {
        q = q.filter(target_changes::unit.eq(u.to_string()));
    }
    let rows: Vec<(String, String, i32, Option<String>, String, i64)> = q
        .order((target_changes::changed_at.desc(), target_changes::id.desc()))
        .select((
            target_changes::unit,
            target_changes::month,
            target_changes::exits_to_work_or_studies,
            target_changes::note,
            users::name,
            target_changes::changed_at,
        ))
        .limit(100)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(unit, month, v, note, changed_by, changed_at)| TargetChange {
            unit,
            month,
            exits_to_work_or_studies: v as i64,
            note,
            changed_by,
            changed_at,
        })
        .collect())
}
