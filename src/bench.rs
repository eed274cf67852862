//! `platsa bench`: generates realistic seekers from the reference data, indexes them, and
//! times the candidates query (top 50 with explanations) for many generated openings. A
//! brute-force scan over compact in-memory records is timed beside it for comparison.

use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::config::MatchingSettings;
use crate::demo::generate::Generator;
use crate::index::SearchIndex;
use crate::matching::rank::{OpeningProfile, Scoring, brute_force, candidates, rank_candidates};
use crate::search::documents;
use crate::seekers::SeekerData;
use crate::seekers::store::SeekerRow;

pub struct BenchOptions {
    pub seekers: u64,
    pub queries: usize,
    pub brute_force_queries: usize,
    pub dir: std::path::PathBuf,
    pub seed: u64,
    /// Where to write the corpus as JSON Lines for the other engines' comparison.
    pub export: Option<std::path::PathBuf>,
    /// Openings the daily matches' run ranks.
    pub daily_openings: usize,
}

/// The corpus as another full-text engine gets it: the words Platsa's index holds for each
/// seeker (summary, occupation names, skill labels) and the two hard filters.
#[derive(serde::Serialize)]
struct ExportedSeeker<'a> {
    id: &'a str,
    active: bool,
    licences: &'a [String],
    text: String,
}

/// An opening as the comparison queries it: its words (headline, occupation name, skill
/// labels) ORed, and the licences it requires.
#[derive(serde::Serialize)]
struct ExportedOpening<'a> {
    words: String,
    licences: &'a [String],
}

fn export_file(
    dir: &Option<std::path::PathBuf>,
    name: &str,
) -> anyhow::Result<Option<std::io::BufWriter<std::fs::File>>> {
    let Some(dir) = dir else { return Ok(None) };
    std::fs::create_dir_all(dir)?;
    Ok(Some(std::io::BufWriter::new(std::fs::File::create(dir.join(name))?)))
}

pub fn row(id: String, d: &SeekerData, now: i64) -> SeekerRow {
    SeekerRow {
        id,
        personnummer: None,
        first_name: None,
        last_name: None,
        email: None,
        phone: None,
        municipality_code: d.municipality_code.clone(),
        occupations: json(&d.occupations),
        skills: json(&d.skills),
        languages: json(&d.languages),
        driving_licences: json(&d.driving_licences),
        available_from: d.available_from.map(Into::into),
        max_commute_km: d.max_commute_km.map(|k| k as i32),
        summary: d.summary.clone(),
        unit: d.unit.clone(),
        broker_id: None,
        status: d.status,
        exit_reason: None,
        exit_date: None,
        registered_at: now,
        updated_at: now,
        last_proposed_at: None,
        erased_at: None,
        version: 1,
        paused_until: None,
        pause_reason: None,
        inferred: None,
    }
}

fn json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).expect("serializable")
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Peak resident memory of this process, in MiB (Linux).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

