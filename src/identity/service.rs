//! Signing in through a provider, for the pages: start (a redirect with the sign-in kept),
//! and finish (the answer checked, then a staff session or an applicant's e-legitimation).

use chrono::NaiveDate;

use super::Purpose;
use super::oidc::{self, Refusal, Verified};
use super::store::{self, Citizen};
use crate::auth::{Role, sessions};
use crate::config::{CitizenOidc, OidcClient, StaffOidc};
use crate::db::{self, Pool};
use crate::error::AppError;
use crate::ident::Personnummer;

/// A sign-in that did not happen: refused (said to the person), or a fault of Platsa's own.
#[derive(Debug)]
pub enum Failed {
    Refused(Refusal),
    App(AppError),
}

impl From<AppError> for Failed {
    fn from(e: AppError) -> Self {
        Failed::App(e)
    }
}

impl From<Refusal> for Failed {
    fn from(r: Refusal) -> Self {
        Failed::Refused(r)
    }
}

/// The scopes asked of each provider: staff need their groups, applicants their
/// personnummer (the Swedish OIDC profile's scope).
fn scopes(purpose: Purpose) -> &'static [&'static str] {
    match purpose {
        Purpose::Staff => &["profile"],
        Purpose::Citizen | Purpose::MinaSidor => &["profile", "https://id.oidc.se/scope/naturalPersonNumber"],
    }
}

/// Starts a sign-in: the provider's address to send the browser to. `browser` is the random
/// value the browser holds in a cookie; only that browser can finish this sign-in.
pub async fn start(
    pool: &Pool,
    now: i64,
    (purpose, client, public_url): (Purpose, &OidcClient, &str),
    browser: &str,
    next: &str,
) -> Result<String, Failed> {
    let started = oidc::start(client, &purpose.redirect(public_url), scopes(purpose)).await?;
    let (browser, next) = (browser.to_string(), next.to_string());
    let url = started.url.clone();
    db::run(pool, move |c| {
        store::begin(c, now, purpose, &started.state, &browser, &started.nonce, &started.pkce_verifier, &next)
    })
    .await?;
    Ok(url)
}

/// The provider's answer, verified: the sign-in's `next` and the ID token's claims.
async fn answer(
    pool: &Pool,
    now: i64,
    (purpose, client, public_url): (Purpose, &OidcClient, &str),
    browser: &str,
    (state, code): (&str, &str),
) -> Result<(String, Verified), Failed> {
    let (state_owned, browser) = (state.to_string(), browser.to_string());
    let login = db::run(pool, move |c| store::take(c, now, purpose, &state_owned, &browser))
        .await?
        .ok_or(Refusal::UnknownState)?;
    let verified =
        oidc::finish(client, &purpose.redirect(public_url), code, &login.nonce, &login.pkce_verifier).await?;
    Ok((login.next, verified))
}

/// Takes the sign-in an error answer names, so it cannot be finished later either.
pub async fn abandon(pool: &Pool, now: i64, purpose: Purpose, state: &str, browser: &str) -> Result<(), Failed> {
    let (state, browser) = (state.to_string(), browser.to_string());
    db::run(pool, move |c| store::take(c, now, purpose, &state, &browser)).await?;
    Ok(())
}

/// A finished sign-in: the session cookie to set (a staff session, or an applicant's
/// e-legitimation) and where the person was going.
pub struct SignedIn {
    pub session: String,
    pub next: String,
}

/// The role the claims give: the first mapping (in the order configured) whose claim value
/// the person has.
pub fn role_of(settings: &StaffOidc, verified: &Verified) -> Option<Role> {
    let values = verified.strings(&settings.role_claim);
    settings.roles.iter().find(|(value, _)| values.contains(value)).and_then(|(_, role)| Role::parse(role))
}

