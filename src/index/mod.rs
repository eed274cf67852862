//! The tantivy kit: the one schema of the seekers' and openings' indexes, its analyzers, the
//! indexes with their readers and writers, queries, and the indexer's thread. Derived data,
//! always rebuildable from the database; it knows no capability (what goes into a document is
//! `search::documents`, what the indexer applies is `search::indexer`). One reader per index for the process; the writers ([`Writers`]) are opened
//! apart and owned by whoever writes (the indexer thread in `serve`, `reindex`, the bench), so
//! the directory lock is released the moment that owner stops, not when the last reader goes. Each index's commit payload records the schema version
//! and the outbox position it includes, so a restart resumes where the index left off and a
//! schema change or a damaged index triggers a rebuild.

pub mod query;
pub mod worker;

use std::any::Any;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};

/// Bump when the schema, the analyzers or what a document holds change: older indexes are
/// rebuilt on start.
pub const SCHEMA_VERSION: u32 = 10;

/// Swedish: lowercased and stemmed (`undersköterskor` → `underskötersk`).
pub const SWEDISH: &str = "sv";
/// The same, accent-folded, so `underskoterska` finds `undersköterska`.
pub const SWEDISH_FOLDED: &str = "sv_folded";

/// Both indexes share one schema; fields an entity lacks stay empty.
#[derive(Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub text: Field,
    pub folded: Field,
    /// A seeker's first and last name and home municipality's name, accent-folded, so staff
    /// find a person by name or place. Never personnummer, phone or e-mail.
    pub person: Field,
    pub municipality: Field,
    /// Every level of every SSYK code: `5`, `53`, `532`, `5321`.
    pub ssyk: Field,
    /// The same for an occupation read from a seeker's summary when no code is registered
    /// (kept apart, so a filter on occupation means what was registered).
    pub ssyk_inferred: Field,
    pub skill: Field,
    pub licence: Field,
    pub language: Field,
    pub status: Field,
    pub employer: Field,
    pub employment_type: Field,
    pub unit: Field,
    pub broker: Field,
    /// Days since 1970-01-01: when a seeker is available (0 = now), when an opening starts.
    pub day: Field,
    pub lat: Field,
    pub lon: Field,
    pub max_commute_km: Field,
    /// Scoring inputs as fast fields, read per matching document (see `matching`).
    /// SSYK 4 codes as numbers (`0110` → 110: prefixes are divisions by 10).
    pub ssyk_code: Field,
    /// The occupation read from the summary (`vocabulary::inferred_number`).
    pub inferred_code: Field,
    /// A seeker's skills; an opening's must-have and nice-to-have skills ([`key`]).
    pub skill_key: Field,
    /// Skills only named in a seeker's summary ("enligt egen beskrivning").
    pub text_skill_key: Field,
    pub must_skill: Field,
    pub nice_skill: Field,
    /// Languages with level ([`language_key`]).
    pub lang_key: Field,
    pub must_lang: Field,
    pub nice_lang: Field,
    /// Licences an opening requires (hard filter).
    pub must_licence: Field,
    /// Since when a seeker has waited for a proposal (last proposal, else registration).
    pub waiting_since: Field,
    /// The municipality's position in the reference list, for per-query distance tables.
    pub municipality_idx: Field,
    /// Hard filters read while ranking: 1 for an active seeker; one bit per licence class
    /// (position in the reference list).
    pub active: Field,
    pub licence_mask: Field,
    /// The id (a UUID) as two numbers: ranking reads ids of its hits from fast fields, which
    /// is far cheaper than the document store or a string column.
    pub id_hi: Field,
    pub id_lo: Field,
}

/// The licence classes as bits, by their position in the reference list.
pub fn licence_mask<'a>(licences: impl IntoIterator<Item = &'a String>) -> u64 {
    let all = &crate::reference::reference().driving_licences;
    licences.into_iter().filter_map(|l| all.iter().position(|x| x == l)).fold(0, |m, i| m | (1 << i))
}

