//! The booking desk's use cases, for the API and the pages alike: applying, the offered
//! meetings, booking, moving and cancelling by the applicant's link, marking a meeting, the
//! officers' agenda and the identity step. Each runs in its own connection and transaction;
//! whatever shows a person is audited through `privacy`.

use chrono::NaiveDate;

use super::officers::{self, Officer};
use super::slots::Offers;
use super::store::{
    self, AgendaItem, ApplicationCreated, ApplicationInput, BookError, Booking, Holder, Identified, IdentityConfirmed,
};
use crate::audit::Action;
use crate::auth::Principal;
use crate::config::BookingSettings;
use crate::db::{self, Pool};
use crate::error::AppResult;

/// Every officer.
pub async fn officers(pool: &Pool) -> AppResult<Vec<Officer>> {
    db::run(pool, officers::list).await
}

/// A new application with its three offered meetings. `identified`: the applicant signed in
/// with e-legitimation, whose personnummer (and names) are stored whatever the input says.
/// Without it, nothing is linked to an existing record: the officer's identity step does.
pub async fn apply(
    pool: &Pool,
    (now, today): (i64, NaiveDate),
    settings: &BookingSettings,
    input: ApplicationInput,
    identified: Option<Identified>,
) -> AppResult<ApplicationCreated> {
    let settings = settings.clone();
    db::run(pool, move |c| store::apply(c, now, today, &settings, input, identified)).await
}

/// What an applicant's link (or the person's own application) opens: the application and
/// its meeting, if booked.
pub async fn open(pool: &Pool, holder: Holder) -> AppResult<store::Opened> {
    db::run(pool, move |c| store::open(c, &holder)).await
}

/// The meeting a link booked.
pub async fn by_token(pool: &Pool, holder: Holder) -> AppResult<Booking> {
    db::run(pool, move |c| store::by_token(c, &holder)).await
}

/// Every meeting of these applications, the latest first, in the caller's transaction (the
/// caller has read the person through the gate).
pub fn of_applications(c: &mut db::DbConnection, ids: &[String]) -> AppResult<Vec<Booking>> {
    store::of_applications(c, ids)
}

/// The meetings to offer the applicant a link names: three on the next working day when
/// there are, else the earliest within the horizon (only officers cleared for protected
/// personal data when the applicant has them).
pub async fn offers(pool: &Pool, (now, today): (i64, NaiveDate), horizon: u32, holder: Holder) -> AppResult<Offers> {
    db::run(pool, move |c| store::offers_for(c, today, now, horizon, &holder)).await
}

/// Books (or, `moving`, moves) the link's meeting to a slot; the refusal says why.
pub async fn book(
    pool: &Pool,
    now: i64,
    (application, holder, slot): (Option<String>, Holder, &str),
    moving: bool,
    sending: &super::Sending,
) -> AppResult<Result<Booking, BookError>> {
    let (slot, sending) = (slot.to_string(), sending.clone());
    db::run(pool, move |c| Ok(store::book(c, now, application.as_deref(), &holder, &slot, moving, &sending))).await
}

/// The start of a meeting the person already booked through another application, if any.
pub async fn meeting_elsewhere(pool: &Pool, now: i64, holder: Holder) -> AppResult<Option<i64>> {
    db::run(pool, move |c| store::meeting_elsewhere(c, &holder, now)).await
}

/// Cancels the link's (or the person's application's) meeting, and its reminder; the time
/// is offered to the next person on the waiting list.
pub async fn cancel(pool: &Pool, now: i64, holder: Holder, sending: &super::Sending) -> AppResult<()> {
    let sending = sending.clone();
    db::run(pool, move |c| store::cancel(c, now, &holder, &sending)).await
}

/// Marks a meeting held or missed.
pub async fn mark(pool: &Pool, now: i64, booking: &str, status: &str) -> AppResult<()> {
    let (booking, status) = (booking.to_string(), status.to_string());
    db::run(pool, move |c| store::mark(c, now, &booking, &status)).await
}

