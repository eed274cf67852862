//! The seekers' use cases, for the API, the pages, the CLI and the jobs alike: each opens its
//! transaction and reads people through the privacy gate.

use std::collections::HashMap;

use super::{Seeker, SeekerData, store};
use crate::db::{DbConnection, write_tx};
use crate::error::{AppError, AppResult, Clash};
use crate::index::Lookup;
use crate::index::query::{SearchQuery, search};
use crate::privacy::{self, Reader};
use crate::seekers::SeekerStatus;

/// Registers a person (a new record: nothing to gate).
/// Registers a person. A personnummer already registered is refused with that person's id,
/// which tells the caller who is registered: the refusal is audited as a read of them.
pub fn create(c: &mut DbConnection, r: &Reader, data: SeekerData) -> AppResult<Seeker> {
    let result = store::create(c, r.now, data);
    if let Err(AppError::Conflict { clash: Clash::Duplicate, extra, .. }) = &result
        && let Some(existing) = extra.get("existing_seeker_id").and_then(|v| v.as_str())
    {
        privacy::shown(c, &r.who, &[existing.to_string()], &r.action, r.now)?;
    }
    result
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
        Ok((listed(c, r, items)?, total))
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
        let (hits, total) = matches(c, at, q, paging)?;
        let ids: Vec<String> = hits.into_iter().map(|(id, _)| id).collect();
        Ok((people(c, r, &ids)?, total))
    })
}

/// First and last names of people a page or list shows by name (erased people have none):
/// names are visible across units, so the read is audited, not gated.
pub fn names(
    c: &mut DbConnection,
    who: &crate::auth::Principal,
    ids: &[String],
    action: &crate::audit::Action,
    now: i64,
) -> AppResult<store::Names> {
    privacy::shown(c, who, ids, action, now)?;
    Ok(store::names(c, ids)?)
}

/// The id of the person with this personnummer (12 digits), if registered. Finding is not
/// reading: the caller reads them through the gate.
pub fn id_by_personnummer(c: &mut DbConnection, personnummer: &str) -> AppResult<Option<String>> {
    Ok(store::by_personnummer(c, personnummer)?)
}

/// One person's record (need-to-know, audited).
pub fn show(c: &mut DbConnection, r: &Reader, id: &str) -> AppResult<Seeker> {
    write_tx(c, |c| read_person(c, r, id))
}

/// A person's full record inside the caller's transaction, for a read or before a write:
/// through the privacy gate.
pub fn read_person(c: &mut DbConnection, r: &Reader, id: &str) -> AppResult<Seeker> {
    let seeker = store::get(c, id)?;
    privacy::admit(c, r, &seeker.id, seeker.unit.as_deref())?;
    Ok(seeker)
}

/// The person's own record, for them on Mina sidor: the gate (`privacy::own`) found and
/// audited them in this transaction.
pub fn own_record(c: &mut DbConnection, own: &privacy::Own) -> AppResult<Option<Seeker>> {
    match &own.seeker_id {
        Some(id) => Ok(Some(store::get(c, id)?)),
        None => Ok(None),
    }
}

/// People in a list or a search, in the order of `ids` (erased ones dropped), through the
/// privacy gate: audited, another unit's people restricted.
pub fn people(c: &mut DbConnection, r: &Reader, ids: &[String]) -> AppResult<Vec<Seeker>> {
    let mut rows: HashMap<String, store::SeekerRow> =
        store::rows_by_ids(c, ids)?.into_iter().map(|row| (row.id.clone(), row)).collect();
    let found: Vec<Seeker> =
        ids.iter().filter_map(|id| rows.remove(id)).filter(|row| row.erased_at.is_none()).map(Seeker::from).collect();
    listed(c, r, found)
}

/// [`people`] for records already loaded by a filter.
fn listed(c: &mut DbConnection, r: &Reader, found: Vec<Seeker>) -> AppResult<Vec<Seeker>> {
    let keys: Vec<(String, Option<String>)> = found.iter().map(|s| (s.id.clone(), s.unit.clone())).collect();
    let whole = privacy::admit_list(c, r, &keys)?;
    Ok(found.into_iter().zip(whole).map(|(s, whole)| if whole { s } else { s.restricted() }).collect())
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
        read_person(c, r, id)?;
        store::update_in_tx(c, r.now, r.today, id, expected_version, patch)
    });
    match result {
        Err(AppError::Conflict { clash: Clash::Unique, .. }) => {
            Err(AppError::conflict(Clash::Duplicate, "a seeker with this personnummer is already registered"))
        }
        other => other,
    }
}

