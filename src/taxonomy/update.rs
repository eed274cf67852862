//! Keeping the taxonomy current: `platsa taxonomy update --from URL` reads the newest version
//! of JobTech's Taxonomy API (SSYK groups, occupation names with their SSYK group and
//! substitutability, skills, municipalities), maps what that version deprecated onto what
//! replaced it (`replaced-by`) in every seeker and opening, and stores the version in the
//! database, where every process puts it in force (at start, and within a minute while it
//! runs). With no stored version the compiled-in copy is in force.
//!
//! Endpoints read (JobTech Taxonomy API v1): `GET /v1/taxonomy/main/versions`,
//! `GET /v1/taxonomy/graphql?query=…` (the concepts of one type in one version) and
//! `GET /v1/taxonomy/main/replaced-by-changes?after-version=A&to-version-inclusive=B`.

use std::collections::{BTreeSet, HashMap};

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::db::outbox::{self, Entity};
use crate::db::schema::{openings, seekers, taxonomy_versions};
use crate::db::{DbConnection, write_tx};
use crate::error::{AppError, AppResult};
use crate::reference::{MunicipalityTerm, OccupationTerm, Reference, SkillRef, SkillTerm, SsykTerm, Terms};

/// A concept the new version deprecated, and what replaced it (none: the concept is gone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replacement {
    /// JobTech's concept type: `skill`, `ssyk-level-4`, `occupation-name`, …
    pub kind: String,
    pub old_id: String,
    pub old_label: String,
    pub new_id: Option<String>,
    pub new_label: Option<String>,
}

/// What an update read and changed. Counts and concept ids only: nothing about a person.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UpdateReport {
    pub version: i64,
    /// The version in force before (none: the compiled-in copy).
    pub previous: Option<i64>,
    pub source: String,
    pub dry_run: bool,
    /// Nothing to do: the stored version is the newest.
    pub up_to_date: bool,
    pub ssyk_groups: usize,
    pub occupation_names: usize,
    pub substitutability: usize,
    pub skills: usize,
    pub municipalities: usize,
    /// Municipality codes this version has and Platsa has no centroid for (left out).
    pub municipalities_unplaced: Vec<String>,
    pub replaced: Vec<Replacement>,
    /// Skill concepts on someone's record whose label changed.
    pub skills_relabelled: usize,
    /// Skill concepts on someone's record that this version no longer has, with no
    /// replacement: kept as the free text of their label.
    pub skills_to_free_text: usize,
    /// SSYK codes on a record that this version no longer has and nothing replaces: kept,
    /// and listed for someone to look at.
    pub occupations_unmapped: Vec<String>,
    pub seekers_changed: usize,
    pub openings_changed: usize,
}

/// A version read from the API, ready to apply.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub terms: Terms,
    pub replaced: Vec<Replacement>,
}

fn field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The largest answer read from the taxonomy service: the biggest vocabulary (skills, some
/// 10 MB as JSON) many times over, and far below what would strain the service's memory.
const MAX_ANSWER_BYTES: usize = 256 << 20;

async fn get_json(client: &reqwest::Client, url: String, what: &str) -> anyhow::Result<Value> {
    let mut res = client
        .get(&url)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("reading {what} from the taxonomy service failed: {}", e.without_url()))?;
    let status = res.status();
    if !status.is_success() {
        anyhow::bail!("the taxonomy service answered {status} for {what}");
    }
    let too_large =
        || anyhow::anyhow!("the taxonomy service's answer for {what} is larger than {} MB", MAX_ANSWER_BYTES >> 20);
    if res.content_length().is_some_and(|n| n > MAX_ANSWER_BYTES as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = res
        .chunk()
        .await
        .map_err(|e| anyhow::anyhow!("the taxonomy service's answer for {what} broke off: {}", e.without_url()))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body)
        .map_err(|e| anyhow::anyhow!("the taxonomy service's answer for {what} is not JSON: {e}"))
}

