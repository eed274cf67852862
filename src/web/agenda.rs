//! The officer's agenda: today's and the next working day's meetings with applicants, with
//! what each wrote about their situation, and "held" / "did not come" for each. An officer
//! sees their own meetings (their user is linked to the officer); brokers and admins pick an
//! officer.

use actix_web::{get, http::StatusCode, post, web};
use maud::html;
use serde::Deserialize;

use super::kit::{Flash, flash};
use super::labels::Label;
use super::layout::{self, clock_time, date, name};
use super::{Staff, WebResult, page_response, see_other};
use crate::auth::Role;
use crate::booking::{BookingStatus, calendar, officers, store};
use crate::db;
use crate::error::AppError;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(agenda).service(mark).service(identity);
}

const READERS: &[Role] = &[Role::Officer, Role::Broker, Role::Admin];

#[derive(Deserialize)]
struct AgendaQuery {
    officer: Option<String>,
    marked: Option<String>,
}

#[get("/agenda")]
async fn agenda(state: web::Data<AppState>, staff: Staff, q: web::Query<AgendaQuery>) -> WebResult {
    staff.require(READERS)?;
    let message = q.marked.as_ref().map(|_| Flash::Done("Mötet är markerat.".into()));
    agenda_page(&state, &staff, q.officer.clone(), message, StatusCode::OK).await
}

