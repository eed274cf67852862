//! Matching for jobbmäklare: candidates ranked for an opening, openings ranked for a seeker,
//! each hit with its score and an explanation a broker can read.
//!
//! Two stages. A tantivy query finds the plausible hits (hard filters as `Must`, and at least
//! one of: the same or a related occupation, a shared skill, or a shared word); then every hit
//! is scored from fast fields, so ranking never touches the database. The score is a weighted
//! sum of components in 0..1 (weights in `config/default.toml`). Gender, age and origin are
//! not in the index at all.
//!
//! What people write counts: a profile without an occupation code is matched on the
//! occupation its summary names ("yrke utläst ur texten"), and skills named in the summary
//! cover requirements ("enligt egen beskrivning"); see `vocabulary::written`.
//!
//! Three rules keep the order a broker expects (documented in `config/default.toml`):
//! - a seeker who cannot get there (beyond their own commuting range) has the whole score
//!   multiplied by `unreachable_factor`; inside the range distance decays gently;
//! - driving licences a job requires are hard filters, not part of the must-have share;
//! - one missing must-have halves the must-have part, which outweighs every nice-to-have
//!   together (`must_have / 2 > nice_to_have` is checked when the configuration loads).

pub mod daily;
pub mod http;
pub mod lists;
pub mod rank;

use std::collections::HashMap;

use serde::Serialize;

use crate::config::MatchingSettings;
use crate::index::{language_key, language_of, skill_key};
use crate::reference::{haversine_km, reference};
use crate::vocabulary::LanguageLevel;
pub use crate::vocabulary::{MINOR_GROUP, inferred_number, ssyk_number};

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
    /// `inferred`: read from the seeker's own text, not a registered code, with the
    /// reader's `confidence` (1.0 for a registered code), which the value is multiplied by.
    Occupation {
        relation: OccupationMatch,
        code: u64,
        inferred: bool,
        confidence: f32,
    },
    /// `described`: how many of the covered are only in the person's own description.
    Covered {
        covered: usize,
        of: usize,
        described: usize,
    },
    Distance {
        km: Option<f64>,
        max_commute_km: Option<u64>,
        reachable: bool,
    },
    Text {
        bm25: f32,
    },
    Availability {
        days_late: i64,
    },
}

