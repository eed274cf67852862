//! The two ranking queries over the tantivy indexes.

pub mod reach;

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::collector::{Count, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{SegmentReader, Term};

use super::{
    Explanation, Holder, Inputs, OccupationMatch, Parts, Ranked, Requirement, evaluate, fairness_order, inferred_match,
    inferred_number, language_requirement, licence_requirement, occupation_match, skill_requirement, ssyk_number,
    substitutes_for,
};
use crate::config::MatchingSettings;
use crate::index::{Fields, Side, swedish_analyzer};
use crate::openings::{Opening, Requirements};
use crate::reference::reference;
use crate::search::documents::day_number;
use crate::seekers::Seeker;
use crate::vocabulary::{LEVEL_SHIFT, inferred_key, inferred_parts, written::LEVELS};

/// Hits beyond the page that are scored in full, so the fairness rule can reorder a band
/// that straddles the page boundary.
const FAIRNESS_EXTRA: usize = 20;

/// Stage one reaches out to partly substitutable occupations and the 3-digit, 2-digit and
/// major group only when the close relations find fewer active seekers than this (the
/// largest page): a fixed number, so the first ten are the same whatever `limit` a caller
/// asks for.
pub const WIDEN_BELOW: usize = 500;

/// A tie key of 32 bits times this stays below 1e-9.
const TIE_STEP: f64 = 1e-9 / 4_294_967_296.0;

/// What ranking needs of an opening.
#[derive(Debug, Clone)]
pub struct OpeningProfile {
    pub occupation: String,
    pub location: Option<(f64, f64)>,
    pub start_day: Option<i64>,
    pub must: Vec<Requirement>,
    pub nice: Vec<Requirement>,
    pub must_licences: Vec<String>,
    pub skill_ids: Vec<String>,
    /// Words to look for in the seekers' own descriptions.
    pub text: String,
}

fn location(municipality: &str) -> Option<(f64, f64)> {
    reference().municipalities.get(municipality).map(|m| (m.lat, m.lon))
}

/// The workplace's own point when the opening has one, else its municipality's.
fn workplace(a: &crate::openings::WorkplaceAddress) -> Option<(f64, f64)> {
    a.coordinates.map(|c| (c.lat, c.lon)).or_else(|| location(&a.municipality_code))
}

impl OpeningProfile {
    pub fn new(o: &Opening) -> Self {
        Self {
            location: workplace(&o.workplace_address),
            ..Self::from_parts(
                &o.occupation,
                &o.workplace_address.municipality_code,
                o.start_date.as_ref().map(crate::clock::Day::date),
                &o.must_have,
                &o.nice_to_have,
                &o.headline,
            )
        }
    }

    /// A validated opening not yet stored (the benchmark's and `platsa eval`'s).
    pub fn from_data(o: &crate::openings::OpeningData) -> Self {
        Self {
            location: workplace(&o.workplace_address),
            ..Self::from_parts(
                &o.occupation,
                &o.workplace_address.municipality_code,
                o.start_date,
                &o.must_have,
                &o.nice_to_have,
                &o.headline,
            )
        }
    }

    pub fn from_parts(
        occupation: &str,
        municipality: &str,
        start_date: Option<chrono::NaiveDate>,
        must_have: &Requirements,
        nice_to_have: &Requirements,
        headline: &str,
    ) -> Self {
        let requirements = |r: &Requirements| {
            let mut v: Vec<Requirement> = r.skills.iter().map(skill_requirement).collect();
            v.extend(r.languages.iter().map(|l| language_requirement(&l.code, l.level)));
            v.extend(r.driving_licences.iter().map(|l| licence_requirement(l)));
            v
        };
        let skill_ids = must_have.skills.iter().chain(&nice_to_have.skills).filter_map(|s| s.id.clone()).collect();
        Self {
            occupation: occupation.to_string(),
            location: location(municipality),
            start_day: start_date.map(day_number),
            must: requirements(must_have),
            nice: requirements(nice_to_have),
            must_licences: must_have.driving_licences.clone(),
            skill_ids,
            text: format!("{headline} {}", reference().ssyk_name(occupation).unwrap_or_default()),
        }
    }
}

/// What ranking needs of a seeker.
#[derive(Debug, Clone)]
pub struct SeekerProfile {
    pub codes: Vec<u64>,
    pub occupations: Vec<String>,
    /// Read from the summary when no code is registered ([`inferred_key`]: with confidence).
    pub inferred: Vec<u64>,
    pub inferred_codes: Vec<String>,
    pub skills: Vec<u64>,
    /// Skills the summary names that are not among `skills`.
    pub text_skills: Vec<u64>,
    pub skill_ids: Vec<String>,
    pub languages: Vec<u64>,
    pub licences: Vec<String>,
    pub location: Option<(f64, f64)>,
    pub max_commute_km: Option<u64>,
    pub available_day: i64,
    pub text: String,
}

impl SeekerProfile {
    pub fn new(s: &Seeker) -> Self {
        let names: Vec<&str> = s.occupations.iter().filter_map(|o| reference().ssyk_name(o)).collect();
        let labels: Vec<&str> = s.skills.iter().map(|k| k.label.as_str()).collect();
        let written = crate::search::documents::written(s.inferred.clone(), !s.occupations.is_empty(), &s.skills);
        let skills: Vec<u64> = s.skills.iter().map(crate::index::skill_key).collect();
        let mut skill_ids: Vec<String> = s.skills.iter().filter_map(|k| k.id.clone()).collect();
        skill_ids.extend(written.skills.iter().map(|k| k.id.clone()));
        let mut licences = s.driving_licences.clone();
        licences.extend(written.licences.iter().map(|l| l.class.clone()).filter(|l| !s.driving_licences.contains(l)));
        Self {
            codes: s.occupations.iter().map(|o| ssyk_number(o)).collect(),
            occupations: s.occupations.clone(),
            inferred: written.occupations.iter().map(|o| inferred_key(&o.code, o.confidence)).collect(),
            inferred_codes: written.occupations.iter().map(|o| o.code.clone()).collect(),
            text_skills: written
                .skills
                .iter()
                .map(|k| {
                    crate::index::skill_key(&crate::reference::SkillRef {
                        id: Some(k.id.clone()),
                        label: k.label.clone(),
                    })
                })
                .collect(),
            skills,
            skill_ids,
            languages: s.languages.iter().map(|l| crate::index::language_key(&l.code, l.level)).collect(),
            licences,
            location: location(&s.municipality_code),
            max_commute_km: s.max_commute_km.map(|k| k.max(0) as u64),
            available_day: s.available_from.as_ref().map(|d| day_number(d.date())).unwrap_or(0),
            text: format!("{} {}", names.join(" "), labels.join(" ")),
        }
    }
}

impl SeekerProfile {
    fn holder(&self) -> Holder<'_> {
        Holder {
            skills: &self.skills,
            text_skills: &self.text_skills,
            languages: &self.languages,
            licences: crate::index::licence_mask(&self.licences),
        }
    }
}

