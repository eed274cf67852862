//! The one message service: every text to a person or an employer (consent requests, booking
//! confirmations and reminders, offers of an earlier meeting, texts to many, notices to
//! employers) is a row in `messages`: who it is for, the channel, the template, the rendered
//! text and its state (`queued → sent → delivered`, or `failed`, or `expired` when no longer
//! worth sending) with every attempt. A message is queued in the transaction that decides it,
//! under an idempotency key naming its record and purpose, so a replayed request sends
//! nothing twice; [`send`] hands what is due to the gateway and the gateway's delivery report
//! comes back through an unguessable per-message key.
//!
//! No personal data in logs: the text and the address are personal and erased with the
//! person (`privacy::erasure`). A person with protected personal data has no address stored
//! here; it is read from their record when the message goes, by the one channel they chose.

pub mod gateway;
pub mod http;
pub mod send;
pub mod service;
pub mod templates;

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{message_attempts, messages};
use crate::db::{DbConnection, new_id};
pub use templates::Template;

crate::text_enum! {
    /// How a message reaches its recipient.
    pub enum MessageChannel {
        Sms = "sms",
        Email = "email",
    }
}

/// Named `MessageChannel` in the OpenAPI document, apart from the pushes' `Channel`.
pub type Channel = MessageChannel;

crate::text_enum! {
    /// Where a message is: waiting (and retried), handed to the gateway, delivered to the
    /// phone or inbox, failed (the gateway gave up, or every try failed), or expired (no
    /// longer worth sending: the meeting was cancelled, the offer ran out).
    pub enum MessageState {
        Queued = "queued",
        Sent = "sent",
        Delivered = "delivered",
        Failed = "failed",
        Expired = "expired",
    }
}

crate::text_enum! {
    /// Whom a message is for: a registered person, an applicant (before or after staff linked
    /// them to a person) or an employer's contact.
    pub enum Recipient {
        Seeker = "seeker",
        Applicant = "applicant",
        Employer = "employer",
    }
}

impl crate::labels::Label for Channel {
    fn label(self) -> &'static str {
        match self {
            Channel::Sms => "SMS",
            Channel::Email => "E-post",
        }
    }
}

impl crate::labels::Label for MessageState {
    fn label(self) -> &'static str {
        match self {
            MessageState::Queued => "Väntar på att skickas",
            MessageState::Sent => "Skickat",
            MessageState::Delivered => "Levererat",
            MessageState::Failed => "Kunde inte skickas – ring i stället",
            MessageState::Expired => "Skickades inte (inte längre aktuellt)",
        }
    }
}

impl crate::labels::Label for Recipient {
    fn label(self) -> &'static str {
        match self {
            Recipient::Seeker => "Arbetssökande",
            Recipient::Applicant => "Sökande",
            Recipient::Employer => "Arbetsgivare",
        }
    }
}

/// A phone number as the gateways want it, E.164: a Swedish number written with its leading
/// 0 (`070-123 45 67`) or `0046` becomes `+46701234567`; one already with `+` keeps it.
pub fn e164(phone: &str) -> Option<String> {
    let digits = crate::seekers::normalize_phone(phone)?;
    if let Some(rest) = digits.strip_prefix('+') {
        return Some(format!("+{rest}"));
    }
    if let Some(rest) = digits.strip_prefix("00") {
        return Some(format!("+{rest}"));
    }
    if let Some(rest) = digits.strip_prefix('0') {
        return (rest.len() >= 6).then(|| format!("+46{rest}"));
    }
    None
}

/// A person's ways to be reached, read from their record.
#[derive(Debug, Clone, Default)]
pub struct Contact {
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Skyddade personuppgifter: no address is stored with the message, and only `chosen`.
    pub protected: bool,
    pub chosen: Option<Channel>,
}