/// The concepts of one type in one version, through the GraphQL endpoint.
async fn concepts(
    client: &reqwest::Client,
    base: &str,
    kind: &str,
    version: i64,
    fields: &str,
) -> anyhow::Result<Vec<Value>> {
    let query = format!(r#"query {{ concepts(type: "{kind}", version: "{version}") {{ {fields} }} }}"#);
    let mut url = reqwest::Url::parse(&format!("{base}/v1/taxonomy/graphql"))?;
    url.query_pairs_mut().append_pair("query", &query);
    let answer = get_json(client, url.to_string(), kind).await?;
    if let Some(errors) = answer.get("errors").filter(|e| !e.is_null()) {
        anyhow::bail!("the taxonomy service refused the {kind} query: {errors}");
    }
    let list = answer.pointer("/data/concepts").and_then(Value::as_array).cloned().unwrap_or_default();
    if list.is_empty() {
        // An empty list would empty a vocabulary: a broken answer, never a real version.
        anyhow::bail!("the taxonomy service returned no {kind} concepts for version {version}");
    }
    Ok(list)
}

/// Reads the newest version (or says there is nothing newer than `after`).
pub async fn fetch(base: &str, after: Option<i64>) -> anyhow::Result<Option<Fetched>> {
    let base = base.trim_end_matches('/');
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(120))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let versions = get_json(&client, format!("{base}/v1/taxonomy/main/versions"), "versions").await?;
    let version = versions
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.get("taxonomy/version").and_then(Value::as_i64))
        .max()
        .ok_or_else(|| anyhow::anyhow!("the taxonomy service lists no versions"))?;
    if after.is_some_and(|a| a >= version) {
        return Ok(None);
    }
    let mut terms = Terms { version, ..Default::default() };
    for level in 1..=4u8 {
        for c in concepts(&client, base, &format!("ssyk-level-{level}"), version, "id preferred_label ssyk_code_2012")
            .await?
        {
            if let (Some(id), Some(name), Some(code)) =
                (field(&c, "id"), field(&c, "preferred_label"), field(&c, "ssyk_code_2012"))
            {
                terms.ssyk.push(SsykTerm { level, code: code.into(), name: name.into(), concept_id: id.into() });
            }
        }
    }
    let occupation_fields = "id preferred_label broader(type: \"ssyk-level-4\") { ssyk_code_2012 } \
                             substitutes(type: \"occupation-name\") { id substitutability_percentage }";
    for c in concepts(&client, base, "occupation-name", version, occupation_fields).await? {
        let (Some(id), Some(label)) = (field(&c, "id"), field(&c, "preferred_label")) else { continue };
        let group =
            c.get("broader").and_then(Value::as_array).and_then(|b| b.iter().find_map(|g| field(g, "ssyk_code_2012")));
        let Some(ssyk4) = group else { continue };
        terms.occupation_names.push(OccupationTerm { concept_id: id.into(), label: label.into(), ssyk4: ssyk4.into() });
        for s in c.get("substitutes").and_then(Value::as_array).into_iter().flatten() {
            let percentage = s.get("substitutability_percentage").and_then(Value::as_u64).unwrap_or(0);
            if let (Some(other), 1..=100) = (field(s, "id"), percentage) {
                terms.substitutability.push((id.into(), other.into(), percentage as u8));
            }
        }
    }
    for c in concepts(&client, base, "skill", version, "id preferred_label").await? {
        if let (Some(id), Some(label)) = (field(&c, "id"), field(&c, "preferred_label")) {
            terms.skills.push(SkillTerm { concept_id: id.into(), label: label.into() });
        }
    }
    for c in concepts(&client, base, "municipality", version, "id preferred_label lau_2_code_2015").await? {
        if let (Some(id), Some(name), Some(code)) =
            (field(&c, "id"), field(&c, "preferred_label"), field(&c, "lau_2_code_2015"))
        {
            terms.municipalities.push(MunicipalityTerm { code: code.into(), name: name.into(), concept_id: id.into() });
        }
    }
    let changes = get_json(
        &client,
        format!(
            "{base}/v1/taxonomy/main/replaced-by-changes?after-version={}&to-version-inclusive={version}",
            after.unwrap_or(0)
        ),
        "replaced-by changes",
    )
    .await?;
    let mut replaced = Vec::new();
    for change in changes.as_array().into_iter().flatten() {
        let Some(c) = change.get("taxonomy/concept") else { continue };
        let (Some(kind), Some(old_id)) = (field(c, "taxonomy/type"), field(c, "taxonomy/id")) else { continue };
        let by = c.get("taxonomy/replaced-by").and_then(Value::as_array).and_then(|b| b.first());
        replaced.push(Replacement {
            kind: kind.into(),
            old_id: old_id.into(),
            old_label: field(c, "taxonomy/preferred-label").unwrap_or_default().into(),
            new_id: by.and_then(|b| field(b, "taxonomy/id")).map(Into::into),
            new_label: by.and_then(|b| field(b, "taxonomy/preferred-label")).map(Into::into),
        });
    }
    Ok(Some(Fetched { terms, replaced }))
}

/// How the records' codes move from the version in force to the new one.
struct Moves<'a> {
    new: &'a Reference,
    /// Deprecated skill concept → its replacement in the new version.
    skills: HashMap<String, SkillRef>,
    /// Deprecated SSYK code → the code that replaced it.
    ssyk: HashMap<String, String>,
}

#[derive(Default)]
struct Seen {
    relabelled: BTreeSet<String>,
    to_free_text: BTreeSet<String>,
    unmapped: BTreeSet<String>,
}

