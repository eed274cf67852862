//! Mina sidor (`/mina-sidor`): the person's own case on a phone, signed in with
//! e-legitimation. Without a session a page sends the person to the citizen provider and
//! back; without `[citizen_oidc]` the pages say so and link nothing. Forms are Post/Redirect/
//! Get and carry the anonymous forms' double-submit token.

use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, post, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::apply::{BookForm, Offer, offers_page, officer_names, refused, unexpected, with_csrf};
use super::labels::Label;
use super::layout::{self, Chrome, clock_time, instant};
use super::session::check_anonymous;
use super::{WebResult, page_response, see_other, urlencode};
use crate::booking::BookingStatus;
use crate::booking::store::Booking;
use crate::error::AppError;
use crate::identity::Purpose;
use crate::mina_sidor::extract::SECTIONS;
use crate::mina_sidor::http::{me_of, month_of};
use crate::mina_sidor::service::{self, Me};
use crate::mina_sidor::{ConsentAnswer, ReviewAbout, ReviewInput};
use crate::shortlist::ConsentState;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(home)
        .service(meetings)
        .service(meeting_ics)
        .service(cancel_confirm)
        .service(cancel)
        .service(move_offers)
        .service(move_meeting)
        .service(plan)
        .service(consents)
        .service(answer_consent)
        .service(explanations)
        .service(extract)
        .service(extract_json)
        .service(reviews)
        .service(ask_review)
        .service(sign_out);
}

/// The signed-in person, or the answer that gets them signed in (or says Mina sidor is not
/// set up here).
async fn signed_in(state: &AppState, req: &HttpRequest) -> Result<Me, HttpResponse> {
    if state.settings.citizen_oidc.is_none() {
        let body = html! {
            section.notice {
                h1 { "Mina sidor" }
                p { "Mina sidor kräver inloggning med e-legitimation, som inte är inställd här. Kontakta din handläggare för att få veta hur ditt ärende går." }
            }
        };
        return Err(page_response(StatusCode::NOT_FOUND, layout::page("Mina sidor", &Chrome::anonymous(), body)));
    }
    match me_of(req).await {
        Ok(Some(me)) => Ok(me),
        Ok(None) => {
            let next =
                req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/mina-sidor".into());
            let next = if req.method() == actix_web::http::Method::GET { next } else { "/mina-sidor".into() };
            Err(super::oidc::start(state, req, Purpose::MinaSidor, &next).await.unwrap_or_else(|e| {
                use actix_web::ResponseError;
                e.error_response()
            }))
        }
        Err(e) => Err(actix_web::ResponseError::error_response(&super::WebError::from(e))),
    }
}

/// Mina sidor's navigation and sign-out, above every page.
fn frame(csrf: &str, me: &Me, current: &str, body: Markup) -> Markup {
    const LINKS: [(&str, &str); 7] = [
        ("/mina-sidor", "Översikt"),
        ("/mina-sidor/tider", "Mina tider"),
        ("/mina-sidor/planering", "Min planering"),
        ("/mina-sidor/samtycken", "Samtycken"),
        ("/mina-sidor/forklaringar", "Varför föreslogs jag?"),
        ("/mina-sidor/uppgifter", "Mina uppgifter"),
        ("/mina-sidor/omprovning", "Begär omprövning"),
    ];
    html! {
        nav.mina aria-label="Mina sidor" {
            ul {
                @for (href, text) in LINKS {
                    li { a href=(href) aria-current=[(href == current).then_some("page")] { (text) } }
                }
            }
            form.inline method="post" action="/mina-sidor/logga-ut" {
                input type="hidden" name="csrf" value=(csrf);
                span.muted { (me.given_name) " " (me.family_name) " " }
                button.secondary type="submit" { "Logga ut" }
            }
        }
        section.mina { (body) }
    }
}

