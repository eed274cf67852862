//! The register extract (GDPR Art. 15): every record Platsa holds about the person, as
//! stored, section by section. One table-driven list, like erasure's: each section names its
//! table, which rows are the person's, and the columns shown with their Swedish names. A test
//! checks that every table erasure knows to hold personal data is here.
//!
//! The rows are read as JSON by the database itself (`json_object` on SQLite,
//! `json_build_object` on PostgreSQL: the same arguments), so a section is one statement.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::audit::ReadBy;
use crate::db::DbConnection;
use crate::db::schema::{user_units, users};
use crate::error::AppResult;
use crate::labels::Label;
use crate::privacy::Own;

/// How a column's stored value is shown.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Text,
    /// Seconds since the epoch: shown as a time.
    Instant,
    /// A JSON list or object stored as text.
    Json,
    Bool,
    /// A member of staff's user id: their name, or their role and unit
    /// (`mina_sidor.show_reader_names`).
    Staff,
    /// A stored code with a Swedish label.
    Code(fn(&str) -> Option<&'static str>),
}

/// One column of a section: its key in the JSON, the SQL that reads it, its Swedish name.
#[derive(Debug)]
pub struct Column {
    pub key: &'static str,
    pub sql: &'static str,
    pub label: &'static str,
    pub kind: Kind,
}

const fn col(key: &'static str, label: &'static str, kind: Kind) -> Column {
    Column { key, sql: key, label, kind }
}

/// A section of the extract: `rows` is the condition naming the person's rows, with `{s}`
/// the person's seeker id and `{n}` their personnummer.
#[derive(Debug)]
pub struct Section {
    pub key: &'static str,
    pub title: &'static str,
    pub table: &'static str,
    pub rows: &'static str,
    pub order: &'static str,
    pub columns: &'static [Column],
}

/// The person's applications: made with their e-legitimation, or linked to their record by
/// staff (the same as Mina sidor's own applications, `privacy::own`).
/// The lists that showed the person (through the audit log: `privacy::erasure::SHOWN_ON_LISTS`).
const SHOWN_ON_LISTS: &str = "log_id IN (SELECT ranking_log.id FROM ranking_log JOIN audit_log \
     ON audit_log.at = ranking_log.at AND audit_log.user_id = ranking_log.user_id WHERE audit_log.seeker_id = {s}) \
     AND seeker_id = {s}";

const APPLICATIONS: &str = "seeker_id = {s} OR (personnummer = {n} AND identified_by = 'eid')";

