//! Working with employers: contacts, the shortlist before proposing, the person's consent
//! before anything is shared, and the employer's answer about a presented person.

use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn contacts_are_kept_by_brokers_and_by_the_employer_itself() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let (manager, _) = app.token("manager", "Maja", None).await;
    let employer = app.employer("Omsorgen AB", "5560000001", false).await;
    let other = app.employer("Hamnen AB", "556036-0793", false).await;
    let (own, _) = app.token("employer", "Omsorgen", Some(&employer)).await;
    let url = format!("/api/v1/employers/{employer}/contacts");

    let res = app
        .post_json(
            &url,
            &broker,
            &json!({"name": "Eva Ek", "role": "Enhetschef", "phone": "040-123 45 67", "email": "Eva.Ek@Omsorgen.se"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let eva: Value = res.json().await.unwrap();
    assert_eq!((eva["phone"].as_str(), eva["email"].as_str()), (Some("0401234567"), Some("eva.ek@omsorgen.se")));
    let res = app.post_json(&url, &own, &json!({"name": "Ali Nour", "role": "Rekryterare"})).await;
    assert_eq!(res.status(), 201, "an employer keeps its own contacts");
    let list: Value = app.get(&url, &manager).await.json().await.unwrap();
    assert_eq!(list["total"], 2, "managers read");
    assert_problem(app.post_json(&url, &manager, &json!({"name": "X"})).await, 403).await;
    let (other_token, _) = app.token("employer", "Hamnen", Some(&other)).await;
    assert_problem(app.get(&url, &other_token).await, 404).await;

    let one = format!("{url}/{}", eva["id"].as_str().unwrap());
    let res = app.patch_json(&one, &broker, &json!({"phone": null, "role": "Verksamhetschef"})).await;
    let patched: Value = res.json().await.unwrap();
    assert_eq!((patched["phone"].is_null(), patched["role"].as_str()), (true, Some("Verksamhetschef")));
    assert_field_error(app.patch_json(&one, &broker, &json!({"email": "not-an-address"})).await, "email").await;
    assert_field_error(app.post_json(&url, &broker, &json!({"name": ""})).await, "name").await;
    assert_eq!(app.delete(&one, &broker).await.status(), 204);
    assert_problem(app.delete(&one, &broker).await, 404).await;
    assert_problem(app.get("/api/v1/employers/nobody/contacts", &broker).await, 404).await;
}

struct World {
    app: TestApp,
    broker: String,
    employer: String,
    employer_id: String,
    opening: String,
    anna: String,
    bo: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let employer_id = app.employer("Omsorgen AB", "5560000001", false).await;
    let (employer, _) = app.token("employer", "Omsorgen", Some(&employer_id)).await;
    let o: Value = app.post_json("/api/v1/openings", &employer, &opening_body()).await.json().await.unwrap();
    let mut ids = Vec::new();
    for (i, first) in ["Anna", "Bo"].iter().enumerate() {
        let mut body = seeker_body(&pnr("19900101", 300 + i as u32));
        body["first_name"] = (*first).into();
        body["phone"] = "0701112233".into();
        let s: Value = app.post_json("/api/v1/seekers", &broker, &body).await.json().await.unwrap();
        ids.push(s["id"].as_str().unwrap().to_string());
    }
    World {
        app,
        broker,
        employer,
        employer_id,
        opening: o["id"].as_str().unwrap().to_string(),
        anna: ids[0].clone(),
        bo: ids[1].clone(),
    }
}

async fn put_consent(w: &World, seeker: &str, body: Value) -> reqwest::Response {
    let url = format!("/api/v1/openings/{}/shortlist/{seeker}/consent", w.opening);
    w.app.client.put(w.app.url(&url)).bearer_auth(&w.broker).json(&body).send().await.unwrap()
}

async fn propose(w: &World, seeker: &str) -> String {
    let body = json!({"seeker_id": seeker, "opening_id": w.opening, "kind": "employment"});
    let p: Value = w.app.post_json("/api/v1/placements", &w.broker, &body).await.json().await.unwrap();
    p["id"].as_str().unwrap().to_string()
}

async fn present(w: &World, placement: &str) -> reqwest::Response {
    let url = format!("/api/v1/placements/{placement}/transitions");
    w.app.post_json(&url, &w.broker, &json!({"to": "presented", "at": "2026-11-23"})).await
}

#[tokio::test]
async fn the_shortlist_keeps_status_and_note_per_person() {
    let w = world().await;
    let url = format!("/api/v1/openings/{}/shortlist", w.opening);
    let res = w.app.post_json(&url, &w.broker, &json!({"seeker_id": w.anna, "note": "Ringer i morgon"})).await;
    assert_eq!(res.status(), 201);
    let entry: Value = res.json().await.unwrap();
    assert_eq!((entry["status"].as_str(), entry["consent"].is_null()), (Some("considering"), true));
    let again = assert_problem(w.app.post_json(&url, &w.broker, &json!({"seeker_id": w.anna})).await, 409).await;
    assert_eq!(again["code"], "conflict.duplicate");
    let res = w
        .app
        .post_json(
            &url,
            &w.broker,
            &json!({"seeker_id": w.bo, "status": "not_interested", "note": "Vill inte arbeta natt"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    // Changed with the seeker in the path, or in the body.
    let one = format!("{url}/{}", w.anna);
    let changed: Value = w.app.patch_json(&one, &w.broker, &json!({"status": "contacted"})).await.json().await.unwrap();
    assert_eq!((changed["status"].as_str(), changed["note"].as_str()), (Some("contacted"), Some("Ringer i morgon")));
    let changed: Value = w
        .app
        .patch_json(&url, &w.broker, &json!({"seeker_id": w.anna, "status": "suitable"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["status"], "suitable");
    assert_field_error(w.app.patch_json(&one, &w.broker, &json!({"status": "maybe"})).await, "status").await;
    assert_field_error(w.app.post_json(&url, &w.broker, &json!({"note": "vem?"})).await, "seeker_id").await;
    let list: Value = w.app.get(&url, &w.broker).await.json().await.unwrap();
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["first_name"], "Anna");
    assert_problem(w.app.get(&url, &w.employer).await, 403).await;
}

#[tokio::test]
async fn only_a_person_who_consented_is_presented_and_seen_by_the_employer() {
    let w = world().await;
    let (anna_p, bo_p) = (propose(&w, &w.anna).await, propose(&w, &w.bo).await);
    // Without consent: refused, and nothing changed.
    let refused = assert_problem(present(&w, &anna_p).await, 409).await;
    assert_eq!(refused["code"], "conflict.no_consent");

    // Anna said yes on the phone; Bo is asked through a link.
    let given: Value = put_consent(&w, &w.anna, json!({"state": "given", "how": "phone", "note": "Ringde 10.15"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(given["state"], "given");
    assert_eq!(given["history"][0]["how"], "phone");
    let url = format!("/api/v1/openings/{}/shortlist/{}/consent-request", w.opening, w.bo);
    let res = w.app.post_json(&url, &w.broker, &json!({"deadline": "2026-11-27"})).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    assert_field_error(w.app.post_json(&url, &w.broker, &json!({"deadline": "2026-11-01"})).await, "deadline").await;
    assert_field_error(put_consent(&w, &w.bo, json!({"state": "requested", "how": "phone"})).await, "state").await;
    assert_eq!(present(&w, &anna_p).await.status(), 200);
    let refused = assert_problem(present(&w, &bo_p).await, 409).await;
    assert_eq!(refused["code"], "conflict.no_consent", "a request is not a consent");

    // The employer sees Anna, with what her consent covers, and answers.
    let presented = format!("/api/v1/openings/{}/candidates/presented", w.opening);
    let seen: Value = w.app.get(&presented, &w.employer).await.json().await.unwrap();
    assert_eq!(seen["total"], 1);
    assert_eq!(
        (seen["items"][0]["first_name"].as_str(), seen["items"][0]["phone"].as_str()),
        (Some("Anna"), Some("0701112233"))
    );
    assert!(seen["items"][0].get("seeker_id").is_none(), "no internal ids");
    let feedback = format!("{presented}/{anna_p}/feedback");
    let res =
        w.app.post_json(&feedback, &w.employer, &json!({"answer": "suitable", "note": "Kallar till intervju"})).await;
    assert_eq!(res.status(), 201);
    assert_field_error(w.app.post_json(&feedback, &w.employer, &json!({"answer": "maybe"})).await, "answer").await;
    assert_problem(
        w.app.post_json(&format!("{presented}/{bo_p}/feedback"), &w.employer, &json!({"answer": "suitable"})).await,
        404,
    )
    .await;
    assert_problem(w.app.post_json(&feedback, &w.broker, &json!({"answer": "hired"})).await, 403).await;
    let seen: Value = w.app.get(&presented, &w.broker).await.json().await.unwrap();
    assert_eq!(seen["items"][0]["feedback"]["answer"], "suitable");
    // Every employer read of the person is audited.
    let audit: Value =
        w.app.get(&format!("/api/v1/audit?seeker_id={}", w.anna), &w.app.admin_token).await.json().await.unwrap();
    assert!(audit["items"].as_array().unwrap().iter().any(|e| e["role"] == "employer"), "{audit}");

    // Withdrawn: hidden from the employer at once, on both of its views.
    let withdrawn: Value =
        put_consent(&w, &w.anna, json!({"state": "withdrawn", "how": "letter"})).await.json().await.unwrap();
    assert_eq!(withdrawn["history"].as_array().unwrap().len(), 2);
    let seen: Value = w.app.get(&presented, &w.employer).await.json().await.unwrap();
    assert_eq!(seen["total"], 0);
    let placements: Value =
        w.app.get(&format!("/api/v1/openings/{}/placements", w.opening), &w.employer).await.json().await.unwrap();
    assert!(placements["items"].as_array().unwrap().iter().all(|p| p["first_name"].is_null()), "{placements}");
    assert_problem(w.app.post_json(&feedback, &w.employer, &json!({"answer": "hired"})).await, 404).await;

    // The employer page lists both placements under the opening's headline.
    let page = w.app.get(&format!("/employers/{}", w.employer_id), &w.broker).await.text().await.unwrap();
    assert_eq!(page.matches("Undersköterska till hemtjänsten").count(), 3, "the opening, and each placement on it");
}

/// The person answers through their link; the request reaches the gateway (a local server)
/// with the link; after the deadline the request reads `expired`.
#[tokio::test]
async fn a_consent_request_is_sent_and_answered_through_the_link() {
    use actix_web::{App, HttpResponse, HttpServer, web};
    use std::sync::{Arc, Mutex};
    let calls: Arc<Mutex<Vec<Value>>> = Arc::default();
    let c = calls.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let c = c.clone();
        App::new().route(
            "/sms",
            web::post().to(move |body: web::Json<Value>| {
                let c = c.clone();
                async move {
                    c.lock().unwrap().push(body.into_inner());
                    HttpResponse::Ok().finish()
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    let hook = format!("http://127.0.0.1:{port}/sms");
    // The app itself has no webhook, so its 30-second schedule cannot send first (on a loaded
    // machine it could); the test sends with the webhook named.
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let employer = app.employer("Omsorgen AB", "5560000001", false).await;
    let mut o = opening_body();
    o["employer_id"] = employer.into();
    let o: Value = app.post_json("/api/v1/openings", &broker, &o).await.json().await.unwrap();
    let mut body = seeker_body(&pnr("19900101", 300));
    body["phone"] = "0701112233".into();
    let s: Value = app.post_json("/api/v1/seekers", &broker, &body).await.json().await.unwrap();
    let (opening, seeker) = (o["id"].as_str().unwrap(), s["id"].as_str().unwrap());
    let url = format!("/api/v1/openings/{opening}/shortlist/{seeker}/consent-request");
    assert_eq!(app.post_json(&url, &broker, &json!({"deadline": "2026-11-25"})).await.status(), 201);
    // Queued as a message: /readyz shows it waiting, and that no gateway is set.
    let sms_check = || async {
        let ready: Value = app.client.get(app.url("/readyz")).send().await.unwrap().json().await.unwrap();
        ready["checks"]["messages"].as_array().unwrap().iter().find(|d| d["channel"] == "sms").unwrap().clone()
    };
    let waiting = sms_check().await;
    assert_eq!((waiting["overdue"].as_i64(), &waiting["status"]), (Some(1), &json!("behind")), "{waiting}");
    assert_eq!(waiting["gateway_configured"], false);

    let gw = webhook_gateways(&hook);
    let sent = platsa::messages::send::deliver_due(&app.state.pool, &gw, &app.state.clock, 100).await.unwrap();
    assert_eq!(sent.sent, 1);
    assert_eq!(sms_check().await["overdue"], 0);
    let text = {
        let calls = calls.lock().unwrap();
        assert_eq!(calls[0]["to"], "+46701112233");
        assert_eq!(calls[0]["template"], "consent_request");
        calls[0]["text"].as_str().unwrap().to_string()
    };
    assert!(text.contains("Undersköterska till hemtjänsten"), "{text}");
    let path = text
        .split_once("/samtycke/")
        .map(|(_, t)| format!("/samtycke/{}", t.split_whitespace().next().unwrap()))
        .unwrap();
    let again = platsa::messages::send::deliver_due(&app.state.pool, &gw, &app.state.clock, 100).await.unwrap();
    assert_eq!(again.sent, 0, "sent once");

    // The page names the opening and the employer, nothing about the person.
    let page = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let (csrf_cookie, csrf) = anonymous_csrf(&page);
    let html = page.text().await.unwrap();
    assert!(html.contains("Undersköterska till hemtjänsten") && html.contains("Omsorgen AB"));
    assert!(!html.contains("0701112233"));
    let res = app
        .client
        .post(app.url(&path))
        .header(reqwest::header::COOKIE, csrf_cookie)
        .form(&[("csrf", csrf.as_str()), ("answer", "given")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let consent: Value =
        app.get(&format!("/api/v1/openings/{opening}/shortlist/{seeker}/consent"), &broker).await.json().await.unwrap();
    assert_eq!(consent["state"], "given");
    assert_eq!(consent["history"][1]["how"], "digital");
    assert!(consent["history"][1]["by"].is_null(), "the person answered themselves");
    assert_eq!(app.client.get(app.url("/samtycke/sk_nothing")).send().await.unwrap().status(), 404);

    // A request nobody answers expires after its deadline.
    let mut other = seeker_body(&pnr("19900101", 301));
    other["phone"] = "0709998877".into();
    let s2: Value = app.post_json("/api/v1/seekers", &broker, &other).await.json().await.unwrap();
    let url = format!("/api/v1/openings/{opening}/shortlist/{}/consent-request", s2["id"].as_str().unwrap());
    assert_eq!(app.post_json(&url, &broker, &json!({"deadline": "2026-11-23"})).await.status(), 201);
    let thursday = app.at_clock("2026-11-26T10:00:00+01:00").await;
    let url = format!("/api/v1/openings/{opening}/shortlist/{}/consent", s2["id"].as_str().unwrap());
    let consent: Value = thursday.get(&url, &broker).await.json().await.unwrap();
    assert_eq!(consent["state"], "expired");
}

/// The openings list as brokers work it: sorted by deadline, publication or vacancies,
/// filtered by municipality and occupation by name, with the employer named; "Mina annonser"
/// are the ones the broker took responsibility for.
#[tokio::test]
async fn openings_are_sorted_filtered_by_name_and_taken_responsibility_for() {
    let app = spawn_app().await;
    let (broker, broker_id) = app.token("broker", "Britt", None).await;
    let (manager, manager_id) = app.token("manager", "Maja", None).await;
    let employer = app.employer("Omsorgen AB", "5560000001", false).await;
    let mut ids = Vec::new();
    for (headline, deadline, vacancies, municipality) in [
        ("Sent", "2026-12-30", 1, "1287"),
        ("Snart", "2026-12-01", 3, "1280"),
        ("Mitt emellan", "2026-12-15", 2, "1287"),
    ] {
        let mut o = opening_body();
        o["employer_id"] = employer.clone().into();
        o["headline"] = headline.into();
        o["application_deadline"] = deadline.into();
        o["number_of_vacancies"] = vacancies.into();
        o["workplace_address"]["municipality_code"] = municipality.into();
        let o: Value = app.post_json("/api/v1/openings", &broker, &o).await.json().await.unwrap();
        ids.push(o["id"].as_str().unwrap().to_string());
    }
    let headlines = |v: Value| {
        v["items"].as_array().unwrap().iter().map(|o| o["headline"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    let by = |sort: &str| format!("/api/v1/openings?sort={sort}");
    assert_eq!(
        headlines(app.get(&by("deadline"), &broker).await.json().await.unwrap()),
        ["Snart", "Mitt emellan", "Sent"]
    );
    assert_eq!(
        headlines(app.get(&by("vacancies"), &broker).await.json().await.unwrap()),
        ["Snart", "Mitt emellan", "Sent"]
    );
    assert_eq!(headlines(app.get(&by("published"), &broker).await.json().await.unwrap())[0], "Mitt emellan");
    assert_field_error(app.get(&by("price"), &broker).await, "sort").await;
    assert_eq!(
        headlines(app.get("/api/v1/openings?occupation=53", &broker).await.json().await.unwrap()).len(),
        3,
        "any SSYK level"
    );

    // Responsibility: a broker, not anyone else.
    let url = format!("/api/v1/openings/{}/broker", ids[2]);
    let res =
        app.client.put(app.url(&url)).bearer_auth(&broker).json(&json!({"broker_id": broker_id})).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["broker_id"], broker_id.as_str());
    let res = app
        .client
        .put(app.url(&url))
        .bearer_auth(&broker)
        .json(&json!({"broker_id": manager_id}))
        .send()
        .await
        .unwrap();
    assert_field_error(res, "broker_id").await;
    let res =
        app.client.put(app.url(&url)).bearer_auth(&manager).json(&json!({"broker_id": null})).send().await.unwrap();
    assert_problem(res, 403).await;
    let mine: Value = app.get(&format!("/api/v1/openings?broker_id={broker_id}"), &broker).await.json().await.unwrap();
    assert_eq!(headlines(mine), ["Mitt emellan"]);

    // The page: names, not codes; the employer named; mine.
    let picked =
        "Undersköterskor, hemtjänst, hemsjukvård och äldreboende (5321)".replace(' ', "%20").replace(',', "%2C");
    let page = app.get(&format!("/openings?municipality=Trelleborg&occupation={picked}&sort=deadline"), &broker).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Mitt emellan") && html.contains("Sent") && !html.contains("Snart"), "Trelleborg only");
    assert!(html.find("Mitt emellan") < html.find(">Sent<"), "soonest deadline first");
    assert!(html.contains("Omsorgen AB"), "the employer column");
    let mine = app.get("/openings?mine=1", &broker).await.text().await.unwrap();
    assert!(mine.contains("Mina annonser") && mine.contains("Mitt emellan") && !mine.contains(">Sent<"));
    let unknown = app.get("/openings?municipality=Atlantis", &broker).await.text().await.unwrap();
    assert!(unknown.contains("Filtret"), "a name that matches nothing is named");
}

/// The candidate list narrows by home municipality, licence, language and availability.
#[tokio::test]
async fn candidates_are_filtered_by_place_licence_language_and_availability() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let employer = app.employer("Omsorgen AB", "5560000001", false).await;
    let mut o = opening_body();
    o["employer_id"] = employer.into();
    o["must_have"] = json!({});
    let o: Value = app.post_json("/api/v1/openings", &broker, &o).await.json().await.unwrap();
    let opening = o["id"].as_str().unwrap().to_string();
    for (i, (first, licences, languages, municipality, available)) in [
        (
            "Ali",
            json!(["B"]),
            json!([{"code": "ar", "level": "native"}, {"code": "sv", "level": "good"}]),
            "1287",
            "2026-12-01",
        ),
        ("Berit", json!([]), json!([{"code": "sv", "level": "native"}]), "1280", "2027-03-01"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut s = seeker_body(&pnr("19900101", 300 + i as u32));
        s["first_name"] = first.into();
        s["driving_licences"] = licences;
        s["languages"] = languages;
        s["municipality_code"] = municipality.into();
        s["available_from"] = available.into();
        s["max_commute_km"] = 100.into();
        assert_eq!(app.post_json("/api/v1/seekers", &broker, &s).await.status(), 201);
    }
    let url = format!("/api/v1/openings/{opening}/candidates");
    search_until(&app, &url, &broker, 2).await;
    let names = |v: Value| {
        v["items"].as_array().unwrap().iter().map(|c| c["first_name"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    for (query, expect) in [
        ("licence=B", vec!["Ali"]),
        ("language=ar", vec!["Ali"]),
        ("municipality=1280", vec!["Berit"]),
        ("available_before=2027-01-01", vec!["Ali"]),
        ("language=sv&municipality=1287", vec!["Ali"]),
    ] {
        let found: Value = app.get(&format!("{url}?{query}"), &broker).await.json().await.unwrap();
        assert_eq!(names(found.clone()), expect, "{query}");
        assert_eq!(found["total"], expect.len(), "{query}");
    }
    assert_field_error(app.get(&format!("{url}?licence=Q"), &broker).await, "licence").await;
    assert_field_error(app.get(&format!("{url}?language=klingon"), &broker).await, "language").await;
    // The page takes names.
    let html = app
        .get(&format!("/openings/{opening}?municipality=Malm%C3%B6&language=Svenska"), &broker)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Berit") && !html.contains("Ali "), "Malmö and Swedish");
}
