//! "Dagens förslag", the digital colleague: each morning (from `matching.daily_hour`) and
//! within a tick of a new opening (API or Platsbanken), every open opening's best candidates
//! who are on no list of it yet (not on its shortlist, "ej aktuell" included, not proposed,
//! never suggested for it before) and score at least `matching.daily_min_score` are put in
//! front of their broker: at most `matching.daily_per_broker` a day each, one opening per
//! person a day (their best), and among near-equal scores whoever has waited longest since
//! last shown first. The broker shortlists or dismisses each with a reason; both are kept.
//! Nothing goes to employers.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::Ranked;
use super::rank::{OpeningProfile, candidates};
use crate::auth::Principal;
use crate::clock::stockholm_date;
use crate::config::MatchingSettings;
use crate::db::schema::{daily_matches, matched_openings, placements, seekers, shortlist};
use crate::db::{DbConnection, write_tx};
use crate::error::{AppError, AppResult, Clash, Thing};
use crate::index::{Lookup, Side};
use crate::privacy::Reader;

crate::text_enum! {
    /// What the broker did with a suggestion.
    pub enum MatchState {
        New = "new",
        Shortlisted = "shortlisted",
        Dismissed = "dismissed",
    }
}

crate::text_enum! {
    /// Why a broker dismissed a suggestion.
    pub enum DismissReason {
        NotSuitable = "not_suitable",
        NotAvailable = "not_available",
        AlreadyInContact = "already_in_contact",
        Other = "other",
    }
}

impl crate::labels::Label for MatchState {
    fn label(self) -> &'static str {
        match self {
            MatchState::New => "nytt förslag",
            MatchState::Shortlisted => "lagd på kortlistan",
            MatchState::Dismissed => "avfärdat",
        }
    }
}

impl crate::labels::Label for DismissReason {
    fn label(self) -> &'static str {
        match self {
            DismissReason::NotSuitable => "Passar inte för tjänsten",
            DismissReason::NotAvailable => "Inte tillgänglig nu",
            DismissReason::AlreadyInContact => "Redan i kontakt om tjänsten",
            DismissReason::Other => "Annat skäl",
        }
    }
}

/// How many of each opening's best are considered.
const PER_OPENING: usize = 30;

/// One opening to match, and who is already on one of its lists.
pub struct ToMatch {
    pub opening_id: String,
    pub profile: OpeningProfile,
    pub exclude: Vec<String>,
}

/// Ranks each opening's best on every core: (index into `todo`, its ranked hits). Pure over
/// the index, so the benchmark times exactly this.
pub fn rank_all(
    side: &Side,
    todo: &[ToMatch],
    weights: &MatchingSettings,
) -> anyhow::Result<Vec<(usize, Vec<Ranked>)>> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(todo.len().max(1));
    let chunk = todo.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = todo
            .chunks(chunk)
            .enumerate()
            .map(|(n, part)| {
                s.spawn(move || -> anyhow::Result<Vec<(usize, Vec<Ranked>)>> {
                    part.iter()
                        .enumerate()
                        .map(|(i, t)| {
                            Ok((n * chunk + i, candidates(side, &t.profile, weights, &t.exclude, PER_OPENING, 0)?.0))
                        })
                        .collect()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(todo.len());
        for h in handles {
            out.extend(h.join().map_err(|_| anyhow::anyhow!("a ranking thread panicked"))??);
        }
        Ok(out)
    })
}

/// A suggestion before the day's allocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub opening_id: String,
    pub seeker_id: String,
    pub broker_id: String,
    pub score: f64,
    /// Since when the person has waited to be shown (last proposal, or registration).
    pub waiting_since: i64,
}