fn list_kind(v: &str) -> Option<&'static str> {
    crate::ranking_log::ListKind::parse(v).map(Label::label)
}
fn message_template(v: &str) -> Option<&'static str> {
    crate::messages::Template::parse(v).map(Label::label)
}
fn message_state(v: &str) -> Option<&'static str> {
    crate::messages::MessageState::parse(v).map(Label::label)
}
fn message_channel(v: &str) -> Option<&'static str> {
    crate::messages::Channel::parse(v).map(Label::label)
}
fn booking_status(v: &str) -> Option<&'static str> {
    crate::booking::BookingStatus::parse(v).map(Label::label)
}
fn identified_by(v: &str) -> Option<&'static str> {
    crate::booking::IdentifiedBy::parse(v).map(Label::label)
}
fn seeker_status(v: &str) -> Option<&'static str> {
    crate::seekers::SeekerStatus::parse(v).map(Label::label)
}
fn exit_reason(v: &str) -> Option<&'static str> {
    crate::seekers::ExitReason::parse(v).map(Label::label)
}
fn entry_kind(v: &str) -> Option<&'static str> {
    crate::journal::EntryKind::parse(v).map(Label::label)
}
fn goal(v: &str) -> Option<&'static str> {
    crate::plan::Goal::parse(v).map(Label::label)
}
fn agreed_how(v: &str) -> Option<&'static str> {
    crate::plan::AgreedHow::parse(v).map(Label::label)
}
fn activity_kind(v: &str) -> Option<&'static str> {
    crate::plan::ActivityKind::parse(v).map(Label::label)
}
fn attendance_state(v: &str) -> Option<&'static str> {
    crate::plan::AttendanceState::parse(v).map(Label::label)
}
fn decline_what(v: &str) -> Option<&'static str> {
    crate::plan::DeclineWhat::parse(v).map(Label::label)
}
fn placement_kind(v: &str) -> Option<&'static str> {
    crate::placements::Kind::parse(v).map(Label::label)
}
fn placement_status(v: &str) -> Option<&'static str> {
    crate::placements::Status::parse(v).map(Label::label)
}
fn outcome(v: &str) -> Option<&'static str> {
    crate::placements::Outcome::parse(v).map(Label::label)
}
fn feedback(v: &str) -> Option<&'static str> {
    crate::placements::feedback::Answer::parse(v).map(Label::label)
}
fn shortlist_status(v: &str) -> Option<&'static str> {
    crate::shortlist::ShortlistStatus::parse(v).map(Label::label)
}
fn consent_state(v: &str) -> Option<&'static str> {
    crate::shortlist::ConsentState::parse(v).map(Label::label)
}
fn consent_how(v: &str) -> Option<&'static str> {
    crate::shortlist::ConsentHow::parse(v).map(Label::label)
}
fn read_by(v: &str) -> Option<&'static str> {
    ReadBy::parse(v).map(Label::label)
}
fn review_about(v: &str) -> Option<&'static str> {
    super::ReviewAbout::parse(v).map(Label::label)
}

use Kind::{Bool, Code, Instant, Json, Staff};

