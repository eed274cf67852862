//! Validation of the coded lists seekers and openings share: SSYK occupations, skills,
//! languages with levels, driving licences and municipalities. Unknown codes are errors,
//! never stored silently.

pub mod written;

use serde::{Deserialize, Serialize};

use crate::error::{Errors, Fault};
use crate::reference::{SkillRef, reference};

/// How well someone uses a language, in the order a requirement compares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LanguageLevel {
    Basic,
    Good,
    Fluent,
    Native,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Language {
    pub code: String,
    pub level: LanguageLevel,
}

/// A language requirement: the level is the least accepted (`basic` when left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageRequirement {
    pub code: String,
    #[serde(default = "basic")]
    pub level: LanguageLevel,
}

fn basic() -> LanguageLevel {
    LanguageLevel::Basic
}

crate::text_newtype! {
    /// A Swedish municipality code (kommunkod, 4 digits) in the reference list.
    pub struct MunicipalityCode; plain
}

impl MunicipalityCode {
    pub fn from_stored(code: String) -> Option<Self> {
        reference().municipalities.contains_key(&code).then_some(Self(code))
    }
}

crate::text_newtype! {
    /// An SSYK 2012 unit group (4 digits) in the reference list.
    pub struct SsykCode; plain
}

impl SsykCode {
    /// A stored code: four digits. Which groups exist is checked when a code comes in
    /// ([`SsykCode::known`]); a record written under a newer taxonomy version may hold a
    /// group this process learns of only at its next check, and must still be readable.
    pub fn from_stored(code: String) -> Option<Self> {
        (code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit())).then_some(Self(code))
    }

    /// A unit group of the taxonomy version in force.
    pub fn known(code: String) -> Option<Self> {
        reference().is_ssyk4(&code).then_some(Self(code))
    }
}

pub fn municipality(code: &str, field: &str, errors: &mut Errors) -> Option<MunicipalityCode> {
    let parsed = MunicipalityCode::from_stored(code.trim().to_string());
    if parsed.is_none() {
        errors.add(field, Fault::Unknown, format!("`{code}` is not a Swedish municipality code (kommunkod, 4 digits)"));
    }
    parsed
}

/// An SSYK 2012 unit group (4 digits, or a manager pair code such as `1290`), or a JobTech
/// occupation-name concept id, which is stored as its unit group.
pub fn occupation(code: &str, field: &str, errors: &mut Errors) -> Option<SsykCode> {
    let code = code.trim();
    let parsed = SsykCode::known(code.to_string())
        .or_else(|| SsykCode::known(reference().occupation_by_concept(code)?.ssyk4.clone()));
    if parsed.is_none() {
        errors.add(
            field,
            Fault::Unknown,
            format!("`{code}` is neither an SSYK 2012 unit group (4 digits) nor a JobTech occupation concept id"),
        );
    }
    parsed
}

/// A JobTech occupation-name concept id, as its SSYK unit group.
pub fn occupation_concept(id: &str, field: &str, errors: &mut Errors) -> Option<SsykCode> {
    let parsed = reference().occupation_by_concept(id.trim()).and_then(|o| SsykCode::known(o.ssyk4.clone()));
    if parsed.is_none() {
        errors.add(field, Fault::Unknown, format!("`{id}` is not a JobTech occupation concept id"));
    }
    parsed
}

/// Checks SSYK codes, dropping duplicates and keeping the order given.
pub fn occupations(codes: &[String], field: &str, errors: &mut Errors) -> Vec<SsykCode> {
    if codes.len() > 10 {
        errors.add(field, Fault::Range, "at most 10 occupations");
    }
    let mut out: Vec<SsykCode> = Vec::new();
    for (i, c) in codes.iter().enumerate() {
        if let Some(c) = occupation(c, &format!("{field}[{i}]"), errors)
            && !out.contains(&c)
        {
            out.push(c);
        }
    }
    out
}

/// Vocabulary ids or free text; free text is normalised to the vocabulary where it matches.
pub fn skills(items: &[String], field: &str, errors: &mut Errors) -> Vec<SkillRef> {
    if items.len() > 50 {
        errors.add(field, Fault::Range, "at most 50 skills");
    }
    let mut out: Vec<SkillRef> = Vec::new();
    for (i, s) in items.iter().enumerate() {
        let text = s.trim();
        if text.is_empty() || text.chars().count() > 100 {
            errors.add(format!("{field}[{i}]"), Fault::Length, "must be 1 to 100 characters");
            continue;
        }
        let skill = reference().resolve_skill(text);
        if !out.iter().any(|o| o.label.eq_ignore_ascii_case(&skill.label)) {
            out.push(skill);
        }
    }
    out
}

fn language_code(code: &str, field: &str, errors: &mut Errors) -> String {
    let code = code.trim().to_ascii_lowercase();
    if !reference().languages.contains_key(&code) {
        errors.add(field, Fault::Unknown, format!("`{code}` is not an ISO 639 language code"));
    }
    code
}

pub fn languages(items: &[Language], field: &str, errors: &mut Errors) -> Vec<Language> {
    let mut out: Vec<Language> = Vec::new();
    for (i, l) in items.iter().enumerate() {
        let code = language_code(&l.code, &format!("{field}[{i}].code"), errors);
        if out.iter().any(|o| o.code == code) {
            errors.add(format!("{field}[{i}].code"), Fault::Duplicate, "is listed twice");
        } else {
            out.push(Language { code, level: l.level });
        }
    }
    out
}

