//! Follow-up after exit: whether people who left for work or studies came back to assistance.
//!
//! Definition (also in the README):
//! - An *exit* is a placement that ended with outcome employment, subsidised employment,
//!   municipal labour-market job or studies (as in the monthly report), counted once per
//!   person and month (the earliest such end date in the month), by the placement's unit.
//!   The cohort is the month of the exit.
//! - The person *returned* within H months when, on a later day than the exit and at the latest
//!   on the same date H months later, they applied for support again (an application through
//!   `/apply` linked to them or carrying their personnummer) or staff registered them again
//!   (status exited back to active or paused).
//! - For each horizon (3, 6 and 12 months): `returned`; `not_returned` (the horizon has passed
//!   without a return); `still_to_follow` (not returned, horizon not yet reached);
//!   `share_not_returned` = not_returned ÷ (returned + not_returned), the "94 %" figure, and
//!   `complete` once nobody is still to follow (before that the share is preliminary).

pub mod http;
pub mod svg;

use std::collections::{BTreeMap, HashMap};

use chrono::{Months, NaiveDate};
use diesel::prelude::*;
use serde::Serialize;

use crate::clock::{Day, Month, stockholm_date};
use crate::db::DbConnection;
use crate::db::schema::{applications, placements, seeker_returns, seekers};
use crate::error::AppResult;
use crate::placements::Outcome;
use crate::reports::NO_UNIT;

pub const HORIZONS: [u32; 3] = [3, 6, 12];

#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Horizon {
    pub months: u32,
    pub returned: i64,
    pub not_returned: i64,
    pub still_to_follow: i64,
    pub share_not_returned: Option<f64>,
    pub complete: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Cohort {
    /// `YYYY-MM`, or `YYYY` for a year's total.
    pub exit_month: String,
    pub exits: i64,
    pub horizons: Vec<Horizon>,
}