/// An officer's meetings on a day, with the applicants' names and situations: audited.
pub async fn agenda(
    pool: &Pool,
    who: &Principal,
    action: &Action,
    officer: &str,
    day: NaiveDate,
    now: i64,
) -> AppResult<Vec<AgendaItem>> {
    let (who, action, officer) = (who.clone(), action.clone(), officer.to_string());
    db::run(pool, move |c| {
        let items = store::agenda(c, &officer, day)?;
        let ids: Vec<String> = items.iter().map(AgendaItem::audit_subject).collect();
        crate::privacy::shown(c, &who, &ids, &action, now)?;
        Ok(items)
    })
    .await
}

/// The identity step at the meeting: the applicant is the registered person with that
/// personnummer, or a new profile is registered; the person's record is then read: audited.
pub async fn confirm_identity(
    pool: &Pool,
    (who, action): (&Principal, &Action),
    (now, today): (i64, NaiveDate),
    municipality: &str,
    application: &str,
    input: store::IdentityInput,
) -> AppResult<IdentityConfirmed> {
    let (who, action) = (who.clone(), action.clone());
    let (municipality, application) = (municipality.to_string(), application.to_string());
    db::run(pool, move |c| {
        let done = store::confirm_identity(c, now, today, &who, &municipality, &application, &input)?;
        crate::privacy::shown(c, &who, std::slice::from_ref(&done.seeker_id), &action, now)?;
        Ok(done)
    })
    .await
}

/// When the person last had a meeting marked held, before `before`, in the caller's
/// transaction (a contact for the plan status).
pub fn last_held(c: &mut db::DbConnection, seeker_id: &str, before: i64) -> AppResult<Option<i64>> {
    Ok(store::last_held(c, seeker_id, before)?)
}

/// Which application a decision is about: named by id, or the one the person made that day.
pub enum DecisionFor {
    Application(String),
    Person { personnummer: String, applied_on: NaiveDate },
}

/// Records an assistance decision (the case system or an officer), audited as a read of the
/// application's person: the decision and whether it is new (the same one again is not).
pub async fn decide(
    pool: &Pool,
    (who, action): (&Principal, &Action),
    (now, today): (i64, NaiveDate),
    target: DecisionFor,
    input: super::decisions::DecisionInput,
    clock: crate::config::DecisionClock,
) -> AppResult<(super::decisions::Decision, bool)> {
    use super::decisions;
    let (who, action) = (who.clone(), action.clone());
    db::run(pool, move |c| {
        crate::db::write_tx(c, |c| {
            let application = match target {
                DecisionFor::Application(id) => id,
                DecisionFor::Person { personnummer, applied_on } => {
                    decisions::application_of(c, &personnummer, applied_on, today)?
                }
            };
            let done = decisions::record(c, (now, &who.user_id), &application, &input, clock)?;
            let subject = decisions::audit_subject(c, &application)?;
            crate::privacy::shown(c, &who, &[subject], &action, now)?;
            Ok(done)
        })
    })
    .await
}

/// Puts the application on the waiting list for an earlier meeting, or takes it off.
pub async fn want_earlier(
    pool: &Pool,
    now: i64,
    holder: Holder,
    application: &str,
    wanted: bool,
) -> AppResult<super::offers::Earlier> {
    let application = application.to_string();
    db::run(pool, move |c| super::offers::want_earlier(c, &holder, &application, wanted, now)).await
}

/// What an offer's link shows.
pub async fn offer(pool: &Pool, token: &str) -> AppResult<super::offers::OfferView> {
    let token = token.to_string();
    db::run(pool, move |c| super::offers::view(c, &token)).await
}

/// The person takes an offered earlier meeting or says no thanks.
pub async fn answer_offer(
    pool: &Pool,
    now: i64,
    token: &str,
    accept: bool,
    sending: &super::Sending,
) -> AppResult<super::offers::OfferView> {
    let (token, sending) = (token.to_string(), sending.clone());
    db::run(pool, move |c| super::offers::answer(c, &token, accept, now, &sending)).await
}
