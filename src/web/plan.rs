//! The person's labour-market plan: the plan with its activities, this month's attendance and
//! the declined offers, the forms to change them, and a printable plan for the person. Every
//! read goes through `plan::service` (the privacy gate, audited).

use actix_web::{get, post, web};
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;

use super::kit::{Flash, flash};
use super::labels::Label;
use super::layout::{self, date, name, occupation};
use super::session::Staff;
use super::{WebResult, see_other};
use crate::auth::Role;
use crate::clock::Month;
use crate::db;
use crate::error::{AppError, Fault};
use crate::plan::service::{self, Overview};
use crate::plan::status::PlanStatus;
use crate::plan::{
    Activity, ActivityInput, ActivityKind, AgreedHow, Attendance, DeclineInput, DeclineWhat, Goal, PlanInput,
};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show)
        .service(print)
        .service(save_plan)
        .service(add_activity)
        .service(end_activity)
        .service(remove_activity)
        .service(add_decline);
}

/// Hours as Swedes write them: a decimal comma, no trailing zeros.
pub fn hours(h: f64) -> String {
    let text = format!("{:.2}", h);
    text.trim_end_matches('0').trim_end_matches('.').replace('.', ",")
}

/// This month's figures, as on the profile and the plan page.
pub fn status_markup(s: &PlanStatus) -> Markup {
    html! {
        dl.facts.plan-status {
            dt { "Aktiv planering" } dd { @if s.has_active_plan { "Ja" } @else { "Nej" } }
            dt { "Planerade timmar" } dd { (hours(s.planned_hours)) }
            dt { "Närvaro" } dd { (hours(s.attended_hours)) " tim" }
            dt { "Giltig frånvaro" } dd { (hours(s.absent_valid_hours)) " tim" }
            dt { "Ogiltig frånvaro" } dd { (hours(s.absent_invalid_hours)) " tim" }
            dt { "Nej utan godtagbart skäl" } dd { (s.unjustified_declines) }
            dt { "Senaste kontakt" } dd { (s.last_contact_on.as_ref().map(|d| date(d.as_str())).unwrap_or_else(|| "–".into())) }
        }
    }
}

/// The recorded days of a month, by date.
pub fn attendance_list(days: &[Attendance], activities: &[Activity]) -> Markup {
    let titles: std::collections::HashMap<&str, &str> =
        activities.iter().map(|a| (a.id.as_str(), a.fields.title.as_str())).collect();
    html! {
        @if days.is_empty() { p.muted { "Ingen närvaro registrerad denna månad." } }
        @else {
            table.attendance-days {
                thead { tr { th { "Datum" } th { "Aktivitet" } th { "Närvaro" } th { "Timmar" } } }
                tbody {
                    @for a in days {
                        tr { td { (date(a.date.as_str())) } td { (titles.get(a.activity_id.as_str()).copied().unwrap_or("")) }
                             td { (a.state.label()) } td { (hours(a.hours)) } }
                    }
                }
            }
        }
    }
}

fn plan_summary(o: &Overview) -> Markup {
    html! {
        @match &o.plan {
            None => p.muted { "Ingen planering är upprättad." },
            Some(p) => dl.facts {
                dt { "Mål" } dd { (p.goal.label()) @if let Some(t) = &p.goal_text { " – " (t) } }
                @if let Some(o) = &p.occupation { dt { "Yrke" } dd { (occupation(o)) } }
                dt { "Timmar i veckan" } dd { (hours(p.hours_per_week)) }
                dt { "Gäller från" } dd { (date(p.start_date.as_str())) }
                dt { "Följs upp" } dd { (date(p.review_date.as_str())) }
                dt { "Överenskommen" } dd {
                    @match (&p.agreed_on, p.agreed_how) {
                        (Some(d), Some(how)) => { (date(d.as_str())) " " (how.label()) },
                        _ => "Nej, utkast",
                    }
                }
                @if let Some(n) = &p.note { dt { "Anteckning" } dd { (n) } }
                dt { "Version" } dd { (p.version) " · " (p.by) " · " (layout::instant(p.recorded_at)) }
            },
        }
    }
}

