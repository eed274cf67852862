//! The texts Platsa sends, in Swedish, each with its placeholders (`{fornamn}`, `{lank}`…).
//! Admins reword them (`PUT /api/v1/message-templates/{key}`); a placeholder the template
//! does not know, or one it cannot do without (the answer link of a consent request), is
//! refused when saved, so no message ever goes out with a hole in it.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::DbConnection;
use crate::db::schema::message_templates;
use crate::error::{AppError, AppResult, Errors, Fault};

crate::text_enum! {
    /// Every kind of message Platsa sends.
    pub enum Template {
        ConsentRequest = "consent_request",
        BookingConfirmation = "booking_confirmation",
        BookingReminder = "booking_reminder",
        BookingOffer = "booking_offer",
        Invitation = "invitation",
        EmployerCandidates = "employer_candidates",
    }
}

impl crate::labels::Label for Template {
    fn label(self) -> &'static str {
        match self {
            Template::ConsentRequest => "Fråga om samtycke",
            Template::BookingConfirmation => "Bekräftelse av bokad tid",
            Template::BookingReminder => "Påminnelse dagen före",
            Template::BookingOffer => "Erbjudande om tidigare tid",
            Template::Invitation => "Inbjudan (utskick till flera)",
            Template::EmployerCandidates => "Nya kandidater till arbetsgivare",
        }
    }
}

/// A template's placeholders: those it may use, and those it must.
pub struct Spec {
    pub placeholders: &'static [(&'static str, &'static str)],
    pub required: &'static [&'static str],
    pub default: &'static str,
    /// The e-mail subject line.
    pub subject: &'static str,
}

const FORNAMN: (&str, &str) = ("fornamn", "mottagarens förnamn");
const LANK: (&str, &str) = ("lank", "länken mottagaren öppnar");
const TID: (&str, &str) = ("tid", "dag och klockslag");
const PLATS: (&str, &str) = ("plats", "var mötet är");

impl Template {
    pub fn spec(self) -> Spec {
        match self {
            Template::ConsentRequest => Spec {
                placeholders: &[FORNAMN, ("tjanst", "tjänstens rubrik"), ("sista_dag", "sista svarsdag"), LANK],
                required: &["lank"],
                default: "Hej {fornamn}! Din jobbmäklare vill presentera dig för tjänsten \"{tjanst}\". \
                          Svara senast {sista_dag} här: {lank}",
                subject: "Får vi presentera dig för en arbetsgivare?",
            },
            Template::BookingConfirmation => Spec {
                placeholders: &[FORNAMN, TID, PLATS, LANK],
                required: &["tid"],
                default: "Hej {fornamn}! Du har en tid hos en arbetsmarknadssekreterare {tid}, {plats}. \
                          Ändra eller avboka: {lank}",
                subject: "Din bokade tid",
            },
            Template::BookingReminder => Spec {
                placeholders: &[FORNAMN, TID, PLATS, LANK],
                required: &["tid", "lank"],
                default: "Påminnelse: du har en tid {tid}, {plats}. \
                          Jag kan inte komma – ge mig en ny tid: {lank}",
                subject: "Påminnelse om din tid i morgon",
            },
            Template::BookingOffer => Spec {
                placeholders: &[FORNAMN, TID, PLATS, ("minuter", "hur länge tiden hålls"), LANK],
                required: &["tid", "lank"],
                default: "Hej {fornamn}! En tidigare tid har blivit ledig: {tid}, {plats}. \
                          Den hålls åt dig i {minuter} minuter. Ta tiden eller tacka nej: {lank}",
                subject: "En tidigare tid är ledig",
            },
            Template::Invitation => Spec {
                placeholders: &[FORNAMN, TID, PLATS, ("tjanst", "tjänstens rubrik, om utskicket gäller en")],
                required: &[],
                default: "Hej {fornamn}! Välkommen till en rekryteringsträff {tid}, {plats}. \
                          Hör av dig till din jobbmäklare om du inte kan komma.",
                subject: "Inbjudan",
            },
            Template::EmployerCandidates => Spec {
                placeholders: &[("antal", "antal nya kandidater"), ("tjanst", "tjänstens rubrik"), LANK],
                required: &["lank"],
                default: "{antal} nya kandidater har presenterats för \"{tjanst}\". Se dem här: {lank}",
                subject: "Nya kandidater",
            },
        }
    }
}

/// The placeholders a text uses, in order, or the first malformed brace as an error.
fn placeholders(body: &str) -> Result<Vec<&str>, &'static str> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find(['{', '}']) {
        if rest[i..].starts_with('}') {
            return Err("has a } without its {");
        }
        let after = &rest[i + 1..];
        let end = after.find('}').ok_or("has a { without its }")?;
        let name = &after[..end];
        if name.contains('{') {
            return Err("has a { without its }");
        }
        out.push(name);
        rest = &after[end + 1..];
    }
    Ok(out)
}

