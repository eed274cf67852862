//! Openings: a searchable list with the API's filters, and an opening's page with its
//! ranked candidates, why each ranks where it does, and a "propose" action.

use actix_web::{HttpResponse, get, http::StatusCode, post, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::kit::{Flash, clean, flash, pager, query_without_offset, search_form, with_codes};
use super::labels::{self, Label};
use super::layout::{self, date, municipality, name, occupation};
use super::propose::{ProposeForm, default_kind, do_propose, explanation, kind_select, refusal};
use super::{Staff, WebError, WebResult, page_response, see_other};
use crate::auth::Role;
use crate::error::AppError;
use crate::index::query::SearchQuery;
use crate::matching::lists::{Candidate, candidates_for_opening};
use crate::openings::{EmploymentType, OpeningSource, OpeningStatus};
use crate::search::hits::opening_hits;
use crate::state::AppState;
use crate::{db, openings, placements};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(show).service(propose).service(take_responsibility);
}

use super::kit::PAGE;

/// One row of the openings list, from a search hit or from the sorted list.
struct Row {
    id: String,
    headline: String,
    employer_id: String,
    occupation: String,
    municipality_code: String,
    employment_type: EmploymentType,
    vacancies_left: Option<i32>,
    deadline: Option<crate::clock::Day>,
    status: OpeningStatus,
    /// Known when the list comes from the database (search hits do not carry it).
    source: Option<OpeningSource>,
}

#[derive(Deserialize, Default)]
struct ListExtra {
    sort: Option<String>,
    /// `platsa` or `platsbanken`; empty: both.
    source: Option<String>,
}

