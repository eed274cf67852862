//! The placements board: a column per status; moving a card performs the transition. Each
//! card carries a plain form (works without JavaScript); `platsa.js` adds drag and drop,
//! which fills in and submits the same form. A refused move is shown as a readable message.

use actix_web::{get, http::StatusCode, post, web};
use chrono::{Days, NaiveDate};
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{self, OUTCOMES, days_ago, kind, outcome, status};
use super::openings::{Flash, flash};
use super::{Staff, WebResult, page_response, see_other};
use crate::auth::Role;
use crate::error::AppError;
use crate::placements::{Placement, Status, Transition, parse};
use crate::state::AppState;
use crate::{db, placements};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(board).service(move_card);
}

const COLUMNS: [&str; 6] = ["proposed", "presented", "interview", "offered", "started", "ended"];

#[derive(Deserialize)]
struct BoardQuery {
    all: Option<String>,
    moved: Option<String>,
}

struct Card {
    placement: Placement,
    seeker: String,
    opening: Option<String>,
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
    let cards = db::run(&state.pool, move |c| {
        let list = placements::store::in_progress(c, mine.as_deref(), today - Days::new(30), 500)?;
        let seeker_ids: Vec<String> = list.iter().map(|p| p.seeker_id.clone()).collect();
        let names = super::start::names_of(c, &seeker_ids)?;
        crate::audit::record(c, &who, &seeker_ids, "GET /placements", now)?;
        let opening_ids: Vec<String> = list.iter().filter_map(|p| p.opening_id.clone()).collect();
        let headlines: std::collections::HashMap<String, String> =
            crate::openings::store::rows_by_ids(c, &opening_ids)?.into_iter().map(|r| (r.id, r.headline)).collect();
        Ok(list
            .into_iter()
            .map(|p| Card {
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
                section.column data-status=(col) {
                    h2 { (status(col)) span.count { (cards.iter().filter(|c| c.placement.status == col).count()) } }
                    @for c in cards.iter().filter(|c| c.placement.status == col) { (card(c, &staff.csrf, all, today, now)) }
                }
            }
        }
    };
    Ok(page_response(code, layout::page("Placeringar", &staff.chrome(), body)))
}

fn card(c: &Card, csrf: &str, all: bool, today: NaiveDate, now: i64) -> Markup {
    let p = &c.placement;
    let allowed: Vec<String> = p.allowed_transitions.iter().map(placements::as_str).collect();
    html! {
        article.card id=(format!("card-{}", p.id)) draggable=[(!allowed.is_empty()).then_some("true")] data-allowed=(allowed.join(" ")) {
            a.name href=(format!("/seekers/{}", p.seeker_id)) { (c.seeker) }
            p.what { (kind(&p.kind)) @if let Some(o) = &c.opening { " · " a href=(format!("/openings/{}", p.opening_id.clone().unwrap_or_default())) { (o) } } }
            p.muted { (status(&p.status)) " sedan " (days_ago(p.updated_at, now))
                @if let Some(out) = &p.outcome { " · " (outcome(out)) } }
            @if !allowed.is_empty() {
                form.move method="post" action=(format!("/placements/{}/move", p.id)) {
                    input type="hidden" name="csrf" value=(csrf);
                    @if all { input type="hidden" name="all" value="1"; }
                    label { "Nästa steg "
                        select name="to" {
                            @for a in &allowed { option value=(a) { (status(a)) } }
                        }
                    }
                    label { "Datum " input type="date" name="at" value=(today.to_string()) max=(today.to_string()); }
                    @if allowed.iter().any(|a| a == "ended") {
                        label { "Utfall "
                            select name="outcome" {
                                option value="" { "Välj utfall" }
                                @for o in OUTCOMES { option value=(o) { (outcome(o)) } }
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
        let to = parse::<Status>(&self.to).ok_or_else(|| AppError::field("to", "välj ett steg"))?;
        let at = if self.at.is_empty() {
            today
        } else {
            self.at.parse().map_err(|_| AppError::field("at", "datumet ska skrivas ÅÅÅÅ-MM-DD"))?
        };
        let outcome = match self.outcome.as_str() {
            "" => None,
            o => Some(parse(o).ok_or_else(|| AppError::field("outcome", "okänt utfall"))?),
        };
        let employment_until = match self.employment_until.as_str() {
            "" => None,
            d => Some(d.parse().map_err(|_| AppError::field("employment_until", "datumet ska skrivas ÅÅÅÅ-MM-DD"))?),
        };
        let studies = outcome == Some(placements::Outcome::Studies);
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
        AppError::Conflict { extra, .. } => {
            let from = extra.get("from").and_then(|v| v.as_str()).unwrap_or("");
            let allowed: Vec<&str> = extra
                .get("allowed")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str()).map(status).collect())
                .unwrap_or_default();
            format!(
                "Det går inte att flytta placeringen från «{}» till «{}». {}",
                status(from),
                status(asked),
                if allowed.is_empty() {
                    "Den är avslutad.".to_string()
                } else {
                    format!("Möjliga steg härifrån: {}.", allowed.join(", "))
                }
            )
        }
        AppError::Validation(errors) => {
            format!(
                "Flytten behöver kompletteras: {}",
                errors.iter().map(|f| format!("{} ({})", f.message, f.field)).collect::<Vec<_>>().join("; ")
            )
        }
        other => format!("Flytten gick inte: {other}"),
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
    let result = match form.transition(today) {
        Ok(t) => {
            let id = id.into_inner();
            db::run(&state.pool, move |c| placements::store::transition(c, now, today, &who, &id, t)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(p) => {
            state.notify_indexer();
            Ok(see_other(&format!("/placements?moved={}", p.id)))
        }
        Err(e @ (AppError::Conflict { .. } | AppError::Validation(_))) => {
            let code = actix_web::ResponseError::status_code(&e);
            board_page(&state, &staff, all, Some(Flash::Failed(refusal(&e, &form.to))), code).await
        }
        Err(e) => Err(e.into()),
    }
}