/// "Stämmer": what Platsa read from the person's summary becomes their registered profile —
/// the occupations sought (a minor group as its first unit group), the skills and the driving
/// licences — on the version the broker saw (412 when it changed since). Nothing read: 422.
pub fn confirm_inferred(c: &mut DbConnection, r: &Reader, id: &str, expected_version: i64) -> AppResult<Seeker> {
    write_tx(c, |c| {
        let seeker = read_person(c, r, id)?;
        let reading = seeker.inferred.clone().unwrap_or_default();
        let patch = confirmed(&seeker, &reading);
        let Some(patch) = patch else {
            return Err(AppError::field(
                "inferred",
                crate::error::Fault::Required,
                "nothing read from the summary adds to the registered profile",
            ));
        };
        store::update_in_tx(c, r.now, r.today, id, Some(expected_version), &patch)
    })
}

/// The merge patch that registers what `reading` adds to `seeker`; `None` when it adds nothing
/// (then the page offers no "Stämmer").
pub fn confirmed(seeker: &Seeker, reading: &crate::vocabulary::written::Reading) -> Option<serde_json::Value> {
    let ref_ = crate::reference::reference();
    let unit = |code: &str| -> Option<String> {
        if code.len() == 4 {
            return Some(code.to_string());
        }
        (0..10)
            .map(|d| format!("{code}{d}"))
            .find(|c| ref_.is_ssyk4(c) && !ref_.pair_codes.contains(&c.parse().unwrap_or(0)))
    };
    let mut occupations = seeker.occupations.clone();
    for o in &reading.occupations {
        if let Some(code) = unit(&o.code)
            && !occupations.contains(&code)
            && occupations.len() < 10
        {
            occupations.push(code);
        }
    }
    let mut skills: Vec<String> =
        seeker.skills.iter().map(|k| k.id.clone().unwrap_or_else(|| k.label.clone())).collect();
    for k in &reading.skills {
        if !skills.contains(&k.id) && skills.len() < 50 {
            skills.push(k.id.clone());
        }
    }
    let mut licences = seeker.driving_licences.clone();
    for l in &reading.licences {
        if !licences.contains(&l.class) {
            licences.push(l.class.clone());
        }
    }
    let adds = occupations.len() > seeker.occupations.len()
        || skills.len() > seeker.skills.len()
        || licences.len() > seeker.driving_licences.len();
    adds.then(|| serde_json::json!({ "occupations": occupations, "skills": skills, "driving_licences": licences }))
}

/// Erases a person's personal data (admins; GDPR Art. 17).
pub fn erase(c: &mut DbConnection, now: i64, id: &str, rewrite_tables: bool) -> AppResult<()> {
    privacy::erasure::erase(c, now, id, rewrite_tables)
}

/// The people a query finds, as ids and scores, and how many there are in all.
pub fn matches(
    c: &mut DbConnection,
    at: Lookup<'_>,
    q: &SearchQuery,
    (limit, offset): (i64, i64),
) -> AppResult<(Vec<(String, f32)>, i64)> {
    let filters = q.filters::<SeekerStatus>()?;
    // A personnummer, phone number or e-mail address finds that person exactly, from the
    // database; words search names, places and profiles in the index.
    let (hits, total) = match store::Identifiers::of(&q.q, crate::clock::stockholm_date(at.now)) {
        Some(identifiers) => {
            let ids = store::find_by_identifiers(c, &identifiers)?;
            let total = ids.len();
            (ids.into_iter().skip(offset as usize).take(limit as usize).map(|id| (id, 1.0)).collect(), total)
        }
        None => search(&at.index.seekers, &q.q, &filters, limit as usize, offset as usize)
            .map_err(|e| AppError::Internal(e.context("searching seekers")))?,
    };
    Ok((hits, total as i64))
}