pub fn run(opts: &BenchOptions, weights: &MatchingSettings, mut out: impl FnMut(String)) -> anyhow::Result<()> {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid");
    let now = 1_795_000_000;
    if opts.dir.exists() {
        std::fs::remove_dir_all(&opts.dir)?;
    }
    let index = SearchIndex::open(&opts.dir)?;
    let side = &index.seekers;
    let mut writer = side.writer(600_000_000, 2)?;
    let mut g = Generator::new(opts.seed, today);
    let started = Instant::now();
    let mut generating = Duration::ZERO;
    let chunk = 20_000u64;
    let mut done = 0u64;
    let mut exported = export_file(&opts.export, "seekers.jsonl")?;
    // The same people as a register `platsa import seekers` reads, to load a service with them.
    let mut register = export_file(&opts.export, "register.jsonl")?;
    while done < opts.seekers {
        let end = (done + chunk).min(opts.seekers);
        let t = Instant::now();
        let mut docs = Vec::with_capacity((end - done) as usize);
        for i in done..end {
            let input = g.seeker(i, None, None);
            if let Some(out) = register.as_mut() {
                serde_json::to_writer(&mut *out, &input)?;
                std::io::Write::write_all(out, b"\n")?;
            }
            let data = input.validate(today).map_err(|e| anyhow::anyhow!("generated seeker invalid: {e:?}"))?;
            let id = uuid::Uuid::from_u64_pair(0x0190_0000_0000_7000, i).to_string();
            if let Some(doc) = documents::seeker(&side.fields, &row(id.clone(), &data, now)) {
                if let Some(out) = exported.as_mut() {
                    let text: Vec<&str> =
                        doc.get_all(side.fields.text).filter_map(|v| tantivy::schema::Value::as_str(&v)).collect();
                    let line = ExportedSeeker {
                        id: &id,
                        active: data.status == crate::seekers::SeekerStatus::Active,
                        licences: &data.driving_licences,
                        text: text.join(" "),
                    };
                    serde_json::to_writer(&mut *out, &line)?;
                    std::io::Write::write_all(out, b"\n")?;
                }
                docs.push(doc);
            }
        }
        generating += t.elapsed();
        for doc in docs {
            writer.add_document(doc)?;
        }
        done = end;
        if done.is_multiple_of(200_000) || done == opts.seekers {
            out(format!("  generated and added {done} seekers ({:.0} s)", started.elapsed().as_secs_f64()));
        }
    }
    side.commit(&mut writer, 0, None)?;
    drop(writer);
    let total = started.elapsed();
    let index_only = total.saturating_sub(generating);
    out(format!(
        "index: {} seekers in {:.1} s end to end ({:.0}/s); {:.1} s of it generating data, so indexing {:.0} seekers/s",
        opts.seekers,
        total.as_secs_f64(),
        opts.seekers as f64 / total.as_secs_f64(),
        generating.as_secs_f64(),
        opts.seekers as f64 / index_only.as_secs_f64().max(1e-9)
    ));
    out(format!("segments: {}", side.reader.searcher().segment_readers().len()));

    // Openings to rank for: generated like the real ones, in populated places.
    let employer = "bench-employer";
    for mut out in [exported.take(), register.take()].into_iter().flatten() {
        std::io::Write::flush(&mut out)?;
    }
    let mut exported = export_file(&opts.export, "openings.jsonl")?;
    // The same openings as `POST /api/v1/openings` takes them (`platsa load candidates`).
    let mut posted = export_file(&opts.export, "openings-api.jsonl")?;
    let mut profiles = Vec::new();
    for _ in 0..opts.queries.max(opts.brute_force_queries) + 20 {
        let input = g.opening(employer, None, false);
        if let Some(out) = posted.as_mut() {
            serde_json::to_writer(&mut *out, &input)?;
            std::io::Write::write_all(out, b"\n")?;
        }
        let o = input.validate(today, None).expect("generated opening valid");
        let p = OpeningProfile::from_data(&o);
        if let Some(out) = exported.as_mut() {
            let labels = o.must_have.skills.iter().chain(&o.nice_to_have.skills).map(|s| s.label.as_str());
            let words = std::iter::once(p.text.as_str()).chain(labels).collect::<Vec<_>>().join(" ");
            serde_json::to_writer(&mut *out, &ExportedOpening { words, licences: &p.must_licences })?;
            std::io::Write::write_all(out, b"\n")?;
        }
        profiles.push(p);
    }
    for mut out in [exported.take(), posted.take()].into_iter().flatten() {
        std::io::Write::flush(&mut out)?;
    }
    for p in profiles.iter().take(20) {
        candidates(side, p, weights, &[], 50, 0)?;
    }
    let mut latencies = Vec::with_capacity(opts.queries);
    let mut hits_total = 0usize;
    let mut scored_total = 0usize;
    for p in profiles.iter().skip(20).take(opts.queries) {
        let t = Instant::now();
        let (page, total, scored) = rank_candidates(side, p, weights, &[], (50, 0), Scoring::Pruned)?;
        latencies.push(t.elapsed());
        hits_total += total;
        scored_total += scored;
        assert!(page.iter().all(|h| !h.explanation.components.is_empty()));
    }
    latencies.sort();
    out(format!(
        "candidates (top 50 with explanations), {} queries: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {:.0} matching seekers per query on average, {:.0} of them scored",
        latencies.len(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
        latencies.last().map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0),
        hits_total as f64 / latencies.len().max(1) as f64,
        scored_total as f64 / latencies.len().max(1) as f64
    ));

    // The same queries scoring every hit (what ranking did before pruning), interleaved with
    // the pruned ones so both meet the same machine.
    let (mut full, mut pruned) = (Vec::new(), Vec::new());
    for p in profiles.iter().skip(20).take(opts.queries.min(200)) {
        for (mode, times) in [(Scoring::Full, &mut full), (Scoring::Pruned, &mut pruned)] {
            let t = Instant::now();
            rank_candidates(side, p, weights, &[], (50, 0), mode)?;
            times.push(t.elapsed());
        }
    }
    full.sort();
    pruned.sort();
    out(format!(
        "candidates, every hit scored vs pruned, {} queries interleaved: full p50 {:.2} / p99 {:.2} ms, pruned p50 {:.2} / p99 {:.2} ms",
        full.len(),
        percentile(&full, 0.50),
        percentile(&full, 0.99),
        percentile(&pruned, 0.50),
        percentile(&pruned, 0.99)
    ));

    // Brute force: every seeker's compact record scored with the same per-document scorer,
    // on one core, top 50 kept in a heap.
    let mut brute = Vec::new();
    for p in profiles.iter().skip(20).take(opts.brute_force_queries) {
        let t = Instant::now();
        let top = brute_force(side, p, weights, 50);
        brute.push(t.elapsed());
        assert!(top.len() <= 50);
    }
    brute.sort();
    out(format!(
        "brute force over {} compact records (same per-document scorer, one core), {} queries: p50 {:.2} ms, p99 {:.2} ms",
        opts.seekers,
        brute.len(),
        percentile(&brute, 0.50),
        percentile(&brute, 0.99)
    ));
    daily(side, &mut g, opts.daily_openings, weights, today, &mut out)?;
    typeahead(&mut out);
    if let Some(rss) = peak_rss_mib() {
        out(format!("peak RSS: {rss:.0} MiB"));
    }
    Ok(())
}

