//! Seekers: search with the API's filters, and a seeker's page (every view audit-logged):
//! the profile, openings ranked for them, and their placements with full history.

use actix_web::{HttpRequest, get, http::StatusCode, post, web};
use maud::html;
use serde::Deserialize;

use super::kit::{Flash, clean, flash, pager, query_without_offset, search_form};
use super::labels::Label;
use super::layout::{self, date, days_ago, municipality, name, occupation};
use super::propose::{ProposeForm, default_kind, do_propose, explanation, kind_select, refusal};
use super::{Staff, WebResult, page_response, see_other};
use crate::auth::Role;
use crate::error::AppError;
use crate::index::query::SearchQuery;
use crate::matching::lists::openings_for_seeker;
use crate::search::hits::seeker_hits;
use crate::seekers::SeekerStatus;
use crate::state::AppState;
use crate::{db, placements, seekers};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(show).service(propose).service(write_journal).service(sms_stop);
}

#[derive(serde::Deserialize)]
struct StopForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    stopped: String,
}

/// The person answered STOP to texts to many (or wants them again); back to the profile.
#[actix_web::post("/seekers/{id}/sms-stop")]
async fn sms_stop(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    f: web::Form<StopForm>,
) -> WebResult {
    staff.check(&f.csrf)?;
    staff.require(Role::CASEWORK)?;
    let (id, reader) = (id.into_inner(), staff.reader(&state.clock));
    let input = crate::messages::service::StopInput { stopped: f.stopped == "1" };
    let seeker = id.clone();
    db::run(&state.pool, move |c| crate::messages::service::set_stop(c, &reader, &seeker, &input)).await?;
    Ok(super::see_other(&format!("/seekers/{id}#messages")))
}

const PAGE: i64 = 20;

/// Whether "Stämmer" would add anything to the registered profile.
fn adds(s: &crate::seekers::Seeker, read: &crate::vocabulary::written::Reading) -> bool {
    crate::seekers::service::confirmed(s, read).is_some()
}

/// "Utläst ur texten": what Platsa read from the summary, each with the words that gave it,
/// and (for those who may write) one click to register it as the profile's codes.
fn inferred(
    s: &crate::seekers::Seeker,
    read: &crate::vocabulary::written::Reading,
    csrf: Option<&str>,
) -> maud::Markup {
    let adds = adds(s, read);
    html! {
        section.inferred #utlast aria-labelledby="utlast-rubrik" {
            h3 #utlast-rubrik { "Utläst ur texten" }
            @if !s.occupations.is_empty() && !read.occupations.is_empty() {
                p.muted { "Profilen har registrerade yrken; yrken ur texten används inte i matchningen förrän de läggs in." }
            }
            ul {
                @for o in &read.occupations {
                    li {
                        strong { (o.label) } " (" (o.code) ") · "
                        (o.stance.label())
                        @if let Some(y) = o.years { " · " (y) " år" }
                        " · säkerhet " (format!("{:.2}", o.confidence).replace('.', ","))
                        " · " q { (o.evidence) }
                    }
                }
                @for n in &read.not_sought {
                    li.muted {
                        "Söker inte: " (n.label) " – " (n.why.label()) " · " q { (n.evidence) }
                    }
                }
                @if !read.skills.is_empty() {
                    li { "Kompetenser: "
                        @for (i, k) in read.skills.iter().enumerate() {
                            @if i > 0 { ", " }
                            (k.label) " (" q { (k.evidence) } ")"
                        }
                    }
                }
                @if !read.licences.is_empty() {
                    li { "Körkort: "
                        @for (i, l) in read.licences.iter().enumerate() {
                            @if i > 0 { ", " }
                            (l.class) " (" q { (l.evidence) } ")"
                        }
                    }
                }
                @if read.open_to_anything { li { "Kan tänka sig vilket arbete som helst." } }
            }
            @if let (Some(csrf), true) = (csrf, adds) {
                form.inline method="post" action=(format!("/seekers/{}/inferred", s.id)) {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="version" value=(s.version);
                    button type="submit" { "Stämmer – lägg in i profilen" }
                }
            }
        }
    }
}

