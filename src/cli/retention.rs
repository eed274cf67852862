//! `platsa retention run [--dry-run]`: erase everyone past the retention period.

use clap::Subcommand;

use crate::config::Settings;
use crate::state::Storage;

#[derive(Subcommand)]
pub enum Command {
    /// Erase everyone due now; with --dry-run only list them (JSON lines: ids, why, since).
    Run {
        #[arg(long)]
        dry_run: bool,
    },
}

pub async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    let Command::Run { dry_run } = command;
    let storage = Storage::open(&settings).await?;
    let (now, months, rewrite) =
        (storage.clock.now_ts(), settings.retention.inactive_months, settings.retention.rewrite_tables);
    if months == 0 {
        anyhow::bail!("retention.inactive_months is 0: retention is off");
    }
    if !dry_run {
        settings.retention.check_backups().map_err(anyhow::Error::msg)?;
    }
    let list = crate::db::run(&storage.pool, move |c| crate::retention::run(c, now, (months, rewrite), dry_run))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for d in &list {
        println!("{}", serde_json::to_string(d)?);
    }
    println!("{} {} (after {months} months)", list.len(), if dry_run { "due for erasure" } else { "erased" });
    Ok(())
}
