//! What accountability asks of the candidate ranking beyond a page: who it could show at all
//! for an opening (exposure), and how many otherwise matching people each of an opening's
//! hard requirements leaves out (the requirement check). Both read the same tables and the
//! same stage one as ranking, so they describe the lists brokers actually get.

use super::{ACTIVE, Fast, Ids, OpeningProfile, WIDEN_BELOW, recall_query, seeker_table, split};
use crate::config::MatchingSettings;
use crate::index::Side;
use crate::matching::{Requirement, ssyk_number, substitutes_for};

/// Every seeker the candidate list of at least one of `profiles` holds (active, every required
/// licence, found by stage one, widened as ranking widens it), by id, in no order. Hits are
/// marked per segment and turned into ids once, so many openings with large lists cost a
/// walk of each list, not a string per hit.
pub fn listable(side: &Side, profiles: &[OpeningProfile]) -> anyhow::Result<Vec<String>> {
    let searcher = side.reader.searcher();
    let mut marked: Vec<Vec<bool>> =
        searcher.segment_readers().iter().map(|r| vec![false; r.max_doc() as usize]).collect();
    for profile in profiles {
        let substitutes = substitutes_for(&profile.occupation);
        let required = crate::index::licence_mask(&profile.must_licences) as u16;
        for widen in [false, true] {
            let q = recall_query(&side.fields, profile, &substitutes, widen);
            let hits = searcher.search(&q, &Eligible { side, required })?;
            let found: usize = hits.iter().map(|(_, docs)| docs.len()).sum();
            if found < WIDEN_BELOW && !widen {
                continue;
            }
            for (segment, docs) in hits {
                for doc in docs {
                    marked[segment as usize][doc as usize] = true;
                }
            }
            break;
        }
    }
    let mut ids = Ids::default();
    let mut out = Vec::new();
    for (segment, docs) in marked.iter().enumerate() {
        for (doc, _) in docs.iter().enumerate().filter(|(_, m)| **m) {
            out.push(ids.get(&searcher, segment as u32, doc as u32));
        }
    }
    Ok(out)
}

/// Collects the hits ranking would score (active, every required licence), per segment.
struct Eligible<'a> {
    side: &'a Side,
    required: u16,
}

struct EligibleInSegment {
    table: std::sync::Arc<super::SeekerTable>,
    required: u16,
    segment: u32,
    docs: Vec<u32>,
}

impl tantivy::collector::Collector for Eligible<'_> {
    type Fruit = Vec<(u32, Vec<u32>)>;
    type Child = EligibleInSegment;

    fn for_segment(&self, segment: u32, reader: &tantivy::SegmentReader) -> tantivy::Result<EligibleInSegment> {
        Ok(EligibleInSegment {
            table: seeker_table(self.side, reader),
            required: self.required,
            segment,
            docs: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(u32, Vec<u32>)>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits)
    }
}

impl tantivy::collector::SegmentCollector for EligibleInSegment {
    type Fruit = (u32, Vec<u32>);

    fn collect(&mut self, doc: tantivy::DocId, _: tantivy::Score) {
        if self.table.eligible_hot(doc, self.required).is_some() {
            self.docs.push(doc);
        }
    }

    fn harvest(self) -> (u32, Vec<u32>) {
        (self.segment, self.docs)
    }
}

/// An occupation part at least this (after the reader's confidence) makes a person
/// "otherwise matching" in the requirement check: the same occupation, the same 3-digit
/// group, an occupation that can substitute, or the same 2-digit group.
pub const RELATED: f32 = 0.3;

/// One hard requirement of an opening, as the check names it.
#[derive(Debug, Clone, PartialEq)]
pub enum Hard {
    /// A must-have language at a level (`label`: "svenska (flytande)").
    Language { label: String },
    /// A driving licence class the opening requires.
    Licence { class: String },
    /// The workplace: within each person's own commuting range.
    Distance,
}

/// How many otherwise matching people a requirement leaves out: `of` meet every other hard
/// requirement, `excluded` of them not this one.
#[derive(Debug, Clone, PartialEq)]
pub struct Exclusion {
    pub requirement: Hard,
    pub excluded: usize,
    pub of: usize,
}

/// The requirement check: over every active person whose occupation relates to the opening's
/// ([`RELATED`]), each hard requirement's exclusions among those who meet all the others.
pub fn exclusions(side: &Side, profile: &OpeningProfile, w: &MatchingSettings) -> anyhow::Result<Vec<Exclusion>> {
    let substitutes = substitutes_for(&profile.occupation);
    let fast = Fast::new(profile, ssyk_number(&profile.occupation), &substitutes, w);
    let (_, must_langs, _) = split(&profile.must);
    let mut hard: Vec<Hard> = profile
        .must
        .iter()
        .filter_map(|r| match r {
            Requirement::Language { label, .. } => Some(Hard::Language { label: label.clone() }),
            _ => None,
        })
        .collect();
    let licences: Vec<u16> = profile.must_licences.iter().map(|l| crate::index::licence_mask([l]) as u16).collect();
    hard.extend(profile.must_licences.iter().map(|l| Hard::Licence { class: l.clone() }));
    if profile.location.is_some() {
        hard.push(Hard::Distance);
    }
    let n = hard.len();
    let mut of = vec![0usize; n];
    let mut excluded = vec![0usize; n];
    if n == 0 {
        return Ok(Vec::new());
    }
    let searcher = side.reader.searcher();
    let mut meets = vec![false; n];
    for reader in searcher.segment_readers() {
        let table = seeker_table(side, reader);
        let alive = reader.alive_bitset();
        for (doc, hot) in table.hot.iter().enumerate() {
            if hot.flags & ACTIVE == 0 || alive.is_some_and(|a| !a.is_alive(doc as u32)) {
                continue;
            }
            if hot.codes.iter().map(|&c| fast.occupation.get(c)).fold(0.0f32, f32::max) < RELATED {
                continue;
            }
            let cold = &table.cold[doc];
            let mut i = 0;
            for (code, level) in &must_langs {
                meets[i] = cold.langs.iter().any(|&k| k != 0 && k >> 3 == *code && (k & 7) >= *level);
                i += 1;
            }
            for &mask in &licences {
                meets[i] = hot.flags & mask == mask;
                i += 1;
            }
            if i < n {
                meets[i] = fast.hot_parts(hot).reachable;
            }
            let failing = meets.iter().filter(|m| !**m).count();
            for j in 0..n {
                // Counted for requirement j when every other requirement is met.
                if failing == 0 || (failing == 1 && !meets[j]) {
                    of[j] += 1;
                    excluded[j] += usize::from(!meets[j]);
                }
            }
        }
    }
    Ok(hard
        .into_iter()
        .enumerate()
        .map(|(j, requirement)| Exclusion { requirement, excluded: excluded[j], of: of[j] })
        .collect())
}
