//! The monthly report as CSV for Swedish Excel.

use super::{Figures, Report};
use crate::placements::Kind;

/// The report as CSV: one row for each unit, each of its brokers, and the totals, from the
/// same figures as the JSON. For Swedish Excel (see [`crate::export`]): Swedish headers, `;`, decimal comma.
pub fn to_csv(r: &Report) -> String {
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
    let opt = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    let num = |v: Option<f64>| v.map(|x| x.to_string().replace('.', ",")).unwrap_or_default();
    let row = |unit: &str, broker: (&str, &str), f: &Figures| -> Vec<String> {
        let mut v = vec![
            r.month.clone(),
            unit.to_string(),
            broker.0.to_string(),
            broker.1.to_string(),
            f.exits_to_work.to_string(),
            f.exits_to_studies.to_string(),
            f.exits_total.to_string(),
            opt(f.target),
            f.ytd_exits.to_string(),
            opt(f.ytd_target),
        ];
        for k in Kind::ALL {
            v.push(f.placements_started.get(k).copied().unwrap_or(0).to_string());
        }
        for k in Kind::ALL {
            v.push(f.placements_ended.get(k).copied().unwrap_or(0).to_string());
        }
        v.extend([
            f.kolada.participants_ended.to_string(),
            f.kolada.started_work_or_studies.to_string(),
            num(f.kolada.share),
            num(f.median_days_to_first_placement),
            num(f.median_hours_application_to_meeting),
            num(f.share_met_next_working_day),
            f.next_day_full.to_string(),
            f.not_proposed_30_days.to_string(),
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
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    crate::export::excel_csv(&header, &rows)
}
