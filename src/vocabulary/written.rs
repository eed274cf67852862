//! What people write, read against JobTech's vocabulary: the occupation a summary names
//! ("har arbetat som undersköterska i 5 år") and the skills it claims ("van vid truckkörning"),
//! so a profile without codes is not invisible to ranking.
//!
//! Words are compared stemmed and accent-folded (`undersköterskor` and `underskoterska` meet),
//! as whole words and whole phrases. What follows a negation or a wish ("ingen erfarenhet
//! av", "vill lära mig", "vill bli") up to the end of the sentence or a "men" is skipped:
//! it is what the person cannot do yet. An occupation after a cue ("arbetat som", "söker
//! arbete som", "utbildad") beats one merely mentioned; then the longer phrase wins.

use std::collections::HashMap;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

use crate::reference::{SkillRef, reference};
use crate::text::fold;

/// An occupation read from text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferredOccupation {
    /// SSYK 4 (or a manager pair code such as `1290`), or a 3-digit minor group when the
    /// name is used across its unit groups ("undersköterska": `532`).
    pub code: String,
    /// The JobTech occupation name (or SSYK group name) that was recognised.
    pub label: String,
}

/// What a text says a person can do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub occupation: Option<InferredOccupation>,
    /// Vocabulary skills, each once, in the order written.
    pub skills: Vec<SkillRef>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word {
        raw: String,
        stem: String,
    },
    /// `.`, `!`, `?`, `;`, `:` or a line break: ends a negation's scope.
    Break,
}

fn stemmer() -> &'static Stemmer {
    static S: OnceLock<Stemmer> = OnceLock::new();
    S.get_or_init(|| Stemmer::create(Algorithm::Swedish))
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Token>| {
        if !word.is_empty() {
            let lower = word.to_lowercase();
            let stem = fold(&stemmer().stem(&lower));
            out.push(Token::Word { raw: fold(&lower), stem });
            word.clear();
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            if matches!(c, '.' | '!' | '?' | ';' | ':' | '\n') {
                out.push(Token::Break);
            }
        }
    }
    flush(&mut word, &mut out);
    out
}

fn stems(text: &str) -> Vec<String> {
    tokens(text)
        .into_iter()
        .filter_map(|t| match t {
            Token::Word { stem, .. } => Some(stem),
            Token::Break => None,
        })
        .collect()
}

/// Whether `word` is `stem` or `stem` with a Swedish ending (`kassan`, `truckar`), for short
/// words where the stemmer alone joins unrelated words ("lära" and "LAR").
fn inflected(word: &str, stem: &str) -> bool {
    word.strip_prefix(stem).is_some_and(|end| ["", "n", "en", "et", "er", "ar", "or", "na", "s"].contains(&end))
}

/// Phrases keyed by their first stem, longest first, so the first that fits is the longest.
struct Phrases<T> {
    by_first: HashMap<String, Vec<(Vec<String>, T)>>,
}

impl<T: Clone> Phrases<T> {
    fn new(items: impl IntoIterator<Item = (Vec<String>, T)>) -> Self {
        let mut by_first: HashMap<String, Vec<(Vec<String>, T)>> = HashMap::new();
        for (phrase, value) in items {
            if let Some(first) = phrase.first() {
                let list = by_first.entry(first.clone()).or_default();
                if !list.iter().any(|(p, _)| *p == phrase) {
                    list.push((phrase, value));
                }
            }
        }
        for list in by_first.values_mut() {
            list.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        }
        Self { by_first }
    }

    /// The longest phrase starting at `at`, with its length in words. A short word alone
    /// must be written as it is (`raw`), not just share a stem ("lära" is not "LAR").
    fn at(&self, words: &[&str], raw: &[&str], at: usize) -> Option<(usize, &T)> {
        let list = self.by_first.get(words[at])?;
        list.iter()
            .find(|(p, _)| {
                words.len() - at >= p.len()
                    && p.iter().zip(&words[at..]).all(|(a, b)| a == b)
                    && (p.len() > 1 || p[0].chars().count() >= 6 || inflected(raw[at], &p[0]))
            })
            .map(|(p, v)| (p.len(), v))
    }
}

struct Vocabulary {
    occupations: Phrases<(String, String)>,
    skills: Phrases<usize>,
}

/// Words that are too common in ordinary sentences to stand alone for a skill or occupation.
/// (Stems.) Also generic heads such as "chef" or "ledare" that name no trade by themselves.
const TOO_COMMON: &[&str] = &[
    "servic",
    "ansvar",
    "arbet",
    "kontakt",
    "samarbet",
    "ordning",
    "kvalitet",
    "chef",
    "ledar",
    "medarbet",
    "assistent",
    "konsult",
    "handlagg",
    "specialist",
    "samordn",
    "teknik",
    "ingenjor",
    "elev",
    "lärling",
    "larling",
    "praktikant",
    "utbild",
    "personal",
    "anstalld",
];

