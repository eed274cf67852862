use chrono::NaiveDate;
use diesel::prelude::*;

use super::{EmploymentType, Opening, OpeningData, OpeningInput, OpeningStatus};
use crate::auth::{Principal, Role};
use crate::db::outbox::{self, Entity};
use crate::db::{DbConnection, new_id, schema::employers, schema::idempotency_keys, schema::openings, write_tx};
use crate::error::{AppError, AppResult, Clash, Fault, Thing};
use crate::json::parse_json;
use crate::reference::reference;
use crate::vocabulary::{MunicipalityCode, SsykCode};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = openings)]
pub struct OpeningRow {
    pub id: String,
    pub employer_id: String,
    pub headline: String,
    pub description: String,
    pub occupation: SsykCode,
    pub municipality_code: MunicipalityCode,
    pub workplace_address: String,
    pub number_of_vacancies: i32,
    pub filled_vacancies: i32,
    pub employment_type: EmploymentType,
    pub must_have: String,
    pub nice_to_have: String,
    pub application_deadline: Option<crate::clock::Day>,
    pub start_date: Option<crate::clock::Day>,
    pub scope_min: Option<i32>,
    pub scope_max: Option<i32>,
    pub status: OpeningStatus,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
    pub version: i64,
    pub broker_id: Option<String>,
    pub source: super::OpeningSource,
    pub external_id: Option<String>,
    pub webpage_url: Option<String>,
}

