//! The shortlist: people a broker considers for an opening before (and besides) proposing
//! them, each with a status and a note; and the person's consent for that opening, without
//! which nothing about them reaches the employer. Consent is asked through a link the person
//! answers (sent by the message webhook) or recorded by the broker who heard the answer
//! (phone, in person, letter); every change is kept with who, when and how.

pub mod http;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::Principal;
use crate::clock::Day;
use crate::db::schema::{consent_events, consent_messages, openings, seekers, shortlist};
use crate::db::{DbConnection, new_id, write_tx};
use crate::error::{AppError, AppResult, Clash, Errors, Fault, Thing};

crate::text_enum! {
    /// Where a person stands on an opening's shortlist.
    #[derive(Default)]
    pub enum ShortlistStatus {
        #[default]
        Considering = "considering",
        Contacted = "contacted",
        Suitable = "suitable",
        NotSuitable = "not_suitable",
        NotInterested = "not_interested",
    }
}

impl ShortlistStatus {
    /// "Ej aktuell": hidden from the candidate list, with the note as the reason.
    pub fn is_out(self) -> bool {
        matches!(self, ShortlistStatus::NotSuitable | ShortlistStatus::NotInterested)
    }
}

crate::text_enum! {
    /// A person's consent to be presented to the employer of one opening.
    pub enum ConsentState {
        Requested = "requested",
        Given = "given",
        Declined = "declined",
        /// Requested, and the deadline passed without an answer.
        Expired = "expired",
        Withdrawn = "withdrawn",
    }
}

crate::text_enum! {
    /// How an answer reached Platsa.
    pub enum ConsentHow {
        Phone = "phone",
        InPerson = "in_person",
        Digital = "digital",
        Letter = "letter",
    }
}

/// One person on an opening's shortlist.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ShortlistEntry)]
pub struct Entry {
    pub opening_id: String,
    pub seeker_id: String,
    pub status: ShortlistStatus,
    pub note: Option<String>,
    pub added_by: String,
    /// The consent's state as of today (a request past its deadline reads `expired`).
    pub consent: Option<ConsentState>,
    pub consent_deadline: Option<Day>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

type Row = (String, String, ShortlistStatus, Option<String>, String, Option<ConsentState>, Option<Day>, i64, i64);

fn entry(r: Row, today: NaiveDate) -> Entry {
    let (opening_id, seeker_id, status, note, added_by, consent, deadline, created_at, updated_at) = r;
    Entry {
        opening_id,
        seeker_id,
        status,
        note,
        added_by,
        consent: effective(consent, deadline.as_ref(), today),
        consent_deadline: deadline,
        created_at,
        updated_at,
    }
}

/// A request not answered by its deadline has expired.
fn effective(state: Option<ConsentState>, deadline: Option<&Day>, today: NaiveDate) -> Option<ConsentState> {
    match (state, deadline) {
        (Some(ConsentState::Requested), Some(d)) if d.date() < today => Some(ConsentState::Expired),
        (s, _) => s,
    }
}

fn columns() -> (
    shortlist::opening_id,
    shortlist::seeker_id,
    shortlist::status,
    shortlist::note,
    shortlist::added_by,
    shortlist::consent_state,
    shortlist::consent_deadline,
    shortlist::created_at,
    shortlist::updated_at,
) {
    (
        shortlist::opening_id,
        shortlist::seeker_id,
        shortlist::status,
        shortlist::note,
        shortlist::added_by,
        shortlist::consent_state,
        shortlist::consent_deadline,
        shortlist::created_at,
        shortlist::updated_at,
    )
}

/// The opening's shortlist, in the order people were added.
pub fn list(conn: &mut DbConnection, opening: &str, today: NaiveDate) -> AppResult<Vec<Entry>> {
    let rows: Vec<Row> = shortlist::table
        .filter(shortlist::opening_id.eq(opening))
        .order((shortlist::created_at, shortlist::seeker_id))
        .select(columns())
        .load(conn)?;
    Ok(rows.into_iter().map(|r| entry(r, today)).collect())
}

pub fn get(conn: &mut DbConnection, opening: &str, seeker: &str, today: NaiveDate) -> AppResult<Entry> {
    let row: Row = shortlist::table
        .find((opening, seeker))
        .select(columns())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound(Thing::ShortlistEntry))?;
    Ok(entry(row, today))
}

