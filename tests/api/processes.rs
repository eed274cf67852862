//! Process measures against targets, signals, and the follow-up after exit, from months of
//! known events recorded through the API at fixed clocks (on SQLite, and on PostgreSQL when
//! the suite runs there).

use std::sync::{Arc, Mutex};

use chrono::DateTime;
use serde_json::{Value, json};

use crate::helpers::*;

const UNIT: &str = "Jobbcenter Trelleborg";
const UNIT_PATH: &str = "Jobbcenter%20Trelleborg";

async fn register(app: &TestApp, token: &str, serial: u32, broker: Option<&str>) -> String {
    let mut body = seeker_body(&pnr("19900101", serial));
    body["unit"] = UNIT.into();
    if let Some(b) = broker {
        body["broker_id"] = b.into();
    }
    let res = app.post_json("/api/v1/seekers", token, &body).await;
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

/// Applies through the public API; returns the application.
async fn apply(app: &TestApp, personnummer: &str) -> Value {
    let body = json!({
        "personnummer": personnummer, "first_name": "Sara", "last_name": "Nilsson",
        "email": "sara@example.se", "phone": "0701112233",
    });
    let res = app.client.post(app.url("/api/v1/applications")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

/// Applies and books the earliest offered meeting; returns (booking id, hours from the
/// application to the meeting, the meeting's local date).
async fn apply_and_book(app: &TestApp, serial: u32, applied_at: &str) -> (String, f64, String) {
    let a = apply(app, &pnr("19930303", serial)).await;
    let slot = a["offered_slots"]
        .as_array()
        .unwrap()
        .iter()
        .min_by_key(|s| DateTime::parse_from_rfc3339(s["starts_at"].as_str().unwrap()).unwrap())
        .unwrap()
        .clone();
    let res = app
        .client
        .post(app.url(&format!("/api/v1/applications/{}/booking", a["id"].as_str().unwrap())))
        .json(&json!({"token": a["booking_token"], "slot_id": slot["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let booked: Value = res.json().await.unwrap();
    let starts = DateTime::parse_from_rfc3339(slot["starts_at"].as_str().unwrap()).unwrap();
    let applied = DateTime::parse_from_rfc3339(applied_at).unwrap();
    let hours = (starts - applied).num_seconds() as f64 / 3600.0;
    (booked["booking"]["id"].as_str().unwrap().to_string(), hours, starts.date_naive().to_string())
}

/// A studies placement: proposed, started, and (optionally) ended with outcome studies.
async fn studies(app: &TestApp, token: &str, seeker: &str, proposed: &str, started: Option<&str>, ended: Option<&str>) {
    let res = app
        .post_json(
            "/api/v1/placements",
            token,
            &json!({"seeker_id": seeker, "kind": "studies", "proposed_on": proposed}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let url = format!("/api/v1/placements/{id}/transitions");
    if let Some(at) = started {
        assert_eq!(app.post_json(&url, token, &json!({"to": "started", "at": at})).await.status(), 200);
    }
    if let Some(at) = ended {
        let end = json!({"to": "ended", "at": at, "outcome": "studies", "student_finance_eligible": true});
        assert_eq!(app.post_json(&url, token, &end).await.status(), 200);
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

fn measure<'a>(unit: &'a Value, name: &str) -> &'a Value {
    unit["measures"].as_array().unwrap().iter().find(|m| m["measure"] == name).unwrap()
}

fn horizon(cohort: &Value, months: u64) -> (i64, i64, i64, Value, bool) {
    let h = cohort["horizons"].as_array().unwrap().iter().find(|h| h["months"] == months).unwrap();
    (
        h["returned"].as_i64().unwrap(),
        h["not_returned"].as_i64().unwrap(),
        h["still_to_follow"].as_i64().unwrap(),
        h["share_not_returned"].clone(),
        h["complete"].as_bool().unwrap(),
    )
}

/// Months of known applications, meetings, no-shows, proposals, exits and returns; then every
/// process figure, every signal and every follow-up share, exactly. "Now" is Monday
/// 23 November 2026, 10:00: the 16th of November's 21 working days.
#[tokio::test]
async fn known_months_give_exact_processes_signals_and_follow_up() {
    let app = spawn_app_with(&[("PLATSA_SIGNALS__NO_SHOW_MIN_MEETINGS", "1")]).await;
    let (broker, broker_id) = app.token("broker", "Britt Mäklare", None).await;
    let (manager, _) = app.token("manager", "Maja Chef", None).await;
    let (officer_token, officer_user) = app.token("officer", "Olle Sekreterare", None).await;
    let res = app
        .post_json(
            "/api/v1/officers",
            &app.admin_token,
            &json!({"name": "Olle", "unit": UNIT, "meeting_minutes": 45, "user_id": officer_user,
                    "weekly_hours": {"mon": [["09:00", "12:00"]], "tue": [["09:00", "12:00"]], "wed": [["09:00", "12:00"]],
                                     "thu": [["09:00", "12:00"]], "fri": [["09:00", "12:00"]]}}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let olle = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();

    // 2025: three people register in February and leave for studies in March.
    let feb25 = app.at_clock("2025-02-03T10:00:00+01:00").await;
    let f1 = register(&feb25, &broker, 1, None).await;
    let f2 = register(&feb25, &broker, 2, None).await;
    let f3 = register(&feb25, &broker, 3, None).await;
    studies(&app, &broker, &f1, "2025-02-10", Some("2025-02-12"), Some("2025-03-10")).await;
    studies(&app, &broker, &f2, "2025-02-10", Some("2025-02-12"), Some("2025-03-20")).await;
    studies(&app, &broker, &f3, "2025-02-10", Some("2025-02-12"), Some("2025-03-25")).await;
    // F1 applies for support again on 20 May 2025 (within 3 months); F2 is registered again
    // by staff on 1 November 2025 (within 12 months, not 6); F3 never comes back.
    apply(&app.at_clock("2025-05-20T10:00:00+02:00").await, &pnr("19900101", 1)).await;
    let nov25 = app.at_clock("2025-11-01T10:00:00+01:00").await;
    let res = nov25
        .patch_json(
            &format!("/api/v1/seekers/{f2}"),
            &broker,
            &json!({"status": "active", "exit_reason": null, "exit_date": null}),
        )
        .await;
    assert_eq!(res.status(), 200);

    // 2026: S2 and S4 (Britt's) and F4, F5 register on 1 July, S1 on 1 September.
    let jul = app.at_clock("2026-07-01T10:00:00+02:00").await;
    let s2 = register(&jul, &broker, 12, Some(&broker_id)).await;
    let s4 = register(&jul, &broker, 14, Some(&broker_id)).await;
    let f4 = register(&jul, &broker, 4, None).await;
    let f5 = register(&jul, &broker, 5, None).await;
    let s1 = register(&app.at_clock("2026-09-01T10:00:00+02:00").await, &broker, 11, Some(&broker_id)).await;
    studies(&app, &broker, &f5, "2026-07-02", Some("2026-07-03"), Some("2026-07-10")).await;
    studies(&app, &broker, &f4, "2026-08-01", Some("2026-08-05"), Some("2026-09-15")).await;
    // November: S1 proposed on the 4th (64 days after registering), leaves on the 10th; S2
    // proposed on the 16th (138 days).
    studies(&app, &broker, &s1, "2026-11-04", Some("2026-11-05"), Some("2026-11-10")).await;
    studies(&app, &broker, &s2, "2026-11-16", None, None).await;

    // Four applications in November, each booking the earliest meeting offered.
    let nov2 = app.at_clock("2026-11-02T10:00:00+01:00").await;
    let s3 = register(&nov2, &broker, 13, Some(&broker_id)).await;
    let (a1, h1, d1) = apply_and_book(&nov2, 21, "2026-11-02T10:00:00+01:00").await;
    let nov5 = app.at_clock("2026-11-05T14:00:00+01:00").await;
    let (a2, h2, d2) = apply_and_book(&nov5, 22, "2026-11-05T14:00:00+01:00").await;
    // Olle is away on Wednesday the 11th: the application of the 10th meets on the 12th.
    let res = nov5
        .post_json(
            &format!("/api/v1/officers/{olle}/absences"),
            &app.admin_token,
            &json!({"from": "2026-11-11", "to": "2026-11-11"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let (a3, h3, d3) =
        apply_and_book(&app.at_clock("2026-11-10T10:00:00+01:00").await, 23, "2026-11-10T10:00:00+01:00").await;
    let nov20 = app.at_clock("2026-11-20T10:00:00+01:00").await;
    let (a4, h4, d4) = apply_and_book(&nov20, 24, "2026-11-20T10:00:00+01:00").await;
    assert_eq!([d1.as_str(), &d2, &d3, &d4], ["2026-11-03", "2026-11-06", "2026-11-12", "2026-11-23"]);
    assert!(h4 < 71.0 + 1.0, "A4 meets before 10:00 on Monday, so the meeting has happened: {h4}");
    // F5 applies again on the 20th (within 6 months of her exit in July, not 3).
    apply(&nov20, &pnr("19900101", 5)).await;
    for (id, status) in [(&a1, "held"), (&a2, "no_show"), (&a3, "held"), (&a4, "no_show")] {
        let res =
            app.post_json(&format!("/api/v1/bookings/{id}/status"), &officer_token, &json!({"status": status})).await;
        assert_eq!(res.status(), 204);
    }
    // S3 was called on the 20th; S2 and S4 have had no contact since registering.
    let res = app
        .post_json(
            &format!("/api/v1/seekers/{s3}/journal"),
            &broker,
            &json!({"kind": "call", "text": "Ringde.", "at": "2026-11-20T11:00:00+01:00"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    // A note is not a contact.
    let res = app
        .post_json(
            &format!("/api/v1/seekers/{s4}/journal"),
            &broker,
            &json!({"kind": "note", "text": "Läste akten.", "at": "2026-11-20T11:00:00+01:00"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    // Olle is away tomorrow: the next working day is full.
    let res = app
        .post_json(
            &format!("/api/v1/officers/{olle}/absences"),
            &app.admin_token,
            &json!({"from": "2026-11-24", "to": "2026-11-24"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    // Britt's openings: one closing on Wednesday with nobody presented; one where S3's consent
    // request runs out tomorrow.
    let employer = app.employer("Kommunen", "212000-1165", true).await;
    let mut closing = opening_body();
    closing["employer_id"] = employer.clone().into();
    closing["application_deadline"] = "2026-11-25".into();
    let closing: Value = app.post_json("/api/v1/openings", &broker, &closing).await.json().await.unwrap();
    let closing = closing["id"].as_str().unwrap().to_string();
    let mut asking = opening_body();
    asking["employer_id"] = employer.into();
    let asking: Value = app.post_json("/api/v1/openings", &broker, &asking).await.json().await.unwrap();
    let asking = asking["id"].as_str().unwrap().to_string();
    for o in [&closing, &asking] {
        let res = app
            .client
            .put(app.url(&format!("/api/v1/openings/{o}/broker")))
            .bearer_auth(&broker)
            .json(&json!({"broker_id": broker_id}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let res = app.post_json(&format!("/api/v1/openings/{asking}/shortlist"), &broker, &json!({"seeker_id": s3})).await;
    assert!(res.status().is_success(), "{}", res.status());
    let res = app
        .post_json(
            &format!("/api/v1/openings/{asking}/shortlist/{s3}/consent-request"),
            &broker,
            &json!({"deadline": "2026-11-24"}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());

    // Targets for November.
    let put = |path: String, body: Value, token: &str| {
        app.client.put(app.url(&path)).bearer_auth(token.to_string()).json(&body).send()
    };
    for (m, target) in [
        ("exits_to_work_or_studies", json!(3)),
        ("proposals", json!(2)),
        ("median_hours_to_meeting", json!(24)),
        ("share_met_next_working_day", json!(0.75)),
        ("no_show_share", json!(0.1)),
        ("share_contacted_14_days", json!(0.8)),
    ] {
        let res =
            put(format!("/api/v1/targets/{UNIT_PATH}/2026-11/{m}"), json!({"target": target}), &manager).await.unwrap();
        assert_eq!(res.status(), 200, "{m}");
    }
    // Bad targets name their field.
    for (path, body, field) in [
        (format!("/api/v1/targets/{UNIT_PATH}/2026-11/speed"), json!({"target": 1}), "measure"),
        (format!("/api/v1/targets/{UNIT_PATH}/2026-11/no_show_share"), json!({"target": 1.5}), "target"),
        (format!("/api/v1/targets/{UNIT_PATH}/2026-11/proposals"), json!({"target": 2.5}), "target"),
        (format!("/api/v1/targets/{UNIT_PATH}/11-2026/proposals"), json!({"target": 2}), "month"),
        ("/api/v1/targets/Ingenstans/2026-11/proposals".to_string(), json!({"target": 2}), "unit"),
    ] {
        assert_field_error(put(path, body, &manager).await.unwrap(), field).await;
    }
    assert_problem(
        put(format!("/api/v1/targets/{UNIT_PATH}/2026-11/proposals"), json!({"target": 2}), &broker).await.unwrap(),
        403,
    )
    .await;

    // Every process figure.
    let r: Value = app
        .get(&format!("/api/v1/reports/processes?month=2026-11&unit={UNIT_PATH}"), &manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((r["working_days_elapsed"].as_i64(), r["working_days_in_month"].as_i64()), (Some(16), Some(21)));
    let u = &r["units"][0];
    assert_eq!(u["unit"], UNIT);
    let hours = [h1, h2, h3, h4];
    let median_hours = (median(hours.to_vec()) * 10.0).round() / 10.0;
    assert!(median_hours > 26.4, "the hours make the target of 24 missed: {hours:?}");
    let expected = [
        ("exits_to_work_or_studies", json!(1.0), json!(3.0), json!(2.29), "behind"),
        ("median_hours_to_meeting", json!(median_hours), json!(24.0), json!(24.0), "behind"),
        ("share_met_next_working_day", json!(0.75), json!(0.75), json!(0.75), "on_track"),
        ("no_show_share", json!(0.5), json!(0.1), json!(0.1), "behind"),
        ("proposals", json!(2.0), json!(2.0), json!(1.52), "ahead"),
        ("share_contacted_14_days", json!(0.25), json!(0.8), json!(0.8), "behind"),
        ("median_days_to_first_proposal", json!(101.0), Value::Null, Value::Null, "no_target"),
    ];
    for (name, value, target, by_now, pace) in expected {
        let m = measure(u, name);
        assert_eq!(
            (&m["value"], &m["target"], &m["expected_by_now"], m["pace"].as_str().unwrap()),
            (&value, &target, &by_now, pace),
            "{name}"
        );
    }
    assert_eq!(
        (u["active_seekers"].as_i64(), u["contacted_14_days"].as_i64()),
        (Some(4), Some(1)),
        "S2, S3, S4 and F2 again"
    );
    assert_eq!(
        u["fairness"],
        json!({"proposals": 2, "proposals_waited_over_90_days": 1, "share_waited_over_90_days": 0.5, "active_never_proposed": 2})
    );
    let all: Value = app.get("/api/v1/reports/processes?month=2026-11", &broker).await.json().await.unwrap();
    let other = all["units"].as_array().unwrap().iter().find(|u| u["unit"] == "Jobbcenter Anderslöv").unwrap();
    assert_eq!(measure(other, "exits_to_work_or_studies")["pace"], "no_target");
    assert_field_error(app.get("/api/v1/reports/processes?month=nov", &manager).await, "month").await;

    // Every signal, for the manager.
    let signals: Value = app.get("/api/v1/signals", &manager).await.json().await.unwrap();
    let keys: Vec<&str> = signals["items"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
    let mut want = vec![
        format!("process_behind:{UNIT}:exits_to_work_or_studies:2026-11"),
        format!("process_behind:{UNIT}:median_hours_to_meeting:2026-11"),
        format!("process_behind:{UNIT}:no_show_share:2026-11"),
        format!("process_behind:{UNIT}:share_contacted_14_days:2026-11"),
    ];
    let mut no_contact = vec![format!("no_contact:{s2}:2026-07-01"), format!("no_contact:{s4}:2026-07-01")];
    no_contact.sort();
    want.extend(no_contact);
    want.push(format!("next_day_full:{UNIT}:2026-11-24"));
    want.push(format!("no_shows:{UNIT}:2026-W48"));
    want.push(format!("deadline:{closing}:2026-11-25"));
    want.push(format!("consent_expires:{asking}:{s3}:2026-11-24"));
    // Nobody here has a labour-market plan: the active people with a broker, registered more
    // than 14 days ago, are each a `no_plan` signal (the plan's own tests cover it).
    let (plan_keys, keys): (Vec<&str>, Vec<&str>) = keys.into_iter().partition(|k| k.starts_with("no_plan:"));
    // No case system reports decisions here: the applications of the last week that waited 20
    // hours are each a `no_decision` signal (the decision clock's own tests cover it).
    let (decision_keys, keys): (Vec<&str>, Vec<&str>) = keys.into_iter().partition(|k| k.starts_with("no_decision:"));
    assert_eq!(keys, want);
    assert_eq!(decision_keys.len(), 2, "{decision_keys:?}");
    assert_eq!(plan_keys.len(), 3, "{plan_keys:?}");
    assert!(plan_keys.contains(&format!("no_plan:{s3}").as_str()), "{plan_keys:?}");
    let by_key = |k: &str| signals["items"].as_array().unwrap().iter().find(|s| s["key"] == k).unwrap().clone();
    let s = by_key(&format!("no_contact:{s4}:2026-07-01"));
    assert_eq!(
        (s["days"].as_i64(), s["broker_id"].as_str(), s["link"].as_str()),
        (Some(145), Some(broker_id.as_str()), Some(format!("/seekers/{s4}").as_str()))
    );
    assert_eq!(s["reason"], "Ingen kontakt på 145 dagar (senast 1 juli 2026).");
    let s = by_key(&format!("process_behind:{UNIT}:share_contacted_14_days:2026-11"));
    assert_eq!(s["reason"], format!("{UNIT}: Andel med kontakt senaste 14 dagarna är 25 %, målet är 80 %."));
    assert_eq!(s["link"], format!("/signals/people?unit={UNIT_PATH}&measure=share_contacted_14_days"));
    let s = by_key(&format!("process_behind:{UNIT}:exits_to_work_or_studies:2026-11"));
    assert_eq!(
        s["reason"],
        format!(
            "{UNIT}: Avslut till arbete eller studier är 1, i takt med målet borde det vara 2 nu (mål 3 för månaden)."
        )
    );
    let s = by_key(&format!("no_shows:{UNIT}:2026-W48"));
    assert_eq!((s["value"].as_f64(), s["days"].as_i64()), (Some(1.0), Some(1)));
    let s = by_key(&format!("deadline:{closing}:2026-11-25"));
    assert_eq!((s["days"].as_i64(), s["broker_id"].as_str()), (Some(2), Some(broker_id.as_str())));
    // Nothing about a person but ids: no name, no personnummer.
    let text = signals.to_string();
    assert!(!text.contains("Nilsson") && !text.contains("19900101"), "{text}");
    // Britt sees her own work and her unit's processes; Olle the meetings; employers nothing.
    let mine: Value = app.get("/api/v1/signals", &broker).await.json().await.unwrap();
    let kinds: std::collections::BTreeMap<String, usize> =
        mine["items"].as_array().unwrap().iter().fold(Default::default(), |mut m, s| {
            *m.entry(s["kind"].as_str().unwrap().to_string()).or_default() += 1;
            m
        });
    assert_eq!(
        kinds,
        [
            ("consent_expires", 1),
            ("deadline_nobody_presented", 1),
            ("no_contact", 2),
            ("no_plan", 3),
            ("process_behind", 4)
        ]
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect()
    );
    let olles: Value = app.get("/api/v1/signals", &officer_token).await.json().await.unwrap();
    let kinds: Vec<&str> = olles["items"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["next_day_full", "no_shows", "no_decision", "no_decision"]);
    let only: Value = app.get("/api/v1/signals?kind=no_contact", &manager).await.json().await.unwrap();
    assert_eq!(only["total"], 2);
    assert_field_error(app.get("/api/v1/signals?kind=rain", &manager).await, "kind").await;

    // The follow-up: 2025's cohort has run its whole year.
    let f: Value =
        app.get(&format!("/api/v1/reports/follow-up?year=2025&unit={UNIT_PATH}"), &manager).await.json().await.unwrap();
    assert_eq!(f["cohorts"].as_array().unwrap().len(), 12);
    let march = f["cohorts"].as_array().unwrap().iter().find(|c| c["exit_month"] == "2025-03").unwrap();
    assert_eq!(march["exits"], 3);
    assert_eq!(horizon(march, 3), (1, 2, 0, json!(0.6667), true));
    assert_eq!(horizon(march, 6), (1, 2, 0, json!(0.6667), true));
    assert_eq!(horizon(march, 12), (2, 1, 0, json!(0.3333), true));
    assert_eq!(f["total"]["exit_month"], "2025");
    assert_eq!(horizon(&f["total"], 12), (2, 1, 0, json!(0.3333), true));
    let july: Value = app
        .get(&format!("/api/v1/reports/follow-up?exit_month=2026-07&unit={UNIT_PATH}"), &manager)
        .await
        .json()
        .await
        .unwrap();
    let c = &july["cohorts"][0];
    assert_eq!(c["exits"], 1);
    assert_eq!(horizon(c, 3), (0, 1, 0, json!(1.0), true), "came back after 4 months");
    assert_eq!(horizon(c, 6), (1, 0, 0, json!(0.0), true));
    assert_eq!(horizon(c, 12), (1, 0, 0, json!(0.0), true));
    let y2026: Value = app.get("/api/v1/reports/follow-up?year=2026", &manager).await.json().await.unwrap();
    let sept = y2026["cohorts"].as_array().unwrap().iter().find(|c| c["exit_month"] == "2026-09").unwrap();
    assert_eq!(horizon(sept, 3), (0, 0, 1, Value::Null, false), "F4 is still followed");
    let nov = y2026["cohorts"].as_array().unwrap().iter().find(|c| c["exit_month"] == "2026-11").unwrap();
    assert_eq!(nov["exits"], 1, "S1");
    assert_eq!(horizon(&y2026["total"], 3), (0, 1, 2, json!(1.0), false));
    // CSV for Swedish Excel.
    let csv = app
        .client
        .get(app.url(&format!("/api/v1/reports/follow-up?year=2025&unit={UNIT_PATH}")))
        .bearer_auth(&manager)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with('\u{feff}'), "BOM");
    let line = csv.lines().find(|l| l.starts_with("2025-03;")).unwrap();
    assert_eq!(line, format!("2025-03;{UNIT};3;1;2;0;0,6667;1;2;0;0,6667;2;1;0;0,3333"));
    for (q, field) in
        [("exit_month=2026-13", "exit_month"), ("year=twenty", "year"), ("year=2025&exit_month=2025-03", "year")]
    {
        assert_field_error(app.get(&format!("/api/v1/reports/follow-up?{q}"), &manager).await, field).await;
    }
    let (employer_token, _) =
        app.token("employer", "Arbetsgivare", Some(&app.employer("AB", "556677-8899", false).await)).await;
    assert_problem(app.get("/api/v1/reports/follow-up", &employer_token).await, 403).await;
    assert_problem(app.get("/api/v1/signals", &employer_token).await, 403).await;
    let _ = (f1, f3, feb25, nov25, jul, nov2, nov5, nov20);
}

/// A real local HTTP server stands in for the signal webhook and fails twice: the signal is
/// delivered once, with the same idempotency key each time, and not again.
#[tokio::test]
async fn a_new_signal_is_pushed_once_with_one_idempotency_key() {
    use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
    let seen: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let s = seen.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let s = s.clone();
        App::new().route(
            "/signals-in",
            web::post().to(move |req: HttpRequest, body: web::Json<Value>| {
                let s = s.clone();
                async move {
                    let key = req
                        .headers()
                        .get("idempotency-key")
                        .map(|v| v.to_str().unwrap().to_string())
                        .unwrap_or_default();
                    let mut seen = s.lock().unwrap();
                    seen.push((key, body.into_inner()));
                    if seen.len() <= 2 {
                        HttpResponse::ServiceUnavailable().finish()
                    } else {
                        HttpResponse::Accepted().finish()
                    }
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    let server_handle = server.handle();
    tokio::spawn(server);

    let endpoint = format!("http://127.0.0.1:{port}/signals-in");
    let app = spawn_app_with(&[("PLATSA_SIGNALS__WEBHOOK", &endpoint), ("PLATSA_SIGNALS__RETRY_BASE_MS", "20")]).await;
    // One officer, away on the next working day: one signal.
    let res = app
        .post_json(
            "/api/v1/officers",
            &app.admin_token,
            &json!({"name": "Olle", "unit": UNIT, "meeting_minutes": 45, "weekly_hours": {"tue": [["09:00", "12:00"]]}}),
        )
        .await;
    let olle = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let res = app
        .post_json(
            &format!("/api/v1/officers/{olle}/absences"),
            &app.admin_token,
            &json!({"from": "2026-11-24", "to": "2026-11-24"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let st = &app.state;
    let public = st.settings.consent.public_url.clone();
    let summary = platsa::signals::push::run(&st.pool, &st.settings.signals, &public, &st.clock).await.unwrap();
    assert_eq!((summary.new, summary.delivered, summary.pending), (1, 1, 0));
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 3, "two failures, then delivered");
        let key = format!("next_day_full:{UNIT}:2026-11-24");
        assert!(seen.iter().all(|(k, _)| *k == key), "the same idempotency key every time");
        let body = &seen[2].1;
        assert_eq!(body["signal"]["kind"], "next_day_full");
        assert_eq!(body["reason"], format!("{UNIT}: inga lediga mötestider nästa arbetsdag, 24 november 2026."));
        assert_eq!(body["url"], format!("{public}/agenda"));
    }
    // Another run finds nothing new and sends nothing.
    let summary = platsa::signals::push::run(&st.pool, &st.settings.signals, &public, &st.clock).await.unwrap();
    assert_eq!((summary.new, summary.delivered), (0, 0));
    assert_eq!(seen.lock().unwrap().len(), 3);
    let deliveries: Value = app.get("/api/v1/signals/deliveries", &app.admin_token).await.json().await.unwrap();
    let d = &deliveries["items"][0];
    assert_eq!((d["status"].as_str(), d["attempts"].as_i64()), (Some("delivered"), Some(3)));

    // With the receiver gone, a new signal stays pending with its error: never dropped.
    server_handle.stop(true).await;
    let (broker, broker_id) = app.token("broker", "Britt", None).await;
    let mut body = seeker_body(&pnr("19900101", 77));
    body["broker_id"] = broker_id.into();
    let seeker: Value = app.post_json("/api/v1/seekers", &broker, &body).await.json().await.unwrap();
    let later = app.at_clock("2026-12-10T10:00:00+01:00").await;
    let summary =
        platsa::signals::push::run(&later.state.pool, &app.state.settings.signals, &public, &later.state.clock)
            .await
            .unwrap();
    assert!(summary.pending >= 1 && summary.delivered == 0, "{summary:?}");
    let deliveries: Value = app.get("/api/v1/signals/deliveries", &app.admin_token).await.json().await.unwrap();
    let pending = deliveries["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"].as_str().unwrap().starts_with(&format!("no_contact:{}", seeker["id"].as_str().unwrap())))
        .unwrap();
    assert_eq!(pending["status"], "pending");
    assert!(pending["last_error"].as_str().is_some());
}

/// The pages: processes with a target form (Post/Redirect/Get, Swedish errors), the follow-up
/// with its chart and CSV, the people behind a process (names for brokers, counts per broker
/// for managers), and signals on the start page.
#[tokio::test]
async fn the_pages_show_processes_follow_up_and_signals_in_swedish() {
    use reqwest::header::COOKIE;
    let app = spawn_app().await;
    let (manager, _) = app.token("manager", "Maja Chef", None).await;
    let (broker, broker_id) = app.token("broker", "Britt Mäklare", None).await;
    let october = app.at_clock("2026-10-01T10:00:00+02:00").await;
    let mut body = seeker_body(&pnr("19910101", 41));
    body["broker_id"] = broker_id.into();
    assert_eq!(october.post_json("/api/v1/seekers", &broker, &body).await.status(), 201);

    let (session, csrf) = crate::web::sign_in(&app, &manager).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let post = |target: &str| {
        client
            .post(app.url("/reports/processes/targets"))
            .header(COOKIE, &session)
            .form(&[
                ("csrf", csrf.as_str()),
                ("unit", UNIT),
                ("month", "2026-11"),
                ("measure", "share_contacted_14_days"),
                ("target", target),
            ])
            .send()
    };
    let res = post("150").await.unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Målet sparades inte."), "{page}");
    let res = post("90").await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/reports/processes?month=2026-11&unit={UNIT_PATH}&saved=1"));
    let r: Value =
        app.get(&format!("/api/v1/reports/processes?unit={UNIT_PATH}"), &manager).await.json().await.unwrap();
    assert_eq!(measure(&r["units"][0], "share_contacted_14_days")["target"], 0.9, "typed in per cent, kept as a share");
    let page = client
        .get(app.url(&format!("/reports/processes?unit={UNIT_PATH}")))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Andel med kontakt senaste 14 dagarna") && page.contains("Efter") && page.contains("90 %"),
        "{page}"
    );
    assert!(page.contains("Maja Chef"), "the change is kept with who made it");
    for word in ["share_contacted", "behind", "no_target", "on_track"] {
        assert!(!page.contains(&format!(">{word}<")), "no stored word on the page: {word}");
    }

    // The people behind it: counts per broker for the manager, names for the broker.
    let url = format!("/signals/people?unit={UNIT_PATH}&measure=share_contacted_14_days");
    let page = app.get(&url, &manager).await.text().await.unwrap();
    assert!(page.contains("Britt Mäklare") && !page.contains("Amira"), "{page}");
    let page = app.get(&url, &broker).await.text().await.unwrap();
    assert!(page.contains("Amira Hassan"), "{page}");
    let res = app.get(&format!("/signals/people?unit={UNIT_PATH}&measure=speed"), &broker).await;
    assert_eq!(res.status(), 422, "an unknown measure is named, in Swedish");

    // The start pages show the signals.
    let start = app.get("/", &manager).await.text().await.unwrap();
    let signals = start.split("id=\"signals\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(signals.contains("Process efter målet"), "{signals}");
    assert!(
        start.contains("En arbetssökande hos Britt Mäklare") && !start.contains("/seekers/"),
        "no names or profile links for managers: {start}"
    );
    let start = app.get("/", &broker).await.text().await.unwrap();
    assert!(start.contains("Mina signaler") && start.contains("Ingen kontakt på 53 dagar"), "{start}");

    let page = app.get("/reports/follow-up?year=2025", &manager).await.text().await.unwrap();
    assert!(page.contains("Uppföljning efter avslut") && page.contains("<svg") && page.contains("year=2025"), "{page}");
    let csv = app.get("/reports/follow-up.csv?year=2025", &manager).await;
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(csv.text().await.unwrap().contains("Andel ej återkommit 12 mån"));
    drop(october);
}

/// Many people without contact are counts per broker, each count opening that broker's list:
/// names for the broker, "En arbetssökande hos …" for the manager.
#[tokio::test]
async fn many_silent_people_are_counted_per_broker_and_each_count_opens_the_list() {
    let app = spawn_app().await;
    let (manager, _) = app.token("manager", "Maja Enhetschef", None).await;
    let (britt, britt_id) = app.token("broker", "Britt Mäklare", None).await;
    let (kalle, kalle_id) = app.token("broker", "Kalle Mäklare", None).await;
    let october = app.at_clock("2026-10-01T10:00:00+02:00").await;
    for i in 0..9u32 {
        let (token, id) = if i < 7 { (&britt, &britt_id) } else { (&kalle, &kalle_id) };
        let mut body = seeker_body(&pnr("19910101", 40 + i));
        body["first_name"] = format!("Tyst{i}").into();
        body["broker_id"] = id.clone().into();
        assert_eq!(october.post_json("/api/v1/seekers", token, &body).await.status(), 201);
    }
    let page = |token: &str, path: &str| {
        let (app, token, path) = (&app, token.to_string(), path.to_string());
        async move {
            let res = app.get(&path, &token).await;
            assert_eq!(res.status(), 200);
            res.text().await.unwrap()
        }
    };
    let html = page(&manager, "/signals?kind=no_contact").await;
    let table =
        html.split("table class=\"per-broker\"").nth(1).expect("counted per broker").split("</table>").next().unwrap();
    assert!(table.contains("Britt Mäklare") && table.contains(&format!("broker={britt_id}\">7</a>")), "{table}");
    assert!(table.contains("Kalle Mäklare") && table.contains(&format!("broker={kalle_id}\">2</a>")), "{table}");
    assert!(!html.contains("li class=\"signal no_contact\""), "no row per person: {html}");
    // The count opens Britt's list: without names for the manager …
    let list = page(&manager, &format!("/signals?kind=no_contact&broker={britt_id}")).await;
    assert_eq!(list.matches("li class=\"signal no_contact\"").count(), 7, "{list}");
    assert!(list.contains("En arbetssökande hos Britt Mäklare") && !list.contains("Tyst0"), "{list}");
    // … and with them for Britt.
    let list = page(&britt, &format!("/signals?kind=no_contact&broker={britt_id}")).await;
    assert_eq!(list.matches("li class=\"signal no_contact\"").count(), 7, "{list}");
    assert!(list.contains("Tyst0") && !list.contains("Tyst8"), "{list}");
    drop(october);
}
