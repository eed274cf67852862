//! Sending what is due, and what the gateways report back. Every `serve` process runs
//! [`deliver_due`]; a message is claimed by moving its next attempt forward in one
//! conditional update, so N processes never hand the same message over twice. A failed try
//! waits a minute, doubling ([`crate::deliveries::backoff_secs`]); after
//! `messages.max_attempts` tries the message is failed and the pages say "ring i stället".

use diesel::prelude::*;
use serde::Serialize;

use super::gateway::{self, Gateways, Outgoing};
use super::{Channel, Contact, MessageState, Template, attempt};
use crate::clock::Clock;
use crate::db::schema::{applications, messages, seekers};
use crate::db::{self, DbConnection, Pool, write_tx};
use crate::error::{AppError, AppResult, Fault, Thing};

/// How long a claimed message is left to the process that claimed it before another may try.
const CLAIM_SECS: i64 = 300;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SendSummary {
    pub sent: usize,
    /// Tried and failed this run (retried later, or failed for good).
    pub errors: usize,
}

struct Due {
    id: String,
    key: String,
    delivery_key: String,
    template: Template,
    channel: Channel,
    address: Option<String>,
    body: Option<String>,
    seeker_id: Option<String>,
    application_id: Option<String>,
    attempts: i32,
    next_attempt_at: i64,
}

/// Hands every due message (oldest first, at most `limit`) to its gateway. Messages of a
/// channel without a gateway wait.
pub async fn deliver_due(pool: &Pool, gw: &Gateways, clock: &Clock, limit: i64) -> AppResult<SendSummary> {
    let mut summary = SendSummary::default();
    let channels: Vec<Channel> = Channel::ALL.iter().copied().filter(|c| gw.configured(*c)).collect();
    if channels.is_empty() {
        return Ok(summary);
    }
    let now = clock.now_ts();
    let due: Vec<Due> = db::run(pool, move |c| {
        type Row = (
            (String, String, String, Template, Channel, Option<String>, Option<String>),
            (Option<String>, Option<String>, i32, i64),
        );
        let rows: Vec<Row> = messages::table
            .filter(messages::state.eq(MessageState::Queued))
            .filter(messages::next_attempt_at.le(now))
            .filter(messages::channel.eq_any(&channels))
            .order((messages::next_attempt_at, messages::created_at, messages::id))
            .limit(limit)
            .select((
                (
                    messages::id,
                    messages::idempotency_key,
                    messages::delivery_key,
                    messages::template,
                    messages::channel,
                    messages::address,
                    messages::body,
                ),
                (messages::seeker_id, messages::application_id, messages::attempts, messages::next_attempt_at),
            ))
            .load(c)?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    (id, key, delivery_key, template, channel, address, body),
                    (seeker_id, application_id, attempts, next_attempt_at),
                )| Due {
                    id,
                    key,
                    delivery_key,
                    template,
                    channel,
                    address,
                    body,
                    seeker_id,
                    application_id,
                    attempts,
                    next_attempt_at,
                },
            )
            .collect())
    })
    .await?;
    let client = gateway::client(gw)?;
    for d in due {
        let (id, was) = (d.id.clone(), d.next_attempt_at);
        // Ours only if no other process moved it meanwhile.
        let claimed = db::run(pool, move |c| {
            Ok(diesel::update(
                messages::table
                    .filter(messages::id.eq(&id))
                    .filter(messages::state.eq(MessageState::Queued))
                    .filter(messages::next_attempt_at.eq(was)),
            )
            .set(messages::next_attempt_at.eq(now + CLAIM_SECS))
            .execute(c)?)
        })
        .await?;
        if claimed == 0 {
            continue;
        }
        let (seeker, application, channel) = (d.seeker_id.clone(), d.application_id.clone(), d.channel);
        // A person with protected personal data: the address is read now, never stored.
        let to = match d.address.clone() {
            Some(a) => Some(a),
            None => db::run(pool, move |c| Ok(contact_of(c, seeker.as_deref(), application.as_deref())?))
                .await?
                .and_then(|contact| contact.address(channel)),
        };
        let outcome = match (&to, &d.body) {
            (Some(to), Some(text)) => {
                let out = Outgoing {
                    idempotency_key: &d.key,
                    message_id: &d.id,
                    template: d.template.as_str(),
                    channel: d.channel,
                    to,
                    subject: d.template.spec().subject,
                    text,
                    report_url: gw.report_url(&d.delivery_key),
                };
                gateway::send(&client, gw, &out).await
            }
            _ => Err("the recipient has no address for this channel any more".to_string()),
        };
        let (id, max, now) = (d.id.clone(), gw.max_attempts, clock.now_ts());
        let tries = d.attempts + 1;
        match outcome {
            Ok(gateway_id) => {
                summary.sent += 1;
                db::run(pool, move |c| {
                    write_tx(c, |c| {
                        attempt(c, &id, now, "sent", None)?;
                        diesel::update(messages::table.find(&id))
                            .set((
                                messages::state.eq(MessageState::Sent),
                                messages::attempts.eq(tries),
                                messages::sent_at.eq(now),
                                messages::gateway_id.eq(gateway_id),
                                messages::last_error.eq(None::<String>),
                            ))
                            .execute(c)?;
                        Ok::<_, AppError>(())
                    })
                })
                .await?;
            }
            Err(why) => {
                summary.errors += 1;
                tracing::warn!(channel = %d.channel, template = %d.template, tries, "a message could not be handed to its gateway");
                let wait = crate::deliveries::backoff_secs(tries - 1);
                db::run(pool, move |c| {
                    write_tx(c, |c| {
                        attempt(c, &id, now, "error", Some(&why))?;
                        let q = diesel::update(messages::table.find(&id));
                        if tries >= max {
                            q.set((
                                messages::state.eq(MessageState::Failed),
                                messages::attempts.eq(tries),
                                messages::failed_at.eq(now),
                                messages::last_error.eq(&why),
                            ))
                            .execute(c)?;
                        } else {
                            q.set((
                                messages::attempts.eq(tries),
                                messages::next_attempt_at.eq(now + wait),
                                messages::last_error.eq(&why),
                            ))
                            .execute(c)?;
                        }
                        Ok::<_, AppError>(())
                    })
                })
                .await?;
            }
        }
    }
    Ok(summary)
}