/// The activities; with a CSRF token (a signed-in page, not the printout) each can be ended
/// on a day or removed.
fn activities_table(o: &Overview, csrf: Option<&str>) -> Markup {
    html! {
        @if o.activities.is_empty() { p.muted { "Inga aktiviteter." } }
        @else {
            table.activities {
                thead { tr { th { "Aktivitet" } th { "Anordnare" } th { "Timmar/vecka" } th { "Dagar" } th { "Period" }
                    @if csrf.is_some() { th { span.visually-hidden { "Åtgärder" } } } } }
                tbody {
                    @for a in &o.activities {
                        tr {
                            td { (a.fields.kind.label()) ": " (a.fields.title) }
                            td { (a.fields.provider.clone().unwrap_or_default()) }
                            td { (hours(a.fields.hours_per_week)) }
                            td { (crate::plan::weekday_names(&a.fields.weekdays)) }
                            td { (date(&a.fields.from.to_string())) " – " (a.fields.to.map(|t| date(&t.to_string())).unwrap_or_default()) }
                            @if let Some(csrf) = csrf {
                                td {
                                    form.inline method="post" action=(format!("/activities/{}/end", a.id)) {
                                        input type="hidden" name="csrf" value=(csrf);
                                        label { "Sista dag " input type="date" name="to" required
                                            value=(a.fields.to.map(|t| t.to_string()).unwrap_or_default()); }
                                        button type="submit" { "Avsluta" }
                                    }
                                    form.inline method="post" action=(format!("/activities/{}/delete", a.id)) {
                                        input type="hidden" name="csrf" value=(csrf);
                                        button type="submit" { "Ta bort" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn read(state: &AppState, staff: &Staff, id: String, month: Month) -> Result<Overview, AppError> {
    let reader = staff.reader(&state.clock);
    db::run(&state.pool, move |c| service::overview(c, &reader, &id, month)).await
}

#[derive(Deserialize)]
struct ShowQuery {
    saved: Option<String>,
}

#[get("/seekers/{id}/plan")]
async fn show(state: web::Data<AppState>, staff: Staff, id: web::Path<String>, q: web::Query<ShowQuery>) -> WebResult {
    let message = q.saved.as_ref().map(|_| Flash::Done("Sparat.".into()));
    plan_page(&state, &staff, id.into_inner(), message, None).await
}

async fn plan_page(
    state: &AppState,
    staff: &Staff,
    id: String,
    message: Option<Flash>,
    form: Option<&PlanForm>,
) -> WebResult {
    staff.require(Role::CASEWORK)?;
    let today = state.clock.today();
    let o = match read(state, staff, id.clone(), Month::of(today)).await {
        // Another unit's person: the profile asks why first; the reason covers the day.
        Err(AppError::ReasonRequired) => return Ok(see_other(&format!("/seekers/{id}"))),
        other => other?,
    };
    let s = &o.seeker;
    let can_write = !staff.csrf.is_empty();
    let p = o.plan.as_ref();
    let value = |f: Option<&str>, stored: Option<String>| f.map(str::to_string).or(stored).unwrap_or_default();
    let body = html! {
        (flash(&message))
        h1 { "Planering för " (name(&s.first_name, &s.last_name)) }
        p { a href=(format!("/seekers/{id}")) { "Till profilen" } " · " a href=(format!("/seekers/{id}/plan/print")) { "Utskrift för personen" }
            @if o.versions.len() > 1 { span.muted { " · " (o.versions.len()) " versioner sparade" } } }
        section #plan {
            h2 { "Arbetsmarknadsplan" }
            (plan_summary(&o))
            @if o.versions.len() > 1 {
                details.history {
                    summary { "Tidigare versioner" }
                    ol.history {
                        @for v in o.versions.iter().skip(1) {
                            li { "Version " (v.version) " · " (layout::instant(v.recorded_at)) " · " (v.by) " · "
                                 (v.goal.label()) ", " (hours(v.hours_per_week)) " tim/vecka, följs upp " (date(v.review_date.as_str()))
                                 @if v.agreed_on.is_none() { " (utkast)" } }
                        }
                    }
                }
            }
            @if can_write {
                details open[o.plan.is_none() || form.is_some()] {
                    summary { @if o.plan.is_some() { "Ändra planeringen" } @else { "Upprätta planering" } }
                    form.plan method="post" action=(format!("/seekers/{id}/plan")) {
                        input type="hidden" name="csrf" value=(staff.csrf);
                        label { "Mål"
                            select name="goal" {
                                @for g in Goal::ALL {
                                    option value=(g.as_str()) selected[value(form.map(|f| f.goal.as_str()), p.map(|p| p.goal.as_str().to_string())) == g.as_str()] { (g.label()) }
                                }
                            }
                        }
                        label { "Målet med egna ord" input name="goal_text" maxlength="2000" value=(value(form.map(|f| f.goal_text.as_str()), p.and_then(|p| p.goal_text.clone()))); }
                        label { "Yrke" input #plan-occupation name="occupation" data-typeahead="occupations" autocomplete="off" placeholder="t.ex. butikssäljare"
                            value=(value(form.map(|f| f.occupation.as_str()), p.and_then(|p| p.occupation.clone()))); }
                        label { "Timmar i veckan" input type="number" name="hours_per_week" min="1" max="60" step="0.5" required
                            value=(value(form.map(|f| f.hours_per_week.as_str()), p.map(|p| p.hours_per_week.to_string()))); }
                        label { "Gäller från" input type="date" name="start_date" required value=(value(form.map(|f| f.start_date.as_str()), p.map(|p| p.start_date.to_string()))); }
                        label { "Följs upp" input type="date" name="review_date" required value=(value(form.map(|f| f.review_date.as_str()), p.map(|p| p.review_date.to_string()))); }
                        label { "Överenskommen med personen" input type="date" name="agreed_on" max=(today.to_string())
                            value=(value(form.map(|f| f.agreed_on.as_str()), p.and_then(|p| p.agreed_on.as_ref().map(|d| d.to_string())))); }
                        label { "Hur"
                            select name="agreed_how" {
                                option value="" { "–" }
                                @for h in AgreedHow::ALL {
                                    option value=(h.as_str()) selected[value(form.map(|f| f.agreed_how.as_str()), p.and_then(|p| p.agreed_how.map(|h| h.as_str().to_string()))) == h.as_str()] { (h.label()) }
                                }
                            }
                        }
                        label { "Anteckning" textarea name="note" rows="2" maxlength="5000" { (value(form.map(|f| f.note.as_str()), p.and_then(|p| p.note.clone()))) } }
                        button type="submit" { "Spara planeringen" }
                    }
                }
            }
        }
        section #activities {
            h2 { "Aktiviteter" }
            (activities_table(&o, can_write.then_some(staff.csrf.as_str())))
            @if can_write {
                details {
                    summary { "Lägg till aktivitet" }
                    form.activity method="post" action=(format!("/seekers/{id}/activities")) {
                        input type="hidden" name="csrf" value=(staff.csrf);
                        label { "Slag" select name="kind" { @for k in ActivityKind::ALL { option value=(k.as_str()) { (k.label()) } } } }
                        label { "Benämning" input name="title" required maxlength="200" placeholder="t.ex. Praktik i butik"; }
                        label { "Anordnare" input name="provider" maxlength="200"; }
                        label { "Timmar i veckan" input type="number" name="hours_per_week" min="0.5" max="60" step="0.5" required; }
                        fieldset.weekdays {
                            legend { "Dagar" }
                            @for (n, d) in ["mån", "tis", "ons", "tors", "fre", "lör", "sön"].iter().enumerate() {
                                label.inline { input type="checkbox" name="weekday" value=(n + 1) checked[n < 5]; " " (d) }
                            }
                        }
                        label { "Från" input type="date" name="from" required value=(today.to_string()); }
                        label { "Till" input type="date" name="to"; }
                        button type="submit" { "Lägg till" }
                    }
                }
            }
        }
        section #attendance {
            h2 { "Närvaro denna månad" }
            (status_markup(&o.status))
            (attendance_list(&o.attendance, &o.activities))
            p { a href="/attendance" { "Närvaroregistrering" } }
        }
        section #declines {
            h2 { "Tackat nej" }
            @if o.declines.is_empty() { p.muted { "Inget registrerat." } }
            ul {
                @for d in &o.declines {
                    li { (date(d.date.as_str())) " · " (d.what.label()) " · " @if d.justified { "godtagbart skäl" } @else { strong { "utan godtagbart skäl" } }
                         @if let Some(r) = &d.reason { " · " em { (r) } } }
                }
            }
            @if can_write {
                details {
                    summary { "Registrera att personen tackat nej" }
                    form.decline method="post" action=(format!("/seekers/{id}/declines")) {
                        input type="hidden" name="csrf" value=(staff.csrf);
                        label { "Vad" select name="what" { @for w in DeclineWhat::ALL { option value=(w.as_str()) { (w.label()) } } } }
                        label { "Datum" input type="date" name="date" required max=(today.to_string()) value=(today.to_string()); }
                        label { "Skäl" input name="reason" required maxlength="2000"; }
                        label.inline { input type="checkbox" name="justified" value="1"; " Godtagbart skäl" }
                        button type="submit" { "Spara" }
                    }
                }
            }
        }
    };
    let title = format!("Planering – {}", name(&s.first_name, &s.last_name));
    Ok(super::page_response(actix_web::http::StatusCode::OK, layout::page(&title, &staff.chrome(), body)))
}

/// The plan for the person: on paper, in Swedish, without the staff's navigation.
#[get("/seekers/{id}/plan/print")]
async fn print(state: web::Data<AppState>, staff: Staff, id: web::Path<String>) -> WebResult {
    staff.require(Role::CASEWORK)?;
    let id = id.into_inner();
    let o = match read(&state, &staff, id.clone(), Month::of(state.clock.today())).await {
        Err(AppError::ReasonRequired) => return Ok(see_other(&format!("/seekers/{id}"))),
        other => other?,
    };
    let s = &o.seeker;
    let body = html! {
        (maud::DOCTYPE)
        html lang="sv" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Arbetsmarknadsplan – " (name(&s.first_name, &s.last_name)) }
                link rel="stylesheet" href="/static/platsa.css";
            }
            body.print {
                main id="innehall" {
                    h1 { "Arbetsmarknadsplan" }
                    p { strong { (name(&s.first_name, &s.last_name)) } " · " (s.personnummer.as_deref().unwrap_or_default()) }
                    (plan_summary(&o))
                    h2 { "Aktiviteter" }
                    (activities_table(&o, None))
                    h2 { "Närvaro denna månad" }
                    (status_markup(&o.status))
                    p.muted { "Frånvaro ska anmälas samma dag till din jobbmäklare. Utskriven " (date(&state.clock.today().to_string())) "." }
                    p.noprint { button type="button" data-print="1" { "Skriv ut" } }
                }
            }
        }
    };
    super::ok(body)
}

#[derive(Deserialize)]
struct PlanForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    goal: String,
    #[serde(default)]
    goal_text: String,
    #[serde(default)]
    occupation: String,
    #[serde(default)]
    hours_per_week: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    review_date: String,
    #[serde(default)]
    agreed_on: String,
    #[serde(default)]
    agreed_how: String,
    #[serde(default)]
    note: String,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|t| !t.is_empty())
}

fn day_of(s: &str, field: &str) -> Result<Option<NaiveDate>, AppError> {
    match s.trim() {
        "" => Ok(None),
        d => d.parse().map(Some).map_err(|_| AppError::field(field, Fault::Format, "datumet ska skrivas ÅÅÅÅ-MM-DD")),
    }
}

fn required_day(s: &str, field: &str) -> Result<NaiveDate, AppError> {
    day_of(s, field)?.ok_or_else(|| AppError::field(field, Fault::Required, "ange ett datum"))
}

fn number(s: &str, field: &str) -> Result<f64, AppError> {
    s.trim().replace(',', ".").parse().map_err(|_| AppError::field(field, Fault::Format, "ange ett tal"))
}

impl PlanForm {
    fn input(&self) -> Result<PlanInput, AppError> {
        let occupation = opt(&self.occupation).map(|o| super::kit::occupation_code(&o));
        Ok(PlanInput {
            goal: Goal::parse(&self.goal).ok_or_else(|| AppError::field("goal", Fault::Required, "välj mål"))?,
            goal_text: opt(&self.goal_text),
            occupation,
            hours_per_week: number(&self.hours_per_week, "hours_per_week")?,
            start_date: required_day(&self.start_date, "start_date")?,
            review_date: required_day(&self.review_date, "review_date")?,
            agreed_on: day_of(&self.agreed_on, "agreed_on")?,
            agreed_how: AgreedHow::parse(self.agreed_how.trim()),
            note: opt(&self.note),
        })
    }
}

/// An error on a form: the page again with what was typed and a Swedish notice.
fn failed(e: &AppError) -> Flash {
    Flash::Failed(format!("Det gick inte att spara. {}", super::labels::app_error(e).1))
}

/// How every form on the plan page ends: back to the page (Post/Redirect/Get, `then` is the
/// query and anchor to land on), or, for a problem the person can put right, the page again
/// with it in Swedish (and the plan form as typed).
async fn answer(
    state: &AppState,
    staff: &Staff,
    seeker: String,
    result: Result<(), AppError>,
    then: &str,
    form: Option<&PlanForm>,
) -> WebResult {
    match result {
        Ok(()) => Ok(see_other(&format!("/seekers/{seeker}/plan?{then}"))),
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            plan_page(state, staff, seeker, Some(failed(&e)), form).await
        }
        Err(e) => Err(e.into()),
    }
}

#[post("/seekers/{id}/plan")]
async fn save_plan(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<PlanForm>,
) -> WebResult {
    staff.check(&form.csrf)?;
    staff.require(Role::CASEWORK)?;
    let id = id.into_inner();
    let (reader, seeker) = (staff.reader(&state.clock), id.clone());
    let result = async {
        let input = form.input()?;
        db::run(&state.pool, move |c| service::put(c, &reader, &seeker, input)).await.map(|_| ())
    };
    answer(&state, &staff, id, result.await, "saved=plan", Some(&form)).await
}

#[post("/seekers/{id}/activities")]
async fn add_activity(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> WebResult {
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    staff.check(&field("csrf"))?;
    staff.require(Role::CASEWORK)?;
    let id = id.into_inner();
    let input = (|| -> Result<ActivityInput, AppError> {
        Ok(ActivityInput {
            kind: ActivityKind::parse(&field("kind"))
                .ok_or_else(|| AppError::field("kind", Fault::Required, "välj slag"))?,
            title: field("title"),
            placement_id: None,
            provider: opt(&field("provider")),
            hours_per_week: number(&field("hours_per_week"), "hours_per_week")?,
            weekdays: form.iter().filter(|(n, _)| n == "weekday").filter_map(|(_, v)| v.parse().ok()).collect(),
            from: required_day(&field("from"), "from")?,
            to: day_of(&field("to"), "to")?,
        })
    })();
    let (reader, seeker) = (staff.reader(&state.clock), id.clone());
    let result = async {
        let input = input?;
        db::run(&state.pool, move |c| service::add_activity(c, &reader, &seeker, input)).await.map(|_| ())
    };
    answer(&state, &staff, id, result.await, "saved=activity#activities", None).await
}

#[derive(Deserialize)]
struct EndForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    to: String,
}

/// Whose plan page an activity is on, read through the gate.
async fn owner(state: &AppState, staff: &Staff, activity: &str) -> Result<String, AppError> {
    let (reader, id) = (staff.reader(&state.clock), activity.to_string());
    db::run(&state.pool, move |c| service::activity(c, &reader, &id)).await.map(|a| a.seeker_id)
}

/// Ends an activity on a day (its recorded days stay inside it).
#[post("/activities/{id}/end")]
async fn end_activity(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<EndForm>,
) -> WebResult {
    staff.check(&form.csrf)?;
    staff.require(Role::CASEWORK)?;
    let seeker = owner(&state, &staff, &id).await?;
    let reader = staff.reader(&state.clock);
    let result = async {
        let to = required_day(&form.to, "to")?;
        let patch = serde_json::json!({ "to": to });
        db::run(&state.pool, move |c| service::patch_activity(c, &reader, &id, &patch)).await.map(|_| ())
    };
    answer(&state, &staff, seeker, result.await, "saved=activity#activities", None).await
}

/// Removes an activity entered by mistake; one with recorded days is refused (end it instead).
#[post("/activities/{id}/delete")]
async fn remove_activity(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<EndForm>,
) -> WebResult {
    staff.check(&form.csrf)?;
    staff.require(Role::CASEWORK)?;
    let seeker = owner(&state, &staff, &id).await?;
    let reader = staff.reader(&state.clock);
    let result = db::run(&state.pool, move |c| service::delete_activity(c, &reader, &id)).await;
    answer(&state, &staff, seeker, result, "saved=activity#activities", None).await
}

#[derive(Deserialize)]
struct DeclineForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    what: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    justified: Option<String>,
}

#[post("/seekers/{id}/declines")]
async fn add_decline(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<DeclineForm>,
) -> WebResult {
    staff.check(&form.csrf)?;
    staff.require(Role::CASEWORK)?;
    let id = id.into_inner();
    let input = (|| -> Result<DeclineInput, AppError> {
        Ok(DeclineInput {
            what: DeclineWhat::parse(&form.what).ok_or_else(|| AppError::field("what", Fault::Required, "välj vad"))?,
            ref_id: None,
            date: required_day(&form.date, "date")?,
            reason: form.reason.clone(),
            justified: form.justified.is_some(),
        })
    })();
    let (reader, seeker) = (staff.reader(&state.clock), id.clone());
    let result = async {
        let input = input?;
        db::run(&state.pool, move |c| service::decline(c, &reader, &seeker, &input)).await.map(|_| ())
    };
    answer(&state, &staff, id, result.await, "saved=decline#declines", None).await
}
