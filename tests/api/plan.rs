//! The labour-market plan: plan versions, activities with hours, attendance, declines, the
//! monthly plan status the assistance case system reads (and nothing else), the plan's
//! signals and process measures.

use chrono::{Datelike, NaiveDate, Weekday};
use serde_json::{Value, json};

use crate::helpers::*;

const LEGAL_BASIS: &str = "SoL 4 kap. 1 §, informationsutbyte med försörjningsstöd";

async fn put(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    app.client.put(app.url(path)).bearer_auth(token).json(body).send().await.unwrap()
}

/// A seeker of `broker_id` in Jobbcenter Trelleborg.
async fn person(app: &TestApp, broker: &str, broker_id: &str, serial: u32) -> (String, String) {
    let pnr = pnr("19900101", serial);
    let mut body = seeker_body(&pnr);
    body["broker_id"] = broker_id.into();
    (new_seeker_with(app, broker, &body).await, pnr)
}

fn plan_body(review: &str) -> Value {
    json!({
        "goal": "work", "goal_text": "Arbete inom handeln", "occupation": "5223", "hours_per_week": 24,
        "start_date": "2026-11-02", "review_date": review, "agreed_on": "2026-11-02", "agreed_how": "in_person",
        "note": "Vill börja med praktik",
    })
}

/// 20 h a week Monday–Thursday from the 5th, and 4 h SFI on Fridays: the activities' ids.
async fn two_activities(app: &TestApp, broker: &str, seeker: &str) -> (String, String) {
    let url = format!("/api/v1/seekers/{seeker}/activities");
    let praktik = json!({"kind": "praktik", "title": "Praktik i butik", "provider": "ICA Kvantum",
        "hours_per_week": 20, "weekdays": [1, 2, 3, 4], "from": "2026-11-05"});
    let sfi = json!({"kind": "sfi", "title": "SFI kurs C", "provider": "Komvux",
        "hours_per_week": 4, "weekdays": [5], "from": "2026-11-01"});
    let mut ids = Vec::new();
    for body in [praktik, sfi] {
        let res = app.post_json(&url, broker, &body).await;
        assert_eq!(res.status(), 201);
        ids.push(res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string());
    }
    (ids[0].clone(), ids[1].clone())
}

