//! The plan's tables: diesel only. Callers hold the transaction and have passed the privacy
//! gate.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::{Activity, ActivityInput, ActivityKind, Attendance, AttendanceState, Decline, DeclineWhat, Goal, Plan};
use super::{AgreedHow, CheckedPlan};
use crate::clock::Day;
use crate::db::schema::{activities, attendance, attendance_changes, declines, plans, users};
use crate::db::{DbConnection, new_id};

type PlanRow = (
    String,
    i32,
    Goal,
    Option<String>,
    Option<String>,
    f64,
    Day,
    Day,
    Option<Day>,
    Option<AgreedHow>,
    Option<String>,
    String,
    i64,
);

#[allow(clippy::type_complexity)]
const PLAN_COLUMNS: (
    plans::seeker_id,
    plans::version,
    plans::goal,
    plans::goal_text,
    plans::occupation,
    plans::hours_per_week,
    plans::start_date,
    plans::review_date,
    plans::agreed_on,
    plans::agreed_how,
    plans::note,
    users::name,
    plans::recorded_at,
) = (
    plans::seeker_id,
    plans::version,
    plans::goal,
    plans::goal_text,
    plans::occupation,
    plans::hours_per_week,
    plans::start_date,
    plans::review_date,
    plans::agreed_on,
    plans::agreed_how,
    plans::note,
    users::name,
    plans::recorded_at,
);

fn plan(r: PlanRow) -> Plan {
    Plan {
        seeker_id: r.0,
        version: r.1,
        goal: r.2,
        goal_text: r.3,
        occupation: r.4,
        hours_per_week: r.5,
        start_date: r.6,
        review_date: r.7,
        agreed_on: r.8,
        agreed_how: r.9,
        note: r.10,
        by: r.11,
        recorded_at: r.12,
    }
}

/// Every version of a person's plan, newest first.
pub fn versions(c: &mut DbConnection, seeker_id: &str) -> QueryResult<Vec<Plan>> {
    let rows: Vec<PlanRow> = plans::table
        .inner_join(users::table.on(users::id.eq(plans::by_user)))
        .filter(plans::seeker_id.eq(seeker_id))
        .order(plans::version.desc())
        .select(PLAN_COLUMNS)
        .load(c)?;
    Ok(rows.into_iter().map(plan).collect())
}

/// The version in force at `at` (the newest recorded before it).
pub fn current_at(c: &mut DbConnection, seeker_id: &str, at: i64) -> QueryResult<Option<Plan>> {
    let row: Option<PlanRow> = plans::table
        .inner_join(users::table.on(users::id.eq(plans::by_user)))
        .filter(plans::seeker_id.eq(seeker_id))
        .filter(plans::recorded_at.lt(at))
        .order(plans::version.desc())
        .select(PLAN_COLUMNS)
        .first(c)
        .optional()?;
    Ok(row.map(plan))
}

/// The plans in force at `at` of everyone (for signals and measures): seeker → plan. Only
/// each person's latest version before `at` is read (no later version of theirs exists), so
/// the history does not grow the read.
pub fn current_of_all(c: &mut DbConnection, at: i64) -> QueryResult<std::collections::HashMap<String, Plan>> {
    let later = diesel::alias!(plans as later);
    let newer = later
        .filter(later.field(plans::seeker_id).eq(plans::seeker_id))
        .filter(later.field(plans::version).gt(plans::version))
        .filter(later.field(plans::recorded_at).lt(at));
    let rows: Vec<PlanRow> = plans::table
        .inner_join(users::table.on(users::id.eq(plans::by_user)))
        .filter(plans::recorded_at.lt(at))
        .filter(diesel::dsl::not(diesel::dsl::exists(newer)))
        .select(PLAN_COLUMNS)
        .load(c)?;
    Ok(rows.into_iter().map(|r| (r.0.clone(), plan(r))).collect())
}

