use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn seekers_are_created_read_updated_and_audited() {
    let app = spawn_app().await;
    let (broker, broker_id) = app.token("broker", "Britt Mäklare", None).await;
    let mut body = seeker_body(&pnr("19900315", 123));
    body["broker_id"] = broker_id.clone().into();
    let res = app.post_json("/api/v1/seekers", &broker, &body).await;
    assert_eq!(res.status(), 201);
    let etag = res.headers().get("etag").unwrap().to_str().unwrap().to_string();
    let s: Value = res.json().await.unwrap();
    let id = s["id"].as_str().unwrap().to_string();
    assert_eq!(s["status"], "active");
    assert_eq!(s["phone"], "0701234567");
    assert_eq!(s["driving_licences"], json!(["B"]));
    // Free-text skills are normalised to the vocabulary where they match, kept otherwise.
    let skills: Vec<(Value, String)> = s["skills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["id"].clone(), k["label"].as_str().unwrap().into()))
        .collect();
    assert!(skills.iter().any(|(id, l)| l == "Personlig omvårdnad" && id.is_string()));
    assert!(skills.iter().any(|(id, l)| l == "spelar dragspel" && id.is_null()));

    let res = app.get(&format!("/api/v1/seekers/{id}"), &broker).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers().get("etag").unwrap().to_str().unwrap(), etag);

    // A merge patch changes only what it names; null removes.
    let res =
        app.patch_json(&format!("/api/v1/seekers/{id}"), &broker, &json!({"max_commute_km": 80, "email": null})).await;
    assert_eq!(res.status(), 200);
    let s: Value = res.json().await.unwrap();
    assert_eq!(s["max_commute_km"], 80);
    assert!(s["email"].is_null());
    assert_eq!(s["first_name"], "Amira");
    assert_eq!(s["version"], 2);
    // A stale If-Match is refused.
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/seekers/{id}")))
        .bearer_auth(&broker)
        .header("if-match", &etag)
        .json(&json!({"summary": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 412).await;

    let list: Value = app.get("/api/v1/seekers?status=active", &broker).await.json().await.unwrap();
    assert_eq!(list["total"], 1);

    // Every staff read is in the audit log: who, when, which seeker, which endpoint.
    let audit: Value = app.get(&format!("/api/v1/audit?seeker_id={id}"), &app.admin_token).await.json().await.unwrap();
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"GET /api/v1/seekers/{id}"), "{actions:?}");
    assert!(actions.contains(&"GET /api/v1/seekers"));
    assert!(actions.contains(&"PATCH /api/v1/seekers/{id}"));
    assert!(
        audit["items"].as_array().unwrap().iter().all(|a| a["user_id"] == broker_id.as_str() && a["at"].is_string())
    );
    // Only admins read the audit log.
    assert_problem(app.get("/api/v1/audit", &broker).await, 403).await;
}

#[tokio::test]
async fn a_second_registration_of_a_personnummer_is_409_pointing_at_the_first() {
    let app = spawn_app().await;
    let (officer, _) = app.token("officer", "Olle Sekreterare", None).await;
    let p = pnr("19851102", 456);
    let res = app.post_json("/api/v1/seekers", &officer, &seeker_body(&p)).await;
    let first: Value = res.json().await.unwrap();
    // Written with a hyphen this time: still the same person.
    let hyphenated = format!("{}-{}", &p[..8], &p[8..]);
    let res = app.post_json("/api/v1/seekers", &officer, &seeker_body(&hyphenated)).await;
    let body = assert_problem(res, 409).await;
    assert_eq!(body["existing_seeker_id"], first["id"]);
    // The conflict never echoes the personnummer.
    assert!(!body.to_string().contains(&p));
}

#[tokio::test]
async fn each_seeker_rule_names_its_field() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "B", None).await;
    let (manager, manager_id) = app.token("manager", "M", None).await;
    let _ = manager;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("personnummer", json!("198112289875"), "personnummer"),
        ("personnummer", json!("19811328-9874"), "personnummer"),
        ("municipality_code", json!("9999"), "municipality_code"),
        ("occupations", json!(["5321", "0000"]), "occupations[1]"),
        ("languages", json!([{"code": "xx", "level": "good"}]), "languages[0].code"),
        ("languages", json!([{"code": "sv", "level": "perfect"}]), "languages[0].level"),
        ("driving_licences", json!(["B", "Q"]), "driving_licences[1]"),
        ("email", json!("not-an-address"), "email"),
        ("phone", json!("12"), "phone"),
        ("max_commute_km", json!(5000), "max_commute_km"),
        ("max_commute_km", json!(-1), "max_commute_km"),
        ("available_from", json!("2026-13-01"), "available_from"),
        ("first_name", json!("  "), "first_name"),
        ("broker_id", json!(manager_id), "broker_id"),
        ("status", json!("exited"), "exit_reason"),
        ("status", json!("retired"), "status"),
    ];
    for (key, value, field) in cases {
        let mut body = seeker_body(&pnr("19900101", 1));
        body[key] = value;
        let res = app.post_json("/api/v1/seekers", &broker, &body).await;
        assert_field_error(res, field).await;
    }
    // Nothing was stored by any of them.
    let list: Value = app.get("/api/v1/seekers", &broker).await.json().await.unwrap();
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn employers_and_managers_cannot_read_seekers() {
    let app = spawn_app().await;
    let employer = app.employer("Vård AB", "556036-0793", false).await;
    let (emp, _) = app.token("employer", "Vård AB", Some(&employer)).await;
    let (manager, _) = app.token("manager", "M", None).await;
    for token in [&emp, &manager] {
        assert_problem(app.get("/api/v1/seekers", token).await, 403).await;
        assert_problem(app.post_json("/api/v1/seekers", token, &seeker_body(&pnr("19900101", 2))).await, 403).await;
        assert_problem(app.get("/api/v1/search/seekers?q=x", token).await, 403).await;
    }
}

#[tokio::test]
async fn erasure_removes_personal_data_and_keeps_the_row() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "B", None).await;
    let p = pnr("19770707", 77);
    let s: Value = app.post_json("/api/v1/seekers", &broker, &seeker_body(&p)).await.json().await.unwrap();
    let id = s["id"].as_str().unwrap();
    assert_problem(app.delete(&format!("/api/v1/seekers/{id}"), &broker).await, 403).await;
    assert_eq!(app.delete(&format!("/api/v1/seekers/{id}"), &app.admin_token).await.status(), 204);
    assert_problem(app.get(&format!("/api/v1/seekers/{id}"), &broker).await, 404).await;
    // The same person can register again later.
    assert_eq!(app.post_json("/api/v1/seekers", &broker, &seeker_body(&p)).await.status(), 201);
    // The anonymous row is still there for reports.
    let id = id.to_string();
    let row =
        platsa::db::run(&app.state.pool, move |c| Ok(platsa::seekers::store::rows_by_ids(c, &[id])?)).await.unwrap();
    assert_eq!(row.len(), 1);
    assert!(row[0].personnummer.is_none() && row[0].first_name.is_none() && row[0].email.is_none());
    assert_eq!(row[0].municipality_code, "1287");
    assert!(row[0].erased_at.is_some());
}