/// Every section, in the order the extract shows them.
pub const SECTIONS: &[Section] = &[
    Section {
        key: "profile",
        title: "Din profil",
        table: "seekers",
        rows: "id = {s}",
        order: "id",
        columns: &[
            col("personnummer", "Personnummer", Kind::Text),
            col("first_name", "Förnamn", Kind::Text),
            col("last_name", "Efternamn", Kind::Text),
            col("email", "E-post", Kind::Text),
            col("phone", "Telefon", Kind::Text),
            col("municipality_code", "Kommunkod", Kind::Text),
            col("occupations", "Yrken (SSYK)", Json),
            col("skills", "Kompetenser", Json),
            col("languages", "Språk", Json),
            col("driving_licences", "Körkort", Json),
            col("available_from", "Tillgänglig från", Kind::Text),
            col("max_commute_km", "Kan pendla högst (km)", Kind::Text),
            col("summary", "Beskrivning", Kind::Text),
            col("unit", "Enhet", Kind::Text),
            col("broker_id", "Jobbmäklare", Staff),
            col("status", "Status", Code(seeker_status)),
            col("exit_reason", "Skäl till avslut", Code(exit_reason)),
            col("exit_date", "Avslutad", Kind::Text),
            col("paused_until", "Pausad till", Kind::Text),
            col("pause_reason", "Skäl till paus", Kind::Text),
            col("registered_at", "Registrerad", Instant),
            col("updated_at", "Senast ändrad", Instant),
            col("last_proposed_at", "Senast föreslagen", Instant),
        ],
    },
    Section {
        key: "applications",
        title: "Dina ansökningar",
        table: "applications",
        rows: APPLICATIONS,
        order: "created_at DESC",
        columns: &[
            col("id", "Ansökan", Kind::Text),
            col("created_at", "Inkom", Instant),
            col("personnummer", "Personnummer", Kind::Text),
            col("first_name", "Förnamn", Kind::Text),
            col("last_name", "Efternamn", Kind::Text),
            col("email", "E-post", Kind::Text),
            col("phone", "Telefon", Kind::Text),
            col("situation", "Det du skrev om din situation", Kind::Text),
            col("offered_day", "Erbjuden mötesdag", Kind::Text),
            col("identified_by", "Identifiering", Code(identified_by)),
            col("protected_identity", "Skyddade personuppgifter", Bool),
            col("identity_confirmed_at", "Identitet kontrollerad", Instant),
            col("identity_confirmed_by", "Kontrollerad av", Staff),
        ],
    },
    Section {
        key: "meetings",
        title: "Dina möten",
        table: "bookings",
        rows: "application_id IN (SELECT id FROM applications WHERE seeker_id = {s} OR (personnummer = {n} AND identified_by = 'eid'))",
        order: "starts_at DESC",
        columns: &[
            col("starts_at", "Början", Instant),
            col("ends_at", "Slut", Instant),
            Column {
                key: "officer",
                sql: "(SELECT name FROM officers WHERE officers.id = bookings.officer_id)",
                label: "Arbetsmarknadssekreterare",
                kind: Kind::Text,
            },
            col("status", "Status", Code(booking_status)),
            col("created_at", "Bokad", Instant),
        ],
    },
    Section {
        key: "journal",
        title: "Journalanteckningar om dig",
        table: "journal_entries",
        rows: "seeker_id = {s}",
        order: "at DESC",
        columns: &[
            col("at", "Tidpunkt", Instant),
            col("kind", "Slag", Code(entry_kind)),
            col("text", "Anteckning", Kind::Text),
            col("next_contact_on", "Nästa kontakt", Kind::Text),
            col("by_user", "Skriven av", Staff),
        ],
    },
    Section {
        key: "plans",
        title: "Din planering (alla versioner)",
        table: "plans",
        rows: "seeker_id = {s}",
        order: "version DESC",
        columns: &[
            col("version", "Version", Kind::Text),
            col("goal", "Mål", Code(goal)),
            col("goal_text", "Målet i ord", Kind::Text),
            col("occupation", "Yrke (SSYK)", Kind::Text),
            col("hours_per_week", "Timmar per vecka", Kind::Text),
            col("start_date", "Startdag", Kind::Text),
            col("review_date", "Följs upp", Kind::Text),
            col("agreed_on", "Överenskommen", Kind::Text),
            col("agreed_how", "Hur", Code(agreed_how)),
            col("note", "Anteckning", Kind::Text),
            col("by_user", "Skriven av", Staff),
            col("recorded_at", "Registrerad", Instant),
        ],
    },
    Section {
        key: "activities",
        title: "Dina aktiviteter",
        table: "activities",
        rows: "seeker_id = {s}",
        order: "from_date DESC",
        columns: &[
            col("kind", "Slag", Code(activity_kind)),
            col("title", "Aktivitet", Kind::Text),
            col("provider", "Anordnare", Kind::Text),
            col("hours_per_week", "Timmar per vecka", Kind::Text),
            col("weekdays", "Veckodagar (1 = måndag)", Json),
            col("from_date", "Från", Kind::Text),
            col("to_date", "Till", Kind::Text),
            col("updated_by", "Senast ändrad av", Staff),
        ],
    },
    Section {
        key: "attendance",
        title: "Din närvaro",
        table: "attendance",
        rows: "seeker_id = {s}",
        order: "day DESC",
        columns: &[
            col("day", "Dag", Kind::Text),
            Column {
                key: "activity",
                sql: "(SELECT title FROM activities WHERE activities.id = attendance.activity_id)",
                label: "Aktivitet",
                kind: Kind::Text,
            },
            col("state", "Närvaro", Code(attendance_state)),
            col("hours", "Timmar", Kind::Text),
            col("note", "Anteckning", Kind::Text),
            col("recorded_by", "Registrerad av", Staff),
        ],
    },
    Section {
        key: "attendance_changes",
        title: "Ändringar av närvaro",
        table: "attendance_changes",
        rows: "seeker_id = {s}",
        order: "changed_at DESC",
        columns: &[
            col("day", "Dag", Kind::Text),
            col("state", "Närvaro", Code(attendance_state)),
            col("hours", "Timmar", Kind::Text),
            col("note", "Anteckning", Kind::Text),
            col("changed_by", "Ändrad av", Staff),
            col("changed_at", "Ändrad", Instant),
        ],
    },
    Section {
        key: "declines",
        title: "Erbjudanden du tackat nej till",
        table: "declines",
        rows: "seeker_id = {s}",
        order: "day DESC",
        columns: &[
            col("day", "Dag", Kind::Text),
            col("what", "Vad", Code(decline_what)),
            col("reason", "Skäl", Kind::Text),
            col("justified", "Godtagbart skäl", Bool),
            col("by_user", "Registrerad av", Staff),
        ],
    },
    Section {
        key: "placements",
        title: "Dina insatser och anställningar",
        table: "placements",
        rows: "seeker_id = {s}",
        order: "created_at DESC",
        columns: &[
            col("id", "Insats", Kind::Text),
            col("kind", "Slag", Code(placement_kind)),
            Column {
                key: "opening",
                sql: "(SELECT headline FROM openings WHERE openings.id = placements.opening_id)",
                label: "Tjänst",
                kind: Kind::Text,
            },
            col("status", "Läge", Code(placement_status)),
            col("outcome", "Utfall", Code(outcome)),
            col("proposed_on", "Föreslagen", Kind::Text),
            col("started_on", "Började", Kind::Text),
            col("ended_on", "Slutade", Kind::Text),
            col("employment_until", "Anställd till", Kind::Text),
            col("broker_id", "Jobbmäklare", Staff),
        ],
    },
    Section {
        key: "placement_history",
        title: "Insatsernas historik",
        table: "placement_events",
        rows: "placement_id IN (SELECT id FROM placements WHERE seeker_id = {s})",
        order: "recorded_at DESC",
        columns: &[
            col("placement_id", "Insats", Kind::Text),
            col("from_status", "Från", Code(placement_status)),
            col("to_status", "Till", Code(placement_status)),
            col("happened_on", "Dag", Kind::Text),
            col("note", "Anteckning", Kind::Text),
            col("details", "Uppgifter", Json),
            col("by_user", "Av", Staff),
        ],
    },
    Section {
        key: "employer_feedback",
        title: "Arbetsgivares svar om dig",
        table: "employer_feedback",
        rows: "placement_id IN (SELECT id FROM placements WHERE seeker_id = {s})",
        order: "at DESC",
        columns: &[
            col("placement_id", "Insats", Kind::Text),
            col("answer", "Svar", Code(feedback)),
            col("note", "Anteckning", Kind::Text),
            col("at", "Tidpunkt", Instant),
        ],
    },
    Section {
        key: "shortlist",
        title: "Tjänster du övervägts för",
        table: "shortlist",
        rows: "seeker_id = {s}",
        order: "updated_at DESC",
        columns: &[
            Column {
                key: "opening",
                sql: "(SELECT headline FROM openings WHERE openings.id = shortlist.opening_id)",
                label: "Tjänst",
                kind: Kind::Text,
            },
            col("status", "Läge", Code(shortlist_status)),
            col("note", "Anteckning", Kind::Text),
            col("consent_state", "Samtycke", Code(consent_state)),
            col("consent_deadline", "Svara senast", Kind::Text),
            col("added_by", "Tillagd av", Staff),
            col("created_at", "Tillagd", Instant),
        ],
    },
    Section {
        key: "consents",
        title: "Samtycken och svar",
        table: "consent_events",
        rows: "seeker_id = {s}",
        order: "at DESC",
        columns: &[
            Column {
                key: "opening",
                sql: "(SELECT headline FROM openings WHERE openings.id = consent_events.opening_id)",
                label: "Tjänst",
                kind: Kind::Text,
            },
            col("state", "Samtycke", Code(consent_state)),
            col("how", "Hur", Code(consent_how)),
            col("note", "Anteckning", Kind::Text),
            col("by_user", "Registrerat av", Staff),
            col("at", "Tidpunkt", Instant),
        ],
    },
    Section {
        key: "consent_messages",
        title: "Förfrågningar om samtycke som skickats",
        table: "consent_messages",
        rows: "seeker_id = {s}",
        order: "created_at DESC",
        columns: &[
            Column {
                key: "opening",
                sql: "(SELECT headline FROM openings WHERE openings.id = consent_messages.opening_id)",
                label: "Tjänst",
                kind: Kind::Text,
            },
            col("created_at", "Skickad", Instant),
        ],
    },
    Section {
        key: "messages",
        title: "Meddelanden vi skickat till dig",
        table: "messages",
        rows: "seeker_id = {s} OR application_id IN (SELECT id FROM applications WHERE seeker_id = {s} OR (personnummer = {n} AND identified_by = 'eid'))",
        order: "created_at DESC",
        columns: &[
            col("created_at", "Skapat", Instant),
            col("template", "Slag", Code(message_template)),
            col("channel", "Hur", Code(message_channel)),
            col("address", "Till", Kind::Text),
            col("body", "Text", Kind::Text),
            col("state", "Läge", Code(message_state)),
        ],
    },
    Section {
        key: "reviews",
        title: "Dina begäranden om omprövning",
        table: "reviews",
        rows: "seeker_id = {s}",
        order: "created_at DESC",
        columns: &[
            col("about", "Gäller", Code(review_about)),
            col("text", "Det du skrev", Kind::Text),
            col("created_at", "Skickad", Instant),
            col("due_on", "Svar senast", Kind::Text),
            col("answer", "Svar", Kind::Text),
            col("answered_at", "Besvarad", Instant),
            col("answered_by", "Besvarad av", Staff),
        ],
    },
    Section {
        key: "ranked_lists",
        title: "När du visats i rankade kandidatlistor",
        table: "ranking_log_shown",
        rows: SHOWN_ON_LISTS,
        order: "log_id DESC",
        columns: &[
            Column {
                key: "at",
                sql: "(SELECT at FROM ranking_log WHERE ranking_log.id = ranking_log_shown.log_id)",
                label: "Tidpunkt",
                kind: Instant,
            },
            Column {
                key: "opening",
                sql: "(SELECT headline FROM openings WHERE openings.id = (SELECT opening_id FROM ranking_log WHERE ranking_log.id = ranking_log_shown.log_id))",
                label: "Tjänst",
                kind: Kind::Text,
            },
            col("rank", "Plats i listan", Kind::Text),
            col("score", "Poäng (0–1)", Kind::Text),
        ],
    },
    Section {
        key: "lists_for_you",
        title: "Tjänster som rangordnats för dig",
        table: "ranking_log",
        rows: "seeker_id = {s}",
        order: "at DESC",
        columns: &[
            col("at", "Tidpunkt", Instant),
            col("user_id", "Av", Staff),
            col("list", "Lista", Code(list_kind)),
            col("total", "Antal tjänster", Kind::Text),
        ],
    },
    Section {
        key: "reads",
        title: "Vem som har läst dina uppgifter",
        table: "audit_log",
        rows: "seeker_id = {s} OR seeker_id IN (SELECT 'application:' || id FROM applications WHERE seeker_id = {s} OR (personnummer = {n} AND identified_by = 'eid'))",
        order: "at DESC",
        columns: &[
            col("at", "Tidpunkt", Instant),
            col("user_id", "Vem", Staff),
            col("role", "Roll", Code(read_by)),
            col("action", "Hur (sida eller tjänst)", Kind::Text),
            col("reason", "Angivet skäl", Kind::Text),
        ],
    },
];

