//! Spreadsheet exports that open right in Swedish Excel, as CSV and as `.xlsx`, from one
//! table of typed cells.
//! - CSV: UTF-8 with a byte-order mark (else å, ä, ö are garbled), `;` between cells (Swedish
//!   Excel reads `,` as the decimal sign), decimal comma in numbers, CRLF line ends, and no
//!   cell Excel would run as a formula.
//! - XLSX: what a CSV cannot say. A personnummer, phone number or postcode is a text cell
//!   (Excel keeps `0701112233` and never shows `1,96207E+11`), a count or share is a number,
//!   and a date is a date cell.

use chrono::NaiveDate;

/// One cell of an export, by what it is (not by how it looks).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, kept as written: names, codes, personnummer, phone numbers, postcodes.
    Text(String),
    /// A whole number (a count).
    Int(i64),
    /// A number shown with `digits` decimals (a share, a median).
    Decimal(f64, usize),
    /// A number as exact as it is (the same figure as the JSON says).
    Number(f64),
    Date(NaiveDate),
    Empty,
}

impl Cell {
    /// An ISO date (`2026-11-27`, or the date of a timestamp `2026-11-27T…`), or empty.
    pub fn date_text(s: Option<&str>) -> Cell {
        match s.and_then(|s| NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok()) {
            Some(d) => Cell::Date(d),
            None => Cell::Empty,
        }
    }

    /// A number with `digits` decimals, or empty.
    pub fn decimal(v: Option<f64>, digits: usize) -> Cell {
        v.map_or(Cell::Empty, |v| Cell::Decimal(v, digits))
    }

    /// A count, or empty.
    pub fn int(v: Option<i64>) -> Cell {
        v.map_or(Cell::Empty, Cell::Int)
    }

    /// The cell as a CSV shows it (before quoting).
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Decimal(v, d) => decimal(*v, *d),
            Cell::Number(v) => v.to_string().replace('.', ","),
            Cell::Date(d) => d.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        if s.is_empty() { Cell::Empty } else { Cell::Text(s) }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::from(s.to_string())
    }
}

impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Cell {
        s.map_or(Cell::Empty, Cell::from)
    }
}

macro_rules! int_cells {
    ($($t:ty),*) => { $(impl From<$t> for Cell {
        fn from(v: $t) -> Cell { Cell::Int(v as i64) }
    })* };
}
int_cells!(i32, i64, u32, usize);

/// An export: a header row and rows of cells, written as CSV or XLSX.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new<S: ToString>(header: &[S]) -> Table {
        Table { header: header.iter().map(ToString::to_string).collect(), rows: Vec::new() }
    }

    /// The CSV for Swedish Excel.
    pub fn csv(&self) -> String {
        let mut out = String::from("\u{feff}");
        let mut line = |cells: &mut dyn Iterator<Item = String>| {
            out.push_str(&cells.map(|c| quoted(&c)).collect::<Vec<_>>().join(";"));
            out.push_str("\r\n");
        };
        line(&mut self.header.iter().cloned());
        for row in &self.rows {
            line(&mut row.iter().map(Cell::text));
        }
        out
    }

    /// The workbook: one sheet named `sheet`, a bold header row that stays in view, columns
    /// wide enough for their text.
    pub fn xlsx(&self, sheet: &str) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        // Excel allows 31 characters and no `[]:*?/\` in a sheet name.
        let name: String = sheet.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        ws.set_name(if name.is_empty() { "Export" } else { &name })?;
        let bold = Format::new().set_bold();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let decimals: Vec<Format> = (0..=6)
            .map(|d| Format::new().set_num_format(if d == 0 { "0".into() } else { format!("0.{}", "0".repeat(d)) }))
            .collect();
        for (c, h) in self.header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    // A string cell is never run as a formula, whatever it starts with.
                    Cell::Text(s) => ws.write_string(r, c, s).map(|_| ())?,
                    Cell::Int(i) => ws.write_number(r, c, *i as f64).map(|_| ())?,
                    Cell::Number(v) => ws.write_number(r, c, *v).map(|_| ())?,
                    Cell::Decimal(v, d) => ws.write_number_with_format(r, c, *v, &decimals[(*d).min(6)]).map(|_| ())?,
                    Cell::Date(d) => {
                        use chrono::Datelike;
                        let day =
                            rust_xlsxwriter::ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                        ws.write_datetime_with_format(r, c, &day, &date).map(|_| ())?
                    }
                    Cell::Empty => {}
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
        ws.autofit();
        book.save_to_buffer()
    }
}

