//! The audit log: every staff read of a seeker record, with who, when, which seeker and
//! which endpoint. Written in the same transaction as the read's answer is built from.

pub mod http;

use diesel::prelude::*;
use serde::Serialize;

use crate::auth::{Principal, Role};
use crate::db::{DbConnection, new_id, schema::audit_log};
use crate::error::AppResult;

/// What read the seekers: the request's method and matched route pattern
/// (`GET /api/v1/seekers/{id}`), never the path itself, which may carry a name; and the
/// reason the reader stated (`X-Access-Reason`, or the page's field), needed to read a person
/// of another unit. Taken from the request by its extractor (`audit::http`), so no handler
/// writes it by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action(pub String, pub Option<String>);

impl Action {
    /// An action of Platsa's own (an import, retention), with no reason.
    pub fn named(name: impl Into<String>) -> Self {
        Self(name.into(), None)
    }

    /// The same action with a reason stated on a page.
    pub fn with_reason(&self, reason: Option<String>) -> Self {
        Self(self.0.clone(), reason.or_else(|| self.1.clone()))
    }

    /// The same action without its reason: a list read, which a reason does not cover.
    pub fn without_reason(&self) -> Self {
        Self(self.0.clone(), None)
    }
}

pub use crate::error::REASON_HEADER;

/// The user id Platsa's own runs (retention) are audited under.
pub const SYSTEM_USER: &str = "system";

/// The user id a person's reads of their own case (Mina sidor) are audited under; the row's
/// `seeker_id` says who they are.
pub const SELF_USER: &str = "self";

crate::text_enum! {
    /// Who read, in the audit log: a staff or system role, or the person themselves.
    pub enum ReadBy {
        Admin = "admin",
        Broker = "broker",
        Officer = "officer",
        Manager = "manager",
        Employer = "employer",
        CaseSystem = "case_system",
        /// The person reading their own case on Mina sidor.
        Person = "person",
    }
}

impl From<Role> for ReadBy {
    fn from(r: Role) -> Self {
        match r {
            Role::Admin => ReadBy::Admin,
            Role::Broker => ReadBy::Broker,
            Role::Officer => ReadBy::Officer,
            Role::Manager => ReadBy::Manager,
            Role::Employer => ReadBy::Employer,
            Role::CaseSystem => ReadBy::CaseSystem,
        }
    }
}

impl crate::labels::Label for ReadBy {
    fn label(self) -> &'static str {
        match self {
            ReadBy::Admin => Role::Admin.label(),
            ReadBy::Broker => Role::Broker.label(),
            ReadBy::Officer => Role::Officer.label(),
            ReadBy::Manager => Role::Manager.label(),
            ReadBy::Employer => Role::Employer.label(),
            ReadBy::CaseSystem => Role::CaseSystem.label(),
            ReadBy::Person => "personen själv",
        }
    }
}

/// Records that the person read their own case through `action` (Mina sidor).
pub fn record_own(conn: &mut DbConnection, seeker_id: &str, action: &Action, now: i64) -> AppResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(new_id()),
            audit_log::at.eq(now),
            audit_log::user_id.eq(SELF_USER),
            audit_log::role.eq(ReadBy::Person),
            audit_log::seeker_id.eq(seeker_id),
            audit_log::action.eq(&action.0),
            audit_log::reason.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// A stated reason as kept: trimmed, 3 to 300 characters, no control characters.
pub fn reason(text: &str, field: &str) -> AppResult<Option<String>> {
    let text = crate::text::clean(text);
    if text.is_empty() {
        return Ok(None);
    }
    let n = text.chars().count();
    if !(3..=300).contains(&n) {
        return Err(crate::error::AppError::field(field, crate::error::Fault::Length, "must be 3 to 300 characters"));
    }
    if crate::text::forbidden_char(&text, false).is_some() {
        return Err(crate::error::AppError::field(
            field,
            crate::error::Fault::Character,
            "must not contain control characters or bidirectional overrides",
        ));
    }
    Ok(Some(text))
}

#[derive(Debug, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: String,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: i64,
    pub user_id: String,
    pub role: ReadBy,
    pub seeker_id: String,
    pub action: String,
    /// Why a person of another unit was read (need-to-know).
    pub reason: Option<String>,
}

/// Records that `who` read these seekers through `action`.
pub fn record(
    conn: &mut DbConnection,
    who: &Principal,
    seeker_ids: &[String],
    action: &Action,
    now: i64,
) -> AppResult<()> {
    if seeker_ids.is_empty() {
        return Ok(());
    }
    // One statement for the page, however long: a ranked page of 50 is 50 rows.
    for chunk in seeker_ids.chunks(AUDIT_BATCH) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|sid| {
                (
                    audit_log::id.eq(new_id()),
                    audit_log::at.eq(now),
                    audit_log::user_id.eq(&who.user_id),
                    audit_log::role.eq(ReadBy::from(who.role)),
                    audit_log::seeker_id.eq(sid),
                    audit_log::action.eq(&action.0),
                    audit_log::reason.eq(&action.1),
                )
            })
            .collect();
        crate::insert_rows!(conn, audit_log::table, rows)?;
    }
    Ok(())
}

/// Rows per audit insert: seven parameters each, well under SQLite's limit.
const AUDIT_BATCH: usize = 1000;

/// What the log review narrows to: a user, a seeker, a period of instants `[from, to)`, and
/// only the reads with a stated reason (another unit's people).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub user_id: Option<String>,
    pub seeker_id: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub with_reason: bool,
}

pub fn list(conn: &mut DbConnection, f: &AuditFilter, limit: i64, offset: i64) -> AppResult<(Vec<AuditEntry>, i64)> {
    let filtered = || {
        let mut q = audit_log::table.into_boxed();
        if let Some(s) = &f.seeker_id {
            q = q.filter(audit_log::seeker_id.eq(s.clone()));
        }
        if let Some(u) = &f.user_id {
            q = q.filter(audit_log::user_id.eq(u.clone()));
        }
        if let Some(t) = f.from {
            q = q.filter(audit_log::at.ge(t));
        }
        if let Some(t) = f.to {
            q = q.filter(audit_log::at.lt(t));
        }
        if f.with_reason {
            q = q.filter(audit_log::reason.is_not_null());
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let items = filtered()
        .order(audit_log::id.desc())
        .limit(limit)
        .offset(offset)
        .select(AuditEntry::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// Users' names by id, for the review's export.
pub fn user_names(conn: &mut DbConnection, ids: &[String]) -> AppResult<std::collections::HashMap<String, String>> {
    use crate::db::schema::users;
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}
