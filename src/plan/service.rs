//! The plan's use cases, for the API, the pages and the jobs alike: each runs in one
//! transaction and reads the person through the privacy gate first (writing about a person
//! is reading them).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::status::{self, PlanStatus};
use super::store::{self, Recorded};
use super::{
    Activity, ActivityInput, Attendance, AttendanceInput, AttendanceRow, Decline, DeclineInput, Plan, PlanInput,
};
use crate::clock::Month;
use crate::db::{DbConnection, write_tx};
use crate::error::{AppError, AppResult, Clash, Errors, Fault, Thing};
use crate::privacy::Reader;
use crate::seekers::Seeker;
use crate::seekers::service::read_person;

/// The person's current plan, if any.
pub fn current(c: &mut DbConnection, r: &Reader, seeker_id: &str) -> AppResult<Option<Plan>> {
    write_tx(c, |c| {
        read_person(c, r, seeker_id)?;
        Ok(store::versions(c, seeker_id)?.into_iter().next())
    })
}

/// Every version of the plan, newest first.
pub fn history(c: &mut DbConnection, r: &Reader, seeker_id: &str) -> AppResult<Vec<Plan>> {
    write_tx(c, |c| {
        read_person(c, r, seeker_id)?;
        Ok(store::versions(c, seeker_id)?)
    })
}

/// Writes a new version of the plan. Two writers at once: one wins, the other is told the
/// plan changed meanwhile (the unique version decides, not a lock).
pub fn put(c: &mut DbConnection, r: &Reader, seeker_id: &str, input: PlanInput) -> AppResult<Plan> {
    let checked = input.check(r.today)?;
    write_tx(c, |c| {
        read_person(c, r, seeker_id)?;
        let version = store::versions(c, seeker_id)?.first().map_or(1, |p| p.version + 1);
        store::insert_plan(c, seeker_id, version, &checked, &r.who.user_id, r.now).map_err(|e| match e {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                AppError::conflict(Clash::ChangedMeanwhile, "someone else changed the plan at the same moment")
            }
            e => e.into(),
        })?;
        Ok(store::versions(c, seeker_id)?.into_iter().next().expect("just written"))
    })
}

/// The person's activities.
pub fn activities(c: &mut DbConnection, r: &Reader, seeker_id: &str) -> AppResult<Vec<Activity>> {
    write_tx(c, |c| {
        read_person(c, r, seeker_id)?;
        Ok(store::activities_of(c, seeker_id)?)
    })
}

/// A placement named by an activity must be the same person's.
fn check_placement(c: &mut DbConnection, seeker_id: &str, a: &ActivityInput) -> AppResult<()> {
    if let Some(p) = &a.placement_id {
        let owner = crate::placements::service::seeker_of(c, p)?;
        if owner.as_deref() != Some(seeker_id) {
            return Err(AppError::field("placement_id", Fault::NotFound, "is not a placement of this person"));
        }
    }
    Ok(())
}

pub fn add_activity(c: &mut DbConnection, r: &Reader, seeker_id: &str, input: ActivityInput) -> AppResult<Activity> {
    let input = input.check()?;
    write_tx(c, |c| {
        read_person(c, r, seeker_id)?;
        check_placement(c, seeker_id, &input)?;
        let id = store::insert_activity(c, seeker_id, &input, &r.who.user_id, r.now)?;
        store::activity_by_id(c, &id)?.ok_or(AppError::NotFound(Thing::Activity))
    })
}

/// One activity (its person read through the gate).
pub fn activity(c: &mut DbConnection, r: &Reader, id: &str) -> AppResult<Activity> {
    write_tx(c, |c| Ok(read_activity(c, r, id)?.0))
}

/// The activity and its person, through the gate.
fn read_activity(c: &mut DbConnection, r: &Reader, id: &str) -> AppResult<(Activity, Seeker)> {
    let a = store::activity_by_id(c, id)?.ok_or(AppError::NotFound(Thing::Activity))?;
    let seeker = read_person(c, r, &a.seeker_id)?;
    Ok((a, seeker))
}