/// What a broker adds or changes.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ShortlistInput)]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    #[serde(default)]
    pub seeker_id: Option<String>,
    #[serde(default)]
    pub status: Option<ShortlistStatus>,
    #[serde(default)]
    pub note: Option<String>,
}

fn note(input: &EntryInput) -> AppResult<Option<String>> {
    let mut errors = Errors::new();
    let note = crate::vocabulary::free_text(&input.note, "note", 2000, &mut errors);
    errors.into_result()?;
    Ok(note)
}

fn open_opening(c: &mut DbConnection, opening: &str) -> AppResult<()> {
    let found: i64 = openings::table.find(opening).filter(openings::deleted_at.is_null()).count().get_result(c)?;
    if found == 0 {
        return Err(AppError::NotFound(Thing::Opening));
    }
    Ok(())
}

/// Puts a person on the shortlist; a second time is a 409 naming the entry.
pub fn add(
    conn: &mut DbConnection,
    now: i64,
    today: NaiveDate,
    who: &Principal,
    opening: &str,
    input: &EntryInput,
) -> AppResult<Entry> {
    let seeker = input
        .seeker_id
        .clone()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| AppError::field("seeker_id", Fault::Required, "name the seeker to put on the shortlist"))?;
    let note = note(input)?;
    let result = write_tx(conn, |c| {
        open_opening(c, opening)?;
        crate::seekers::store::find_row(c, &seeker)?
            .ok_or_else(|| AppError::field("seeker_id", Fault::NotFound, "no seeker with this id"))?;
        insert(c, now, who, opening, &seeker, input.status.unwrap_or_default(), note.as_deref())?;
        get(c, opening, &seeker, today)
    });
    match result {
        Err(AppError::Conflict { clash: Clash::Unique, .. }) => Err(AppError::conflict_with(
            Clash::Duplicate,
            "the seeker is already on this opening's shortlist",
            serde_json::json!({ "opening_id": opening, "seeker_id": seeker }),
        )),
        other => other,
    }
}

fn insert(
    c: &mut DbConnection,
    now: i64,
    who: &Principal,
    opening: &str,
    seeker: &str,
    status: ShortlistStatus,
    note: Option<&str>,
) -> AppResult<()> {
    diesel::insert_into(shortlist::table)
        .values((
            shortlist::opening_id.eq(opening),
            shortlist::seeker_id.eq(seeker),
            shortlist::status.eq(status),
            shortlist::note.eq(note),
            shortlist::added_by.eq(&who.user_id),
            shortlist::created_at.eq(now),
            shortlist::updated_at.eq(now),
        ))
        .execute(c)?;
    Ok(())
}

/// Changes a person's status or note (a field left out stays as it was).
pub fn update(
    conn: &mut DbConnection,
    now: i64,
    today: NaiveDate,
    opening: &str,
    seeker: &str,
    input: &EntryInput,
) -> AppResult<Entry> {
    let note = note(input)?;
    write_tx(conn, |c| {
        let current = get(c, opening, seeker, today)?;
        diesel::update(shortlist::table.find((opening, seeker)))
            .set((
                shortlist::status.eq(input.status.unwrap_or(current.status)),
                shortlist::note.eq(if input.note.is_some() { note.clone() } else { current.note.clone() }),
                shortlist::updated_at.eq(now),
            ))
            .execute(c)?;
        get(c, opening, seeker, today)
    })
}

/// One change of consent, as the history shows it.
#[derive(Debug, Clone, Serialize, Queryable, utoipa::ToSchema)]
pub struct ConsentEvent {
    pub state: ConsentState,
    pub how: Option<ConsentHow>,
    pub note: Option<String>,
    /// Who recorded it; none when the person answered through their link.
    pub by: Option<String>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Consent {
    pub opening_id: String,
    pub seeker_id: String,
    pub state: Option<ConsentState>,
    pub deadline: Option<Day>,
    pub history: Vec<ConsentEvent>,
}

pub fn consent(conn: &mut DbConnection, opening: &str, seeker: &str, today: NaiveDate) -> AppResult<Consent> {
    let e = get(conn, opening, seeker, today)?;
    let history = consent_events::table
        .filter(consent_events::opening_id.eq(opening))
        .filter(consent_events::seeker_id.eq(seeker))
        .order((consent_events::at, consent_events::id))
        .select((
            consent_events::state,
            consent_events::how,
            consent_events::note,
            consent_events::by_user,
            consent_events::at,
        ))
        .load(conn)?;
    Ok(Consent {
        opening_id: e.opening_id,
        seeker_id: e.seeker_id,
        state: e.consent,
        deadline: e.consent_deadline,
        history,
    })
}

/// An answer a broker received: given, declined or withdrawn, and how it came.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    pub state: ConsentState,
    pub how: ConsentHow,
    #[serde(default)]
    pub note: Option<String>,
}