/// "Dagens förslag": one run's ranking of every open opening (each one's best 30 on every
/// core), the part of the run that grows with the register; the database work around it is
/// a claim and one insert per run.
fn daily(
    side: &crate::index::Side,
    g: &mut Generator,
    openings: usize,
    weights: &MatchingSettings,
    today: NaiveDate,
    out: &mut impl FnMut(String),
) -> anyhow::Result<()> {
    if openings == 0 {
        return Ok(());
    }
    let todo: Vec<crate::matching::daily::ToMatch> = (0..openings)
        .map(|i| {
            let o = g.opening("bench-employer", None, false).validate(today, None).expect("generated opening valid");
            crate::matching::daily::ToMatch {
                opening_id: format!("bench-{i}"),
                profile: OpeningProfile::from_data(&o),
                exclude: Vec::new(),
            }
        })
        .collect();
    let t = Instant::now();
    let ranked = crate::matching::daily::rank_all(side, &todo, weights)?;
    let took = t.elapsed();
    let hits: usize = ranked.iter().map(|(_, r)| r.len()).sum();
    out(format!(
        "daily matches: {} openings ranked (best 30 each, {} cores) in {:.1} s, {:.2} ms per opening; {hits} candidates before the per-broker allocation",
        todo.len(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        took.as_secs_f64(),
        took.as_secs_f64() * 1000.0 / todo.len() as f64
    ));
    Ok(())
}

/// The typeahead behind every code picker, timed per vocabulary over what people type: a
/// few letters, a whole word, a word with a typo, a code.
fn typeahead(out: &mut impl FnMut(String)) {
    use crate::taxonomy::{Vocabulary, lookup};
    let typed: &[(Vocabulary, &[&str])] = &[
        (
            Vocabulary::Occupations,
            &["und", "underskoterska", "underskoterka", "svets", "lagerarbetare", "5321", "busschauf"],
        ),
        (Vocabulary::Skills, &["tr", "truckkort", "truckkrot", "kassa", "omvardnad", "excel", "svetsning"]),
        (Vocabulary::Municipalities, &["tr", "trelleborg", "kristianstd", "1287", "malmo", "göteb"]),
        (Vocabulary::Languages, &["ar", "arabiska", "somalsika", "sv", "engelska"]),
    ];
    for (v, words) in typed {
        let mut times = Vec::new();
        for _ in 0..20 {
            for w in *words {
                let t = Instant::now();
                let (items, _) = lookup(*v, w, 12, 0);
                times.push(t.elapsed());
                assert!(items.len() <= 12);
            }
        }
        times.sort();
        out(format!(
            "typeahead {}: {} lookups, p50 {:.2} ms, p99 {:.2} ms",
            v.as_str(),
            times.len(),
            percentile(&times, 0.50),
            percentile(&times, 0.99)
        ));
    }
}
