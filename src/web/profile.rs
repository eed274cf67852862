//! Registering and editing a seeker's profile: `/seekers/new` and `/seekers/{id}/edit`.
//! Occupation, skills, languages and municipality are picked by name from JobTech's
//! vocabularies (a typeahead when scripts run; typing the exact name works without); a
//! skill no concept fits is kept as written. A save made on a stale copy (someone else saved
//! first) is merged field by field against the version the form was opened on: a field only
//! the colleague changed keeps their value, a field only this user changed keeps theirs, and
//! fields both changed are shown side by side for a choice; nothing is silently overwritten.

use std::collections::{BTreeMap, HashMap};

use actix_web::{get, http::StatusCode, post, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::kit::{Flash, flash};
use super::labels::Label;
use super::layout::{self, municipality, name, occupation};
use super::{Staff, WebResult, page_response, see_other};
use crate::auth::Role;
use crate::error::{AppError, Errors, Fault, FieldError};
use crate::reference::reference;
use crate::seekers::{ExitReason, Seeker, SeekerInput, SeekerStatus};
use crate::state::AppState;
use crate::taxonomy::{self, Vocabulary};
use crate::vocabulary::{Language, LanguageLevel};
use crate::{db, seekers};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(typeahead)
        .service(new_form)
        .service(create)
        .service(edit_form)
        .service(update)
        .service(confirm_inferred);
}

const LEVELS: [LanguageLevel; 4] =
    [LanguageLevel::Basic, LanguageLevel::Good, LanguageLevel::Fluent, LanguageLevel::Native];

/// The typeahead for the pages (session-authenticated); the same lookup as the API's.
#[get("/taxonomy/{vocabulary}")]
async fn typeahead(staff: Staff, vocabulary: web::Path<String>, q: web::Query<HashMap<String, String>>) -> WebResult {
    staff.require(Role::STAFF)?;
    let vocabulary = Vocabulary::parse(&vocabulary).ok_or(AppError::NotFound(crate::error::Thing::Vocabulary))?;
    let q = q.get("q").map(String::as_str).unwrap_or_default();
    let q: String = q.chars().take(100).collect();
    let (items, _) = taxonomy::lookup(vocabulary, &q, 12, 0);
    let items: Vec<serde_json::Value> =
        items.iter().map(|t| serde_json::json!({ "value": taxonomy::form_value(t), "detail": t.detail })).collect();
    Ok(actix_web::HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({ "items": items })))
}

/// What the form holds, as typed: names (not codes) for the picked terms.
#[derive(Debug, Default, Clone)]
struct ProfileForm {
    csrf: String,
    version: Option<i64>,
    personnummer: String,
    first_name: String,
    last_name: String,
    phone: String,
    email: String,
    municipality: String,
    occupations: Vec<String>,
    skills: Vec<String>,
    languages: Vec<(String, String)>,
    driving_licences: Vec<String>,
    available_from: String,
    max_commute_km: String,
    summary: String,
    status: String,
    paused_until: String,
    pause_reason: String,
    exit_reason: String,
    exit_date: String,
    broker_id: String,
    unit: String,
    /// Each field as the form was opened (the stored version then), to merge with.
    base: Option<BTreeMap<String, String>>,
    /// After a conflict: for each field both changed, `mine` or `theirs`.
    choices: Vec<(String, String)>,
}

/// The fields a conflict is merged by, with the names the pages use for them.
const MERGED: [(&str, &str); 19] = [
    ("personnummer", "Personnummer"),
    ("first_name", "Förnamn"),
    ("last_name", "Efternamn"),
    ("phone", "Telefon"),
    ("email", "E-post"),
    ("municipality", "Hemkommun"),
    ("occupations", "Yrken"),
    ("skills", "Kompetenser"),
    ("languages", "Språk"),
    ("driving_licences", "Körkort"),
    ("available_from", "Tillgänglig från"),
    ("max_commute_km", "Pendlar högst"),
    ("summary", "Om personen"),
    ("status", "Status"),
    ("paused_until", "Pausad till"),
    ("pause_reason", "Skäl till paus"),
    ("exit_reason", "Skäl till avslut"),
    ("exit_date", "Avslutsdatum"),
    ("broker_id", "Jobbmäklare"),
];

