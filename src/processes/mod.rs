//! Process measures against monthly targets (EOR), per unit and month, with the pace so far.
//!
//! Definitions (also in the README). For a month, counted up to now in the running month:
//! - `exits_to_work_or_studies` (higher is better): as in the monthly report.
//! - `median_hours_to_meeting` (lower): applications made in the month, hours from the
//!   application to the first meeting booked (by the officer's unit).
//! - `share_met_next_working_day` (higher): of those applications, the share whose first
//!   meeting was on the next working day.
//! - `no_show_share` (lower): meetings in the month, up to now, marked as no-show, over those
//!   marked held or no-show (by the officer's unit).
//! - `proposals` (higher): placements proposed in the month (by the placement's unit).
//! - `share_contacted_14_days` (higher): active seekers with a contact in the 14 days up to
//!   the month's end (or now) over all active seekers of the unit. A contact is a journal entry
//!   of a call, SMS, e-mail or meeting, or a meeting held with the officer; a note is not.
//! - `median_days_to_first_proposal` (lower): seekers whose first proposal ever was in the
//!   month, days from registration to it.
//! - `share_with_agreed_plan` (higher): active seekers whose plan in force at the month's end
//!   (or today) is agreed and started, over all active seekers of the unit.
//! - `attendance_rate` (higher): hours recorded present in the month up to today over all
//!   hours recorded (present, valid and invalid absence), by the person's unit.
//!
//! Pace, with `tolerance` t (`signals.pace_tolerance`): a count (exits, proposals) is
//! compared with the pro-rata target, target × working days elapsed ÷ working days in the
//! month; a rate with the target itself. Worse by more than t (relatively) is `behind`,
//! better by more than t is `ahead`, the rest `on_track`.
//!
//! Fairness over time: of the month's proposals, those to people who had waited more than 90
//! days (since registration, or since their previous proposal); and the active seekers never
//! proposed. No sensitive attribute is stored or inferred.

pub mod http;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::booking::BookingStatus;
use crate::booking::calendar::is_working_day;
use crate::clock::{Day, Month, start_of_day_ts, stockholm_date};
use crate::db::DbConnection;
use crate::db::schema::{
    applications, bookings, journal_entries, officers, placements, process_target_changes, process_targets, seekers,
    targets, users,
};
use crate::error::{AppError, AppResult, Fault};
use crate::journal::CONTACT_KINDS;
use crate::placements::Outcome;
use crate::reports::{NO_UNIT, median, unit_name};
use crate::seekers::SeekerStatus;

crate::text_enum! {
    /// A process the organisation steers by, each with a monthly target.
    pub enum Measure {
        ExitsToWorkOrStudies = "exits_to_work_or_studies",
        MedianHoursToMeeting = "median_hours_to_meeting",
        ShareMetNextWorkingDay = "share_met_next_working_day",
        NoShowShare = "no_show_share",
        Proposals = "proposals",
        ShareContacted14Days = "share_contacted_14_days",
        MedianDaysToFirstProposal = "median_days_to_first_proposal",
        ShareWithAgreedPlan = "share_with_agreed_plan",
        AttendanceRate = "attendance_rate",
        /// Hours from the application to the assistance decision (the case system reports it).
        MedianHoursToDecision = "median_hours_to_decision",
        /// Of the month's applications old enough to judge, those decided within 24 hours.
        ShareDecidedWithin24h = "share_decided_within_24h",
    }
}

crate::text_enum! {
    /// Where a measure stands against its target so far.
    pub enum Pace {
        Ahead = "ahead",
        OnTrack = "on_track",
        Behind = "behind",
        NoTarget = "no_target",
        NoData = "no_data",
    }
}

impl Measure {
    /// Whether a higher value is better.
    pub fn higher_is_better(self) -> bool {
        !matches!(
            self,
            Measure::MedianHoursToMeeting
                | Measure::NoShowShare
                | Measure::MedianDaysToFirstProposal
                | Measure::MedianHoursToDecision
        )
    }

