//! Mina sidor's use cases, for the pages and the `/api/v1/me` routes alike. Each runs in one
//! transaction that starts at the gate (`privacy::own`: the person found by their
//! personnummer, the read audited as theirs) and reads only by the ids it answers. The
//! staff side: a unit's manager reads and answers requests for review.

use chrono::NaiveDate;

use super::extract::{self, Extract};
use super::store::{self, New};
use super::{AnswerInput, ConsentAnswer, Explanation, NOT_USED, Person, Review, ReviewInput};
use crate::audit::Action;
use crate::booking::service as booking;
use crate::booking::slots::Offers;
use crate::booking::store::{BookError, Booking, Holder};
use crate::clock::{Day, Month};
use crate::config::MatchingSettings;
use crate::db::{self, DbConnection, Pool, write_tx};
use crate::error::{AppError, AppResult, Errors, Fault, Thing};
use crate::matching::OccupationMatch;
use crate::plan::{Activity, Attendance, Decline, Plan};
use crate::privacy::{self, Own, Reader};
use crate::shortlist::OwnConsent;

/// The person signed in with e-legitimation, and the route they read through.
#[derive(Debug, Clone)]
pub struct Me {
    pub personnummer: String,
    pub given_name: String,
    pub family_name: String,
    pub action: Action,
    pub now: i64,
    pub today: NaiveDate,
}

/// Runs `f` in one transaction after the gate.
async fn as_person<T, F>(pool: &Pool, me: &Me, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection, &Own) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let me = me.clone();
    db::run(pool, move |c| {
        write_tx(c, |c| {
            let own = privacy::own(c, &me.personnummer, &me.action, (me.now, me.today))?;
            f(c, &own)
        })
    })
    .await
}

/// Who the person is, and whether Platsa has a record of them.
pub async fn person(pool: &Pool, me: &Me) -> AppResult<Person> {
    let (personnummer, given_name, family_name) =
        (me.personnummer.clone(), me.given_name.clone(), me.family_name.clone());
    as_person(pool, me, move |_, own| {
        Ok(Person { personnummer, given_name, family_name, registered: own.seeker_id.is_some() })
    })
    .await
}

/// The person's meetings, the latest first.
pub async fn bookings(pool: &Pool, me: &Me) -> AppResult<Vec<Booking>> {
    as_person(pool, me, |c, own| booking::of_applications(c, &own.applications)).await
}

/// One of the person's meetings; 404 for anyone else's.
fn own_booking(c: &mut DbConnection, own: &Own, id: &str) -> AppResult<Booking> {
    booking::of_applications(c, &own.applications)?
        .into_iter()
        .find(|b| b.id == id)
        .ok_or(AppError::NotFound(Thing::Booking))
}

pub async fn booking(pool: &Pool, me: &Me, id: &str) -> AppResult<Booking> {
    let id = id.to_string();
    as_person(pool, me, move |c, own| own_booking(c, own, &id)).await
}

/// The application of one of the person's booked meetings, still to come: what may be
/// moved or cancelled.
async fn changeable(pool: &Pool, me: &Me, id: &str) -> AppResult<Booking> {
    let b = booking(pool, me, id).await?;
    if b.status != crate::booking::BookingStatus::Booked || b.starts_ts <= me.now {
        return Err(AppError::conflict(
            crate::error::Clash::MeetingPassed,
            "this meeting is no longer booked or has already begun",
        ));
    }
    Ok(b)
}

/// Cancels one of the person's meetings (and its reminder), by the booking links' rules.
pub async fn cancel(pool: &Pool, me: &Me, id: &str, sending: &crate::booking::Sending) -> AppResult<()> {
    let b = changeable(pool, me, id).await?;
    booking::cancel(pool, me.now, Holder::Application(b.application_id), sending).await
}

/// Times to move one of the person's meetings to.
pub async fn offers(pool: &Pool, me: &Me, horizon: u32, id: &str) -> AppResult<(Booking, Offers)> {
    let b = changeable(pool, me, id).await?;
    let offers =
        booking::offers(pool, (me.now, me.today), horizon, Holder::Application(b.application_id.clone())).await?;
    Ok((b, offers))
}

