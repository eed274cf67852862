//! `platsa restore --from FILE [--identity KEYFILE]`: a backup into an empty database (see
//! README: Backups). The index is rebuilt by the next `serve`.

use std::path::PathBuf;

use crate::config::Settings;

#[derive(clap::Args)]
pub struct Args {
    /// The backup file.
    #[arg(long)]
    from: PathBuf,
    /// The age identity file (private key) of an encrypted backup.
    #[arg(long)]
    identity: Option<PathBuf>,
}

pub async fn run(Args { from, identity }: Args, settings: Settings) -> anyhow::Result<()> {
    let url = settings.database_url.clone();
    let started = std::time::Instant::now();
    let manifest =
        tokio::task::spawn_blocking(move || crate::backup::restore(&url, &from, identity.as_deref())).await??;
    let checked = match settings.database_url {
        crate::config::DatabaseUrl::Sqlite(_) => "SQLite's integrity and foreign-key checks ok",
        crate::config::DatabaseUrl::Postgres(_) => "restored in one transaction by pg_restore",
    };
    println!(
        "restored into {} in {:.2} s: backup of {} (schema {}), {} tables and {} rows as the manifest lists, {checked}; \
         the next `serve` migrates it if needed and rebuilds the search index",
        settings.database_url.redacted(),
        started.elapsed().as_secs_f64(),
        manifest.taken_at,
        manifest.schema_version.as_deref().unwrap_or("none"),
        manifest.tables.len(),
        manifest.tables.values().sum::<i64>(),
    );
    Ok(())
}
