//! An employer's page (`/employers/{id}`): its contacts (brokers and admins keep them here),
//! its openings, and the placements made on them.

use actix_web::{get, http::StatusCode, post, web};
use maud::html;
use serde::Deserialize;

use super::kit::{Flash, flash};
use super::labels::Label;
use super::layout::{self, date, occupation};
use super::{Staff, WebResult, page_response, see_other};
use crate::auth::Role;
use crate::employers::contacts::{self, ContactInput};
use crate::error::AppError;
use crate::state::AppState;
use crate::{db, employers, openings, placements};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show).service(add_contact);
}

#[derive(Deserialize)]
struct ShowQuery {
    added: Option<String>,
}

#[get("/employers/{id}")]
async fn show(state: web::Data<AppState>, staff: Staff, id: web::Path<String>, q: web::Query<ShowQuery>) -> WebResult {
    staff.require(Role::CASEWORK)?;
    let message = q.added.as_ref().map(|_| Flash::Done("Kontaktpersonen är sparad.".into()));
    employer_page(&state, &staff, id.into_inner(), message, StatusCode::OK).await
}

async fn employer_page(
    state: &AppState,
    staff: &Staff,
    id: String,
    message: Option<Flash>,
    code: StatusCode,
) -> WebResult {
    let (who, action, now) = (staff.who.clone(), staff.action.clone(), state.clock.now_ts());
    let (employer, people, list, history, names) = db::run(&state.pool, move |c| {
        let employer = employers::get(c, &id)?;
        let people = contacts::list(c, &id)?;
        let filter = openings::store::OpeningFilter { employer_id: Some(id.clone()), ..Default::default() };
        let (list, _) = openings::store::list(c, &who, &filter, 200, 0)?;
        let filter = placements::store::PlacementFilter { employer_id: Some(id.clone()), ..Default::default() };
        let headlines: std::collections::HashMap<&str, &str> =
            list.iter().map(|o| (o.id.as_str(), o.headline.as_str())).collect();
        let history: Vec<(String, placements::Placement)> = placements::store::list(c, &filter, 500, 0)?
            .0
            .into_iter()
            .map(|p| {
                let headline = p.opening_id.as_deref().and_then(|o| headlines.get(o)).copied().unwrap_or_default();
                (headline.to_string(), p)
            })
            .collect();
        // Names of the people placed: an audited read.
        let ids: Vec<String> = history.iter().map(|(_, p)| p.seeker_id.clone()).collect();
        let names = super::layout::display_names(crate::seekers::service::names(c, &who, &ids, &action, now)?);
        Ok((employer, people, list, history, names))
    })
    .await?;
    let can_edit = matches!(staff.who.role, Role::Broker | Role::Admin) && !staff.csrf.is_empty();
    let body = html! {
        (flash(&message))
        h1 { (employer.name) }
        p.muted { "Organisationsnummer " (employer.organization_number) @if employer.municipal { " · kommunen" } }
        section.contacts {
            h2 { "Kontaktpersoner" }
            @if people.is_empty() { p.muted { "Inga kontaktpersoner ännu." } }
            ul.list {
                @for k in &people {
                    li { strong { (k.name) } @if let Some(r) = &k.role { " · " (r) }
                         @if let Some(p) = &k.phone { " · " a href=(format!("tel:{p}")) { (p) } }
                         @if let Some(e) = &k.email { " · " a href=(format!("mailto:{e}")) { (e) } } }
                }
            }
            @if can_edit {
                form.stack.contact method="post" action=(format!("/employers/{}/contacts", employer.id)) {
                    input type="hidden" name="csrf" value=(staff.csrf);
                    label { "Namn " input type="text" name="name" required maxlength="200"; }
                    label { "Roll " input type="text" name="role" maxlength="100"; }
                    label { "Telefon " input type="tel" name="phone"; }
                    label { "E-post " input type="email" name="email"; }
                    button type="submit" { "Lägg till kontaktperson" }
                }
            }
        }
        section {
            h2 { "Annonser" }
            @if list.is_empty() { p.muted { "Inga annonser." } }
            ul.list {
                @for o in &list {
                    li { a href=(format!("/openings/{}", o.id)) { (o.headline) }
                         span.muted { " · " (occupation(&o.occupation)) " · " (o.status.label())
                             @if let Some(d) = &o.application_deadline { " · sista dag " (date(d)) } } }
                }
            }
        }
        section {
            h2 { "Placeringar" }
            @if history.is_empty() { p.muted { "Inga placeringar ännu." } }
            ul.list {
                @for (headline, p) in &history {
                    li { a href=(format!("/seekers/{}", p.seeker_id)) { (names.get(&p.seeker_id).cloned().unwrap_or_default()) }
                         span.muted { " · " (headline) " · " (p.kind.label()) " · " (p.status.label())
                             @if let Some(o) = p.outcome { " (" (o.label()) ")" } } }
                }
            }
        }
    };
    Ok(page_response(code, layout::page(&employer.name, &staff.chrome(), body)))
}

#[derive(Deserialize)]
struct ContactForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
}

#[post("/employers/{id}/contacts")]
async fn add_contact(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<ContactForm>,
) -> WebResult {
    staff.check(&form.csrf)?;
    staff.require(&[Role::Broker, Role::Admin])?;
    let id = id.into_inner();
    let blank = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let input = ContactInput {
        name: form.name.clone(),
        role: blank(&form.role),
        phone: blank(&form.phone),
        email: blank(&form.email),
    };
    let now = state.clock.now_ts();
    let employer = id.clone();
    match db::run(&state.pool, move |c| contacts::create(c, now, &employer, &input)).await {
        Ok(_) => Ok(see_other(&format!("/employers/{id}?added=1"))),
        Err(e @ AppError::Validation(_)) => {
            let code = actix_web::ResponseError::status_code(&e);
            let text = format!("Kontaktpersonen sparades inte. {}", super::labels::app_error(&e).1);
            employer_page(&state, &staff, id, Some(Flash::Failed(text)), code).await
        }
        Err(e) => Err(e.into()),
    }
}
