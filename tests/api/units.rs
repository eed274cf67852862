//! Units are managed: seekers, officers and targets name a known unit (422 otherwise);
//! admins add, rename (references follow), deactivate and remove unused ones.

use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn only_known_units_are_accepted_and_renaming_carries_references() {
    let app = spawn_app().await;
    let admin = app.admin_token.clone();
    let (manager, _) = app.token("manager", "Maja", None).await;
    let (broker, _) = app.token("broker", "Britt", None).await;

    let listed: Value = app.get("/api/v1/units", &manager).await.json().await.unwrap();
    assert_eq!(listed["total"], 3);
    // The misspelling that used to become a unit of its own.
    let res = app
        .client
        .put(app.url("/api/v1/targets/Jobbcenter%20Anderslov/2026-11"))
        .bearer_auth(&manager)
        .json(&json!({"exits_to_work_or_studies": 4}))
        .send()
        .await
        .unwrap();
    let problem = assert_field_error(res, "unit").await;
    assert_eq!(problem["errors"][0]["code"], "unit.unknown");
    let mut body = seeker_body(&pnr("19900101", 123));
    body["unit"] = "Jobbcentrum".into();
    assert_field_error(app.post_json("/api/v1/seekers", &broker, &body).await, "unit").await;
    let officer = json!({"name": "Olle", "unit": "Nowhere", "weekly_hours": {}});
    assert_field_error(app.post_json("/api/v1/officers", &admin, &officer).await, "unit").await;

    // Only admins manage the list.
    assert_problem(app.post_json("/api/v1/units", &manager, &json!({"name": "Jobbcenter Skanör"})).await, 403).await;
    assert_eq!(app.post_json("/api/v1/units", &admin, &json!({"name": "Jobbcenter Skanör"})).await.status(), 201);
    let twice =
        assert_problem(app.post_json("/api/v1/units", &admin, &json!({"name": "Jobbcenter Skanör"})).await, 409).await;
    assert_eq!(twice["code"], "conflict.duplicate");
    assert_field_error(app.post_json("/api/v1/units", &admin, &json!({"name": " "})).await, "name").await;

    // Renaming takes the seekers along; a unit in use cannot be removed, an unused one can.
    body["unit"] = "Jobbcenter Skanör".into();
    let seeker: Value = app.post_json("/api/v1/seekers", &broker, &body).await.json().await.unwrap();
    let res = app
        .patch_json("/api/v1/units/Jobbcenter%20Skan%C3%B6r", &admin, &json!({"name": "Jobbcenter Falsterbo"}))
        .await;
    assert_eq!(res.status(), 200);
    let moved: Value =
        app.get(&format!("/api/v1/seekers/{}", seeker["id"].as_str().unwrap()), &broker).await.json().await.unwrap();
    assert_eq!(moved["unit"], "Jobbcenter Falsterbo");
    let in_use = assert_problem(app.delete("/api/v1/units/Jobbcenter%20Falsterbo", &admin).await, 409).await;
    assert_eq!(in_use["code"], "conflict.not_empty");
    let res = app.patch_json("/api/v1/units/Jobbcenter%20Falsterbo", &admin, &json!({"active": false})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["active"], false);
    assert_eq!(app.delete("/api/v1/units/Jobbcenter", &admin).await.status(), 204);
    assert_problem(app.delete("/api/v1/units/Jobbcenter", &admin).await, 404).await;
}
