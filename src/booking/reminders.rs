//! Reminders the afternoon before each meeting, POSTed to the configured webhook. Every
//! reminder is a row: a failed delivery is retried with growing waits and shows in `/readyz`
//! until it goes through; none is lost.

use std::time::Duration;

use diesel::prelude::*;

use super::BookingStatus;
use crate::db::schema::{applications, bookings, officers, reminders};
use crate::db::{self, Pool};
use crate::error::AppResult;

crate::text_enum! {
    /// A reminder: waiting to be sent (and retried), sent, or dropped with its meeting.
    pub enum ReminderStatus {
        Pending = "pending",
        Delivered = "delivered",
        Cancelled = "cancelled",
    }
}

/// Reminders due and undelivered, and the last error seen.
pub fn overdue(conn: &mut db::DbConnection, now: i64) -> AppResult<(i64, Option<String>)> {
    let n: i64 = reminders::table
        .filter(reminders::status.eq(ReminderStatus::Pending))
        .filter(reminders::due_at.le(now))
        .count()
        .get_result(conn)?;
    let last: Option<Option<String>> = reminders::table
        .filter(reminders::status.eq(ReminderStatus::Pending))
        .filter(reminders::last_error.is_not_null())
        .order(reminders::next_attempt_at.desc())
        .select(reminders::last_error)
        .first(conn)
        .optional()?;
    Ok((n, last.flatten()))
}

type Due = (String, i64, i64, String, String, Option<String>, Option<String>, Option<String>, i32);

/// Sends what is due. Without a webhook nothing is sent and the reminders wait.
pub async fn deliver_due(pool: &Pool, webhook: &str, clock: &crate::clock::Clock) -> AppResult<usize> {
    let webhook = webhook.trim().to_string();
    if webhook.is_empty() {
        return Ok(0);
    }
    let now = clock.now_ts();
    let due: Vec<Due> = db::run(pool, move |c| {
        Ok(reminders::table
            .inner_join(bookings::table.on(bookings::id.eq(reminders::booking_id)))
            .inner_join(officers::table.on(officers::id.eq(bookings::officer_id)))
            .inner_join(applications::table.on(applications::id.eq(bookings::application_id)))
            .filter(reminders::status.eq(ReminderStatus::Pending))
            .filter(reminders::next_attempt_at.le(now))
            .filter(bookings::status.eq(BookingStatus::Booked))
            .select((
                reminders::booking_id,
                bookings::starts_at,
                bookings::ends_at,
                officers::name,
                officers::unit,
                applications::first_name,
                applications::phone,
                applications::email,
                reminders::attempts,
            ))
            .limit(200)
            .load(c)?)
    })
    .await?;
    let client = crate::webhook::client(Duration::from_secs(10))?;
    let mut sent = 0;
    for (booking, starts, ends, officer, unit, first_name, phone, email, attempts) in due {
        // The gateway needs the contact details to remind the person; nothing else personal.
        let body = serde_json::json!({
            "event": "meeting.reminder",
            "booking_id": booking,
            "starts_at": crate::clock::format_ts(starts),
            "ends_at": crate::clock::format_ts(ends),
            "officer": officer,
            "unit": unit,
            "recipient": { "first_name": first_name, "phone": phone, "email": email },
        });
        let key = format!("platsa-reminder:{booking}");
        let error = crate::webhook::post(&client, &webhook, &key, body.to_string()).await.err();
        let now = clock.now_ts();
        let wait = crate::webhook::backoff_secs(attempts);
        let ok = error.is_none();
        db::run(pool, move |c| {
            let q = reminders::table.find(&booking);
            if ok {
                diesel::update(q)
                    .set((
                        reminders::status.eq(ReminderStatus::Delivered),
                        reminders::delivered_at.eq(now),
                        reminders::attempts.eq(reminders::attempts + 1),
                    ))
                    .execute(c)?;
            } else {
                diesel::update(q)
                    .set((
                        reminders::attempts.eq(reminders::attempts + 1),
                        reminders::last_error.eq(error),
                        reminders::next_attempt_at.eq(now + wait),
                    ))
                    .execute(c)?;
            }
            Ok(())
        })
        .await?;
        sent += usize::from(ok);
    }
    Ok(sent)
}
