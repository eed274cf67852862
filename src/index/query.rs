//! Free-text search with filters. Each word of the query must match, in any of its forms:
//! the Swedish stem, the accent-folded stem, a close misspelling (one or two edits, by
//! length), or a word of its synonym group. A misspelling scores by its distance (one edit
//! above two) and field (a name above other text); equal scores are ordered by id, so the
//! same query gives the same order on every run and after every merge.

use std::ops::Bound;

use chrono::NaiveDate;
use serde::Deserialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{TantivyDocument, Term};

use super::{Fields, Side, day_number, folded_analyzer, swedish_analyzer};
use crate::db::text_enum::TextEnum;
use crate::error::{AppResult, Errors, Fault};
use crate::reference::reference;

/// Filters as query parameters; lists are comma-separated (`municipality=1280,1287`).
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
    pub municipality: Option<String>,
    pub occupation: Option<String>,
    pub licence: Option<String>,
    pub status: Option<String>,
    pub available_before: Option<String>,
    pub employer_id: Option<String>,
    /// Seekers assigned to this broker.
    pub broker_id: Option<String>,
    /// On the pages: `1` for the signed-in broker's own seekers ("Mina arbetssökande").
    pub mine: Option<String>,
    // Read here for the pages; the API documents them once, with `Paging`.
    #[param(ignore)]
    #[serde(default, deserialize_with = "crate::http::blank_as_none")]
    pub limit: Option<i64>,
    #[param(ignore)]
    #[serde(default, deserialize_with = "crate::http::blank_as_none")]
    pub offset: Option<i64>,
}

fn list(v: &Option<String>) -> Vec<String> {
    v.as_deref()
        .map(|s| s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())
        .unwrap_or_default()
}

impl SearchQuery {
    /// The filters, checked; `S` is the status enum of the side searched.
    pub fn filters<S: TextEnum>(&self) -> AppResult<Filters> {
        let mut errors = Errors::new();
        let r = reference();
        let municipality = list(&self.municipality);
        for m in &municipality {
            if !r.municipalities.contains_key(m) {
                errors.add("municipality", Fault::Unknown, format!("`{m}` is not a municipality code"));
            }
        }
        let occupation = self.occupation.as_deref().map(str::trim).filter(|o| !o.is_empty()).map(str::to_string);
        if let Some(o) = &occupation
            && !r.ssyk.contains_key(o)
        {
            errors.add("occupation", Fault::Unknown, format!("`{o}` is not an SSYK code at any level"));
        }
        let licence: Vec<String> = list(&self.licence).into_iter().map(|l| l.to_ascii_uppercase()).collect();
        for l in &licence {
            if !r.driving_licences.contains(l) {
                errors.add("licence", Fault::Unknown, format!("`{l}` is not a driving licence class"));
            }
        }
        if let Some(s) = &self.status
            && S::from_word(s).is_none()
        {
            let words: Vec<&str> = S::all().iter().map(|v| v.word()).collect();
            errors.add("status", Fault::Unknown, format!("must be one of {}", words.join(", ")));
        }
        let available_before = match self.available_before.as_deref() {
            Some(d) => match d.parse() {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.add("available_before", Fault::Format, "must be a date, YYYY-MM-DD");
                    None
                }
            },
            None => None,
        };
        if self.q.chars().count() > 500 {
            errors.add("q", Fault::Length, "must be at most 500 characters");
        }
        errors.into_result()?;
        Ok(Filters {
            municipality,
            occupation,
            licence,
            status: self.status.clone(),
            available_before,
            employer: self.employer_id.clone(),
            broker: self.broker_id.clone().filter(|b| !b.is_empty()),
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub municipality: Vec<String>,
    /// An SSYK code at any level (1 to 4 digits).
    pub occupation: Option<String>,
    pub licence: Vec<String>,
    pub status: Option<String>,
    /// Seekers available on or before this day; openings starting on or before it.
    pub available_before: Option<NaiveDate>,
    pub employer: Option<String>,
    /// A seeker's broker (user id).
    pub broker: Option<String>,
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(t.text.clone());
    }
    out
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

/// All forms of one query word; the query matches a document if any form does. Misspellings
/// score below exact forms.
fn word_query(f: &Fields, word: &str) -> Option<Box<dyn Query>> {
    let mut sv = swedish_analyzer();
    let mut folded = folded_analyzer();
    let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for t in tokens(&mut sv, word) {
        alternatives.push((Occur::Should, term_query(f.text, &t)));
    }
    for t in tokens(&mut folded, word) {
        alternatives.push((Occur::Should, term_query(f.folded, &t)));
        let len = t.chars().count();
        // A fuzzy query scores every term it reaches alike, so one query per distance: a
        // word one edit away matches both (0.5 + 0.25), two edits away only the second.
        if len >= 4 {
            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(f.folded, &t), 1, true);
            alternatives.push((Occur::Should, Box::new(BoostQuery::new(Box::new(fuzzy), 0.5))));
        }
        if len >= 8 {
            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(f.folded, &t), 2, true);
            alternatives.push((Occur::Should, Box::new(BoostQuery::new(Box::new(fuzzy), 0.25))));
        }
        // A name or a place (seekers only): exact weighs most, one typo forgiven from 4 letters.
        alternatives.push((Occur::Should, Box::new(BoostQuery::new(term_query(f.person, &t), 3.0))));
        if len >= 4 {
            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(f.person, &t), 1, true);
            alternatives.push((Occur::Should, Box::new(BoostQuery::new(Box::new(fuzzy), 1.5))));
        }
    }
    if let Some(group) = reference().synonyms_of(word) {
        for synonym in group {
            let parts = tokens(&mut folded, synonym);
            if parts.is_empty() {
                continue;
            }
            let all: Vec<(Occur, Box<dyn Query>)> =
                parts.iter().map(|p| (Occur::Must, term_query(f.folded, p))).collect();
            alternatives.push((Occur::Should, Box::new(BoostQuery::new(Box::new(BooleanQuery::new(all)), 0.8))));
        }
    }
    (!alternatives.is_empty()).then(|| Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>)
}

