//! Texts to many from the shortlist ("Sms till valda") and what became of each, and the page
//! an offered earlier meeting opens (`/erbjudande/{token}`: "Ta tiden" / "Nej tack"). Every
//! form redirects (Post/Redirect/Get).

use actix_web::{HttpRequest, get, http::StatusCode, post, web};
use diesel::prelude::*;
use maud::html;
use serde::Deserialize;

use super::apply::with_csrf;
use super::labels::Label;
use super::layout::{self, clock_time, instant};
use super::session::check_anonymous;
use super::{Staff, WebResult, page_response, see_other, urlencode};
use crate::audit::Action;
use crate::auth::Role;
use crate::booking::OfferState;
use crate::db;
use crate::db::schema::{messages, seekers};
use crate::error::{AppError, Clash};
use crate::messages::service::{BulkInput, Skip};
use crate::privacy::Reader;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(send).service(send_many).service(sent).service(offer).service(answer);
}

/// "Sms till valda": the form the ticked rows (`input.pick` with `form=form_id`) post with.
pub fn bulk_form(form_id: &str, action: &str, csrf: &str) -> maud::Markup {
    html! {
        form.stack.bulk id=(form_id) method="post" action=(action) {
            h3 { "Sms till valda" }
            input type="hidden" name="csrf" value=(csrf);
            p.muted { "Bocka för personerna ovan. Mallen \"Inbjudan\" skickas; den som saknar mobilnummer eller har svarat STOPP får inget och visas i listan efteråt." }
            label { "När (tid) " input type="text" name="tid" maxlength="200" placeholder="tisdag 8 december kl. 10"; }
            label { "Var (plats) " input type="text" name="plats" maxlength="200" placeholder="Jobbcenter, Stortorget 1"; }
            button.secondary type="submit" { "Skicka inbjudan till valda" }
        }
    }
}

/// Texts to many from "Mina arbetssökande" (no opening).
#[post("/utskick")]
async fn send_many(state: web::Data<AppState>, staff: Staff, body: web::Bytes) -> WebResult {
    texts_to_many(&state, &staff, None, &body).await
}

/// Texts to many from an opening's shortlist: the chosen people (repeated `seeker_ids`), when
/// and where; then the page of what became of each.
#[post("/openings/{id}/utskick")]
async fn send(state: web::Data<AppState>, staff: Staff, id: web::Path<String>, body: web::Bytes) -> WebResult {
    texts_to_many(&state, &staff, Some(id.into_inner()), &body).await
}

async fn texts_to_many(state: &AppState, staff: &Staff, opening: Option<String>, body: &[u8]) -> WebResult {
    let (mut csrf, mut ids, mut tid, mut plats) = (String::new(), Vec::new(), None, None);
    for (k, v) in url::form_urlencoded::parse(body) {
        match k.as_ref() {
            "csrf" => csrf = v.into_owned(),
            "seeker_ids" => ids.push(v.into_owned()),
            "tid" => tid = Some(v.into_owned()).filter(|s| !s.trim().is_empty()),
            "plats" => plats = Some(v.into_owned()).filter(|s| !s.trim().is_empty()),
            _ => {}
        }
    }
    staff.check(&csrf)?;
    staff.require(Role::CASEWORK)?;
    if ids.is_empty() {
        return Ok(see_other(&match &opening {
            Some(o) => format!("/openings/{o}?kortlista_fel=seeker_ids.required#shortlist"),
            None => "/seekers?mine=1&utskick=ingen".into(),
        }));
    }
    let input = BulkInput { template: "invitation".into(), seeker_ids: ids, opening_id: opening.clone(), tid, plats };
    let reader = Reader::new(staff.who.clone(), Action::named("POST /utskick"), &state.clock);
    let result = db::run(&state.pool, move |c| crate::messages::service::bulk(c, &reader, &input, None)).await?;
    let skipped: Vec<String> =
        result.items.iter().filter_map(|i| i.skipped.map(|s| format!("{}:{}", i.seeker_id, s.as_str()))).collect();
    let queued: Vec<&str> = result.items.iter().filter_map(|i| i.message_id.as_deref()).collect();
    Ok(see_other(&format!(
        "/utskick?oppning={}&m={}&ej={}",
        urlencode(opening.as_deref().unwrap_or_default()),
        urlencode(&queued.join(",")),
        urlencode(&skipped.join(","))
    )))
}