impl Contact {
    /// The channel a message goes by and the address stored with it (none for a person with
    /// protected personal data: read again when it is sent). SMS when there is a phone.
    pub fn route(&self) -> Option<(Channel, Option<String>)> {
        let sms = self.phone.as_deref().and_then(e164);
        let email = self.email.clone().filter(|e| !e.trim().is_empty());
        let (channel, address) = match (self.protected, self.chosen) {
            (true, Some(Channel::Sms)) => (Channel::Sms, sms?),
            (true, Some(Channel::Email)) => (Channel::Email, email?),
            // A choice is honoured for everyone while its contact is there.
            (false, Some(Channel::Email)) if email.is_some() => (Channel::Email, email?),
            _ => match (sms, email) {
                (Some(p), _) => (Channel::Sms, p),
                (None, Some(e)) => (Channel::Email, e),
                (None, None) => return None,
            },
        };
        Some((channel, (!self.protected).then_some(address)))
    }

    /// The address for `channel` at sending time.
    pub fn address(&self, channel: Channel) -> Option<String> {
        if self.protected && self.chosen.is_some_and(|c| c != channel) {
            return None;
        }
        match channel {
            Channel::Sms => self.phone.as_deref().and_then(e164),
            Channel::Email => self.email.clone().filter(|e| !e.trim().is_empty()),
        }
    }
}

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// Names the record and purpose (`consent:<id>`, `reminder:<booking>`): one message per key.
    pub key: String,
    pub template: Template,
    pub recipient: Recipient,
    pub channel: Channel,
    pub seeker_id: Option<String>,
    pub application_id: Option<String>,
    pub opening_id: Option<String>,
    pub subject: Option<String>,
    /// `None` for a person with protected personal data.
    pub address: Option<String>,
    pub body: String,
    pub due: i64,
    pub by: Option<String>,
}

/// What [`queue`] found: a new message, or the one already under the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Queued {
    New(String),
    Existing(String),
}

impl Queued {
    pub fn id(&self) -> &str {
        match self {
            Queued::New(id) | Queued::Existing(id) => id,
        }
    }
}

/// Queues a message in the caller's transaction; a key already used queues nothing (safe
/// with N processes: the unique key decides).
pub fn queue(c: &mut DbConnection, m: NewMessage, now: i64) -> QueryResult<Queued> {
    let id = new_id();
    let delivery_key = crate::auth::generate_token()["platsa_".len()..].to_string();
    let insert = diesel::insert_into(messages::table)
        .values((
            messages::id.eq(&id),
            messages::idempotency_key.eq(&m.key),
            messages::delivery_key.eq(&delivery_key),
            messages::template.eq(m.template),
            messages::channel.eq(m.channel),
            messages::recipient.eq(m.recipient),
            messages::seeker_id.eq(&m.seeker_id),
            messages::application_id.eq(&m.application_id),
            messages::opening_id.eq(&m.opening_id),
            messages::subject.eq(&m.subject),
            messages::address.eq(&m.address),
            messages::body.eq(&m.body),
            messages::state.eq(MessageState::Queued),
            messages::next_attempt_at.eq(m.due),
            messages::created_at.eq(now),
            messages::created_by.eq(&m.by),
        ))
        .on_conflict(messages::idempotency_key)
        .do_nothing();
    // One statement whichever process gets there first: a unique violation would abort the
    // caller's transaction on PostgreSQL.
    let inserted = match c {
        DbConnection::Sqlite(c) => insert.execute(c)?,
        DbConnection::Postgres(c) => insert.execute(c)?,
    };
    if inserted == 1 {
        return Ok(Queued::New(id));
    }
    messages::table.filter(messages::idempotency_key.eq(&m.key)).select(messages::id).first(c).map(Queued::Existing)
}

/// Whether a message was ever queued under this key.
pub fn exists(c: &mut DbConnection, key: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(messages::table.filter(messages::idempotency_key.eq(key)))).get_result(c)
}

/// Messages about `subject` of `template` still waiting are no longer sent (a cancelled
/// meeting's reminder, an offer that ran out).
pub fn expire(c: &mut DbConnection, subject: &str, template: Template, now: i64) -> QueryResult<usize> {
    let ids: Vec<String> = messages::table
        .filter(messages::subject.eq(subject))
        .filter(messages::template.eq(template))
        .filter(messages::state.eq(MessageState::Queued))
        .select(messages::id)
        .load(c)?;
    for id in &ids {
        attempt(c, id, now, "expired", None)?;
    }
    diesel::update(messages::table.filter(messages::id.eq_any(&ids)))
        .set(messages::state.eq(MessageState::Expired))
        .execute(c)
}

