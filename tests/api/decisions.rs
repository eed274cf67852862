//! The decision clock: the case system reports each assistance decision (by application, or by
//! personnummer and the day applied), once; the month's hours to decision and the share within
//! 24 hours are exact by either clock; an application waiting 20 hours is a signal.

use serde_json::{Value, json};

use crate::helpers::*;

/// An application made at `clock` (on a server whose clock says so), with its meeting booked
/// with the unit's officer: its id.
async fn applied_at(app: &TestApp, clock: &str, serial: u32) -> String {
    let then = app.at_clock(clock).await;
    let body = json!({"personnummer": pnr("19910909", serial), "first_name": "Sara", "last_name": "Ek", "phone": "0701112233"});
    let a: Value =
        then.client.post(then.url("/api/v1/applications")).json(&body).send().await.unwrap().json().await.unwrap();
    let id = a["id"].as_str().unwrap_or_else(|| panic!("{a}")).to_string();
    let res = then
        .client
        .post(then.url(&format!("/api/v1/applications/{id}/booking")))
        .json(&json!({"token": a["booking_token"], "slot_id": a["offered_slots"][0]["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    id
}

async fn decide(app: &TestApp, token: &str, id: &str, at: &str, outcome: &str) -> reqwest::Response {
    app.post_json(&format!("/api/v1/applications/{id}/decision"), token, &json!({"decided_at": at, "outcome": outcome}))
        .await
}

fn measure(report: &Value, m: &str) -> Option<f64> {
    report["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "Jobbcenter Trelleborg")
        .and_then(|u| u["measures"].as_array().unwrap().iter().find(|f| f["measure"] == m))
        .unwrap_or_else(|| panic!("{m} in {report}"))["value"]
        .as_f64()
}

#[tokio::test]
async fn decisions_are_recorded_once_and_measured_by_the_clock() {
    let app = spawn_app().await; // Monday 2026-11-23 10:00
    let hours = json!({"mon": [["08:00", "17:00"]], "tue": [["08:00", "17:00"]], "wed": [["08:00", "17:00"]],
                       "thu": [["08:00", "17:00"]], "fri": [["08:00", "17:00"]]});
    let officer: Value = app
        .post_json(
            "/api/v1/officers",
            &app.admin_token,
            &json!({"name": "Olle", "unit": "Jobbcenter Trelleborg", "weekly_hours": hours}),
        )
        .await
        .json()
        .await
        .unwrap();
    let officer = officer["id"].as_str().unwrap().to_string();
    let (case_system, _) = app.token("case_system", "Ekonomiskt bistånd", None).await;
    let (broker, _) = app.token("broker", "Britt", None).await;

    let monday = applied_at(&app, "2026-11-16T09:00:00+01:00", 1).await;
    let tuesday = applied_at(&app, "2026-11-17T10:00:00+01:00", 2).await;
    let friday = applied_at(&app, "2026-11-20T16:00:00+01:00", 3).await;
    let saturday = applied_at(&app, "2026-11-21T09:00:00+01:00", 4).await;
    let sunday = applied_at(&app, "2026-11-22T12:00:00+01:00", 5).await;

    // By application id: 6 hours; the same again changes nothing; another is refused.
    let res = decide(&app, &case_system, &monday, "2026-11-16T15:00:00+01:00", "approved").await;
    assert_eq!(res.status(), 201);
    let first: Value = res.json().await.unwrap();
    assert_eq!((first["hours"].as_f64(), first["outcome"].as_str()), (Some(6.0), Some("approved")));
    let res = decide(&app, &case_system, &monday, "2026-11-16T15:00:00+01:00", "approved").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), first);
    let res = decide(&app, &case_system, &monday, "2026-11-16T16:00:00+01:00", "rejected").await;
    assert_eq!(assert_problem(res, 409).await["code"], "conflict.decision_recorded");
    // Bad input names its field; the wrong role is refused; an unknown application is 404.
    assert_field_error(
        decide(&app, &case_system, &tuesday, "2026-11-16T15:00:00+01:00", "approved").await,
        "decided_at",
    )
    .await;
    assert_field_error(
        decide(&app, &case_system, &tuesday, "2026-11-30T15:00:00+01:00", "approved").await,
        "decided_at",
    )
    .await;
    assert_field_error(decide(&app, &case_system, &tuesday, "2026-11-18T12:00:00+01:00", "granted").await, "outcome")
        .await;
    assert_problem(decide(&app, &broker, &tuesday, "2026-11-18T12:00:00+01:00", "approved").await, 403).await;
    assert_problem(decide(&app, &case_system, "nope", "2026-11-18T12:00:00+01:00", "approved").await, 404).await;

    // By personnummer and the day applied: 26 hours.
    let by_person = |serial: u32, day: &str, at: &str| json!({"personnummer": pnr("19910909", serial), "applied_on": day, "decided_at": at, "outcome": "partly_approved"});
    let res = app
        .post_json("/api/v1/decisions", &case_system, &by_person(2, "2026-11-17", "2026-11-18T12:00:00+01:00"))
        .await;
    assert_eq!(res.status(), 201);
    let second: Value = res.json().await.unwrap();
    assert_eq!((second["application_id"].as_str(), second["hours"].as_f64()), (Some(tuesday.as_str()), Some(26.0)));
    let res = app
        .post_json("/api/v1/decisions", &case_system, &by_person(2, "2026-11-17", "2026-11-18T12:00:00+01:00"))
        .await;
    assert_eq!(res.status(), 200, "idempotent by person too");
    let res = app
        .post_json("/api/v1/decisions", &case_system, &by_person(2, "2026-11-19", "2026-11-19T12:00:00+01:00"))
        .await;
    assert_problem(res, 404).await;
    let res = app
        .post_json("/api/v1/decisions", &case_system, &by_person(2, "2026-11-17", "2026-11-18T12:00:00+01:00"))
        .await;
    assert_eq!(res.status(), 200);
    let mut bad = by_person(2, "2026-11-17", "2026-11-18T12:00:00+01:00");
    bad["personnummer"] = json!("19910909-0000");
    assert_field_error(app.post_json("/api/v1/decisions", &case_system, &bad).await, "personnummer").await;

    // Friday 16:00 to Monday 08:00: 64 hours, 16 of them on working days.
    assert_eq!(decide(&app, &case_system, &friday, "2026-11-23T08:00:00+01:00", "approved").await.status(), 201);

    // Audited, and shown (not its reasons) on the officer's agenda.
    let audited: Value = app.get("/api/v1/audit?limit=500", &app.admin_token).await.json().await.unwrap();
    let actions: Vec<&str> = audited["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(
        actions.contains(&"POST /api/v1/applications/{id}/decision") && actions.contains(&"POST /api/v1/decisions")
    );
    let (officer_token, _) = app.token("officer", "Olle", None).await;
    let agenda: Value = app
        .get(&format!("/api/v1/officers/{officer}/agenda?date=2026-11-17&limit=50"), &officer_token)
        .await
        .json()
        .await
        .unwrap();
    let item = agenda["items"]
        .as_array()
        .unwrap_or_else(|| agenda.as_array().unwrap())
        .iter()
        .find(|i| i["application_id"] == monday.as_str());
    let item = item.unwrap_or_else(|| panic!("{agenda}"));
    assert_eq!(
        (item["decision"].as_str(), item["decided_at"].as_str()),
        (Some("approved"), Some("2026-11-16T15:00:00+01:00"))
    );

    // Hours: 6, 26, 64 → median 26; within 24 h: 1 of 4 old enough (Saturday's 49 undecided
    // hours count against it, Sunday's 22 not yet).
    let (manager, _) = app.token("manager", "Mona", None).await;
    let report: Value = app.get("/api/v1/reports/processes?month=2026-11", &manager).await.json().await.unwrap();
    assert_eq!(measure(&report, "median_hours_to_decision"), Some(26.0), "{report}");
    assert_eq!(measure(&report, "share_decided_within_24h"), Some(0.25));
    // Every measure takes a monthly target, these two included (the report lists them all).
    let measures: Vec<String> = report["units"][0]["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["measure"].as_str().unwrap().to_string())
        .collect();
    assert!(measures.len() >= 11 && measures.contains(&"share_decided_within_24h".to_string()), "{measures:?}");
    for m in &measures {
        let target = if m.starts_with("share") || m.ends_with("share") || m.ends_with("rate") { 0.8 } else { 24.0 };
        let res = app
            .client
            .put(app.url(&format!("/api/v1/targets/Jobbcenter%20Trelleborg/2026-11/{m}")))
            .bearer_auth(&manager)
            .json(&json!({"target": target}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{m}: {}", res.text().await.unwrap());
    }
    let report: Value = app.get("/api/v1/reports/processes?month=2026-11", &manager).await.json().await.unwrap();
    let unit = report["units"].as_array().unwrap().iter().find(|u| u["unit"] == "Jobbcenter Trelleborg").unwrap();
    let decided =
        unit["measures"].as_array().unwrap().iter().find(|f| f["measure"] == "share_decided_within_24h").unwrap();
    assert_eq!((decided["target"].as_f64(), decided["pace"].as_str()), (Some(0.8), Some("behind")), "{decided}");

    // The signal: both undecided, 20 hours or more by the clock.
    let signals: Value = app.get("/api/v1/signals?kind=no_decision", &manager).await.json().await.unwrap();
    let keys: Vec<&str> = signals["items"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert_eq!(keys.len(), 2, "{signals}");
    assert!(
        keys.contains(&format!("no_decision:{saturday}").as_str())
            && keys.contains(&format!("no_decision:{sunday}").as_str())
    );
    assert!(signals["items"].as_array().unwrap().iter().all(|s| s["unit"] == "Jobbcenter Trelleborg"));
    let reason = signals["items"][0]["reason"].as_str().unwrap_or_default();
    assert!(reason.starts_with("Ansökan utan beslut efter"), "{signals}");
    let (officer_signals, broker_signals): (Value, Value) = (
        app.get("/api/v1/signals?kind=no_decision", &officer_token).await.json().await.unwrap(),
        app.get("/api/v1/signals?kind=no_decision", &broker).await.json().await.unwrap(),
    );
    assert_eq!(officer_signals["items"].as_array().unwrap().len(), 2, "the unit's officers see it");
    assert!(broker_signals["items"].as_array().unwrap().is_empty());

    // By working hours: 6, 26, 16 → median 16; within 24 h: 2 of 3 (the weekend's
    // applications have 10 working hours each), and no signal yet.
    let working = app.at_clock_with("2026-11-23T10:00:00+01:00", &[("PLATSA_DECISIONS__CLOCK", "working_hours")]).await;
    let report: Value = working.get("/api/v1/reports/processes?month=2026-11", &manager).await.json().await.unwrap();
    assert_eq!(measure(&report, "median_hours_to_decision"), Some(16.0), "{report}");
    assert_eq!(measure(&report, "share_decided_within_24h"), Some(0.6667));
    let signals: Value = working.get("/api/v1/signals?kind=no_decision", &manager).await.json().await.unwrap();
    assert!(signals["items"].as_array().unwrap().is_empty(), "{signals}");

    // A decided application is no longer a signal.
    assert_eq!(decide(&app, &case_system, &saturday, "2026-11-23T09:00:00+01:00", "withdrawn").await.status(), 201);
    let signals: Value = app.get("/api/v1/signals?kind=no_decision", &manager).await.json().await.unwrap();
    assert_eq!(signals["items"].as_array().unwrap().len(), 1);
}
