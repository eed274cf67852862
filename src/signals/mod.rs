//! Signals: what needs someone to act, computed from the data each time it is asked for
//! ("processes are never sick and never on holiday"). Each signal has a stable key (the same
//! situation gives the same key, a new situation a new one), the unit and broker it belongs
//! to, the figures behind it, and a link to the people behind it. The Swedish reason is
//! written in [`reason`]; what is pushed to the webhook in [`push`].

pub mod http;
pub mod push;
pub mod reason;

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Days, NaiveDate};
use diesel::prelude::*;
use serde::Serialize;

use crate::booking::BookingStatus;
use crate::booking::calendar::{is_working_day, next_working_day};
use crate::clock::{Day, Month, start_of_day_ts, stockholm_date};
use crate::config::SignalSettings;
use crate::db::DbConnection;
use crate::db::schema::{bookings, officers, openings, placements, reviews, seekers, shortlist};
use crate::error::AppResult;
use crate::openings::OpeningStatus;
use crate::processes::{Measure, Pace, last_contacts, processes};
use crate::seekers::SeekerStatus;
use crate::shortlist::ConsentState;
use crate::text::urlencode;

crate::text_enum! {
    /// What a signal is about.
    pub enum SignalKind {
        /// A process behind its pro-rata pace this month.
        ProcessBehind = "process_behind",
        /// An active seeker without contact for `signals.no_contact_days`.
        NoContact = "no_contact",
        /// A unit's next working day has no free meeting time.
        NextDayFull = "next_day_full",
        /// No-shows above `signals.no_show_share` this week.
        NoShows = "no_shows",
        /// An opening's deadline is close and nobody has been presented.
        DeadlineNobodyPresented = "deadline_nobody_presented",
        /// A consent request runs out tomorrow without an answer.
        ConsentExpires = "consent_expires",
        /// An active person without an agreed plan `signals.no_plan_days` after registration.
        NoPlan = "no_plan",
        /// `signals.invalid_absences` unjustified absences within `signals.invalid_absence_days`.
        InvalidAbsences = "invalid_absences",
        /// The plan's review date has passed.
        PlanReview = "plan_review",
        /// Many failed sign-ins from one address within a day (admins only).
        SignInFailures = "sign_in_failures",
        /// A person asked for a review on Mina sidor and has no answer yet (managers).
        ReviewRequested = "review_requested",
        /// An application without an assistance decision `decisions.warn_after_hours` after it
        /// was made (its unit: managers and officers).
        NoDecision = "no_decision",
        /// "Dagens förslag": a person of the broker's fits a new or open opening (brokers only).
        NewMatch = "new_match",
        /// The last backup failed, or daily backups are on and none succeeded for 26 hours
        /// (admins only).
        BackupFailed = "backup_failed",
        /// A unit's eligible people never shown on a ranked list over the last 30 days, in a
        /// share above `accountability.never_shown_share` (the daily exposure measurement):
        /// managers and the unit's brokers.
        NeverShown = "never_shown",
        /// Messages to people that could not be delivered in the last day (SMS or e-mail):
        /// call instead. The sender's (a broker's texts), else officers and managers.
        MessagesFailed = "messages_failed",
    }
}

/// One signal. Carries ids and figures, never a name or a free text about a person.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Signal {
    pub key: String,
    pub kind: SignalKind,
    pub unit: Option<String>,
    pub broker_id: Option<String>,
    pub seeker_id: Option<String>,
    pub opening_id: Option<String>,
    pub measure: Option<Measure>,
    pub value: Option<f64>,
    pub target: Option<f64>,
    pub expected_by_now: Option<f64>,
    /// Days without contact, or the share of no-shows in per cent, and the like.
    pub days: Option<i64>,
    /// The date the signal is about (a deadline, the full day, the last contact).
    pub date: Option<String>,
    /// The page that shows the people behind the signal.
    pub link: String,
    /// The client address many failed sign-ins came from (admins' signal only).
    pub address: Option<String>,
}

