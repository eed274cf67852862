//! Retention: people are erased automatically `retention.inactive_months` after their exit
//! date or, while not exited, after their last activity (a change to the profile, a
//! proposal, a journal entry, an application, a meeting, anything written in their plan:
//! a version, an activity, a recorded day, a decline). A daily run in one `serve`
//! process does it (the day's row in `retention_runs` is claimed first); each erasure is
//! the same as `DELETE /api/v1/seekers/{id}` and is audited as done by `system` with the
//! action `retention`, so the monthly log review counts them.

pub mod http;

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::{Principal, Role};
use crate::booking::BookingStatus;
use crate::clock::{Day, start_of_day_ts, stockholm_date};
use crate::config::RetentionSettings;
use crate::db::DbConnection;
use crate::db::schema::{applications, bookings, journal_entries, retention_runs, seekers};
use crate::error::{AppError, AppResult, Clash};
use crate::seekers::SeekerStatus;

/// The user id and action retention erasures are audited under.
pub use crate::audit::SYSTEM_USER;
pub const ACTION: &str = "retention";

crate::text_enum! {
    /// Why someone is due for erasure.
    pub enum DueReason {
        Exited = "exited",
        Inactive = "inactive",
    }
}

/// A person due for erasure: ids and dates only.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Due {
    pub seeker_id: String,
    pub unit: Option<String>,
    pub broker_id: Option<String>,
    pub reason: DueReason,
    /// The exit date, or the day of the last activity.
    pub since: String,
}

/// The last day of activity or exit that is still kept: anything before is due.
pub fn cutoff(today: NaiveDate, months: u32) -> Option<NaiveDate> {
    (months > 0).then(|| today.checked_sub_months(Months::new(months))).flatten()
}

type Row = (String, Option<String>, Option<String>, SeekerStatus, Option<Day>, i64, i64, Option<i64>);

/// Everyone due for erasure on `today`, oldest first.
pub fn due(conn: &mut DbConnection, today: NaiveDate, months: u32) -> AppResult<Vec<Due>> {
    let Some(cutoff) = cutoff(today, months) else { return Ok(Vec::new()) };
    let before = start_of_day_ts(cutoff);
    // Candidates by what the row itself says; their other activity is looked up below.
    let rows: Vec<Row> = seekers::table
        .filter(seekers::erased_at.is_null())
        .filter(
            seekers::exit_date.lt(cutoff.to_string()).or(seekers::status
                .ne(SeekerStatus::Exited)
                .and(seekers::updated_at.lt(before))
                .and(seekers::last_proposed_at.is_null().or(seekers::last_proposed_at.lt(before)))),
        )
        .select((
            seekers::id,
            seekers::unit,
            seekers::broker_id,
            seekers::status,
            seekers::exit_date,
            seekers::registered_at,
            seekers::updated_at,
            seekers::last_proposed_at,
        ))
        .load(conn)?;
    let mut latest: HashMap<String, i64> = HashMap::new();
    let ids: Vec<String> = rows.iter().filter(|r| r.3 != SeekerStatus::Exited).map(|r| r.0.clone()).collect();
    for chunk in ids.chunks(500) {
        let journal: Vec<(String, Option<i64>)> = journal_entries::table
            .filter(journal_entries::seeker_id.eq_any(chunk))
            .group_by(journal_entries::seeker_id)
            .select((journal_entries::seeker_id, diesel::dsl::max(journal_entries::at)))
            .load(conn)?;
        let applied: Vec<(Option<String>, Option<i64>)> = applications::table
            .filter(applications::seeker_id.eq_any(chunk))
            .group_by(applications::seeker_id)
            .select((applications::seeker_id, diesel::dsl::max(applications::created_at)))
            .load(conn)?;
        let met: Vec<(Option<String>, Option<i64>)> = bookings::table
            .inner_join(applications::table)
            .filter(applications::seeker_id.eq_any(chunk))
            .filter(bookings::status.ne(BookingStatus::Cancelled))
            .group_by(applications::seeker_id)
            .select((applications::seeker_id, diesel::dsl::max(bookings::starts_at)))
            .load(conn)?;
        let planned = crate::plan::service::last_written(conn, chunk)?;
        let all = journal.into_iter().chain(planned).map(|(id, at)| (Some(id), at)).chain(applied).chain(met);
        for (id, at) in all {
            if let (Some(id), Some(at)) = (id, at) {
                let e = latest.entry(id).or_insert(at);
                *e = (*e).max(at);
            }
        }
    }
    let mut out: Vec<Due> = rows
        .into_iter()
        .filter_map(|(id, unit, broker_id, status, exit_date, registered, updated, proposed)| {
            let (reason, since) = match (status, exit_date) {
                (SeekerStatus::Exited, Some(d)) => (DueReason::Exited, d.date()),
                (SeekerStatus::Exited, None) => return None,
                _ => {
                    let last = [Some(registered), Some(updated), proposed, latest.get(&id).copied()]
                        .into_iter()
                        .flatten()
                        .max()
                        .unwrap_or(registered);
                    (DueReason::Inactive, stockholm_date(last))
                }
            };
            (since < cutoff).then(|| Due { seeker_id: id, unit, broker_id, reason, since: since.to_string() })
        })
        .collect();
    out.sort_by(|a, b| (&a.since, &a.seeker_id).cmp(&(&b.since, &b.seeker_id)));
    Ok(out)
}

