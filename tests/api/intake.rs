//! The intake: an application changes no seeker record and answers the same whether or not
//! the personnummer is registered; one booked meeting per person; staff confirm who applied,
//! linking or registering, and every read of it is audited.

use serde_json::{Value, json};

use crate::helpers::*;

async fn officer(app: &TestApp) {
    let body = json!({
        "name": "Olle Svensson", "unit": "Jobbcenter Trelleborg", "address": "Algatan 13, 231 20 Trelleborg",
        "weekly_hours": {"mon": [["09:00", "12:00"]], "tue": [["09:00", "12:00"]]},
    });
    assert_eq!(app.post_json("/api/v1/officers", &app.admin_token, &body).await.status(), 201);
}

fn application(personnummer: &str, phone: &str) -> Value {
    json!({
        "personnummer": personnummer, "first_name": "Sara", "last_name": "Nilsson",
        "phone": phone, "situation": "Har precis förlorat mitt jobb.",
    })
}

async fn apply(app: &TestApp, body: &Value) -> reqwest::Response {
    app.client.post(app.url("/api/v1/applications")).json(body).send().await.unwrap()
}

async fn book(app: &TestApp, a: &Value, slot: usize) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/applications/{}/booking", a["id"].as_str().unwrap())))
        .json(&json!({"token": a["booking_token"], "slot_id": a["offered_slots"][slot]["id"]}))
        .send()
        .await
        .unwrap()
}

/// The answer's shape with what differs per request (ids, the token) left out.
fn shape(v: &Value) -> Value {
    let mut v = v.clone();
    v["id"] = Value::Null;
    v["booking_token"] = Value::Null;
    v
}

#[tokio::test]
async fn an_application_with_a_registered_personnummer_changes_nothing_and_answers_the_same() {
    let app = spawn_app_with(&[("booking.applications_per_minute", "50")]).await;
    officer(&app).await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let registered = pnr("19811228", 987);
    let mut body = seeker_body(&registered);
    body["phone"] = "0709998877".into();
    let res = app.post_json("/api/v1/seekers", &broker, &body).await;
    assert_eq!(res.status(), 201);
    let before: Value = res.json().await.unwrap();

    let known = apply(&app, &application(&registered, "0701112233")).await;
    let unknown = apply(&app, &application(&pnr("19900101", 123), "0701112233")).await;
    assert_eq!((known.status(), unknown.status()), (reqwest::StatusCode::CREATED, reqwest::StatusCode::CREATED));
    let (known, unknown): (Value, Value) = (known.json().await.unwrap(), unknown.json().await.unwrap());
    assert_eq!(shape(&known), shape(&unknown), "nothing in the answer tells a registered personnummer apart");
    // The slots say where the meeting is.
    assert_eq!(known["offered_slots"][0]["office"], "Jobbcenter Trelleborg");
    assert_eq!(known["offered_slots"][0]["address"], "Algatan 13, 231 20 Trelleborg");

    // Booking through the application leaves the registered seeker as it was.
    assert_eq!(book(&app, &known, 0).await.status(), 201);
    let after: Value =
        app.get(&format!("/api/v1/seekers/{}", before["id"].as_str().unwrap()), &broker).await.json().await.unwrap();
    assert_eq!(after["version"], before["version"]);
    assert_eq!(after["phone"], "0709998877");
    assert_eq!(after["unit"], before["unit"]);
    let all: Value = app.get("/api/v1/seekers", &broker).await.json().await.unwrap();
    assert_eq!(all["total"], 1, "applications register nobody");
}

