//! `serve --demo`: a realistic demo municipality (Trelleborg) seeded into an empty database,
//! so every page and endpoint shows something real on first start: employers and openings,
//! a few hundred seekers, officers with working hours, placements across the pipeline, a year
//! of outcomes with monthly targets, and applications with booked meetings.

use chrono::{Days, Months, NaiveDate};
use diesel::prelude::*;

use super::generate::Generator;
use super::{create_employer, organization_number};
use crate::auth::{Principal, Role, store as tokens};
use crate::booking::{DecisionOutcome, officers, store as booking};
use crate::db::schema::{seekers, users};
use crate::db::{DbConnection, write_tx};
use crate::error::{AppError, AppResult, Clash};
use crate::placements::{Kind, NewPlacement, Outcome, Status, Transition, store as placements};
use crate::reports::{Month, TargetInput, set_target};

pub const UNITS: [&str; 2] = ["Jobbcenter Trelleborg", "Jobbcenter Anderslöv"];
const HOME: &str = "1287";

/// Tokens printed for a newcomer to sign in with.
pub struct DemoTokens {
    pub admin: String,
    pub broker: String,
    pub manager: String,
    pub officer: String,
    /// The broker the token is for, who has looked at the openings' candidates
    /// ([`look_at_candidates`]).
    pub broker_user: Principal,
}

pub fn is_empty(conn: &mut DbConnection) -> AppResult<bool> {
    let u: i64 = users::table.filter(users::id.ne(crate::auth::JOBSTREAM_USER)).count().get_result(conn)?;
    let s: i64 = seekers::table.count().get_result(conn)?;
    Ok(u == 0 && s == 0)
}

fn principal(user_id: &str, name: &str, role: Role) -> Principal {
    Principal { user_id: user_id.into(), token_id: String::new(), name: name.into(), role, employer_id: None }
}

fn ts(d: NaiveDate, hour: u32) -> i64 {
    crate::clock::start_of_day_ts(d) + i64::from(hour) * 3600
}