#[derive(Deserialize)]
struct SentQuery {
    oppning: Option<String>,
    #[serde(default)]
    m: String,
    #[serde(default)]
    ej: String,
}

/// What became of a text to many: each person's message and its state, and who got none.
#[get("/utskick")]
async fn sent(state: web::Data<AppState>, staff: Staff, q: web::Query<SentQuery>) -> WebResult {
    staff.require(Role::CASEWORK)?;
    let q = q.into_inner();
    let again = format!(
        "/utskick?oppning={}&m={}&ej={}",
        urlencode(q.oppning.as_deref().unwrap_or_default()),
        urlencode(&q.m),
        urlencode(&q.ej)
    );
    let ids: Vec<String> = q.m.split(',').filter(|s| !s.is_empty()).take(500).map(str::to_string).collect();
    let skipped: Vec<(String, Option<Skip>)> =
        q.ej.split(',')
            .filter_map(|p| p.split_once(':'))
            .take(500)
            .map(|(id, why)| (id.to_string(), Skip::parse(why)))
            .collect();
    let gw = crate::messages::gateway::Gateways::from_settings(&state.settings);
    let (who, now) = (staff.who.clone(), state.clock.now_ts());
    type Row = (String, Option<String>, crate::messages::MessageState, i32, crate::messages::Channel);
    let (rows, names) = db::run(&state.pool, move |c| {
        let rows: Vec<Row> = messages::table
            .filter(messages::id.eq_any(&ids))
            .filter(messages::created_by.eq(&who.user_id))
            .order(messages::created_at)
            .select((messages::id, messages::seeker_id, messages::state, messages::attempts, messages::channel))
            .load(c)?;
        let mut people: Vec<String> = rows.iter().filter_map(|r| r.1.clone()).collect();
        people.extend(skipped.iter().map(|s| s.0.clone()));
        let names: std::collections::HashMap<String, String> = seekers::table
            .filter(seekers::id.eq_any(&people))
            .select((seekers::id, seekers::first_name, seekers::last_name))
            .load::<(String, Option<String>, Option<String>)>(c)?
            .into_iter()
            .map(|(id, f, l)| (id, format!("{} {}", f.unwrap_or_default(), l.unwrap_or_default()).trim().to_string()))
            .collect();
        let shown: Vec<String> = names.keys().cloned().collect();
        crate::privacy::shown(c, &who, &shown, &Action::named("/utskick"), now)?;
        Ok((rows, (names, skipped)))
    })
    .await?;
    let (names, skipped) = names;
    let name = |id: &Option<String>| id.as_ref().and_then(|i| names.get(i)).cloned().unwrap_or_default();
    let body = html! {
        section.sent {
            h1 { "Utskick" }
            @match q.oppning.as_deref().filter(|o| !o.is_empty()) {
                Some(o) => p { a href=(format!("/openings/{}#shortlist", urlencode(o))) { "Tillbaka till tjänsten" } },
                None => p { a href="/seekers?mine=1&status=active" { "Tillbaka till Mina arbetssökande" } },
            }
            @if !gw.configured(crate::messages::Channel::Sms) {
                p.notice role="note" { "Ingen sms-tjänst är inställd: meddelandena väntar tills en finns. Ring i stället." }
            }
            h2 { (rows.len()) " sms" }
            table.messages {
                thead { tr { th scope="col" { "Mottagare" } th scope="col" { "Läge" } } }
                tbody {
                    @for (_, seeker, st, tries, ch) in &rows {
                        tr data-seeker=[seeker.as_deref()] {
                            td { (name(seeker)) }
                            td.state { (crate::messages::state_text(*st, *tries, gw.configured(*ch))) }
                        }
                    }
                }
            }
            @if !skipped.is_empty() {
                h2 { "Fick inget sms (" (skipped.len()) ")" }
                ul.list.skipped {
                    @for (id, why) in &skipped {
                        li data-seeker=(id) { (names.get(id).cloned().unwrap_or_default()) " – " (why.map(|w| w.label()).unwrap_or("Okänt skäl")) }
                    }
                }
            }
            p { a href=(again) { "Uppdatera" } }
        }
    };
    Ok(page_response(StatusCode::OK, layout::page("Utskick", &staff.chrome(), body)))
}