/// Tables holding something about a person that the extract leaves out, and why.
pub const LEFT_OUT: &[(&str, &str)] = &[(
    "eid_sessions",
    "a sign-in in progress (an hour at most): the personnummer and name it holds are the e-legitimation's own",
)];

/// One section as read.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub key: &'static str,
    pub title: &'static str,
    pub rows: Vec<Map<String, Value>>,
}

/// The whole extract.
#[derive(Debug, Clone, Serialize)]
pub struct Extract {
    #[serde(with = "crate::clock::rfc3339")]
    pub produced_at: i64,
    pub personnummer: String,
    pub sections: Vec<Part>,
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Text)]
    row: String,
}

/// Reads every section for the person the gate found (`own`). Staff appear by name, or by
/// role and unit.
pub fn extract(c: &mut DbConnection, own: &Own, show_names: bool) -> AppResult<Extract> {
    let seeker = own.seeker_id.clone().unwrap_or_default();
    let mut parts = Vec::with_capacity(SECTIONS.len());
    for s in SECTIONS {
        parts.push(Part { key: s.key, title: s.title, rows: read(c, s, (&seeker, &own.personnummer))? });
    }
    let staff = staff_of(c, &parts, show_names)?;
    for (part, section) in parts.iter_mut().zip(SECTIONS) {
        for row in &mut part.rows {
            shape(row, section, &staff);
        }
    }
    Ok(Extract { produced_at: own.now, personnummer: own.personnummer.clone(), sections: parts })
}

