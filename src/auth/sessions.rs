//! Browser sessions for the web pages. Signing in (with a staff token, or through the
//! municipality's OpenID provider) creates a session whose random id goes in an HttpOnly,
//! SameSite=Strict cookie; only the id's hash is stored. A session dies at sign-out, after a
//! working day, and, when signed in with a token, with its token (revocation).

use diesel::prelude::*;

use super::{Principal, Role, generate_token, hash_token};
use crate::db::{DbConnection, schema::*};
use crate::error::AppResult;

/// A session lasts one working day.
pub const LIFETIME_SECS: i64 = 12 * 3600;

/// How a session was signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedInWith {
    /// A pasted staff token: the session lives only as long as the token.
    Token,
    /// The municipality's OpenID provider: sign-out also ends the provider's session.
    Oidc,
}

impl SignedInWith {
    fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Oidc => "oidc",
        }
    }
}

/// A new session for a user (with the token it was signed in with, if any): the cookie
/// value and the session's CSRF token.
pub fn create(
    conn: &mut DbConnection,
    now: i64,
    user_id: &str,
    token_id: Option<&str>,
    with: SignedInWith,
) -> AppResult<(String, String)> {
    let id = generate_token();
    let csrf = hash_token(&generate_token());
    // Expired sessions are dropped as new ones are made, so the table stays small.
    diesel::delete(web_sessions::table.filter(web_sessions::expires_at.le(now))).execute(conn)?;
    diesel::insert_into(web_sessions::table)
        .values((
            web_sessions::id_hash.eq(hash_token(&id)),
            web_sessions::user_id.eq(user_id),
            web_sessions::token_id.eq(token_id),
            web_sessions::signed_in_with.eq(with.as_str()),
            web_sessions::csrf.eq(&csrf),
            web_sessions::created_at.eq(now),
            web_sessions::expires_at.eq(now + LIFETIME_SECS),
        ))
        .execute(conn)?;
    Ok((id, csrf))
}

/// A session's token (if signed in with one), user id, name, role, employer and CSRF token.
type SessionRow = (Option<String>, String, String, String, Option<String>, String);

/// Who a live session belongs to, with its CSRF token.
pub fn principal(conn: &mut DbConnection, cookie: &str, now: i64) -> AppResult<Option<(Principal, String)>> {
    let row: Option<SessionRow> = web_sessions::table
        .inner_join(users::table)
        .left_join(api_tokens::table)
        .filter(web_sessions::id_hash.eq(hash_token(cookie)))
        .filter(web_sessions::expires_at.gt(now))
        // A token session ends with its token; a provider session has no token row.
        .filter(api_tokens::revoked_at.is_null())
        .select((web_sessions::token_id, users::id, users::name, users::role, users::employer_id, web_sessions::csrf))
        .first(conn)
        .optional()?;
    Ok(row.and_then(|(token_id, user_id, name, role, employer_id, csrf)| {
        let token_id = token_id.unwrap_or_default();
        Some((Principal { user_id, token_id, name, role: Role::parse(&role)?, employer_id }, csrf))
    }))
}

/// Ends a session; says how it was signed in (so sign-out can end the provider's too).
pub fn end(conn: &mut DbConnection, cookie: &str) -> AppResult<Option<SignedInWith>> {
    let hash = hash_token(cookie);
    let with: Option<String> = web_sessions::table
        .filter(web_sessions::id_hash.eq(&hash))
        .select(web_sessions::signed_in_with)
        .first(conn)
        .optional()?;
    diesel::delete(web_sessions::table.filter(web_sessions::id_hash.eq(&hash))).execute(conn)?;
    Ok(with.map(|w| if w == "oidc" { SignedInWith::Oidc } else { SignedInWith::Token }))
}

/// Ends every session of a user (a sign-in that finds them without a mapped role).
pub fn end_all(conn: &mut DbConnection, user_id: &str) -> AppResult<()> {
    diesel::delete(web_sessions::table.filter(web_sessions::user_id.eq(user_id))).execute(conn)?;
    Ok(())
}