impl ProfileForm {
    /// A field as comparable text: trimmed; a list one item a line, blanks left out.
    fn field(&self, name: &str) -> String {
        let lines = |v: &[String]| v.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("\n");
        match name {
            "personnummer" => self.personnummer.trim().into(),
            "first_name" => self.first_name.trim().into(),
            "last_name" => self.last_name.trim().into(),
            "phone" => self.phone.trim().into(),
            "email" => self.email.trim().into(),
            "municipality" => self.municipality.trim().into(),
            "occupations" => lines(&self.occupations),
            "skills" => lines(&self.skills),
            "languages" => self
                .languages
                .iter()
                .filter(|(n, _)| !n.trim().is_empty())
                .map(|(n, l)| format!("{}\t{}", n.trim(), l.trim()))
                .collect::<Vec<_>>()
                .join("\n"),
            "driving_licences" => lines(&self.driving_licences),
            "available_from" => self.available_from.trim().into(),
            "max_commute_km" => self.max_commute_km.trim().into(),
            "summary" => self.summary.trim().into(),
            "status" => self.status.trim().into(),
            "paused_until" => self.paused_until.trim().into(),
            "pause_reason" => self.pause_reason.trim().into(),
            "exit_reason" => self.exit_reason.trim().into(),
            "exit_date" => self.exit_date.trim().into(),
            "broker_id" => self.broker_id.trim().into(),
            "unit" => self.unit.trim().into(),
            _ => String::new(),
        }
    }

    /// Sets a field from its comparable text (the inverse of [`ProfileForm::field`]).
    fn put(&mut self, name: &str, text: &str) {
        let lines = || text.lines().map(str::to_string).filter(|s| !s.is_empty()).collect::<Vec<_>>();
        match name {
            "personnummer" => self.personnummer = text.into(),
            "first_name" => self.first_name = text.into(),
            "last_name" => self.last_name = text.into(),
            "phone" => self.phone = text.into(),
            "email" => self.email = text.into(),
            "municipality" => self.municipality = text.into(),
            "occupations" => self.occupations = lines(),
            "skills" => self.skills = lines(),
            "languages" => {
                self.languages = text
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(|l| {
                        let (n, level) = l.split_once('\t').unwrap_or((l, ""));
                        (n.to_string(), level.to_string())
                    })
                    .collect()
            }
            "driving_licences" => self.driving_licences = lines(),
            "available_from" => self.available_from = text.into(),
            "max_commute_km" => self.max_commute_km = text.into(),
            "summary" => self.summary = text.into(),
            "status" => self.status = text.into(),
            "paused_until" => self.paused_until = text.into(),
            "pause_reason" => self.pause_reason = text.into(),
            "exit_reason" => self.exit_reason = text.into(),
            "exit_date" => self.exit_date = text.into(),
            "broker_id" => self.broker_id = text.into(),
            "unit" => self.unit = text.into(),
            _ => {}
        }
    }

    fn fields(&self) -> BTreeMap<String, String> {
        MERGED.iter().map(|(n, _)| n).chain(&["unit"]).map(|n| (n.to_string(), self.field(n))).collect()
    }

    /// The choices made after a conflict: `theirs` takes the colleague's value, which the
    /// form's base holds (the base is the stored version the conflict was shown against).
    fn apply_choices(&mut self) {
        let Some(base) = self.base.clone() else { return };
        for (name, choice) in std::mem::take(&mut self.choices) {
            if choice == "theirs"
                && let Some(v) = base.get(&name)
            {
                self.put(&name, v);
            }
        }
    }

