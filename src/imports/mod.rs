//! Bulk import of seekers from a municipality's existing register: CSV as Swedish Excel
//! writes it (`;` or `,`, with or without BOM), XLSX, or JSON Lines, with an optional column
//! mapping for a case system's export. Every row goes through the same validation as
//! `POST /api/v1/seekers`; rows are matched by personnummer (an existing seeker is updated
//! with the columns the file has, never duplicated). A dry run reports and changes nothing; a
//! real run applies every valid row and reports the rest, or with `all_or_nothing` applies
//! nothing when one row is bad. The report names row, field and problem, never a value.

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

pub use read::{Format, Mapping, RawRow, read_rows};

/// One problem with one row: the row as the file numbers it (the header is row 1 in a
/// spreadsheet; a JSON Lines file counts lines), the field, a stable code and a message.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct RowProblem {
    pub row: usize,
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
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
    pub problems: Vec<RowProblem>,
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

fn problems_of(row: usize, e: AppError) -> Vec<RowProblem> {
    let field_errors: Vec<FieldError> = match e {
        AppError::Validation(errors) => errors,
        AppError::Conflict { clash, detail, .. } => {
            return vec![RowProblem {
                row,
                field: "personnummer".into(),
                code: clash.as_str().into(),
                message: detail,
            }];
        }
        other => {
            let (_, message) = crate::web::labels::app_error(&other);
            return vec![RowProblem { row, field: "row".into(), code: "row.invalid".into(), message }];
        }
    };
    field_errors.into_iter().map(|f| RowProblem { row, field: f.field, code: f.code, message: f.message }).collect()
}

/// Checks one row against the registry: the same validation as the API, plus that its
/// unit and broker exist; an existing personnummer makes it an update of that seeker.
fn check(c: &mut DbConnection, today: NaiveDate, row: &RawRow) -> AppResult<Checked> {
    let fields = serde_json::Value::Object(row.values.clone());
    let raw_pnr = row.values.get("personnummer").and_then(|v| v.as_str()).unwrap_or_default();
    // A personnummer that does not parse matches nobody: the row is then checked as new,
    // so every problem it has is reported at once.
    let existing = match crate::ident::normalize_personnummer(raw_pnr, today) {
        Ok(pnr) => seekers::by_personnummer(c, &pnr)?,
        Err(_) => None,
    };
    match existing {
        Some(id) => {
            // Validate the merged result now; the write merges again in its transaction.
            let mut merged = seekers::get(c, &id)?.to_input();
            crate::json::merge_patch(&mut merged, &fields);
            let input: SeekerInput = crate::json::parse_json(merged.to_string().as_bytes())?;
            let data = input.validate(today)?;
            seekers::check_broker(c, data.broker_id.as_deref())?;
            crate::units::check(c, data.unit.as_deref(), "unit")?;
            Ok(Checked::Update(id, fields))
        }
        None => {
            let input: SeekerInput = crate::json::parse_json(fields.to_string().as_bytes())?;
            let data = input.validate(today)?;
            seekers::check_broker(c, data.broker_id.as_deref())?;
            crate::units::check(c, data.unit.as_deref(), "unit")?;
            Ok(Checked::New(Box::new(data)))
        }
    }
}

/// Rows applied per transaction when bad rows are allowed (one each would be slow, all in
/// one would hold the write lock for the whole file).
const CHUNK: usize = 500;