fn filter(field: Field, value: &str) -> Box<dyn Query> {
    let q = TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic);
    Box::new(ConstScoreQuery::new(Box::new(q), 0.0))
}

/// Clauses that only widen recall; they add nothing to the text score.
fn recall(field: Field, value: &str) -> (Occur, Box<dyn Query>) {
    (Occur::Should, filter(field, value))
}

fn text_clauses(f: &Fields, text: &str) -> Vec<(Occur, Box<dyn Query>)> {
    let mut analyzer = swedish_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut seen = Vec::new();
    while let Some(t) = stream.next() {
        if !seen.contains(&t.text) {
            seen.push(t.text.clone());
        }
    }
    seen.into_iter()
        .take(24)
        .map(|t| {
            (
                Occur::Should,
                Box::new(TermQuery::new(Term::from_field_text(f.text, &t), IndexRecordOption::WithFreqs))
                    as Box<dyn Query>,
            )
        })
        .collect()
}

fn column<T>(reader: &SegmentReader, name: &str) -> Column<T>
where
    T: tantivy::columnar::HasAssociatedColumnType + PartialOrd + Default,
    tantivy::columnar::DynamicColumn: Into<Option<Column<T>>>,
{
    reader
        .fast_fields()
        .column_opt::<T>(name)
        .ok()
        .flatten()
        .unwrap_or_else(|| Column::build_empty_column(reader.max_doc()))
}

struct SeekerColumns {
    ssyk: Column<u64>,
    inferred: Column<u64>,
    skills: Column<u64>,
    text_skills: Column<u64>,
    langs: Column<u64>,
    licences: Column<u64>,
    lat: Column<f64>,
    lon: Column<f64>,
    day: Column<i64>,
    max_commute: Column<u64>,
    waiting: Column<i64>,
}

impl SeekerColumns {
    fn open(r: &SegmentReader) -> Self {
        Self {
            ssyk: column(r, "ssyk_code"),
            inferred: column(r, "inferred_code"),
            skills: column(r, "skill_key"),
            text_skills: column(r, "text_skill_key"),
            langs: column(r, "lang_key"),
            licences: column(r, "licence_mask"),
            lat: column(r, "lat"),
            lon: column(r, "lon"),
            day: column(r, "day"),
            max_commute: column(r, "max_commute_km"),
            waiting: column(r, "waiting_since"),
        }
    }
}

/// A seeker as the ranking pass reads it: fixed size, built once per (immutable) segment, so
/// scoring a document is a few array reads instead of column lookups. In two tables, because
/// reading a hit's row is most of the cost of ranking (a cache miss per hit): what the hard
/// filters, the occupation and the distance need is 12 bytes a seeker, and bounds a score well
/// enough that most hits never touch the rest.
#[derive(Clone, Copy)]
struct Hot {
    /// Registered codes, then the occupations read from the summary ([`inferred_key`]s), 0
    /// for none.
    codes: [u16; 3],
    municipality: u16,
    max_commute: u16,
    /// The licence mask, with [`ACTIVE`] set for an active seeker.
    flags: u16,
}

/// In [`Hot::flags`]: the seeker is active (licence masks use the low 14 bits).
const ACTIVE: u16 = 1 << 15;

#[derive(Clone, Copy)]
struct Cold {
    /// Registered skills, then those only described in the summary (the first eight).
    skills: [u32; 8],
    langs: [u32; 3],
    day: i32,
    /// Breaks ties between equal scores the same way whatever the index layout (the low half
    /// of the id's random part).
    tie: u32,
}

#[derive(Default)]
struct SeekerTable {
    hot: Vec<Hot>,
    cold: Vec<Cold>,
}

impl SeekerTable {
    /// The hot row of an eligible seeker: active, holding every `required` licence.
    fn eligible_hot(&self, doc: u32, required: u16) -> Option<&Hot> {
        let hot = self.hot.get(doc as usize)?;
        let want = required | ACTIVE;
        (hot.flags & want == want).then_some(hot)
    }

    /// The whole row of an eligible seeker.
    fn eligible(&self, doc: u32, required: u16) -> Option<(&Hot, &Cold)> {
        self.eligible_hot(doc, required).map(|hot| (hot, &self.cold[doc as usize]))
    }
}

const NONE16: u16 = u16::MAX;