/// The message of `template` about `subject` still waiting to be sent, if any, and when it
/// was queued (a notice gathering more news before it goes).
pub fn queued_about(c: &mut DbConnection, template: Template, subject: &str) -> QueryResult<Option<(String, i64)>> {
    messages::table
        .filter(messages::template.eq(template))
        .filter(messages::subject.eq(subject))
        .filter(messages::state.eq(MessageState::Queued))
        .filter(messages::attempts.eq(0))
        .order(messages::created_at.desc())
        .select((messages::id, messages::created_at))
        .first(c)
        .optional()
}

/// A waiting message's text, written anew (before any try to send it).
pub fn rewrite(c: &mut DbConnection, id: &str, body: &str) -> QueryResult<()> {
    diesel::update(messages::table.find(id).filter(messages::state.eq(MessageState::Queued)))
        .set(messages::body.eq(body))
        .execute(c)?;
    Ok(())
}

/// Appends an attempt (a send, an error, a delivery report) to a message's history.
pub(crate) fn attempt(
    c: &mut DbConnection,
    message: &str,
    now: i64,
    outcome: &str,
    error: Option<&str>,
) -> QueryResult<()> {
    let n: Option<i32> = message_attempts::table
        .filter(message_attempts::message_id.eq(message))
        .select(diesel::dsl::max(message_attempts::n))
        .first(c)?;
    diesel::insert_into(message_attempts::table)
        .values((
            message_attempts::message_id.eq(message),
            message_attempts::n.eq(n.unwrap_or(0) + 1),
            message_attempts::at.eq(now),
            message_attempts::outcome.eq(outcome),
            message_attempts::error.eq(error),
        ))
        .execute(c)?;
    Ok(())
}

/// A message as staff see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MessageView {
    pub id: String,
    pub template: Template,
    pub channel: Channel,
    pub recipient: Recipient,
    pub seeker_id: Option<String>,
    pub application_id: Option<String>,
    pub opening_id: Option<String>,
    /// What it is about: a consent request, a booking, an offer.
    pub subject: Option<String>,
    /// The phone (E.164) or e-mail address; absent for a person with protected personal data.
    pub address: Option<String>,
    /// The text as sent; absent once erased.
    pub text: Option<String>,
    pub state: MessageState,
    /// What the pages say: "Skickat", "Levererat", "Kunde inte skickas – ring i stället"…
    pub state_text: String,
    pub last_error: Option<String>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub sent_at: Option<i64>,
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub delivered_at: Option<i64>,
    /// Every send, error and delivery report, oldest first.
    pub attempts: Vec<AttemptView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: i64,
    /// `sent`, `error`, `delivered`, `failed`, `expired`.
    pub outcome: String,
    pub error: Option<String>,
}

/// What the pages show for a message's state: a message still queued after failed tries is
/// being retried; one queued with no gateway for its channel waits for one.
pub fn state_text(state: MessageState, attempts: i32, configured: bool) -> String {
    use crate::labels::Label;
    match state {
        MessageState::Queued if attempts > 0 => "Kunde inte skickas – försöker igen".into(),
        MessageState::Queued if !configured => "Skickas inte – ingen tjänst för utskick är inställd".into(),
        s => s.label().into(),
    }
}

/// Which messages to list: of a person, an opening or an application.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub seeker_id: Option<String>,
    pub opening_id: Option<String>,
    pub application_id: Option<String>,
}

type Row = (
    (String, Template, Channel, Recipient, Option<String>, Option<String>, Option<String>, Option<String>),
    (Option<String>, Option<String>, MessageState, i32, Option<String>, i64, Option<i64>, Option<i64>),
);

