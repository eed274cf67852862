//! The messages about an applicant's meeting (confirmation, reminder, an offered earlier
//! time), queued in the caller's transaction through `messages`, to the applicant's one
//! chosen channel when they have protected personal data.

use diesel::prelude::*;

use super::slots::Slot;
use crate::db::DbConnection;
use crate::db::schema::{applications, officers};
use crate::error::AppResult;
use crate::messages::{NewMessage, Recipient, Template};

/// A meeting a message is about.
pub struct Meeting<'a> {
    pub application: &'a str,
    /// The booking or the offer (the message's subject).
    pub booking: &'a str,
    pub slot: &'a Slot,
    /// How long an offered meeting is held (`{minuter}`).
    pub hold_minutes: u32,
}

/// Queues a message about a meeting to the applicant, in their one channel if they have
/// protected personal data; nothing when they left no way to reach them.
pub fn queue_message(
    c: &mut DbConnection,
    about: &Meeting<'_>,
    template: Template,
    link: &str,
    due: i64,
    now: i64,
) -> AppResult<()> {
    let Some(contact) = crate::messages::send::contact_of(c, None, Some(about.application))? else { return Ok(()) };
    let Some((channel, address)) = contact.route() else { return Ok(()) };
    let (first_name, seeker_id): (Option<String>, Option<String>) = applications::table
        .find(about.application)
        .select((applications::first_name, applications::seeker_id))
        .first(c)?;
    let (unit, street): (String, Option<String>) =
        officers::table.find(&about.slot.officer_id).select((officers::unit, officers::address)).first(c)?;
    let place = match street {
        Some(a) => format!("{unit}, {a}"),
        None => unit,
    };
    let when = crate::labels::instant(about.slot.starts_at);
    let hold = about.hold_minutes.to_string();
    let text = crate::messages::templates::text(
        c,
        template,
        &[
            ("fornamn", first_name.as_deref().unwrap_or_default()),
            ("tid", &when),
            ("plats", &place),
            ("minuter", &hold),
            ("lank", link),
        ],
    )?;
    crate::messages::queue(
        c,
        NewMessage {
            key: format!("{template}:{}", about.booking),
            template,
            recipient: Recipient::Applicant,
            channel,
            seeker_id,
            application_id: Some(about.application.to_string()),
            opening_id: None,
            subject: Some(about.booking.to_string()),
            address,
            body: text,
            due,
            by: None,
        },
        now,
    )?;
    Ok(())
}

/// Reminders an earlier version left waiting in the old delivery loop become messages (once,
/// at start), for meetings still booked: none is lost in the upgrade. Their link is the
/// application page, as the booking link was never stored.
pub fn adopt_waiting_reminders(c: &mut DbConnection, now: i64, public_url: &str) -> AppResult<usize> {
    use crate::db::schema::{bookings, deliveries as d};
    use crate::deliveries::{self, Channel as Old, DeliveryStatus};
    let waiting: Vec<(String, String, i64)> = d::table
        .filter(d::channel.eq(Old::Reminder))
        .filter(d::status.eq(DeliveryStatus::Pending))
        .select((d::subject, d::idempotency_key, d::next_attempt_at))
        .load(c)?;
    let mut n = 0;
    for (booking, old_key, due) in waiting {
        crate::db::write_tx(c, |c| {
            let row: Option<(String, String, i64, i64)> = bookings::table
                .find(&booking)
                .filter(bookings::status.eq(super::BookingStatus::Booked))
                .filter(bookings::starts_at.gt(now))
                .select((bookings::application_id, bookings::officer_id, bookings::starts_at, bookings::ends_at))
                .first(c)
                .optional()?;
            if let Some((application, officer, starts, ends)) = row {
                let slot = Slot {
                    id: format!("{officer}~{starts}"),
                    officer_id: officer,
                    office: String::new(),
                    address: None,
                    starts_at: starts,
                    ends_at: ends,
                };
                let about = Meeting { application: &application, booking: &booking, slot: &slot, hold_minutes: 0 };
                queue_message(c, &about, Template::BookingReminder, &format!("{public_url}/apply"), due.max(now), now)?;
                n += 1;
            }
            deliveries::cancel(c, &old_key)?;
            Ok::<_, crate::error::AppError>(())
        })?;
    }
    Ok(n)
}
