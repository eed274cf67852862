//! `/reports/processes`: every process of each unit against its monthly target, with the pace
//! so far, where managers set the targets; fairness over waiting time.
//! `/reports/follow-up`: whether people who left for work or studies came back, per exit
//! month, for the political board (table, chart, CSV).

use actix_web::{HttpResponse, get, http::StatusCode, post, web};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use super::kit::{Flash, flash};
use super::labels::Label;
use super::layout;
use super::{Staff, WebError, WebResult, page_response, see_other, urlencode};
use crate::auth::Role;
use crate::clock::Month;
use crate::db;
use crate::error::AppError;
use crate::followup::http::{FollowUpQuery, csv_response, load, xlsx_response};
use crate::followup::{HORIZONS, svg};
use crate::processes::{
    Measure, MeasureFigure, Pace, ProcessTargetInput, processes, set_process_target, target_changes,
};
use crate::reports::http::ReportQuery;
use crate::signals::reason::figure;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(page).service(save_target).service(follow_up_page).service(follow_up_csv).service(follow_up_xlsx);
}

const READERS: &[Role] = &[Role::Manager, Role::Admin, Role::Broker];

/// A rate's target is typed in per cent on the page and stored as a share.
fn in_percent(m: Measure) -> bool {
    m.is_share()
}

fn unit_query(unit: Option<&str>) -> String {
    unit.map(|u| format!("&unit={}", urlencode(u))).unwrap_or_default()
}

#[derive(Deserialize)]
struct PageQuery {
    month: Option<String>,
    unit: Option<String>,
    saved: Option<String>,
}

#[get("/reports/processes")]
async fn page(state: web::Data<AppState>, staff: Staff, q: web::Query<PageQuery>) -> WebResult {
    staff.require(READERS)?;
    let q = q.into_inner();
    let message = q.saved.as_ref().map(|_| Flash::Done("Målet är sparat.".into()));
    processes_page(&state, &staff, ReportQuery { month: q.month, unit: q.unit }, message, StatusCode::OK).await
}