/// Moves one of the person's meetings: the old time is let go only if the new one is booked.
pub async fn rebook(
    pool: &Pool,
    me: &Me,
    id: &str,
    slot: &str,
    sending: &crate::booking::Sending,
) -> AppResult<Result<Booking, BookError>> {
    let b = changeable(pool, me, id).await?;
    booking::book(pool, me.now, (None, Holder::Application(b.application_id), slot), true, sending).await
}

/// The iCalendar file of one of the person's meetings.
pub async fn ics(pool: &Pool, me: &Me, id: &str) -> AppResult<String> {
    Ok(crate::booking::store::ics(&booking(pool, me, id).await?))
}

/// The person's plan as they see it: the current version, the activities, a month's
/// recorded days, and the offers they declined.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OwnPlan {
    pub plan: Option<Plan>,
    pub activities: Vec<crate::plan::ActivityView>,
    pub month: String,
    pub attendance: Vec<Attendance>,
    pub declines: Vec<Decline>,
    /// Hours planned in the month, by the activities' days.
    pub planned_hours: f64,
}

pub async fn plan(pool: &Pool, me: &Me, month: Month) -> AppResult<OwnPlan> {
    as_person(pool, me, move |c, own| {
        let Some(seeker) = &own.seeker_id else {
            return Ok(OwnPlan {
                plan: None,
                activities: Vec::new(),
                month: month.to_string(),
                attendance: Vec::new(),
                declines: Vec::new(),
                planned_hours: 0.0,
            });
        };
        let (plan, _, attendance, activities) = crate::plan::service::month_in_tx(c, seeker, month, own.today)?;
        let planned: f64 = activities.iter().map(|a: &Activity| a.planned_hours(month.first(), month.end())).sum();
        Ok(OwnPlan {
            plan,
            activities: activities.into_iter().map(Into::into).collect(),
            month: month.to_string(),
            attendance,
            declines: crate::plan::service::declines_in_tx(c, seeker)?,
            planned_hours: (planned * 10.0).round() / 10.0,
        })
    })
    .await
}

/// Every consent asked of the person, and their answers.
pub async fn consents(pool: &Pool, me: &Me) -> AppResult<Vec<OwnConsent>> {
    as_person(pool, me, |c, own| match &own.seeker_id {
        Some(s) => crate::shortlist::of_person(c, s, own.today),
        None => Ok(Vec::new()),
    })
    .await
}

/// The person answers a request, or withdraws a consent given (which hides them from that
/// employer at once); 404 when nothing was asked of them for the opening.
pub async fn answer_consent(pool: &Pool, me: &Me, opening: &str, answer: ConsentAnswer) -> AppResult<OwnConsent> {
    let opening = opening.to_string();
    as_person(pool, me, move |c, own| {
        let seeker = own.seeker_id.as_deref().ok_or(AppError::NotFound(Thing::ConsentRequest))?;
        crate::shortlist::answer_own(c, own.now, own.today, (&opening, seeker), answer.state())
    })
    .await
}