/// Messages matching `filter`, newest first, with their attempts; `configured(channel)`
/// says whether the channel has a gateway.
pub fn list(
    c: &mut DbConnection,
    filter: &Filter,
    (limit, offset): (i64, i64),
    configured: &dyn Fn(Channel) -> bool,
) -> QueryResult<(Vec<MessageView>, i64)> {
    let q = || {
        let mut q = messages::table.into_boxed();
        if let Some(s) = &filter.seeker_id {
            q = q.filter(messages::seeker_id.eq(s.clone()));
        }
        if let Some(o) = &filter.opening_id {
            q = q.filter(messages::opening_id.eq(o.clone()));
        }
        if let Some(a) = &filter.application_id {
            q = q.filter(messages::application_id.eq(a.clone()));
        }
        q
    };
    let total: i64 = q().count().get_result(c)?;
    let rows: Vec<Row> = q()
        .order((messages::created_at.desc(), messages::id))
        .limit(limit)
        .offset(offset)
        .select((
            (
                messages::id,
                messages::template,
                messages::channel,
                messages::recipient,
                messages::seeker_id,
                messages::application_id,
                messages::opening_id,
                messages::subject,
            ),
            (
                messages::address,
                messages::body,
                messages::state,
                messages::attempts,
                messages::last_error,
                messages::created_at,
                messages::sent_at,
                messages::delivered_at,
            ),
        ))
        .load(c)?;
    let ids: Vec<String> = rows.iter().map(|r| r.0.0.clone()).collect();
    let mut attempts: HashMap<String, Vec<AttemptView>> = HashMap::new();
    let found: Vec<(String, i64, String, Option<String>)> = message_attempts::table
        .filter(message_attempts::message_id.eq_any(&ids))
        .order((message_attempts::message_id, message_attempts::n))
        .select((
            message_attempts::message_id,
            message_attempts::at,
            message_attempts::outcome,
            message_attempts::error,
        ))
        .load(c)?;
    for (id, at, outcome, error) in found {
        attempts.entry(id).or_default().push(AttemptView { at, outcome, error });
    }
    let items = rows
        .into_iter()
        .map(
            |(
                (id, template, channel, recipient, seeker_id, application_id, opening_id, subject),
                (address, text, state, tries, last_error, created_at, sent_at, delivered_at),
            )| MessageView {
                attempts: attempts.remove(&id).unwrap_or_default(),
                state_text: state_text(state, tries, configured(channel)),
                id,
                template,
                channel,
                recipient,
                seeker_id,
                application_id,
                opening_id,
                subject,
                address,
                text,
                state,
                last_error,
                created_at,
                sent_at,
                delivered_at,
            },
        )
        .collect();
    Ok((items, total))
}

/// The latest message of `template` about each of these subjects: its state and tries (what
/// the shortlist and the agenda show beside each row).
pub fn latest_of(
    c: &mut DbConnection,
    template: Template,
    subjects: &[String],
) -> QueryResult<HashMap<String, (MessageState, i32, Channel)>> {
    let mut out = HashMap::new();
    for chunk in subjects.chunks(500) {
        let rows: Vec<(Option<String>, MessageState, i32, Channel, i64)> = messages::table
            .filter(messages::template.eq(template))
            .filter(messages::subject.eq_any(chunk))
            .order(messages::created_at)
            .select((messages::subject, messages::state, messages::attempts, messages::channel, messages::created_at))
            .load(c)?;
        for (subject, state, tries, channel, _) in rows {
            if let Some(s) = subject {
                out.insert(s, (state, tries, channel));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_go_out_in_e164() {
        assert_eq!(e164("070-123 45 67").as_deref(), Some("+46701234567"));
        assert_eq!(e164("0046701234567").as_deref(), Some("+46701234567"));
        assert_eq!(e164("+46 70 123 45 67").as_deref(), Some("+46701234567"));
        assert_eq!(e164("701234567"), None, "without its 0 the number is not known to be Swedish");
        assert_eq!(e164("hej"), None);
    }

    #[test]
    fn protected_people_are_reached_only_by_their_channel_and_no_address_is_kept() {
        let c = Contact {
            phone: Some("0701234567".into()),
            email: Some("a@example.se".into()),
            protected: true,
            chosen: Some(Channel::Email),
        };
        assert_eq!(c.route(), Some((Channel::Email, None)));
        assert_eq!(c.address(Channel::Sms), None);
        assert_eq!(c.address(Channel::Email).as_deref(), Some("a@example.se"));
        let open = Contact { protected: false, chosen: None, ..c };
        assert_eq!(open.route(), Some((Channel::Sms, Some("+46701234567".into()))));
    }
}
