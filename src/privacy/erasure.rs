//! Erasure (GDPR Art. 17 and the retention period): the one list of every column that holds
//! personal data or free text about a seeker, and the one routine that blanks them. The
//! anonymous rows stay, so reports and follow-up still count what happened.
//!
//! [`PERSONAL`] and [`KEPT`] together name every text column of the schema; a test reads the
//! migrated schema on both backends and fails on a column that neither names, so a new table
//! holding something about a person cannot be forgotten here.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::outbox::{self, Entity};
use crate::db::schema::seekers;
use crate::db::{DbConnection, write_tx};
use crate::error::{AppError, AppResult, Thing};

/// Which rows of a table are the person's; `{p}` is the seeker id. The personnummer is read
/// from the seekers row, so the seekers row is blanked last.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    /// The seekers row itself.
    Seeker,
    /// Rows with a `seeker_id` column naming the person.
    SeekerId,
    /// Rows of the person's placements (`placement_id`).
    Placement,
    /// The applications the person made: linked to them, or made with their personnummer
    /// and never linked (an application is personal data whether or not staff linked it).
    Application,
    /// Rows of those applications (`application_id`): the bookings.
    OfApplication,
    /// Rows naming the person's personnummer (an e-legitimation under way).
    Personnummer,
    /// What ranked lists showed of the person ([`SHOWN_ON_LISTS`]).
    ShownOnLists,
}

/// The lists that showed the person, found through the audit log, which records every person
/// a list showed at the same instant and by the same user as the list (one transaction):
/// `ranking_log_shown` has no index on the person (see its migration).
pub const SHOWN_ON_LISTS: &str = "log_id IN (SELECT ranking_log.id FROM ranking_log JOIN audit_log \
     ON audit_log.at = ranking_log.at AND audit_log.user_id = ranking_log.user_id WHERE audit_log.seeker_id = {p}) \
     AND seeker_id = {p}";

const PERSONNUMMER: &str = "(SELECT personnummer FROM seekers WHERE id = {p})";

impl Owner {
    fn condition(self) -> String {
        let applications = format!("seeker_id = {{p}} OR (seeker_id IS NULL AND personnummer = {PERSONNUMMER})");
        match self {
            Owner::Seeker => "id = {p}".into(),
            Owner::SeekerId => "seeker_id = {p}".into(),
            Owner::Placement => "placement_id IN (SELECT id FROM placements WHERE seeker_id = {p})".into(),
            Owner::Application => applications,
            Owner::OfApplication => format!("application_id IN (SELECT id FROM applications WHERE {applications})"),
            Owner::Personnummer => format!("personnummer = {PERSONNUMMER}"),
            Owner::ShownOnLists => SHOWN_ON_LISTS.into(),
        }
    }
}

/// What an erased column holds afterwards: NULL, or an empty JSON list for a required list.
#[derive(Debug, Clone, Copy)]
pub enum Blank {
    Null,
    EmptyList,
}

/// A table holding personal data: which rows are the person's and which columns are erased.
#[derive(Debug)]
pub struct Personal {
    pub table: &'static str,
    pub owner: Owner,
    pub columns: &'static [(&'static str, Blank)],
}

use Blank::{EmptyList, Null};

