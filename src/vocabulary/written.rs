//! What people write, read against JobTech's vocabulary: a summary turned into what a coded
//! profile has, so a profile without codes is not invisible to ranking.
//!
//! - **Occupations** ("har jobbat som servitor i 5 år", "usk", "jobbat på lager", "waiter"),
//!   each with its stance (done it, or only wants to), a confidence, the years written and
//!   the words that gave it. Occupations the text negates ("har aldrig jobbat som …") or
//!   leaves ("jobbade som kock men vill byta bransch") are kept apart and never sought.
//! - **Skills** as JobTech labels ("kört truck" → Truckvana), **certificates** (TLP10, YKB,
//!   alkoholutbildning: skills too) and **driving licences** ("B-kort"), unless negated or
//!   only wished for ("vill lära mig truck", "håller på att ta körkort").
//!
//! Words are compared folded (å/ä/ö → a/o), stemmed (Swedish Snowball), as whole words and
//! whole phrases; a word the vocabulary does not know is tried as a one-letter typo of a
//! known one and as a compound ending in one ("skolstädare"). The vocabulary is JobTech's
//! occupation names (their heads and compound tails) and skill labels, and the hand-kept
//! `indexes/written.txt` (colloquial, English, workplaces, certificates, licences).
//!
//! Never read as an occupation or skill: given names and surnames written as names, language
//! names and nationality or origin words (no proxy for origin, gender or age enters ranking).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};

use crate::reference::{Reference, reference};
use crate::text::fold;

/// Bump when the reader reads differently: stored readings of another version are read again.
pub const READER_VERSION: u32 = 2;

/// At most this many occupations are kept (the ranking's table holds three).
pub const MAX_OCCUPATIONS: usize = 3;

/// The confidence levels an occupation is read with, best first; the ranking discounts an
/// occupation's match by its level's factor.
pub const LEVELS: [f32; 4] = [1.0, 0.85, 0.7, 0.5];

crate::text_enum! {
    /// Whether the person has done the occupation or only wants to.
    pub enum Stance {
        Experience = "experience",
        Wish = "wish",
    }
}

crate::text_enum! {
    /// Why an occupation the text names is not sought.
    pub enum NotSoughtWhy {
        /// "har aldrig jobbat som …", "ingen erfarenhet av …", "vill inte jobba som …".
        Never = "never",
        /// "… men vill byta bransch", "vill inte tillbaka", "orkar inte längre".
        Left = "left",
    }
}

impl crate::labels::Label for Stance {
    fn label(self) -> &'static str {
        match self {
            Stance::Experience => "har erfarenhet",
            Stance::Wish => "vill bli, utan erfarenhet",
        }
    }
}

impl crate::labels::Label for NotSoughtWhy {
    fn label(self) -> &'static str {
        match self {
            NotSoughtWhy::Never => "har aldrig arbetat med det",
            NotSoughtWhy::Left => "vill lämna yrket",
        }
    }
}

/// An occupation read from text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = InferredOccupation)]
pub struct ReadOccupation {
    /// SSYK 2012 unit group (4 digits), or a minor group (3 digits) when the words name a
    /// whole group ("undersköterska": `532`).
    pub code: String,
    /// The name recognised (a JobTech occupation name or the SSYK group's name).
    pub label: String,
    pub stance: Stance,
    /// One of 1.0, 0.85, 0.7, 0.5: how surely the text says the person does or wants this.
    pub confidence: f32,
    /// Years of experience, when written ("i 5 år").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub years: Option<u32>,
    /// The words as written that gave it.
    pub evidence: String,
}

/// An occupation the text names but the person does not seek.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = InferredNotSought)]
pub struct NotSought {
    pub code: String,
    pub label: String,
    pub why: NotSoughtWhy,
    pub evidence: String,
}

/// A JobTech skill (or certificate) read from text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = InferredSkill)]
pub struct ReadSkill {
    pub id: String,
    pub label: String,
    pub evidence: String,
}

/// A driving licence read from text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = InferredLicence)]
pub struct ReadLicence {
    pub class: String,
    pub evidence: String,
}

