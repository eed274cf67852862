//! `/reports/exposure`: "alla blir synliggjorda", measured — who the ranking could show, who
//! was shown, proposed, or never shown, by unit, broker and waiting time; how brokers use
//! the ranking (human oversight); and, for brokers, the never-shown people to look at.

use actix_web::{get, http::StatusCode, web};
use maud::{Markup, html};

use super::kit::{Flash, flash};
use super::labels::Label;
use super::layout;
use super::{Staff, WebResult, page_response, urlencode};
use crate::accountability::exposure::{Group, Shares, WaitBand};
use crate::accountability::http::{ExposureParams, exposure_report, never_shown_people};
use crate::accountability::oversight::{self, Counts};
use crate::auth::Role;
use crate::db;
use crate::error::AppError;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(page);
}

fn shares_cells(s: &Shares) -> Markup {
    html! {
        td { (s.eligible) }
        td { (layout::percent(s.shown_top_share)) span.muted { " (" (s.shown_top) ")" } }
        td { (layout::percent(s.proposed_share)) span.muted { " (" (s.proposed) ")" } }
        td.never { (layout::percent(s.never_shown_share)) span.muted { " (" (s.never_shown) ")" } }
    }
}

fn shares_table(caption: &str, first: &str, rows: &[(String, &Shares)]) -> Markup {
    html! {
        div.scroll tabindex="0" role="region" aria-label=(caption) {
            table.exposure {
                caption { (caption) }
                thead { tr {
                    th scope="col" { (first) } th scope="col" { "Berättigade" }
                    th scope="col" { "Visade bland de 20 första" } th scope="col" { "Föreslagna" }
                    th scope="col" { "Aldrig visade" }
                } }
                tbody { @for (name, s) in rows { tr { th scope="row" { (name) } (shares_cells(s)) } } }
            }
        }
    }
}

fn counts_table(caption: &str, first: &str, rows: &[(String, &Counts)]) -> Markup {
    html! {
        div.scroll tabindex="0" role="region" aria-label=(caption) {
            table.oversight {
                caption { (caption) }
                thead { tr {
                    th scope="col" { (first) } th scope="col" { "Förslag" }
                    th scope="col" { "Från plats 1–10" } th scope="col" { "Från plats 11–50" }
                    th scope="col" { "Utanför listan" } th scope="col" { "”Passar inte” trots topp 10" }
                } }
                tbody { @for (name, c) in rows { tr {
                    th scope="row" { (name) } td { (c.proposals()) } td { (c.from_top_10) }
                    td { (c.from_11_to_50) } td { (c.outside_list) } td { (c.not_suitable_over_top_10) }
                } } }
            }
        }
    }
}

/// The oversight tables per unit and per broker (also on the processes page).
pub fn oversight_section(o: &oversight::Oversight, names: &std::collections::HashMap<String, String>) -> Markup {
    let unit_rows: Vec<(String, &Counts)> =
        o.by_unit.iter().map(|g| (g.key.clone().unwrap_or_else(|| "Ingen enhet".into()), &g.counts)).collect();
    let broker_rows: Vec<(String, &Counts)> = o
        .by_broker
        .iter()
        .map(|g| {
            let key = g.key.clone().unwrap_or_default();
            (names.get(&key).cloned().unwrap_or(key), &g.counts)
        })
        .collect();
    html! {
        p.muted { "Var förslagen kom ifrån: personens plats i den rankade lista jobbmäklaren tittade på när hen föreslog, eller utanför listan (från sökning eller profil). Om nästan alla förslag kommer från topp 10 styr rankningen i praktiken; det ska synas." }
        (counts_table("Förslag per enhet", "Enhet", &unit_rows))
        (counts_table("Förslag per jobbmäklare", "Jobbmäklare", &broker_rows))
    }
}

