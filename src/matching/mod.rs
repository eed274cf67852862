//! Matching for jobbmäklare: candidates ranked for an opening, openings ranked for a seeker,
//! each hit with its score and an explanation a broker can read.
//!
//! Two stages. A tantivy query finds the plausible hits (hard filters as `Must`, and at least
//! one of: the same or a related occupation, a shared skill, or a shared word); then every hit
//! is scored from fast fields, so ranking never touches the database. The score is a weighted
//! sum of components in 0..1 (weights in `config/default.toml`). Gender, age and origin are
//! not in the index at all.

pub mod http;
pub mod lists;
pub mod rank;

use std::collections::HashMap;

use serde::Serialize;

use crate::config::MatchingSettings;
use crate::reference::{haversine_km, reference};
use crate::search::{language_key, language_of, skill_key};
use crate::vocabulary::LanguageLevel;

crate::text_enum! {
    /// How a seeker's occupation relates to an opening's.
    pub enum OccupationMatch {
        Exact = "exact",
        SameMinorGroup = "same_minor_group",
        LargelySubstitutable = "largely_substitutable",
        SameSubMajorGroup = "same_sub_major_group",
        PartlySubstitutable = "partly_substitutable",
        SameMajorGroup = "same_major_group",
        None = "none",
    }
}

crate::text_enum! {
    /// The parts a score is made of.
    pub enum Part {
        Occupation = "occupation",
        MustHave = "must_have",
        Distance = "distance",
        Text = "text",
        NiceToHave = "nice_to_have",
        Availability = "availability",
    }
}

/// Why a part got its value, as data: the API writes it in English ([`Why::english`]), the
/// pages in Swedish (the labels module).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Why {
    Occupation { relation: OccupationMatch, code: u64 },
    Covered { covered: usize, of: usize },
    Distance { km: Option<f64>, max_commute_km: Option<u64>, reachable: bool },
    Text { bm25: f32 },
    Availability { days_late: i64 },
}

impl Why {
    pub fn english(self, part: Part) -> String {
        match self {
            Why::Occupation { relation, code } => relation.describe(code),
            Why::Covered { covered, of } if part == Part::MustHave => format!("{covered} of {of} must-haves"),
            Why::Covered { covered, of } => format!("{covered} of {of} nice-to-haves"),
            Why::Distance { km: Some(d), max_commute_km: Some(max), reachable: false } => {
                format!("{d:.0} km, beyond the {max} km the seeker can commute")
            }
            Why::Distance { km: Some(d), max_commute_km: Some(max), .. } if max != u64::MAX => {
                format!("{d:.0} km (commutes up to {max} km)")
            }
            Why::Distance { km: Some(d), .. } => format!("{d:.0} km"),
            Why::Distance { km: None, .. } => "unknown".into(),
            Why::Text { bm25 } => format!("BM25 {bm25:.2} on shared words"),
            Why::Availability { days_late } if days_late <= 0 => "available by the start date".into(),
            Why::Availability { days_late } => format!("available {days_late} days after the start date"),
        }
    }
}

/// The fairness rule moved a hit up `places` past others within `margin` of its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FairnessMove {
    pub places: usize,
    pub margin: f64,
}

impl FairnessMove {
    pub fn english(self) -> String {
        format!(
            "moved up {} place(s): waited longest among candidates within {} of each other",
            self.places, self.margin
        )
    }
}

impl OccupationMatch {
    pub fn value(self) -> f64 {
        match self {
            Self::Exact => 1.0,
            Self::SameMinorGroup => 0.7,
            Self::LargelySubstitutable => 0.6,
            Self::SameSubMajorGroup => 0.4,
            Self::PartlySubstitutable => 0.3,
            Self::SameMajorGroup => 0.15,
            Self::None => 0.0,
        }
    }

