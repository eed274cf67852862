//! Exposure: "Det är mer rättvist – alla blir synliggjorda, inte bara de som hörs och syns
//! mest", measured. Of the eligible active people of a period (those the candidate ranking
//! could show for at least one opening open in it), the share shown at least once in the top
//! [`TOP`] of a ranked list, the share proposed at least once, and the share never shown on
//! any list; by unit, by broker's caseload and by how long people have waited. The shown
//! lists come from the ranking log, so the figures are what brokers actually saw.
//!
//! Eligibility is read from the index as it is now (today's profiles against the openings
//! open in the period): a person who changed profile meanwhile is judged by the new one.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use crate::clock::start_of_day_ts;
use crate::db::DbConnection;
use crate::db::schema::{exposure_days, exposure_runs, openings, placements, ranking_log, ranking_log_shown, seekers};
use crate::error::{AppError, AppResult, Clash};
use crate::index::Lookup;
use crate::matching::rank::{OpeningProfile, reach};
use crate::openings::{Opening, OpeningStatus};
use crate::ranking_log::ListKind;
use crate::seekers::SeekerStatus;

/// "Shown" means on a page within this rank: a first page of candidates.
pub const TOP: i32 = 20;

/// The days the daily measurement (and the signal) looks back over.
pub const TRAILING_DAYS: u64 = 30;

/// A unit with fewer eligible people than this gets no signal: one person more or less would
/// swing the share.
pub const MIN_ELIGIBLE: i64 = 10;

/// A period of days `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The `days` before `today`, today included.
    pub fn trailing(today: NaiveDate, days: u64) -> Self {
        let to = today.succ_opt().expect("a next day");
        Self { from: to - chrono::Days::new(days), to }
    }

    fn instants(self) -> (i64, i64) {
        (start_of_day_ts(self.from), start_of_day_ts(self.to))
    }
}

/// Counts and shares of one group of eligible people.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = ExposureShares)]
pub struct Shares {
    pub eligible: i64,
    /// Shown at least once within the top [`TOP`] of a candidate list.
    pub shown_top: i64,
    pub proposed: i64,
    /// On no candidate list at all.
    pub never_shown: i64,
    pub shown_top_share: f64,
    pub proposed_share: f64,
    pub never_shown_share: f64,
}

impl Shares {
    fn add(&mut self, p: &Person) {
        self.eligible += 1;
        self.shown_top += i64::from(p.shown_top);
        self.proposed += i64::from(p.proposed);
        self.never_shown += i64::from(!p.shown);
    }

    fn finish(mut self) -> Self {
        let share = |n: i64| if self.eligible == 0 { 0.0 } else { round(n as f64 / self.eligible as f64) };
        self.shown_top_share = share(self.shown_top);
        self.proposed_share = share(self.proposed);
        self.never_shown_share = share(self.never_shown);
        self
    }
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

crate::text_enum! {
    /// How long a person has waited since registering or last being proposed, at the end of
    /// the period.
    pub enum WaitBand {
        UnderThreeMonths = "under_3_months",
        ThreeToSixMonths = "3_to_6_months",
        SixToTwelveMonths = "6_to_12_months",
        OverAYear = "over_12_months",
    }
}

impl WaitBand {
    fn of(days: i64) -> Self {
        match days {
            ..91 => Self::UnderThreeMonths,
            91..183 => Self::ThreeToSixMonths,
            183..366 => Self::SixToTwelveMonths,
            _ => Self::OverAYear,
        }
    }
}

/// One row of a breakdown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ExposureGroup)]
pub struct Group {
    /// The unit, the broker's user id, or the waiting band; null: none recorded.
    pub key: Option<String>,
    #[serde(flatten)]
    pub shares: Shares,
}

/// The exposure of a period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Exposure {
    pub from: NaiveDate,
    /// The day after the last.
    pub to: NaiveDate,
    pub unit: Option<String>,
    /// "Shown" is within this rank of a candidate list.
    pub top: i32,
    /// Openings open at some time in the period (whose candidate lists decide eligibility).
    pub openings: usize,
    pub total: Shares,
    pub by_unit: Vec<Group>,
    /// By the broker whose caseload the person is on (null: no broker).
    pub by_broker: Vec<Group>,
    pub by_waiting: Vec<Group>,
}

/// One eligible person, as the figures count them.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub unit: Option<String>,
    pub broker_id: Option<String>,
    pub waiting_since: i64,
    pub shown: bool,
    pub shown_top: bool,
    pub proposed: bool,
}

