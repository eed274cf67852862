//! `platsa eval`: how good are the candidate lists? A set of openings and seekers with graded
//! judgements (how suitable each seeker is for each opening, 0–3) is loaded through the same
//! validation as the API into a throw-away index, every opening's candidates are ranked as
//! `GET /api/v1/openings/{id}/candidates` ranks them, and the lists are scored:
//!
//! - **NDCG@10**: the first page against the best possible order of the judged grades
//!   (gain 2^grade − 1, log2 discount); 1.0 is perfect.
//! - **recall@50**: the share of seekers graded ≥ 1 that are among the first 50.
//! - **hard-filter violations**: listed seekers who are not active or lack a driving licence
//!   the opening requires. Must be 0.
//!
//! The set's format is documented in the README ("Evaluating the ranking"); [`generate`]
//! writes one from the reference data.

pub mod generate;
pub mod written;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::MatchingSettings;
use crate::index::SearchIndex;
use crate::matching::rank::{OpeningProfile, candidates};
use crate::openings::OpeningInput;
use crate::search::documents;
use crate::seekers::{SeekerInput, SeekerStatus};

/// An evaluation set: openings and seekers keyed by the set's own ids, and per opening the
/// grades of the seekers judged (unjudged seekers count as 0).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalSet {
    /// The day the set is evaluated on (start dates and availability are read against it).
    pub today: NaiveDate,
    /// Opening bodies as `POST /api/v1/openings` takes them (`employer_id` not needed).
    pub openings: BTreeMap<String, OpeningInput>,
    /// Seeker bodies as `POST /api/v1/seekers` takes them; `personnummer`, `first_name` and
    /// `last_name` may be left out (stand-ins are filled in: ranking never reads them).
    pub seekers: BTreeMap<String, serde_json::Value>,
    /// opening id → seeker id → grade: 3 a strong candidate, 2 a good one, 1 worth a look,
    /// 0 not suitable.
    pub judgements: BTreeMap<String, BTreeMap<String, u8>>,
}

/// The figures for one opening.
#[derive(Debug, Clone, Serialize)]
pub struct OpeningFigures {
    pub opening: String,
    pub ndcg_at_10: f64,
    pub recall_at_50: f64,
    pub violations: usize,
    /// The set's ids of the first ten, with their grades.
    pub top: Vec<(String, u8)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub openings: usize,
    pub seekers: usize,
    pub ndcg_at_10: f64,
    pub recall_at_50: f64,
    pub violations: usize,
    pub per_opening: Vec<OpeningFigures>,
}

pub fn load(path: &Path) -> anyhow::Result<EvalSet> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let set: EvalSet =
        serde_json::from_str(&text).with_context(|| format!("{} is not an evaluation set", path.display()))?;
    Ok(set)
}

/// Stand-ins for what ranking never reads, so a set can leave identities out.
fn seeker_input(serial: u64, value: &serde_json::Value) -> anyhow::Result<SeekerInput> {
    let mut v = value.clone();
    let obj = v.as_object_mut().context("a seeker is a JSON object")?;
    obj.entry("personnummer").or_insert_with(|| generate::personnummer(serial).into());
    obj.entry("first_name").or_insert_with(|| "Eva".into());
    obj.entry("last_name").or_insert_with(|| "Lund".into());
    Ok(serde_json::from_value(v)?)
}

fn dcg(grades: impl IntoIterator<Item = u8>) -> f64 {
    grades.into_iter().enumerate().map(|(i, g)| (2f64.powi(i32::from(g)) - 1.0) / ((i + 2) as f64).log2()).sum()
}