pub fn language_requirements(
    items: &[LanguageRequirement],
    field: &str,
    errors: &mut Errors,
) -> Vec<LanguageRequirement> {
    let mut out: Vec<LanguageRequirement> = Vec::new();
    for (i, l) in items.iter().enumerate() {
        let code = language_code(&l.code, &format!("{field}[{i}].code"), errors);
        if !out.iter().any(|o| o.code == code) {
            out.push(LanguageRequirement { code, level: l.level });
        }
    }
    out
}

pub fn driving_licences(items: &[String], field: &str, errors: &mut Errors) -> Vec<String> {
    let known = &reference().driving_licences;
    let mut out: Vec<String> = Vec::new();
    for (i, l) in items.iter().enumerate() {
        let l = l.trim().to_ascii_uppercase();
        if !known.contains(&l) {
            errors.add(
                format!("{field}[{i}]"),
                Fault::Unknown,
                format!("`{l}` is not a driving licence class ({})", known.join(", ")),
            );
        } else if !out.contains(&l) {
            out.push(l);
        }
    }
    out.sort();
    out
}

/// Unicode NFC: "Å" typed as A and a combining ring is stored as the one letter, so the same
/// name is the same text for search, duplicates and sorting.
fn nfc(v: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    v.nfc().collect()
}

/// Text read from another service (a job ad): what a person would be refused for typing is
/// dropped instead (control characters except, with `lines`, new lines and tabs;
/// bidirectional overrides), `\r\n` becomes `\n`, and it is cut at `max` characters.
pub fn tidied(value: &str, max: usize, lines: bool) -> String {
    let v = nfc(value.replace("\r\n", "\n").trim());
    let kept: String = v.chars().filter(|&c| !crate::text::forbidden(c, lines)).collect();
    let kept = if lines { kept } else { crate::text::clean(&kept) };
    match kept.char_indices().nth(max) {
        Some((at, _)) => kept[..at].trim_end().to_string(),
        None => kept,
    }
}

/// A required text of bounded length, trimmed, in NFC.
pub fn text(value: &str, field: &str, max: usize, errors: &mut Errors) -> String {
    let v = nfc(value.trim());
    if v.is_empty() {
        errors.add(field, Fault::Required, "must not be empty");
    } else if v.chars().count() > max {
        errors.add(field, Fault::Length, format!("must be at most {max} characters"));
    } else {
        characters(&v, field, false, errors);
    }
    v
}

/// Refuses control characters (newline and tab too, unless `free_text`) and bidirectional
/// overrides. The message never repeats the value.
fn characters(v: &str, field: &str, free_text: bool, errors: &mut Errors) {
    if crate::text::forbidden_char(v, free_text).is_some() {
        let allowed = if free_text { " (new lines and tabs are allowed)" } else { "" };
        errors.add(
            field,
            Fault::Character,
            format!("must not contain control characters or bidirectional overrides{allowed}"),
        );
    }
}

/// Free text about a person or a job (several lines allowed), in NFC; blank becomes none.
pub fn free_text(value: &Option<String>, field: &str, max: usize, errors: &mut Errors) -> Option<String> {
    let v = nfc(value.as_deref().map(str::trim).filter(|v| !v.is_empty())?);
    if v.chars().count() > max {
        errors.add(field, Fault::Length, format!("must be at most {max} characters"));
    } else {
        characters(&v, field, true, errors);
    }
    Some(v)
}

/// An optional text, in NFC: blank becomes none.
pub fn optional_text(value: &Option<String>, field: &str, max: usize, errors: &mut Errors) -> Option<String> {
    let v = nfc(value.as_deref().map(str::trim).filter(|v| !v.is_empty())?);
    if v.chars().count() > max {
        errors.add(field, Fault::Length, format!("must be at most {max} characters"));
    } else {
        characters(&v, field, false, errors);
    }
    Some(v)
}

pub fn ssyk_number(code: &str) -> u64 {
    code.parse().unwrap_or(0)
}

/// An inferred occupation in a fast field: an SSYK 4 code as itself, a 3-digit minor group
/// ("undersköterska" is any of 532x) as `MINOR_GROUP + group`.
pub const MINOR_GROUP: u64 = 10_000;

pub fn inferred_number(code: &str) -> u64 {
    let n = ssyk_number(code);
    if code.len() == 3 { MINOR_GROUP + n } else { n }
}

/// Bits below an inferred key's confidence level: every [`inferred_number`] (< 11 000) fits.
pub const LEVEL_SHIFT: u32 = 14;

/// An inferred occupation with its confidence level (`written::LEVELS`) in one number that
/// fits the ranking's 16-bit table: `level << LEVEL_SHIFT | inferred_number`. Level 0 (sure,
/// as a registered code) is a plain [`inferred_number`].
pub fn inferred_key(code: &str, confidence: f32) -> u64 {
    ((written::level(confidence) as u64) << LEVEL_SHIFT) | inferred_number(code)
}

/// The inferred number and the confidence factor of an [`inferred_key`].
pub fn inferred_parts(key: u64) -> (u64, f64) {
    let level = (key >> LEVEL_SHIFT) as usize;
    (key & ((1 << LEVEL_SHIFT) - 1), f64::from(written::LEVELS[level.min(written::LEVELS.len() - 1)]))
}
