//! Human oversight (AI Act Art. 14 and 26; the Austrian VwGH's test of whether a score is
//! decisive in practice): how often brokers propose from the top of the ranking, further
//! down, or without it, and how often they mark someone the ranking put in the top ten as
//! not suitable. Per broker and per unit, over a period.

use std::collections::{BTreeMap, HashSet};

use diesel::prelude::*;
use serde::Serialize;

use super::exposure::Period;
use crate::clock::start_of_day_ts;
use crate::db::DbConnection;
use crate::db::schema::{placements, ranking_log, ranking_log_shown, seekers, shortlist};
use crate::error::AppResult;
use crate::ranking_log::ListKind;
use crate::shortlist::ShortlistStatus;

/// The top of a list, for oversight.
pub const TOP: i32 = 10;
/// The end of the band "further down".
pub const DEEP: i32 = 50;

/// One broker's or unit's proposals by where they came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = OversightCounts)]
pub struct Counts {
    /// From ranks 1–10 of the list the broker was looking at.
    pub from_top_10: i64,
    /// From ranks 11–50.
    pub from_11_to_50: i64,
    /// From further down, or without a list (a search, the profile).
    pub outside_list: i64,
    /// People on a top-10 of a candidate list of the opening whom a broker marked "not
    /// suitable" on its shortlist in the period: the ranking overridden.
    pub not_suitable_over_top_10: i64,
}

impl Counts {
    fn count(&mut self, rank: Option<i32>) {
        match rank {
            Some(r) if r <= TOP => self.from_top_10 += 1,
            Some(r) if r <= DEEP => self.from_11_to_50 += 1,
            _ => self.outside_list += 1,
        }
    }

    pub fn proposals(&self) -> i64 {
        self.from_top_10 + self.from_11_to_50 + self.outside_list
    }
}

/// A row of the oversight breakdown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = OversightGroup)]
pub struct Group {
    /// The broker's user id, or the unit; null: none recorded.
    pub key: Option<String>,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Oversight {
    pub total: Counts,
    pub by_broker: Vec<Group>,
    pub by_unit: Vec<Group>,
}

/// Proposals to openings made in the period (of `unit`), by where they came from.
pub fn figures(c: &mut DbConnection, p: Period, unit: Option<&str>) -> AppResult<Oversight> {
    let (from, to) = (start_of_day_ts(p.from), start_of_day_ts(p.to));
    let mut q = placements::table
        .filter(placements::opening_id.is_not_null())
        .filter(placements::created_at.ge(from))
        .filter(placements::created_at.lt(to))
        .into_boxed();
    if let Some(u) = unit {
        q = q.filter(placements::unit.eq(u.to_string()));
    }
    let proposals: Vec<(String, Option<String>, Option<i32>)> =
        q.select((placements::broker_id, placements::unit, placements::list_rank)).load(c)?;
    let mut total = Counts::default();
    let mut by_broker: BTreeMap<Option<String>, Counts> = BTreeMap::new();
    let mut by_unit: BTreeMap<Option<String>, Counts> = BTreeMap::new();
    for (broker, u, rank) in proposals {
        total.count(rank);
        by_broker.entry(Some(broker)).or_default().count(rank);
        by_unit.entry(u).or_default().count(rank);
    }
    // Marks in the period on people a list of the same opening had in its top ten (any list
    // still in the log, before or after the mark).
    let mut marks = shortlist::table
        .inner_join(seekers::table.on(seekers::id.eq(shortlist::seeker_id)))
        .filter(shortlist::status.eq(ShortlistStatus::NotSuitable))
        .filter(shortlist::updated_at.ge(from))
        .filter(shortlist::updated_at.lt(to))
        .into_boxed();
    if let Some(u) = unit {
        marks = marks.filter(seekers::unit.eq(u.to_string()));
    }
    let marks: Vec<(String, String, String, Option<String>)> =
        marks.select((shortlist::opening_id, shortlist::seeker_id, shortlist::added_by, seekers::unit)).load(c)?;
    let mut openings: Vec<&String> = marks.iter().map(|m| &m.0).collect();
    openings.sort();
    openings.dedup();
    let mut top: HashSet<(String, String)> = HashSet::new();
    for chunk in openings.chunks(500) {
        let rows: Vec<(Option<String>, Option<String>)> = ranking_log_shown::table
            .inner_join(ranking_log::table)
            .filter(ranking_log::list.eq(ListKind::Candidates))
            .filter(ranking_log::opening_id.eq_any(chunk.iter().map(|o| o.as_str())))
            .filter(ranking_log_shown::rank.le(TOP))
            .select((ranking_log::opening_id, ranking_log_shown::seeker_id))
            .load(c)?;
        top.extend(rows.into_iter().filter_map(|(o, s)| Some((o?, s?))));
    }
    for (opening, seeker, broker, u) in marks {
        if !top.contains(&(opening, seeker)) {
            continue;
        }
        total.not_suitable_over_top_10 += 1;
        by_broker.entry(Some(broker)).or_default().not_suitable_over_top_10 += 1;
        by_unit.entry(u).or_default().not_suitable_over_top_10 += 1;
    }
    let groups =
        |m: BTreeMap<Option<String>, Counts>| m.into_iter().map(|(key, counts)| Group { key, counts }).collect();
    Ok(Oversight { total, by_broker: groups(by_broker), by_unit: groups(by_unit) })
}
