//! Typeahead over the reference vocabularies (JobTech occupation names and SSYK groups,
//! skills, municipalities, languages): a few letters of a name, a code or a concept id in,
//! the best terms out. Ranked so that an exact code or name comes first, then names that
//! start with what was typed, then names with a word that does, then any that contain it,
//! and last names one typo away, so `underskoterka` still finds `Undersköterska`.

pub mod http;
pub mod update;

use std::collections::HashMap;

use serde::Serialize;

use crate::reference::reference;
use crate::text::fold;

crate::text_enum! {
    /// Which vocabulary a typeahead searches.
    pub enum Vocabulary {
        Occupations = "occupations",
        Skills = "skills",
        Municipalities = "municipalities",
        Languages = "languages",
    }
}

/// One suggestion: what to show, and the code a seeker or opening stores.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Term {
    pub label: String,
    /// SSYK code (occupations), kommunkod (municipalities), ISO 639 code (languages) or
    /// JobTech concept id (skills).
    pub code: String,
    /// JobTech's concept id where the term has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concept_id: Option<String>,
    /// What the label belongs to: the SSYK group of an occupation name, a municipality's county.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A term with what matching needs, folded once (not on every keystroke).
struct Indexed {
    term: Term,
    label: String,
    words: Vec<Vec<char>>,
    code: String,
    concept_id: Option<String>,
}

impl Indexed {
    fn new(term: Term) -> Self {
        let label = fold(&term.label);
        let words = label
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| w.chars().collect())
            .collect();
        Indexed { code: fold(&term.code), concept_id: term.concept_id.as_deref().map(fold), label, words, term }
    }
}

/// Every term of a vocabulary, built on first use for the taxonomy version in force.
fn indexed(vocabulary: Vocabulary) -> &'static [Indexed] {
    #[derive(Default)]
    struct All([std::sync::OnceLock<Vec<Indexed>>; 4]);
    let slot = Vocabulary::ALL.iter().position(|v| *v == vocabulary).expect("a listed vocabulary");
    let r = reference();
    r.derived(|_| All::default()).0[slot].get_or_init(|| terms(r, vocabulary).into_iter().map(Indexed::new).collect())
}

fn terms(r: &crate::reference::Reference, vocabulary: Vocabulary) -> Vec<Term> {
    match vocabulary {
        Vocabulary::Occupations => r
            .occupation_names
            .iter()
            .map(|o| Term {
                label: o.label.clone(),
                code: o.ssyk4.clone(),
                concept_id: Some(o.id.clone()),
                detail: r.ssyk_name(&o.ssyk4).map(str::to_string),
            })
            .chain(r.ssyk.values().filter(|g| g.level == 4).map(|g| Term {
                label: g.name.clone(),
                code: g.code.clone(),
                concept_id: None,
                detail: None,
            }))
            .collect(),
        Vocabulary::Skills => r
            .skills
            .iter()
            .map(|s| Term { label: s.label.clone(), code: s.id.clone(), concept_id: Some(s.id.clone()), detail: None })
            .collect(),
        Vocabulary::Municipalities => r
            .municipalities
            .values()
            .map(|m| Term {
                label: m.name.clone(),
                code: m.code.clone(),
                concept_id: Some(m.concept_id.clone()).filter(|c| !c.is_empty()),
                detail: Some(m.county.clone()),
            })
            .collect(),
        Vocabulary::Languages => r
            .language_terms
            .iter()
            .map(|l| Term {
                label: l.label.clone(),
                code: l.code.clone(),
                concept_id: Some(l.concept_id.clone()),
                detail: None,
            })
            .collect(),
    }
}

/// Puts each SSYK group (a term without a concept id) no later than the first occupation
/// name of the same group; otherwise keeps the order.
fn groups_first(scored: &mut Vec<(u32, Term)>) {
    let mut placed = std::collections::HashSet::new();
    let all = std::mem::take(scored);
    let group_at: HashMap<&str, usize> = all
        .iter()
        .enumerate()
        .filter(|(_, (_, t))| t.concept_id.is_none())
        .map(|(i, (_, t))| (t.code.as_str(), i))
        .collect();
    let mut order = Vec::with_capacity(all.len());
    for (i, (_, t)) in all.iter().enumerate() {
        if let Some(&g) = group_at.get(t.code.as_str())
            && placed.insert(g)
        {
            order.push(g);
        }
        if t.concept_id.is_some() || !placed.contains(&i) {
            placed.insert(i);
            order.push(i);
        }
    }
    let mut all: Vec<Option<(u32, Term)>> = all.into_iter().map(Some).collect();
    *scored = order.into_iter().filter_map(|i| all[i].take()).collect();
}