#[get("/reports/exposure")]
async fn page(state: web::Data<AppState>, staff: Staff, q: web::Query<ExposureParams>) -> WebResult {
    staff.require(&[Role::Manager, Role::Admin, Role::Broker])?;
    let today = state.clock.today();
    let query = match q.query() {
        Ok(query) => query,
        Err(e) => {
            let body = html! { (flash(&Some(Flash::Failed(super::labels::app_error(&e).1)))) p { a href="/reports/exposure" { "Visa de senaste 30 dagarna" } } };
            return Ok(page_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                layout::page("Synlighet", &staff.chrome(), body),
            ));
        }
    };
    let (st, who, action) = (state.clone(), staff.who.clone(), staff.action.clone());
    let lists_people = matches!(staff.who.role, Role::Broker | Role::Admin);
    let read = db::run(&state.pool, move |c| {
        let (eligible, report) = exposure_report(c, st.lookup(), &query, today)?;
        let mut names = crate::accountability::exposure::broker_names(c, &report.exposure)?;
        let ids: Vec<String> = report.oversight.by_broker.iter().filter_map(|g| g.key.clone()).collect();
        names.extend(crate::audit::user_names(c, &ids)?);
        let units: Vec<String> = crate::units::list(c)?.into_iter().filter(|u| u.active).map(|u| u.name).collect();
        let people =
            if lists_people { Some(never_shown_people(c, (&who, &action), eligible, st.lookup().now)?) } else { None };
        Ok((report, names, units, people))
    })
    .await;
    let (report, names, units, people) = match read {
        Ok(r) => r,
        Err(e @ AppError::Validation(_)) => {
            let body = html! { (flash(&Some(Flash::Failed(super::labels::app_error(&e).1)))) p { a href="/reports/exposure" { "Visa de senaste 30 dagarna" } } };
            return Ok(page_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                layout::page("Synlighet", &staff.chrome(), body),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let e = &report.exposure;
    let last = e.to.pred_opt().unwrap_or(e.to);
    let unit_rows: Vec<(String, &Shares)> =
        e.by_unit.iter().map(|g| (g.key.clone().unwrap_or_else(|| "Ingen enhet".into()), &g.shares)).collect();
    let broker_rows: Vec<(String, &Shares)> = e
        .by_broker
        .iter()
        .map(|g: &Group| match &g.key {
            Some(k) => (names.get(k).cloned().unwrap_or_else(|| k.clone()), &g.shares),
            None => ("Ingen jobbmäklare".into(), &g.shares),
        })
        .collect();
    let wait_rows: Vec<(String, &Shares)> = e
        .by_waiting
        .iter()
        .map(|g| {
            let band = g.key.as_deref().and_then(WaitBand::parse).map(|b| b.label()).unwrap_or("–");
            (band.to_string(), &g.shares)
        })
        .collect();
    let body = html! {
        h1 { "Synlighet: blir alla sedda?" }
        p.lead { "”Det är mer rättvist – alla blir synliggjorda, inte bara de som hörs och syns mest.” Här syns hur många av dem som kunde ha visats i en kandidatlista som faktiskt visades, föreslogs – eller aldrig syntes." }
        form.period method="get" action="/reports/exposure" {
            label { "Från " input type="date" name="from" value=(e.from.to_string()); }
            label { " till " input type="date" name="to" value=(e.to.to_string()) aria-describedby="to-help"; }
            span #to-help .muted { " (dagen efter den sista)" }
            label { " Enhet "
                select name="unit" {
                    option value="" { "Alla enheter" }
                    @for u in &units { option value=(u) selected[Some(u) == e.unit.as_ref()] { (u) } }
                }
            }
            button type="submit" { "Visa" }
        }
        p.muted {
            "Perioden " (e.from) " – " (last) ". Berättigade: aktiva personer som rankningen kunde visa för minst en av de "
            (e.openings) @if e.openings == 1 { " annons som var öppen" } @else { " annonser som var öppna" } " under perioden (dagens profiler). Visad: bland de "
            (e.top) " första i en kandidatlista som en jobbmäklare öppnade (rankningsloggen)."
        }
        (shares_table("Totalt", "Grupp", &[("Alla".to_string(), &e.total)]))
        (shares_table("Per enhet", "Enhet", &unit_rows))
        (shares_table("Per jobbmäklares ärenden", "Jobbmäklare", &broker_rows))
        (shares_table("Efter väntetid sedan inskrivning eller senaste förslag", "Väntat", &wait_rows))
        h2 { "Mänsklig tillsyn" }
        (oversight_section(&report.oversight, &names))
        @if let Some(people) = &people {
            section #never-shown {
                h2 { "Aldrig visade (" (people.len()) ")" }
                @if people.is_empty() { p.muted { "Alla berättigade har visats minst en gång under perioden." } }
                @else {
                    p.muted { "Längst väntan först. Titta på profilen: saknas yrke, kompetenser eller pendlingsavstånd?" }
                    ol.list { @for p in people {
                        li { a href=(format!("/seekers/{}", urlencode(&p.id))) { (layout::name(&p.first_name, &p.last_name)) }
                            span.muted { " · väntat " (layout::days_ago(p.waiting_since, state.clock.now_ts()))
                                @if let Some(u) = &p.unit { " · " (u) } } }
                    } }
                }
            }
        }
    };
    Ok(page_response(StatusCode::OK, layout::page("Synlighet", &staff.chrome(), body)))
}
