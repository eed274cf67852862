//! The page behind a consent link (`/samtycke/{token}`): the person reads which opening and
//! employer it is about (nothing about themselves is shown, as anyone may hold a forwarded
//! link) and answers yes or no; a yes can be taken back the same way. Unknown links count
//! toward the same guessing limit as booking links.

use std::net::IpAddr;

use actix_web::{HttpRequest, get, http::StatusCode, post, web};
use maud::html;
use serde::Deserialize;

use super::apply::with_csrf;
use super::layout::date;
use super::session::check_anonymous;
use super::{WebResult, see_other};
use crate::db;
use crate::error::AppError;
use crate::shortlist::{self, ConsentState};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show).service(answer);
}

/// Unknown links a client may try in a minute (as for booking links).
const MISSES_PER_MINUTE: u32 = 30;

fn ip(req: &HttpRequest) -> IpAddr {
    crate::http::client(req).ip
}

/// Counts an unknown link; past the limit it is answered 429. A valid link always opens.
async fn guarded<T>(state: &AppState, req: &HttpRequest, r: Result<T, AppError>) -> Result<T, AppError> {
    if matches!(r, Err(AppError::NotFound(_)))
        && let Some(retry_after_secs) = state.consent_token_misses.missed(ip(req), MISSES_PER_MINUTE)
    {
        return Err(AppError::TooManyRequests { retry_after_secs });
    }
    r
}

#[derive(Deserialize)]
struct ShowQuery {
    svar: Option<String>,
}

#[get("/samtycke/{token}")]
async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    q: web::Query<ShowQuery>,
) -> WebResult {
    let (token, today) = (token.into_inner(), state.clock.today());
    let t = token.clone();
    let asked = guarded(&state, &req, db::run(&state.pool, move |c| shortlist::asked(c, &t, today)).await).await?;
    let action = format!("/samtycke/{}", super::urlencode(&token));
    let answered = q.svar.is_some();
    Ok(with_csrf(&req, StatusCode::OK, "Samtycke", |csrf| {
        html! {
            section.apply.consent {
                h1 { "Får vi presentera dig för arbetsgivaren?" }
                p { "Din jobbmäklare vill berätta om dig för " strong { (asked.employer) } " som söker: " strong { (asked.headline) } "." }
                p { "Om du säger ja får arbetsgivaren se ditt namn, hur man når dig och det som står i din profil om yrke, kompetenser, språk och körkort. Du kan ta tillbaka ditt ja när du vill." }
                @match asked.state {
                    Some(ConsentState::Requested) => {
                        @if let Some(d) = &asked.deadline { p.muted { "Svara senast " (date(d)) "." } }
                        div.actions {
                            form method="post" action=(action) {
                                input type="hidden" name="csrf" value=(csrf);
                                button type="submit" name="answer" value="given" { "Ja, presentera mig" }
                            }
                            form method="post" action=(action) {
                                input type="hidden" name="csrf" value=(csrf);
                                button.secondary type="submit" name="answer" value="declined" { "Nej tack" }
                            }
                        }
                    }
                    Some(ConsentState::Given) => {
                        p.notice.ok role="status" { @if answered { "Tack! " } "Du har sagt ja till att bli presenterad." }
                        form method="post" action=(action) {
                            input type="hidden" name="csrf" value=(csrf);
                            button.secondary type="submit" name="answer" value="withdrawn" { "Ta tillbaka mitt ja" }
                        }
                    }
                    Some(ConsentState::Declined) => p.notice role="status" { "Du har sagt nej. Arbetsgivaren får inget om dig." },
                    Some(ConsentState::Withdrawn) => p.notice role="status" { "Du har tagit tillbaka ditt ja. Arbetsgivaren ser inte längre något om dig." },
                    Some(ConsentState::Expired) | None => p.notice role="status" { "Frågan går inte längre att besvara. Kontakta din jobbmäklare om du vill." },
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

#[post("/samtycke/{token}")]
async fn answer(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    f: web::Form<AnswerForm>,
) -> WebResult {
    check_anonymous(&req, &f.csrf)?;
    let answer = match ConsentState::parse(&f.answer) {
        Some(s @ (ConsentState::Given | ConsentState::Declined | ConsentState::Withdrawn)) => s,
        _ => return Err(AppError::field("answer", crate::error::Fault::Unknown, "answer yes or no").into()),
    };
    let (token, now, today) = (token.into_inner(), state.clock.now_ts(), state.clock.today());
    let t = token.clone();
    let result = db::run(&state.pool, move |c| shortlist::answer(c, now, today, &t, answer)).await;
    match guarded(&state, &req, result).await {
        // Already answered (a second click): the page says how it stands.
        Ok(_) | Err(AppError::Conflict { .. }) => {
            Ok(see_other(&format!("/samtycke/{}?svar=1", super::urlencode(&token))))
        }
        Err(e) => Err(e.into()),
    }
}