/// A recipient's contact details as their record holds them now.
pub fn contact_of(
    c: &mut DbConnection,
    seeker: Option<&str>,
    application: Option<&str>,
) -> QueryResult<Option<Contact>> {
    if let Some(app) = application {
        type Row = (Option<String>, Option<String>, bool, Option<String>);
        let row: Option<Row> = applications::table
            .find(app)
            .select((
                applications::phone,
                applications::email,
                applications::protected_identity,
                applications::contact_channel,
            ))
            .first(c)
            .optional()?;
        return Ok(row.map(|(phone, email, protected, chosen)| Contact {
            phone,
            email,
            protected,
            chosen: chosen.as_deref().and_then(Channel::parse),
        }));
    }
    let Some(seeker) = seeker else { return Ok(None) };
    let row: Option<(Option<String>, Option<String>)> = seekers::table
        .find(seeker)
        .filter(seekers::erased_at.is_null())
        .select((seekers::phone, seekers::email))
        .first(c)
        .optional()?;
    Ok(row.map(|(phone, email)| Contact { phone, email, ..Contact::default() }))
}

/// A delivery report, as 46elks posts it (`id`, `status` = `sent | delivered | failed`,
/// `delivered`), or the webhook gateway in the same words.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct DeliveryReport {
    #[serde(default)]
    pub id: Option<String>,
    pub status: String,
    #[serde(default)]
    pub delivered: Option<String>,
}