async fn processes_page(
    state: &AppState,
    staff: &Staff,
    q: ReportQuery,
    message: Option<Flash>,
    code: StatusCode,
) -> WebResult {
    let m = q.month(state)?;
    let (now, tol) = (state.clock.now_ts(), state.settings.signals.pace_tolerance);
    let clock = state.settings.signals.decisions.clock;
    let unit = q.unit.clone().filter(|u| !u.is_empty());
    let u = unit.clone();
    let (report, changes, all_units, oversight) = db::run(&state.pool, move |c| {
        let all: Vec<String> = crate::units::list(c)?.into_iter().filter(|u| u.active).map(|u| u.name).collect();
        let period = crate::accountability::exposure::Period { from: m.first(), to: m.end() };
        let oversight = crate::accountability::oversight::figures(c, period, u.as_deref())?;
        let ids: Vec<String> = oversight.by_broker.iter().filter_map(|g| g.key.clone()).collect();
        let names = crate::audit::user_names(c, &ids)?;
        let month = (crate::clock::start_of_day_ts(m.first()), crate::clock::start_of_day_ts(m.end()));
        let no_shows = crate::booking::report::no_shows(c, month, u.as_deref())?;
        Ok((
            processes(c, m, u.as_deref(), now, (tol, clock))?,
            target_changes(c, m, u.as_deref())?,
            all,
            (oversight, names, no_shows),
        ))
    })
    .await?;
    let can_set = matches!(staff.who.role, Role::Manager | Role::Admin) && !staff.csrf.is_empty();
    let row = |unit: &str, f: &MeasureFigure| -> Markup {
        let shown = |v: Option<f64>| v.map(|v| figure(f.measure, v)).unwrap_or_else(|| "–".into());
        let target_value = f.target.map(|t| if in_percent(f.measure) { (t * 100.0).round() } else { t });
        html! {
            tr class=(format!("measure {}", f.measure)) {
                th scope="row" { (f.measure.label()) span.muted { @if f.higher_is_better { " (högre är bättre)" } @else { " (lägre är bättre)" } } }
                td.value { (shown(f.value)) }
                td { (shown(f.target)) }
                td { (shown(f.expected_by_now)) }
                td class=(format!("pace {}", f.pace)) {
                    @if f.pace == Pace::Behind {
                        a href=(format!("/signals/people?unit={}&measure={}", urlencode(unit), f.measure)) { (f.pace.label()) }
                    } @else { (f.pace.label()) }
                }
                @if can_set && all_units.iter().any(|u| u == unit) {
                    td {
                        form.target method="post" action="/reports/processes/targets" {
                            input type="hidden" name="csrf" value=(staff.csrf);
                            input type="hidden" name="unit" value=(unit);
                            input type="hidden" name="month" value=(m.to_string());
                            input type="hidden" name="measure" value=(f.measure.as_str());
                            label { span.visually-hidden { "Mål för " (f.measure.label()) }
                                input type="number" name="target" min="0" step="any" required value=[target_value]
                                    aria-label=(format!("Mål för {}{}", f.measure.label(), if in_percent(f.measure) { " i procent" } else { "" }));
                                @if in_percent(f.measure) { " %" } }
                            button type="submit" { "Spara" }
                        }
                    }
                }
            }
        }
    };
    let body = html! {
        (flash(&message))
        h1 { "Processer " (m) @if let Some(u) = &unit { " – " (u) } }
        p.muted { "Arbetsdagar: " (report.working_days_elapsed) " av " (report.working_days_in_month)
            ". Antal (avslut, förslag) jämförs med målet fördelat på arbetsdagarna hittills; övriga mått med målet självt. Mer än "
            (format!("{:.0}", tol * 100.0)) " % sämre är ”efter”, mer än så bättre är ”före”." }
        nav.months {
            a href=(format!("/reports/processes?month={}{}", m.previous(), unit_query(unit.as_deref()))) { "← " (m.previous()) }
            form method="get" action="/reports/processes" {
                input type="month" name="month" value=(m.to_string()) aria-label="Månad";
                select name="unit" aria-label="Enhet" {
                    option value="" { "Alla enheter" }
                    @for u in &all_units { option value=(u) selected[Some(u) == unit.as_ref()] { (u) } }
                }
                button type="submit" { "Visa" }
            }
            a href=(format!("/reports/processes?month={}{}", Month::of(m.end()), unit_query(unit.as_deref()))) { (Month::of(m.end())) " →" }
        }
        p { a href=(format!("/reports/monthly?month={m}{}", unit_query(unit.as_deref()))) { "Månadsrapporten" } " · " a href="/reports/follow-up" { "Uppföljning efter avslut" } " · " a href="/signals" { "Signaler" } }
        @for u in &report.units {
            section.process id=(format!("unit-{}", urlencode(&u.unit))) {
                h2 { (u.unit) }
                div.scroll tabindex="0" role="region" aria-label=(format!("Processer mot målen, {}", u.unit)) {
                    table.processes {
                        thead { tr {
                            th scope="col" { "Process" } th scope="col" { "Utfall" } th scope="col" { "Mål" }
                            th scope="col" { "Målet hittills" } th scope="col" { "Takt" }
                            @if can_set { th scope="col" { "Nytt mål" } }
                        } }
                        tbody { @for f in &u.measures { (row(&u.unit, f)) } }
                    }
                }
                p.muted.fairness {
                    "Rättvisa: " (u.fairness.proposals) " förslag i månaden, varav " (u.fairness.proposals_waited_over_90_days)
                    " till personer som väntat mer än 90 dagar"
                    @if let Some(s) = u.fairness.share_waited_over_90_days { " (" (layout::percent(s)) ")" }
                    ". " (u.fairness.active_never_proposed) " aktiva har aldrig blivit föreslagna. "
                    (u.contacted_14_days) " av " (u.active_seekers) " aktiva har haft kontakt de senaste 14 dagarna."
                }
            }
        }
        section #oversight {
            h2 { "Mänsklig tillsyn av rankningen " (m) }
            (super::exposure::oversight_section(&oversight.0, &oversight.1))
            p { a href=(format!("/reports/exposure?from={}&to={}{}", m.first(), m.end(), unit_query(unit.as_deref()))) { "Synlighet: vilka visas, föreslås och syns aldrig" } }
        }
        section #no-shows {
            h2 { "Uteblivna möten " (m) }
            (no_show_table(&oversight.2))
        }
        @if !changes.is_empty() {
            section.changes {
                h2 { "Ändringar av mål " (m) }
                ul.list { @for ch in &changes {
                    li { (layout::instant(ch.changed_at)) " · " (ch.unit) " · " (ch.measure.label()) ": " strong { (figure(ch.measure, ch.target)) } " · " (ch.changed_by)
                        @if let Some(n) = &ch.note { " · " em { (n) } } }
                } }
            }
        }
    };
    Ok(page_response(code, layout::page(&format!("Processer {m}"), &staff.chrome(), body)))
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
    measure: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    note: String,
}