    /// Merges this form (opened on `base`) with the stored version `theirs`, three ways:
    /// a field this user left as it was takes the stored value; a field only this user
    /// changed stays; a field both changed differently is a conflict (named here, left as
    /// this user wrote it). The form is then based on `theirs`. Without a base (a form from
    /// before merging), every field that differs is a conflict.
    fn merge(&mut self, theirs: &ProfileForm) -> Vec<&'static str> {
        let base = self.base.take();
        let mut conflicts = Vec::new();
        for name in MERGED.iter().map(|(n, _)| *n).chain(["unit"]) {
            let (mine, stored) = (self.field(name), theirs.field(name));
            if mine == stored {
                continue;
            }
            match base.as_ref().and_then(|b| b.get(name)) {
                Some(b) if *b == mine => self.put(name, &stored),
                Some(b) if *b == stored => {}
                _ => conflicts.push(name),
            }
        }
        self.version = theirs.version;
        self.base = Some(theirs.fields());
        conflicts
    }

    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = ProfileForm::default();
        let mut language_names = Vec::new();
        let mut language_levels = Vec::new();
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => f.csrf = v,
                "version" => f.version = v.trim().parse().ok(),
                "personnummer" => f.personnummer = v,
                "first_name" => f.first_name = v,
                "last_name" => f.last_name = v,
                "phone" => f.phone = v,
                "email" => f.email = v,
                "municipality" => f.municipality = v,
                "occupation" => f.occupations.push(v),
                "skill" => f.skills.push(v),
                "language" => language_names.push(v),
                "language_level" => language_levels.push(v),
                "driving_licence" => f.driving_licences.push(v),
                "available_from" => f.available_from = v,
                "max_commute_km" => f.max_commute_km = v,
                "summary" => f.summary = v,
                "status" => f.status = v,
                "paused_until" => f.paused_until = v,
                "pause_reason" => f.pause_reason = v,
                "exit_reason" => f.exit_reason = v,
                "exit_date" => f.exit_date = v,
                "broker_id" => f.broker_id = v,
                "unit" => f.unit = v,
                "base" => f.base = serde_json::from_str(&v).ok(),
                k if k.starts_with("choose.") => f.choices.push((k["choose.".len()..].to_string(), v)),
                _ => {}
            }
        }
        f.languages = language_names
            .into_iter()
            .enumerate()
            .map(|(i, n)| (n, language_levels.get(i).cloned().unwrap_or_default()))
            .collect();
        f
    }

    /// The form's view of a stored seeker.
    fn of(s: &Seeker) -> Self {
        let term = |v: Vocabulary, code: &str, label: Option<String>| match label {
            Some(l) => {
                taxonomy::form_value(&taxonomy::Term { label: l, code: code.into(), concept_id: None, detail: None })
            }
            None => taxonomy::resolve(v, code).map(|t| taxonomy::form_value(&t)).unwrap_or_else(|| code.to_string()),
        };
        let r = reference();
        ProfileForm {
            csrf: String::new(),
            version: Some(s.version),
            personnummer: s.personnummer.as_deref().unwrap_or_default().to_string(),
            first_name: s.first_name.clone().unwrap_or_default(),
            last_name: s.last_name.clone().unwrap_or_default(),
            phone: s.phone.clone().unwrap_or_default(),
            email: s.email.clone().unwrap_or_default(),
            municipality: term(
                Vocabulary::Municipalities,
                &s.municipality_code,
                r.municipalities.get(s.municipality_code.as_str()).map(|m| m.name.clone()),
            ),
            occupations: s
                .occupations
                .iter()
                .map(|o| term(Vocabulary::Occupations, o, r.ssyk_name(o).map(str::to_string)))
                .collect(),
            skills: s
                .skills
                .iter()
                .map(|k| match &k.id {
                    Some(id) => term(Vocabulary::Skills, id, Some(k.label.clone())),
                    None => k.label.clone(),
                })
                .collect(),
            languages: s
                .languages
                .iter()
                .map(|l| {
                    let level = serde_json::to_value(l.level).ok().and_then(|v| v.as_str().map(str::to_string));
                    (term(Vocabulary::Languages, &l.code, r.languages.get(&l.code).cloned()), level.unwrap_or_default())
                })
                .collect(),
            driving_licences: s.driving_licences.clone(),
            available_from: s.available_from.as_deref().unwrap_or_default().to_string(),
            max_commute_km: s.max_commute_km.map(|k| k.to_string()).unwrap_or_default(),
            summary: s.summary.clone().unwrap_or_default(),
            status: s.status.as_str().to_string(),
            paused_until: s.paused_until.as_deref().unwrap_or_default().to_string(),
            pause_reason: s.pause_reason.clone().unwrap_or_default(),
            exit_reason: s.exit_reason.map(|e| e.as_str().to_string()).unwrap_or_default(),
            exit_date: s.exit_date.as_deref().unwrap_or_default().to_string(),
            broker_id: s.broker_id.clone().unwrap_or_default(),
            unit: s.unit.clone().unwrap_or_default(),
            base: None,
            choices: Vec::new(),
        }
        .based()
    }

    /// The form with its own fields as the base (as opened).
    fn based(mut self) -> Self {
        self.base = Some(self.fields());
        self
    }

    /// The seeker as the API takes it; picked names become codes here, and a name that
    /// matches nothing is an error on its field (a skill is kept as written instead).
    fn input(&self) -> Result<SeekerInput, AppError> {
        let mut errors = Errors::new();
        let blank = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let pick = |v: Vocabulary, text: &str, field: &str, errors: &mut Errors| -> Option<String> {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            let found = taxonomy::resolve(v, text).map(|t| t.code);
            if found.is_none() {
                errors.add(field, Fault::Unknown, "välj ett alternativ i listan");
            }
            found
        };
        // Left empty, the municipality is reported by the seeker's own validation.
        let municipality_code = pick(Vocabulary::Municipalities, &self.municipality, "municipality_code", &mut errors);
        let occupations: Vec<String> = self
            .occupations
            .iter()
            .filter_map(|o| pick(Vocabulary::Occupations, o, "occupations", &mut errors))
            .collect();
        let mut languages = Vec::new();
        for (name, level) in &self.languages {
            if let Some(code) = pick(Vocabulary::Languages, name, "languages", &mut errors) {
                let level =
                    serde_json::from_value(serde_json::Value::String(level.clone())).unwrap_or(LanguageLevel::Good);
                languages.push(Language { code, level });
            }
        }
        // A skill: the concept the text names, or the text itself.
        let skills: Vec<String> = self
            .skills
            .iter()
            .filter_map(|k| blank(k))
            .map(|k| taxonomy::resolve(Vocabulary::Skills, &k).map(|t| t.code).unwrap_or(k))
            .collect();
        let date = |s: &str, field: &str, errors: &mut Errors| match blank(s) {
            None => None,
            Some(d) => d.parse().map_err(|_| errors.add(field, Fault::Format, "skriv datumet ÅÅÅÅ-MM-DD")).ok(),
        };
        let available_from = date(&self.available_from, "available_from", &mut errors);
        let paused_until = date(&self.paused_until, "paused_until", &mut errors);
        let exit_date = date(&self.exit_date, "exit_date", &mut errors);
        let max_commute_km = match blank(&self.max_commute_km) {
            None => None,
            Some(k) => k.parse().map_err(|_| errors.add("max_commute_km", Fault::Format, "skriv ett antal km")).ok(),
        };
        let status = SeekerStatus::parse(&self.status).unwrap_or_default();
        let exit_reason = blank(&self.exit_reason).and_then(|r| ExitReason::parse(&r));
        errors.into_result()?;
        Ok(SeekerInput {
            personnummer: self.personnummer.trim().to_string(),
            first_name: self.first_name.trim().to_string(),
            last_name: self.last_name.trim().to_string(),
            email: blank(&self.email),
            phone: blank(&self.phone),
            municipality_code: municipality_code.unwrap_or_default(),
            occupations,
            occupation_concept_id: None,
            skills,
            languages,
            driving_licences: self.driving_licences.clone(),
            available_from,
            max_commute_km,
            summary: blank(&self.summary),
            unit: blank(&self.unit),
            broker_id: blank(&self.broker_id),
            status,
            exit_reason: exit_reason.filter(|_| status == SeekerStatus::Exited),
            exit_date: exit_date.filter(|_| status == SeekerStatus::Exited),
            paused_until: paused_until.filter(|_| status == SeekerStatus::Paused),
            pause_reason: blank(&self.pause_reason).filter(|_| status == SeekerStatus::Paused),
        })
    }
}