impl Cohort {
    pub fn horizon(&self, months: u32) -> &Horizon {
        self.horizons.iter().find(|h| h.months == months).expect("every horizon is present")
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FollowUp {
    pub unit: Option<String>,
    pub cohorts: Vec<Cohort>,
    /// All the cohorts together (the year's figure, for the yearly view).
    pub total: Cohort,
}

/// One exit: the person, the day, and the first return after it (if any).
struct Exit {
    month: Month,
    on: NaiveDate,
    returned_on: Option<NaiveDate>,
}

fn cohort(label: String, exits: &[&Exit], today: NaiveDate) -> Cohort {
    let horizons = HORIZONS
        .iter()
        .map(|&h| {
            let mut out = Horizon { months: h, ..Default::default() };
            for e in exits {
                let end = e.on.checked_add_months(Months::new(h)).unwrap_or(NaiveDate::MAX);
                if e.returned_on.is_some_and(|r| r <= end) {
                    out.returned += 1;
                } else if today > end {
                    out.not_returned += 1;
                } else {
                    out.still_to_follow += 1;
                }
            }
            let settled = out.returned + out.not_returned;
            out.share_not_returned =
                (settled > 0).then(|| (out.not_returned as f64 / settled as f64 * 10_000.0).round() / 10_000.0);
            out.complete = out.still_to_follow == 0;
            out
        })
        .collect();
    Cohort { exit_month: label, exits: exits.len() as i64, horizons }
}

/// The follow-up of the exits in `months` (one unit's, or all), as of `today`.
pub fn follow_up(
    conn: &mut DbConnection,
    months: &[Month],
    unit: Option<&str>,
    today: NaiveDate,
) -> AppResult<FollowUp> {
    let (Some(first), Some(last)) = (months.iter().min(), months.iter().max()) else {
        let total = cohort(String::new(), &[], today);
        return Ok(FollowUp { unit: unit.map(str::to_string), cohorts: Vec::new(), total });
    };
    let mut q = placements::table
        .filter(placements::ended_on.ge(first.first().to_string()))
        .filter(placements::ended_on.lt(last.end().to_string()))
        .filter(placements::outcome.eq_any(Outcome::ALL.iter().filter(|o| o.is_exit()).copied().collect::<Vec<_>>()))
        .into_boxed();
    match unit {
        Some(u) if u == NO_UNIT => q = q.filter(placements::unit.is_null()),
        Some(u) => q = q.filter(placements::unit.eq(u.to_string())),
        None => {}
    }
    let rows: Vec<(String, Day)> =
        q.select((placements::seeker_id, placements::ended_on.assume_not_null())).load(conn)?;
    // One exit per person and month: the earliest.
    let mut exits: BTreeMap<(String, Month), NaiveDate> = BTreeMap::new();
    for (seeker, ended) in rows {
        let d = ended.date();
        let m = Month::of(d);
        if !months.contains(&m) {
            continue;
        }
        let e = exits.entry((seeker, m)).or_insert(d);
        *e = (*e).min(d);
    }
    let ids: Vec<String> =
        exits.keys().map(|(s, _)| s.clone()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    // Every later application or re-registration of these people, by seeker.
    let mut comebacks: HashMap<String, Vec<NaiveDate>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let pnrs: Vec<(String, Option<String>)> =
            seekers::table.filter(seekers::id.eq_any(chunk)).select((seekers::id, seekers::personnummer)).load(conn)?;
        let by_pnr: HashMap<String, String> =
            pnrs.iter().filter_map(|(id, p)| Some((p.clone()?, id.clone()))).collect();
        let pnr_list: Vec<&String> = by_pnr.keys().collect();
        let apps: Vec<(Option<String>, Option<String>, i64)> = applications::table
            .filter(applications::seeker_id.eq_any(chunk).or(applications::personnummer.eq_any(pnr_list)))
            .filter(applications::created_at.ge(crate::clock::start_of_day_ts(first.first())))
            .select((applications::seeker_id, applications::personnummer, applications::created_at))
            .load(conn)?;
        for (sid, pnr, at) in apps {
            let who = sid.filter(|s| chunk.contains(s)).or_else(|| pnr.and_then(|p| by_pnr.get(&p).cloned()));
            if let Some(who) = who {
                comebacks.entry(who).or_default().push(stockholm_date(at));
            }
        }
        let again: Vec<(String, Day)> = seeker_returns::table
            .filter(seeker_returns::seeker_id.eq_any(chunk))
            .select((seeker_returns::seeker_id, seeker_returns::returned_on))
            .load(conn)?;
        for (sid, on) in again {
            comebacks.entry(sid).or_default().push(on.date());
        }
    }
    let all: Vec<Exit> = exits
        .into_iter()
        .map(|((seeker, month), on)| Exit {
            month,
            on,
            returned_on: comebacks.get(&seeker).and_then(|v| v.iter().filter(|d| **d > on).min().copied()),
        })
        .collect();
    let mut sorted: Vec<Month> = months.to_vec();
    sorted.sort();
    sorted.dedup();
    let cohorts = sorted
        .iter()
        .map(|m| cohort(m.to_string(), &all.iter().filter(|e| e.month == *m).collect::<Vec<_>>(), today))
        .collect();
    let label = if first.year == last.year && sorted.len() == 12 { first.year.to_string() } else { "totalt".into() };
    let total = cohort(label, &all.iter().collect::<Vec<_>>(), today);
    Ok(FollowUp { unit: unit.map(str::to_string), cohorts, total })
}

/// The twelve months of a year.
pub fn year(y: i32) -> Vec<Month> {
    (1..=12).map(|month| Month { year: y, month }).collect()
}

/// The follow-up as CSV for Swedish Excel.
pub fn to_csv(f: &FollowUp) -> String {
    table(f).csv()
}

/// The follow-up as a table for Swedish Excel: one row per cohort and the total.
pub fn table(f: &FollowUp) -> crate::export::Table {
    use crate::export::Cell;
    let mut header: Vec<String> = vec!["Avslutsmånad".into(), "Enhet".into(), "Avslut".into()];
    for h in HORIZONS {
        header.push(format!("Återkom inom {h} mån"));
        header.push(format!("Ej återkommit efter {h} mån"));
        header.push(format!("Följs ännu ({h} mån)"));
        header.push(format!("Andel ej återkommit {h} mån"));
    }
    let unit = f.unit.clone().unwrap_or_else(|| "Alla enheter".into());
    let row = |c: &Cohort| {
        let mut v = vec![Cell::from(c.exit_month.as_str()), Cell::from(unit.as_str()), Cell::from(c.exits)];
        for h in &c.horizons {
            v.push(Cell::from(h.returned));
            v.push(Cell::from(h.not_returned));
            v.push(Cell::from(h.still_to_follow));
            v.push(Cell::decimal(h.share_not_returned, 4));
        }
        v
    };
    let mut table = crate::export::Table::new(&header);
    table.rows = f.cohorts.iter().map(row).collect();
    table.rows.push(row(&f.total));
    table
}