    /// The relation in English, naming the occupation (the API's explanation).
    pub fn describe(self, code: u64) -> String {
        let c = format!("{code:04}");
        let name = reference().ssyk_name(&c).unwrap_or("");
        match self {
            Self::Exact => format!("same SSYK unit group {c} ({name})"),
            Self::SameMinorGroup => format!("same 3-digit group as {c} ({name})"),
            Self::LargelySubstitutable => format!("{c} ({name}) can largely substitute (Arbetsförmedlingen: 75)"),
            Self::SameSubMajorGroup => format!("same 2-digit group as {c} ({name})"),
            Self::PartlySubstitutable => format!("{c} ({name}) can partly substitute (Arbetsförmedlingen: 25)"),
            Self::SameMajorGroup => format!("same major group as {c} ({name})"),
            Self::None => "no related occupation".into(),
        }
    }
}

/// The best relation between a wanted occupation and any of the offered ones. `substitutes`
/// maps an offered SSYK 4 to Arbetsförmedlingen's judgement (25 or 75) that it can do the
/// wanted job.
pub fn occupation_match(wanted: u64, offered: &[u64], substitutes: &HashMap<u64, u8>) -> (OccupationMatch, u64) {
    let mut best = (OccupationMatch::None, 0);
    for &o in offered {
        let m = if o == wanted {
            OccupationMatch::Exact
        } else if o / 10 == wanted / 10 {
            OccupationMatch::SameMinorGroup
        } else if substitutes.get(&o) == Some(&75) {
            OccupationMatch::LargelySubstitutable
        } else if o / 100 == wanted / 100 {
            OccupationMatch::SameSubMajorGroup
        } else if substitutes.get(&o).is_some() {
            OccupationMatch::PartlySubstitutable
        } else if o / 1000 == wanted / 1000 {
            OccupationMatch::SameMajorGroup
        } else {
            OccupationMatch::None
        };
        if m.value() > best.0.value() {
            best = (m, o);
        }
    }
    best
}

/// Occupations that can do the `wanted` job, with the judgement.
pub fn substitutes_for(wanted: &str) -> HashMap<u64, u8> {
    reference()
        .substitutes
        .iter()
        .filter_map(|(offered, targets)| {
            let pct = *targets.get(wanted)?;
            Some((offered.parse().ok()?, pct))
        })
        .collect()
}

/// Jobs that a person in `offered` can do, with the judgement.
pub fn substitutable_jobs(offered: &str) -> HashMap<u64, u8> {
    reference()
        .substitutes
        .get(offered)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.parse().ok()?, *v))).collect())
        .unwrap_or_default()
}

/// A requirement: what must or should be covered, with the label a broker reads.
#[derive(Debug, Clone)]
pub enum Requirement {
    Skill { key: u64, label: String },
    Language { code: u64, level: LanguageLevel, label: String },
    Licence { label: String },
}

impl Requirement {
    pub fn label(&self) -> &str {
        match self {
            Self::Skill { label, .. } | Self::Language { label, .. } | Self::Licence { label } => label,
        }
    }

    /// Whether a person with these skill and language keys covers it. Licences are hard
    /// filters and therefore always covered by a candidate.
    pub fn covered_by(&self, skills: &[u64], languages: &[u64]) -> bool {
        match self {
            Self::Skill { key, .. } => skills.contains(key),
            Self::Language { code, level, .. } => languages.iter().any(|&k| {
                let (c, l) = language_of(k);
                c == *code && l >= *level as u64
            }),
            Self::Licence { .. } => true,
        }
    }
}

fn level_sv(level: LanguageLevel) -> &'static str {
    match level {
        LanguageLevel::Basic => "grundläggande",
        LanguageLevel::Good => "god",
        LanguageLevel::Fluent => "flytande",
        LanguageLevel::Native => "modersmål",
    }
}

pub fn language_requirement(code: &str, level: LanguageLevel) -> Requirement {
    let name = reference().languages.get(code).cloned().unwrap_or_else(|| code.to_string());
    Requirement::Language {
        code: language_key(code, level) >> 3,
        level,
        label: format!("{name} ({})", level_sv(level)),
    }
}

