//! The audit log: every staff read of a seeker record, with who, when, which seeker and
//! which endpoint. Written in the same transaction as the read's answer is built from.

use actix_web::{HttpResponse, get, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::{Principal, Role};
use crate::db::{self, DbConnection, new_id, schema::audit_log};
use crate::error::{AppError, AppResult};
use crate::http::{Page, Pagination};
use crate::state::AppState;

#[derive(Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: String,
    #[serde(with = "crate::clock::rfc3339")]
    pub at: i64,
    pub user_id: String,
    pub role: String,
    pub seeker_id: String,
    pub action: String,
}

/// Records that `who` read these seekers through `action` (method and route pattern).
pub fn record(
    conn: &mut DbConnection,
    who: &Principal,
    seeker_ids: &[String],
    action: &str,
    now: i64,
) -> AppResult<()> {
    if seeker_ids.is_empty() {
        return Ok(());
    }
    // One statement per row: diesel's multi-backend connection has no batch insert.
    for sid in seeker_ids {
        diesel::insert_into(audit_log::table)
            .values((
                audit_log::id.eq(new_id()),
                audit_log::at.eq(now),
                audit_log::user_id.eq(&who.user_id),
                audit_log::role.eq(who.role.as_str()),
                audit_log::seeker_id.eq(sid),
                audit_log::action.eq(action),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn list(
    conn: &mut DbConnection,
    seeker_id: Option<&str>,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<AuditEntry>, i64)> {
    let filtered = || {
        let mut q = audit_log::table.into_boxed();
        if let Some(s) = seeker_id {
            q = q.filter(audit_log::seeker_id.eq(s.to_string()));
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

#[derive(Deserialize)]
struct AuditQuery {
    seeker_id: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show);
}

#[get("/api/v1/audit")]
async fn show(state: web::Data<AppState>, who: Principal, q: web::Query<AuditQuery>) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let q = q.into_inner();
    let (limit, offset) = Pagination { limit: q.limit, offset: q.offset }.resolve()?;
    if q.seeker_id.as_deref().is_some_and(str::is_empty) {
        return Err(AppError::field("seeker_id", "must not be empty"));
    }
    let (items, total) = db::run(&state.pool, move |c| list(c, q.seeker_id.as_deref(), limit, offset)).await?;
    Ok(HttpResponse::Ok().json(Page::new(items, total, limit, offset)))
}
