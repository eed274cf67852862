//! Bulk import of seekers from a municipality's existing register: CSV as Swedish Excel
//! writes it (`;` or `,`, with or without BOM), XLSX, or JSON Lines, with an optional column
//! mapping for a case system's export. Every row goes through the same validation as
//! `POST /api/v1/seekers`; rows are matched by personnummer (an existing seeker is updated
//! with the columns the file has, never duplicated). A dry run reports and changes nothing; a
//! real run applies every valid row and reports the rest, or with `all_or_nothing` applies
//! nothing when one row is bad. The report names row, field and problem, never a value: a
//! validation message can quote what was typed, so a report carries the field and the kind
//! of problem only. It keeps the first [`MAX_PROBLEMS`] problems and counts every one by code.

pub mod http;
pub mod read;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::Principal;
use crate::db::schema::imports;
use crate::db::{DbConnection, new_id, write_tx};
use crate::error::{AppError, AppResult, Fault, FieldError};
use crate::seekers::SeekerInput;
use crate::seekers::store as seekers;

pub use read::{Format, Mapping, RawRow, Rows, stream_rows};

/// One problem with one row: the row as the file numbers it (the header is row 1 in a
/// spreadsheet; a JSON Lines file counts lines), the field, a stable code and a message.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, utoipa::ToSchema)]
pub struct RowProblem {
    pub row: usize,
    pub field: String,
    pub code: String,
    pub message: String,
}

/// Problems a report keeps one by one; beyond these it only counts them (`problem_counts`).
pub const MAX_PROBLEMS: usize = 1000;

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, utoipa::ToSchema)]
pub struct ImportReport {
    pub id: String,
    pub format: Format,
    pub rows: usize,
    pub valid: usize,
    pub created: usize,
    pub updated: usize,
    pub failed: usize,
    pub dry_run: bool,
    pub all_or_nothing: bool,
    /// Whether anything was written (false for a dry run, and for an all-or-nothing run
    /// with a bad row).
    pub applied: bool,
    /// The first [`MAX_PROBLEMS`] problems (a list of reports leaves them out).
    pub problems: Vec<RowProblem>,
    /// Every problem, counted by code.
    #[serde(default)]
    pub problem_counts: std::collections::BTreeMap<String, usize>,
    /// The headers of the file's columns that no field takes: nothing in them was read
    /// (map them, or leave them out).
    #[serde(default)]
    pub unknown_columns: Vec<String>,
}