/// Every column that holds personal data or free text about a seeker, in the order they are
/// erased (the rows found through the seekers row's personnummer before that row is blanked).
pub const PERSONAL: &[Personal] = &[
    // The key that stops one person booking twice is derived from their personnummer.
    Personal { table: "bookings", owner: Owner::OfApplication, columns: &[("applicant_key", Null)] },
    // The texts sent to the person and where they went: by their applications (before those
    // are blanked, as they are found by personnummer), then by their record.
    Personal { table: "messages", owner: Owner::OfApplication, columns: &[("address", Null), ("body", Null)] },
    Personal { table: "messages", owner: Owner::SeekerId, columns: &[("address", Null), ("body", Null)] },
    Personal {
        table: "applications",
        owner: Owner::Application,
        columns: &[
            ("personnummer", Null),
            ("first_name", Null),
            ("last_name", Null),
            ("email", Null),
            ("phone", Null),
            ("situation", Null),
        ],
    },
    // Who signed in with e-legitimation to apply (an hour at most, then deleted).
    Personal {
        table: "eid_sessions",
        owner: Owner::Personnummer,
        columns: &[("personnummer", Null), ("given_name", Null), ("family_name", Null)],
    },
    Personal { table: "journal_entries", owner: Owner::SeekerId, columns: &[("text", Null)] },
    // The reason a reader typed to open the record: the fact of the read stays.
    Personal { table: "audit_log", owner: Owner::SeekerId, columns: &[("reason", Null)] },
    // The plan and its activities in the words staff wrote with the person.
    Personal { table: "plans", owner: Owner::SeekerId, columns: &[("goal_text", Null), ("note", Null)] },
    Personal { table: "activities", owner: Owner::SeekerId, columns: &[("title", Null), ("provider", Null)] },
    Personal { table: "attendance", owner: Owner::SeekerId, columns: &[("note", Null)] },
    Personal { table: "attendance_changes", owner: Owner::SeekerId, columns: &[("note", Null)] },
    Personal { table: "declines", owner: Owner::SeekerId, columns: &[("reason", Null)] },
    Personal { table: "placement_events", owner: Owner::Placement, columns: &[("note", Null)] },
    // What brokers and employers wrote about the person; the answers stay as anonymous facts.
    Personal { table: "employer_feedback", owner: Owner::Placement, columns: &[("note", Null)] },
    Personal { table: "shortlist", owner: Owner::SeekerId, columns: &[("note", Null)] },
    Personal { table: "consent_events", owner: Owner::SeekerId, columns: &[("note", Null)] },
    // What the person wrote asking for a review, and the manager's answer to them.
    Personal { table: "reviews", owner: Owner::SeekerId, columns: &[("text", Null), ("answer", Null)] },
    // The ranking log keeps that a list was shown and what it scored; whom it showed, or was
    // made for, goes with the person.
    Personal { table: "ranking_log", owner: Owner::SeekerId, columns: &[("seeker_id", Null)] },
    Personal { table: "ranking_log_shown", owner: Owner::ShownOnLists, columns: &[("seeker_id", Null)] },
    Personal {
        table: "seekers",
        owner: Owner::Seeker,
        columns: &[
            ("personnummer", Null),
            ("first_name", Null),
            ("last_name", Null),
            ("email", Null),
            ("phone", Null),
            ("summary", Null),
            // Read from the summary, with its words as evidence.
            ("inferred", Null),
            ("pause_reason", Null),
            // Skills typed freely are the person's own words.
            ("skills", EmptyList),
        ],
    },
];

