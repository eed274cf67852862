//! Applications, bookings, cancellations and reschedules: each one transaction, the
//! no-double-booking guarantee enforced by the database's unique indexes (and exclusion
//! constraint on PostgreSQL).

use super::{BookingStatus, IdentifiedBy};
use crate::messages::Template;
use chrono::{Days, NaiveDate, TimeZone};
use chrono_tz::Europe::Stockholm;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};

use super::slots::{self, Slot};
use crate::auth::hash_token;
use crate::clock::format_ts;
use crate::db::schema::{applications, bookings, officers, seekers};
use crate::db::{DbConnection, new_id, write_tx};
use crate::error::{AppError, AppResult, Clash, Errors, Fault, Thing};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationInput {
    /// Ignored, with the names, when the applicant signed in with e-legitimation: the e-ID's
    /// are stored instead.
    #[serde(default)]
    pub personnummer: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub situation: Option<String>,
    /// "Jag har skyddade personuppgifter": the meeting is only with an officer cleared for it.
    #[serde(default)]
    pub protected_identity: bool,
    /// How the applicant wants messages: `sms` or `email`. With protected personal data they
    /// go by this channel only (and by the one contact given, when only one is).
    #[serde(default)]
    pub contact_channel: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationCreated {
    pub id: String,
    /// The applicant's key to book, cancel and download the meeting: shown once.
    pub booking_token: String,
    pub offered_slots: Vec<Slot>,
    pub next_day_full: bool,
    pub offered_day: String,
    pub identified_by: IdentifiedBy,
}

/// An applicant identified by e-legitimation: what the e-ID says, which wins over the form.
#[derive(Debug, Clone)]
pub struct Identified {
    pub personnummer: String,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Booking {
    pub id: String,
    pub application_id: String,
    pub officer_id: String,
    pub officer_name: String,
    pub unit: String,
    /// Where the meeting is: the office's street address.
    pub address: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    pub status: BookingStatus,
    #[serde(skip)]
    pub starts_ts: i64,
    #[serde(skip)]
    pub ends_ts: i64,
    #[serde(skip)]
    pub created_ts: i64,
}

/// Registers the application and offers three meetings. The applicant's details stay on the
/// application: it is never matched to a registered seeker by personnummer here (staff link
/// it when they confirm the person's identity, see [`confirm_identity`]), so the answer and
/// the work done are the same whether or not the personnummer is known.
pub fn apply(
    conn: &mut DbConnection,
    now: i64,
    today: NaiveDate,
    settings: &crate::config::BookingSettings,
    mut input: ApplicationInput,
    identified: Option<Identified>,
) -> AppResult<ApplicationCreated> {
    let identified_by = if identified.is_some() { IdentifiedBy::Eid } else { IdentifiedBy::None };
    if let Some(who) = identified {
        input.personnummer = who.personnummer;
        // A name the e-ID lacks is the applicant's to give.
        if !who.first_name.trim().is_empty() {
            input.first_name = who.first_name;
        }
        if !who.last_name.trim().is_empty() {
            input.last_name = who.last_name;
        }
    }
    let data = applicant(&input, &settings.municipality_code, today)?;
    let mut errors = Errors::new();
    let situation = crate::vocabulary::free_text(&input.situation, "situation", 2000, &mut errors);
    if data.email.is_none() && data.phone.is_none() {
        errors.add("phone", Fault::Required, "give a phone number or an e-mail address, so we can reach you");
    }
    let channel = match input.contact_channel.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => match crate::messages::Channel::parse(c) {
            Some(ch) => Some(ch),
            None => {
                errors.add("contact_channel", Fault::Unknown, "must be sms or email");
                None
            }
        },
    };
    let channel = match (channel, data.phone.is_some(), data.email.is_some()) {
        (Some(crate::messages::Channel::Sms), false, _) => {
            errors.add("contact_channel", Fault::Mismatch, "messages by SMS need a phone number");
            None
        }
        (Some(crate::messages::Channel::Email), _, false) => {
            errors.add("contact_channel", Fault::Mismatch, "messages by e-mail need an e-mail address");
            None
        }
        (Some(ch), _, _) => Some(ch),
        // Protected personal data and both given: the applicant chooses.
        (None, true, true) if input.protected_identity => {
            errors.add("contact_channel", Fault::Required, "with protected personal data, choose sms or email");
            None
        }
        (None, true, _) => Some(crate::messages::Channel::Sms),
        (None, false, true) => Some(crate::messages::Channel::Email),
        (None, false, false) => None,
    };
    errors.into_result()?;
    let token = format!("bk_{}", &crate::auth::generate_token()["platsa_".len()..]);
    let id = new_id();
    let offers = write_tx(conn, |c| {
        let offers = slots::offers(c, today, now, settings.horizon_working_days, input.protected_identity)?;
        diesel::insert_into(applications::table)
            .values((
                applications::id.eq(&id),
                applications::personnummer.eq(data.personnummer.as_str()),
                applications::first_name.eq(&data.first_name),
                applications::last_name.eq(&data.last_name),
                applications::email.eq(&data.email),
                applications::phone.eq(&data.phone),
                applications::situation.eq(&situation),
                applications::token_hash.eq(hash_token(&token)),
                applications::next_day_full.eq(offers.next_day_full),
                applications::offered_day.eq(offers.day.to_string()),
                applications::created_at.eq(now),
                applications::identified_by.eq(identified_by),
                applications::protected_identity.eq(input.protected_identity),
                applications::contact_channel.eq(channel.map(|c| c.as_str())),
            ))
            .execute(c)?;
        Ok::<_, AppError>(offers)
    })?;
    Ok(ApplicationCreated {
        id,
        booking_token: token,
        offered_slots: offers.slots,
        next_day_full: offers.next_day_full,
        offered_day: offers.day.to_string(),
        identified_by,
    })
}

/// The applicant's details checked by the same rules as registering a seeker.
fn applicant(
    input: &ApplicationInput,
    municipality_code: &str,
    today: NaiveDate,
) -> AppResult<crate::seekers::SeekerData> {
    crate::seekers::SeekerInput {
        personnummer: input.personnummer.clone(),
        first_name: input.first_name.clone(),
        last_name: input.last_name.clone(),
        email: input.email.clone(),
        phone: input.phone.clone(),
        municipality_code: municipality_code.to_string(),
        occupations: vec![],
        occupation_concept_id: None,
        skills: vec![],
        languages: vec![],
        driving_licences: vec![],
        available_from: None,
        max_commute_km: None,
        summary: None,
        unit: None,
        broker_id: None,
        status: crate::seekers::SeekerStatus::Active,
        exit_reason: None,
        exit_date: None,
        paused_until: None,
        pause_reason: None,
    }
    .validate(today)
}

/// The key a booked meeting carries so that one person holds one booked meeting at a time
/// (a unique index): derived from the personnummer, never the number itself.
fn applicant_key(personnummer: &str) -> String {
    hash_token(&format!("applicant:{personnummer}"))
}

/// What a booking token opens.
pub(super) struct TokenApplication {
    pub id: String,
    pub seeker_id: Option<String>,
    pub personnummer: Option<String>,
    pub protected_identity: bool,
}

/// Who acts on an application: whoever holds its booking link, or the person signed in to
/// Mina sidor, whose own application the caller has checked it to be.
#[derive(Debug, Clone)]
pub enum Holder {
    Link(String),
    Application(String),
}

/// The application a link (or an application id) opens; 404 for a wrong token, so tokens
/// cannot be probed.
pub(super) fn application_for_token(
    c: &mut DbConnection,
    holder: &Holder,
    id: Option<&str>,
) -> AppResult<TokenApplication> {
    let mut q = match holder {
        // The booking link, or the link of an offered earlier meeting the person took (the
        // messages about that meeting carry it).
        Holder::Link(token) => {
            let hash = hash_token(token);
            let taken = crate::db::schema::booking_offers::table
                .filter(crate::db::schema::booking_offers::token_hash.eq(hash.clone()))
                .filter(crate::db::schema::booking_offers::state.eq(super::OfferState::Accepted))
                .select(crate::db::schema::booking_offers::application_id);
            applications::table
                .filter(applications::token_hash.eq(hash).or(applications::id.eq_any(taken)))
                .into_boxed()
        }
        Holder::Application(app) => applications::table.filter(applications::id.eq(app.clone())).into_boxed(),
    };
    if let Some(id) = id {
        q = q.filter(applications::id.eq(id.to_string()));
    }
    let (id, seeker_id, personnummer, protected_identity) = q
        .select((
            applications::id,
            applications::seeker_id,
            applications::personnummer,
            applications::protected_identity,
        ))
        .first::<(String, Option<String>, Option<String>, bool)>(c)
        .optional()?
        .ok_or(AppError::NotFound(Thing::Application))?;
    Ok(TokenApplication { id, seeker_id, personnummer, protected_identity })
}

/// When the person whose application this is already holds a booked meeting through another
/// application (applied again on another device): when it starts, so the page can name the
/// day without its details (which belong to whoever holds that link).
pub fn meeting_elsewhere(c: &mut DbConnection, holder: &Holder, now: i64) -> AppResult<Option<i64>> {
    let app = application_for_token(c, holder, None)?;
    let Some(key) = app.personnummer.as_deref().map(applicant_key) else { return Ok(None) };
    Ok(bookings::table
        .filter(bookings::applicant_key.eq(key))
        .filter(bookings::status.eq(BookingStatus::Booked))
        .filter(bookings::application_id.ne(&app.id))
        .filter(bookings::ends_at.gt(now))
        .select(bookings::starts_at)
        .first(c)
        .optional()?)
}

/// id, application, officer id, officer name, unit, address, starts, ends, status, created.
type BookingRow = (String, String, String, String, String, Option<String>, i64, i64, BookingStatus, i64);

/// The columns of a [`BookingRow`].
#[allow(clippy::type_complexity)]
const BOOKING_COLUMNS: (
    bookings::id,
    bookings::application_id,
    bookings::officer_id,
    officers::name,
    officers::unit,
    officers::address,
    bookings::starts_at,
    bookings::ends_at,
    bookings::status,
    bookings::created_at,
) = (
    bookings::id,
    bookings::application_id,
    bookings::officer_id,
    officers::name,
    officers::unit,
    officers::address,
    bookings::starts_at,
    bookings::ends_at,
    bookings::status,
    bookings::created_at,
);

fn active_booking(c: &mut DbConnection, application: &str) -> AppResult<Option<Booking>> {
    let row: Option<BookingRow> = bookings::table
        .inner_join(officers::table)
        .filter(bookings::application_id.eq(application))
        .filter(bookings::status.eq(BookingStatus::Booked))
        .select(BOOKING_COLUMNS)
        .first(c)
        .optional()?;
    Ok(row.map(booking_of))
}

/// Every meeting of these applications (booked, held, missed or cancelled), the latest
/// first: what a person sees of their own meetings.
pub fn of_applications(c: &mut DbConnection, ids: &[String]) -> AppResult<Vec<Booking>> {
    let rows: Vec<BookingRow> = bookings::table
        .inner_join(officers::table)
        .filter(bookings::application_id.eq_any(ids))
        .order((bookings::starts_at.desc(), bookings::id))
        .select(BOOKING_COLUMNS)
        .load(c)?;
    Ok(rows.into_iter().map(booking_of).collect())
}

fn booking_of(
    (id, application_id, officer_id, officer_name, unit, address, s, e, status, created): BookingRow,
) -> Booking {
    Booking {
        id,
        application_id,
        officer_id,
        officer_name,
        unit,
        address,
        starts_at: format_ts(s),
        ends_at: format_ts(e),
        status,
        starts_ts: s,
        ends_ts: e,
        created_ts: created,
    }
}

/// Why a booking could not be made.
pub enum BookError {
    /// Someone else took the slot a moment earlier.
    Taken,
    /// The person already holds a booked meeting (through another application).
    HasMeeting,
    Other(AppError),
}

impl From<AppError> for BookError {
    fn from(e: AppError) -> Self {
        BookError::Other(e)
    }
}

impl From<DieselError> for BookError {
    fn from(e: DieselError) -> Self {
        match &e {
            // One booked meeting per person: the index on the applicant's key.
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
                if info.constraint_name() == Some("bookings_one_per_applicant")
                    || info.message().contains("applicant_key") =>
            {
                BookError::HasMeeting
            }
            // The unique index (SQLite and PostgreSQL) or the exclusion constraint
            // (PostgreSQL) refused a second meeting in the same time.
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => BookError::Taken,
            DieselError::DatabaseError(_, info)
                if info.constraint_name() == Some("bookings_no_overlap")
                    || info.message().contains("bookings_no_overlap") =>
            {
                BookError::Taken
            }
            _ => BookError::Other(e.into()),
        }
    }
}

/// The afternoon before the meeting, local time; or now if that has passed.
fn reminder_due(starts_at: i64, hour: u32, now: i64) -> i64 {
    let day_before = crate::clock::stockholm_date(starts_at) - Days::new(1);
    let due = Stockholm
        .from_local_datetime(&day_before.and_hms_opt(hour, 0, 0).expect("valid hour"))
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or(starts_at - 86_400);
    due.max(now).min(starts_at)
}

/// Where the messages about a booking point: the link the person holds (a booking link, or
/// a taken offer's), or Mina sidor for a person signed in there.
pub fn links(holder: &Holder, public_url: &str) -> (String, String) {
    match holder {
        Holder::Link(token) => {
            let booked = format!("{public_url}/apply/booked/{}", crate::text::urlencode(token));
            (booked.clone(), format!("{booked}/ny-tid"))
        }
        Holder::Application(_) => (format!("{public_url}/mina-sidor"), format!("{public_url}/mina-sidor")),
    }
}

pub(super) fn insert_booking(
    c: &mut DbConnection,
    application: &str,
    key: Option<&str>,
    slot: &Slot,
    now: i64,
    (sending, holder): (&super::Sending, &Holder),
) -> Result<String, BookError> {
    let id = new_id();
    diesel::insert_into(bookings::table)
        .values((
            bookings::id.eq(&id),
            bookings::application_id.eq(application),
            bookings::applicant_key.eq(key),
            bookings::officer_id.eq(&slot.officer_id),
            bookings::starts_at.eq(slot.starts_at),
            bookings::ends_at.eq(slot.ends_at),
            bookings::status.eq(BookingStatus::Booked),
            bookings::created_at.eq(now),
            bookings::updated_at.eq(now),
        ))
        .execute(c)?;
    let (confirm_link, rebook_link) = links(holder, &sending.public_url);
    let due = reminder_due(slot.starts_at, sending.reminder_hour, now);
    let about = super::notify::Meeting { application, booking: &id, slot, hold_minutes: sending.hold_minutes };
    super::notify::queue_message(c, &about, Template::BookingConfirmation, &confirm_link, now, now)?;
    // A meeting booked after its reminder time (this evening for tomorrow) has just had its
    // confirmation; a reminder at the same moment would only repeat it.
    if due > now {
        super::notify::queue_message(c, &about, Template::BookingReminder, &rebook_link, due, now)?;
    }
    Ok(id)
}

fn cancel_active(
    c: &mut DbConnection,
    application: &str,
    now: i64,
    sending: &super::Sending,
) -> AppResult<Option<String>> {
    let Some(b) = active_booking(c, application)? else { return Ok(None) };
    diesel::update(bookings::table.find(&b.id))
        .set((bookings::status.eq(BookingStatus::Cancelled), bookings::updated_at.eq(now)))
        .execute(c)?;
    crate::messages::expire(c, &b.id, Template::BookingReminder, now)?;
    // An earlier time held for this person is taken back, and the freed time goes to the
    // next person on the waiting list.
    super::waitlist::withdraw_held(c, application, now, sending)?;
    super::waitlist::freed(c, (&b.officer_id, b.starts_ts, b.ends_ts), now, sending)?;
    Ok(Some(b.id))
}

/// Books a slot for an application. With `reschedule`, the current meeting is cancelled in
/// the same transaction, so a refused new slot leaves the old meeting in place.
pub fn book(
    conn: &mut DbConnection,
    now: i64,
    application_id: Option<&str>,
    holder: &Holder,
    slot_id: &str,
    reschedule: bool,
    sending: &super::Sending,
) -> Result<Booking, BookError> {
    write_tx(conn, |c| book_in_tx(c, now, application_id, holder, slot_id, reschedule, sending))
}

/// [`book`] in the caller's transaction.
pub(super) fn book_in_tx(
    c: &mut DbConnection,
    now: i64,
    application_id: Option<&str>,
    holder: &Holder,
    slot_id: &str,
    reschedule: bool,
    sending: &super::Sending,
) -> Result<Booking, BookError> {
    {
        let TokenApplication { id: app, seeker_id, personnummer, protected_identity } =
            application_for_token(c, holder, application_id)?;
        if reschedule {
            if cancel_active(c, &app, now, sending)?.is_none() {
                return Err(BookError::Other(AppError::conflict(
                    Clash::NothingBooked,
                    "there is no booked meeting to move; book one instead",
                )));
            }
        } else if active_booking(c, &app)?.is_some() {
            return Err(BookError::Other(AppError::conflict(
                Clash::AlreadyBooked,
                "this application already has a booked meeting; cancel or reschedule it",
            )));
        }
        let slot = slots::resolve(c, slot_id, now, protected_identity)?;
        // Held for someone on the waiting list a while.
        if super::waitlist::held_for_other(c, &slot, &app, now)? {
            return Err(BookError::Taken);
        }
        let key = personnummer.as_deref().map(applicant_key);
        insert_booking(c, &app, key.as_deref(), &slot, now, (sending, holder))?;
        // A confirmed seeker belongs to the unit of the officer they meet, unless already placed.
        if let Some(seeker) = seeker_id {
            let unit: String = officers::table.find(&slot.officer_id).select(officers::unit).first(c)?;
            diesel::update(seekers::table.find(&seeker).filter(seekers::unit.is_null()))
                .set(seekers::unit.eq(unit))
                .execute(c)?;
        }
        Ok(active_booking(c, &app)?.expect("just booked"))
    }
}

pub fn cancel(conn: &mut DbConnection, now: i64, holder: &Holder, sending: &super::Sending) -> AppResult<()> {
    write_tx(conn, |c| {
        let app = application_for_token(c, holder, None)?.id;
        cancel_active(c, &app, now, sending)?.ok_or(AppError::NotFound(Thing::Booking))?;
        Ok(())
    })
}

/// What a booking link opens: the application, and its booked meeting if any.
pub struct Opened {
    pub application_id: String,
    pub personnummer: Option<String>,
    pub booking: Option<Booking>,
}

/// 404 for an unknown link, like every route that takes one.
pub fn open(conn: &mut DbConnection, holder: &Holder) -> AppResult<Opened> {
    let app = application_for_token(conn, holder, None)?;
    let booking = active_booking(conn, &app.id)?;
    Ok(Opened { application_id: app.id, personnummer: app.personnummer, booking })
}

pub fn by_token(conn: &mut DbConnection, holder: &Holder) -> AppResult<Booking> {
    let app = application_for_token(conn, holder, None)?.id;
    active_booking(conn, &app)?.ok_or(AppError::NotFound(Thing::Booking))
}

/// The meetings to offer the applicant a link names (only cleared officers for someone with
/// protected personal data); 404 for an unknown link.
pub fn offers_for(
    conn: &mut DbConnection,
    today: NaiveDate,
    now: i64,
    horizon: u32,
    holder: &Holder,
) -> AppResult<slots::Offers> {
    let app = application_for_token(conn, holder, None)?;
    slots::offers(conn, today, now, horizon, app.protected_identity)
}

/// An officer marks a meeting held or a no-show.
pub fn mark(conn: &mut DbConnection, now: i64, booking: &str, status: &str) -> AppResult<()> {
    let status = match BookingStatus::parse(status) {
        Some(s @ (BookingStatus::Held | BookingStatus::NoShow)) => s,
        _ => return Err(AppError::field("status", Fault::Unknown, "must be held or no_show")),
    };
    write_tx(conn, |c| {
        let current: BookingStatus = bookings::table
            .find(booking)
            .select(bookings::status)
            .first(c)
            .optional()?
            .ok_or(AppError::NotFound(Thing::Booking))?;
        if current == BookingStatus::Cancelled {
            return Err(AppError::conflict(Clash::MeetingCancelled, "the meeting was cancelled"));
        }
        diesel::update(bookings::table.find(booking))
            .set((bookings::status.eq(status), bookings::updated_at.eq(now)))
            .execute(c)?;
        Ok(())
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AgendaItem {
    pub id: String,
    pub application_id: String,
    pub starts_at: String,
    pub ends_at: String,
    pub status: BookingStatus,
    /// The seeker the application is linked to, once staff confirmed the person's identity.
    pub seeker_id: Option<String>,
    /// The applicant's own details, as given when applying.
    pub personnummer: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// What the applicant wrote about their situation when applying.
    pub situation: Option<String>,
    /// Whether the personnummer is the applicant's e-legitimation or only typed in.
    pub identified_by: IdentifiedBy,
    /// The applicant has protected personal data (skyddade personuppgifter).
    pub protected_identity: bool,
    /// The assistance decision, once the case system reported it (not its reasons).
    pub decision: Option<super::DecisionOutcome>,
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<i64>,
    #[serde(skip)]
    pub starts_ts: i64,
}

impl AgendaItem {
    /// What the audit log names for this meeting's personal data: the seeker once linked,
    /// else the application.
    pub fn audit_subject(&self) -> String {
        self.seeker_id.clone().unwrap_or_else(|| format!("application:{}", self.application_id))
    }
}

/// The day's meetings without the cancelled ones the applicant replaced by booking again (a
/// moved meeting is listed once, at its new time, not also as "Avbokad" at the old one): a
/// cancelled meeting whose application has a meeting that is not cancelled.
fn without_moved(conn: &mut DbConnection, items: Vec<AgendaItem>) -> AppResult<Vec<AgendaItem>> {
    let cancelled: Vec<&str> =
        items.iter().filter(|i| i.status == BookingStatus::Cancelled).map(|i| i.application_id.as_str()).collect();
    if cancelled.is_empty() {
        return Ok(items);
    }
    let replaced: std::collections::HashSet<String> = bookings::table
        .filter(bookings::application_id.eq_any(&cancelled))
        .filter(bookings::status.ne(BookingStatus::Cancelled))
        .select(bookings::application_id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    Ok(items
        .into_iter()
        .filter(|i| i.status != BookingStatus::Cancelled || !replaced.contains(&i.application_id))
        .collect())
}

/// An officer's meetings on a date (cancelled ones included, so the day reads truthfully).
pub fn agenda(conn: &mut DbConnection, officer: &str, date: NaiveDate) -> AppResult<Vec<AgendaItem>> {
    super::officers::row(conn, officer)?;
    let (start, end) = (crate::clock::start_of_day_ts(date), crate::clock::start_of_day_ts(date + Days::new(1)));
    type Row = (
        (String, String, i64, i64, BookingStatus, IdentifiedBy, bool),
        (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        ),
    );
    let rows: Vec<Row> = bookings::table
        .inner_join(applications::table)
        .filter(bookings::officer_id.eq(officer))
        .filter(bookings::starts_at.ge(start))
        .filter(bookings::starts_at.lt(end))
        .order(bookings::starts_at)
        .select((
            (
                bookings::id,
                bookings::application_id,
                bookings::starts_at,
                bookings::ends_at,
                bookings::status,
                applications::identified_by,
                applications::protected_identity,
            ),
            (
                applications::seeker_id,
                applications::personnummer,
                applications::first_name,
                applications::last_name,
                applications::phone,
                applications::email,
                applications::situation,
            ),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                (id, application_id, s, e, status, identified_by, protected_identity),
                (seeker_id, personnummer, first_name, last_name, phone, email, situation),
            )| {
                AgendaItem {
                    id,
                    application_id,
                    starts_at: format_ts(s),
                    ends_at: format_ts(e),
                    status,
                    seeker_id,
                    personnummer,
                    first_name,
                    last_name,
                    phone,
                    email,
                    situation,
                    identified_by,
                    protected_identity,
                    decision: None,
                    decided_at: None,
                    starts_ts: s,
                }
            },
        )
        .collect::<Vec<AgendaItem>>())
    .and_then(|items| without_moved(conn, items))
    .and_then(|mut items| {
        let ids: Vec<String> = items.iter().map(|i| i.application_id.clone()).collect();
        let decided = super::decisions::of_applications(conn, &ids)?;
        for i in &mut items {
            if let Some((o, t)) = decided.get(&i.application_id) {
                (i.decision, i.decided_at) = (Some(*o), Some(*t));
            }
        }
        Ok(items)
    })
}

/// What staff decide when they have met the applicant: this is the registered seeker
/// `seeker_id`, or nobody registered yet (a seeker is created from the application).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityInput {
    #[serde(default)]
    pub seeker_id: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IdentityConfirmed {
    pub application_id: String,
    pub seeker_id: String,
    /// Whether a new seeker was registered from the application.
    pub created: bool,
}

/// Staff confirm the applicant's identity: the application is linked to the seeker they
/// name, or a seeker is registered from the application's details. Linking again to the same
/// seeker changes nothing; to another is refused.
pub fn confirm_identity(
    conn: &mut DbConnection,
    now: i64,
    today: NaiveDate,
    who: &crate::auth::Principal,
    municipality_code: &str,
    application: &str,
    input: &IdentityInput,
) -> AppResult<IdentityConfirmed> {
    write_tx(conn, |c| {
        type App = (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let (linked, personnummer, first_name, last_name, email, phone, situation): App = applications::table
            .find(application)
            .select((
                applications::seeker_id,
                applications::personnummer,
                applications::first_name,
                applications::last_name,
                applications::email,
                applications::phone,
                applications::situation,
            ))
            .first(c)
            .optional()?
            .ok_or(AppError::NotFound(Thing::Application))?;
        if let Some(linked) = linked {
            return match &input.seeker_id {
                Some(s) if *s != linked => Err(AppError::conflict(
                    Clash::IdentityConfirmed,
                    "the application is already linked to another seeker",
                )),
                _ => {
                    Ok(IdentityConfirmed { application_id: application.to_string(), seeker_id: linked, created: false })
                }
            };
        }
        let (seeker_id, created) = match &input.seeker_id {
            Some(s) => {
                let found = crate::seekers::store::get(c, s).map_err(|e| match e {
                    AppError::NotFound(_) => AppError::field("seeker_id", Fault::NotFound, "no such seeker"),
                    e => e,
                })?;
                (found.id, false)
            }
            None => {
                // Erased applications (no details left) cannot become a seeker.
                let personnummer = personnummer.ok_or_else(|| {
                    AppError::field("seeker_id", Fault::Required, "the application holds no details to register")
                })?;
                let input = ApplicationInput {
                    personnummer,
                    first_name: first_name.unwrap_or_default(),
                    last_name: last_name.unwrap_or_default(),
                    email,
                    phone,
                    situation: None,
                    protected_identity: false,
                    contact_channel: None,
                };
                let mut data = applicant(&input, municipality_code, today)?;
                // What they wrote about their situation starts the profile's "Om mig": read
                // for occupations like any summary, to be worded further with them.
                data.summary = situation;
                // The unit of the officer the applicant meets, as booking would have set it.
                data.unit = bookings::table
                    .inner_join(officers::table)
                    .filter(bookings::application_id.eq(application))
                    .order(bookings::created_at.desc())
                    .select(officers::unit)
                    .first(c)
                    .optional()?;
                // A registered personnummer is a 409 naming the existing seeker: staff then
                // confirm it is this person.
                let id = crate::seekers::store::create_in_tx(c, now, &data)?;
                (id, true)
            }
        };
        diesel::update(applications::table.find(application))
            .set((
                applications::seeker_id.eq(&seeker_id),
                applications::identity_confirmed_at.eq(now),
                applications::identity_confirmed_by.eq(&who.user_id),
            ))
            .execute(c)?;
        Ok(IdentityConfirmed { application_id: application.to_string(), seeker_id, created })
    })
}

/// Registered seekers (not erased) with this personnummer: what staff compare the applicant
/// with before confirming who they are.
pub fn seekers_with_personnummer(conn: &mut DbConnection, personnummer: &[String]) -> AppResult<Vec<Registered>> {
    Ok(seekers::table
        .filter(seekers::personnummer.eq_any(personnummer))
        .filter(seekers::erased_at.is_null())
        .select((seekers::id, seekers::personnummer.assume_not_null(), seekers::first_name, seekers::last_name))
        .load::<(String, String, Option<String>, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, personnummer, first_name, last_name)| Registered { id, personnummer, first_name, last_name })
        .collect())
}

/// A registered seeker an applicant may be.
#[derive(Debug, Clone)]
pub struct Registered {
    pub id: String,
    pub personnummer: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// An iCalendar file for the meeting: times in UTC, a UID that stays the same.
pub fn ics(b: &Booking) -> String {
    let utc = |t: i64| {
        chrono::DateTime::<chrono::Utc>::from_timestamp(t, 0).unwrap_or_default().format("%Y%m%dT%H%M%SZ").to_string()
    };
    let escape = |s: &str| s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n");
    [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Platsa//Bokning//SV".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{}@platsa", b.id),
        format!("DTSTAMP:{}", utc(b.created_ts)),
        format!("DTSTART:{}", utc(b.starts_ts)),
        format!("DTEND:{}", utc(b.ends_ts)),
        format!("SUMMARY:{}", escape("Möte med arbetsmarknadssekreterare")),
        format!("DESCRIPTION:{}", escape(&format!("Uppföljning av din ansökan. Du träffar {}.", b.officer_name))),
        format!(
            "LOCATION:{}",
            escape(&match &b.address {
                Some(a) => format!("{}, {a}", b.unit),
                None => b.unit.clone(),
            })
        ),
        "STATUS:CONFIRMED".into(),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ]
    .join("\r\n")
        + "\r\n"
}

/// When the person last had a meeting marked held, before `before` (a contact for the plan
/// status).
pub fn last_held(conn: &mut DbConnection, seeker_id: &str, before: i64) -> QueryResult<Option<i64>> {
    bookings::table
        .inner_join(applications::table)
        .filter(applications::seeker_id.eq(seeker_id))
        .filter(bookings::status.eq(BookingStatus::Held))
        .filter(bookings::starts_at.lt(before))
        .select(diesel::dsl::max(bookings::starts_at))
        .first(conn)
}
