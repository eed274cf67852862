//! A graded evaluation set made from the reference data, deterministic for a seed.
//!
//! Each opening gets people built around it (the same occupation written as a code or only
//! in the summary, must-haves held or only described or explicitly not held, occupations
//! Arbetsförmedlingen judges substitutable in either direction, the right person in the wrong
//! place, paused and licence-less decoys), and a crowd of generated seekers competes with
//! them. Grades come from a rule over what each person truly can do, never from Platsa's
//! own score:
//!
//! | grade | who |
//! |---|---|
//! | 3 | same occupation (unit group), every must-have skill, can commute there |
//! | 2 | an occupation judged largely substitutable (75), every must-have, can get there |
//! | 1 | partly substitutable (25) or same 3-digit group with every must-have; or the same occupation but one must-have missing, or out of commuting range |
//! | 0 | anyone else, and anyone not active or without a required driving licence |

use std::collections::{BTreeMap, HashSet};

use chrono::{Days, NaiveDate};

use super::EvalSet;
use crate::demo::generate::{Generator, Rng};
use crate::openings::OpeningInput;
use crate::reference::{haversine_km, reference};
use crate::seekers::{SeekerInput, SeekerStatus};
use crate::vocabulary::{Language, LanguageLevel};

pub use crate::demo::generate::personnummer;

/// What a generated person truly can do, which the grades are read from.
struct Truth {
    code: String,
    /// Only wants the occupation, has never done it: at most worth a look (grade 1).
    wish_only: bool,
    skills: HashSet<String>,
    municipality: String,
    commute: u32,
    active: bool,
    licences: Vec<String>,
}

/// Arbetsförmedlingen's judgement between two occupations, the stronger of both directions.
fn substitutability(a: &str, b: &str) -> u8 {
    let r = reference();
    let one = |x: &str, y: &str| r.substitutes.get(x).and_then(|m| m.get(y)).copied().unwrap_or(0);
    one(a, b).max(one(b, a))
}

fn grade(o: &OpeningInput, t: &Truth) -> u8 {
    if !t.active || o.must_have.driving_licences.iter().any(|l| !t.licences.contains(l)) {
        return 0;
    }
    let r = reference();
    let (a, b) = (&r.municipalities[&o.workplace_address.municipality_code], &r.municipalities[&t.municipality]);
    let reach = haversine_km((a.lat, a.lon), (b.lat, b.lon)) <= f64::from(t.commute) + 5.0;
    let missing = o.must_have.skills.iter().filter(|s| !t.skills.contains(*s)).count();
    let exact = t.code == o.occupation;
    let sub = substitutability(&t.code, &o.occupation);
    let minor = t.code.get(..3) == o.occupation.get(..3);
    let grade = match (exact, missing, reach) {
        (true, 0, true) => 3,
        (true, 0, false) | (true, 1, true) => 1,
        (false, 0, true) if sub >= 75 => 2,
        (false, 0, true) if sub > 0 || minor => 1,
        _ => 0,
    };
    if t.wish_only { grade.min(1) } else { grade }
}

struct Places {
    codes: Vec<String>,
}

impl Places {
    fn new() -> Self {
        let mut codes: Vec<String> = reference().municipalities.keys().cloned().collect();
        codes.sort();
        Self { codes }
    }

    fn km(a: &str, b: &str) -> f64 {
        let r = reference();
        let (a, b) = (&r.municipalities[a], &r.municipalities[b]);
        haversine_km((a.lat, a.lon), (b.lat, b.lon))
    }

    /// A municipality between `min` and `max` km from `from` (or `from` itself).
    fn within(&self, rng: &mut Rng, from: &str, min: f64, max: f64) -> String {
        let fits: Vec<&String> = self.codes.iter().filter(|c| (min..=max).contains(&Self::km(from, c))).collect();
        if fits.is_empty() { from.to_string() } else { (*rng.pick(&fits)).clone() }
    }
}

/// Occupations worth an opening: JobTech relates enough skills to them, and at least one
/// other occupation can substitute in either direction.
fn occupations() -> Vec<String> {
    let r = reference();
    let mut out: Vec<String> = r
        .ssyk4_skills
        .iter()
        .filter(|(code, skills)| {
            skills.len() >= 6
                && r.is_ssyk4(code)
                && !code.starts_with('0')
                && r.occupation_names.iter().any(|n| &n.ssyk4 == *code)
                && r.ssyk.values().any(|g| g.level == 4 && g.code != **code && substitutability(&g.code, code) > 0)
        })
        .map(|(c, _)| c.clone())
        .collect();
    out.sort();
    out
}

