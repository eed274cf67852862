use diesel::prelude::*;
use serde::Serialize;

use super::{Principal, Role, generate_token, hash_token};
use crate::db::{DbConnection, new_id, schema::*};
use crate::error::{AppError, AppResult, Clash, Fault};

#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub name: String,
    pub role: String,
    pub employer_id: Option<String>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    /// The staff user's e-mail address, when known (an import names a broker by it).
    pub email: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = api_tokens)]
pub struct TokenRecord {
    pub id: String,
    pub user_id: String,
    #[serde(skip)]
    pub token_hash: String,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<i64>,
}

/// A token as created: the only time its text exists outside the client.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedToken {
    pub id: String,
    pub token: String,
    pub user_id: String,
    pub name: String,
    pub role: Role,
    pub employer_id: Option<String>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

/// Failed sign-ins one client address may make in a minute; past it, its further failures
/// are answered 429 (a valid token still works: only failures count).
pub const FAILURES_PER_MINUTE: u32 = 20;

/// Failures from one address within a day that become a signal for admins.
pub const FAILURES_SIGNAL: i64 = 50;

/// Counts a failed sign-in (an unknown token, on the page or the API) from an address.
pub fn failed_sign_in(conn: &mut DbConnection, now: i64, address: &str) -> AppResult<()> {
    let hour = now - now.rem_euclid(3600);
    diesel::delete(sign_in_failures::table.filter(sign_in_failures::hour.lt(now - 30 * 86_400))).execute(conn)?;
    let count = |c: &mut DbConnection| -> AppResult<bool> {
        let row = sign_in_failures::table
            .filter(sign_in_failures::address.eq(address))
            .filter(sign_in_failures::hour.eq(hour));
        let updated = diesel::update(row)
            .set((sign_in_failures::failures.eq(sign_in_failures::failures + 1), sign_in_failures::last_at.eq(now)))
            .execute(c)?;
        Ok(updated > 0)
    };
    if count(conn)? {
        return Ok(());
    }
    let inserted = diesel::insert_into(sign_in_failures::table)
        .values((
            sign_in_failures::address.eq(address),
            sign_in_failures::hour.eq(hour),
            sign_in_failures::failures.eq(1),
            sign_in_failures::last_at.eq(now),
        ))
        .execute(conn);
    match inserted.map_err(AppError::from) {
        Ok(_) => Ok(()),
        // Another request made the hour's row a moment earlier: count in it.
        Err(AppError::Conflict { clash: Clash::Unique, .. }) => count(conn).map(|_| ()),
        Err(e) => Err(e),
    }
}

/// Addresses with at least [`FAILURES_SIGNAL`] failed sign-ins since `since`: (address,
/// failures, the last one).
pub fn failing_addresses(conn: &mut DbConnection, since: i64) -> AppResult<Vec<(String, i64, i64)>> {
    let rows: Vec<(String, i32, i64)> = sign_in_failures::table
        .filter(sign_in_failures::hour.ge(since - since.rem_euclid(3600)))
        .select((sign_in_failures::address, sign_in_failures::failures, sign_in_failures::last_at))
        .load(conn)?;
    let mut by: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for (address, n, last) in rows {
        let e = by.entry(address).or_default();
        e.0 += i64::from(n);
        e.1 = e.1.max(last);
    }
    Ok(by.into_iter().filter(|(_, (n, _))| *n >= FAILURES_SIGNAL).map(|(a, (n, last))| (a, n, last)).collect())
}

pub fn principal_by_hash(conn: &mut DbConnection, hash: &str) -> AppResult<Option<Principal>> {
    let row: Option<(String, String, String, String, Option<String>)> = api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(hash))
        .filter(api_tokens::revoked_at.is_null())
        .select((api_tokens::id, users::id, users::name, users::role, users::employer_id))
        .first(conn)
        .optional()?;
    Ok(row.and_then(|(token_id, user_id, name, role, employer_id)| {
        Some(Principal { user_id, token_id, name, role: Role::parse(&role)?, employer_id })
    }))
}

/// Creates a user and its first token, in one transaction.
pub fn create_user_with_token(
    conn: &mut DbConnection,
    now: i64,
    role: Role,
    name: &str,
    employer_id: Option<&str>,
    email: Option<&str>,
) -> AppResult<IssuedToken> {
    crate::db::write_tx(conn, |conn| {
        if let Some(eid) = employer_id {
            let exists: i64 = employers::table.filter(employers::id.eq(eid)).count().get_result(conn)?;
            if exists == 0 {
                return Err(AppError::field("employer_id", Fault::NotFound, "no employer with this id"));
            }
        }
        let user_id = create_user(conn, now, role, name, employer_id)?;
        if email.is_some() {
            set_email(conn, &user_id, email)?;
        }
        insert_token(conn, now, &user_id, name, role, employer_id.map(str::to_string))
    })
}

/// A user without a token (seeded brokers, the seeding process itself).
pub fn create_user(
    conn: &mut DbConnection,
    now: i64,
    role: Role,
    name: &str,
    employer_id: Option<&str>,
) -> AppResult<String> {
    let user_id = new_id();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&user_id),
            users::name.eq(name),
            users::role.eq(role.as_str()),
            users::employer_id.eq(employer_id),
            users::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(user_id)
}