/// The day's suggestions: one (the best) per person, none for people already suggested
/// today, best scores first with near-equal ones (within `margin` of the first of their band)
/// ordered by the longest wait, and at most `cap` a day per broker (`taken` today already).
pub fn allocate(
    all: Vec<Suggestion>,
    taken: &HashMap<String, usize>,
    suggested_today: &HashSet<String>,
    cap: usize,
    margin: f64,
) -> Vec<Suggestion> {
    let mut best: HashMap<String, Suggestion> = HashMap::new();
    for s in all.into_iter().filter(|s| !suggested_today.contains(&s.seeker_id)) {
        match best.get(&s.seeker_id) {
            Some(b) if (b.score, &s.opening_id) >= (s.score, &b.opening_id) => {}
            _ => {
                best.insert(s.seeker_id.clone(), s);
            }
        }
    }
    let mut list: Vec<Suggestion> = best.into_values().collect();
    list.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.seeker_id.cmp(&b.seeker_id)));
    // Bands of near-equal scores, each ordered by the wait.
    let mut ordered = Vec::with_capacity(list.len());
    let mut i = 0;
    while i < list.len() {
        let top = list[i].score;
        let end = list[i..].iter().position(|s| top - s.score > margin).map_or(list.len(), |p| i + p);
        let mut band = list[i..end].to_vec();
        band.sort_by(|a, b| a.waiting_since.cmp(&b.waiting_since).then_with(|| a.seeker_id.cmp(&b.seeker_id)));
        ordered.extend(band);
        i = end;
    }
    let mut used: HashMap<String, usize> = taken.clone();
    ordered
        .into_iter()
        .filter(|s| {
            let n = used.entry(s.broker_id.clone()).or_default();
            if *n >= cap {
                return false;
            }
            *n += 1;
            true
        })
        .collect()
}

/// What a run did.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub openings: usize,
    pub suggested: usize,
    pub ranking_ms: u128,
}

fn local_hour(now: i64) -> u32 {
    use chrono::Timelike;
    chrono::DateTime::<chrono::Utc>::from_timestamp(now, 0)
        .unwrap_or_default()
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .hour()
}

/// Who is already on one of these openings' lists (placements, shortlist, earlier suggestions).
fn listed(c: &mut DbConnection, ids: &[String]) -> AppResult<HashMap<String, Vec<String>>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(Option<String>, String)> = placements::table
            .filter(placements::opening_id.eq_any(chunk))
            .select((placements::opening_id, placements::seeker_id))
            .load(c)?;
        for (o, s) in rows {
            out.entry(o.unwrap_or_default()).or_default().push(s);
        }
        let rows: Vec<(String, String)> = shortlist::table
            .filter(shortlist::opening_id.eq_any(chunk))
            .select((shortlist::opening_id, shortlist::seeker_id))
            .load(c)?;
        let more: Vec<(String, String)> = daily_matches::table
            .filter(daily_matches::opening_id.eq_any(chunk))
            .select((daily_matches::opening_id, daily_matches::seeker_id))
            .load(c)?;
        for (o, s) in rows.into_iter().chain(more) {
            out.entry(o).or_default().push(s);
        }
    }
    Ok(out)
}