/// A stable 64-bit key (FNV-1a) for skills and languages in fast fields.
pub fn key(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The key of a skill: its vocabulary id, or its accent-folded free text.
pub fn skill_key(s: &crate::reference::SkillRef) -> u64 {
    match &s.id {
        Some(id) => key(id),
        None => key(&format!("text:{}", crate::text::fold(&s.label))),
    }
}

/// A language and level in one number: the code's key with the level in the low bits.
pub fn language_key(code: &str, level: crate::vocabulary::LanguageLevel) -> u64 {
    (key(code) << 3) | level as u64
}

pub fn language_of(k: u64) -> (u64, u64) {
    (k >> 3, k & 7)
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        text: b.add_text_field("text", text(SWEDISH)),
        folded: b.add_text_field("folded", text(SWEDISH_FOLDED)),
        person: b.add_text_field("person", text(SWEDISH_FOLDED)),
        municipality: b.add_text_field("municipality", STRING),
        ssyk: b.add_text_field("ssyk", STRING),
        ssyk_inferred: b.add_text_field("ssyk_inferred", STRING),
        skill: b.add_text_field("skill", STRING),
        licence: b.add_text_field("licence", STRING),
        language: b.add_text_field("language", STRING),
        status: b.add_text_field("status", STRING),
        employer: b.add_text_field("employer", STRING),
        employment_type: b.add_text_field("employment_type", STRING),
        unit: b.add_text_field("unit", STRING),
        broker: b.add_text_field("broker", STRING),
        day: b.add_i64_field("day", INDEXED | FAST),
        lat: b.add_f64_field("lat", FAST),
        lon: b.add_f64_field("lon", FAST),
        max_commute_km: b.add_u64_field("max_commute_km", FAST),
        ssyk_code: b.add_u64_field("ssyk_code", FAST),
        inferred_code: b.add_u64_field("inferred_code", FAST),
        skill_key: b.add_u64_field("skill_key", FAST),
        text_skill_key: b.add_u64_field("text_skill_key", FAST),
        must_skill: b.add_u64_field("must_skill", FAST),
        nice_skill: b.add_u64_field("nice_skill", FAST),
        lang_key: b.add_u64_field("lang_key", FAST),
        must_lang: b.add_u64_field("must_lang", FAST),
        nice_lang: b.add_u64_field("nice_lang", FAST),
        must_licence: b.add_text_field("must_licence", STRING),
        waiting_since: b.add_i64_field("waiting_since", FAST),
        municipality_idx: b.add_u64_field("municipality_idx", FAST),
        active: b.add_u64_field("active", FAST),
        licence_mask: b.add_u64_field("licence_mask", FAST),
        id_hi: b.add_u64_field("id_hi", FAST),
        id_lo: b.add_u64_field("id_lo", FAST),
    };
    (b.build(), fields)
}

/// Swedish stop words ("och", "till", "som"…) are dropped: they match nearly every document
/// and would only add noise to relevance and cost to queries.
pub fn swedish_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::new(Language::Swedish).expect("tantivy ships Swedish stop words"))
        .filter(Stemmer::new(Language::Swedish))
        .build()
}

pub fn folded_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::new(Language::Swedish).expect("tantivy ships Swedish stop words"))
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::Swedish))
        .build()
}

/// What each commit records beside the documents: the schema, the outbox position included,
/// the database it was built from and the event at that position (to notice a database that
/// is not the one the index was built from: restored, recreated, recovered to a point in time).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Payload {
    schema: u32,
    position: i64,
    #[serde(default)]
    database: Option<String>,
    #[serde(default)]
    event: Option<String>,
}

/// One index (seekers or openings).
pub struct Side {
    pub name: &'static str,
    pub dir: PathBuf,
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    /// True when the index was created empty and must be filled from the database.
    pub needs_rebuild: AtomicBool,
    /// The outbox position the last commit included.
    pub position: AtomicI64,
    /// What the index was last committed with, as opened.
    stored: Option<Payload>,
    /// The database this process serves, recorded with every commit.
    database: Mutex<Option<String>>,
    /// Per-segment data derived for scoring (segments never change, so it stays valid).
    pub segment_cache: Mutex<HashMap<tantivy::index::SegmentId, Arc<dyn Any + Send + Sync>>>,
    /// Ids of erased people whose earlier documents may still sit, deleted but with their
    /// terms (names, summary words), in committed segments: [`Side::purge_erased`] rewrites
    /// those segments.
    pub erased_pending: Mutex<std::collections::BTreeSet<String>>,
}