#[get("/seekers")]
async fn list(state: web::Data<AppState>, staff: Staff, req: HttpRequest, q: web::Query<SearchQuery>) -> WebResult {
    staff.require(Role::CASEWORK)?;
    let mut q = clean(q.into_inner());
    if req.query_string().is_empty() {
        q.status = Some(SeekerStatus::Active.as_str().into());
    }
    // "Mina arbetssökande": the signed-in broker's own, all of them, page by page.
    let mine = q.mine.as_deref() == Some("1");
    if mine && q.q.trim().is_empty() {
        return super::caseload::page(&state, &staff, &req).await;
    }
    q.broker_id = mine.then(|| staff.who.user_id.clone());
    let offset = q.offset.unwrap_or(0).max(0);
    let query = super::kit::with_codes(q.clone());
    let (st, reader) = (state.clone(), staff.reader(&state.clock));
    let found = db::run(&state.pool, move |c| {
        db::write_tx(c, |c| seeker_hits(c, st.lookup(), &reader, &query, (PAGE, offset)))
    })
    .await;
    let (items, total, errors) = match found {
        Ok((items, total)) => (items, total, None),
        Err(AppError::Validation(errors)) => (vec![], 0, Some(errors)),
        Err(e) => return Err(e.into()),
    };
    let rest = query_without_offset(&req);
    let body = html! {
        h1 { @if mine { "Mina arbetssökande" } @else { "Arbetssökande" } }
        p.muted {
            @if mine { a href="/seekers" { "Visa alla" } } @else { a href="/seekers?mine=1&status=active" { "Visa bara mina" } }
            " · " (crate::labels::count(total, "träff", "träffar")) " · " a href="/seekers/new" { "Registrera arbetssökande" }
        }
        (search_form::<SeekerStatus>("/seekers", &q, true))
        @if let Some(errors) = &errors {
            div.notice.error role="alert" { @for e in errors { p { "Filtret: " (super::labels::field_problem(e)) } } }
        }
        table.results {
            thead { tr { th { "Namn" } th { "Yrke" } th { "Kommun" } th { "Kompetenser" } th { "Tillgänglig" } th { "Status" } } }
            tbody {
                @for s in &items {
                    tr {
                        td { a href=(format!("/seekers/{}", s.id)) { (name(&s.first_name, &s.last_name)) } }
                        @if s.restricted {
                            // Another unit's person: the profile opens after a stated reason.
                            td { span.muted { "Annan enhet – öppna och ange skäl för att se profilen" } }
                            td { (municipality(&s.municipality_code)) }
                            td {}
                        } @else {
                            td { (s.occupations.iter().map(|o| occupation(o)).collect::<Vec<_>>().join(", ")) }
                            td { (municipality(&s.municipality_code)) }
                            td { (s.skills.join(", ")) }
                        }
                        td { (s.available_from.as_deref().map(date).unwrap_or_default()) }
                        td { (s.status.label()) }
                    }
                }
            }
        }
        @if items.is_empty() && errors.is_none() { p.muted { "Inga arbetssökande matchar." } }
        (pager("/seekers", &rest, offset, items.len(), total))
    };
    super::ok(layout::page("Arbetssökande", &staff.chrome(), body))
}

