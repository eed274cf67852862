//! The monthly report as a table for Swedish Excel (CSV or XLSX).

use super::{Figures, Report};
use crate::export::{Cell, Table};
use crate::placements::Kind;

/// The report as CSV for Swedish Excel (see [`crate::export`]): Swedish headers, `;`,
/// decimal comma.
pub fn to_csv(r: &Report) -> String {
    table(r).csv()
}

/// The report as a table: one row for each unit, each of its brokers, and the totals, from
/// the same figures as the JSON.
pub fn table(r: &Report) -> Table {
    use crate::labels::Label;
    let mut header: Vec<String> = [
        "Månad",
        "Enhet",
        "Jobbmäklarens id",
        "Jobbmäklare",
        "Avslut till arbete",
        "Avslut till studier",
        "Avslut totalt",
        "Mål",
        "Avslut hittills i år",
        "Mål hittills i år",
    ]
    .map(str::to_string)
    .to_vec();
    for k in Kind::ALL {
        header.push(format!("Påbörjade: {}", k.label()));
    }
    for k in Kind::ALL {
        header.push(format!("Avslutade: {}", k.label()));
    }
    header.extend(
        [
            "Kolada: avslutade deltagare",
            "Kolada: började arbeta eller studera",
            "Kolada: andel",
            "Mediandagar till första placering",
            "Mediantimmar från ansökan till möte",
            "Andel möten nästa arbetsdag",
            "Nästa arbetsdag fullbokad",
            "Ej föreslagna på 30 dagar",
            "Publicerade annonser",
            "Tillsatta annonser",
        ]
        .map(str::to_string),
    );
    let opt = Cell::int;
    // Shares and medians exactly as the JSON has them.
    let num = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);
    let row = |unit: &str, broker: (&str, &str), f: &Figures| -> Vec<Cell> {
        let mut v = vec![
            Cell::from(r.month.as_str()),
            Cell::from(unit),
            Cell::from(broker.0),
            Cell::from(broker.1),
            Cell::from(f.exits_to_work),
            Cell::from(f.exits_to_studies),
            Cell::from(f.exits_total),
            opt(f.target),
            Cell::from(f.ytd_exits),
            opt(f.ytd_target),
        ];
        for k in Kind::ALL {
            v.push(Cell::from(f.placements_started.get(k).copied().unwrap_or(0)));
        }
        for k in Kind::ALL {
            v.push(Cell::from(f.placements_ended.get(k).copied().unwrap_or(0)));
        }
        v.extend([
            Cell::from(f.kolada.participants_ended),
            Cell::from(f.kolada.started_work_or_studies),
            num(f.kolada.share),
            num(f.median_days_to_first_placement),
            num(f.median_hours_application_to_meeting),
            num(f.share_met_next_working_day),
            Cell::from(f.next_day_full),
            Cell::from(f.not_proposed_30_days),
            opt(f.openings_posted),
            opt(f.openings_filled),
        ]);
        v
    };
    let mut rows = Vec::new();
    for u in &r.units {
        rows.push(row(&u.unit, ("", ""), &u.figures));
        for b in &u.brokers {
            rows.push(row(&u.unit, (&b.broker_id, &b.broker_name), &b.figures));
        }
    }
    rows.push(row("Totalt", ("", ""), &r.totals));
    let mut table = Table::new(&header);
    table.rows = rows;
    table
}