#[tokio::test]
async fn a_person_holds_one_booked_meeting_at_a_time() {
    let app = spawn_app_with(&[("booking.applications_per_minute", "50")]).await;
    officer(&app).await;
    let sara = pnr("19930303", 5);
    let first: Value = apply(&app, &application(&sara, "0701112233")).await.json().await.unwrap();
    assert_eq!(book(&app, &first, 0).await.status(), 201);
    // Applying again (10 digits this time) is answered as any application, but a second
    // meeting is refused by the database.
    let short = format!("{}-{}", &sara[2..8], &sara[8..]);
    let again: Value = apply(&app, &application(&short, "0701112233")).await.json().await.unwrap();
    let refused = assert_problem(book(&app, &again, 1).await, 409).await;
    assert_eq!(refused["code"], "conflict.has_meeting");
    // Cancelled, the person may book again.
    let token = first["booking_token"].as_str().unwrap();
    let res = app.client.delete(app.url(&format!("/api/v1/bookings/{token}"))).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(book(&app, &again, 1).await.status(), 201);
    // The calendar file says where.
    let token = again["booking_token"].as_str().unwrap();
    let ics =
        app.client.get(app.url(&format!("/api/v1/bookings/{token}.ics"))).send().await.unwrap().text().await.unwrap();
    assert!(ics.contains("LOCATION:Jobbcenter Trelleborg\\, Algatan 13\\, 231 20 Trelleborg"), "{ics}");
}

#[tokio::test]
async fn staff_confirm_identity_by_linking_or_registering() {
    let app = spawn_app_with(&[("booking.applications_per_minute", "50")]).await;
    officer(&app).await;
    let (officer_token, _) = app.token("officer", "Olle", None).await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let (manager, _) = app.token("manager", "Maja", None).await;

    // A new person: registered from the application, in the officer's unit.
    let new: Value = apply(&app, &application(&pnr("19900101", 123), "0701112233")).await.json().await.unwrap();
    assert_eq!(book(&app, &new, 0).await.status(), 201);
    let url = format!("/api/v1/applications/{}/identity", new["id"].as_str().unwrap());
    assert_problem(app.post_json(&url, &manager, &json!({})).await, 403).await;
    let res = app.post_json(&url, &officer_token, &json!({})).await;
    assert_eq!(res.status(), 200);
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["created"], true);
    let seeker_id = done["seeker_id"].as_str().unwrap().to_string();
    let seeker: Value = app.get(&format!("/api/v1/seekers/{seeker_id}"), &broker).await.json().await.unwrap();
    assert_eq!((seeker["first_name"].as_str(), seeker["phone"].as_str()), (Some("Sara"), Some("0701112233")));
    assert_eq!(seeker["unit"], "Jobbcenter Trelleborg");
    // Again: the same answer, nothing new; to another seeker: refused.
    let again: Value = app.post_json(&url, &officer_token, &json!({})).await.json().await.unwrap();
    assert_eq!((again["seeker_id"].as_str(), again["created"].as_bool()), (Some(seeker_id.as_str()), Some(false)));
    let other = app.post_json("/api/v1/seekers", &broker, &seeker_body(&pnr("19850505", 301))).await;
    let other: Value = other.json().await.unwrap();
    let refused =
        assert_problem(app.post_json(&url, &officer_token, &json!({"seeker_id": other["id"]})).await, 409).await;
    assert_eq!(refused["code"], "conflict.identity_confirmed");

    // A registered person: registering anew is refused with the existing record named; the
    // officer then links to it.
    let known = pnr("19811228", 987);
    let registered: Value = app.post_json("/api/v1/seekers", &broker, &seeker_body(&known)).await.json().await.unwrap();
    let a: Value = apply(&app, &application(&known, "0705554433")).await.json().await.unwrap();
    let url = format!("/api/v1/applications/{}/identity", a["id"].as_str().unwrap());
    let refused = assert_problem(app.post_json(&url, &officer_token, &json!({})).await, 409).await;
    assert_eq!(refused["code"], "conflict.duplicate");
    assert_eq!(refused["existing_seeker_id"], registered["id"]);
    let linked: Value =
        app.post_json(&url, &officer_token, &json!({"seeker_id": registered["id"]})).await.json().await.unwrap();
    assert_eq!((linked["seeker_id"].as_str(), linked["created"].as_bool()), (registered["id"].as_str(), Some(false)));
    // Linking is not an edit: the record keeps its own phone.
    let after: Value = app
        .get(&format!("/api/v1/seekers/{}", registered["id"].as_str().unwrap()), &broker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["version"], registered["version"]);

    // Bad input is named; an unknown application is 404.
    assert_field_error(
        app.post_json(
            &url.replace(a["id"].as_str().unwrap(), new["id"].as_str().unwrap()),
            &officer_token,
            &json!({"seeker_id": 7}),
        )
        .await,
        "seeker_id",
    )
    .await;
    let missing = format!("/api/v1/applications/{}/identity", "0".repeat(32));
    assert_problem(app.post_json(&missing, &officer_token, &json!({})).await, 404).await;
    let unknown = app.post_json(&url, &officer_token, &json!({"seeker_id": "nobody"})).await;
    // Already linked to the registered seeker: another id is a conflict, not a lookup.
    assert_problem(unknown, 409).await;

    // Each confirmation wrote an audit row for the seeker it names.
    let audit: Value =
        app.get(&format!("/api/v1/audit?seeker_id={seeker_id}"), &app.admin_token).await.json().await.unwrap();
    assert!(
        audit["items"].as_array().unwrap().iter().any(|e| e["action"] == "POST /api/v1/applications/{id}/identity"),
        "{audit}"
    );
}