/// Openings: with search words, the best match first; without, sorted by the soonest
/// deadline (or the newest, or the most vacancies). Filters by municipality and occupation
/// by name; "Mina annonser" is the openings the signed-in broker is responsible for.
#[get("/openings")]
async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    req: actix_web::HttpRequest,
    q: web::Query<SearchQuery>,
) -> WebResult {
    staff.require(Role::CASEWORK)?;
    let mut q = clean(q.into_inner());
    if req.query_string().is_empty() {
        q.status = Some(OpeningStatus::Open.as_str().into());
    }
    let extra = web::Query::<ListExtra>::from_query(req.query_string()).map(|e| e.into_inner()).unwrap_or_default();
    let sort = extra
        .sort
        .as_deref()
        .and_then(crate::openings::OpeningSort::parse)
        .unwrap_or(crate::openings::OpeningSort::Deadline);
    let mine = q.mine.as_deref() == Some("1");
    let source = extra.source.as_deref().and_then(OpeningSource::parse);
    let offset = q.offset.unwrap_or(0).max(0);
    let query = with_codes(q.clone());
    let (st, who) = (state.clone(), staff.who.clone());
    let searching = !q.q.trim().is_empty();
    let found = db::run(&state.pool, move |c| {
        let (rows, total) = if searching {
            let (hits, total) = opening_hits(c, st.lookup(), &query, (PAGE, offset))?;
            let rows = hits
                .into_iter()
                .map(|o| Row {
                    id: o.id,
                    headline: o.headline,
                    employer_id: o.employer_id,
                    occupation: o.occupation.to_string(),
                    municipality_code: o.municipality_code,
                    employment_type: o.employment_type,
                    vacancies_left: None,
                    deadline: o.application_deadline,
                    status: o.status,
                    source: None,
                })
                .collect::<Vec<_>>();
            (rows, total)
        } else {
            // Without search words the list comes from the database, in the order asked.
            let one = |v: &Option<String>, field: &str| -> Result<Option<String>, AppError> {
                match v.as_deref() {
                    Some(s) if s.contains(',') => Err(AppError::field(field, crate::error::Fault::Format, "pick one")),
                    other => Ok(other.map(str::to_string)),
                }
            };
            let filter = openings::store::OpeningFilter {
                status: query.status.clone(),
                occupation: one(&query.occupation, "occupation")?,
                municipality_code: one(&query.municipality, "municipality")?,
                broker_id: mine.then(|| who.user_id.clone()),
                sort: Some(sort.as_str().to_string()),
                source: source.map(|s| s.as_str().to_string()),
                ..Default::default()
            };
            if let Some(m) = &filter.municipality_code
                && !crate::reference::reference().municipalities.contains_key(m)
            {
                return Err(AppError::field("municipality", crate::error::Fault::Unknown, "is not a municipality"));
            }
            let (list, total) = openings::store::list(c, &who, &filter, PAGE, offset)?;
            let rows = list
                .into_iter()
                .map(|o| Row {
                    vacancies_left: Some((o.number_of_vacancies - o.filled_vacancies).max(0)),
                    id: o.id,
                    headline: o.headline,
                    employer_id: o.employer_id,
                    occupation: o.occupation.to_string(),
                    municipality_code: o.workplace_address.municipality_code,
                    employment_type: o.employment_type,
                    deadline: o.application_deadline,
                    status: o.status,
                    source: Some(o.source),
                })
                .collect::<Vec<_>>();
            (rows, total)
        };
        let ids: Vec<String> = rows.iter().map(|r| r.employer_id.clone()).collect();
        let employers = crate::employers::names(c, &ids)?;
        Ok((rows, total, employers))
    })
    .await;
    let (items, total, employers, error) = match found {
        Ok((items, total, employers)) => (items, total, employers, None),
        Err(AppError::Validation(errors)) => (vec![], 0, Default::default(), Some(errors)),
        Err(e) => return Err(e.into()),
    };
    let keep = |s: crate::openings::OpeningSort| {
        let rest: Vec<&str> = req
            .query_string()
            .split('&')
            .filter(|p| !p.starts_with("sort=") && !p.starts_with("offset=") && !p.is_empty())
            .collect();
        format!("/openings?{}{}sort={}", rest.join("&"), if rest.is_empty() { "" } else { "&" }, s.as_str())
    };
    let with_source = |s: Option<OpeningSource>| {
        let mut parts: Vec<&str> = req
            .query_string()
            .split('&')
            .filter(|p| !p.starts_with("source=") && !p.starts_with("offset=") && !p.is_empty())
            .collect();
        let chosen = s.map(|s| format!("source={}", s.as_str()));
        parts.extend(chosen.as_deref());
        format!("/openings?{}", parts.join("&"))
    };
    let body = html! {
        h1 { @if mine { "Mina annonser" } @else { "Annonser" } }
        p.muted {
            @if mine { a href="/openings" { "Visa alla" } } @else { a href="/openings?mine=1&status=open" { "Mina annonser" } }
            " · " (crate::labels::count(total, "annons", "annonser"))
        }
        (search_form::<OpeningStatus>("/openings", &q, false))
        @if !searching {
            p.sorting { "Sortera: "
                @for s in crate::openings::OpeningSort::ALL {
                    @if *s == sort { strong { (s.label()) } } @else { a href=(keep(*s)) { (s.label()) } }
                    " "
                }
                " · Källa: "
                @if source.is_none() { strong { "Alla" } } @else { a href=(with_source(None)) { "Alla" } }
                @for s in OpeningSource::ALL {
                    " "
                    @if source == Some(*s) { strong { (s.label()) } } @else { a href=(with_source(Some(*s))) { (s.label()) } }
                }
            }
        }
        @if let Some(errors) = &error {
            div.notice.error role="alert" { @for e in errors { p { "Filtret: " (labels::field_problem(e)) } } }
        }
        div.scroll tabindex="0" role="region" aria-label="Annonser" {
            table.results {
                thead { tr { th { "Annons" } th { "Arbetsgivare" } th { "Yrke" } th { "Ort" } th { "Anställning" } th { "Platser kvar" } th { "Sista dag" } th { "Status" } } }
                tbody {
                    @for o in &items {
                        tr {
                            td { a href=(format!("/openings/{}", o.id)) { (o.headline) }
                                 @if o.source == Some(OpeningSource::Platsbanken) { " " span.tag title="Från Platsbanken" { "Platsbanken" } } }
                            td { a href=(format!("/employers/{}", o.employer_id)) { (employers.get(&o.employer_id).cloned().unwrap_or_default()) } }
                            td { (occupation(&o.occupation)) }
                            td { (municipality(&o.municipality_code)) }
                            td { (o.employment_type.label()) }
                            td { (o.vacancies_left.map(|v| v.to_string()).unwrap_or_else(|| "–".into())) }
                            td { (o.deadline.as_deref().map(date).unwrap_or_default()) }
                            td { (o.status.label()) }
                        }
                    }
                }
            }
        }
        @if items.is_empty() && error.is_none() { p.muted { "Inga annonser matchar." } }
        (pager("/openings", &query_without_offset(&req), offset, items.len(), total))
    };
    super::ok(layout::page(if mine { "Mina annonser" } else { "Annonser" }, &staff.chrome(), body))
}