pub fn skill_requirement(s: &crate::reference::SkillRef) -> Requirement {
    Requirement::Skill { key: skill_key(s), label: s.label.clone() }
}

pub fn licence_requirement(l: &str) -> Requirement {
    Requirement::Licence { label: format!("Körkort {l}") }
}

/// One component of a score.
#[derive(Debug, Clone, Serialize)]
pub struct Component {
    pub name: Part,
    pub value: f64,
    pub weight: f64,
    pub contribution: f64,
    pub detail: String,
    #[serde(skip)]
    pub why: Why,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Items {
    pub must_have: Vec<String>,
    pub nice_to_have: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub components: Vec<Component>,
    pub matched: Items,
    pub missing: Items,
    pub occupation_match: OccupationMatch,
    pub distance_km: Option<f64>,
    #[serde(with = "crate::clock::rfc3339")]
    pub waiting_since: i64,
    /// Orders the wait: `waiting_since` doubled, plus one if the wait began with a proposal.
    #[serde(skip)]
    pub waiting_key: i64,
    /// Set when the fairness rule moved this hit up past a near-equal score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fairness: Option<String>,
    #[serde(skip)]
    pub fairness_move: Option<FairnessMove>,
}

/// The inputs of one score, from either side's fast fields.
pub struct Inputs<'a> {
    pub bm25: f32,
    pub occupation: (OccupationMatch, u64),
    pub must: &'a [Requirement],
    pub nice: &'a [Requirement],
    pub skills: &'a [u64],
    pub languages: &'a [u64],
    pub from: Option<(f64, f64)>,
    pub to: Option<(f64, f64)>,
    pub max_commute_km: Option<u64>,
    /// Days: when the person is available, and when the job starts.
    pub available_day: i64,
    pub start_day: Option<i64>,
}

