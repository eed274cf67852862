//! The one gate to a person's record. Every staff read of a seeker, single or in a list, and
//! every write (which shows the record back) passes here: need-to-know by unit, the audit row
//! in the caller's transaction, and whether the reader sees another unit's person whole.
//! Erasure, with its one list of the columns that hold personal data, lives here too. Below
//! the seekers capability: `seekers::service` loads the records and asks here.

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

/// The gate for one person's record (a read, or a write that shows it back): need-to-know,
/// then the audit row in the caller's transaction.
pub fn admit(c: &mut DbConnection, r: &Reader, seeker_id: &str, unit: Option<&str>) -> AppResult<()> {
    let action = need_to_know(c, r, seeker_id, unit)?;
    audit::record(c, &r.who, &[seeker_id.to_string()], &action, r.now)
}

/// People shown by name in a list or with a record that is not their profile (a board, a
/// shortlist, an agenda, a generated list): names are visible across units, so there is no
/// gate, only the audit row, in the caller's transaction. Platsa's own runs (an import,
/// retention) are recorded here too, under their system principal.
pub fn shown(c: &mut DbConnection, who: &Principal, ids: &[String], action: &Action, now: i64) -> AppResult<()> {
    audit::record(c, who, ids, action, now)
}

/// The gate for people in a list or a search, `(id, unit)` each: all are audited; answers,
/// per person, whether the reader sees the whole record. Another unit's person is shown
/// whole only after a reason stated for them today; a reason sent with a list covers nobody,
/// it is for one person.
pub fn admit_list(c: &mut DbConnection, r: &Reader, people: &[(String, Option<String>)]) -> AppResult<Vec<bool>> {
    let ids: Vec<String> = people.iter().map(|(id, _)| id.clone()).collect();
    audit::record(c, &r.who, &ids, &r.action.without_reason(), r.now)?;
    let scope = scope(c, &r.who)?;
    let outside: Vec<String> =
        people.iter().filter(|(_, unit)| !scope.covers(unit.as_deref())).map(|(id, _)| id.clone()).collect();
    let covered: HashSet<String> =
        if outside.is_empty() { HashSet::new() } else { reasons_today(c, r, &outside)?.into_keys().collect() };
    Ok(people.iter().map(|(id, unit)| scope.covers(unit.as_deref()) || covered.contains(id)).collect())
}

/// The person Platsa is about, signed in with e-legitimation, reading their own case (Mina
/// sidor): who they are in the register, and the applications that are verifiably theirs.
#[derive(Debug, Clone)]
pub struct Own {
    pub personnummer: String,
    /// Their record, once registered (and not erased).
    pub seeker_id: Option<String>,
    /// Applications made with their e-legitimation, or linked to their record by staff at
    /// the identity step. An application where someone only typed their personnummer is
    /// not theirs to see or change until staff have checked who made it.
    pub applications: Vec<String>,
    pub action: Action,
    pub now: i64,
    pub today: NaiveDate,
}

/// The gate for a person's own reads: finds who the personnummer is in the register and
/// which applications are theirs, and audits the read as the person's own (the record, or
/// each application while there is no record), in the caller's transaction. Nothing here
/// can reach another person: every read that follows is by these ids.
pub fn own(
    c: &mut DbConnection,
    personnummer: &str,
    action: &Action,
    (now, today): (i64, NaiveDate),
) -> AppResult<Own> {
    use crate::db::schema::{applications, seekers};
    let seeker_id: Option<String> = seekers::table
        .filter(seekers::personnummer.eq(personnummer))
        .filter(seekers::erased_at.is_null())
        .select(seekers::id)
        .first(c)
        .optional()?;
    let mut q = applications::table
        .filter(applications::personnummer.eq(personnummer).and(applications::identified_by.eq("eid")))
        .into_boxed();
    if let Some(id) = &seeker_id {
        q = q.or_filter(applications::seeker_id.eq(id.clone()));
    }
    let applications: Vec<String> = q.order(applications::created_at.desc()).select(applications::id).load(c)?;
    let subjects: Vec<String> = match &seeker_id {
        Some(id) => vec![id.clone()],
        None => applications.iter().map(|a| format!("application:{a}")).collect(),
    };
    for subject in &subjects {
        audit::record_own(c, subject, action, now)?;
    }
    Ok(Own { personnummer: personnummer.to_string(), seeker_id, applications, action: action.clone(), now, today })
}
