//! The journal: what a broker or officer noted about a seeker (a note, a call, a message, a
//! meeting) and when to make contact next. Free text about a person: every read is audited,
//! erasure blanks it.

pub mod http;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::clock::Day;
use crate::db::schema::{journal_entries, seekers, users};
use crate::db::{DbConnection, new_id, write_tx};
use crate::error::{AppResult, Errors, Fault};
use crate::privacy::Reader;

crate::text_enum! {
    /// What kind of contact an entry records.
    pub enum EntryKind {
        Note = "note",
        Call = "call",
        Sms = "sms",
        Email = "email",
        Meeting = "meeting",
    }
}

/// Entries that are a contact with the person, for "contact in the last 14 days" and the
/// plan status (a note is not a contact).
pub const CONTACT_KINDS: [EntryKind; 4] = [EntryKind::Call, EntryKind::Sms, EntryKind::Email, EntryKind::Meeting];

/// When the journal last records a contact with the person, before `before`.
pub fn last_contact(conn: &mut DbConnection, seeker_id: &str, before: i64) -> QueryResult<Option<i64>> {
    journal_entries::table
        .filter(journal_entries::seeker_id.eq(seeker_id))
        .filter(journal_entries::kind.eq_any(CONTACT_KINDS))
        .filter(journal_entries::at.lt(before))
        .select(diesel::dsl::max(journal_entries::at))
        .first(conn)
}

/// An entry as staff write it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = JournalInput)]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    pub kind: EntryKind,
    pub text: String,
    /// When it happened, RFC 3339; now when left out.
    #[serde(default)]
    pub at: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// The next planned contact; shown as a to-do on that day.
    #[serde(default)]
    pub next_contact_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Queryable, utoipa::ToSchema)]
#[schema(as = JournalEntry)]
pub struct Entry {
    pub id: String,
    pub seeker_id: String,
    pub kind: EntryKind,
    pub text: Option<String>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: i64,
    pub next_contact_on: Option<Day>,
    /// Who wrote it (name).
    pub by: String,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: i64,
}

/// Checked input: the text, the instant it happened, and the next contact.
struct Checked {
    text: String,
    at: i64,
    next_contact_on: Option<NaiveDate>,
}

fn check(input: &EntryInput, now: i64, today: NaiveDate) -> AppResult<Checked> {
    let mut errors = Errors::new();
    let text = crate::vocabulary::free_text(&Some(input.text.clone()), "text", 5000, &mut errors);
    if text.is_none() {
        errors.add("text", Fault::Required, "must not be empty");
    }
    let at = input.at.map(|t| t.timestamp()).unwrap_or(now);
    // A minute's grace for clocks that run a little ahead.
    if at > now + 60 {
        errors.add("at", Fault::Future, "is in the future");
    }
    if input.next_contact_on.is_some_and(|d| d < today) {
        errors.add("next_contact_on", Fault::Past, "is in the past");
    }
    errors.into_result()?;
    Ok(Checked { text: text.unwrap_or_default(), at, next_contact_on: input.next_contact_on })
}

const COLUMNS: (
    journal_entries::id,
    journal_entries::seeker_id,
    journal_entries::kind,
    journal_entries::text,
    journal_entries::at,
    journal_entries::next_contact_on,
    users::name,
    journal_entries::recorded_at,
) = (
    journal_entries::id,
    journal_entries::seeker_id,
    journal_entries::kind,
    journal_entries::text,
    journal_entries::at,
    journal_entries::next_contact_on,
    users::name,
    journal_entries::recorded_at,
);

/// Writes an entry about a seeker who has not been erased. Writing about a person is reading
/// them: through the privacy gate (another unit's person needs a reason), audited.
pub fn add(conn: &mut DbConnection, r: &Reader, seeker_id: &str, input: &EntryInput) -> AppResult<Entry> {
    let (now, who) = (r.now, &r.who);
    let checked = check(input, now, r.today)?;
    write_tx(conn, |c| {
        crate::seekers::service::read_person(c, r, seeker_id)?;
        let id = new_id();
        diesel::insert_into(journal_entries::table)
            .values((
                journal_entries::id.eq(&id),
                journal_entries::seeker_id.eq(seeker_id),
                journal_entries::kind.eq(input.kind),
                journal_entries::text.eq(&checked.text),
                journal_entries::at.eq(checked.at),
                journal_entries::next_contact_on.eq(checked.next_contact_on.map(Day::from)),
                journal_entries::by_user.eq(&who.user_id),
                journal_entries::recorded_at.eq(now),
            ))
            .execute(c)?;
        Ok(journal_entries::table
            .inner_join(users::table.on(users::id.eq(journal_entries::by_user)))
            .filter(journal_entries::id.eq(&id))
            .select(COLUMNS)
            .first(c)?)
    })
}