async fn seeker_page(
    state: &web::Data<AppState>,
    staff: &Staff,
    id: String,
    message: Option<Flash>,
    code: StatusCode,
    reason: Option<String>,
) -> WebResult {
    let (st, reader) = (state.clone(), staff.reader(&state.clock).with_reason(reason));
    let now = reader.now;
    let page_id = id.clone();
    let read = db::run(&state.pool, move |c| {
        // Need-to-know first: another unit's person needs a stated reason. Reading the profile
        // is audited once, with the ranked openings.
        let seeker = seekers::service::read_person(c, &reader, &id)?;
        let matches =
            db::write_tx(c, |c| openings_for_seeker(c, st.lookup(), (&reader.who, &reader.action), &seeker, (10, 0)))?;
        let (journal, _) = crate::journal::entries(c, &id, 50, 0)?;
        let month = crate::plan::service::month_in_tx(c, &id, crate::clock::Month::of(reader.today), reader.today)?;
        let decisions = crate::booking::decisions::of_person(c, &id)?;
        let filter = placements::store::PlacementFilter { seeker_id: Some(id.clone()), ..Default::default() };
        let (history, _) = placements::store::list(c, &filter, 100, 0)?;
        let placement_ids: Vec<String> = history.iter().map(|p| p.id.clone()).collect();
        let feedback = crate::placements::feedback::all(c, &placement_ids)?;
        let ids: Vec<String> = history.iter().filter_map(|p| p.opening_id.clone()).collect();
        let headlines: std::collections::HashMap<String, String> =
            crate::openings::store::rows_by_ids(c, &ids)?.into_iter().map(|r| (r.id, r.headline)).collect();
        // What was sent to the person, with its delivery (the profile read above is audited).
        let gw = crate::messages::gateway::Gateways::from_settings(&st.settings);
        let filter = crate::messages::Filter { seeker_id: Some(id.clone()), ..Default::default() };
        let (sent, _) = crate::messages::list(c, &filter, (20, 0), &|ch| gw.configured(ch))?;
        let stopped: Option<i64> = {
            use crate::db::schema::seekers as t;
            use diesel::prelude::*;
            t::table.find(&id).select(t::sms_stopped_at).first(c)?
        };
        Ok((seeker, matches, (history, headlines, feedback, (sent, stopped)), (journal, month, decisions)))
    })
    .await;
    let (seeker, crate::matching::lists::Listed { items: matches, total, ranking_log_id }, history, journal) =
        match read {
            Err(AppError::ReasonRequired) => return reason_page(staff, &page_id, None),
            other => other?,
        };
    let (history, headlines, feedback, (sent, stopped)) = history;
    let (journal, (plan, plan_status, attendance, activities), decisions) = journal;
    let s = &seeker;
    let can_propose = matches!(staff.who.role, Role::Broker | Role::Admin) && s.status == SeekerStatus::Active;
    let can_write = Role::CASEWORK.contains(&staff.who.role) && !staff.csrf.is_empty();
    let today = state.clock.today();
    let body = html! {
        (flash(&message))
        article.seeker {
            h1 { (name(&s.first_name, &s.last_name)) }
            @if can_write { p { a.button href=(format!("/seekers/{}/edit", s.id)) { "Redigera profil" } } }
            p.meta { (s.status.label())
                @if let Some(d) = &s.paused_until { " till " (date(d)) }
                @if let Some(r) = &s.pause_reason { " (" (r) ")" }
                " · " (municipality(&s.municipality_code))
                @if let Some(u) = &s.unit { " · " (u) }
                " · registrerad " (date(&crate::clock::format_ts(s.registered_at)))
                " · väntat " (days_ago(s.last_proposed_at.unwrap_or(s.registered_at), now)) " sedan senaste förslag" }
            dl.facts {
                dt { "Personnummer" } dd { (s.personnummer.as_deref().unwrap_or_default()) }
                dt { "Kontakt" } dd { (s.phone.clone().unwrap_or_default()) " " (s.email.clone().unwrap_or_default()) }
                @if let Some((applied, decided)) = decisions.first() {
                    dt { "Beslut om bistånd" }
                    dd #decision { (crate::booking::decisions::describe(*decided)) span.muted { " · ansökan " (layout::instant(*applied)) } }
                }
                dt { "Söker som" } dd {
                    (s.occupations.iter().map(|o| occupation(o)).collect::<Vec<_>>().join(", "))
                }
                dt { "Kompetenser" } dd { @for k in &s.skills { span.tag { (k.label) } " " } }
                dt { "Språk" } dd { @for l in &s.languages { span.tag { (crate::reference::reference().languages.get(&l.code).cloned().unwrap_or(l.code.clone())) } " " } }
                dt { "Körkort" } dd { (s.driving_licences.join(", ")) }
                dt { "Tillgänglig från" } dd { (s.available_from.as_deref().map(date).unwrap_or_else(|| "nu".into())) }
                dt { "Pendlar högst" } dd { (s.max_commute_km.map(|k| format!("{k} km")).unwrap_or_else(|| "–".into())) }
            }
            h2 { "Om mig" }
            p.summary { (s.summary.clone().unwrap_or_default()) }
            @if let Some(read) = s.inferred.as_ref().filter(|r| adds(s, r) || (s.occupations.is_empty() && !r.is_empty())) {
                (inferred(s, read, can_write.then_some(staff.csrf.as_str())))
            }
        }
        section #plan {
            h2 { "Planering" }
            @match &plan {
                Some(p) => p { (p.goal.label()) @if let Some(t) = &p.goal_text { " – " (t) } " · "
                    (super::plan::hours(p.hours_per_week)) " tim/vecka · följs upp " (date(p.review_date.as_str()))
                    @if p.agreed_on.is_none() { " · " strong { "inte överenskommen än" } } },
                None => p.muted { "Ingen planering är upprättad." },
            }
            (super::plan::status_markup(&plan_status))
            (super::plan::attendance_list(&attendance, &activities))
            p { a.button href=(format!("/seekers/{}/plan", s.id)) { "Planering och aktiviteter" } }
        }
        section #timeline {
            h2 { "Journal" }
            @if can_write {
                form.journal method="post" action=(format!("/seekers/{}/journal", s.id)) {
                    input type="hidden" name="csrf" value=(staff.csrf);
                    label { "Typ "
                        select name="kind" {
                            @for k in crate::journal::EntryKind::ALL { option value=(k.as_str()) { (k.label()) } }
                        }
                    }
                    label { "Vad hände " textarea name="text" rows="3" maxlength="5000" required {} }
                    label { "Nästa kontakt " input type="date" name="next_contact_on" min=(today.to_string()); }
                    button type="submit" { "Spara i journalen" }
                }
            }
            @if journal.is_empty() { p.muted { "Inget i journalen än." } }
            ol.journal {
                @for j in &journal {
                    li { time { (layout::instant(j.at)) } " " strong { (j.kind.label()) } " · " (j.by)
                        @if let Some(n) = &j.next_contact_on { " · nästa kontakt " (date(n)) }
                        @if let Some(t) = &j.text { p.entry { (t) } } }
                }
            }
            h2 #messages { "Meddelanden" }
            p.sms-stop {
                @if let Some(t) = stopped { "Har svarat STOPP på utskick (" (layout::instant(t)) "). " } @else { "Får utskick till flera. " }
                @if can_write {
                    form.inline method="post" action=(format!("/seekers/{}/sms-stop", s.id)) {
                        input type="hidden" name="csrf" value=(staff.csrf);
                        input type="hidden" name="stopped" value=(if stopped.is_some() { "0" } else { "1" });
                        button.secondary type="submit" { @if stopped.is_some() { "Ta bort STOPP" } @else { "Har svarat STOPP" } }
                    }
                }
            }
            @if sent.is_empty() { p.muted { "Inga meddelanden skickade." } }
            ol.messages {
                @for m in &sent {
                    li { time { (layout::instant(m.created_at)) } " " strong { (m.template.label()) } " · " (m.channel.label())
                        " · " span.state { (m.state_text) } }
                }
            }
            h2 { "Placeringar" }
            @if history.is_empty() { p.muted { "Inga placeringar än." } }
            @for p in &history {
                div.placement {
                    h3 {
                        (p.kind.label()) " – "
                        @match &p.opening_id {
                            Some(o) => a href=(format!("/openings/{o}")) { (headlines.get(o).cloned().unwrap_or_default()) },
                            None => "utan annons",
                        }
                        " · " (p.status.label())
                        @if let Some(out) = p.outcome { " (" (out.label()) ")" }
                    }
                    ol.history {
                        @for e in &p.history {
                            li { time { (date(&e.at)) } " " (e.from.map_or("–", |s| s.label())) " → " strong { (e.to.label()) } " · " (e.by)
                                 @if let Some(n) = &e.note { " · " em { (n) } } }
                        }
                        @for (_, f) in feedback.iter().filter(|(id, _)| *id == p.id) {
                            li.feedback { time { (layout::instant(f.at)) } " Arbetsgivaren svarade: " strong { (f.answer.label()) } " · " (f.by)
                                 @if let Some(n) = &f.note { " · " em { (n) } } }
                        }
                    }
                }
            }
            @if can_propose && !history.iter().any(|p| p.opening_id.is_none() && p.kind == placements::Kind::Studies && p.status.is_open()) {
                form.propose method="post" action=(format!("/seekers/{}/propose", s.id)) {
                    input type="hidden" name="csrf" value=(staff.csrf);
                    input type="hidden" name="kind" value=(placements::Kind::Studies.as_str());
                    button type="submit" { "Föreslå studier" }
                }
            }
        }
        section #matches {
            h2 { "Annonser för " (s.first_name.clone().unwrap_or_default()) span.muted { " – " (total) " möjliga, bäst först" } }
            ol.candidates {
                @for m in &matches {
                    li.candidate {
                        div.head {
                            span.score { (crate::export::decimal(m.score, 2)) }
                            a.name href=(format!("/openings/{}", m.id)) { (m.headline) }
                            span.muted { " · " (municipality(&m.municipality_code)) " · " (m.employment_type.label()) }
                            @if can_propose {
                                form.propose method="post" action=(format!("/seekers/{}/propose", s.id)) {
                                    input type="hidden" name="csrf" value=(staff.csrf);
                                    input type="hidden" name="opening_id" value=(m.id);
                                    input type="hidden" name="ranking_log_id" value=(ranking_log_id);
                                    (kind_select(default_kind(m.employment_type)))
                                    button type="submit" { "Föreslå" }
                                }
                            }
                        }
                        (explanation(&m.explanation, now))
                    }
                }
            }
            (pager(&format!("/seekers/{}", s.id), "", 0, matches.len(), total))
        }
    };
    Ok(page_response(code, layout::page(&name(&s.first_name, &s.last_name), &staff.chrome(), body)))
}

