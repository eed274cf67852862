//! Officers (arbetsmarknadssekreterare), their weekly hours and absences.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{officer_absences, officers};
use crate::db::{DbConnection, new_id, write_tx};
use crate::error::{AppError, AppResult, Errors, Fault, Thing};

pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Local time ranges per weekday: `{"mon": [["08:30","12:00"], ["13:00","16:00"]]}`.
pub type WeeklyHours = BTreeMap<String, Vec<[String; 2]>>;

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficerInput {
    pub name: String,
    pub unit: String,
    #[serde(default = "default_minutes")]
    pub meeting_minutes: u32,
    #[schema(value_type = std::collections::BTreeMap<String, Vec<Vec<String>>>)]
    pub weekly_hours: WeeklyHours,
    #[serde(default = "yes")]
    pub active: bool,
    /// The officer's own user (role officer), so they see their meetings on `/agenda`.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The office's street address, which applicants are told with their meeting.
    #[serde(default)]
    pub address: Option<String>,
    /// Cleared to meet people with protected personal data (skyddade personuppgifter): only
    /// such officers are offered to an applicant who says they have them.
    #[serde(default)]
    pub protected_identity: bool,
}

fn default_minutes() -> u32 {
    45
}

fn yes() -> bool {
    true
}

pub fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

impl OfficerInput {
    pub fn validate(mut self) -> AppResult<Self> {
        let mut errors = Errors::new();
        self.name = crate::vocabulary::text(&self.name, "name", 200, &mut errors);
        self.unit = crate::vocabulary::text(&self.unit, "unit", 100, &mut errors);
        self.address = crate::vocabulary::optional_text(&self.address, "address", 200, &mut errors);
        if !(10..=240).contains(&self.meeting_minutes) {
            errors.add("meeting_minutes", Fault::Range, "must be between 10 and 240");
        }
        for (day, ranges) in &self.weekly_hours {
            if !WEEKDAYS.contains(&day.as_str()) {
                errors.add(format!("weekly_hours.{day}"), Fault::Unknown, "is not a weekday (mon … sun)");
                continue;
            }
            let mut parsed: Vec<(NaiveTime, NaiveTime)> = Vec::new();
            for (i, [from, to]) in ranges.iter().enumerate() {
                let field = format!("weekly_hours.{day}[{i}]");
                match (parse_time(from), parse_time(to)) {
                    (Some(a), Some(b)) if a < b => parsed.push((a, b)),
                    (Some(_), Some(_)) => errors.add(field, Fault::Order, "must start before it ends"),
                    _ => errors.add(field, Fault::Format, "times are HH:MM"),
                }
            }
            parsed.sort();
            if parsed.windows(2).any(|w| w[1].0 < w[0].1) {
                errors.add(format!("weekly_hours.{day}"), Fault::Order, "ranges overlap");
            }
        }
        errors.into_result()?;
        Ok(self)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = officers)]
pub struct OfficerRow {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub meeting_minutes: i32,
    pub weekly_hours: String,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
    pub user_id: Option<String>,
    pub address: Option<String>,
    pub protected_identity: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Officer {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub meeting_minutes: i32,
    #[schema(value_type = std::collections::BTreeMap<String, Vec<Vec<String>>>)]
    pub weekly_hours: WeeklyHours,
    pub active: bool,
    pub user_id: Option<String>,
    pub address: Option<String>,
    pub protected_identity: bool,
    pub absences: Vec<Absence>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Queryable, utoipa::ToSchema)]
pub struct Absence {
    pub id: String,
    pub from: String,
    pub to: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsenceInput {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(default)]
    pub reason: Option<String>,
}

impl OfficerRow {
    pub fn hours(&self) -> WeeklyHours {
        serde_json::from_str(&self.weekly_hours).unwrap_or_default()
    }
}

fn absences(conn: &mut DbConnection, officer: &str) -> AppResult<Vec<Absence>> {
    Ok(officer_absences::table
        .filter(officer_absences::officer_id.eq(officer))
        .order(officer_absences::from_date)
        .select((
            officer_absences::id,
            officer_absences::from_date,
            officer_absences::to_date,
            officer_absences::reason,
        ))
        .load(conn)?)
}

pub fn row(conn: &mut DbConnection, id: &str) -> AppResult<OfficerRow> {
    officers::table
        .find(id)
        .select(OfficerRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound(Thing::Officer))
}

pub fn get(conn: &mut DbConnection, id: &str) -> AppResult<Officer> {
    let r = row(conn, id)?;
    Ok(Officer {
        weekly_hours: r.hours(),
        absences: absences(conn, &r.id)?,
        id: r.id,
        name: r.name,
        unit: r.unit,
        meeting_minutes: r.meeting_minutes,
        active: r.active,
        user_id: r.user_id,
        address: r.address,
        protected_identity: r.protected_identity,
        version: r.version,
    })
}