/// Writes version `version` of the plan; a second writer of the same version fails on the
/// unique key.
pub fn insert_plan(
    c: &mut DbConnection,
    seeker_id: &str,
    version: i32,
    p: &CheckedPlan,
    by: &str,
    now: i64,
) -> QueryResult<()> {
    let i = &p.input;
    diesel::insert_into(plans::table)
        .values((
            plans::id.eq(new_id()),
            plans::seeker_id.eq(seeker_id),
            plans::version.eq(version),
            plans::goal.eq(i.goal),
            plans::goal_text.eq(&i.goal_text),
            plans::occupation.eq(&p.occupation),
            plans::hours_per_week.eq(i.hours_per_week),
            plans::start_date.eq(Day::from(i.start_date)),
            plans::review_date.eq(Day::from(i.review_date)),
            plans::agreed_on.eq(i.agreed_on.map(Day::from)),
            plans::agreed_how.eq(i.agreed_how),
            plans::note.eq(&i.note),
            plans::by_user.eq(by),
            plans::recorded_at.eq(now),
        ))
        .execute(c)?;
    Ok(())
}

type ActivityRow =
    (String, String, ActivityKind, Option<String>, Option<String>, Option<String>, f64, String, Day, Option<Day>, i64);

const ACTIVITY_COLUMNS: (
    activities::id,
    activities::seeker_id,
    activities::kind,
    activities::title,
    activities::placement_id,
    activities::provider,
    activities::hours_per_week,
    activities::weekdays,
    activities::from_date,
    activities::to_date,
    activities::updated_at,
) = (
    activities::id,
    activities::seeker_id,
    activities::kind,
    activities::title,
    activities::placement_id,
    activities::provider,
    activities::hours_per_week,
    activities::weekdays,
    activities::from_date,
    activities::to_date,
    activities::updated_at,
);

fn activity(r: ActivityRow) -> Activity {
    Activity {
        id: r.0,
        seeker_id: r.1,
        fields: ActivityInput {
            kind: r.2,
            // Erasure blanks the title.
            title: r.3.unwrap_or_default(),
            placement_id: r.4,
            provider: r.5,
            hours_per_week: r.6,
            weekdays: r.7.split(',').filter_map(|d| d.trim().parse().ok()).collect(),
            from: r.8.date(),
            to: r.9.map(|d| d.date()),
        },
        updated_at: r.10,
    }
}

fn weekdays_text(days: &[u8]) -> String {
    days.iter().map(u8::to_string).collect::<Vec<_>>().join(",")
}

/// A person's activities, the latest starting first.
pub fn activities_of(c: &mut DbConnection, seeker_id: &str) -> QueryResult<Vec<Activity>> {
    let rows: Vec<ActivityRow> = activities::table
        .filter(activities::seeker_id.eq(seeker_id))
        .order((activities::from_date.desc(), activities::id))
        .select(ACTIVITY_COLUMNS)
        .load(c)?;
    Ok(rows.into_iter().map(activity).collect())
}

pub fn activity_by_id(c: &mut DbConnection, id: &str) -> QueryResult<Option<Activity>> {
    let row: Option<ActivityRow> = activities::table.find(id).select(ACTIVITY_COLUMNS).first(c).optional()?;
    Ok(row.map(activity))
}