fn read(c: &mut DbConnection, s: &Section, (seeker, personnummer): (&str, &str)) -> AppResult<Vec<Map<String, Value>>> {
    let pairs: Vec<String> = s.columns.iter().map(|col| format!("'{}', {}", col.key, col.sql)).collect();
    let (object, cast, p1, p2) = match c {
        DbConnection::Sqlite(_) => ("json_object", "", "?1", "?2"),
        DbConnection::Postgres(_) => ("json_build_object", "::text", "$1", "$2"),
    };
    let rows = s.rows.replace("{s}", p1).replace("{n}", p2);
    let sql = format!(
        "SELECT {object}({}){cast} AS row FROM {} WHERE {rows} ORDER BY {}",
        pairs.join(", "),
        s.table,
        s.order
    );
    // Bind exactly the parameters the condition names (SQLite refuses one too many).
    let both = s.rows.contains("{n}");
    let found: Vec<JsonRow> = match c {
        DbConnection::Sqlite(c) if both => {
            diesel::sql_query(sql).bind::<Text, _>(seeker).bind::<Text, _>(personnummer).load(c)?
        }
        DbConnection::Sqlite(c) => diesel::sql_query(sql).bind::<Text, _>(seeker).load(c)?,
        DbConnection::Postgres(c) if both => {
            diesel::sql_query(sql).bind::<Text, _>(seeker).bind::<Text, _>(personnummer).load(c)?
        }
        DbConnection::Postgres(c) => diesel::sql_query(sql).bind::<Text, _>(seeker).load(c)?,
    };
    Ok(found
        .into_iter()
        .filter_map(|r| match serde_json::from_str::<Value>(&r.row) {
            Ok(Value::Object(m)) => Some(m),
            _ => None,
        })
        .collect())
}