    /// A count that grows through the month (paced pro rata), not a rate.
    pub fn accumulates(self) -> bool {
        matches!(self, Measure::ExitsToWorkOrStudies | Measure::Proposals)
    }

    /// A share between 0 and 1 (shown and typed in per cent).
    pub fn is_share(self) -> bool {
        self.target_range() == (0.0, 1.0)
    }

    /// The range a target may take.
    fn target_range(self) -> (f64, f64) {
        match self {
            Measure::ShareMetNextWorkingDay
            | Measure::NoShowShare
            | Measure::ShareContacted14Days
            | Measure::ShareWithAgreedPlan
            | Measure::AttendanceRate
            | Measure::ShareDecidedWithin24h => (0.0, 1.0),
            Measure::MedianHoursToMeeting | Measure::MedianHoursToDecision => (0.0, 1000.0),
            Measure::MedianDaysToFirstProposal => (0.0, 3650.0),
            Measure::ExitsToWorkOrStudies | Measure::Proposals => (0.0, 100_000.0),
        }
    }
}

/// Working days of the month, and of them those up to and including `today`.
pub fn working_days(m: Month, today: NaiveDate) -> (u32, u32) {
    let (mut total, mut elapsed) = (0, 0);
    let mut d = m.first();
    while d < m.end() {
        if is_working_day(d) {
            total += 1;
            elapsed += u32::from(d <= today);
        }
        d = d.succ_opt().expect("a next day");
    }
    (elapsed, total)
}

/// The pace of `value` against `target`, with `elapsed` of `total` working days gone.
pub fn pace(
    measure: Measure,
    value: Option<f64>,
    target: Option<f64>,
    elapsed: u32,
    total: u32,
    tol: f64,
) -> (Pace, Option<f64>) {
    let Some(target) = target else { return (Pace::NoTarget, None) };
    let expected = if measure.accumulates() {
        if total == 0 { target } else { target * f64::from(elapsed) / f64::from(total) }
    } else {
        target
    };
    let expected = (expected * 100.0).round() / 100.0;
    let value = match value {
        Some(v) => v,
        None if measure.accumulates() => 0.0,
        None => return (Pace::NoData, Some(expected)),
    };
    let (worse, better) = if measure.higher_is_better() {
        (value < expected * (1.0 - tol), value > expected * (1.0 + tol) && value > 0.0)
    } else {
        (value > expected * (1.0 + tol), value < expected * (1.0 - tol))
    };
    (
        if worse {
            Pace::Behind
        } else if better {
            Pace::Ahead
        } else {
            Pace::OnTrack
        },
        Some(expected),
    )
}

/// One measure of one unit in a month.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct MeasureFigure {
    pub measure: Measure,
    pub higher_is_better: bool,
    pub value: Option<f64>,
    pub target: Option<f64>,
    /// What the target asks by now: pro rata for counts, the target itself for rates.
    pub expected_by_now: Option<f64>,
    pub pace: Pace,
}

/// How proposals spread over waiting time.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Fairness {
    pub proposals: i64,
    pub proposals_waited_over_90_days: i64,
    pub share_waited_over_90_days: Option<f64>,
    pub active_never_proposed: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct UnitProcesses {
    pub unit: String,
    pub active_seekers: i64,
    pub contacted_14_days: i64,
    pub measures: Vec<MeasureFigure>,
    pub fairness: Fairness,
}

