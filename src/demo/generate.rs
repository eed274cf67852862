//! Realistic people and openings made from the reference data: real names, SSYK groups with
//! the skills JobTech relates to them, municipalities weighted by population, Swedish
//! sentences. Deterministic for a seed, so benchmarks and demos are repeatable.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};

use crate::openings::{EmploymentType, OpeningInput, RequirementsInput, ScopeOfWork, WorkplaceAddress};
use crate::reference::{Reference, reference};
use crate::seekers::{SeekerInput, SeekerStatus};
use crate::vocabulary::{Language, LanguageLevel, LanguageRequirement};

/// A valid personnummer, unique per `n` (up to 16 million): the birth date and serial are
/// both derived from it.
pub fn personnummer(n: u64) -> String {
    let days = 16_000u64; // born 1962–2005
    let step = 7919; // a prime, so consecutive people get scattered birth dates
    let born = NaiveDate::from_ymd_opt(1962, 1, 1).unwrap() + Days::new(((n / 1000) * step + n) % days);
    let serial = (n % 1000) as u32;
    let body = format!("{}{:03}", born.format("%y%m%d"), serial);
    let sum: u32 = body
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap() * if i % 2 == 0 { 2 } else { 1 };
            if d > 9 { d - 9 } else { d }
        })
        .sum();
    format!("{}{serial:03}{}", born.format("%Y%m%d"), (10 - sum % 10) % 10)
}

/// SplitMix64: tiny, fast, and stable across crate versions (so a seed means the same data).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Occupations people on assistance are commonly matched to (SSYK 4), used more often than
/// the rest of the classification.
pub const COMMON_OCCUPATIONS: &[&str] = &[
    "5321", "5322", "5330", "9111", "9112", "9412", "5120", "8344", "9331", "9332", "5223", "5241", "7212", "8332",
    "8331", "7111", "7112", "7411", "9621", "5311", "5312", "4321", "4322", "9411", "9612", "9621",
];

const OTHER_LANGUAGES: &[&str] = &["ar", "so", "ti", "fa", "en", "pl", "uk", "bs", "sr", "es", "de", "ku"];

pub struct Generator {
    rng: Rng,
    r: &'static Reference,
    occupations: Vec<String>,
    names_by_ssyk: HashMap<String, Vec<String>>,
    by_county: HashMap<String, Vec<String>>,
    /// Municipality codes, each once per 10 000 inhabitants (at least once): a population weight.
    weighted_municipalities: Vec<String>,
    today: NaiveDate,
}

impl Generator {
    pub fn new(seed: u64, today: NaiveDate) -> Self {
        let r = reference();
        let mut occupations: Vec<String> =
            r.ssyk4_skills.keys().filter(|c| r.is_ssyk4(c) && !c.starts_with('0')).cloned().collect();
        occupations.sort();
        let mut weighted_municipalities = Vec::new();
        let mut codes: Vec<&String> = r.municipalities.keys().collect();
        codes.sort();
        for c in codes {
            let n = (r.municipalities[c].population / 10_000).max(1);
            for _ in 0..n {
                weighted_municipalities.push(c.clone());
            }
        }
        let mut names_by_ssyk: HashMap<String, Vec<String>> = HashMap::new();
        for o in &r.occupation_names {
            names_by_ssyk.entry(o.ssyk4.clone()).or_default().push(o.label.to_lowercase());
        }
        let mut by_county: HashMap<String, Vec<String>> = HashMap::new();
        for m in r.municipalities.values() {
            by_county.entry(m.county.clone()).or_default().push(m.code.clone());
        }
        for v in by_county.values_mut() {
            v.sort();
        }
        Self { rng: Rng::new(seed), r, occupations, names_by_ssyk, by_county, weighted_municipalities, today }
    }

    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    pub fn occupation(&mut self) -> String {
        if self.rng.chance(0.6) {
            let c = *self.rng.pick(COMMON_OCCUPATIONS);
            if self.r.is_ssyk4(c) {
                return c.to_string();
            }
        }
        self.rng.pick(&self.occupations).clone()
    }