/// The run, if one is due: from `matching.daily_hour` every open opening not matched today;
/// before it, only openings made today. Each process claims the openings it matches (one row
/// per opening and day), so N processes match each once. Cheap when nothing is due (ids only),
/// so it runs at every tick.
pub fn run(c: &mut DbConnection, at: Lookup<'_>) -> AppResult<Option<RunReport>> {
    let s = at.weights;
    let now = at.now;
    if s.daily_per_broker == 0 {
        return Ok(None);
    }
    let today = stockholm_date(now);
    let day = today.to_string();
    let morning = local_hour(now) >= s.daily_hour;
    let claimed: HashSet<String> = matched_openings::table
        .filter(matched_openings::day.eq(&day))
        .select(matched_openings::opening_id)
        .load::<String>(c)?
        .into_iter()
        .collect();
    let ids: Vec<String> = crate::openings::store::open_ids(c)?
        .into_iter()
        .filter(|(_, _, deadline)| deadline.as_ref().is_none_or(|d| d.date() >= today))
        .filter(|(_, created, _)| morning || stockholm_date(*created) == today)
        .filter(|(id, _, _)| !claimed.contains(id))
        .map(|(id, _, _)| id)
        .collect();
    if ids.is_empty() {
        return Ok(None);
    }
    let claim = write_tx(c, |c| {
        for chunk in ids.chunks(300) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|id| {
                    (
                        matched_openings::opening_id.eq(id),
                        matched_openings::day.eq(&day),
                        matched_openings::matched_at.eq(now),
                    )
                })
                .collect();
            crate::insert_rows!(c, matched_openings::table, rows)?;
        }
        Ok(())
    });
    match claim {
        Ok(()) => {}
        // Another process took these openings a moment earlier.
        Err(AppError::Conflict { clash: Clash::Unique, .. }) => return Ok(None),
        Err(e) => return Err(e),
    }
    let mut open: Vec<crate::openings::Opening> = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        open.extend(crate::openings::store::rows_by_ids(c, chunk)?.into_iter().map(crate::openings::Opening::from));
    }
    let mut lists = listed(c, &ids)?;
    let todo: Vec<ToMatch> = open
        .iter()
        .map(|o| ToMatch {
            opening_id: o.id.clone(),
            profile: OpeningProfile::new(o),
            exclude: lists.remove(&o.id).unwrap_or_default(),
        })
        .collect();
    let started = std::time::Instant::now();
    let ranked = rank_all(&at.index.seekers, &todo, s).map_err(|e| AppError::Internal(e.context("daily matches")))?;
    let ranking_ms = started.elapsed().as_millis();

    let mut hits: Vec<(String, Ranked)> = Vec::new();
    for (i, page) in ranked {
        hits.extend(page.into_iter().filter(|r| r.score >= s.daily_min_score).map(|r| (todo[i].opening_id.clone(), r)));
    }
    let people: Vec<String> = hits.iter().map(|(_, r)| r.id.clone()).collect::<HashSet<_>>().into_iter().collect();
    let mut brokers: HashMap<String, String> = HashMap::new();
    for chunk in people.chunks(500) {
        let rows: Vec<(String, Option<String>)> = seekers::table
            .filter(seekers::id.eq_any(chunk))
            .filter(seekers::erased_at.is_null())
            .filter(seekers::status.eq(crate::seekers::SeekerStatus::Active))
            .select((seekers::id, seekers::broker_id))
            .load(c)?;
        brokers.extend(rows.into_iter().filter_map(|(id, b)| Some((id, b?))));
    }
    let all: Vec<Suggestion> = hits
        .into_iter()
        .filter_map(|(opening_id, r)| {
            Some(Suggestion {
                broker_id: brokers.get(&r.id)?.clone(),
                opening_id,
                score: (r.score * 10_000.0).round() / 10_000.0,
                waiting_since: r.explanation.waiting_since,
                seeker_id: r.id,
            })
        })
        .collect();
    let inserted = write_tx(c, |c| {
        let today_rows: Vec<(String, String)> = daily_matches::table
            .filter(daily_matches::day.eq(&day))
            .select((daily_matches::broker_id, daily_matches::seeker_id))
            .load(c)?;
        let mut taken: HashMap<String, usize> = HashMap::new();
        for (b, _) in &today_rows {
            *taken.entry(b.clone()).or_default() += 1;
        }
        let suggested: HashSet<String> = today_rows.into_iter().map(|(_, s)| s).collect();
        let chosen = allocate(all, &taken, &suggested, s.daily_per_broker as usize, s.fairness_margin);
        for chunk in chosen.chunks(300) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|x| {
                    (
                        daily_matches::opening_id.eq(&x.opening_id),
                        daily_matches::seeker_id.eq(&x.seeker_id),
                        daily_matches::broker_id.eq(&x.broker_id),
                        daily_matches::day.eq(&day),
                        daily_matches::score.eq(x.score),
                        daily_matches::state.eq(MatchState::New),
                        daily_matches::created_at.eq(now),
                    )
                })
                .collect();
            crate::insert_rows!(c, daily_matches::table, rows)?;
        }
        Ok::<usize, AppError>(chosen.len())
    })?;
    Ok(Some(RunReport { openings: todo.len(), suggested: inserted, ranking_ms }))
}

/// A suggestion as its broker sees it: who, for what, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DailyMatch {
    pub opening_id: String,
    pub headline: String,
    pub seeker_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub broker_id: String,
    pub day: String,
    pub score: f64,
    pub state: MatchState,
    pub dismiss_reason: Option<DismissReason>,
    pub explanation: super::Explanation,
}

