//! `platsa report show|push`: a month's report, printed or pushed to the metrics endpoint.

use clap::Subcommand;

use crate::config::Settings;
use crate::state::Storage;

#[derive(Subcommand)]
pub enum Command {
    /// Print a month's report as JSON (or CSV with --csv).
    Show {
        #[arg(long)]
        month: String,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        csv: bool,
    },
    /// Push a month's figures to the process-metrics endpoint (one delivery per unit, each
    /// with its idempotency key; failures stay pending for the schedule).
    Push {
        #[arg(long)]
        month: String,
    },
}

pub async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    let state = &Storage::open(&settings).await?;
    let settings = &settings;
    use crate::clock::Month;
    use crate::reports::csv::to_csv;
    use crate::reports::{monthly, push};
    let month_of = |m: &str| Month::parse(m).ok_or_else(|| anyhow::anyhow!("--month: `{m}` is not YYYY-MM"));
    match command {
        Command::Show { month, unit, csv } => {
            let m = month_of(&month)?;
            let now = state.clock.now_ts();
            let report = crate::db::run(&state.pool, move |c| monthly(c, m, unit.as_deref(), now))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if csv {
                print!("{}", to_csv(&report));
            } else {
                println!("{}", serde_json::to_string_pretty(&report)?);
            }
        }
        Command::Push { month } => {
            let m = month_of(&month)?;
            let prepared =
                push::prepare(&state.pool, m, state.clock.now_ts()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let summary = push::deliver_due(&state.pool, &settings.reports, &state.clock)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{m}: {prepared} unit(s) to push; delivered {}, still pending {}",
                summary.delivered, summary.pending
            );
            if summary.pending > 0 {
                anyhow::bail!("{} delivery(ies) failed; they stay pending and serve retries them", summary.pending);
            }
        }
    }
    Ok(())
}