/// Terms that match `q`, best first, with how many matched in all.
pub fn lookup(vocabulary: Vocabulary, q: &str, limit: usize, offset: usize) -> (Vec<Term>, usize) {
    let query = Query::new(q);
    if query.folded.is_empty() {
        return (vec![], 0);
    }
    let mut scored: Vec<(u32, Term)> =
        indexed(vocabulary).iter().filter_map(|t| query.score(t).map(|score| (score, t.term.clone()))).collect();
    // Best score; then the shorter, then the alphabetically first label; then the code, so
    // the order never depends on a hash map's.
    scored.sort_by(|(a, x), (b, y)| {
        b.cmp(a)
            .then(x.label.chars().count().cmp(&y.label.chars().count()))
            .then_with(|| x.label.cmp(&y.label))
            .then_with(|| x.code.cmp(&y.code))
    });
    // An occupation name and its group often share a label: show it once.
    scored.dedup_by(|a, b| a.1.label == b.1.label && a.1.code == b.1.code);
    // An SSYK group comes before the occupation names in it ("Undersköterskor, …" before
    // "Undersköterska, hemtjänst"): picking the group finds all its openings.
    if vocabulary == Vocabulary::Occupations {
        groups_first(&mut scored);
    }
    let total = scored.len();
    (scored.into_iter().skip(offset).take(limit).map(|(_, t)| t).collect(), total)
}

/// The one term a form's text means: `Label (code)` as the typeahead offers it, a code or
/// concept id, or a name typed exactly (case and accents aside). `None` when it is unclear.
pub fn resolve(vocabulary: Vocabulary, text: &str) -> Option<Term> {
    let text = text.trim();
    let (name, code) = match text.rsplit_once(" (") {
        Some((name, rest)) if rest.ends_with(')') => (name.trim(), Some(&rest[..rest.len() - 1])),
        _ => (text, None),
    };
    let (found, _) = lookup(vocabulary, code.unwrap_or(name), 50, 0);
    let by_code = |c: &str| found.iter().find(|t| t.code == c || t.concept_id.as_deref() == Some(c));
    if let Some(code) = code {
        return by_code(code).cloned();
    }
    if let Some(t) = by_code(name) {
        return Some(t.clone());
    }
    let folded = fold(name);
    let exact: Vec<&Term> = found.iter().filter(|t| fold(&t.label) == folded).collect();
    // Two different codes under one name (rare) is not a choice to make for the user.
    match exact.as_slice() {
        [one] => Some((*one).clone()),
        [first, rest @ ..] if rest.iter().all(|t| t.code == first.code) => Some((*first).clone()),
        _ => None,
    }
}

/// The term a filter's text means: the one [`resolve`] reads, else the best match of the
/// typeahead (a name typed without picking from the list).
pub fn best(vocabulary: Vocabulary, text: &str) -> Option<Term> {
    resolve(vocabulary, text).or_else(|| lookup(vocabulary, text, 1, 0).0.into_iter().next())
}

/// How a term is written in a form field, so [`resolve`] reads it back exactly: the name
/// with a code a caseworker reads (SSYK, kommunkod, language code), or the name alone where
/// the code is a JobTech concept id (`11L4_Q2Z_8tM`: noise to a reader). Names in those
/// vocabularies are unique, so the name reads back to the one concept.
pub fn form_value(t: &Term) -> String {
    if is_concept_id(&t.code) { t.label.clone() } else { format!("{} ({})", t.label, t.code) }
}

/// A JobTech concept id: three groups of letters and digits joined by `_`.
pub fn is_concept_id(code: &str) -> bool {
    code.contains('_') && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

struct Query {
    folded: String,
    words: Vec<Vec<char>>,
}

impl Query {
    fn new(q: &str) -> Self {
        let folded = fold(q.trim());
        let words = folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| w.chars().collect())
            .collect();
        Self { folded, words }
    }

    fn score(&self, t: &Indexed) -> Option<u32> {
        let q = self.folded.as_str();
        if t.code == q || t.concept_id.as_deref() == Some(q) {
            return Some(1000);
        }
        let label = t.label.as_str();
        if label == q {
            return Some(900);
        }
        if label.starts_with(q) {
            return Some(800);
        }
        let starts = |w: &[char], qw: &[char]| w.len() >= qw.len() && w[..qw.len()] == *qw;
        let qchars: Vec<char> = q.chars().collect();
        if t.words.iter().any(|w| starts(w, &qchars)) {
            return Some(700);
        }
        if self.words.is_empty() {
            return None;
        }
        if self.words.iter().all(|qw| t.words.iter().any(|w| starts(w, qw))) {
            return Some(650);
        }
        if qchars.len() >= 3 && label.contains(q) {
            return Some(600);
        }
        // One typo per word (two in long words); every word of the query must find its match,
        // and fewer edits rank higher. Compared with each word's prefixes of about the query
        // word's length (typing is usually unfinished), and with the whole word.
        let edits = |qw: &[char]| -> Option<usize> {
            let n = qw.len();
            if n < 4 {
                return t.words.iter().any(|w| starts(w, qw)).then_some(0);
            }
            let max = if n < 8 { 1 } else { 2 };
            t.words.iter().filter(|w| w.len() + max >= n).filter_map(|w| prefix_edits(qw, w, max)).min()
        };
        let mut total = 0;
        for qw in &self.words {
            total += edits(qw)?;
        }
        Some(300u32.saturating_sub(20 * total as u32))
    }
}