impl Moves<'_> {
    /// A skill as the new version names it; `None` when it stays as it is.
    fn skill(&self, s: &SkillRef, seen: &mut Seen) -> Option<SkillRef> {
        let id = s.id.as_deref()?;
        if let Some(now) = self.new.skill(id) {
            if now.label == s.label {
                return None;
            }
            seen.relabelled.insert(id.to_string());
            return Some(SkillRef { id: Some(now.id.clone()), label: now.label.clone() });
        }
        if let Some(to) = self.skills.get(id) {
            return Some(to.clone());
        }
        seen.to_free_text.insert(id.to_string());
        Some(SkillRef { id: None, label: s.label.clone() })
    }

    fn skills(&self, list: &mut [SkillRef], seen: &mut Seen) -> bool {
        let mut changed = false;
        for s in list.iter_mut() {
            if let Some(to) = self.skill(s, seen) {
                *s = to;
                changed = true;
            }
        }
        changed
    }

    fn occupation(&self, code: &str, seen: &mut Seen) -> Option<String> {
        if let Some(to) = self.ssyk.get(code) {
            return Some(to.clone());
        }
        if !self.new.ssyk.contains_key(code) {
            seen.unmapped.insert(code.to_string());
        }
        None
    }
}

const PAGE: i64 = 2000;

