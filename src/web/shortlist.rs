//! The shortlist on an opening's page: who is being considered, each one's status and note,
//! and their consent for this opening: recorded when the broker heard it (phone, in person,
//! letter) or asked for through a link with a deadline. Every form redirects back (Post/
//! Redirect/Get), a refusal with its stable code, which the opening page explains.

use std::collections::HashMap;

use actix_web::{post, web};
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;

use super::labels::Label;
use super::layout::date;
use super::{Staff, WebResult, see_other};
use crate::auth::Role;
use crate::booking::calendar::working_days_after;
use crate::db;
use crate::error::{AppError, Fault};
use crate::openings::Opening;
use crate::shortlist::{
    self, ConsentHow, ConsentInput, ConsentState, Entry, EntryInput, RequestInput, ShortlistStatus,
};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(add).service(change).service(record).service(request);
}

/// What the shortlist shows of messages: each person's latest consent request's state, and
/// whether there is anywhere to send texts.
#[derive(Debug, Default)]
pub struct Sends {
    pub requests: HashMap<String, (crate::messages::MessageState, i32, crate::messages::Channel)>,
    pub sms: bool,
    pub email: bool,
}

impl Sends {
    fn state(&self, seeker: &str) -> Option<String> {
        let (state, tries, channel) = self.requests.get(seeker)?;
        let configured = match channel {
            crate::messages::Channel::Sms => self.sms,
            crate::messages::Channel::Email => self.email,
        };
        Some(crate::messages::state_text(*state, *tries, configured))
    }
}

/// The shortlist section of the opening page.
pub fn section(
    o: &Opening,
    entries: &[Entry],
    names: &HashMap<String, String>,
    csrf: &str,
    today: NaiveDate,
    sends: &Sends,
) -> Markup {
    let can_edit = !csrf.is_empty();
    let form_id = format!("utskick-{}", o.id);
    // Three working days to answer, by default.
    let deadline = working_days_after(today, 3).last().copied().unwrap_or(today);
    html! {
        section #shortlist {
            h2 { "Kortlista" span.muted { " – " (crate::labels::count(entries.len() as i64, "person", "personer")) } }
            @if entries.is_empty() { p.muted { "Ingen på kortlistan än. Lägg till bland kandidaterna nedan." } }
            @if can_edit && !entries.is_empty() && !sends.sms {
                p.notice.no-gateway role="note" { "Ingen sms-tjänst är inställd: förfrågningar och utskick väntar tills en finns. Ring i stället, eller be en administratör ställa in [messages]." }
            }
            ol.list.shortlist {
                @for e in entries {
                    li.entry data-seeker=(e.seeker_id) {
                        @if can_edit {
                            input.pick type="checkbox" name="seeker_ids" value=(e.seeker_id) form=(form_id) aria-label=(format!("Välj {} för utskick", names.get(&e.seeker_id).cloned().unwrap_or_default()));
                            " "
                        }
                        a.name href=(format!("/seekers/{}", e.seeker_id)) { (names.get(&e.seeker_id).cloned().unwrap_or_default()) }
                        " · " strong { (e.status.label()) }
                        " · " span.consent { (e.consent.map(|c| c.label()).unwrap_or("inget samtycke än"))
                            @if e.consent == Some(ConsentState::Requested) { @if let Some(d) = &e.consent_deadline { " (svar senast " (date(d)) ")" } } }
                        @if let Some(sent) = sends.state(&e.seeker_id) { " · " span.delivery { "Förfrågan: " (sent) } }
                        @if let Some(n) = &e.note { p.note { (n) } }
                        @if can_edit {
                            details {
                                summary { "Ändra" }
                                form.stack.status method="post" action=(format!("/openings/{}/shortlist/{}", o.id, e.seeker_id)) {
                                    input type="hidden" name="csrf" value=(csrf);
                                    label { "Status " select name="status" {
                                        @for s in ShortlistStatus::ALL { option value=(s.as_str()) selected[*s == e.status] { (s.label()) } }
                                    } }
                                    label { "Anteckning (skäl om ej aktuell) " input type="text" name="note" maxlength="2000" value=[e.note.as_deref()]; }
                                    button type="submit" { "Spara" }
                                }
                                form.stack.consent method="post" action=(format!("/openings/{}/shortlist/{}/consent", o.id, e.seeker_id)) {
                                    input type="hidden" name="csrf" value=(csrf);
                                    label { "Svar om samtycke " select name="state" {
                                        @for s in [ConsentState::Given, ConsentState::Declined, ConsentState::Withdrawn] { option value=(s.as_str()) { (s.label()) } }
                                    } }
                                    label { "Hur " select name="how" {
                                        @for h in [ConsentHow::Phone, ConsentHow::InPerson, ConsentHow::Letter] { option value=(h.as_str()) { (h.label()) } }
                                    } }
                                    label { "Anteckning " input type="text" name="note" maxlength="2000"; }
                                    button type="submit" { "Registrera svaret" }
                                }
                                form.stack.request method="post" action=(format!("/openings/{}/shortlist/{}/consent-request", o.id, e.seeker_id)) {
                                    input type="hidden" name="csrf" value=(csrf);
                                    label { "Svara senast " input type="date" name="deadline" value=(deadline.to_string()) min=(today.to_string()); }
                                    button.secondary type="submit" { "Begär samtycke via sms/e-post" }
                                }
                            }
                        }
                    }
                }
            }
            @if can_edit && !entries.is_empty() {
                (super::messages::bulk_form(&form_id, &format!("/openings/{}/utskick", o.id), csrf))
            }
        }
    }
}

fn back(opening: &str) -> actix_web::HttpResponse {
    see_other(&format!("/openings/{opening}?kortlista=1#shortlist"))
}