/// One change of consent to record.
struct Change<'a> {
    state: ConsentState,
    how: Option<ConsentHow>,
    note: Option<&'a str>,
    by: Option<&'a str>,
}

fn event(c: &mut DbConnection, now: i64, opening: &str, seeker: &str, change: Change<'_>) -> AppResult<()> {
    diesel::insert_into(consent_events::table)
        .values((
            consent_events::id.eq(new_id()),
            consent_events::opening_id.eq(opening),
            consent_events::seeker_id.eq(seeker),
            consent_events::state.eq(change.state),
            consent_events::how.eq(change.how),
            consent_events::note.eq(change.note),
            consent_events::by_user.eq(change.by),
            consent_events::at.eq(now),
        ))
        .execute(c)?;
    Ok(())
}

/// Puts the person on the shortlist (as contacted) if they are not there yet.
fn ensure_entry(c: &mut DbConnection, now: i64, who: &Principal, opening: &str, seeker: &str) -> AppResult<()> {
    open_opening(c, opening)?;
    let there: i64 = shortlist::table.find((opening, seeker)).count().get_result(c)?;
    if there == 0 {
        crate::seekers::store::find_row(c, seeker)?.ok_or(AppError::NotFound(Thing::Seeker))?;
        insert(c, now, who, opening, seeker, ShortlistStatus::Contacted, None)?;
    }
    Ok(())
}

