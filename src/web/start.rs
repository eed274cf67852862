//! `/`: the sign-in page, or the start page of the signed-in role. A broker's day starts
//! with the people who have waited longest, openings still short of candidates, and
//! placements that need a next step.

use actix_web::{HttpRequest, get, http::StatusCode, post, web};
use maud::html;
use serde::Deserialize;

use super::labels::Label;
use super::layout::{self, date, days_ago, municipality, name, occupation};
use super::session::{current, sign_in_page};
use super::{WebResult, ok};
use crate::auth::Role;
use crate::reports::{Month, monthly};
use crate::state::AppState;
use crate::{db, placements, seekers};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(start).service(daily_shortlist).service(daily_dismiss);
}

#[derive(Deserialize)]
struct DailyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// "Lägg på kortlistan" on a suggestion: back to the start page (Post/Redirect/Get).
#[post("/dagens-forslag/{opening}/{seeker}/kortlista")]
async fn daily_shortlist(
    state: web::Data<AppState>,
    staff: super::Staff,
    path: web::Path<(String, String)>,
    f: web::Form<DailyForm>,
) -> WebResult {
    staff.check(&f.csrf)?;
    staff.require(&[Role::Broker, Role::Admin])?;
    let (opening, seeker) = path.into_inner();
    let r = staff.reader(&state.clock);
    db::run(&state.pool, move |c| crate::matching::daily::shortlist(c, &r, (&opening, &seeker))).await?;
    Ok(super::see_other("/?klart=kortlista#dagens-forslag"))
}

/// "Avfärda" with a reason.
#[post("/dagens-forslag/{opening}/{seeker}/avfarda")]
async fn daily_dismiss(
    state: web::Data<AppState>,
    staff: super::Staff,
    path: web::Path<(String, String)>,
    f: web::Form<DailyForm>,
) -> WebResult {
    staff.check(&f.csrf)?;
    staff.require(&[Role::Broker, Role::Admin])?;
    let reason = crate::matching::daily::DismissReason::parse(&f.reason).ok_or_else(|| {
        crate::error::AppError::field("reason", crate::error::Fault::Unknown, "is not one of the reasons")
    })?;
    let (opening, seeker) = path.into_inner();
    let r = staff.reader(&state.clock);
    db::run(&state.pool, move |c| crate::matching::daily::dismiss(c, &r, (&opening, &seeker), reason)).await?;
    Ok(super::see_other("/?klart=avfardad#dagens-forslag"))
}

#[derive(Deserialize)]
struct StartQuery {
    next: Option<String>,
    klart: Option<String>,
}