fn seeker_table(side: &Side, reader: &SegmentReader) -> Arc<SeekerTable> {
    side.cached(reader, || {
        let cols = SeekerColumns::open(reader);
        let muni: Column<u64> = column(reader, "municipality_idx");
        let active: Column<u64> = column(reader, "active");
        let id_lo: Column<u64> = column(reader, "id_lo");
        let mut table = SeekerTable::default();
        for doc in 0..reader.max_doc() {
            let mut hot = Hot {
                codes: [0; 3],
                municipality: muni.first(doc).map(|m| m as u16).unwrap_or(NONE16),
                max_commute: cols
                    .max_commute
                    .first(doc)
                    .filter(|&k| k != u64::MAX)
                    .map(|k| k.min(60_000) as u16)
                    .unwrap_or(NONE16),
                flags: (cols.licences.first(doc).unwrap_or(0) as u16 & !ACTIVE)
                    | if active.first(doc) == Some(1) { ACTIVE } else { 0 },
            };
            // Inferred occupations exist only without registered codes (see `documents::written`).
            let codes = cols.ssyk.values_for_doc(doc).take(2).chain(cols.inferred.values_for_doc(doc));
            for (slot, v) in hot.codes.iter_mut().zip(codes) {
                *slot = v as u16;
            }
            let mut cold = Cold {
                skills: [0; 8],
                langs: [0; 3],
                day: cols.day.first(doc).unwrap_or(0) as i32,
                tie: id_lo.first(doc).unwrap_or(0) as u32,
            };
            let skills = cols.skills.values_for_doc(doc).chain(cols.text_skills.values_for_doc(doc));
            for (slot, v) in cold.skills.iter_mut().zip(skills) {
                *slot = v as u32;
            }
            for (slot, v) in cold.langs.iter_mut().zip(cols.langs.values_for_doc(doc)) {
                *slot = v as u32;
            }
            table.hot.push(hot);
            table.cold.push(cold);
        }
        table
    })
}

/// Occupation values by 16-bit key (a registered code, or an [`inferred_key`] with its
/// confidence level in the top bits), so the hot loop reads one number per code. 256 KiB:
/// reused across queries instead of allocated (and page-faulted) for each; the places one
/// query wrote are cleared before the next fills them.
struct OccupationTable {
    values: Vec<f32>,
    written: Vec<u16>,
}

static SPARE_TABLES: std::sync::Mutex<Vec<(Vec<f32>, Vec<u16>)>> = std::sync::Mutex::new(Vec::new());

impl OccupationTable {
    fn take() -> Self {
        let spare = SPARE_TABLES.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let (mut values, mut written) = spare.unwrap_or_else(|| (vec![0.0f32; 1 << 16], Vec::new()));
        for &i in &written {
            values[i as usize] = 0.0;
        }
        written.clear();
        Self { values, written }
    }

    fn set(&mut self, key: u64, value: f32) {
        if let Ok(k) = u16::try_from(key) {
            self.values[k as usize] = value;
            self.written.push(k);
        }
    }

    fn get(&self, key: u16) -> f32 {
        self.values[key as usize]
    }
}

impl Drop for OccupationTable {
    fn drop(&mut self) {
        let mut spare = SPARE_TABLES.lock().unwrap_or_else(|p| p.into_inner());
        // As many as queries run at once, no more.
        if spare.len() < 16 {
            spare.push((std::mem::take(&mut self.values), std::mem::take(&mut self.written)));
        }
    }
}

/// An opening's requirements and geography precomputed for the ranking pass; the same
/// formulas as [`evaluate`], fed from tables.
struct Fast {
    /// By 16-bit code: the occupation value, an inferred occupation's confidence included.
    occupation: OccupationTable,
    must_skills: Vec<u32>,
    must_langs: Vec<(u32, u32)>,
    must_total: usize,
    nice_skills: Vec<u32>,
    nice_langs: Vec<(u32, u32)>,
    /// Each nice-to-have licence as its bit.
    nice_licences: Vec<u16>,
    nice_total: usize,
    distance_km: Vec<f64>,
    distance_value: Vec<f64>,
    start_day: Option<i64>,
}

fn split(reqs: &[Requirement]) -> (Vec<u32>, Vec<(u32, u32)>, Vec<u16>) {
    let mut skills = Vec::new();
    let mut langs = Vec::new();
    let mut licences = Vec::new();
    for r in reqs {
        match r {
            Requirement::Skill { key, .. } => skills.push(*key as u32),
            Requirement::Language { code, level, .. } => langs.push(((*code << 3) as u32 >> 3, *level as u32)),
            Requirement::Licence { mask, .. } => licences.push(*mask as u16),
        }
    }
    (skills, langs, licences)
}

impl Fast {
    fn new(profile: &OpeningProfile, wanted: u64, substitutes: &HashMap<u64, u8>, w: &MatchingSettings) -> Self {
        let r = reference();
        let mut occupation = OccupationTable::take();
        for g in r.ssyk.values().filter(|g| g.level == 4 || g.level == 3) {
            let code = inferred_number(&g.code);
            let value = inferred_match(wanted, code, substitutes).0.value() as f32;
            for (level, factor) in LEVELS.iter().enumerate() {
                occupation.set(((level as u64) << LEVEL_SHIFT) | code, value * factor);
            }
        }
        let (must_skills, must_langs, _) = split(&profile.must);
        let (nice_skills, nice_langs, nice_licences) = split(&profile.nice);
        let distance_km: Vec<f64> = r
            .municipality_codes
            .iter()
            .map(|c| {
                let m = &r.municipalities[c];
                profile.location.map(|from| crate::reference::haversine_km(from, (m.lat, m.lon))).unwrap_or(f64::NAN)
            })
            .collect();
        let distance_value = distance_km.iter().map(|&d| super::distance_decay(w, d)).collect();
        Self {
            occupation,
            must_total: must_skills.len() + must_langs.len(),
            must_skills,
            must_langs,
            nice_total: profile.nice.len(),
            nice_skills,
            nice_langs,
            nice_licences,
            distance_km,
            distance_value,
            start_day: profile.start_day,
        }
    }