/// Text columns that stay after an erasure, per table (`*`: the whole table), and why.
pub const KEPT: &[(&str, &[&str], &str)] = &[
    (
        "seekers",
        &[
            "id",
            "municipality_code",
            "occupations",
            "languages",
            "driving_licences",
            "available_from",
            "unit",
            "broker_id",
            "status",
            "exit_reason",
            "exit_date",
            "paused_until",
        ],
        "codes and dates the reports and follow-up count; no name, number or words of the person",
    ),
    (
        "applications",
        &["id", "seeker_id", "token_hash", "offered_day", "identity_confirmed_by", "identified_by", "contact_channel"],
        "ids, a hash and a day: the anonymous application the booking statistics count",
    ),
    (
        "bookings",
        &["id", "application_id", "officer_id", "status"],
        "the meeting as a fact: who met, when, how it went",
    ),
    (
        "journal_entries",
        &["id", "seeker_id", "kind", "next_contact_on", "by_user"],
        "that contact happened, not what was said",
    ),
    (
        "placement_events",
        &["id", "placement_id", "from_status", "to_status", "happened_on", "details", "by_user"],
        "the steps and their outcome codes (details: outcome, employment end, study grant)",
    ),
    ("employer_feedback", &["id", "placement_id", "answer", "by_user"], "the employer's answer as a code"),
    (
        "shortlist",
        &["opening_id", "seeker_id", "status", "added_by", "consent_state", "consent_deadline", "consent_token_hash"],
        "the shortlist's states; the consent link's token is kept only as a hash",
    ),
    ("consent_events", &["id", "opening_id", "seeker_id", "state", "how", "by_user"], "the consent history as codes"),
    (
        "consent_messages",
        &["id", "opening_id", "seeker_id", "link"],
        "the link holds a random token only; the phone or address it went to is not stored",
    ),
    (
        "deliveries",
        &["*"],
        "what was sent and how it went: keys, codes and bodies with no person in them (reminders and consent requests are composed when sent, never stored)",
    ),
    (
        "placements",
        &[
            "id",
            "seeker_id",
            "opening_id",
            "kind",
            "status",
            "broker_id",
            "unit",
            "outcome",
            "employment_until",
            "proposed_on",
            "started_on",
            "ended_on",
            "ranking_log_id",
        ],
        "the placement as a fact the monthly reports count (and the list it was proposed from, for oversight)",
    ),
    (
        "ranking_log",
        &["id", "user_id", "role", "list", "route", "opening_id", "version", "filters"],
        "that a ranked list was shown, by whom, with which version and filters (codes): the AI Act's log",
    ),
    ("ranking_log_shown", &["log_id", "opening_id"], "the ranks and scores a list showed"),
    ("ranking_versions", &["*"], "the ranking's weights and rules, as text"),
    ("exposure_days", &["*"], "units' exposure counts"),
    (
        "messages",
        &[
            "id",
            "idempotency_key",
            "delivery_key",
            "template",
            "channel",
            "recipient",
            "seeker_id",
            "application_id",
            "opening_id",
            "subject",
            "state",
            "last_error",
            "gateway_id",
            "created_by",
        ],
        "that a message of a kind went and how its delivery went; not its words or address",
    ),
    ("message_attempts", &["*"], "each try's outcome and the gateway's error (a status, never an address)"),
    ("message_templates", &["*"], "the wording admins chose, about nobody"),
    ("booking_offers", &["*"], "which freed meeting was offered to which application, and the answer"),
    ("exposure_runs", &["*"], "the days exposure was measured"),
    ("seeker_returns", &["*"], "ids and a day: returns to assistance after an exit, for follow-up"),
    (
        "plans",
        &["id", "seeker_id", "goal", "occupation", "start_date", "review_date", "agreed_on", "agreed_how", "by_user"],
        "that a plan was agreed, when, and toward what (codes and dates)",
    ),
    (
        "activities",
        &["id", "seeker_id", "kind", "placement_id", "weekdays", "from_date", "to_date", "created_by", "updated_by"],
        "the activity as a kind with its days: the hours the process measures count",
    ),
    (
        "attendance",
        &["activity_id", "day", "seeker_id", "state", "recorded_by"],
        "attendance as codes: the attendance rate counts it",
    ),
    (
        "attendance_changes",
        &["id", "activity_id", "day", "seeker_id", "state", "changed_by"],
        "the change history as codes",
    ),
    ("declines", &["id", "seeker_id", "what", "ref_id", "day", "by_user"], "that an offer was declined, as codes"),
    (
        "audit_log",
        &["id", "user_id", "role", "seeker_id", "action"],
        "the accountability record of who read whom and when (the reason typed is erased: it may say why about the person)",
    ),
    (
        "decisions",
        &["application_id", "outcome", "recorded_by"],
        "the assistance decision as a code and a time; its reasons stay in the case system",
    ),
    (
        "daily_matches",
        &["opening_id", "seeker_id", "broker_id", "day", "state", "dismiss_reason"],
        "a suggestion to a broker and what they did with it, as ids and codes",
    ),
    ("matched_openings", &["*"], "which openings were matched on which day"),
    ("employers", &["*"], "organisations"),
    ("employer_contacts", &["*"], "the employer's staff, not seekers"),
    ("users", &["*"], "staff and employer accounts"),
    ("user_units", &["*"], "staff memberships"),
    ("api_tokens", &["*"], "hashes of staff tokens"),
    ("web_sessions", &["*"], "hashes of staff sessions"),
    ("oidc_logins", &["*"], "sign-ins under way: random values for the provider, and a local path"),
    ("eid_sessions", &["id_hash", "purpose"], "the hash of an applicant's e-legitimation cookie, and what it is for"),
    (
        "reviews",
        &["id", "seeker_id", "unit", "about", "ref_id", "due_on", "answered_by"],
        "that a review was asked for, about what kind of decision, and when it was answered",
    ),
    ("openings", &["*"], "the employer's openings"),
    ("idempotency_keys", &["*"], "replays of employers' opening posts; seekers are never posted with a key"),
    ("outbox", &["*"], "ids to index"),
    ("database_identity", &["*"], "a random id naming this database"),
    ("sign_in_failures", &["*"], "client addresses of failed sign-ins, for the admins' signal; deleted after 30 days"),
    ("targets", &["*"], "units' monthly targets"),
    ("target_changes", &["*"], "units' monthly targets"),
    ("process_targets", &["*"], "units' process targets"),
    ("process_target_changes", &["*"], "units' process targets"),
    ("officers", &["*"], "staff"),
    ("officer_absences", &["*"], "staff"),
    ("units", &["*"], "names of units"),
    ("retention_runs", &["*"], "the days retention ran"),
    ("backups", &["*"], "when each backup ran, its file name, size and result"),
    ("imports", &["*"], "an import's counts and each bad row's field and problem, never a value"),
    ("jobstream_state", &["*"], "Platsbanken's position"),
    ("jobstream_runs", &["*"], "Platsbanken's runs: ad ids and problems"),
    ("taxonomy_versions", &["*"], "JobTech's vocabulary"),
];

