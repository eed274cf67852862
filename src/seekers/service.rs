//! The seekers' use cases, for the API, the pages, the CLI and the jobs alike: each opens its
//! transaction and reads people through the privacy gate.

use super::{Seeker, SeekerData, store};
use crate::db::{DbConnection, write_tx};
use crate::error::{AppError, AppResult, Clash};
use crate::privacy::{self, Reader};
use crate::search::Lookup;
use crate::search::hits::{SearchQuery, seeker_matches};

/// Registers a person (a new record: nothing to gate).
pub fn create(c: &mut DbConnection, now: i64, data: SeekerData) -> AppResult<Seeker> {
    store::create(c, now, data)
}

/// A page of people by the filter, audited; another unit's people restricted.
pub fn list(
    c: &mut DbConnection,
    r: &Reader,
    filter: &store::SeekerFilter,
    (limit, offset): (i64, i64),
) -> AppResult<(Vec<Seeker>, i64)> {
    write_tx(c, |c| {
        let (items, total) = store::list(c, filter, limit, offset)?;
        Ok((privacy::listed(c, r, items)?, total))
    })
}

/// The people a search finds, in its order, as [`list`] shows them.
pub fn find(
    c: &mut DbConnection,
    at: Lookup<'_>,
    r: &Reader,
    q: &SearchQuery,
    paging: (i64, i64),
) -> AppResult<(Vec<Seeker>, i64)> {
    write_tx(c, |c| {
        let (hits, total) = seeker_matches(c, at, q, paging)?;
        let ids: Vec<String> = hits.into_iter().map(|(id, _)| id).collect();
        Ok((privacy::people(c, r, &ids)?, total))
    })
}

/// One person's record (need-to-know, audited).
pub fn show(c: &mut DbConnection, r: &Reader, id: &str) -> AppResult<Seeker> {
    write_tx(c, |c| privacy::read_person(c, r, id))
}

/// Merges a JSON merge patch into a person's record. A write shows the record back, so it
/// is a read: another unit's person needs a reason, even for an empty patch.
pub fn update(
    c: &mut DbConnection,
    r: &Reader,
    id: &str,
    expected_version: Option<i64>,
    patch: &serde_json::Value,
) -> AppResult<Seeker> {
    let result = write_tx(c, |c| {
        privacy::read_person(c, r, id)?;
        store::update_in_tx(c, r.now, r.today, id, expected_version, patch)
    });
    match result {
        Err(AppError::Conflict { clash: Clash::Unique, .. }) => {
            Err(AppError::conflict(Clash::Duplicate, "a seeker with this personnummer is already registered"))
        }
        other => other,
    }
}

/// Erases a person's personal data (admins; GDPR Art. 17).
pub fn erase(c: &mut DbConnection, now: i64, id: &str) -> AppResult<()> {
    privacy::erasure::erase(c, now, id)
}