fn share(reqs: &[Requirement], skills: &[u64], languages: &[u64]) -> (f64, usize) {
    if reqs.is_empty() {
        return (1.0, 0);
    }
    let covered = reqs.iter().filter(|r| r.covered_by(skills, languages)).count();
    (covered as f64 / reqs.len() as f64, covered)
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The score, and with `explain` the components and the matched and missing items.
/// The text component: BM25 saturates, so a long shared vocabulary cannot dominate.
pub fn text_value(w: &MatchingSettings, bm25: f32) -> f64 {
    f64::from(bm25) / (f64::from(bm25) + w.text_saturation)
}

/// Whether a seeker commuting at most `max` km reaches a place `d` km away. Distances are
/// between municipality centroids, so a few km of slack stand for the municipality's size.
pub fn reachable(d: f64, max: Option<u64>) -> bool {
    max.is_none_or(|m| d <= m as f64 + 5.0)
}

pub fn distance_decay(w: &MatchingSettings, d: f64) -> f64 {
    (-d / w.distance_decay_km).exp()
}

/// 1 when available by the start date, then down to 0 over 60 days late.
pub fn availability_value(late_days: i64) -> f64 {
    if late_days <= 0 { 1.0 } else { (1.0 - late_days as f64 / 60.0).max(0.0) }
}

pub fn combine(
    w: &MatchingSettings,
    text: f64,
    occupation: f64,
    must: f64,
    nice: f64,
    distance: f64,
    availability: f64,
) -> f64 {
    w.text * text
        + w.occupation * occupation
        + w.must_have * must
        + w.nice_to_have * nice
        + w.distance * distance
        + w.availability * availability
}

/// The score, and with `explain` the components and the matched and missing items.
pub fn evaluate(w: &MatchingSettings, i: &Inputs<'_>, explain: bool) -> (f64, Option<Explanation>) {
    let text = text_value(w, i.bm25);
    let occupation = i.occupation.0.value();
    let (must, must_n) = share(i.must, i.skills, i.languages);
    let (nice, nice_n) = share(i.nice, i.skills, i.languages);
    let distance_km = match (i.from, i.to) {
        (Some(a), Some(b)) => Some(haversine_km(a, b)),
        _ => None,
    };
    let reachable = distance_km.is_none_or(|d| reachable(d, i.max_commute_km));
    let distance = match distance_km {
        Some(d) if reachable => distance_decay(w, d),
        Some(_) => 0.0,
        None => 0.5,
    };
    let late = i.start_day.map(|s| i.available_day - s).unwrap_or(0);
    let availability = availability_value(late);
    let score = combine(w, text, occupation, must, nice, distance, availability);
    if !explain {
        return (score, None);
    }
    let c = |name: Part, value: f64, weight: f64, why: Why| Component {
        name,
        value: round(value),
        weight,
        contribution: round(value * weight),
        detail: why.english(name),
        why,
    };
    let (matched, missing): (Items, Items) = {
        let split = |reqs: &[Requirement]| -> (Vec<String>, Vec<String>) {
            let (a, b): (Vec<&Requirement>, Vec<&Requirement>) =
                reqs.iter().partition(|r| r.covered_by(i.skills, i.languages));
            (a.iter().map(|r| r.label().to_string()).collect(), b.iter().map(|r| r.label().to_string()).collect())
        };
        let (mm, mx) = split(i.must);
        let (nm, nx) = split(i.nice);
        (Items { must_have: mm, nice_to_have: nm }, Items { must_have: mx, nice_to_have: nx })
    };
    let components = vec![
        c(
            Part::Occupation,
            occupation,
            w.occupation,
            Why::Occupation { relation: i.occupation.0, code: i.occupation.1 },
        ),
        c(Part::MustHave, must, w.must_have, Why::Covered { covered: must_n, of: i.must.len() }),
        c(
            Part::Distance,
            distance,
            w.distance,
            Why::Distance { km: distance_km, max_commute_km: i.max_commute_km, reachable },
        ),
        c(Part::Text, text, w.text, Why::Text { bm25: i.bm25 }),
        c(Part::NiceToHave, nice, w.nice_to_have, Why::Covered { covered: nice_n, of: i.nice.len() }),
        c(Part::Availability, availability, w.availability, Why::Availability { days_late: late }),
    ];
    let explanation = Explanation {
        components,
        matched,
        missing,
        occupation_match: i.occupation.0,
        distance_km: distance_km.map(|d| (d * 10.0).round() / 10.0),
        waiting_since: 0,
        waiting_key: 0,
        fairness: None,
        fairness_move: None,
    };
    (score, Some(explanation))
}

/// A ranked hit.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    pub id: String,
    pub score: f64,
    pub explanation: Explanation,
}

/// The fairness rule: walking down the ranking, hits whose scores lie within `margin` of the
/// first hit of their band form one band, ordered by who has waited longest.
pub fn fairness_order(hits: &mut [Ranked], margin: f64) {
    let mut start = 0;
    while start < hits.len() {
        let top = hits[start].score;
        let mut end = start + 1;
        while end < hits.len() && top - hits[end].score <= margin {
            end += 1;
        }
        let band = &mut hits[start..end];
        let by_score: Vec<String> = band.iter().map(|h| h.id.clone()).collect();
        // Longest wait first; at an equal wait, who registered first (ids are time-ordered).
        band.sort_by(|a, b| a.explanation.waiting_key.cmp(&b.explanation.waiting_key).then(a.id.cmp(&b.id)));
        for (pos, h) in band.iter_mut().enumerate() {
            let was = by_score.iter().position(|id| *id == h.id).unwrap_or(pos);
            if was > pos {
                let moved = FairnessMove { places: was - pos, margin };
                h.explanation.fairness = Some(moved.english());
                h.explanation.fairness_move = Some(moved);
            }
        }
        start = end;
    }
}

pub fn ssyk_number(code: &str) -> u64 {
    code.parse().unwrap_or(0)
}