/// Erases one person and compacts at once (`DELETE /api/v1/seekers/{id}`); `rewrite`: see
/// [`compact`].
pub fn erase(c: &mut DbConnection, now: i64, seeker_id: &str, rewrite: bool) -> AppResult<()> {
    erase_without_compacting(c, now, seeker_id)?;
    compact(c, rewrite);
    Ok(())
}

/// [`erase`] for one of many: the caller compacts once after the batch (retention).
pub fn erase_without_compacting(c: &mut DbConnection, now: i64, seeker_id: &str) -> AppResult<()> {
    write_tx(c, |c| {
        // 404 for an unknown or already erased person.
        let live: i64 = seekers::table.find(seeker_id).filter(seekers::erased_at.is_null()).count().get_result(c)?;
        if live == 0 {
            return Err(AppError::NotFound(Thing::Seeker));
        }
        for p in PERSONAL {
            let set: Vec<String> = p
                .columns
                .iter()
                .map(|(col, blank)| match blank {
                    Null => format!("{col} = NULL"),
                    EmptyList => format!("{col} = '[]'"),
                })
                .collect();
            let sql = format!("UPDATE {} SET {} WHERE {}", p.table, set.join(", "), p.owner.condition());
            execute_for(c, &sql, seeker_id)?;
        }
        let marked = "UPDATE seekers SET erased_at = {now}, updated_at = {now}, version = version + 1 WHERE id = {p}"
            .replace("{now}", &now.to_string());
        execute_for(c, &marked, seeker_id)?;
        outbox::push(c, Entity::Seeker, seeker_id, now)
    })
}

/// Runs `sql` with the seeker id bound to every `{p}`.
fn execute_for(c: &mut DbConnection, sql: &str, seeker_id: &str) -> QueryResult<usize> {
    match c {
        DbConnection::Sqlite(c) => diesel::sql_query(sql.replace("{p}", "?1")).bind::<Text, _>(seeker_id).execute(c),
        DbConnection::Postgres(c) => diesel::sql_query(sql.replace("{p}", "$1")).bind::<Text, _>(seeker_id).execute(c),
    }
}

/// The tables an erasure writes: where old row versions holding the erased values are.
pub fn erased_tables() -> Vec<&'static str> {
    let mut tables: Vec<&str> = PERSONAL.iter().map(|p| p.table).collect();
    tables.sort_unstable();
    tables.dedup();
    tables
}

/// After an erasure, so no copy of the erased values is left in the files. On SQLite: copy the
/// WAL into the database file and truncate it (the freed pages were zeroed by
/// `secure_delete`). On PostgreSQL an update leaves the old row version (the values) as a
/// dead tuple until VACUUM removes it, and its index entries until the indexes are cleaned:
/// vacuum the touched tables now, indexes included. Best effort: a checkpoint blocked by a
/// long reader is retried by SQLite's automatic checkpoints, and a version a running
/// transaction can still see is removed by autovacuum once it ends. Once per batch of
/// erasures: the vacuum scans every index of those tables. `rewrite` (PostgreSQL,
/// `retention.rewrite_tables`): rewrite the tables instead (VACUUM FULL), so not even the
/// bytes of the dead versions stay in their files.
pub fn compact(c: &mut DbConnection, rewrite: bool) {
    let sql = match c {
        DbConnection::Sqlite(_) => "PRAGMA wal_checkpoint(TRUNCATE);".to_string(),
        DbConnection::Postgres(_) if rewrite => {
            format!("VACUUM (FULL, INDEX_CLEANUP ON) {};", erased_tables().join(", "))
        }
        DbConnection::Postgres(_) => format!("VACUUM (INDEX_CLEANUP ON) {};", erased_tables().join(", ")),
    };
    if let Err(e) = c.batch_execute(&sql) {
        tracing::warn!(error = %e, "compacting after an erasure failed; the database's own checkpoints and autovacuum retry it");
    }
}