/// Who can be responsible, and the units in use: the form's choices.
struct Choices {
    brokers: Vec<(String, String)>,
    units: Vec<String>,
}

async fn choices(state: &AppState) -> Result<Choices, AppError> {
    db::run(&state.pool, |c| {
        let (users, _) = crate::auth::store::list_users(c, Some(Role::Broker), 500, 0)?;
        let units: Vec<String> = crate::units::list(c)?.into_iter().filter(|u| u.active).map(|u| u.name).collect();
        Ok(Choices { brokers: users.into_iter().map(|u| (u.id, u.name)).collect(), units })
    })
    .await
}

/// Someone else's save, beside what this form would have saved: the fields both changed.
struct Stale {
    theirs: ProfileForm,
    conflicts: Vec<&'static str>,
}

fn form_markup(
    staff: &Staff,
    action: &str,
    f: &ProfileForm,
    errors: &[FieldError],
    choices: &Choices,
    stale: Option<&Stale>,
) -> Markup {
    let error = |field: &str| -> Option<String> {
        let found: Vec<String> = errors
            .iter()
            .filter(|e| {
                e.field == field
                    || e.field.starts_with(&format!("{field}["))
                    || e.field.starts_with(&format!("{field}."))
            })
            .map(super::labels::field_problem)
            .collect();
        (!found.is_empty()).then(|| found.join(" "))
    };
    let text = |name: &str, label: &str, value: &str, kind: &str, hint: Option<&str>| {
        let err = error(name);
        html! {
            div.field {
                label for=(name) { (label) }
                @if let Some(h) = hint { small.hint { (h) } }
                input id=(name) name=(name) type=(kind) value=(value) aria-invalid=[err.as_ref().map(|_| "true")];
                @if let Some(e) = err { small.error { (e) } }
            }
        }
    };
    let picker = |name: &str, vocabulary: Vocabulary, value: &str, id: String| {
        html! {
            input id=(id) name=(name) type="text" value=(value) data-typeahead=(vocabulary.as_str()) autocomplete="off";
        }
    };
    let pad = |mut v: Vec<String>, extra: usize| {
        v.extend(std::iter::repeat_n(String::new(), extra));
        v
    };
    let occupations = pad(f.occupations.clone(), 3usize.saturating_sub(f.occupations.len()).max(1));
    let skills = pad(f.skills.clone(), 3);
    let mut languages = f.languages.clone();
    languages.extend(std::iter::repeat_n((String::new(), String::new()), 2));
    let status = SeekerStatus::parse(&f.status).unwrap_or_default();
    html! {
        @if !errors.is_empty() { p.notice.error role="alert" { "Några uppgifter behöver rättas, se nedan." } }
        @if let Some(stale) = stale {
            section.notice.error.stale role="alert" {
                h2 { "Någon annan sparade profilen medan du redigerade" }
                p { "Det ni ändrade i olika uppgifter är sammanfogat nedan. Ni har båda ändrat uppgifterna i tabellen: välj vilken som ska gälla och spara. Inget är sparat av dig än." }
                (differences(&stale.theirs, f, &stale.conflicts))
            }
        }
        form.stack.profile #profile-form method="post" action=(action) novalidate {
            input type="hidden" name="csrf" value=(staff.csrf);
            @if let Some(v) = f.version { input type="hidden" name="version" value=(v); }
            @if let Some(b) = &f.base { input type="hidden" name="base" value=(serde_json::to_string(b).unwrap_or_default()); }
            fieldset {
                legend { "Person" }
                (text("personnummer", "Personnummer", &f.personnummer, "text", Some("ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN")))
                (text("first_name", "Förnamn", &f.first_name, "text", None))
                (text("last_name", "Efternamn", &f.last_name, "text", None))
                (text("phone", "Telefon", &f.phone, "tel", None))
                (text("email", "E-post", &f.email, "email", None))
                div.field {
                    label for="municipality" { "Hemkommun" }
                    (picker("municipality", Vocabulary::Municipalities, &f.municipality, "municipality".into()))
                    @if let Some(e) = error("municipality_code") { small.error { (e) } }
                }
            }
            fieldset {
                legend { "Söker arbete som" }
                @for (i, o) in occupations.iter().enumerate() {
                    div.field {
                        label for=(format!("occupation-{i}")) { "Yrke " (i + 1) }
                        (picker("occupation", Vocabulary::Occupations, o, format!("occupation-{i}")))
                    }
                }
                @if let Some(e) = error("occupations") { small.error { (e) } }
                small.hint { "Skriv några bokstäver och välj i listan (JobTechs yrkesbenämningar)." }
            }
            fieldset {
                legend { "Kompetenser" }
                @for (i, k) in skills.iter().enumerate() {
                    div.field {
                        label for=(format!("skill-{i}")) { "Kompetens " (i + 1) }
                        (picker("skill", Vocabulary::Skills, k, format!("skill-{i}")))
                    }
                }
                @if let Some(e) = error("skills") { small.error { (e) } }
                small.hint { "Finns kompetensen inte i listan sparas den som du skrev den." }
            }
            fieldset {
                legend { "Språk" }
                @for (i, (l, level)) in languages.iter().enumerate() {
                    div.field.language {
                        label for=(format!("language-{i}")) { "Språk " (i + 1) }
                        (picker("language", Vocabulary::Languages, l, format!("language-{i}")))
                        select name="language_level" aria-label="Nivå" {
                            @for lv in LEVELS {
                                @let value = serde_json::to_value(lv).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                                option value=(value) selected[*level == value || (level.is_empty() && lv == LanguageLevel::Good)] { (lv.label()) }
                            }
                        }
                    }
                }
                @if let Some(e) = error("languages") { small.error { (e) } }
            }
            fieldset.licences {
                legend { "Körkort" }
                @for l in &reference().driving_licences {
                    label.check { input type="checkbox" name="driving_licence" value=(l) checked[f.driving_licences.contains(l)]; " " (l) }
                }
                @if let Some(e) = error("driving_licences") { small.error { (e) } }
            }
            fieldset {
                legend { "Tillgänglighet" }
                (text("available_from", "Tillgänglig från", &f.available_from, "date", None))
                (text("max_commute_km", "Pendlar högst (km)", &f.max_commute_km, "number", None))
                div.field {
                    label for="summary" { "Om personen" }
                    textarea #summary name="summary" rows="5" maxlength="5000" { (f.summary) }
                    @if let Some(e) = error("summary") { small.error { (e) } }
                }
            }
            fieldset {
                legend { "Status och ansvar" }
                div.field {
                    label for="status" { "Status" }
                    select #status name="status" {
                        @for s in SeekerStatus::ALL { option value=(s.as_str()) selected[*s == status] { (s.label()) } }
                    }
                }
                (text("paused_until", "Pausad till (vid paus)", &f.paused_until, "date", None))
                (text("pause_reason", "Orsak till paus", &f.pause_reason, "text", None))
                div.field {
                    label for="exit_reason" { "Orsak till avslut (vid avslut)" }
                    select #exit_reason name="exit_reason" {
                        option value="" { "–" }
                        @for r in ExitReason::ALL { option value=(r.as_str()) selected[f.exit_reason == r.as_str()] { (r.label()) } }
                    }
                    @if let Some(e) = error("exit_reason") { small.error { (e) } }
                }
                (text("exit_date", "Avslutad datum", &f.exit_date, "date", None))
                div.field {
                    label for="broker_id" { "Jobbmäklare" }
                    select #broker_id name="broker_id" {
                        option value="" { "Ingen än" }
                        @for (id, n) in &choices.brokers { option value=(id) selected[f.broker_id == *id] { (n) } }
                    }
                    @if let Some(e) = error("broker_id") { small.error { (e) } }
                }
                div.field {
                    label for="unit" { "Enhet" }
                    select #unit name="unit" {
                        option value="" { "Ingen än" }
                        // A unit since deactivated stays selectable on the records that have it.
                        @if !f.unit.is_empty() && !choices.units.contains(&f.unit) { option value=(f.unit) selected { (f.unit) } }
                        @for u in &choices.units { option value=(u) selected[f.unit == *u] { (u) } }
                    }
                    @if let Some(e) = error("unit") { small.error { (e) } }
                }
            }
            button type="submit" { "Spara" }
        }
    }
}

