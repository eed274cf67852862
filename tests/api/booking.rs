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
    apply(&app, 3).await;
    // The limit (3 a minute here) counts every attempt from the address.
    let res = app.client.post(app.url("/api/v1/applications")).json(&application(4)).send().await.unwrap();
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, 429).await;
    // Applications register nobody: a seeker exists only once staff confirm who applied.
    let (broker, _) = app.token("broker", "B", None).await;
    let list: Value = app.get("/api/v1/seekers", &broker).await.json().await.unwrap();
    assert_eq!(list["total"], 0);
}

/// The reminder webhook fails once: the failure shows in /readyz, and the next run delivers.
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
                    calls.push(body.into_inner());
                    if calls.len() == 1 {
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
    assert_eq!(platsa::booking::reminders::deliver_due(&state.pool, &hook, &state.clock).await.unwrap(), 0);
    let (overdue, error) =
        platsa::db::run(&state.pool, move |c| platsa::booking::reminders::overdue(c, now)).await.unwrap();
    assert_eq!((overdue, error.as_deref()), (1, Some("HTTP 500")));
    // A minute later the retry is due, and goes through.
    let state = std::sync::Arc::new(state);
    let s = state.clone();
    tokio::task::spawn_blocking(move || s.indexer.shutdown()).await.unwrap();
    let later = platsa::clock::Clock::fixed(
        chrono::DateTime::parse_from_rfc3339("2026-11-23T16:02:00+01:00").unwrap().to_utc(),
    );
    assert_eq!(platsa::booking::reminders::deliver_due(&state.pool, &hook, &later).await.unwrap(), 1);
    let (overdue, _) =
        platsa::db::run(&state.pool, move |c| platsa::booking::reminders::overdue(c, now + 120)).await.unwrap();
    assert_eq!(overdue, 0);
    let calls = calls.lock().unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1]["event"], "meeting.reminder");
    let starts = calls[1]["starts_at"].as_str().unwrap();
    assert!(starts.starts_with("2026-11-24T") && starts.ends_with("+01:00"), "{starts}");
    assert_eq!(calls[0]["booking_id"], calls[1]["booking_id"], "the same reminder, retried");
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
    platsa::db::run(&state.pool, move |c| {
        Ok(platsa::booking::store::book(
            c,
            now,
            Some(&app_id),
            &platsa::booking::store::Holder::Link(token.clone()),
            &slot,
            false,
            15,
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
        assert_eq!(platsa::booking::reminders::deliver_due(&state.pool, &hook, &state.clock).await.unwrap(), 0);
        let (overdue, error) =
            platsa::db::run(&state.pool, move |c| platsa::booking::reminders::overdue(c, now)).await.unwrap();
        assert_eq!((overdue, error), (1, Some(format!("HTTP {status}"))), "marked failed");
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

    // Kim's agenda marks the meeting.
    let (token, _) = app.token("officer", "Kim", None).await;
    let day: Value =
        app.get(&format!("/api/v1/officers/{kim}/agenda?date=2026-11-24"), &token).await.json().await.unwrap();
    assert_eq!(day["items"][0]["protected_identity"], true);
    assert_eq!(day["items"][0]["identified_by"], "none");
}