#[derive(Deserialize)]
struct ShowQuery {
    #[serde(default, deserialize_with = "crate::http::blank_as_none")]
    offset: Option<i64>,
    proposed: Option<String>,
    kortlista: Option<String>,
    kortlista_fel: Option<String>,
    #[serde(flatten)]
    filter: CandidateForm,
}

/// The candidate filter as the opening page's form holds it: names or codes.
#[derive(Deserialize, Default, Clone)]
pub struct CandidateForm {
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    licence: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    available_before: String,
}

impl CandidateForm {
    fn to_filter(&self) -> Result<crate::matching::lists::CandidateFilter, AppError> {
        use crate::taxonomy::{Vocabulary, best};
        let code = |v: Vocabulary, t: &str| {
            let t = t.trim();
            (!t.is_empty()).then(|| best(v, t).map(|x| x.code).unwrap_or_else(|| t.to_string()))
        };
        let available_before = match self.available_before.trim() {
            "" => None,
            d => Some(
                d.parse()
                    .map_err(|_| AppError::field("available_before", crate::error::Fault::Format, "YYYY-MM-DD"))?,
            ),
        };
        crate::matching::lists::CandidateFilter {
            municipality: code(Vocabulary::Municipalities, &self.municipality),
            licence: Some(self.licence.trim().to_uppercase()).filter(|l| !l.is_empty()),
            language: code(Vocabulary::Languages, &self.language),
            available_before,
        }
        .validate()
    }