fn substitutes_of(code: &str, pct: u8) -> Vec<String> {
    let r = reference();
    let mut out: Vec<String> = r
        .ssyk
        .values()
        .filter(|g| g.level == 4 && g.code != code && substitutability(&g.code, code) == pct)
        .map(|g| g.code.clone())
        .collect();
    out.sort();
    out
}

struct Builder {
    rng: Rng,
    /// Write every person as free text only (no occupation, skill or licence codes).
    free_text: bool,
    places: Places,
    today: NaiveDate,
    seekers: BTreeMap<String, (SeekerInput, Truth)>,
}

/// How a person built for an opening differs from its perfect candidate.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Exact,
    ExactFurther,
    OccupationOnlyWritten,
    MustOnlyWritten,
    MustDenied,
    MustMissing,
    Largely,
    Partly,
    OutOfReach,
    Paused,
    NoLicence,
    Unrelated,
    /// Free text only: wants to become it, no experience.
    Wish,
    /// Free text only: did it once, does not want it again; now does something unrelated.
    Left,
    /// Free text only: says they never did it; does something unrelated.
    Never,
}

const KINDS: &[(Kind, usize)] = &[
    (Kind::Exact, 3),
    (Kind::ExactFurther, 1),
    (Kind::OccupationOnlyWritten, 2),
    (Kind::MustOnlyWritten, 1),
    (Kind::MustDenied, 1),
    (Kind::MustMissing, 1),
    (Kind::Largely, 1),
    (Kind::Partly, 1),
    (Kind::OutOfReach, 1),
    (Kind::Paused, 1),
    (Kind::NoLicence, 1),
    (Kind::Unrelated, 4),
];

/// The extra people a free-text set builds per opening.
const FREE_TEXT_KINDS: &[(Kind, usize)] = &[(Kind::Wish, 1), (Kind::Left, 1), (Kind::Never, 1)];

