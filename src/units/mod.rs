//! Units (enheter), e.g. "Jobbcenter Trelleborg": the list seekers, officers, placements and
//! monthly targets refer to. Managed by admins; a name not on the list is refused (422), so a
//! misspelling never becomes a unit of its own. Renaming carries every reference along.

pub mod http;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{officers, placements, seekers, targets, units, user_units};
use crate::db::{DbConnection, write_tx};
use crate::error::{AppError, AppResult, Clash, Errors, Fault, Thing};

#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = units)]
pub struct Unit {
    pub name: String,
    /// Inactive units stay on old records but are not offered for new ones.
    pub active: bool,
    #[serde(skip)]
    pub created_at: i64,
    #[serde(skip)]
    pub updated_at: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitInput {
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A change to a unit: a new name, or active on or off.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    pub name: Option<String>,
    pub active: Option<bool>,
}

fn valid_name(name: &str) -> AppResult<String> {
    let mut errors = Errors::new();
    let name = crate::vocabulary::text(name, "name", 100, &mut errors);
    errors.into_result()?;
    Ok(name)
}

pub fn list(conn: &mut DbConnection) -> AppResult<Vec<Unit>> {
    Ok(units::table.order(units::name).select(Unit::as_select()).load(conn)?)
}

pub fn get(conn: &mut DbConnection, name: &str) -> AppResult<Unit> {
    units::table.find(name).select(Unit::as_select()).first(conn).optional()?.ok_or(AppError::NotFound(Thing::Unit))
}

/// 422 naming `field` unless `name` is a known unit.
pub fn check(conn: &mut DbConnection, name: Option<&str>, field: &str) -> AppResult<()> {
    let Some(name) = name else { return Ok(()) };
    let known: i64 = units::table.find(name).count().get_result(conn)?;
    if known == 0 {
        return Err(AppError::field(field, Fault::Unknown, "is not a known unit (see /api/v1/units)"));
    }
    Ok(())
}

pub fn create(conn: &mut DbConnection, now: i64, input: UnitInput) -> AppResult<Unit> {
    let name = valid_name(&input.name)?;
    let result = write_tx(conn, |c| {
        diesel::insert_into(units::table)
            .values((
                units::name.eq(&name),
                units::active.eq(input.active),
                units::created_at.eq(now),
                units::updated_at.eq(now),
            ))
            .execute(c)?;
        get(c, &name)
    });
    match result {
        Err(AppError::Conflict { clash: Clash::Unique, .. }) => {
            Err(AppError::conflict(Clash::Duplicate, "a unit with this name already exists"))
        }
        other => other,
    }
}

/// Renames (every seeker, officer, placement and target with it follows) or (de)activates.
pub fn update(conn: &mut DbConnection, now: i64, name: &str, patch: UnitPatch) -> AppResult<Unit> {
    let new_name = patch.name.as_deref().map(valid_name).transpose()?;
    let result = write_tx(conn, |c| {
        let current = get(c, name)?;
        let target = new_name.clone().unwrap_or(current.name.clone());
        if target != current.name {
            diesel::insert_into(units::table)
                .values((
                    units::name.eq(&target),
                    units::active.eq(current.active),
                    units::created_at.eq(current.created_at),
                    units::updated_at.eq(now),
                ))
                .execute(c)?;
            diesel::update(seekers::table.filter(seekers::unit.eq(name))).set(seekers::unit.eq(&target)).execute(c)?;
            diesel::update(officers::table.filter(officers::unit.eq(name)))
                .set(officers::unit.eq(&target))
                .execute(c)?;
            diesel::update(placements::table.filter(placements::unit.eq(name)))
                .set(placements::unit.eq(&target))
                .execute(c)?;
            diesel::update(targets::table.filter(targets::unit.eq(name))).set(targets::unit.eq(&target)).execute(c)?;
            diesel::update(user_units::table.filter(user_units::unit.eq(name)))
                .set(user_units::unit.eq(&target))
                .execute(c)?;
            diesel::delete(units::table.find(name)).execute(c)?;
        }
        if let Some(active) = patch.active {
            diesel::update(units::table.find(&target))
                .set((units::active.eq(active), units::updated_at.eq(now)))
                .execute(c)?;
        }
        get(c, &target)
    });
    match result {
        Err(AppError::Conflict { clash: Clash::Unique, .. }) => {
            Err(AppError::conflict(Clash::Duplicate, "a unit with this name already exists"))
        }
        other => other,
    }
}

/// Removes a unit nothing refers to; one in use is a 409 (deactivate it instead).
pub fn delete(conn: &mut DbConnection, name: &str) -> AppResult<()> {
    write_tx(conn, |c| {
        get(c, name)?;
        let used: i64 = seekers::table.filter(seekers::unit.eq(name)).count().get_result::<i64>(c)?
            + officers::table.filter(officers::unit.eq(name)).count().get_result::<i64>(c)?
            + placements::table.filter(placements::unit.eq(name)).count().get_result::<i64>(c)?
            + targets::table.filter(targets::unit.eq(name)).count().get_result::<i64>(c)?
            + user_units::table.filter(user_units::unit.eq(name)).count().get_result::<i64>(c)?;
        if used > 0 {
            return Err(AppError::conflict(
                Clash::NotEmpty,
                format!("{used} record(s) refer to this unit: deactivate it instead"),
            ));
        }
        diesel::delete(units::table.find(name)).execute(c)?;
        Ok(())
    })
}

/// The units a staff member works in (none: every unit, as in a municipality with one office).
pub fn of_user(conn: &mut DbConnection, user_id: &str) -> AppResult<Vec<String>> {
    Ok(user_units::table
        .filter(user_units::user_id.eq(user_id))
        .order(user_units::unit)
        .select(user_units::unit)
        .load(conn)?)
}

/// Sets the units a staff member works in; each must exist.
pub fn set_for_user(conn: &mut DbConnection, user_id: &str, names: &[String]) -> AppResult<Vec<String>> {
    write_tx(conn, |c| {
        let mut names: Vec<String> = names.iter().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect();
        names.sort();
        names.dedup();
        for (i, n) in names.iter().enumerate() {
            check(c, Some(n), &format!("units[{i}]"))?;
        }
        diesel::delete(user_units::table.filter(user_units::user_id.eq(user_id))).execute(c)?;
        let rows: Vec<_> = names.iter().map(|n| (user_units::user_id.eq(user_id), user_units::unit.eq(n))).collect();
        crate::insert_rows!(c, user_units::table, rows)?;
        Ok(names)
    })
}
