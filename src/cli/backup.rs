//! `platsa backup --to FILE [--encrypt-to RECIPIENT]`: a consistent copy of the database while
//! `serve` runs (see README: Backups). Does not migrate: a backup before an upgrade is of the
//! database as it is.

use std::path::PathBuf;

use crate::config::Settings;

#[derive(clap::Args)]
pub struct Args {
    /// The file to write (replaced when the backup is complete).
    #[arg(long)]
    to: PathBuf,
    /// Encrypt to this age recipient (age1…); default: `backup.recipient` when set.
    #[arg(long)]
    encrypt_to: Option<String>,
}

pub async fn run(Args { to, encrypt_to }: Args, settings: Settings) -> anyhow::Result<()> {
    let recipient = match encrypt_to.as_deref().unwrap_or(&settings.backup.recipient) {
        "" => None,
        text => Some(crate::backup::recipient(text)?),
    };
    let url = settings.database_url.clone();
    let clock = crate::state::clock_of(&settings);
    let started_at = clock.now_ts();
    let started = std::time::Instant::now();
    let file = to.clone();
    let taken =
        tokio::task::spawn_blocking(move || crate::backup::take(&url, &file, recipient.as_ref(), started_at)).await?;
    let result = match &taken {
        Ok(t) => Ok(crate::backup::store::Written {
            file: to.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            bytes: t.bytes as i64,
            encrypted: t.encrypted,
        }),
        Err(e) => Err(format!("{e:#}")),
    };
    // Recorded for /readyz and the admins' signal when the database has the table (and
    // exists: opening a missing SQLite file would create one).
    let (url, finished_at) = (settings.database_url.clone(), clock.now_ts());
    if let crate::config::DatabaseUrl::Sqlite(path) = &url
        && !path.is_file()
    {
        return taken.map(|_| ());
    }
    let recorded = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut conn = r2d2::ManageConnection::connect(&crate::db::Manager::new(url))?;
        crate::backup::store::record(&mut conn, started_at, finished_at, result).map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await?;
    if let Err(e) = recorded {
        tracing::warn!(error = %e, "the backup's result was not recorded in the database");
    }
    let taken = taken?;
    let m = &taken.manifest;
    println!(
        "backup written to {} ({} bytes{}) in {:.2} s: schema {}, {} tables, {} rows, {} seekers",
        to.display(),
        taken.bytes,
        if taken.encrypted { ", encrypted with age" } else { "" },
        started.elapsed().as_secs_f64(),
        m.schema_version.as_deref().unwrap_or("none"),
        m.tables.len(),
        m.tables.values().sum::<i64>(),
        m.rows("seekers"),
    );
    Ok(())
}
