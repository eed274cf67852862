//! The follow-up chart: per exit month, the share not returned after 3, 6 and 12 months, as
//! an SVG the page embeds. Built from numbers only.

use super::{Cohort, HORIZONS};

const COLOURS: [&str; 3] = ["#90caf9", "#1e88e5", "#0d47a1"];

pub fn chart(cohorts: &[Cohort]) -> String {
    let (w, h, pad) = (720.0, 260.0, 36.0);
    let slot = (w - 2.0 * pad) / cohorts.len().max(1) as f64;
    let bar = slot * 0.8 / HORIZONS.len() as f64;
    let y = |v: f64| h - pad - v * (h - 2.0 * pad);
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="follow-up-title"><title id="follow-up-title">Andel som inte återkommit till försörjningsstöd efter 3, 6 och 12 månader, per avslutsmånad</title><line x1="{pad}" y1="{b}" x2="{r}" y2="{b}" stroke="#555"/><text x="{t}" y="{top}" font-size="10" text-anchor="end">100 %</text><text x="{t}" y="{mid}" font-size="10" text-anchor="end">50 %</text>"##,
        b = h - pad,
        r = w - pad,
        t = pad - 4.0,
        top = y(1.0) + 4.0,
        mid = y(0.5) + 4.0,
    );
    for (i, c) in cohorts.iter().enumerate() {
        let x = pad + i as f64 * slot + slot * 0.1;
        for (j, hz) in c.horizons.iter().enumerate() {
            let Some(share) = hz.share_not_returned else { continue };
            let note = if hz.complete { "" } else { " (preliminärt)" };
            s.push_str(&format!(
                r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}: {:.0} % ej återkommit efter {} månader{note}</title></rect>"##,
                x + j as f64 * bar,
                y(share),
                bar * 0.9,
                (h - pad) - y(share),
                COLOURS[j % COLOURS.len()],
                c.exit_month,
                share * 100.0,
                hz.months,
            ));
        }
        s.push_str(&format!(
            r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}</text>"##,
            pad + i as f64 * slot + slot / 2.0,
            h - pad + 14.0,
            c.exit_month.get(5..).unwrap_or(&c.exit_month),
        ));
    }
    s.push_str("</svg>");
    s
}
