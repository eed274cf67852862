//! Meeting slots: built as a local date and a local time, converted through
//! Europe/Stockholm (never by adding hours to UTC), so a slot at 09:00 is at 09:00 on both
//! sides of a daylight-saving change.

use super::BookingStatus;
use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate, TimeZone};
use chrono_tz::Europe::Stockholm;
use diesel::prelude::*;
use serde::Serialize;

use super::calendar::{is_working_day, next_working_day};
use super::officers::{self, OfficerRow, WEEKDAYS, parse_time};
use crate::clock::{format_ts, start_of_day_ts};
use crate::db::DbConnection;
use crate::db::schema::{booking_offers, bookings, officers as officers_table};
use crate::error::{AppError, AppResult, Fault};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Slot {
    pub id: String,
    pub officer_id: String,
    /// Where the meeting is: the officer's office (unit) and its street address.
    pub office: String,
    pub address: Option<String>,
    #[serde(serialize_with = "ts")]
    pub starts_at: i64,
    #[serde(serialize_with = "ts")]
    pub ends_at: i64,
}

fn ts<S: serde::Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_ts(*v))
}

impl Slot {
    fn new(officer: &OfficerRow, starts_at: i64, ends_at: i64) -> Self {
        Self {
            id: format!("{}~{starts_at}", officer.id),
            officer_id: officer.id.clone(),
            office: officer.unit.clone(),
            address: officer.address.clone(),
            starts_at,
            ends_at,
        }
    }
}

/// `officer~unix-start`.
pub fn parse_slot_id(id: &str) -> Option<(String, i64)> {
    let (officer, start) = id.rsplit_once('~')?;
    Some((officer.to_string(), start.parse().ok()?))
}

/// Every slot an officer's hours give on a date (booked or not). A local time that does not
/// exist (the hour skipped in March) gives no slot; one that exists twice (October) the first.
pub fn officer_slots(o: &OfficerRow, date: NaiveDate) -> Vec<Slot> {
    if !o.active || !is_working_day(date) {
        return Vec::new();
    }
    let day = WEEKDAYS[date.weekday().num_days_from_monday() as usize];
    let minutes = i64::from(o.meeting_minutes.max(1));
    let mut out = Vec::new();
    for [from, to] in o.hours().get(day).cloned().unwrap_or_default() {
        let (Some(mut t), Some(end)) = (parse_time(&from), parse_time(&to)) else { continue };
        while t + chrono::Duration::minutes(minutes) <= end {
            if let Some(start) = Stockholm.from_local_datetime(&date.and_time(t)).earliest() {
                let starts = start.timestamp();
                out.push(Slot::new(o, starts, starts + minutes * 60));
            }
            t += chrono::Duration::minutes(minutes);
        }
    }
    out
}

/// Free slots on a date across active officers, starting after `now`, by start time.
/// `protected`: only officers cleared for people with protected personal data.
pub fn free_slots(conn: &mut DbConnection, date: NaiveDate, now: i64, protected: bool) -> AppResult<Vec<Slot>> {
    let mut q = officers_table::table.filter(officers_table::active.eq(true)).into_boxed();
    if protected {
        q = q.filter(officers_table::protected_identity.eq(true));
    }
    let all: Vec<OfficerRow> = q.order(officers_table::id).select(OfficerRow::as_select()).load(conn)?;
    let (start, end) = (start_of_day_ts(date), start_of_day_ts(date.succ_opt().expect("a next day")));
    let taken: Vec<(String, i64, i64)> = bookings::table
        .filter(bookings::status.ne(BookingStatus::Cancelled))
        .filter(bookings::starts_at.ge(start - 86_400))
        .filter(bookings::starts_at.lt(end))
        .select((bookings::officer_id, bookings::starts_at, bookings::ends_at))
        .load(conn)?;
    // Times held for someone on the waiting list to answer are not free meanwhile.
    let held: Vec<(String, i64, i64)> = booking_offers::table
        .filter(booking_offers::state.eq(super::OfferState::Held))
        .filter(booking_offers::expires_at.gt(now))
        .filter(booking_offers::starts_at.ge(start))
        .filter(booking_offers::starts_at.lt(end))
        .select((booking_offers::officer_id, booking_offers::starts_at, booking_offers::ends_at))
        .load(conn)?;
    let taken: Vec<(String, i64, i64)> = taken.into_iter().chain(held).collect();
    let taken_by: HashMap<&str, Vec<(i64, i64)>> = taken.iter().fold(HashMap::new(), |mut m, (o, s, e)| {
        m.entry(o.as_str()).or_default().push((*s, *e));
        m
    });
    let mut out = Vec::new();
    for o in &all {
        if officers::is_absent(conn, &o.id, date)? {
            continue;
        }
        let busy = taken_by.get(o.id.as_str()).cloned().unwrap_or_default();
        out.extend(
            officer_slots(o, date)
                .into_iter()
                .filter(|s| s.starts_at > now && !busy.iter().any(|(bs, be)| s.starts_at < *be && *bs < s.ends_at)),
        );
    }
    out.sort_by_key(|s| (s.starts_at, s.officer_id.clone()));
    Ok(out)
}

/// Three slots spread over the day (morning, middle, end) and over officers where possible.
fn spread(slots: &[Slot]) -> Vec<Slot> {
    if slots.len() <= 3 {
        return slots.to_vec();
    }
    let n = slots.len();
    let mut used: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for part in 0..3 {
        let bucket = &slots[part * n / 3..(part + 1) * n / 3];
        let pick = bucket.iter().find(|s| !used.contains(s.officer_id.as_str())).unwrap_or(&bucket[bucket.len() / 2]);
        used.insert(&pick.officer_id);
        out.push(pick.clone());
    }
    out
}

pub struct Offers {
    pub slots: Vec<Slot>,
    /// The next working day could not give three free meetings.
    pub next_day_full: bool,
    pub day: NaiveDate,
}

/// Three free meetings on the next working day after `today`; if it has fewer, the earliest
/// free ones on the working days after it (within `horizon` working days).
/// `protected`: the applicant has protected personal data (only cleared officers).
pub fn offers(conn: &mut DbConnection, today: NaiveDate, now: i64, horizon: u32, protected: bool) -> AppResult<Offers> {
    let day = next_working_day(today);
    let first = free_slots(conn, day, now, protected)?;
    if first.len() >= 3 {
        return Ok(Offers { slots: spread(&first), next_day_full: false, day });
    }
    let mut slots = first;
    let mut d = day;
    for _ in 1..horizon {
        if slots.len() >= 3 {
            break;
        }
        d = next_working_day(d);
        slots.extend(free_slots(conn, d, now, protected)?);
    }
    slots.truncate(3);
    Ok(Offers { slots, next_day_full: true, day })
}

/// Checks that a slot id names a real, bookable meeting (it may be taken; the database
/// decides that).
/// `protected`: only with an officer cleared for protected personal data.
pub fn resolve(conn: &mut DbConnection, slot_id: &str, now: i64, protected: bool) -> AppResult<Slot> {
    let bad = || AppError::field("slot_id", Fault::Unknown, "is not a meeting that can be booked");
    let (officer, start) = parse_slot_id(slot_id).ok_or_else(bad)?;
    let o = officers::row(conn, &officer).map_err(|_| bad())?;
    if protected && !o.protected_identity {
        return Err(bad());
    }
    let date = crate::clock::stockholm_date(start);
    if start <= now || officers::is_absent(conn, &o.id, date)? {
        return Err(bad());
    }
    officer_slots(&o, date).into_iter().find(|s| s.starts_at == start).ok_or_else(bad)
}
