//! The placements board: a column per status; moving a card performs the transition. Each
//! card carries a plain form (works without JavaScript); `platsa.js` adds drag and drop,
//! which fills in and submits the same form. A refused move is shown as a readable message.

use actix_web::{get, http::StatusCode, post, web};
use chrono::{Days, NaiveDate};
use maud::{Markup, html};
use serde::Deserialize;

use super::kit::{Flash, flash};
use super::labels::{self, Label};
use super::layout::{self, days_ago};
use super::{Staff, WebResult, page_response, see_other};
use crate::auth::Role;
use crate::error::{AppError, Fault};
use crate::placements::{Outcome, Placement, Status, Transition};
use crate::state::AppState;
use crate::{db, placements};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(board).service(move_card);
}

/// The board's columns; declined and withdrawn placements leave the board.
const COLUMNS: [Status; 6] =
    [Status::Proposed, Status::Presented, Status::Interview, Status::Offered, Status::Started, Status::Ended];

#[derive(Deserialize)]
struct BoardQuery {
    all: Option<String>,
    moved: Option<String>,
}

struct Card {
    placement: Placement,
    seeker: String,
    opening: Option<String>,
    /// The employer's latest answer about the person.
    feedback: Option<crate::placements::feedback::Feedback>,
}

async fn board_page(
    state: &web::Data<AppState>,
    staff: &Staff,
    all: bool,
    message: Option<Flash>,
    code: StatusCode,
) -> WebResult {
    let mine = (staff.who.role == Role::Broker && !all).then(|| staff.who.user_id.clone());
    let (now, today, who) = (state.clock.now_ts(), state.clock.today(), staff.who.clone());
    let action = staff.action.clone();
    let cards = db::run(&state.pool, move |c| {
        let list = placements::store::in_progress(c, mine.as_deref(), today - Days::new(30), 500)?;
        let seeker_ids: Vec<String> = list.iter().map(|p| p.seeker_id.clone()).collect();
        let names = super::layout::display_names(crate::seekers::service::names(c, &who, &seeker_ids, &action, now)?);
        let opening_ids: Vec<String> = list.iter().filter_map(|p| p.opening_id.clone()).collect();
        let headlines: std::collections::HashMap<String, String> =
            crate::openings::store::rows_by_ids(c, &opening_ids)?.into_iter().map(|r| (r.id, r.headline)).collect();
        let placement_ids: Vec<String> = list.iter().map(|p| p.id.clone()).collect();
        let mut feedback = crate::placements::feedback::latest(c, &placement_ids)?;
        Ok(list
            .into_iter()
            .map(|p| Card {
                feedback: feedback.remove(&p.id),
                seeker: names.get(&p.seeker_id).cloned().unwrap_or_default(),
                opening: p.opening_id.as_ref().and_then(|o| headlines.get(o).cloned()),
                placement: p,
            })
            .collect::<Vec<_>>())
    })
    .await?;
    let body = html! {
        h1 { "Placeringar" }
        p.muted {
            "Dra ett kort till nästa kolumn, eller välj steg på kortet. "
            @if staff.who.role == Role::Broker {
                @if all { a href="/placements" { "Visa bara mina" } } @else { a href="/placements?all=1" { "Visa alla" } }
            }
        }
        (flash(&message))
        div.board {
            @for col in COLUMNS {
                section.column data-status=(col.as_str()) {
                    h2 { (col.label()) span.count { (cards.iter().filter(|c| c.placement.status == col).count()) } }
                    @for c in cards.iter().filter(|c| c.placement.status == col) { (card(c, &staff.csrf, all, today, now)) }
                }
            }
        }
    };
    Ok(page_response(code, layout::page("Placeringar", &staff.chrome(), body)))
}

fn card(c: &Card, csrf: &str, all: bool, today: NaiveDate, now: i64) -> Markup {
    let p = &c.placement;
    let allowed = &p.allowed_transitions;
    let allowed_words: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
    html! {
        article.card id=(format!("card-{}", p.id)) draggable=[(!allowed.is_empty()).then_some("true")] data-allowed=(allowed_words.join(" ")) {
            a.name href=(format!("/seekers/{}", p.seeker_id)) { (c.seeker) }
            p.what { (p.kind.label()) @if let Some(o) = &c.opening { " · " a href=(format!("/openings/{}", p.opening_id.clone().unwrap_or_default())) { (o) } } }
            p.muted { (p.status.label()) " sedan " (days_ago(p.updated_at, now))
                @if let Some(out) = p.outcome { " · " (out.label()) } }
            @if let Some(f) = &c.feedback {
                p.feedback { "Arbetsgivaren: " strong { (f.answer.label()) } @if let Some(n) = &f.note { " – " (n) } }
            }
            @if !allowed.is_empty() {
                form.move method="post" action=(format!("/placements/{}/move", p.id)) {
                    input type="hidden" name="csrf" value=(csrf);
                    @if all { input type="hidden" name="all" value="1"; }
                    label { "Nästa steg "
                        select name="to" {
                            @for a in allowed { option value=(a.as_str()) { (a.label()) } }
                        }
                    }
                    label { "Datum " input type="date" name="at" value=(today.to_string()) max=(today.to_string()); }
                    @if allowed.contains(&Status::Ended) {
                        label { "Utfall "
                            select name="outcome" {
                                option value="" { "Välj utfall" }
                                @for o in Outcome::ALL { option value=(o.as_str()) { (o.label()) } }
                            }
                        }
                        label { "Anställd till (tom = tills vidare) " input type="date" name="employment_until"; }
                        label.check { input type="checkbox" name="student_finance_eligible" value="true"; " Studier med rätt till studiemedel" }
                    }
                    label { "Anteckning " input name="note" maxlength="500"; }
                    button type="submit" { "Flytta" }
                }
            }
        }
    }
}

