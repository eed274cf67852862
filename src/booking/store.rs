//! Applications, bookings, cancellations and reschedules: each one transaction, the
//! no-double-booking guarantee enforced by the database's unique indexes (and exclusion
//! constraint on PostgreSQL).

use super::BookingStatus;
use super::reminders::ReminderStatus;
use chrono::{Days, NaiveDate, TimeZone};
use chrono_tz::Europe::Stockholm;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};

use super::slots::{self, Slot};
use crate::auth::hash_token;
use crate::clock::format_ts;
use crate::db::schema::{applications, bookings, officers, reminders, seekers};
use crate::db::{DbConnection, new_id, write_tx};
use crate::error::{AppError, AppResult, Clash, Errors, Fault, Thing};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationInput {
    pub personnummer: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub situation: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ApplicationCreated {
    pub id: String,
    /// The applicant's key to book, cancel and download the meeting: shown once.
    pub booking_token: String,
    pub offered_slots: Vec<Slot>,
    pub next_day_full: bool,
    pub offered_day: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Booking {
    pub id: String,
    pub application_id: String,
    pub officer_id: String,
    pub officer_name: String,
    pub unit: String,
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

/// Registers the application, creating the seeker or linking the one with this
/// personnummer, and offers three meetings.
pub fn apply(
    conn: &mut DbConnection,
    now: i64,
    today: NaiveDate,
    settings: &crate::config::BookingSettings,
    input: ApplicationInput,
) -> AppResult<ApplicationCreated> {
    // The same rules as registering a seeker.
    let seeker_input = crate::seekers::SeekerInput {
        personnummer: input.personnummer.clone(),
        first_name: input.first_name.clone(),
        last_name: input.last_name.clone(),
        email: input.email.clone(),
        phone: input.phone.clone(),
        municipality_code: settings.municipality_code.clone(),
        occupations: vec![],
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
    };
    let data = seeker_input.validate(today)?;
    let mut errors = Errors::new();
    let situation = crate::vocabulary::free_text(&input.situation, "situation", 2000, &mut errors);
    if data.email.is_none() && data.phone.is_none() {
        errors.add("phone", Fault::Required, "give a phone number or an e-mail address, so we can reach you");
    }
    errors.into_result()?;
    let token = format!("bk_{}", &crate::auth::generate_token()["platsa_".len()..]);
    let id = new_id();
    let offers = write_tx(conn, |c| {
        let seeker_id: Option<String> = seekers::table
            .filter(seekers::personnummer.eq(&data.personnummer))
            .select(seekers::id)
            .first(c)
            .optional()?;
        let seeker_id = match seeker_id {
            Some(s) => s,
            None => crate::seekers::store::create_in_tx(c, now, &data)?,
        };
        let offers = slots::offers(c, today, now, settings.horizon_working_days)?;
        diesel::insert_into(applications::table)
            .values((
                applications::id.eq(&id),
                applications::seeker_id.eq(&seeker_id),
                applications::situation.eq(&situation),
                applications::token_hash.eq(hash_token(&token)),
                applications::next_day_full.eq(offers.next_day_full),
                applications::offered_day.eq(offers.day.to_string()),
                applications::created_at.eq(now),
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
    })
}

/// The application a token opens; 404 for a wrong token, so tokens cannot be probed.
fn application_for_token(c: &mut DbConnection, token: &str, id: Option<&str>) -> AppResult<(String, String)> {
    let mut q = applications::table.filter(applications::token_hash.eq(hash_token(token))).into_boxed();
    if let Some(id) = id {
        q = q.filter(applications::id.eq(id.to_string()));
    }
    q.select((applications::id, applications::seeker_id))
        .first(c)
        .optional()?
        .ok_or(AppError::NotFound(Thing::Application))
}

/// id, application, officer id, officer name, unit, starts, ends, status, created.
type BookingRow = (String, String, String, String, String, i64, i64, BookingStatus, i64);
/// booking id, starts, ends, status, seeker id, first and last name.
type AgendaRow = (String, i64, i64, BookingStatus, String, Option<String>, Option<String>, Option<String>);

fn active_booking(c: &mut DbConnection, application: &str) -> AppResult<Option<Booking>> {
    let row: Option<BookingRow> = bookings::table
        .inner_join(officers::table)
        .filter(bookings::application_id.eq(application))
        .filter(bookings::status.eq(BookingStatus::Booked))
        .select((
            bookings::id,
            bookings::application_id,
            bookings::officer_id,
            officers::name,
            officers::unit,
            bookings::starts_at,
            bookings::ends_at,
            bookings::status,
            bookings::created_at,
        ))
        .first(c)
        .optional()?;
    Ok(row.map(|(id, application_id, officer_id, officer_name, unit, s, e, status, created)| Booking {
        id,
        application_id,
        officer_id,
        officer_name,
        unit,
        starts_at: format_ts(s),
        ends_at: format_ts(e),
        status,
        starts_ts: s,
        ends_ts: e,
        created_ts: created,
    }))
}

/// Why a booking could not be made.
pub enum BookError {
    /// Someone else took the slot a moment earlier.
    Taken,
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

fn insert_booking(
    c: &mut DbConnection,
    application: &str,
    slot: &Slot,
    now: i64,
    reminder_hour: u32,
) -> Result<String, BookError> {
    let id = new_id();
    diesel::insert_into(bookings::table)
        .values((
            bookings::id.eq(&id),
            bookings::application_id.eq(application),
            bookings::officer_id.eq(&slot.officer_id),
            bookings::starts_at.eq(slot.starts_at),
            bookings::ends_at.eq(slot.ends_at),
            bookings::status.eq(BookingStatus::Booked),
            bookings::created_at.eq(now),
            bookings::updated_at.eq(now),
        ))
        .execute(c)?;
    let due = reminder_due(slot.starts_at, reminder_hour, now);
    diesel::insert_into(reminders::table)
        .values((
            reminders::booking_id.eq(&id),
            reminders::due_at.eq(due),
            reminders::status.eq(ReminderStatus::Pending),
            reminders::next_attempt_at.eq(due),
        ))
        .execute(c)?;
    Ok(id)
}

fn cancel_active(c: &mut DbConnection, application: &str, now: i64) -> AppResult<Option<String>> {
    let Some(b) = active_booking(c, application)? else { return Ok(None) };
    diesel::update(bookings::table.find(&b.id))
        .set((bookings::status.eq(BookingStatus::Cancelled), bookings::updated_at.eq(now)))
        .execute(c)?;
    diesel::update(reminders::table.find(&b.id).filter(reminders::status.eq(ReminderStatus::Pending)))
        .set(reminders::status.eq(ReminderStatus::Cancelled))
        .execute(c)?;
    Ok(Some(b.id))
}

/// Books a slot for an application. With `reschedule`, the current meeting is cancelled in
/// the same transaction, so a refused new slot leaves the old meeting in place.
pub fn book(
    conn: &mut DbConnection,
    now: i64,
    application_id: Option<&str>,
    token: &str,
    slot_id: &str,
    reschedule: bool,
    reminder_hour: u32,
) -> Result<Booking, BookError> {
    write_tx(conn, |c| {
        let (app, seeker) = application_for_token(c, token, application_id)?;
        if reschedule {
            if cancel_active(c, &app, now)?.is_none() {
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
        let slot = slots::resolve(c, slot_id, now)?;
        insert_booking(c, &app, &slot, now, reminder_hour)?;
        // The seeker belongs to the unit of the officer they meet, unless already placed.
        let unit: String = officers::table.find(&slot.officer_id).select(officers::unit).first(c)?;
        diesel::update(seekers::table.find(&seeker).filter(seekers::unit.is_null()))
            .set(seekers::unit.eq(unit))
            .execute(c)?;
        Ok(active_booking(c, &app)?.expect("just booked"))
    })
}

pub fn cancel(conn: &mut DbConnection, now: i64, token: &str) -> AppResult<()> {
    write_tx(conn, |c| {
        let (app, _) = application_for_token(c, token, None)?;
        cancel_active(c, &app, now)?.ok_or(AppError::NotFound(Thing::Booking))?;
        Ok(())
    })
}

pub fn by_token(conn: &mut DbConnection, token: &str) -> AppResult<Booking> {
    let (app, _) = application_for_token(conn, token, None)?;
    active_booking(conn, &app)?.ok_or(AppError::NotFound(Thing::Booking))
}

/// Fresh offers for an applicant whose slot was taken.
pub fn fresh_offers(conn: &mut DbConnection, today: NaiveDate, now: i64, horizon: u32) -> AppResult<Vec<Slot>> {
    Ok(slots::offers(conn, today, now, horizon)?.slots)
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

#[derive(Debug, Serialize)]
pub struct AgendaItem {
    pub id: String,
    pub starts_at: String,
    pub ends_at: String,
    pub status: BookingStatus,
    pub seeker_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// What the applicant wrote about their situation when applying.
    pub situation: Option<String>,
    #[serde(skip)]
    pub starts_ts: i64,
}

/// An officer's meetings on a date (cancelled ones included, so the day reads truthfully).
pub fn agenda(conn: &mut DbConnection, officer: &str, date: NaiveDate) -> AppResult<Vec<AgendaItem>> {
    super::officers::row(conn, officer)?;
    let (start, end) = (crate::clock::start_of_day_ts(date), crate::clock::start_of_day_ts(date + Days::new(1)));
    let rows: Vec<AgendaRow> = bookings::table
        .inner_join(applications::table)
        .inner_join(seekers::table.on(seekers::id.eq(applications::seeker_id)))
        .filter(bookings::officer_id.eq(officer))
        .filter(bookings::starts_at.ge(start))
        .filter(bookings::starts_at.lt(end))
        .order(bookings::starts_at)
        .select((
            bookings::id,
            bookings::starts_at,
            bookings::ends_at,
            bookings::status,
            seekers::id,
            seekers::first_name,
            seekers::last_name,
            applications::situation,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, s, e, status, seeker_id, first_name, last_name, situation)| AgendaItem {
            id,
            starts_at: format_ts(s),
            ends_at: format_ts(e),
            status,
            seeker_id,
            first_name,
            last_name,
            situation,
            starts_ts: s,
        })
        .collect())
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
        format!("LOCATION:{}", escape(&b.unit)),
        "STATUS:CONFIRMED".into(),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ]
    .join("\r\n")
        + "\r\n"
}
