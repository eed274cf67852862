//! Reference data compiled into the binary (see `indexes/reference/README.md` for sources):
//! SSYK 2012 occupations, JobTech skills, occupation names and substitutability, languages,
//! driving licences, municipalities with centroids, and Platsa's synonym groups.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, RwLock};

use serde::{Deserialize, Serialize};

use crate::text::fold;

macro_rules! data {
    ($name:literal) => {
        include_str!(concat!("../indexes/reference/", $name))
    };
}

#[derive(Debug, Clone)]
pub struct Municipality {
    pub code: String,
    pub name: String,
    pub county: String,
    pub concept_id: String,
    pub lat: f64,
    pub lon: f64,
    pub population: u32,
}

#[derive(Debug, Clone)]
pub struct SsykGroup {
    pub level: u8,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Skill {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct OccupationName {
    pub id: String,
    pub label: String,
    pub ssyk4: String,
}

#[derive(Debug, Clone)]
pub struct LanguageTerm {
    pub code: String,
    pub label: String,
    pub concept_id: String,
}

#[derive(Default)]
pub struct ConceptIds {
    /// SSYK group concept → code (any level).
    pub ssyk: HashMap<String, String>,
    /// Occupation-name concept → index into `occupation_names`.
    pub occupation: HashMap<String, usize>,
    /// Language concept → ISO 639 code.
    pub language: HashMap<String, String>,
    /// Driving-licence concept → class (`B`, `CE`).
    pub licence: HashMap<String, String>,
}

/// A skill as stored on a seeker or opening: a vocabulary concept, or free text kept as typed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize, utoipa::ToSchema)]
pub struct SkillRef {
    pub id: Option<String>,
    pub label: String,
}

/// Terms of a newer version of JobTech's taxonomy (`platsa taxonomy update`, kept in the
/// database) that replace the compiled-in ones; a list left empty keeps the compiled-in one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Terms {
    pub version: i64,
    pub ssyk: Vec<SsykTerm>,
    pub occupation_names: Vec<OccupationTerm>,
    /// Occupation-name concept pairs (`substitutes` in JobTech's words) with the judgement,
    /// 25 (partly) or 75 (largely).
    pub substitutability: Vec<(String, String, u8)>,
    pub skills: Vec<SkillTerm>,
    /// Names and concept ids of municipalities; their centroids stay the compiled-in ones.
    pub municipalities: Vec<MunicipalityTerm>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SsykTerm {
    pub level: u8,
    pub code: String,
    pub name: String,
    pub concept_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OccupationTerm {
    pub concept_id: String,
    pub label: String,
    pub ssyk4: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SkillTerm {
    pub concept_id: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MunicipalityTerm {
    pub code: String,
    pub name: String,
    pub concept_id: String,
}

pub struct Reference {
    /// The taxonomy version in force; `None` for the compiled-in copy.
    pub version: Option<i64>,
    pub municipalities: HashMap<String, Municipality>,
    /// Municipality codes in order; a code's position is its compact index.
    pub municipality_codes: Vec<String>,
    pub ssyk: HashMap<String, SsykGroup>,
    /// Manager pair codes (`1290` for `1291` and `1292`).
    pub pair_codes: std::collections::HashSet<u64>,
    pub occupation_names: Vec<OccupationName>,
    /// SSYK 4 → substitutable SSYK 4 groups with the strongest judgement (25 or 75), in both
    /// directions.
    pub substitutes: HashMap<String, HashMap<String, u8>>,
    pub skills: Vec<Skill>,
    skill_by_id: HashMap<String, usize>,
    skill_by_folded: HashMap<String, usize>,
    /// SSYK 4 → indexes into `skills` that JobTech relates to the group.
    pub ssyk4_skills: HashMap<String, Vec<usize>>,
    /// ISO 639-1 (or -2 where there is no -1) → Swedish name.
    pub languages: HashMap<String, String>,
    /// Every language with a code, with JobTech's concept id, for the typeahead.
    pub language_terms: Vec<LanguageTerm>,
    pub driving_licences: Vec<String>,
    /// JobTech concept ids of the taxonomy terms a job ad names by id (JobStream): SSYK
    /// groups, occupation names, languages and driving licences → Platsa's codes.
    pub by_concept: ConceptIds,
    pub synonym_groups: Vec<Vec<String>>,
    synonym_by_folded: HashMap<String, usize>,
    /// Folded skill labels (kind 0) and synonyms (kind 1) with their length in characters and
    /// skill index, by (length, kind, word): the typo-tolerant lookup's candidates.
    fuzzy: Vec<(usize, u8, String, usize)>,
    pub given_names: Vec<String>,
    pub surnames: Vec<String>,
    /// Free-text skills already matched against the labels (a register repeats the same
    /// words on thousands of rows: each is looked up once).
    seen: Mutex<HashMap<String, Option<usize>>>,
    /// What other modules build from this version (typeahead lists, the occupation reader),
    /// by type, built once per version.
    derived: Mutex<HashMap<TypeId, &'static (dyn Any + Send + Sync)>>,
}

/// The reference data in force: the newest installed taxonomy version, else the compiled-in
/// copy.
pub fn reference() -> &'static Reference {
    if let Some(r) = *INSTALLED.read().unwrap_or_else(|p| p.into_inner()) {
        return r;
    }
    compiled()
}

/// The compiled-in copy, the fallback whatever is installed.
pub fn compiled() -> &'static Reference {
    static REF: OnceLock<Reference> = OnceLock::new();
    REF.get_or_init(|| Reference::build(None))
}

static INSTALLED: RwLock<Option<&'static Reference>> = RwLock::new(None);

/// Puts a taxonomy version in force for every later [`reference`] call. Each version lives
/// for the rest of the process (readers hold `&'static` references into it): a few MB per
/// update, and JobTech publishes a few versions a year.
pub fn install(terms: &Terms) -> &'static Reference {
    let r: &'static Reference = Box::leak(Box::new(Reference::build(Some(terms))));
    *INSTALLED.write().unwrap_or_else(|p| p.into_inner()) = Some(r);
    r
}

fn rows<T: for<'de> Deserialize<'de>>(text: &str) -> Vec<T> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("bundled reference data parses")
}

impl Reference {
    /// The compiled-in lists, each replaced by the taxonomy version's where it has one.
    fn build(terms: Option<&Terms>) -> Self {
        let newer = |list_empty: bool| terms.is_some() && !list_empty;
        #[derive(Deserialize)]
        struct M {
            kommunkod: String,
            name: String,
            county_name: String,
            jobtech_concept_id: String,
            lat: f64,
            lon: f64,
            population: u32,
        }
        let municipalities = rows::<M>(data!("municipalities.csv"))
            .into_iter()
            .map(|m| {
                (
                    m.kommunkod.clone(),
                    Municipality {
                        code: m.kommunkod,
                        name: m.name,
                        county: m.county_name,
                        concept_id: m.jobtech_concept_id,
                        lat: m.lat,
                        lon: m.lon,
                        population: m.population,
                    },
                )
            })
            .collect::<HashMap<String, Municipality>>();
        let mut municipalities = municipalities;
        for t in terms.map(|t| t.municipalities.as_slice()).unwrap_or_default() {
            // A code without a centroid here cannot be placed on the map: it is reported by
            // the update and left out.
            if let Some(m) = municipalities.get_mut(&t.code) {
                m.name = t.name.clone();
                m.concept_id = t.concept_id.clone();
            }
        }

        let mut municipality_codes: Vec<String> = municipalities_keys(&municipalities);
        municipality_codes.sort();

        #[derive(Deserialize)]
        struct S {
            level: u8,
            code: String,
            name_sv: String,
            jobtech_concept_id: String,
        }
        let mut by_concept = ConceptIds::default();
        let ssyk_rows: Vec<S> = match terms.filter(|t| newer(t.ssyk.is_empty())) {
            Some(t) => t
                .ssyk
                .iter()
                .map(|g| S {
                    level: g.level,
                    code: g.code.clone(),
                    name_sv: g.name.clone(),
                    jobtech_concept_id: g.concept_id.clone(),
                })
                .collect(),
            None => rows::<S>(data!("ssyk2012.csv")),
        };
        let mut ssyk: HashMap<String, SsykGroup> = ssyk_rows
            .into_iter()
            .map(|s| {
                by_concept.ssyk.insert(s.jobtech_concept_id, s.code.clone());
                (s.code.clone(), SsykGroup { level: s.level, code: s.code, name: s.name_sv })
            })
            .collect();
        // Managers come in two levels (`1291`, `1292` "…, nivå 1/2"); JobTech's occupation
        // names and substitutability use the pair's code `1290`. It is accepted as a unit
        // group of its own, named like the minor group, and matches both levels exactly.
        let mut pair_codes = std::collections::HashSet::new();
        let minors: Vec<SsykGroup> = ssyk.values().filter(|g| g.level == 3).cloned().collect();
        for g in minors {
            let levels = |d: char| ssyk.get(&format!("{}{d}", g.code)).is_some_and(|m| m.name.contains("nivå"));
            let pair = format!("{}0", g.code);
            if levels('1') && levels('2') && !ssyk.contains_key(&pair) {
                pair_codes.insert(pair.parse::<u64>().unwrap_or(0));
                ssyk.insert(pair.clone(), SsykGroup { level: 4, code: pair, name: g.name.clone() });
            }
        }

        #[derive(Deserialize)]
        struct O {
            concept_id: String,
            label_sv: String,
            ssyk4: String,
        }
        let occupation_names: Vec<OccupationName> = match terms.filter(|t| newer(t.occupation_names.is_empty())) {
            Some(t) => t
                .occupation_names
                .iter()
                .map(|o| OccupationName { id: o.concept_id.clone(), label: o.label.clone(), ssyk4: o.ssyk4.clone() })
                .collect(),
            None => rows::<O>(data!("occupation_names.csv"))
                .into_iter()
                .map(|o| OccupationName { id: o.concept_id, label: o.label_sv, ssyk4: o.ssyk4 })
                .collect(),
        };
        by_concept.occupation = occupation_names.iter().enumerate().map(|(i, o)| (o.id.clone(), i)).collect();
        let ssyk_of: HashMap<&str, &str> = occupation_names.iter().map(|o| (o.id.as_str(), o.ssyk4.as_str())).collect();

        #[derive(Deserialize)]
        struct Sub {
            occupation_id: String,
            substitute_id: String,
            percentage: u8,
        }
        let mut substitutes: HashMap<String, HashMap<String, u8>> = HashMap::new();
        let sub_rows: Vec<Sub> = match terms.filter(|t| newer(t.substitutability.is_empty())) {
            Some(t) => t
                .substitutability
                .iter()
                .map(|(a, b, p)| Sub { occupation_id: a.clone(), substitute_id: b.clone(), percentage: *p })
                .collect(),
            None => rows::<Sub>(data!("occupation_substitutability.csv")),
        };
        for s in sub_rows {
            let (Some(a), Some(b)) = (ssyk_of.get(s.occupation_id.as_str()), ssyk_of.get(s.substitute_id.as_str()))
            else {
                continue;
            };
            // The table holds many judgements one way only: a pair counts in both
            // directions, with the stronger judgement. A pair code stands for both levels.
            let expand = |code: &str| -> Vec<String> {
                if pair_codes.contains(&code.parse::<u64>().unwrap_or(0)) {
                    vec![code.to_string(), format!("{}1", &code[..3]), format!("{}2", &code[..3])]
                } else {
                    vec![code.to_string()]
                }
            };
            for a in expand(a) {
                for b in expand(b) {
                    if a != b {
                        for (x, y) in [(&a, &b), (&b, &a)] {
                            let e = substitutes.entry(x.clone()).or_default().entry(y.clone()).or_insert(0);
                            *e = (*e).max(s.percentage);
                        }
                    }
                }
            }
        }

        #[derive(Deserialize)]
        struct Sk {
            concept_id: String,
            label_sv: String,
        }
        let skills: Vec<Skill> = match terms.filter(|t| newer(t.skills.is_empty())) {
            Some(t) => t.skills.iter().map(|s| Skill { id: s.concept_id.clone(), label: s.label.clone() }).collect(),
            None => rows::<Sk>(data!("skills.csv"))
                .into_iter()
                .map(|s| Skill { id: s.concept_id, label: s.label_sv })
                .collect(),
        };
        let skill_by_id = skills.iter().enumerate().map(|(i, s)| (s.id.clone(), i)).collect();
        let skill_by_folded = skills.iter().enumerate().map(|(i, s)| (fold(&s.label), i)).collect();

        #[derive(Deserialize)]
        struct Rel {
            ssyk4: String,
            skill_id: String,
        }
        let mut ssyk4_skills: HashMap<String, Vec<usize>> = HashMap::new();
        let by_id: &HashMap<String, usize> = &skill_by_id;
        for r in rows::<Rel>(data!("ssyk4_skills.csv")) {
            if let Some(&i) = by_id.get(&r.skill_id) {
                ssyk4_skills.entry(r.ssyk4).or_default().push(i);
            }
        }

        #[derive(Deserialize)]
        struct L {
            concept_id: String,
            label_sv: String,
            iso_639_1: String,
            iso_639_2: String,
        }
        let language_terms: Vec<LanguageTerm> = rows::<L>(data!("languages.csv"))
            .into_iter()
            .filter_map(|l| {
                let code = if l.iso_639_1.is_empty() { l.iso_639_2 } else { l.iso_639_1 };
                (!code.is_empty()).then_some(LanguageTerm { code, label: l.label_sv, concept_id: l.concept_id })
            })
            .collect();
        let languages = language_terms.iter().map(|l| (l.code.clone(), l.label.clone())).collect();
        by_concept.language = language_terms.iter().map(|l| (l.concept_id.clone(), l.code.clone())).collect();

        #[derive(Deserialize)]
        struct D {
            concept_id: String,
            label_sv: String,
        }
        // "Utökad B" (B96) is not a class of its own here: it names B.
        let licence_rows = rows::<D>(data!("driving_licences.csv"));
        by_concept.licence = licence_rows
            .iter()
            .map(|d| (d.concept_id.clone(), d.label_sv.strip_prefix("Utökad ").unwrap_or(&d.label_sv).to_string()))
            .collect();
        let mut driving_licences: Vec<String> =
            licence_rows.into_iter().map(|d| d.label_sv).filter(|l| l.len() <= 3).collect();
        driving_licences.sort();

        let synonym_groups: Vec<Vec<String>> = include_str!("../indexes/synonyms.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| l.split(',').map(|w| w.trim().to_string()).filter(|w| !w.is_empty()).collect())
            .collect();
        let mut synonym_by_folded = HashMap::new();
        for (i, g) in synonym_groups.iter().enumerate() {
            for w in g {
                synonym_by_folded.insert(fold(w), i);
            }
        }
        let skill_by_folded: HashMap<String, usize> = skill_by_folded;
        let mut fuzzy: Vec<(usize, u8, String, usize)> =
            skill_by_folded.iter().map(|(w, &i)| (w.chars().count(), 0, w.clone(), i)).collect();
        for (w, &g) in &synonym_by_folded {
            if let Some(&i) = skill_by_folded.get(&fold(&synonym_groups[g][0])) {
                fuzzy.push((w.chars().count(), 1, w.clone(), i));
            }
        }
        fuzzy.sort();

        #[derive(Deserialize)]
        struct N {
            name: String,
        }
        let mut given_names: Vec<String> =
            rows::<N>(data!("names_given_women.csv")).into_iter().map(|n| n.name).collect();
        given_names.extend(rows::<N>(data!("names_given_men.csv")).into_iter().map(|n| n.name));
        let surnames = rows::<N>(data!("names_surnames.csv")).into_iter().map(|n| n.name).collect();

        Self {
            version: terms.map(|t| t.version),
            municipalities,
            municipality_codes,
            ssyk,
            pair_codes,
            occupation_names,
            substitutes,
            skills,
            skill_by_id,
            skill_by_folded,
            ssyk4_skills,
            languages,
            language_terms,
            driving_licences,
            by_concept,
            synonym_groups,
            synonym_by_folded,
            fuzzy,
            given_names,
            surnames,
            seen: Mutex::default(),
            derived: Mutex::default(),
        }
    }

    /// The lists of a taxonomy version (the compiled-in ones where it has none), not put in
    /// force: for comparing with the version in force.
    pub fn with_terms(terms: &Terms) -> Self {
        Self::build(Some(terms))
    }

    /// What a module builds from this version's lists, built on first use and kept as long
    /// as the version (a newer one builds its own).
    pub fn derived<T: Any + Send + Sync>(&'static self, build: impl FnOnce(&'static Reference) -> T) -> &'static T {
        let key = TypeId::of::<T>();
        let found = self.derived.lock().unwrap_or_else(|p| p.into_inner()).get(&key).copied();
        if let Some(v) = found.and_then(|v| v.downcast_ref::<T>()) {
            return v;
        }
        // Built outside the lock; should two threads race, the first stored wins.
        let value: &'static T = Box::leak(Box::new(build(self)));
        let mut map = self.derived.lock().unwrap_or_else(|p| p.into_inner());
        let stored = *map.entry(key).or_insert(value);
        stored.downcast_ref::<T>().unwrap_or(value)
    }