/// Seeds the demo into an empty database; refuses one that has data.
pub fn seed(
    conn: &mut DbConnection,
    now: i64,
    today: NaiveDate,
    settings: &crate::config::BookingSettings,
) -> AppResult<DemoTokens> {
    if !is_empty(conn)? {
        return Err(AppError::conflict(
            Clash::NotEmpty,
            "the database already has data; the demo is only seeded into an empty one",
        ));
    }
    let mut g = Generator::new(2026, today);
    let year_ago = today - Months::new(12);

    for name in UNITS {
        crate::units::create(conn, now, crate::units::UnitInput { name: name.to_string(), active: true })?;
    }
    let admin = tokens::create_user_with_token(conn, now, Role::Admin, "Demo Admin", None, None)?;
    let manager = tokens::create_user_with_token(conn, now, Role::Manager, "Maja Enhetschef", None, None)?;
    let officer_user = tokens::create_user_with_token(conn, now, Role::Officer, "Olle Svensson", None, None)?;
    let mut brokers = Vec::new();
    for name in ["Britt Jobbmäklare", "Ahmed Jobbmäklare", "Karin Jobbmäklare", "Jonas Jobbmäklare"] {
        // An address an import's broker column can name them by.
        let email = format!("{}@trelleborg.example", crate::text::fold(name.split(' ').next().unwrap_or(name)));
        brokers.push(tokens::create_user_with_token(conn, now, Role::Broker, name, None, Some(&email))?);
    }

    let employers = write_tx(conn, |c| {
        let mut out = vec![(create_employer(c, now, "Trelleborgs kommun", "212000-1165", true)?, true)];
        for (i, name) in [
            "Söderslätts Bygg AB",
            "Hamnlogistik i Trelleborg AB",
            "Omsorgshuset Skåne AB",
            "Restaurang Kusten AB",
            "Städ & Fönster Syd AB",
            "Slättens Lantbruk AB",
            "Trelleborgs Handel AB",
            "Vård i Hemmet Syd AB",
        ]
        .into_iter()
        .enumerate()
        {
            out.push((create_employer(c, now, name, &organization_number(9000 + i as u64), false)?, false));
        }
        Ok::<_, AppError>(out)
    })?;

    // Officers: mornings and afternoons Monday to Thursday, Friday mornings.
    let hours = serde_json::json!({
        "mon": [["08:30", "12:00"], ["13:00", "16:00"]], "tue": [["08:30", "12:00"], ["13:00", "16:00"]],
        "wed": [["08:30", "12:00"], ["13:00", "16:00"]], "thu": [["08:30", "12:00"], ["13:00", "16:00"]],
        "fri": [["08:30", "12:00"]],
    });
    // Olle signs in as the officer he is: one identity, so /agenda shows his meetings.
    // Two offices; the applicant is told the address with the time.
    let address =
        |unit: &str| if unit == UNITS[0] { "Algatan 13, 231 20 Trelleborg" } else { "Storgatan 21, 231 08 Anderslöv" };
    for (name, unit) in [("Olle Svensson", UNITS[0]), ("Fatima Ali", UNITS[0]), ("Lena Persson", UNITS[1])] {
        let user_id = (name == "Olle Svensson").then(|| officer_user.user_id.clone());
        let input: officers::OfficerInput = serde_json::from_value(serde_json::json!({
            "name": name, "unit": unit, "address": address(unit), "weekly_hours": hours, "user_id": user_id,
        }))
        .expect("valid officer");
        officers::create(conn, now, input.validate()?)?;
    }

    // Openings over the last months, most still open.
    let mut openings = Vec::new();
    write_tx(conn, |c| {
        for i in 0..45u64 {
            let (employer, municipal) = g.rng().pick(&employers).clone();
            let data = g.opening(&employer, Some(HOME), municipal);
            let mut data = data.validate(today, None)?;
            let created = today - Days::new(g.rng().below(150) as u64);
            data.application_deadline = Some(today + Days::new(10 + i % 40));
            let by = &brokers[(i as usize) % brokers.len()].user_id;
            let id = crate::openings::store::create_in_tx(c, ts(created, 9), &employer, by, &data)?;
            openings.push(id);
        }
        Ok::<_, AppError>(())
    })?;

    // Seekers registered through the year, each with a unit and a broker.
    let mut people = Vec::new();
    write_tx(conn, |c| {
        for i in 0..320u64 {
            let unit = UNITS[(i % 3 == 2) as usize];
            let bi = (i as usize) % brokers.len();
            let b = &brokers[bi];
            let mut input = g.seeker(i, Some(unit), Some(HOME));
            input.broker_id = Some(b.user_id.clone());
            input.status = crate::seekers::SeekerStatus::Active;
            input.available_from = Some(today + Days::new(g.rng().below(30) as u64));
            let data = input.validate(today)?;
            let registered = year_ago + Days::new(g.rng().below(360) as u64);
            let id = crate::seekers::store::create_in_tx(c, ts(registered, 10), &data)?;
            people.push((id, registered, bi));
        }
        Ok::<_, AppError>(())
    })?;

    // A year of placements: each month some people move through the pipeline to an outcome.
    let mut person = 0usize;
    let mut month = Month::of(year_ago);
    let this_month = Month::of(today);
    while month <= this_month {
        for unit in UNITS {
            let target = if unit == UNITS[0] { 8 } else { 4 };
            set_target(
                conn,
                unit,
                month,
                &TargetInput { exits_to_work_or_studies: target, note: None },
                &manager.user_id,
                now,
            )?;
        }
        let n = if month == this_month { 10 } else { 9 + g.rng().below(6) };
        for _ in 0..n {
            let Some((seeker, registered, bi)) = people.get(person).cloned() else { break };
            let broker = &brokers[bi];
            person += 1;
            let start = month.first().max(registered + Days::new(3));
            if start > today || !month.contains(start) {
                continue;
            }
            let kind = *g.rng().pick(&[
                Kind::Praktik,
                Kind::Arbetstraning,
                Kind::Extratjanst,
                Kind::Employment,
                Kind::Nystartsjobb,
                Kind::Studies,
            ]);
            let opening = (kind != Kind::Studies).then(|| g.rng().pick(&openings).clone());
            let who = principal(&broker.user_id, &broker.name, Role::Broker);
            let Ok(p) = placements::propose(
                conn,
                now,
                today,
                &who,
                NewPlacement {
                    seeker_id: seeker.clone(),
                    opening_id: opening,
                    kind,
                    proposed_on: Some(start),
                    note: None,
                    ranking_log_id: None,
                },
            ) else {
                continue;
            };
            // The person said yes on the phone to being presented for the opening.
            if let Some(o) = &p.opening_id {
                let yes = crate::shortlist::ConsentInput {
                    state: crate::shortlist::ConsentState::Given,
                    how: crate::shortlist::ConsentHow::Phone,
                    note: None,
                };
                crate::shortlist::record(conn, now, today, &who, o, &p.seeker_id, &yes)?;
            }
            // Walk as far as the calendar allows; the current month leaves some mid-way.
            let mut day = start;
            let steps: Vec<Status> = if kind == Kind::Studies {
                vec![Status::Started]
            } else {
                vec![Status::Presented, Status::Interview, Status::Offered, Status::Started]
            };
            let stop_at = if month == this_month { g.rng().below(steps.len() + 1) } else { steps.len() };
            let mut ok = true;
            for to in steps.into_iter().take(stop_at) {
                day = day + Days::new(1 + g.rng().below(3) as u64);
                if day > today {
                    ok = false;
                    break;
                }
                let t = Transition {
                    to,
                    at: day,
                    note: None,
                    outcome: None,
                    employment_until: None,
                    student_finance_eligible: None,
                };
                if placements::transition(conn, now, today, &who, &p.id, t, None).is_err() {
                    ok = false;
                    break;
                }
            }
            if !ok || month == this_month || stop_at == 0 {
                continue;
            }
            let end = (day + Days::new(7 + g.rng().below(20) as u64)).min(today);
            let roll = g.rng().below(100);
            let outcome = match (kind, roll) {
                (Kind::Studies, _) => Outcome::Studies,
                (_, 0..=44) => Outcome::Employment,
                (_, 45..=59) => Outcome::SubsidisedEmployment,
                (_, 60..=69) => Outcome::MunicipalLabourMarketJob,
                (_, 70..=79) => Outcome::Extended,
                (_, 80..=89) => Outcome::Other,
                _ => Outcome::Aborted,
            };
            let t = Transition {
                to: Status::Ended,
                at: end,
                note: None,
                outcome: Some(outcome),
                employment_until: matches!(outcome, Outcome::Employment | Outcome::SubsidisedEmployment)
                    .then(|| end + Months::new(if roll.is_multiple_of(4) { 0 } else { 6 }) + Days::new(14))
                    .filter(|_| !roll.is_multiple_of(3)),
                student_finance_eligible: (outcome == Outcome::Studies).then_some(roll.is_multiple_of(2)),
            };
            let _ = placements::transition(conn, now, today, &who, &p.id, t, None);
        }
        month = Month::of(month.end());
    }

    plans(conn, &mut g, now, today, &people, &brokers)?;

    // Today's applicants, most with a meeting booked for the next working day.
    for i in 0..6u32 {
        let input: booking::ApplicationInput = serde_json::from_value(serde_json::json!({
            "personnummer": demo_personnummer(i),
            "first_name": g.rng().pick(&["Amira", "Johan", "Lina", "Yusuf", "Eva", "Daniel"]).to_string(),
            "last_name": g.rng().pick(&["Hassan", "Nilsson", "Berg", "Ahmadi", "Lind", "Svensson"]).to_string(),
            "phone": format!("0701{:06}", 100 + i),
            "situation": "Ansökan om ekonomiskt bistånd.",
        }))
        .expect("valid application");
        // Most applied with e-legitimation; two typed their details in.
        let identified = (i % 3 != 2).then(|| booking::Identified {
            personnummer: input.personnummer.clone(),
            first_name: input.first_name.clone(),
            last_name: input.last_name.clone(),
        });
        let created = booking::apply(conn, now, today, settings, input, identified)?;
        if i < 5
            && let Some(slot) = created.offered_slots.first()
        {
            let _ = booking::book(
                conn,
                now,
                Some(&created.id),
                &booking::Holder::Link(created.booking_token.clone()),
                &slot.id,
                false,
                &crate::booking::Sending {
                    public_url: "http://127.0.0.1:8080".into(),
                    reminder_hour: 15,
                    hold_minutes: 30,
                },
            );
        }
    }

    // Earlier this month's applicants, and the case system's decisions on them: most within a
    // day, some later, a few still open (the decision clock's figures and signal).
    for i in 0..14u32 {
        let days_ago = i64::from(1 + i % 12);
        let applied = now - days_ago * 86_400 - i64::from(i) * 1800;
        if crate::clock::stockholm_date(applied) < Month::of(today).first() {
            continue;
        }
        let input: booking::ApplicationInput = serde_json::from_value(serde_json::json!({
            "personnummer": demo_personnummer(20 + i),
            "first_name": g.rng().pick(&["Sara", "Ali", "Maria", "Omar", "Karin", "Ahmed"]).to_string(),
            "last_name": g.rng().pick(&["Ek", "Mohammed", "Persson", "Karlsson", "Ali", "Holm"]).to_string(),
            "phone": format!("0702{:06}", 100 + i),
            "situation": "Ansökan om ekonomiskt bistånd.",
        }))
        .expect("valid application");
        let created = booking::apply(conn, applied, crate::clock::stockholm_date(applied), settings, input, None)?;
        if i % 5 == 4 {
            continue;
        }
        let hours = [6, 20, 22, 30, 18, 44, 12, 23][i as usize % 8];
        let decided = chrono::DateTime::from_timestamp(applied + hours * 3600, 0).expect("a time").fixed_offset();
        let outcome = if i % 7 == 3 { DecisionOutcome::Rejected } else { DecisionOutcome::Approved };
        let input = crate::booking::decisions::DecisionInput { decided_at: decided, outcome };
        let _ = crate::booking::decisions::record(conn, (now, "system"), &created.id, &input, Default::default());
    }

    let officer = officer_user.token;
    Ok(DemoTokens {
        admin: admin.token,
        broker: brokers[0].token.clone(),
        manager: manager.token,
        officer,
        broker_user: principal(&brokers[0].user_id, &brokers[0].name, Role::Broker),
    })
}

