//! The ranking log (EU AI Act Art. 12, 19 and 26): every ranked list served, on a page or over
//! the API — candidates for an opening, openings for a person — with when, who, through which
//! route, the ranking version that made it (weights and rules, hashed; the text kept once per
//! version), the filters, the total, and the ids and scores on the page. Written in the same
//! transaction as the list's audit rows, so what was shown is what was logged.
//!
//! Kept `accountability.log_months` (at least six), then deleted by the daily retention run.
//! An erasure removes the person's id (`privacy::erasure`); the fact that a list was shown
//! stays. Proposals name the list they came from (`placements.ranking_log_id`), which is how
//! human oversight is measured.

pub mod http;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::Principal;
use crate::db::schema::{audit_log, ranking_log, ranking_log_shown, ranking_versions};
use crate::db::{DbConnection, new_id};
use crate::error::{AppError, AppResult, Fault};

crate::text_enum! {
    /// Which ranked list was served.
    pub enum ListKind {
        /// People ranked for an opening.
        Candidates = "candidates",
        /// Open openings ranked for a person.
        Openings = "openings",
    }
}

/// A ranking version: the weights and rules in force, as text, and the text's hash (the first
/// 16 hex digits of its SHA-256), which every list names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub hash: String,
    pub text: String,
}

impl Version {
    pub fn of(text: String) -> Self {
        let hash = hex::encode(Sha256::digest(text.as_bytes()))[..16].to_string();
        Self { hash, text }
    }
}

/// One row of a list as shown: its rank (1 is first), the person or the opening, the score.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = RankingLogShown)]
pub struct Shown {
    pub rank: i32,
    /// The person (candidate lists); null after their erasure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seeker_id: Option<String>,
    /// The opening (openings lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opening_id: Option<String>,
    pub score: f64,
}

/// A list being served, to be logged.
pub struct Served<'a> {
    pub who: &'a Principal,
    pub list: ListKind,
    /// The audit action: the route pattern or page that served it.
    pub route: &'a str,
    pub opening_id: Option<&'a str>,
    /// The person an openings list was made for.
    pub seeker_id: Option<&'a str>,
    pub version: &'a Version,
    /// The filters asked for (codes and dates only), as JSON.
    pub filters: serde_json::Value,
    pub total: i64,
    pub shown: Vec<Shown>,
}

/// Rows per insert of shown items: five parameters each.
const SHOWN_BATCH: usize = 1000;

/// Logs a served list; returns its id (what a proposal from it names). Call inside the
/// transaction that audits the page.
pub fn record(c: &mut DbConnection, now: i64, s: Served<'_>) -> AppResult<String> {
    remember_version(c, s.version, now)?;
    let id = new_id();
    let first_rank = s.shown.first().map_or(0, |x| x.rank);
    diesel::insert_into(ranking_log::table)
        .values((
            ranking_log::id.eq(&id),
            ranking_log::at.eq(now),
            ranking_log::user_id.eq(&s.who.user_id),
            ranking_log::role.eq(s.who.role.as_str()),
            ranking_log::list.eq(s.list),
            ranking_log::route.eq(s.route),
            ranking_log::opening_id.eq(s.opening_id),
            ranking_log::seeker_id.eq(s.seeker_id),
            ranking_log::version.eq(&s.version.hash),
            ranking_log::filters.eq(s.filters.to_string()),
            ranking_log::total.eq(s.total),
            ranking_log::first_rank.eq(first_rank),
        ))
        .execute(c)?;
    for chunk in s.shown.chunks(SHOWN_BATCH) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|x| {
                (
                    ranking_log_shown::log_id.eq(&id),
                    ranking_log_shown::rank.eq(x.rank),
                    ranking_log_shown::seeker_id.eq(&x.seeker_id),
                    ranking_log_shown::opening_id.eq(&x.opening_id),
                    ranking_log_shown::score.eq(x.score),
                )
            })
            .collect();
        crate::insert_rows!(c, ranking_log_shown::table, rows)?;
    }
    Ok(id)
}

