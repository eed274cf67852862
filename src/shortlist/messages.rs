//! Consent requests out through the message webhook (an SMS or e-mail gateway), retried with
//! backoff until delivered, like meeting reminders. The gateway gets the person's first name,
//! contact details and answer link, and the opening's headline; nothing else.

use std::time::Duration;

use diesel::prelude::*;

use crate::db::schema::{consent_messages, openings, seekers};
use crate::db::{self, Pool};
use crate::error::AppResult;

/// Sends what is due; without a webhook nothing is sent and requests wait.
pub async fn deliver_due(pool: &Pool, webhook: &str, clock: &crate::clock::Clock) -> AppResult<usize> {
    let webhook = webhook.trim().to_string();
    if webhook.is_empty() {
        return Ok(0);
    }
    let now = clock.now_ts();
    type Due = (String, String, i32, String, Option<String>, Option<String>, Option<String>);
    let due: Vec<Due> = db::run(pool, move |c| {
        Ok(consent_messages::table
            .inner_join(openings::table.on(openings::id.eq(consent_messages::opening_id)))
            .inner_join(seekers::table.on(seekers::id.eq(consent_messages::seeker_id)))
            .filter(consent_messages::status.eq("pending"))
            .filter(consent_messages::next_attempt_at.le(now))
            .select((
                consent_messages::id,
                consent_messages::link,
                consent_messages::attempts,
                openings::headline,
                seekers::first_name,
                seekers::phone,
                seekers::email,
            ))
            .limit(200)
            .load(c)?)
    })
    .await?;
    let client = crate::webhook::client(Duration::from_secs(10))?;
    let mut sent = 0;
    for (id, link, attempts, headline, first_name, phone, email) in due {
        let body = serde_json::json!({
            "event": "consent.request",
            "message_id": id,
            "opening": headline,
            "answer_url": link,
            "recipient": { "first_name": first_name, "phone": phone, "email": email },
        });
        let key = format!("platsa-consent:{id}");
        let error = crate::webhook::post(&client, &webhook, &key, body.to_string()).await.err();
        let now = clock.now_ts();
        let wait = crate::webhook::backoff_secs(attempts);
        let ok = error.is_none();
        db::run(pool, move |c| {
            let q = consent_messages::table.find(&id);
            if ok {
                diesel::update(q)
                    .set((
                        consent_messages::status.eq("delivered"),
                        consent_messages::attempts.eq(consent_messages::attempts + 1),
                    ))
                    .execute(c)?;
            } else {
                diesel::update(q)
                    .set((
                        consent_messages::attempts.eq(consent_messages::attempts + 1),
                        consent_messages::last_error.eq(error),
                        consent_messages::next_attempt_at.eq(now + wait),
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
