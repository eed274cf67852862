//! `platsa migrate`: apply pending migrations and say how many.

use crate::config::Settings;

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let url = settings.database_url.clone();
    let (_, applied) = tokio::task::spawn_blocking(move || crate::db::open(&url, 1)).await??;
    println!("database {}: {applied} migration(s) applied, up to date", settings.database_url.redacted());
    Ok(())
}