/// A seeker's entries, newest first, and how many there are: a read of the person
/// (need-to-know, audited).
pub fn list(
    conn: &mut DbConnection,
    r: &Reader,
    seeker_id: &str,
    (limit, offset): (i64, i64),
) -> AppResult<(Vec<Entry>, i64)> {
    write_tx(conn, |c| {
        crate::seekers::service::read_person(c, r, seeker_id)?;
        entries(c, seeker_id, limit, offset)
    })
}

/// [`list`] for a caller that read the person through the gate in this transaction.
pub fn entries(conn: &mut DbConnection, seeker_id: &str, limit: i64, offset: i64) -> AppResult<(Vec<Entry>, i64)> {
    let total = journal_entries::table.filter(journal_entries::seeker_id.eq(seeker_id)).count().get_result(conn)?;
    let items = journal_entries::table
        .inner_join(users::table.on(users::id.eq(journal_entries::by_user)))
        .filter(journal_entries::seeker_id.eq(seeker_id))
        .order((journal_entries::at.desc(), journal_entries::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(COLUMNS)
        .load(conn)?;
    Ok((items, total))
}

/// A planned contact that is due: the seeker, and the day planned.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueContact {
    pub seeker_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub next_contact_on: Day,
}

/// Contacts planned for `today` or earlier whose seeker has had no entry since the one that
/// planned it, a broker's own seekers when `broker_id` is given; the oldest first.
pub fn due(
    conn: &mut DbConnection,
    broker_id: Option<&str>,
    today: NaiveDate,
    limit: i64,
) -> AppResult<Vec<DueContact>> {
    let mut q = journal_entries::table
        .inner_join(seekers::table)
        .filter(seekers::erased_at.is_null())
        .filter(journal_entries::next_contact_on.le(Day::from(today)))
        .into_boxed();
    if let Some(b) = broker_id {
        q = q.filter(seekers::broker_id.eq(b.to_string()));
    }
    type Row = (String, Option<String>, Option<String>, Day, String);
    let rows: Vec<Row> = q
        .order(journal_entries::next_contact_on)
        .select((
            seekers::id,
            seekers::first_name,
            seekers::last_name,
            journal_entries::next_contact_on.assume_not_null(),
            journal_entries::id,
        ))
        .load(conn)?;
    // A later entry about the same person means the contact was made (or re-planned). Ids
    // are time-ordered (UUID v7), so the greatest is the latest written.
    let latest: std::collections::HashMap<String, String> = {
        let ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
        let all: Vec<(String, String)> = journal_entries::table
            .filter(journal_entries::seeker_id.eq_any(ids))
            .select((journal_entries::seeker_id, journal_entries::id))
            .load(conn)?;
        let mut m: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        for (s, id) in all {
            let e = m.entry(s).or_default();
            if id > *e {
                *e = id;
            }
        }
        m
    };
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|r| latest.get(&r.0).is_some_and(|l| *l == r.4))
        .filter(|r| seen.insert(r.0.clone()))
        .take(limit as usize)
        .map(|(seeker_id, first_name, last_name, next_contact_on, _)| DueContact {
            seeker_id,
            first_name,
            last_name,
            next_contact_on,
        })
        .collect())
}

// The Swedish words the pages, CSV exports and messages show for these values.
impl crate::labels::Label for EntryKind {
    fn label(self) -> &'static str {
        match self {
            EntryKind::Note => "Anteckning",
            EntryKind::Call => "Samtal",
            EntryKind::Sms => "Sms",
            EntryKind::Email => "E-post",
            EntryKind::Meeting => "Möte",
        }
    }
}