/// A day's suggestions for a broker (`broker`: theirs; none: everyone's), the best first;
/// the people are read through the privacy gate (audited) and explained against their
/// current profile.
pub fn of_day(
    c: &mut DbConnection,
    at: Lookup<'_>,
    r: &Reader,
    broker: Option<&str>,
    day: NaiveDate,
) -> AppResult<Vec<DailyMatch>> {
    type Row = (String, String, String, String, f64, MatchState, Option<DismissReason>);
    let mut q = daily_matches::table
        .filter(daily_matches::day.eq(day.to_string()))
        .order((daily_matches::score.desc(), daily_matches::seeker_id))
        .select((
            daily_matches::opening_id,
            daily_matches::seeker_id,
            daily_matches::broker_id,
            daily_matches::day,
            daily_matches::score,
            daily_matches::state,
            daily_matches::dismiss_reason,
        ))
        .into_boxed();
    if let Some(b) = broker {
        q = q.filter(daily_matches::broker_id.eq(b.to_string()));
    }
    let rows: Vec<Row> = q.limit(500).load(c)?;
    let ids: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    let people: HashMap<String, crate::seekers::Seeker> =
        crate::seekers::service::people(c, r, &ids)?.into_iter().map(|s| (s.id.clone(), s)).collect();
    let openings: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let openings: HashMap<String, crate::openings::Opening> = crate::openings::store::rows_by_ids(c, &openings)?
        .into_iter()
        .map(|row| (row.id.clone(), crate::openings::Opening::from(row)))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|(opening_id, seeker_id, broker_id, day, score, state, dismiss_reason)| {
            let s = people.get(&seeker_id)?;
            let o = openings.get(&opening_id)?;
            let profile = super::rank::SeekerProfile::new(s);
            let (_, mut explanation) = super::rank::explain_opening(at.weights, &profile, o, 0.0);
            explanation.waiting_since = s.last_proposed_at.unwrap_or(s.registered_at);
            Some(DailyMatch {
                headline: o.headline.clone(),
                first_name: s.first_name.clone(),
                last_name: s.last_name.clone(),
                opening_id,
                seeker_id,
                broker_id,
                day,
                score,
                state,
                dismiss_reason,
                explanation,
            })
        })
        .collect())
}

/// The suggestion, if it is `who`'s (an admin acts on anyone's): 404 otherwise.
fn own(c: &mut DbConnection, who: &Principal, opening: &str, seeker: &str) -> AppResult<MatchState> {
    let row: Option<(String, MatchState)> = daily_matches::table
        .find((opening, seeker))
        .select((daily_matches::broker_id, daily_matches::state))
        .first(c)
        .optional()?;
    match row {
        Some((broker, state)) if broker == who.user_id || who.role == crate::auth::Role::Admin => Ok(state),
        _ => Err(AppError::NotFound(Thing::Resource)),
    }
}

fn mark(
    c: &mut DbConnection,
    now: i64,
    (opening, seeker): (&str, &str),
    state: MatchState,
    reason: Option<DismissReason>,
) -> AppResult<()> {
    diesel::update(daily_matches::table.find((opening, seeker)))
        .set((
            daily_matches::state.eq(state),
            daily_matches::dismiss_reason.eq(reason),
            daily_matches::acted_at.eq(now),
        ))
        .execute(c)?;
    Ok(())
}

/// The broker puts the suggested person on the opening's shortlist (as any shortlisting).
pub fn shortlist(c: &mut DbConnection, r: &Reader, (opening, seeker): (&str, &str)) -> AppResult<()> {
    if own(c, &r.who, opening, seeker)? != MatchState::New {
        return Err(AppError::conflict(Clash::MatchHandled, "this suggestion has already been acted on"));
    }
    let input = crate::shortlist::EntryInput { seeker_id: Some(seeker.to_string()), ..Default::default() };
    match crate::shortlist::add(c, r.now, r.today, &r.who, opening, &input) {
        // Put there by hand meanwhile: the suggestion is taken care of all the same.
        Ok(_) | Err(AppError::Conflict { clash: Clash::Duplicate, .. }) => {}
        Err(e) => return Err(e),
    }
    write_tx(c, |c| mark(c, r.now, (opening, seeker), MatchState::Shortlisted, None))
}

