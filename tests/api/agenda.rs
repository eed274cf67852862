//! The intake handoff: the officer signs in as the officer who meets applicants and sees
//! the meetings with what each applicant wrote, and marks how it went.

use reqwest::header::COOKIE;
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn the_officer_sees_their_meetings_with_the_applicants_situation() {
    let app = spawn_app().await;
    let (officer_token, officer_user) = app.token("officer", "Olle Svensson", None).await;
    let (broker, broker_user) = app.token("broker", "Britt", None).await;
    let hours = json!({"tue": [["09:00", "12:00"]]});
    let body = json!({"name": "Olle Svensson", "unit": "Jobbcenter Trelleborg", "weekly_hours": hours, "user_id": officer_user});
    let res = app.post_json("/api/v1/officers", &app.admin_token, &body).await;
    assert_eq!(res.status(), 201);
    let officer: Value = res.json().await.unwrap();
    assert_eq!(officer["user_id"], officer_user.as_str());
    // One identity: only an officer's user, and only once.
    let other =
        json!({"name": "Fatima Ali", "unit": "Jobbcenter Trelleborg", "weekly_hours": hours, "user_id": broker_user});
    let refused = assert_problem(app.post_json("/api/v1/officers", &app.admin_token, &other).await, 422).await;
    assert_eq!(refused["errors"][0]["code"], "user_id.not_applicable");
    let twice =
        json!({"name": "Fatima Ali", "unit": "Jobbcenter Trelleborg", "weekly_hours": hours, "user_id": officer_user});
    let refused = assert_problem(app.post_json("/api/v1/officers", &app.admin_token, &twice).await, 409).await;
    assert_eq!(refused["code"], "conflict.duplicate");

    // Monday 23 November: Sara applies and books Tuesday's first meeting.
    let application = json!({
        "personnummer": pnr("19930303", 5), "first_name": "Sara", "last_name": "Nilsson",
        "phone": "0701112233", "situation": "Har precis förlorat mitt jobb.",
    });
    let a: Value =
        app.client.post(app.url("/api/v1/applications")).json(&application).send().await.unwrap().json().await.unwrap();
    let slot = a["offered_slots"][0].clone();
    let res = app
        .client
        .post(app.url(&format!("/api/v1/applications/{}/booking", a["id"].as_str().unwrap())))
        .json(&json!({"token": a["booking_token"], "slot_id": slot["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    // The API's agenda carries the situation …
    let officer_id = officer["id"].as_str().unwrap();
    let api: Value = app
        .get(&format!("/api/v1/officers/{officer_id}/agenda?date=2026-11-24"), &officer_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(api["items"][0]["situation"], "Har precis förlorat mitt jobb.");
    // … and so does the officer's page, for today and the next working day.
    let page = app.get("/agenda", &officer_token).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Sara Nilsson") && html.contains("Har precis förlorat mitt jobb."), "{html}");
    assert!(html.contains("24 november 2026") && html.contains("09:00") && html.contains("Bokad"));
    let audit: Value = app.get("/api/v1/audit?limit=100", &app.admin_token).await.json().await.unwrap();
    assert!(
        audit["items"].as_array().unwrap().iter().any(|e| e["action"] == "GET /agenda"),
        "the page's read is audited"
    );

    // A broker picks the officer; an officer whose user is not linked is told so.
    let html = app.get(&format!("/agenda?officer={officer_id}"), &broker).await.text().await.unwrap();
    assert!(html.contains("Sara Nilsson"));
    let (unlinked, _) = app.token("officer", "Lina", None).await;
    let html = app.get("/agenda", &unlinked).await.text().await.unwrap();
    assert!(html.contains("inte kopplad"), "{html}");

    // Marked as held from the page (Post/Redirect/Get).
    let (session, csrf) = crate::web::sign_in(&app, &officer_token).await;
    let booking = api["items"][0]["id"].as_str().unwrap();
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = client
        .post(app.url(&format!("/agenda/{booking}/status")))
        .header(COOKIE, &session)
        .form(&[("csrf", csrf.as_str()), ("status", "held"), ("officer", officer_id)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let html = app.get("/agenda", &officer_token).await.text().await.unwrap();
    assert!(html.contains("Genomförd"), "{html}");
}
