//! Index documents built from database rows. Personal identifiers and contact details are
//! never indexed: a seeker's document holds what they can do and where, not who they are.

use chrono::NaiveDate;
use tantivy::TantivyDocument;

use tantivy::schema::Field;

pub use crate::index::day_number;
use crate::index::{Fields, language_key, skill_key};
use crate::openings::Requirements;
use crate::openings::store::OpeningRow;
use crate::reference::{SkillRef, reference};
use crate::seekers::SeekerStatus;
use crate::seekers::store::SeekerRow;
use crate::vocabulary::Language;

fn parse_day(s: Option<&str>) -> Option<i64> {
    s.and_then(|d| d.parse::<NaiveDate>().ok()).map(day_number)
}

fn add_id(doc: &mut TantivyDocument, f: &Fields, id: &str) {
    doc.add_text(f.id, id);
    if let Ok(u) = uuid::Uuid::parse_str(id) {
        let (hi, lo) = u.as_u64_pair();
        doc.add_u64(f.id_hi, hi);
        doc.add_u64(f.id_lo, lo);
    }
}

fn add_text(doc: &mut TantivyDocument, f: &Fields, text: &str) {
    doc.add_text(f.text, text);
    doc.add_text(f.folded, text);
}

fn add_ssyk(doc: &mut TantivyDocument, f: &Fields, code: &str) {
    for len in 1..=code.len().min(4) {
        doc.add_text(f.ssyk, &code[..len]);
    }
    if let Ok(n) = code.parse::<u64>() {
        doc.add_u64(f.ssyk_code, n);
    }
    if let Some(name) = reference().ssyk_name(code) {
        add_text(doc, f, name);
    }
}

fn add_location(doc: &mut TantivyDocument, f: &Fields, municipality: &str) {
    doc.add_text(f.municipality, municipality);
    if let Some(i) = reference().municipality_index(municipality) {
        doc.add_u64(f.municipality_idx, i as u64);
    }
    if let Some(m) = reference().municipalities.get(municipality) {
        doc.add_f64(f.lat, m.lat);
        doc.add_f64(f.lon, m.lon);
    }
}

fn add_skills(doc: &mut TantivyDocument, f: &Fields, skills: &[SkillRef], keys: Field) {
    for s in skills {
        if let Some(id) = &s.id {
            doc.add_text(f.skill, id);
        }
        doc.add_u64(keys, skill_key(s));
        add_text(doc, f, &s.label);
    }
}

/// What a seeker's summary adds to the registered profile (`reading`, see
/// `seekers::reading`): the occupations it names when none is registered, the vocabulary
/// skills it names that are not registered, and the driving licences it names.
pub fn written(
    reading: Option<crate::vocabulary::written::Reading>,
    has_code: bool,
    registered: &[SkillRef],
) -> crate::vocabulary::written::Reading {
    let mut w = reading.unwrap_or_default();
    if has_code {
        w.occupations.clear();
    }
    w.skills.retain(|s| !registered.iter().any(|r| r.id.as_deref() == Some(s.id.as_str())));
    w
}