impl From<OpeningRow> for Opening {
    fn from(r: OpeningRow) -> Self {
        let address = serde_json::from_str(&r.workplace_address).unwrap_or(super::WorkplaceAddress {
            municipality_code: r.municipality_code.to_string(),
            street_address: None,
            postcode: None,
            city: None,
            coordinates: None,
        });
        Opening {
            occupation_name: reference().ssyk_name(&r.occupation).map(str::to_string),
            id: r.id,
            employer_id: r.employer_id,
            headline: r.headline,
            description: r.description,
            occupation: r.occupation,
            workplace_address: address,
            number_of_vacancies: r.number_of_vacancies,
            filled_vacancies: r.filled_vacancies,
            employment_type: r.employment_type,
            must_have: serde_json::from_str(&r.must_have).unwrap_or_default(),
            nice_to_have: serde_json::from_str(&r.nice_to_have).unwrap_or_default(),
            application_deadline: r.application_deadline,
            start_date: r.start_date,
            scope_of_work: match (r.scope_min, r.scope_max) {
                (Some(min), Some(max)) => Some(super::ScopeOfWork { min: min as u8, max: max as u8 }),
                _ => None,
            },
            status: r.status,
            broker_id: r.broker_id,
            source: r.source,
            external_id: r.external_id,
            webpage_url: r.webpage_url,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

pub(crate) fn json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).expect("serializable")
}

/// What a client's `Idempotency-Key` refers to: who sent it, the key and the body's hash.
pub struct Idempotency {
    pub scope: String,
    pub key: String,
    pub request_hash: String,
}

/// The stored answer to an earlier request with the same key.
pub struct Replay {
    pub status: u16,
    pub body: String,
}

pub enum Created {
    New(Box<super::SavedOpening>),
    Replayed(Replay),
}

fn replay(conn: &mut DbConnection, idem: &Idempotency) -> AppResult<Option<Replay>> {
    let row: Option<(String, i32, String)> = idempotency_keys::table
        .find((&idem.scope, &idem.key))
        .select((idempotency_keys::request_hash, idempotency_keys::response_status, idempotency_keys::response_body))
        .first(conn)
        .optional()?;
    match row {
        Some((hash, _, _)) if hash != idem.request_hash => Err(AppError::unprocessable(
            "this Idempotency-Key was used with another request body; use a new key for a new request",
        )),
        Some((_, status, body)) => Ok(Some(Replay { status: status as u16, body })),
        None => Ok(None),
    }
}

/// Resolves which employer the opening is for: an employer's token decides; staff name one.
pub fn resolve_employer(conn: &mut DbConnection, who: &Principal, requested: Option<&str>) -> AppResult<String> {
    let employer_id = match (who.role, who.employer_id.as_deref(), requested) {
        (Role::Employer, Some(own), Some(req)) if req != own => {
            return Err(AppError::field(
                "employer_id",
                Fault::NotApplicable,
                "an employer posts only its own openings",
            ));
        }
        (Role::Employer, Some(own), _) => own.to_string(),
        (_, _, Some(req)) => req.to_string(),
        _ => return Err(AppError::field("employer_id", Fault::Required, "is required when staff post an opening")),
    };
    let exists: i64 = employers::table.filter(employers::id.eq(&employer_id)).count().get_result(conn)?;
    if exists == 0 {
        return Err(AppError::field("employer_id", Fault::NotFound, "no employer with this id"));
    }
    Ok(employer_id)
}

pub fn create(
    conn: &mut DbConnection,
    now: i64,
    today: NaiveDate,
    who: &Principal,
    input: OpeningInput,
    idem: Option<Idempotency>,
    check: &dyn super::RequirementCheck,
) -> AppResult<Created> {
    let result = write_tx(conn, |c| {
        if let Some(idem) = &idem
            && let Some(r) = replay(c, idem)?
        {
            return Ok(Created::Replayed(r));
        }
        let data = input.validate(today, None)?;
        let employer_id = resolve_employer(c, who, input.employer_id.as_deref())?;
        let id = create_in_tx(c, now, &employer_id, &who.user_id, &data)?;
        let opening = get_row(c, &id)?.map(Opening::from).ok_or(AppError::NotFound(Thing::Opening))?;
        // In the stored answer too, so a replay answers the same.
        let opening = super::SavedOpening { opening, warnings: check.check(&data) };
        if let Some(idem) = &idem {
            diesel::insert_into(idempotency_keys::table)
                .values((
                    idempotency_keys::scope.eq(&idem.scope),
                    idempotency_keys::idem_key.eq(&idem.key),
                    idempotency_keys::request_hash.eq(&idem.request_hash),
                    idempotency_keys::response_status.eq(201),
                    idempotency_keys::response_body.eq(json(&opening)),
                    idempotency_keys::created_at.eq(now),
                ))
                .execute(c)?;
        }
        Ok(Created::New(Box::new(opening)))
    });
    // The same key sent twice at once: the loser's transaction was rolled back by the
    // primary key, and the winner's answer is now there to replay.
    match (result, &idem) {
        (Err(AppError::Conflict { clash: Clash::Unique, .. }), Some(idem)) => replay(conn, idem)?
            .map(Created::Replayed)
            .ok_or_else(|| AppError::conflict(Clash::ChangedMeanwhile, "retry the request")),
        (other, _) => other,
    }
}

/// Stores a validated opening inside the caller's transaction; returns the new id.
pub fn create_in_tx(
    c: &mut DbConnection,
    now: i64,
    employer_id: &str,
    by: &str,
    data: &OpeningData,
) -> AppResult<String> {
    let id = new_id();
    insert(c, &id, employer_id, by, now, data)?;
    outbox::push(c, Entity::Opening, &id, now)?;
    Ok(id)
}

/// What an opening says, as its columns: written alike by a new opening, an update and an ad
/// read again. `None` writes NULL (a cleared deadline is cleared).
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = openings, treat_none_as_null = true)]
struct Content<'a> {
    headline: &'a str,
    description: &'a str,
    occupation: &'a SsykCode,
    municipality_code: &'a str,
    workplace_address: String,
    number_of_vacancies: i32,
    employment_type: EmploymentType,
    must_have: String,
    nice_to_have: String,
    application_deadline: Option<String>,
    start_date: Option<String>,
    scope_min: Option<i32>,
    scope_max: Option<i32>,
    status: OpeningStatus,
}

