//! What accountability asks of the candidate ranking beyond a page: who it could show at all
//! for an opening (exposure), and how many otherwise matching people each of an opening's
//! hard requirements leaves out (the requirement check). Both read the same tables and the
//! same stage one as ranking, so they describe the lists brokers actually get.

use std::collections::HashSet;

use tantivy::DocAddress;
use tantivy::collector::DocSetCollector;

use super::{ACTIVE, Fast, Ids, OpeningProfile, WIDEN_BELOW, recall_query, seeker_table, split};
use crate::config::MatchingSettings;
use crate::index::Side;
use crate::matching::{Requirement, ssyk_number, substitutes_for};

/// Every seeker the candidate list of `profile` holds (active, every required licence, found
/// by stage one, widened as ranking widens it), by id, in no order.
pub fn listable(side: &Side, profile: &OpeningProfile) -> anyhow::Result<Vec<String>> {
    let searcher = side.reader.searcher();
    let substitutes = substitutes_for(&profile.occupation);
    let required = crate::index::licence_mask(&profile.must_licences) as u16;
    let mut eligible: Vec<DocAddress> = Vec::new();
    for widen in [false, true] {
        let q = recall_query(&side.fields, profile, &substitutes, widen);
        let docs: HashSet<DocAddress> = searcher.search(&q, &DocSetCollector)?;
        eligible = docs
            .into_iter()
            .filter(|a| {
                let table = seeker_table(side, searcher.segment_reader(a.segment_ord));
                table.eligible_hot(a.doc_id, required).is_some()
            })
            .collect();
        if eligible.len() >= WIDEN_BELOW {
            break;
        }
    }
    let mut ids = Ids::default();
    Ok(eligible.into_iter().map(|a| ids.get(&searcher, a.segment_ord, a.doc_id)).collect())
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
