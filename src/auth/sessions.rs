//! Browser sessions for the web pages. Signing in with a staff token creates a session whose
//! random id goes in an HttpOnly, SameSite=Strict cookie; only the id's hash is stored, and
//! the session dies with its token (revocation), at sign-out, or after a working day.

use diesel::prelude::*;

use super::{Principal, Role, generate_token, hash_token};
use crate::db::{DbConnection, schema::*};
use crate::error::AppResult;

/// A session lasts one working day.
pub const LIFETIME_SECS: i64 = 12 * 3600;

/// A new session for a token: the cookie value and the session's CSRF token.
pub fn create(conn: &mut DbConnection, now: i64, token_id: &str) -> AppResult<(String, String)> {
    let id = generate_token();
    let csrf = hash_token(&generate_token());
    // Expired sessions are dropped as new ones are made, so the table stays small.
    diesel::delete(web_sessions::table.filter(web_sessions::expires_at.le(now))).execute(conn)?;
    diesel::insert_into(web_sessions::table)
        .values((
            web_sessions::id_hash.eq(hash_token(&id)),
            web_sessions::token_id.eq(token_id),
            web_sessions::csrf.eq(&csrf),
            web_sessions::created_at.eq(now),
            web_sessions::expires_at.eq(now + LIFETIME_SECS),
        ))
        .execute(conn)?;
    Ok((id, csrf))
}

/// Who a live session belongs to, with its CSRF token.
pub fn principal(conn: &mut DbConnection, cookie: &str, now: i64) -> AppResult<Option<(Principal, String)>> {
    let row: Option<(String, String, String, String, Option<String>, String)> = web_sessions::table
        .inner_join(api_tokens::table.inner_join(users::table))
        .filter(web_sessions::id_hash.eq(hash_token(cookie)))
        .filter(web_sessions::expires_at.gt(now))
        .filter(api_tokens::revoked_at.is_null())
        .select((api_tokens::id, users::id, users::name, users::role, users::employer_id, web_sessions::csrf))
        .first(conn)
        .optional()?;
    Ok(row.and_then(|(token_id, user_id, name, role, employer_id, csrf)| {
        Some((Principal { user_id, token_id, name, role: Role::parse(&role)?, employer_id }, csrf))
    }))
}

pub fn end(conn: &mut DbConnection, cookie: &str) -> AppResult<()> {
    diesel::delete(web_sessions::table.filter(web_sessions::id_hash.eq(hash_token(cookie)))).execute(conn)?;
    Ok(())
}