impl<'a> Content<'a> {
    fn of(d: &'a OpeningData, status: OpeningStatus) -> Self {
        Content {
            headline: &d.headline,
            description: &d.description,
            occupation: &d.occupation,
            municipality_code: &d.workplace_address.municipality_code,
            workplace_address: json(&d.workplace_address),
            number_of_vacancies: d.number_of_vacancies as i32,
            employment_type: d.employment_type,
            must_have: json(&d.must_have),
            nice_to_have: json(&d.nice_to_have),
            application_deadline: d.application_deadline.map(|x| x.to_string()),
            start_date: d.start_date.map(|x| x.to_string()),
            scope_min: d.scope_of_work.map(|s| i32::from(s.min)),
            scope_max: d.scope_of_work.map(|s| i32::from(s.max)),
            status,
        }
    }
}

fn insert(c: &mut DbConnection, id: &str, employer_id: &str, by: &str, now: i64, d: &OpeningData) -> AppResult<()> {
    diesel::insert_into(openings::table)
        .values((
            openings::id.eq(id),
            openings::employer_id.eq(employer_id),
            Content::of(d, d.status),
            openings::created_by.eq(by),
            openings::created_at.eq(now),
            openings::updated_at.eq(now),
        ))
        .execute(c)?;
    Ok(())
}

fn get_row(conn: &mut DbConnection, id: &str) -> QueryResult<Option<OpeningRow>> {
    openings::table
        .find(id)
        .filter(openings::deleted_at.is_null())
        .select(OpeningRow::as_select())
        .first(conn)
        .optional()
}

/// An opening by id (not deleted), for a use case that decided already who may see it (the
/// person it was proposed to, on Mina sidor).
pub fn by_id(conn: &mut DbConnection, id: &str) -> AppResult<Opening> {
    Ok(get_row(conn, id)?.ok_or(AppError::NotFound(Thing::Opening))?.into())
}

/// An opening the caller may see: another employer's is "not found", not "forbidden", so its
/// existence does not leak.
pub fn get_visible(conn: &mut DbConnection, who: &Principal, id: &str) -> AppResult<Opening> {
    let row = get_row(conn, id)?.ok_or(AppError::NotFound(Thing::Opening))?;
    if who.role == Role::Employer && who.employer_id.as_deref() != Some(row.employer_id.as_str()) {
        return Err(AppError::NotFound(Thing::Opening));
    }
    Ok(row.into())
}

pub fn rows_by_ids(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<OpeningRow>> {
    openings::table.filter(openings::id.eq_any(ids)).select(OpeningRow::as_select()).load(conn)
}

pub fn rows_after(conn: &mut DbConnection, after: &str, limit: i64) -> QueryResult<Vec<OpeningRow>> {
    openings::table
        .filter(openings::id.gt(after))
        .filter(openings::deleted_at.is_null())
        .order(openings::id)
        .limit(limit)
        .select(OpeningRow::as_select())
        .load(conn)
}

pub fn count_live(conn: &mut DbConnection) -> QueryResult<i64> {
    openings::table.filter(openings::deleted_at.is_null()).count().get_result(conn)
}

#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpeningFilter {
    #[param(inline, value_type = Option<super::OpeningStatus>)]
    pub status: Option<String>,
    pub employer_id: Option<String>,
    /// An SSYK code of any level (`53`, `532`, `5321`).
    pub occupation: Option<String>,
    pub municipality_code: Option<String>,
    /// The broker responsible.
    pub broker_id: Option<String>,
    /// `deadline`, `published` or `vacancies`; without it (or empty), the newest first.
    #[param(pattern = "^(deadline|published|vacancies)?$")]
    pub sort: Option<String>,
    /// `platsa` (posted here) or `platsbanken` (read from JobStream).
    #[param(inline, value_type = Option<super::OpeningSource>)]
    pub source: Option<String>,
}

