//! Progress on a terminal, or a line per tenth in CI logs.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A progress bar on a terminal; a line per tenth otherwise (CI logs).
pub struct Progress {
    bar: Option<ProgressBar>,
    label: &'static str,
    current: String,
    printed_tenth: u64,
    started: std::time::Instant,
}

impl Progress {
    pub fn new(label: &'static str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{msg:10} [{bar:40}] {pos}/{len} {per_sec} eta {eta}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar
        });
        Self { bar, label, current: String::new(), printed_tenth: 0, started: std::time::Instant::now() }
    }

    pub fn update(&mut self, name: &str, done: u64, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_message(name.to_string());
            bar.set_length(total);
            bar.set_position(done);
            return;
        }
        if self.current != name {
            self.current = name.to_string();
            self.printed_tenth = 0;
            self.started = std::time::Instant::now();
        }
        let tenth = (done * 10).checked_div(total).unwrap_or(10);
        if tenth > self.printed_tenth || done == total {
            self.printed_tenth = tenth;
            let secs = self.started.elapsed().as_secs_f64();
            if secs > 0.05 {
                eprintln!("{} {name}: {done}/{total} ({:.0}/s)", self.label, done as f64 / secs);
            } else {
                eprintln!("{} {name}: {done}/{total}", self.label);
            }
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        self.started = std::time::Instant::now();
        self.printed_tenth = 0;
    }
}