/// Why the person was proposed, presented or asked about each opening: from their own
/// profile as it is now and the opening's requirements.
pub async fn explanations(pool: &Pool, me: &Me, weights: MatchingSettings) -> AppResult<Vec<Explanation>> {
    as_person(pool, me, move |c, own| {
        let Some(seeker_id) = &own.seeker_id else { return Ok(Vec::new()) };
        let Some(seeker) = crate::seekers::service::own_record(c, own)? else { return Ok(Vec::new()) };
        let profile = crate::matching::rank::SeekerProfile::new(&seeker);
        let mut stages: Vec<(String, String)> = Vec::new();
        for p in crate::placements::service::of_seeker(c, seeker_id)? {
            if let Some(opening) = p.opening_id {
                stages.push((opening, stage(p.status).to_string()));
            }
        }
        for consent in crate::shortlist::of_person(c, seeker_id, own.today)? {
            if !stages.iter().any(|(o, _)| *o == consent.opening_id) {
                stages.push((consent.opening_id, "Tillfrågad om samtycke att presenteras".into()));
            }
        }
        let mut out = Vec::new();
        for (opening_id, stage) in stages {
            let opening = match crate::openings::store::by_id(c, &opening_id) {
                Ok(o) => o,
                Err(AppError::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            let employer = crate::employers::names(c, std::slice::from_ref(&opening.employer_id))?
                .remove(&opening.employer_id)
                .unwrap_or_default();
            let (_, e) = crate::matching::rank::explain_opening(&weights, &profile, &opening, 0.0);
            out.push(explain(opening_id, opening.headline.clone(), employer, stage, &e, seeker.max_commute_km));
        }
        Ok(out)
    })
    .await
}

fn stage(s: crate::placements::Status) -> &'static str {
    use crate::placements::Status::*;
    match s {
        Proposed => "Föreslagen av din jobbmäklare",
        Presented => "Presenterad för arbetsgivaren",
        Interview => "Kallad till intervju",
        Offered => "Erbjuden tjänsten",
        Started => "Du har börjat",
        Ended => "Avslutad",
        DeclinedBySeeker => "Du tackade nej",
        DeclinedByEmployer => "Arbetsgivaren gick vidare med någon annan",
        Withdrawn => "Förslaget drogs tillbaka",
    }
}

/// The ranking's explanation in plain Swedish, addressed to the person.
fn explain(
    opening_id: String,
    headline: String,
    employer: String,
    stage: String,
    e: &crate::matching::Explanation,
    max_commute_km: Option<i32>,
) -> Explanation {
    let occupation = match e.occupation_match {
        OccupationMatch::Exact => "Tjänsten gäller ett yrke du söker.".to_string(),
        OccupationMatch::SameMinorGroup | OccupationMatch::SameSubMajorGroup => {
            "Tjänsten gäller ett yrke nära ett som du söker (samma yrkesgrupp).".into()
        }
        OccupationMatch::LargelySubstitutable => {
            "Arbetsförmedlingen bedömer att ett yrke du söker i hög grad kan ersätta tjänstens yrke.".into()
        }
        OccupationMatch::PartlySubstitutable => {
            "Arbetsförmedlingen bedömer att ett yrke du söker delvis kan ersätta tjänstens yrke.".into()
        }
        OccupationMatch::SameMajorGroup => "Tjänsten gäller ett yrke inom samma yrkesområde som du söker.".into(),
        OccupationMatch::None => "Tjänsten gäller inget yrke nära dem du söker; du föreslogs för annat du har.".into(),
    };
    let occupation = if e.occupation_inferred {
        format!("{occupation} Yrket lästes ut ur beskrivningen av dig.")
    } else {
        occupation
    };
    let distance = match (e.distance_km, max_commute_km) {
        (Some(d), Some(max)) if d > f64::from(max) => {
            format!("Arbetsplatsen ligger ungefär {d:.0} km bort, längre än de {max} km du har sagt att du kan pendla.")
        }
        (Some(d), Some(max)) => {
            format!("Arbetsplatsen ligger ungefär {d:.0} km bort; du kan pendla upp till {max} km.")
        }
        (Some(d), None) => format!("Arbetsplatsen ligger ungefär {d:.0} km från din kommun."),
        (None, _) => "Avståndet till arbetsplatsen är inte känt.".into(),
    };
    let availability = e
        .components
        .iter()
        .find_map(|c| match c.why {
            crate::matching::Why::Availability { days_late } if days_late > 0 => {
                Some(format!("Du kan börja {days_late} dagar efter tjänstens startdag."))
            }
            crate::matching::Why::Availability { .. } => Some("Du kan börja när tjänsten startar.".into()),
            _ => None,
        })
        .unwrap_or_default();
    Explanation {
        opening_id,
        headline,
        employer,
        stage,
        met: e.matched.must_have.clone(),
        missed: e.missing.must_have.iter().chain(&e.missing.nice_to_have).cloned().collect(),
        merits: e.matched.nice_to_have.clone(),
        occupation,
        distance,
        availability,
        not_used: NOT_USED.into(),
    }
}

/// The register extract: everything Platsa holds about the person.
pub async fn extract(pool: &Pool, me: &Me, show_names: bool) -> AppResult<Extract> {
    as_person(pool, me, move |c, own| extract::extract(c, own, show_names)).await
}

/// The person's requests for review, with answers.
pub async fn reviews(pool: &Pool, me: &Me) -> AppResult<Vec<Review>> {
    as_person(pool, me, |c, own| match &own.seeker_id {
        Some(s) => store::of_person(c, s),
        None => Ok(Vec::new()),
    })
    .await
}

/// A text the person or a manager writes: 3 to 4 000 characters, no control characters.
fn text(raw: &str, field: &str, errors: &mut Errors) -> String {
    let t = crate::vocabulary::free_text(&Some(raw.to_string()), field, 4000, errors).unwrap_or_default();
    if errors.is_empty() && t.chars().count() < 3 {
        errors.add(field, Fault::Length, "must be 3 to 4000 characters");
    }
    t
}

/// The person asks for a review: it becomes a signal for their unit's manager, due in
/// `days` days. The decline or opening it names must be theirs.
pub async fn ask_review(pool: &Pool, me: &Me, input: ReviewInput, days: u32) -> AppResult<Review> {
    let mut errors = Errors::new();
    let body = text(&input.text, "text", &mut errors);
    let ref_id = input.ref_id.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
    if ref_id.as_ref().is_some_and(|r| r.chars().count() > 64) {
        errors.add("ref_id", Fault::Length, "must be at most 64 characters");
    }
    errors.into_result()?;
    as_person(pool, me, move |c, own| {
        let Some(seeker_id) = own.seeker_id.clone() else {
            return Err(AppError::conflict(
                crate::error::Clash::NotRegistered,
                "there is no record of you to review yet; ask at your meeting",
            ));
        };
        if let Some(r) = &ref_id
            && !refers_to_own(c, own, &seeker_id, input.about, r)?
        {
            // Someone else's decision is not found, as every other id of theirs.
            let thing = if input.about == super::ReviewAbout::Decline { Thing::Resource } else { Thing::Opening };
            return Err(AppError::NotFound(thing));
        }
        let unit = crate::seekers::service::own_record(c, own)?.and_then(|s| s.unit);
        let due_on = Day::from(own.today + chrono::Days::new(u64::from(days)));
        let new = New {
            seeker_id: &seeker_id,
            unit: unit.as_deref(),
            about: input.about,
            ref_id: ref_id.as_deref(),
            text: &body,
            due_on,
        };
        let id = store::insert(c, own.now, &new)?;
        store::get(c, &id)
    })
    .await
}

/// Whether `r` names something of the person's that `about` can be about.
fn refers_to_own(c: &mut DbConnection, own: &Own, seeker: &str, about: super::ReviewAbout, r: &str) -> AppResult<bool> {
    use super::ReviewAbout::*;
    Ok(match about {
        Decline => crate::plan::service::declines_in_tx(c, seeker)?.iter().any(|d| d.id == r),
        NotSuitable | MissedProposal => {
            crate::shortlist::of_person(c, seeker, own.today)?.iter().any(|s| s.opening_id == r)
                || crate::placements::service::of_seeker(c, seeker)?.iter().any(|p| p.opening_id.as_deref() == Some(r))
                || (about == MissedProposal && crate::openings::store::by_id(c, r).is_ok())
        }
        Plan | Attendance | Other => false,
    })
}

/// Requests for review for managers: the unanswered (`open`) or all, the soonest due first.
pub async fn list_reviews(pool: &Pool, open: bool, paging: (i64, i64)) -> AppResult<(Vec<Review>, i64)> {
    db::run(pool, move |c| store::list(c, open, paging.0, paging.1)).await
}

/// One request, read by a manager: the person's record through the gate (audited).
pub async fn review(pool: &Pool, r: &Reader, id: &str) -> AppResult<(Review, crate::seekers::Seeker)> {
    let (r, id) = (r.clone(), id.to_string());
    db::run(pool, move |c| {
        write_tx(c, |c| {
            let review = store::get(c, &id)?;
            let seeker = crate::seekers::service::read_person(c, &r, &review.seeker_id)?;
            Ok((review, seeker))
        })
    })
    .await
}

/// A manager answers a request; the person sees the answer on Mina sidor.
pub async fn answer_review(pool: &Pool, r: &Reader, id: &str, input: AnswerInput) -> AppResult<Review> {
    let mut errors = Errors::new();
    let answer = text(&input.answer, "answer", &mut errors);
    errors.into_result()?;
    let (r, id) = (r.clone(), id.to_string());
    db::run(pool, move |c| {
        write_tx(c, |c| {
            let review = store::get(c, &id)?;
            crate::seekers::service::read_person(c, &r, &review.seeker_id)?;
            store::answer(c, r.now, &id, &r.who.user_id, &answer)?;
            store::get(c, &id)
        })
    })
    .await
}
