//! The message use cases staff reach by API and pages alike: the messages about a person, an
//! opening or an application (audited through the privacy gate), the templates, texts to
//! many, and a person's STOP.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Channel, Contact, Filter, MessageState, MessageView, NewMessage, Queued, Recipient, Template};
use crate::db::schema::{applications, messages, openings, seekers};
use crate::db::{DbConnection, write_tx};
use crate::error::{AppError, AppResult, Fault, Thing};
use crate::privacy::{self, Reader};

/// Messages for staff (never employers): of one person (the privacy gate: need-to-know and
/// the audit row), or of an opening or an application (the people they went to are audited
/// as shown).
pub fn list(
    c: &mut DbConnection,
    r: &Reader,
    filter: &Filter,
    page: (i64, i64),
    configured: &dyn Fn(Channel) -> bool,
) -> AppResult<(Vec<MessageView>, i64)> {
    if filter.seeker_id.is_none() && filter.opening_id.is_none() && filter.application_id.is_none() {
        return Err(AppError::field(
            "seeker_id",
            Fault::Required,
            "name a seeker_id, an opening_id or an application_id",
        ));
    }
    write_tx(c, |c| {
        if let Some(s) = &filter.seeker_id {
            let unit: Option<Option<String>> = seekers::table.find(s).select(seekers::unit).first(c).optional()?;
            let unit = unit.ok_or(AppError::NotFound(Thing::Seeker))?;
            privacy::admit(c, r, s, unit.as_deref())?;
        }
        let (items, total) = super::list(c, filter, page, configured)?;
        let mut people: Vec<String> = items.iter().filter_map(|m| m.seeker_id.clone()).collect();
        people.sort();
        people.dedup();
        if let Some(s) = &filter.seeker_id {
            people.retain(|p| p != s);
        }
        if !people.is_empty() {
            privacy::shown(c, &r.who, &people, &r.action, r.now)?;
        }
        if let Some(app) = &filter.application_id {
            let linked: Option<Option<String>> =
                applications::table.find(app).select(applications::seeker_id).first(c).optional()?;
            if linked.is_none() {
                return Err(AppError::NotFound(Thing::Application));
            }
            if items.iter().all(|m| m.seeker_id.is_none()) {
                privacy::shown(c, &r.who, &[format!("application:{app}")], &r.action, r.now)?;
            }
        }
        Ok((items, total))
    })
}

/// Texts to many: one template to the people chosen, by SMS.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkInput {
    /// A template for texts to many: `invitation`.
    pub template: String,
    /// 1 to 500 people.
    pub seeker_ids: Vec<String>,
    /// The opening the text is about (its headline fills `{tjanst}`).
    #[serde(default)]
    pub opening_id: Option<String>,
    /// When (`{tid}`), e.g. "tisdag 8 december kl. 10".
    #[serde(default)]
    pub tid: Option<String>,
    /// Where (`{plats}`), e.g. "Jobbcenter, Stortorget 1".
    #[serde(default)]
    pub plats: Option<String>,
}

crate::text_enum! {
    /// Why a person got no text.
    pub enum Skip {
        /// No mobile number on the profile: call or write instead.
        NoPhone = "no_phone",
        /// The person answered STOP.
        Stopped = "stopped",
        /// Another unit's person, with no reason stated today.
        NotAllowed = "not_allowed",
        /// No such person, or erased.
        NotFound = "not_found",
        /// Not active (paused or left).
        NotActive = "not_active",
    }
}

