//! Reading an import file into rows of seeker fields: columns found by their header (our
//! field names, their Swedish names, or a mapping file for a case system's export), list
//! cells split on commas, Excel dates and numbers turned into text.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::RowProblem;
use crate::error::{AppError, AppResult, Fault};
use crate::text::fold;

crate::text_enum! {
    /// An import file's format.
    pub enum Format {
        Csv = "csv",
        Xlsx = "xlsx",
        Jsonl = "jsonl",
    }
}

impl Format {
    /// By the file name's ending (`.csv`/`.txt`, `.xlsx`, `.jsonl`/`.ndjson`).
    pub fn of_name(name: &str) -> Option<Format> {
        let lower = name.to_lowercase();
        let ext = lower.rsplit('.').next()?;
        match ext {
            "csv" | "txt" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// The seeker fields a file may fill, each with the column names it is known by (folded:
/// lower case, no accents). Lists are the fields whose cells hold several values.
const FIELDS: &[(&str, &[&str])] = &[
    ("personnummer", &["personnummer", "personnr", "pnr"]),
    ("first_name", &["first_name", "fornamn"]),
    ("last_name", &["last_name", "efternamn"]),
    ("email", &["email", "e-post", "epost", "e-postadress", "mejl"]),
    ("phone", &["phone", "telefon", "telefonnummer", "mobil", "mobilnummer"]),
    ("municipality_code", &["municipality_code", "kommun", "kommunkod", "hemkommun"]),
    ("occupations", &["occupations", "yrken", "yrke", "ssyk"]),
    ("occupation_concept_id", &["occupation_concept_id", "yrkesbenamning id"]),
    ("skills", &["skills", "kompetenser", "kompetens"]),
    ("languages", &["languages", "sprak"]),
    ("driving_licences", &["driving_licences", "korkort"]),
    ("available_from", &["available_from", "tillganglig fran", "tillganglig"]),
    ("max_commute_km", &["max_commute_km", "max pendling km", "pendling km", "pendlingsavstand"]),
    ("summary", &["summary", "sammanfattning", "beskrivning"]),
    ("unit", &["unit", "enhet"]),
    ("status", &["status"]),
    ("broker_id", &["broker_id", "jobbmaklare id"]),
    // A broker by name or e-mail (resolved to `broker_id` when the row is checked).
    ("broker", &["broker", "jobbmaklare", "ansvarig jobbmaklare", "handlaggare", "ansvarig"]),
];

const LISTS: &[&str] = &["occupations", "skills", "languages", "driving_licences"];

/// Which of the file's columns fills which field: the known names, plus a mapping file's
/// `{"their column": "field"}`.
#[derive(Debug, Clone, Default)]
pub struct Mapping(HashMap<String, String>);

impl Mapping {
    /// A mapping file (JSON): `{"Personnr": "personnummer", "Namn": "first_name"}`.
    pub fn parse(json: &str) -> AppResult<Mapping> {
        let raw: HashMap<String, String> = serde_json::from_str(json)
            .map_err(|_| super::unreadable("the mapping must be a JSON object of column name to field"))?;
        let mut out = HashMap::new();
        for (column, field) in raw {
            if !FIELDS.iter().any(|(f, _)| *f == field) {
                return Err(crate::error::AppError::field(
                    "mapping",
                    crate::error::Fault::Unknown,
                    "names a field a seeker does not have",
                ));
            }
            out.insert(fold(column.trim()), field);
        }
        Ok(Mapping(out))
    }

    /// The field a column fills: by the mapping, then by its known names, also without a
    /// note in parentheses or a trailing `*`/`:` ("Yrken (SSYK)", "Personnummer*").
    fn field_of(&self, header: &str) -> Option<&str> {
        let h = fold(header.trim().trim_start_matches('\u{feff}'));
        let bare = without_notes(&h);
        for name in [&h, &bare] {
            if let Some(f) = self.0.get(name) {
                return Some(f.as_str());
            }
            if let Some((f, _)) = FIELDS.iter().find(|(_, names)| names.contains(&name.as_str())) {
                return Some(f);
            }
        }
        None
    }
}

/// A folded header without what is in parentheses and without a trailing `*` or `:`.
fn without_notes(h: &str) -> String {
    let mut out = String::with_capacity(h.len());
    let mut depth = 0usize;
    for c in h.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.trim().trim_end_matches(['*', ':']).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One row of the file as seeker fields (JSON, as the API takes them), with what could not
/// be read from it.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub row: usize,
    pub values: Map<String, Value>,
    pub problems: Vec<RowProblem>,
}

/// A cell's text as a field's value: blank is left out; list fields split on commas;
/// languages as `sv:native`; the commute distance as a number; municipality names as codes.
fn put(values: &mut Map<String, Value>, problems: &mut Vec<RowProblem>, row: usize, field: &str, cell: &str) {
    let cell = cell.trim();
    if cell.is_empty() {
        return;
    }
    let value = if LISTS.contains(&field) {
        let items: Vec<&str> = cell.split([',', '|']).map(str::trim).filter(|s| !s.is_empty()).collect();
        if field == "languages" {
            let mut langs = Vec::new();
            for item in items {
                match item.split_once(':') {
                    Some((code, level)) => langs.push(json!({"code": code.trim(), "level": level.trim()})),
                    None => {
                        problems.push(RowProblem {
                            row,
                            field: "languages".into(),
                            code: "languages.format".into(),
                            message: "write each language as code:level, e.g. sv:native, en:good".into(),
                        });
                        return;
                    }
                }
            }
            Value::Array(langs)
        } else {
            Value::Array(items.into_iter().map(|s| Value::String(s.to_string())).collect())
        }
    } else if field == "max_commute_km" {
        match cell.replace(',', ".").parse::<f64>() {
            Ok(n) if n >= 0.0 && n.fract() == 0.0 => json!(n as u64),
            _ => {
                problems.push(RowProblem {
                    row,
                    field: field.into(),
                    code: "max_commute_km.format".into(),
                    message: "must be a whole number of kilometres".into(),
                });
                return;
            }
        }
    } else if field == "phone" && missing_leading_zero(cell) {
        // Excel read 0701112233 as a number and dropped the 0: refused rather than guessed.
        problems.push(RowProblem {
            row,
            field: field.into(),
            code: "phone.leading_zero".into(),
            message: "has 9 digits and no leading 0 (Excel drops it from a number cell: format the column as text, \
                      or write +46)"
                .into(),
        });
        return;
    } else if field == "municipality_code" && !cell.chars().all(|c| c.is_ascii_digit()) {
        // A municipality by name ("Trelleborg", "Trelleborgs kommun").
        let name = fold(cell.trim_end_matches(" kommun"));
        let r = crate::reference::reference();
        let code =
            r.municipalities.values().find(|m| fold(&m.name) == name || fold(&m.name) == name.trim_end_matches('s'));
        Value::String(code.map(|m| m.code.clone()).unwrap_or_else(|| cell.to_string()))
    } else {
        Value::String(cell.to_string())
    };
    values.insert(field.to_string(), value);
}

/// A Swedish number whose leading 0 a spreadsheet dropped: nine digits, the first not 0.
fn missing_leading_zero(cell: &str) -> bool {
    let digits: String = cell.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    digits.len() == 9 && digits.chars().all(|c| c.is_ascii_digit()) && !digits.starts_with('0')
}

/// Which field each column of a table fills (the personnummer must be one of them), and the
/// headers of the columns no field takes (named in the report: nothing in them is read).
fn fields_of<'m>(header: &[String], mapping: &'m Mapping) -> AppResult<(Vec<Option<&'m str>>, Vec<String>)> {
    let fields: Vec<Option<&str>> = header.iter().map(|h| mapping.field_of(h)).collect();
    if !fields.contains(&Some("personnummer")) {
        return Err(super::unreadable("no column holds the personnummer (name one in the mapping)"));
    }
    let unknown = header
        .iter()
        .zip(&fields)
        .filter(|(h, f)| f.is_none() && !h.trim().is_empty())
        .map(|(h, _)| h.trim().trim_start_matches('\u{feff}').chars().take(100).collect())
        .collect();
    Ok((fields, unknown))
}

/// One line of a table as a row; a blank line is none.
fn table_row<S: AsRef<str>>(fields: &[Option<&str>], row: usize, cells: &[S]) -> Option<RawRow> {
    if cells.iter().all(|c| c.as_ref().trim().is_empty()) {
        return None;
    }
    let (mut values, mut problems) = (Map::new(), Vec::new());
    for (field, cell) in fields.iter().zip(cells) {
        if let Some(f) = field {
            put(&mut values, &mut problems, row, f, cell.as_ref());
        }
    }
    Some(RawRow { row, values, problems })
}

/// A CSV file's text: UTF-8 (with or without BOM) as it is; anything else is read as
/// Windows-1252, what Swedish Excel's "CSV (semikolonavgränsad)" saves (å, ä, ö as single
/// bytes). Every byte sequence decodes, so a wrong guess shows as odd letters in the report's
/// checks, never as a refused file.
fn csv_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text.trim_start_matches('\u{feff}')),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

/// A CSV text's delimiter (Swedish Excel writes `;`, others `,`: the header line decides)
/// and header.
fn csv_parts(text: &str) -> AppResult<(u8, Vec<String>)> {
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() >= first.matches(',').count() { b';' } else { b',' };
    let header: Vec<String> = csv_reader(text.as_bytes(), delimiter)
        .headers()
        .map_err(|_| super::unreadable("the CSV header could not be read"))?
        .iter()
        .map(str::to_string)
        .collect();
    Ok((delimiter, header))
}

fn csv_reader<R: std::io::Read>(text: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(true).from_reader(text)
}

/// A cell of a spreadsheet as text: whole numbers without a decimal part (a personnummer
/// typed as a number stays itself), dates as `YYYY-MM-DD`.
fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            // Excel counts days from 1899-12-30.
            let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid");
            base.checked_add_days(chrono::Days::new(dt.as_f64().floor().max(0.0) as u64))
                .map(|d| d.to_string())
                .unwrap_or_default()
        }
    }
}