    fn covered(skills: &[u32], langs: &[(u32, u32)], licences: &[u16], hot: &Hot, cold: &Cold) -> usize {
        let mut n = 0;
        for s in skills {
            n += usize::from(cold.skills.contains(s));
        }
        for (code, level) in langs {
            n += usize::from(cold.langs.iter().any(|&k| k != 0 && k >> 3 == *code && (k & 7) >= *level));
        }
        for &l in licences {
            n += usize::from(hot.flags & l == l);
        }
        n
    }

    fn score(&self, w: &MatchingSettings, (hot, cold): (&Hot, &Cold), bm25: f32) -> f64 {
        super::combine(w, Parts { text: super::text_value(w, bm25), ..self.parts(hot, cold) })
    }

    /// What the hot row fixes: the occupation value, the distance part and reachability; the
    /// other parts at their most (text 0 here, for the caller to set).
    fn hot_parts(&self, hot: &Hot) -> Parts {
        let occupation = hot.codes.iter().map(|&c| self.occupation.get(c)).fold(0.0f32, f32::max);
        let (distance, reachable) = match self.distance_km.get(hot.municipality as usize) {
            Some(&d) if d.is_nan() => (0.5, true),
            Some(&d) => {
                let max = (hot.max_commute != NONE16).then_some(u64::from(hot.max_commute));
                if super::reachable(d, max) {
                    (self.distance_value[hot.municipality as usize], true)
                } else {
                    (0.0, false)
                }
            }
            None => (0.5, true),
        };
        Parts {
            text: 0.0,
            occupation: f64::from(occupation),
            must: 1.0,
            nice: 1.0,
            distance,
            availability: 1.0,
            reachable,
        }
    }

    /// Every part of a row's score but the text part (0 here), which needs the query's BM25.
    fn parts(&self, hot: &Hot, cold: &Cold) -> Parts {
        let must = Self::covered(&self.must_skills, &self.must_langs, &[], hot, cold);
        let nice = Self::covered(&self.nice_skills, &self.nice_langs, &self.nice_licences, hot, cold);
        let late = self.start_day.map(|s| i64::from(cold.day) - s).unwrap_or(0);
        Parts {
            must: super::must_value(must, self.must_total),
            nice: super::nice_value(nice, self.nice_total),
            availability: super::availability_value(late),
            ..self.hot_parts(hot)
        }
    }
}

/// Reusable buffers, so scoring a document allocates nothing.
#[derive(Default)]
struct Buffers {
    codes: Vec<u64>,
    inferred: Vec<u64>,
    skills: Vec<u64>,
    text_skills: Vec<u64>,
    langs: Vec<u64>,
}

/// The occupation relation of a seeker's registered codes and, when one is better after its
/// confidence, of an occupation read from their text (then `true`), with the confidence.
fn best_occupation(
    wanted: u64,
    codes: &[u64],
    inferred: &[u64],
    substitutes: &HashMap<u64, u8>,
) -> ((OccupationMatch, u64), bool, f64) {
    let mut best = (occupation_match(wanted, codes, substitutes), false, 1.0);
    for &key in inferred.iter().filter(|&&k| k != 0) {
        let (number, factor) = inferred_parts(key);
        let read = inferred_match(wanted, number, substitutes);
        if read.0.value() * factor > best.0.0.value() * best.2 {
            best = (read, true, factor);
        }
    }
    best
}

struct CandidateContext {
    profile: OpeningProfile,
    wanted: u64,
    substitutes: HashMap<u64, u8>,
    weights: MatchingSettings,
}

impl CandidateContext {
    fn score(
        &self,
        cols: &SeekerColumns,
        buf: &mut Buffers,
        doc: u32,
        bm25: f32,
        explain: bool,
    ) -> (f64, Option<Explanation>) {
        buf.codes.clear();
        buf.codes.extend(cols.ssyk.values_for_doc(doc));
        buf.inferred.clear();
        buf.inferred.extend(cols.inferred.values_for_doc(doc));
        buf.skills.clear();
        buf.skills.extend(cols.skills.values_for_doc(doc));
        buf.text_skills.clear();
        buf.text_skills.extend(cols.text_skills.values_for_doc(doc));
        buf.langs.clear();
        buf.langs.extend(cols.langs.values_for_doc(doc));
        let to = match (cols.lat.first(doc), cols.lon.first(doc)) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        };
        let (occupation, occupation_inferred, occupation_factor) =
            best_occupation(self.wanted, &buf.codes, &buf.inferred, &self.substitutes);
        let inputs = Inputs {
            bm25,
            occupation,
            occupation_inferred,
            occupation_factor,
            must: &self.profile.must,
            nice: &self.profile.nice,
            holder: Holder {
                skills: &buf.skills,
                text_skills: &buf.text_skills,
                languages: &buf.langs,
                licences: cols.licences.first(doc).unwrap_or(0),
            },
            from: self.profile.location,
            to,
            max_commute_km: cols.max_commute.first(doc).filter(|&k| k != u64::MAX),
            available_day: cols.day.first(doc).unwrap_or(0),
            start_day: self.profile.start_day,
        };
        let (score, explanation) = evaluate(&self.weights, &inputs, explain);
        (
            score,
            explanation.map(|mut e| {
                e.waiting_key = cols.waiting.first(doc).unwrap_or(0);
                e.waiting_since = e.waiting_key / 2;
                e
            }),
        )
    }
}

