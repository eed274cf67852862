//! `platsa jobstream sync|status`: read Platsbanken from JobStream.

use clap::Subcommand;

use crate::config::Settings;
use crate::state::Storage;

#[derive(Subcommand)]
pub enum Command {
    /// Read what changed since the stored position (the first time: the whole snapshot).
    Sync {
        /// Read the whole snapshot again; openings whose ads are gone are closed.
        #[arg(long)]
        snapshot: bool,
    },
    /// Where reading stands and the latest runs (JSON).
    Status,
}

pub async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    let state = &Storage::open(&settings).await?;
    let settings = &settings;
    use crate::jobstream;
    match command {
        Command::Sync { snapshot } => {
            let run = jobstream::sync(&state.pool, &settings.jobstream, &state.clock, snapshot)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let Some(run) = run else {
                anyhow::bail!("another process is syncing now; try again when it is done");
            };
            println!(
                "{}: {} ads; {} new, {} updated, {} unchanged, {} closed, {} outside the filters, {} malformed ({} request(s))",
                run.kind.map(|k| k.as_str()).unwrap_or(""),
                run.ads,
                run.created,
                run.updated,
                run.unchanged,
                run.closed,
                run.filtered,
                run.malformed,
                run.attempts
            );
            for p in &run.problems {
                println!("  ad {}: {} {}", p.ad, p.field, p.problem);
            }
            if let Some(e) = run.error {
                anyhow::bail!("the sync failed ({e}); the position stays and the next sync reads from it");
            }
        }
        Command::Status => {
            let (s, now) = (settings.jobstream.clone(), state.clock.now_ts());
            let (status, runs) =
                crate::db::run(&state.pool, move |c| Ok((jobstream::status(c, &s, now)?, jobstream::runs(c, 10)?)))
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "status": status, "runs": runs }))?);
        }
    }
    Ok(())
}
