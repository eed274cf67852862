//! What booking contributes to the monthly report, per unit (the officer's).

use super::BookingStatus;
use std::collections::HashMap;

use diesel::prelude::*;

use super::calendar::next_working_day;
use crate::clock::Month;
use crate::clock::{start_of_day_ts, stockholm_date};
use crate::db::DbConnection;
use crate::db::schema::{applications, bookings, officers};
use crate::error::AppResult;

/// What booking contributes to one unit's monthly figures.
#[derive(Debug, Clone, Default)]
pub struct BookingFigures {
    pub hours_to_meeting: Vec<f64>,
    pub met_next_working_day: (i64, i64),
    pub next_day_full: i64,
}

/// For applications made in the month: hours to the first meeting, whether it was on the
/// next working day, and how often the next working day was already full. An application
/// with no meeting yet counts for `next_day_full` only, under no unit (`None`).
pub fn figures(conn: &mut DbConnection, month: Month) -> AppResult<HashMap<Option<String>, BookingFigures>> {
    let (start, end) = (start_of_day_ts(month.first()), start_of_day_ts(month.end()));
    let apps: Vec<(String, i64, bool)> = applications::table
        .filter(applications::created_at.ge(start))
        .filter(applications::created_at.lt(end))
        .select((applications::id, applications::created_at, applications::next_day_full))
        .load(conn)?;
    let ids: Vec<String> = apps.iter().map(|a| a.0.clone()).collect();
    let meetings: Vec<(String, i64, String)> = bookings::table
        .inner_join(officers::table)
        .filter(bookings::application_id.eq_any(&ids))
        .filter(bookings::status.ne(BookingStatus::Cancelled))
        .select((bookings::application_id, bookings::starts_at, officers::unit))
        .load(conn)?;
    let mut first: HashMap<&str, (i64, &str)> = HashMap::new();
    for (app, starts, unit) in &meetings {
        let e = first.entry(app.as_str()).or_insert((*starts, unit.as_str()));
        if *starts < e.0 {
            *e = (*starts, unit.as_str());
        }
    }
    let mut out: HashMap<Option<String>, BookingFigures> = HashMap::new();
    for (id, created, full) in &apps {
        let Some((starts, unit)) = first.get(id.as_str()) else {
            out.entry(None).or_default().next_day_full += i64::from(*full);
            continue;
        };
        let f = out.entry(Some(unit.to_string())).or_default();
        f.hours_to_meeting.push((starts - created) as f64 / 3600.0);
        let next = next_working_day(stockholm_date(*created));
        f.met_next_working_day.0 += i64::from(stockholm_date(*starts) == next);
        f.met_next_working_day.1 += 1;
        f.next_day_full += i64::from(*full);
    }
    Ok(out)
}

/// Meetings held and missed (no-shows) for an officer or a unit, between two instants.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct NoShowFigure {
    /// The officer's id, or the unit's name.
    pub key: String,
    /// The officer's name, or the unit again.
    pub name: String,
    pub unit: String,
    pub held: i64,
    pub no_show: i64,
    /// Missed of held and missed; absent before any meeting was marked.
    pub rate: Option<f64>,
}

impl NoShowFigure {
    fn add(&mut self, status: BookingStatus, n: i64) {
        match status {
            BookingStatus::Held => self.held += n,
            BookingStatus::NoShow => self.no_show += n,
            _ => {}
        }
        let marked = self.held + self.no_show;
        self.rate = (marked > 0).then(|| self.no_show as f64 / marked as f64);
    }
}

/// No-shows per officer and per unit, for meetings starting in `[from, to)`.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct NoShows {
    pub by_officer: Vec<NoShowFigure>,
    pub by_unit: Vec<NoShowFigure>,
}

pub fn no_shows(conn: &mut DbConnection, (from, to): (i64, i64), unit: Option<&str>) -> AppResult<NoShows> {
    let mut q = bookings::table
        .inner_join(officers::table)
        .filter(bookings::starts_at.ge(from))
        .filter(bookings::starts_at.lt(to))
        .filter(bookings::status.eq_any([BookingStatus::Held, BookingStatus::NoShow]))
        .into_boxed();
    if let Some(u) = unit {
        q = q.filter(officers::unit.eq(u.to_string()));
    }
    // A month's marked meetings: counted here rather than grouped in SQL.
    let rows: Vec<(String, String, String, BookingStatus)> =
        q.select((officers::id, officers::name, officers::unit, bookings::status)).load(conn)?;
    let mut by_officer: std::collections::BTreeMap<String, NoShowFigure> = Default::default();
    let mut by_unit: std::collections::BTreeMap<String, NoShowFigure> = Default::default();
    for (id, name, unit, status) in rows {
        let n = 1;
        by_officer
            .entry(id.clone())
            .or_insert_with(|| NoShowFigure { key: id, name, unit: unit.clone(), ..Default::default() })
            .add(status, n);
        by_unit
            .entry(unit.clone())
            .or_insert_with(|| NoShowFigure { key: unit.clone(), name: unit.clone(), unit, ..Default::default() })
            .add(status, n);
    }
    let mut by_officer: Vec<NoShowFigure> = by_officer.into_values().collect();
    by_officer.sort_by(|a, b| (&a.unit, &a.name).cmp(&(&b.unit, &b.name)));
    Ok(NoShows { by_officer, by_unit: by_unit.into_values().collect() })
}