/// The fields where the stored profile and the form differ.
/// The fields both changed, side by side, each with a choice (part of the profile form).
fn differences(theirs: &ProfileForm, mine: &ProfileForm, conflicts: &[&str]) -> Markup {
    let shown = |f: &ProfileForm, name: &str| -> String {
        match name {
            "status" => label_of_status(&f.status),
            "languages" => f
                .languages
                .iter()
                .filter(|(n, _)| !n.trim().is_empty())
                .map(|(n, l)| format!("{} ({l})", n.trim()))
                .collect::<Vec<_>>()
                .join(", "),
            _ => f.field(name).replace('\n', ", ").replace('\t', " "),
        }
    };
    let label = |name: &str| MERGED.iter().find(|(n, _)| *n == name).map(|(_, l)| *l).unwrap_or("Enhet");
    html! {
        div.scroll tabindex="0" role="region" aria-label="Uppgifter som ni båda ändrat" {
            table.differences {
                thead { tr { th scope="col" { "Uppgift" } th scope="col" { "Sparat av någon annan" } th scope="col" { "Ditt förslag" } } }
                tbody { @for name in conflicts {
                    tr.conflict data-field=(name) {
                        th scope="row" { (label(name)) }
                        td { label.check { input type="radio" form="profile-form" name=(format!("choose.{name}")) value="theirs"; " " (shown(theirs, name)) } }
                        td { label.check { input type="radio" form="profile-form" name=(format!("choose.{name}")) value="mine" checked; " " (shown(mine, name)) } }
                    }
                } }
            }
        }
    }
}

