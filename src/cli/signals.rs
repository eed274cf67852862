//! `platsa signals list|push`: what needs acting on, printed or pushed to the webhook.

use clap::Subcommand;

use crate::config::Settings;
use crate::state::Storage;

#[derive(Subcommand)]
pub enum Command {
    /// Print every current signal as JSON lines (ids and figures, never names).
    List,
    /// Record the new signals and deliver what is pending to `signals.webhook` (each with
    /// its key as Idempotency-Key; failures stay pending for the schedule).
    Push,
}

pub async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    let state = &Storage::open(&settings).await?;
    let settings = &settings;
    use crate::signals::{current, push, reason};
    match command {
        Command::List => {
            let (now, s) = (state.clock.now_ts(), settings.signals.clone());
            let all = crate::db::run(&state.pool, move |c| current(c, now, &s, &crate::signals::Scope::All))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            for sig in &all {
                println!("{}", serde_json::json!({ "signal": sig, "reason": reason::text(sig) }));
            }
        }
        Command::Push => {
            let summary = push::run(&state.pool, &settings.signals, &settings.consent.public_url, &state.clock)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{} new signal(s); delivered {}, still pending {}",
                summary.new, summary.delivered, summary.pending
            );
            if summary.pending > 0 {
                anyhow::bail!("{} delivery(ies) failed; they stay pending and serve retries them", summary.pending);
            }
        }
    }
    Ok(())
}