    pub fn municipality_index(&self, code: &str) -> Option<usize> {
        self.municipality_codes.binary_search_by(|c| c.as_str().cmp(code)).ok()
    }

    /// A 4-digit SSYK unit group that exists.
    pub fn is_ssyk4(&self, code: &str) -> bool {
        code.len() == 4 && self.ssyk.get(code).is_some_and(|g| g.level == 4)
    }

    /// Whether two SSYK 4 codes name the same occupation: equal, or a manager pair code and
    /// one of its levels.
    pub fn same_unit_group(&self, a: u64, b: u64) -> bool {
        a == b || (a / 10 == b / 10 && (self.pair_codes.contains(&a) || self.pair_codes.contains(&b)))
    }

    /// A JobTech occupation name by its concept id (`bSEB_VKd_Ub3` → Undersköterska…, 5321).
    pub fn occupation_by_concept(&self, id: &str) -> Option<&OccupationName> {
        self.by_concept.occupation.get(id).map(|&i| &self.occupation_names[i])
    }

    pub fn ssyk_name(&self, code: &str) -> Option<&str> {
        self.ssyk.get(code).map(|g| g.name.as_str())
    }

    pub fn skill(&self, id: &str) -> Option<&Skill> {
        self.skill_by_id.get(id).map(|&i| &self.skills[i])
    }

