//! Messages through a real local server speaking 46elks' documented SMS API: form-encoded
//! `POST /a1/sms` with HTTP basic auth, the SMS answered as JSON with its `id`, and delivery
//! reports posted back to the `whendelivered` URL.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::helpers::*;

/// What the stand-in gateway received, and whether it fails the next request.
#[derive(Default)]
struct Elks {
    received: Vec<std::collections::HashMap<String, String>>,
    fail_next: bool,
}

/// A local 46elks: checks the credentials, records each SMS, answers like the real API.
async fn elks() -> (String, Arc<Mutex<Elks>>) {
    use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
    let state: Arc<Mutex<Elks>> = Arc::default();
    let s = state.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/a1/sms", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        let s = s.clone();
        App::new().route(
            "/a1/sms",
            web::post().to(move |req: HttpRequest, form: web::Form<std::collections::HashMap<String, String>>| {
                let s = s.clone();
                async move {
                    // "u:p", as HTTP basic auth sends it.
                    if req.headers().get("authorization").and_then(|v| v.to_str().ok()) != Some("Basic dTpw") {
                        return HttpResponse::Unauthorized().body("API access requires Basic HTTP authentication");
                    }
                    let mut s = s.lock().unwrap();
                    if s.fail_next {
                        s.fail_next = false;
                        return HttpResponse::ServiceUnavailable().finish();
                    }
                    let form = form.into_inner();
                    s.received.push(form.clone());
                    HttpResponse::Ok().json(json!({
                        "status": "created",
                        "direction": "outgoing",
                        "from": form["from"],
                        "to": form["to"],
                        "message": form["message"],
                        "parts": 1,
                        "cost": 3500,
                        "created": "2026-11-23T09:00:00.000000",
                        "id": format!("s{}", s.received.len()),
                    }))
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    (url, state)
}

fn elks_gateways(url: &str, app: &TestApp) -> platsa::messages::gateway::Gateways {
    platsa::messages::gateway::Gateways {
        sms: Some(platsa::messages::gateway::Sms {
            kind: platsa::config::SmsGateway::Elks,
            url: url.to_string(),
            user: "u".into(),
            password: "p".into(),
            from: "Platsa".into(),
        }),
        email: None,
        public_url: app.address.clone(),
        max_attempts: 3,
        timeout: std::time::Duration::from_secs(10),
    }
}

async fn messages_of(app: &TestApp, token: &str, seeker: &str) -> Vec<Value> {
    let list: Value = app.get(&format!("/api/v1/messages?seeker_id={seeker}"), token).await.json().await.unwrap();
    list["items"].as_array().unwrap().clone()
}

/// A consent request is one SMS through 46elks, in E.164 with a delivery report URL; the
/// gateway failing once is shown and retried after the backoff; the delivery report marks it
/// delivered; a replay of the request sends nothing twice; a failed delivery says "ring i
/// stället" and `/readyz` shows it.
#[tokio::test]
async fn a_consent_request_goes_out_by_46elks_and_its_delivery_report_comes_back() {
    let (url, gateway) = elks().await;
    // The app under test has no gateway of its own, so its schedule never sends first; the
    // test runs the sending loop with the 46elks settings itself.
    let app = spawn_app().await;
    let gw = elks_gateways(&url, &app);
    let (broker, _) = app.token("broker", "Britt", None).await;
    let employer = app.employer("Omsorgen AB", "5560000001", false).await;
    let mut o = opening_body();
    o["employer_id"] = employer.into();
    let o: Value = app.post_json("/api/v1/openings", &broker, &o).await.json().await.unwrap();
    let opening = o["id"].as_str().unwrap().to_string();
    let mut body = seeker_body(&pnr("19900101", 300));
    body["phone"] = "070-111 22 33".into();
    let seeker = new_seeker_with(&app, &broker, &body).await;
    let request = |key: &'static str| {
        let (app, broker, url) =
            (&app, &broker, format!("/api/v1/openings/{opening}/shortlist/{seeker}/consent-request"));
        async move {
            app.client
                .post(app.url(&url))
                .bearer_auth(broker)
                .header("Idempotency-Key", key)
                .json(&json!({"deadline": "2026-11-25"}))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(request("ask-1").await.status(), 201);
    assert_eq!(request("ask-1").await.status(), 201, "a replay answers the same");
    let listed = messages_of(&app, &broker, &seeker).await;
    assert_eq!(listed.len(), 1, "one message for the request and its replay");
    assert_eq!((&listed[0]["state"], &listed[0]["channel"]), (&json!("queued"), &json!("sms")));
    assert_eq!(listed[0]["address"], "+46701112233");

    // 46elks is down for the first try: shown, and not retried before the backoff.
    gateway.lock().unwrap().fail_next = true;
    let clock = app.state.clock.clone();
    let run = platsa::messages::send::deliver_due(&app.state.pool, &gw, &clock, 100).await.unwrap();
    assert_eq!((run.sent, run.errors), (0, 1));
    let m = &messages_of(&app, &broker, &seeker).await[0];
    assert_eq!(m["state"], "queued");
    assert_eq!(m["state_text"], "Kunde inte skickas – försöker igen");
    assert_eq!((&m["attempts"][0]["outcome"], &m["attempts"][0]["error"]), (&json!("error"), &json!("HTTP 503")));
    let run = platsa::messages::send::deliver_due(&app.state.pool, &gw, &clock, 100).await.unwrap();
    assert_eq!(run, platsa::messages::send::SendSummary::default(), "waits a minute before trying again");
    let minute_on = platsa::clock::Clock::fixed(clock.now() + chrono::Duration::seconds(61));
    let run = platsa::messages::send::deliver_due(&app.state.pool, &gw, &minute_on, 100).await.unwrap();
    assert_eq!(run.sent, 1);
    let sms = gateway.lock().unwrap().received.clone();
    assert_eq!(sms.len(), 1, "one SMS reached the gateway");
    assert_eq!((sms[0]["to"].as_str(), sms[0]["from"].as_str()), ("+46701112233", "Platsa"));
    assert!(
        sms[0]["message"].contains("Undersköterska till hemtjänsten") && sms[0]["message"].contains("/samtycke/sk_")
    );
    let report = sms[0]["whendelivered"].clone();
    assert!(report.starts_with(&format!("{}/api/v1/messages/delivery/", app.address)), "{report}");
    let m = &messages_of(&app, &broker, &seeker).await[0];
    assert_eq!((&m["state"], &m["state_text"]), (&json!("sent"), &json!("Skickat")));

    // 46elks reports delivery, form-encoded, as documented (once "sent", then "delivered").
    for status in ["sent", "delivered"] {
        let res = app
            .client
            .post(&report)
            .form(&[("id", "s1"), ("status", status), ("delivered", "2026-11-23T09:00:05.000000")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
    }
    let m = &messages_of(&app, &broker, &seeker).await[0];
    assert_eq!((&m["state"], &m["state_text"]), (&json!("delivered"), &json!("Levererat")));
    assert_eq!(m["attempts"].as_array().unwrap().len(), 4, "error, sent, and the two reports");
    // The shortlist shows it beside the consent.
    let page = app.get(&format!("/openings/{opening}"), &broker).await.text().await.unwrap();
    assert!(page.contains("Förfrågan: Levererat"), "the shortlist shows the delivery");
    let profile = app.get(&format!("/seekers/{seeker}"), &broker).await.text().await.unwrap();
    assert!(
        profile.contains("Fråga om samtycke</strong> · SMS · <span class=\"state\">Levererat"),
        "the person's timeline"
    );

    // Replayed once more: nothing new reaches the gateway.
    assert_eq!(request("ask-1").await.status(), 201);
    let run = platsa::messages::send::deliver_due(&app.state.pool, &gw, &minute_on, 100).await.unwrap();
    assert_eq!(run.sent, 0);
    assert_eq!(gateway.lock().unwrap().received.len(), 1, "sent once");
    assert_eq!(messages_of(&app, &broker, &seeker).await.len(), 1);

    // Bad reports: an unknown key is 404, a status 46elks never sends is 422 naming it.
    let res = app
        .client
        .post(app.url("/api/v1/messages/delivery/nosuchkey"))
        .form(&[("status", "delivered")])
        .send()
        .await
        .unwrap();
    assert_problem(res, 404).await;
    let res = app.client.post(&report).form(&[("id", "s1"), ("status", "lost")]).send().await.unwrap();
    assert_field_error(res, "status").await;

    // A request with a new key is a new SMS; its delivery fails: "ring i stället", /readyz.
    assert_eq!(request("ask-2").await.status(), 201);
    let run = platsa::messages::send::deliver_due(&app.state.pool, &gw, &minute_on, 100).await.unwrap();
    assert_eq!(run.sent, 1);
    let second = gateway.lock().unwrap().received[1]["whendelivered"].clone();
    let res = app.client.post(&second).form(&[("id", "s2"), ("status", "failed")]).send().await.unwrap();
    assert_eq!(res.status(), 204);
    // Both were made at the test's one instant: find the new one by its id.
    let all = messages_of(&app, &broker, &seeker).await;
    let m = all.iter().find(|m| m["id"] != listed[0]["id"]).expect("a second message");
    assert_eq!((&m["state"], &m["state_text"]), (&json!("failed"), &json!("Kunde inte skickas – ring i stället")));
    let ready: Value = app.client.get(app.url("/readyz")).send().await.unwrap().json().await.unwrap();
    let check = ready["checks"]["messages"].as_array().unwrap().iter().find(|c| c["channel"] == "sms").unwrap().clone();
    assert_eq!((&check["status"], &check["failed_last_day"]), (&json!("failing"), &json!(1)), "{check}");
    // The broker who asked is signalled: call instead.
    let signals: Value = app.get("/api/v1/signals", &broker).await.json().await.unwrap();
    let failed: Vec<&Value> =
        signals["items"].as_array().unwrap().iter().filter(|s| s["kind"] == "messages_failed").collect();
    assert_eq!(failed.len(), 1, "{signals}");
    assert!(failed[0]["reason"].as_str().unwrap().contains("ring i stället"), "{}", failed[0]);

    // Employers never read messages; the text is erased with the person.
    let (employer_token, _) = app.token("employer", "Omsorgen", Some(o["employer_id"].as_str().unwrap())).await;
    assert_eq!(app.get(&format!("/api/v1/messages?opening_id={opening}"), &employer_token).await.status(), 403);
    let res = app.delete(&format!("/api/v1/seekers/{seeker}"), &app.admin_token).await;
    assert!(res.status().is_success(), "{}", res.status());
    let left = messages_of(&app, &app.admin_token, &seeker).await;
    assert!(left.iter().all(|m| m["text"].is_null() && m["address"].is_null()), "{left:?}");
}

/// Templates are the admins' to word; a placeholder the template does not know, or the link
/// a consent request cannot do without, is refused when saved, naming the field.
#[tokio::test]
async fn admins_word_the_templates_and_placeholders_are_checked() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let all: Value = app.get("/api/v1/message-templates", &broker).await.json().await.unwrap();
    assert_eq!(all.as_array().unwrap().len(), 6);
    let put = |body: Value, token: String| {
        let app = &app;
        async move {
            app.client
                .put(app.url("/api/v1/message-templates/consent_request"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(put(json!({"body": "Hej {fornamn}: {lank}"}), broker.clone()).await.status(), 403);
    let admin = app.admin_token.clone();
    let refused = assert_field_error(put(json!({"body": "Hej {namn}: {lank}"}), admin.clone()).await, "body").await;
    assert_eq!(refused["errors"][0]["code"], "body.unknown");
    let refused = assert_field_error(put(json!({"body": "Hej {fornamn}!"}), admin.clone()).await, "body").await;
    assert_eq!(refused["errors"][0]["code"], "body.required");
    let res = put(json!({"body": "Hej {fornamn}! Får vi visa dig för {tjanst}? Svara: {lank}"}), admin.clone()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["customised"], true);
    assert_eq!(app.get("/api/v1/message-templates/nosuch", &broker).await.status(), 404);

    // The new wording is what the next request says.
    let employer = app.employer("Omsorgen AB", "5560000001", false).await;
    let mut o = opening_body();
    o["employer_id"] = employer.into();
    let o: Value = app.post_json("/api/v1/openings", &broker, &o).await.json().await.unwrap();
    let mut body = seeker_body(&pnr("19900101", 301));
    body["first_name"] = "Ada".into();
    body["phone"] = "0701112233".into();
    let seeker = new_seeker_with(&app, &broker, &body).await;
    let url = format!("/api/v1/openings/{}/shortlist/{seeker}/consent-request", o["id"].as_str().unwrap());
    assert_eq!(app.post_json(&url, &broker, &json!({"deadline": "2026-11-25"})).await.status(), 201);
    let m = &messages_of(&app, &broker, &seeker).await[0];
    assert!(m["text"].as_str().unwrap().starts_with("Hej Ada! Får vi visa dig för Undersköterska"), "{m}");
    // Back to the built-in wording.
    assert_eq!(put(json!({"body": null}), admin).await.json::<Value>().await.unwrap()["customised"], false);
}

/// Texts to many: each chosen person gets the invitation by SMS, except one without a mobile
/// number and one who answered STOP, who are listed; the same request again sends nothing new.
#[tokio::test]
async fn texts_to_many_skip_people_without_a_phone_and_those_who_said_stop() {
    let app = spawn_app().await;
    let (broker, broker_id) = app.token("broker", "Britt", None).await;
    let mut ids = Vec::new();
    for i in 0..4u32 {
        let mut body = seeker_body(&pnr("19900101", 310 + i));
        body["broker_id"] = broker_id.clone().into();
        body["phone"] = if i == 3 { Value::Null } else { format!("07011122{i}{i}").into() };
        if i == 3 {
            body["email"] = "utan.mobil@example.se".into();
        }
        ids.push(new_seeker_with(&app, &broker, &body).await);
    }
    let res = app
        .client
        .put(app.url(&format!("/api/v1/seekers/{}/sms-stop", ids[2])))
        .bearer_auth(&broker)
        .json(&json!({"stopped": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let send = || {
        let (app, broker, ids) = (&app, &broker, &ids);
        async move {
            app.client
                .post(app.url("/api/v1/messages/bulk"))
                .bearer_auth(broker)
                .header("Idempotency-Key", "invite-1")
                .json(&json!({"template": "invitation", "seeker_ids": ids, "tid": "tisdag kl. 10", "plats": "Jobbcenter"}))
                .send()
                .await
                .unwrap()
        }
    };
    let res = send().await;
    assert_eq!(res.status(), 201);
    let r: Value = res.json().await.unwrap();
    assert_eq!((r["queued"].as_u64(), r["skipped"].as_u64()), (Some(2), Some(2)), "{r}");
    let why: Vec<(String, Value)> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["seeker_id"].as_str().unwrap().to_string(), i["skipped"].clone()))
        .collect();
    assert!(why.contains(&(ids[2].clone(), json!("stopped"))));
    assert!(why.contains(&(ids[3].clone(), json!("no_phone"))));
    let again: Value = send().await.json().await.unwrap();
    let first: Vec<&Value> = r["items"].as_array().unwrap().iter().map(|i| &i["message_id"]).collect();
    let second: Vec<&Value> = again["items"].as_array().unwrap().iter().map(|i| &i["message_id"]).collect();
    assert_eq!(first, second, "the same key queues nothing new");
    let m = &messages_of(&app, &broker, &ids[0]).await[0];
    assert!(m["text"].as_str().unwrap().contains("tisdag kl. 10, Jobbcenter"), "{m}");
    let res = app
        .post_json("/api/v1/messages/bulk", &broker, &json!({"template": "consent_request", "seeker_ids": ids}))
        .await;
    assert_field_error(res, "template").await;
}

/// People presented on an opening: its employer's contact person gets one e-mail saying how
/// many, with the link to the presented list and nothing about the people themselves.
#[tokio::test]
async fn the_employer_hears_of_new_candidates_without_their_names() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let employer = app.employer("Omsorgen AB", "5560000001", false).await;
    let contact = json!({"name": "Eva Ek", "role": "Enhetschef", "email": "eva.ek@omsorgen.se"});
    assert_eq!(app.post_json(&format!("/api/v1/employers/{employer}/contacts"), &broker, &contact).await.status(), 201);
    let opening = new_opening(&app, &broker, &employer, "Undersköterska").await;
    for i in 0..2u32 {
        let mut body = seeker_body(&pnr("19900101", 320 + i));
        body["first_name"] = ["Amira", "Johan"][i as usize].into();
        let seeker = new_seeker_with(&app, &broker, &body).await;
        presented(&app, &broker, &opening, &seeker).await;
    }
    let list: Value = app.get(&format!("/api/v1/messages?opening_id={opening}"), &broker).await.json().await.unwrap();
    let notices: Vec<&Value> =
        list["items"].as_array().unwrap().iter().filter(|m| m["template"] == "employer_candidates").collect();
    assert_eq!(notices.len(), 1, "one notice gathers both: {list}");
    let n = notices[0];
    assert_eq!(
        (&n["channel"], &n["recipient"], &n["address"]),
        (&json!("email"), &json!("employer"), &json!("eva.ek@omsorgen.se"))
    );
    let text = n["text"].as_str().unwrap();
    assert!(
        text.starts_with("2 nya kandidater")
            && text.contains(&format!("/api/v1/openings/{opening}/candidates/presented")),
        "{text}"
    );
    assert!(!text.contains("Amira") && !text.contains("Johan"), "no personal data in the notice: {text}");
    assert!(n["seeker_id"].is_null());
}

/// A consent request an earlier version left waiting in the old delivery loop becomes a
/// message at the next start, once; nothing is lost in the upgrade.
#[tokio::test]
async fn waiting_requests_of_the_old_delivery_loop_become_messages() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let employer = app.employer("Omsorgen AB", "5560000001", false).await;
    let opening = new_opening(&app, &broker, &employer, "Undersköterska").await;
    let mut body = seeker_body(&pnr("19900101", 330));
    body["phone"] = "0701112233".into();
    let seeker = new_seeker_with(&app, &broker, &body).await;
    let url = format!("/api/v1/openings/{opening}/shortlist/{seeker}/consent-request");
    assert_eq!(app.post_json(&url, &broker, &json!({"deadline": "2026-11-25"})).await.status(), 201);
    // As the old version left it: no message, a pending delivery naming the request.
    let now = app.state.clock.now_ts();
    let adopted = platsa::db::run(&app.state.pool, move |c| {
        use diesel::prelude::*;
        use platsa::db::schema::{consent_messages, messages};
        let request: String = consent_messages::table.select(consent_messages::id).first(c)?;
        diesel::delete(messages::table).execute(c)?;
        let key = platsa::deliveries::key(platsa::deliveries::Channel::Consent, &request);
        platsa::deliveries::queue(c, (platsa::deliveries::Channel::Consent, &key, &request), "", now, now)?;
        let first = platsa::shortlist::adopt_waiting_requests(c, now)?;
        let again = platsa::shortlist::adopt_waiting_requests(c, now)?;
        Ok((first, again))
    })
    .await
    .unwrap();
    assert_eq!(adopted, (1, 0), "adopted once");
    let m = &messages_of(&app, &broker, &seeker).await;
    assert_eq!(m.len(), 1);
    assert!(m[0]["text"].as_str().unwrap().contains("/samtycke/sk_") && m[0]["state"] == "queued", "{m:?}");
}