impl Builder {
    fn person(&mut self, o: &OpeningInput, kind: Kind, serial: usize) {
        let r = reference();
        let place = &o.workplace_address.municipality_code;
        let musts = &o.must_have.skills;
        let mut skills: Vec<String> = musts.clone();
        let nice: Vec<String> = o.nice_to_have.skills.iter().filter(|_| self.rng.chance(0.5)).cloned().collect();
        skills.extend(nice);
        let mut truth_skills: HashSet<String> = skills.iter().cloned().collect();
        let mut code = o.occupation.clone();
        let mut occupations = vec![code.clone()];
        let mut summary = format!(
            "{} Har arbetat i {} år.",
            self.rng.pick(&["Lugn och noggrann.", "Driven och ansvarstagande.", "Social och serviceinriktad."]),
            1 + self.rng.below(12)
        );
        let mut municipality = self.places.within(&mut self.rng, place, 0.0, 20.0);
        let mut commute = 40;
        let mut status = SeekerStatus::Active;
        let mut licences = vec!["B".to_string()];
        let mut licences_coded = true;
        let label = |id: &str| r.skill(id).map(|s| s.label.to_lowercase()).unwrap_or_default();
        let mut wish_only = false;
        let mut left = None;
        let mut never = Vec::new();
        let mut denied = None;
        match kind {
            Kind::Exact => {}
            Kind::ExactFurther => {
                municipality = self.places.within(&mut self.rng, place, 15.0, 40.0);
                commute = 60;
            }
            Kind::OccupationOnlyWritten => {
                let names: Vec<&str> =
                    r.occupation_names.iter().filter(|n| n.ssyk4 == code).map(|n| n.label.as_str()).collect();
                let name = self.rng.pick(&names).split('/').next().unwrap_or_default().to_lowercase();
                occupations.clear();
                let years = 1 + b_years(&mut self.rng);
                summary = match self.rng.below(3) {
                    0 => format!("Har arbetat som {name} i {years} år."),
                    1 => format!("Lugn och noggrann. Jobbat som {name} sedan {}.", 2026 - years),
                    _ => format!("Utbildad {name}, van vid tempo."),
                };
            }
            Kind::MustOnlyWritten => {
                if let Some(m) = musts.first() {
                    skills.retain(|s| s != m);
                    summary.push_str(&format!(" Har erfarenhet av {}.", label(m)));
                }
            }
            Kind::MustDenied => {
                if let Some(m) = musts.first() {
                    skills.retain(|s| s != m);
                    truth_skills.remove(m);
                    summary.push_str(&format!(" Ingen erfarenhet av {} men lär mig gärna.", label(m)));
                    denied = r.skill(m).map(|s| s.label.clone());
                }
            }
            Kind::MustMissing => {
                if let Some(m) = musts.first() {
                    skills.retain(|s| s != m);
                    truth_skills.remove(m);
                }
                for n in &o.nice_to_have.skills {
                    if !skills.contains(n) {
                        skills.push(n.clone());
                        truth_skills.insert(n.clone());
                    }
                }
            }
            Kind::Largely | Kind::Partly => {
                let subs = substitutes_of(&o.occupation, if kind == Kind::Largely { 75 } else { 25 });
                if subs.is_empty() {
                    return;
                }
                code = self.rng.pick(&subs).clone();
                occupations = vec![code.clone()];
            }
            Kind::OutOfReach => {
                municipality = self.places.within(&mut self.rng, place, 250.0, 2000.0);
                commute = 30;
            }
            Kind::Paused => status = SeekerStatus::Paused,
            Kind::NoLicence => licences.clear(),
            Kind::Wish => wish_only = true,
            // Someone of another major group; in free text, one who left this occupation or
            // never did it says so.
            Kind::Unrelated | Kind::Left | Kind::Never => {
                let others: Vec<String> =
                    occupations_pool().into_iter().filter(|c| c[..1] != o.occupation[..1]).collect();
                match kind {
                    Kind::Left => left = Some(o.occupation.clone()),
                    Kind::Never => never.push(o.occupation.clone()),
                    _ => {}
                }
                code = self.rng.pick(&others).clone();
                occupations = vec![code.clone()];
                let n = if kind == Kind::Unrelated { 3 } else { 2 };
                skills = r
                    .ssyk4_skills
                    .get(&code)
                    .map(|v| v.iter().take(n).map(|&i| r.skills[i].id.clone()).collect())
                    .unwrap_or_default();
                truth_skills = skills.iter().cloned().collect();
            }
        }
        if self.free_text {
            let labels: Vec<String> = skills.iter().filter_map(|id| r.skill(id)).map(|s| s.label.clone()).collect();
            let story = super::written::Story {
                code: &code,
                wish_only,
                skill_labels: &labels,
                never: &never,
                left: left.as_deref(),
                denied_skill: denied.as_deref(),
            };
            summary = super::written::write(&mut self.rng, &story);
            if licences.contains(&"B".to_string()) {
                const SAID: [&str; 4] = [" Har B-körkort.", " Körkort B.", " Har körkort.", " B-kort och egen bil."];
                let said = SAID[self.rng.below(SAID.len())];
                summary.push_str(said);
            }
            occupations.clear();
            skills.clear();
            licences_coded = false;
        }
        let key = format!("s{serial:04}");
        let input = SeekerInput {
            personnummer: personnummer(serial as u64),
            first_name: "Eva".into(),
            last_name: "Lund".into(),
            email: None,
            phone: None,
            municipality_code: municipality.clone(),
            occupations,
            occupation_concept_id: None,
            skills,
            languages: vec![Language { code: "sv".into(), level: LanguageLevel::Good }],
            driving_licences: if licences_coded { licences.clone() } else { Vec::new() },
            available_from: Some(self.today),
            max_commute_km: Some(commute),
            summary: Some(summary),
            unit: None,
            broker_id: None,
            status,
            exit_reason: None,
            exit_date: None,
            paused_until: (status == SeekerStatus::Paused).then(|| self.today + Days::new(30)),
            pause_reason: (status == SeekerStatus::Paused).then(|| "Föräldraledig".to_string()),
        };
        let truth = Truth {
            code,
            wish_only,
            skills: truth_skills,
            municipality,
            commute,
            active: status == SeekerStatus::Active,
            licences,
        };
        self.seekers.insert(key, (input, truth));
    }
}

fn b_years(rng: &mut Rng) -> usize {
    rng.below(12)
}

fn occupations_pool() -> Vec<String> {
    let r = reference();
    let mut v: Vec<String> = r.ssyk4_skills.keys().filter(|c| r.is_ssyk4(c) && !c.starts_with('0')).cloned().collect();
    v.sort();
    v
}