/// Everything a text says, "utläst ur texten".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = InferredProfile)]
pub struct Reading {
    /// Sought occupations, the surest first (at most three).
    pub occupations: Vec<ReadOccupation>,
    /// Named but not sought: never done, or left.
    pub not_sought: Vec<NotSought>,
    pub skills: Vec<ReadSkill>,
    pub licences: Vec<ReadLicence>,
    /// "kan tänka mig vad som helst".
    pub open_to_anything: bool,
    /// The reader version that read it.
    pub reader: u32,
}

impl Reading {
    /// Nothing was read (the page then shows no "Utläst ur texten").
    pub fn is_empty(&self) -> bool {
        self.occupations.is_empty()
            && self.not_sought.is_empty()
            && self.skills.is_empty()
            && self.licences.is_empty()
            && !self.open_to_anything
    }
}

/// The index of a confidence in [`LEVELS`] (the nearest not above it).
pub fn level(confidence: f32) -> usize {
    LEVELS.iter().position(|&l| confidence >= l - 1e-3).unwrap_or(LEVELS.len() - 1)
}

#[derive(Debug, Clone)]
struct Word {
    /// Lower case, not folded: short words are compared as written ("stad" is not "städ").
    lower: String,
    /// Lower case, folded.
    raw: String,
    stem: String,
    /// Byte span in the text.
    start: usize,
    end: usize,
    /// Written with a capital letter, not first in its sentence (a name, when it is one).
    capital_inside: bool,
    /// The first word after a sentence break.
    sentence: usize,
    /// Corrected from a typo or read as a compound's tail: a little less sure.
    approximate: bool,
    /// A comma right before this word.
    after_comma: bool,
}

fn stemmer() -> &'static Stemmer {
    static S: OnceLock<Stemmer> = OnceLock::new();
    S.get_or_init(|| Stemmer::create(Algorithm::Swedish))
}

fn stem_of(lower: &str) -> String {
    fold(&stemmer().stem(lower))
}

fn words(text: &str) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut start: Option<usize> = None;
    let mut sentence = 0;
    let mut first_in_sentence = true;
    let mut comma = false;
    let push = |s: usize, e: usize, first: &mut bool, comma: &mut bool, sentence: usize, out: &mut Vec<Word>| {
        let w = &text[s..e];
        let lower = w.to_lowercase();
        out.push(Word {
            lower: lower.clone(),
            raw: fold(&lower),
            stem: stem_of(&lower),
            start: s,
            end: e,
            capital_inside: !*first && w.chars().next().is_some_and(char::is_uppercase),
            sentence,
            approximate: false,
            after_comma: *comma,
        });
        *first = false;
        *comma = false;
    };
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            push(s, i, &mut first_in_sentence, &mut comma, sentence, &mut out);
        }
        match c {
            '.' | '!' | '?' | ';' | ':' | '\n' => {
                sentence += 1;
                first_in_sentence = true;
            }
            ',' | '(' | ')' => comma = true,
            _ => {}
        }
    }
    if let Some(s) = start {
        push(s, text.len(), &mut first_in_sentence, &mut comma, sentence, &mut out);
    }
    out
}

fn stems(text: &str) -> Vec<String> {
    words(text).into_iter().map(|w| w.stem).collect()
}

/// Whether `word` is `base` or an inflection of it ("kocken", "kockar", "målarna",
/// "kassor"). Short words are matched this way, as written, not by stem: the stemmer joins
/// "stad" and "städare", "mål" and "målare", "lag" and "lager".
fn inflection_of(word: &str, base: &str) -> bool {
    const ENDINGS: &[&str] = &["", "n", "en", "et", "er", "ar", "or", "na", "s", "ns", "ens", "arna", "erna", "orna"];
    if let Some(rest) = word.strip_prefix(base) {
        return ENDINGS.contains(&rest);
    }
    let stem = base.trim_end_matches(['a', 'e']);
    stem.len() < base.len()
        && word
            .strip_prefix(stem)
            .is_some_and(|rest| ["or", "orna", "ar", "arna", "er", "erna", "an", "na"].contains(&rest))
}

/// Phrases keyed by their first stem, longest first, so the first that fits is the longest.
/// A one-word phrase keeps its word as written (lower case), for short words.
struct Phrases<T> {
    by_first: HashMap<String, Vec<(Vec<String>, String, T)>>,
}