fn page(
    req: &HttpRequest,
    status: StatusCode,
    title: &str,
    me: &Me,
    current: &str,
    body: impl FnOnce(&str) -> Markup,
) -> HttpResponse {
    with_csrf(req, status, title, |csrf| frame(csrf, me, current, body(csrf)))
}

macro_rules! me_or_return {
    ($state:expr, $req:expr) => {
        match signed_in(&$state, &$req).await {
            Ok(me) => me,
            Err(res) => return Ok(res),
        }
    };
}

#[derive(Deserialize)]
struct Notice {
    klart: Option<String>,
}

/// What a finished step says on the page it returns to.
fn done_text(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "avbokad" => Some("Ditt möte är avbokat."),
        "flyttad" => Some("Ditt möte är flyttat till den nya tiden."),
        "ja" => Some("Tack! Du har gett ditt samtycke. Din jobbmäklare får veta det."),
        "nej" => Some("Du har tackat nej. Du presenteras inte för arbetsgivaren."),
        "aterkallad" => Some("Ditt samtycke är återkallat. Arbetsgivaren ser inte längre dina uppgifter."),
        "skickad" => Some("Din begäran är skickad. Du får svar här på sidan."),
        _ => None,
    }
}

fn notice(q: &Notice) -> Markup {
    html! { @if let Some(t) = done_text(q.klart.as_deref()) { p.notice role="status" { (t) } } }
}

#[get("/mina-sidor")]
async fn home(state: web::Data<AppState>, req: HttpRequest) -> WebResult {
    let me = me_or_return!(state, req);
    let person = service::person(&state.pool, &me).await?;
    Ok(page(&req, StatusCode::OK, "Mina sidor", &me, "/mina-sidor", |_| {
        html! {
            h1 { "Mina sidor" }
            p { "Hej " (person.given_name) "! Här ser du ditt ärende hos kommunens arbetsmarknadsenhet." }
            @if !person.registered {
                p.notice { "Det finns ännu ingen profil om dig. Den skrivs in vid ditt första möte; dina ansökningar och tider ser du redan nu." }
            }
            ul.cards {
                li { a href="/mina-sidor/tider" { strong { "Mina tider" } } br; "Dina möten: byt eller avboka." }
                li { a href="/mina-sidor/planering" { strong { "Min planering" } } br; "Dina aktiviteter och din närvaro." }
                li { a href="/mina-sidor/samtycken" { strong { "Samtycken" } } br; "Svara på frågor om att presenteras för arbetsgivare." }
                li { a href="/mina-sidor/forklaringar" { strong { "Varför föreslogs jag?" } } br; "Vad förslagen bygger på." }
                li { a href="/mina-sidor/uppgifter" { strong { "Mina uppgifter" } } br; "Allt vi har om dig (registerutdrag)." }
                li { a href="/mina-sidor/omprovning" { strong { "Begär omprövning" } } br; "Tycker du att något blivit fel? Skriv till oss." }
            }
        }
    }))
}

fn meeting_card(b: &Booking, now: i64) -> Markup {
    let upcoming = b.status == BookingStatus::Booked && b.starts_ts > now;
    html! {
        article.meeting {
            h2 { (instant(b.starts_ts)) "–" (clock_time(b.ends_ts)) }
            p { "Du träffar " (b.officer_name) ", " (b.unit) "." }
            @if let Some(a) = &b.address { p.address { "Adress: " strong { (a) } } }
            p { "Status: " strong { (b.status.label()) } }
            @if upcoming {
                p { a.button href=(format!("/mina-sidor/tider/{}.ics", urlencode(&b.id))) download { "Lägg till i kalendern (.ics)" } }
                div.actions {
                    a.button href=(format!("/mina-sidor/tider/{}/byt", urlencode(&b.id))) { "Byt tid" }
                    a.button.secondary href=(format!("/mina-sidor/tider/{}/avboka", urlencode(&b.id))) { "Avboka" }
                }
            }
        }
    }
}