impl Signal {
    fn new(key: String, kind: SignalKind, link: String) -> Self {
        Self {
            key,
            kind,
            unit: None,
            broker_id: None,
            seeker_id: None,
            opening_id: None,
            measure: None,
            value: None,
            target: None,
            expected_by_now: None,
            days: None,
            date: None,
            link,
            address: None,
        }
    }
}

/// Who asks: everything (managers, admins), one broker's own work, or an officer's meetings.
/// A broker sees their own seekers, openings and consent requests, and how the processes of
/// the units they work in go.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// Everything, and the security signals (failed sign-ins): admins.
    Admin,
    /// Everything about the work: managers (and the pushes).
    All,
    Broker {
        id: String,
        units: Vec<String>,
    },
    Meetings,
}

impl Scope {
    pub fn shows(&self, s: &Signal) -> bool {
        match self {
            Scope::Admin => true,
            Scope::All => !matches!(s.kind, SignalKind::SignInFailures | SignalKind::BackupFailed),
            Scope::Broker { id, units } => {
                s.broker_id.as_deref() == Some(id.as_str())
                    || (s.kind == SignalKind::ProcessBehind && s.unit.as_ref().is_some_and(|u| units.contains(u)))
            }
            Scope::Meetings => {
                matches!(s.kind, SignalKind::NextDayFull | SignalKind::NoShows | SignalKind::NoDecision)
                    || (s.kind == SignalKind::MessagesFailed && s.broker_id.is_none())
            }
        }
    }
}

/// The `count`-th working day after `from` (0: `from` itself).
fn working_days_ahead(from: NaiveDate, count: u32) -> NaiveDate {
    let mut d = from;
    for _ in 0..count {
        d = next_working_day(d);
    }
    d
}

