//! `platsa load`: a developer tool driving a running Platsa over HTTP with concurrent clients.

use clap::Subcommand;

#[derive(clap::Args)]
pub struct LoadArgs {
    /// The service, e.g. http://127.0.0.1:8080
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// A token allowed to do it.
    #[arg(long, env = "PLATSA_TOKEN")]
    pub token: String,
    #[arg(long, default_value_t = 8)]
    pub clients: usize,
    #[arg(long, default_value_t = 20_000)]
    pub count: u64,
    /// The server's process id: its peak memory during the run is reported.
    #[arg(long)]
    pub pid: Option<u32>,
}

#[derive(Subcommand)]
pub enum Command {
    /// POST /api/v1/seekers with generated people.
    Seekers {
        #[command(flatten)]
        args: LoadArgs,
        /// The unit they belong to (must exist).
        #[arg(long)]
        unit: Option<String>,
        /// The first generated person's number (personnummer follow from it).
        #[arg(long, default_value_t = 5_000_000)]
        first: u64,
        #[arg(long, default_value_t = 11)]
        seed: u64,
    },
    /// Post the openings in FILE (`platsa bench --export` writes openings-api.jsonl) for a new
    /// employer, then GET their candidates in turn.
    Candidates {
        #[command(flatten)]
        args: LoadArgs,
        #[arg(long)]
        openings: std::path::PathBuf,
        /// How many of the file's openings.
        #[arg(long, default_value_t = 200)]
        how_many: usize,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// GET /api/v1/seekers/{id} for the first N registered seekers, in turn.
    Records {
        #[command(flatten)]
        args: LoadArgs,
        #[arg(long, default_value_t = 2000)]
        how_many: usize,
    },
    /// GET these paths in turn (e.g. /api/v1/openings/ID/candidates?limit=50).
    Get {
        #[command(flatten)]
        args: LoadArgs,
        #[arg(long = "path", required = true)]
        paths: Vec<String>,
    },
}

pub async fn run(command: Command) -> anyhow::Result<()> {
    use crate::load::{Target, run};
    let (args, target, what) = match command {
        Command::Seekers { args, unit, first, seed } => {
            (args, Target::CreateSeekers { unit, first, seed }, "POST /api/v1/seekers")
        }
        Command::Get { args, paths } => (args, Target::Get(paths), "GET"),
        Command::Candidates { args, openings, how_many, limit } => {
            let paths = crate::load::post_openings(&args.url, &args.token, &openings, how_many, limit).await?;
            println!("posted {} openings", paths.len());
            (args, Target::Get(paths), "GET /api/v1/openings/{id}/candidates")
        }
        Command::Records { args, how_many } => {
            let paths = crate::load::seeker_paths(&args.url, &args.token, how_many).await?;
            (args, Target::Get(paths), "GET /api/v1/seekers/{id}")
        }
    };
    println!("platsa load: {} requests from {} clients to {}", args.count, args.clients, args.url);
    let report = run(&args.url, &args.token, args.clients, args.count, target, args.pid).await;
    println!("{}", report.line(what));
    Ok(())
}
