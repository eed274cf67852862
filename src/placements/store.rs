use chrono::NaiveDate;
use diesel::prelude::*;

use super::{Event, Kind, NewPlacement, Outcome, Placement, Status, Transition};
use crate::auth::Principal;
use crate::db::outbox::{self, Entity};
use crate::db::schema::{openings, placement_events, placements, seekers, users};
use crate::db::{DbConnection, new_id, write_tx};
use crate::error::{AppError, AppResult, Clash, Errors, Fault, Thing};
use crate::openings::OpeningStatus;
use crate::seekers::SeekerStatus;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = placements)]
pub struct PlacementRow {
    pub id: String,
    pub seeker_id: String,
    pub opening_id: Option<String>,
    pub kind: Kind,
    pub status: Status,
    pub broker_id: String,
    pub unit: Option<String>,
    pub outcome: Option<Outcome>,
    pub employment_until: Option<crate::clock::Day>,
    pub student_finance_eligible: Option<bool>,
    pub proposed_on: crate::clock::Day,
    pub started_on: Option<crate::clock::Day>,
    pub ended_on: Option<crate::clock::Day>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
    pub list_rank: Option<i32>,
}

/// from, to, happened on, note, by (name), recorded at.
type EventRow = (Option<Status>, Status, crate::clock::Day, Option<String>, String, i64);

fn history(conn: &mut DbConnection, id: &str) -> AppResult<Vec<Event>> {
    let rows: Vec<EventRow> = placement_events::table
        .inner_join(users::table.on(users::id.eq(placement_events::by_user)))
        .filter(placement_events::placement_id.eq(id))
        .order((placement_events::recorded_at, placement_events::id))
        .select((
            placement_events::from_status,
            placement_events::to_status,
            placement_events::happened_on,
            placement_events::note,
            users::name,
            placement_events::recorded_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(from, to, at, note, by, recorded_at)| Event { from, to, at, note, by, recorded_at })
        .collect())
}