/// Changes an activity by an RFC 7396 merge patch, checked whole. Recorded days stay inside
/// it: from/to may not move past them.
pub fn patch_activity(c: &mut DbConnection, r: &Reader, id: &str, patch: &serde_json::Value) -> AppResult<Activity> {
    write_tx(c, |c| {
        let (a, _) = read_activity(c, r, id)?;
        let mut merged = serde_json::to_value(&a.fields).map_err(|e| AppError::internal(e.to_string()))?;
        crate::json::merge_patch(&mut merged, patch);
        let input: ActivityInput = crate::json::parse_json(merged.to_string().as_bytes())?;
        let input = input.check()?;
        check_placement(c, &a.seeker_id, &input)?;
        if store::attendance_outside(c, id, input.from, input.to)? {
            let field = if input.from > a.fields.from { "from" } else { "to" };
            return Err(AppError::field(field, Fault::Range, "attendance is recorded outside the new from and to"));
        }
        store::update_activity(c, id, &input, &r.who.user_id, r.now)?;
        store::activity_by_id(c, id)?.ok_or(AppError::NotFound(Thing::Activity))
    })
}

/// Removes an activity entered by mistake; one with recorded days is ended (`to`) instead,
/// so what the assistance decision rested on stays.
pub fn delete_activity(c: &mut DbConnection, r: &Reader, id: &str) -> AppResult<()> {
    write_tx(c, |c| {
        read_activity(c, r, id)?;
        if store::has_attendance(c, id)? {
            return Err(AppError::conflict(
                Clash::HasAttendance,
                "attendance is recorded on this activity: set `to` to end it instead",
            ));
        }
        Ok(store::delete_activity(c, id)?)
    })
}

/// One day of one activity.
pub fn record(
    c: &mut DbConnection,
    r: &Reader,
    activity_id: &str,
    date: NaiveDate,
    input: &AttendanceInput,
) -> AppResult<Attendance> {
    let row = AttendanceRow {
        activity_id: activity_id.to_string(),
        date,
        state: input.state,
        hours: input.hours,
        note: input.note.clone(),
    };
    let mut rows = record_rows(c, r, &[row], "")?;
    Ok(rows.remove(0))
}

/// Many days at once (a group's week): all or nothing; each person through the gate once.
pub fn record_many(c: &mut DbConnection, r: &Reader, rows: &[AttendanceRow]) -> AppResult<Vec<Attendance>> {
    if rows.is_empty() || rows.len() > 1000 {
        return Err(AppError::field("rows", Fault::Length, "must hold 1 to 1000 rows"));
    }
    record_rows(c, r, rows, "rows")
}

fn record_rows(c: &mut DbConnection, r: &Reader, rows: &[AttendanceRow], prefix: &str) -> AppResult<Vec<Attendance>> {
    write_tx(c, |c| {
        let ids: Vec<String> = rows.iter().map(|x| x.activity_id.clone()).collect();
        let found: BTreeMap<String, Activity> =
            store::activities_by_ids(c, &ids)?.into_iter().map(|a| (a.id.clone(), a)).collect();
        let mut errors = Errors::new();
        let mut checked = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let at = if prefix.is_empty() { String::new() } else { format!("{prefix}[{i}]") };
            let Some(a) = found.get(&row.activity_id) else {
                if prefix.is_empty() {
                    return Err(AppError::NotFound(Thing::Activity));
                }
                errors.add(format!("{at}.activity_id"), Fault::NotFound, "is not an activity");
                continue;
            };
            let (hours, note) = super::check_day(a, row.date, row.hours, &row.note, r.today, &at, &mut errors);
            checked.push(Recorded { activity: a, date: row.date, state: row.state, hours, note });
        }
        errors.into_result()?;
        let people: std::collections::BTreeSet<&str> = checked.iter().map(|x| x.activity.seeker_id.as_str()).collect();
        for p in people {
            read_person(c, r, p)?;
        }
        for x in &checked {
            store::record_day(c, x, &r.who.user_id, r.now)?;
        }
        // The days as stored, read back at once, in the order they were given.
        let ids: Vec<String> = checked.iter().map(|x| x.activity.id.clone()).collect();
        let from = checked.iter().map(|x| x.date).min().expect("at least one row");
        let until = checked.iter().map(|x| x.date).max().expect("at least one row").succ_opt().expect("a next day");
        let stored = store::attendance_of_activities(c, &ids, from, until)?;
        Ok(checked
            .iter()
            .filter_map(|x| stored.iter().find(|d| d.activity_id == x.activity.id && d.date.date() == x.date).cloned())
            .collect())
    })
}

