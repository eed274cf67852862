//! The monthly report page: each unit against its target (EOR) with the pace, where managers
//! set and correct the targets; the last twelve months as an SVG chart; the month's table per
//! unit and broker; the CSV download; and the people not proposed for 30 days (brokers and
//! admins; managers see the count only).

use actix_web::{HttpResponse, get, http::StatusCode, post, web};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use super::kit::{Flash, flash};
use super::layout;
use super::{Staff, WebError, WebResult, ok, page_response, see_other};
use crate::auth::Role;
use crate::booking::calendar::is_working_day;
use crate::db;
use crate::error::AppError;
use crate::reports::http::{ReportQuery, csv_response, xlsx_response};
use crate::reports::{Figures, Month, TargetInput, last_12_months, monthly, set_target, svg, target_changes};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(page).service(csv).service(xlsx).service(save_target).service(not_proposed);
}

/// Working days from `today` (included) to the end of the month.
fn working_days_left(m: Month, today: chrono::NaiveDate) -> i64 {
    let mut d = today.max(m.first());
    let mut n = 0;
    while d < m.end() {
        if is_working_day(d) {
            n += 1;
        }
        d = d.succ_opt().expect("a next day");
    }
    n
}

/// "7 av 12 (58 %) · 5 kvar", or that no target is set.
fn progress(done: i64, target: Option<i64>) -> String {
    match target {
        Some(t) if t > 0 => {
            let pct = (done as f64 / t as f64 * 100.0).round() as i64;
            let left = (t - done).max(0);
            if left == 0 {
                format!("{done} av {t} ({pct} %) · målet nått")
            } else {
                format!("{done} av {t} ({pct} %) · {left} kvar")
            }
        }
        Some(_) => format!("{done} (målet är 0)"),
        None => format!("{done} · inget mål satt"),
    }
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

#[derive(Deserialize)]
struct PageQuery {
    month: Option<String>,
    unit: Option<String>,
    saved: Option<String>,
}

#[get("/reports/monthly")]
async fn page(state: web::Data<AppState>, staff: Staff, q: web::Query<PageQuery>) -> WebResult {
    staff.require(READERS)?;
    let q = q.into_inner();
    let message = q.saved.as_ref().map(|_| Flash::Done("Målet är sparat.".into()));
    report_page(&state, &staff, ReportQuery { month: q.month, unit: q.unit }, message, StatusCode::OK).await
}

async fn report_page(
    state: &AppState,
    staff: &Staff,
    q: ReportQuery,
    message: Option<Flash>,
    code: StatusCode,
) -> WebResult {
    let m = q.month(state)?;
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let unit = q.unit.clone().filter(|u| !u.is_empty());
    let u = unit.clone();
    let (report, months, all_units, changes) = db::run(&state.pool, move |c| {
        let all_units: Vec<String> = crate::units::list(c)?.into_iter().filter(|u| u.active).map(|u| u.name).collect();
        let changes = target_changes(c, m, u.as_deref())?;
        Ok((monthly(c, m, u.as_deref(), now)?, last_12_months(c, m, u.as_deref(), now)?, all_units, changes))
    })
    .await?;
    let unit = unit.as_deref();
    let running = m.contains(today);
    let days_left = working_days_left(m, today);
    let can_set = matches!(staff.who.role, Role::Manager | Role::Admin) && !staff.csrf.is_empty();
    let can_list = matches!(staff.who.role, Role::Broker | Role::Admin);
    // Every active unit has a card (a target can be set before anything happened), in the
    // report's order, then the rest.
    let mut shown: Vec<(String, Option<&Figures>)> =
        report.units.iter().map(|u| (u.unit.clone(), Some(&u.figures))).collect();
    for name in &all_units {
        if unit.is_none_or(|u| u == name) && !shown.iter().any(|(n, _)| n == name) {
            shown.push((name.clone(), None));
        }
    }
    let card = |name: &str, f: Option<&Figures>| -> Markup {
        let zero = Figures::default();
        let f = f.unwrap_or(&zero);
        let known = all_units.iter().any(|u| u == name);
        html! {
            article.unit-target {
                h3 { (name) }
                p.progress { strong { (progress(f.exits_total, f.target)) }
                    @if running { " · " (days_left) " arbetsdagar kvar" } }
                p.muted { "Hittills i år: " (progress(f.ytd_exits, f.ytd_target)) }
                p { "Ej föreslagna på 30 dagar: "
                    @if can_list && f.not_proposed_30_days > 0 {
                        a href=(format!("/reports/not-proposed?unit={}", super::urlencode(name))) { (f.not_proposed_30_days) }
                    } @else { (f.not_proposed_30_days) } }
                @if can_set && known {
                    form.target method="post" action="/reports/targets" {
                        input type="hidden" name="csrf" value=(staff.csrf);
                        input type="hidden" name="unit" value=(name);
                        input type="hidden" name="month" value=(m.to_string());
                        label { "Mål för " (m) " (avslut till arbete eller studier) "
                            input type="number" name="exits_to_work_or_studies" min="0" max="100000" required value=[f.target]; }
                        label { "Kommentar " input type="text" name="note" maxlength="500"; }
                        button type="submit" { @if f.target.is_some() { "Ändra målet" } @else { "Sätt mål" } }
                    }
                }
            }
        }
    };
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
        (flash(&message))
        h1 { "Månadsrapport " (m) @if let Some(u) = unit { " – " (u) } }
        @if running { p.notice { "Månaden pågår: siffrorna gäller till och med i dag, " (days_left) " arbetsdagar kvar." } }
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
            div.figure { span.big { (opt(t.target)) } " i mål (" abbr title="Extraordinära resultat: det mål enheten satt för avslut till arbete eller studier den här månaden" { "EOR" } ")" }
            div.figure #started { span.big { (sum(&t.placements_started)) } " påbörjade placeringar" }
            div.figure { span.big { (t.ytd_exits) } " hittills i år (mål " (opt(t.ytd_target)) ")" }
        }
        section.targets {
            h2 { "Mål och utfall per enhet" }
            div.unit-targets { @for (name, f) in &shown { (card(name, *f)) } }
        }
        figure.chart {
            // The chart is built from numbers only, by our own code.
            (PreEscaped(svg::chart(&months)))
            figcaption { "Staplar: avslut per månad (grön när målet nåddes). Streckad linje: mål." }
        }
        @let unit_q = unit.map(|u| format!("&unit={}", super::urlencode(u))).unwrap_or_default();
        p { a.button href=(format!("/reports/monthly.xlsx?month={m}{unit_q}")) download { "Ladda ner (Excel)" } " "
            a href=(format!("/reports/monthly.csv?month={m}{unit_q}")) download { "Ladda ner (CSV)" }
            " " a href=(format!("/reports/processes?month={m}{}", unit.map(|u| format!("&unit={}", super::urlencode(u))).unwrap_or_default())) { "Alla processer mot målen" }
            " · " a href="/reports/follow-up" { "Uppföljning efter avslut" } }
        div.scroll tabindex="0" role="region" aria-label="Månadsrapport per enhet" {
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
        @if !changes.is_empty() {
            section.changes {
                h2 { "Ändringar av mål " (m) }
                ul.list { @for ch in &changes {
                    li { (layout::instant(ch.changed_at)) " · " (ch.unit) ": " strong { (ch.exits_to_work_or_studies) } " · " (ch.changed_by)
                        @if let Some(n) = &ch.note { " · " em { (n) } } }
                } }
            }
        }
        p.muted { "Avslut till arbete: avslutade placeringar med utfall anställning, subventionerad anställning eller kommunalt arbetsmarknadsjobb; till studier: utfall studier. Kolada: deltagare vars insats avslutades och som började arbeta minst en månad eller studera med rätt till studiemedel." }
    };
    Ok(page_response(code, layout::page(&format!("Månadsrapport {m}"), &staff.chrome(), body)))
}