/// Every current signal `scope` sees, in a stable order (kind, then key). Each part reads only
/// what the scope needs (a broker's seekers and units, an officer's meetings).
pub fn current(conn: &mut DbConnection, now: i64, settings: &SignalSettings, scope: &Scope) -> AppResult<Vec<Signal>> {
    let today = stockholm_date(now);
    let mut out = Vec::new();
    let (everything, broker, meetings) = match scope {
        Scope::Admin | Scope::All => (true, None, true),
        Scope::Broker { id, .. } => (false, Some(id.as_str()), false),
        Scope::Meetings => (false, None, true),
    };
    let casework = everything || broker.is_some();

    // Processes behind their pace this month.
    let month = Month::of(today);
    let units = match scope {
        Scope::Admin | Scope::All => {
            processes(conn, month, None, now, (settings.pace_tolerance, settings.decisions.clock))?.units
        }
        Scope::Broker { units, .. } => {
            let mut all = Vec::new();
            for u in units {
                all.extend(
                    processes(conn, month, Some(u), now, (settings.pace_tolerance, settings.decisions.clock))?.units,
                );
            }
            all
        }
        Scope::Meetings => Vec::new(),
    };
    for u in units {
        for f in u.measures.iter().filter(|f| f.pace == Pace::Behind) {
            let mut s = Signal::new(
                format!("process_behind:{}:{}:{month}", u.unit, f.measure),
                SignalKind::ProcessBehind,
                format!("/signals/people?unit={}&measure={}", urlencode(&u.unit), f.measure),
            );
            s.unit = Some(u.unit.clone());
            s.measure = Some(f.measure);
            (s.value, s.target, s.expected_by_now) = (f.value, f.target, f.expected_by_now);
            s.date = Some(month.to_string());
            out.push(s);
        }
    }

    // Seekers without contact: the latest contact in the last year, or their registration.
    let days = i64::from(settings.no_contact_days);
    let contacts = if casework { last_contacts(conn, now - 366 * 86_400, now, broker)? } else { HashMap::new() };
    let mut active = seekers::table
        .filter(seekers::erased_at.is_null())
        .filter(seekers::status.eq(SeekerStatus::Active))
        .filter(seekers::broker_id.is_not_null())
        .filter(seekers::registered_at.lt(now - days * 86_400))
        .select((seekers::id, seekers::unit, seekers::broker_id, seekers::registered_at))
        .into_boxed();
    if let Some(b) = broker {
        active = active.filter(seekers::broker_id.eq(b.to_string()));
    }
    let active: Vec<(String, Option<String>, Option<String>, i64)> =
        if casework { active.load(conn)? } else { Vec::new() };
    for (id, unit, broker, registered) in active {
        let since = contacts.get(&id).copied().unwrap_or(registered).max(registered);
        let silent = (now - since) / 86_400;
        if silent < days {
            continue;
        }
        let since_day = stockholm_date(since);
        let mut s =
            Signal::new(format!("no_contact:{id}:{since_day}"), SignalKind::NoContact, format!("/seekers/{id}"));
        (s.unit, s.broker_id, s.seeker_id) = (unit, broker, Some(id));
        s.days = Some(silent);
        s.date = Some(since_day.to_string());
        out.push(s);
    }

    // Capacity: a unit whose officers have no free time on the next working day.
    let next = next_working_day(today);
    let units: Vec<String> = if meetings {
        officers::table.filter(officers::active.eq(true)).select(officers::unit).distinct().load(conn)?
    } else {
        Vec::new()
    };
    let free = if meetings { crate::booking::slots::free_slots(conn, next, now, false)? } else { Vec::new() };
    for unit in units {
        if free.iter().any(|f| f.office == unit) {
            continue;
        }
        let mut s = Signal::new(format!("next_day_full:{unit}:{next}"), SignalKind::NextDayFull, "/agenda".to_string());
        s.unit = Some(unit);
        s.date = Some(next.to_string());
        out.push(s);
    }

    // No-shows this week (Monday to now), by the officer's unit.
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let marked: Vec<(String, BookingStatus)> = if meetings {
        bookings::table
            .inner_join(officers::table)
            .filter(bookings::starts_at.ge(start_of_day_ts(monday)))
            .filter(bookings::starts_at.lt(now))
            .filter(bookings::status.eq_any([BookingStatus::Held, BookingStatus::NoShow]))
            .select((officers::unit, bookings::status))
            .load(conn)?
    } else {
        Vec::new()
    };
    let mut by_unit: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (unit, status) in marked {
        let e = by_unit.entry(unit).or_default();
        e.1 += 1;
        e.0 += i64::from(status == BookingStatus::NoShow);
    }
    let week = today.iso_week();
    for (unit, (no_shows, marked)) in by_unit {
        let share = no_shows as f64 / marked as f64;
        if marked < i64::from(settings.no_show_min_meetings) || share <= settings.no_show_share {
            continue;
        }
        let mut s = Signal::new(
            format!("no_shows:{unit}:{}-W{:02}", week.year(), week.week()),
            SignalKind::NoShows,
            format!("/signals/people?unit={}&measure={}", urlencode(&unit), Measure::NoShowShare),
        );
        s.unit = Some(unit);
        s.measure = Some(Measure::NoShowShare);
        s.value = Some((share * 10_000.0).round() / 10_000.0);
        s.target = Some(settings.no_show_share);
        s.days = Some(marked);
        s.date = Some(monday.to_string());
        out.push(s);
    }

    // Openings whose deadline is close, with nobody presented.
    let last = working_days_ahead(today, settings.deadline_working_days);
    let mut closing = openings::table
        .filter(openings::deleted_at.is_null())
        .filter(openings::status.eq(OpeningStatus::Open))
        .filter(openings::application_deadline.ge(today.to_string()))
        .filter(openings::application_deadline.le(last.to_string()))
        .select((openings::id, openings::broker_id, openings::application_deadline.assume_not_null()))
        .into_boxed();
    if let Some(b) = broker {
        closing = closing.filter(openings::broker_id.eq(b.to_string()));
    }
    let closing: Vec<(String, Option<String>, Day)> = if casework { closing.load(conn)? } else { Vec::new() };
    let ids: Vec<&str> = closing.iter().map(|o| o.0.as_str()).collect();
    let presented: Vec<(Option<String>, crate::placements::Status)> = placements::table
        .filter(placements::opening_id.eq_any(&ids))
        .select((placements::opening_id, placements::status))
        .load(conn)?;
    let shown: std::collections::HashSet<String> =
        presented.into_iter().filter(|(_, st)| st.is_shown_to_employer()).filter_map(|(o, _)| o).collect();
    for (id, broker, deadline) in closing {
        if shown.contains(&id) {
            continue;
        }
        let d = deadline.date();
        let mut s =
            Signal::new(format!("deadline:{id}:{d}"), SignalKind::DeadlineNobodyPresented, format!("/openings/{id}"));
        let left = working_days_between(today, d);
        (s.broker_id, s.opening_id, s.days, s.date) = (broker, Some(id), Some(left), Some(d.to_string()));
        out.push(s);
    }

    // Consent requests that run out tomorrow without an answer.
    let tomorrow = today.succ_opt().expect("a next day");
    let mut expiring = shortlist::table
        .inner_join(seekers::table.on(seekers::id.eq(shortlist::seeker_id)))
        .filter(shortlist::consent_state.eq(ConsentState::Requested))
        .filter(shortlist::consent_deadline.eq(tomorrow.to_string()))
        .filter(seekers::erased_at.is_null())
        .select((shortlist::opening_id, shortlist::seeker_id, shortlist::added_by, seekers::unit))
        .into_boxed();
    if let Some(b) = broker {
        expiring = expiring.filter(shortlist::added_by.eq(b.to_string()));
    }
    let expiring: Vec<(String, String, String, Option<String>)> =
        if casework { expiring.load(conn)? } else { Vec::new() };
    for (opening, seeker, by, unit) in expiring {
        let mut s = Signal::new(
            format!("consent_expires:{opening}:{seeker}:{tomorrow}"),
            SignalKind::ConsentExpires,
            format!("/openings/{opening}#shortlist"),
        );
        (s.unit, s.broker_id, s.seeker_id, s.opening_id) = (unit, Some(by), Some(seeker), Some(opening));
        s.date = Some(tomorrow.to_string());
        out.push(s);
    }
    if casework {
        out.extend(plan_signals(conn, now, settings, broker)?);
    }
    // Today's suggestions, for the broker they are for.
    if let Some(b) = broker {
        for (opening, seeker, by) in crate::matching::daily::new_today(conn, today, Some(b))? {
            let mut s =
                Signal::new(format!("new_match:{opening}:{seeker}"), SignalKind::NewMatch, "/#dagens-forslag".into());
            (s.broker_id, s.seeker_id, s.opening_id) = (Some(by), Some(seeker), Some(opening));
            s.date = Some(today.to_string());
            out.push(s);
        }
    }
    // Applications still without an assistance decision ("beslut inom 24 timmar").
    if meetings {
        let d = settings.decisions;
        for u in crate::booking::decisions::undecided(conn, now, d.warn_after_hours, d.clock)? {
            let hours = crate::booking::decisions::hours_between(u.created_at, now, d.clock);
            let link = match &u.seeker_id {
                Some(id) => format!("/seekers/{id}"),
                None => "/agenda".to_string(),
            };
            let mut s = Signal::new(format!("no_decision:{}", u.application_id), SignalKind::NoDecision, link);
            (s.unit, s.seeker_id) = (u.unit, u.seeker_id);
            s.value = Some((hours * 10.0).round() / 10.0);
            s.date = Some(stockholm_date(u.created_at).to_string());
            out.push(s);
        }
    }
    // A person asked for a review on Mina sidor: their unit's manager answers by the day due.
    if everything {
        let open: Vec<(String, String, Option<String>, Day)> = reviews::table
            .filter(reviews::answered_at.is_null())
            .select((reviews::id, reviews::seeker_id, reviews::unit, reviews::due_on))
            .load(conn)?;
        for (id, seeker, unit, due) in open {
            let mut s =
                Signal::new(format!("review_requested:{id}"), SignalKind::ReviewRequested, format!("/reviews/{id}"));
            (s.unit, s.seeker_id) = (unit, Some(seeker));
            s.days = Some((due.date() - today).num_days());
            s.date = Some(due.to_string());
            out.push(s);
        }
    }
    // Units where the ranking leaves many eligible people unseen (the latest daily measurement).
    if casework {
        for m in crate::accountability::exposure::latest(conn)? {
            let share = if m.eligible > 0 { m.never_shown as f64 / m.eligible as f64 } else { 0.0 };
            if m.eligible < crate::accountability::exposure::MIN_ELIGIBLE || share <= settings.never_shown_share {
                continue;
            }
            let month = &m.day[..7.min(m.day.len())];
            let mut s = Signal::new(
                format!("never_shown:{}:{month}", m.unit),
                SignalKind::NeverShown,
                format!("/reports/exposure?unit={}", urlencode(&m.unit)),
            );
            s.unit = Some(m.unit.clone());
            s.value = Some((share * 10_000.0).round() / 10_000.0);
            s.target = Some(settings.never_shown_share);
            s.days = Some(m.never_shown);
            s.date = Some(m.day.clone());
            out.push(s);
        }
    }
    // Messages that could not be delivered in the last day: whom to call instead. One signal
    // per sender and channel (booking's own messages have none).
    for (by, channel, n) in crate::messages::send::failed_since(conn, now - 86_400)? {
        let day = stockholm_date(now);
        let mut s = Signal::new(
            format!("messages_failed:{}:{channel}:{day}", by.as_deref().unwrap_or("platsa")),
            SignalKind::MessagesFailed,
            "/signals?kind=messages_failed".into(),
        );
        s.broker_id = by;
        s.days = Some(n);
        s.date = Some(day.to_string());
        s.address = Some(channel.to_string());
        out.push(s);
    }
    // Backups: the last run failed, or none succeeded for a day while they are on.
    if *scope == Scope::Admin {
        let b = crate::backup::schedule::status(conn, settings.backups_scheduled, now)?;
        if b.is_problem() {
            let at = b.last.as_ref().map_or(now, |l| l.finished_at.unwrap_or(l.started_at));
            let day = stockholm_date(at);
            let mut s = Signal::new(
                format!("backup_failed:{}:{day}", b.status),
                SignalKind::BackupFailed,
                "/signals?kind=backup_failed".into(),
            );
            s.days = b.last_ok_at.map(|t| (now - t) / 86_400);
            s.date = Some(day.to_string());
            out.push(s);
        }
    }
    // Someone trying tokens: many failed sign-ins from one address in the last day.
    if *scope == Scope::Admin {
        for (address, failures, last) in crate::auth::store::failing_addresses(conn, now - 86_400)? {
            let day = stockholm_date(last);
            let mut s = Signal::new(
                format!("sign_in_failures:{address}:{day}"),
                SignalKind::SignInFailures,
                "/signals?kind=sign_in_failures".into(),
            );
            s.days = Some(failures);
            s.date = Some(day.to_string());
            s.address = Some(address);
            out.push(s);
        }
    }
    out.retain(|s| scope.shows(s));
    out.sort_by(|a, b| (a.kind, &a.key).cmp(&(b.kind, &b.key)));
    Ok(out)
}