/// A set of `openings` openings, the people built for each, and `crowd` generated seekers.
/// With `free_text`, everyone is written as text only (`eval::written`), and openings lean
/// towards the occupations people most often describe that way.
pub fn generate(seed: u64, openings: usize, crowd: usize, free_text: bool) -> EvalSet {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid");
    let mut g = Generator::new(seed, today);
    let candidates = occupations();
    let mut b =
        Builder { rng: Rng::new(seed ^ 0x5eed), free_text, places: Places::new(), today, seekers: BTreeMap::new() };
    let common: Vec<String> = candidates.iter().filter(|c| super::written::commonly_written(c)).cloned().collect();
    let r = reference();
    let mut made: BTreeMap<String, OpeningInput> = BTreeMap::new();
    let mut serial = 0usize;
    for i in 0..openings {
        let mut o = g.opening("eval", None, false);
        o.employer_id = None;
        o.occupation = if free_text && !common.is_empty() && b.rng.chance(0.6) {
            b.rng.pick(&common).clone()
        } else {
            b.rng.pick(&candidates).clone()
        };
        let pool: Vec<String> = r.ssyk4_skills[&o.occupation].iter().map(|&i| r.skills[i].id.clone()).collect();
        let mut chosen: Vec<String> = Vec::new();
        while chosen.len() < 4 {
            let s = b.rng.pick(&pool).clone();
            if !chosen.contains(&s) {
                chosen.push(s);
            }
        }
        o.must_have.skills = chosen[..2].to_vec();
        o.nice_to_have.skills = chosen[2..].to_vec();
        o.must_have.driving_licences = if i % 3 == 0 { vec!["B".into()] } else { vec![] };
        let name = r.ssyk_name(&o.occupation).unwrap_or_default().to_string();
        let city = r.municipalities[&o.workplace_address.municipality_code].name.clone();
        o.headline = format!("{name} till {city}");
        o.description = format!("Vi söker {} till vår verksamhet i {city}.", name.to_lowercase());
        o.start_date = Some(today + Days::new(30));
        o.application_deadline = Some(today + Days::new(20));
        let extra = if free_text { FREE_TEXT_KINDS } else { &[] };
        for &(kind, n) in KINDS.iter().chain(extra) {
            for _ in 0..n {
                b.person(&o, kind, serial);
                serial += 1;
            }
        }
        made.insert(format!("o{i:03}"), o);
    }
    for i in 0..crowd {
        let mut s = g.seeker(serial as u64, None, None);
        let truth = Truth {
            code: s.occupations.first().cloned().unwrap_or_default(),
            wish_only: false,
            skills: s.skills.iter().cloned().collect(),
            municipality: s.municipality_code.clone(),
            commute: s.max_commute_km.unwrap_or(30),
            active: s.status == SeekerStatus::Active,
            licences: s.driving_licences.clone(),
        };
        if free_text {
            let labels: Vec<String> =
                s.skills.iter().map(|k| r.skill(k).map(|s| s.label.clone()).unwrap_or_else(|| k.clone())).collect();
            let story = super::written::Story {
                code: &truth.code,
                wish_only: false,
                skill_labels: &labels,
                never: &[],
                left: None,
                denied_skill: None,
            };
            let mut summary = super::written::write(&mut b.rng, &story);
            if s.driving_licences.contains(&"B".to_string()) {
                summary.push_str(" Har B-körkort.");
            }
            s.summary = Some(summary);
            s.occupations.clear();
            s.skills.clear();
            s.driving_licences.clear();
        }
        b.seekers.insert(format!("c{i:05}"), (SeekerInput { personnummer: personnummer(serial as u64), ..s }, truth));
        serial += 1;
    }
    let mut judgements: BTreeMap<String, BTreeMap<String, u8>> = BTreeMap::new();
    for (ok, o) in &made {
        for (sk, (_, t)) in &b.seekers {
            let g = grade(o, t);
            if g > 0 {
                judgements.entry(ok.clone()).or_default().insert(sk.clone(), g);
            }
        }
    }
    let seekers = b
        .seekers
        .into_iter()
        .map(|(k, (input, _))| {
            let mut v = serde_json::to_value(&input).expect("serializable");
            if let Some(obj) = v.as_object_mut() {
                for identity in ["personnummer", "first_name", "last_name", "email", "phone"] {
                    obj.remove(identity);
                }
            }
            (k, v)
        })
        .collect();
    EvalSet { today, openings: made, seekers, judgements }
}