/// `None` for a seeker that is erased (it must leave the index).
pub fn seeker(f: &Fields, r: &SeekerRow) -> Option<TantivyDocument> {
    if r.erased_at.is_some() {
        return None;
    }
    let mut doc = TantivyDocument::default();
    add_id(&mut doc, f, &r.id);
    for part in [&r.first_name, &r.last_name].into_iter().flatten() {
        doc.add_text(f.person, part);
    }
    if let Some(m) = reference().municipalities.get(r.municipality_code.as_str()) {
        doc.add_text(f.person, &m.name);
    }
    if let Some(summary) = &r.summary {
        add_text(&mut doc, f, summary);
    }
    let occupations: Vec<String> = serde_json::from_str(&r.occupations).unwrap_or_default();
    for o in &occupations {
        add_ssyk(&mut doc, f, o);
    }
    let skills: Vec<SkillRef> = serde_json::from_str(&r.skills).unwrap_or_default();
    add_skills(&mut doc, f, &skills, f.skill_key);
    let reading = crate::seekers::reading(r.summary.as_deref(), r.inferred.as_deref());
    let read = written(reading, !occupations.is_empty(), &skills);
    for o in &read.occupations {
        for len in 1..=o.code.len().min(4) {
            doc.add_text(f.ssyk_inferred, &o.code[..len]);
        }
        doc.add_u64(f.inferred_code, crate::vocabulary::inferred_key(&o.code, o.confidence));
        // Its name's words count as a registered code's do.
        if let Some(name) = reference().ssyk_name(&o.code) {
            add_text(&mut doc, f, name);
        }
    }
    for s in &read.skills {
        doc.add_text(f.skill, &s.id);
        doc.add_u64(f.text_skill_key, skill_key(&SkillRef { id: Some(s.id.clone()), label: s.label.clone() }));
    }
    let languages: Vec<Language> = serde_json::from_str(&r.languages).unwrap_or_default();
    let reference = crate::reference::reference();
    for l in &languages {
        doc.add_text(f.language, &l.code);
        doc.add_u64(f.lang_key, language_key(&l.code, l.level));
        // A search finds a language by its name ("ukrainska"), as it finds a place: in the
        // field of words that find a person, not in the text matched against openings.
        if let Some(name) = reference.languages.get(&l.code) {
            doc.add_text(f.person, name);
        }
    }
    // A licence the person states in their own words is held as a registered one is: the
    // hard filter would otherwise hide everyone whose profile is only text.
    let mut licences: Vec<String> = serde_json::from_str(&r.driving_licences).unwrap_or_default();
    for l in &read.licences {
        if !licences.contains(&l.class) {
            licences.push(l.class.clone());
        }
    }
    for l in &licences {
        doc.add_text(f.licence, l);
    }
    doc.add_u64(f.licence_mask, crate::index::licence_mask(&licences));
    doc.add_u64(f.active, u64::from(r.status == SeekerStatus::Active));
    add_location(&mut doc, f, &r.municipality_code);
    doc.add_text(f.status, r.status.as_str());
    if let Some(u) = &r.unit {
        doc.add_text(f.unit, u);
    }
    if let Some(b) = &r.broker_id {
        doc.add_text(f.broker, b);
    }
    doc.add_i64(f.day, parse_day(r.available_from.as_deref()).unwrap_or(0));
    doc.add_u64(f.max_commute_km, r.max_commute_km.map(|k| k.max(0) as u64).unwrap_or(u64::MAX));
    // Doubled, plus one once proposed: at the same instant, someone just proposed has waited
    // less than someone who registered then.
    let waiting = match r.last_proposed_at {
        Some(at) => at * 2 + 1,
        None => r.registered_at * 2,
    };
    doc.add_i64(f.waiting_since, waiting);
    Some(doc)
}

/// `None` for a deleted opening.
pub fn opening(f: &Fields, r: &OpeningRow) -> Option<TantivyDocument> {
    if r.deleted_at.is_some() {
        return None;
    }
    let mut doc = TantivyDocument::default();
    add_id(&mut doc, f, &r.id);
    add_text(&mut doc, f, &r.headline);
    add_text(&mut doc, f, &r.description);
    add_ssyk(&mut doc, f, &r.occupation);
    for (reqs, must) in [(&r.must_have, true), (&r.nice_to_have, false)] {
        let reqs: Requirements = serde_json::from_str(reqs).unwrap_or_default();
        add_skills(&mut doc, f, &reqs.skills, if must { f.must_skill } else { f.nice_skill });
        for l in &reqs.languages {
            doc.add_text(f.language, &l.code);
            doc.add_u64(if must { f.must_lang } else { f.nice_lang }, language_key(&l.code, l.level));
        }
        for l in &reqs.driving_licences {
            doc.add_text(f.licence, l);
            if must {
                doc.add_text(f.must_licence, l);
            }
        }
    }
    add_location(&mut doc, f, &r.municipality_code);
    doc.add_text(f.status, r.status.as_str());
    doc.add_text(f.employer, &r.employer_id);
    doc.add_text(f.employment_type, r.employment_type.as_str());
    doc.add_i64(f.day, parse_day(r.start_date.as_deref()).unwrap_or(0));
    Some(doc)
}
