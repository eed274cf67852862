use chrono::NaiveDate;
use diesel::prelude::*;

use super::{ExitReason, Seeker, SeekerData, SeekerStatus};
use crate::db::outbox::{self, Entity};
use crate::db::{DbConnection, new_id, schema::seekers, schema::users, write_tx};
use crate::error::{AppError, AppResult, Clash, Fault, Thing};
use crate::ident::Personnummer;
use crate::json::parse_json;
use crate::vocabulary::MunicipalityCode;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = seekers)]
pub struct SeekerRow {
    pub id: String,
    pub personnummer: Option<Personnummer>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub municipality_code: MunicipalityCode,
    pub occupations: String,
    pub skills: String,
    pub languages: String,
    pub driving_licences: String,
    pub available_from: Option<crate::clock::Day>,
    pub max_commute_km: Option<i32>,
    pub summary: Option<String>,
    pub unit: Option<String>,
    pub broker_id: Option<String>,
    pub status: SeekerStatus,
    pub exit_reason: Option<ExitReason>,
    pub exit_date: Option<crate::clock::Day>,
    pub registered_at: i64,
    pub updated_at: i64,
    pub last_proposed_at: Option<i64>,
    pub erased_at: Option<i64>,
    pub version: i64,
    pub paused_until: Option<crate::clock::Day>,
    pub pause_reason: Option<String>,
    /// The reader's JSON (`vocabulary::written::Reading`); see [`super::reading`].
    pub inferred: Option<String>,
}

fn json_list<T: serde::de::DeserializeOwned>(text: &str) -> Vec<T> {
    serde_json::from_str(text).unwrap_or_default()
}

impl From<SeekerRow> for Seeker {
    fn from(r: SeekerRow) -> Self {
        let inferred = super::reading(r.summary.as_deref(), r.inferred.as_deref());
        Seeker {
            id: r.id,
            personnummer: r.personnummer,
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            phone: r.phone,
            municipality_code: r.municipality_code,
            occupations: json_list(&r.occupations),
            skills: json_list(&r.skills),
            languages: json_list(&r.languages),
            driving_licences: json_list(&r.driving_licences),
            available_from: r.available_from,
            max_commute_km: r.max_commute_km,
            summary: r.summary,
            unit: r.unit,
            broker_id: r.broker_id,
            status: r.status,
            exit_reason: r.exit_reason,
            exit_date: r.exit_date,
            paused_until: r.paused_until,
            inferred,
            pause_reason: r.pause_reason,
            registered_at: r.registered_at,
            updated_at: r.updated_at,
            last_proposed_at: r.last_proposed_at,
            version: r.version,
            restricted: false,
        }
    }
}

fn json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).expect("serializable")
}

fn duplicate(existing: String) -> AppError {
    AppError::conflict_with(
        Clash::Duplicate,
        "a seeker with this personnummer is already registered",
        serde_json::json!({ "existing_seeker_id": existing }),
    )
}

pub fn by_personnummer(conn: &mut DbConnection, pnr: &str) -> QueryResult<Option<String>> {
    seekers::table.filter(seekers::personnummer.eq(pnr)).select(seekers::id).first(conn).optional()
}

pub fn check_broker(conn: &mut DbConnection, broker_id: Option<&str>) -> AppResult<()> {
    let Some(b) = broker_id else { return Ok(()) };
    let role: Option<String> = users::table.find(b).select(users::role).first(conn).optional()?;
    match role.as_deref() {
        Some("broker") => Ok(()),
        Some(_) => Err(AppError::field("broker_id", Fault::Unknown, "this user is not a broker")),
        None => Err(AppError::field("broker_id", Fault::NotFound, "no user with this id")),
    }
}