/// Checks a new wording: known placeholders only, the required ones present, 1–1000 characters.
pub fn check(template: Template, body: &str) -> AppResult<String> {
    let mut errors = Errors::new();
    let text = crate::vocabulary::text(body, "body", 1000, &mut errors);
    errors.into_result()?;
    let spec = template.spec();
    let used = placeholders(&text).map_err(|why| AppError::field("body", Fault::Format, why))?;
    if let Some(unknown) = used.iter().find(|p| !spec.placeholders.iter().any(|(k, _)| k == *p)) {
        let known: Vec<String> = spec.placeholders.iter().map(|(k, _)| format!("{{{k}}}")).collect();
        return Err(AppError::field(
            "body",
            Fault::Unknown,
            format!("{{{unknown}}} is not a placeholder of this template; it knows {}", known.join(", ")),
        ));
    }
    if let Some(missing) = spec.required.iter().find(|r| !used.contains(r)) {
        return Err(AppError::field("body", Fault::Required, format!("must contain {{{missing}}}")));
    }
    Ok(text)
}

/// Fills the placeholders; one without a value becomes empty.
pub fn render(body: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(body.len() + 64);
    let mut rest = body;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let name = &after[..end];
        out.push_str(values.iter().find(|(k, _)| *k == name).map(|(_, v)| *v).unwrap_or(""));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The wording in force: the admins' own, else the built-in one.
pub fn body(c: &mut DbConnection, template: Template) -> QueryResult<String> {
    Ok(message_templates::table
        .find(template.as_str())
        .select(message_templates::body)
        .first::<String>(c)
        .optional()?
        .unwrap_or_else(|| template.spec().default.to_string()))
}

/// The wording in force, filled in.
pub fn text(c: &mut DbConnection, template: Template, values: &[(&str, &str)]) -> QueryResult<String> {
    Ok(render(&body(c, template)?, values))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Placeholder {
    pub name: String,
    pub description: String,
    pub required: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TemplateView {
    pub key: Template,
    /// The template's Swedish name.
    pub label: String,
    pub body: String,
    pub default_body: String,
    /// Whether admins reworded it.
    pub customised: bool,
    pub placeholders: Vec<Placeholder>,
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated_at: Option<i64>,
}

pub fn view(c: &mut DbConnection, template: Template) -> QueryResult<TemplateView> {
    use crate::labels::Label;
    let stored: Option<(String, i64)> = message_templates::table
        .find(template.as_str())
        .select((message_templates::body, message_templates::updated_at))
        .first(c)
        .optional()?;
    let spec = template.spec();
    Ok(TemplateView {
        key: template,
        label: template.label().into(),
        customised: stored.is_some(),
        updated_at: stored.as_ref().map(|s| s.1),
        body: stored.map(|s| s.0).unwrap_or_else(|| spec.default.to_string()),
        default_body: spec.default.to_string(),
        placeholders: spec
            .placeholders
            .iter()
            .map(|(name, description)| Placeholder {
                name: (*name).into(),
                description: (*description).into(),
                required: spec.required.contains(name),
            })
            .collect(),
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    /// The new wording; `null` or empty goes back to the built-in one.
    #[serde(default)]
    pub body: Option<String>,
}

/// Saves a wording (checked) or, given none, returns to the built-in one.
pub fn put(c: &mut DbConnection, template: Template, input: &TemplateInput, by: &str, now: i64) -> AppResult<()> {
    let Some(body) = input.body.as_deref().filter(|b| !b.trim().is_empty()) else {
        diesel::delete(message_templates::table.find(template.as_str())).execute(c)?;
        return Ok(());
    };
    let body = check(template, body)?;
    let upsert = diesel::insert_into(message_templates::table)
        .values((
            message_templates::key.eq(template.as_str()),
            message_templates::body.eq(&body),
            message_templates::updated_at.eq(now),
            message_templates::updated_by.eq(by),
        ))
        .on_conflict(message_templates::key)
        .do_update()
        .set((
            message_templates::body.eq(&body),
            message_templates::updated_at.eq(now),
            message_templates::updated_by.eq(by),
        ));
    match c {
        DbConnection::Sqlite(c) => upsert.execute(c)?,
        DbConnection::Postgres(c) => upsert.execute(c)?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_wording_passes_its_own_check() {
        for t in Template::ALL {
            check(*t, t.spec().default).unwrap_or_else(|e| panic!("{t}: {e:?}"));
        }
    }

    #[test]
    fn placeholders_are_checked_and_filled() {
        assert!(check(Template::ConsentRequest, "Hej {fornamn}, svara här: {lank}").is_ok());
        assert!(check(Template::ConsentRequest, "Hej {fornamn}!").is_err(), "no answer link");
        assert!(check(Template::ConsentRequest, "Hej {namn}: {lank}").is_err(), "unknown placeholder");
        assert!(check(Template::ConsentRequest, "Hej {fornamn: {lank}").is_err(), "unclosed");
        assert_eq!(render("Hej {fornamn}! {lank}", &[("fornamn", "Ada"), ("lank", "x")]), "Hej Ada! x");
        assert_eq!(render("{okänd} kvar", &[]), " kvar");
    }
}