/// The user must exist and be an officer; one officer per user (the unique index decides
/// between two at once).
fn check_user(c: &mut DbConnection, user_id: Option<&str>) -> AppResult<()> {
    let Some(user) = user_id else { return Ok(()) };
    let role: Option<crate::auth::Role> =
        crate::db::schema::users::table.find(user).select(crate::db::schema::users::role).first(c).optional()?;
    match role {
        Some(crate::auth::Role::Officer) => Ok(()),
        Some(_) => Err(AppError::field("user_id", Fault::NotApplicable, "this user is not an officer")),
        None => Err(AppError::field("user_id", Fault::NotFound, "no user with this id")),
    }
}

fn linked_twice(e: AppError) -> AppError {
    match e {
        AppError::Conflict { clash: crate::error::Clash::Unique, .. } => {
            AppError::conflict(crate::error::Clash::Duplicate, "this user is already linked to another officer")
        }
        other => other,
    }
}

/// The officer a user is, if any.
pub fn of_user(conn: &mut DbConnection, user_id: &str) -> AppResult<Option<Officer>> {
    let id: Option<String> =
        officers::table.filter(officers::user_id.eq(user_id)).select(officers::id).first(conn).optional()?;
    id.map(|id| get(conn, &id)).transpose()
}

pub fn create(conn: &mut DbConnection, now: i64, input: OfficerInput) -> AppResult<Officer> {
    let id = new_id();
    write_tx(conn, |c| {
        check_user(c, input.user_id.as_deref())?;
        crate::units::check(c, Some(&input.unit), "unit")?;
        diesel::insert_into(officers::table)
            .values((
                officers::id.eq(&id),
                officers::name.eq(&input.name),
                officers::unit.eq(&input.unit),
                officers::meeting_minutes.eq(input.meeting_minutes as i32),
                officers::weekly_hours.eq(serde_json::to_string(&input.weekly_hours).expect("serializable")),
                officers::active.eq(input.active),
                officers::user_id.eq(&input.user_id),
                officers::address.eq(&input.address),
                officers::protected_identity.eq(input.protected_identity),
                officers::created_at.eq(now),
                officers::updated_at.eq(now),
            ))
            .execute(c)?;
        get(c, &id)
    })
    .map_err(linked_twice)
}

pub fn update(conn: &mut DbConnection, now: i64, id: &str, patch: serde_json::Value) -> AppResult<Officer> {
    write_tx(conn, |c| {
        let current = get(c, id)?;
        let mut merged = serde_json::json!({
            "name": current.name, "unit": current.unit, "meeting_minutes": current.meeting_minutes,
            "weekly_hours": current.weekly_hours, "active": current.active, "user_id": current.user_id,
            "address": current.address, "protected_identity": current.protected_identity,
        });
        crate::json::merge_patch(&mut merged, &patch);
        let input: OfficerInput = crate::json::parse_json(merged.to_string().as_bytes())?;
        let input = input.validate()?;
        check_user(c, input.user_id.as_deref())?;
        if input.unit != current.unit {
            crate::units::check(c, Some(&input.unit), "unit")?;
        }
        diesel::update(officers::table.find(id))
            .set((
                officers::name.eq(&input.name),
                officers::unit.eq(&input.unit),
                officers::meeting_minutes.eq(input.meeting_minutes as i32),
                officers::weekly_hours.eq(serde_json::to_string(&input.weekly_hours).expect("serializable")),
                officers::active.eq(input.active),
                officers::user_id.eq(&input.user_id),
                officers::address.eq(&input.address),
                officers::protected_identity.eq(input.protected_identity),
                officers::updated_at.eq(now),
                officers::version.eq(officers::version + 1),
            ))
            .execute(c)?;
        get(c, id)
    })
    .map_err(linked_twice)
}

pub fn list(conn: &mut DbConnection) -> AppResult<Vec<Officer>> {
    let ids: Vec<String> = officers::table.order((officers::unit, officers::name)).select(officers::id).load(conn)?;
    ids.iter().map(|id| get(conn, id)).collect()
}

pub fn add_absence(conn: &mut DbConnection, now: i64, officer: &str, input: AbsenceInput) -> AppResult<Officer> {
    if input.to < input.from {
        return Err(AppError::field("to", Fault::Order, "is before from"));
    }
    write_tx(conn, |c| {
        row(c, officer)?;
        diesel::insert_into(officer_absences::table)
            .values((
                officer_absences::id.eq(new_id()),
                officer_absences::officer_id.eq(officer),
                officer_absences::from_date.eq(input.from.to_string()),
                officer_absences::to_date.eq(input.to.to_string()),
                officer_absences::reason.eq(&input.reason),
                officer_absences::created_at.eq(now),
            ))
            .execute(c)?;
        get(c, officer)
    })
}

/// Whether the officer is away on a date.
pub fn is_absent(conn: &mut DbConnection, officer: &str, date: NaiveDate) -> AppResult<bool> {
    let d = date.to_string();
    let n: i64 = officer_absences::table
        .filter(officer_absences::officer_id.eq(officer))
        .filter(officer_absences::from_date.le(&d))
        .filter(officer_absences::to_date.ge(&d))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