pub fn create(conn: &mut DbConnection, now: i64, data: SeekerData) -> AppResult<Seeker> {
    let pnr = data.personnummer.clone();
    let result = write_tx(conn, |c| {
        let id = create_in_tx(c, now, &data)?;
        get(c, &id)
    });
    // Two registrations racing past the check meet the unique index; answer as if checked.
    match result {
        // The personnummer is a new seeker's only unique value.
        Err(AppError::Conflict { clash: Clash::Unique, .. }) => match by_personnummer(conn, &pnr)? {
            Some(existing) => Err(duplicate(existing)),
            None => Err(AppError::conflict(Clash::ChangedMeanwhile, "the seeker could not be registered; try again")),
        },
        other => other,
    }
}

/// Registers a seeker inside the caller's transaction; returns the new id.
pub fn create_in_tx(c: &mut DbConnection, now: i64, data: &SeekerData) -> AppResult<String> {
    if let Some(existing) = by_personnummer(c, &data.personnummer)? {
        return Err(duplicate(existing));
    }
    check_broker(c, data.broker_id.as_deref())?;
    crate::units::check(c, data.unit.as_deref(), "unit")?;
    let id = new_id();
    insert(c, &id, now, data)?;
    outbox::push(c, Entity::Seeker, &id, now)?;
    Ok(id)
}

/// Registers a seeker whose personnummer, broker and unit the caller has already checked
/// (a bulk import checks them once per file); the unique index still refuses a duplicate.
pub fn insert_checked_in_tx(c: &mut DbConnection, now: i64, data: &SeekerData) -> AppResult<String> {
    let id = new_id();
    insert(c, &id, now, data)?;
    outbox::push(c, Entity::Seeker, &id, now)?;
    Ok(id)
}

/// Registers many checked seekers (as [`insert_checked_in_tx`]) in multi-row inserts: a bulk
/// import's chunk costs two statements, not two per person. Answers the new ids in order.
pub fn insert_many_checked_in_tx(c: &mut DbConnection, now: i64, data: &[&SeekerData]) -> AppResult<Vec<String>> {
    let ids: Vec<String> = data.iter().map(|_| new_id()).collect();
    // 24 parameters a row: 1 000 rows stay under SQLite's 32 766.
    for (part, part_ids) in data.chunks(1000).zip(ids.chunks(1000)) {
        let rows: Vec<_> = part
            .iter()
            .zip(part_ids)
            .map(|(d, id)| {
                (seekers::id.eq(id), SeekerValues::of(d), seekers::registered_at.eq(now), seekers::updated_at.eq(now))
            })
            .collect();
        crate::insert_rows!(c, seekers::table, rows)?;
    }
    outbox::push_many(c, Entity::Seeker, &ids, now)?;
    Ok(ids)
}

/// Ids of the registered seekers (erased ones included: their personnummer is gone) with
/// these personnummer.
pub fn ids_by_personnummer(conn: &mut DbConnection, pnrs: &[String]) -> QueryResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for chunk in pnrs.chunks(500) {
        out.extend(
            seekers::table
                .filter(seekers::personnummer.eq_any(chunk))
                .select((seekers::personnummer.assume_not_null(), seekers::id))
                .load::<(String, String)>(conn)?,
        );
    }
    Ok(out)
}

/// The columns a seeker's data fills, shared by insert and update so the two cannot drift.
/// `None` writes NULL (an update that drops the e-mail clears it).
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = seekers, treat_none_as_null = true)]
struct SeekerValues<'a> {
    personnummer: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    municipality_code: &'a str,
    occupations: String,
    skills: String,
    languages: String,
    driving_licences: String,
    available_from: Option<String>,
    max_commute_km: Option<i32>,
    summary: Option<&'a str>,
    unit: Option<&'a str>,
    broker_id: Option<&'a str>,
    status: SeekerStatus,
    exit_reason: Option<ExitReason>,
    exit_date: Option<String>,
    paused_until: Option<String>,
    pause_reason: Option<&'a str>,
    inferred: Option<String>,
}