/// What a workbook may hold. A sheet is read cell by cell as its XML streams past (never as
/// a rectangle from its first to its last cell: one cell at A1 and one at XFD1048576 would
/// be 17 billion), and a file beyond these is refused, naming the limit.
pub const MAX_XLSX_COLUMNS: u32 = 256;
pub const MAX_XLSX_ROWS: u32 = 1_048_576;
/// Filled cells in all (a register of 250 000 people with 20 columns).
pub const MAX_XLSX_CELLS: usize = 5_000_000;
/// Excel's own limit for one cell.
pub const MAX_CELL_CHARS: usize = 32_767;
/// Any one part of the workbook once unpacked (the shared strings are read whole): a few KB
/// of a zip can unpack to gigabytes.
pub const MAX_XLSX_PART_BYTES: u64 = 256 << 20;

fn too_big(message: String) -> AppError {
    AppError::field("file", Fault::Range, message)
}

/// The workbook's parts as its zip directory declares them, before anything is unpacked.
fn check_parts(bytes: &[u8]) -> AppResult<()> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|_| super::unreadable("the file is not an XLSX workbook"))?;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|_| super::unreadable("the file is not an XLSX workbook"))?;
        if part.size() > MAX_XLSX_PART_BYTES {
            return Err(too_big(format!(
                "a part of the workbook unpacks to more than {} MB",
                MAX_XLSX_PART_BYTES >> 20
            )));
        }
    }
    Ok(())
}