/// Checks every row and, unless it is a dry run (or an all-or-nothing run with a bad row),
/// applies the valid ones; `progress` is told how many rows are done. Records the import and
/// audits every seeker written under it.
pub fn import(
    conn: &mut DbConnection,
    (now, today): (i64, NaiveDate),
    who: &Principal,
    format: Format,
    rows: &[RawRow],
    opts: Options,
    progress: &mut dyn FnMut(usize),
) -> AppResult<ImportReport> {
    let id = new_id();
    let mut report = ImportReport {
        id: id.clone(),
        format,
        rows: rows.len(),
        valid: 0,
        created: 0,
        updated: 0,
        failed: 0,
        dry_run: opts.dry_run,
        all_or_nothing: opts.all_or_nothing,
        applied: false,
        problems: Vec::new(),
    };
    // Check: every row, with the same personnummer twice in the file refused on its second row.
    let mut checked: Vec<(usize, Checked)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let pnr = row
            .values
            .get("personnummer")
            .and_then(|v| v.as_str())
            .and_then(|p| crate::ident::normalize_personnummer(p, today).ok());
        if let Some(first) = pnr.as_ref().and_then(|p| seen.get(p)) {
            report.problems.push(RowProblem {
                row: row.row,
                field: "personnummer".into(),
                code: "personnummer.duplicate".into(),
                message: format!("the same personnummer is on row {first}"),
            });
            continue;
        }
        if let Some(p) = pnr {
            seen.insert(p, row.row);
        }
        if !row.problems.is_empty() {
            report.problems.extend(row.problems.iter().cloned());
            continue;
        }
        match check(conn, today, row) {
            Ok(c) => checked.push((row.row, c)),
            Err(e) => report.problems.extend(problems_of(row.row, e)),
        }
    }
    report.valid = checked.len();
    let bad_rows: HashSet<usize> = report.problems.iter().map(|p| p.row).collect();
    report.failed = bad_rows.len();
    // A dry run writes nothing; all-or-nothing writes nothing when a row is bad.
    let blocked = opts.all_or_nothing && report.failed > 0;
    let apply = !(opts.dry_run || blocked);
    if apply {
        let action = crate::audit::Action(format!("import {id}"));
        let chunk = if opts.all_or_nothing { usize::MAX } else { CHUNK };
        let mut done = 0;
        for part in checked.chunks(chunk.min(checked.len().max(1))) {
            let mut written: Vec<(usize, bool)> = Vec::new();
            let mut late: Vec<RowProblem> = Vec::new();
            let result = write_tx(conn, |c| {
                let mut ids = Vec::with_capacity(part.len());
                for (row, item) in part {
                    // Each row in its own savepoint: one that fails here (a race with another
                    // writer) is reported and the others of the chunk still go in.
                    let one = c.transaction(|c| match item {
                        Checked::New(data) => seekers::create_in_tx(c, now, data).map(|id| (id, true)),
                        Checked::Update(id, patch) => {
                            seekers::update_in_tx(c, now, today, id, None, patch).map(|s| (s.id, false))
                        }
                    });
                    match one {
                        Ok((sid, new)) => {
                            ids.push(sid);
                            written.push((*row, new));
                        }
                        Err(e) if !opts.all_or_nothing => late.extend(problems_of(*row, e)),
                        Err(e) => return Err(e),
                    }
                }
                crate::audit::record(c, who, &ids, &action, now)?;
                Ok(())
            });
            match result {
                Ok(()) => {}
                Err(e) if opts.all_or_nothing => {
                    report.problems.extend(problems_of(part.first().map(|p| p.0).unwrap_or(0), e));
                    report.failed = report.problems.iter().map(|p| p.row).collect::<HashSet<_>>().len();
                    written.clear();
                    late.clear();
                    report.created = 0;
                    report.updated = 0;
                    break;
                }
                Err(e) => return Err(e),
            }
            report.created += written.iter().filter(|w| w.1).count();
            report.updated += written.iter().filter(|w| !w.1).count();
            report.problems.extend(late);
            report.applied |= !written.is_empty();
            done += part.len();
            progress(done);
        }
        report.failed = report.problems.iter().map(|p| p.row).collect::<HashSet<_>>().len();
    }
    report.problems.sort_by(|a, b| (a.row, &a.field).cmp(&(b.row, &b.field)));
    record(conn, now, who, &report)?;
    Ok(report)
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

/// The latest imports, newest first: id, when, format, counts.
pub fn recent(conn: &mut DbConnection, limit: i64) -> AppResult<Vec<ImportReport>> {
    let texts: Vec<String> =
        imports::table.order(imports::at.desc()).limit(limit).select(imports::report).load(conn)?;
    texts
        .iter()
        .map(|t| serde_json::from_str(t).map_err(|e| AppError::internal(format!("stored report: {e}"))))
        .collect()
}

/// The problem for a whole file that could not be read (named as row 0, field `file`).
pub fn unreadable(message: impl Into<String>) -> AppError {
    AppError::field("file", Fault::Format, message)
}