/// The broker has opened the first page of candidates of every open opening, as on a working
/// day: real ranked lists, logged as the pages log them, so the ranking log, exposure and
/// oversight have something to show. Needs the index to hold the seeded people. Returns how
/// many lists were served.
pub fn look_at_candidates(
    conn: &mut DbConnection,
    at: crate::index::Lookup<'_>,
    broker: &Principal,
) -> AppResult<usize> {
    use crate::db::schema::openings;
    let open: Vec<String> = openings::table
        .filter(openings::deleted_at.is_null())
        .filter(openings::status.eq(crate::openings::OpeningStatus::Open))
        .order(openings::id)
        .select(openings::id)
        .load(conn)?;
    let action = crate::audit::Action::named("GET /openings/{id}");
    for id in &open {
        crate::matching::lists::candidates_for_opening(conn, at, broker, id, (20, 0), &Default::default(), &action)?;
    }
    Ok(open.len())
}

/// Labour-market plans for most people registered more than two weeks ago, activities with
/// hours for many, the last three weeks' attendance (mostly present, some valid and a few
/// invalid absences, so the register, the status and the signals have something to show),
/// and a few declined offers.
fn plans(
    conn: &mut DbConnection,
    g: &mut Generator,
    now: i64,
    today: NaiveDate,
    people: &[(String, NaiveDate, usize)],
    brokers: &[tokens::IssuedToken],
) -> AppResult<()> {
    use crate::plan::{ActivityInput, ActivityKind, AgreedHow, AttendanceState, DeclineInput, DeclineWhat, Goal};
    use crate::plan::{PlanInput, store};
    const ACTIVITIES: [(ActivityKind, &str, &str, f64, &[u8]); 4] = [
        (ActivityKind::Praktik, "Praktik i butik", "Trelleborgs Handel AB", 20.0, &[1, 2, 3, 4]),
        (ActivityKind::Arbetstraning, "Arbetsträning lager", "Hamnlogistik i Trelleborg AB", 24.0, &[1, 2, 3]),
        (ActivityKind::Sfi, "SFI kurs C", "Komvux Trelleborg", 8.0, &[4, 5]),
        (ActivityKind::JobSearch, "Jobbsökarkurs", "Jobbcenter Trelleborg", 6.0, &[2, 4]),
    ];
    write_tx(conn, |c| {
        for (i, (seeker, registered, bi)) in people.iter().enumerate() {
            let agreed = *registered + Days::new(7);
            // A seventh have no plan yet (every broker has some): "ingen plan" has people
            // behind it.
            if agreed >= today || i % 7 == 3 {
                continue;
            }
            let by = &brokers[*bi].user_id;
            // Most are followed up in the coming weeks; one in nine is overdue.
            let review = if i % 9 == 0 { today - Days::new(3) } else { today + Days::new(7 + (i as u64 * 11) % 80) };
            let input = PlanInput {
                goal: if i % 7 == 0 { Goal::Studies } else { Goal::Work },
                goal_text: Some("Egen försörjning genom arbete inom ett år".into()),
                occupation: None,
                hours_per_week: 40.0,
                start_date: agreed,
                review_date: review.max(agreed),
                agreed_on: Some(agreed),
                agreed_how: Some(if i % 2 == 0 { AgreedHow::InPerson } else { AgreedHow::Phone }),
                note: None,
            }
            .check(today)?;
            store::insert_plan(c, seeker, 1, &input, by, ts(agreed, 11))?;
            if i % 3 == 2 {
                continue;
            }
            let (kind, title, provider, hours, days) = ACTIVITIES[i % ACTIVITIES.len()];
            let from = (agreed + Days::new(3)).max(today - Days::new(60));
            let activity = ActivityInput {
                kind,
                title: title.into(),
                placement_id: None,
                provider: Some(provider.into()),
                hours_per_week: hours,
                weekdays: days.to_vec(),
                from,
                to: None,
            }
            .check()?;
            let id = store::insert_activity(c, seeker, &activity, by, ts(from, 9))?;
            let Some(a) = store::activity_by_id(c, &id)? else { continue };
            let mut day = (today - Days::new(21)).max(from);
            // One in fifteen missed their first three days without a valid reason.
            let mut missed = if i % 15 == 1 { 3 } else { 0 };
            while day < today {
                if a.takes_place(day) {
                    let roll = if missed > 0 {
                        missed -= 1;
                        0
                    } else {
                        g.rng().below(40)
                    };
                    let state = match roll {
                        0..=1 => AttendanceState::AbsentInvalid,
                        2..=4 => AttendanceState::AbsentValid,
                        _ => AttendanceState::Present,
                    };
                    let hours = a.fields.hours_per_day();
                    let r = store::Recorded { activity: &a, date: day, state, hours, note: None };
                    store::record_day(c, &r, by, ts(day, 16))?;
                }
                day = day + Days::new(1);
            }
            if i % 25 == 0 {
                let d = DeclineInput {
                    what: DeclineWhat::Opening,
                    ref_id: None,
                    date: today - Days::new(5),
                    reason: "Ville inte arbeta helger".into(),
                    justified: i % 50 == 0,
                };
                store::insert_decline(c, seeker, &d, &d.reason, by, now)?;
            }
        }
        Ok::<_, AppError>(())
    })
}

/// Valid personnummer for the demo applicants (born 1990–1995).
fn demo_personnummer(i: u32) -> String {
    let date = format!("199{}0{}1{}", i % 6, 1 + i % 9, i % 9);
    let body = format!("{}{:03}", &date[2..], 200 + i);
    let sum: u32 = body
        .chars()
        .enumerate()
        .map(|(k, c)| {
            let d = c.to_digit(10).unwrap_or(0) * if k % 2 == 0 { 2 } else { 1 };
            if d > 9 { d - 9 } else { d }
        })
        .sum();
    format!("{date}{:03}{}", 200 + i, (10 - sum % 10) % 10)
}