/// The person's name from the claims.
fn name_of(verified: &Verified) -> String {
    let joined = || {
        let parts: Vec<String> = ["given_name", "family_name"].iter().filter_map(|c| verified.string(c)).collect();
        Some(parts.join(" ")).filter(|n| !n.trim().is_empty())
    };
    verified
        .string("name")
        .filter(|n| !n.trim().is_empty())
        .or_else(joined)
        .or_else(|| verified.string("preferred_username"))
        .map(|n| n.trim().chars().take(200).collect())
        .unwrap_or_else(|| "Okänt namn".into())
}

/// Finishes a staff sign-in: the user found or made, their role (and units) from the claims,
/// and a session. Someone with no mapped role gets none, and loses any they had.
pub async fn finish_staff(
    pool: &Pool,
    now: i64,
    (settings, public_url): (&StaffOidc, &str),
    browser: &str,
    (state, code): (&str, &str),
) -> Result<SignedIn, Failed> {
    let (next, verified) =
        answer(pool, now, (Purpose::Staff, &settings.client, public_url), browser, (state, code)).await?;
    let role = role_of(settings, &verified);
    let name = name_of(&verified);
    let units = settings.unit_claim.as_ref().map(|claim| verified.strings(claim));
    let (issuer, subject) = (verified.issuer.clone(), verified.subject.clone());
    let session = db::run(pool, move |c| {
        let Some(role) = role else {
            // Left every group that gives access: whatever session they still hold ends now.
            if let Some(id) = store::staff_user_id(c, &issuer, &subject)? {
                sessions::end_all(c, &id)?;
            }
            return Ok(None);
        };
        let user_id = store::staff_user(c, now, &issuer, &subject, &name, role)?;
        if let Some(values) = units {
            let known: Vec<String> = crate::units::list(c)?.into_iter().map(|u| u.name).collect();
            let mine: Vec<String> = values.into_iter().filter(|v| known.contains(v)).collect();
            crate::units::set_for_user(c, &user_id, &mine)?;
        }
        let (session, _) = sessions::create(c, now, &user_id, None, sessions::SignedInWith::Oidc)?;
        Ok(Some(session))
    })
    .await?
    .ok_or(Refusal::NoRole)?;
    Ok(SignedIn { session, next })
}

/// Finishes a person's e-legitimation (`purpose`: the application form or Mina sidor): the
/// personnummer from the claim (checked), and a short session for that purpose only.
pub async fn finish_citizen(
    pool: &Pool,
    (now, today): (i64, NaiveDate),
    (settings, public_url, purpose): (&CitizenOidc, &str, Purpose),
    browser: &str,
    (state, code): (&str, &str),
) -> Result<SignedIn, Failed> {
    let (next, verified) = answer(pool, now, (purpose, &settings.client, public_url), browser, (state, code)).await?;
    let personnummer = verified
        .string(&settings.personnummer_claim)
        .and_then(|raw| Personnummer::parse(&raw, today).ok())
        .ok_or(Refusal::NoPersonnummer)?;
    let mut given_name = verified.string("given_name").unwrap_or_default();
    let mut family_name = verified.string("family_name").unwrap_or_default();
    if given_name.is_empty() && family_name.is_empty() {
        let name = verified.string("name").unwrap_or_default();
        let (g, f) = name.trim().rsplit_once(' ').unwrap_or((name.trim(), ""));
        (given_name, family_name) = (g.to_string(), f.to_string());
    }
    let who = Citizen { personnummer: personnummer.as_str().to_string(), given_name, family_name };
    let session = db::run(pool, move |c| store::open_citizen(c, now, &who, purpose)).await?;
    Ok(SignedIn { session, next })
}

/// The person a live e-legitimation cookie of this purpose identifies.
pub async fn citizen(pool: &Pool, now: i64, cookie: &str, purpose: Purpose) -> Result<Option<Citizen>, AppError> {
    let cookie = cookie.to_string();
    db::run(pool, move |c| store::citizen(c, now, &cookie, purpose)).await
}

/// Ends an applicant's e-legitimation.
pub async fn close_citizen(pool: &Pool, cookie: &str) -> Result<(), AppError> {
    let cookie = cookie.to_string();
    db::run(pool, move |c| store::close_citizen(c, &cookie)).await
}
