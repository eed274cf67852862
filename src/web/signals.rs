//! `/signals`: what needs someone to act now, each with its reason and a link to the people
//! behind it; `/signals/people`: those people for one unit's process. Managers see every
//! signal and, behind a process, how many people each broker has there (no names); brokers
//! and admins see the names (an audited read).

use std::collections::BTreeMap;

use actix_web::{get, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::labels::Label;
use super::layout::{self, date, days_ago, instant, name};
use super::{Staff, WebResult, ok, urlencode};
use crate::auth::Role;
use crate::processes::{Measure, behind};
use crate::signals::SignalKind;
use crate::signals::http::{Shown, visible};
use crate::state::AppState;
use crate::{audit, db};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(page).service(people);
}

const READERS: &[Role] = &[Role::Manager, Role::Admin, Role::Broker, Role::Officer];

#[derive(Deserialize)]
struct SignalQuery {
    kind: Option<String>,
    /// One broker's signals (a user id, or `ingen`), shown one by one.
    broker: Option<String>,
}

/// A kind with more signals about people than this is shown as counts per broker, each
/// count opening that broker's list (a manager acts on whose caseload, not on 255 rows).
const GROUP_OVER: usize = 5;

/// The signals as a list, grouped by kind, with names for the seekers and headlines for the
/// openings they are about; with `grouped`, a kind's many signals about people as counts per
/// broker. Used by this page and the start page.
pub async fn list_markup(
    state: &AppState,
    staff: &Staff,
    signals: &[Shown],
    limit: usize,
    grouped: bool,
) -> Result<Markup, super::WebError> {
    let (who, action, now) = (staff.who.clone(), staff.action.clone(), state.clock.now_ts());
    let mut by_kind: BTreeMap<SignalKind, Vec<&Shown>> = BTreeMap::new();
    for s in signals {
        by_kind.entry(s.signal.kind).or_default().push(s);
    }
    // Per kind: its signals about people counted by broker (when grouped and many), and
    // the signals shown one by one.
    let counted =
        |items: &[&Shown]| grouped && items.iter().filter(|s| s.signal.seeker_id.is_some()).count() > GROUP_OVER;
    let counted_kinds: Vec<SignalKind> = by_kind.iter().filter(|(_, items)| counted(items)).map(|(k, _)| *k).collect();
    let mut counts: BTreeMap<SignalKind, BTreeMap<Option<String>, usize>> = BTreeMap::new();
    let mut single: Vec<&Shown> = Vec::new();
    // In the order the signals come (the most pressing first), the first `limit` one by one.
    for s in signals {
        if counted_kinds.contains(&s.signal.kind) && s.signal.seeker_id.is_some() {
            *counts.entry(s.signal.kind).or_default().entry(s.signal.broker_id.clone()).or_default() += 1;
        } else {
            single.push(s);
        }
    }
    single.truncate(limit);
    let seeker_ids: Vec<String> = single.iter().filter_map(|s| s.signal.seeker_id.clone()).collect();
    let opening_ids: Vec<String> = single.iter().filter_map(|s| s.signal.opening_id.clone()).collect();
    let can_name = !matches!(who.role, Role::Manager);
    let broker_ids: Vec<String> = single
        .iter()
        .filter_map(|s| s.signal.broker_id.clone())
        .chain(counts.values().flat_map(|c| c.keys().flatten().cloned()))
        .collect();
    let (names, headlines, brokers) = db::run(&state.pool, move |c| {
        let names = if can_name && !seeker_ids.is_empty() {
            super::layout::display_names(crate::seekers::service::names(c, &who, &seeker_ids, &action, now)?)
        } else {
            Default::default()
        };
        let headlines = crate::openings::store::headlines(c, &opening_ids)?;
        Ok((names, headlines, audit::user_names(c, &broker_ids)?))
    })
    .await?;
    let broker_name =
        |b: Option<&String>| b.and_then(|b| brokers.get(b)).cloned().unwrap_or_else(|| "Ingen jobbmäklare".into());
    Ok(html! {
        @if signals.is_empty() { p.muted { "Inga signaler just nu." } }
        @for (kind, items) in by_kind.iter().filter(|(k, _)| counts.contains_key(*k) || single.iter().any(|s| s.signal.kind == **k)) {
            section.signals {
                h2 { (kind.label()) " (" (items.len()) ")" }
                @if let Some(per_broker) = counts.get(kind) {
                    table.per-broker {
                        caption { (kind.label()) " per jobbmäklare" }
                        thead { tr { th scope="col" { "Jobbmäklare" } th scope="col" { "Arbetssökande" } } }
                        tbody { @for (broker, n) in per_broker {
                            tr {
                                th scope="row" { (broker_name(broker.as_ref())) }
                                td { a href=(format!("/signals?kind={kind}&broker={}", urlencode(broker.as_deref().unwrap_or(NO_BROKER)))) { (n) } }
                            }
                        } }
                    }
                }
                ul.list {
                    @for s in single.iter().filter(|s| s.signal.kind == *kind) {
                        @let sig = &s.signal;
                        li class=(format!("signal {}", kind.as_str())) {
                            @if sig.seeker_id.is_some() && !can_name {
                                // Managers see figures, never names: whose caseload it is.
                                "En arbetssökande hos "
                                (sig.broker_id.as_ref().and_then(|b| brokers.get(b)).cloned().unwrap_or_else(|| "ingen jobbmäklare".into()))
                                " – "
                            } @else if let Some(id) = &sig.seeker_id {
                                a href=(sig.link) { (names.get(id).cloned().unwrap_or_else(|| "Arbetssökande".into())) }
                                @if let Some(o) = &sig.opening_id {
                                    " · " a href=(format!("/openings/{o}")) { (headlines.get(o).cloned().unwrap_or_default()) }
                                }
                                " – "
                            } @else if let Some(o) = &sig.opening_id {
                                a href=(sig.link) { (headlines.get(o).cloned().unwrap_or_default()) } " – "
                            }
                            (s.reason)
                            @if sig.seeker_id.is_none() && sig.opening_id.is_none() {
                                " " a href=(sig.link) { "Visa vilka det gäller" }
                            }
                        }
                    }
                }
            }
        }
    })
}