/// The plan's signals for active people with a broker (one broker's when given): no agreed
/// plan `no_plan_days` after registration, repeated invalid absence, a review date passed.
fn plan_signals(
    conn: &mut DbConnection,
    now: i64,
    settings: &SignalSettings,
    broker: Option<&str>,
) -> AppResult<Vec<Signal>> {
    let today = stockholm_date(now);
    let mut people = seekers::table
        .filter(seekers::erased_at.is_null())
        .filter(seekers::status.eq(SeekerStatus::Active))
        .filter(seekers::broker_id.is_not_null())
        .select((seekers::id, seekers::unit, seekers::broker_id, seekers::registered_at))
        .into_boxed();
    if let Some(b) = broker {
        people = people.filter(seekers::broker_id.eq(b.to_string()));
    }
    let people: Vec<(String, Option<String>, Option<String>, i64)> = people.load(conn)?;
    let plans = crate::plan::service::current_plans(conn, now)?;
    let window = today - Days::new(u64::from(settings.invalid_absence_days) - 1);
    let mut absences: HashMap<String, Vec<NaiveDate>> = HashMap::new();
    for (seeker, day, state, _) in
        crate::plan::service::recorded_between(conn, window, today.succ_opt().expect("a next day"))?
    {
        if state == crate::plan::AttendanceState::AbsentInvalid {
            absences.entry(seeker).or_default().push(day);
        }
    }
    let mut out = Vec::new();
    for (id, unit, broker, registered) in people {
        let link = format!("/seekers/{id}/plan");
        let plan = plans.get(&id);
        let registered_on = stockholm_date(registered);
        let waited = (today - registered_on).num_days();
        if plan.is_none_or(|p| !p.active_on(today)) && waited >= i64::from(settings.no_plan_days) {
            let mut s = Signal::new(format!("no_plan:{id}"), SignalKind::NoPlan, link.clone());
            (s.unit, s.broker_id, s.seeker_id) = (unit.clone(), broker.clone(), Some(id.clone()));
            (s.days, s.date) = (Some(waited), Some(registered_on.to_string()));
            out.push(s);
        }
        if let Some(p) = plan.filter(|p| p.review_date.date() < today) {
            let d = p.review_date.date();
            let mut s = Signal::new(format!("plan_review:{id}:{d}"), SignalKind::PlanReview, link.clone());
            (s.unit, s.broker_id, s.seeker_id) = (unit.clone(), broker.clone(), Some(id.clone()));
            (s.days, s.date) = (Some((today - d).num_days()), Some(d.to_string()));
            out.push(s);
        }
        if let Some(days) = absences.get_mut(&id).filter(|d| d.len() >= settings.invalid_absences as usize) {
            days.sort();
            let latest = *days.last().expect("not empty");
            let mut s = Signal::new(format!("invalid_absences:{id}:{latest}"), SignalKind::InvalidAbsences, link);
            (s.unit, s.broker_id, s.seeker_id) = (unit, broker, Some(id));
            (s.value, s.days, s.date) =
                (Some(days.len() as f64), Some(i64::from(settings.invalid_absence_days)), Some(latest.to_string()));
            out.push(s);
        }
    }
    Ok(out)
}