/// The words of a query, split where the tokenizer would split.
pub fn words(q: &str) -> Vec<&str> {
    q.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).take(16).collect()
}

pub fn build(f: &Fields, q: &str, filters: &Filters) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for w in words(q) {
        if let Some(wq) = word_query(f, w) {
            clauses.push((Occur::Must, wq));
        }
    }
    clauses.extend(filter_clauses(f, filters));
    if clauses.iter().all(|(o, _)| *o != Occur::Must && *o != Occur::Should) || clauses.is_empty() {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    Box::new(BooleanQuery::new(clauses))
}

pub fn filter_clauses(f: &Fields, filters: &Filters) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let exact = |field: Field, v: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic))
    };
    if !filters.municipality.is_empty() {
        let any = filters.municipality.iter().map(|m| (Occur::Should, exact(f.municipality, m))).collect();
        out.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    }
    if let Some(o) = &filters.occupation {
        out.push((Occur::Must, exact(f.ssyk, o)));
    }
    for l in &filters.licence {
        out.push((Occur::Must, exact(f.licence, l)));
    }
    if let Some(s) = &filters.status {
        out.push((Occur::Must, exact(f.status, s)));
    }
    if let Some(e) = &filters.employer {
        out.push((Occur::Must, exact(f.employer, e)));
    }
    if let Some(b) = &filters.broker {
        out.push((Occur::Must, exact(f.broker, b)));
    }
    if let Some(d) = filters.available_before {
        let upper = Term::from_field_i64(f.day, day_number(d));
        out.push((Occur::Must, Box::new(RangeQuery::new(Bound::Unbounded, Bound::Included(upper)))));
    }
    out
}

/// Ids and scores of one page of hits, best first, and the total number of hits.
pub fn search(
    side: &Side,
    q: &str,
    filters: &Filters,
    limit: usize,
    offset: usize,
) -> anyhow::Result<(Vec<(String, f32)>, usize)> {
    let query = build(&side.fields, q, filters);
    let searcher = side.reader.searcher();
    // A page past the last document is empty; the collector must not size for it.
    let offset = offset.min(searcher.num_docs() as usize);
    let top_docs =
        TopDocs::with_limit(limit.max(1)).and_offset(offset).tweak_score(|reader: &tantivy::SegmentReader| {
            let hi = reader.fast_fields().u64("id_hi").ok();
            let lo = reader.fast_fields().u64("id_lo").ok();
            move |doc, score: f32| {
                let id =
                    |c: &Option<tantivy::columnar::Column<u64>>| c.as_ref().and_then(|c| c.first(doc)).unwrap_or(0);
                // Larger wins in the collector: the smaller id first among equals.
                (score, u64::MAX - id(&hi), u64::MAX - id(&lo))
            }
        });
    let (top, total) = searcher.search(&query, &(top_docs, Count))?;
    let mut hits = Vec::with_capacity(top.len());
    for ((score, ..), address) in top {
        let doc: TantivyDocument = searcher.doc(address)?;
        if let Some(id) = doc.get_first(side.fields.id).and_then(|v| v.as_str()) {
            hits.push((id.to_string(), score));
        }
    }
    Ok((hits, total))
}
