//! The one gate to a person's record. Every staff read of a seeker, single or in a list, and
//! every write (which shows the record back) passes here: need-to-know by unit, the audit row
//! in the caller's transaction, and what the reader may see of people of other units.
//! Erasure, with its one list of the columns that hold personal data, lives here too.

pub mod erasure;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::audit::{self, Action};
use crate::auth::{Principal, Role};
use crate::clock::Clock;
use crate::db::DbConnection;
use crate::db::schema::audit_log;
use crate::error::{AppError, AppResult};
use crate::seekers::{Seeker, store};

/// Who reads, through what (the route and any stated reason), and when.
#[derive(Debug, Clone)]
pub struct Reader {
    pub who: Principal,
    pub action: Action,
    pub now: i64,
    pub today: NaiveDate,
}

impl Reader {
    pub fn new(who: Principal, action: Action, clock: &Clock) -> Self {
        Self { who, action, now: clock.now_ts(), today: clock.today() }
    }

    /// The same reader with a reason stated on a page.
    pub fn with_reason(mut self, reason: Option<String>) -> Self {
        self.action = self.action.with_reason(reason);
        self
    }

    fn day_start(&self) -> i64 {
        crate::clock::start_of_day_ts(self.today)
    }
}

/// The units whose people the reader sees in full: all (admins, staff without units) or these.
enum Scope {
    All,
    Units(Vec<String>),
}

fn scope(c: &mut DbConnection, who: &Principal) -> AppResult<Scope> {
    if who.role == Role::Admin {
        return Ok(Scope::All);
    }
    let mine = crate::units::of_user(c, &who.user_id)?;
    Ok(if mine.is_empty() { Scope::All } else { Scope::Units(mine) })
}

impl Scope {
    fn covers(&self, unit: Option<&str>) -> bool {
        match (self, unit) {
            (Scope::All, _) | (_, None) => true,
            (Scope::Units(mine), Some(u)) => mine.iter().any(|m| m == u),
        }
    }
}

/// Need-to-know for one person of `unit`: staff read their own units' people and people of
/// no unit; another unit's person needs a reason, stated now or for this person earlier the
/// same day. Answers the action to audit the read under (with the reason that allowed it).
pub fn need_to_know(c: &mut DbConnection, r: &Reader, seeker_id: &str, unit: Option<&str>) -> AppResult<Action> {
    let stated = r.action.1.clone();
    if stated.is_some() || scope(c, &r.who)?.covers(unit) {
        return Ok(r.action.clone());
    }
    match reasons_today(c, r, &[seeker_id.to_string()])?.remove(seeker_id) {
        Some(reason) => Ok(r.action.with_reason(Some(reason))),
        None => Err(AppError::ReasonRequired),
    }
}

/// The reasons this reader stated today, per person (the latest), for these people.
fn reasons_today(c: &mut DbConnection, r: &Reader, ids: &[String]) -> AppResult<HashMap<String, String>> {
    let rows: Vec<(String, Option<String>)> = audit_log::table
        .filter(audit_log::user_id.eq(&r.who.user_id))
        .filter(audit_log::seeker_id.eq_any(ids))
        .filter(audit_log::at.ge(r.day_start()))
        .filter(audit_log::reason.is_not_null())
        .order(audit_log::at.asc())
        .select((audit_log::seeker_id, audit_log::reason))
        .load(c)?;
    Ok(rows.into_iter().filter_map(|(id, reason)| Some((id, reason?))).collect())
}

/// A person's full record, for reading or before a write: need-to-know, then the audit row.
pub fn read_person(c: &mut DbConnection, r: &Reader, id: &str) -> AppResult<Seeker> {
    let seeker = store::get(c, id)?;
    let action = need_to_know(c, r, &seeker.id, seeker.unit.as_deref())?;
    audit::record(c, &r.who, std::slice::from_ref(&seeker.id), &action, r.now)?;
    Ok(seeker)
}

/// Records that the reader saw something about these people that is not their record (a
/// placement's history, a shortlist's names, a generated list): audited, no gate.
pub fn saw(c: &mut DbConnection, r: &Reader, ids: &[String]) -> AppResult<()> {
    audit::record(c, &r.who, ids, &r.action, r.now)
}

/// People in a list or a search, in the order of `ids` (erased ones dropped): all audited;
/// another unit's people show only id, name, unit, municipality and status unless a reason
/// was stated for them today. A reason sent with a list covers nobody: it is for one person.
pub fn people(c: &mut DbConnection, r: &Reader, ids: &[String]) -> AppResult<Vec<Seeker>> {
    let mut rows: HashMap<String, store::SeekerRow> =
        store::rows_by_ids(c, ids)?.into_iter().map(|row| (row.id.clone(), row)).collect();
    let found: Vec<Seeker> =
        ids.iter().filter_map(|id| rows.remove(id)).filter(|row| row.erased_at.is_none()).map(Seeker::from).collect();
    listed(c, r, found)
}

/// [`people`] for records already loaded by a filter.
pub fn listed(c: &mut DbConnection, r: &Reader, found: Vec<Seeker>) -> AppResult<Vec<Seeker>> {
    let ids: Vec<String> = found.iter().map(|s| s.id.clone()).collect();
    audit::record(c, &r.who, &ids, &r.action.without_reason(), r.now)?;
    let scope = scope(c, &r.who)?;
    let outside: Vec<String> =
        found.iter().filter(|s| !scope.covers(s.unit.as_deref())).map(|s| s.id.clone()).collect();
    if outside.is_empty() {
        return Ok(found);
    }
    let covered: HashSet<String> = reasons_today(c, r, &outside)?.into_keys().collect();
    Ok(found
        .into_iter()
        .map(|s| if scope.covers(s.unit.as_deref()) || covered.contains(&s.id) { s } else { restricted(s) })
        .collect())
}

/// What a list shows of another unit's person: who, where, and how they stand; nothing to
/// contact them by, nothing they or staff wrote.
fn restricted(s: Seeker) -> Seeker {
    Seeker {
        id: s.id,
        first_name: s.first_name,
        last_name: s.last_name,
        municipality_code: s.municipality_code,
        unit: s.unit,
        status: s.status,
        registered_at: s.registered_at,
        updated_at: s.updated_at,
        last_proposed_at: None,
        version: s.version,
        personnummer: None,
        email: None,
        phone: None,
        occupations: vec![],
        skills: vec![],
        languages: vec![],
        driving_licences: vec![],
        available_from: None,
        max_commute_km: None,
        summary: None,
        broker_id: None,
        exit_reason: None,
        exit_date: None,
        paused_until: None,
        pause_reason: None,
        restricted: true,
    }
}
