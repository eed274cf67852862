//! Reading an import file into rows of seeker fields: columns found by their header (our
//! field names, their Swedish names, or a mapping file for a case system's export), list
//! cells split on commas, Excel dates and numbers turned into text.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::RowProblem;
use crate::error::AppResult;
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

    fn field_of(&self, header: &str) -> Option<&str> {
        let h = fold(header.trim().trim_start_matches('\u{feff}'));
        if let Some(f) = self.0.get(&h) {
            return Some(f.as_str());
        }
        FIELDS.iter().find(|(_, names)| names.contains(&h.as_str())).map(|(f, _)| *f)
    }
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

/// Which field each column of a table fills; the personnummer must be one of them.
fn fields_of<'m>(header: &[String], mapping: &'m Mapping) -> AppResult<Vec<Option<&'m str>>> {
    let fields: Vec<Option<&str>> = header.iter().map(|h| mapping.field_of(h)).collect();
    if !fields.contains(&Some("personnummer")) {
        return Err(super::unreadable("no column holds the personnummer (name one in the mapping)"));
    }
    Ok(fields)
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

/// A CSV file's text, delimiter (Swedish Excel writes `;`, others `,`: the header line
/// decides) and header.
fn csv_parts(bytes: &[u8]) -> AppResult<(&str, u8, Vec<String>)> {
    let text = std::str::from_utf8(bytes).map_err(|_| super::unreadable("the CSV file must be UTF-8"))?;
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() >= first.matches(',').count() { b';' } else { b',' };
    let header: Vec<String> = csv_reader(text, delimiter)
        .headers()
        .map_err(|_| super::unreadable("the CSV header could not be read"))?
        .iter()
        .map(str::to_string)
        .collect();
    Ok((text, delimiter, header))
}

fn csv_reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(true).from_reader(text.as_bytes())
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

fn read_xlsx(bytes: &[u8], mapping: &Mapping) -> AppResult<Vec<RawRow>> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|_| super::unreadable("the file is not an XLSX workbook"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| super::unreadable("the workbook has no sheet"))?
        .map_err(|_| super::unreadable("the first sheet could not be read"))?;
    let mut rows = range.rows();
    let header: Vec<String> = rows.next().map(|r| r.iter().map(cell_text).collect()).unwrap_or_default();
    let fields = fields_of(&header, mapping)?;
    Ok(rows
        .enumerate()
        .filter_map(|(i, r)| table_row(&fields, i + 2, &r.iter().map(cell_text).collect::<Vec<_>>()))
        .collect())
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

/// The rows of a file, read one at a time as they are asked for (a register of a million
/// rows is never in memory at once), and how many there are. A file that cannot be read as a
/// whole (not UTF-8, a broken CSV line, not a workbook) fails here, before any row is used.
pub fn stream_rows<'a>(
    bytes: &'a [u8],
    format: Format,
    mapping: &'a Mapping,
) -> AppResult<(usize, Box<dyn Iterator<Item = RawRow> + Send + 'a>)> {
    match format {
        Format::Csv => {
            let (text, delimiter, header) = csv_parts(bytes)?;
            let fields = fields_of(&header, mapping)?;
            // A first pass reads every line, so a broken one stops the import before it starts.
            let mut count = 0;
            for (i, record) in csv_reader(text, delimiter).records().enumerate() {
                let record =
                    record.map_err(|_| super::unreadable(format!("row {} could not be read as CSV", i + 2)))?;
                count += usize::from(record.iter().any(|c| !c.trim().is_empty()));
            }
            let rows = csv_reader(text, delimiter)
                .into_records()
                .enumerate()
                .filter_map(move |(i, r)| table_row(&fields, i + 2, &r.ok()?.iter().collect::<Vec<_>>()));
            Ok((count, Box::new(rows)))
        }
        Format::Xlsx => {
            let rows = read_xlsx(bytes, mapping)?;
            Ok((rows.len(), Box::new(rows.into_iter())))
        }
        Format::Jsonl => {
            let text = std::str::from_utf8(bytes).map_err(|_| super::unreadable("the file must be UTF-8"))?;
            let text = text.trim_start_matches('\u{feff}');
            let count = text.lines().filter(|l| !l.trim().is_empty()).count();
            Ok((count, Box::new(text.lines().enumerate().filter_map(|(i, line)| jsonl_row(i, line, mapping)))))
        }
    }
}