/// Back to the opening; a refusal the broker can act on travels as its stable code (the
/// opening page says it in Swedish), anything else is an error page.
async fn outcome(opening: String, r: Result<(), AppError>) -> WebResult {
    let code = match r {
        Ok(()) => return Ok(back(&opening)),
        Err(AppError::Conflict { clash, .. }) => format!("conflict.{}", clash.as_str()),
        Err(AppError::Validation(errors)) => errors.first().map(|e| e.code.clone()).unwrap_or_default(),
        Err(AppError::NotFound(thing)) => format!("not_found.{}", thing.as_str()),
        Err(e) => return Err(e.into()),
    };
    Ok(see_other(&format!("/openings/{opening}?kortlista_fel={}#shortlist", super::urlencode(&code))))
}

/// The Swedish sentence for a refusal code from [`outcome`].
pub fn refusal(code: &str) -> String {
    use crate::error::{Clash, FieldError, Thing};
    let text = if let Some(clash) = code.strip_prefix("conflict.").and_then(Clash::parse) {
        super::labels::app_error(&AppError::conflict(clash, "")).1
    } else if let Some(thing) = code.strip_prefix("not_found.").and_then(Thing::parse) {
        super::labels::app_error(&AppError::NotFound(thing)).1
    } else {
        let (field, fault) = code.rsplit_once('.').unwrap_or((code, ""));
        let fault = Fault::parse(fault).unwrap_or(Fault::Format);
        super::labels::field_problem(&FieldError {
            field: field.to_string(),
            code: code.to_string(),
            message: String::new(),
            fault,
        })
    };
    format!("Kortlistan ändrades inte. {text}")
}

#[derive(Deserialize)]
struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    seeker_id: String,
}

#[post("/openings/{id}/shortlist")]
async fn add(state: web::Data<AppState>, staff: Staff, id: web::Path<String>, f: web::Form<AddForm>) -> WebResult {
    staff.check(&f.csrf)?;
    staff.require(Role::CASEWORK)?;
    let (id, now, today, who) = (id.into_inner(), state.clock.now_ts(), state.clock.today(), staff.who.clone());
    let input = EntryInput { seeker_id: Some(f.seeker_id.clone()), status: None, note: None };
    let opening = id.clone();
    let r = db::run(&state.pool, move |c| shortlist::add(c, now, today, &who, &opening, &input).map(|_| ())).await;
    // Added twice (a double click): it is on the list, which is what was wanted.
    let r = match r {
        Err(AppError::Conflict { clash: crate::error::Clash::Duplicate, .. }) => Ok(()),
        other => other,
    };
    outcome(id, r).await
}

#[derive(Deserialize)]
struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
}

#[post("/openings/{id}/shortlist/{seeker}")]
async fn change(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(String, String)>,
    f: web::Form<ChangeForm>,
) -> WebResult {
    staff.check(&f.csrf)?;
    staff.require(Role::CASEWORK)?;
    let (id, seeker) = path.into_inner();
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let status = ShortlistStatus::parse(&f.status);
    let input = EntryInput { seeker_id: None, status, note: Some(f.note.trim().to_string()).filter(|n| !n.is_empty()) };
    let opening = id.clone();
    let r = match status {
        None => Err(AppError::field("status", Fault::Unknown, "choose a status")),
        Some(_) => {
            db::run(&state.pool, move |c| shortlist::update(c, now, today, &opening, &seeker, &input).map(|_| ())).await
        }
    };
    outcome(id, r).await
}

#[derive(Deserialize)]
struct ConsentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    how: String,
    #[serde(default)]
    note: String,
}

#[post("/openings/{id}/shortlist/{seeker}/consent")]
async fn record(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(String, String)>,
    f: web::Form<ConsentForm>,
) -> WebResult {
    staff.check(&f.csrf)?;
    staff.require(Role::CASEWORK)?;
    let (id, seeker) = path.into_inner();
    let (now, today, who) = (state.clock.now_ts(), state.clock.today(), staff.who.clone());
    let opening = id.clone();
    let r = match (ConsentState::parse(&f.state), ConsentHow::parse(&f.how)) {
        (Some(state_), Some(how)) => {
            let input =
                ConsentInput { state: state_, how, note: Some(f.note.trim().to_string()).filter(|n| !n.is_empty()) };
            db::run(&state.pool, move |c| shortlist::record(c, now, today, &who, &opening, &seeker, &input).map(|_| ()))
                .await
        }
        _ => Err(AppError::field("state", Fault::Unknown, "choose the answer and how it came")),
    };
    outcome(id, r).await
}

#[derive(Deserialize)]
struct RequestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    deadline: String,
}

#[post("/openings/{id}/shortlist/{seeker}/consent-request")]
async fn request(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(String, String)>,
    f: web::Form<RequestForm>,
) -> WebResult {
    staff.check(&f.csrf)?;
    staff.require(Role::CASEWORK)?;
    let (id, seeker) = path.into_inner();
    let (now, today, who) = (state.clock.now_ts(), state.clock.today(), staff.who.clone());
    let url = state.settings.consent.public_url.clone();
    let opening = id.clone();
    let r = match f.deadline.trim().parse::<NaiveDate>() {
        Ok(deadline) => {
            let input = RequestInput { deadline };
            db::run(&state.pool, move |c| {
                shortlist::request(c, (now, today), &who, &url, (&opening, &seeker), &input, None).map(|_| ())
            })
            .await
        }
        Err(_) => Err(AppError::field("deadline", Fault::Format, "write the date as YYYY-MM-DD")),
    };
    match r {
        Ok(()) => Ok(see_other(&format!("/openings/{id}?kortlista=begard#shortlist"))),
        r => outcome(id, r).await,
    }
}
