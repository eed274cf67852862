//! Proposing a candidate from a page (an opening's candidates, a seeker's openings), and how
//! a ranking's explanation reads.

use actix_web::web;
use maud::{Markup, html};
use serde::Deserialize;

use super::labels::{self, Label};
use super::layout::{bar, days_ago};
use super::{Staff, WebError};
use crate::auth::Role;
use crate::error::{AppError, Fault};
use crate::matching::Explanation;
use crate::openings::EmploymentType;
use crate::placements::{Kind, NewPlacement};
use crate::state::AppState;
use crate::{db, placements};

/// The explanation of one ranked hit, readable: components, matched and missing items,
/// occupation relation, distance, and the fairness note.
pub fn explanation(e: &Explanation, now: i64) -> Markup {
    html! {
        div.explanation {
            p.why {
                strong { (e.occupation_match.label()) }
                @if let Some(km) = e.distance_km { " · " (format!("{km:.0}")) " km bort" }
                " · väntat " (days_ago(e.waiting_since, now))
            }
            @if !e.matched.must_have.is_empty() || !e.missing.must_have.is_empty() {
                p.items {
                    "Krav: "
                    @for m in &e.matched.must_have { span.tag.ok title="Uppfyller" { "✓ " (m) } " " }
                    @for m in &e.missing.must_have { span.tag.missing title="Saknas" { "✗ " (m) } " " }
                }
            }
            @if !e.matched.nice_to_have.is_empty() || !e.missing.nice_to_have.is_empty() {
                p.items {
                    "Meriterande: "
                    @for m in &e.matched.nice_to_have { span.tag.ok { "✓ " (m) } " " }
                    @for m in &e.missing.nice_to_have { span.tag.missing { "✗ " (m) } " " }
                }
            }
            @if !e.read_from_text.is_empty() {
                p.items.read {
                    "Ur personens egen text: "
                    @for (i, words) in e.read_from_text.iter().enumerate() {
                        @if i > 0 { ", " }
                        q { (words) }
                    }
                }
            }
            @if let Some(f) = e.fairness_move { p.fairness { "Rättvisa: " (labels::fairness(f)) } }
            details {
                summary { "Poängens delar" }
                table.components {
                    thead { tr { th { "Del" } th { "Värde" } th { "Vikt" } th { "Bidrag" } th { "Varför" } } }
                    tbody {
                        @for c in &e.components {
                            tr {
                                td { (c.name.label()) }
                                td { (bar(c.value)) " " (crate::export::decimal(c.value, 2)) }
                                td { (crate::export::decimal(c.weight, 2)) }
                                td { (crate::export::decimal(c.contribution, 3)) }
                                td { (labels::why(c.name, c.why)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The placement kind a proposal for this opening usually is.
pub fn default_kind(employment_type: EmploymentType) -> Kind {
    match employment_type {
        EmploymentType::Praktik => Kind::Praktik,
        EmploymentType::Arbetstraning => Kind::Arbetstraning,
        EmploymentType::Extratjanst => Kind::Extratjanst,
        EmploymentType::Nystartsjobb => Kind::Nystartsjobb,
        EmploymentType::Lonebidrag => Kind::Lonebidrag,
        EmploymentType::Permanent
        | EmploymentType::Temporary
        | EmploymentType::Summer
        | EmploymentType::Seasonal
        | EmploymentType::Hourly => Kind::Employment,
    }
}

pub fn kind_select(selected: Kind) -> Markup {
    html! {
        select name="kind" aria-label="Typ av placering" {
            @for k in Kind::ALL {
                option value=(k.as_str()) selected[*k == selected] { (k.label()) }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct ProposeForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub seeker_id: String,
    #[serde(default)]
    pub opening_id: String,
    #[serde(default)]
    pub kind: String,
    /// The logged list the proposal was made from (oversight counts the rank); empty when
    /// proposed from the profile.
    #[serde(default)]
    pub ranking_log_id: String,
}

impl ProposeForm {
    pub fn placement(&self, opening_id: Option<String>) -> Result<NewPlacement, AppError> {
        let kind = Kind::parse(&self.kind)
            .ok_or_else(|| AppError::field("kind", Fault::Required, "välj en typ av placering"))?;
        let ranking_log_id = Some(self.ranking_log_id.trim().to_string()).filter(|l| !l.is_empty());
        Ok(NewPlacement {
            seeker_id: self.seeker_id.clone(),
            opening_id,
            kind,
            proposed_on: None,
            note: None,
            ranking_log_id,
        })
    }
}

/// Proposes a candidate; a refusal (already proposed, not active) is shown on the page.
pub async fn do_propose(
    state: &web::Data<AppState>,
    staff: &Staff,
    new: NewPlacement,
) -> Result<Result<String, AppError>, WebError> {
    staff.require(&[Role::Broker, Role::Admin])?;
    let (now, today, who) = (state.clock.now_ts(), state.clock.today(), staff.who.clone());
    let result = db::run(&state.pool, move |c| placements::store::propose(c, now, today, &who, new)).await;
    match result {
        Ok(p) => Ok(Ok(p.id)),
        Err(
            e @ (AppError::Conflict { .. }
            | AppError::Validation(_)
            | AppError::NotFound(_)
            | AppError::Unprocessable { .. }),
        ) => Ok(Err(e)),
        Err(e) => Err(e.into()),
    }
}

pub fn refusal(e: &AppError) -> String {
    match e {
        AppError::Validation(errors) => labels::field_problems(errors),
        other => format!("Förslaget gick inte att registrera. {}", labels::app_error(other).1),
    }
}