/// The broker dismisses a suggestion, with a reason.
pub fn dismiss(
    c: &mut DbConnection,
    r: &Reader,
    (opening, seeker): (&str, &str),
    reason: DismissReason,
) -> AppResult<()> {
    write_tx(c, |c| {
        if own(c, &r.who, opening, seeker)? != MatchState::New {
            return Err(AppError::conflict(Clash::MatchHandled, "this suggestion has already been acted on"));
        }
        mark(c, r.now, (opening, seeker), MatchState::Dismissed, Some(reason))
    })
}

/// Today's new suggestions as signals: (opening, seeker, broker).
pub fn new_today(
    c: &mut DbConnection,
    day: NaiveDate,
    broker: Option<&str>,
) -> AppResult<Vec<(String, String, String)>> {
    let mut q = daily_matches::table
        .filter(daily_matches::day.eq(day.to_string()))
        .filter(daily_matches::state.eq(MatchState::New))
        .select((daily_matches::opening_id, daily_matches::seeker_id, daily_matches::broker_id))
        .into_boxed();
    if let Some(b) = broker {
        q = q.filter(daily_matches::broker_id.eq(b.to_string()));
    }
    Ok(q.load(c)?)
}

/// What became of the suggestions made in a period: how many were shortlisted, dismissed
/// (by reason) or are still open. How often brokers follow the digital colleague.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Outcomes {
    pub suggested: i64,
    pub shortlisted: i64,
    pub dismissed: i64,
    pub open: i64,
    /// Dismissals per reason.
    pub dismissed_because: std::collections::BTreeMap<String, i64>,
}

/// Outcomes of the suggestions made on the days `[from, to)`.
pub fn outcomes(c: &mut DbConnection, from: NaiveDate, to: NaiveDate) -> AppResult<Outcomes> {
    let rows: Vec<(MatchState, Option<DismissReason>)> = daily_matches::table
        .filter(daily_matches::day.ge(from.to_string()))
        .filter(daily_matches::day.lt(to.to_string()))
        .select((daily_matches::state, daily_matches::dismiss_reason))
        .load(c)?;
    let mut o = Outcomes { suggested: rows.len() as i64, ..Default::default() };
    for (state, reason) in rows {
        match state {
            MatchState::New => o.open += 1,
            MatchState::Shortlisted => o.shortlisted += 1,
            MatchState::Dismissed => {
                o.dismissed += 1;
                *o.dismissed_because.entry(reason.map_or("other", |r| r.as_str()).to_string()).or_default() += 1;
            }
        }
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(opening: &str, seeker: &str, broker: &str, score: f64, waiting_since: i64) -> Suggestion {
        Suggestion {
            opening_id: opening.into(),
            seeker_id: seeker.into(),
            broker_id: broker.into(),
            score,
            waiting_since,
        }
    }

    #[test]
    fn each_broker_gets_at_most_the_cap_the_best_first_and_the_longest_waiting_among_equals() {
        let all = vec![
            s("o1", "a1", "A", 0.90, 100),
            s("o1", "a2", "A", 0.89, 50), // near-equal to a1, waited longer: first
            s("o1", "a3", "A", 0.70, 10),
            s("o2", "a1", "A", 0.95, 100), // a1's best opening is o2
            s("o1", "b1", "B", 0.80, 10),
            s("o1", "done", "B", 0.99, 1),
        ];
        let suggested: HashSet<String> = ["done".to_string()].into();
        let taken: HashMap<String, usize> = [("B".to_string(), 1)].into();
        let got = allocate(all, &taken, &suggested, 2, 0.02);
        let ids: Vec<(&str, &str)> = got.iter().map(|x| (x.seeker_id.as_str(), x.opening_id.as_str())).collect();
        // a1 at 0.95 is alone in its band; a2 (0.89) and a3 below; A's cap is 2; B had 1 of 2.
        assert_eq!(ids, vec![("a1", "o2"), ("a2", "o1"), ("b1", "o1")]);
        let band = allocate(
            vec![s("o", "x", "A", 0.90, 100), s("o", "y", "A", 0.89, 50)],
            &HashMap::new(),
            &HashSet::new(),
            5,
            0.02,
        );
        assert_eq!(band[0].seeker_id, "y", "within the margin, the longer wait first");
    }
}
