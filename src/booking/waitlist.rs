//! The waiting list: an applicant with a booked meeting can ask for an earlier one ("Jag vill
//! ha en tidigare tid om någon avbokar"). When a meeting earlier than theirs is freed
//! (cancelled, moved, or an offer of it declined or run out), the person on the list with the
//! latest booking, then the earliest application, is offered it by a message with a link
//! (`/erbjudande/{token}`), and the time is held for them `booking.offer_hold_minutes`.
//! Taking it moves their booking in one transaction, which frees their old time in turn;
//! silence or "Nej tack" passes it on. One holder a slot is a partial unique index, and the
//! booking itself is guarded by the bookings' own unique index: never two people in one slot.

use diesel::prelude::*;

use super::notify::{Meeting, queue_message};
use super::slots::Slot;
use super::{BookingStatus, OfferState, Sending};
use crate::auth::hash_token;
use crate::db::schema::{applications, booking_offers, bookings, officers};
use crate::db::{DbConnection, new_id, write_tx};
use crate::error::AppResult;
use crate::messages::Template;

/// Whether the slot is held, unexpired, for another application's answer.
pub fn held_for_other(c: &mut DbConnection, slot: &Slot, application: &str, now: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        booking_offers::table
            .filter(booking_offers::officer_id.eq(&slot.officer_id))
            .filter(booking_offers::starts_at.eq(slot.starts_at))
            .filter(booking_offers::state.eq(OfferState::Held))
            .filter(booking_offers::expires_at.gt(now))
            .filter(booking_offers::application_id.ne(application)),
    ))
    .get_result(c)
}

/// A meeting was freed: offers it to the next person on the waiting list, in the caller's
/// transaction. Answers the offer made, if any.
pub fn freed(
    c: &mut DbConnection,
    (officer, starts, ends): (&str, i64, i64),
    now: i64,
    s: &Sending,
) -> AppResult<Option<String>> {
    let hold = i64::from(s.hold_minutes) * 60;
    // Too close to be of use to anyone answering within the hold.
    if starts <= now + hold {
        return Ok(None);
    }
    let Some((unit, address, active, cleared)) = officers::table
        .find(officer)
        .select((officers::unit, officers::address, officers::active, officers::protected_identity))
        .first::<(String, Option<String>, bool, bool)>(c)
        .optional()?
    else {
        return Ok(None);
    };
    if !active || super::officers::is_absent(c, officer, crate::clock::stockholm_date(starts))? {
        return Ok(None);
    }
    let booked: bool = diesel::select(diesel::dsl::exists(
        bookings::table
            .filter(bookings::officer_id.eq(officer))
            .filter(bookings::status.ne(BookingStatus::Cancelled))
            .filter(bookings::starts_at.lt(ends))
            .filter(bookings::ends_at.gt(starts)),
    ))
    .get_result(c)?;
    let held: bool = diesel::select(diesel::dsl::exists(
        booking_offers::table
            .filter(booking_offers::officer_id.eq(officer))
            .filter(booking_offers::starts_at.eq(starts))
            .filter(booking_offers::state.eq(OfferState::Held)),
    ))
    .get_result(c)?;
    if booked || held {
        return Ok(None);
    }
    let offered_before = booking_offers::table
        .filter(booking_offers::officer_id.eq(officer))
        .filter(booking_offers::starts_at.eq(starts))
        .select(booking_offers::application_id);
    let holding =
        booking_offers::table.filter(booking_offers::state.eq(OfferState::Held)).select(booking_offers::application_id);
    let mut q = applications::table
        .inner_join(bookings::table.on(bookings::application_id.eq(applications::id)))
        .filter(applications::wants_earlier_at.is_not_null())
        .filter(bookings::status.eq(BookingStatus::Booked))
        .filter(bookings::starts_at.gt(starts))
        .filter(applications::id.ne_all(offered_before))
        .filter(applications::id.ne_all(holding))
        .into_boxed();
    if !cleared {
        q = q.filter(applications::protected_identity.eq(false));
    }
    let next: Option<String> = q
        .order((bookings::starts_at.desc(), applications::created_at.asc(), applications::id))
        .select(applications::id)
        .first(c)
        .optional()?;
    let Some(application) = next else { return Ok(None) };
    let (id, token) = (new_id(), format!("eb_{}", &crate::auth::generate_token()["platsa_".len()..]));
    diesel::insert_into(booking_offers::table)
        .values((
            booking_offers::id.eq(&id),
            booking_offers::token_hash.eq(hash_token(&token)),
            booking_offers::application_id.eq(&application),
            booking_offers::officer_id.eq(officer),
            booking_offers::starts_at.eq(starts),
            booking_offers::ends_at.eq(ends),
            booking_offers::state.eq(OfferState::Held),
            booking_offers::expires_at.eq(now + hold),
            booking_offers::created_at.eq(now),
        ))
        .execute(c)?;
    let slot = Slot {
        id: format!("{officer}~{starts}"),
        officer_id: officer.to_string(),
        office: unit,
        address,
        starts_at: starts,
        ends_at: ends,
    };
    let link = format!("{}/erbjudande/{token}", s.public_url);
    let about = Meeting { application: &application, booking: &id, slot: &slot, hold_minutes: s.hold_minutes };
    queue_message(c, &about, Template::BookingOffer, &link, now, now)?;
    Ok(Some(id))
}

/// The application's meeting was cancelled or moved: an offer it holds is taken back and
/// passes on (taking it would move a meeting it no longer has, or one now earlier).
pub fn withdraw_held(c: &mut DbConnection, application: &str, now: i64, s: &Sending) -> AppResult<()> {
    let held: Vec<String> = booking_offers::table
        .filter(booking_offers::application_id.eq(application))
        .filter(booking_offers::state.eq(OfferState::Held))
        .select(booking_offers::id)
        .load(c)?;
    for id in held {
        close(c, &id, OfferState::Withdrawn, now, s)?;
    }
    Ok(())
}

/// Offers whose hold ran out pass to the next person. Each in its own transaction; safe
/// with N processes (the state changes only from held).
pub fn expire_due(c: &mut DbConnection, now: i64, s: &Sending) -> AppResult<usize> {
    let due: Vec<String> = booking_offers::table
        .filter(booking_offers::state.eq(OfferState::Held))
        .filter(booking_offers::expires_at.le(now))
        .order(booking_offers::expires_at)
        .select(booking_offers::id)
        .limit(500)
        .load(c)?;
    let mut n = 0;
    for id in due {
        n += write_tx(c, |c| close(c, &id, OfferState::Expired, now, s))?;
    }
    Ok(n)
}

/// Ends a held offer (declined, expired, withdrawn) and passes its time on.
pub(super) fn close(c: &mut DbConnection, id: &str, to: OfferState, now: i64, s: &Sending) -> AppResult<usize> {
    let changed = diesel::update(
        booking_offers::table.filter(booking_offers::id.eq(id)).filter(booking_offers::state.eq(OfferState::Held)),
    )
    .set((booking_offers::state.eq(to), booking_offers::answered_at.eq(now)))
    .execute(c)?;
    if changed == 0 {
        return Ok(0);
    }
    crate::messages::expire(c, id, Template::BookingOffer, now)?;
    let (officer, starts, ends): (String, i64, i64) = booking_offers::table
        .find(id)
        .select((booking_offers::officer_id, booking_offers::starts_at, booking_offers::ends_at))
        .first(c)?;
    freed(c, (&officer, starts, ends), now, s)?;
    Ok(1)
}