impl Why {
    pub fn english(self, part: Part) -> String {
        match self {
            Why::Occupation { relation, code, inferred: false, .. } => relation.describe(code),
            Why::Occupation { relation, code, inferred: true, confidence } => {
                format!(
                    "{} (occupation read from the seeker's own text, confidence {confidence:.2})",
                    relation.describe(code)
                )
            }
            Why::Covered { covered, of, described } => {
                let what = if part == Part::MustHave { "must-haves" } else { "nice-to-haves" };
                let own = if described > 0 {
                    format!(" ({described} by the person's own description)")
                } else {
                    String::new()
                };
                format!("{covered} of {of} {what}{own}")
            }
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

/// Changed by hand whenever the code's rules change (a new part, another formula), so the
/// ranking version changes with them even when no weight does.
pub const RULES_REVISION: u32 = 1;

/// What ranking decides by, in words: the weights from the configuration and the rules in
/// the code. Its hash names every logged list; the text goes into the technical
/// documentation, so a list can be explained by the version that made it.
pub fn version(w: &MatchingSettings) -> crate::ranking_log::Version {
    let values: Vec<String> = OccupationMatch::ALL.iter().map(|m| format!("{} {}", m.as_str(), m.value())).collect();
    let levels: Vec<String> = crate::vocabulary::written::LEVELS.iter().map(|l| l.to_string()).collect();
    crate::ranking_log::Version::of(format!(
        "Platsa ranking, rules revision {RULES_REVISION}\n\
         weights: occupation {}, must_have {}, distance {}, text {}, nice_to_have {}, availability {}\n\
         fairness_margin {} (within it, who has waited longest since last proposed goes first)\n\
         distance: 1 / (1 + (km / {})^2) inside the person's commuting range; beyond it 0, and the whole score times {}\n\
         text: BM25 / (BM25 + {}) over the words the opening and the person's own text share\n\
         occupation values: {}\n\
         occupation read from the person's own text (reader {}): the value times its confidence, one of {}\n\
         must-haves: the share covered, halved when one is missing; required driving licences are hard filters\n\
         nice-to-haves: the share covered; availability: 1 by the start date, down to 0 over 60 days late\n\
         stage one: the same or a related occupation, a shared skill or a shared word; widened below {} hits\n\
         not inputs: gender, age, origin, name\n",
        w.occupation,
        w.must_have,
        w.distance,
        w.text,
        w.nice_to_have,
        w.availability,
        w.fairness_margin,
        w.distance_half_km,
        w.unreachable_factor,
        w.text_saturation,
        values.join(", "),
        crate::vocabulary::written::READER_VERSION,
        levels.join(", "),
        rank::WIDEN_BELOW,
    ))
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
    let r = reference();
    for &o in offered {
        let m = if r.same_unit_group(o, wanted) {
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

/// The relation of an inferred occupation (see [`inferred_number`]): a minor group is the
/// same occupation for any job in it, else the best relation of its unit groups.
pub fn inferred_match(wanted: u64, inferred: u64, substitutes: &HashMap<u64, u8>) -> (OccupationMatch, u64) {
    if inferred < MINOR_GROUP {
        return occupation_match(wanted, &[inferred], substitutes);
    }
    let group = inferred - MINOR_GROUP;
    if wanted / 10 == group {
        return (OccupationMatch::Exact, wanted);
    }
    let members: Vec<u64> =
        (group * 10..group * 10 + 10).filter(|c| reference().is_ssyk4(&format!("{c:04}"))).collect();
    occupation_match(wanted, &members, substitutes)
}

/// Occupations that can do the `wanted` job or whose job `wanted` can do, with the stronger
/// judgement (the reference table is symmetric).
pub fn substitutes_for(wanted: &str) -> HashMap<u64, u8> {
    reference()
        .substitutes
        .get(wanted)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.parse().ok()?, *v))).collect())
        .unwrap_or_default()
}

/// A requirement: what must or should be covered, with the label a broker reads.
#[derive(Debug, Clone)]
pub enum Requirement {
    Skill {
        key: u64,
        label: String,
    },
    Language {
        code: u64,
        level: LanguageLevel,
        label: String,
    },
    /// A driving licence class, as its bit in the licence mask.
    Licence {
        mask: u64,
        label: String,
    },
}

/// What a person holds, as ranking reads it.
#[derive(Debug, Clone, Copy)]
pub struct Holder<'a> {
    pub skills: &'a [u64],
    /// Skills only named in the person's own description.
    pub text_skills: &'a [u64],
    pub languages: &'a [u64],
    pub licences: u64,
}

impl Requirement {
    pub fn label(&self) -> &str {
        match self {
            Self::Skill { label, .. } | Self::Language { label, .. } | Self::Licence { label, .. } => label,
        }
    }

