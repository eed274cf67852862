//! Typeahead over the reference vocabularies (JobTech occupation names and SSYK groups,
//! skills, municipalities, languages): a few letters of a name, a code or a concept id in,
//! the best terms out. Ranked so that an exact code or name comes first, then names that
//! start with what was typed, then names with a word that does, then any that contain it,
//! and last names one typo away, so `underskoterka` still finds `Undersköterska`.

pub mod http;

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
#[derive(Debug, Clone, PartialEq, Serialize)]
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

/// Terms that match `q`, best first, with how many matched in all.
pub fn lookup(vocabulary: Vocabulary, q: &str, limit: usize, offset: usize) -> (Vec<Term>, usize) {
    let query = Query::new(q);
    if query.folded.is_empty() {
        return (vec![], 0);
    }
    let mut scored: Vec<(u32, Term)> = Vec::new();
    let mut consider = |term: Term| {
        if let Some(score) = query.score(&term) {
            scored.push((score, term));
        }
    };
    let r = reference();
    match vocabulary {
        Vocabulary::Occupations => {
            for o in &r.occupation_names {
                consider(Term {
                    label: o.label.clone(),
                    code: o.ssyk4.clone(),
                    concept_id: Some(o.id.clone()),
                    detail: r.ssyk_name(&o.ssyk4).map(str::to_string),
                });
            }
            for g in r.ssyk.values().filter(|g| g.level == 4) {
                consider(Term { label: g.name.clone(), code: g.code.clone(), concept_id: None, detail: None });
            }
        }
        Vocabulary::Skills => {
            for s in &r.skills {
                consider(Term {
                    label: s.label.clone(),
                    code: s.id.clone(),
                    concept_id: Some(s.id.clone()),
                    detail: None,
                });
            }
        }
        Vocabulary::Municipalities => {
            for m in r.municipalities.values() {
                consider(Term {
                    label: m.name.clone(),
                    code: m.code.clone(),
                    concept_id: Some(m.concept_id.clone()).filter(|c| !c.is_empty()),
                    detail: Some(m.county.clone()),
                });
            }
        }
        Vocabulary::Languages => {
            for l in &r.language_terms {
                consider(Term {
                    label: l.label.clone(),
                    code: l.code.clone(),
                    concept_id: Some(l.concept_id.clone()),
                    detail: None,
                });
            }
        }
    }
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

/// How a term is written in a form field, so [`resolve`] reads it back exactly.
pub fn form_value(t: &Term) -> String {
    format!("{} ({})", t.label, t.code)
}

struct Query {
    folded: String,
    words: Vec<String>,
}

impl Query {
    fn new(q: &str) -> Self {
        let folded = fold(q.trim());
        let words =
            folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect();
        Self { folded, words }
    }

    fn score(&self, t: &Term) -> Option<u32> {
        let q = self.folded.as_str();
        if fold(&t.code) == q || t.concept_id.as_deref().is_some_and(|c| fold(c) == q) {
            return Some(1000);
        }
        let label = fold(&t.label);
        if label == q {
            return Some(900);
        }
        if label.starts_with(q) {
            return Some(800);
        }
        let words: Vec<&str> = label.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        if words.iter().any(|w| w.starts_with(q)) {
            return Some(700);
        }
        if !self.words.is_empty() && self.words.iter().all(|qw| words.iter().any(|w| w.starts_with(qw.as_str()))) {
            return Some(650);
        }
        if q.chars().count() >= 3 && label.contains(q) {
            return Some(600);
        }
        // One typo per word (two in long words); every word of the query must find its match,
        // and fewer edits rank higher.
        let edits = |qw: &str| -> Option<usize> {
            let n = qw.chars().count();
            if n < 4 {
                return words.iter().any(|w| w.starts_with(qw)).then_some(0);
            }
            let max = if n < 8 { 1 } else { 2 };
            words
                .iter()
                .filter_map(|w| {
                    let chars: Vec<char> = w.chars().collect();
                    // Compare with the word's prefixes of about the query's length (typing is
                    // usually unfinished), and with the whole word.
                    (n.saturating_sub(max)..=(n + max).min(chars.len()))
                        .map(|len| strsim::damerau_levenshtein(qw, &chars[..len].iter().collect::<String>()))
                        .min()
                })
                .filter(|&d| d <= max)
                .min()
        };
        if self.words.is_empty() {
            return None;
        }
        let mut total = 0;
        for qw in &self.words {
            total += edits(qw)?;
        }
        Some(300u32.saturating_sub(20 * total as u32))
    }
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
    fn resolve_reads_back_what_the_typeahead_offers() {
        for v in Vocabulary::ALL {
            for t in lookup(*v, "sk", 10, 0).0 {
                assert_eq!(resolve(*v, &form_value(&t)).map(|r| r.code), Some(t.code.clone()), "{v:?} {t:?}");
            }
        }
        assert_eq!(resolve(Vocabulary::Municipalities, "trelleborg").map(|t| t.code), Some("1287".into()));
        assert_eq!(resolve(Vocabulary::Municipalities, "Trel"), None);
    }
}
