use actix_web::{HttpRequest, HttpResponse, get, http::header, put, web};
use serde::Deserialize;

use super::{Month, TargetInput, last_12_months, monthly, set_target, svg, to_csv};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::http::Json;
use crate::startup::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(put_target).service(report_csv).service(report_json).service(report_page).service(deliveries);
}

const READERS: &[Role] = &[Role::Manager, Role::Admin, Role::Broker];

fn month(s: &str, field: &str) -> AppResult<Month> {
    Month::parse(s).ok_or_else(|| AppError::field(field, "must be a month, YYYY-MM"))
}

#[put("/api/v1/targets/{unit}/{month}")]
async fn put_target(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(String, String)>,
    body: Json<TargetInput>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Manager, Role::Admin])?;
    let (unit, m) = path.into_inner();
    let m = month(&m, "month")?;
    let now = state.clock.now_ts();
    let input = body.0;
    let (u, by) = (unit.clone(), who.user_id.clone());
    let value = input.exits_to_work_or_studies;
    let note = input.note.clone();
    db::run(&state.pool, move |c| set_target(c, &u, m, &input, &by, now)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "unit": unit, "month": m.to_string(), "exits_to_work_or_studies": value, "note": note,
    })))
}

#[derive(Deserialize)]
struct ReportQuery {
    month: Option<String>,
    unit: Option<String>,
}

impl ReportQuery {
    fn month(&self, state: &AppState) -> AppResult<Month> {
        match &self.month {
            Some(m) => month(m, "month"),
            None => Ok(Month::of(state.clock.today())),
        }
    }
}

async fn report(state: &AppState, who: &Principal, q: &ReportQuery) -> AppResult<(Month, super::Report)> {
    who.require(READERS)?;
    let m = q.month(state)?;
    let now = state.clock.now_ts();
    let unit = q.unit.clone();
    Ok((m, db::run(&state.pool, move |c| monthly(c, m, unit.as_deref(), now)).await?))
}

fn csv_response(m: Month, report: &super::Report) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"platsa-{m}.csv\"")))
        .body(to_csv(report))
}

/// JSON by default; CSV with `Accept: text/csv` (the same figures).
#[get("/api/v1/reports/monthly")]
async fn report_json(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    q: web::Query<ReportQuery>,
) -> AppResult<HttpResponse> {
    let (m, report) = report(&state, &who, &q).await?;
    let wants_csv =
        req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/csv"));
    Ok(if wants_csv { csv_response(m, &report) } else { HttpResponse::Ok().json(report) })
}

/// The same as CSV, for a download link.
#[get("/api/v1/reports/monthly.csv")]
async fn report_csv(state: web::Data<AppState>, who: Principal, q: web::Query<ReportQuery>) -> AppResult<HttpResponse> {
    let (m, report) = report(&state, &who, &q).await?;
    Ok(csv_response(m, &report))
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn opt(v: Option<i64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_else(|| "–".into())
}

/// The report as a page: the chart of the last 12 months against target, and the table.
pub fn page(report: &super::Report, chart: &str, unit: Option<&str>) -> String {
    let mut rows = String::new();
    let mut row = |name: &str, class: &str, f: &super::Figures| {
        rows.push_str(&format!(
            "<tr class=\"{class}\"><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}/{}</td><td>{}</td><td>{}</td></tr>",
            escape(name),
            f.exits_to_work,
            f.exits_to_studies,
            f.exits_total,
            opt(f.target),
            f.ytd_exits,
            opt(f.ytd_target),
            f.kolada.started_work_or_studies,
            f.kolada.participants_ended,
            f.median_days_to_first_placement.map(|d| format!("{d:.0}")).unwrap_or_else(|| "–".into()),
            f.not_proposed_30_days,
        ));
    };
    for u in &report.units {
        row(&u.unit, "unit", &u.figures);
        for b in &u.brokers {
            row(&format!("  {}", b.broker_name), "broker", &b.figures);
        }
    }
    row("Totalt", "total", &report.totals);
    let csv_link = format!(
        "/api/v1/reports/monthly.csv?month={}{}",
        report.month,
        unit.map(|u| format!("&unit={}", escape(u))).unwrap_or_default()
    );
    format!(
        r#"<!doctype html><html lang="sv"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Månadsrapport {month} – Platsa</title>
<style>body{{font-family:system-ui,sans-serif;margin:1.5rem;max-width:64rem}}table{{border-collapse:collapse;width:100%}}th,td{{padding:.3rem .5rem;border-bottom:1px solid #ddd;text-align:right}}th[scope=row]{{text-align:left}}tr.total{{font-weight:bold}}tr.broker th{{padding-left:1.5rem;font-weight:normal}}svg{{max-width:100%;height:auto}}</style></head>
<body><h1>Månadsrapport {month}</h1><p>Avslut till arbete eller studier mot månadens mål (EOR). Staplar: avslut; streckad linje: mål.</p>
<figure>{chart}</figure>
<p><a href="{csv}" download>Ladda ner som CSV</a></p>
<table><thead><tr><th scope="col">Enhet / jobbmäklare</th><th scope="col">Till arbete</th><th scope="col">Till studier</th><th scope="col">Totalt</th><th scope="col">Mål</th><th scope="col">Hittills i år</th><th scope="col">Årets mål</th><th scope="col">Kolada (började arbeta/studera av avslutade)</th><th scope="col">Mediandagar till första placering</th><th scope="col">Ej föreslagna på 30 dagar</th></tr></thead><tbody>{rows}</tbody></table></body></html>"#,
        month = escape(&report.month),
        chart = chart,
        csv = csv_link,
        rows = rows,
    )
}

#[get("/reports/monthly")]
async fn report_page(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<ReportQuery>,
) -> AppResult<HttpResponse> {
    who.require(READERS)?;
    let m = q.month(&state)?;
    let now = state.clock.now_ts();
    let unit = q.unit.clone();
    let (report, months) = db::run(&state.pool, move |c| {
        Ok((monthly(c, m, unit.as_deref(), now)?, last_12_months(c, m, unit.as_deref(), now)?))
    })
    .await?;
    let html = page(&report, &svg::chart(&months), q.unit.as_deref());
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(html))
}

#[derive(Deserialize)]
struct DeliveryQuery {
    month: Option<String>,
}

/// The record of every push of the figures.
#[get("/api/v1/reports/deliveries")]
async fn deliveries(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<DeliveryQuery>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Manager, Role::Admin])?;
    if let Some(m) = &q.month {
        month(m, "month")?;
    }
    let items = super::push::list(&state.pool, q.month.clone()).await?;
    let total = items.len() as i64;
    Ok(HttpResponse::Ok().json(crate::http::Page::new(items, total, total.max(1), 0)))
}
