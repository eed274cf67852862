//! The `platsa` command: parses the command line, loads the settings, starts telemetry and
//! runs the command (`platsa::cli`, one file per command).

use std::process::ExitCode;

use clap::Parser;
use platsa::cli::{self, Cli};
use platsa::{config::Settings, telemetry};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("platsa: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(settings.log_format, std::io::stderr);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(cli::run(cli.command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("platsa: {e:#}");
            ExitCode::FAILURE
        }
    }
}
