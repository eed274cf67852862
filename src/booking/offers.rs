//! Answering the waiting list's offers, by the applicant's links: joining or leaving the list,
//! what an offer's link shows, and taking an offered time ("Ta tiden") or saying no thanks.
//! The list itself (who is offered a freed time, holds running out) is [`super::waitlist`].

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::store::{self, BookError, Holder};
use super::waitlist::close;
use super::{BookingStatus, OfferState, Sending};
use crate::auth::hash_token;
use crate::db::schema::{applications, booking_offers, bookings, officers};
use crate::db::{DbConnection, write_tx};
use crate::error::{AppError, AppResult, Clash, Thing};
use crate::messages::Template;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EarlierInput {
    /// The booking token, as in the other booking calls.
    pub token: String,
    /// On the waiting list (true) or off it (false).
    pub wanted: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Earlier {
    pub application_id: String,
    pub wanted: bool,
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub since: Option<i64>,
}

/// Puts the application on the waiting list for an earlier meeting, or takes it off. Only
/// with a meeting booked: there is nothing to move forward otherwise.
pub fn want_earlier(
    c: &mut DbConnection,
    holder: &Holder,
    application: &str,
    wanted: bool,
    now: i64,
) -> AppResult<Earlier> {
    write_tx(c, |c| {
        let app = store::application_for_token(c, holder, Some(application))?;
        let booked: bool = diesel::select(diesel::dsl::exists(
            bookings::table
                .filter(bookings::application_id.eq(&app.id))
                .filter(bookings::status.eq(BookingStatus::Booked)),
        ))
        .get_result(c)?;
        if wanted && !booked {
            return Err(AppError::conflict(
                Clash::NothingBooked,
                "there is no booked meeting to move forward; book one first",
            ));
        }
        let was: Option<i64> = applications::table.find(&app.id).select(applications::wants_earlier_at).first(c)?;
        let since = if wanted { was.or(Some(now)) } else { None };
        diesel::update(applications::table.find(&app.id)).set(applications::wants_earlier_at.eq(since)).execute(c)?;
        Ok(Earlier { application_id: app.id, wanted, since })
    })
}

/// Whether the application is on the waiting list.
pub fn wants_earlier(c: &mut DbConnection, application: &str) -> QueryResult<bool> {
    Ok(applications::table
        .find(application)
        .select(applications::wants_earlier_at)
        .first::<Option<i64>>(c)
        .optional()?
        .flatten()
        .is_some())
}

/// An offer as its link shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfferView {
    pub state: OfferState,
    pub officer_name: String,
    pub unit: String,
    pub address: Option<String>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: i64,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: i64,
    /// Until when it is held for the person.
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub held_until: i64,
    /// The meeting the person has now (the offered one, once taken).
    pub booking: Option<super::store::Booking>,
}

fn offer_of(c: &mut DbConnection, token: &str) -> AppResult<(String, String, OfferState, i64)> {
    booking_offers::table
        .filter(booking_offers::token_hash.eq(hash_token(token)))
        .select((booking_offers::id, booking_offers::application_id, booking_offers::state, booking_offers::expires_at))
        .first(c)
        .optional()?
        .ok_or(AppError::NotFound(Thing::Resource))
}

/// What an offer's link shows; 404 for an unknown link.
pub fn view(c: &mut DbConnection, token: &str) -> AppResult<OfferView> {
    let (id, application, state, held_until) = offer_of(c, token)?;
    let (officer_name, unit, address, starts_at, ends_at): (String, String, Option<String>, i64, i64) =
        booking_offers::table
            .inner_join(officers::table.on(officers::id.eq(booking_offers::officer_id)))
            .filter(booking_offers::id.eq(&id))
            .select((
                officers::name,
                officers::unit,
                officers::address,
                booking_offers::starts_at,
                booking_offers::ends_at,
            ))
            .first(c)?;
    let booking = store::open(c, &Holder::Application(application))?.booking;
    Ok(OfferView { state, officer_name, unit, address, starts_at, ends_at, held_until, booking })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferAnswer {
    /// Take the time (true) or say no thanks (false).
    pub accept: bool,
}

/// The person answers an offer. Taking it moves their booking to the offered time in one
/// transaction (their old time freed for the next in turn); 409 when the offer was already
/// answered, its hold ran out, or the time went elsewhere.
pub fn answer(c: &mut DbConnection, token: &str, accept: bool, now: i64, s: &Sending) -> AppResult<OfferView> {
    // A hold that ran out passes on before anything else, so its answer is a clear 409.
    let (id, application, state, expires) = offer_of(c, token)?;
    if state == OfferState::Held && expires <= now {
        write_tx(c, |c| close(c, &id, OfferState::Expired, now, s))?;
        return Err(AppError::conflict(
            Clash::OfferExpired,
            "the time was held for a while and has gone to the next person",
        ));
    }
    let result = write_tx(c, |c| {
        if !accept {
            if close(c, &id, OfferState::Declined, now, s)? == 0 {
                return Err(answered(c, &id)?);
            }
            return Ok(());
        }
        let changed = diesel::update(
            booking_offers::table
                .filter(booking_offers::id.eq(&id))
                .filter(booking_offers::state.eq(OfferState::Held))
                .filter(booking_offers::expires_at.gt(now)),
        )
        .set((booking_offers::state.eq(OfferState::Accepted), booking_offers::answered_at.eq(now)))
        .execute(c)?;
        if changed == 0 {
            return Err(answered(c, &id)?);
        }
        crate::messages::expire(c, &id, Template::BookingOffer, now)?;
        let (officer, starts, ends): (String, i64, i64) = booking_offers::table
            .find(&id)
            .select((booking_offers::officer_id, booking_offers::starts_at, booking_offers::ends_at))
            .first(c)?;
        let slot_id = format!("{officer}~{starts}");
        let _ = ends;
        // The offer's own link now opens the application: its messages carry it.
        let moved = store::book_in_tx(c, now, Some(&application), &Holder::Link(token.to_string()), &slot_id, true, s);
        match moved {
            Ok(_) => {
                diesel::update(applications::table.find(&application))
                    .set(applications::wants_earlier_at.eq(None::<i64>))
                    .execute(c)?;
                Ok(())
            }
            Err(BookError::Taken) => Err(AppError::conflict(Clash::SlotTaken, "that time was taken meanwhile")),
            Err(BookError::HasMeeting) => {
                Err(AppError::conflict(Clash::HasMeeting, "the person already has another meeting"))
            }
            Err(BookError::Other(e)) => Err(e),
        }
    });
    result?;
    view(c, token)
}

fn answered(c: &mut DbConnection, id: &str) -> AppResult<AppError> {
    let state: OfferState = booking_offers::table.find(id).select(booking_offers::state).first(c)?;
    Ok(match state {
        OfferState::Expired => {
            AppError::conflict(Clash::OfferExpired, "the hold ran out; the time went to the next person")
        }
        _ => AppError::conflict(Clash::OfferAnswered, "the offer was already answered"),
    })
}
