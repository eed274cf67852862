//! Reminders the afternoon before each meeting, POSTed to the configured webhook through the
//! one delivery loop (`deliveries`): queued with the booking, cancelled with it, retried with
//! growing waits and shown in `/readyz` until delivered; none is lost. The person's contact
//! details are read when the reminder is sent, never stored with it.

use diesel::prelude::*;

use super::BookingStatus;
use crate::db::schema::{applications, bookings, officers};
use crate::db::{DbConnection, Pool};
use crate::deliveries::{self, Channel, Delivery, Target};
use crate::error::AppResult;

/// Reminders due and undelivered (or failed before), and the last error seen.
pub fn overdue(conn: &mut DbConnection, now: i64) -> AppResult<(i64, Option<String>)> {
    let b = deliveries::backlog(conn, Channel::Reminder, now)?;
    Ok((b.overdue, b.last_error))
}

/// Sends what is due; answers how many went. Without a webhook nothing is sent and the
/// reminders wait.
pub async fn deliver_due(pool: &Pool, webhook: &str, clock: &crate::clock::Clock) -> AppResult<usize> {
    let sent = deliveries::deliver_due(pool, Channel::Reminder, &Target::once(webhook), clock, compose, 200).await?;
    Ok(sent.delivered)
}

/// The reminder for a booking still booked: the meeting, and the contact details the gateway
/// needs to remind the person; nothing else personal. A meeting no longer booked has none.
fn compose(c: &mut DbConnection, d: &Delivery) -> AppResult<Option<String>> {
    type Row = (i64, i64, String, String, Option<String>, Option<String>, Option<String>);
    let row: Option<Row> = bookings::table
        .inner_join(officers::table.on(officers::id.eq(bookings::officer_id)))
        .inner_join(applications::table.on(applications::id.eq(bookings::application_id)))
        .filter(bookings::id.eq(&d.subject))
        .filter(bookings::status.eq(BookingStatus::Booked))
        .select((
            bookings::starts_at,
            bookings::ends_at,
            officers::name,
            officers::unit,
            applications::first_name,
            applications::phone,
            applications::email,
        ))
        .first(c)
        .optional()?;
    Ok(row.map(|(starts, ends, officer, unit, first_name, phone, email)| {
        serde_json::json!({
            "event": "meeting.reminder",
            "booking_id": d.subject,
            "starts_at": crate::clock::format_ts(starts),
            "ends_at": crate::clock::format_ts(ends),
            "officer": officer,
            "unit": unit,
            "recipient": { "first_name": first_name, "phone": phone, "email": email },
        })
        .to_string()
    }))
}
