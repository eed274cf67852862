//! The people to talk to at an employer: `{name, role, phone, email}`. Brokers and admins
//! keep them; an employer keeps its own.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::employer_contacts;
use crate::db::{DbConnection, new_id, write_tx};
use crate::error::{AppError, AppResult, Errors, Fault, Thing};

#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = employer_contacts)]
pub struct Contact {
    pub id: String,
    pub employer_id: String,
    pub name: String,
    pub role: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

impl ContactInput {
    fn validate(&self) -> AppResult<ContactInput> {
        let mut errors = Errors::new();
        let name = crate::vocabulary::text(&self.name, "name", 200, &mut errors);
        let role = crate::vocabulary::optional_text(&self.role, "role", 100, &mut errors);
        let phone = match crate::vocabulary::optional_text(&self.phone, "phone", 30, &mut errors) {
            Some(p) => crate::seekers::normalize_phone(&p).or_else(|| {
                errors.add("phone", Fault::Format, "must be a phone number of 7 to 15 digits");
                None
            }),
            None => None,
        };
        let email = crate::vocabulary::optional_text(&self.email, "email", 254, &mut errors).map(|e| e.to_lowercase());
        if email.as_deref().is_some_and(|e| !crate::seekers::valid_email(e)) {
            errors.add("email", Fault::Format, "is not an e-mail address");
        }
        errors.into_result()?;
        Ok(ContactInput { name, role, phone, email })
    }
}

pub fn list(conn: &mut DbConnection, employer: &str) -> AppResult<Vec<Contact>> {
    Ok(employer_contacts::table
        .filter(employer_contacts::employer_id.eq(employer))
        .order((employer_contacts::name, employer_contacts::id))
        .select(Contact::as_select())
        .load(conn)?)
}

fn get(conn: &mut DbConnection, employer: &str, id: &str) -> AppResult<Contact> {
    employer_contacts::table
        .find(id)
        .filter(employer_contacts::employer_id.eq(employer))
        .select(Contact::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound(Thing::Contact))
}

pub fn create(conn: &mut DbConnection, now: i64, employer: &str, input: &ContactInput) -> AppResult<Contact> {
    let c = input.validate()?;
    write_tx(conn, |tx| {
        super::get(tx, employer)?;
        let id = new_id();
        diesel::insert_into(employer_contacts::table)
            .values((
                employer_contacts::id.eq(&id),
                employer_contacts::employer_id.eq(employer),
                employer_contacts::name.eq(&c.name),
                employer_contacts::role.eq(&c.role),
                employer_contacts::phone.eq(&c.phone),
                employer_contacts::email.eq(&c.email),
                employer_contacts::created_at.eq(now),
                employer_contacts::updated_at.eq(now),
            ))
            .execute(tx)?;
        get(tx, employer, &id)
    })
}

/// A JSON merge patch over the contact.
pub fn update(
    conn: &mut DbConnection,
    now: i64,
    employer: &str,
    id: &str,
    patch: serde_json::Value,
) -> AppResult<Contact> {
    write_tx(conn, |tx| {
        let current = get(tx, employer, id)?;
        let mut merged = serde_json::to_value(ContactInput {
            name: current.name,
            role: current.role,
            phone: current.phone,
            email: current.email,
        })
        .expect("serializable");
        crate::json::merge_patch(&mut merged, &patch);
        let input: ContactInput = crate::json::parse_json(merged.to_string().as_bytes())?;
        let c = input.validate()?;
        diesel::update(employer_contacts::table.find(id))
            .set((
                employer_contacts::name.eq(&c.name),
                employer_contacts::role.eq(&c.role),
                employer_contacts::phone.eq(&c.phone),
                employer_contacts::email.eq(&c.email),
                employer_contacts::updated_at.eq(now),
            ))
            .execute(tx)?;
        get(tx, employer, id)
    })
}

pub fn delete(conn: &mut DbConnection, employer: &str, id: &str) -> AppResult<()> {
    write_tx(conn, |tx| {
        get(tx, employer, id)?;
        diesel::delete(employer_contacts::table.find(id)).execute(tx)?;
        Ok(())
    })
}
