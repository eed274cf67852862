//! The chart of the last twelve months against target, as an SVG the page embeds.

use super::Month;

const MONTHS_SV: [&str; 12] = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];

/// Bars for exits to work or studies, a line for the target.
pub fn chart(months: &[(Month, i64, Option<i64>)]) -> String {
    let (w, h, pad) = (720.0, 260.0, 36.0);
    let max = months.iter().map(|(_, e, t)| (*e).max(t.unwrap_or(0))).max().unwrap_or(0).max(1) as f64;
    let slot = (w - 2.0 * pad) / months.len().max(1) as f64;
    let y = |v: f64| h - pad - v / max * (h - 2.0 * pad);
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="chart-title"><title id="chart-title">Avslut till arbete eller studier per månad, mot mål</title><line x1="{pad}" y1="{b}" x2="{r}" y2="{b}" stroke="#555"/>"##,
        b = h - pad,
        r = w - pad
    );
    let mut target_points = Vec::new();
    for (i, (m, exits, target)) in months.iter().enumerate() {
        let x = pad + i as f64 * slot;
        let met = target.is_some_and(|t| *exits >= t);
        let colour = if met { "#2e7d32" } else { "#1565c0" };
        s.push_str(&format!(
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{colour}"><title>{m}: {exits} avslut</title></rect><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}</text><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{exits}</text>"##,
            x + slot * 0.15,
            y(*exits as f64),
            slot * 0.7,
            (h - pad) - y(*exits as f64),
            x + slot / 2.0,
            h - pad + 14.0,
            MONTHS_SV[(m.month - 1) as usize],
            x + slot / 2.0,
            y(*exits as f64) - 4.0,
        ));
        if let Some(t) = target {
            target_points.push(format!("{:.1},{:.1}", x + slot / 2.0, y(*t as f64)));
        }
    }
    if !target_points.is_empty() {
        s.push_str(&format!(
            r##"<polyline points="{}" fill="none" stroke="#c62828" stroke-width="2" stroke-dasharray="6 3"><title>Mål (EOR)</title></polyline>"##,
            target_points.join(" ")
        ));
    }
    s.push_str("</svg>");
    s
}