/// Documents' ids, rebuilt from the two id fast fields, columns opened once per segment.
#[derive(Default)]
struct Ids(HashMap<u32, (Column<u64>, Column<u64>)>);

impl Ids {
    fn get(&mut self, searcher: &tantivy::Searcher, segment: u32, doc: u32) -> String {
        let (hi, lo) = self.0.entry(segment).or_insert_with(|| {
            let r = searcher.segment_reader(segment);
            (column(r, "id_hi"), column(r, "id_lo"))
        });
        uuid::Uuid::from_u64_pair(hi.first(doc).unwrap_or(0), lo.first(doc).unwrap_or(0)).to_string()
    }
}

/// Stage one: who is worth scoring. The same unit group (registered, or read from the text
/// as it or its minor group), occupations Arbetsförmedlingen judges largely substitutable (in
/// either direction), anyone sharing a skill or a word; with `widen`, also partly
/// substitutable occupations and the 3-digit, 2-digit and major group.
fn recall_query(f: &Fields, profile: &OpeningProfile, substitutes: &HashMap<u64, u8>, widen: bool) -> BooleanQuery {
    let wanted = profile.occupation.as_str();
    let minor = &wanted[..3.min(wanted.len())];
    let mut any: Vec<(Occur, Box<dyn Query>)> = vec![recall(f.ssyk, wanted), recall(f.ssyk_inferred, minor)];
    let mut codes: Vec<(&u64, &u8)> = substitutes.iter().filter(|(_, pct)| **pct >= 75 || widen).collect();
    codes.sort();
    let mut groups = std::collections::BTreeSet::new();
    for (code, _) in codes {
        let code = format!("{code:04}");
        any.push(recall(f.ssyk, &code));
        groups.insert(code[..3].to_string());
    }
    // An occupation read from text may be a whole minor group: its prefix finds both kinds.
    for g in groups.iter().filter(|g| g.as_str() != minor) {
        any.push(recall(f.ssyk_inferred, g));
    }
    if widen {
        for len in [3, 2, 1] {
            any.push(recall(f.ssyk, &wanted[..len.min(wanted.len())]));
        }
        for len in [2, 1] {
            any.push(recall(f.ssyk_inferred, &wanted[..len.min(wanted.len())]));
        }
    }
    for id in &profile.skill_ids {
        any.push(recall(f.skill, id));
    }
    any.extend(text_clauses(f, &profile.text));
    BooleanQuery::new(any)
}

/// Seekers ranked for an opening. Hard filters: active, every must-have licence, and not in
/// `exclude` (already has a placement on this opening). Returns one page and the total.
pub fn candidates(
    side: &Side,
    profile: &OpeningProfile,
    weights: &MatchingSettings,
    exclude: &[String],
    limit: usize,
    offset: usize,
) -> anyhow::Result<(Vec<Ranked>, usize)> {
    let (page, total, _) = rank_candidates(side, profile, weights, exclude, (limit, offset), Scoring::Pruned)?;
    Ok((page, total))
}

/// Whether ranking may skip hits that cannot reach the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scoring {
    /// Every stage-one hit scored: the reference the pruned ranking must equal.
    Full,
    Pruned,
}