impl ImportReport {
    /// Counts a problem, and keeps it while fewer than [`MAX_PROBLEMS`] are kept.
    fn note(&mut self, p: RowProblem) {
        *self.problem_counts.entry(p.code.clone()).or_default() += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        }
    }

    fn note_all(&mut self, ps: impl IntoIterator<Item = RowProblem>) {
        for p in ps {
            self.note(p);
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub dry_run: bool,
    pub all_or_nothing: bool,
}

/// A checked row: a new seeker, or the id of the one it updates, with its patch.
enum Checked {
    New(Box<crate::seekers::SeekerData>),
    Update(String, serde_json::Value),
}

/// The problems an error amounts to, in words that hold no value from the row.
fn problems_of(row: usize, e: AppError) -> Vec<RowProblem> {
    let field_errors: Vec<FieldError> = match e {
        AppError::Validation(errors) => errors,
        AppError::Conflict { clash, .. } => {
            return vec![RowProblem {
                row,
                field: "personnummer".into(),
                code: clash.as_str().into(),
                message: format!("conflicts with what is stored ({clash})"),
            }];
        }
        _ => {
            return vec![RowProblem {
                row,
                field: "row".into(),
                code: "row.invalid".into(),
                message: "could not be saved".into(),
            }];
        }
    };
    field_errors
        .into_iter()
        .map(|f| {
            let message = format!("{} {}", f.field, f.fault.describe());
            RowProblem { row, field: f.field, code: f.code, message }
        })
        .collect()
}

/// What a run has already looked up: registered personnummer, and units and brokers
/// known to exist (each looked up once per file, not once per row).
#[derive(Default)]
struct Known {
    ids: HashMap<String, String>,
    units: HashMap<String, bool>,
    brokers: HashMap<String, bool>,
    /// A broker column's text (folded) to the broker's id, or why it names none.
    broker_names: HashMap<String, Result<String, (Fault, &'static str)>>,
}

impl Known {
    /// The broker a broker column names: by e-mail, by user id, or by name when exactly one
    /// broker has it.
    fn broker_named(&mut self, c: &mut DbConnection, text: &str) -> AppResult<String> {
        let key = crate::text::fold(text.trim());
        if !self.broker_names.contains_key(&key) {
            let found = crate::auth::store::broker_named(c, text.trim())?;
            self.broker_names.insert(key.clone(), found);
        }
        self.broker_names[&key].clone().map_err(|(fault, message)| AppError::field("broker", fault, message))
    }

    fn unit(&mut self, c: &mut DbConnection, unit: Option<&str>) -> AppResult<()> {
        let Some(u) = unit else { return Ok(()) };
        if !*self.units.entry(u.to_string()).or_insert_with(|| crate::units::check(c, Some(u), "unit").is_ok()) {
            crate::units::check(c, Some(u), "unit")?;
        }
        Ok(())
    }

    fn broker(&mut self, c: &mut DbConnection, broker: Option<&str>) -> AppResult<()> {
        let Some(b) = broker else { return Ok(()) };
        if !*self.brokers.entry(b.to_string()).or_insert_with(|| seekers::check_broker(c, Some(b)).is_ok()) {
            seekers::check_broker(c, Some(b))?;
        }
        Ok(())
    }
}

/// Checks one row against the registry: the same validation as the API, plus that its
/// unit and broker exist; an existing personnummer makes it an update of that seeker.
fn check(
    c: &mut DbConnection,
    today: NaiveDate,
    known: &mut Known,
    row: &RawRow,
    pnr: Option<&str>,
) -> AppResult<Checked> {
    let mut values = row.values.clone();
    if let Some(serde_json::Value::String(name)) = values.remove("broker") {
        let id = known.broker_named(c, &name)?;
        values.insert("broker_id".into(), serde_json::Value::String(id));
    }
    let fields = serde_json::Value::Object(values);
    // A personnummer that does not parse matches nobody: the row is then checked as new,
    // so every problem it has is reported at once.
    match pnr.and_then(|p| known.ids.get(p)).cloned() {
        Some(id) => {
            // Validate the merged result now; the write merges again in its transaction.
            let mut merged = seekers::get(c, &id)?.to_input();
            crate::json::merge_patch(&mut merged, &fields);
            let input: SeekerInput = crate::json::parse_json(merged.to_string().as_bytes())?;
            let data = input.validate(today)?;
            known.broker(c, data.broker_id.as_deref())?;
            known.unit(c, data.unit.as_deref())?;
            Ok(Checked::Update(id, fields))
        }
        None => {
            let input: SeekerInput = crate::json::parse_json(fields.to_string().as_bytes())?;
            let data = input.validate(today)?;
            known.broker(c, data.broker_id.as_deref())?;
            known.unit(c, data.unit.as_deref())?;
            Ok(Checked::New(Box::new(data)))
        }
    }
}

/// Rows checked and applied at a time (one each would be slow; a bigger chunk holds the
/// write lock longer).
const CHUNK: usize = 500;

/// Marks the rollback of an all-or-nothing run that found a bad row.
const BAD_ROW: &str = "an all-or-nothing import with a bad row";

/// Checks every row and, unless it is a dry run (or an all-or-nothing run with a bad row),
/// applies the valid ones; `progress` is told how many rows are done. Rows are taken
/// `CHUNK` at a time from `rows`, checked and applied before the next are read, so a file of
/// any size is never in memory as rows. Records the import and audits every seeker written
/// under it.
pub fn import(
    conn: &mut DbConnection,
    (now, today): (i64, NaiveDate),
    who: &Principal,
    format: Format,
    file: Rows<'_>,
    opts: Options,
    progress: &mut dyn FnMut(usize),
) -> AppResult<ImportReport> {
    let id = new_id();
    let Rows { total, unknown_columns, rows } = file;
    let mut run = Run {
        report: ImportReport {
            id: id.clone(),
            format,
            rows: total,
            valid: 0,
            created: 0,
            updated: 0,
            failed: 0,
            dry_run: opts.dry_run,
            all_or_nothing: opts.all_or_nothing,
            applied: false,
            problems: Vec::new(),
            problem_counts: Default::default(),
            unknown_columns,
        },
        seen: HashMap::new(),
        failed_rows: HashSet::new(),
        action: crate::audit::Action::named(format!("import {id}")),
        opts,
        done: 0,
    };
    if opts.all_or_nothing && !opts.dry_run {
        // One transaction for the whole file, rolled back at the first bad row's end of file.
        let outcome = write_tx(conn, |c| {
            run.each_chunk(c, (now, today), who, rows, progress)?;
            if run.report.failed > 0 { Err(AppError::internal(BAD_ROW)) } else { Ok(()) }
        });
        match outcome {
            Ok(()) => {}
            Err(AppError::Internal(e)) if e.to_string() == BAD_ROW => {}
            Err(e) => {
                let first = run.report.problems.first().map(|p| p.row).unwrap_or(0);
                run.failed_rows.insert(first);
                run.report.note_all(problems_of(first, e));
            }
        }
        if run.report.failed > 0 || !run.report.problems.is_empty() {
            run.report.created = 0;
            run.report.updated = 0;
            run.report.applied = false;
        }
    } else {
        run.each_chunk(conn, (now, today), who, rows, progress)?;
    }
    let mut report = run.report;
    report.failed = run.failed_rows.len();
    report.problems.sort_by(|a, b| (a.row, &a.field).cmp(&(b.row, &b.field)));
    record(conn, now, who, &report)?;
    Ok(report)
}

/// An import under way: its report so far and the personnummer already seen in the file.
struct Run {
    report: ImportReport,
    seen: HashMap<String, usize>,
    /// Every row with a problem (the report keeps only the first problems).
    failed_rows: HashSet<usize>,
    action: crate::audit::Action,
    opts: Options,
    done: usize,
}

impl Run {
    fn each_chunk(
        &mut self,
        c: &mut DbConnection,
        at: (i64, NaiveDate),
        who: &Principal,
        mut rows: impl Iterator<Item = RawRow>,
        progress: &mut dyn FnMut(usize),
    ) -> AppResult<()> {
        loop {
            let chunk: Vec<RawRow> = rows.by_ref().take(CHUNK).collect();
            if chunk.is_empty() {
                return Ok(());
            }
            self.chunk(c, at, who, &chunk)?;
            self.done += chunk.len();
            progress(self.done);
        }
    }

    /// Checks a chunk of rows and, when the run writes, applies the valid ones.
    fn chunk(
        &mut self,
        c: &mut DbConnection,
        (now, today): (i64, NaiveDate),
        who: &Principal,
        rows: &[RawRow],
    ) -> AppResult<()> {
        let pnrs: Vec<Option<String>> = rows
            .iter()
            .map(|row| {
                row.values
                    .get("personnummer")
                    .and_then(|v| v.as_str())
                    .and_then(|p| crate::ident::normalize_personnummer(p, today).ok())
            })
            .collect();
        let wanted: Vec<String> = pnrs.iter().flatten().cloned().collect();
        let mut known =
            Known { ids: seekers::ids_by_personnummer(c, &wanted)?.into_iter().collect(), ..Default::default() };
        let mut checked: Vec<(usize, Checked)> = Vec::new();
        let report = &mut self.report;
        for (row, pnr) in rows.iter().zip(pnrs) {
            // The same personnummer twice in the file is refused on its second row.
            if let Some(first) = pnr.as_ref().and_then(|p| self.seen.get(p)) {
                report.note(RowProblem {
                    row: row.row,
                    field: "personnummer".into(),
                    code: "personnummer.duplicate".into(),
                    message: format!("the same personnummer is on row {first}"),
                });
                report.failed += 1;
                self.failed_rows.insert(row.row);
                continue;
            }
            if let Some(p) = &pnr {
                self.seen.insert(p.clone(), row.row);
            }
            if !row.problems.is_empty() {
                report.note_all(row.problems.iter().cloned());
                report.failed += 1;
                self.failed_rows.insert(row.row);
                continue;
            }
            match check(c, today, &mut known, row, pnr.as_deref()) {
                Ok(checked_row) => checked.push((row.row, checked_row)),
                Err(e) => {
                    report.note_all(problems_of(row.row, e));
                    report.failed += 1;
                    self.failed_rows.insert(row.row);
                }
            }
        }
        report.valid += checked.len();
        // A dry run writes nothing; all-or-nothing stops writing at the first bad row.
        if self.opts.dry_run || (self.opts.all_or_nothing && report.failed > 0) || checked.is_empty() {
            return Ok(());
        }
        let (written, late) = if self.opts.all_or_nothing {
            // Inside the whole file's transaction.
            apply_rows(c, (now, today), who, &self.action, &checked, false)?
        } else {
            // The chunk in one transaction; should a row fail here (another writer
            // registered the same personnummer meanwhile), the chunk is redone with each row
            // in its own savepoint, so the others still go in and that row is reported.
            let at = (now, today);
            match write_tx(c, |c| apply_rows(c, at, who, &self.action, &checked, false)) {
                Ok(done) => done,
                Err(_) => write_tx(c, |c| apply_rows(c, at, who, &self.action, &checked, true))?,
            }
        };
        report.created += written.iter().filter(|w| w.1).count();
        report.updated += written.iter().filter(|w| !w.1).count();
        report.failed += late.iter().map(|p| p.row).collect::<HashSet<_>>().len();
        self.failed_rows.extend(late.iter().map(|p| p.row));
        report.note_all(late);
        report.applied |= !written.is_empty();
        Ok(())
    }
}

type Written = (Vec<(usize, bool)>, Vec<RowProblem>);

/// Writes checked rows in the caller's transaction and audits them under the import; with
/// `isolated`, each row in a savepoint, a failing one reported instead of failing them all.
fn apply_rows(
    conn: &mut DbConnection,
    (now, today): (i64, NaiveDate),
    who: &Principal,
    action: &crate::audit::Action,
    part: &[(usize, Checked)],
    isolated: bool,
) -> AppResult<Written> {
    let c = conn;
    if !isolated {
        // New people in multi-row inserts; updates merge one by one.
        let news: Vec<(usize, &crate::seekers::SeekerData)> = part
            .iter()
            .filter_map(|(row, item)| match item {
                Checked::New(d) => Some((*row, &**d)),
                Checked::Update(..) => None,
            })
            .collect();
        let data: Vec<_> = news.iter().map(|n| n.1).collect();
        let mut ids = seekers::insert_many_checked_in_tx(c, now, &data)?;
        let mut written: Vec<(usize, bool)> = news.iter().map(|n| (n.0, true)).collect();
        for (row, item) in part {
            if let Checked::Update(id, patch) = item {
                ids.push(seekers::update_in_tx(c, now, today, id, None, patch)?.id);
                written.push((*row, false));
            }
        }
        written.sort_unstable();
        crate::privacy::shown(c, who, &ids, action, now)?;
        return Ok((written, Vec::new()));
    }
    let (mut ids, mut written, mut late) = (Vec::with_capacity(part.len()), Vec::new(), Vec::new());
    for (row, item) in part {
        let write = |c: &mut DbConnection| match item {
            Checked::New(data) => seekers::insert_checked_in_tx(c, now, data).map(|id| (id, true)),
            Checked::Update(id, patch) => seekers::update_in_tx(c, now, today, id, None, patch).map(|s| (s.id, false)),
        };
        match c.transaction(write) {
            Ok((sid, new)) => {
                ids.push(sid);
                written.push((*row, new));
            }
            Err(e) => late.extend(problems_of(*row, e)),
        }
    }
    crate::privacy::shown(c, who, &ids, action, now)?;
    Ok((written, late))
}

/// Keeps the import and its report (counts, rows, fields, problems; no values).
fn record(conn: &mut DbConnection, now: i64, who: &Principal, r: &ImportReport) -> AppResult<()> {
    let report = serde_json::to_string(r).map_err(|e| AppError::internal(format!("report: {e}")))?;
    diesel::insert_into(imports::table)
        .values((
            imports::id.eq(&r.id),
            imports::by_user.eq(&who.user_id),
            imports::at.eq(now),
            imports::format.eq(r.format.as_str()),
            imports::rows_total.eq(r.rows as i32),
            imports::created.eq(r.created as i32),
            imports::updated.eq(r.updated as i32),
            imports::failed.eq(r.failed as i32),
            imports::dry_run.eq(r.dry_run),
            imports::applied.eq(r.applied),
            imports::report.eq(report),
        ))
        .execute(conn)?;
    Ok(())
}

/// A recorded import's report.
pub fn get(conn: &mut DbConnection, id: &str) -> AppResult<ImportReport> {
    let text: String = imports::table
        .find(id)
        .select(imports::report)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound(crate::error::Thing::Import))?;
    serde_json::from_str(&text).map_err(|e| AppError::internal(format!("stored report: {e}")))
}

/// The latest imports, newest first: id, when, format, counts (each report's problems are
/// read one report at a time, `get`).
pub fn recent(conn: &mut DbConnection, limit: i64) -> AppResult<Vec<ImportReport>> {
    let texts: Vec<String> =
        imports::table.order(imports::at.desc()).limit(limit).select(imports::report).load(conn)?;
    texts
        .iter()
        .map(|t| {
            let mut r: ImportReport =
                serde_json::from_str(t).map_err(|e| AppError::internal(format!("stored report: {e}")))?;
            r.problems.clear();
            Ok(r)
        })
        .collect()
}

/// Deletes the reports of imports made before `before` (the retention period): a report
/// names rows of a file about people, kept no longer than the people themselves.
pub fn forget_before(conn: &mut DbConnection, before: i64) -> AppResult<usize> {
    Ok(diesel::delete(imports::table.filter(imports::at.lt(before))).execute(conn)?)
}

/// The problem for a whole file that could not be read (named as row 0, field `file`).
pub fn unreadable(message: impl Into<String>) -> AppError {
    AppError::field("file", Fault::Format, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(serial: &str) -> Box<crate::seekers::SeekerData> {
        let input: SeekerInput = serde_json::from_value(serde_json::json!({
            "personnummer": format!("19811228{serial}"), "first_name": "Test", "last_name": "Person",
            "municipality_code": "1287",
        }))
        .unwrap();
        Box::new(input.validate(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()).unwrap())
    }

    /// A row that fails when written (its personnummer registered meanwhile) fails the chunk;
    /// redone row by row in savepoints, the others go in and that row is reported.
    #[test]
    fn a_row_that_fails_on_write_is_reported_and_the_rest_go_in() {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::config::DatabaseUrl::parse(&dir.path().join("t.db").display().to_string()).unwrap();
        let (pool, _) = crate::db::open(&url, 1).unwrap();
        let mut c = pool.get().unwrap();
        let (now, today) = (1_795_000_000, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        // 198112289874 is taken by someone registered after the file was checked.
        seekers::insert_checked_in_tx(&mut c, now, &data("9874")).unwrap();
        let who = Principal {
            user_id: "system".into(),
            token_id: String::new(),
            name: "Test".into(),
            role: crate::auth::Role::Admin,
            employer_id: None,
        };
        let action = crate::audit::Action::named("import test");
        let part = vec![(2, Checked::New(data("9874"))), (3, Checked::New(data("9866")))];
        assert!(write_tx(&mut c, |c| apply_rows(c, (now, today), &who, &action, &part, false)).is_err());
        let (written, late) = write_tx(&mut c, |c| apply_rows(c, (now, today), &who, &action, &part, true)).unwrap();
        assert_eq!(written, [(3, true)]);
        assert_eq!(late.iter().map(|p| (p.row, p.field.as_str())).collect::<Vec<_>>(), [(2, "personnummer")]);
        use crate::db::schema::seekers as t;
        let n: i64 = t::table.count().get_result(&mut c).unwrap();
        assert_eq!(n, 2, "the one registered before and row 3");
    }
}