pub fn activities_by_ids(c: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<Activity>> {
    let rows: Vec<ActivityRow> =
        activities::table.filter(activities::id.eq_any(ids)).select(ACTIVITY_COLUMNS).load(c)?;
    Ok(rows.into_iter().map(activity).collect())
}

/// Activities of a kind and title under way some day in `[from, until)`: a group's
/// participants for the attendance register.
pub fn group(
    c: &mut DbConnection,
    kind: ActivityKind,
    title: &str,
    from: NaiveDate,
    until: NaiveDate,
) -> QueryResult<Vec<Activity>> {
    let rows: Vec<ActivityRow> = activities::table
        .filter(activities::kind.eq(kind))
        .filter(activities::title.eq(title))
        .filter(activities::from_date.lt(Day::from(until)))
        .filter(activities::to_date.is_null().or(activities::to_date.ge(Day::from(from))))
        .order(activities::id)
        .select(ACTIVITY_COLUMNS)
        .load(c)?;
    Ok(rows.into_iter().map(activity).collect())
}

/// The groups (kind, title) under way some day in `[from, until)`, with how many take part.
pub fn groups(
    c: &mut DbConnection,
    from: NaiveDate,
    until: NaiveDate,
) -> QueryResult<Vec<(ActivityKind, String, i64)>> {
    let rows: Vec<(ActivityKind, Option<String>, i64)> = activities::table
        .filter(activities::title.is_not_null())
        .filter(activities::from_date.lt(Day::from(until)))
        .filter(activities::to_date.is_null().or(activities::to_date.ge(Day::from(from))))
        .group_by((activities::kind, activities::title))
        .order((activities::title, activities::kind))
        .select((activities::kind, activities::title, diesel::dsl::count_star()))
        .load(c)?;
    Ok(rows.into_iter().filter_map(|(k, t, n)| Some((k, t?, n))).collect())
}

pub fn insert_activity(
    c: &mut DbConnection,
    seeker_id: &str,
    a: &ActivityInput,
    by: &str,
    now: i64,
) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(activities::table)
        .values((
            activities::id.eq(&id),
            activities::seeker_id.eq(seeker_id),
            activities::kind.eq(a.kind),
            activities::title.eq(&a.title),
            activities::placement_id.eq(&a.placement_id),
            activities::provider.eq(&a.provider),
            activities::hours_per_week.eq(a.hours_per_week),
            activities::weekdays.eq(weekdays_text(&a.weekdays)),
            activities::from_date.eq(Day::from(a.from)),
            activities::to_date.eq(a.to.map(Day::from)),
            activities::created_by.eq(by),
            activities::created_at.eq(now),
            activities::updated_by.eq(by),
            activities::updated_at.eq(now),
        ))
        .execute(c)?;
    Ok(id)
}

pub fn update_activity(c: &mut DbConnection, id: &str, a: &ActivityInput, by: &str, now: i64) -> QueryResult<()> {
    diesel::update(activities::table.find(id))
        .set((
            activities::kind.eq(a.kind),
            activities::title.eq(&a.title),
            activities::placement_id.eq(&a.placement_id),
            activities::provider.eq(&a.provider),
            activities::hours_per_week.eq(a.hours_per_week),
            activities::weekdays.eq(weekdays_text(&a.weekdays)),
            activities::from_date.eq(Day::from(a.from)),
            activities::to_date.eq(a.to.map(Day::from)),
            activities::updated_by.eq(by),
            activities::updated_at.eq(now),
        ))
        .execute(c)?;
    Ok(())
}

pub fn delete_activity(c: &mut DbConnection, id: &str) -> QueryResult<()> {
    diesel::delete(activities::table.find(id)).execute(c)?;
    Ok(())
}

/// Whether any day is recorded on the activity.
pub fn has_attendance(c: &mut DbConnection, activity_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(attendance::table.filter(attendance::activity_id.eq(activity_id)))).get_result(c)
}

/// Whether some day of the activity is recorded outside `[from, to]`.
pub fn attendance_outside(
    c: &mut DbConnection,
    activity_id: &str,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> QueryResult<bool> {
    // Open-ended: nothing after; otherwise nothing after `to` either.
    let after = to.map_or_else(|| "9999-12-31".to_string(), |t| Day::from(t).to_string());
    let q = attendance::table
        .filter(attendance::activity_id.eq(activity_id))
        .filter(attendance::day.lt(Day::from(from)).or(attendance::day.gt(Day::from_stored(after).expect("a date"))));
    diesel::select(diesel::dsl::exists(q)).get_result(c)
}

/// A day as recorded: the row replaced, the change kept.
pub struct Recorded<'a> {
    pub activity: &'a Activity,
    pub date: NaiveDate,
    pub state: AttendanceState,
    pub hours: f64,
    pub note: Option<String>,
}