    /// Whether a person covers it, and whether only by their own description.
    pub fn covered_by(&self, p: &Holder<'_>) -> Option<bool> {
        match self {
            Self::Skill { key, .. } if p.skills.contains(key) => Some(false),
            Self::Skill { key, .. } => p.text_skills.contains(key).then_some(true),
            Self::Language { code, level, .. } => p
                .languages
                .iter()
                .any(|&k| {
                    let (c, l) = language_of(k);
                    c == *code && l >= *level as u64
                })
                .then_some(false),
            Self::Licence { mask, .. } => (p.licences & mask == *mask).then_some(false),
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
    Requirement::Licence { mask: crate::index::licence_mask([&l.to_string()]), label: format!("Körkort {l}") }
}

/// One component of a score.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Component {
    pub name: Part,
    pub value: f64,
    pub weight: f64,
    pub contribution: f64,
    pub detail: String,
    #[serde(skip)]
    pub why: Why,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Items {
    pub must_have: Vec<String>,
    pub nice_to_have: Vec<String>,
}

impl Items {
    pub fn contains(&self, label: &str) -> bool {
        self.must_have.iter().chain(&self.nice_to_have).any(|l| l == label)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Explanation {
    pub components: Vec<Component>,
    pub matched: Items,
    pub missing: Items,
    /// Of the matched, those covered only by the person's own description ("enligt egen
    /// beskrivning"): a broker checks them in the meeting.
    pub described: Items,
    pub occupation_match: OccupationMatch,
    /// The occupation was read from the seeker's own text (no registered code matched as well).
    pub occupation_inferred: bool,
    /// The words of the person's own text that counted, as written: the occupation read
    /// from it and the requirements only described (what the broker checks in the meeting).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read_from_text: Vec<String>,
    pub distance_km: Option<f64>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
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
    pub occupation_inferred: bool,
    /// The reader's confidence in an inferred occupation (1.0 for a registered code).
    pub occupation_factor: f64,
    pub must: &'a [Requirement],
    pub nice: &'a [Requirement],
    pub holder: Holder<'a>,
    pub from: Option<(f64, f64)>,
    pub to: Option<(f64, f64)>,
    pub max_commute_km: Option<u64>,
    /// Days: when the person is available, and when the job starts.
    pub available_day: i64,
    pub start_day: Option<i64>,
}

/// Requirements that count in a share: a required licence is a hard filter instead.
fn counted(reqs: &[Requirement], must: bool) -> impl Iterator<Item = &Requirement> {
    reqs.iter().filter(move |r| !(must && matches!(r, Requirement::Licence { .. })))
}

/// (covered, of them only described, total) of the counted requirements.
fn coverage(reqs: &[Requirement], must: bool, p: &Holder<'_>) -> (usize, usize, usize) {
    let mut out = (0, 0, 0);
    for r in counted(reqs, must) {
        out.2 += 1;
        if let Some(described) = r.covered_by(p) {
            out.0 += 1;
            out.1 += usize::from(described);
        }
    }
    out
}

/// The must-have part: the share covered, halved when anything is missing, so one missing
/// must-have costs at least half the part — more than all nice-to-haves together.
pub fn must_value(covered: usize, of: usize) -> f64 {
    if covered >= of { 1.0 } else { 0.5 * covered as f64 / of as f64 }
}

pub fn nice_value(covered: usize, of: usize) -> f64 {
    if of == 0 { 1.0 } else { covered as f64 / of as f64 }
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

/// Inside the commuting range: 1 next door, ½ at `distance_half_km`, flat near home, so 5 km
/// and 20 km are nearly equal.
pub fn distance_decay(w: &MatchingSettings, d: f64) -> f64 {
    1.0 / (1.0 + (d / w.distance_half_km).powi(2))
}

/// 1 when available by the start date, then down to 0 over 60 days late.
pub fn availability_value(late_days: i64) -> f64 {
    if late_days <= 0 { 1.0 } else { (1.0 - late_days as f64 / 60.0).max(0.0) }
}

/// The parts of a score, each in 0..1.
#[derive(Debug, Clone, Copy)]
pub struct Parts {
    pub text: f64,
    pub occupation: f64,
    pub must: f64,
    pub nice: f64,
    pub distance: f64,
    pub availability: f64,
    pub reachable: bool,
}

pub fn combine(w: &MatchingSettings, p: Parts) -> f64 {
    let sum = w.text * p.text
        + w.occupation * p.occupation
        + w.must_have * p.must
        + w.nice_to_have * p.nice
        + w.distance * p.distance
        + w.availability * p.availability;
    if p.reachable { sum } else { sum * w.unreachable_factor }
}

/// The score, and with `explain` the components and the matched and missing items.
pub fn evaluate(w: &MatchingSettings, i: &Inputs<'_>, explain: bool) -> (f64, Option<Explanation>) {
    let text = text_value(w, i.bm25);
    let occupation = i.occupation.0.value() * i.occupation_factor;
    let (must_n, must_described, must_of) = coverage(i.must, true, &i.holder);
    let (nice_n, nice_described, nice_of) = coverage(i.nice, false, &i.holder);
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
    let parts = Parts {
        text,
        occupation,
        must: must_value(must_n, must_of),
        nice: nice_value(nice_n, nice_of),
        distance,
        availability: availability_value(late),
        reachable,
    };
    let score = combine(w, parts);
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
    let mut matched = Items::default();
    let mut missing = Items::default();
    let mut described = Items::default();
    for (reqs, must) in [(i.must, true), (i.nice, false)] {
        for r in reqs {
            let label = r.label().to_string();
            let (m, x, d) = if must {
                (&mut matched.must_have, &mut missing.must_have, &mut described.must_have)
            } else {
                (&mut matched.nice_to_have, &mut missing.nice_to_have, &mut described.nice_to_have)
            };
            match r.covered_by(&i.holder) {
                Some(true) => {
                    d.push(label.clone());
                    m.push(label);
                }
                Some(false) => m.push(label),
                None => x.push(label),
            }
        }
    }
    let components = vec![
        c(
            Part::Occupation,
            occupation,
            w.occupation,
            Why::Occupation {
                relation: i.occupation.0,
                code: i.occupation.1,
                inferred: i.occupation_inferred,
                confidence: i.occupation_factor as f32,
            },
        ),
        c(
            Part::MustHave,
            parts.must,
            w.must_have,
            Why::Covered { covered: must_n, of: must_of, described: must_described },
        ),
        c(
            Part::Distance,
            distance,
            w.distance,
            Why::Distance { km: distance_km, max_commute_km: i.max_commute_km, reachable },
        ),
        c(Part::Text, text, w.text, Why::Text { bm25: i.bm25 }),
        c(
            Part::NiceToHave,
            parts.nice,
            w.nice_to_have,
            Why::Covered { covered: nice_n, of: nice_of, described: nice_described },
        ),
        c(Part::Availability, parts.availability, w.availability, Why::Availability { days_late: late }),
    ];
    let explanation = Explanation {
        components,
        matched,
        missing,
        described,
        occupation_match: i.occupation.0,
        occupation_inferred: i.occupation_inferred,
        read_from_text: Vec::new(),
        distance_km: distance_km.map(|d| (d * 10.0).round() / 10.0),
        waiting_since: 0,
        waiting_key: 0,
        fairness: None,
        fairness_move: None,
    };
    (score, Some(explanation))
}

impl Explanation {
    /// Names the words of `reading` that gave the inferred occupation and the described
    /// requirements (see [`Explanation::read_from_text`]).
    pub fn cite(&mut self, reading: Option<&crate::vocabulary::written::Reading>) {
        let Some(reading) = reading else { return };
        if self.occupation_inferred {
            let matched = self.components.iter().find_map(|c| match c.why {
                Why::Occupation { code, .. } => Some(format!("{code:04}")),
                _ => None,
            });
            let read = matched
                .and_then(|m| reading.occupations.iter().find(|o| m.starts_with(&o.code)))
                .or_else(|| reading.occupations.first());
            self.read_from_text.extend(read.map(|o| o.evidence.clone()));
        }
        for s in &reading.skills {
            if self.described.contains(&s.label) && !self.read_from_text.contains(&s.evidence) {
                self.read_from_text.push(s.evidence.clone());
            }
        }
    }
}

/// A ranked hit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

// The Swedish words the pages, CSV exports and messages show for these values.
impl crate::labels::Label for OccupationMatch {
    fn label(self) -> &'static str {
        match self {
            OccupationMatch::Exact => "Samma yrke",
            OccupationMatch::SameMinorGroup => "Närliggande yrke (samma yrkesgrupp)",
            OccupationMatch::LargelySubstitutable => "Yrke som i hög grad kan ersätta",
            OccupationMatch::SameSubMajorGroup => "Samma yrkesområde",
            OccupationMatch::PartlySubstitutable => "Yrke som delvis kan ersätta",
            OccupationMatch::SameMajorGroup => "Samma huvudområde",
            OccupationMatch::None => "Annat yrke",
        }
    }
}

impl crate::labels::Label for Part {
    fn label(self) -> &'static str {
        match self {
            Part::Occupation => "Yrke",
            Part::MustHave => "Krav",
            Part::Distance => "Avstånd",
            Part::Text => "Egen beskrivning",
            Part::NiceToHave => "Meriterande",
            Part::Availability => "Tillgänglig",
        }
    }
}