impl UnitProcesses {
    pub fn measure(&self, m: Measure) -> &MeasureFigure {
        self.measures.iter().find(|f| f.measure == m).expect("every measure is present")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct ProcessReport {
    pub month: String,
    pub working_days_elapsed: u32,
    pub working_days_in_month: u32,
    pub units: Vec<UnitProcesses>,
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| round(part as f64 / whole as f64, 4))
}

/// The latest contact (journal contact, meeting held) of each seeker before `at`, since `from`;
/// only one broker's seekers when `broker` is given.
pub fn last_contacts(
    conn: &mut DbConnection,
    from: i64,
    at: i64,
    broker: Option<&str>,
) -> AppResult<HashMap<String, i64>> {
    let mut out: HashMap<String, i64> = HashMap::new();
    let mut journal = journal_entries::table
        .filter(journal_entries::kind.eq_any(CONTACT_KINDS))
        .filter(journal_entries::at.ge(from))
        .filter(journal_entries::at.lt(at))
        .select((journal_entries::seeker_id, journal_entries::at))
        .into_boxed();
    let mut meetings = bookings::table
        .inner_join(applications::table)
        .filter(bookings::status.eq(BookingStatus::Held))
        .filter(bookings::starts_at.ge(from))
        .filter(bookings::starts_at.lt(at))
        .filter(applications::seeker_id.is_not_null())
        .select((applications::seeker_id, bookings::starts_at))
        .into_boxed();
    if let Some(b) = broker {
        let mine = seekers::table.filter(seekers::broker_id.eq(b.to_string())).select(seekers::id);
        journal = journal.filter(journal_entries::seeker_id.eq_any(mine));
        let mine = seekers::table.filter(seekers::broker_id.eq(b.to_string())).select(seekers::id.nullable());
        meetings = meetings.filter(applications::seeker_id.eq_any(mine));
    }
    let journal: Vec<(String, i64)> = journal.load(conn)?;
    let meetings: Vec<(Option<String>, i64)> = meetings.load(conn)?;
    for (id, t) in journal.into_iter().chain(meetings.into_iter().filter_map(|(id, t)| Some((id?, t)))) {
        let e = out.entry(id).or_insert(t);
        *e = (*e).max(t);
    }
    Ok(out)
}

/// A month's process figures for every unit (or one), at `now`.
pub fn processes(
    conn: &mut DbConnection,
    month: Month,
    only_unit: Option<&str>,
    now: i64,
    (tolerance, clock): (f64, crate::config::DecisionClock),
) -> AppResult<ProcessReport> {
    let today = stockholm_date(now);
    let (start, end) = (start_of_day_ts(month.first()), start_of_day_ts(month.end()));
    let cutoff = now.min(end);
    let (elapsed, total) = working_days(month, today);

    // Placements: exits and proposals in the month, every seeker's proposals for waiting time.
    type Pl = (String, Option<String>, Option<Outcome>, Day, Option<Day>);
    let mut ps = placements::table
        .filter(placements::proposed_on.lt(month.end().to_string()))
        .select((
            placements::seeker_id,
            placements::unit,
            placements::outcome,
            placements::proposed_on,
            placements::ended_on,
        ))
        .into_boxed();
    let mut people = seekers::table
        .filter(seekers::erased_at.is_null())
        .select((seekers::id, seekers::unit, seekers::status, seekers::registered_at))
        .into_boxed();
    // One unit: its placements and seekers, and every placement of those people (their
    // waiting time counts from their previous proposal, whichever unit made it).
    if let Some(u) = only_unit.filter(|u| *u != NO_UNIT) {
        let in_unit = seekers::table.filter(seekers::unit.eq(u.to_string())).select(seekers::id);
        ps = ps.filter(placements::unit.eq(u.to_string()).or(placements::seeker_id.eq_any(in_unit)));
        let placed = placements::table.filter(placements::unit.eq(u.to_string())).select(placements::seeker_id);
        people = people.filter(seekers::unit.eq(u.to_string()).or(seekers::id.eq_any(placed)));
    }
    let ps: Vec<Pl> = ps.load(conn)?;
    let people: Vec<(String, Option<String>, SeekerStatus, i64)> = people.load(conn)?;
    let registered: HashMap<&str, NaiveDate> = people.iter().map(|p| (p.0.as_str(), stockholm_date(p.3))).collect();
    let mut proposals_of: HashMap<&str, Vec<NaiveDate>> = HashMap::new();
    for p in &ps {
        proposals_of.entry(p.0.as_str()).or_default().push(p.3.date());
    }
    for v in proposals_of.values_mut() {
        v.sort();
    }
    let booking = crate::booking::report::figures(conn, month)?;
    let decided = crate::booking::decisions::figures(conn, month, now, clock)?;
    let marked: Vec<(String, BookingStatus)> = bookings::table
        .inner_join(officers::table)
        .filter(bookings::starts_at.ge(start))
        .filter(bookings::starts_at.lt(cutoff))
        .filter(bookings::status.eq_any([BookingStatus::Held, BookingStatus::NoShow]))
        .select((officers::unit, bookings::status))
        .load(conn)?;
    let contacts = last_contacts(conn, cutoff - 14 * 86_400, cutoff, None)?;
    let last_day = stockholm_date(cutoff - 1);
    let planned = crate::plan::service::with_active_plan(conn, last_day)?;
    let unit_of: HashMap<&str, String> = people.iter().map(|p| (p.0.as_str(), unit_name(&p.1))).collect();
    let mut hours: HashMap<String, (f64, f64)> = HashMap::new();
    for (seeker, _, state, h) in
        crate::plan::service::recorded_between(conn, month.first(), last_day.succ_opt().expect("a next day"))?
    {
        let Some(u) = unit_of.get(seeker.as_str()) else { continue };
        let e = hours.entry(u.clone()).or_default();
        e.1 += h;
        if state == crate::plan::AttendanceState::Present {
            e.0 += h;
        }
    }
    let exit_targets: Vec<(String, i32)> = targets::table
        .filter(targets::month.eq(month.to_string()))
        .select((targets::unit, targets::exits_to_work_or_studies))
        .load(conn)?;
    let other_targets: Vec<(String, Measure, f64)> = process_targets::table
        .filter(process_targets::month.eq(month.to_string()))
        .select((process_targets::unit, process_targets::measure, process_targets::target))
        .load(conn)?;

    let mut units: BTreeSet<String> =
        crate::units::list(conn)?.into_iter().filter(|u| u.active).map(|u| u.name).collect();
    units.extend(ps.iter().filter(|p| month.contains(p.3.date())).map(|p| unit_name(&p.1)));
    units.extend(people.iter().filter(|p| p.2 == SeekerStatus::Active).map(|p| unit_name(&p.1)));
    units.extend(booking.keys().flatten().cloned());
    units.extend(decided.keys().flatten().cloned());
    if let Some(u) = only_unit {
        units.retain(|x| x == u);
    }

    let mut out = Vec::new();
    for unit in units {
        let mine = |u: &Option<String>| unit_name(u) == unit;
        let mut values: BTreeMap<Measure, Option<f64>> = BTreeMap::new();
        let mut exits = 0i64;
        let mut proposals = 0i64;
        let mut waited_long = 0i64;
        let mut first_days = Vec::new();
        // A seeker proposed twice on their first day counts once.
        let mut firsts_seen: BTreeSet<&str> = BTreeSet::new();
        for (seeker, u, outcome, proposed, ended) in &ps {
            if !mine(u) {
                continue;
            }
            if let (Some(ended), Some(o)) = (ended, outcome) {
                let ended = ended.date();
                if month.contains(ended) && ended <= today && o.is_exit() {
                    exits += 1;
                }
            }
            let proposed = proposed.date();
            if !month.contains(proposed) || proposed > today {
                continue;
            }
            proposals += 1;
            let earlier = proposals_of.get(seeker.as_str()).and_then(|v| v.iter().rev().find(|d| **d < proposed));
            let since = earlier.copied().or_else(|| registered.get(seeker.as_str()).copied());
            if since.is_some_and(|s| (proposed - s).num_days() > 90) {
                waited_long += 1;
            }
            let first = proposals_of.get(seeker.as_str()).and_then(|v| v.first()) == Some(&proposed);
            if first
                && firsts_seen.insert(seeker.as_str())
                && let Some(reg) = registered.get(seeker.as_str())
            {
                first_days.push((proposed - *reg).num_days().max(0) as f64);
            }
        }
        values.insert(Measure::ExitsToWorkOrStudies, Some(exits as f64));
        values.insert(Measure::Proposals, Some(proposals as f64));
        values.insert(Measure::MedianDaysToFirstProposal, median(first_days));
        let b = booking.get(&Some(unit.clone())).cloned().unwrap_or_default();
        values.insert(Measure::MedianHoursToMeeting, median(b.hours_to_meeting).map(|h| round(h, 1)));
        values.insert(Measure::ShareMetNextWorkingDay, share(b.met_next_working_day.0, b.met_next_working_day.1));
        let d = decided.get(&Some(unit.clone())).cloned().unwrap_or_default();
        values.insert(Measure::MedianHoursToDecision, median(d.hours_to_decision).map(|h| round(h, 1)));
        values.insert(Measure::ShareDecidedWithin24h, share(d.within_24h.0, d.within_24h.1));
        let (held, no_show) = marked
            .iter()
            .filter(|(u, _)| *u == unit)
            .fold((0, 0), |(h, n), (_, s)| if *s == BookingStatus::NoShow { (h, n + 1) } else { (h + 1, n) });
        values.insert(Measure::NoShowShare, share(no_show, held + no_show));
        let active: Vec<&str> = people
            .iter()
            .filter(|p| p.2 == SeekerStatus::Active && mine(&p.1) && p.3 < cutoff)
            .map(|p| p.0.as_str())
            .collect();
        let contacted = active.iter().filter(|id| contacts.contains_key(**id)).count() as i64;
        values.insert(Measure::ShareContacted14Days, share(contacted, active.len() as i64));
        let with_plan = active.iter().filter(|id| planned.contains(**id)).count() as i64;
        values.insert(Measure::ShareWithAgreedPlan, share(with_plan, active.len() as i64));
        let (present, recorded) = hours.get(&unit).copied().unwrap_or_default();
        values.insert(Measure::AttendanceRate, (recorded > 0.0).then(|| round(present / recorded, 4)));
        let never = active.iter().filter(|id| !proposals_of.contains_key(**id)).count() as i64;

        let measures = Measure::ALL
            .iter()
            .map(|&m| {
                let target = if m == Measure::ExitsToWorkOrStudies {
                    exit_targets.iter().find(|t| t.0 == unit).map(|t| f64::from(t.1))
                } else {
                    other_targets.iter().find(|t| t.0 == unit && t.1 == m).map(|t| t.2)
                };
                let value = values.get(&m).copied().flatten();
                let (pace, expected_by_now) = pace(m, value, target, elapsed, total, tolerance);
                MeasureFigure {
                    measure: m,
                    higher_is_better: m.higher_is_better(),
                    value,
                    target,
                    expected_by_now,
                    pace,
                }
            })
            .collect();
        out.push(UnitProcesses {
            unit,
            active_seekers: active.len() as i64,
            contacted_14_days: contacted,
            measures,
            fairness: Fairness {
                proposals,
                proposals_waited_over_90_days: waited_long,
                share_waited_over_90_days: share(waited_long, proposals),
                active_never_proposed: never,
            },
        });
    }
    Ok(ProcessReport {
        month: month.to_string(),
        working_days_elapsed: elapsed,
        working_days_in_month: total,
        units: out,
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessTargetInput {
    pub target: f64,
    #[serde(default)]
    pub note: Option<String>,
}

/// Sets (or replaces) a unit's target for one measure and month; every change is kept. The
/// exits target is the monthly report's own (`targets`).
pub fn set_process_target(
    conn: &mut DbConnection,
    unit: &str,
    month: Month,
    measure: Measure,
    input: &ProcessTargetInput,
    by: &str,
    now: i64,
) -> AppResult<()> {
    let (lo, hi) = measure.target_range();
    if !input.target.is_finite() || input.target < lo || input.target > hi {
        return Err(AppError::field("target", Fault::Range, format!("must be between {lo} and {hi}")));
    }
    if measure.accumulates() && input.target.fract() != 0.0 {
        return Err(AppError::field("target", Fault::Format, "must be a whole number for a count"));
    }
    if input.note.as_deref().is_some_and(|n| n.chars().count() > 500) {
        return Err(AppError::field("note", Fault::Length, "must be at most 500 characters"));
    }
    if measure == Measure::ExitsToWorkOrStudies {
        let exits =
            crate::reports::TargetInput { exits_to_work_or_studies: input.target as i64, note: input.note.clone() };
        return crate::reports::set_target(conn, unit, month, &exits, by, now);
    }
    let m = month.to_string();
    crate::db::write_tx(conn, |c| {
        crate::units::check(c, Some(unit), "unit")?;
        let n = diesel::update(process_targets::table.find((unit, &m, measure)))
            .set((
                process_targets::target.eq(input.target),
                process_targets::note.eq(&input.note),
                process_targets::updated_by.eq(by),
                process_targets::updated_at.eq(now),
            ))
            .execute(c)?;
        if n == 0 {
            diesel::insert_into(process_targets::table)
                .values((
                    process_targets::unit.eq(unit),
                    process_targets::month.eq(&m),
                    process_targets::measure.eq(measure),
                    process_targets::target.eq(input.target),
                    process_targets::note.eq(&input.note),
                    process_targets::updated_by.eq(by),
                    process_targets::updated_at.eq(now),
                ))
                .execute(c)?;
        }
        diesel::insert_into(process_target_changes::table)
            .values((
                process_target_changes::id.eq(crate::db::new_id()),
                process_target_changes::unit.eq(unit),
                process_target_changes::month.eq(&m),
                process_target_changes::measure.eq(measure),
                process_target_changes::target.eq(input.target),
                process_target_changes::note.eq(&input.note),
                process_target_changes::changed_by.eq(by),
                process_target_changes::changed_at.eq(now),
            ))
            .execute(c)?;
        Ok(())
    })
}

/// A change of a process target, newest first, with who made it (by name).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProcessTargetChange {
    pub unit: String,
    pub month: String,
    pub measure: Measure,
    pub target: f64,
    pub note: Option<String>,
    pub changed_by: String,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub changed_at: i64,
}

pub fn target_changes(
    conn: &mut DbConnection,
    month: Month,
    unit: Option<&str>,
) -> AppResult<Vec<ProcessTargetChange>> {
    let mut q = process_target_changes::table
        .inner_join(users::table.on(users::id.eq(process_target_changes::changed_by)))
        .filter(process_target_changes::month.eq(month.to_string()))
        .into_boxed();
    if let Some(u) = unit {
        q = q.filter(process_target_changes::unit.eq(u.to_string()));
    }
    type Row = (String, String, Measure, f64, Option<String>, String, i64);
    let rows: Vec<Row> = q
        .order((process_target_changes::changed_at.desc(), process_target_changes::id.desc()))
        .select((
            process_target_changes::unit,
            process_target_changes::month,
            process_target_changes::measure,
            process_target_changes::target,
            process_target_changes::note,
            users::name,
            process_target_changes::changed_at,
        ))
        .limit(100)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(unit, month, measure, target, note, changed_by, changed_at)| ProcessTargetChange {
            unit,
            month,
            measure,
            target,
            note,
            changed_by,
            changed_at,
        })
        .collect())
}

/// Someone behind a measure's figure: a seeker, or an applicant (not yet a seeker).
#[derive(Debug, Clone)]
pub struct Behind {
    pub seeker_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub broker_id: Option<String>,
    /// Since when (last contact, waiting since, or the meeting's time).
    pub since: i64,
    /// The applicant's meeting, for the booking measures.
    pub meeting: Option<(i64, BookingStatus)>,
}

/// The people behind a measure of a unit this month, those most in need first: seekers
/// without contact (contact measure); seekers longest without a proposal (exits, proposals,
/// days to first proposal); applicants not met on the next working day (meeting measures);
/// no-shows (no-show share). At most 200.
pub fn behind(
    conn: &mut DbConnection,
    measure: Measure,
    unit: &str,
    (now, clock): (i64, crate::config::DecisionClock),
) -> AppResult<Vec<Behind>> {
    let today = stockholm_date(now);
    let month = Month::of(today);
    let unit_filter = |u: &Option<String>| unit_name(u) == unit;
    type Row = (String, Option<String>, Option<String>, Option<String>, Option<String>, i64, Option<i64>);
    let active = |c: &mut DbConnection| -> AppResult<Vec<Row>> {
        Ok(seekers::table
            .filter(seekers::erased_at.is_null())
            .filter(seekers::status.eq(SeekerStatus::Active))
            .select((
                seekers::id,
                seekers::first_name,
                seekers::last_name,
                seekers::unit,
                seekers::broker_id,
                seekers::registered_at,
                seekers::last_proposed_at,
            ))
            .load(c)?
            .into_iter()
            .filter(|r: &Row| unit_filter(&r.3))
            .collect())
    };
    let person = |r: Row, since: i64| Behind {
        seeker_id: Some(r.0),
        first_name: r.1,
        last_name: r.2,
        broker_id: r.4,
        since,
        meeting: None,
    };
    let mut out: Vec<Behind> = match measure {
        Measure::ShareContacted14Days => {
            let contacts = last_contacts(conn, now - 366 * 86_400, now, None)?;
            active(conn)?
                .into_iter()
                .filter_map(|r| {
                    let since = contacts.get(&r.0).copied().unwrap_or(r.5).max(r.5);
                    (since < now - 14 * 86_400).then(|| person(r, since))
                })
                .collect()
        }
        Measure::ExitsToWorkOrStudies | Measure::Proposals | Measure::MedianDaysToFirstProposal => active(conn)?
            .into_iter()
            .filter_map(|r| {
                let since = r.6.unwrap_or(r.5);
                (since < now - 30 * 86_400).then(|| person(r, since))
            })
            .collect(),
        Measure::ShareWithAgreedPlan => {
            let planned = crate::plan::service::with_active_plan(conn, today)?;
            active(conn)?
                .into_iter()
                .filter(|r| !planned.contains(&r.0))
                .map(|r| (r.5, r))
                .map(|(t, r)| person(r, t))
                .collect()
        }
        Measure::AttendanceRate => {
            // Whoever was absent without a valid reason this month, since the latest such day.
            let mut absent: HashMap<String, i64> = HashMap::new();
            let until = today.succ_opt().expect("a next day");
            for (seeker, day, state, _) in crate::plan::service::recorded_between(conn, month.first(), until)? {
                if state == crate::plan::AttendanceState::AbsentInvalid {
                    let t = start_of_day_ts(day);
                    let e = absent.entry(seeker).or_insert(t);
                    *e = (*e).max(t);
                }
            }
            active(conn)?.into_iter().filter_map(|r| absent.get(&r.0).copied().map(|t| person(r, t))).collect()
        }
        Measure::MedianHoursToDecision | Measure::ShareDecidedWithin24h => {
            let of = Some(unit).filter(|u| *u != NO_UNIT);
            crate::booking::decisions::late(conn, month, now, clock, of)?
                .into_iter()
                .map(|l| Behind {
                    seeker_id: l.seeker_id,
                    first_name: l.first_name,
                    last_name: l.last_name,
                    broker_id: None,
                    since: l.created_at,
                    meeting: None,
                })
                .collect()
        }
        Measure::MedianHoursToMeeting | Measure::ShareMetNextWorkingDay | Measure::NoShowShare => {
            let (start, end) = (start_of_day_ts(month.first()), start_of_day_ts(month.end()));
            type B = (Option<String>, Option<String>, Option<String>, i64, i64, BookingStatus, String);
            let rows: Vec<B> = bookings::table
                .inner_join(applications::table)
                .inner_join(officers::table)
                .filter(applications::created_at.ge(start))
                .filter(applications::created_at.lt(end))
                .filter(bookings::status.ne(BookingStatus::Cancelled))
                .filter(officers::unit.eq(unit))
                .select((
                    applications::seeker_id,
                    applications::first_name,
                    applications::last_name,
                    applications::created_at,
                    bookings::starts_at,
                    bookings::status,
                    officers::unit,
                ))
                .load(conn)?;
            rows.into_iter()
                .filter(|r| match measure {
                    Measure::NoShowShare => r.5 == BookingStatus::NoShow,
                    _ => stockholm_date(r.4) != crate::booking::calendar::next_working_day(stockholm_date(r.3)),
                })
                .map(|r| Behind {
                    seeker_id: r.0,
                    first_name: r.1,
                    last_name: r.2,
                    broker_id: None,
                    since: r.3,
                    meeting: Some((r.4, r.5)),
                })
                .collect()
        }
    };
    out.sort_by(|a, b| (a.since, &a.seeker_id).cmp(&(b.since, &b.seeker_id)));
    out.truncate(200);
    Ok(out)
}

// The Swedish words the pages, CSV exports and messages show for these values.
impl crate::labels::Label for Measure {
    fn label(self) -> &'static str {
        use crate::processes::Measure as M;
        match self {
            M::ExitsToWorkOrStudies => "Avslut till arbete eller studier",
            M::MedianHoursToMeeting => "Mediantimmar från ansökan till möte",
            M::ShareMetNextWorkingDay => "Andel möten nästa arbetsdag",
            M::NoShowShare => "Andel uteblivna möten",
            M::Proposals => "Förslag till arbetsgivare",
            M::ShareContacted14Days => "Andel med kontakt senaste 14 dagarna",
            M::MedianDaysToFirstProposal => "Mediandagar från inskrivning till första förslag",
            M::ShareWithAgreedPlan => "Andel aktiva med överenskommen planering",
            M::AttendanceRate => "Närvaro i aktiviteter",
            M::MedianHoursToDecision => "Mediantimmar från ansökan till beslut",
            M::ShareDecidedWithin24h => "Andel beslut inom 24 timmar",
        }
    }
}

