//! Consent requests out through the message webhook (an SMS or e-mail gateway), through the
//! one delivery loop (`deliveries`), retried with backoff until delivered, like meeting
//! reminders. The gateway gets the person's first name, contact details and answer link, and
//! the opening's headline; nothing else. The contact details are read when the request is
//! sent, never stored with it.

use diesel::prelude::*;

use crate::db::schema::{consent_messages, openings, seekers};
use crate::db::{DbConnection, Pool};
use crate::deliveries::{self, Channel, Delivery, Target};
use crate::error::AppResult;

/// Sends what is due; without a webhook nothing is sent and requests wait.
pub async fn deliver_due(pool: &Pool, webhook: &str, clock: &crate::clock::Clock) -> AppResult<usize> {
    let sent = deliveries::deliver_due(pool, Channel::Consent, &Target::once(webhook), clock, compose, 200).await?;
    Ok(sent.delivered)
}

/// The request for a message still addressed to a person not erased.
fn compose(c: &mut DbConnection, d: &Delivery) -> AppResult<Option<String>> {
    type Row = (String, String, Option<String>, Option<String>, Option<String>);
    let row: Option<Row> = consent_messages::table
        .inner_join(openings::table.on(openings::id.eq(consent_messages::opening_id)))
        .inner_join(seekers::table.on(seekers::id.eq(consent_messages::seeker_id)))
        .filter(consent_messages::id.eq(&d.subject))
        .filter(seekers::erased_at.is_null())
        .select((consent_messages::link, openings::headline, seekers::first_name, seekers::phone, seekers::email))
        .first(c)
        .optional()?;
    Ok(row.map(|(link, headline, first_name, phone, email)| {
        serde_json::json!({
            "event": "consent.request",
            "message_id": d.subject,
            "opening": headline,
            "answer_url": link,
            "recipient": { "first_name": first_name, "phone": phone, "email": email },
        })
        .to_string()
    }))
}
