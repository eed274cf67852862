//! Requests for review: kept until answered, and with their answer after.

use diesel::prelude::*;

use super::{Review, ReviewAbout};
use crate::clock::Day;
use crate::db::schema::reviews;
use crate::db::{DbConnection, new_id};
use crate::error::{AppError, AppResult, Thing};

type ReviewRow = (
    String,
    String,
    Option<String>,
    ReviewAbout,
    Option<String>,
    Option<String>,
    i64,
    Day,
    Option<String>,
    Option<i64>,
);

const COLUMNS: (
    reviews::id,
    reviews::seeker_id,
    reviews::unit,
    reviews::about,
    reviews::ref_id,
    reviews::text,
    reviews::created_at,
    reviews::due_on,
    reviews::answer,
    reviews::answered_at,
) = (
    reviews::id,
    reviews::seeker_id,
    reviews::unit,
    reviews::about,
    reviews::ref_id,
    reviews::text,
    reviews::created_at,
    reviews::due_on,
    reviews::answer,
    reviews::answered_at,
);

fn review((id, seeker_id, unit, about, ref_id, text, created_at, due_on, answer, answered_at): ReviewRow) -> Review {
    Review { id, seeker_id, unit, about, ref_id, text, created_at, due_on, answer, answered_at }
}

/// A new request for review.
pub struct New<'a> {
    pub seeker_id: &'a str,
    pub unit: Option<&'a str>,
    pub about: ReviewAbout,
    pub ref_id: Option<&'a str>,
    pub text: &'a str,
    pub due_on: Day,
}

pub fn insert(c: &mut DbConnection, now: i64, n: &New<'_>) -> AppResult<String> {
    let id = new_id();
    diesel::insert_into(reviews::table)
        .values((
            reviews::id.eq(&id),
            reviews::seeker_id.eq(n.seeker_id),
            reviews::unit.eq(n.unit),
            reviews::about.eq(n.about),
            reviews::ref_id.eq(n.ref_id),
            reviews::text.eq(n.text),
            reviews::created_at.eq(now),
            reviews::due_on.eq(&n.due_on),
        ))
        .execute(c)?;
    Ok(id)
}

/// A person's requests, the latest first.
pub fn of_person(c: &mut DbConnection, seeker_id: &str) -> AppResult<Vec<Review>> {
    let rows: Vec<ReviewRow> = reviews::table
        .filter(reviews::seeker_id.eq(seeker_id))
        .order((reviews::created_at.desc(), reviews::id))
        .select(COLUMNS)
        .load(c)?;
    Ok(rows.into_iter().map(review).collect())
}

pub fn get(c: &mut DbConnection, id: &str) -> AppResult<Review> {
    let row: Option<ReviewRow> = reviews::table.find(id).select(COLUMNS).first(c).optional()?;
    row.map(review).ok_or(AppError::NotFound(Thing::Review))
}

/// Requests not yet answered (`open`), or all, the oldest due first.
pub fn list(c: &mut DbConnection, open: bool, limit: i64, offset: i64) -> AppResult<(Vec<Review>, i64)> {
    let filtered = || {
        let mut q = reviews::table.into_boxed();
        if open {
            q = q.filter(reviews::answered_at.is_null());
        }
        q
    };
    let total = filtered().count().get_result(c)?;
    let rows: Vec<ReviewRow> = filtered()
        .order((reviews::due_on, reviews::created_at, reviews::id))
        .limit(limit)
        .offset(offset)
        .select(COLUMNS)
        .load(c)?;
    Ok((rows.into_iter().map(review).collect(), total))
}

/// Answers a request; a given answer can be corrected, so the latest stands.
pub fn answer(c: &mut DbConnection, now: i64, id: &str, by: &str, text: &str) -> AppResult<()> {
    let n = diesel::update(reviews::table.find(id))
        .set((reviews::answer.eq(text), reviews::answered_at.eq(now), reviews::answered_by.eq(by)))
        .execute(c)?;
    if n == 0 {
        return Err(AppError::NotFound(Thing::Review));
    }
    Ok(())
}
