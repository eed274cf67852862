//! Use cases of the pipeline that span an opening and its placements.

use diesel::prelude::*;

use super::Status;
use crate::auth::Principal;
use crate::db::schema::placements;
use crate::db::{DbConnection, write_tx};
use crate::error::{AppError, AppResult, Clash};
use crate::openings::{Opening, store as openings};

/// Removes an opening from the lists. One with placements under way cannot be: close it
/// instead (closed openings keep their placements and history).
pub fn remove_opening(conn: &mut DbConnection, now: i64, who: &Principal, id: &str) -> AppResult<()> {
    write_tx(conn, |c| {
        openings::get_visible(c, who, id)?;
        let open: Vec<Status> = Status::ALL.iter().copied().filter(|s| s.is_open()).collect();
        let active: i64 = placements::table
            .filter(placements::opening_id.eq(id))
            .filter(placements::status.eq_any(open))
            .count()
            .get_result(c)?;
        if active > 0 {
            return Err(AppError::conflict(
                Clash::ActivePlacements,
                format!("{active} placement(s) under way on this opening: close it instead (status closed)"),
            ));
        }
        openings::delete_in_tx(c, now, who, id)
    })
}

/// Open openings with fewer people in the pipeline than vacancies left, soonest deadline
/// first; each with how many open placements it has.
pub fn needing_candidates(conn: &mut DbConnection, limit: i64) -> AppResult<Vec<(Opening, i64)>> {
    let rows = openings::open_by_deadline(conn)?;
    let ids: Vec<&String> = rows.iter().map(|r| &r.id).collect();
    let open: Vec<(Option<String>, i64)> = placements::table
        .filter(placements::opening_id.eq_any(ids))
        .filter(placements::status.eq_any(Status::AWAITING_START))
        .group_by(placements::opening_id)
        .select((placements::opening_id, diesel::dsl::count_star()))
        .load(conn)?;
    let open: std::collections::HashMap<String, i64> = open.into_iter().filter_map(|(id, n)| Some((id?, n))).collect();
    Ok(rows
        .into_iter()
        .filter_map(|o| {
            let in_pipeline = open.get(&o.id).copied().unwrap_or(0);
            let left = i64::from(o.number_of_vacancies - o.filled_vacancies);
            (in_pipeline < left).then_some((o, in_pipeline))
        })
        .take(limit as usize)
        .collect())
}

/// The person a placement is of, if it exists (an activity names its placement).
pub fn seeker_of(c: &mut DbConnection, id: &str) -> AppResult<Option<String>> {
    Ok(super::store::seeker_of(c, id)?)
}

/// Every placement of a person, the latest first, for a caller that read them through the
/// gate in this transaction (Mina sidor).
pub fn of_seeker(c: &mut DbConnection, seeker_id: &str) -> AppResult<Vec<super::Placement>> {
    let filter = super::store::PlacementFilter { seeker_id: Some(seeker_id.to_string()), ..Default::default() };
    Ok(super::store::list(c, &filter, 1000, 0)?.0)
}