    /// The synonym group a word belongs to, if any.
    pub fn synonyms_of(&self, word: &str) -> Option<&[String]> {
        self.synonym_by_folded.get(&fold(word)).map(|&i| self.synonym_groups[i].as_slice())
    }

    /// Normalises a skill as typed: a vocabulary id; else a label or synonym that matches
    /// exactly (ignoring case and accents) or closely (a typo or two); else the text itself.
    pub fn resolve_skill(&self, input: &str) -> SkillRef {
        let text = crate::text::clean(input);
        if let Some(s) = self.skill(&text) {
            return SkillRef { id: Some(s.id.clone()), label: s.label.clone() };
        }
        let folded = fold(&text);
        let found = self.skill_by_folded.get(&folded).copied().or_else(|| {
            // A synonym group whose first word is a vocabulary label.
            let group = &self.synonym_groups[*self.synonym_by_folded.get(&folded)?];
            self.skill_by_folded.get(&fold(&group[0])).copied()
        });
        let found = found.or_else(|| self.closest_skill(&folded));
        match found {
            Some(i) => SkillRef { id: Some(self.skills[i].id.clone()), label: self.skills[i].label.clone() },
            None => SkillRef { id: None, label: text },
        }
    }

    /// The closest label or synonym within a small edit distance; short words must match
    /// more closely so `bil` does not become `bild`.
    fn closest_skill(&self, folded: &str) -> Option<usize> {
        let n = folded.chars().count();
        if n < 4 {
            return None;
        }
        if let Some(found) = self.seen.lock().unwrap_or_else(|p| p.into_inner()).get(folded) {
            return *found;
        }
        let max_edits = if n < 8 { 1 } else { 2 };
        // Only words of a length within reach are compared; the first at the least distance
        // wins, labels before synonyms, so the answer is the same in every process.
        let from = self.fuzzy.partition_point(|f| f.0 + max_edits < n);
        let mut best: Option<(usize, usize)> = None;
        for (m, _, word, idx) in &self.fuzzy[from..] {
            if *m > n + max_edits {
                break;
            }
            let d = strsim::damerau_levenshtein(folded, word);
            if d <= max_edits && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, *idx));
            }
        }
        let found = best.map(|(_, i)| i);
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= 100_000 {
            seen.clear();
        }
        seen.insert(folded.to_string(), found);
        found
    }
}