/// Records an answer the broker received. `withdrawn` hides the person from the employer
/// again at once.
pub fn record(
    conn: &mut DbConnection,
    now: i64,
    today: NaiveDate,
    who: &Principal,
    opening: &str,
    seeker: &str,
    input: &ConsentInput,
) -> AppResult<Consent> {
    if !matches!(input.state, ConsentState::Given | ConsentState::Declined | ConsentState::Withdrawn) {
        return Err(AppError::field("state", Fault::Unknown, "must be given, declined or withdrawn"));
    }
    let mut errors = Errors::new();
    let note = crate::vocabulary::free_text(&input.note, "note", 2000, &mut errors);
    errors.into_result()?;
    write_tx(conn, |c| {
        ensure_entry(c, now, who, opening, seeker)?;
        diesel::update(shortlist::table.find((opening, seeker)))
            .set((
                shortlist::consent_state.eq(Some(input.state)),
                shortlist::consent_token_hash.eq(None::<String>),
                shortlist::updated_at.eq(now),
            ))
            .execute(c)?;
        let change = Change { state: input.state, how: Some(input.how), note: note.as_deref(), by: Some(&who.user_id) };
        event(c, now, opening, seeker, change)?;
        consent(c, opening, seeker, today)
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// The last day to answer.
    pub deadline: NaiveDate,
}

/// Asks the person: a new answer link (any earlier one stops working) goes out as a message
/// (`messages`, template `consent_request`) to the contact details on their profile. With
/// `replay` (the request's Idempotency-Key) a request already made under it changes and sends
/// nothing: the consent is answered as it stands.
pub fn request(
    conn: &mut DbConnection,
    (now, today): (i64, NaiveDate),
    who: &Principal,
    public_url: &str,
    (opening, seeker): (&str, &str),
    input: &RequestInput,
    replay: Option<&str>,
) -> AppResult<Consent> {
    use crate::messages;
    if input.deadline < today {
        return Err(AppError::field("deadline", Fault::Past, "is in the past"));
    }
    if input.deadline > today + chrono::Days::new(60) {
        return Err(AppError::field("deadline", Fault::Range, "must be within 60 days"));
    }
    let token = format!("sk_{}", &crate::auth::generate_token()["platsa_".len()..]);
    let message = new_id();
    let key = match replay {
        Some(k) => format!("consent:{opening}:{seeker}:{}:{k}", who.user_id),
        None => format!("consent:{message}"),
    };
    write_tx(conn, |c| {
        if replay.is_some() && messages::exists(c, &key)? {
            return consent(c, opening, seeker, today);
        }
        ensure_entry(c, now, who, opening, seeker)?;
        let contact = messages::service::seeker_contact(c, seeker)?.unwrap_or_default();
        let Some((channel, address)) = contact.route() else {
            return Err(AppError::conflict(
                Clash::NoContactDetails,
                "the seeker has no phone number or e-mail address to send the request to; record their answer instead",
            ));
        };
        diesel::update(shortlist::table.find((opening, seeker)))
            .set((
                shortlist::consent_state.eq(Some(ConsentState::Requested)),
                shortlist::consent_deadline.eq(Some(Day::from(input.deadline))),
                shortlist::consent_token_hash.eq(Some(crate::auth::hash_token(&token))),
                shortlist::updated_at.eq(now),
            ))
            .execute(c)?;
        let change = Change { state: ConsentState::Requested, how: None, note: None, by: Some(&who.user_id) };
        event(c, now, opening, seeker, change)?;
        let link = format!("{public_url}/samtycke/{token}");
        diesel::insert_into(consent_messages::table)
            .values((
                consent_messages::id.eq(&message),
                consent_messages::opening_id.eq(opening),
                consent_messages::seeker_id.eq(seeker),
                consent_messages::link.eq(&link),
                consent_messages::created_at.eq(now),
            ))
            .execute(c)?;
        let deadline = crate::labels::date(&input.deadline.to_string());
        let by = Some(who.user_id.clone());
        queue_request(c, (&message, &key), (opening, seeker), (&link, &deadline), (channel, address), (by, now))?;
        consent(c, opening, seeker, today)
    })
}

/// The consent request's message, in the caller's transaction.
fn queue_request(
    c: &mut DbConnection,
    (message, key): (&str, &str),
    (opening, seeker): (&str, &str),
    (link, deadline): (&str, &str),
    (channel, address): (crate::messages::Channel, Option<String>),
    (by, now): (Option<String>, i64),
) -> AppResult<()> {
    use crate::messages::{self, NewMessage, Recipient, Template};
    let (headline, first_name): (String, Option<String>) = openings::table
        .inner_join(seekers::table.on(seekers::id.eq(seeker)))
        .filter(openings::id.eq(opening))
        .select((openings::headline, seekers::first_name))
        .first(c)?;
    let text = messages::templates::text(
        c,
        Template::ConsentRequest,
        &[
            ("fornamn", first_name.as_deref().unwrap_or_default()),
            ("tjanst", &headline),
            ("sista_dag", deadline),
            ("lank", link),
        ],
    )?;
    messages::queue(
        c,
        NewMessage {
            key: key.to_string(),
            template: Template::ConsentRequest,
            recipient: Recipient::Seeker,
            channel,
            seeker_id: Some(seeker.to_string()),
            application_id: None,
            opening_id: Some(opening.to_string()),
            subject: Some(message.to_string()),
            address,
            body: text,
            due: now,
            by,
        },
        now,
    )?;
    Ok(())
}

/// Consent requests an earlier version left waiting in the old delivery loop become
/// messages (once, at start): none is lost in the upgrade.
pub fn adopt_waiting_requests(c: &mut DbConnection, now: i64) -> AppResult<usize> {
    use crate::db::schema::deliveries as d;
    use crate::deliveries::{self, Channel as Old, DeliveryStatus};
    let waiting: Vec<(String, String)> = d::table
        .filter(d::channel.eq(Old::Consent))
        .filter(d::status.eq(DeliveryStatus::Pending))
        .select((d::subject, d::idempotency_key))
        .load(c)?;
    let mut n = 0;
    for (message, old_key) in waiting {
        write_tx(c, |c| {
            let row: Option<(String, String, String, Option<Day>)> = consent_messages::table
                .inner_join(
                    shortlist::table.on(shortlist::opening_id
                        .eq(consent_messages::opening_id)
                        .and(shortlist::seeker_id.eq(consent_messages::seeker_id))),
                )
                .filter(consent_messages::id.eq(&message))
                .select((
                    consent_messages::opening_id,
                    consent_messages::seeker_id,
                    consent_messages::link,
                    shortlist::consent_deadline,
                ))
                .first(c)
                .optional()?;
            let route = match &row {
                Some((_, seeker, _, _)) => {
                    crate::messages::service::seeker_contact(c, seeker)?.and_then(|contact| contact.route())
                }
                None => None,
            };
            if let (Some((opening, seeker, link, deadline)), Some(route)) = (row, route) {
                let deadline = deadline.map(|d| crate::labels::date(d.as_str())).unwrap_or_default();
                let key = format!("consent:{message}");
                queue_request(c, (&message, &key), (&opening, &seeker), (&link, &deadline), route, (None, now))?;
                n += 1;
            }
            deliveries::cancel(c, &old_key)?;
            Ok::<_, AppError>(())
        })?;
    }
    Ok(n)
}

/// The state of the latest consent request to each person on an opening's shortlist: what
/// the shortlist shows beside the consent ("Skickat", "Levererat", "Kunde inte skickas").
pub fn request_states(
    c: &mut DbConnection,
    opening: &str,
) -> AppResult<std::collections::HashMap<String, (crate::messages::MessageState, i32, crate::messages::Channel)>> {
    use crate::messages::{self, Template};
    let rows: Vec<(String, String)> = consent_messages::table
        .filter(consent_messages::opening_id.eq(opening))
        .order(consent_messages::created_at)
        .select((consent_messages::seeker_id, consent_messages::id))
        .load(c)?;
    let ids: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    let states = messages::latest_of(c, Template::ConsentRequest, &ids)?;
    let mut out = std::collections::HashMap::new();
    for (seeker, id) in rows {
        if let Some(s) = states.get(&id) {
            out.insert(seeker, *s);
        }
    }
    Ok(out)
}

/// What the person sees behind their link: the opening, never anything about themselves.
#[derive(Debug, Clone)]
pub struct Asked {
    pub opening_id: String,
    pub seeker_id: String,
    pub headline: String,
    pub employer: String,
    pub state: Option<ConsentState>,
    pub deadline: Option<Day>,
}

pub fn asked(conn: &mut DbConnection, token: &str, today: NaiveDate) -> AppResult<Asked> {
    use crate::db::schema::employers;
    let (opening_id, seeker_id, state, deadline, headline, employer): (
        String,
        String,
        Option<ConsentState>,
        Option<Day>,
        String,
        String,
    ) = shortlist::table
        .inner_join(openings::table.on(openings::id.eq(shortlist::opening_id)))
        .inner_join(employers::table.on(employers::id.eq(openings::employer_id)))
        .filter(shortlist::consent_token_hash.eq(crate::auth::hash_token(token)))
        .select((
            shortlist::opening_id,
            shortlist::seeker_id,
            shortlist::consent_state,
            shortlist::consent_deadline,
            openings::headline,
            employers::name,
        ))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound(Thing::ConsentRequest))?;
    let state = effective(state, deadline.as_ref(), today);
    Ok(Asked { opening_id, seeker_id, headline, employer, state, deadline })
}

/// The person's own answer through their link (`given` or `declined`), until the deadline;
/// a given consent can be withdrawn the same way later.
pub fn answer(
    conn: &mut DbConnection,
    now: i64,
    today: NaiveDate,
    token: &str,
    state: ConsentState,
) -> AppResult<Asked> {
    write_tx(conn, |c| {
        let a = asked(c, token, today)?;
        answer_entry(c, now, (&a.opening_id, &a.seeker_id), a.state, state)?;
        asked(c, token, today)
    })
}

/// The answers a person may give to a request in this state.
fn may_answer(current: Option<ConsentState>, answer: ConsentState) -> bool {
    matches!(
        (current, answer),
        (Some(ConsentState::Requested), ConsentState::Given | ConsentState::Declined)
            | (Some(ConsentState::Given), ConsentState::Withdrawn)
    )
}

fn answer_entry(
    c: &mut DbConnection,
    now: i64,
    (opening, seeker): (&str, &str),
    current: Option<ConsentState>,
    state: ConsentState,
) -> AppResult<()> {
    if !may_answer(current, state) {
        return Err(AppError::conflict(Clash::ConsentClosed, "this request can no longer be answered that way"));
    }
    diesel::update(shortlist::table.find((opening, seeker)))
        .set((shortlist::consent_state.eq(Some(state)), shortlist::updated_at.eq(now)))
        .execute(c)?;
    let change = Change { state, how: Some(ConsentHow::Digital), note: None, by: None };
    event(c, now, opening, seeker, change)
}

/// A consent request or answer as the person it is about sees it: the opening and its
/// employer, where it stands, and its history (without who at the municipality recorded it).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnConsent {
    pub opening_id: String,
    pub headline: String,
    pub employer: String,
    pub state: Option<ConsentState>,
    pub deadline: Option<Day>,
    pub history: Vec<ConsentEvent>,
}