/// A browser of its own (its own cookies), as an applicant's phone is.
fn device() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).build().unwrap()
}

/// Fills in and sends the application form on `device`; answers the page it lands on.
async fn apply_on(device: &reqwest::Client, app: &TestApp, personnummer: &str) -> reqwest::Response {
    let form = device.get(app.url("/apply")).send().await.unwrap().text().await.unwrap();
    let csrf = form.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    device
        .post(app.url("/apply"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("personnummer", personnummer),
            ("first_name", "Sara"),
            ("last_name", "Nilsson"),
            ("phone", "0701112233"),
            ("situation", "Har precis förlorat mitt jobb."),
        ])
        .send()
        .await
        .unwrap()
}

/// Booked on one phone, applying again on another: the second sees the day of the meeting
/// and the number to call, and no times that could not be booked.
#[tokio::test]
async fn a_meeting_booked_on_another_device_is_named_by_its_day_with_a_number_to_call() {
    let app =
        spawn_app_with(&[("booking.applications_per_minute", "50"), ("PLATSA_BOOKING__PHONE", "0410-73 30 00")]).await;
    officer(&app).await;
    let sara = pnr("19930303", 5);
    let first: Value = apply(&app, &application(&sara, "0701112233")).await.json().await.unwrap();
    let booked: Value = book(&app, &first, 0).await.json().await.unwrap();

    let phone = device();
    let res = apply_on(&phone, &app, &sara).await;
    assert_eq!(res.status(), 200);
    assert!(res.url().path().ends_with("/apply/tider"), "{}", res.url());
    let page = res.text().await.unwrap();
    assert!(page.contains("Du har redan en bokad tid"), "{page}");
    let day = booked["booking"]["starts_at"].as_str().unwrap()[..10].parse::<chrono::NaiveDate>().unwrap();
    use chrono::Datelike;
    let named = format!("{} {}", day.day(), platsa::labels::MONTHS[day.month0() as usize]);
    assert!(page.contains(&named), "the day ({named}): {page}");
    assert!(page.contains("0410-73 30 00") && page.contains("href=\"tel:0410733000\""), "{page}");
    assert!(!page.contains("label class=\"slot\"") && !page.contains("Boka tiden"), "no times: {page}");
    assert!(!page.contains("Algatan") && !page.contains("Olle"), "not the details: {page}");
}

/// The limit counts applications made: forms with mistakes are not counted, and past the
/// limit the form comes back with what was typed (429), never an empty page.
#[tokio::test]
async fn the_page_limit_counts_applications_and_keeps_what_was_typed() {
    let app = spawn_app_with(&[("PLATSA_APPLICATIONS_PER_MINUTE", "2")]).await;
    officer(&app).await;
    let phone = device();
    for _ in 0..3 {
        let res = apply_on(&phone, &app, "19930303-0000").await;
        assert_eq!(res.status(), 422, "a mistake, not counted");
    }
    for i in [11, 12] {
        assert_eq!(apply_on(&device(), &app, &pnr("19930303", i)).await.status(), 200);
    }
    let res = apply_on(&device(), &app, &pnr("19930303", 13)).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    let page = res.text().await.unwrap();
    assert!(page.contains("Vänta") && page.contains("det du har skrivit finns kvar"), "{page}");
    assert!(page.contains("value=\"Nilsson\"") && page.contains("Har precis förlorat mitt jobb."), "kept: {page}");
}
