//! `platsa taxonomy update|status`: JobTech's newest taxonomy, put in force.

use clap::Subcommand;

use crate::config::Settings;
use crate::state::Storage;

#[derive(Subcommand)]
pub enum Command {
    /// Read the newest version from JobTech's Taxonomy API, move every seeker's and opening's
    /// deprecated codes to what replaced them, and store the version (every process puts it
    /// in force within a minute).
    Update {
        /// The API's address, e.g. https://taxonomy.api.jobtechdev.se
        #[arg(long)]
        from: String,
        /// Report what would change; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The version in force and the stored ones, with what each update changed.
    Status,
}

pub async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    let state = &Storage::open(&settings).await?;
    use crate::taxonomy::update::{apply, fetch, history};
    match command {
        Command::Update { from, dry_run } => {
            let in_force = crate::reference::reference().version;
            let Some(fetched) = fetch(&from, in_force).await? else {
                println!("version {} is in force and the newest: nothing to do", in_force.unwrap_or_default());
                return Ok(());
            };
            let now = state.clock.now_ts();
            let report = crate::db::run(&state.pool, move |c| apply(c, now, &from, &fetched, dry_run))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            for r in &report.replaced {
                println!(
                    "replaced\t{}\t{} ({})\t→ {}",
                    r.kind,
                    r.old_id,
                    r.old_label,
                    match (&r.new_id, &r.new_label) {
                        (Some(id), Some(label)) => format!("{id} ({label})"),
                        (Some(id), None) => id.clone(),
                        _ => "nothing".to_string(),
                    }
                );
            }
            for code in &report.occupations_unmapped {
                println!("unmapped\tSSYK {code}: on someone's record, gone from this version, nothing replaces it");
            }
            for code in &report.municipalities_unplaced {
                println!("unplaced\tmunicipality {code}: Platsa has no centroid for it; left out");
            }
            println!(
                "version {} (was {}): {} SSYK groups, {} occupation names, {} substitutability pairs, {} skills, {} municipalities; {} replaced concepts; {} seekers and {} openings moved{}; {} skills relabelled, {} now free text",
                report.version,
                report.previous.map(|v| v.to_string()).unwrap_or_else(|| "the compiled-in copy".into()),
                report.ssyk_groups,
                report.occupation_names,
                report.substitutability,
                report.skills,
                report.municipalities,
                report.replaced.len(),
                report.seekers_changed,
                report.openings_changed,
                if report.dry_run { " (dry run: nothing changed)" } else { "" },
                report.skills_relabelled,
                report.skills_to_free_text,
            );
        }
        Command::Status => {
            let versions = crate::db::run(&state.pool, history).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            match crate::reference::reference().version {
                Some(v) => println!("in force: version {v}"),
                None => println!("in force: the compiled-in copy (no version stored)"),
            }
            for (version, at, report) in versions {
                println!(
                    "version {version}, read {} from {}: {} replaced, {} seekers and {} openings moved",
                    chrono::DateTime::from_timestamp(at, 0).map(|d| d.to_rfc3339()).unwrap_or_default(),
                    report.source,
                    report.replaced.len(),
                    report.seekers_changed,
                    report.openings_changed
                );
            }
        }
    }
    Ok(())
}