pub fn list(
    conn: &mut DbConnection,
    who: &Principal,
    f: &OpeningFilter,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Opening>, i64)> {
    if let Some(s) = &f.status {
        serde_json::from_value::<OpeningStatus>(s.clone().into())
            .map_err(|_| AppError::field("status", Fault::Unknown, "must be open, filled or closed"))?;
    }
    let source = match f.source.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            super::OpeningSource::parse(s)
                .ok_or_else(|| AppError::field("source", Fault::Unknown, "must be platsa or platsbanken"))?,
        ),
    };
    let own = (who.role == Role::Employer).then(|| who.employer_id.clone().unwrap_or_default());
    let filtered = || {
        let mut q = openings::table.filter(openings::deleted_at.is_null()).into_boxed();
        if let Some(e) = own.clone().or_else(|| f.employer_id.clone()) {
            q = q.filter(openings::employer_id.eq(e));
        }
        if let Some(s) = &f.status {
            q = q.filter(openings::status.eq(s.clone()));
        }
        if let Some(o) = &f.occupation {
            q = q.filter(openings::occupation.like(format!("{o}%")));
        }
        if let Some(m) = &f.municipality_code {
            q = q.filter(openings::municipality_code.eq(m.clone()));
        }
        if let Some(b) = &f.broker_id {
            q = q.filter(openings::broker_id.eq(b.clone()));
        }
        if let Some(s) = source {
            q = q.filter(openings::source.eq(s));
        }
        q
    };
    if f.occupation.as_deref().is_some_and(|o| o.is_empty() || o.len() > 4 || !o.chars().all(|c| c.is_ascii_digit())) {
        return Err(AppError::field("occupation", Fault::Format, "must be an SSYK code of 1 to 4 digits"));
    }
    let sort = match f.sort.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            super::OpeningSort::parse(s)
                .ok_or_else(|| AppError::field("sort", Fault::Unknown, "must be deadline, published or vacancies"))?,
        ),
    };
    let total = filtered().count().get_result(conn)?;
    let page = filtered();
    let page = match sort {
        Some(super::OpeningSort::Deadline) => page.order((
            openings::application_deadline.is_null(),
            openings::application_deadline.asc(),
            openings::id.asc(),
        )),
        Some(super::OpeningSort::Vacancies) => {
            page.order(((openings::number_of_vacancies - openings::filled_vacancies).desc(), openings::id.asc()))
        }
        Some(super::OpeningSort::Published) | None => page.order((openings::created_at.desc(), openings::id.desc())),
    };
    let rows = page.limit(limit).offset(offset).select(OpeningRow::as_select()).load(conn)?;
    Ok((rows.into_iter().map(Opening::from).collect(), total))
}

/// Merge-patches an opening; the caller's `If-Match` version must be the current one.
pub fn update(
    conn: &mut DbConnection,
    now: i64,
    today: NaiveDate,
    who: &Principal,
    id: &str,
    expected_version: i64,
    (patch, check): (serde_json::Value, &dyn super::RequirementCheck),
) -> AppResult<super::SavedOpening> {
    write_tx(conn, |c| {
        let current = get_visible(c, who, id)?;
        writable(&current)?;
        if current.version != expected_version {
            return Err(AppError::PreconditionFailed(format!(
                "the opening has changed since you read it (now version {})",
                current.version
            )));
        }
        if patch.get("employer_id").is_some_and(|e| e.as_str() != Some(current.employer_id.as_str())) {
            return Err(AppError::field(
                "employer_id",
                Fault::NotApplicable,
                "an opening cannot move to another employer",
            ));
        }
        let mut merged = current.to_input();
        crate::json::merge_patch(&mut merged, &patch);
        if let Some(m) = merged.as_object_mut() {
            m.remove("employer_id");
        }
        let input: OpeningInput = parse_json(merged.to_string().as_bytes())?;
        let previous_deadline = current.application_deadline.as_ref().map(crate::clock::Day::date);
        let d = input.validate(today, previous_deadline)?;
        let changed = diesel::update(openings::table.find(id).filter(openings::version.eq(expected_version)))
            .set((Content::of(&d, d.status), openings::updated_at.eq(now), openings::version.eq(expected_version + 1)))
            .execute(c)?;
        if changed == 0 {
            return Err(AppError::PreconditionFailed("the opening has changed since you read it".into()));
        }
        outbox::push(c, Entity::Opening, id, now)?;
        Ok(super::SavedOpening { opening: get_visible(c, who, id)?, warnings: check.check(&d) })
    })
}