pub fn record_day(c: &mut DbConnection, r: &Recorded<'_>, by: &str, now: i64) -> QueryResult<()> {
    let day = Day::from(r.date);
    let n = diesel::update(attendance::table.find((&r.activity.id, &day)))
        .set((
            attendance::state.eq(r.state),
            attendance::hours.eq(r.hours),
            attendance::note.eq(&r.note),
            attendance::recorded_by.eq(by),
            attendance::recorded_at.eq(now),
        ))
        .execute(c)?;
    if n == 0 {
        diesel::insert_into(attendance::table)
            .values((
                attendance::activity_id.eq(&r.activity.id),
                attendance::day.eq(&day),
                attendance::seeker_id.eq(&r.activity.seeker_id),
                attendance::state.eq(r.state),
                attendance::hours.eq(r.hours),
                attendance::note.eq(&r.note),
                attendance::recorded_by.eq(by),
                attendance::recorded_at.eq(now),
            ))
            .execute(c)?;
    }
    diesel::insert_into(attendance_changes::table)
        .values((
            attendance_changes::id.eq(new_id()),
            attendance_changes::activity_id.eq(&r.activity.id),
            attendance_changes::day.eq(&day),
            attendance_changes::seeker_id.eq(&r.activity.seeker_id),
            attendance_changes::state.eq(r.state),
            attendance_changes::hours.eq(r.hours),
            attendance_changes::note.eq(&r.note),
            attendance_changes::changed_by.eq(by),
            attendance_changes::changed_at.eq(now),
        ))
        .execute(c)?;
    Ok(())
}

type AttendanceRow = (String, String, Day, AttendanceState, f64, Option<String>, String, i64);

const ATTENDANCE_COLUMNS: (
    attendance::activity_id,
    attendance::seeker_id,
    attendance::day,
    attendance::state,
    attendance::hours,
    attendance::note,
    users::name,
    attendance::recorded_at,
) = (
    attendance::activity_id,
    attendance::seeker_id,
    attendance::day,
    attendance::state,
    attendance::hours,
    attendance::note,
    users::name,
    attendance::recorded_at,
);

fn attendance_of(r: AttendanceRow) -> Attendance {
    Attendance {
        activity_id: r.0,
        seeker_id: r.1,
        date: r.2,
        state: r.3,
        hours: r.4,
        note: r.5,
        by: r.6,
        recorded_at: r.7,
    }
}

/// A person's recorded days in `[from, until)`, by date.
pub fn attendance_of_person(
    c: &mut DbConnection,
    seeker_id: &str,
    from: NaiveDate,
    until: NaiveDate,
) -> QueryResult<Vec<Attendance>> {
    let rows: Vec<AttendanceRow> = attendance::table
        .inner_join(users::table.on(users::id.eq(attendance::recorded_by)))
        .filter(attendance::seeker_id.eq(seeker_id))
        .filter(attendance::day.ge(Day::from(from)))
        .filter(attendance::day.lt(Day::from(until)))
        .order((attendance::day, attendance::activity_id))
        .select(ATTENDANCE_COLUMNS)
        .load(c)?;
    Ok(rows.into_iter().map(attendance_of).collect())
}

/// The recorded days of these activities in `[from, until)`.
pub fn attendance_of_activities(
    c: &mut DbConnection,
    ids: &[String],
    from: NaiveDate,
    until: NaiveDate,
) -> QueryResult<Vec<Attendance>> {
    let rows: Vec<AttendanceRow> = attendance::table
        .inner_join(users::table.on(users::id.eq(attendance::recorded_by)))
        .filter(attendance::activity_id.eq_any(ids))
        .filter(attendance::day.ge(Day::from(from)))
        .filter(attendance::day.lt(Day::from(until)))
        .select(ATTENDANCE_COLUMNS)
        .load(c)?;
    Ok(rows.into_iter().map(attendance_of).collect())
}

