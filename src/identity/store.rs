//! What sign-in keeps: the sign-ins under way (one row each, taken once), applicants'
//! e-legitimation sessions, and staff users found by their provider and subject.

use diesel::prelude::*;

use super::Purpose;
use crate::auth::{Role, generate_token, hash_token};
use crate::db::{DbConnection, schema::*, write_tx};
use crate::error::AppResult;

/// A sign-in under way may take this long at the provider (a BankID app opened on another
/// device included).
pub const LOGIN_SECS: i64 = 10 * 60;

/// An applicant's e-legitimation holds while they fill in the form and pick a time.
pub const EID_SECS: i64 = 60 * 60;

/// A sign-in under way.
pub struct Login {
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: String,
}

/// Keeps a sign-in under way, bound to the browser that holds `browser`.
#[allow(clippy::too_many_arguments)]
pub fn begin(
    c: &mut DbConnection,
    now: i64,
    purpose: Purpose,
    state: &str,
    browser: &str,
    nonce: &str,
    pkce_verifier: &str,
    next: &str,
) -> AppResult<()> {
    diesel::delete(oidc_logins::table.filter(oidc_logins::expires_at.le(now))).execute(c)?;
    diesel::insert_into(oidc_logins::table)
        .values((
            oidc_logins::state_hash.eq(hash_token(state)),
            oidc_logins::purpose.eq(purpose.as_str()),
            oidc_logins::browser_hash.eq(hash_token(browser)),
            oidc_logins::nonce.eq(nonce),
            oidc_logins::pkce_verifier.eq(pkce_verifier),
            oidc_logins::next.eq(next),
            oidc_logins::expires_at.eq(now + LOGIN_SECS),
        ))
        .execute(c)?;
    Ok(())
}

/// Takes the sign-in the answer's `state` names, once: `None` when there is none for this
/// purpose and browser, it has expired, or it was already taken (a replayed answer).
pub fn take(c: &mut DbConnection, now: i64, purpose: Purpose, state: &str, browser: &str) -> AppResult<Option<Login>> {
    write_tx(c, |c| {
        let hash = hash_token(state);
        let row: Option<(String, String, String, String, i64)> = oidc_logins::table
            .filter(oidc_logins::state_hash.eq(&hash))
            .filter(oidc_logins::purpose.eq(purpose.as_str()))
            .select((
                oidc_logins::browser_hash,
                oidc_logins::nonce,
                oidc_logins::pkce_verifier,
                oidc_logins::next,
                oidc_logins::expires_at,
            ))
            .first(c)
            .optional()?;
        let Some((browser_hash, nonce, pkce_verifier, next, expires_at)) = row else { return Ok(None) };
        // Whoever else brings this answer (a link sent to someone, a forged callback) cannot
        // take it, and nor can anyone later: the row goes either way.
        let taken = diesel::delete(oidc_logins::table.filter(oidc_logins::state_hash.eq(&hash))).execute(c)?;
        if taken != 1 || expires_at <= now || browser_hash != hash_token(browser) {
            return Ok(None);
        }
        Ok(Some(Login { nonce, pkce_verifier, next }))
    })
}

/// A staff member as their provider names them: found by (issuer, subject), or made.
/// Their name and role are set from this sign-in's claims.
pub fn staff_user(
    c: &mut DbConnection,
    now: i64,
    issuer: &str,
    subject: &str,
    name: &str,
    role: Role,
) -> AppResult<String> {
    write_tx(c, |c| {
        let found: Option<String> = users::table
            .filter(users::oidc_issuer.eq(issuer))
            .filter(users::oidc_subject.eq(subject))
            .select(users::id)
            .first(c)
            .optional()?;
        if let Some(id) = found {
            diesel::update(users::table.find(&id))
                .set((users::name.eq(name), users::role.eq(role.as_str())))
                .execute(c)?;
            return Ok(id);
        }
        let id = crate::auth::store::create_user(c, now, role, name, None)?;
        diesel::update(users::table.find(&id))
            .set((users::oidc_issuer.eq(issuer), users::oidc_subject.eq(subject)))
            .execute(c)?;
        Ok(id)
    })
}

/// A staff member their provider names, if they have signed in before.
pub fn staff_user_id(c: &mut DbConnection, issuer: &str, subject: &str) -> AppResult<Option<String>> {
    Ok(users::table
        .filter(users::oidc_issuer.eq(issuer))
        .filter(users::oidc_subject.eq(subject))
        .select(users::id)
        .first(c)
        .optional()?)
}

/// An applicant identified by e-legitimation.
#[derive(Debug, Clone)]
pub struct Citizen {
    pub personnummer: String,
    pub given_name: String,
    pub family_name: String,
}

/// A new e-legitimation session for `purpose` (the application form, or Mina sidor): the
/// cookie value.
pub fn open_citizen(c: &mut DbConnection, now: i64, who: &Citizen, purpose: Purpose) -> AppResult<String> {
    let id = generate_token();
    diesel::delete(eid_sessions::table.filter(eid_sessions::expires_at.le(now))).execute(c)?;
    diesel::insert_into(eid_sessions::table)
        .values((
            eid_sessions::id_hash.eq(hash_token(&id)),
            eid_sessions::personnummer.eq(&who.personnummer),
            eid_sessions::given_name.eq(&who.given_name),
            eid_sessions::family_name.eq(&who.family_name),
            eid_sessions::created_at.eq(now),
            eid_sessions::expires_at.eq(now + EID_SECS),
            eid_sessions::purpose.eq(purpose.session_kind()),
        ))
        .execute(c)?;
    Ok(id)
}

/// Who a live e-legitimation cookie identifies, for the purpose it was opened for.
pub fn citizen(c: &mut DbConnection, now: i64, cookie: &str, purpose: Purpose) -> AppResult<Option<Citizen>> {
    let row: Option<(Option<String>, Option<String>, Option<String>)> = eid_sessions::table
        .filter(eid_sessions::id_hash.eq(hash_token(cookie)))
        .filter(eid_sessions::purpose.eq(purpose.session_kind()))
        .filter(eid_sessions::expires_at.gt(now))
        .select((eid_sessions::personnummer, eid_sessions::given_name, eid_sessions::family_name))
        .first(c)
        .optional()?;
    Ok(row.and_then(|(p, g, f)| {
        Some(Citizen { personnummer: p?, given_name: g.unwrap_or_default(), family_name: f.unwrap_or_default() })
    }))
}

/// Ends an e-legitimation session (the applicant is done, or signs out).
pub fn close_citizen(c: &mut DbConnection, cookie: &str) -> AppResult<()> {
    diesel::delete(eid_sessions::table.filter(eid_sessions::id_hash.eq(hash_token(cookie)))).execute(c)?;
    Ok(())
}