/// How each member of staff named in the extract is shown.
fn staff_of(c: &mut DbConnection, parts: &[Part], show_names: bool) -> AppResult<HashMap<String, String>> {
    let mut ids: Vec<String> = Vec::new();
    for (part, section) in parts.iter().zip(SECTIONS) {
        for col in section.columns.iter().filter(|c| matches!(c.kind, Staff)) {
            ids.extend(part.rows.iter().filter_map(|r| r.get(col.key)?.as_str().map(str::to_string)));
        }
    }
    ids.sort_unstable();
    ids.dedup();
    let people: Vec<(String, String, String)> =
        users::table.filter(users::id.eq_any(&ids)).select((users::id, users::name, users::role)).load(c)?;
    let units: Vec<(String, String)> = user_units::table
        .filter(user_units::user_id.eq_any(&ids))
        .select((user_units::user_id, user_units::unit))
        .load(c)?;
    let mut out = HashMap::new();
    for (id, name, role) in people {
        let role = crate::auth::Role::parse(&role).map(Label::label).unwrap_or("personal");
        let mine: Vec<&str> = units.iter().filter(|(u, _)| *u == id).map(|(_, unit)| unit.as_str()).collect();
        let shown = match (show_names, mine.is_empty()) {
            (true, _) => format!("{name} ({role})"),
            (false, true) => role.to_string(),
            (false, false) => format!("{role}, {}", mine.join(", ")),
        };
        out.insert(id, shown);
    }
    out.insert(crate::audit::SYSTEM_USER.to_string(), "Platsa (automatisk gallring eller import)".into());
    out.insert(crate::audit::SELF_USER.to_string(), "Du själv".into());
    Ok(out)
}