/// A phrase: its stems and, for one word, the word in lower case.
fn phrase(text: &str) -> (Vec<String>, String) {
    let ws = words(text);
    let lower = if ws.len() == 1 { ws[0].lower.clone() } else { String::new() };
    (ws.into_iter().map(|w| w.stem).collect(), lower)
}

impl<T: Clone> Phrases<T> {
    fn new(items: impl IntoIterator<Item = ((Vec<String>, String), T)>) -> Self {
        let mut by_first: HashMap<String, Vec<(Vec<String>, String, T)>> = HashMap::new();
        for ((stems, lower), value) in items {
            if let Some(first) = stems.first() {
                let list = by_first.entry(first.clone()).or_default();
                if !list.iter().any(|(p, l, _)| *p == stems && *l == lower) {
                    list.push((stems, lower, value));
                }
            }
        }
        for list in by_first.values_mut() {
            list.sort_by_key(|(p, _, _)| std::cmp::Reverse(p.len()));
        }
        Self { by_first }
    }

    /// The longest phrase starting at `at`, with its length in words. A short word alone
    /// (a stem under six letters) must be the phrase's word or an inflection of it, as
    /// written: sharing a stem is not enough.
    fn at(&self, w: &[Word], at: usize) -> Option<(usize, &T)> {
        let list = self.by_first.get(&w[at].stem)?;
        list.iter()
            .find(|(p, lower, _)| {
                w.len() - at >= p.len()
                    && p.iter().zip(&w[at..]).all(|(a, b)| *a == b.stem)
                    && (p.len() > 1
                        || p[0].chars().count() >= 6
                        || (!lower.is_empty() && inflection_of(&w[at].lower, lower)))
            })
            .map(|(p, _, v)| (p.len(), v))
    }

    fn single(&self, stem: &str) -> bool {
        self.by_first.get(stem).is_some_and(|l| l.iter().any(|(p, _, _)| p.len() == 1))
    }
}

#[derive(Debug, Clone)]
struct Occ {
    code: String,
    label: String,
    /// A workplace said instead of a title ("jobbat på lager"): experience by itself.
    workplace: bool,
}

struct Vocabulary {
    occupations: Phrases<Occ>,
    skills: Phrases<usize>,
    licences: Phrases<String>,
    /// Single words (folded, as written in the vocabulary) a typo is read back to, by their
    /// one-letter deletions.
    near: HashMap<String, Vec<String>>,
    /// Those words, with their stems.
    known: HashMap<String, String>,
    /// Names, languages, nationality and origin words (stems and folded words).
    never: HashSet<String>,
    names: HashSet<String>,
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
    "larling",
    "praktikant",
    "utbild",
    "personal",
    "anstalld",
    "student",
    "pensionar",
    "jobb",
    "hem",
    "barn",
    "familj",
    "sprak",
    "tolk",
];

/// Origin, nationality and similar words that must never count toward an occupation or a
/// skill (folded; their stems are blocked too). Languages and names come from the reference
/// lists.
const ORIGIN: &[&str] = &[
    "svensk",
    "syrisk",
    "somalisk",
    "afghansk",
    "irakisk",
    "iransk",
    "eritreansk",
    "etiopisk",
    "polsk",
    "ukrainsk",
    "rysk",
    "turkisk",
    "kurdisk",
    "bosnisk",
    "serbisk",
    "kroatisk",
    "albansk",
    "rumansk",
    "bulgarisk",
    "thailandsk",
    "kinesisk",
    "indisk",
    "pakistansk",
    "finsk",
    "norsk",
    "dansk",
    "tysk",
    "engelsk",
    "amerikansk",
    "afrikansk",
    "arabisk",
    "persisk",
    "libanesisk",
    "palestinsk",
    "marockansk",
    "sverige",
    "syrien",
    "somalia",
    "afghanistan",
    "irak",
    "iran",
    "eritrea",
    "etiopien",
    "polen",
    "ukraina",
    "ryssland",
    "turkiet",
    "bosnien",
    "serbien",
    "kosovo",
    "rumanien",
    "thailand",
    "kina",
    "indien",
    "pakistan",
    "finland",
    "libanon",
    "palestina",
    "marocko",
    "hemlandet",
    "invandrare",
    "nyanland",
    "flykting",
    "asylsokande",
    "ung",
    "gammal",
    "aldre",
    "kvinna",
    "man",
    "mamma",
    "pappa",
    "tjej",
    "kille",
];