impl<'a> SeekerValues<'a> {
    fn of(d: &'a SeekerData) -> Self {
        Self {
            personnummer: &d.personnummer,
            first_name: &d.first_name,
            last_name: &d.last_name,
            email: d.email.as_deref(),
            phone: d.phone.as_deref(),
            municipality_code: &d.municipality_code,
            occupations: json(&d.occupations),
            skills: json(&d.skills),
            languages: json(&d.languages),
            driving_licences: json(&d.driving_licences),
            available_from: d.available_from.map(|x| x.to_string()),
            max_commute_km: d.max_commute_km.map(|k| k as i32),
            summary: d.summary.as_deref(),
            unit: d.unit.as_deref(),
            broker_id: d.broker_id.as_deref(),
            status: d.status,
            exit_reason: d.exit_reason,
            exit_date: d.exit_date.map(|x| x.to_string()),
            paused_until: d.paused_until.map(|x| x.to_string()),
            pause_reason: d.pause_reason.as_deref(),
            inferred: d.summary.as_deref().map(|t| json(&crate::vocabulary::written::read(t))),
        }
    }
}

fn insert(c: &mut DbConnection, id: &str, now: i64, d: &SeekerData) -> AppResult<()> {
    diesel::insert_into(seekers::table)
        .values((seekers::id.eq(id), SeekerValues::of(d), seekers::registered_at.eq(now), seekers::updated_at.eq(now)))
        .execute(c)?;
    Ok(())
}

/// A seeker that has not been erased.
pub fn get(conn: &mut DbConnection, id: &str) -> AppResult<Seeker> {
    find_row(conn, id)?.map(Seeker::from).ok_or(AppError::NotFound(Thing::Seeker))
}

pub fn find_row(conn: &mut DbConnection, id: &str) -> QueryResult<Option<SeekerRow>> {
    seekers::table.find(id).filter(seekers::erased_at.is_null()).select(SeekerRow::as_select()).first(conn).optional()
}

/// Rows by id for the indexer and search, erased ones included (the indexer drops them).
pub fn rows_by_ids(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<SeekerRow>> {
    seekers::table.filter(seekers::id.eq_any(ids)).select(SeekerRow::as_select()).load(conn)
}

/// What a search box holds when it names one person exactly: looked up in the database
/// (these never enter the search index).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Identifiers {
    pub personnummer: Option<String>,
    /// The number as stored, in its national and international forms.
    pub phones: Vec<String>,
    pub email: Option<String>,
}

impl Identifiers {
    /// Every reading of `q` as an identifier: a personnummer (10 or 12 digits, with or without
    /// `-`/`+`), a phone number, an e-mail address. None when `q` is words.
    pub fn of(q: &str, today: NaiveDate) -> Option<Self> {
        let q = q.trim();
        let mut found = Identifiers::default();
        if q.contains('@') && !q.contains(char::is_whitespace) {
            found.email = Some(q.to_lowercase());
        } else if !q.is_empty() && q.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
            found.personnummer = crate::ident::normalize_personnummer(q, today).ok();
            if let Some(p) = super::normalize_phone(q) {
                let digits = p.trim_start_matches('+').to_string();
                found.phones.push(p.clone());
                if let Some(rest) = digits.strip_prefix("46").filter(|_| p.starts_with('+')) {
                    found.phones.push(format!("0{rest}"));
                } else if let Some(rest) = digits.strip_prefix('0') {
                    found.phones.push(format!("+46{rest}"));
                }
            }
        }
        (found != Identifiers::default()).then_some(found)
    }
}

/// Seekers (not erased) with any of the identifiers, oldest first.
pub fn find_by_identifiers(conn: &mut DbConnection, ids: &Identifiers) -> QueryResult<Vec<String>> {
    let mut q = seekers::table.filter(seekers::erased_at.is_null()).into_boxed();
    let mut any: Vec<String> = Vec::new();
    if let Some(p) = &ids.personnummer {
        any.push(p.clone());
    }
    // One OR over the three columns, each compared exactly.
    q = q.filter(
        seekers::personnummer
            .eq_any(any)
            .or(seekers::phone.eq_any(ids.phones.clone()))
            .or(seekers::email.eq_any(ids.email.iter().cloned().collect::<Vec<_>>())),
    );
    q.order(seekers::id).select(seekers::id).limit(100).load(conn)
}

