//! What an employer answers about a person presented to it, and what the employer may see of
//! that person: what their consent for the opening covers (name, contact details, occupation,
//! skills, languages, licences and their own summary), only while it stands. Every such
//! read is in the audit log.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::Status;
use crate::db::schema::{employer_feedback, placements, users};
use crate::db::{DbConnection, new_id, write_tx};
use crate::error::{AppError, AppResult, Errors, Thing};

crate::text_enum! {
    /// The employer's answer about a presented person.
    pub enum Answer {
        Suitable = "suitable",
        Considering = "considering",
        NotSuitable = "not_suitable",
        Hired = "hired",
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Feedback {
    pub answer: Answer,
    pub note: Option<String>,
    /// The employer user's name.
    pub by: String,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackInput {
    pub answer: Answer,
    #[serde(default)]
    pub note: Option<String>,
}

/// A presented person as the employer sees them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Presented {
    pub placement_id: String,
    #[serde(skip)]
    pub seeker_id: String,
    pub status: Status,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub occupations: Vec<String>,
    pub skills: Vec<crate::reference::SkillRef>,
    pub languages: Vec<crate::vocabulary::Language>,
    pub driving_licences: Vec<String>,
    pub summary: Option<String>,
    /// The latest answer the employer gave.
    pub feedback: Option<Feedback>,
}

/// Everyone on the opening the employer may see now: presented (or further), with consent.
pub fn presented(conn: &mut DbConnection, opening: &str) -> AppResult<Vec<Presented>> {
    let shown: Vec<Status> = Status::ALL.iter().copied().filter(|s| s.is_shown_to_employer()).collect();
    let rows: Vec<(String, String, Status)> = placements::table
        .filter(placements::opening_id.eq(opening))
        .filter(placements::status.eq_any(shown))
        .order((placements::created_at, placements::id))
        .select((placements::id, placements::seeker_id, placements::status))
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    let consenting = crate::shortlist::consenting(conn, opening, &ids)?;
    let rows: Vec<_> = rows.into_iter().filter(|r| consenting.contains(&r.1)).collect();
    let placement_ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let mut latest = latest(conn, &placement_ids)?;
    let mut people: HashMap<String, crate::seekers::Seeker> = crate::seekers::store::rows_by_ids(conn, &ids)?
        .into_iter()
        .filter(|r| r.erased_at.is_none())
        .map(|r| (r.id.clone(), crate::seekers::Seeker::from(r)))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|(placement_id, seeker_id, status)| {
            let s = people.remove(&seeker_id)?;
            Some(Presented {
                feedback: latest.remove(&placement_id),
                placement_id,
                seeker_id,
                status,
                first_name: s.first_name,
                last_name: s.last_name,
                phone: s.phone,
                email: s.email,
                occupations: s.occupations,
                skills: s.skills,
                languages: s.languages,
                driving_licences: s.driving_licences,
                summary: s.summary,
            })
        })
        .collect())
}

/// The employer answers about one presented person (who must still be shown to it).
pub fn give(
    conn: &mut DbConnection,
    now: i64,
    who: &crate::auth::Principal,
    opening: &str,
    placement: &str,
    input: &FeedbackInput,
) -> AppResult<Feedback> {
    let mut errors = Errors::new();
    let note = crate::vocabulary::free_text(&input.note, "note", 2000, &mut errors);
    errors.into_result()?;
    write_tx(conn, |c| {
        if !presented(c, opening)?.iter().any(|p| p.placement_id == placement) {
            return Err(AppError::NotFound(Thing::Placement));
        }
        diesel::insert_into(employer_feedback::table)
            .values((
                employer_feedback::id.eq(new_id()),
                employer_feedback::placement_id.eq(placement),
                employer_feedback::answer.eq(input.answer.as_str()),
                employer_feedback::note.eq(&note),
                employer_feedback::by_user.eq(&who.user_id),
                employer_feedback::at.eq(now),
            ))
            .execute(c)?;
        let mut l = latest(c, &[placement.to_string()])?;
        l.remove(placement).ok_or_else(|| AppError::internal("feedback just written is missing"))
    })
}

/// Every answer about these placements, oldest first.
pub fn all(conn: &mut DbConnection, placement_ids: &[String]) -> AppResult<Vec<(String, Feedback)>> {
    let rows: Vec<(String, String, Option<String>, String, i64)> = employer_feedback::table
        .inner_join(users::table.on(users::id.eq(employer_feedback::by_user)))
        .filter(employer_feedback::placement_id.eq_any(placement_ids))
        .order((employer_feedback::at, employer_feedback::id))
        .select((
            employer_feedback::placement_id,
            employer_feedback::answer,
            employer_feedback::note,
            users::name,
            employer_feedback::at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(p, answer, note, by, at)| {
            let answer =
                Answer::parse(&answer).ok_or_else(|| AppError::internal("a stored feedback answer is unknown"))?;
            Ok((p, Feedback { answer, note, by, at }))
        })
        .collect()
}

/// The latest answer per placement.
pub fn latest(conn: &mut DbConnection, placement_ids: &[String]) -> AppResult<HashMap<String, Feedback>> {
    Ok(all(conn, placement_ids)?.into_iter().collect())
}

/// Seekers' contact details an employer read: for the audit log.
pub fn seeker_ids(items: &[Presented]) -> Vec<String> {
    items.iter().map(|p| p.seeker_id.clone()).collect()
}

// The Swedish words the pages, CSV exports and messages show for these values.
impl crate::labels::Label for Answer {
    fn label(self) -> &'static str {
        use crate::placements::feedback::Answer as A;
        match self {
            A::Suitable => "lämplig",
            A::Considering => "funderar",
            A::NotSuitable => "inte lämplig",
            A::Hired => "anställd",
        }
    }
}