/// Working days after `from` up to and including `to`.
fn working_days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    let mut d = from;
    let mut n = 0;
    while d < to {
        d = d.succ_opt().expect("a next day");
        n += i64::from(is_working_day(d));
    }
    n
}

/// The units a broker has active seekers in.
pub fn units_of_broker(conn: &mut DbConnection, broker: &str) -> AppResult<Vec<String>> {
    let units: Vec<Option<String>> = seekers::table
        .filter(seekers::broker_id.eq(broker))
        .filter(seekers::status.eq(SeekerStatus::Active))
        .filter(seekers::erased_at.is_null())
        .select(seekers::unit)
        .distinct()
        .load(conn)?;
    Ok(units.into_iter().map(|u| u.unwrap_or_else(|| crate::reports::NO_UNIT.to_string())).collect())
}

/// How many signals there are of each kind.
pub fn count_by_kind(signals: &[Signal]) -> HashMap<SignalKind, usize> {
    let mut m = HashMap::new();
    for s in signals {
        *m.entry(s.kind).or_default() += 1;
    }
    m
}

// The Swedish words the pages, CSV exports and messages show for these values.
impl crate::labels::Label for SignalKind {
    fn label(self) -> &'static str {
        use crate::signals::SignalKind as K;
        match self {
            K::ProcessBehind => "Process efter målet",
            K::NoContact => "Ingen kontakt",
            K::NextDayFull => "Nästa arbetsdag fullbokad",
            K::NoShows => "Många uteblivna möten",
            K::DeadlineNobodyPresented => "Sista ansökningsdag nära, ingen presenterad",
            K::ConsentExpires => "Samtyckesfrågan går ut i morgon",
            K::NoPlan => "Ingen överenskommen planering",
            K::InvalidAbsences => "Upprepad ogiltig frånvaro",
            K::PlanReview => "Planeringen ska följas upp",
            K::SignInFailures => "Många misslyckade inloggningar",
            K::ReviewRequested => "Begäran om omprövning",
            K::NoDecision => "Ansökan utan beslut",
            K::NewMatch => "Dagens förslag",
            K::BackupFailed => "Säkerhetskopieringen behöver åtgärdas",
            K::NeverShown => "Många har aldrig visats i en rankad lista",
            K::MessagesFailed => "Meddelanden kom inte fram",
        }
    }
}