#[get("/placements")]
async fn board(state: web::Data<AppState>, staff: Staff, q: web::Query<BoardQuery>) -> WebResult {
    staff.require(Role::CASEWORK)?;
    let message = q.moved.as_ref().map(|_| Flash::Done("Placeringen är flyttad.".into()));
    board_page(&state, &staff, q.all.is_some(), message, StatusCode::OK).await
}

#[derive(Deserialize)]
struct MoveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    employment_until: String,
    #[serde(default)]
    student_finance_eligible: String,
    #[serde(default)]
    note: String,
    /// The board showed everyone's placements ("1"), not only the broker's own.
    #[serde(default)]
    all: String,
}

impl MoveForm {
    fn transition(&self, today: NaiveDate) -> Result<Transition, AppError> {
        let to = Status::parse(&self.to).ok_or_else(|| AppError::field("to", Fault::Required, "välj ett steg"))?;
        let at = if self.at.is_empty() {
            today
        } else {
            self.at.parse().map_err(|_| AppError::field("at", Fault::Format, "datumet ska skrivas ÅÅÅÅ-MM-DD"))?
        };
        let outcome = match self.outcome.as_str() {
            "" => None,
            o => Some(Outcome::parse(o).ok_or_else(|| AppError::field("outcome", Fault::Unknown, "okänt utfall"))?),
        };
        let employment_until =
            match self.employment_until.as_str() {
                "" => None,
                d => Some(d.parse().map_err(|_| {
                    AppError::field("employment_until", Fault::Format, "datumet ska skrivas ÅÅÅÅ-MM-DD")
                })?),
            };
        let studies = outcome == Some(Outcome::Studies);
        Ok(Transition {
            to,
            at,
            note: Some(self.note.trim().to_string()).filter(|n| !n.is_empty()),
            outcome,
            employment_until,
            student_finance_eligible: studies.then_some(self.student_finance_eligible == "true"),
        })
    }
}

/// A refused move in words a broker reads: what was asked, and what is possible instead.
fn refusal(e: &AppError, asked: &str) -> String {
    match e {
        // Only a step that is not allowed from here is explained with the steps that are.
        AppError::Conflict { clash: crate::error::Clash::TransitionNotAllowed, extra, .. } => {
            let word = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).and_then(Status::parse);
            let from = word(extra.get("from")).map_or("–", Status::label);
            let allowed: Vec<&str> = extra
                .get("allowed")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|v| word(Some(v))).map(Status::label).collect())
                .unwrap_or_default();
            format!(
                "Det går inte att flytta placeringen från «{}» till «{}». {}",
                from,
                Status::parse(asked).map_or("–", Status::label),
                if allowed.is_empty() {
                    "Den är avslutad.".to_string()
                } else {
                    format!("Möjliga steg härifrån: {}.", allowed.join(", "))
                }
            )
        }
        AppError::Validation(errors) => format!("Flytten behöver kompletteras: {}", labels::field_problems(errors)),
        other => format!("Flytten gick inte. {}", labels::app_error(other).1),
    }
}

#[post("/placements/{id}/move")]
async fn move_card(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<MoveForm>,
) -> WebResult {
    staff.check(&form.csrf)?;
    staff.require(&[Role::Broker, Role::Officer, Role::Admin])?;
    let all = form.all == "1";
    let (now, today, who) = (state.clock.now_ts(), state.clock.today(), staff.who.clone());
    let url = state.settings.public_url.clone();
    let result = match form.transition(today) {
        Ok(t) => {
            let id = id.into_inner();
            db::run(&state.pool, move |c| placements::store::transition(c, now, today, &who, &id, t, Some(&url))).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(p) => Ok(see_other(&format!("/placements?moved={}", p.id))),
        Err(e @ (AppError::Conflict { .. } | AppError::Validation(_))) => {
            let code = actix_web::ResponseError::status_code(&e);
            board_page(&state, &staff, all, Some(Flash::Failed(refusal(&e, &form.to))), code).await
        }
        Err(e) => Err(e.into()),
    }
}