#[derive(Deserialize)]
struct OfferQuery {
    svar: Option<String>,
}

/// The offered earlier meeting: when and where, held until when; "Ta tiden" or "Nej tack".
#[get("/erbjudande/{token}")]
async fn offer(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    q: web::Query<OfferQuery>,
) -> WebResult {
    let token = token.into_inner();
    let o = crate::booking::service::offer(&state.pool, &token).await?;
    let action = format!("/erbjudande/{}", urlencode(&token));
    let notice = match q.svar.as_deref() {
        Some("upptagen") => Some("Tiden hann tas av någon annan. Din tidigare bokning gäller."),
        Some("ute") => {
            Some("Tiden hölls inte längre åt dig och har erbjudits någon annan. Din tidigare bokning gäller.")
        }
        _ => None,
    };
    Ok(with_csrf(&req, StatusCode::OK, "Ledig tid", |csrf| {
        html! {
            section.apply.offer {
                @if let Some(n) = notice { p.notice role="status" { (n) } }
                @match o.state {
                    OfferState::Held => {
                        h1 { "En tidigare tid är ledig" }
                        p.big { strong { (instant(o.starts_at)) "–" (clock_time(o.ends_at)) } }
                        p { "Du träffar " (o.officer_name) ", " (o.unit) "." }
                        @if let Some(a) = &o.address { p.address { "Adress: " strong { (a) } } }
                        p { "Tiden hålls åt dig till kl. " (clock_time(o.held_until)) "." }
                        @if let Some(b) = &o.booking { p.muted { "Din nuvarande tid: " (instant(b.starts_ts)) ". Den släpps om du tar den nya." } }
                        div.actions {
                            form method="post" action=(action) {
                                input type="hidden" name="csrf" value=(csrf);
                                input type="hidden" name="accept" value="1";
                                button type="submit" { "Ta tiden" }
                            }
                            form method="post" action=(action) {
                                input type="hidden" name="csrf" value=(csrf);
                                input type="hidden" name="accept" value="0";
                                button.secondary type="submit" { "Nej tack" }
                            }
                        }
                    }
                    OfferState::Accepted => {
                        h1 { "Din nya tid är bokad" }
                        @if let Some(b) = &o.booking {
                            p.big { strong { (instant(b.starts_ts)) "–" (clock_time(b.ends_ts)) } }
                            p { "Du träffar " (b.officer_name) ", " (b.unit) "." }
                            @if let Some(a) = &b.address { p.address { "Adress: " strong { (a) } } }
                        }
                        p { a.button href=(format!("/apply/booked/{}", urlencode(&token))) { "Ändra eller avboka" } }
                    }
                    s => {
                        h1 { "Erbjudandet gäller inte längre" }
                        p { (s.label()) "." }
                        @if let Some(b) = &o.booking { p { "Din bokade tid: " strong { (instant(b.starts_ts)) } "." } }
                    }
                }
            }
        }
    }))
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    accept: String,
}

#[post("/erbjudande/{token}")]
async fn answer(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    f: web::Form<AnswerForm>,
) -> WebResult {
    check_anonymous(&req, &f.csrf)?;
    let token = token.into_inner();
    let (now, sending) = (state.clock.now_ts(), crate::booking::Sending::of(&state.settings));
    let accept = f.accept == "1";
    let back = format!("/erbjudande/{}", urlencode(&token));
    match crate::booking::service::answer_offer(&state.pool, now, &token, accept, &sending).await {
        Ok(_) | Err(AppError::Conflict { clash: Clash::OfferAnswered, .. }) => Ok(see_other(&back)),
        Err(AppError::Conflict { clash: Clash::OfferExpired, .. }) => Ok(see_other(&format!("{back}?svar=ute"))),
        Err(AppError::Conflict { clash: Clash::SlotTaken, .. }) => Ok(see_other(&format!("{back}?svar=upptagen"))),
        Err(e) => Err(e.into()),
    }
}