/// [`candidates`], choosing the scoring; also returns how many hits were scored in full.
///
/// Pruning (a threshold algorithm): everything in a score but the text part comes from the
/// seeker's row, and the text part is at most what the query's words can give one document.
/// So one walk over stage one, without BM25 (the costly part of walking it), bounds every hit:
/// first from 12 bytes of its row (occupation, distance, reach: most hits stop here), then
/// from the whole row (lower: no text; upper: the most text). The page's last place scores at
/// least the `n`-th best lower bound, so only hits whose upper bound reaches it can be on the
/// page. Those are scored in full, best upper bound first, in chunks, until the page's last
/// score beats the next chunk's upper bound. A hit's text part is its words' BM25 summed in
/// the query's order ([`Words`]) whichever way it is scored, so [`Scoring::Full`] (every hit,
/// no bound used) gives the same page; a test compares them.
pub fn rank_candidates(
    side: &Side,
    profile: &OpeningProfile,
    weights: &MatchingSettings,
    exclude: &[String],
    (limit, offset): (usize, usize),
    scoring: Scoring,
) -> anyhow::Result<(Vec<Ranked>, usize, usize)> {
    let f = &side.fields;
    let ctx = CandidateContext {
        wanted: ssyk_number(&profile.occupation),
        substitutes: substitutes_for(&profile.occupation),
        profile: profile.clone(),
        weights: *weights,
    };
    let searcher = side.reader.searcher();
    // A page past the last document is empty; the collectors must not size for it.
    let offset = offset.min(searcher.num_docs() as usize);
    let tables: HashMap<_, _> =
        searcher.segment_readers().iter().map(|r| (r.segment_id(), seeker_table(side, r))).collect();
    let tables = Arc::new(tables);
    let fast = Arc::new(Fast::new(profile, ctx.wanted, &ctx.substitutes, weights));
    let required = crate::index::licence_mask(&profile.must_licences) as u16;
    let wanted_hits = (offset + limit + FAIRNESS_EXTRA).max(1);
    // The opening's words, and the most text part they can give one hit (both passes).
    let words = Words::new(&searcher, f, &profile.text)?;
    let most = super::text_value(weights, words.most);
    for widen in [false, true] {
        // Status and licences are checked in the table while scoring (cheaper than
        // intersecting with their long posting lists); the few exclusions stay in the query.
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(recall_query(f, profile, &ctx.substitutes, widen)))];
        for id in exclude {
            clauses.push((Occur::MustNot, filter(f.id, id)));
        }
        let stage_one = BooleanQuery::new(clauses);
        let mut top: Vec<((f64, f32), tantivy::DocAddress)> = Vec::new();
        let mut scored = 0;
        let prune = scoring == Scoring::Pruned;
        let keep = prune.then_some(wanted_hits);
        let bounds = Bounds { tables: tables.clone(), fast: fast.clone(), weights: *weights, most, required, keep };
        let (total, mut hits) = searcher.search(&stage_one, &bounds)?;
        if total >= WIDEN_BELOW || widen {
            // The n-th best lower bound: the page's last place scores at least this.
            if prune && hits.len() >= wanted_hits {
                let (_, nth, _) = hits.select_nth_unstable_by(wanted_hits - 1, |a, b| b.lower.total_cmp(&a.lower));
                let floor = nth.lower;
                hits.retain(|h| h.upper >= floor);
            }
            hits.sort_unstable_by(|a, b| b.upper.total_cmp(&a.upper));
            for chunk in hits.chunks_mut(PRUNE_CHUNK) {
                if prune && top.len() >= wanted_hits && top[wanted_hits - 1].0.0 > chunk[0].upper {
                    break;
                }
                chunk.sort_unstable_by_key(|h| (h.segment, h.doc));
                for docs in chunk.chunk_by(|a, b| a.segment == b.segment) {
                    let segment = docs[0].segment;
                    let reader = searcher.segment_reader(segment);
                    let table = &tables[&reader.segment_id()];
                    let mut bm25 = words.scorers(reader)?;
                    for h in docs {
                        let row = table.eligible(h.doc, required).expect("bounded hits are eligible");
                        let bm25 = bm25(h.doc);
                        // Equal scores are ordered by the id's random half, added below a
                        // billionth (far below the four decimals a score is shown with): the
                        // same order on every run and after every merge.
                        let score = fast.score(weights, row, bm25) + f64::from(row.1.tie) * TIE_STEP;
                        top.push(((score, bm25), tantivy::DocAddress::new(segment, h.doc)));
                    }
                    scored += docs.len();
                }
                top.sort_by(|(a, x), (b, y)| b.0.total_cmp(&a.0).then(x.cmp(y)));
                top.truncate(wanted_hits);
            }
        }
        if total < WIDEN_BELOW && !widen {
            continue;
        }
        let mut hits = Vec::with_capacity(top.len());
        let mut columns: HashMap<u32, SeekerColumns> = HashMap::new();
        let mut buf = Buffers::default();
        let mut ids = Ids::default();
        for ((score, bm25), address) in top {
            let reader = searcher.segment_reader(address.segment_ord);
            let cols = columns.entry(address.segment_ord).or_insert_with(|| SeekerColumns::open(reader));
            let (_, explanation) = ctx.score(cols, &mut buf, address.doc_id, bm25, true);
            let id = ids.get(&searcher, address.segment_ord, address.doc_id);
            hits.push(Ranked {
                id,
                score: (score * 10_000.0).round() / 10_000.0,
                explanation: explanation.expect("explained"),
            });
        }
        fairness_order(&mut hits, weights.fairness_margin);
        let page = hits.into_iter().skip(offset).take(limit).collect();
        return Ok((page, total, scored));
    }
    unreachable!("the widened pass always returns")
}

/// Hits scored in full per pass of the pruned ranking: small enough to stop soon after the
/// page is settled, large enough that a pass's fixed cost (opening the words' postings)
/// stays small.
const PRUNE_CHUNK: usize = 256;

/// A stage-one hit's bounds: its score with no text, and with the most text there can be.
#[derive(Clone, Copy)]
struct Bound {
    lower: f64,
    upper: f64,
    segment: u32,
    doc: u32,
}

/// Walks stage one without BM25 and bounds every hit that ranking would score (active, every
/// required licence).
struct Bounds {
    tables: Arc<HashMap<tantivy::index::SegmentId, Arc<SeekerTable>>>,
    fast: Arc<Fast>,
    weights: MatchingSettings,
    most: f64,
    required: u16,
    /// How many hits the page needs (with the fairness band's extra); `None`: no bound is
    /// used, every hit is kept (full scoring).
    keep: Option<usize>,
}

/// One segment's walk. Keeps the `keep` best lower bounds as it goes: a hit whose upper
/// bound is below the worst of them is below the page's last place and is not kept.
struct BoundsInSegment {
    table: Arc<SeekerTable>,
    fast: Arc<Fast>,
    weights: MatchingSettings,
    most: f64,
    required: u16,
    segment: u32,
    keep: Option<usize>,
    /// The best lower bounds so far (as bits: bounds are never negative, so bit order is
    /// numeric order).
    lowest: std::collections::BinaryHeap<std::cmp::Reverse<u64>>,
    eligible: usize,
    hits: Vec<Bound>,
}

impl BoundsInSegment {
    fn floor(&self) -> f64 {
        match (self.keep, self.lowest.peek()) {
            (Some(keep), Some(r)) if self.lowest.len() >= keep => f64::from_bits(r.0),
            _ => f64::MIN,
        }
    }
}

impl tantivy::collector::Collector for Bounds {
    /// How many hits are eligible, and those that may reach the page.
    type Fruit = (usize, Vec<Bound>);
    type Child = BoundsInSegment;