    pub fn municipality(&mut self) -> String {
        self.rng.pick(&self.weighted_municipalities).clone()
    }

    /// A municipality near `code` (same county), or `code` itself.
    pub fn municipality_near(&mut self, code: &str) -> String {
        let county = &self.r.municipalities[code].county;
        if self.rng.chance(0.5) { code.to_string() } else { self.rng.pick(&self.by_county[county]).clone() }
    }

    fn skills_for(&mut self, ssyk: &str, n: usize) -> Vec<String> {
        let Some(skills) = self.r.ssyk4_skills.get(ssyk) else { return Vec::new() };
        let mut out = Vec::new();
        for _ in 0..n.min(skills.len()) {
            let s = &self.r.skills[*self.rng.pick(skills)];
            if !out.contains(&s.id) {
                out.push(s.id.clone());
            }
        }
        out
    }

    /// A JobTech occupation name in the group, or the group's own name.
    fn named_occupation(&mut self, ssyk: &str) -> String {
        match self.names_by_ssyk.get(ssyk) {
            Some(names) if !names.is_empty() => self.rng.pick(names).clone(),
            _ => self.r.ssyk_name(ssyk).unwrap_or("arbete").to_lowercase(),
        }
    }

    /// A seeker; `serial` keeps personnummer unique within a run (with the birth date).
    pub fn seeker(&mut self, serial: u64, unit: Option<&str>, municipality: Option<&str>) -> SeekerInput {
        let first = self.rng.pick(&self.r.given_names[..2000.min(self.r.given_names.len())]).clone();
        let last = self.rng.pick(&self.r.surnames).clone();
        let ssyk = self.occupation();
        let second = self.rng.chance(0.3).then(|| self.occupation());
        let mut occupations = vec![ssyk.clone()];
        occupations.extend(second.clone());
        let n = 2 + self.rng.below(5);
        let mut skills = self.skills_for(&ssyk, n);
        if self.rng.chance(0.15) {
            skills.push(self.rng.pick(&["truckkort", "städ", "kassa", "svetsning", "barnomsorg", "kock"]).to_string());
        }
        let mut languages = vec![Language {
            code: "sv".into(),
            level: *self.rng.pick(&[
                LanguageLevel::Basic,
                LanguageLevel::Good,
                LanguageLevel::Fluent,
                LanguageLevel::Native,
            ]),
        }];
        if self.rng.chance(0.55) {
            let code = self.rng.pick(OTHER_LANGUAGES).to_string();
            languages.push(Language { code, level: LanguageLevel::Native });
        }
        let mut licences = Vec::new();
        if self.rng.chance(0.55) {
            licences.push("B".to_string());
            if self.rng.chance(0.15) {
                licences.push(self.rng.pick(&["C", "CE", "D", "BE"]).to_string());
            }
        }
        let years = 1 + self.rng.below(15);
        let occupation_name = self.named_occupation(&ssyk);
        let mut summary = format!(
            "{} Har arbetat som {} i {} år.",
            self.rng.pick(&[
                "Driven och ansvarstagande.",
                "Lugn och noggrann.",
                "Social och serviceinriktad.",
                "Van vid fysiskt arbete.",
                "Snabb att lära sig nya saker.",
            ]),
            occupation_name,
            years
        );
        if let Some(s) = &second {
            summary.push_str(&format!(" Vill gärna också arbeta som {}.", self.named_occupation(s)));
        }
        if self.rng.chance(0.4) {
            let extra: &&str = self.rng.pick(&[
                " Har gått arbetsträning i kommunens verksamhet.",
                " Läser SFI på kvällstid.",
                " Har erfarenhet från restaurang och storkök.",
                " Kan börja direkt.",
                " Önskar heltid men kan tänka sig deltid.",
            ]);
            summary.push_str(extra);
        }
        let home = municipality.map(|m| self.municipality_near(m)).unwrap_or_else(|| self.municipality());
        SeekerInput {
            personnummer: personnummer(serial),
            email: Some(
                format!("{}.{}{}@example.se", crate::text::fold(&first), crate::text::fold(&last), serial)
                    .replace(' ', ""),
            ),
            phone: Some(format!("07{}{:07}", self.rng.below(10), self.rng.below(10_000_000))),
            first_name: first,
            last_name: last,
            municipality_code: home,
            occupations,
            occupation_concept_id: None,
            skills,
            languages,
            driving_licences: licences,
            available_from: Some(self.today + Days::new(self.rng.below(60) as u64)),
            max_commute_km: Some([10, 20, 30, 40, 60, 80][self.rng.below(6)]),
            summary: Some(summary),
            unit: unit.map(str::to_string),
            broker_id: None,
            status: if self.rng.chance(0.9) { SeekerStatus::Active } else { SeekerStatus::Paused },
            exit_reason: None,
            exit_date: None,
            paused_until: None,
            pause_reason: None,
        }
    }