#[get("/")]
async fn start(state: web::Data<AppState>, req: HttpRequest, q: web::Query<StartQuery>) -> WebResult {
    let Some(staff) = current(&req).await?.filter(|s| s.who.is_staff()) else {
        return Ok(sign_in_page(&req, q.next.as_deref().unwrap_or("/"), None, StatusCode::OK));
    };
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let (who, action) = (staff.who.clone(), staff.action.clone());
    if who.role == Role::Manager {
        let m = Month::of(today);
        let report = db::run(&state.pool, move |c| monthly(c, m, None, now)).await?;
        let signals = crate::signals::http::visible(&state, &staff.who, None, None).await?;
        let signal_list = super::signals::list_markup(&state, &staff, &signals, 10, true).await?;
        let t = &report.totals;
        let body = html! {
            h1 { "Hej " (who.name) }
            section.cards {
                div.figure { span.big { (t.exits_total) } " avslut till arbete eller studier i " (m) }
                div.figure { span.big { (t.target.map(|v| v.to_string()).unwrap_or_else(|| "–".into())) } " i mål (" abbr title="Extraordinära resultat: det mål enheten satt för avslut till arbete eller studier den här månaden" { "EOR" } ")" }
                div.figure { span.big { (t.not_proposed_30_days) } " aktiva utan förslag på 30 dagar" }
            }
            p { a.button href="/reports/monthly" { "Öppna månadsrapporten" } " " a.button href="/reports/processes" { "Processerna mot målen" } " " a.button href="/reports/follow-up" { "Uppföljning efter avslut" } " " a.button href="/reports/exposure" { "Synlighet och tillsyn" } }
            section #signals {
                h2 { "Signaler (" (signals.len()) ")" }
                (signal_list)
                @if signals.len() > 10 { p { a href="/signals" { "Alla " (signals.len()) " signaler" } } }
            }
        };
        return ok(layout::page("Start", &staff.chrome(), body));
    }
    // A broker sees their own; admins and officers see everyone.
    let mine = (who.role == Role::Broker).then(|| who.user_id.clone());
    let (waiting, short, steps, todo) = db::run(&state.pool, move |c| {
        // "Att göra": contacts planned in the journal for today or earlier, not yet made.
        let todo = crate::journal::due(c, mine.as_deref(), today, 15)?;
        let todo_ids: Vec<String> = todo.iter().map(|d| d.seeker_id.clone()).collect();
        crate::privacy::shown(c, &who, &todo_ids, &action, now)?;
        let waiting = seekers::store::waiting_longest(c, mine.as_deref(), 15)?;
        let ids: Vec<String> = waiting.iter().map(|s| s.id.clone()).collect();
        crate::privacy::shown(c, &who, &ids, &action, now)?;
        let short = crate::placements::service::needing_candidates(c, 10)?;
        let steps: Vec<_> = placements::store::in_progress(c, mine.as_deref(), today, 200)?
            .into_iter()
            .filter(|p| p.status != crate::placements::Status::Ended)
            .take(10)
            .collect();
        let seeker_ids: Vec<String> = steps.iter().map(|p| p.seeker_id.clone()).collect();
        let names = layout::display_names(seekers::service::names(c, &who, &seeker_ids, &action, now)?);
        Ok((waiting, short, (steps, names), todo))
    })
    .await?;
    let (steps, names) = steps;
    // "Dagens förslag": a broker's own suggestions, still to act on.
    let daily = if staff.who.role == Role::Broker {
        let (st, r) = (state.clone(), staff.reader(&state.clock));
        db::run(&state.pool, move |c| crate::matching::daily::of_day(c, st.lookup(), &r, Some(&r.who.user_id), today))
            .await?
            .into_iter()
            .filter(|m| m.state == crate::matching::daily::MatchState::New)
            .collect()
    } else {
        Vec::new()
    };
    let signals = crate::signals::http::visible(&state, &staff.who, None, None).await?;
    let signal_list = super::signals::list_markup(&state, &staff, &signals, 10, true).await?;
    let body = html! {
        h1 { "Hej " (staff.who.name) }
        section #signals {
            h2 { @if staff.who.role == Role::Broker { "Mina signaler" } @else { "Signaler" } " (" (signals.len()) ")" }
            (signal_list)
            @if signals.len() > 10 { p { a href="/signals" { "Alla " (signals.len()) " signaler" } } }
        }
        @match q.klart.as_deref() {
            Some("kortlista") => p.notice.ok role="status" { "Personen ligger nu på annonsens kortlista." }
            Some("avfardad") => p.notice.ok role="status" { "Förslaget är avfärdat." }
            _ => {}
        }
        @if !daily.is_empty() {
            section #dagens-forslag {
                h2 { "Dagens förslag (" (daily.len()) ")" }
                p.muted { "Personer i din grupp som passar öppna annonser och inte finns på någon lista för dem ännu." }
                ul.list {
                    @for m in &daily {
                        li.match id=(format!("forslag-{}-{}", m.opening_id, m.seeker_id)) {
                            a href=(format!("/seekers/{}", m.seeker_id)) { (name(&m.first_name, &m.last_name)) }
                            " passar " a href=(format!("/openings/{}", m.opening_id)) { (m.headline) }
                            span.muted { " · " (super::layout::percent(m.score)) " · väntat " (days_ago(m.explanation.waiting_since, now)) }
                            p.muted {
                                "Yrke: " (m.explanation.occupation_match.label())
                                @if !m.explanation.matched.must_have.is_empty() { " · uppfyller " (m.explanation.matched.must_have.join(", ")) }
                                @if !m.explanation.missing.must_have.is_empty() { " · saknar " (m.explanation.missing.must_have.join(", ")) }
                            }
                            div.actions {
                                form method="post" action=(format!("/dagens-forslag/{}/{}/kortlista", m.opening_id, m.seeker_id)) {
                                    input type="hidden" name="csrf" value=(staff.csrf);
                                    button type="submit" { "Lägg på kortlistan" }
                                }
                                form.inline method="post" action=(format!("/dagens-forslag/{}/{}/avfarda", m.opening_id, m.seeker_id)) {
                                    input type="hidden" name="csrf" value=(staff.csrf);
                                    label for=(format!("skal-{}-{}", m.opening_id, m.seeker_id)) { "Skäl" }
                                    select id=(format!("skal-{}-{}", m.opening_id, m.seeker_id)) name="reason" {
                                        @for r in crate::matching::daily::DismissReason::ALL { option value=(r.as_str()) { (r.label()) } }
                                    }
                                    button.secondary type="submit" { "Avfärda" }
                                }
                            }
                        }
                    }
                }
            }
        }
        section #todo {
            h2 { "Att göra" }
            @if todo.is_empty() { p.muted { "Inga planerade kontakter i dag." } }
            ul.list {
                @for d in &todo {
                    li {
                        a href=(format!("/seekers/{}", d.seeker_id)) { (name(&d.first_name, &d.last_name)) }
                        span.muted { " · kontakt planerad " (date(&d.next_contact_on)) }
                    }
                }
            }
        }
        div.columns3 {
            section #waiting {
                h2 { @if staff.who.role == Role::Broker { "Mina arbetssökande" } @else { "Arbetssökande" } " – längst utan förslag först" }
                @if staff.who.role == Role::Broker { p { a href="/seekers?mine=1&status=active" { "Alla mina arbetssökande" } } }
                @if waiting.is_empty() { p.muted { "Inga aktiva arbetssökande." } }
                ol.list {
                    @for s in &waiting {
                        li {
                            a href=(format!("/seekers/{}", s.id)) { (name(&s.first_name, &s.last_name)) }
                            span.muted {
                                " · " (s.occupations.first().map(|o| occupation(o)).unwrap_or_default())
                                " · väntat " (days_ago(s.last_proposed_at.unwrap_or(s.registered_at), now))
                            }
                        }
                    }
                }
            }
            section #short {
                h2 { "Annonser som behöver kandidater" }
                @if short.is_empty() { p.muted { "Alla öppna annonser har kandidater." } }
                ul.list {
                    @for (o, in_pipeline) in &short {
                        li {
                            a href=(format!("/openings/{}", o.id)) { (o.headline) }
                            span.muted {
                                " · " (municipality(&o.workplace_address.municipality_code))
                                " · " (crate::labels::count(o.number_of_vacancies - o.filled_vacancies, "plats", "platser")) ", " (in_pipeline) " i processen"
                                @if let Some(d) = &o.application_deadline { " · sista dag " (date(d)) }
                            }
                        }
                    }
                }
            }
            section #steps {
                h2 { "Placeringar som behöver nästa steg" }
                @if steps.is_empty() { p.muted { "Inga placeringar väntar." } }
                ul.list {
                    @for p in &steps {
                        li {
                            a href=(format!("/seekers/{}", p.seeker_id)) { (names.get(&p.seeker_id).cloned().unwrap_or_default()) }
                            span.muted { " · " (p.kind.label()) " · " (p.status.label()) " sedan " (days_ago(p.updated_at, now)) }
                        }
                    }
                }
                p { a href="/placements" { "Till placeringstavlan" } }
            }
        }
    };
    ok(layout::page("Start", &staff.chrome(), body))
}