impl crate::labels::Label for Pace {
    fn label(self) -> &'static str {
        use crate::processes::Pace as P;
        match self {
            P::Ahead => "Före",
            P::OnTrack => "I fas",
            P::Behind => "Efter",
            P::NoTarget => "Inget mål",
            P::NoData => "Inga uppgifter än",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_spreads_counts_over_working_days_and_compares_rates_with_the_target() {
        let p = |m, v, t, e, n| pace(m, v, t, e, n, 0.1).0;
        // Ten proposals asked for; half the working days gone: five expected by now.
        assert_eq!(p(Measure::Proposals, Some(4.4), Some(10.0), 10, 20), Pace::Behind);
        assert_eq!(p(Measure::Proposals, Some(4.6), Some(10.0), 10, 20), Pace::OnTrack);
        assert_eq!(p(Measure::Proposals, Some(5.6), Some(10.0), 10, 20), Pace::Ahead);
        // Nothing yet counts as zero for a count, and as no data for a rate.
        assert_eq!(p(Measure::Proposals, None, Some(10.0), 10, 20), Pace::Behind);
        assert_eq!(p(Measure::NoShowShare, None, Some(0.1), 10, 20), Pace::NoData);
        // Lower is better: more no-shows than the target is behind, fewer ahead.
        assert_eq!(p(Measure::NoShowShare, Some(0.2), Some(0.1), 10, 20), Pace::Behind);
        assert_eq!(p(Measure::NoShowShare, Some(0.05), Some(0.1), 10, 20), Pace::Ahead);
        assert_eq!(p(Measure::MedianHoursToMeeting, Some(25.0), Some(24.0), 1, 20), Pace::OnTrack);
        // Before the month starts nothing is expected; without a target there is no pace.
        assert_eq!(p(Measure::ExitsToWorkOrStudies, Some(0.0), Some(10.0), 0, 20), Pace::OnTrack);
        assert_eq!(p(Measure::ExitsToWorkOrStudies, Some(3.0), None, 10, 20), Pace::NoTarget);
    }

    #[test]
    fn november_2026_has_21_working_days() {
        let m = Month::parse("2026-11").unwrap();
        assert_eq!(working_days(m, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()), (16, 21));
        assert_eq!(working_days(m, NaiveDate::from_ymd_opt(2026, 10, 31).unwrap()), (0, 21));
        // December: 23 weekdays, of which Christmas Eve, Christmas Day and New Year's Eve
        // are off (Boxing Day is a Saturday).
        let d = Month::parse("2026-12").unwrap();
        assert_eq!(working_days(d, NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()), (20, 20));
    }
}