/// A person's recorded days in a month.
pub fn attendance(c: &mut DbConnection, r: &Reader, seeker_id: &str, month: Month) -> AppResult<Vec<Attendance>> {
    write_tx(c, |c| {
        read_person(c, r, seeker_id)?;
        Ok(store::attendance_of_person(c, seeker_id, month.first(), month.end())?)
    })
}

pub fn decline(c: &mut DbConnection, r: &Reader, seeker_id: &str, input: &DeclineInput) -> AppResult<Decline> {
    let mut errors = Errors::new();
    let reason = crate::vocabulary::free_text(&Some(input.reason.clone()), "reason", 2000, &mut errors);
    if reason.is_none() {
        errors.add("reason", Fault::Required, "must not be empty");
    }
    if input.date > r.today {
        errors.add("date", Fault::Future, "is in the future");
    }
    if input.ref_id.as_deref().is_some_and(|x| x.trim().is_empty() || x.chars().count() > 100) {
        errors.add("ref_id", Fault::Length, "must be 1 to 100 characters");
    }
    errors.into_result()?;
    let reason = reason.unwrap_or_default();
    write_tx(c, |c| {
        read_person(c, r, seeker_id)?;
        let id = store::insert_decline(c, seeker_id, input, &reason, &r.who.user_id, r.now)?;
        Ok(store::declines_of(c, seeker_id)?.into_iter().find(|d| d.id == id).expect("just written"))
    })
}

pub fn declines(c: &mut DbConnection, r: &Reader, seeker_id: &str) -> AppResult<Vec<Decline>> {
    write_tx(c, |c| {
        read_person(c, r, seeker_id)?;
        Ok(store::declines_of(c, seeker_id)?)
    })
}

/// The status the assistance decision reads, for one month.
pub fn status(c: &mut DbConnection, r: &Reader, seeker_id: &str, month: Month) -> AppResult<PlanStatus> {
    write_tx(c, |c| {
        read_person(c, r, seeker_id)?;
        status::of(c, seeker_id, month, r.today)
    })
}

/// The same, found by personnummer (what the case system knows).
pub fn status_by_personnummer(
    c: &mut DbConnection,
    r: &Reader,
    personnummer: &str,
    month: Month,
) -> AppResult<PlanStatus> {
    let id = crate::seekers::service::id_by_personnummer(c, personnummer)?.ok_or(AppError::NotFound(Thing::Seeker))?;
    status(c, r, &id, month)
}

/// Everything the plan page and the printable plan show, read once (one audit row).
pub struct Overview {
    pub seeker: Seeker,
    pub plan: Option<Plan>,
    /// Every version, newest first (the first is `plan`).
    pub versions: Vec<Plan>,
    pub activities: Vec<Activity>,
    pub attendance: Vec<Attendance>,
    pub declines: Vec<Decline>,
    pub status: PlanStatus,
}

pub fn overview(c: &mut DbConnection, r: &Reader, seeker_id: &str, month: Month) -> AppResult<Overview> {
    write_tx(c, |c| {
        let seeker = read_person(c, r, seeker_id)?;
        let versions = store::versions(c, seeker_id)?;
        Ok(Overview {
            seeker,
            plan: versions.first().cloned(),
            versions,
            activities: store::activities_of(c, seeker_id)?,
            attendance: store::attendance_of_person(c, seeker_id, month.first(), month.end())?,
            declines: store::declines_of(c, seeker_id)?,
            status: status::of(c, seeker_id, month, r.today)?,
        })
    })
}

