//! The journal: entries with a next contact, read (audited) through the API and on the
//! seeker's page, due contacts under "Att göra", erased with the person.

use reqwest::header::COOKIE;
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn journal_entries_plan_the_next_contact_and_leave_with_the_person() {
    let app = spawn_app().await;
    let (broker, broker_id) = app.token("broker", "Britt", None).await;
    let mut body = seeker_body(&pnr("19880808", 41));
    body["broker_id"] = broker_id.into();
    let seeker: Value = app.post_json("/api/v1/seekers", &broker, &body).await.json().await.unwrap();
    let seeker = seeker["id"].as_str().unwrap().to_string();
    let url = format!("/api/v1/seekers/{seeker}/journal");

    // Today is 2026-11-23 (the test clock): a call, with the next contact planned for today.
    let entry = json!({"kind": "call", "text": "Pratade om truckkort.\nRinger igen.", "next_contact_on": "2026-11-23"});
    let res = app.post_json(&url, &broker, &entry).await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["kind"], "call");
    assert_eq!(created["by"], "Britt");
    assert_eq!(created["next_contact_on"], "2026-11-23");

    // Each rule names its field with a code.
    for (bad, field, code) in [
        (json!({"kind": "fax", "text": "x"}), "kind", "kind.unknown"),
        (json!({"kind": "note", "text": "  "}), "text", "text.required"),
        (
            json!({"kind": "note", "text": "x", "next_contact_on": "2026-11-20"}),
            "next_contact_on",
            "next_contact_on.past",
        ),
        (json!({"kind": "note", "text": "x", "at": "2027-01-01T10:00:00+01:00"}), "at", "at.future"),
        (json!({"kind": "note", "text": "a\u{0}b"}), "text", "text.character"),
    ] {
        let body = assert_problem(app.post_json(&url, &broker, &bad).await, 422).await;
        assert_eq!(body["errors"][0]["field"], field, "{body}");
        assert_eq!(body["errors"][0]["code"], code, "{body}");
    }
    let (manager, _) = app.token("manager", "Maja", None).await;
    assert_problem(app.post_json(&url, &manager, &entry).await, 403).await;
    assert_problem(app.get(&url, &manager).await, 403).await;
    assert_problem(app.get("/api/v1/seekers/nobody/journal", &broker).await, 404).await;

    // Read back, newest first, and audited.
    let list: Value = app.get(&url, &broker).await.json().await.unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["text"], "Pratade om truckkort.\nRinger igen.");
    let audit: Value =
        app.get(&format!("/api/v1/audit?seeker_id={seeker}"), &app.admin_token).await.json().await.unwrap();
    assert!(audit["items"].as_array().unwrap().iter().any(|a| a["action"] == "GET /api/v1/seekers/{id}/journal"));

    // The start page lists the due contact under "Att göra" …
    let start = app.get("/", &broker).await.text().await.unwrap();
    let todo = start.split("id=\"todo\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(todo.contains(&format!("/seekers/{seeker}")), "{todo}");
    // … until a later entry records the contact.
    let (session, csrf) = crate::web::sign_in(&app, &broker).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = client
        .post(app.url(&format!("/seekers/{seeker}/journal")))
        .header(COOKIE, &session)
        .form(&[("csrf", csrf.as_str()), ("kind", "meeting"), ("text", "Möte på jobbtorget"), ("next_contact_on", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "Post/Redirect/Get");
    assert_eq!(res.headers()["location"], format!("/seekers/{seeker}?noted=1"));
    let page =
        client.get(app.url(&format!("/seekers/{seeker}?noted=1"))).header(COOKIE, &session).send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("Sparat i journalen") && page.contains("Möte på jobbtorget") && page.contains("Samtal"));
    let start = app.get("/", &broker).await.text().await.unwrap();
    let todo = start.split("id=\"todo\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(!todo.contains(&format!("/seekers/{seeker}")), "{todo}");

    // Erasure takes the text with the person.
    assert_eq!(app.delete(&format!("/api/v1/seekers/{seeker}"), &app.admin_token).await.status(), 204);
    assert_problem(app.get(&url, &broker).await, 404).await;
    let id = seeker.clone();
    let texts = platsa::db::run(&app.state.pool, move |c| {
        use diesel::prelude::*;
        use platsa::db::schema::journal_entries;
        Ok(journal_entries::table
            .filter(journal_entries::seeker_id.eq(&id))
            .select(journal_entries::text)
            .load::<Option<String>>(c)?)
    })
    .await
    .unwrap();
    assert!(texts.len() == 2 && texts.iter().all(Option::is_none), "{texts:?}");
}