#[derive(Deserialize)]
struct ShowQuery {
    proposed: Option<String>,
    noted: Option<String>,
    saved: Option<String>,
    merged: Option<String>,
    /// The reason for reading a person of another unit (need-to-know).
    skal: Option<String>,
}

/// Asks why the reader needs the record of a person of another unit; the answer is sent with
/// the page's address (`?skal=`) and kept in the audit log with the read.
fn reason_page(staff: &Staff, id: &str, problem: Option<&AppError>) -> WebResult {
    let body = html! {
        h1 { "Ange skäl" }
        p { "Personen tillhör en annan enhet än din. Uppgifterna omfattas av sekretess: skriv varför du behöver se dem. Skälet sparas i granskningsloggen tillsammans med din läsning." }
        @if let Some(e) = problem { p.error role="alert" { (super::labels::app_error(e).1) } }
        form method="get" action=(format!("/seekers/{id}")) {
            label for="skal" { "Skäl för åtkomst" }
            input #skal type="text" name="skal" required minlength="3" maxlength="300" autocomplete="off";
            button type="submit" { "Visa uppgifterna" }
        }
        p { a href="/seekers" { "Tillbaka till arbetssökande" } }
    };
    Ok(page_response(StatusCode::FORBIDDEN, layout::page("Ange skäl", &staff.chrome(), body)))
}