/// Openings open at some time in the period: open now, or changed (filled, closed) during it,
/// and made before it ended.
fn openings_of(c: &mut DbConnection, p: Period) -> AppResult<Vec<Opening>> {
    let (from, to) = p.instants();
    let ids: Vec<String> = openings::table
        .filter(openings::deleted_at.is_null())
        .filter(openings::created_at.lt(to))
        .filter(openings::status.eq(OpeningStatus::Open).or(openings::updated_at.ge(from)))
        .select(openings::id)
        .load(c)?;
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        out.extend(crate::openings::store::rows_by_ids(c, chunk)?.into_iter().map(Opening::from));
    }
    Ok(out)
}

/// People on a candidate list of the period: `(anywhere, within the top)`.
fn shown_in(c: &mut DbConnection, p: Period) -> AppResult<(HashSet<String>, HashSet<String>)> {
    let (from, to) = p.instants();
    let rows: Vec<(Option<String>, i32)> = ranking_log_shown::table
        .inner_join(ranking_log::table)
        .filter(ranking_log::list.eq(ListKind::Candidates))
        .filter(ranking_log::at.ge(from))
        .filter(ranking_log::at.lt(to))
        .filter(ranking_log_shown::seeker_id.is_not_null())
        .select((ranking_log_shown::seeker_id, ranking_log_shown::rank))
        .load(c)?;
    let mut any = HashSet::new();
    let mut top = HashSet::new();
    for (id, rank) in rows {
        let Some(id) = id else { continue };
        if rank <= TOP {
            top.insert(id.clone());
        }
        any.insert(id);
    }
    Ok((any, top))
}

/// id, unit, broker, registered, last proposed.
type SeekerRow = (String, Option<String>, Option<String>, i64, Option<i64>);

/// Everyone eligible in the period (of `unit`, when given), with what happened to them.
pub fn people(c: &mut DbConnection, at: Lookup<'_>, p: Period, unit: Option<&str>) -> AppResult<(Vec<Person>, usize)> {
    let openings = openings_of(c, p)?;
    let profiles: Vec<OpeningProfile> = openings.iter().map(OpeningProfile::new).collect();
    let eligible: HashSet<String> = reach::listable(&at.index.seekers, &profiles)
        .map_err(|e| AppError::Internal(e.context("reading who the ranking could show")))?
        .into_iter()
        .collect();
    let (shown, shown_top) = shown_in(c, p)?;
    let (from, to) = p.instants();
    let proposed: HashSet<String> = placements::table
        .filter(placements::created_at.ge(from))
        .filter(placements::created_at.lt(to))
        .select(placements::seeker_id)
        .load::<String>(c)?
        .into_iter()
        .collect();
    let mut q = seekers::table
        .filter(seekers::status.eq(SeekerStatus::Active))
        .filter(seekers::erased_at.is_null())
        .filter(seekers::registered_at.lt(to))
        .into_boxed();
    if let Some(u) = unit {
        q = q.filter(seekers::unit.eq(u.to_string()));
    }
    let rows: Vec<SeekerRow> = q
        .select((seekers::id, seekers::unit, seekers::broker_id, seekers::registered_at, seekers::last_proposed_at))
        .load(c)?;
    let mut out: Vec<Person> = rows
        .into_iter()
        .filter(|r| eligible.contains(&r.0))
        .map(|(id, unit, broker_id, registered_at, last_proposed_at)| Person {
            shown: shown.contains(&id),
            shown_top: shown_top.contains(&id),
            proposed: proposed.contains(&id),
            // A proposal after the period does not shorten the wait the period saw.
            waiting_since: last_proposed_at.filter(|&t| t < to).unwrap_or(registered_at),
            id,
            unit,
            broker_id,
        })
        .collect();
    out.sort_by(|a, b| a.waiting_since.cmp(&b.waiting_since).then(a.id.cmp(&b.id)));
    Ok((out, openings.len()))
}

/// The exposure report of a period.
pub fn report(c: &mut DbConnection, at: Lookup<'_>, p: Period, unit: Option<&str>) -> AppResult<Exposure> {
    let (people, openings) = people(c, at, p, unit)?;
    Ok(summarise(&people, openings, p, unit))
}