fn vocabulary() -> &'static Vocabulary {
    reference().derived(|r| {
        // A name's head (before the comma) stands for the code most names with that head
        // have: "Undersköterska, hemtjänst" and "Undersköterska, äldreboende" make
        // "undersköterska" mean their group.
        let mut heads: HashMap<Vec<String>, HashMap<String, (usize, String)>> = HashMap::new();
        let mut phrases: Vec<(Vec<String>, (String, String))> = Vec::new();
        for o in &r.occupation_names {
            for alternative in o.label.split('/') {
                let whole = stems(alternative);
                if whole.is_empty() {
                    continue;
                }
                phrases.push((whole, (o.ssyk4.clone(), alternative.trim().to_string())));
                let head_text = alternative.split(',').next().unwrap_or(alternative).trim();
                let head = stems(head_text);
                heads.entry(head).or_default().entry(o.ssyk4.clone()).or_insert((0, head_text.to_string())).0 += 1;
            }
        }
        for g in r.ssyk.values().filter(|g| g.level == 4) {
            let head_text = g.name.split(',').next().unwrap_or(&g.name).trim();
            heads.entry(stems(head_text)).or_default().entry(g.code.clone()).or_insert((0, head_text.to_string()));
        }
        // The last part of a compound names the trade: "elektriker" for "Installationselektriker"
        // and "Industrielektriker" (at least 6 letters, shared by two names or more).
        let mut tails: HashMap<Vec<String>, HashMap<String, (usize, String)>> = HashMap::new();
        for (head, codes) in &heads {
            let [word] = head.as_slice() else { continue };
            let chars: Vec<char> = word.chars().collect();
            for start in 1..chars.len().saturating_sub(6) {
                let tail: String = chars[start..].iter().collect();
                for (code, (n, _)) in codes {
                    tails.entry(vec![tail.clone()]).or_default().entry(code.clone()).or_insert((0, tail.clone())).0 +=
                        n.max(&1);
                }
            }
        }
        tails.retain(|tail, codes| !heads.contains_key(tail) && codes.values().map(|(n, _)| n).sum::<usize>() >= 2);
        // A head or tail stands for one group only when most names with it are in that group:
        // "undersköterska" does, "chef" and "forskare" (spread over many groups) do not.
        for (head, codes) in heads.into_iter().chain(tails) {
            if head.len() == 1 && (head[0].chars().count() < 4 || TOO_COMMON.contains(&head[0].as_str())) {
                continue;
            }
            let total: usize = codes.values().map(|(n, _)| (*n).max(1)).sum();
            let mut groups: HashMap<&str, usize> = HashMap::new();
            for (code, (n, _)) in &codes {
                *groups.entry(&code[..3]).or_default() += (*n).max(1);
            }
            let group = groups
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
                .filter(|(_, n)| n * 4 >= total * 3)
                .map(|(g, _)| g.to_string());
            let best = codes.into_iter().max_by(|a, b| a.1.0.max(1).cmp(&b.1.0.max(1)).then_with(|| b.0.cmp(&a.0)));
            let Some((code, (n, label))) = best else { continue };
            // A tail is a stem ("elektrik"): the group's own name reads better.
            let named = |code: &str| r.ssyk_name(code).map(str::to_string);
            let tail = label.chars().next().is_some_and(char::is_lowercase);
            // Most names in one unit group: that group; else most in one minor group: that.
            if n.max(1) * 2 > total {
                let label = if tail { named(&code).unwrap_or(label) } else { label };
                phrases.push((head, (code, label)));
            } else if let Some(group) = group {
                let label = if tail { named(&group).unwrap_or(label) } else { label };
                phrases.push((head, (group, label)));
            }
        }
        // Whole names come before heads of the same length (pushed first, kept by `new`).
        let occupations = Phrases::new(phrases);
        let skills = Phrases::new(r.skills.iter().enumerate().flat_map(|(i, s)| {
            s.label
                .split('/')
                .filter_map(|alternative| {
                    let words = stems(alternative);
                    let lone_short =
                        words.len() == 1 && (words[0].chars().count() < 3 || TOO_COMMON.contains(&words[0].as_str()));
                    (!words.is_empty() && !lone_short && words.len() <= 6).then_some((words, i))
                })
                .collect::<Vec<_>>()
        }));
        Vocabulary { occupations, skills }
    })
}

/// Folded word sequences that open a negated or wished-for scope.
const NOT_YET: &[&[&str]] = &[
    &["ingen"],
    &["inga"],
    &["inte"],
    &["ej"],
    &["aldrig"],
    &["saknar"],
    &["utan"],
    &["vill", "lara"],
    &["vill", "bli"],
    &["vill", "utbilda"],
    &["vill", "prova"],
    &["vill", "testa"],
    &["skulle", "vilja"],
    &["intresserad", "av"],
    &["intresse", "for"],
    &["drommer", "om"],
    &["hoppas", "kunna"],
    &["planerar", "att"],
];