pub fn get(conn: &mut DbConnection, id: &str) -> AppResult<Placement> {
    let row: PlacementRow = placements::table
        .find(id)
        .select(PlacementRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound(Thing::Placement))?;
    Ok(Placement {
        allowed_transitions: row.status.allowed(row.kind),
        history: history(conn, id)?,
        id: row.id,
        seeker_id: row.seeker_id,
        opening_id: row.opening_id,
        kind: row.kind,
        status: row.status,
        broker_id: row.broker_id,
        unit: row.unit,
        outcome: row.outcome,
        employment_until: row.employment_until,
        student_finance_eligible: row.student_finance_eligible,
        proposed_on: row.proposed_on,
        started_on: row.started_on,
        ended_on: row.ended_on,
        list_rank: row.list_rank,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

fn event(
    conn: &mut DbConnection,
    placement: &str,
    from: Option<Status>,
    t: &Transition,
    by: &str,
    now: i64,
) -> AppResult<()> {
    let details = serde_json::json!({
        "outcome": t.outcome,
        "employment_until": t.employment_until,
        "student_finance_eligible": t.student_finance_eligible,
    });
    diesel::insert_into(placement_events::table)
        .values((
            placement_events::id.eq(new_id()),
            placement_events::placement_id.eq(placement),
            placement_events::from_status.eq(from),
            placement_events::to_status.eq(t.to),
            placement_events::happened_on.eq(t.at.to_string()),
            placement_events::note.eq(&t.note),
            placement_events::details.eq(details.to_string()),
            placement_events::by_user.eq(by),
            placement_events::recorded_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Proposes a seeker: for an opening, or for studies. One open placement per seeker and
/// opening; the seeker's "waiting since" restarts (fairness in ranking).
pub fn propose(
    conn: &mut DbConnection,
    now: i64,
    today: NaiveDate,
    who: &Principal,
    new: NewPlacement,
) -> AppResult<Placement> {
    let proposed_on = new.proposed_on.unwrap_or(today);
    if proposed_on > today {
        return Err(AppError::field("proposed_on", Fault::Future, "is in the future"));
    }
    let result = write_tx(conn, |c| {
        let seeker = crate::seekers::store::find_row(c, &new.seeker_id)?
            .ok_or_else(|| AppError::field("seeker_id", Fault::NotFound, "no seeker with this id"))?;
        if seeker.status != SeekerStatus::Active {
            return Err(AppError::conflict(
                Clash::SeekerNotActive,
                format!("the seeker is {}, not active", seeker.status),
            ));
        }
        match (&new.opening_id, new.kind) {
            (None, Kind::Studies) => {
                if let Some(existing) = open_without_opening(c, &new.seeker_id, new.kind)? {
                    return Err(already_proposed(existing));
                }
            }
            (None, _) => {
                return Err(AppError::field("opening_id", Fault::Required, "is required for every kind but studies"));
            }
            (Some(oid), _) => {
                let status: Option<OpeningStatus> = openings::table
                    .find(oid)
                    .filter(openings::deleted_at.is_null())
                    .select(openings::status)
                    .first(c)
                    .optional()?;
                match status {
                    None => return Err(AppError::field("opening_id", Fault::NotFound, "no opening with this id")),
                    Some(OpeningStatus::Open) => {}
                    Some(s) => return Err(AppError::conflict(Clash::OpeningNotOpen, format!("the opening is {s}"))),
                }
                if let Some(existing) = existing_on_opening(c, oid, &new.seeker_id)? {
                    return Err(already_proposed(existing));
                }
            }
        }
        // The rank on the list proposed from, as the log kept it (not as the client says).
        let list_rank = match (&new.ranking_log_id, &new.opening_id) {
            (None, _) => None,
            (Some(_), None) => {
                return Err(AppError::field(
                    "ranking_log_id",
                    Fault::Mismatch,
                    "a proposal for studies is made from no list",
                ));
            }
            (Some(log), Some(opening)) => Some(crate::ranking_log::rank_on(c, log, opening, &new.seeker_id)?),
        };
        let id = new_id();
        diesel::insert_into(placements::table)
            .values((
                placements::id.eq(&id),
                placements::seeker_id.eq(&new.seeker_id),
                placements::opening_id.eq(&new.opening_id),
                placements::kind.eq(new.kind),
                placements::status.eq(Status::Proposed),
                placements::broker_id.eq(&who.user_id),
                placements::unit.eq(&seeker.unit),
                placements::proposed_on.eq(proposed_on.to_string()),
                placements::created_at.eq(now),
                placements::updated_at.eq(now),
                placements::list_rank.eq(list_rank),
                placements::ranking_log_id.eq(&new.ranking_log_id),
            ))
            .execute(c)?;
        let t = Transition {
            to: Status::Proposed,
            at: proposed_on,
            note: new.note.clone(),
            outcome: None,
            employment_until: None,
            student_finance_eligible: None,
        };
        event(c, &id, None, &t, &who.user_id, now)?;
        diesel::update(seekers::table.find(&new.seeker_id))
            .set((seekers::last_proposed_at.eq(now), seekers::updated_at.eq(now)))
            .execute(c)?;
        outbox::push(c, Entity::Seeker, &new.seeker_id, now)?;
        get(c, &id)
    });
    match result {
        // Two proposals racing past the check meet the partial unique index, the only unique
        // value a new placement has: the answer names the one that won.
        Err(AppError::Conflict { clash: Clash::Unique, .. }) => {
            let existing = match new.opening_id.as_deref() {
                Some(opening) => existing_on_opening(conn, opening, &new.seeker_id)?,
                None => open_without_opening(conn, &new.seeker_id, new.kind)?,
            };
            match existing {
                Some(existing) => Err(already_proposed(existing)),
                None => Err(AppError::conflict(Clash::ChangedMeanwhile, "a placement changed meanwhile; try again")),
            }
        }
        other => other,
    }
}

/// The seeker's latest placement on the opening, if any. A person is proposed to an opening
/// once: while that placement is under way, and also after it ended or was declined (the
/// answer then stands; the history says why).
pub fn existing_on_opening(conn: &mut DbConnection, opening_id: &str, seeker_id: &str) -> AppResult<Option<String>> {
    Ok(placements::table
        .filter(placements::opening_id.eq(opening_id))
        .filter(placements::seeker_id.eq(seeker_id))
        .order((placements::created_at.desc(), placements::id.desc()))
        .select(placements::id)
        .first(conn)
        .optional()?)
}

/// The seeker's open placement of a kind that needs no opening (studies): one at a time, as
/// the partial unique index `placements_one_open_without_opening` holds.
pub fn open_without_opening(conn: &mut DbConnection, seeker_id: &str, kind: Kind) -> AppResult<Option<String>> {
    Ok(placements::table
        .filter(placements::opening_id.is_null())
        .filter(placements::seeker_id.eq(seeker_id))
        .filter(placements::kind.eq(kind))
        .filter(placements::status.ne_all(Status::CLOSED))
        .select(placements::id)
        .first(conn)
        .optional()?)
}

fn already_proposed(existing: String) -> AppError {
    AppError::conflict_with(
        Clash::AlreadyProposed,
        "the seeker already has an open placement like this (on this opening, or of this kind without one)",
        serde_json::json!({ "existing_placement_id": existing }),
    )
}

/// Seekers with a placement (in any state) on the opening: they are not candidates again.
pub fn seekers_on_opening(conn: &mut DbConnection, opening_id: &str) -> AppResult<Vec<String>> {
    Ok(placements::table
        .filter(placements::opening_id.eq(opening_id))
        .select(placements::seeker_id)
        .distinct()
        .load(conn)?)
}

fn validate_transition(
    t: &Transition,
    from: Status,
    kind: Kind,
    last_date: NaiveDate,
    today: NaiveDate,
) -> AppResult<()> {
    let allowed = from.allowed(kind);
    if !allowed.contains(&t.to) {
        return Err(AppError::conflict_with(
            Clash::TransitionNotAllowed,
            format!("a {kind} placement cannot go from {from} to {}", t.to),
            serde_json::json!({ "from": from, "allowed": allowed }),
        ));
    }
    let mut errors = Errors::new();
    if t.at > today {
        errors.add("at", Fault::Future, "is in the future");
    }
    if t.at < last_date {
        errors.add("at", Fault::Order, format!("is before the previous step ({last_date})"));
    }
    crate::vocabulary::free_text(&t.note, "note", 2000, &mut errors);
    match (t.to, t.outcome) {
        (Status::Ended, None) => errors.add("outcome", Fault::Required, "is required when a placement ends"),
        (Status::Ended, Some(o)) => {
            if t.employment_until.is_some() && !matches!(o, Outcome::Employment | Outcome::SubsidisedEmployment) {
                errors.add("employment_until", Fault::NotApplicable, "only for employment outcomes");
            }
            if t.employment_until.is_some_and(|u| u < t.at) {
                errors.add("employment_until", Fault::Order, "is before the placement ended");
            }
            match (o, t.student_finance_eligible) {
                (Outcome::Studies, None) => {
                    errors.add("student_finance_eligible", Fault::Required, "is required for studies")
                }
                (o, Some(_)) if o != Outcome::Studies => {
                    errors.add("student_finance_eligible", Fault::NotApplicable, "only for studies")
                }
                _ => {}
            }
        }
        (_, Some(_)) => errors.add("outcome", Fault::NotApplicable, "only when the placement ends"),
        _ => {}
    }
    errors.into_result()
}

/// Moves a placement one step, records it, and lets the seeker and the opening follow.
pub fn transition(
    conn: &mut DbConnection,
    now: i64,
    today: NaiveDate,
    who: &Principal,
    id: &str,
    t: Transition,
    public_url: Option<&str>,
) -> AppResult<Placement> {
    write_tx(conn, |c| {
        let row: PlacementRow = placements::table
            .find(id)
            .select(PlacementRow::as_select())
            .first(c)
            .optional()?
            .ok_or(AppError::NotFound(Thing::Placement))?;
        let (from, kind) = (row.status, row.kind);
        // The latest step's date (an aggregate, so read as text and checked here).
        let latest: Option<String> = placement_events::table
            .filter(placement_events::placement_id.eq(id))
            .select(diesel::dsl::max(placement_events::happened_on))
            .first::<Option<String>>(c)?;
        let last_date = match latest {
            None => row.proposed_on.date(),
            Some(text) => crate::clock::Day::from_stored(text)
                .ok_or_else(|| AppError::internal("a stored placement step has no valid date"))?
                .date(),
        };
        validate_transition(&t, from, kind, last_date, today)?;
        // Nothing about a person reaches the employer without their consent for the opening.
        if t.to == Status::Presented
            && let Some(opening) = &row.opening_id
            && !crate::shortlist::consented(c, opening, &row.seeker_id, today)?
        {
            return Err(AppError::conflict(
                Clash::NoConsent,
                "the seeker has not given consent to be presented for this opening; record or request it first",
            ));
        }
        let at = t.at.to_string();
        let changed = diesel::update(placements::table.find(id).filter(placements::version.eq(row.version)))
            .set((placements::status.eq(t.to), placements::updated_at.eq(now), placements::version.eq(row.version + 1)))
            .execute(c)?;
        if changed == 0 {
            return Err(AppError::conflict(
                Clash::ChangedMeanwhile,
                "the placement changed at the same time; read it again",
            ));
        }
        match t.to {
            Status::Started => {
                diesel::update(placements::table.find(id)).set(placements::started_on.eq(&at)).execute(c)?;
                diesel::update(seekers::table.find(&row.seeker_id))
                    .set((
                        seekers::status.eq(SeekerStatus::Placed),
                        seekers::updated_at.eq(now),
                        seekers::version.eq(seekers::version + 1),
                    ))
                    .execute(c)?;
                outbox::push(c, Entity::Seeker, &row.seeker_id, now)?;
                if let Some(oid) = &row.opening_id {
                    fill_vacancy(c, oid, now)?;
                }
            }
            Status::Ended => {
                let outcome = t.outcome.expect("validated");
                diesel::update(placements::table.find(id))
                    .set((
                        placements::ended_on.eq(&at),
                        placements::outcome.eq(outcome),
                        placements::employment_until.eq(t.employment_until.map(|d| d.to_string())),
                        placements::student_finance_eligible.eq(t.student_finance_eligible),
                    ))
                    .execute(c)?;
                // Work or studies: the person leaves assistance; otherwise back to the pool.
                let seeker_change = if outcome.is_exit() {
                    diesel::update(seekers::table.find(&row.seeker_id))
                        .set((
                            seekers::status.eq(SeekerStatus::Exited),
                            seekers::exit_reason.eq(outcome.exit_reason()),
                            seekers::exit_date.eq(&at),
                            seekers::updated_at.eq(now),
                            seekers::version.eq(seekers::version + 1),
                        ))
                        .execute(c)?
                } else {
                    diesel::update(seekers::table.find(&row.seeker_id).filter(seekers::status.eq(SeekerStatus::Placed)))
                        .set((
                            seekers::status.eq(SeekerStatus::Active),
                            seekers::updated_at.eq(now),
                            seekers::version.eq(seekers::version + 1),
                        ))
                        .execute(c)?
                };
                if seeker_change > 0 {
                    outbox::push(c, Entity::Seeker, &row.seeker_id, now)?;
                }
            }
            _ => {}
        }
        event(c, id, Some(from), &t, &who.user_id, now)?;
        if t.to == Status::Presented
            && let (Some(opening), Some(url)) = (&row.opening_id, public_url)
        {
            notify_employer(c, opening, now, url, &who.user_id)?;
        }
        get(c, id)
    })
}

/// How long a notice to the employer waits for more people presented on the same opening.
const NOTICE_GATHERS_SECS: i64 = 600;

/// The opening's employer hears that people were presented: one e-mail ("N nya kandidater")
/// to its contact person (the first with an e-mail address), with a link to the presented
/// list and no personal data. Presentations within ten minutes share one notice.
fn notify_employer(c: &mut DbConnection, opening: &str, now: i64, public_url: &str, by: &str) -> AppResult<()> {
    use crate::db::schema::{employer_contacts, placement_events};
    use crate::messages::{self, Channel, NewMessage, Recipient, Template};
    let (employer, headline): (String, String) =
        openings::table.find(opening).select((openings::employer_id, openings::headline)).first(c)?;
    let email: Option<Option<String>> = employer_contacts::table
        .filter(employer_contacts::employer_id.eq(&employer))
        .filter(employer_contacts::email.is_not_null())
        .order((employer_contacts::created_at, employer_contacts::id))
        .select(employer_contacts::email)
        .first(c)
        .optional()?;
    let Some(email) = email.flatten() else { return Ok(()) };
    let pending = messages::queued_about(c, Template::EmployerCandidates, opening)?;
    let since = pending.as_ref().map_or(now, |p| p.1);
    let presented: i64 = placement_events::table
        .filter(
            placement_events::placement_id
                .eq_any(placements::table.filter(placements::opening_id.eq(opening)).select(placements::id)),
        )
        .filter(placement_events::to_status.eq(Status::Presented.as_str()))
        .filter(placement_events::recorded_at.ge(since))
        .count()
        .get_result(c)?;
    let link = format!("{public_url}/api/v1/openings/{opening}/candidates/presented");
    let text = messages::templates::text(
        c,
        Template::EmployerCandidates,
        &[("antal", &presented.max(1).to_string()), ("tjanst", &headline), ("lank", &link)],
    )?;
    match pending {
        Some((id, _)) => messages::rewrite(c, &id, &text)?,
        None => {
            messages::queue(
                c,
                NewMessage {
                    key: format!("{}:{opening}:{now}", Template::EmployerCandidates),
                    template: Template::EmployerCandidates,
                    recipient: Recipient::Employer,
                    channel: Channel::Email,
                    seeker_id: None,
                    application_id: None,
                    opening_id: Some(opening.to_string()),
                    subject: Some(opening.to_string()),
                    address: Some(email),
                    body: text,
                    due: now + NOTICE_GATHERS_SECS,
                    by: Some(by.to_string()),
                },
                now,
            )?;
        }
    }
    Ok(())
}

/// A started placement fills a vacancy; the last one fills the opening.
fn fill_vacancy(c: &mut DbConnection, opening_id: &str, now: i64) -> AppResult<()> {
    diesel::update(openings::table.find(opening_id))
        .set((
            openings::filled_vacancies.eq(openings::filled_vacancies + 1),
            openings::updated_at.eq(now),
            openings::version.eq(openings::version + 1),
        ))
        .execute(c)?;
    diesel::update(
        openings::table
            .find(opening_id)
            .filter(openings::status.eq(OpeningStatus::Open))
            .filter(openings::filled_vacancies.ge(openings::number_of_vacancies)),
    )
    .set(openings::status.eq(OpeningStatus::Filled))
    .execute(c)?;
    outbox::push(c, Entity::Opening, opening_id, now)
}

#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlacementFilter {
    pub seeker_id: Option<String>,
    pub opening_id: Option<String>,
    #[param(inline, value_type = Option<super::Status>)]
    pub status: Option<String>,
    pub broker_id: Option<String>,
    /// On any opening of this employer (the employer page; not a query parameter).
    #[serde(skip)]
    pub employer_id: Option<String>,
}

pub fn list(conn: &mut DbConnection, f: &PlacementFilter, limit: i64, offset: i64) -> AppResult<(Vec<Placement>, i64)> {
    let status = match f.status.as_deref() {
        None => None,
        Some(s) => {
            Some(Status::parse(s).ok_or_else(|| AppError::field("status", Fault::Unknown, "not a placement status"))?)
        }
    };
    let filtered = || {
        let mut q = placements::table.into_boxed();
        if let Some(v) = &f.seeker_id {
            q = q.filter(placements::seeker_id.eq(v.clone()));
        }
        if let Some(v) = &f.opening_id {
            q = q.filter(placements::opening_id.eq(v.clone()));
        }
        if let Some(v) = status {
            q = q.filter(placements::status.eq(v));
        }
        if let Some(v) = &f.broker_id {
            q = q.filter(placements::broker_id.eq(v.clone()));
        }
        if let Some(e) = &f.employer_id {
            let theirs = openings::table.filter(openings::employer_id.eq(e.clone())).select(openings::id);
            q = q.filter(placements::opening_id.eq_any(theirs.nullable()));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let ids: Vec<String> = filtered()
        .order((placements::updated_at.desc(), placements::id))
        .limit(limit)
        .offset(offset)
        .select(placements::id)
        .load(conn)?;
    let items = ids.iter().map(|id| get(conn, id)).collect::<AppResult<Vec<_>>>()?;
    Ok((items, total))
}

/// What an employer sees of a placement on its opening: no personnummer, no contact
/// details, and the name only once the person has been presented to them.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EmployerView {
    pub id: String,
    /// For the audit row only: an employer is never told the seeker's id.
    #[serde(skip)]
    pub seeker_id: String,
    pub kind: Kind,
    pub status: Status,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub proposed_on: crate::clock::Day,
    pub started_on: Option<crate::clock::Day>,
    pub ended_on: Option<crate::clock::Day>,
    pub outcome: Option<Outcome>,
}

pub fn for_employer(conn: &mut DbConnection, opening_id: &str) -> AppResult<Vec<EmployerView>> {
    let rows: Vec<(PlacementRow, Option<String>, Option<String>)> = placements::table
        .inner_join(seekers::table.on(seekers::id.eq(placements::seeker_id)))
        .filter(placements::opening_id.eq(opening_id))
        .order(placements::created_at)
        .select((PlacementRow::as_select(), seekers::first_name, seekers::last_name))
        .load(conn)?;
    // A name reaches the employer only with the person's consent for this opening, and is
    // hidden again the moment it is withdrawn.
    let ids: Vec<String> = rows.iter().map(|(r, _, _)| r.seeker_id.clone()).collect();
    let consenting = crate::shortlist::consenting(conn, opening_id, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(r, first, last)| {
            let shown = r.status.is_shown_to_employer() && consenting.contains(&r.seeker_id);
            EmployerView {
                id: r.id,
                seeker_id: r.seeker_id,
                kind: r.kind,
                status: r.status,
                first_name: first.filter(|_| shown),
                last_name: last.filter(|_| shown),
                proposed_on: r.proposed_on,
                started_on: r.started_on,
                ended_on: r.ended_on,
                outcome: r.outcome,
            }
        })
        .collect())
}

/// Placements still under way (and those ended since `ended_since`), a broker's own when
/// `broker_id` is given, the longest untouched first: the board and the start page.
pub fn in_progress(
    conn: &mut DbConnection,
    broker_id: Option<&str>,
    ended_since: NaiveDate,
    limit: i64,
) -> AppResult<Vec<Placement>> {
    let mut q = placements::table
        .filter(
            placements::status
                .eq_any(Status::ALL.iter().copied().filter(|s| s.is_open()).collect::<Vec<_>>())
                .or(placements::status.eq(Status::Ended).and(placements::ended_on.ge(ended_since.to_string()))),
        )
        .into_boxed();
    if let Some(b) = broker_id {
        q = q.filter(placements::broker_id.eq(b.to_string()));
    }
    let ids: Vec<String> =
        q.order((placements::updated_at, placements::id)).limit(limit).select(placements::id).load(conn)?;
    ids.iter().map(|id| get(conn, id)).collect()
}

/// The person a placement is of, if it exists.
pub fn seeker_of(conn: &mut DbConnection, id: &str) -> QueryResult<Option<String>> {
    placements::table.find(id).select(placements::seeker_id).first(conn).optional()
}