/// A row as shown: times as RFC 3339, stored JSON parsed, booleans as booleans, staff as
/// their name or role.
fn shape(row: &mut Map<String, Value>, section: &Section, staff: &HashMap<String, String>) {
    for col in section.columns {
        let Some(v) = row.get_mut(col.key) else { continue };
        *v = match (col.kind, &*v) {
            (_, Value::Null) => Value::Null,
            (Instant, Value::Number(n)) => {
                n.as_i64().map(|t| Value::String(crate::clock::format_ts(t))).unwrap_or(Value::Null)
            }
            (Json, Value::String(s)) => serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone())),
            (Bool, Value::Number(n)) => Value::Bool(n.as_i64() != Some(0)),
            (Staff, Value::String(id)) => {
                Value::String(staff.get(id).cloned().unwrap_or_else(|| "personal som inte längre finns".into()))
            }
            (_, other) => other.clone(),
        };
    }
}

/// A value in Swedish for the page.
pub fn shown(col: &Column, v: &Value) -> String {
    match (col.kind, v) {
        (_, Value::Null) => "–".into(),
        (Code(label), Value::String(s)) => label(s).map(str::to_string).unwrap_or_else(|| s.clone()),
        (_, Value::Bool(b)) => if *b { "ja" } else { "nej" }.into(),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Array(items)) => items.iter().map(item).collect::<Vec<_>>().join(", "),
        (_, other) => other.to_string().replace('.', ","),
    }
}

/// One item of a stored list: a code, or an object's label (a skill) or values (a language).
fn item(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) => match m.get("label").and_then(Value::as_str) {
            Some(label) => label.to_string(),
            None => m.values().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(" "),
        },
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table erasure lists as holding personal data is in the extract, or left out
    /// for a stated reason: a new table about a person cannot be forgotten here either.
    #[test]
    fn the_extract_covers_every_table_holding_personal_data() {
        for p in crate::privacy::erasure::PERSONAL {
            let covered = SECTIONS.iter().any(|s| s.table == p.table) || LEFT_OUT.iter().any(|(t, _)| *t == p.table);
            assert!(covered, "{} holds personal data but is not in the register extract", p.table);
        }
    }

    #[test]
    fn the_lists_that_showed_the_person_are_found_as_erasure_finds_them() {
        assert_eq!(SHOWN_ON_LISTS.replace("{s}", "{p}"), crate::privacy::erasure::SHOWN_ON_LISTS);
    }

    #[test]
    fn every_column_has_a_swedish_name_and_a_unique_key() {
        for s in SECTIONS {
            let mut keys = std::collections::HashSet::new();
            for c in s.columns {
                assert!(!c.label.trim().is_empty(), "{}.{} has no Swedish name", s.table, c.key);
                assert!(keys.insert(c.key), "{}.{} appears twice", s.table, c.key);
            }
        }
    }
}