/// A spreadsheet column's letters (0 = A).
fn column_name(mut c: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

fn read_xlsx(bytes: &[u8], mapping: &Mapping) -> AppResult<(Vec<RawRow>, Vec<String>)> {
    use calamine::Reader;
    check_parts(bytes)?;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|_| super::unreadable("the file is not an XLSX workbook"))?;
    let sheet = book.sheet_names().first().cloned().ok_or_else(|| super::unreadable("the workbook has no sheet"))?;
    let mut cells =
        book.worksheet_cells_reader(&sheet).map_err(|_| super::unreadable("the first sheet could not be read"))?;
    // The filled cells by row (row index, [(column, text)]), in the order the sheet has them.
    let mut rows: Vec<(u32, Vec<(u32, String)>)> = Vec::new();
    let mut filled = 0usize;
    while let Some(cell) = cells.next_cell().map_err(|_| super::unreadable("the first sheet could not be read"))? {
        let (r, c) = cell.get_position();
        if c >= MAX_XLSX_COLUMNS {
            return Err(too_big(format!(
                "the sheet has a cell in column {} (at most {MAX_XLSX_COLUMNS} columns, A to {}, are read)",
                column_name(c),
                column_name(MAX_XLSX_COLUMNS - 1)
            )));
        }
        if r >= MAX_XLSX_ROWS {
            return Err(too_big(format!("the sheet has a cell below row {MAX_XLSX_ROWS}")));
        }
        let text = cell_text(&calamine::Data::from(cell.get_value().clone()));
        if text.chars().count() > MAX_CELL_CHARS {
            return Err(too_big(format!("row {} has a cell longer than {MAX_CELL_CHARS} characters", r + 1)));
        }
        if text.trim().is_empty() {
            continue;
        }
        filled += 1;
        if filled > MAX_XLSX_CELLS {
            return Err(too_big(format!("the sheet has more than {MAX_XLSX_CELLS} filled cells")));
        }
        match rows.last_mut() {
            Some((last, row)) if *last == r => row.push((c, text)),
            _ => rows.push((r, vec![(c, text)])),
        }
    }
    rows.sort_by_key(|(r, _)| *r);
    let dense = |cells: &[(u32, String)], width: usize| {
        let mut out = vec![String::new(); width];
        for (c, t) in cells {
            if let Some(slot) = out.get_mut(*c as usize) {
                slot.clone_from(t);
            }
        }
        out
    };
    let mut rows = rows.into_iter();
    let header = match rows.next() {
        Some((_, cells)) => dense(&cells, cells.iter().map(|(c, _)| *c as usize + 1).max().unwrap_or(0)),
        None => Vec::new(),
    };
    let (fields, unknown) = fields_of(&header, mapping)?;
    let width = fields.len();
    Ok((rows.filter_map(|(r, cells)| table_row(&fields, r as usize + 1, &dense(&cells, width))).collect(), unknown))
}