/// Stores the version's text the first time a list names it (any process, any day).
fn remember_version(c: &mut DbConnection, v: &Version, now: i64) -> AppResult<()> {
    use diesel::sql_types::{BigInt, Text};
    // One statement whichever process gets there first: a unique violation would abort the
    // surrounding transaction on PostgreSQL.
    let sql = "INSERT INTO ranking_versions (hash, text, first_used_at) VALUES ({1}, {2}, {3}) \
               ON CONFLICT (hash) DO NOTHING";
    match c {
        DbConnection::Sqlite(c) => diesel::sql_query(sql.replace("{1}", "?").replace("{2}", "?").replace("{3}", "?"))
            .bind::<Text, _>(&v.hash)
            .bind::<Text, _>(&v.text)
            .bind::<BigInt, _>(now)
            .execute(c)?,
        DbConnection::Postgres(c) => {
            diesel::sql_query(sql.replace("{1}", "$1").replace("{2}", "$2").replace("{3}", "$3"))
                .bind::<Text, _>(&v.hash)
                .bind::<Text, _>(&v.text)
                .bind::<BigInt, _>(now)
                .execute(c)?
        }
    };
    Ok(())
}

/// The rank a proposal came from: the person's (or, on an openings list, the opening's) place
/// on the logged list `log_id`, which must be a list of this opening (or of this person).
/// A list that does not hold the pair is a mistake of the caller's (422 on `ranking_log_id`).
pub fn rank_on(c: &mut DbConnection, log_id: &str, opening_id: &str, seeker_id: &str) -> AppResult<i32> {
    let list: Option<(ListKind, Option<String>, Option<String>)> = ranking_log::table
        .find(log_id)
        .select((ranking_log::list, ranking_log::opening_id, ranking_log::seeker_id))
        .first(c)
        .optional()?;
    let not_on = || AppError::field("ranking_log_id", Fault::Mismatch, "the person was not on this list");
    let rank: Option<i32> = match list {
        None => return Err(AppError::field("ranking_log_id", Fault::NotFound, "no logged list with this id")),
        Some((ListKind::Candidates, Some(o), _)) if o == opening_id => ranking_log_shown::table
            .filter(ranking_log_shown::log_id.eq(log_id))
            .filter(ranking_log_shown::seeker_id.eq(seeker_id))
            .select(ranking_log_shown::rank)
            .first(c)
            .optional()?,
        Some((ListKind::Openings, _, Some(s))) if s == seeker_id => ranking_log_shown::table
            .filter(ranking_log_shown::log_id.eq(log_id))
            .filter(ranking_log_shown::opening_id.eq(opening_id))
            .select(ranking_log_shown::rank)
            .first(c)
            .optional()?,
        Some(_) => None,
    };
    rank.ok_or_else(not_on)
}

/// A logged list, as the admins' review reads it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = RankingLogEntry)]
pub struct Entry {
    pub id: String,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: i64,
    pub user_id: String,
    pub role: String,
    pub list: ListKind,
    pub route: String,
    pub opening_id: Option<String>,
    pub seeker_id: Option<String>,
    /// The ranking version's hash (its text: `GET /api/v1/accountability/document`).
    pub version: String,
    #[schema(value_type = Object)]
    pub filters: serde_json::Value,
    pub total: i64,
    pub shown: Vec<Shown>,
}

/// What the review narrows to: an opening, a person (on a list, or a list made for them),
/// and the days `[from, to]`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub opening_id: Option<String>,
    pub seeker_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// log, rank, person, opening, score.
type ShownRow = (String, i32, Option<String>, Option<String>, f64);

type LogRow = (String, i64, String, String, ListKind, String, Option<String>, Option<String>, String, String, i64);

