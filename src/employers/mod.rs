//! Employers: companies and the municipality itself (`municipal: true`), which posts
//! arbetsträning, praktik and extratjänst openings.

pub mod contacts;
pub mod http;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::{DbConnection, new_id, schema::employers};
use crate::error::{AppError, AppResult, Clash, Errors, Fault, Thing};
use crate::ident::normalize_organization_number;

#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = employers)]
pub struct Employer {
    pub id: String,
    pub name: String,
    pub organization_number: String,
    pub municipal: bool,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEmployer {
    pub name: String,
    pub organization_number: String,
    #[serde(default)]
    pub municipal: bool,
}

impl NewEmployer {
    /// Trims and normalises; every bad field is reported at once.
    pub fn validate(mut self) -> AppResult<Self> {
        let mut errors = Errors::new();
        self.name = self.name.trim().to_string();
        if self.name.is_empty() || self.name.chars().count() > 200 {
            errors.add("name", Fault::Length, "must be 1 to 200 characters");
        }
        match normalize_organization_number(&self.organization_number) {
            Ok(n) => self.organization_number = n,
            Err((fault, msg)) => errors.add("organization_number", fault, msg),
        }
        errors.into_result()?;
        Ok(self)
    }
}

pub fn create(conn: &mut DbConnection, now: i64, new: NewEmployer) -> AppResult<Employer> {
    crate::db::write_tx(conn, |conn| {
        if let Some(id) = id_by_organization_number(conn, &new.organization_number)? {
            return Err(AppError::conflict_with(
                Clash::Duplicate,
                "an employer with this organization_number exists",
                serde_json::json!({ "existing_id": id }),
            ));
        }
        let employer = Employer {
            id: new_id(),
            name: new.name,
            organization_number: new.organization_number,
            municipal: new.municipal,
            created_at: now,
        };
        insert(conn, &employer)?;
        Ok(employer)
    })
}

pub fn get(conn: &mut DbConnection, id: &str) -> AppResult<Employer> {
    employers::table
        .find(id)
        .select(Employer::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound(Thing::Employer))
}

pub fn list(conn: &mut DbConnection, limit: i64, offset: i64) -> AppResult<(Vec<Employer>, i64)> {
    let total = employers::table.count().get_result(conn)?;
    let items = employers::table
        .order((employers::name, employers::id))
        .limit(limit)
        .offset(offset)
        .select(Employer::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// Employers' names by id, in one query (for lists that show many).
pub fn names(conn: &mut DbConnection, ids: &[String]) -> AppResult<std::collections::HashMap<String, String>> {
    Ok(employers::table
        .filter(employers::id.eq_any(ids))
        .select((employers::id, employers::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

pub fn count(conn: &mut DbConnection) -> AppResult<i64> {
    Ok(employers::table.count().get_result(conn)?)
}

/// The employer with this organisation number (already normalised), created with `name` when
/// there is none; for openings read from another source. Returns its id.
pub fn find_or_create(conn: &mut DbConnection, now: i64, organization_number: &str, name: &str) -> AppResult<String> {
    if let Some(id) = id_by_organization_number(conn, organization_number)? {
        return Ok(id);
    }
    let employer = Employer {
        id: new_id(),
        name: name.to_string(),
        organization_number: organization_number.to_string(),
        municipal: false,
        created_at: now,
    };
    insert(conn, &employer)?;
    Ok(employer.id)
}

fn id_by_organization_number(conn: &mut DbConnection, organization_number: &str) -> QueryResult<Option<String>> {
    employers::table
        .filter(employers::organization_number.eq(organization_number))
        .select(employers::id)
        .first(conn)
        .optional()
}

fn insert(conn: &mut DbConnection, e: &Employer) -> QueryResult<usize> {
    diesel::insert_into(employers::table)
        .values((
            employers::id.eq(&e.id),
            employers::name.eq(&e.name),
            employers::organization_number.eq(&e.organization_number),
            employers::municipal.eq(e.municipal),
            employers::created_at.eq(e.created_at),
        ))
        .execute(conn)
}