impl Side {
    /// Opens the index in `dir`, or creates it empty when it is missing, damaged or of an
    /// older schema (then `needs_rebuild`). Takes no lock: any number of readers may open it.
    pub fn open(name: &'static str, dir: &Path) -> anyhow::Result<Self> {
        let (schema, fields) = schema();
        let existing = Index::open_in_dir(dir).ok().and_then(|index| {
            let meta = index.load_metas().ok()?;
            let payload: Payload = serde_json::from_str(meta.payload.as_deref()?).ok()?;
            (payload.schema == SCHEMA_VERSION && index.schema() == schema).then_some((index, payload))
        });
        let (mut index, stored, needs_rebuild) = match existing {
            Some((index, payload)) => (index, Some(payload), false),
            None => {
                if dir.exists() {
                    tracing::warn!(index = name, "index missing, damaged or of an older schema: rebuilding");
                    std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
                }
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
                (Index::create_in_dir(dir, schema)?, None, true)
            }
        };
        let position = stored.as_ref().map_or(0, |p| p.position);
        // Segments are searched in parallel: a ranking query's latency halves on two cores.
        index.set_multithread_executor(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4))?;
        index.tokenizers().register(SWEDISH, swedish_analyzer());
        index.tokenizers().register(SWEDISH_FOLDED, folded_analyzer());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Self {
            name,
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
            needs_rebuild: AtomicBool::new(needs_rebuild),
            position: AtomicI64::new(position),
            stored,
            database: Mutex::new(None),
            segment_cache: Mutex::new(HashMap::new()),
            erased_pending: Mutex::new(std::collections::BTreeSet::new()),
        })
    }

    /// Takes this index's writer lock. Fails with a message saying what to do when another
    /// writer (a running `serve`, a `reindex`) holds it.
    pub fn writer(&self, heap_bytes: usize, threads: usize) -> anyhow::Result<IndexWriter<TantivyDocument>> {
        self.index.writer_with_num_threads(threads, heap_bytes).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => anyhow::anyhow!(
                "the {} index in {} is being written by another platsa process (a running `serve` \
                 or `reindex`); stop it first, or point this command at another directory with \
                 PLATSA_INDEX_DIR",
                self.name,
                self.dir.display()
            ),
            other => anyhow::Error::new(other).context(format!("opening the {} index for writing", self.name)),
        })
    }

    /// Commits what the writer holds, recording the outbox position (and `event`, the event
    /// at it), and makes it searchable.
    pub fn commit(
        &self,
        writer: &mut IndexWriter<TantivyDocument>,
        position: i64,
        event: Option<String>,
    ) -> anyhow::Result<()> {
        let database = self.database.lock().expect("database lock").clone();
        let payload = serde_json::to_string(&Payload { schema: SCHEMA_VERSION, position, database, event })?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.reader.reload()?;
        self.position.store(position, Ordering::SeqCst);
        self.needs_rebuild.store(false, Ordering::SeqCst);
        Ok(())
    }

    /// Erasure in the index: a deleted document only leaves a segment, terms and all, when the
    /// segment is merged, which for a large segment may be never. So each committed segment
    /// holding a document (deleted or not) of a pending erased id is merged now, which writes
    /// it anew without its deleted documents and their terms. A segment tantivy is merging
    /// already cannot be merged again: those ids stay pending for the next call.
    pub fn purge_erased(&self, writer: &mut IndexWriter<TantivyDocument>) -> anyhow::Result<usize> {
        let pending: Vec<String> = self.erased_pending.lock().expect("erased lock").iter().cloned().collect();
        if pending.is_empty() {
            return Ok(0);
        }
        let mut holding = Vec::new();
        for reader in self.reader.searcher().segment_readers() {
            let ids = reader.inverted_index(self.fields.id)?;
            let mut held = false;
            for id in &pending {
                held |= ids.terms().get(id.as_bytes())?.is_some();
            }
            if held {
                holding.push(reader.segment_id());
            }
        }
        if !holding.is_empty() {
            let started = std::time::Instant::now();
            if let Err(e) = writer.merge(&holding).wait() {
                tracing::info!(index = self.name, error = %e, "segments with erased people are being merged already; trying again");
                return Ok(0);
            }
            self.reader.reload()?;
            tracing::info!(
                index = self.name,
                segments = holding.len(),
                people = pending.len(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "segments that held erased people rewritten without them"
            );
        }
        let mut erased = self.erased_pending.lock().expect("erased lock");
        for id in &pending {
            erased.remove(id);
        }
        Ok(holding.len())
    }

    /// Which of `fields` (by name) still hold any term of `text` as their analyzer reads it,
    /// in any segment, deleted documents included: for checking that an erasure left nothing.
    pub fn fields_holding(&self, text: &str) -> anyhow::Result<Vec<&'static str>> {
        let f = &self.fields;
        let mut out = Vec::new();
        for (name, field) in [("person", f.person), ("text", f.text), ("folded", f.folded), ("id", f.id)] {
            // The id is one raw term: each word of `text` is tried as one.
            let mut tokens: Vec<String> = text.split_whitespace().map(str::to_string).collect();
            if name != "id" {
                let mut analyzer = if name == "text" { swedish_analyzer() } else { folded_analyzer() };
                tokens.clear();
                analyzer.token_stream(text).process(&mut |t| tokens.push(t.text.clone()));
            }
            for reader in self.reader.searcher().segment_readers() {
                let index = reader.inverted_index(field)?;
                for t in &tokens {
                    if index.terms().get(t.as_bytes())?.is_some() && !out.contains(&name) {
                        out.push(name);
                    }
                }
            }
        }
        Ok(out)
    }

    /// The cached value for a segment, built on first use. Entries of merged-away segments
    /// are dropped whenever a new one is built.
    pub fn cached<T: Any + Send + Sync>(&self, reader: &tantivy::SegmentReader, build: impl FnOnce() -> T) -> Arc<T> {
        let id = reader.segment_id();
        if let Some(v) = self.segment_cache.lock().expect("cache lock").get(&id).cloned()
            && let Ok(t) = v.downcast::<T>()
        {
            return t;
        }
        let value = Arc::new(build());
        let live: std::collections::HashSet<tantivy::index::SegmentId> =
            self.reader.searcher().segment_readers().iter().map(|r| r.segment_id()).collect();
        let mut cache = self.segment_cache.lock().expect("cache lock");
        cache.retain(|k, _| live.contains(k));
        cache.insert(id, value.clone());
        value
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

/// Both indexes, under one directory.
pub struct SearchIndex {
    pub dir: PathBuf,
    pub seekers: Side,
    pub openings: Side,
    rebuilt_because: Mutex<Option<&'static str>>,
}

impl SearchIndex {
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            dir: dir.to_path_buf(),
            seekers: Side::open("seekers", &dir.join("seekers"))?,
            openings: Side::open("openings", &dir.join("openings"))?,
            rebuilt_because: Mutex::new(None),
        })
    }

    /// Both writers, or an error naming what holds them.
    pub fn writers(&self, heap_bytes: usize, threads: usize) -> anyhow::Result<Writers> {
        Ok(Writers {
            seekers: self.seekers.writer(heap_bytes, threads)?,
            openings: self.openings.writer(heap_bytes, threads)?,
        })
    }

    /// Binds the indexes to the database this process serves, and marks for a rebuild each
    /// index that was built from another one (another identity), is ahead of it (its position
    /// past the outbox's head: a restored copy), or whose event at its position differs (a
    /// history that diverged). Returns why, when one must be rebuilt.
    pub fn bind(
        &self,
        database: &str,
        head: i64,
        mut event_at: impl FnMut(i64) -> anyhow::Result<Option<String>>,
    ) -> anyhow::Result<Option<&'static str>> {
        let mut reason = None;
        for side in [&self.seekers, &self.openings] {
            *side.database.lock().expect("database lock") = Some(database.to_string());
            let Some(p) = side.stored.as_ref().filter(|_| !side.needs_rebuild.load(Ordering::SeqCst)) else { continue };
            let why = if p.database.as_deref().is_some_and(|d| d != database) {
                Some("the index was built from another database")
            } else if p.position > head {
                Some("the index is ahead of the database (a restored or recreated database)")
            } else if p.event.is_some() && p.position > 0 && event_at(p.position)? != p.event {
                Some("the database's history differs from the index's")
            } else {
                None
            };
            if let Some(why) = why {
                tracing::warn!(index = side.name, reason = why, "rebuilding the index from the database");
                side.needs_rebuild.store(true, Ordering::SeqCst);
                side.position.store(0, Ordering::SeqCst);
                reason = Some(why);
            }
        }
        if reason.is_some() {
            *self.rebuilt_because.lock().expect("reason lock") = reason;
        }
        Ok(reason)
    }

    /// Why the index was last rebuilt on opening, if it was because of the database.
    pub fn rebuilt_because(&self) -> Option<&'static str> {
        *self.rebuilt_because.lock().expect("reason lock")
    }

    /// The outbox position both indexes include.
    pub fn position(&self) -> i64 {
        self.seekers.position.load(Ordering::SeqCst).min(self.openings.position.load(Ordering::SeqCst))
    }
}

/// The two index writers. Dropping them releases the directory locks.
pub struct Writers {
    pub seekers: IndexWriter<TantivyDocument>,
    pub openings: IndexWriter<TantivyDocument>,
}

impl Writers {
    /// Waits for merges still running in tantivy's background threads, so nothing writes to
    /// the index directory once its owner has stopped (a restart, or a test that removes it).
    pub fn finish(self) {
        for w in [self.seekers, self.openings] {
            if let Err(e) = w.wait_merging_threads() {
                tracing::warn!(error = %e, "index: a merge did not finish before stopping");
            }
        }
    }
}

/// What a search or a ranking reads from the process: the indexes, the matching weights and
/// "now" (for audit rows and waiting times). Handlers build it from the state; use cases take
/// this instead of the whole state.
#[derive(Clone, Copy)]
pub struct Lookup<'a> {
    pub index: &'a SearchIndex,
    pub weights: &'a crate::config::MatchingSettings,
    pub now: i64,
}

/// A day as the number stored in the date fast fields.
pub fn day_number(d: chrono::NaiveDate) -> i64 {
    (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid")).num_days()
}