/// opening, state, deadline, headline, employer.
type OwnConsentRow = (String, Option<ConsentState>, Option<Day>, String, String);

/// Every consent asked of or recorded for the person, the latest first.
pub fn of_person(conn: &mut DbConnection, seeker: &str, today: NaiveDate) -> AppResult<Vec<OwnConsent>> {
    use crate::db::schema::employers;
    let rows: Vec<OwnConsentRow> = shortlist::table
        .inner_join(openings::table.on(openings::id.eq(shortlist::opening_id)))
        .inner_join(employers::table.on(employers::id.eq(openings::employer_id)))
        .filter(shortlist::seeker_id.eq(seeker))
        .filter(shortlist::consent_state.is_not_null())
        .order((shortlist::updated_at.desc(), shortlist::opening_id))
        .select((
            shortlist::opening_id,
            shortlist::consent_state,
            shortlist::consent_deadline,
            openings::headline,
            employers::name,
        ))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (opening_id, state, deadline, headline, employer) in rows {
        let history = consent(conn, &opening_id, seeker, today)?
            .history
            .into_iter()
            .map(|e| ConsentEvent { by: None, ..e })
            .collect();
        let state = effective(state, deadline.as_ref(), today);
        out.push(OwnConsent { opening_id, headline, employer, state, deadline, history });
    }
    Ok(out)
}