#[get("/mina-sidor/tider")]
async fn meetings(state: web::Data<AppState>, req: HttpRequest, q: web::Query<Notice>) -> WebResult {
    let me = me_or_return!(state, req);
    let list = service::bookings(&state.pool, &me).await?;
    let now = me.now;
    Ok(page(&req, StatusCode::OK, "Mina tider", &me, "/mina-sidor/tider", |_| {
        html! {
            h1 { "Mina tider" }
            (notice(&q))
            @if list.is_empty() {
                p { "Du har inga bokade möten. " a href="/apply" { "Ansök och boka en tid" } "." }
            }
            @for b in &list { (meeting_card(b, now)) }
        }
    }))
}

#[get("/mina-sidor/tider/{id}.ics")]
async fn meeting_ics(state: web::Data<AppState>, req: HttpRequest, id: web::Path<String>) -> WebResult {
    let me = me_or_return!(state, req);
    let ics = service::ics(&state.pool, &me, &id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((actix_web::http::header::CONTENT_DISPOSITION, "attachment; filename=\"mote.ics\""))
        .body(ics))
}

/// The confirmation step before a meeting is cancelled.
#[get("/mina-sidor/tider/{id}/avboka")]
async fn cancel_confirm(state: web::Data<AppState>, req: HttpRequest, id: web::Path<String>) -> WebResult {
    let me = me_or_return!(state, req);
    let b = service::booking(&state.pool, &me, &id).await?;
    Ok(page(&req, StatusCode::OK, "Avboka mötet", &me, "/mina-sidor/tider", |csrf| {
        html! {
            h1 { "Vill du avboka mötet?" }
            p { strong { (instant(b.starts_ts)) "–" (clock_time(b.ends_ts)) } " med " (b.officer_name) ", " (b.unit) "." }
            p { "Mötet behövs för att din ansökan ska kunna prövas. Kan du inte komma är det bättre att byta tid." }
            div.actions {
                form method="post" action=(format!("/mina-sidor/tider/{}/avboka", urlencode(&b.id))) {
                    input type="hidden" name="csrf" value=(csrf);
                    button type="submit" { "Ja, avboka mötet" }
                }
                a.button.secondary href=(format!("/mina-sidor/tider/{}/byt", urlencode(&b.id))) { "Byt tid i stället" }
                a href="/mina-sidor/tider" { "Tillbaka" }
            }
        }
    }))
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

#[post("/mina-sidor/tider/{id}/avboka")]
async fn cancel(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    f: web::Form<CsrfForm>,
) -> WebResult {
    check_anonymous(&req, &f.csrf)?;
    let me = me_or_return!(state, req);
    service::cancel(&state.pool, &me, &id, &crate::booking::Sending::of(&state.settings)).await?;
    Ok(see_other("/mina-sidor/tider?klart=avbokad"))
}

async fn offers_markup(
    state: &AppState,
    req: &HttpRequest,
    me: &Me,
    id: &str,
    message: Option<&str>,
    status: StatusCode,
) -> WebResult {
    let horizon = state.settings.booking.horizon_working_days;
    let (b, offers) = service::offers(&state.pool, me, horizon, id).await?;
    let names = officer_names(state).await?;
    let offer = Offer {
        action: format!("/mina-sidor/tider/{}/byt", urlencode(&b.id)),
        slots: &offers.slots,
        next_day_full: offers.next_day_full,
        message,
        moving: true,
    };
    Ok(page(req, status, "Byt tid", me, "/mina-sidor/tider", |csrf| {
        html! {
            p { "Nu: " strong { (instant(b.starts_ts)) "–" (clock_time(b.ends_ts)) } ". Den tiden släpps först när den nya är bokad." }
            (offers_page(csrf, &offer, &names))
            p { a href="/mina-sidor/tider" { "Tillbaka" } }
        }
    }))
}

#[get("/mina-sidor/tider/{id}/byt")]
async fn move_offers(state: web::Data<AppState>, req: HttpRequest, id: web::Path<String>) -> WebResult {
    let me = me_or_return!(state, req);
    offers_markup(&state, &req, &me, &id, None, StatusCode::OK).await
}

#[post("/mina-sidor/tider/{id}/byt")]
async fn move_meeting(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    f: web::Form<BookForm>,
) -> WebResult {
    check_anonymous(&req, &f.csrf)?;
    let me = me_or_return!(state, req);
    let sending = crate::booking::Sending::of(&state.settings);
    match service::rebook(&state.pool, &me, &id, &f.slot_id, &sending).await? {
        Ok(_) => Ok(see_other("/mina-sidor/tider?klart=flyttad")),
        Err(e) => match refused(&e, &f.slot_id) {
            Some(message) => offers_markup(&state, &req, &me, &id, Some(message), StatusCode::CONFLICT).await,
            None => Err(unexpected(e)),
        },
    }
}

#[derive(Deserialize)]
struct MonthQuery {
    month: Option<String>,
}

#[get("/mina-sidor/planering")]
async fn plan(state: web::Data<AppState>, req: HttpRequest, q: web::Query<MonthQuery>) -> WebResult {
    let me = me_or_return!(state, req);
    let month = month_of(&state, q.month.as_deref())?;
    let p = service::plan(&state.pool, &me, month).await?;
    let title_of = |id: &str| p.activities.iter().find(|a| a.id == id).map(|a| a.title.clone()).unwrap_or_default();
    Ok(page(&req, StatusCode::OK, "Min planering", &me, "/mina-sidor/planering", |_| {
        html! {
            h1 { "Min planering" }
            @match &p.plan {
                None => p { "Du har ingen planering ännu. Den görs tillsammans med din jobbmäklare." }
                Some(plan) => {
                    dl.facts {
                        dt { "Mål" } dd { (plan.goal.label()) @if let Some(t) = &plan.goal_text { ": " (t) } }
                        @if let Some(o) = &plan.occupation { dt { "Yrke" } dd { (layout::occupation(o)) } }
                        dt { "Timmar per vecka" } dd { (format!("{:.1}", plan.hours_per_week).replace('.', ",")) }
                        dt { "Från" } dd { (plan.start_date) }
                        dt { "Följs upp" } dd { (plan.review_date) }
                        dt { "Överenskommen" } dd { @match &plan.agreed_on { Some(d) => (d), None => "inte ännu" } }
                    }
                }
            }
            h2 { "Aktiviteter" }
            @if p.activities.is_empty() { p { "Inga aktiviteter." } }
            @else {
                ul {
                    @for a in &p.activities {
                        li {
                            strong { (a.title) } " (" (a.kind.label()) ")"
                            br; (format!("{:.1}", a.hours_per_week).replace('.', ",")) " timmar per vecka, " (crate::plan::weekday_names(&a.weekdays))
                            br; "Från " (a.from) @if let Some(t) = a.to { " till " (t) }
                            @if let Some(pr) = &a.provider { br; "Anordnare: " (pr) }
                        }
                    }
                }
            }
            h2 { "Närvaro " (p.month) }
            p { "Planerat: " (format!("{:.1}", p.planned_hours).replace('.', ",")) " timmar." }
            @if p.attendance.is_empty() { p { "Ingen närvaro registrerad den här månaden." } }
            @else {
                table {
                    thead { tr { th scope="col" { "Dag" } th scope="col" { "Aktivitet" } th scope="col" { "Närvaro" } th scope="col" { "Timmar" } } }
                    tbody {
                        @for d in &p.attendance {
                            tr { td { (d.date) } td { (title_of(&d.activity_id)) } td { (d.state.label()) } td { (format!("{:.1}", d.hours).replace('.', ",")) } }
                        }
                    }
                }
            }
            @if !p.declines.is_empty() {
                h2 { "Erbjudanden du tackat nej till" }
                ul {
                    @for d in &p.declines {
                        li { (d.date) ": " (d.what.label()) " – " @if d.justified { "godtagbart skäl" } @else { "bedömt som ej godtagbart skäl" }
                            @if !d.justified { " · " a href=(format!("/mina-sidor/omprovning?om=decline&ref={}", urlencode(&d.id))) { "Begär omprövning" } } }
                    }
                }
            }
            p.noprint { button type="button" data-print="1" { "Skriv ut" } }
        }
    }))
}

#[get("/mina-sidor/samtycken")]
async fn consents(state: web::Data<AppState>, req: HttpRequest, q: web::Query<Notice>) -> WebResult {
    let me = me_or_return!(state, req);
    let list = service::consents(&state.pool, &me).await?;
    Ok(page(&req, StatusCode::OK, "Samtycken", &me, "/mina-sidor/samtycken", |csrf| {
        html! {
            h1 { "Samtycken" }
            (notice(&q))
            p { "Din jobbmäklare frågar innan du presenteras för en arbetsgivare. Arbetsgivaren ser dina uppgifter bara om du säger ja, och slutar se dem så fort du återkallar." }
            @if list.is_empty() { p { "Inga frågor om samtycke." } }
            @for c in &list {
                article.consent {
                    h2 { (c.headline) }
                    p { (c.employer) }
                    p { "Läge: " strong { @match c.state { Some(s) => (s.label()), None => "–" } }
                        @if let (Some(ConsentState::Requested), Some(d)) = (c.state, &c.deadline) { " · svara senast " (d) } }
                    @let answers: &[ConsentAnswer] = match c.state {
                        Some(ConsentState::Requested) => &[ConsentAnswer::Yes, ConsentAnswer::No],
                        Some(ConsentState::Given) => &[ConsentAnswer::Withdraw],
                        _ => &[],
                    };
                    @if !answers.is_empty() {
                        form.actions method="post" action=(format!("/mina-sidor/samtycken/{}", urlencode(&c.opening_id))) {
                            input type="hidden" name="csrf" value=(csrf);
                            @for (i, a) in answers.iter().enumerate() {
                                button class=[(i > 0).then_some("secondary")] type="submit" name="answer" value=(a.as_str()) { (a.label()) }
                            }
                        }
                    }
                    @if !c.history.is_empty() {
                        details { summary { "Historik" }
                            ul { @for e in &c.history { li { (instant(e.at)) ": " (e.state.label()) @if let Some(h) = e.how { " (" (h.label()) ")" } } } }
                        }
                    }
                }
            }
        }
    }))
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    answer: String,
}

#[post("/mina-sidor/samtycken/{opening}")]
async fn answer_consent(
    state: web::Data<AppState>,
    req: HttpRequest,
    opening: web::Path<String>,
    f: web::Form<AnswerForm>,
) -> WebResult {
    check_anonymous(&req, &f.csrf)?;
    let me = me_or_return!(state, req);
    let answer = ConsentAnswer::parse(&f.answer)
        .ok_or_else(|| AppError::field("answer", crate::error::Fault::Unknown, "takes yes, no or withdraw"))?;
    service::answer_consent(&state.pool, &me, &opening, answer).await?;
    let code = match answer {
        ConsentAnswer::Yes => "ja",
        ConsentAnswer::No => "nej",
        ConsentAnswer::Withdraw => "aterkallad",
    };
    Ok(see_other(&format!("/mina-sidor/samtycken?klart={code}")))
}

#[get("/mina-sidor/forklaringar")]
async fn explanations(state: web::Data<AppState>, req: HttpRequest) -> WebResult {
    let me = me_or_return!(state, req);
    let list = service::explanations(&state.pool, &me, state.settings.matching).await?;
    Ok(page(&req, StatusCode::OK, "Varför föreslogs jag?", &me, "/mina-sidor/forklaringar", |_| {
        html! {
            h1 { "Varför föreslogs jag?" }
            p { "Platsa hjälper jobbmäklare att hitta alla som passar en tjänst, så att alla blir synliga och inte bara de som hörs mest. Här ser du vad förslagen om dig bygger på: dina egna uppgifter och tjänstens krav, som de ser ut i dag." }
            p.notice { (crate::mina_sidor::NOT_USED) }
            @if list.is_empty() { p { "Du har inte föreslagits eller tillfrågats om någon tjänst ännu." } }
            @for e in &list {
                article.explanation {
                    h2 { (e.headline) }
                    p { (e.employer) " · " strong { (e.stage) } }
                    p { (e.occupation) }
                    @if !e.met.is_empty() { p { "Krav du uppfyller: " (e.met.join(", ")) "." } }
                    @if !e.missed.is_empty() { p { "Krav och meriter vi inte ser hos dig: " (e.missed.join(", ")) ". Har du det ändå? Berätta för din jobbmäklare." } }
                    @if !e.merits.is_empty() { p { "Meriter du har: " (e.merits.join(", ")) "." } }
                    p { (e.distance) }
                    @if !e.availability.is_empty() { p { (e.availability) } }
                    p { a href=(format!("/mina-sidor/omprovning?om=not_suitable&ref={}", urlencode(&e.opening_id))) { "Tycker du att något är fel? Begär omprövning" } }
                }
            }
        }
    }))
}

#[get("/mina-sidor/uppgifter")]
async fn extract(state: web::Data<AppState>, req: HttpRequest) -> WebResult {
    let me = me_or_return!(state, req);
    let x = service::extract(&state.pool, &me, state.settings.mina_sidor.show_reader_names).await?;
    Ok(page(&req, StatusCode::OK, "Mina uppgifter", &me, "/mina-sidor/uppgifter", |_| {
        html! {
            h1 { "Mina uppgifter" }
            p { "Det här är allt Platsa har om dig (registerutdrag enligt dataskyddsförordningen, artikel 15), som det är sparat den " (instant(x.produced_at)) "." }
            p { a.button href="/mina-sidor/uppgifter.json" download { "Ladda ner (JSON)" } " " button type="button" data-print="1" { "Skriv ut" } }
            @for (part, section) in x.sections.iter().zip(SECTIONS) {
                section.extract id=(part.key) {
                    h2 { (part.title) " (" (part.rows.len()) ")" }
                    @if part.rows.is_empty() { p.muted { "Inget sparat." } }
                    @for row in &part.rows {
                        dl.facts {
                            @for col in section.columns {
                                dt { (col.label) }
                                dd { (crate::mina_sidor::extract::shown(col, row.get(col.key).unwrap_or(&serde_json::Value::Null))) }
                            }
                        }
                    }
                }
            }
        }
    }))
}

#[get("/mina-sidor/uppgifter.json")]
async fn extract_json(state: web::Data<AppState>, req: HttpRequest) -> WebResult {
    let me = me_or_return!(state, req);
    let x = service::extract(&state.pool, &me, state.settings.mina_sidor.show_reader_names).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"mina-uppgifter-platsa.json\"",
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(x))
}