/// The `broker` filter's value for signals about people nobody is responsible for.
const NO_BROKER: &str = "ingen";

#[get("/signals")]
async fn page(state: web::Data<AppState>, staff: Staff, q: web::Query<SignalQuery>) -> WebResult {
    staff.require(READERS)?;
    let kind = q.kind.as_deref().and_then(SignalKind::parse);
    let mut signals = visible(&state, &staff.who, kind, None).await?;
    let broker = q.broker.clone().filter(|b| !b.is_empty());
    if let Some(b) = &broker {
        signals.retain(|s| s.signal.broker_id.as_deref().unwrap_or(NO_BROKER) == b);
    }
    let list = list_markup(&state, &staff, &signals, 500, broker.is_none()).await?;
    let body = html! {
        h1 { "Signaler" }
        p.muted { "Det som behöver göras nu, räknat ur uppgifterna i Platsa. "
            @match staff.who.role {
                Role::Broker => "Du ser dina arbetssökande, annonser och samtyckesfrågor, och processerna i dina enheter.",
                Role::Officer => "Du ser mötestider och uteblivna möten.",
                _ => "Du ser alla enheters signaler.",
            } }
        @if broker.is_some() { p { "En jobbmäklares signaler. " a href=(format!("/signals{}", kind.map(|k| format!("?kind={k}")).unwrap_or_default())) { "Alla jobbmäklare" } } }
        nav.filters aria-label="Slag av signal" {
            a href="/signals" { "Alla" }
            @for k in SignalKind::ALL { " · " a href=(format!("/signals?kind={k}")) { (k.label()) } }
        }
        (list)
    };
    ok(layout::page("Signaler", &staff.chrome(), body))
}

