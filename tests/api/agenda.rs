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

/// A moved meeting is on the agenda once, at its new time; a cancelled or missed meeting
/// offers no identity step; and the applicant's situation starts the new profile's "Om mig".
#[tokio::test]
async fn a_moved_meeting_is_listed_once_and_only_met_applicants_are_identified() {
    let app = spawn_app_with(&[("booking.applications_per_minute", "50")]).await;
    let (officer_token, officer_user) = app.token("officer", "Olle Svensson", None).await;
    let hours = json!({"tue": [["09:00", "12:00"]]});
    let body = json!({"name": "Olle Svensson", "unit": "Jobbcenter Trelleborg", "weekly_hours": hours, "user_id": officer_user});
    let officer: Value = app.post_json("/api/v1/officers", &app.admin_token, &body).await.json().await.unwrap();
    let officer_id = officer["id"].as_str().unwrap().to_string();
    let apply = |serial: u32, first: &'static str, situation: &'static str| {
        let app = &app;
        async move {
            let application = json!({
                "personnummer": pnr("19930303", serial), "first_name": first, "last_name": "Nilsson",
                "phone": "0701112233", "situation": situation,
            });
            let a: Value = app
                .client
                .post(app.url("/api/v1/applications"))
                .json(&application)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            a
        }
    };
    let book = |a: Value, slot: usize| {
        let app = &app;
        async move {
            let res = app
                .client
                .post(app.url(&format!("/api/v1/applications/{}/booking", a["id"].as_str().unwrap())))
                .json(&json!({"token": a["booking_token"], "slot_id": a["offered_slots"][slot]["id"]}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
            res.json::<Value>().await.unwrap()
        }
    };
    let sara = apply(5, "Sara", "Jag har jobbat som undersköterska i hemtjänsten i tio år.").await;
    book(sara.clone(), 0).await;
    // Sara moves her meeting to the third time.
    let token = sara["booking_token"].as_str().unwrap();
    let res = app
        .client
        .post(app.url(&format!("/api/v1/bookings/{token}/reschedule")))
        .json(&json!({"slot_id": sara["offered_slots"][2]["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    // Kim books, then cancels without booking again; Lea books and does not come.
    let kim = apply(13, "Kim", "Söker jobb.").await;
    book(kim.clone(), 0).await;
    let kim_token = kim["booking_token"].as_str().unwrap();
    assert_eq!(
        app.client.delete(app.url(&format!("/api/v1/bookings/{kim_token}"))).send().await.unwrap().status(),
        204
    );
    let lea = apply(21, "Lea", "Söker jobb.").await;
    let lea_booking = book(lea.clone(), 1).await;

    let tuesday = app.at_clock("2026-11-24T12:30:00+01:00").await;
    let res = tuesday
        .post_json(
            &format!("/api/v1/bookings/{}/status", lea_booking["booking"]["id"].as_str().unwrap()),
            &officer_token,
            &json!({"status": "no_show"}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let api: Value = tuesday
        .get(&format!("/api/v1/officers/{officer_id}/agenda?date=2026-11-24"), &officer_token)
        .await
        .json()
        .await
        .unwrap();
    let rows: Vec<(String, String)> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["first_name"].as_str().unwrap().to_string(), i["status"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(rows.iter().filter(|(n, _)| n == "Sara").count(), 1, "moved: once, {rows:?}");
    assert!(rows.contains(&("Sara".into(), "booked".into())), "{rows:?}");
    assert!(rows.contains(&("Kim".into(), "cancelled".into())), "cancelled, not moved: still shown, {rows:?}");
    assert!(rows.contains(&("Lea".into(), "no_show".into())), "{rows:?}");

    let (session, _) = crate::web::sign_in(&tuesday, &officer_token).await;
    let html =
        tuesday.client.get(tuesday.url("/agenda")).header(COOKIE, &session).send().await.unwrap().text().await.unwrap();
    let identity_forms: Vec<&str> =
        html.split("form class=\"identity\"").skip(1).map(|f| f.split("</form>").next().unwrap()).collect();
    assert_eq!(identity_forms.len(), 1, "only Sara's meeting offers the identity step: {html}");
    assert!(identity_forms[0].contains(sara["id"].as_str().unwrap()), "{html}");

    // Sara is registered from her application: her situation opens "Om mig".
    let res = tuesday
        .post_json(
            &format!("/api/v1/applications/{}/identity", sara["id"].as_str().unwrap()),
            &officer_token,
            &json!({}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let done: Value = res.json().await.unwrap();
    let seeker: Value = tuesday
        .get(&format!("/api/v1/seekers/{}", done["seeker_id"].as_str().unwrap()), &app.admin_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seeker["summary"], "Jag har jobbat som undersköterska i hemtjänsten i tio år.");
}