/// A group's week for the attendance register: its participants' activities and what is
/// recorded. Participants are shown by name (audited as shown), not their records.
pub struct GroupWeek {
    pub activities: Vec<Activity>,
    pub names: crate::seekers::store::Names,
    pub recorded: Vec<Attendance>,
}

pub fn group_week(
    c: &mut DbConnection,
    r: &Reader,
    kind: super::ActivityKind,
    title: &str,
    monday: NaiveDate,
) -> AppResult<GroupWeek> {
    let until = monday + chrono::Days::new(7);
    write_tx(c, |c| {
        let activities = store::group(c, kind, title, monday, until)?;
        let people: Vec<String> = activities.iter().map(|a| a.seeker_id.clone()).collect();
        let names = crate::seekers::service::names(c, &r.who, &people, &r.action, r.now)?;
        // Erased people have no name: they are no longer anyone's participant.
        let named = |id: &str| names.get(id).is_some_and(|(f, l)| f.is_some() || l.is_some());
        let activities: Vec<Activity> = activities.into_iter().filter(|a| named(&a.seeker_id)).collect();
        let ids: Vec<String> = activities.iter().map(|a| a.id.clone()).collect();
        let recorded = store::attendance_of_activities(c, &ids, monday, until)?;
        Ok(GroupWeek { activities, names, recorded })
    })
}

/// The groups under way in the week from `monday`.
pub fn groups(c: &mut DbConnection, monday: NaiveDate) -> AppResult<Vec<(super::ActivityKind, String, i64)>> {
    Ok(store::groups(c, monday, monday + chrono::Days::new(7))?)
}

/// The people whose plan in force at the end of `day` is agreed and started (for the
/// process measure and the "no plan" signal).
pub fn with_active_plan(c: &mut DbConnection, day: NaiveDate) -> AppResult<std::collections::HashSet<String>> {
    let end = crate::clock::start_of_day_ts(day.succ_opt().expect("a next day"));
    Ok(store::current_of_all(c, end)?.into_iter().filter(|(_, p)| p.active_on(day)).map(|(id, _)| id).collect())
}

/// Every person's current plan (for the "review passed" signal).
pub fn current_plans(c: &mut DbConnection, now: i64) -> AppResult<std::collections::HashMap<String, Plan>> {
    Ok(store::current_of_all(c, now + 1)?)
}

/// Recorded days in `[from, until)`: person, day, state, hours.
pub fn recorded_between(
    c: &mut DbConnection,
    from: NaiveDate,
    until: NaiveDate,
) -> AppResult<Vec<(String, NaiveDate, super::AttendanceState, f64)>> {
    Ok(store::attendance_between(c, from, until)?.into_iter().map(|(s, d, st, h)| (s, d.date(), st, h)).collect())
}

/// The current plan, the month's status, its recorded days, and the activities.
pub type MonthAtAGlance = (Option<Plan>, PlanStatus, Vec<Attendance>, Vec<Activity>);

/// The month at a glance (the current plan, the status, the recorded days and the
/// activities), for a caller that read the person through the gate in this transaction.
pub fn month_in_tx(c: &mut DbConnection, seeker_id: &str, month: Month, today: NaiveDate) -> AppResult<MonthAtAGlance> {
    Ok((
        store::versions(c, seeker_id)?.into_iter().next(),
        status::of(c, seeker_id, month, today)?,
        store::attendance_of_person(c, seeker_id, month.first(), month.end())?,
        store::activities_of(c, seeker_id)?,
    ))
}

/// A person's declined offers, the latest first, for a caller that read the person through
/// the gate in this transaction.
pub fn declines_in_tx(c: &mut DbConnection, seeker_id: &str) -> AppResult<Vec<Decline>> {
    Ok(store::declines_of(c, seeker_id)?)
}

/// When anything of the plan was last written for each of these people (for retention).
pub fn last_written(c: &mut DbConnection, ids: &[String]) -> AppResult<Vec<(String, Option<i64>)>> {
    Ok(store::last_written(c, ids)?)
}