#[derive(Deserialize)]
struct PeopleQuery {
    unit: String,
    measure: String,
}

#[get("/signals/people")]
async fn people(state: web::Data<AppState>, staff: Staff, q: web::Query<PeopleQuery>) -> WebResult {
    staff.require(&[Role::Manager, Role::Admin, Role::Broker])?;
    let measure = Measure::parse(&q.measure)
        .ok_or_else(|| crate::error::AppError::field("measure", crate::error::Fault::Unknown, "no such measure"))?;
    let (who, action, now) = (staff.who.clone(), staff.action.clone(), state.clock.now_ts());
    let clock = state.settings.signals.decisions.clock;
    let unit = q.unit.clone();
    let can_name = !matches!(who.role, Role::Manager);
    let (list, brokers) = db::run(&state.pool, move |c| {
        let list = behind(c, measure, &unit, (now, clock))?;
        let ids: Vec<String> = list.iter().filter_map(|p| p.seeker_id.clone()).collect();
        if can_name {
            crate::privacy::shown(c, &who, &ids, &action, now)?;
        }
        let broker_ids: Vec<String> = list.iter().filter_map(|p| p.broker_id.clone()).collect();
        Ok((list, audit::user_names(c, &broker_ids)?))
    })
    .await?;
    let mut per_broker: BTreeMap<String, usize> = BTreeMap::new();
    for p in &list {
        let b =
            p.broker_id.as_ref().and_then(|b| brokers.get(b)).cloned().unwrap_or_else(|| "Ingen jobbmäklare".into());
        *per_broker.entry(b).or_default() += 1;
    }
    let what = match measure {
        Measure::ShareContacted14Days => "Aktiva utan kontakt de senaste 14 dagarna, längst tystnad först.",
        Measure::ExitsToWorkOrStudies | Measure::Proposals | Measure::MedianDaysToFirstProposal => {
            "Aktiva utan förslag på 30 dagar, längst väntan först."
        }
        Measure::MedianHoursToMeeting | Measure::ShareMetNextWorkingDay => {
            "Sökande denna månad som inte fick möte nästa arbetsdag."
        }
        Measure::NoShowShare => "Sökande denna månad som uteblev från sitt möte.",
        Measure::ShareWithAgreedPlan => "Aktiva utan överenskommen planering, längst sedan inskrivning först.",
        Measure::AttendanceRate => "Aktiva med ogiltig frånvaro denna månad.",
        Measure::MedianHoursToDecision | Measure::ShareDecidedWithin24h => {
            "Sökande denna månad som inte fick beslut inom 24 timmar."
        }
    };
    let body = html! {
        h1 { (measure.label()) " – " (q.unit) }
        p { (what) " " (list.len()) " personer." }
        p { a href=(format!("/reports/processes?unit={}", urlencode(&q.unit))) { "Till processerna" } " · " a href="/signals" { "Till signalerna" } }
        @if can_name {
            ol.list #people {
                @for p in &list {
                    li {
                        @match &p.seeker_id {
                            Some(id) => a href=(format!("/seekers/{id}")) { (name(&p.first_name, &p.last_name)) },
                            None => (name(&p.first_name, &p.last_name)),
                        }
                        span.muted {
                            @match p.meeting {
                                Some((at, status)) => { " · ansökte " (instant(p.since)) " · möte " (instant(at)) " (" (status.label()) ")" }
                                None => { " · sedan " (date(&crate::clock::stockholm_date(p.since).to_string())) " (" (days_ago(p.since, now)) ")" }
                            }
                        }
                    }
                }
            }
        } @else {
            p.muted { "Namnen visas för jobbmäklarna. Per jobbmäklare:" }
            table #per-broker {
                thead { tr { th scope="col" { "Jobbmäklare" } th scope="col" { "Antal" } } }
                tbody { @for (b, n) in &per_broker { tr { td { (b) } td { (n) } } } }
            }
        }
    };
    ok(layout::page(&format!("{} – {}", measure.label(), q.unit), &staff.chrome(), body))
}