/// A page of rows in id order, for rebuilding the index.
pub fn rows_after(conn: &mut DbConnection, after: &str, limit: i64) -> QueryResult<Vec<SeekerRow>> {
    seekers::table
        .filter(seekers::id.gt(after))
        .filter(seekers::erased_at.is_null())
        .order(seekers::id)
        .limit(limit)
        .select(SeekerRow::as_select())
        .load(conn)
}

/// Stores the current reader's reading for up to `batch` profiles whose stored one is missing
/// or by another reader version (saved before the reader changed); returns how many. Only
/// the `inferred` column changes: the index already reads summaries the same way
/// ([`super::reading`] falls back to reading them), so nothing else needs to follow.
pub fn reread(conn: &mut DbConnection, batch: i64) -> AppResult<usize> {
    let current = format!("%\"reader\":{}}}", crate::vocabulary::written::READER_VERSION);
    let stale: Vec<(String, String)> = seekers::table
        .filter(seekers::erased_at.is_null())
        .filter(seekers::summary.is_not_null())
        .filter(seekers::inferred.is_null().or(seekers::inferred.not_like(&current)))
        .select((seekers::id, seekers::summary.assume_not_null()))
        .limit(batch)
        .load(conn)?;
    let n = stale.len();
    let reads: Vec<(String, String)> =
        stale.into_iter().map(|(id, summary)| (id, json(&crate::vocabulary::written::read(&summary)))).collect();
    // Only where the summary is still the one read (a save in between wrote its own).
    write_tx(conn, |c| {
        for (id, read) in &reads {
            diesel::update(
                seekers::table.find(id).filter(seekers::inferred.is_null().or(seekers::inferred.not_like(&current))),
            )
            .set(seekers::inferred.eq(read))
            .execute(c)?;
        }
        Ok::<_, AppError>(())
    })?;
    Ok(n)
}

pub fn count_live(conn: &mut DbConnection) -> QueryResult<i64> {
    seekers::table.filter(seekers::erased_at.is_null()).count().get_result(conn)
}

#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeekerFilter {
    #[param(inline, value_type = Option<super::SeekerStatus>)]
    pub status: Option<String>,
    pub broker_id: Option<String>,
    pub unit: Option<String>,
    pub municipality_code: Option<String>,
}