/// Every recorded day in `[from, until)`: seeker, state, hours (for measures and signals).
pub fn attendance_between(
    c: &mut DbConnection,
    from: NaiveDate,
    until: NaiveDate,
) -> QueryResult<Vec<(String, Day, AttendanceState, f64)>> {
    attendance::table
        .filter(attendance::day.ge(Day::from(from)))
        .filter(attendance::day.lt(Day::from(until)))
        .select((attendance::seeker_id, attendance::day, attendance::state, attendance::hours))
        .load(c)
}

pub fn insert_decline(
    c: &mut DbConnection,
    seeker_id: &str,
    d: &super::DeclineInput,
    reason: &str,
    by: &str,
    now: i64,
) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(declines::table)
        .values((
            declines::id.eq(&id),
            declines::seeker_id.eq(seeker_id),
            declines::what.eq(d.what),
            declines::ref_id.eq(&d.ref_id),
            declines::day.eq(Day::from(d.date)),
            declines::reason.eq(reason),
            declines::justified.eq(d.justified),
            declines::by_user.eq(by),
            declines::recorded_at.eq(now),
        ))
        .execute(c)?;
    Ok(id)
}

type DeclineRow = (String, String, DeclineWhat, Option<String>, Day, Option<String>, bool, String, i64);

/// A person's declined offers, the latest first.
pub fn declines_of(c: &mut DbConnection, seeker_id: &str) -> QueryResult<Vec<Decline>> {
    let rows: Vec<DeclineRow> = declines::table
        .inner_join(users::table.on(users::id.eq(declines::by_user)))
        .filter(declines::seeker_id.eq(seeker_id))
        .order((declines::day.desc(), declines::id.desc()))
        .select((
            declines::id,
            declines::seeker_id,
            declines::what,
            declines::ref_id,
            declines::day,
            declines::reason,
            declines::justified,
            users::name,
            declines::recorded_at,
        ))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|r| Decline {
            id: r.0,
            seeker_id: r.1,
            what: r.2,
            ref_id: r.3,
            date: r.4,
            // Erasure blanks the reason.
            reason: r.5,
            justified: r.6,
            by: r.7,
            recorded_at: r.8,
        })
        .collect())
}

/// The latest time anything of the plan was written for each of these people (a plan
/// version, an activity, a recorded day, a decline): activity that keeps a person from
/// being erased as inactive.
pub fn last_written(c: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<(String, Option<i64>)>> {
    let mut all: Vec<(String, Option<i64>)> = plans::table
        .filter(plans::seeker_id.eq_any(ids))
        .group_by(plans::seeker_id)
        .select((plans::seeker_id, diesel::dsl::max(plans::recorded_at)))
        .load(c)?;
    all.extend(
        activities::table
            .filter(activities::seeker_id.eq_any(ids))
            .group_by(activities::seeker_id)
            .select((activities::seeker_id, diesel::dsl::max(activities::updated_at)))
            .load::<(String, Option<i64>)>(c)?,
    );
    all.extend(
        attendance::table
            .filter(attendance::seeker_id.eq_any(ids))
            .group_by(attendance::seeker_id)
            .select((attendance::seeker_id, diesel::dsl::max(attendance::recorded_at)))
            .load::<(String, Option<i64>)>(c)?,
    );
    all.extend(
        declines::table
            .filter(declines::seeker_id.eq_any(ids))
            .group_by(declines::seeker_id)
            .select((declines::seeker_id, diesel::dsl::max(declines::recorded_at)))
            .load::<(String, Option<i64>)>(c)?,
    );
    Ok(all)
}
