//! The `backups` table: every run with its result, and the claim on a day's scheduled run.

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::backups;
use crate::error::{AppError, AppResult, Clash};

/// One backup run, as `/readyz` and the admins' signal show it.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, utoipa::ToSchema)]
#[diesel(table_name = backups)]
#[schema(as = BackupRun)]
pub struct Run {
    /// The scheduled run's local date; none for `platsa backup`.
    pub day: Option<String>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: i64,
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<i64>,
    /// None while it runs (or when its process stopped before it ended).
    pub ok: Option<bool>,
    /// The file's name (not its folder).
    pub file: Option<String>,
    pub bytes: Option<i64>,
    pub encrypted: bool,
    /// What went wrong, without any value from the database.
    pub error: Option<String>,
}

/// Claims `day`'s scheduled run; `None` when another process has it. The unique day is the
/// claim, so N `serve` processes take one backup between them.
pub fn claim(conn: &mut DbConnection, day: &str, now: i64) -> AppResult<Option<String>> {
    let id = crate::db::new_id();
    let claimed = crate::db::write_tx(conn, |c| {
        diesel::insert_into(backups::table)
            .values((backups::id.eq(&id), backups::day.eq(day), backups::started_at.eq(now)))
            .execute(c)?;
        Ok(())
    });
    match claimed {
        Ok(()) => Ok(Some(id)),
        Err(AppError::Conflict { clash: Clash::Unique, .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether `day`'s scheduled run is claimed already.
pub fn claimed(conn: &mut DbConnection, day: &str) -> AppResult<bool> {
    Ok(backups::table.filter(backups::day.eq(day)).count().get_result::<i64>(conn)? > 0)
}

/// A backup that was written: its file's name, size, and whether it is encrypted.
pub struct Written {
    pub file: String,
    pub bytes: i64,
    pub encrypted: bool,
}

/// Records how a claimed run ended (`Err`: what went wrong, without any value from the database).
pub fn finish(conn: &mut DbConnection, id: &str, finished_at: i64, result: Result<Written, String>) -> AppResult<()> {
    let (ok, file, bytes, encrypted, error) = match result {
        Ok(w) => (true, Some(w.file), Some(w.bytes), w.encrypted, None),
        Err(e) => (false, None, None, false, Some(e)),
    };
    diesel::update(backups::table.find(id))
        .set((
            backups::finished_at.eq(finished_at),
            backups::ok.eq(ok),
            backups::file.eq(file),
            backups::bytes.eq(bytes),
            backups::encrypted.eq(encrypted),
            backups::error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a `platsa backup` run (started and finished).
pub fn record(
    conn: &mut DbConnection,
    started_at: i64,
    finished_at: i64,
    result: Result<Written, String>,
) -> AppResult<()> {
    let id = crate::db::new_id();
    diesel::insert_into(backups::table)
        .values((backups::id.eq(&id), backups::started_at.eq(started_at)))
        .execute(conn)?;
    finish(conn, &id, finished_at, result)
}

/// The newest run, and the newest successful one.
pub fn last(conn: &mut DbConnection) -> AppResult<(Option<Run>, Option<Run>)> {
    let newest =
        backups::table.order(backups::started_at.desc()).select(Run::as_select()).first::<Run>(conn).optional()?;
    let good = backups::table
        .filter(backups::ok.eq(true))
        .order(backups::finished_at.desc())
        .select(Run::as_select())
        .first::<Run>(conn)
        .optional()?;
    Ok((newest, good))
}