#[post("/reports/processes/targets")]
async fn save_target(state: web::Data<AppState>, staff: Staff, form: web::Form<TargetForm>) -> WebResult {
    staff.check(&form.csrf)?;
    staff.require(&[Role::Manager, Role::Admin])?;
    let f = form.into_inner();
    let back = ReportQuery { month: Some(f.month.clone()), unit: None };
    let parsed = (
        Month::parse(&f.month),
        Measure::parse(&f.measure),
        f.target.trim().replace(',', ".").parse::<f64>().ok().filter(|v| v.is_finite()),
    );
    let (Some(m), Some(measure), Some(value)) = parsed else {
        let text = "Skriv målet som ett tal, 0 eller mer.".to_string();
        return processes_page(&state, &staff, back, Some(Flash::Failed(text)), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let target = if in_percent(measure) { value / 100.0 } else { value };
    let input = ProcessTargetInput { target, note: Some(f.note.trim().to_string()).filter(|n| !n.is_empty()) };
    let (by, now, unit) = (staff.who.user_id.clone(), state.clock.now_ts(), f.unit.clone());
    match db::run(&state.pool, move |c| set_process_target(c, &unit, m, measure, &input, &by, now)).await {
        Ok(()) => Ok(see_other(&format!("/reports/processes?month={m}&unit={}&saved=1", urlencode(&f.unit)))),
        Err(e @ AppError::Validation(_)) => {
            let text = format!("Målet sparades inte. {}", super::labels::app_error(&e).1);
            processes_page(&state, &staff, back, Some(Flash::Failed(text)), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[get("/reports/follow-up")]
async fn follow_up_page(state: web::Data<AppState>, staff: Staff, q: web::Query<FollowUpQuery>) -> WebResult {
    staff.require(crate::followup::http::READERS)?;
    let f = load(&state, &staff.who, &q).await?;
    let all_units = db::run(&state.pool, crate::units::list).await?;
    let year = f.total.exit_month.clone();
    let share = |s: Option<f64>| s.map(layout::percent).unwrap_or_else(|| "–".into());
    let row = |c: &crate::followup::Cohort, class: &str| {
        html! {
            tr class=(class) {
                th scope="row" { (c.exit_month) }
                td { (c.exits) }
                @for h in &c.horizons {
                    td { (h.returned) } td { (h.not_returned) } td { (h.still_to_follow) }
                    td.share { (share(h.share_not_returned)) @if !h.complete && h.share_not_returned.is_some() { span.muted { " prel." } } }
                }
            }
        }
    };
    let csv_link = format!(
        "/reports/follow-up.csv?{}{}",
        q.exit_month
            .as_ref()
            .map(|m| format!("exit_month={}", urlencode(m)))
            .unwrap_or_else(|| format!("year={}", urlencode(q.year.as_deref().unwrap_or(&year)))),
        unit_query(f.unit.as_deref())
    );
    let body = html! {
        h1 { "Uppföljning efter avslut" @if let Some(u) = &f.unit { " – " (u) } }
        p { "Av dem som gick till arbete eller studier: hur många som inte sökt försörjningsstöd igen efter 3, 6 och 12 månader." }
        form method="get" action="/reports/follow-up" {
            label { "År " input type="number" name="year" min="2000" max="2100" value=(q.year.clone().unwrap_or_else(|| year.clone())); }
            select name="unit" aria-label="Enhet" {
                option value="" { "Alla enheter" }
                @for u in &all_units { option value=(u.name) selected[Some(&u.name) == f.unit.as_ref()] { (u.name) } }
            }
            button type="submit" { "Visa" }
        }
        section.cards {
            @let h12 = f.total.horizon(12);
            div.figure #share-12 { span.big { (share(h12.share_not_returned)) } " hade inte återkommit efter 12 månader" @if !h12.complete { " (preliminärt)" } }
            div.figure { span.big { (f.total.exits) } " avslut" }
        }
        figure.chart {
            (PreEscaped(svg::chart(&f.cohorts)))
            figcaption { "Staplar per avslutsmånad: andel som inte återkommit efter 3, 6 och 12 månader (ljus till mörk)." }
        }
        p { a.button href=(csv_link.replacen(".csv?", ".xlsx?", 1)) download { "Ladda ner (Excel)" } " "
            a href=(csv_link) download { "Ladda ner (CSV)" } }
        div.scroll tabindex="0" role="region" aria-label="Uppföljning per avslutsmånad" {
            table.follow-up {
                thead {
                    tr { th scope="col" rowspan="2" { "Avslutsmånad" } th scope="col" rowspan="2" { "Avslut" }
                        @for h in HORIZONS { th scope="colgroup" colspan="4" { (h) " månader" } } }
                    tr { @for _ in HORIZONS { th scope="col" { "Återkom" } th scope="col" { "Ej återkommit" } th scope="col" { "Följs ännu" } th scope="col" { "Andel ej återkommit" } } }
                }
                tbody {
                    @for c in &f.cohorts { (row(c, "cohort")) }
                    (row(&f.total, "total"))
                }
            }
        }
        p.muted { "Avslut: en avslutad placering med utfall anställning, subventionerad anställning, kommunalt arbetsmarknadsjobb eller studier, en gång per person och månad. Återkommit: ansökt om stöd igen (ansökan med samma person eller personnummer) eller skrivits in igen av personalen, en senare dag än avslutet och senast samma datum 3, 6 eller 12 månader senare. Andelen räknas på dem vars tid har gått ut eller som återkommit; så länge någon följs ännu är den preliminär." }
    };
    Ok(page_response(StatusCode::OK, layout::page("Uppföljning efter avslut", &staff.chrome(), body)))
}

#[get("/reports/follow-up.csv")]
async fn follow_up_csv(
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<FollowUpQuery>,
) -> Result<HttpResponse, WebError> {
    let f = load(&state, &staff.who, &q).await?;
    Ok(csv_response(&f))
}

#[get("/reports/follow-up.xlsx")]
async fn follow_up_xlsx(
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<FollowUpQuery>,
) -> Result<HttpResponse, WebError> {
    let f = load(&state, &staff.who, &q).await?;
    Ok(xlsx_response(&f)?)
}

/// Meetings marked held or missed, per unit and officer, with the share missed.
pub fn no_show_table(n: &crate::booking::report::NoShows) -> Markup {
    let share = |f: &crate::booking::report::NoShowFigure| f.rate.map(layout::percent).unwrap_or_else(|| "–".into());
    html! {
        @if n.by_unit.is_empty() { p.muted { "Inga möten markerade som genomförda eller uteblivna." } }
        @else {
            div.table-wrap tabindex="0" role="region" aria-label="Uteblivna möten per enhet och arbetsmarknadssekreterare" {
                table.no-shows {
                    thead { tr { th scope="col" { "Enhet / arbetsmarknadssekreterare" } th scope="col" { "Genomförda" } th scope="col" { "Uteblev" } th scope="col" { "Andel uteblivna" } } }
                    tbody {
                        @for u in &n.by_unit {
                            tr.unit { th scope="row" { (u.name) } td { (u.held) } td { (u.no_show) } td { (share(u)) } }
                            @for o in n.by_officer.iter().filter(|o| o.unit == u.unit) {
                                tr.officer { th scope="row" { "– " (o.name) } td { (o.held) } td { (o.no_show) } td { (share(o)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}
