//! Requests for review from Mina sidor, for the unit's manager: the list (`/reviews`), and
//! one request with the person's text and the answer form (`/reviews/{id}`; the person's
//! record is read through the gate, audited). The answer is shown to the person at once.

use actix_web::{get, http::StatusCode, post, web};
use maud::html;
use serde::Deserialize;

use super::labels::Label;
use super::layout::{self, instant, name};
use super::{Staff, WebResult, ok, page_response, see_other, urlencode};
use crate::auth::Role;
use crate::error::AppError;
use crate::mina_sidor::{AnswerInput, service};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(show).service(answer);
}

const MANAGERS: &[Role] = &[Role::Manager, Role::Admin];

#[derive(Deserialize)]
struct ListQuery {
    alla: Option<String>,
}

#[get("/reviews")]
async fn list(state: web::Data<AppState>, staff: Staff, q: web::Query<ListQuery>) -> WebResult {
    staff.require(MANAGERS)?;
    let open = q.alla.is_none();
    let (items, total) = service::list_reviews(&state.pool, open, (200, 0)).await?;
    let today = state.clock.today().to_string();
    let body = html! {
        h1 { "Begäranden om omprövning" }
        p { @if open { (total) " obesvarade · " a href="/reviews?alla=1" { "Visa alla" } } @else { (total) " i allt · " a href="/reviews" { "Bara obesvarade" } } }
        @if items.is_empty() { p { "Inga begäranden." } }
        @else {
            table {
                thead { tr { th scope="col" { "Inkom" } th scope="col" { "Gäller" } th scope="col" { "Enhet" } th scope="col" { "Svar senast" } th scope="col" { "Läge" } } }
                tbody {
                    @for r in &items {
                        tr {
                            td { a href=(format!("/reviews/{}", urlencode(&r.id))) { (instant(r.created_at)) } }
                            td { (r.about.label()) }
                            td { (r.unit.as_deref().unwrap_or("–")) }
                            td { (r.due_on) @if r.answered_at.is_none() && r.due_on.to_string() < today { " " strong { "(försenad)" } } }
                            td { @if r.answered_at.is_some() { "besvarad" } @else { "obesvarad" } }
                        }
                    }
                }
            }
        }
    };
    ok(layout::page("Omprövning", &staff.chrome(), body))
}

#[get("/reviews/{id}")]
async fn show(state: web::Data<AppState>, staff: Staff, id: web::Path<String>) -> WebResult {
    staff.require(MANAGERS)?;
    let (r, seeker) = service::review(&state.pool, &staff.reader(&state.clock), &id).await?;
    let body = html! {
        h1 { "Begäran om omprövning" }
        p { a href=(format!("/seekers/{}", urlencode(&seeker.id))) { (name(&seeker.first_name, &seeker.last_name)) } " · " (r.unit.as_deref().unwrap_or("ingen enhet")) }
        dl.facts {
            dt { "Gäller" } dd { (r.about.label()) @if let Some(x) = &r.ref_id { " (" (x) ")" } }
            dt { "Inkom" } dd { (instant(r.created_at)) }
            dt { "Svar senast" } dd { (r.due_on) }
        }
        h2 { "Personen skriver" }
        blockquote { (r.text.as_deref().unwrap_or("–")) }
        @if let (Some(a), Some(at)) = (&r.answer, r.answered_at) {
            h2 { "Ert svar (" (instant(at)) ")" }
            blockquote { (a) }
        }
        form.stack method="post" action=(format!("/reviews/{}", urlencode(&r.id))) {
            input type="hidden" name="csrf" value=(staff.csrf);
            label for="answer" { @if r.answer.is_some() { "Ändra svaret" } @else { "Svar till personen (visas på Mina sidor)" } }
            textarea id="answer" name="answer" rows="6" required minlength="3" maxlength="4000" {}
            button type="submit" { "Skicka svaret" }
        }
        p { a href="/reviews" { "Alla begäranden" } }
    };
    ok(layout::page("Omprövning", &staff.chrome(), body))
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    answer: String,
}

#[post("/reviews/{id}")]
async fn answer(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    f: web::Form<AnswerForm>,
) -> WebResult {
    staff.check(&f.csrf)?;
    staff.require(MANAGERS)?;
    let input = AnswerInput { answer: f.answer.clone() };
    match service::answer_review(&state.pool, &staff.reader(&state.clock), &id, input).await {
        Ok(_) => Ok(see_other(&format!("/reviews/{}", urlencode(&id)))),
        Err(e @ AppError::Validation(_)) => {
            let (title, message) = super::labels::app_error(&e);
            let body = html! { section.notice.error { h1 { (title) } p { (message) } p { a href=(format!("/reviews/{}", urlencode(&id))) { "Tillbaka" } } } };
            Ok(page_response(StatusCode::UNPROCESSABLE_ENTITY, layout::page("Omprövning", &staff.chrome(), body)))
        }
        Err(e) => Err(e.into()),
    }
}