    /// An opening for an employer in or near a municipality.
    pub fn opening(&mut self, employer_id: &str, municipality: Option<&str>, municipal: bool) -> OpeningInput {
        let ssyk = self.occupation();
        let name = self.named_occupation(&ssyk);
        let (n_must, n_nice) = (1 + self.rng.below(2), 1 + self.rng.below(3));
        let must = self.skills_for(&ssyk, n_must);
        let nice = self.skills_for(&ssyk, n_nice);
        let employment_type = if municipal {
            *self.rng.pick(&[EmploymentType::Arbetstraning, EmploymentType::Praktik, EmploymentType::Extratjanst])
        } else {
            *self.rng.pick(&[
                EmploymentType::Permanent,
                EmploymentType::Temporary,
                EmploymentType::Temporary,
                EmploymentType::Summer,
                EmploymentType::Nystartsjobb,
                EmploymentType::Lonebidrag,
            ])
        };
        let licences = if self.rng.chance(0.3) { vec!["B".to_string()] } else { vec![] };
        let place = municipality.map(|m| self.municipality_near(m)).unwrap_or_else(|| self.municipality());
        let city = self.r.municipalities[&place].name.clone();
        let mut capitalised = name.clone();
        if let Some(first) = capitalised.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        OpeningInput {
            employer_id: Some(employer_id.to_string()),
            headline: format!("{capitalised} till {city}"),
            description: format!(
                "Vi söker en {name} till vår verksamhet i {city}. {} {}",
                self.rng.pick(&[
                    "Du är noggrann och tycker om att arbeta i team.",
                    "Du har god samarbetsförmåga och ett serviceinriktat arbetssätt.",
                    "Erfarenhet är meriterande men inget krav; vi lär upp dig.",
                ]),
                if licences.is_empty() { "" } else { "Körkort B krävs." }
            ),
            occupation: ssyk,
            occupation_concept_id: None,
            workplace_address: WorkplaceAddress {
                municipality_code: place,
                street_address: None,
                postcode: None,
                city: Some(city),
                coordinates: None,
            },
            number_of_vacancies: 1 + self.rng.below(3) as u32,
            employment_type,
            must_have: RequirementsInput {
                skills: must,
                languages: vec![LanguageRequirement { code: "sv".into(), level: LanguageLevel::Basic }],
                driving_licences: licences,
            },
            nice_to_have: RequirementsInput { skills: nice, languages: vec![], driving_licences: vec![] },
            application_deadline: Some(self.today + Days::new(14 + self.rng.below(30) as u64)),
            start_date: Some(self.today + Days::new(20 + self.rng.below(60) as u64)),
            scope_of_work: Some(if self.rng.chance(0.6) {
                ScopeOfWork { min: 100, max: 100 }
            } else {
                ScopeOfWork { min: 50, max: 75 }
            }),
            status: Default::default(),
        }
    }
}