/// The broker a text names (an import's broker column): by e-mail, by user id, or by name
/// when exactly one broker has it (case and accents aside). Otherwise why it names none.
#[allow(clippy::type_complexity)]
pub fn broker_named(conn: &mut DbConnection, text: &str) -> AppResult<Result<String, (Fault, &'static str)>> {
    let brokers: Vec<(String, String, Option<String>)> = users::table
        .filter(users::role.eq(Role::Broker.as_str()))
        .select((users::id, users::name, users::email))
        .load(conn)?;
    let lower = text.to_lowercase();
    if let Some((id, ..)) =
        brokers.iter().find(|(id, _, email)| *id == text || email.as_deref() == Some(lower.as_str()))
    {
        return Ok(Ok(id.clone()));
    }
    let folded = crate::text::fold(text);
    let named: Vec<&String> =
        brokers.iter().filter(|(_, name, _)| crate::text::fold(name) == folded).map(|(id, ..)| id).collect();
    Ok(match named.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err((Fault::NotFound, "names no broker (write the broker's name or e-mail as Platsa has it)")),
        _ => Err((Fault::Duplicate, "names more than one broker (write the broker's e-mail)")),
    })
}

/// Sets a user's e-mail address (lower case; `None` removes it). Two users never share one:
/// the database's unique index answers `409`.
pub fn set_email(conn: &mut DbConnection, user_id: &str, email: Option<&str>) -> AppResult<()> {
    let email = email.map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty());
    if let Some(e) = &email
        && !crate::text::valid_email(e)
    {
        return Err(AppError::field("email", Fault::Format, "is not an e-mail address"));
    }
    let n = diesel::update(users::table.find(user_id)).set(users::email.eq(&email)).execute(conn)?;
    if n == 0 {
        return Err(AppError::field("user_id", Fault::NotFound, "no user with this id"));
    }
    Ok(())
}

/// Issues another token for an existing user (rotation).
pub fn create_token_for_user(conn: &mut DbConnection, now: i64, user_id: &str) -> AppResult<IssuedToken> {
    crate::db::write_tx(conn, |conn| {
        let user: User = users::table
            .find(user_id)
            .select(User::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| AppError::field("user_id", Fault::NotFound, "no user with this id"))?;
        let role = Role::parse(&user.role).ok_or_else(|| AppError::internal("stored role is unknown"))?;
        insert_token(conn, now, &user.id, &user.name, role, user.employer_id)
    })
}

fn insert_token(
    conn: &mut DbConnection,
    now: i64,
    user_id: &str,
    name: &str,
    role: Role,
    employer_id: Option<String>,
) -> AppResult<IssuedToken> {
    let token = generate_token();
    let id = new_id();
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::id.eq(&id),
            api_tokens::user_id.eq(user_id),
            api_tokens::token_hash.eq(hash_token(&token)),
            api_tokens::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(IssuedToken { id, token, user_id: user_id.into(), name: name.into(), role, employer_id, created_at: now })
}

/// Revokes a token; revoking twice is not an error. Returns false if no such token exists.
/// Revokes a token; `false` when there is none. The last active admin token cannot be
/// revoked: nobody could administer Platsa afterwards (the check and the revocation are one
/// write transaction, so two admins revoking each other at once leave one).
pub fn revoke(conn: &mut DbConnection, now: i64, token_id: &str) -> AppResult<bool> {
    crate::db::write_tx(conn, |conn| {
        // SQLite's write transaction is already exclusive; on PostgreSQL revocations take
        // turns, so the count below cannot be read by two at once.
        if let DbConnection::Postgres(pg) = conn {
            diesel::sql_query("SELECT pg_advisory_xact_lock(7267002)").execute(pg)?;
        }
        let found: Option<(Role, Option<i64>)> = api_tokens::table
            .inner_join(users::table)
            .filter(api_tokens::id.eq(token_id))
            .select((users::role, api_tokens::revoked_at))
            .first(conn)
            .optional()?;
        let Some((role, revoked_at)) = found else { return Ok(false) };
        if role == Role::Admin && revoked_at.is_none() {
            let other_admins: i64 = api_tokens::table
                .inner_join(users::table)
                .filter(users::role.eq(Role::Admin))
                .filter(api_tokens::revoked_at.is_null())
                .filter(api_tokens::id.ne(token_id))
                .count()
                .get_result(conn)?;
            if other_admins == 0 {
                return Err(AppError::conflict(
                    Clash::LastAdmin,
                    "this is the last active admin token; create another admin token first",
                ));
            }
        }
        diesel::update(api_tokens::table.filter(api_tokens::id.eq(token_id)).filter(api_tokens::revoked_at.is_null()))
            .set(api_tokens::revoked_at.eq(now))
            .execute(conn)?;
        Ok(true)
    })
}

/// One user's keys, newest first (never their text).
pub fn tokens_of(conn: &mut DbConnection, user_id: &str) -> AppResult<Vec<TokenRecord>> {
    Ok(api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order((api_tokens::created_at.desc(), api_tokens::id))
        .select(TokenRecord::as_select())
        .load(conn)?)
}

pub fn list_tokens(conn: &mut DbConnection, limit: i64, offset: i64) -> AppResult<(Vec<TokenRecord>, i64)> {
    let total = api_tokens::table.count().get_result(conn)?;
    let items = api_tokens::table
        .order(api_tokens::id)
        .limit(limit)
        .offset(offset)
        .select(TokenRecord::as_select())
        .load(conn)?;
    Ok((items, total))
}

pub fn list_users(conn: &mut DbConnection, role: Option<Role>, limit: i64, offset: i64) -> AppResult<(Vec<User>, i64)> {
    let filtered = || {
        let mut q = users::table.filter(users::id.ne(super::JOBSTREAM_USER)).into_boxed();
        if let Some(r) = role {
            q = q.filter(users::role.eq(r.as_str()));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let items =
        filtered().order((users::name, users::id)).limit(limit).offset(offset).select(User::as_select()).load(conn)?;
    Ok((items, total))
}

pub fn user(conn: &mut DbConnection, id: &str) -> AppResult<Option<User>> {
    Ok(users::table.find(id).select(User::as_select()).first(conn).optional()?)
}
