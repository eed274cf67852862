use std::str::FromStr;

use serde_json::{Value, json};

use crate::helpers::*;

async fn officer(app: &TestApp, name: &str, hours: Value) -> String {
    let res = app
        .post_json(
            "/api/v1/officers",
            &app.admin_token,
            &json!({"name": name, "unit": "Jobbcenter Trelleborg", "meeting_minutes": 45, "weekly_hours": hours}),
        )
        .await;
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

fn application(i: u32) -> Value {
    json!({
        "personnummer": pnr("19930303", i),
        "first_name": "Sara",
        "last_name": "Nilsson",
        "email": format!("sara{i}@example.se"),
        "phone": "0701112233",
        "situation": "Har precis förlorat mitt jobb.",
    })
}

async fn apply(app: &TestApp, i: u32) -> Value {
    let res = app.client.post(app.url("/api/v1/applications")).json(&application(i)).send().await.unwrap();
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

async fn book(app: &TestApp, application: &Value, slot: &Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/applications/{}/booking", application["id"].as_str().unwrap())))
        .json(&json!({"token": application["booking_token"], "slot_id": slot["id"]}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_calendar_lists_working_days() {
    let app = spawn_app().await;
    let body: Value =
        app.get("/api/v1/calendar/working-days?from=2026-12-23&count=3", &app.admin_token).await.json().await.unwrap();
    assert_eq!(body["items"], json!([{"date": "2026-12-28"}, {"date": "2026-12-29"}, {"date": "2026-12-30"}]));
    let body: Value =
        app.get("/api/v1/calendar/working-days?from=2026-04-02&count=1", &app.admin_token).await.json().await.unwrap();
    assert_eq!(body["items"], json!([{"date": "2026-04-07"}]), "past Långfredagen and Annandag påsk");
    assert_field_error(app.get("/api/v1/calendar/working-days?from=soon", &app.admin_token).await, "from").await;
}

/// Offers on the right day in Stockholm time on both sides of a daylight-saving change.
#[tokio::test]
async fn slots_keep_local_time_across_daylight_saving_changes() {
    for (clock, day, first_local, first_utc) in [
        ("2026-03-27T10:00:00+01:00", "2026-03-30", "2026-03-30T09:00:00+02:00", "2026-03-30T07:00:00Z"),
        ("2026-10-23T10:00:00+02:00", "2026-10-26", "2026-10-26T09:00:00+01:00", "2026-10-26T08:00:00Z"),
        ("2026-12-23T10:00:00+01:00", "2026-12-28", "2026-12-28T09:00:00+01:00", "2026-12-28T08:00:00Z"),
    ] {
        let app = spawn_app_with(&[("PLATSA_CLOCK", clock)]).await;
        officer(&app, "Olle", json!({"mon": [["09:00", "11:15"]], "tue": [["09:00", "11:15"]]})).await;
        let a = apply(&app, 1).await;
        assert_eq!(a["offered_day"], day, "{clock}");
        assert_eq!(a["next_day_full"], false);
        let slots = a["offered_slots"].as_array().unwrap();
        let starts: Vec<&str> = slots.iter().map(|s| s["starts_at"].as_str().unwrap()).collect();
        assert_eq!(starts.len(), 3);
        assert_eq!(starts[0], first_local, "{clock}");
        assert!(starts.iter().all(|s| s.starts_with(day)));
        // Booked, the calendar file carries the same instant in UTC.
        let res = book(&app, &a, &slots[0]).await;
        assert_eq!(res.status(), 201);
        let token = a["booking_token"].as_str().unwrap();
        let ics = app.client.get(app.url(&format!("/api/v1/bookings/{token}.ics"))).send().await.unwrap();
        assert!(ics.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
        let text = ics.text().await.unwrap();
        let cal = icalendar::Calendar::from_str(&text).expect("the .ics parses");
        let event = cal.components.iter().find_map(|c| c.as_event()).expect("an event");
        use icalendar::Component;
        let start = event.get_start().expect("DTSTART");
        let expected = chrono::DateTime::parse_from_rfc3339(first_utc).unwrap().to_utc();
        assert_eq!(start, icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(expected)), "{text}");
        assert!(event.get_uid().unwrap().ends_with("@platsa"));
        // The same file again: the same UID.
        let again = app
            .client
            .get(app.url(&format!("/api/v1/bookings/{token}.ics")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(again, text);
    }
}

#[tokio::test]
async fn book_cancel_rebook_and_reschedule() {
    let app = spawn_app().await;
    let olle = officer(&app, "Olle", json!({"tue": [["09:00", "12:00"]]})).await;
    let kim = officer(&app, "Kim", json!({"tue": [["13:00", "16:00"]]})).await;
    let a = apply(&app, 1).await;
    let b = apply(&app, 2).await;
    // Spread over the day and over officers.
    let officers: std::collections::HashSet<&str> =
        a["offered_slots"].as_array().unwrap().iter().map(|s| s["officer_id"].as_str().unwrap()).collect();
    assert_eq!(officers.len(), 2, "{a}");
    let slot = a["offered_slots"][0].clone();
    let res = book(&app, &a, &slot).await;
    assert_eq!(res.status(), 201);
    let booked: Value = res.json().await.unwrap();
    assert_eq!(booked["booking"]["status"], "booked");
    // One meeting per application.
    assert_problem(book(&app, &a, &a["offered_slots"][1]).await, 409).await;
    // The same slot for someone else: 409 with fresh offers that do not include it.
    let body = assert_problem(book(&app, &b, &slot).await, 409).await;
    let fresh = body["offered_slots"].as_array().unwrap();
    assert_eq!(fresh.len(), 3);
    assert!(fresh.iter().all(|s| s["id"] != slot["id"]));
    // A wrong token: not found.
    let res = app
        .client
        .post(app.url(&format!("/api/v1/applications/{}/booking", a["id"].as_str().unwrap())))
        .json(&json!({"token": "bk_nope", "slot_id": slot["id"]}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 404).await;
    // The officer sees the meeting.
    let (officer_token, _) = app.token("officer", "Olle", None).await;
    let day: Value =
        app.get(&format!("/api/v1/officers/{olle}/agenda?date=2026-11-24"), &officer_token).await.json().await.unwrap();
    assert_eq!(day["items"][0]["status"], "booked");
    let _ = kim;
    // Cancelled, the slot is bookable again.
    let token = a["booking_token"].as_str().unwrap();
    assert_eq!(app.client.delete(app.url(&format!("/api/v1/bookings/{token}"))).send().await.unwrap().status(), 204);
    assert_eq!(book(&app, &b, &slot).await.status(), 201);
    // Reschedule: to a taken slot is refused and keeps the meeting; to a free one moves it.
    let b_token = b["booking_token"].as_str().unwrap();
    let res = app
        .client
        .post(app.url(&format!("/api/v1/bookings/{b_token}/reschedule")))
        .json(&json!({"slot_id": fresh[0]["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let moved: Value = res.json().await.unwrap();
    assert_eq!(moved["booking"]["starts_at"], fresh[0]["starts_at"]);
    assert_eq!(book(&app, &a, &slot).await.status(), 201, "b's old slot was freed by the move");
    let res = app
        .client
        .post(app.url(&format!("/api/v1/bookings/{b_token}/reschedule")))
        .json(&json!({"slot_id": slot["id"]}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 409).await;
    let still = app.client.get(app.url(&format!("/api/v1/bookings/{b_token}.ics"))).send().await.unwrap();
    assert_eq!(still.status(), 200, "the refused move left the meeting in place");
    // Officers mark meetings.
    let id = moved["booking"]["id"].as_str().unwrap();
    let res = app.post_json(&format!("/api/v1/bookings/{id}/status"), &officer_token, &json!({"status": "held"})).await;
    assert_eq!(res.status(), 204);
    assert_field_error(
        app.post_json(&format!("/api/v1/bookings/{id}/status"), &officer_token, &json!({"status": "late"})).await,
        "status",
    )
    .await;
}

/// 200 applicants at once against four meetings: four bookings, no officer double-booked,
/// every loser told 409 with fresh offers.
#[tokio::test]
async fn no_double_bookings_under_concurrent_load() {
    let app = spawn_app_with(&[("PLATSA_APPLICATIONS_PER_MINUTE", "1000")]).await;
    let olle = officer(&app, "Olle", json!({"tue": [["09:00", "12:00"]]})).await;
    // Away from the day after: the supply is the four meetings of Tuesday 24 November.
    let res = app
        .post_json(
            &format!("/api/v1/officers/{olle}/absences"),
            &app.admin_token,
            &json!({"from": "2026-11-25", "to": "2027-01-31"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let mut applicants = Vec::new();
    for i in 0..200 {
        applicants.push(apply(&app, 500 + i).await);
    }
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
    let tasks: Vec<_> = applicants
        .into_iter()
        .map(|a| {
            let client = client.clone();
            let base = app.address.clone();
            tokio::spawn(async move {
                let mut offers = a["offered_slots"].as_array().unwrap().clone();
                let mut conflicts = 0;
                for _ in 0..10 {
                    let Some(slot) = offers.first().cloned() else { return (false, conflicts) };
                    let res = client
                        .post(format!("{base}/api/v1/applications/{}/booking", a["id"].as_str().unwrap()))
                        .json(&json!({"token": a["booking_token"], "slot_id": slot["id"]}))
                        .send()
                        .await
                        .unwrap();
                    match res.status().as_u16() {
                        201 => return (true, conflicts),
                        409 => {
                            conflicts += 1;
                            let body: Value = res.json().await.unwrap();
                            offers = body["offered_slots"].as_array().expect("fresh offers on every 409").clone();
                        }
                        other => panic!("unexpected {other}: {}", res.text().await.unwrap()),
                    }
                }
                (false, conflicts)
            })
        })
        .collect();
    let results = futures_util::future::join_all(tasks).await;
    let booked = results.iter().filter(|r| r.as_ref().unwrap().0).count();
    let conflicts: usize = results.iter().map(|r| r.as_ref().unwrap().1).sum();
    assert_eq!(booked, 4, "bookings equal the supply");
    assert!(conflicts >= 196, "every loser heard 409: {conflicts}");
    let (officer_token, _) = app.token("officer", "Olle", None).await;
    let day: Value =
        app.get(&format!("/api/v1/officers/{olle}/agenda?date=2026-11-24"), &officer_token).await.json().await.unwrap();
    let starts: Vec<&str> = day["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "booked")
        .map(|m| m["starts_at"].as_str().unwrap())
        .collect();
    let unique: std::collections::HashSet<&&str> = starts.iter().collect();
    assert_eq!((starts.len(), unique.len()), (4, 4), "no officer has two meetings at one time: {starts:?}");
    // Further applicants hear that the next day is full.
    let late = apply(&app, 900).await;
    assert_eq!(late["next_day_full"], true);
}

#[tokio::test]
async fn applications_are_validated_and_rate_limited() {
    let app = spawn_app_with(&[("PLATSA_APPLICATIONS_PER_MINUTE", "3")]).await;
    officer(&app, "Olle", json!({"tue": [["09:00", "12:00"]]})).await;
    let mut bad = application(1);
    bad["personnummer"] = "199303030000".into();
    let res = app.client.post(app.url("/api/v1/applications")).json(&bad).send().await.unwrap();
    assert_field_error(res, "personnummer").await;
    let mut no_contact = application(2);
    no_contact["email"] = Value::Null;
    no_contact["phone"] = Value::Null;
    assert_field_error(
        app.client.post(app.url("/api/v1/applications")).json(&no_contact).send().await.unwrap(),
        "phone",
    )
    .await;
    // The limit (3 a minute here) counts applications made from the address, not the two
    // with a mistake in them.
    for i in [3, 5, 6] {
        apply(&app, i).await;
    }
    let res = app.client.post(app.url("/api/v1/applications")).json(&application(4)).send().await.unwrap();
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, 429).await;
    // Applications register nobody: a seeker exists only once staff confirm who applied.
    let (broker, _) = app.token("broker", "B", None).await;
    let list: Value = app.get("/api/v1/seekers", &broker).await.json().await.unwrap();
    assert_eq!(list["total"], 0);
}

/// The message webhook fails the reminder once: the failure shows in the backlog, and the
/// next run, a minute later, delivers it. The confirmation went at once.
#[tokio::test]
async fn reminders_are_retried_until_delivered() {
    use actix_web::{App, HttpResponse, HttpServer, web};
    use std::sync::{Arc, Mutex};
    let calls: Arc<Mutex<Vec<Value>>> = Arc::default();
    let c = calls.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let c = c.clone();
        App::new().route(
            "/remind",
            web::post().to(move |body: web::Json<Value>| {
                let c = c.clone();
                async move {
                    let mut calls = c.lock().unwrap();
                    let body = body.into_inner();
                    let first_reminder = body["template"] == "booking_reminder"
                        && !calls.iter().any(|b| b["template"] == "booking_reminder");
                    calls.push(body);
                    if first_reminder {
                        HttpResponse::InternalServerError().finish()
                    } else {
                        HttpResponse::Ok().finish()
                    }
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    let hook = format!("http://127.0.0.1:{port}/remind");
    let (state, now, _dir, _db) = reminder_due(&hook).await;
    let gw = platsa::messages::gateway::Gateways::from_settings(&state.settings);
    let run = platsa::messages::send::deliver_due(&state.pool, &gw, &state.clock, 100).await.unwrap();
    assert_eq!((run.sent, run.errors), (1, 1), "the confirmation went, the reminder failed");
    let sms = platsa::messages::Channel::Sms;
    let b = platsa::db::run(&state.pool, move |c| Ok(platsa::messages::send::backlog(c, sms, now)?)).await.unwrap();
    assert_eq!((b.overdue, b.last_error.as_deref()), (1, Some("HTTP 500")));
    // Not due again until a minute has passed.
    let run = platsa::messages::send::deliver_due(&state.pool, &gw, &state.clock, 100).await.unwrap();
    assert_eq!(run.sent + run.errors, 0, "backing off");
    let state = std::sync::Arc::new(state);
    let s = state.clone();
    tokio::task::spawn_blocking(move || s.indexer.shutdown()).await.unwrap();
    let later = platsa::clock::Clock::fixed(
        chrono::DateTime::parse_from_rfc3339("2026-11-23T16:02:00+01:00").unwrap().to_utc(),
    );
    let run = platsa::messages::send::deliver_due(&state.pool, &gw, &later, 100).await.unwrap();
    assert_eq!(run.sent, 1);
    let b =
        platsa::db::run(&state.pool, move |c| Ok(platsa::messages::send::backlog(c, sms, now + 120)?)).await.unwrap();
    assert_eq!(b.overdue, 0);
    let calls = calls.lock().unwrap();
    let reminders: Vec<&Value> = calls.iter().filter(|c| c["template"] == "booking_reminder").collect();
    assert_eq!(reminders.len(), 2);
    assert_eq!(reminders[0]["message_id"], reminders[1]["message_id"], "the same reminder, retried");
    let text = reminders[1]["text"].as_str().unwrap();
    assert!(text.contains("tisdag 24 november kl. 09:00"), "{text}");
    assert!(text.contains("Jag kan inte komma") && text.contains("/ny-tid"), "one tap to a new time: {text}");
    assert_eq!(reminders[1]["to"], "+46701112233", "E.164");
}

/// A service whose clock says Monday 16:00 with a meeting booked on Tuesday: its reminder is
/// due at once, to `hook`. Keep the directory and database while the state is used.
async fn reminder_due(hook: &str) -> (actix_web::web::Data<platsa::startup::AppState>, i64, tempfile::TempDir, TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(&dir);
    // Monday 16:00: Tuesday's meeting is due for its reminder at once.
    let monday = test_settings(
        &dir,
        &db,
        &[("PLATSA_CLOCK", "2026-11-23T16:00:00+01:00"), ("PLATSA_BOOKING__REMINDER_WEBHOOK", hook)],
    );
    let state = platsa::startup::AppState::open(monday).await.unwrap();
    let state = actix_web::web::Data::new(state);
    seed_units(&state).await;
    let now = state.clock.now_ts();
    platsa::db::run(&state.pool, move |c| {
        let input: platsa::booking::officers::OfficerInput = serde_json::from_value(
            json!({"name": "Olle", "unit": "Jobbcenter", "weekly_hours": {"tue": [["09:00", "12:00"]]}}),
        )
        .unwrap();
        platsa::booking::officers::create(c, now, input.validate()?)
    })
    .await
    .unwrap();
    let (settings, today) = (state.settings.booking.clone(), state.clock.today());
    let input: platsa::booking::store::ApplicationInput = serde_json::from_value(application(7)).unwrap();
    let created =
        platsa::db::run(&state.pool, move |c| platsa::booking::store::apply(c, now, today, &settings, input, None))
            .await
            .unwrap();
    let (token, slot) = (created.booking_token.clone(), created.offered_slots[0].id.clone());
    let app_id = created.id.clone();
    // Booked that morning: the reminder (15:00) is due by now, as is the confirmation.
    platsa::db::run(&state.pool, move |c| {
        Ok(platsa::booking::store::book(
            c,
            now - 6 * 3600,
            Some(&app_id),
            &platsa::booking::store::Holder::Link(token.clone()),
            &slot,
            false,
            &platsa::booking::Sending {
                public_url: "http://127.0.0.1:8080".into(),
                reminder_hour: 15,
                hold_minutes: 30,
            },
        )
        .ok()
        .expect("booked"))
    })
    .await
    .unwrap();
    (state, now, dir, db)
}

/// The reminder webhook answers with a redirect to another server: nothing is sent there (the
/// reminder carries the person's contact details), and the delivery is marked failed.
#[tokio::test]
async fn a_webhook_that_redirects_gets_nothing_more_and_the_delivery_fails() {
    use actix_web::{App, HttpResponse, HttpServer, web};
    use std::sync::{Arc, Mutex};
    let stolen: Arc<Mutex<u32>> = Arc::default();
    let s = stolen.clone();
    let other = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let elsewhere = format!("http://{}/steal", other.local_addr().unwrap());
    let server = HttpServer::new(move || {
        let s = s.clone();
        App::new().default_service(web::to(move || {
            let s = s.clone();
            async move {
                *s.lock().unwrap() += 1;
                HttpResponse::Ok().finish()
            }
        }))
    })
    .workers(1)
    .listen(other)
    .unwrap()
    .run();
    tokio::spawn(server);
    for status in [307u16, 302] {
        let redirecting = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let hook = format!("http://{}/remind", redirecting.local_addr().unwrap());
        let to = elsewhere.clone();
        let server = HttpServer::new(move || {
            let to = to.clone();
            App::new().default_service(web::to(move || {
                let to = to.clone();
                async move {
                    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
                        .insert_header(("location", to))
                        .finish()
                }
            }))
        })
        .workers(1)
        .listen(redirecting)
        .unwrap()
        .run();
        tokio::spawn(server);
        let (state, now, _dir, _db) = reminder_due(&hook).await;
        let run = platsa::messages::send::deliver_due(
            &state.pool,
            &platsa::messages::gateway::Gateways::from_settings(&state.settings),
            &state.clock,
            100,
        )
        .await
        .unwrap();
        assert_eq!((run.sent, run.errors), (0, 2), "the confirmation and the reminder");
        let sms = platsa::messages::Channel::Sms;
        let b = platsa::db::run(&state.pool, move |c| Ok(platsa::messages::send::backlog(c, sms, now)?)).await.unwrap();
        assert_eq!((b.overdue, b.last_error), (2, Some(format!("HTTP {status}"))), "marked failed");
        assert_eq!(*stolen.lock().unwrap(), 0, "{status}: the other server receives nothing");
        let s = state.clone();
        tokio::task::spawn_blocking(move || s.indexer.shutdown()).await.unwrap();
    }
}

#[tokio::test]
async fn someone_with_protected_personal_data_meets_only_officers_cleared_for_it() {
    let app = spawn_app().await;
    let olle = officer(&app, "Olle", json!({"tue": [["09:00", "12:00"]]})).await;
    let kim = officer(&app, "Kim", json!({"tue": [["13:00", "16:00"]]})).await;
    let res = app
        .patch_json(&format!("/api/v1/officers/{kim}"), &app.admin_token, &json!({"protected_identity": true}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["protected_identity"], true);

    // Offered only Kim's times, and Olle's cannot be booked by naming it.
    let mut body = application(7);
    body["protected_identity"] = json!(true);
    // Phone and e-mail both given: the one channel messages may use is the applicant's choice.
    let res = app.client.post(app.url("/api/v1/applications")).json(&body).send().await.unwrap();
    assert_field_error(res, "contact_channel").await;
    body["contact_channel"] = json!("email");
    let res = app.client.post(app.url("/api/v1/applications")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let a: Value = res.json().await.unwrap();
    let offered = a["offered_slots"].as_array().unwrap();
    assert_eq!(offered.len(), 3);
    assert!(offered.iter().all(|s| s["officer_id"] == kim.as_str()), "{a}");
    let olles = apply(&app, 8).await["offered_slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["officer_id"] == olle.as_str())
        .cloned()
        .expect("others are offered Olle");
    assert_field_error(book(&app, &a, &olles).await, "slot_id").await;
    assert_eq!(book(&app, &a, &offered[0]).await.status(), 201);
    // Messages go only by e-mail, and no address is kept with them.
    let sent: Value = app
        .get(&format!("/api/v1/messages?application_id={}", a["id"].as_str().unwrap()), &app.admin_token)
        .await
        .json()
        .await
        .unwrap();
    let sent = sent["items"].as_array().unwrap();
    assert!(!sent.is_empty());
    assert!(sent.iter().all(|m| m["channel"] == "email" && m["address"].is_null()), "{sent:?}");

    // Kim's agenda marks the meeting.
    let (token, _) = app.token("officer", "Kim", None).await;
    let day: Value =
        app.get(&format!("/api/v1/officers/{kim}/agenda?date=2026-11-24"), &token).await.json().await.unwrap();
    assert_eq!(day["items"][0]["protected_identity"], true);
    assert_eq!(day["items"][0]["identified_by"], "none");
}

/// The slot id of Olle's meeting at a local time.
fn slot_at(officer: &str, local: &str) -> Value {
    let t = chrono::DateTime::parse_from_rfc3339(local).unwrap().timestamp();
    json!({ "id": format!("{officer}~{t}") })
}

/// The link in the latest message of `template` to an application (read as staff).
async fn link_in_message(app: &TestApp, application: &Value, template: &str, path: &str) -> Option<String> {
    let id = application["id"].as_str().unwrap();
    let list: Value =
        app.get(&format!("/api/v1/messages?application_id={id}"), &app.admin_token).await.json().await.unwrap();
    let m = list["items"].as_array().unwrap().iter().find(|m| m["template"] == template)?.clone();
    let text = m["text"].as_str().unwrap();
    let (_, rest) = text.split_once(path)?;
    Some(rest.split_whitespace().next().unwrap().trim_end_matches(['.', ',']).to_string())
}

async fn want_earlier(app: &TestApp, a: &Value) {
    let res = app
        .client
        .put(app.url(&format!("/api/v1/applications/{}/booking/earlier", a["id"].as_str().unwrap())))
        .json(&json!({"token": a["booking_token"], "wanted": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["wanted"], true);
}

async fn cancel_booking(app: &TestApp, a: &Value) {
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/bookings/{}", a["booking_token"].as_str().unwrap())))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
}

async fn answer_offer(app: &TestApp, token: &str, accept: bool) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/booking-offers/{token}")))
        .json(&json!({"accept": accept}))
        .send()
        .await
        .unwrap()
}

/// Three applicants on the waiting list, booked on the next working day and the day after:
/// a cancellation offers the freed time to the one with the latest booking; taking it moves
/// the booking; an offer nobody answers passes on when its hold runs out; and fifty
/// simultaneous "Ta tiden" give the time to one person once.
#[tokio::test]
async fn the_waiting_list_fills_a_freed_meeting_and_never_gives_it_twice() {
    let app = spawn_app().await;
    let hours = json!({"tue": [["09:00", "12:00"]], "wed": [["09:00", "12:00"]]});
    let olle = officer(&app, "Olle", hours).await;
    let at = |local: &str| slot_at(&olle, local);
    let booked = |i: u32, local: &'static str| {
        let app = &app;
        let at = at(local);
        async move {
            let a = apply(app, i).await;
            assert_eq!(book(app, &a, &at).await.status(), 201, "{local}");
            a
        }
    };
    // Tuesday 24 November (the next working day) and Wednesday.
    let d = booked(1, "2026-11-24T09:00:00+01:00").await;
    let f = booked(2, "2026-11-24T09:45:00+01:00").await;
    let a = booked(3, "2026-11-24T10:30:00+01:00").await;
    let b = booked(4, "2026-11-25T09:00:00+01:00").await;
    let c = booked(5, "2026-11-25T09:45:00+01:00").await;
    let _g = booked(6, "2026-11-25T11:15:00+01:00").await;
    for p in [&a, &b, &c] {
        want_earlier(&app, p).await;
    }
    // Without a booked meeting there is nothing to move forward.
    let nothing = apply(&app, 7).await;
    let res = app
        .client
        .put(app.url(&format!("/api/v1/applications/{}/booking/earlier", nothing["id"].as_str().unwrap())))
        .json(&json!({"token": nothing["booking_token"], "wanted": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_problem(res, 409).await["code"], "conflict.nothing_booked");

    // D cancels Tuesday 09:00: C has the latest booking of the three, and is offered it.
    cancel_booking(&app, &d).await;
    assert!(link_in_message(&app, &a, "booking_offer", "/erbjudande/").await.is_none());
    assert!(link_in_message(&app, &b, "booking_offer", "/erbjudande/").await.is_none());
    let offer_c = link_in_message(&app, &c, "booking_offer", "/erbjudande/").await.expect("C is offered the time");
    let shown: Value = app
        .client
        .get(app.url(&format!("/api/v1/booking-offers/{offer_c}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["state"], "held");
    assert_eq!(shown["starts_at"], "2026-11-24T09:00:00+01:00");
    // Held for C meanwhile: nobody else is offered or can book it.
    let e = apply(&app, 8).await;
    assert!(e["offered_slots"].as_array().unwrap().iter().all(|s| s["id"] != at("2026-11-24T09:00:00+01:00")["id"]));
    assert_eq!(book(&app, &e, &at("2026-11-24T09:00:00+01:00")).await.status(), 409);

    // C takes it: the booking moves, the old link opens the new time, the old time is freed.
    let res = answer_offer(&app, &offer_c, true).await;
    assert_eq!(res.status(), 200);
    let taken: Value = res.json().await.unwrap();
    assert_eq!(taken["state"], "accepted");
    assert_eq!(taken["booking"]["starts_at"], "2026-11-24T09:00:00+01:00");
    let ics = app
        .client
        .get(app.url(&format!("/api/v1/bookings/{}.ics", c["booking_token"].as_str().unwrap())))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(ics.contains("DTSTART:20261124T080000Z"), "{ics}");
    assert_eq!(assert_problem(answer_offer(&app, &offer_c, true).await, 409).await["code"], "conflict.offer_answered");
    // The confirmation of the new time carries a link that opens it.
    let link = link_in_message(&app, &c, "booking_confirmation", "/apply/booked/").await.expect("a confirmation");
    assert!(link.starts_with("eb_") || link.starts_with("bk_"), "{link}");

    // F cancels Tuesday 09:45: B (Wednesday 09:00) is after A (Tuesday 10:30), so B first.
    cancel_booking(&app, &f).await;
    let offer_b = link_in_message(&app, &b, "booking_offer", "/erbjudande/").await.expect("B is offered");
    assert!(link_in_message(&app, &a, "booking_offer", "/erbjudande/").await.is_none());

    // Half an hour on, B has not answered: the time passes to A.
    let later = app.at_clock("2026-11-23T10:31:00+01:00").await;
    assert_eq!(assert_problem(answer_offer(&later, &offer_b, true).await, 409).await["code"], "conflict.offer_expired");
    let offer_a = link_in_message(&later, &a, "booking_offer", "/erbjudande/").await.expect("A is offered next");

    // Fifty taps on "Ta tiden" at once: one booking, never two people in the slot.
    let taps = (0..50).map(|_| answer_offer(&later, &offer_a, true));
    let statuses: Vec<u16> = futures_util::future::join_all(taps).await.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
    let agenda: Value = later
        .get(&format!("/api/v1/officers/{olle}/agenda?date=2026-11-24"), &later.admin_token)
        .await
        .json()
        .await
        .unwrap();
    let at_0945: Vec<&Value> = agenda["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["starts_at"] == "2026-11-24T09:45:00+01:00" && m["status"] == "booked")
        .collect();
    assert_eq!(at_0945.len(), 1, "{agenda}");
    assert_eq!(at_0945[0]["application_id"], a["id"]);

    // The database holds one holder a slot, whatever the code does.
    let (app_id, officer) = (e["id"].as_str().unwrap().to_string(), olle.clone());
    let second = platsa::db::run(&later.state.pool, move |c| {
        use diesel::prelude::*;
        use platsa::db::schema::booking_offers as o;
        let row = |id: &str, app: &str| {
            (
                o::id.eq(id.to_string()),
                o::token_hash.eq(format!("h{id}")),
                o::application_id.eq(app.to_string()),
                o::officer_id.eq(officer.clone()),
                o::starts_at.eq(1_790_000_000i64),
                o::ends_at.eq(1_790_002_700i64),
                o::state.eq("held"),
                o::expires_at.eq(1_790_000_000i64),
                o::created_at.eq(0i64),
            )
        };
        diesel::insert_into(o::table).values(row("x1", &app_id)).execute(c)?;
        Ok(diesel::insert_into(o::table).values(row("x2", "another")).execute(c).is_err())
    })
    .await
    .unwrap();
    assert!(second, "a second holder of one slot is refused by the database");
}

/// Meetings marked held or missed give each officer's and unit's no-show rate: in the
/// processes report of the month, and on the agenda afterwards.
#[tokio::test]
async fn the_no_show_rate_is_shown_per_officer_and_unit() {
    let app = spawn_app().await;
    let olle = officer(&app, "Olle", json!({"tue": [["09:00", "12:00"]]})).await;
    for (i, (time, status)) in
        [("09:00", "held"), ("09:45", "no_show"), ("10:30", "held"), ("11:15", "held")].iter().enumerate()
    {
        let a = apply(&app, 20 + i as u32).await;
        let res = book(&app, &a, &slot_at(&olle, &format!("2026-11-24T{time}:00+01:00"))).await;
        let booked: Value = res.json().await.unwrap();
        let id = booked["booking"]["id"].as_str().unwrap();
        let res =
            app.post_json(&format!("/api/v1/bookings/{id}/status"), &app.admin_token, &json!({"status": status})).await;
        assert_eq!(res.status(), 204);
    }
    let report: Value =
        app.get("/api/v1/reports/processes?month=2026-11", &app.admin_token).await.json().await.unwrap();
    let unit = &report["no_shows"]["by_unit"][0];
    assert_eq!(
        (unit["held"].as_i64(), unit["no_show"].as_i64(), unit["rate"].as_f64()),
        (Some(3), Some(1), Some(0.25))
    );
    assert_eq!(report["no_shows"]["by_officer"][0]["name"], "Olle");
    let page = app.get("/reports/processes?month=2026-11", &app.admin_token).await.text().await.unwrap();
    assert!(page.contains("Uteblivna möten") && page.contains("25 %"), "the processes page shows it");
    let wednesday = app.at_clock("2026-11-25T10:00:00+01:00").await;
    let agenda = wednesday.get(&format!("/agenda?officer={olle}"), &wednesday.admin_token).await.text().await.unwrap();
    assert!(agenda.contains("Uteblivna möten de senaste 90 dagarna: <strong>25 %</strong> (1 av 4)"), "{agenda}");
}

/// Someone holding an offered earlier time cancels their own meeting: the offer is taken back
/// and passes to the next person on the list.
#[tokio::test]
async fn an_offer_held_by_someone_who_cancels_passes_on() {
    let app = spawn_app().await;
    let olle = officer(&app, "Olle", json!({"tue": [["09:00", "12:00"]]})).await;
    let mut booked = Vec::new();
    for (i, time) in ["09:00", "10:30", "11:15"].iter().enumerate() {
        let a = apply(&app, 40 + i as u32).await;
        assert_eq!(book(&app, &a, &slot_at(&olle, &format!("2026-11-24T{time}:00+01:00"))).await.status(), 201);
        booked.push(a);
    }
    let (first, x, y) = (&booked[0], &booked[1], &booked[2]);
    want_earlier(&app, x).await;
    want_earlier(&app, y).await;
    cancel_booking(&app, first).await;
    let offer_y = link_in_message(&app, y, "booking_offer", "/erbjudande/").await.expect("the latest booking first");
    assert!(link_in_message(&app, x, "booking_offer", "/erbjudande/").await.is_none());
    cancel_booking(&app, y).await;
    let shown: Value = app
        .client
        .get(app.url(&format!("/api/v1/booking-offers/{offer_y}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["state"], "withdrawn");
    assert!(link_in_message(&app, x, "booking_offer", "/erbjudande/").await.is_some(), "passed on");
    assert_eq!(assert_problem(answer_offer(&app, &offer_y, true).await, 409).await["code"], "conflict.offer_answered");
}