impl Table {
    /// The CSV as a download named `{file}.csv`. Never kept by a cache: exports hold
    /// personal data.
    pub fn csv_response(&self, file: &str) -> actix_web::HttpResponse {
        download("text/csv; charset=utf-8", &format!("{file}.csv")).body(self.csv())
    }

    /// The workbook as a download named `{file}.xlsx`, its sheet named `sheet`.
    pub fn xlsx_response(&self, file: &str, sheet: &str) -> crate::error::AppResult<actix_web::HttpResponse> {
        let bytes = self.xlsx(sheet).map_err(|e| crate::error::AppError::internal(format!("xlsx: {e}")))?;
        Ok(download(XLSX, &format!("{file}.xlsx")).body(bytes))
    }
}

fn download(content_type: &str, name: &str) -> actix_web::HttpResponseBuilder {
    use actix_web::http::header;
    let mut r = actix_web::HttpResponse::Ok();
    r.content_type(content_type)
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    r
}

/// One CSV cell: quoted when it holds `;`, a quote or a line break; a leading `=`, `+`, `-`,
/// `@`, tab or carriage return gets a `'` so a spreadsheet shows it instead of running it.
fn quoted(s: &str) -> String {
    let s = match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    };
    if s.contains([';', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// A number with a decimal comma, `digits` after it.
pub fn decimal(v: f64, digits: usize) -> String {
    format!("{v:.digits$}").replace('.', ",")
}

/// The content type of an `.xlsx` file.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_excel_reads_it_as_written() {
        let mut t = Table::new(&["Namn", "Andel"]);
        t.rows.push(vec!["Åsa; \"Ås\"".into(), Cell::Decimal(0.5, 2)]);
        t.rows.push(vec!["=1+1".into(), "-3".into()]);
        assert_eq!(t.csv(), "\u{feff}Namn;Andel\r\n\"Åsa; \"\"Ås\"\"\";0,50\r\n'=1+1;'-3\r\n");
    }

    /// The workbook keeps leading zeros and long digit strings as text, counts as numbers and
    /// dates as dates (read back with calamine, as the import reads a workbook).
    #[test]
    fn the_workbook_keeps_text_as_text_and_numbers_as_numbers() {
        use calamine::{Data, Reader};
        let mut t = Table::new(&["Telefon", "Personnummer", "Dagar", "Andel", "Datum"]);
        t.rows.push(vec![
            "0723173659".into(),
            "196207181234".into(),
            Cell::Int(12),
            Cell::Decimal(0.25, 2),
            Cell::date_text(Some("2026-11-27")),
        ]);
        let bytes = t.xlsx("Mina arbetssökande").unwrap();
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["Mina arbetssökande"]);
        let range = book.worksheet_range("Mina arbetssökande").unwrap();
        assert_eq!(range.get((1, 0)), Some(&Data::String("0723173659".into())));
        assert_eq!(range.get((1, 1)), Some(&Data::String("196207181234".into())));
        assert_eq!(range.get((1, 2)), Some(&Data::Float(12.0)));
        assert_eq!(range.get((1, 3)), Some(&Data::Float(0.25)));
        assert!(
            matches!(range.get((1, 4)), Some(Data::DateTime(d)) if d.as_f64() == 46353.0),
            "{:?}",
            range.get((1, 4))
        );
    }
}