/// Ranks every opening's candidates in a fresh index under `dir` (removed first) and scores
/// the lists. Openings without any seeker graded ≥ 1 are skipped.
pub fn run(set: &EvalSet, weights: &MatchingSettings, dir: &Path) -> anyhow::Result<Report> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let index = SearchIndex::open(dir)?;
    let side = &index.seekers;
    let mut writer = side.writer(100_000_000, 1)?;
    // Ids in the index are UUIDs; the set's own ids are mapped to them and back.
    let mut by_uuid: HashMap<String, String> = HashMap::new();
    // What the hard filters need: active, and the licences held.
    let mut facts: HashMap<String, (bool, Vec<String>)> = HashMap::new();
    for (serial, (key, value)) in set.seekers.iter().enumerate() {
        let input = seeker_input(serial as u64, value).with_context(|| format!("seeker {key}"))?;
        let data = input.validate(set.today).map_err(|e| anyhow::anyhow!("seeker {key} is invalid: {e}"))?;
        let id = uuid::Uuid::from_u64_pair(0x0190_0000_0000_7000, serial as u64).to_string();
        // Read once, as a save stores it; a licence the person states in their own words
        // counts as held, as in the index.
        let reading = crate::seekers::reading(data.summary.as_deref(), None);
        let mut licences = data.driving_licences.clone();
        licences.extend(reading.iter().flat_map(|r| r.licences.iter().map(|l| l.class.clone())));
        facts.insert(key.clone(), (data.status == SeekerStatus::Active, licences));
        let mut row = crate::bench::row(id.clone(), &data, 1_795_000_000);
        row.inferred = reading.map(|r| serde_json::to_string(&r)).transpose()?;
        if let Some(doc) = documents::seeker(&side.fields, &row) {
            writer.add_document(doc)?;
        }
        by_uuid.insert(id, key.clone());
    }
    side.commit(&mut writer, 0, None)?;
    drop(writer);

    let mut per_opening = Vec::new();
    for (key, input) in &set.openings {
        let grades = set.judgements.get(key).cloned().unwrap_or_default();
        let relevant = grades.values().filter(|&&g| g >= 1).count();
        if relevant == 0 {
            continue;
        }
        let mut input = input.clone();
        input.employer_id = None;
        let o = input.validate(set.today, None).map_err(|e| anyhow::anyhow!("opening {key} is invalid: {e}"))?;
        let profile = OpeningProfile::from_data(&o);
        let (page, _) = candidates(side, &profile, weights, &[], 50, 0)?;
        let listed: Vec<&String> = page.iter().filter_map(|h| by_uuid.get(&h.id)).collect();
        let grade = |s: &str| grades.get(s).copied().unwrap_or(0);
        let mut ideal: Vec<u8> = grades.values().copied().collect();
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        let ideal = dcg(ideal.into_iter().take(10));
        let got = dcg(listed.iter().take(10).map(|s| grade(s)));
        let found = listed.iter().filter(|s| grade(s) >= 1).count();
        let violations = listed
            .iter()
            .filter(|s| {
                let (active, licences) = &facts[s.as_str()];
                !active || o.must_have.driving_licences.iter().any(|l| !licences.contains(l))
            })
            .count();
        per_opening.push(OpeningFigures {
            opening: key.clone(),
            ndcg_at_10: if ideal > 0.0 { got / ideal } else { 1.0 },
            recall_at_50: found as f64 / relevant as f64,
            violations,
            top: listed.iter().take(10).map(|s| ((*s).clone(), grade(s))).collect(),
        });
    }
    let _ = std::fs::remove_dir_all(dir);
    let n = per_opening.len().max(1) as f64;
    Ok(Report {
        openings: per_opening.len(),
        seekers: set.seekers.len(),
        ndcg_at_10: per_opening.iter().map(|f| f.ndcg_at_10).sum::<f64>() / n,
        recall_at_50: per_opening.iter().map(|f| f.recall_at_50).sum::<f64>() / n,
        violations: per_opening.iter().map(|f| f.violations).sum(),
        per_opening,
    })
}

impl Report {
    /// The report as a broker or analyst reads it: totals, then one line per opening.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![
            format!("openings evaluated: {}, seekers: {}", self.openings, self.seekers),
            format!("NDCG@10: {:.4}", self.ndcg_at_10),
            format!("recall@50: {:.4}", self.recall_at_50),
            format!("hard-filter violations: {}", self.violations),
            String::new(),
            format!("{:<24} {:>8} {:>10} {:>10}  first ten (grade)", "opening", "NDCG@10", "recall@50", "violations"),
        ];
        let mut rows: Vec<&OpeningFigures> = self.per_opening.iter().collect();
        rows.sort_by(|a, b| a.ndcg_at_10.total_cmp(&b.ndcg_at_10).then(a.opening.cmp(&b.opening)));
        for f in rows {
            let top: Vec<String> = f.top.iter().map(|(s, g)| format!("{s}({g})")).collect();
            out.push(format!(
                "{:<24} {:>8.4} {:>10.4} {:>10}  {}",
                f.opening,
                f.ndcg_at_10,
                f.recall_at_50,
                f.violations,
                top.join(" ")
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped weights on a small generated set: the lists put the strong candidates
    /// first and never list anyone a hard filter excludes.
    #[test]
    fn the_default_weights_rank_a_generated_set_well() {
        let table: toml::Table = include_str!("../../config/default.toml").parse().expect("valid TOML");
        let weights: MatchingSettings = table["matching"].clone().try_into().expect("matching settings");
        let set = generate::generate(21, 12, 400, false);
        let dir = tempfile::tempdir().expect("temp dir");
        let report = run(&set, &weights, &dir.path().join("eval")).expect("evaluated");
        assert_eq!(report.openings, 12);
        assert_eq!(report.violations, 0, "{:#?}", report.per_opening);
        assert!(report.ndcg_at_10 >= 0.95, "NDCG@10 {:.4}\n{}", report.ndcg_at_10, report.lines().join("\n"));
        assert!(report.recall_at_50 >= 0.95, "recall@50 {:.4}", report.recall_at_50);
        // A free-text set of the same openings: everyone only described in words.
        let set = generate::generate(21, 12, 200, true);
        assert!(set.seekers.values().all(|s| s["occupations"].as_array().is_none_or(|a| a.is_empty())));
        let free = run(&set, &weights, &dir.path().join("free")).expect("evaluated");
        assert_eq!(free.violations, 0, "{:#?}", free.per_opening);
        assert!(free.ndcg_at_10 >= 0.85, "free text NDCG@10 {:.4}\n{}", free.ndcg_at_10, free.lines().join("\n"));
        assert!(free.recall_at_50 >= 0.9, "free text recall@50 {:.4}", free.recall_at_50);
        // The file format round-trips.
        let text = serde_json::to_string(&set).expect("serializable");
        let again: EvalSet = serde_json::from_str(&text).expect("readable");
        assert_eq!(again.judgements, set.judgements);
    }
}