#[derive(Deserialize)]
struct ReviewQuery {
    klart: Option<String>,
    om: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
}

fn review_form(
    csrf: &str,
    about: Option<ReviewAbout>,
    reference: Option<&str>,
    text: &str,
    error: Option<&str>,
) -> Markup {
    html! {
        form.stack method="post" action="/mina-sidor/omprovning" {
            input type="hidden" name="csrf" value=(csrf);
            @if let Some(r) = reference { input type="hidden" name="ref_id" value=(r); }
            @if let Some(e) = error { p.notice.error role="alert" { (e) } }
            label for="about" { "Vad gäller det?" }
            select id="about" name="about" {
                @for a in ReviewAbout::ALL { option value=(a.as_str()) selected[Some(*a) == about] { (a.label()) } }
            }
            label for="text" { "Beskriv vad du tycker är fel och varför" }
            textarea id="text" name="text" rows="6" required minlength="3" maxlength="4000" { (text) }
            button type="submit" { "Skicka" }
        }
    }
}

#[get("/mina-sidor/omprovning")]
async fn reviews(state: web::Data<AppState>, req: HttpRequest, q: web::Query<ReviewQuery>) -> WebResult {
    let me = me_or_return!(state, req);
    let list = service::reviews(&state.pool, &me).await?;
    let about = q.om.as_deref().and_then(ReviewAbout::parse);
    let reference = q.reference.clone().filter(|r| !r.is_empty() && r.len() <= 64);
    Ok(page(&req, StatusCode::OK, "Begär omprövning", &me, "/mina-sidor/omprovning", |csrf| {
        html! {
            h1 { "Begär omprövning eller lämna synpunkter" }
            @if let Some(t) = done_text(q.klart.as_deref()) { p.notice role="status" { (t) } }
            p { "Tycker du att ett beslut eller en bedömning om dig blivit fel? Skriv till oss. Din enhets chef läser det och svarar inom " (state.settings.mina_sidor.review_days) " dagar. Svaret visas här." }
            (review_form(csrf, about, reference.as_deref(), "", None))
            @if !list.is_empty() {
                h2 { "Dina begäranden" }
                @for r in &list {
                    article.review {
                        p { strong { (r.about.label()) } " · skickad " (instant(r.created_at)) " · svar senast " (r.due_on) }
                        @if let Some(t) = &r.text { p { (t) } }
                        @match &r.answer {
                            Some(a) => p.notice { strong { "Svar: " } (a) }
                            None => p.muted { "Inget svar ännu." }
                        }
                    }
                }
            }
        }
    }))
}

