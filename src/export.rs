//! Spreadsheet exports that open right in Swedish Excel: UTF-8 with a byte-order mark (else
//! å, ä, ö are garbled), `;` between cells (Swedish Excel reads `,` as the decimal sign),
//! decimal comma in numbers, CRLF line ends, and no cell Excel would run as a formula.

/// The text of a CSV file: the header row, then the rows.
pub fn excel_csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("\u{feff}");
    let mut line = |cells: &mut dyn Iterator<Item = String>| {
        out.push_str(&cells.map(|c| cell(&c)).collect::<Vec<_>>().join(";"));
        out.push_str("\r\n");
    };
    line(&mut header.iter().map(|h| h.to_string()));
    for row in rows {
        line(&mut row.iter().cloned());
    }
    out
}

/// One cell: quoted when it holds `;`, a quote or a line break; a leading `=`, `+`, `-`,
/// `@`, tab or carriage return gets a `'` so a spreadsheet shows it instead of running it.
fn cell(s: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_excel_reads_it_as_written() {
        let csv = excel_csv(
            &["Namn", "Andel"],
            &[vec!["Åsa; \"Ås\"".into(), decimal(0.5, 2)], vec!["=1+1".into(), "-3".into()]],
        );
        assert_eq!(csv, "\u{feff}Namn;Andel\r\n\"Åsa; \"\"Ås\"\"\";0,50\r\n'=1+1;'-3\r\n");
    }
}