/// One line of a JSON Lines file as a row; a blank line is none.
fn jsonl_row(i: usize, line: &str, mapping: &Mapping) -> Option<RawRow> {
    if line.trim().is_empty() {
        return None;
    }
    let row = i + 1;
    let mut values = Map::new();
    let mut problems = Vec::new();
    match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(obj)) => {
            for (key, v) in obj {
                match mapping.field_of(&key) {
                    // Cells already typed (lists as arrays) are taken as they are.
                    Some(f) => match v {
                        Value::String(s) => put(&mut values, &mut problems, row, f, &s),
                        Value::Number(n) => put(&mut values, &mut problems, row, f, &n.to_string()),
                        Value::Null => {}
                        other => {
                            values.insert(f.to_string(), other);
                        }
                    },
                    None => problems.push(RowProblem {
                        row,
                        field: "row".into(),
                        code: "row.unknown_field".into(),
                        message: "has a key that is no seeker field (map it, or leave it out)".into(),
                    }),
                }
            }
        }
        _ => problems.push(RowProblem {
            row,
            field: "row".into(),
            code: "row.format".into(),
            message: "is not a JSON object".into(),
        }),
    }
    Some(RawRow { row, values, problems })
}

/// A file's rows, read one at a time as they are asked for (a register of a million rows is
/// never in memory at once): how many there are, the headers of columns nothing reads, and
/// the rows.
pub struct Rows<'a> {
    pub total: usize,
    pub unknown_columns: Vec<String>,
    pub rows: Box<dyn Iterator<Item = RawRow> + Send + 'a>,
}

/// The rows of a file. A file that cannot be read as a whole (a broken CSV line, not a
/// workbook, a JSON Lines file not in UTF-8) fails here, before any row is used.
pub fn stream_rows<'a>(bytes: &'a [u8], format: Format, mapping: &'a Mapping) -> AppResult<Rows<'a>> {
    match format {
        Format::Csv => {
            let text = csv_text(bytes);
            let (delimiter, header) = csv_parts(&text)?;
            let (fields, unknown_columns) = fields_of(&header, mapping)?;
            // A first pass reads every line, so a broken one stops the import before it starts.
            let mut total = 0;
            for (i, record) in csv_reader(text.as_bytes(), delimiter).records().enumerate() {
                let record =
                    record.map_err(|_| super::unreadable(format!("row {} could not be read as CSV", i + 2)))?;
                total += usize::from(record.iter().any(|c| !c.trim().is_empty()));
            }
            let source = std::io::Cursor::new(match text {
                std::borrow::Cow::Borrowed(t) => std::borrow::Cow::Borrowed(t.as_bytes()),
                std::borrow::Cow::Owned(t) => std::borrow::Cow::Owned(t.into_bytes()),
            });
            let rows = csv_reader(source, delimiter)
                .into_records()
                .enumerate()
                .filter_map(move |(i, r)| table_row(&fields, i + 2, &r.ok()?.iter().collect::<Vec<_>>()));
            Ok(Rows { total, unknown_columns, rows: Box::new(rows) })
        }
        Format::Xlsx => {
            let (rows, unknown_columns) = read_xlsx(bytes, mapping)?;
            Ok(Rows { total: rows.len(), unknown_columns, rows: Box::new(rows.into_iter()) })
        }
        Format::Jsonl => {
            let text = std::str::from_utf8(bytes).map_err(|_| super::unreadable("the file must be UTF-8"))?;
            let text = text.trim_start_matches('\u{feff}');
            let total = text.lines().filter(|l| !l.trim().is_empty()).count();
            // A key nothing reads is each row's problem (a JSON Lines file has no header).
            let rows = text.lines().enumerate().filter_map(|(i, line)| jsonl_row(i, line, mapping));
            Ok(Rows { total, unknown_columns: Vec::new(), rows: Box::new(rows) })
        }
    }
}