    fn query(&self) -> String {
        [
            ("municipality", &self.municipality),
            ("licence", &self.licence),
            ("language", &self.language),
            ("available_before", &self.available_before),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", super::urlencode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

async fn opening_page(
    state: &web::Data<AppState>,
    staff: &Staff,
    id: String,
    offset: i64,
    message: Option<Flash>,
    status_code: StatusCode,
    shown_filter: &CandidateForm,
) -> WebResult {
    let (st, who, action) = (state.clone(), staff.who.clone(), staff.action.clone());
    let now = state.clock.now_ts();
    let today = state.clock.today();
    // The form's names read as codes; a filter that names nothing known is said on the page.
    let (filter, filter_error) = match shown_filter.to_filter() {
        Ok(f) => (f, None),
        Err(e) => (Default::default(), Some(labels::app_error(&e).1)),
    };
    let (opening, listed, pipeline, names, employer, short) = db::run(&state.pool, move |c| {
        let opening = openings::store::get_visible(c, &who, &id)?;
        let employer = crate::employers::get(c, &opening.employer_id)?;
        let responsible = match opening.broker_id.as_deref() {
            Some(b) => crate::auth::store::user(c, b)?.map(|u| u.name),
            None => None,
        };
        let contacts = crate::employers::contacts::list(c, &opening.employer_id)?;
        let ranked = candidates_for_opening(c, st.lookup(), &who, &id, (PAGE, offset), &filter, &action)?;
        let filter = placements::store::PlacementFilter { opening_id: Some(id.clone()), ..Default::default() };
        let (pipeline, _) = placements::store::list(c, &filter, 100, 0)?;
        let ids: Vec<String> = pipeline.iter().map(|p| p.seeker_id.clone()).collect();
        let names = super::layout::display_names(crate::seekers::service::names(c, &who, &ids, &action, now)?);
        // The shortlist, with names (an audited read).
        let short = crate::shortlist::list(c, &id, today)?;
        let requests = crate::shortlist::request_states(c, &id)?;
        let short_ids: Vec<String> = short.iter().map(|e| e.seeker_id.clone()).collect();
        let short_names =
            super::layout::display_names(crate::seekers::service::names(c, &who, &short_ids, &action, now)?);
        Ok((opening, ranked, pipeline, names, (employer, contacts, responsible), (short, short_names, requests)))
    })
    .await?;
    let (candidates, total) = (&listed.items, listed.total);
    // The requirement check, against the register as it is now.
    let warnings = crate::accountability::requirements::warnings(
        &state.search,
        &state.settings.matching,
        state.settings.accountability.requirement_exclusion_share,
        &crate::matching::rank::OpeningProfile::new(&opening),
        crate::reference::reference()
            .municipalities
            .get(&opening.workplace_address.municipality_code)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| opening.workplace_address.municipality_code.clone()),
    );
    let can_propose = matches!(staff.who.role, Role::Broker | Role::Admin) && opening.status == OpeningStatus::Open;
    // "Ej aktuell" on the shortlist: not shown among the candidates again.
    let gw = crate::messages::gateway::Gateways::from_settings(&state.settings);
    let sends = super::shortlist::Sends {
        requests: short.2.clone(),
        sms: gw.configured(crate::messages::Channel::Sms),
        email: gw.configured(crate::messages::Channel::Email),
    };
    let hidden: Vec<&str> = short.0.iter().filter(|e| e.status.is_out()).map(|e| e.seeker_id.as_str()).collect();
    let o = &opening;
    let body = html! {
        (flash(&message))
        article.opening {
            h1 { (o.headline) }
            p.employer { a href=(format!("/employers/{}", employer.0.id)) { (employer.0.name) }
                @if let Some(k) = employer.1.first() {
                    " · kontakt: " strong { (k.name) } @if let Some(r) = &k.role { " (" (r) ")" }
                    @if let Some(p) = &k.phone { " · " a href=(format!("tel:{p}")) { (p) } }
                    @if let Some(e) = &k.email { " · " a href=(format!("mailto:{e}")) { (e) } }
                } @else { span.muted { " · ingen kontaktperson ännu" } } }
            p.responsible { "Ansvarig jobbmäklare: " (employer.2.clone().unwrap_or_else(|| "ingen än".into()))
                @if staff.who.role == Role::Broker && o.broker_id.as_deref() != Some(staff.who.user_id.as_str()) && !staff.csrf.is_empty() {
                    form.inline method="post" action=(format!("/openings/{}/responsible", o.id)) {
                        input type="hidden" name="csrf" value=(staff.csrf);
                        button.secondary type="submit" { "Jag ansvarar för annonsen" }
                    }
                } }
            @if o.source == OpeningSource::Platsbanken {
                p.source {
                    "Från Platsbanken"
                    @if let Some(url) = &o.webpage_url { " · " a href=(url) rel="noopener noreferrer" target="_blank" { "Se annonsen hos Arbetsförmedlingen" } }
                    span.muted { " · annonsen ändras där, och följer med hit" }
                }
            }
            p.meta {
                (occupation(&o.occupation)) " · " (municipality(&o.workplace_address.municipality_code))
                " · " (o.employment_type.label()) " · " (crate::labels::count(o.number_of_vacancies, "plats", "platser")) " (" (o.filled_vacancies) " tillsatta)"
                " · " (o.status.label())
            }
            dl.facts {
                @if let Some(d) = &o.start_date { dt { "Start" } dd { (date(d)) } }
                @if let Some(d) = &o.application_deadline { dt { "Sista ansökningsdag" } dd { (date(d)) } }
                @if let Some(s) = &o.scope_of_work { dt { "Omfattning" } dd { (s.min) "–" (s.max) " %" } }
                dt { "Krav" } dd { (requirements(&o.must_have)) }
                dt { "Meriterande" } dd { (requirements(&o.nice_to_have)) }
            }
            @if !warnings.is_empty() {
                div.notice.requirements role="note" {
                    p { strong { "Kravprövning" } " – krav kan utestänga fler än de behöver, och fungera som ombud för ursprung eller ålder:" }
                    ul { @for w in &warnings { li { (w.message) span.muted { " (" (w.excluded) " av " (w.of) ", " (w.requirement.label()) ")" } } } }
                }
            }
            p.description { (o.description) }
        }
        @if !pipeline.is_empty() {
            section.pipeline {
                h2 { "I processen" }
                ul.list {
                    @for p in &pipeline {
                        li { a href=(format!("/seekers/{}", p.seeker_id)) { (names.get(&p.seeker_id).cloned().unwrap_or_default()) }
                             span.muted { " · " (p.kind.label()) " · " (p.status.label()) } }
                    }
                }
            }
        }
        (super::shortlist::section(o, &short.0, &short.1, &staff.csrf, today, &sends))
        section #candidates {
            h2 { "Kandidater" span.muted { " – " (total) " möjliga, bäst först" } }
            form.filters method="get" action=(format!("/openings/{}", o.id)) {
                label { "Bor i kommun" input #c-municipality name="municipality" value=(shown_filter.municipality) data-typeahead="municipalities" autocomplete="off"; }
                label { "Körkort" input name="licence" value=(shown_filter.licence) size="4" placeholder="B"; }
                label { "Språk" input #c-language name="language" value=(shown_filter.language) data-typeahead="languages" autocomplete="off"; }
                label { "Tillgänglig senast" input type="date" name="available_before" value=(shown_filter.available_before); }
                button type="submit" { "Filtrera" }
            }
            @if let Some(e) = &filter_error { p.notice.error role="alert" { "Filtret: " (e) } }
            @if !shown_filter.query().is_empty() { p.muted { "Filtrerat bland de " (crate::matching::lists::FILTER_WINDOW) " bäst rankade. " a href=(format!("/openings/{}", o.id)) { "Visa alla" } } }
            p.muted { "Rangordnat efter yrke, krav, avstånd, egen beskrivning, meriter och tillgänglighet. Kön, ålder och ursprung används aldrig. Bland nästan lika bra kandidater går den som väntat längst först." }
            @if candidates.is_empty() { p.muted { "Inga kandidater hittades." } }
            ol.candidates start=(offset + 1) {
                @for cand in candidates.iter().filter(|c| !hidden.contains(&c.id.as_str())) {
                    (candidate((cand, &listed.ranking_log_id), o, can_propose, &staff.csrf, now, short.0.iter().find(|e| e.seeker_id == cand.id)))
                }
            }
            @if !hidden.is_empty() {
                p.muted { (hidden.len()) " på sidan dolda som ej aktuella (se kortlistan)." }
            }
            (pager(&format!("/openings/{}", o.id), &shown_filter.query(), offset, candidates.len(), total))
        }
    };
    Ok(page_response(status_code, layout::page(&o.headline, &staff.chrome(), body)))
}

fn requirements(r: &openings::Requirements) -> Markup {
    html! {
        @if r.is_empty() { "–" }
        @for s in &r.skills { span.tag { (s.label) } " " }
        @for l in &r.languages { span.tag { (crate::reference::reference().languages.get(&l.code).cloned().unwrap_or(l.code.clone())) " (" (l.level.label()) ")" } " " }
        @for d in &r.driving_licences { span.tag { "Körkort " (d) } " " }
    }
}

fn candidate(
    (c, ranking_log_id): (&Candidate, &str),
    o: &openings::Opening,
    can_propose: bool,
    csrf: &str,
    now: i64,
    listed: Option<&crate::shortlist::Entry>,
) -> Markup {
    html! {
        li.candidate data-seeker=(c.id) {
            div.head {
                span.score title="Poäng 0–1" { (crate::export::decimal(c.score, 2)) }
                a.name href=(format!("/seekers/{}", c.id)) { (name(&c.first_name, &c.last_name)) }
                span.muted {
                    " · " (municipality(&c.municipality_code))
                    @if let Some(d) = &c.available_from { " · tillgänglig " (date(d)) }
                }
                @match listed {
                    Some(e) => span.tag.listed { "Kortlistan: " (e.status.label()) },
                    None => @if can_propose {
                        form.shortlist method="post" action=(format!("/openings/{}/shortlist", o.id)) {
                            input type="hidden" name="csrf" value=(csrf);
                            input type="hidden" name="seeker_id" value=(c.id);
                            button.secondary type="submit" { "Lägg på kortlistan" }
                        }
                    },
                }
                @if can_propose {
                    form.propose method="post" action=(format!("/openings/{}/propose", o.id)) {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="seeker_id" value=(c.id);
                        input type="hidden" name="ranking_log_id" value=(ranking_log_id);
                        (kind_select(default_kind(o.employment_type)))
                        button type="submit" { "Föreslå" }
                    }
                }
            }
            (explanation(&c.explanation, now))
        }
    }
}

#[get("/openings/{id}")]
async fn show(state: web::Data<AppState>, staff: Staff, id: web::Path<String>, q: web::Query<ShowQuery>) -> WebResult {
    staff.require(Role::CASEWORK)?;
    let message = match (&q.proposed, &q.kortlista, &q.kortlista_fel) {
        (Some(_), _, _) => Some(Flash::Done("Förslaget är registrerat. Följ det på placeringstavlan.".into())),
        (_, Some(k), _) if k == "begard" => Some(
            if crate::messages::gateway::Gateways::from_settings(&state.settings)
                .configured(crate::messages::Channel::Sms)
            {
                Flash::Done("Förfrågan om samtycke är skickad. Leveransen syns vid personen på kortlistan.".into())
            } else {
                Flash::Failed(
                    "Förfrågan är sparad men kan inte skickas: ingen sms-tjänst är inställd. Ring personen i stället."
                        .into(),
                )
            },
        ),
        (_, Some(_), _) => Some(Flash::Done("Kortlistan är uppdaterad.".into())),
        (_, _, Some(code)) => Some(Flash::Failed(super::shortlist::refusal(code))),
        _ => None,
    };
    let filter = q.filter.clone();
    opening_page(&state, &staff, id.into_inner(), q.offset.unwrap_or(0).max(0), message, StatusCode::OK, &filter).await
}

#[post("/openings/{id}/propose")]
async fn propose(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<ProposeForm>,
) -> Result<HttpResponse, WebError> {
    staff.check(&form.csrf)?;
    let id = id.into_inner();
    let new = form.placement(Some(id.clone()))?;
    match do_propose(&state, &staff, new).await? {
        Ok(placement) => Ok(see_other(&format!("/openings/{id}?proposed={placement}"))),
        Err(e) => {
            let code = actix_web::ResponseError::status_code(&e);
            opening_page(&state, &staff, id, 0, Some(Flash::Failed(refusal(&e))), code, &CandidateForm::default()).await
        }
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// The signed-in broker takes responsibility for the opening ("Mina annonser").
#[post("/openings/{id}/responsible")]
async fn take_responsibility(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    f: web::Form<CsrfOnly>,
) -> WebResult {
    staff.check(&f.csrf)?;
    staff.require(&[Role::Broker])?;
    let (id, now, who) = (id.into_inner(), state.clock.now_ts(), staff.who.clone());
    let opening = id.clone();
    db::run(&state.pool, move |c| openings::store::set_broker(c, now, &who, &opening, Some(&who.user_id))).await?;
    Ok(see_other(&format!("/openings/{id}")))
}