#[tokio::test]
async fn the_plan_status_gives_exact_hours_and_only_the_case_system_reads_it() {
    let app = spawn_app().await; // 2026-11-23
    let (broker, broker_id) = app.token("broker", "Britt", None).await;
    let (seeker, personnummer) = person(&app, &broker, &broker_id, 11).await;
    let plan_url = format!("/api/v1/seekers/{seeker}/plan");

    // No plan yet; then one, then a second version: both kept, the newest current.
    assert_problem(app.get(&plan_url, &broker).await, 404).await;
    let first: Value = put(&app, &plan_url, &broker, &plan_body("2027-01-15")).await.json().await.unwrap();
    assert_eq!(first["version"], 1, "{first}");
    assert_eq!(first["by"], "Britt");
    let mut second = plan_body("2027-01-29");
    second["hours_per_week"] = json!(40);
    let res = put(&app, &plan_url, &broker, &second).await;
    assert_eq!(res.status(), 200);
    let current: Value = app.get(&plan_url, &broker).await.json().await.unwrap();
    assert_eq!((current["version"].as_i64(), current["hours_per_week"].as_f64()), (Some(2), Some(40.0)));
    let history: Value = app.get(&format!("{plan_url}/history"), &broker).await.json().await.unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(history[1]["review_date"], "2027-01-15");

    // Each rule names its field.
    for (bad, field) in [
        (json!({"review_date": "2026-11-01"}), "review_date"),
        (json!({"agreed_on": "2026-12-01"}), "agreed_on"),
        (json!({"agreed_how": null}), "agreed_how"),
        (json!({"hours_per_week": 0}), "hours_per_week"),
        (json!({"occupation": "9999"}), "occupation"),
        (json!({"goal": "holiday"}), "goal"),
    ] {
        let mut body = plan_body("2027-01-15");
        for (k, v) in bad.as_object().unwrap() {
            if v.is_null() {
                body.as_object_mut().unwrap().remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        assert_field_error(put(&app, &plan_url, &broker, &body).await, field).await;
    }

    let (praktik, sfi) = two_activities(&app, &broker, &seeker).await;
    let bad = json!({"kind": "sfi", "title": "x", "hours_per_week": 4, "weekdays": [8], "from": "2026-11-01"});
    assert_field_error(app.post_json(&format!("/api/v1/seekers/{seeker}/activities"), &broker, &bad).await, "weekdays")
        .await;

    // Attendance: not in the future, not outside the activity.
    let day_url = |a: &str, d: &str| format!("/api/v1/activities/{a}/attendance/{d}");
    let present = json!({"state": "present"});
    assert_field_error(put(&app, &day_url(&praktik, "2026-11-24"), &broker, &present).await, "date").await;
    assert_field_error(put(&app, &day_url(&praktik, "2026-11-04"), &broker, &present).await, "date").await;
    assert_field_error(
        put(&app, &day_url(&praktik, "2026-11-10"), &broker, &json!({"state": "present", "hours": 25})).await,
        "hours",
    )
    .await;
    assert_field_error(put(&app, &day_url(&praktik, "2026-11-10"), &broker, &json!({"state": "late"})).await, "state")
        .await;

    // On 2 December, November is recorded: present every planned day but two invalid
    // absences from the praktik and one valid absence from SFI.
    let later = app.at_clock("2026-12-02T10:00:00+01:00").await;
    let november: Vec<NaiveDate> = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().iter_days().take(30).collect();
    let (invalid, valid) = (["2026-11-09", "2026-11-10"], "2026-11-13");
    let mut rows = Vec::new();
    for d in &november {
        let day = d.to_string();
        let on_praktik = *d >= NaiveDate::from_ymd_opt(2026, 11, 5).unwrap()
            && matches!(d.weekday(), Weekday::Mon | Weekday::Tue | Weekday::Wed | Weekday::Thu);
        if on_praktik {
            let state = if invalid.contains(&day.as_str()) { "absent_invalid" } else { "present" };
            rows.push(json!({"activity_id": praktik, "date": day, "state": state}));
        }
        if d.weekday() == Weekday::Fri && day != valid {
            rows.push(json!({"activity_id": sfi, "date": day, "state": "present", "hours": 4}));
        }
    }
    // A bad row refuses the whole batch, naming the row.
    let mut broken = rows.clone();
    broken.push(json!({"activity_id": praktik, "date": "2026-12-03", "state": "present"}));
    let body = assert_field_error(
        later.post_json("/api/v1/attendance", &broker, &json!({ "rows": broken })).await,
        &format!("rows[{}].date", rows.len()),
    )
    .await;
    assert_eq!(body["errors"].as_array().unwrap().len(), 1, "{body}");
    let res = later.post_json("/api/v1/attendance", &broker, &json!({ "rows": rows })).await;
    assert_eq!(res.status(), 200);
    let res =
        put(&later, &day_url(&sfi, valid), &broker, &json!({"state": "absent_valid", "note": "Sjuk, ringde in"})).await;
    assert_eq!(res.status(), 200);
    let recorded: Value = res.json().await.unwrap();
    assert_eq!((recorded["hours"].as_f64(), recorded["by"].as_str()), (Some(4.0), Some("Britt")));

    // Declines: one without justification counts, one justified does not.
    let decl = format!("/api/v1/seekers/{seeker}/declines");
    for (justified, date) in [(false, "2026-11-20"), (true, "2026-11-25")] {
        let body =
            json!({"what": "opening", "date": date, "reason": "Ville inte jobba kvällar", "justified": justified});
        assert_eq!(later.post_json(&decl, &broker, &body).await.status(), 201);
    }
    assert_field_error(
        later
            .post_json(
                &decl,
                &broker,
                &json!({"what": "opening", "date": "2026-11-20", "reason": " ", "justified": false}),
            )
            .await,
        "reason",
    )
    .await;

    // The status, against the calendar counted here.
    let praktik_days = november.iter().filter(|d| d.day() >= 5 && d.weekday().number_from_monday() <= 4).count() as f64;
    let fridays = november.iter().filter(|d| d.weekday() == Weekday::Fri).count() as f64;
    let planned = praktik_days * 5.0 + fridays * 4.0;
    let expected = json!({
        "seeker_id": seeker, "month": "2026-11", "has_active_plan": true, "plan_agreed_on": "2026-11-02",
        "review_date": "2027-01-29", "review_due": false,
        "planned_hours": planned, "attended_hours": (praktik_days - 2.0) * 5.0 + (fridays - 1.0) * 4.0,
        "absent_valid_hours": 4.0, "absent_invalid_hours": 10.0, "unjustified_declines": 1,
        "last_contact_on": null,
    });
    let status: Value =
        later.get(&format!("/api/v1/seekers/{seeker}/plan-status?month=2026-11"), &broker).await.json().await.unwrap();
    assert_eq!(status, expected);
    // Mon–Thu from Thursday the 5th: 5, 9–12, 16–19, 23–26 and 30; Fridays 6, 13, 20, 27.
    assert_eq!(planned, 14.0 * 5.0 + 4.0 * 4.0, "the calendar of November 2026");

    // The case system: by personnummer, 10 digits or 12; nothing else.
    let (case_system, _) = later.token("case_system", "Ekonomiskt bistånd (Procapita)", None).await;
    let short = format!("{}-{}", &personnummer[2..8], &personnummer[8..]);
    for q in [personnummer.clone(), short] {
        let res = later.get(&format!("/api/v1/plan-status?personnummer={q}&month=2026-11"), &case_system).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.json::<Value>().await.unwrap(), expected);
    }
    let res = later.get(&format!("/api/v1/seekers/{seeker}/plan-status?month=2026-11"), &case_system).await;
    assert_eq!(res.status(), 200);
    assert_problem(later.get("/api/v1/plan-status?personnummer=199001010000&month=2026-11", &case_system).await, 422)
        .await;
    assert_problem(
        later
            .get(&format!("/api/v1/plan-status?personnummer={}&month=2026-13", pnr("19900101", 11)), &case_system)
            .await,
        422,
    )
    .await;
    assert_problem(
        later.get(&format!("/api/v1/plan-status?personnummer={}", pnr("19700101", 5)), &case_system).await,
        404,
    )
    .await;
    for path in [
        "/api/v1/seekers".to_string(),
        format!("/api/v1/seekers/{seeker}"),
        format!("/api/v1/seekers/{seeker}/plan"),
        format!("/api/v1/seekers/{seeker}/journal"),
        "/api/v1/openings".to_string(),
        "/api/v1/search/seekers?q=Amira".to_string(),
        "/api/v1/search/openings?q=butik".to_string(),
        "/api/v1/reports/processes".to_string(),
        "/api/v1/signals".to_string(),
    ] {
        assert_problem(later.get(&path, &case_system).await, 403).await;
    }
    assert_problem(later.post_json("/api/v1/attendance", &case_system, &json!({"rows": []})).await, 403).await;
    let pages =
        later.client.get(later.url(&format!("/seekers/{seeker}"))).bearer_auth(&case_system).send().await.unwrap();
    assert_eq!(pages.status(), 403);

    // Its reads are audited with the legal basis.
    let audit: Value = later
        .get(&format!("/api/v1/audit?seeker_id={seeker}&limit=200"), &later.admin_token)
        .await
        .json()
        .await
        .unwrap();
    let by_case_system: Vec<&Value> =
        audit["items"].as_array().unwrap().iter().filter(|a| a["role"] == "case_system").collect();
    assert_eq!(by_case_system.len(), 3, "{audit}");
    assert!(by_case_system.iter().all(|a| a["reason"] == LEGAL_BASIS), "{by_case_system:?}");
    assert!(by_case_system.iter().any(|a| a["action"] == "GET /api/v1/plan-status"));

    // Employers never see any of it.
    let employer = later.employer("Butiken AB", "5560000001", false).await;
    let (emp, _) = later.token("employer", "Butiken", Some(&employer)).await;
    assert_problem(later.get(&format!("/api/v1/plan-status?personnummer={personnummer}"), &emp).await, 403).await;
    assert_problem(later.get(&format!("/api/v1/seekers/{seeker}/plan-status"), &emp).await, 403).await;
    assert_problem(later.get(&plan_url, &emp).await, 403).await;

    // An activity with recorded days is ended, not deleted; from/to cannot leave days out.
    let body = assert_problem(later.delete(&format!("/api/v1/activities/{praktik}"), &broker).await, 409).await;
    assert_eq!(body["code"], "conflict.has_attendance", "{body}");
    assert_field_error(
        later.patch_json(&format!("/api/v1/activities/{praktik}"), &broker, &json!({"to": "2026-11-20"})).await,
        "to",
    )
    .await;
    let ended: Value = later
        .patch_json(&format!("/api/v1/activities/{praktik}"), &broker, &json!({"to": "2026-11-30"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((ended["to"].as_str(), ended["title"].as_str()), (Some("2026-11-30"), Some("Praktik i butik")));
    let status: Value =
        later.get(&format!("/api/v1/seekers/{seeker}/plan-status?month=2026-12"), &broker).await.json().await.unwrap();
    let december_fridays = 4.0; // 4, 11, 18, 25
    assert_eq!(status["planned_hours"].as_f64(), Some(december_fridays * 4.0), "{status}");

    // Erasure leaves no word of the plan behind.
    assert_eq!(later.delete(&format!("/api/v1/seekers/{seeker}"), &later.admin_token).await.status(), 204);
    let st = later.state.clone();
    let left: Vec<Option<String>> = platsa::db::run(&st.pool, move |c| {
        use diesel::prelude::*;
        use platsa::db::schema::{activities, attendance, declines, plans};
        let mut all: Vec<Option<String>> = plans::table.select(plans::goal_text).load(c)?;
        all.extend(plans::table.select(plans::note).load::<Option<String>>(c)?);
        all.extend(activities::table.select(activities::title).load::<Option<String>>(c)?);
        all.extend(attendance::table.select(attendance::note).load::<Option<String>>(c)?);
        all.extend(declines::table.select(declines::reason).load::<Option<String>>(c)?);
        Ok(all)
    })
    .await
    .unwrap();
    assert!(left.iter().all(Option::is_none), "{left:?}");
}

#[tokio::test]
async fn the_plan_raises_signals_and_feeds_two_process_measures() {
    let app = spawn_app().await; // 2026-11-23
    let (broker, broker_id) = app.token("broker", "Britt", None).await;
    let (with_plan, _) = person(&app, &broker, &broker_id, 21).await;
    let (without, _) = person(&app, &broker, &broker_id, 22).await;
    let (to_review, _) = person(&app, &broker, &broker_id, 23).await;
    // Two versions: only the latest one's review date counts.
    for review in ["2026-11-30", "2027-01-15"] {
        let res = put(&app, &format!("/api/v1/seekers/{with_plan}/plan"), &broker, &plan_body(review)).await;
        assert_eq!(res.status(), 200);
    }
    assert_eq!(
        put(&app, &format!("/api/v1/seekers/{to_review}/plan"), &broker, &plan_body("2026-11-30")).await.status(),
        200
    );
    let (praktik, sfi) = two_activities(&app, &broker, &with_plan).await;

    // 8 December: three unjustified absences in a week, two days present.
    let later = app.at_clock("2026-12-08T10:00:00+01:00").await;
    let rows = json!({"rows": [
        {"activity_id": praktik, "date": "2026-12-01", "state": "absent_invalid"},
        {"activity_id": praktik, "date": "2026-12-02", "state": "absent_invalid"},
        {"activity_id": praktik, "date": "2026-12-03", "state": "absent_invalid"},
        {"activity_id": sfi, "date": "2026-12-04", "state": "present"},
        {"activity_id": praktik, "date": "2026-12-07", "state": "present"},
    ]});
    assert_eq!(later.post_json("/api/v1/attendance", &broker, &rows).await.status(), 200);

    let signals: Value = later.get("/api/v1/signals", &broker).await.json().await.unwrap();
    let mut keys: Vec<String> = signals["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| matches!(s["kind"].as_str(), Some("no_plan" | "invalid_absences" | "plan_review")))
        .map(|s| s["key"].as_str().unwrap().to_string())
        .collect();
    keys.sort();
    let mut expected = vec![
        format!("invalid_absences:{with_plan}:2026-12-03"),
        format!("no_plan:{without}"),
        format!("plan_review:{to_review}:2026-11-30"),
    ];
    expected.sort();
    assert_eq!(keys, expected, "{signals}");
    let reasons: Vec<&str> = signals["items"].as_array().unwrap().iter().filter_map(|s| s["reason"].as_str()).collect();
    assert!(reasons.iter().any(|r| r.contains("Ogiltig frånvaro 3 gånger på 30 dagar")), "{reasons:?}");

    // Another broker's signals do not show these people.
    let (other, _) = later.token("broker", "Bo", None).await;
    let theirs: Value = later.get("/api/v1/signals", &other).await.json().await.unwrap();
    assert!(!theirs.to_string().contains(&without), "{theirs}");

    // December so far: two of three active people have an agreed plan; 9 of 24 recorded
    // hours present (15 invalid, 4 SFI + 5 praktik present).
    let report: Value = later
        .get("/api/v1/reports/processes?month=2026-12&unit=Jobbcenter%20Trelleborg", &later.admin_token)
        .await
        .json()
        .await
        .unwrap();
    let unit = &report["units"][0];
    let value =
        |m: &str| unit["measures"].as_array().unwrap().iter().find(|f| f["measure"] == m).unwrap()["value"].clone();
    assert_eq!(unit["active_seekers"], 3, "{report}");
    assert_eq!(value("share_with_agreed_plan").as_f64(), Some(0.6667), "{report}");
    assert_eq!(value("attendance_rate").as_f64(), Some(0.375), "{report}");

    // Targets for both, like the others.
    for (m, t) in [("share_with_agreed_plan", 0.9), ("attendance_rate", 0.8)] {
        let res = put(
            &later,
            &format!("/api/v1/targets/Jobbcenter%20Trelleborg/2026-12/{m}"),
            &later.admin_token,
            &json!({"target": t}),
        )
        .await;
        assert_eq!(res.status(), 200, "{m}");
    }
    let report: Value = later
        .get("/api/v1/reports/processes?month=2026-12&unit=Jobbcenter%20Trelleborg", &later.admin_token)
        .await
        .json()
        .await
        .unwrap();
    let pace = |m: &str| {
        report["units"][0]["measures"].as_array().unwrap().iter().find(|f| f["measure"] == m).unwrap()["pace"].clone()
    };
    assert_eq!((pace("share_with_agreed_plan"), pace("attendance_rate")), (json!("behind"), json!("behind")));
}