#[derive(Deserialize)]
struct TargetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    exits_to_work_or_studies: String,
    #[serde(default)]
    note: String,
}

/// A manager sets or corrects a unit's target; every change is kept with who and when.
#[post("/reports/targets")]
async fn save_target(state: web::Data<AppState>, staff: Staff, form: web::Form<TargetForm>) -> WebResult {
    staff.check(&form.csrf)?;
    staff.require(&[Role::Manager, Role::Admin])?;
    let f = form.into_inner();
    let month = Month::parse(&f.month);
    let value = f.exits_to_work_or_studies.trim().parse::<i64>();
    let back = ReportQuery { month: Some(f.month.clone()), unit: None };
    let (Some(m), Ok(value)) = (month, value) else {
        let text = "Skriv målet som ett heltal, 0 eller mer.".to_string();
        return report_page(&state, &staff, back, Some(Flash::Failed(text)), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let input = TargetInput {
        exits_to_work_or_studies: value,
        note: Some(f.note.trim().to_string()).filter(|n| !n.is_empty()),
    };
    let (by, now, unit) = (staff.who.user_id.clone(), state.clock.now_ts(), f.unit.clone());
    match db::run(&state.pool, move |c| set_target(c, &unit, m, &input, &by, now)).await {
        Ok(()) => Ok(see_other(&format!("/reports/monthly?month={m}&saved=1"))),
        Err(e @ AppError::Validation(_)) => {
            let text = format!("Målet sparades inte. {}", super::labels::app_error(&e).1);
            report_page(&state, &staff, back, Some(Flash::Failed(text)), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct NotProposedQuery {
    unit: Option<String>,
}

/// The people behind "ej föreslagna på 30 dagar": active, and no proposal (or registration)
/// in 30 days; for brokers and admins (a read of names: audited).
#[get("/reports/not-proposed")]
async fn not_proposed(state: web::Data<AppState>, staff: Staff, q: web::Query<NotProposedQuery>) -> WebResult {
    staff.require(&[Role::Broker, Role::Admin])?;
    let (who, action, now) = (staff.who.clone(), staff.action.clone(), state.clock.now_ts());
    let unit = q.unit.clone().filter(|u| !u.is_empty());
    let u = unit.clone();
    let people = db::run(&state.pool, move |c| {
        db::write_tx(c, |c| {
            let people = crate::seekers::store::not_proposed_since(c, u.as_deref(), now - 30 * 86_400)?;
            let ids: Vec<String> = people.iter().map(|s| s.id.clone()).collect();
            crate::privacy::shown(c, &who, &ids, &action, now)?;
            Ok(people)
        })
    })
    .await?;
    let body = html! {
        h1 { "Ej föreslagna på 30 dagar" @if let Some(u) = &unit { " – " (u) } }
        p.muted { (people.len()) " personer, längst väntan först. " a href="/reports/monthly" { "Till månadsrapporten" } }
        ol.list {
            @for s in &people {
                li { a href=(format!("/seekers/{}", s.id)) { (layout::name(&s.first_name, &s.last_name)) }
                     span.muted { " · väntat " (layout::days_ago(s.last_proposed_at.unwrap_or(s.registered_at), now)) } }
            }
        }
    };
    ok(layout::page("Ej föreslagna på 30 dagar", &staff.chrome(), body))
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

#[get("/reports/monthly.xlsx")]
async fn xlsx(state: web::Data<AppState>, staff: Staff, q: web::Query<ReportQuery>) -> Result<HttpResponse, WebError> {
    staff.require(READERS)?;
    let m = q.month(&state)?;
    let now = state.clock.now_ts();
    let unit = q.unit.clone().filter(|u| !u.is_empty());
    let report = db::run(&state.pool, move |c| monthly(c, m, unit.as_deref(), now)).await?;
    Ok(xlsx_response(m, &report)?)
}