/// Records a delivery report for the message the key names. Reports may come more than once
/// and out of order: a delivered or failed message stays so.
pub fn report(c: &mut DbConnection, delivery_key: &str, r: &DeliveryReport, now: i64) -> AppResult<()> {
    write_tx(c, |c| {
        let (id, state): (String, MessageState) = messages::table
            .filter(messages::delivery_key.eq(delivery_key))
            .select((messages::id, messages::state))
            .first(c)
            .optional()?
            .ok_or(AppError::NotFound(Thing::Resource))?;
        let to = match r.status.trim() {
            "sent" => MessageState::Sent,
            "delivered" => MessageState::Delivered,
            "failed" => MessageState::Failed,
            _ => return Err(AppError::field("status", Fault::Unknown, "must be sent, delivered or failed")),
        };
        attempt(c, &id, now, to.as_str(), (to == MessageState::Failed).then_some("the gateway could not deliver it"))?;
        if matches!(state, MessageState::Delivered | MessageState::Failed | MessageState::Expired) {
            return Ok(());
        }
        let q = diesel::update(messages::table.find(&id));
        match to {
            MessageState::Delivered => {
                q.set((messages::state.eq(to), messages::delivered_at.eq(now))).execute(c)?;
            }
            MessageState::Failed => {
                q.set((
                    messages::state.eq(to),
                    messages::failed_at.eq(now),
                    messages::last_error.eq("the gateway could not deliver it"),
                ))
                .execute(c)?;
            }
            _ => {
                q.set(messages::state.eq(MessageState::Sent)).execute(c)?;
            }
        }
        Ok(())
    })
}

/// A channel's backlog for `/readyz` and `/metrics`: due and not yet sent (or retried after
/// failing), failed in the last day, and the last error seen.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MessageBacklog {
    pub channel: Channel,
    pub overdue: i64,
    pub failed_last_day: i64,
    pub last_error: Option<String>,
}

pub fn backlog(c: &mut DbConnection, channel: Channel, now: i64) -> QueryResult<MessageBacklog> {
    let overdue: i64 = messages::table
        .filter(messages::channel.eq(channel))
        .filter(messages::state.eq(MessageState::Queued))
        .filter(messages::next_attempt_at.le(now).or(messages::attempts.gt(0)))
        .count()
        .get_result(c)?;
    let failed_last_day: i64 = messages::table
        .filter(messages::channel.eq(channel))
        .filter(messages::state.eq(MessageState::Failed))
        .filter(messages::failed_at.ge(now - 86_400))
        .count()
        .get_result(c)?;
    let last_error: Option<Option<String>> = messages::table
        .filter(messages::channel.eq(channel))
        .filter(messages::last_error.is_not_null())
        .filter(messages::state.eq_any([MessageState::Queued, MessageState::Failed]))
        .order(messages::created_at.desc())
        .select(messages::last_error)
        .first(c)
        .optional()?;
    Ok(MessageBacklog { channel, overdue, failed_last_day, last_error: last_error.flatten() })
}

/// Messages failed since `since`, counted per sender (none: Platsa's own, booking's) and
/// channel: what the `messages_failed` signal says.
pub fn failed_since(c: &mut DbConnection, since: i64) -> QueryResult<Vec<(Option<String>, Channel, i64)>> {
    let rows: Vec<(Option<String>, Channel)> = messages::table
        .filter(messages::state.eq(MessageState::Failed))
        .filter(messages::failed_at.ge(since))
        .select((messages::created_by, messages::channel))
        .load(c)?;
    let mut counted: std::collections::BTreeMap<(Option<String>, Channel), i64> = Default::default();
    for key in rows {
        *counted.entry(key).or_default() += 1;
    }
    Ok(counted.into_iter().map(|((by, ch), n)| (by, ch, n)).collect())
}

/// Messages by channel and state, for `/metrics`.
pub fn counts(c: &mut DbConnection) -> QueryResult<Vec<(Channel, MessageState, i64)>> {
    messages::table
        .group_by((messages::channel, messages::state))
        .select((messages::channel, messages::state, diesel::dsl::count_star()))
        .order((messages::channel, messages::state))
        .load(c)
}
