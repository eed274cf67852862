//! The monthly report page: the last twelve months against target as an SVG chart, the
//! month's table per unit and broker, and the CSV download.

use actix_web::{HttpResponse, get, web};
use maud::{PreEscaped, html};

use super::layout;
use super::{Staff, WebError, WebResult, ok};
use crate::db;
use crate::reports::http::{ReportQuery, csv_response};
use crate::reports::{Figures, Month, last_12_months, monthly, svg};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(page).service(csv);
}

const READERS: &[crate::auth::Role] =
    &[crate::auth::Role::Manager, crate::auth::Role::Admin, crate::auth::Role::Broker];

fn opt(v: Option<i64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_else(|| "–".into())
}

fn sum(by_kind: &std::collections::BTreeMap<crate::placements::Kind, i64>) -> i64 {
    by_kind.values().sum()
}

fn link(m: Month, unit: Option<&str>) -> String {
    format!("/reports/monthly?month={m}{}", unit.map(|u| format!("&unit={}", super::urlencode(u))).unwrap_or_default())
}

#[get("/reports/monthly")]
async fn page(state: web::Data<AppState>, staff: Staff, q: web::Query<ReportQuery>) -> WebResult {
    staff.require(READERS)?;
    let m = q.month(&state)?;
    let now = state.clock.now_ts();
    let unit = q.unit.clone().filter(|u| !u.is_empty());
    let u = unit.clone();
    let (report, months, all_units) = db::run(&state.pool, move |c| {
        let all_units: Vec<String> = monthly(c, m, None, now)?.units.into_iter().map(|u| u.unit).collect();
        Ok((monthly(c, m, u.as_deref(), now)?, last_12_months(c, m, u.as_deref(), now)?, all_units))
    })
    .await?;
    let unit = unit.as_deref();
    let row = |name: &str, class: &str, f: &Figures| {
        html! {
            tr class=(class) {
                th scope="row" { (name) }
                td { (f.exits_to_work) } td { (f.exits_to_studies) } td.total { (f.exits_total) } td { (opt(f.target)) }
                td { (f.ytd_exits) } td { (opt(f.ytd_target)) }
                td { (sum(&f.placements_started)) } td { (sum(&f.placements_ended)) }
                td { (f.kolada.started_work_or_studies) "/" (f.kolada.participants_ended)
                     @if let Some(s) = f.kolada.share { " (" (layout::percent(s)) ")" } }
                td { (f.median_days_to_first_placement.map(|d| format!("{d:.0}")).unwrap_or_else(|| "–".into())) }
                td { (f.share_met_next_working_day.map(layout::percent).unwrap_or_else(|| "–".into())) }
                td { (f.not_proposed_30_days) }
            }
        }
    };
    let t = &report.totals;
    let body = html! {
        h1 { "Månadsrapport " (m) @if let Some(u) = unit { " – " (u) } }
        nav.months {
            a href=(link(m.previous(), unit)) { "← " (m.previous()) }
            form method="get" action="/reports/monthly" {
                input type="month" name="month" value=(m.to_string()) aria-label="Månad";
                select name="unit" aria-label="Enhet" {
                    option value="" { "Alla enheter" }
                    @for u in &all_units { option value=(u) selected[Some(u.as_str()) == unit] { (u) } }
                }
                button type="submit" { "Visa" }
            }
            a href=(link(Month::of(m.end()), unit)) { (Month::of(m.end())) " →" }
        }
        section.cards {
            div.figure #exits { span.big { (t.exits_total) } " avslut till arbete eller studier" }
            div.figure { span.big { (opt(t.target)) } " i mål (EOR)" }
            div.figure #started { span.big { (sum(&t.placements_started)) } " påbörjade placeringar" }
            div.figure { span.big { (t.ytd_exits) } " hittills i år (mål " (opt(t.ytd_target)) ")" }
        }
        figure.chart {
            // The chart is built from numbers only, by our own code.
            (PreEscaped(svg::chart(&months)))
            figcaption { "Staplar: avslut per månad (grön när målet nåddes). Streckad linje: mål." }
        }
        p { a.button href=(format!("/reports/monthly.csv?month={m}{}", unit.map(|u| format!("&unit={}", super::urlencode(u))).unwrap_or_default())) download { "Ladda ner som CSV" } }
        div.scroll {
            table.report {
                thead { tr {
                    th scope="col" { "Enhet / jobbmäklare" } th scope="col" { "Till arbete" } th scope="col" { "Till studier" }
                    th scope="col" { "Totalt" } th scope="col" { "Mål" } th scope="col" { "Hittills i år" } th scope="col" { "Årets mål" }
                    th scope="col" { "Påbörjade" } th scope="col" { "Avslutade" }
                    th scope="col" { "Kolada: började arbeta/studera av avslutade" }
                    th scope="col" { "Mediandagar till första placering" } th scope="col" { "Möte nästa arbetsdag" }
                    th scope="col" { "Ej föreslagna på 30 dagar" }
                } }
                tbody {
                    @for u in &report.units {
                        (row(&u.unit, "unit", &u.figures))
                        @for b in &u.brokers { (row(&b.broker_name, "broker", &b.figures)) }
                    }
                    (row("Totalt", "total", t))
                }
            }
        }
        p.muted { "Avslut till arbete: avslutade placeringar med utfall anställning, subventionerad anställning eller kommunalt arbetsmarknadsjobb; till studier: utfall studier. Kolada: deltagare vars insats avslutades och som började arbeta minst en månad eller studera med rätt till studiemedel." }
    };
    ok(layout::page(&format!("Månadsrapport {m}"), &staff.chrome(), body))
}

#[get("/reports/monthly.csv")]
async fn csv(state: web::Data<AppState>, staff: Staff, q: web::Query<ReportQuery>) -> Result<HttpResponse, WebError> {
    staff.require(READERS)?;
    let m = q.month(&state)?;
    let now = state.clock.now_ts();
    let unit = q.unit.clone().filter(|u| !u.is_empty());
    let report = db::run(&state.pool, move |c| monthly(c, m, unit.as_deref(), now)).await?;
    Ok(csv_response(m, &report))
}