/// The person's own answer on Mina sidor, in the caller's transaction: as through their link
/// (`given` or `declined` until the deadline, then `withdrawn` for a given consent). 404 when
/// nothing was asked of them for the opening.
pub fn answer_own(
    c: &mut DbConnection,
    now: i64,
    today: NaiveDate,
    (opening, seeker): (&str, &str),
    state: ConsentState,
) -> AppResult<OwnConsent> {
    let find = |c: &mut DbConnection| -> AppResult<OwnConsent> {
        of_person(c, seeker, today)?
            .into_iter()
            .find(|o| o.opening_id == opening)
            .ok_or(AppError::NotFound(Thing::ConsentRequest))
    };
    let current = find(c)?;
    answer_entry(c, now, (opening, seeker), current.state, state)?;
    find(c)
}

/// Whether the person's consent for this opening stands today: what presenting them to the
/// employer, and the employer seeing them, require.
pub fn consented(conn: &mut DbConnection, opening: &str, seeker: &str, today: NaiveDate) -> AppResult<bool> {
    Ok(match get(conn, opening, seeker, today) {
        Ok(e) => e.consent == Some(ConsentState::Given),
        Err(AppError::NotFound(_)) => false,
        Err(e) => return Err(e),
    })
}

/// Of these seekers, those whose consent for the opening stands.
pub fn consenting(conn: &mut DbConnection, opening: &str, seekers: &[String]) -> AppResult<Vec<String>> {
    Ok(shortlist::table
        .filter(shortlist::opening_id.eq(opening))
        .filter(shortlist::seeker_id.eq_any(seekers))
        .filter(shortlist::consent_state.eq(Some(ConsentState::Given)))
        .select(shortlist::seeker_id)
        .load(conn)?)
}

// The Swedish words the pages, CSV exports and messages show for these values.
impl crate::labels::Label for ShortlistStatus {
    fn label(self) -> &'static str {
        use crate::shortlist::ShortlistStatus as S;
        match self {
            S::Considering => "övervägs",
            S::Contacted => "kontaktad",
            S::Suitable => "lämplig",
            S::NotSuitable => "ej aktuell – passar inte",
            S::NotInterested => "ej aktuell – inte intresserad",
        }
    }
}

impl crate::labels::Label for ConsentState {
    fn label(self) -> &'static str {
        use crate::shortlist::ConsentState as C;
        match self {
            C::Requested => "samtycke begärt",
            C::Given => "samtycke givet",
            C::Declined => "samtycke nekat",
            C::Expired => "ingen svarade i tid",
            C::Withdrawn => "samtycke återkallat",
        }
    }
}

impl crate::labels::Label for ConsentHow {
    fn label(self) -> &'static str {
        use crate::shortlist::ConsentHow as H;
        match self {
            H::Phone => "per telefon",
            H::InPerson => "vid möte",
            H::Digital => "digitalt via länken",
            H::Letter => "per brev",
        }
    }
}
