//! `platsa eval`: a developer tool scoring the candidate lists against graded judgements.

use crate::config::Settings;

#[derive(clap::Args)]
pub struct Args {
    /// The evaluation set (JSON).
    #[arg(long, required_unless_present = "write_set")]
    set: Option<std::path::PathBuf>,
    /// Instead: write a set generated from the reference data to this file.
    #[arg(long)]
    write_set: Option<std::path::PathBuf>,
    /// With --write-set: the random seed, the number of openings and of other seekers.
    #[arg(long, default_value_t = 13)]
    seed: u64,
    #[arg(long, default_value_t = 40)]
    openings: usize,
    #[arg(long, default_value_t = 2000)]
    crowd: usize,
    /// With --write-set: everyone described only by free text (no occupation, skill or
    /// licence codes), the way imports and hurried registrations leave profiles.
    #[arg(long)]
    free_text: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Where the throw-away index goes (removed first and after).
    #[arg(long, default_value = "indexes/eval")]
    dir: std::path::PathBuf,
}

pub async fn run(
    Args { set, write_set, seed, openings, crowd, free_text, json, dir }: Args,
    settings: Settings,
) -> anyhow::Result<()> {
    if let Some(path) = write_set {
        let generated = crate::eval::generate::generate(seed, openings, crowd, free_text);
        std::fs::write(&path, serde_json::to_string_pretty(&generated)?)?;
        let judged: usize = generated.judgements.values().map(|j| j.len()).sum();
        println!(
            "wrote {}: {} openings, {} seekers, {judged} graded pairs",
            path.display(),
            generated.openings.len(),
            generated.seekers.len()
        );
        return Ok(());
    }
    let Some(path) = set else { anyhow::bail!("--set FILE is required") };
    let loaded = crate::eval::load(&path)?;
    let weights = settings.matching;
    let report = tokio::task::spawn_blocking(move || crate::eval::run(&loaded, &weights, &dir)).await??;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for line in report.lines() {
            println!("{line}");
        }
    }
    Ok(())
}