fn municipalities_keys(m: &HashMap<String, Municipality>) -> Vec<String> {
    m.keys().cloned().collect()
}

/// Great-circle distance in km between two WGS84 points.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_the_lists() {
        let r = reference();
        assert_eq!(r.municipalities.len(), 290);
        assert_eq!(r.municipalities["1287"].name, "Trelleborg");
        assert!(r.is_ssyk4("5321") && !r.is_ssyk4("532") && !r.is_ssyk4("9999"));
        assert!(r.languages.contains_key("sv") && r.languages.contains_key("ar"));
        assert!(r.driving_licences.contains(&"CE".to_string()));
        assert!(r.skills.len() > 6000);
    }

    #[test]
    fn resolves_free_text_skills() {
        let r = reference();
        assert_eq!(r.resolve_skill("svetsning").label, "Svetsteknik");
        assert_eq!(r.resolve_skill("lokalvård").label, "Städtjänster");
        assert_eq!(r.resolve_skill("truckkort").label, "Truckvana");
        assert_eq!(r.resolve_skill("kassavana").label, "Kassavana");
        assert_eq!(r.resolve_skill("Kasavana").label, "Kassavana", "one typo");
        assert_eq!(r.resolve_skill("personlig omvardnad").label, "Personlig omvårdnad", "no å");
        let free = r.resolve_skill("  spelar   dragspel ");
        assert_eq!(free, SkillRef { id: None, label: "spelar dragspel".into() });
    }

    #[test]
    fn distances() {
        let r = reference();
        let m = |c: &str| (r.municipalities[c].lat, r.municipalities[c].lon);
        let d = haversine_km(m("1287"), m("1280")); // Trelleborg–Malmö
        assert!((20.0..40.0).contains(&d), "{d}");
    }
}
