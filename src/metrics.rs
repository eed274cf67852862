//! The process's own instruments for `/metrics` (the `prometheus` crate): request latency per
//! route pattern and status class, responses per class, and how long requests wait for a
//! database connection. Labels are route patterns and classes only, never a path or a value.
//! The figures read from the database at each scrape (backlogs, lag, supply, backups) are
//! `ops`'s.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus::{Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry};

pub struct Instruments {
    pub registry: Registry,
    requests: HistogramVec,
    responses: IntCounterVec,
    pool_wait: Histogram,
    pool_timeouts: IntCounter,
}

/// Seconds: a page in a millisecond up to a slow export.
const LATENCY_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Seconds: a free connection is handed out in microseconds; a pool too small for the load
/// shows here first.
const WAIT_BUCKETS: &[f64] = &[0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0];

/// The one set of instruments of this process.
pub static INSTRUMENTS: LazyLock<Instruments> = LazyLock::new(|| {
    let registry = Registry::new();
    let requests = HistogramVec::new(
        HistogramOpts::new(
            "platsa_http_request_duration_seconds",
            "Time to answer a request, by route pattern and status class.",
        )
        .buckets(LATENCY_BUCKETS.to_vec()),
        &["route", "class"],
    )
    .expect("a valid histogram");
    let responses =
        IntCounterVec::new(Opts::new("platsa_http_responses_total", "HTTP responses by status class."), &["class"])
            .expect("a valid counter");
    let pool_wait = Histogram::with_opts(
        HistogramOpts::new("platsa_db_pool_wait_seconds", "Time a request waited for a database connection.")
            .buckets(WAIT_BUCKETS.to_vec()),
    )
    .expect("a valid histogram");
    let pool_timeouts = IntCounter::new(
        "platsa_db_pool_timeouts_total",
        "Requests that got no database connection within the pool's timeout.",
    )
    .expect("a valid counter");
    for c in [
        Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
        Box::new(responses.clone()),
        Box::new(pool_wait.clone()),
        Box::new(pool_timeouts.clone()),
    ] {
        registry.register(c).expect("each instrument registered once");
    }
    Instruments { registry, requests, responses, pool_wait, pool_timeouts }
});

fn class(status: u16) -> &'static str {
    match status / 100 {
        1 => "1xx",
        2 => "2xx",
        3 => "3xx",
        4 => "4xx",
        _ => "5xx",
    }
}

/// One answered request: `route` is the matched pattern (or `unmatched`).
pub fn request(route: &str, status: u16, elapsed: Option<Duration>) {
    let i = &*INSTRUMENTS;
    let class = class(status);
    i.responses.with_label_values(&[class]).inc();
    if let Some(e) = elapsed {
        i.requests.with_label_values(&[route, class]).observe(e.as_secs_f64());
    }
}

/// Records every connection checkout of a pool (r2d2's events).
#[derive(Debug)]
pub struct PoolEvents;

impl r2d2::HandleEvent for PoolEvents {
    fn handle_checkout(&self, event: r2d2::event::CheckoutEvent) {
        INSTRUMENTS.pool_wait.observe(event.duration().as_secs_f64());
    }

    fn handle_timeout(&self, _event: r2d2::event::TimeoutEvent) {
        INSTRUMENTS.pool_timeouts.inc();
    }
}