    fn for_segment(
        &self,
        segment: tantivy::SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<BoundsInSegment> {
        Ok(BoundsInSegment {
            table: self.tables.get(&reader.segment_id()).cloned().unwrap_or_default(),
            fast: self.fast.clone(),
            weights: self.weights,
            most: self.most,
            required: self.required,
            segment,
            keep: self.keep,
            lowest: std::collections::BinaryHeap::with_capacity(self.keep.map_or(0, |k| k + 1)),
            eligible: 0,
            hits: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(usize, Vec<Bound>)>) -> tantivy::Result<(usize, Vec<Bound>)> {
        let eligible = fruits.iter().map(|f| f.0).sum();
        Ok((eligible, fruits.into_iter().flat_map(|f| f.1).collect()))
    }
}

impl tantivy::collector::SegmentCollector for BoundsInSegment {
    type Fruit = (usize, Vec<Bound>);

    fn collect(&mut self, doc: tantivy::DocId, _: tantivy::Score) {
        let Some(hot) = self.table.eligible_hot(doc, self.required) else { return };
        self.eligible += 1;
        let floor = self.floor();
        // First from the hot row alone (the tie key adds below 1e-9).
        let most = |parts: Parts| super::combine(&self.weights, Parts { text: self.most, ..parts });
        if most(self.fast.hot_parts(hot)) + 2e-9 < floor {
            return;
        }
        let cold = &self.table.cold[doc as usize];
        let parts = self.fast.parts(hot, cold);
        let tie = f64::from(cold.tie) * TIE_STEP;
        // A margin for rounding: only ever lets more hits through.
        let upper = most(parts) + tie + 1e-9;
        if upper < floor {
            return;
        }
        let lower = super::combine(&self.weights, Parts { text: 0.0, ..parts }) + tie;
        self.hits.push(Bound { lower, upper, segment: self.segment, doc });
        if let Some(keep) = self.keep.filter(|_| lower > floor) {
            self.lowest.push(std::cmp::Reverse(lower.max(0.0).to_bits()));
            if self.lowest.len() > keep {
                self.lowest.pop();
            }
        }
    }

    fn harvest(self) -> (usize, Vec<Bound>) {
        (self.eligible, self.hits)
    }
}

/// The opening's words, scored for chosen documents as stage one scores them: each word's
/// BM25 (the same weights, from the same searcher), summed in the query's order.
struct Words {
    weights: Vec<Box<dyn tantivy::query::Weight>>,
    /// The most BM25 the words can give one document: each word's weight at its saturation,
    /// summed.
    most: f32,
}

impl Words {
    fn new(searcher: &tantivy::Searcher, f: &Fields, text: &str) -> anyhow::Result<Self> {
        let scoring = tantivy::query::EnableScoring::enabled_from_searcher(searcher);
        let mut weights = Vec::new();
        let mut most = 0.0f32;
        for (_, q) in text_clauses(f, text) {
            weights.push(q.weight(scoring)?);
            let mut terms = Vec::new();
            q.query_terms(&mut |t, _| terms.push(t.clone()));
            for t in &terms {
                if searcher.doc_freq(t)? > 0 {
                    // At the shortest field and an unbounded term frequency: idf · (1 + k1).
                    // (tantivy's `max_score` takes the longest field and is not a bound.)
                    let weight = tantivy::query::Bm25Weight::for_terms(searcher, std::slice::from_ref(t))?;
                    most += weight.score(0, u32::MAX);
                }
            }
        }
        // f32 sums in another order may differ in the last bits.
        Ok(Self { weights, most: most * 1.001 })
    }

    /// A function from a document to its BM25; documents must come in increasing order.
    fn scorers(&self, reader: &SegmentReader) -> anyhow::Result<impl FnMut(u32) -> f32> {
        let mut scorers = self.weights.iter().map(|w| w.scorer(reader, 1.0)).collect::<Result<Vec<_>, _>>()?;
        Ok(move |doc| {
            let mut sum = 0.0f32;
            for s in &mut scorers {
                if s.doc() < doc {
                    s.seek(doc);
                }
                if s.doc() == doc {
                    sum += s.score();
                }
            }
            sum
        })
    }
}

struct OpeningColumns {
    ssyk: Column<u64>,
    must_skill: Column<u64>,
    nice_skill: Column<u64>,
    must_lang: Column<u64>,
    nice_lang: Column<u64>,
    lat: Column<f64>,
    lon: Column<f64>,
    day: Column<i64>,
}

fn keyed(skills: impl Iterator<Item = u64>, langs: impl Iterator<Item = u64>) -> Vec<Requirement> {
    let mut out: Vec<Requirement> = skills.map(|key| Requirement::Skill { key, label: String::new() }).collect();
    out.extend(langs.map(|k| {
        let level = match k & 7 {
            0 => crate::vocabulary::LanguageLevel::Basic,
            1 => crate::vocabulary::LanguageLevel::Good,
            2 => crate::vocabulary::LanguageLevel::Fluent,
            _ => crate::vocabulary::LanguageLevel::Native,
        };
        Requirement::Language { code: k >> 3, level, label: String::new() }
    }));
    out
}

/// One opening's score as seen from a seeker; the explanation's labels come from the caller,
/// who has the opening's own requirements.
pub struct OpeningScore {
    pub id: String,
    pub score: f64,
    pub bm25: f32,
}

/// Open openings ranked for a seeker. Hard filters: open, and no must-have licence the
/// seeker lacks.
pub fn openings_for(
    side: &Side,
    seeker: &SeekerProfile,
    weights: &MatchingSettings,
    limit: usize,
    offset: usize,
) -> anyhow::Result<(Vec<OpeningScore>, usize)> {
    let f = &side.fields;
    let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for o in seeker.occupations.iter().chain(&seeker.inferred_codes) {
        any.push(recall(f.ssyk, o));
        any.push(recall(f.ssyk, &o[..3.min(o.len())]));
        any.push(recall(f.ssyk, &o[..2.min(o.len())]));
        for job in substitutes_for(o).into_keys() {
            any.push(recall(f.ssyk, &format!("{job:04}")));
        }
    }
    for id in &seeker.skill_ids {
        any.push(recall(f.skill, id));
    }
    any.extend(text_clauses(f, &seeker.text));
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Must, filter(f.status, crate::openings::OpeningStatus::Open.as_str())),
        (Occur::Must, Box::new(BooleanQuery::new(any))),
    ];
    for l in &reference().driving_licences {
        if !seeker.licences.contains(l) {
            clauses.push((Occur::MustNot, filter(f.must_licence, l)));
        }
    }
    let query = BooleanQuery::new(clauses);
    let seeker = Arc::new(seeker.clone());
    let w = *weights;
    // A page past the last document is empty; the collector must not size for it.
    let offset = offset.min(side.reader.searcher().num_docs() as usize);
    let collector = TopDocs::with_limit((offset + limit).max(1)).tweak_score(move |reader: &SegmentReader| {
        let cols = OpeningColumns {
            ssyk: column(reader, "ssyk_code"),
            must_skill: column(reader, "must_skill"),
            nice_skill: column(reader, "nice_skill"),
            must_lang: column(reader, "must_lang"),
            nice_lang: column(reader, "nice_lang"),
            lat: column(reader, "lat"),
            lon: column(reader, "lon"),
            day: column(reader, "day"),
        };
        let seeker = seeker.clone();
        // Substitutability depends only on the opening's occupation: looked up once per code.
        let mut substitutes: HashMap<u64, HashMap<u64, u8>> = HashMap::new();
        move |doc, bm25| {
            let wanted = cols.ssyk.first(doc).unwrap_or(0);
            let must = keyed(cols.must_skill.values_for_doc(doc), cols.must_lang.values_for_doc(doc));
            let nice = keyed(cols.nice_skill.values_for_doc(doc), cols.nice_lang.values_for_doc(doc));
            let subs = substitutes.entry(wanted).or_insert_with(|| substitutes_for(&format!("{wanted:04}")));
            let to = match (cols.lat.first(doc), cols.lon.first(doc)) {
                (Some(a), Some(b)) => Some((a, b)),
                _ => None,
            };
            let (occupation, occupation_inferred, occupation_factor) =
                best_occupation(wanted, &seeker.codes, &seeker.inferred, subs);
            let inputs = Inputs {
                bm25,
                occupation,
                occupation_inferred,
                occupation_factor,
                must: &must,
                nice: &nice,
                holder: seeker.holder(),
                from: seeker.location,
                to,
                max_commute_km: seeker.max_commute_km,
                available_day: seeker.available_day,
                start_day: cols.day.first(doc).filter(|&d| d != 0),
            };
            (evaluate(&w, &inputs, false).0, bm25)
        }
    });
    let searcher = side.reader.searcher();
    let (top, total) = searcher.search(&query, &(collector, Count))?;
    let mut hits = Vec::new();
    let mut ids = Ids::default();
    for ((score, bm25), address) in top.into_iter().skip(offset) {
        hits.push(OpeningScore { id: ids.get(&searcher, address.segment_ord, address.doc_id), score, bm25 });
    }
    Ok((hits, total))
}

/// The full explanation of an opening for a seeker, with the opening's own labels.
pub fn explain_opening(
    weights: &MatchingSettings,
    seeker: &SeekerProfile,
    opening: &Opening,
    bm25: f32,
) -> (f64, Explanation) {
    let p = OpeningProfile::new(opening);
    let wanted = ssyk_number(&p.occupation);
    let (occupation, occupation_inferred, occupation_factor) =
        best_occupation(wanted, &seeker.codes, &seeker.inferred, &substitutes_for(&p.occupation));
    let inputs = Inputs {
        bm25,
        occupation,
        occupation_inferred,
        occupation_factor,
        must: &p.must,
        nice: &p.nice,
        holder: seeker.holder(),
        from: seeker.location,
        to: p.location,
        max_commute_km: seeker.max_commute_km,
        available_day: seeker.available_day,
        start_day: p.start_day,
    };
    let (score, e) = evaluate(weights, &inputs, true);
    (score, e.expect("explained"))
}

/// The same ranking by brute force: every seeker's record scored, no index. For the
/// benchmark's comparison only.
pub fn brute_force(side: &Side, profile: &OpeningProfile, weights: &MatchingSettings, limit: usize) -> Vec<f64> {
    let searcher = side.reader.searcher();
    let fast = Fast::new(profile, ssyk_number(&profile.occupation), &substitutes_for(&profile.occupation), weights);
    let required = crate::index::licence_mask(&profile.must_licences) as u16;
    let mut heap: std::collections::BinaryHeap<std::cmp::Reverse<u64>> =
        std::collections::BinaryHeap::with_capacity(limit + 1);
    for reader in searcher.segment_readers() {
        let table = seeker_table(side, reader);
        for doc in 0..table.hot.len() as u32 {
            let Some(row) = table.eligible(doc, required) else { continue };
            // bm25 is 0: a scan has no inverted index to score words with.
            let score = (fast.score(weights, row, 0.0) * 1e12) as u64;
            if heap.len() < limit {
                heap.push(std::cmp::Reverse(score));
            } else if heap.peek().is_some_and(|std::cmp::Reverse(s)| *s < score) {
                heap.pop();
                heap.push(std::cmp::Reverse(score));
            }
        }
    }
    heap.into_sorted_vec().into_iter().map(|std::cmp::Reverse(s)| s as f64 / 1e12).collect()
}