/// Openings read from JobStream follow their ad: a change made here would be overwritten by
/// the next sync, so it is refused with the reason.
fn writable(o: &Opening) -> AppResult<()> {
    match o.source {
        super::OpeningSource::Platsa => Ok(()),
        super::OpeningSource::Platsbanken => Err(AppError::conflict(
            Clash::Imported,
            "this opening is Platsbanken's (read from JobStream): it is changed and removed there, and follows its ad here",
        )),
    }
}

/// Takes an opening off the lists inside the caller's transaction, after checking the
/// caller may change it. Whether placements are under way is the caller's to check first
/// (`placements::service::remove_opening`).
pub fn delete_in_tx(c: &mut DbConnection, now: i64, who: &Principal, id: &str) -> AppResult<()> {
    writable(&get_visible(c, who, id)?)?;
    diesel::update(openings::table.find(id))
        .set((
            openings::deleted_at.eq(now),
            openings::status.eq(OpeningStatus::Closed),
            openings::updated_at.eq(now),
            openings::version.eq(openings::version + 1),
        ))
        .execute(c)?;
    outbox::push(c, Entity::Opening, id, now)
}

/// Open openings, soonest deadline first, for the caller to weigh against their pipeline.
pub fn open_by_deadline(conn: &mut DbConnection) -> QueryResult<Vec<Opening>> {
    let rows: Vec<OpeningRow> = openings::table
        .filter(openings::deleted_at.is_null())
        .filter(openings::status.eq(OpeningStatus::Open))
        .order((openings::application_deadline.is_null(), openings::application_deadline, openings::id))
        .select(OpeningRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Opening::from).collect())
}

/// Every open opening's id, when it was made and its last day to apply: what a frequent job
/// checks before it reads any opening whole.
pub fn open_ids(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64, Option<crate::clock::Day>)>> {
    openings::table
        .filter(openings::deleted_at.is_null())
        .filter(openings::status.eq(OpeningStatus::Open))
        .select((openings::id, openings::created_at, openings::application_deadline))
        .load(conn)
}

/// Makes a broker (or nobody) responsible for the opening.
pub fn set_broker(
    conn: &mut DbConnection,
    now: i64,
    who: &Principal,
    id: &str,
    broker: Option<&str>,
) -> AppResult<Opening> {
    write_tx(conn, |c| {
        get_visible(c, who, id)?;
        if let Some(b) = broker {
            let role: Option<Role> =
                crate::db::schema::users::table.find(b).select(crate::db::schema::users::role).first(c).optional()?;
            match role {
                Some(Role::Broker) => {}
                Some(_) => return Err(AppError::field("broker_id", Fault::NotApplicable, "this user is not a broker")),
                None => return Err(AppError::field("broker_id", Fault::NotFound, "no user with this id")),
            }
        }
        diesel::update(openings::table.find(id))
            .set((openings::broker_id.eq(broker), openings::updated_at.eq(now)))
            .execute(c)?;
        get_visible(c, who, id)
    })
}

/// Headlines by opening id (for lists that name openings).
pub fn headlines(conn: &mut DbConnection, ids: &[String]) -> QueryResult<std::collections::HashMap<String, String>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(openings::table
        .filter(openings::id.eq_any(ids))
        .select((openings::id, openings::headline))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// What reading one ad from another source did to its opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
    Unchanged,
}