pub fn list(conn: &mut DbConnection, f: &SeekerFilter, limit: i64, offset: i64) -> AppResult<(Vec<Seeker>, i64)> {
    if let Some(s) = &f.status {
        SeekerStatus::parse(s)
            .ok_or_else(|| AppError::field("status", Fault::Unknown, "must be active, paused, placed or exited"))?;
    }
    let filtered = || {
        let mut q = seekers::table.filter(seekers::erased_at.is_null()).into_boxed();
        if let Some(s) = &f.status {
            q = q.filter(seekers::status.eq(s.clone()));
        }
        if let Some(b) = &f.broker_id {
            q = q.filter(seekers::broker_id.eq(b.clone()));
        }
        if let Some(u) = &f.unit {
            q = q.filter(seekers::unit.eq(u.clone()));
        }
        if let Some(m) = &f.municipality_code {
            q = q.filter(seekers::municipality_code.eq(m.clone()));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((seekers::registered_at.desc(), seekers::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(SeekerRow::as_select())
        .load(conn)?;
    Ok((rows.into_iter().map(Seeker::from).collect(), total))
}

/// Merges a patch into a seeker inside the caller's transaction (validated as a whole, the
/// version checked when given).
pub fn update_in_tx(
    c: &mut DbConnection,
    now: i64,
    today: NaiveDate,
    id: &str,
    expected_version: Option<i64>,
    patch: &serde_json::Value,
) -> AppResult<Seeker> {
    let current = get(c, id)?;
    if expected_version.is_some_and(|v| v != current.version) {
        return Err(AppError::PreconditionFailed("the seeker has changed since you read it".into()));
    }
    let mut merged = current.to_input();
    crate::json::merge_patch(&mut merged, patch);
    let input: super::SeekerInput = parse_json(merged.to_string().as_bytes())?;
    let d = input.validate(today)?;
    if current.personnummer.as_deref() != Some(d.personnummer.as_str())
        && let Some(existing) = by_personnummer(c, &d.personnummer)?
    {
        return Err(duplicate(existing));
    }
    if current.broker_id != d.broker_id {
        check_broker(c, d.broker_id.as_deref())?;
    }
    if current.unit != d.unit {
        crate::units::check(c, d.unit.as_deref(), "unit")?;
    }
    let changed = diesel::update(seekers::table.find(id).filter(seekers::version.eq(current.version)))
        .set((SeekerValues::of(&d), seekers::updated_at.eq(now), seekers::version.eq(current.version + 1)))
        .execute(c)?;
    if changed == 0 {
        return Err(AppError::PreconditionFailed("the seeker has changed since you read it".into()));
    }
    // Registered again after an exit: the follow-up of lasting exits counts it as a return.
    if current.status == SeekerStatus::Exited && d.status != SeekerStatus::Exited {
        diesel::insert_into(crate::db::schema::seeker_returns::table)
            .values((
                crate::db::schema::seeker_returns::id.eq(crate::db::new_id()),
                crate::db::schema::seeker_returns::seeker_id.eq(id),
                crate::db::schema::seeker_returns::returned_on.eq(today.to_string()),
                crate::db::schema::seeker_returns::recorded_at.eq(now),
            ))
            .execute(c)?;
    }
    outbox::push(c, Entity::Seeker, id, now)?;
    get(c, id)
}

/// Every row, erased ones included.
pub fn count_all(conn: &mut DbConnection) -> QueryResult<i64> {
    seekers::table.count().get_result(conn)
}

/// Active seekers, longest without a proposal (or since registering) first, so nobody is
/// forgotten: a broker's own when `broker_id` is given.
pub fn waiting_longest(conn: &mut DbConnection, broker_id: Option<&str>, limit: i64) -> AppResult<Vec<Seeker>> {
    let mut q = seekers::table
        .filter(seekers::erased_at.is_null())
        .filter(seekers::status.eq(SeekerStatus::Active))
        .into_boxed();
    if let Some(b) = broker_id {
        q = q.filter(seekers::broker_id.eq(b.to_string()));
    }
    let rows = q
        .order((
            diesel::dsl::sql::<diesel::sql_types::BigInt>("COALESCE(last_proposed_at, registered_at)").asc(),
            seekers::id,
        ))
        .limit(limit)
        .select(SeekerRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Seeker::from).collect())
}

/// Active seekers with no proposal (or registration) since `before`, in `unit` when given;
/// the longest waiting first. The people behind the report's "not proposed for 30 days".
pub fn not_proposed_since(conn: &mut DbConnection, unit: Option<&str>, before: i64) -> AppResult<Vec<Seeker>> {
    let waiting_since = diesel::dsl::sql::<diesel::sql_types::BigInt>("COALESCE(last_proposed_at, registered_at)");
    let mut q = seekers::table
        .filter(seekers::erased_at.is_null())
        .filter(seekers::status.eq(SeekerStatus::Active))
        .filter(waiting_since.clone().lt(before))
        .into_boxed();
    if let Some(u) = unit {
        q = q.filter(seekers::unit.eq(u.to_string()));
    }
    let rows = q.order((waiting_since.asc(), seekers::id)).limit(1000).select(SeekerRow::as_select()).load(conn)?;
    Ok(rows.into_iter().map(Seeker::from).collect())
}

/// First and last name by seeker id.
pub type Names = std::collections::HashMap<String, (Option<String>, Option<String>)>;

/// First and last names by id (erased people have none).
pub fn names(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Names> {
    Ok(seekers::table
        .filter(seekers::id.eq_any(ids))
        .select((seekers::id, seekers::first_name, seekers::last_name))
        .load::<(String, Option<String>, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, f, l)| (id, (f, l)))
        .collect())
}