/// Who retention erasures are recorded as.
fn system() -> Principal {
    Principal {
        user_id: SYSTEM_USER.into(),
        token_id: String::new(),
        name: "Gallring".into(),
        role: Role::Admin,
        employer_id: None,
    }
}

/// Erases everyone due (or, with `dry_run`, only lists them); each erasure is audited.
pub fn run(conn: &mut DbConnection, now: i64, (months, rewrite): (u32, bool), dry_run: bool) -> AppResult<Vec<Due>> {
    let list = due(conn, stockholm_date(now), months)?;
    if dry_run {
        return Ok(list);
    }
    let action = crate::audit::Action::named(ACTION);
    let mut erased = Ok(());
    for d in &list {
        erased = crate::privacy::erasure::erase_without_compacting(conn, now, &d.seeker_id)
            .and_then(|()| crate::privacy::shown(conn, &system(), std::slice::from_ref(&d.seeker_id), &action, now));
        if erased.is_err() {
            break;
        }
    }
    // Those erased before a failure are compacted too.
    if !list.is_empty() {
        crate::privacy::erasure::compact(conn, rewrite);
    }
    erased.map(|()| list)
}

/// The daily run: from `hour` on, the first process to claim today's row deletes the ranking
/// log past its period and erases who is due (none with `inactive_months` 0). Returns how
/// many were erased, or `None` when today's run is not this process's to do.
pub fn daily(conn: &mut DbConnection, now: i64, settings: &RetentionSettings) -> AppResult<Option<usize>> {
    use chrono::Timelike;
    let local = chrono::DateTime::<chrono::Utc>::from_timestamp(now, 0)
        .unwrap_or_default()
        .with_timezone(&chrono_tz::Europe::Stockholm);
    if local.hour() < settings.hour {
        return Ok(None);
    }
    let day = local.date_naive().to_string();
    let done: i64 = retention_runs::table.filter(retention_runs::day.eq(&day)).count().get_result(conn)?;
    if done > 0 {
        return Ok(None);
    }
    let claimed = crate::db::write_tx(conn, |c| {
        diesel::insert_into(retention_runs::table)
            .values((retention_runs::day.eq(&day), retention_runs::started_at.eq(now)))
            .execute(c)?;
        Ok(())
    });
    match claimed {
        Ok(()) => {}
        // Another process claimed the day a moment earlier.
        Err(AppError::Conflict { clash: Clash::Unique, .. }) => return Ok(None),
        Err(e) => return Err(e),
    }
    // The ranking log goes after its own period, whether or not people are erased.
    if settings.ranking_log_months > 0 {
        let gone = crate::ranking_log::forget_before(
            conn,
            crate::ranking_log::kept_from(stockholm_date(now), settings.ranking_log_months),
        )?;
        if gone > 0 {
            tracing::info!(lists = gone, "retention: ranking-log rows past accountability.log_months deleted");
        }
    }
    if settings.inactive_months == 0 {
        diesel::update(retention_runs::table.find(&day)).set(retention_runs::finished_at.eq(now)).execute(conn)?;
        return Ok(Some(0));
    }
    // Refused once a day (the day is claimed): erasing while backups outlive the promise
    // would leave the erased in copies longer than the README says.
    if let Err(why) = settings.check_backups() {
        tracing::error!(problem = %why, "retention: refused to run");
        return Err(AppError::unprocessable(why));
    }
    let erased = run(conn, now, (settings.inactive_months, settings.rewrite_tables), false)?.len();
    // Import reports go after the same period as the people they are about.
    if let Some(cutoff) = cutoff(stockholm_date(now), settings.inactive_months) {
        crate::imports::forget_before(conn, crate::clock::start_of_day_ts(cutoff))?;
    }
    diesel::update(retention_runs::table.find(&day))
        .set((retention_runs::erased.eq(erased as i32), retention_runs::finished_at.eq(now)))
        .execute(conn)?;
    if erased > 0 {
        tracing::info!(erased, "retention: people erased after the retention period");
    }
    Ok(Some(erased))
}

/// A daily run: the day, how many it erased, and when it finished (`None`: cut short).
#[derive(Debug, Clone, Serialize, Queryable, utoipa::ToSchema)]
#[schema(as = RetentionRun)]
pub struct Run {
    pub day: String,
    pub erased: i32,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: i64,
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<i64>,
}

/// The last 60 daily runs, newest first.
pub fn runs(conn: &mut DbConnection) -> AppResult<Vec<Run>> {
    Ok(retention_runs::table
        .order(retention_runs::day.desc())
        .limit(60)
        .select((retention_runs::day, retention_runs::erased, retention_runs::started_at, retention_runs::finished_at))
        .load(conn)?)
}