#[get("/seekers/{id}")]
async fn show(state: web::Data<AppState>, staff: Staff, id: web::Path<String>, q: web::Query<ShowQuery>) -> WebResult {
    staff.require(Role::CASEWORK)?;
    let message = match (&q.proposed, &q.noted, &q.saved) {
        (Some(_), _, _) => Some(Flash::Done("Förslaget är registrerat.".into())),
        (_, Some(_), _) => Some(Flash::Done("Sparat i journalen.".into())),
        (_, _, Some(_)) if q.merged.is_some() => Some(Flash::Done(
            "Profilen är sparad. Någon annan hade sparat samtidigt: deras ändringar av andra uppgifter finns kvar."
                .into(),
        )),
        (_, _, Some(_)) => Some(Flash::Done("Profilen är sparad.".into())),
        _ => None,
    };
    let id = id.into_inner();
    let reason = match q.skal.as_deref().map(|t| crate::audit::reason(t, "skal")).transpose() {
        Ok(reason) => reason.flatten(),
        Err(e) => return reason_page(&staff, &id, Some(&e)),
    };
    seeker_page(&state, &staff, id, message, StatusCode::OK, reason).await
}

#[derive(Deserialize)]
struct JournalForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    next_contact_on: String,
}

/// A journal entry from the page; Post/Redirect/Get, so Back and reload do not write twice.
#[post("/seekers/{id}/journal")]
async fn write_journal(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<JournalForm>,
) -> WebResult {
    staff.check(&form.csrf)?;
    staff.require(Role::CASEWORK)?;
    let id = id.into_inner();
    let input = (|| -> Result<crate::journal::EntryInput, AppError> {
        let kind = crate::journal::EntryKind::parse(&form.kind)
            .ok_or_else(|| AppError::field("kind", crate::error::Fault::Required, "välj typ"))?;
        let next_contact_on = match form.next_contact_on.trim() {
            "" => None,
            d => Some(d.parse().map_err(|_| {
                AppError::field("next_contact_on", crate::error::Fault::Format, "datumet ska skrivas ÅÅÅÅ-MM-DD")
            })?),
        };
        Ok(crate::journal::EntryInput { kind, text: form.text.clone(), at: None, next_contact_on })
    })();
    let reader = staff.reader(&state.clock);
    let result = match input {
        Ok(input) => {
            let id = id.clone();
            db::run(&state.pool, move |c| crate::journal::add(c, &reader, &id, &input)).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/seekers/{id}?noted=1"))),
        Err(e @ AppError::Validation(_)) => {
            let code = actix_web::ResponseError::status_code(&e);
            let text = format!("Det gick inte att spara. {}", super::labels::app_error(&e).1);
            seeker_page(&state, &staff, id, Some(Flash::Failed(text)), code, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[post("/seekers/{id}/propose")]
async fn propose(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<ProposeForm>,
) -> WebResult {
    staff.check(&form.csrf)?;
    let id = id.into_inner();
    let opening = Some(form.opening_id.clone()).filter(|o| !o.is_empty());
    let mut new = form.placement(opening)?;
    new.seeker_id = id.clone();
    match do_propose(&state, &staff, new).await? {
        Ok(p) => Ok(see_other(&format!("/seekers/{id}?proposed={p}"))),
        Err(e) => {
            let code = actix_web::ResponseError::status_code(&e);
            seeker_page(&state, &staff, id, Some(Flash::Failed(refusal(&e))), code, None).await
        }
    }
}