async fn agenda_page(
    state: &web::Data<AppState>,
    staff: &Staff,
    officer: Option<String>,
    message: Option<Flash>,
    code: StatusCode,
) -> WebResult {
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let days = [today, calendar::next_working_day(today)];
    let (who, action) = (staff.who.clone(), staff.action.clone());
    let (all, chosen, meetings, registered) = db::run(&state.pool, move |c| {
        let all = officers::list(c)?;
        // An officer sees their own meetings; others choose (the first by default).
        let chosen = if who.role == Role::Officer {
            officers::of_user(c, &who.user_id)?
        } else {
            match officer.as_deref().filter(|o| !o.is_empty()) {
                Some(id) => Some(officers::get(c, id)?),
                None => all.first().cloned(),
            }
        };
        let mut meetings = Vec::new();
        if let Some(o) = &chosen {
            for day in days {
                meetings.push((day, store::agenda(c, &o.id, day)?));
            }
        }
        // For applicants not yet confirmed: who is registered with the personnummer they gave,
        // so the officer can compare at the meeting.
        let unconfirmed: Vec<String> = meetings
            .iter()
            .flat_map(|(_, m)| m.iter().filter(|i| i.seeker_id.is_none()).filter_map(|i| i.personnummer.clone()))
            .collect();
        let registered = store::seekers_with_personnummer(c, &unconfirmed)?;
        // The reminders' delivery, beside each meeting; the officer's and unit's no-shows
        // over the last 90 days.
        let ids: Vec<String> = meetings.iter().flat_map(|(_, m)| m.iter().map(|i| i.id.clone())).collect();
        let reminders = crate::messages::latest_of(c, crate::messages::Template::BookingReminder, &ids)?;
        let no_shows = match &chosen {
            Some(o) => Some(crate::booking::report::no_shows(c, (now - 90 * 86_400, now), Some(&o.unit))?),
            None => None,
        };
        // Names and situations are shown: audited.
        let mut shown: Vec<String> =
            meetings.iter().flat_map(|(_, m)| m.iter().map(store::AgendaItem::audit_subject)).collect();
        shown.extend(registered.iter().map(|r| r.id.clone()));
        crate::privacy::shown(c, &who, &shown, &action, now)?;
        Ok((all, chosen, meetings, (registered, reminders, no_shows)))
    })
    .await?;
    let (registered, reminders, no_shows) = registered;
    let gw = crate::messages::gateway::Gateways::from_settings(&state.settings);
    let can_mark = matches!(staff.who.role, Role::Officer | Role::Admin) && !staff.csrf.is_empty();
    let can_confirm = !staff.csrf.is_empty();
    let body = html! {
        h1 { "Möten" }
        (flash(&message))
        @if staff.who.role != Role::Officer {
            form.filters method="get" action="/agenda" {
                label { "Arbetsmarknadssekreterare "
                    select name="officer" {
                        @for o in &all {
                            option value=(o.id) selected[chosen.as_ref().is_some_and(|c| c.id == o.id)] { (o.name) " – " (o.unit) }
                        }
                    }
                }
                button type="submit" { "Visa" }
            }
        }
        @match &chosen {
            None => p.notice { "Din användare är inte kopplad till någon arbetsmarknadssekreterare. Be en administratör koppla den." },
            Some(o) => {
                p.muted { (o.name) " · " (o.unit) }
                @if let Some(n) = &no_shows {
                    @let mine = n.by_officer.iter().find(|f| f.key == o.id);
                    @let unit = n.by_unit.iter().find(|f| f.unit == o.unit);
                    p.no-shows {
                        "Uteblivna möten de senaste 90 dagarna: "
                        @match mine.and_then(|f| f.rate) {
                            Some(r) => { strong { (super::layout::percent(r)) } " (" (mine.map_or(0, |f| f.no_show)) " av " (mine.map_or(0, |f| f.held + f.no_show)) ")" }
                            None => "inga markerade",
                        }
                        @if let Some(r) = unit.and_then(|f| f.rate) { " · enheten " (super::layout::percent(r)) }
                    }
                }
                @for (day, items) in &meetings {
                    section.day {
                        h2 { (date(&day.to_string())) }
                        @if items.is_empty() { p.muted { "Inga möten." } }
                        ol.list {
                            @for m in items {
                                li.meeting id=(format!("meeting-{}", m.id)) {
                                    strong { (clock_time(m.starts_ts)) } " "
                                    @match &m.seeker_id {
                                        Some(id) => a href=(format!("/seekers/{id}")) { (name(&m.first_name, &m.last_name)) },
                                        None => span.name { (name(&m.first_name, &m.last_name)) },
                                    }
                                    " · " (m.status.label())
                                    @if let Some((st, tries, ch)) = reminders.get(&m.id) {
                                        " · " span.reminder { "Påminnelse: " (crate::messages::state_text(*st, *tries, gw.configured(*ch))) }
                                    }
                                    " · " span.identified { (m.identified_by.label()) }
                                    @if m.protected_identity { " · " strong.protected { "Skyddade personuppgifter" } }
                                    " · " span.decision { (crate::booking::decisions::describe(m.decision.zip(m.decided_at))) }
                                    p.muted {
                                        (m.personnummer.as_deref().unwrap_or_default())
                                        @if let Some(p) = &m.phone { " · " (p) }
                                        @if let Some(e) = &m.email { " · " (e) }
                                    }
                                    @if let Some(s) = &m.situation { p.situation { (s) } }
                                    @match &m.seeker_id {
                                        Some(id) => p { a.button href=(format!("/seekers/{id}/edit")) { "Registrera profil" } },
                                        // Only someone met (or about to be) is identified: not at a cancelled or missed meeting.
                                        None => @if can_confirm && matches!(m.status, BookingStatus::Booked | BookingStatus::Held) {
                                            (identity_form(m, &registered, &staff.csrf, &o.id))
                                        },
                                    }
                                    @if can_mark && m.status == BookingStatus::Booked && *day <= today {
                                        form.mark method="post" action=(format!("/agenda/{}/status", m.id)) {
                                            input type="hidden" name="csrf" value=(staff.csrf);
                                            input type="hidden" name="officer" value=(o.id);
                                            button type="submit" name="status" value=(BookingStatus::Held.as_str()) { "Genomfört" }
                                            " "
                                            button type="submit" name="status" value=(BookingStatus::NoShow.as_str()) { "Kom inte" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page_response(code, layout::page("Möten", &staff.chrome(), body)))
}

#[derive(Deserialize)]
struct MarkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    officer: String,
}

/// Held or a no-show; Post/Redirect/Get back to the agenda.
#[post("/agenda/{id}/status")]
async fn mark(state: web::Data<AppState>, staff: Staff, id: web::Path<String>, form: web::Form<MarkForm>) -> WebResult {
    staff.check(&form.csrf)?;
    staff.require(&[Role::Officer, Role::Admin])?;
    let (id, now, status) = (id.into_inner(), state.clock.now_ts(), form.status.clone());
    match crate::booking::service::mark(&state.pool, now, &id, &status).await {
        Ok(()) => Ok(see_other(&format!("/agenda?officer={}&marked=1", super::urlencode(&form.officer)))),
        Err(e @ (AppError::Conflict { .. } | AppError::Validation(_))) => {
            let code = actix_web::ResponseError::status_code(&e);
            let text = super::labels::app_error(&e).1;
            agenda_page(&state, &staff, Some(form.officer.clone()), Some(Flash::Failed(text)), code).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Who the applicant is, decided by the officer who meets them: the registered seeker with
/// the personnummer they gave (after checking their identity document), or a new seeker.
fn identity_form(m: &store::AgendaItem, registered: &[store::Registered], csrf: &str, officer: &str) -> maud::Markup {
    let matches: Vec<&store::Registered> =
        registered.iter().filter(|r| m.personnummer.as_deref() == Some(r.personnummer.as_str())).collect();
    html! {
        form.identity method="post" action=(format!("/agenda/{}/identity", m.application_id)) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="officer" value=(officer);
            @if matches.is_empty() {
                p.muted { "Ingen är registrerad med personnumret. Kontrollera legitimationen på mötet." }
                button type="submit" { "Identitet kontrollerad – registrera profil" }
            } @else {
                @for r in &matches {
                    p { "Registrerad med samma personnummer: " a href=(format!("/seekers/{}", r.id)) { (name(&r.first_name, &r.last_name)) } }
                    button type="submit" name="seeker_id" value=(r.id) { "Identitet kontrollerad – samma person" }
                }
            }
        }
    }
}

#[derive(Deserialize)]
struct IdentityForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    seeker_id: String,
    #[serde(default)]
    officer: String,
}

/// Confirms the applicant's identity from the agenda, then opens the profile form.
#[post("/agenda/{application}/identity")]
async fn identity(
    state: web::Data<AppState>,
    staff: Staff,
    application: web::Path<String>,
    form: web::Form<IdentityForm>,
) -> WebResult {
    staff.check(&form.csrf)?;
    staff.require(READERS)?;
    let (now, today, who, action) =
        (state.clock.now_ts(), state.clock.today(), staff.who.clone(), staff.action.clone());
    let input = store::IdentityInput { seeker_id: Some(form.seeker_id.clone()).filter(|s| !s.is_empty()) };
    let municipality = state.settings.booking.municipality_code.clone();
    let application = application.into_inner();
    let done = crate::booking::service::confirm_identity(
        &state.pool,
        (&who, &action),
        (now, today),
        &municipality,
        &application,
        input,
    )
    .await;
    match done {
        Ok(d) => Ok(see_other(&format!("/seekers/{}/edit?intake=1", d.seeker_id))),
        Err(e @ (AppError::Conflict { .. } | AppError::Validation(_))) => {
            let code = actix_web::ResponseError::status_code(&e);
            let text = super::labels::app_error(&e).1;
            agenda_page(&state, &staff, Some(form.officer.clone()), Some(Flash::Failed(text)), code).await
        }
        Err(e) => Err(e.into()),
    }
}