/// An ad from `source` (its id there: `external_id`) stored as an opening inside the caller's
/// transaction: created, or updated in place when it changed (a new version, reindexed). An
/// opening Platsa marked filled stays filled; a closed one the ad is back for opens again.
pub fn upsert_external(
    c: &mut DbConnection,
    (now, by): (i64, &str),
    source: super::OpeningSource,
    (external_id, webpage_url): (&str, Option<&str>),
    employer_id: &str,
    d: &OpeningData,
) -> AppResult<Upserted> {
    let existing: Option<OpeningRow> = openings::table
        .filter(openings::source.eq(source))
        .filter(openings::external_id.eq(external_id))
        .select(OpeningRow::as_select())
        .first(c)
        .optional()?;
    let Some(row) = existing else {
        let id = new_id();
        insert(c, &id, employer_id, by, now, d)?;
        diesel::update(openings::table.find(&id))
            .set((
                openings::source.eq(source),
                openings::external_id.eq(external_id),
                openings::webpage_url.eq(webpage_url),
            ))
            .execute(c)?;
        outbox::push(c, Entity::Opening, &id, now)?;
        return Ok(Upserted::Created);
    };
    let status = if row.status == OpeningStatus::Filled { OpeningStatus::Filled } else { d.status };
    let stored = Opening::from(row.clone());
    let same = stored.headline == d.headline
        && stored.description == d.description
        && stored.occupation == d.occupation
        && stored.workplace_address == d.workplace_address
        && stored.number_of_vacancies == d.number_of_vacancies as i32
        && stored.employment_type == d.employment_type
        && stored.must_have == d.must_have
        && stored.nice_to_have == d.nice_to_have
        && stored.application_deadline.as_ref().map(crate::clock::Day::date) == d.application_deadline
        && stored.scope_of_work == d.scope_of_work
        && stored.status == status
        && stored.employer_id == employer_id
        && stored.webpage_url.as_deref() == webpage_url
        && row.deleted_at.is_none();
    if same {
        return Ok(Upserted::Unchanged);
    }
    diesel::update(openings::table.find(&row.id))
        .set((
            openings::employer_id.eq(employer_id),
            Content::of(d, status),
            openings::webpage_url.eq(webpage_url),
            openings::deleted_at.eq(None::<i64>),
            openings::updated_at.eq(now),
            openings::version.eq(row.version + 1),
        ))
        .execute(c)?;
    outbox::push(c, Entity::Opening, &row.id, now)?;
    Ok(Upserted::Updated)
}

/// Closes the open openings of these ads (removed at their source); placements and history
/// stay. Returns how many were closed.
pub fn close_external(
    c: &mut DbConnection,
    now: i64,
    source: super::OpeningSource,
    external_ids: &[String],
) -> AppResult<usize> {
    let ids: Vec<String> = openings::table
        .filter(openings::source.eq(source))
        .filter(openings::external_id.eq_any(external_ids))
        .filter(openings::status.eq(OpeningStatus::Open))
        .select(openings::id)
        .load(c)?;
    close_ids(c, now, &ids)
}

/// Closes the open openings from `source` whose ads are not in `seen` (a full snapshot no
/// longer lists them). Returns how many were closed.
pub fn close_external_except(
    c: &mut DbConnection,
    now: i64,
    source: super::OpeningSource,
    seen: &std::collections::HashSet<String>,
) -> AppResult<usize> {
    let open: Vec<(String, Option<String>)> = openings::table
        .filter(openings::source.eq(source))
        .filter(openings::status.eq(OpeningStatus::Open))
        .select((openings::id, openings::external_id))
        .load(c)?;
    let gone: Vec<String> =
        open.into_iter().filter(|(_, e)| e.as_ref().is_none_or(|e| !seen.contains(e))).map(|(id, _)| id).collect();
    let mut closed = 0;
    for chunk in gone.chunks(500) {
        closed += close_ids(c, now, chunk)?;
    }
    Ok(closed)
}

fn close_ids(c: &mut DbConnection, now: i64, ids: &[String]) -> AppResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::update(openings::table.filter(openings::id.eq_any(ids)))
        .set((
            openings::status.eq(OpeningStatus::Closed),
            openings::updated_at.eq(now),
            openings::version.eq(openings::version + 1),
        ))
        .execute(c)?;
    for id in ids {
        outbox::push(c, Entity::Opening, id, now)?;
    }
    Ok(ids.len())
}