/// The logged lists the filter names, newest first, with what each showed.
pub fn list(c: &mut DbConnection, f: &Filter, limit: i64, offset: i64) -> AppResult<(Vec<Entry>, i64)> {
    let showing = match &f.seeker_id {
        Some(s) => lists_showing(c, s)?,
        None => Vec::new(),
    };
    let query = || {
        let mut q = ranking_log::table.into_boxed();
        if let Some(o) = &f.opening_id {
            q = q.filter(ranking_log::opening_id.eq(o.clone()));
        }
        if let Some(s) = &f.seeker_id {
            q = q.filter(ranking_log::seeker_id.eq(s.clone()).or(ranking_log::id.eq_any(showing.clone())));
        }
        if let Some(from) = f.from {
            q = q.filter(ranking_log::at.ge(crate::clock::start_of_day_ts(from)));
        }
        if let Some(to) = f.to {
            q = q.filter(ranking_log::at.lt(crate::clock::start_of_day_ts(to + chrono::Days::new(1))));
        }
        q
    };
    let total: i64 = query().count().get_result(c)?;
    let rows: Vec<LogRow> = query()
        .order((ranking_log::at.desc(), ranking_log::id.desc()))
        .limit(limit)
        .offset(offset)
        .select((
            ranking_log::id,
            ranking_log::at,
            ranking_log::user_id,
            ranking_log::role,
            ranking_log::list,
            ranking_log::route,
            ranking_log::opening_id,
            ranking_log::seeker_id,
            ranking_log::version,
            ranking_log::filters,
            ranking_log::total,
        ))
        .load(c)?;
    let ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
    let mut shown: std::collections::HashMap<String, Vec<Shown>> = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let items: Vec<ShownRow> = ranking_log_shown::table
            .filter(ranking_log_shown::log_id.eq_any(chunk.iter().map(|s| s.as_str())))
            .order((ranking_log_shown::log_id, ranking_log_shown::rank))
            .select((
                ranking_log_shown::log_id,
                ranking_log_shown::rank,
                ranking_log_shown::seeker_id,
                ranking_log_shown::opening_id,
                ranking_log_shown::score,
            ))
            .load(c)?;
        for (log, rank, seeker_id, opening_id, score) in items {
            shown.entry(log).or_default().push(Shown { rank, seeker_id, opening_id, score });
        }
    }
    let entries = rows
        .into_iter()
        .map(|(id, at, user_id, role, list, route, opening_id, seeker_id, version, filters, total)| Entry {
            shown: shown.remove(&id).unwrap_or_default(),
            filters: serde_json::from_str(&filters).unwrap_or(serde_json::Value::Null),
            id,
            at,
            user_id,
            role,
            list,
            route,
            opening_id,
            seeker_id,
            version,
            total,
        })
        .collect();
    Ok((entries, total))
}

/// The lists that showed the person, found through the audit rows written with each list
/// (same instant, same user): the shown rows have no index on the person (see the migration).
pub fn lists_showing(c: &mut DbConnection, seeker_id: &str) -> AppResult<Vec<String>> {
    let candidates: Vec<String> = audit_log::table
        .inner_join(
            ranking_log::table.on(ranking_log::at.eq(audit_log::at).and(ranking_log::user_id.eq(audit_log::user_id))),
        )
        .filter(audit_log::seeker_id.eq(seeker_id))
        .select(ranking_log::id)
        .distinct()
        .load(c)?;
    let mut out = Vec::new();
    for chunk in candidates.chunks(500) {
        out.extend(
            ranking_log_shown::table
                .filter(ranking_log_shown::log_id.eq_any(chunk))
                .filter(ranking_log_shown::seeker_id.eq(seeker_id))
                .select(ranking_log_shown::log_id)
                .load::<String>(c)?,
        );
    }
    Ok(out)
}

/// A ranking version with the day it was first used.
#[derive(Debug, Clone, Serialize, Queryable, utoipa::ToSchema)]
#[schema(as = RankingVersion)]
pub struct StoredVersion {
    pub hash: String,
    pub text: String,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub first_used_at: i64,
}

/// Every version lists were made with, oldest first.
pub fn versions(c: &mut DbConnection) -> AppResult<Vec<StoredVersion>> {
    Ok(ranking_versions::table
        .order((ranking_versions::first_used_at, ranking_versions::hash))
        .select((ranking_versions::hash, ranking_versions::text, ranking_versions::first_used_at))
        .load(c)?)
}

/// Deletes the lists logged before `before` (and what they showed); returns how many. The
/// versions stay: they are the documentation's history of weights.
pub fn forget_before(c: &mut DbConnection, before: i64) -> AppResult<usize> {
    crate::db::write_tx(c, |c| {
        let old = ranking_log::table.filter(ranking_log::at.lt(before)).select(ranking_log::id);
        diesel::delete(ranking_log_shown::table.filter(ranking_log_shown::log_id.eq_any(old))).execute(c)?;
        Ok(diesel::delete(ranking_log::table.filter(ranking_log::at.lt(before))).execute(c)?)
    })
}

/// The first instant still kept on `today` with `months` of log.
pub fn kept_from(today: NaiveDate, months: u32) -> i64 {
    let first = today.checked_sub_months(chrono::Months::new(months)).unwrap_or(today);
    crate::clock::start_of_day_ts(first)
}
