//! `platsa load`: drives a running Platsa over HTTP with concurrent clients and prints
//! requests per second, latency percentiles and the server's peak memory. Benchmarks, not
//! tests: the numbers go in the closing note and the README.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::demo::generate::Generator;

/// What a load run measured.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    /// Milliseconds.
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    /// The server's peak resident memory during the run, when its pid was given.
    pub server_peak_rss_mb: Option<f64>,
    /// The first error answer's status, to say what went wrong.
    pub first_error: Option<String>,
}

impl LoadReport {
    pub fn line(&self, what: &str) -> String {
        format!(
            "{what}: {} requests in {:.1} s = {:.0}/s; p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms; {} errors{}{}",
            self.requests,
            self.seconds,
            self.requests as f64 / self.seconds.max(1e-9),
            self.p50,
            self.p95,
            self.p99,
            self.errors,
            self.first_error.as_deref().map(|e| format!(" (first: {e})")).unwrap_or_default(),
            self.server_peak_rss_mb.map(|m| format!("; server peak RSS {m:.0} MB")).unwrap_or_default(),
        )
    }
}

/// Resident memory of a process, in MB (Linux).
pub fn rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?.split_whitespace().next()?.parse().ok()?;
    Some(kb / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// What each request is: built from its number.
pub enum Target {
    /// `POST /api/v1/seekers` with generated people (personnummer from `first`).
    CreateSeekers { unit: Option<String>, first: u64, seed: u64 },
    /// `GET` of these paths, in turn.
    Get(Vec<String>),
}

/// Sends `count` requests from `clients` concurrent clients.
pub async fn run(base: &str, token: &str, clients: usize, count: u64, target: Target, pid: Option<u32>) -> LoadReport {
    let client = reqwest::Client::builder().pool_max_idle_per_host(clients).build().expect("http client");
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let first_error: Arc<std::sync::Mutex<Option<String>>> = Arc::default();
    let target = Arc::new(target);
    let peak = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = pid.map(|pid| {
        let (peak, done) = (peak.clone(), done.clone());
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                if let Some(mb) = rss_mb(pid) {
                    peak.fetch_max(mb as usize, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    });
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, next, errors, first_error, target) =
            (client.clone(), next.clone(), errors.clone(), first_error.clone(), target.clone());
        let (base, token) = (base.trim_end_matches('/').to_string(), token.to_string());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut generator = match &*target {
                Target::CreateSeekers { seed, .. } => {
                    Some(Generator::new(seed + c as u64, crate::clock::Clock::system().today()))
                }
                Target::Get(_) => None,
            };
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    break;
                }
                let request = match (&*target, generator.as_mut()) {
                    (Target::CreateSeekers { unit, first, .. }, Some(g)) => {
                        let body = g.seeker(first + n, unit.as_deref(), None);
                        client.post(format!("{base}/api/v1/seekers")).json(&body)
                    }
                    (Target::Get(paths), _) => client.get(format!("{base}{}", paths[n as usize % paths.len()])),
                    _ => unreachable!("a generator for every create"),
                };
                let t = Instant::now();
                let result = request.bearer_auth(&token).send().await;
                let ok = match result {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        true
                    }
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let body = r.text().await.unwrap_or_default();
                        first_error
                            .lock()
                            .unwrap()
                            .get_or_insert(format!("HTTP {status} {}", body.chars().take(200).collect::<String>()));
                        false
                    }
                    Err(e) => {
                        first_error.lock().unwrap().get_or_insert(e.without_url().to_string());
                        false
                    }
                };
                if ok {
                    times.push(t.elapsed().as_secs_f64() * 1000.0);
                } else {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            times
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.unwrap_or_default());
    }
    let seconds = started.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    if let Some(s) = sampler {
        let _ = s.await;
    }
    times.sort_by(f64::total_cmp);
    let first_error = first_error.lock().unwrap().clone();
    LoadReport {
        requests: times.len() as u64,
        errors: errors.load(Ordering::Relaxed),
        seconds,
        p50: percentile(&times, 0.50),
        p95: percentile(&times, 0.95),
        p99: percentile(&times, 0.99),
        server_peak_rss_mb: pid.map(|_| peak.load(Ordering::Relaxed) as f64),
        first_error,
    }
}

/// Makes the paths a candidates load run asks for: an employer, then up to `n` openings from
/// `file` (JSON Lines as `POST /api/v1/openings` takes them; `platsa bench --export` writes
/// `openings-api.jsonl`), each posted for that employer. Answers their candidates paths.
pub async fn post_openings(
    base: &str,
    token: &str,
    file: &std::path::Path,
    n: usize,
    limit: u32,
) -> anyhow::Result<Vec<String>> {
    let base = base.trim_end_matches('/');
    let client = reqwest::Client::new();
    let created: serde_json::Value = client
        .post(format!("{base}/api/v1/employers"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "name": "Lasttest AB", "organization_number": "556036-0793" }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let employer = created["id"].as_str().ok_or_else(|| anyhow::anyhow!("no employer id in the answer"))?.to_string();
    let mut paths = Vec::new();
    for line in std::fs::read_to_string(file)?.lines().filter(|l| !l.trim().is_empty()).take(n) {
        let mut body: serde_json::Value = serde_json::from_str(line)?;
        body["employer_id"] = employer.clone().into();
        let r = client.post(format!("{base}/api/v1/openings")).bearer_auth(token).json(&body).send().await?;
        let status = r.status();
        let answer: serde_json::Value = r.json().await.unwrap_or_default();
        let Some(id) = answer["id"].as_str().filter(|_| status.is_success()) else {
            anyhow::bail!("POST /api/v1/openings answered {status}: {}", answer["title"]);
        };
        paths.push(format!("/api/v1/openings/{id}/candidates?limit={limit}"));
    }
    Ok(paths)
}

/// The paths of `n` registered seekers' records, read page by page from `GET /api/v1/seekers`.
pub async fn seeker_paths(base: &str, token: &str, n: usize) -> anyhow::Result<Vec<String>> {
    let base = base.trim_end_matches('/');
    let client = reqwest::Client::new();
    let mut paths = Vec::new();
    while paths.len() < n {
        let page: serde_json::Value = client
            .get(format!("{base}/api/v1/seekers?limit=500&offset={}", paths.len()))
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            break;
        }
        paths.extend(items.iter().filter_map(|s| s["id"].as_str()).map(|id| format!("/api/v1/seekers/{id}")));
    }
    paths.truncate(n);
    Ok(paths)
}