impl crate::labels::Label for Skip {
    fn label(self) -> &'static str {
        match self {
            Skip::NoPhone => "Inget mobilnummer – ring eller skriv i stället",
            Skip::Stopped => "Har svarat STOPP på utskick",
            Skip::NotAllowed => "Annan enhet – ange skäl för att se personen först",
            Skip::NotFound => "Finns inte",
            Skip::NotActive => "Inte aktiv",
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BulkItem {
    pub seeker_id: String,
    pub name: String,
    /// The message, when one was queued (or already had been under the same key).
    pub message_id: Option<String>,
    pub state: Option<MessageState>,
    pub skipped: Option<Skip>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BulkResult {
    pub queued: usize,
    pub skipped: usize,
    pub items: Vec<BulkItem>,
}

/// Queues the text for each person the reader may reach: active, with a mobile number, not
/// stopped. `replay`: the request's Idempotency-Key, so sending the same request again
/// queues nothing new.
pub fn bulk(c: &mut DbConnection, r: &Reader, input: &BulkInput, replay: Option<&str>) -> AppResult<BulkResult> {
    let template = Template::parse(input.template.trim())
        .filter(|t| *t == Template::Invitation)
        .ok_or_else(|| AppError::field("template", Fault::Unknown, "must be invitation"))?;
    if input.seeker_ids.is_empty() || input.seeker_ids.len() > 500 {
        return Err(AppError::field("seeker_ids", Fault::Range, "choose 1 to 500 people"));
    }
    let mut errors = crate::error::Errors::new();
    let tid = crate::vocabulary::free_text(&input.tid, "tid", 200, &mut errors).unwrap_or_default();
    let plats = crate::vocabulary::free_text(&input.plats, "plats", 200, &mut errors).unwrap_or_default();
    errors.into_result()?;
    let mut ids = input.seeker_ids.clone();
    ids.sort();
    ids.dedup();
    let batch = replay.map(str::to_string).unwrap_or_else(crate::db::new_id);
    write_tx(c, |c| {
        let headline = match &input.opening_id {
            None => String::new(),
            Some(o) => openings::table
                .find(o)
                .select(openings::headline)
                .first(c)
                .optional()?
                .ok_or_else(|| AppError::field("opening_id", Fault::NotFound, "no such opening"))?,
        };
        type Row = (String, Option<String>, Option<String>, Option<String>, Option<String>, Option<i64>, String);
        let rows: Vec<Row> = seekers::table
            .filter(seekers::id.eq_any(&ids))
            .filter(seekers::erased_at.is_null())
            .select((
                seekers::id,
                seekers::unit,
                seekers::first_name,
                seekers::last_name,
                seekers::phone,
                seekers::sms_stopped_at,
                seekers::status,
            ))
            .load(c)?;
        let people: Vec<(String, Option<String>)> = rows.iter().map(|r| (r.0.clone(), r.1.clone())).collect();
        let whole = privacy::admit_list(c, r, &people)?;
        let body = super::templates::body(c, template)?;
        let mut found: HashMap<String, BulkItem> = HashMap::new();
        for ((id, _, first, last, phone, stopped, status), whole) in rows.into_iter().zip(whole) {
            let name = format!("{} {}", first.clone().unwrap_or_default(), last.unwrap_or_default()).trim().to_string();
            let to = phone.as_deref().and_then(super::e164);
            let skip = if !whole {
                Some(Skip::NotAllowed)
            } else if status != "active" {
                Some(Skip::NotActive)
            } else if stopped.is_some() {
                Some(Skip::Stopped)
            } else if to.is_none() {
                Some(Skip::NoPhone)
            } else {
                None
            };
            let mut item = BulkItem { seeker_id: id.clone(), name, message_id: None, state: None, skipped: skip };
            if skip.is_none() {
                let text = super::templates::render(
                    &body,
                    &[
                        ("fornamn", first.as_deref().unwrap_or_default()),
                        ("tid", &tid),
                        ("plats", &plats),
                        ("tjanst", &headline),
                    ],
                );
                let queued = super::queue(
                    c,
                    NewMessage {
                        key: format!("{template}:{}:{batch}:{id}", r.who.user_id),
                        template,
                        recipient: Recipient::Seeker,
                        channel: Channel::Sms,
                        seeker_id: Some(id.clone()),
                        application_id: None,
                        opening_id: input.opening_id.clone(),
                        subject: Some(batch.clone()),
                        address: to,
                        body: text,
                        due: r.now,
                        by: Some(r.who.user_id.clone()),
                    },
                    r.now,
                )?;
                let state: MessageState = messages::table.find(queued.id()).select(messages::state).first(c)?;
                item.message_id = Some(queued.id().to_string());
                item.state = Some(state);
                if matches!(queued, Queued::Existing(_)) {
                    tracing::debug!("a text to many was asked for again; the earlier message stands");
                }
            }
            found.insert(id, item);
        }
        let items: Vec<BulkItem> = ids
            .iter()
            .map(|id| {
                found.remove(id).unwrap_or(BulkItem {
                    seeker_id: id.clone(),
                    name: String::new(),
                    message_id: None,
                    state: None,
                    skipped: Some(Skip::NotFound),
                })
            })
            .collect();
        let queued = items.iter().filter(|i| i.message_id.is_some()).count();
        Ok(BulkResult { queued, skipped: items.len() - queued, items })
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StopInput {
    /// The person answered STOP (true), or asked for texts again (false).
    pub stopped: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StopState {
    pub seeker_id: String,
    pub stopped: bool,
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub stopped_at: Option<i64>,
}

/// Records a person's STOP to texts to many (messages about their own case still go).
pub fn set_stop(c: &mut DbConnection, r: &Reader, seeker: &str, input: &StopInput) -> AppResult<StopState> {
    write_tx(c, |c| {
        let (unit, was): (Option<String>, Option<i64>) = seekers::table
            .find(seeker)
            .filter(seekers::erased_at.is_null())
            .select((seekers::unit, seekers::sms_stopped_at))
            .first(c)
            .optional()?
            .ok_or(AppError::NotFound(Thing::Seeker))?;
        privacy::admit(c, r, seeker, unit.as_deref())?;
        let at = match (input.stopped, was) {
            (true, Some(t)) => Some(t),
            (true, None) => Some(r.now),
            (false, _) => None,
        };
        diesel::update(seekers::table.find(seeker)).set(seekers::sms_stopped_at.eq(at)).execute(c)?;
        Ok(StopState { seeker_id: seeker.to_string(), stopped: at.is_some(), stopped_at: at })
    })
}

/// A seeker's contact for a message about their own case.
pub fn seeker_contact(c: &mut DbConnection, seeker: &str) -> QueryResult<Option<Contact>> {
    super::send::contact_of(c, Some(seeker), None)
}