fn label_of_status(s: &str) -> String {
    SeekerStatus::parse(s).map(|s| s.label().to_string()).unwrap_or_default()
}

fn errors_of(e: AppError) -> Result<Vec<FieldError>, AppError> {
    match e {
        AppError::Validation(errors) => Ok(errors),
        e => Err(e),
    }
}

#[get("/seekers/new")]
async fn new_form(state: web::Data<AppState>, staff: Staff) -> WebResult {
    staff.require(Role::CASEWORK)?;
    let choices = choices(&state).await?;
    let f = ProfileForm { status: SeekerStatus::Active.as_str().into(), ..Default::default() };
    let body = html! {
        h1 { "Registrera arbetssökande" }
        (form_markup(&staff, "/seekers/new", &f, &[], &choices, None))
    };
    super::ok(layout::page("Registrera arbetssökande", &staff.chrome(), body))
}

#[post("/seekers/new")]
async fn create(state: web::Data<AppState>, staff: Staff, form: web::Form<Vec<(String, String)>>) -> WebResult {
    let f = ProfileForm::from_pairs(form.into_inner());
    staff.check(&f.csrf)?;
    staff.require(Role::CASEWORK)?;
    let today = state.clock.today();
    let result = match f.input().and_then(|i| i.validate(today)) {
        Ok(data) => {
            let reader = staff.reader(&state.clock);
            db::run(&state.pool, move |c| seekers::service::create(c, &reader, data)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(s) => Ok(see_other(&format!("/seekers/{}?saved=1", s.id))),
        Err(AppError::Conflict { detail, .. }) if detail.contains("personnummer") => {
            let errors = vec![FieldError {
                field: "personnummer".into(),
                code: "personnummer.duplicate".into(),
                message: "Personnumret är redan registrerat. Sök fram personen i stället.".into(),
                fault: Fault::Duplicate,
            }];
            rerender_new(&state, &staff, &f, &errors, StatusCode::CONFLICT).await
        }
        Err(e) => {
            let errors = errors_of(e)?;
            rerender_new(&state, &staff, &f, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

async fn rerender_new(
    state: &AppState,
    staff: &Staff,
    f: &ProfileForm,
    errors: &[FieldError],
    code: StatusCode,
) -> WebResult {
    let choices = choices(state).await?;
    let body = html! {
        h1 { "Registrera arbetssökande" }
        (form_markup(staff, "/seekers/new", f, errors, &choices, None))
    };
    Ok(page_response(code, layout::page("Registrera arbetssökande", &staff.chrome(), body)))
}

/// Reads the seeker for the form: through the privacy gate (another unit's person after a
/// reason stated today on the profile), audited.
async fn read(state: &AppState, staff: &Staff, id: String) -> Result<Seeker, AppError> {
    let reader = staff.reader(&state.clock);
    db::run(&state.pool, move |c| seekers::service::show(c, &reader, &id)).await
}

#[derive(Deserialize)]
struct EditQuery {
    intake: Option<String>,
}

#[get("/seekers/{id}/edit")]
async fn edit_form(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    q: web::Query<EditQuery>,
) -> WebResult {
    staff.require(Role::CASEWORK)?;
    let s = read(&state, &staff, id.into_inner()).await?;
    let message = q.intake.as_ref().map(|_| {
        Flash::Done(
            "Identiteten är bekräftad. Fyll i yrke, kompetenser och det övriga, så kan profilen matchas.".into(),
        )
    });
    edit_page(&state, &staff, &s, &ProfileForm::of(&s), &[], None, message, StatusCode::OK).await
}

#[allow(clippy::too_many_arguments)]
async fn edit_page(
    state: &AppState,
    staff: &Staff,
    s: &Seeker,
    f: &ProfileForm,
    errors: &[FieldError],
    stale: Option<&Stale>,
    message: Option<Flash>,
    code: StatusCode,
) -> WebResult {
    let choices = choices(state).await?;
    let title = format!("Redigera {}", name(&s.first_name, &s.last_name));
    let body = html! {
        (flash(&message))
        h1 { (title) }
        p.muted { a href=(format!("/seekers/{}", s.id)) { "Tillbaka till profilen" } " · "
            (municipality(&s.municipality_code)) @for o in &s.occupations { " · " (occupation(o)) } }
        (form_markup(staff, &format!("/seekers/{}/edit", s.id), f, errors, &choices, stale))
    };
    Ok(page_response(code, layout::page(&title, &staff.chrome(), body)))
}

/// Saves the whole profile over the stored one, only if nobody saved since `f.version`.
async fn save(state: &AppState, staff: &Staff, id: &str, f: &ProfileForm) -> Result<Seeker, AppError> {
    let (reader, expected, id) = (staff.reader(&state.clock), f.version, id.to_string());
    let patch = full_patch(serde_json::to_value(&f.input()?).map_err(|e| AppError::internal(e.to_string()))?);
    db::run(&state.pool, move |c| seekers::service::update(c, &reader, &id, expected, &patch)).await
}

#[post("/seekers/{id}/edit")]
async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> WebResult {
    let mut f = ProfileForm::from_pairs(form.into_inner());
    staff.check(&f.csrf)?;
    staff.require(Role::CASEWORK)?;
    let id = id.into_inner();
    f.apply_choices();
    let mut result = save(&state, &staff, &id, &f).await;
    let mut merged = false;
    let mut conflicts = Vec::new();
    // Someone saved in between: merged field by field; saved at once when nothing collides
    // (once: a third save meanwhile is shown, not chased).
    if matches!(result, Err(AppError::PreconditionFailed(_))) {
        let current = read(&state, &staff, id.clone()).await?;
        conflicts = f.merge(&ProfileForm::of(&current));
        if conflicts.is_empty() {
            merged = true;
            result = save(&state, &staff, &id, &f).await;
        }
    }
    match result {
        Ok(s) => Ok(see_other(&format!("/seekers/{}?saved=1{}", s.id, if merged { "&merged=1" } else { "" }))),
        Err(AppError::PreconditionFailed(_)) => {
            let current = read(&state, &staff, id).await?;
            let theirs = ProfileForm::of(&current);
            if merged {
                conflicts = f.merge(&theirs);
            }
            let stale = Stale { theirs, conflicts };
            edit_page(&state, &staff, &current, &f, &[], Some(&stale), None, StatusCode::CONFLICT).await
        }
        Err(e) => {
            let errors = match e {
                AppError::Conflict { .. } => vec![FieldError {
                    field: "personnummer".into(),
                    code: "personnummer.duplicate".into(),
                    message: "Personnumret tillhör en annan registrerad person.".into(),
                    fault: Fault::Duplicate,
                }],
                e => errors_of(e)?,
            };
            let current = read(&state, &staff, id).await?;
            edit_page(&state, &staff, &current, &f, &errors, None, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Deserialize)]
struct ConfirmInferred {
    csrf: String,
    version: i64,
}

/// "Stämmer" on the seeker's page: what was read from the summary becomes registered codes
/// (only on the version the broker saw).
#[post("/seekers/{id}/inferred")]
async fn confirm_inferred(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<ConfirmInferred>,
) -> WebResult {
    staff.check(&form.csrf)?;
    staff.require(Role::CASEWORK)?;
    let id = id.into_inner();
    let version = form.version;
    let reader = staff.reader(&state.clock);
    let target = id.clone();
    let saved = db::run(&state.pool, move |c| seekers::service::confirm_inferred(c, &reader, &target, version)).await;
    match saved {
        Ok(s) => Ok(see_other(&format!("/seekers/{}?saved=1", s.id))),
        // Someone saved in between: the edit page shows the profile as it now is.
        Err(AppError::PreconditionFailed(_)) => Ok(see_other(&format!("/seekers/{id}/edit"))),
        Err(e) => Err(e.into()),
    }
}

/// A merge patch that sets every field of the input: a field left empty in the form clears
/// the stored value (JSON null), instead of being left as it was.
fn full_patch(mut patch: serde_json::Value) -> serde_json::Value {
    if let Some(o) = patch.as_object_mut() {
        for key in [
            "email",
            "phone",
            "available_from",
            "max_commute_km",
            "summary",
            "unit",
            "broker_id",
            "exit_reason",
            "exit_date",
            "paused_until",
            "pause_reason",
        ] {
            o.entry(key).or_insert(serde_json::Value::Null);
        }
    }
    patch
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(phone: &str, summary: &str, occupations: &[&str]) -> ProfileForm {
        ProfileForm {
            version: Some(1),
            phone: phone.into(),
            summary: summary.into(),
            occupations: occupations.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
        .based()
    }

    /// Three ways: untouched fields take the stored value, fields only this user changed
    /// stay, fields both changed differently are conflicts (left as this user wrote them).
    #[test]
    fn a_stale_form_merges_field_by_field() {
        let mut mine = form("0701", "Text", &["Kock"]);
        mine.summary = "Min text".into();
        mine.occupations.push("Bagare".into());
        let mut theirs = form("0709", "Text", &["Kock"]);
        theirs.version = Some(2);
        theirs.occupations = vec!["Servitör".into()];
        let conflicts = mine.merge(&theirs);
        assert_eq!(conflicts, ["occupations"]);
        assert_eq!(mine.phone, "0709", "only the colleague changed it");
        assert_eq!(mine.summary, "Min text", "only this user changed it");
        assert_eq!(mine.occupations, ["Kock", "Bagare"], "both changed: this user's, until chosen");
        assert_eq!(mine.version, Some(2));
        // Choosing theirs takes the stored value the conflict was shown against.
        mine.choices = vec![("occupations".into(), "theirs".into())];
        mine.apply_choices();
        assert_eq!(mine.occupations, ["Servitör"]);
        // A form without a base (from before merging): everything that differs collides.
        let mut old = form("0701", "Text", &[]);
        old.base = None;
        assert_eq!(old.merge(&theirs), ["phone", "occupations"]);
    }
}