/// Applies a fetched version: every seeker's and opening's skills and occupations are moved
/// to it (a page per transaction, each changed record re-indexed through the outbox; doing it
/// twice changes nothing), then the version is stored and so put in force. A dry run reports
/// what would change and writes nothing.
pub fn apply(
    conn: &mut DbConnection,
    now: i64,
    source: &str,
    fetched: &Fetched,
    dry_run: bool,
) -> AppResult<UpdateReport> {
    let current = crate::reference::reference();
    let new = Reference::with_terms(&fetched.terms);
    let mut moves = Moves { new: &new, skills: HashMap::new(), ssyk: HashMap::new() };
    for r in &fetched.replaced {
        let Some(to) = r.new_id.as_deref() else { continue };
        match r.kind.as_str() {
            "skill" => {
                if let Some(s) = new.skill(to) {
                    moves.skills.insert(r.old_id.clone(), SkillRef { id: Some(s.id.clone()), label: s.label.clone() });
                }
            }
            "ssyk-level-4" => {
                let old = current.by_concept.ssyk.get(&r.old_id);
                if let (Some(old), Some(to)) = (old, new.by_concept.ssyk.get(to)) {
                    moves.ssyk.insert(old.clone(), to.clone());
                }
            }
            _ => {}
        }
    }
    let t = &fetched.terms;
    let mut report = UpdateReport {
        version: t.version,
        previous: current.version,
        source: source.to_string(),
        dry_run,
        ssyk_groups: t.ssyk.len(),
        occupation_names: t.occupation_names.len(),
        substitutability: t.substitutability.len(),
        skills: t.skills.len(),
        municipalities: t.municipalities.len(),
        municipalities_unplaced: t
            .municipalities
            .iter()
            .filter(|m| !current.municipalities.contains_key(&m.code))
            .map(|m| m.code.clone())
            .collect(),
        replaced: fetched.replaced.clone(),
        ..Default::default()
    };
    let mut seen = Seen::default();
    report.seekers_changed = move_seekers(conn, now, &moves, &mut seen, dry_run)?;
    report.openings_changed = move_openings(conn, now, &moves, &mut seen, dry_run)?;
    report.skills_relabelled = seen.relabelled.len();
    report.skills_to_free_text = seen.to_free_text.len();
    report.occupations_unmapped = seen.unmapped.into_iter().collect();
    if !dry_run {
        let terms = serde_json::to_string(&fetched.terms).map_err(|e| AppError::internal(format!("terms: {e}")))?;
        let text = serde_json::to_string(&report).map_err(|e| AppError::internal(format!("report: {e}")))?;
        diesel::insert_into(taxonomy_versions::table)
            .values((
                taxonomy_versions::version.eq(t.version),
                taxonomy_versions::fetched_at.eq(now),
                taxonomy_versions::source.eq(source),
                taxonomy_versions::terms.eq(terms),
                taxonomy_versions::report.eq(text),
            ))
            .execute(conn)?;
    }
    Ok(report)
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> AppResult<T> {
    serde_json::from_str(text).map_err(|e| AppError::internal(format!("a stored list does not parse: {e}")))
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("lists serialise")
}

fn move_seekers(conn: &mut DbConnection, now: i64, moves: &Moves, seen: &mut Seen, dry_run: bool) -> AppResult<usize> {
    let (mut after, mut changed) = (String::new(), 0);
    loop {
        let page: Vec<(String, String, String)> = seekers::table
            .filter(seekers::id.gt(&after))
            .filter(seekers::erased_at.is_null())
            .order(seekers::id)
            .limit(PAGE)
            .select((seekers::id, seekers::occupations, seekers::skills))
            .load(conn)?;
        let Some(last) = page.last().map(|p| p.0.clone()) else { return Ok(changed) };
        let mut updates = Vec::new();
        for (id, occupations, skills) in page {
            let mut codes: Vec<String> = parse(&occupations)?;
            let mut skills: Vec<SkillRef> = parse(&skills)?;
            let mut moved = moves.skills(&mut skills, seen);
            for code in codes.iter_mut() {
                if let Some(to) = moves.occupation(code, seen) {
                    *code = to;
                    moved = true;
                }
            }
            if moved {
                codes.dedup();
                updates.push((id, json(&codes), json(&skills)));
            }
        }
        changed += updates.len();
        if !dry_run && !updates.is_empty() {
            write_tx(conn, |c| {
                for (id, codes, skills) in &updates {
                    diesel::update(seekers::table.find(id))
                        .set((
                            seekers::occupations.eq(codes),
                            seekers::skills.eq(skills),
                            seekers::updated_at.eq(now),
                            // Someone editing with the old ETag must read the moved record first.
                            seekers::version.eq(seekers::version + 1),
                        ))
                        .execute(c)?;
                }
                let ids: Vec<String> = updates.iter().map(|u| u.0.clone()).collect();
                outbox::push_many(c, Entity::Seeker, &ids, now)
            })?;
        }
        after = last;
    }
}

fn move_openings(conn: &mut DbConnection, now: i64, moves: &Moves, seen: &mut Seen, dry_run: bool) -> AppResult<usize> {
    use crate::openings::Requirements;
    let (mut after, mut changed) = (String::new(), 0);
    loop {
        let page: Vec<(String, String, String, String)> = openings::table
            .filter(openings::id.gt(&after))
            .order(openings::id)
            .limit(PAGE)
            .select((openings::id, openings::occupation, openings::must_have, openings::nice_to_have))
            .load(conn)?;
        let Some(last) = page.last().map(|p| p.0.clone()) else { return Ok(changed) };
        let mut updates = Vec::new();
        for (id, mut occupation, must, nice) in page {
            let (mut must, mut nice): (Requirements, Requirements) = (parse(&must)?, parse(&nice)?);
            let mut moved = moves.skills(&mut must.skills, seen) | moves.skills(&mut nice.skills, seen);
            if let Some(to) = moves.occupation(&occupation, seen) {
                occupation = to;
                moved = true;
            }
            if moved {
                updates.push((id, occupation, json(&must), json(&nice)));
            }
        }
        changed += updates.len();
        if !dry_run && !updates.is_empty() {
            write_tx(conn, |c| {
                for (id, occupation, must, nice) in &updates {
                    diesel::update(openings::table.find(id))
                        .set((
                            openings::occupation.eq(occupation),
                            openings::must_have.eq(must),
                            openings::nice_to_have.eq(nice),
                            openings::updated_at.eq(now),
                            openings::version.eq(openings::version + 1),
                        ))
                        .execute(c)?;
                }
                let ids: Vec<String> = updates.iter().map(|u| u.0.clone()).collect();
                outbox::push_many(c, Entity::Opening, &ids, now)
            })?;
        }
        after = last;
    }
}

/// The newest stored version's number, if any.
pub fn stored_version(conn: &mut DbConnection) -> QueryResult<Option<i64>> {
    taxonomy_versions::table.select(diesel::dsl::max(taxonomy_versions::version)).first(conn)
}

/// Puts the newest stored version in force in this process, unless it already is; answers
/// the version in force.
pub fn install_stored(conn: &mut DbConnection) -> AppResult<Option<i64>> {
    let Some(version) = stored_version(conn)? else { return Ok(None) };
    if crate::reference::reference().version == Some(version) {
        return Ok(Some(version));
    }
    let text: String = taxonomy_versions::table.find(version).select(taxonomy_versions::terms).first(conn)?;
    let terms: Terms = parse(&text)?;
    crate::reference::install(&terms);
    tracing::info!(version, "taxonomy version in force");
    Ok(Some(version))
}

/// The stored versions, newest first, with their reports.
pub fn history(conn: &mut DbConnection) -> AppResult<Vec<(i64, i64, UpdateReport)>> {
    let rows: Vec<(i64, i64, String)> = taxonomy_versions::table
        .order(taxonomy_versions::version.desc())
        .select((taxonomy_versions::version, taxonomy_versions::fetched_at, taxonomy_versions::report))
        .load(conn)?;
    rows.into_iter().map(|(v, at, r)| Ok((v, at, parse(&r)?))).collect()
}