/// Folded words that end such a scope early ("ingen erfarenhet av truck men van vid kassa").
const SCOPE_END: &[&str] = &["men", "daremot", "dock", "fast"];

/// Folded word sequences after which an occupation is what the person does or did.
const CUES: &[&[&str]] = &[&["som"], &["utbildad"], &["utbildning", "till"], &["examen", "som"], &["legitimerad"]];

fn starts(words: &[&str], at: usize, seq: &[&str]) -> bool {
    words[at..].starts_with(seq)
}

/// Reads a text. Cheap enough to run on every indexed profile (a few µs per summary).
pub fn read(text: &str) -> Written {
    let v = vocabulary();
    let toks = tokens(text);
    // One pass over the words: which are in a "not yet" scope, which follow a cue.
    let mut raw: Vec<&str> = Vec::with_capacity(toks.len());
    let mut stem: Vec<&str> = Vec::with_capacity(toks.len());
    let mut negated: Vec<bool> = Vec::with_capacity(toks.len());
    let mut in_scope = false;
    for t in &toks {
        match t {
            Token::Break => in_scope = false,
            Token::Word { raw: r, stem: s } => {
                raw.push(r);
                stem.push(s);
                negated.push(false);
            }
        }
        if let Token::Word { .. } = t {
            let i = raw.len() - 1;
            if SCOPE_END.contains(&raw[i]) {
                in_scope = false;
            }
            negated[i] = in_scope;
        }
        // A scope opens after its words are complete: mark from the next word.
        if let Token::Word { .. } = t {
            let i = raw.len() - 1;
            for seq in NOT_YET {
                if i + 1 >= seq.len() && raw[i + 1 - seq.len()..=i] == **seq {
                    in_scope = true;
                }
            }
        }
    }
    // A cue ends right before the phrase, or one word before it ("som en undersköterska").
    let cued =
        |at: usize| (0..=1).any(|gap| CUES.iter().any(|c| at >= c.len() + gap && starts(&raw, at - gap - c.len(), c)));

    // Cued first, then the longest phrase, then the earliest.
    type Rank = (bool, usize, std::cmp::Reverse<usize>);
    let mut best: Option<(Rank, (String, String))> = None;
    let mut skills: Vec<SkillRef> = Vec::new();
    let mut i = 0;
    while i < stem.len() {
        if negated[i] {
            i += 1;
            continue;
        }
        let mut advanced = 1;
        if let Some((len, (code, label))) = v.occupations.at(&stem, &raw, i)
            && !negated[i..i + len].iter().any(|&n| n)
        {
            let rank = (cued(i), len, std::cmp::Reverse(i));
            if best.as_ref().is_none_or(|(b, _)| rank > *b) {
                best = Some((rank, (code.clone(), label.clone())));
            }
        }
        if let Some((len, &skill)) = v.skills.at(&stem, &raw, i)
            && !negated[i..i + len].iter().any(|&n| n)
        {
            let s = &reference().skills[skill];
            if !skills.iter().any(|k| k.id.as_deref() == Some(s.id.as_str())) {
                skills.push(SkillRef { id: Some(s.id.clone()), label: s.label.clone() });
            }
            advanced = len;
        }
        i += advanced;
    }
    Written { occupation: best.map(|(_, (code, label))| InferredOccupation { code, label }), skills }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_occupation_after_a_cue_is_read() {
        let w = read("Jag har arbetat som undersköterska i 5 år på ett äldreboende.");
        let o = w.occupation.expect("read");
        assert_eq!(o.code, "532", "{o:?}");
        let w = read("Utbildad elektriker.");
        assert_eq!(w.occupation.map(|o| o.code), Some("741".to_string()));
    }

    #[test]
    fn folded_and_plural_forms_meet() {
        let a = read("söker arbete som underskoterska").occupation.expect("folded");
        let b = read("Undersköterskor behövs, jag är en av dem").occupation.expect("plural");
        assert_eq!(a.code, b.code);
    }

    #[test]
    fn a_wish_or_a_negation_is_not_an_occupation() {
        assert_eq!(read("Jag vill bli undersköterska.").occupation, None);
        assert_eq!(read("Har aldrig arbetat som undersköterska").occupation, None);
    }

    #[test]
    fn skills_are_whole_words_and_negations_are_skipped() {
        let known = reference().skills.iter().find(|s| s.label == "Truckkörning").map(|s| s.label.clone());
        let Some(label) = known else { return };
        let w = read(&format!("Van vid {}. Kör gärna.", label.to_lowercase()));
        assert!(w.skills.iter().any(|s| s.label == label), "{w:?}");
        let w = read(&format!("Ingen erfarenhet av {}, men van vid kassa.", label.to_lowercase()));
        assert!(!w.skills.iter().any(|s| s.label == label), "{w:?}");
        let w = read(&format!("Vill lära mig {}", label.to_lowercase()));
        assert!(w.skills.is_empty(), "{w:?}");
    }
}