#[derive(Deserialize)]
struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    about: String,
    #[serde(default)]
    ref_id: Option<String>,
    #[serde(default)]
    text: String,
}

#[post("/mina-sidor/omprovning")]
async fn ask_review(state: web::Data<AppState>, req: HttpRequest, f: web::Form<ReviewForm>) -> WebResult {
    check_anonymous(&req, &f.csrf)?;
    let me = me_or_return!(state, req);
    let f = f.into_inner();
    let about = ReviewAbout::parse(&f.about).unwrap_or(ReviewAbout::Other);
    let input = ReviewInput { about, ref_id: f.ref_id.clone(), text: f.text.clone() };
    match service::ask_review(&state.pool, &me, input, state.settings.mina_sidor.review_days).await {
        Ok(_) => Ok(see_other("/mina-sidor/omprovning?klart=skickad")),
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let (_, message) = super::labels::app_error(&e);
            Ok(page(
                &req,
                actix_web::ResponseError::status_code(&e),
                "Begär omprövning",
                &me,
                "/mina-sidor/omprovning",
                |csrf| {
                    html! {
                        h1 { "Begär omprövning eller lämna synpunkter" }
                        (review_form(csrf, Some(about), f.ref_id.as_deref(), &f.text, Some(&message)))
                    }
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[post("/mina-sidor/logga-ut")]
async fn sign_out(state: web::Data<AppState>, req: HttpRequest, f: web::Form<CsrfForm>) -> WebResult {
    check_anonymous(&req, &f.csrf)?;
    let body = html! {
        section.notice {
            h1 { "Du är utloggad" }
            p { "Stäng webbläsaren om du använder en dator som andra också använder." }
            p { a href="/mina-sidor" { "Logga in igen" } }
        }
    };
    let mut res = page_response(StatusCode::OK, layout::page("Utloggad", &Chrome::anonymous(), body));
    crate::web::oidc::close_mina_sidor(&state, &req, &mut res).await?;
    res.headers_mut().insert(crate::web::CLEAR_SITE_DATA, crate::web::CLEAR_CACHE);
    Ok(res)
}