fn lexicon() -> Vec<(String, Vec<String>, String)> {
    include_str!("../../indexes/written.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split('|').map(str::trim);
            let (kind, phrases, target) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() {
                return None;
            }
            let phrases = phrases.split(" / ").map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
            Some((kind.to_string(), phrases, target.to_string()))
        })
        .collect()
}

/// One-letter deletions of a word (and the word), the keys of the typo index.
fn deletions(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = vec![word.to_string()];
    for i in 0..chars.len() {
        out.push(chars.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, c)| c).collect());
    }
    out
}

fn occupation_phrases(r: &Reference) -> Vec<((Vec<String>, String), Occ)> {
    let occ = |code: &str, label: &str| Occ { code: code.to_string(), label: label.to_string(), workplace: false };
    // A name's head (before the comma) stands for the code most names with that head
    // have: "Undersköterska, hemtjänst" and "Undersköterska, äldreboende" make
    // "undersköterska" mean their group.
    let mut heads: HashMap<Vec<String>, HashMap<String, (usize, String)>> = HashMap::new();
    let mut phrases: Vec<((Vec<String>, String), Occ)> = Vec::new();
    for o in &r.occupation_names {
        for alternative in o.label.split('/') {
            let whole = phrase(alternative);
            if whole.0.is_empty() {
                continue;
            }
            phrases.push((whole, occ(&o.ssyk4, alternative.trim())));
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
        let lower = if head.len() == 1 && !tail { label.to_lowercase() } else { String::new() };
        // Most names in one unit group: that group; else most in one minor group: that.
        if n.max(1) * 2 > total {
            let label = if tail { named(&code).unwrap_or(label) } else { label };
            phrases.push(((head, lower), occ(&code, &label)));
        } else if let Some(group) = group {
            let label = if tail { named(&group).unwrap_or(label) } else { label };
            phrases.push(((head, lower), occ(&group, &label)));
        }
    }
    phrases
}

fn vocabulary() -> &'static Vocabulary {
    reference().derived(|r| {
        let mut never: HashSet<String> = HashSet::new();
        let mut block = |w: &str| {
            let lower = w.to_lowercase();
            never.insert(fold(&lower));
            never.insert(stem_of(&lower));
        };
        for o in ORIGIN {
            block(o);
        }
        for l in r.languages.values() {
            for part in l.split(|c: char| !c.is_alphanumeric()).filter(|p| p.chars().count() > 3) {
                block(part);
            }
        }
        let mut names: HashSet<String> = HashSet::new();
        for n in r.given_names.iter().chain(&r.surnames) {
            names.insert(fold(&n.to_lowercase()));
        }
        // Whole names come before heads of the same length (pushed first, kept by `new`);
        // the hand-kept entries come last and so never replace a JobTech name.
        let mut occupations = occupation_phrases(r);
        let mut skills: Vec<((Vec<String>, String), usize)> = r
            .skills
            .iter()
            .enumerate()
            .flat_map(|(i, s)| {
                s.label
                    .split('/')
                    .filter_map(|alternative| {
                        let (words, lower) = phrase(alternative);
                        let lone_short = words.len() == 1
                            && (words[0].chars().count() < 3 || TOO_COMMON.contains(&words[0].as_str()));
                        (!words.is_empty() && !lone_short && words.len() <= 6).then_some(((words, lower), i))
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut licences: Vec<((Vec<String>, String), String)> = Vec::new();
        let skill_index: HashMap<&str, usize> =
            r.skills.iter().enumerate().map(|(i, s)| (s.label.as_str(), i)).collect();
        let mut hand: Vec<((Vec<String>, String), Occ)> = Vec::new();
        for (kind, phrases, target) in lexicon() {
            for p in phrases {
                let words = phrase(&p);
                if words.0.is_empty() {
                    continue;
                }
                match kind.as_str() {
                    "occupation" | "workplace" => {
                        let label = r.ssyk_name(&target).unwrap_or(&target).to_string();
                        hand.push((words, Occ { code: target.clone(), label, workplace: kind == "workplace" }));
                    }
                    "skill" => {
                        if let Some(&i) = skill_index.get(target.as_str()) {
                            skills.insert(0, (words, i));
                        }
                    }
                    "licence" => licences.push((words, target.clone())),
                    _ => {}
                }
            }
        }
        // A hand-kept phrase replaces a generated head of the same words (`new` keeps the
        // first), so it goes first.
        hand.append(&mut occupations);
        let occupations = hand;
        // The words a typo is read back to: every one-word occupation name and hand-kept
        // occupation or skill, as written.
        let mut known: HashMap<String, String> = HashMap::new();
        let mut learn = |phrase: &str| {
            let ws = words(phrase);
            if let [w] = ws.as_slice()
                && w.raw.chars().count() >= 6
                && !never.contains(&w.raw)
                && !never.contains(&w.stem)
            {
                known.insert(w.raw.clone(), w.stem.clone());
            }
        };
        for o in &r.occupation_names {
            for alternative in o.label.split('/') {
                learn(alternative.split(',').next().unwrap_or(alternative));
            }
        }
        for (kind, phrases, _) in lexicon() {
            if kind != "licence" {
                for p in phrases {
                    learn(&p);
                }
            }
        }
        let mut near: HashMap<String, Vec<String>> = HashMap::new();
        for w in known.keys() {
            for d in deletions(w) {
                near.entry(d).or_default().push(w.clone());
            }
        }
        Vocabulary {
            occupations: Phrases::new(occupations),
            skills: Phrases::new(skills),
            licences: Phrases::new(licences),
            near,
            known,
            never,
            names,
        }
    })
}

/// Word sequences (folded) after which what follows is not held: negations.
const NEGATION: &[&[&str]] =
    &[&["ingen"], &["inga"], &["inget"], &["inte"], &["ej"], &["aldrig"], &["saknar"], &["utan"]];

/// Word sequences after which what follows is wanted, not done yet.
const WISH: &[&[&str]] = &[
    &["vill", "bli"],
    &["vill", "jobba", "som"],
    &["vill", "arbeta", "som"],
    &["vill", "jobba", "med"],
    &["vill", "arbeta", "med"],
    &["vill", "jobba", "inom"],
    &["vill", "arbeta", "inom"],
    &["vill", "utbilda"],
    &["vill", "lara"],
    &["vill", "prova"],
    &["vill", "testa"],
    &["vill", "borja"],
    &["vill", "satsa"],
    &["vill", "in"],
    &["vill", "komma", "in"],
    &["vill", "helst"],
    &["vill", "hellre"],
    &["vill", "nu"],
    &["byta", "till"],
    &["skulle", "vilja"],
    &["intresserad", "av"],
    &["intresse", "for"],
    &["drommer", "om"],
    &["hoppas", "kunna"],
    &["hoppas", "pa"],
    &["hoppas", "bli"],
    &["planerar", "att"],
    &["siktar", "pa"],
    &["onskar", "jobba"],
    &["onskar", "arbeta"],
    &["onskar", "bli"],
    &["haller", "pa", "att", "ta"],
    &["ska", "ta"],
    &["tar", "korkort"],
    &["want", "to"],
    &["would", "like"],
];

/// Word sequences that say the occupations before them in the sentence are left behind.
const LEFT: &[&[&str]] = &[
    &["vill", "byta", "bransch"],
    &["vill", "byta", "yrke"],
    &["vill", "byta", "inriktning"],
    &["vill", "byta", "bort"],
    &["vill", "byta", "fran"],
    &["vill", "lamna"],
    &["vill", "inte", "tillbaka"],
    &["vill", "inte", "ga", "tillbaka"],
    &["vill", "inte", "fortsatta"],
    &["vill", "inte", "jobba", "med", "det"],
    &["vill", "inte", "arbeta", "med", "det"],
    &["orkar", "inte"],
    &["klarar", "inte", "av"],
    &["kan", "inte", "langre"],
    &["inte", "langre"],
    &["slutade"],
    &["slutat"],
    &["vill", "gora", "nagot", "annat"],
    &["vill", "byta"],
];

/// Word sequences that say an occupation in the same sentence was long ago.
const LONG_AGO: &[&[&str]] = &[
    &["for", "lange", "sedan"],
    &["for", "lange", "sen"],
    &["for", "manga", "ar", "sedan"],
    &["for", "manga", "ar", "sen"],
    &["tidigare"],
    &["forr"],
    &["som", "ung"],
    &["i", "ungdomen"],
    &["90", "talet"],
    &["80", "talet"],
];

/// Words that end a negation or wish scope early ("ingen erfarenhet av truck men van vid kassa").
const SCOPE_END: &[&str] = &["men", "daremot", "dock", "fast", "but"];

/// After a comma, these start a new clause, which a negation does not reach.
const CLAUSE: &[&str] = &[
    "har", "kan", "ar", "jobbat", "arbetat", "jobbar", "arbetar", "jobbade", "arbetade", "vill", "van", "gillar",
    "trivs", "sedan", "nu", "och", "har", "talar",
];

/// Word sequences right before an occupation that say it is what the person does or did.
const CUES: &[&[&str]] = &[
    &["som"],
    &["utbildad"],
    &["utbildning", "till"],
    &["examen", "som"],
    &["legitimerad"],
    &["jag", "ar"],
    &["personen", "ar"],
    &["hon", "ar"],
    &["han", "ar"],
    &["as", "a"],
    &["as", "an"],
    &["worked", "as"],
];

/// Phrases that say any job will do.
const ANYTHING: &[&[&str]] = &[
    &["vad", "som", "helst"],
    &["vilket", "jobb", "som", "helst"],
    &["alla", "jobb"],
    &["allt", "mojligt"],
    &["oppen", "for", "allt"],
    &["det", "mesta"],
    &["anything"],
];

fn ends_with(w: &[Word], i: usize, seq: &[&str]) -> bool {
    i + 1 >= seq.len()
        && w[i + 1 - seq.len()..=i].iter().zip(seq).all(|(a, b)| a.raw == *b)
        && w[i + 1 - seq.len()..=i].iter().all(|x| x.sentence == w[i].sentence)
}

fn starts_at(w: &[Word], i: usize, seq: &[&str]) -> bool {
    w.len() >= i + seq.len() && w[i..i + seq.len()].iter().zip(seq).all(|(a, b)| a.raw == *b)
}

fn number(word: &str) -> Option<u32> {
    const WORDS: &[&str] = &[
        "ett", "tva", "tre", "fyra", "fem", "sex", "sju", "atta", "nio", "tio", "elva", "tolv", "tretton", "fjorton",
        "femton",
    ];
    word.parse().ok().filter(|&n: &u32| n <= 60).or_else(|| WORDS.iter().position(|w| *w == word).map(|i| i as u32 + 1))
}

/// Years of experience written nearest `i` in its sentence ("i 5 år", "7 år som", "fem års
/// erfarenhet"); the nearest, so an age given in the same sentence is not taken for it.
fn years(w: &[Word], i: usize) -> Option<u32> {
    let sentence = w[i].sentence;
    (0..w.len().saturating_sub(1))
        .filter(|&j| w[j].sentence == sentence && matches!(w[j + 1].raw.as_str(), "ar" | "ars" | "years"))
        .filter_map(|j| number(&w[j].raw).map(|n| (j.abs_diff(i), n)))
        .min()
        .map(|(_, n)| n)
}

/// Corrects words the vocabulary does not know: a one-letter typo of a known word
/// ("elektrikr"), or a compound whose tail is one ("skolstädare").
fn correct(v: &Vocabulary, w: &mut [Word]) {
    for word in w.iter_mut() {
        let n = word.raw.chars().count();
        if n < 7
            || v.known.contains_key(&word.raw)
            || v.never.contains(&word.stem)
            || v.never.contains(&word.raw)
            || v.names.contains(&word.raw)
            || v.occupations.by_first.contains_key(&word.stem)
            || v.skills.by_first.contains_key(&word.stem)
        {
            continue;
        }
        let mut found: Option<&String> = None;
        for d in deletions(&word.raw) {
            for cand in v.near.get(&d).into_iter().flatten() {
                if strsim::damerau_levenshtein(cand, &word.raw) == 1 && found.is_none_or(|f| cand < f) {
                    found = Some(cand);
                }
            }
        }
        let mut stem = found.map(|f| v.known[f].clone());
        if stem.is_none() {
            // A compound: the longest known tail of at least five letters after a part of
            // at least three.
            let chars: Vec<char> = word.raw.chars().collect();
            for start in 3..chars.len().saturating_sub(4) {
                let tail: String = chars[start..].iter().collect();
                let tail_stem = stem_of(&tail);
                if tail.chars().count() >= 5
                    && (v.occupations.single(&tail_stem) || v.skills.single(&tail_stem))
                    && !v.never.contains(&tail_stem)
                    && tail_stem.chars().count() >= 6
                {
                    stem = Some(tail_stem);
                    break;
                }
            }
        }
        if let Some(s) = stem {
            word.raw = found.cloned().unwrap_or_else(|| s.clone());
            word.lower = word.raw.clone();
            word.stem = s;
            word.approximate = true;
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Scope {
    Free,
    Negated,
    Wish,
}

fn evidence(text: &str, w: &[Word], from: usize, to: usize) -> String {
    let s = &text[w[from].start..w[to - 1].end];
    let mut e: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        e.push('…');
    }
    e
}

/// Reads a text. Cheap enough to run on every saved profile (tens of µs per summary).
pub fn read(text: &str) -> Reading {
    let v = vocabulary();
    let mut w = words(text);
    correct(v, &mut w);

    // Which words are in a negated or wished-for scope.
    let mut scope = vec![Scope::Free; w.len()];
    let mut open = Scope::Free;
    for i in 0..w.len() {
        if i > 0 && w[i].sentence != w[i - 1].sentence {
            open = Scope::Free;
        }
        if SCOPE_END.contains(&w[i].raw.as_str())
            || (open == Scope::Negated && w[i].after_comma && CLAUSE.contains(&w[i].raw.as_str()))
        {
            open = Scope::Free;
        }
        scope[i] = open;
        // A scope opens after its words are complete: marked from the next word.
        if WISH.iter().any(|s| ends_with(&w, i, s)) {
            open = Scope::Wish;
        } else if NEGATION.iter().any(|s| ends_with(&w, i, s)) && open != Scope::Wish {
            open = Scope::Negated;
        }
    }
    // Sentences that leave what they name, and sentences about long ago.
    let mut left_at: HashMap<usize, usize> = HashMap::new();
    let mut long_ago: HashSet<usize> = HashSet::new();
    let mut open_to_anything = false;
    for i in 0..w.len() {
        if LEFT.iter().any(|s| ends_with(&w, i, s)) {
            left_at.entry(w[i].sentence).or_insert(i);
        }
        if LONG_AGO.iter().any(|s| ends_with(&w, i, s)) {
            long_ago.insert(w[i].sentence);
        }
        if ANYTHING.iter().any(|s| starts_at(&w, i, s)) && scope[i] != Scope::Negated {
            open_to_anything = true;
        }
    }
    let cued = |at: usize| {
        (0..=1).any(|gap| {
            at > gap
                && CUES.iter().any(|c| ends_with(&w, at - gap - 1, c) && w[at - gap - 1].sentence == w[at].sentence)
        })
    };
    let blocked = |i: usize, len: usize| {
        w[i..i + len].iter().any(|x| {
            v.never.contains(&x.stem) || v.never.contains(&x.raw) || (x.capital_inside && v.names.contains(&x.raw))
        })
    };

    struct Found {
        occ: ReadOccupation,
        at: usize,
    }
    let mut sought: Vec<Found> = Vec::new();
    let mut not_sought: Vec<NotSought> = Vec::new();
    let mut skills: Vec<ReadSkill> = Vec::new();
    let mut licences: Vec<ReadLicence> = Vec::new();
    let mut i = 0;
    while i < w.len() {
        let mut advanced = 1;
        if let Some((len, o)) = v.occupations.at(&w, i)
            && !blocked(i, len)
        {
            let sc = scope[i..i + len].iter().copied().find(|s| *s != Scope::Free).unwrap_or(Scope::Free);
            let cue = cued(i);
            let from =
                if cue { (i.saturating_sub(3)..i).find(|&j| w[j].sentence == w[i].sentence).unwrap_or(i) } else { i };
            let ev = evidence(text, &w, from, i + len);
            let left = left_at.get(&w[i].sentence).is_some_and(|&at| at > i);
            match sc {
                Scope::Negated => not_sought.push(NotSought {
                    code: o.code.clone(),
                    label: o.label.clone(),
                    why: NotSoughtWhy::Never,
                    evidence: ev,
                }),
                Scope::Free if left => not_sought.push(NotSought {
                    code: o.code.clone(),
                    label: o.label.clone(),
                    why: NotSoughtWhy::Left,
                    evidence: ev,
                }),
                _ => {
                    let wish = sc == Scope::Wish;
                    let mut lvl = if wish {
                        3
                    } else if cue || (o.workplace && len > 1) {
                        0
                    } else {
                        1
                    };
                    if !wish && long_ago.contains(&w[i].sentence) {
                        lvl += 1;
                    }
                    if w[i..i + len].iter().any(|x| x.approximate) {
                        lvl += 1;
                    }
                    let lvl = lvl.min(LEVELS.len() - 1);
                    sought.push(Found {
                        occ: ReadOccupation {
                            code: o.code.clone(),
                            label: o.label.clone(),
                            stance: if wish { Stance::Wish } else { Stance::Experience },
                            confidence: LEVELS[lvl],
                            years: if wish { None } else { years(&w, i) },
                            evidence: ev,
                        },
                        at: i,
                    });
                }
            }
        }
        let held = scope[i] == Scope::Free;
        if let Some((len, &skill)) = v.skills.at(&w, i)
            && !blocked(i, len)
        {
            if held && scope[i..i + len].iter().all(|s| *s == Scope::Free) {
                let s = &reference().skills[skill];
                if !skills.iter().any(|k| k.id == s.id) && skills.len() < 20 {
                    skills.push(ReadSkill {
                        id: s.id.clone(),
                        label: s.label.clone(),
                        evidence: evidence(text, &w, i, i + len),
                    });
                }
            }
            advanced = advanced.max(len);
        }
        if let Some((len, class)) = v.licences.at(&w, i) {
            if held
                && scope[i..i + len].iter().all(|s| *s == Scope::Free)
                && !licences.iter().any(|l| &l.class == class)
            {
                licences.push(ReadLicence { class: class.clone(), evidence: evidence(text, &w, i, i + len) });
            }
            advanced = advanced.max(len);
        }
        i += advanced;
    }

    // One entry per code, the surest; what is left or never done is not sought, unless
    // wanted again later; a minor group gives way to a unit group in it.
    let mut best: Vec<Found> = Vec::new();
    for f in sought {
        let denied = not_sought.iter().any(|n| n.code == f.occ.code) && f.occ.stance == Stance::Experience;
        if denied {
            continue;
        }
        match best.iter_mut().find(|b| b.occ.code == f.occ.code) {
            Some(b) if b.occ.confidence < f.occ.confidence => *b = f,
            Some(b) => {
                if b.occ.years.is_none() {
                    b.occ.years = f.occ.years;
                }
            }
            None => best.push(f),
        }
    }
    let units: Vec<(String, f32)> =
        best.iter().filter(|b| b.occ.code.len() == 4).map(|b| (b.occ.code.clone(), b.occ.confidence)).collect();
    best.retain(|b| {
        b.occ.code.len() != 3 || !units.iter().any(|(u, c)| u.starts_with(&b.occ.code) && *c >= b.occ.confidence)
    });
    best.sort_by(|a, b| b.occ.confidence.total_cmp(&a.occ.confidence).then(a.at.cmp(&b.at)));
    best.truncate(MAX_OCCUPATIONS);
    let mut seen = HashSet::new();
    not_sought.retain(|n| seen.insert(n.code.clone()) && !best.iter().any(|b| b.occ.code == n.code));
    Reading {
        occupations: best.into_iter().map(|f| f.occ).collect(),
        not_sought,
        skills,
        licences,
        open_to_anything,
        reader: READER_VERSION,
    }
}

#[cfg(test)]
mod tests;