/// The figures of the eligible `people` of a period (from [`people`]).
pub fn summarise(people: &[Person], openings: usize, p: Period, unit: Option<&str>) -> Exposure {
    let end = start_of_day_ts(p.to);
    let mut total = Shares::default();
    let mut by_unit: BTreeMap<Option<String>, Shares> = BTreeMap::new();
    let mut by_broker: BTreeMap<Option<String>, Shares> = BTreeMap::new();
    let mut by_waiting: BTreeMap<WaitBand, Shares> = WaitBand::ALL.iter().map(|b| (*b, Shares::default())).collect();
    for person in people {
        total.add(person);
        by_unit.entry(person.unit.clone()).or_default().add(person);
        by_broker.entry(person.broker_id.clone()).or_default().add(person);
        let band = WaitBand::of((end - person.waiting_since).max(0) / 86_400);
        by_waiting.entry(band).or_default().add(person);
    }
    let groups = |m: BTreeMap<Option<String>, Shares>| -> Vec<Group> {
        m.into_iter().map(|(key, s)| Group { key, shares: s.finish() }).collect()
    };
    Exposure {
        from: p.from,
        to: p.to,
        unit: unit.map(str::to_string),
        top: TOP,
        openings,
        total: total.finish(),
        by_unit: groups(by_unit),
        by_broker: groups(by_broker),
        by_waiting: by_waiting
            .into_iter()
            .map(|(b, s)| Group { key: Some(b.as_str().to_string()), shares: s.finish() })
            .collect(),
    }
}

/// The daily measurement behind the signal: once a day (the first process to claim the day),
/// each unit's exposure over the trailing [`TRAILING_DAYS`] is stored. Returns the units
/// measured, or `None` when the day was already claimed.
pub fn daily(c: &mut DbConnection, at: Lookup<'_>) -> AppResult<Option<usize>> {
    let today = crate::clock::stockholm_date(at.now);
    let day = today.to_string();
    let done: i64 = exposure_runs::table.filter(exposure_runs::day.eq(&day)).count().get_result(c)?;
    if done > 0 {
        return Ok(None);
    }
    let claimed = crate::db::write_tx(c, |c| {
        diesel::insert_into(exposure_runs::table)
            .values((exposure_runs::day.eq(&day), exposure_runs::started_at.eq(at.now)))
            .execute(c)?;
        Ok(())
    });
    match claimed {
        Ok(()) => {}
        Err(AppError::Conflict { clash: Clash::Unique, .. }) => return Ok(None),
        Err(e) => return Err(e),
    }
    // The 30 whole days before today: today's lists are still being looked at.
    let r = report(c, at, Period::trailing(today.pred_opt().unwrap_or(today), TRAILING_DAYS), None)?;
    let units: Vec<&Group> = r.by_unit.iter().filter(|g| g.key.is_some()).collect();
    crate::db::write_tx(c, |c| {
        for g in &units {
            diesel::insert_into(exposure_days::table)
                .values((
                    exposure_days::day.eq(&day),
                    exposure_days::unit.eq(g.key.as_deref().unwrap_or_default()),
                    exposure_days::eligible.eq(g.shares.eligible),
                    exposure_days::shown_top.eq(g.shares.shown_top),
                    exposure_days::proposed.eq(g.shares.proposed),
                    exposure_days::never_shown.eq(g.shares.never_shown),
                ))
                .execute(c)?;
        }
        diesel::update(exposure_runs::table.find(&day)).set(exposure_runs::finished_at.eq(at.now)).execute(c)?;
        Ok::<_, AppError>(())
    })?;
    Ok(Some(units.len()))
}

/// A unit's latest stored measurement: day, eligible, never shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub day: String,
    pub unit: String,
    pub eligible: i64,
    pub never_shown: i64,
}

/// Each unit's newest measurement (what the signal reads).
pub fn latest(c: &mut DbConnection) -> AppResult<Vec<Measured>> {
    let Some(day) = exposure_days::table.select(diesel::dsl::max(exposure_days::day)).first::<Option<String>>(c)?
    else {
        return Ok(Vec::new());
    };
    let rows: Vec<(String, String, i64, i64)> = exposure_days::table
        .filter(exposure_days::day.eq(&day))
        .order(exposure_days::unit)
        .select((exposure_days::day, exposure_days::unit, exposure_days::eligible, exposure_days::never_shown))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|(day, unit, eligible, never_shown)| Measured { day, unit, eligible, never_shown })
        .collect())
}

/// Names of units and brokers for the breakdowns.
pub fn broker_names(c: &mut DbConnection, r: &Exposure) -> AppResult<HashMap<String, String>> {
    let ids: Vec<String> = r.by_broker.iter().filter_map(|g| g.key.clone()).collect();
    crate::audit::user_names(c, &ids)
}
