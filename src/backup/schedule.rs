//! The daily backup in `serve`: from `backup.hour` (local time) the first process to claim the
//! day takes it into `backup.dir`, encrypted when `backup.recipient` is set, and removes all but
//! the newest `backup.keep` copies. What `/readyz`, `/metrics` and the admins' signal read.

use std::path::{Path, PathBuf};

use chrono::Timelike;
use serde::Serialize;

use super::store::{self, Run, Written};
use crate::clock::Clock;
use crate::config::{BackupSettings, DatabaseUrl};
use crate::db::{DbConnection, Pool};
use crate::error::AppResult;

/// A successful backup older than this is a problem (a day and some slack).
pub const STALE_HOURS: i64 = 26;

/// Takes today's backup when it is due and no process has claimed it; true when this process
/// took (or tried) it. Runs in the caller's task: a backup takes seconds to minutes.
pub async fn run_due(pool: &Pool, database: &DatabaseUrl, s: &BackupSettings, clock: &Clock) -> AppResult<bool> {
    if !s.scheduled() {
        return Ok(false);
    }
    let now = clock.now_ts();
    let local = clock.now().with_timezone(&chrono_tz::Europe::Stockholm);
    if local.hour() < s.hour {
        return Ok(false);
    }
    let day = local.date_naive().to_string();
    let claim_day = day.clone();
    let claimed = crate::db::run(pool, move |c| {
        if store::claimed(c, &claim_day)? {
            return Ok(None);
        }
        store::claim(c, &claim_day, now)
    })
    .await?;
    let Some(id) = claimed else { return Ok(false) };
    let encrypted = !s.recipient.is_empty();
    let file = format!("platsa-{day}.backup{}", if encrypted { ".age" } else { "" });
    let (url, recipient, dir, keep) = (database.clone(), s.recipient.clone(), PathBuf::from(&s.dir), s.keep);
    let path = dir.join(&file);
    let started = std::time::Instant::now();
    let taken = tokio::task::spawn_blocking(move || -> anyhow::Result<super::Taken> {
        let recipient = if recipient.is_empty() { None } else { Some(super::recipient(&recipient)?) };
        let taken = super::take(&url, &path, recipient.as_ref(), now)?;
        rotate(&dir, keep as usize)?;
        Ok(taken)
    })
    .await
    .map_err(|e| anyhow::anyhow!("the backup task stopped: {e}"))
    .and_then(|r| r);
    let finished_at = clock.now_ts();
    let result = match taken {
        Ok(t) => {
            tracing::info!(file = %file, bytes = t.bytes, seconds = started.elapsed().as_secs_f64(), "backup taken");
            Ok(Written { file, bytes: t.bytes as i64, encrypted: t.encrypted })
        }
        Err(e) => {
            // Platsa's own sentences and the tool's last lines: paths and programs, no data.
            let error = format!("{e:#}");
            tracing::warn!(error = %error, "the daily backup failed; the admins' signal shows it");
            Err(error)
        }
    };
    crate::db::run(pool, move |c| store::finish(c, &id, finished_at, result)).await?;
    Ok(true)
}

/// Removes all but the newest `keep` of the daily copies in `dir` (only files named as
/// [`run_due`] names them).
pub fn rotate(dir: &Path, keep: usize) -> anyhow::Result<Vec<String>> {
    let mut ours: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with("platsa-") && (n.ends_with(".backup") || n.ends_with(".backup.age")))
        .collect();
    // `platsa-YYYY-MM-DD.backup[.age]`: the name sorts by day.
    ours.sort_unstable_by(|a, b| b.cmp(a));
    let gone: Vec<String> = ours.into_iter().skip(keep).collect();
    for name in &gone {
        std::fs::remove_file(dir.join(name))?;
    }
    // A work folder a stopped process left behind (a finished backup is renamed out of its
    // folder, which is then removed) holds a whole copy of the database.
    let day_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    for entry in std::fs::read_dir(dir)?.filter_map(|e| e.ok()) {
        let left = entry.file_name().to_str().is_some_and(|n| n.starts_with(".platsa-backup-"));
        let old = entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t < day_ago);
        if left && old {
            std::fs::remove_dir_all(entry.path())?;
        }
    }
    Ok(gone)
}

/// How backups stand, for `/readyz` and the signal.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = BackupStatus)]
pub struct Status {
    /// `ok`; `failed` (the last run failed); `stale` (no successful backup for 26 hours while
    /// daily backups are on); `waiting` (on, none taken yet); `off` (no `backup.dir`, none taken).
    #[schema(value_type = String, example = "ok")]
    pub status: &'static str,
    /// Whether `serve` takes a daily backup (`backup.dir` is set).
    pub scheduled: bool,
    /// The newest run.
    pub last: Option<Run>,
    /// When the newest successful backup finished.
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_ok_at: Option<i64>,
}

impl Status {
    /// Whether admins should act (the signal).
    pub fn is_problem(&self) -> bool {
        matches!(self.status, "failed" | "stale")
    }
}

/// How backups stand at `now`.
pub fn status(conn: &mut DbConnection, scheduled: bool, now: i64) -> AppResult<Status> {
    let (last, good) = store::last(conn)?;
    let last_ok_at = good.and_then(|g| g.finished_at);
    let status = match (&last, last_ok_at) {
        (Some(l), _) if l.ok == Some(false) => "failed",
        (None, _) if scheduled => "waiting",
        (None, _) => "off",
        (Some(_), ok_at) if scheduled && ok_at.is_none_or(|t| now - t > STALE_HOURS * 3600) => "stale",
        _ => "ok",
    };
    Ok(Status { status, scheduled, last, last_ok_at })
}

#[cfg(test)]
mod tests {
    #[test]
    fn rotation_keeps_the_newest_days_and_nothing_else_is_touched() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "platsa-2026-12-01.backup",
            "platsa-2026-12-02.backup.age",
            "platsa-2026-12-03.backup",
            "platsa-2026-12-04.backup.age",
            "notes.txt",
            "platsa-manual.db",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        // Work folders: one a stopped process left two days ago, one a backup is writing now.
        for (name, age) in [(".platsa-backup-old", 2 * 86_400), (".platsa-backup-now", 0)] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
            std::fs::write(dir.path().join(name).join("payload"), b"a copy").unwrap();
            let at = std::time::SystemTime::now() - std::time::Duration::from_secs(age);
            std::fs::File::open(dir.path().join(name)).unwrap().set_modified(at).unwrap();
        }
        let gone = super::rotate(dir.path(), 2).unwrap();
        assert_eq!(gone, ["platsa-2026-12-02.backup.age", "platsa-2026-12-01.backup"]);
        let mut left: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".platsa-backup-now",
                "notes.txt",
                "platsa-2026-12-03.backup",
                "platsa-2026-12-04.backup.age",
                "platsa-manual.db"
            ]
        );
    }
}