/// The fewest edits (insert, delete, substitute, swap two neighbours) that turn `q` into `w`
/// or into a prefix of it of about `q`'s length, if at most `max`. One dynamic-programming
/// table serves every prefix at once, and it stops as soon as a row cannot get under `max`.
fn prefix_edits(q: &[char], w: &[char], max: usize) -> Option<usize> {
    let n = q.len();
    let m = w.len().min(n + max);
    let mut before: Vec<usize> = vec![0; m + 1];
    let mut above: Vec<usize> = (0..=m).collect();
    let mut row: Vec<usize> = vec![0; m + 1];
    for i in 1..=n {
        row[0] = i;
        let mut best = row[0];
        for j in 1..=m {
            let cost = usize::from(q[i - 1] != w[j - 1]);
            let mut d = (above[j] + 1).min(row[j - 1] + 1).min(above[j - 1] + cost);
            if i > 1 && j > 1 && q[i - 1] == w[j - 2] && q[i - 2] == w[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d;
            best = best.min(d);
        }
        if best > max {
            return None;
        }
        std::mem::swap(&mut before, &mut above);
        std::mem::swap(&mut above, &mut row);
    }
    // `above` now holds the last row: distances to each prefix w[..j].
    (n.saturating_sub(max)..=m).map(|j| above[j]).min().filter(|&d| d <= max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: Vocabulary, q: &str) -> Vec<String> {
        lookup(v, q, 5, 0).0.into_iter().map(|t| t.label).collect()
    }

    #[test]
    fn names_codes_and_typos() {
        assert_eq!(labels(Vocabulary::Municipalities, "trelleborg")[0], "Trelleborg");
        assert_eq!(lookup(Vocabulary::Municipalities, "1287", 5, 0).0[0].label, "Trelleborg");
        assert_eq!(labels(Vocabulary::Municipalities, "Kristianstd")[0], "Kristianstad");
        let o = lookup(Vocabulary::Occupations, "underskoterka", 5, 0).0;
        assert!(o.iter().all(|t| t.label.starts_with("Underskötersk")), "{o:?}");
        assert_eq!(labels(Vocabulary::Languages, "arab")[0], "Arabiska");
        assert!(lookup(Vocabulary::Skills, "", 5, 0).0.is_empty());
    }

    #[test]
    fn prefix_edits_count_typos_against_prefixes() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(prefix_edits(&c("underskoterka"), &c("underskoterska"), 2), Some(1));
        assert_eq!(prefix_edits(&c("trcuk"), &c("truckkort"), 1), Some(1), "two letters swapped");
        assert_eq!(prefix_edits(&c("svet"), &c("svetsare"), 1), Some(0), "a prefix as typed");
        assert_eq!(prefix_edits(&c("kassa"), &c("lager"), 1), None);
    }

    #[test]
    fn resolve_reads_back_what_the_typeahead_offers() {
        for v in Vocabulary::ALL {
            for t in lookup(*v, "sk", 10, 0).0 {
                assert_eq!(resolve(*v, &form_value(&t)).map(|r| r.code), Some(t.code.clone()), "{v:?} {t:?}");
            }
        }
        assert_eq!(resolve(Vocabulary::Municipalities, "trelleborg").map(|t| t.code), Some("1287".into()));
        assert_eq!(resolve(Vocabulary::Municipalities, "Trel"), None);
    }

    /// A caseworker never reads a JobTech concept id in a field: a skill is its name, and
    /// reads back to its concept.
    #[test]
    fn fields_show_names_not_concept_ids() {
        for v in Vocabulary::ALL {
            for t in lookup(*v, "sv", 20, 0).0 {
                let shown = form_value(&t);
                assert!(!shown.contains('_'), "{v:?}: {shown}");
                assert_eq!(resolve(*v, &shown).map(|r| r.code), Some(t.code.clone()), "{v:?} {t:?}");
            }
        }
    }

    /// The SSYK group comes before the occupation names in it.
    #[test]
    fn the_group_comes_before_its_occupation_names() {
        let o = lookup(Vocabulary::Occupations, "undersköterska hemtjänst", 10, 0).0;
        let group = o
            .iter()
            .position(|t| t.concept_id.is_none() && t.code == "5321")
            .unwrap_or_else(|| panic!("the group: {o:?}"));
        let first_name = o
            .iter()
            .position(|t| t.concept_id.is_some() && t.code == "5321")
            .unwrap_or_else(|| panic!("a name: {o:?}"));
        assert!(group < first_name, "{o:?}");
    }
}
