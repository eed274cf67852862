//! Mina sidor: the person signs in with e-legitimation (the certified provider started by
//! this test run) and sees and acts on their own case, through `/api/v1/me/…`; another
//! person's session reaches none of it; a request for review becomes the manager's signal.

use serde_json::{Value, json};

use crate::helpers::*;
use crate::identity::{PNR_CLAIM, account, answer, browser, citizen_settings, providers, through_provider};

/// One person's case, and a second person who shares the opening, the officer and the unit.
pub struct Case {
    pub broker: String,
    pub seeker: String,
    pub personnummer: String,
    pub other_seeker: String,
    pub other_personnummer: String,
    /// The opening both were presented for.
    pub opening: String,
    /// An opening the person is asked about (consent requested).
    pub asked: String,
    pub decline: String,
    pub booking: String,
    pub other_booking: String,
    pub employer_token: String,
}

/// A person with a meeting booked, a plan with an activity and a recorded day, an
/// unjustified decline, a journal entry, a presentation and a pending consent request; and a
/// second person with the same opening, officer and unit.
pub async fn case(app: &TestApp, serial: u32) -> Case {
    let (broker, broker_id) = app.token("broker", "Britt Mäklare", None).await;
    let officer: Value = app
        .post_json(
            "/api/v1/officers",
            &app.admin_token,
            &json!({"name": "Olle Sekreterare", "unit": "Jobbcenter Trelleborg", "meeting_minutes": 45,
                    "weekly_hours": {"tue": [["09:00", "12:00"]], "wed": [["09:00", "12:00"]]}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(officer["id"].is_string(), "{officer}");
    let person = |pnr: &str, first: &str, last: &str, summary: &str| {
        let mut body = seeker_body(pnr);
        body["first_name"] = first.into();
        body["last_name"] = last.into();
        body["summary"] = summary.into();
        body["broker_id"] = broker_id.clone().into();
        body
    };
    let personnummer = pnr("19880808", serial);
    let other_personnummer = pnr("19770707", serial);
    let seeker =
        new_seeker_with(app, &broker, &person(&personnummer, "Amira", "Hassan", "Undersköterska i sex år.")).await;
    let other_seeker =
        new_seeker_with(app, &broker, &person(&other_personnummer, "Zlatan", "Grannsson", "Grannens egna ord.")).await;
    let employer = app.employer("Hemtjänsten Söder AB", "556036-0793", false).await;
    let (employer_token, _) = app.token("employer", "Eva Arbetsgivare", Some(&employer)).await;
    let opening = new_opening(app, &broker, &employer, "Undersköterska till hemtjänsten").await;
    let asked = new_opening(app, &broker, &employer, "Vårdbiträde på natten").await;
    presented(app, &broker, &opening, &seeker).await;
    presented(app, &broker, &opening, &other_seeker).await;
    let res = app
        .post_json(
            &format!("/api/v1/openings/{asked}/shortlist/{seeker}/consent-request"),
            &broker,
            &json!({"deadline": "2026-12-01"}),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());

    // The plan, an activity with a recorded day, an unjustified decline, a journal entry.
    let res = app
        .client
        .put(app.url(&format!("/api/v1/seekers/{seeker}/plan")))
        .bearer_auth(&broker)
        .json(&json!({"goal": "work", "goal_text": "Arbete inom vården", "occupation": "5321", "hours_per_week": 20,
                      "start_date": "2026-11-02", "review_date": "2027-01-15", "agreed_on": "2026-11-02",
                      "agreed_how": "in_person"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let activity: Value = app
        .post_json(
            &format!("/api/v1/seekers/{seeker}/activities"),
            &broker,
            &json!({"kind": "praktik", "title": "Praktik på äldreboende", "provider": "Solgården",
                    "hours_per_week": 20, "weekdays": [1, 2, 3, 4, 5], "from": "2026-11-02"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .client
        .put(app.url(&format!("/api/v1/activities/{}/attendance/2026-11-20", activity["id"].as_str().unwrap())))
        .bearer_auth(&broker)
        .json(&json!({"state": "absent_invalid", "note": "Kom inte, hörde inte av sig"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let decline: Value = app
        .post_json(
            &format!("/api/v1/seekers/{seeker}/declines"),
            &broker,
            &json!({"what": "activity", "date": "2026-11-19", "reason": "Ville inte börja", "justified": false}),
        )
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .post_json(
            &format!("/api/v1/seekers/{seeker}/journal"),
            &broker,
            &json!({"kind": "call", "text": "Pratade om praktiken i telefon."}),
        )
        .await;
    assert_eq!(res.status(), 201);

    // Each applied and booked a meeting with the same officer; staff linked each application.
    let (officer_token, _) = app.token("officer", "Olle Sekreterare", None).await;
    let mut bookings = Vec::new();
    for (pnr, id) in [(&personnummer, &seeker), (&other_personnummer, &other_seeker)] {
        let applied: Value = app
            .client
            .post(app.url("/api/v1/applications"))
            .json(&json!({"personnummer": pnr, "first_name": "A", "last_name": "B", "phone": "0701112233"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let slot = &applied["offered_slots"][bookings.len()];
        let booked: Value = app
            .client
            .post(app.url(&format!("/api/v1/applications/{}/booking", applied["id"].as_str().unwrap())))
            .json(&json!({"token": applied["booking_token"], "slot_id": slot["id"]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        bookings.push(booked["booking"]["id"].as_str().unwrap_or_else(|| panic!("{booked}")).to_string());
        let res = app
            .post_json(
                &format!("/api/v1/applications/{}/identity", applied["id"].as_str().unwrap()),
                &officer_token,
                &json!({"seeker_id": id}),
            )
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
    Case {
        broker,
        seeker,
        personnummer,
        other_seeker,
        other_personnummer,
        opening,
        asked,
        decline: decline["id"].as_str().unwrap().to_string(),
        booking: bookings[0].clone(),
        other_booking: bookings[1].clone(),
        employer_token,
    }
}

/// A browser signed in to Mina sidor as the person with this personnummer.
async fn signed_in(app: &TestApp, personnummer: &str, given: &str) -> reqwest::Client {
    let sub = format!("eid-{}", uuid::Uuid::new_v4());
    account(&sub, json!({"given_name": given, "family_name": "Testsson", PNR_CLAIM: personnummer})).await;
    let b = browser();
    let url = through_provider(&b, app, "/mina-sidor", &sub).await;
    assert!(url.contains("/mina-sidor/callback"), "{url}");
    let res = answer(&b, app, &url).await;
    assert_eq!(res.status().as_u16(), 200, "the sign-in ends on Platsa's own page");
    b
}

async fn get(b: &reqwest::Client, app: &TestApp, path: &str) -> reqwest::Response {
    b.get(app.url(path)).send().await.unwrap()
}

#[tokio::test]
async fn the_person_sees_and_acts_on_their_own_case_and_nobody_elses() {
    let p = providers();
    let app = spawn_app_with(&citizen_settings(&p.certified, "false")).await;
    let c = case(&app, 501).await;

    // Without a session the API answers 401; the page sends the person to the provider.
    assert_problem(app.client.get(app.url("/api/v1/me/bookings")).send().await.unwrap(), 401).await;

    let me = signed_in(&app, &c.personnummer, "Amira").await;
    let person: Value = get(&me, &app, "/api/v1/me/person").await.json().await.unwrap();
    assert_eq!(
        (person["personnummer"].as_str(), person["registered"].as_bool()),
        (Some(c.personnummer.as_str()), Some(true))
    );
    // A staff route does not take the person's session.
    assert_problem(get(&me, &app, "/api/v1/seekers").await, 401).await;

    let bookings: Value = get(&me, &app, "/api/v1/me/bookings").await.json().await.unwrap();
    assert_eq!(bookings.as_array().unwrap().len(), 1, "{bookings}");
    assert_eq!(bookings[0]["id"], c.booking.as_str());
    assert_eq!(bookings[0]["officer_name"], "Olle Sekreterare");

    let plan: Value = get(&me, &app, "/api/v1/me/plan?month=2026-11").await.json().await.unwrap();
    assert_eq!(plan["plan"]["goal_text"], "Arbete inom vården", "{plan}");
    assert_eq!(plan["activities"][0]["title"], "Praktik på äldreboende");
    assert_eq!(plan["attendance"][0]["state"], "absent_invalid");
    assert_eq!(plan["declines"][0]["justified"], false);
    assert_field_error(get(&me, &app, "/api/v1/me/plan?month=november").await, "month").await;

    let consents: Value = get(&me, &app, "/api/v1/me/consents").await.json().await.unwrap();
    let state_of = |consents: &Value, opening: &str| {
        consents.as_array().unwrap().iter().find(|x| x["opening_id"] == opening).map(|x| x["state"].clone())
    };
    assert_eq!(state_of(&consents, &c.asked), Some(json!("requested")));
    assert_eq!(state_of(&consents, &c.opening), Some(json!("given")));
    assert_eq!(consents[0]["employer"], "Hemtjänsten Söder AB");

    let explanations: Value = get(&me, &app, "/api/v1/me/explanations").await.json().await.unwrap();
    let presented = explanations.as_array().unwrap().iter().find(|e| e["opening_id"] == c.opening.as_str()).unwrap();
    assert_eq!(presented["stage"], "Presenterad för arbetsgivaren");
    assert!(presented["not_used"].as_str().unwrap().contains("kön"), "{presented}");
    assert!(presented.get("score").is_none());
    let text = explanations.to_string();
    assert!(!text.contains("Zlatan") && !text.contains(&c.other_seeker), "no other person: {text}");

    // A second person's session gets 404 on the first person's ids.
    let other = signed_in(&app, &c.other_personnummer, "Zlatan").await;
    let res = other.delete(app.url(&format!("/api/v1/me/bookings/{}", c.booking))).send().await.unwrap();
    assert_problem(res, 404).await;
    let res = other
        .put(app.url(&format!("/api/v1/me/consents/{}", c.asked)))
        .json(&json!({"answer": "yes"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 404).await;
    let res = other
        .post(app.url("/api/v1/me/reviews"))
        .json(&json!({"about": "decline", "ref_id": c.decline, "text": "Det var inte jag som tackade nej."}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 404).await;
    let theirs: Value = get(&other, &app, "/api/v1/me/bookings").await.json().await.unwrap();
    assert_eq!(theirs.as_array().unwrap().len(), 1);
    assert_eq!(theirs[0]["id"], c.other_booking.as_str());
    let extract = get(&other, &app, "/api/v1/me/extract").await.text().await.unwrap();
    assert!(!extract.contains(&c.personnummer) && !extract.contains("Amira"), "the other's extract holds only them");

    // The person answers the request, withdraws the consent given: the employer no longer
    // sees them on that opening.
    let res = me
        .put(app.url(&format!("/api/v1/me/consents/{}", c.asked)))
        .json(&json!({"answer": "yes"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["state"], "given");
    let bad = me
        .put(app.url(&format!("/api/v1/me/consents/{}", c.asked)))
        .json(&json!({"answer": "maybe"}))
        .send()
        .await
        .unwrap();
    assert_field_error(bad, "answer").await;
    let employer_sees = |body: Value| body.to_string().contains("Amira");
    let before: Value =
        app.get(&format!("/api/v1/openings/{}/placements", c.opening), &c.employer_token).await.json().await.unwrap();
    assert!(employer_sees(before.clone()), "{before}");
    let res = me
        .put(app.url(&format!("/api/v1/me/consents/{}", c.opening)))
        .json(&json!({"answer": "withdraw"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let after: Value =
        app.get(&format!("/api/v1/openings/{}/placements", c.opening), &c.employer_token).await.json().await.unwrap();
    assert!(!employer_sees(after.clone()), "withdrawn: {after}");

    // A request for review becomes the manager's signal, and the answer comes back.
    let res = me
        .post(app.url("/api/v1/me/reviews"))
        .json(&json!({"about": "decline", "ref_id": c.decline, "text": "Jag var sjuk den dagen och ringde in."}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let review: Value = res.json().await.unwrap();
    assert_eq!(review["due_on"], "2026-12-07");
    let (manager, _) = app.token("manager", "Mona Chef", None).await;
    let signals: Value = app.get("/api/v1/signals?kind=review_requested", &manager).await.json().await.unwrap();
    let signal = signals["items"].as_array().unwrap().iter().find(|s| s["seeker_id"] == c.seeker.as_str());
    let signal = signal.unwrap_or_else(|| panic!("the manager's signal: {signals}"));
    assert_eq!((signal["unit"].as_str(), signal["date"].as_str()), (Some("Jobbcenter Trelleborg"), Some("2026-12-07")));
    let signals: Value = app.get("/api/v1/signals", &c.broker).await.json().await.unwrap();
    assert!(!signals.to_string().contains("review_requested"), "for the manager, not the broker");
    let id = review["id"].as_str().unwrap();
    let page = app.get(&format!("/reviews/{id}"), &manager).await.text().await.unwrap();
    assert!(page.contains("Jag var sjuk den dagen och ringde in.") && page.contains("Amira"), "the manager's page");
    assert_eq!(app.get(&format!("/reviews/{id}"), &c.broker).await.status(), 403);
    let res = app.post_json(&format!("/api/v1/reviews/{id}/answer"), &c.broker, &json!({"answer": "Nej"})).await;
    assert_problem(res, 403).await;
    let res = app
        .post_json(
            &format!("/api/v1/reviews/{id}/answer"),
            &manager,
            &json!({"answer": "Vi ändrar till giltigt skäl."}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let mine: Value = get(&me, &app, "/api/v1/me/reviews").await.json().await.unwrap();
    assert_eq!(mine[0]["answer"], "Vi ändrar till giltigt skäl.");
    let signals: Value = app.get("/api/v1/signals?kind=review_requested", &manager).await.json().await.unwrap();
    assert!(!signals.to_string().contains(&c.seeker), "answered: no signal");

    // The extract holds every kind of record, and nothing of the other person.
    let res = get(&me, &app, "/api/v1/me/extract").await;
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let extract: Value = res.json().await.unwrap();
    let section = |key: &str| -> Vec<Value> {
        extract["sections"].as_array().unwrap().iter().find(|s| s["key"] == key).unwrap()["rows"]
            .as_array()
            .unwrap()
            .clone()
    };
    for key in [
        "profile",
        "applications",
        "meetings",
        "journal",
        "plans",
        "activities",
        "attendance",
        "declines",
        "placements",
        "placement_history",
        "shortlist",
        "consents",
        "consent_messages",
        "reviews",
        "reads",
    ] {
        assert!(!section(key).is_empty(), "{key} is in the extract: {extract}");
    }
    assert_eq!(section("journal")[0]["text"], "Pratade om praktiken i telefon.");
    assert_eq!(section("profile")[0]["personnummer"], c.personnummer.as_str());
    let reads = section("reads");
    assert!(reads.iter().any(|r| r["role"] == "person"), "the person's own reads are logged as such");
    assert!(reads.iter().any(|r| r["user_id"] == "jobbmäklare"), "staff by role (no names by default): {reads:?}");
    let text = extract.to_string();
    for theirs in
        [&c.other_personnummer, &c.other_seeker, &"Zlatan".to_string(), &"Grannens".to_string(), &c.other_booking]
    {
        assert!(!text.contains(theirs.as_str()), "{theirs} is another person's");
    }
    assert!(!text.contains("Britt Mäklare"), "staff names only when the municipality chooses");

    // Every read of the person's own routes is audited as theirs (user `self`, role person).
    let doc: Value = app.get("/api/openapi.json", &app.admin_token).await.json().await.unwrap();
    let own_reads: Vec<String> = {
        use diesel::prelude::*;
        use platsa::db::schema::audit_log;
        let seeker = c.seeker.clone();
        platsa::db::run(&app.state.pool, move |db| {
            Ok(audit_log::table
                .filter(audit_log::seeker_id.eq(seeker))
                .filter(audit_log::user_id.eq("self"))
                .filter(audit_log::role.eq("person"))
                .select(audit_log::action)
                .load(db)?)
        })
        .await
        .unwrap()
    };
    for (template, ops) in doc["paths"].as_object().unwrap() {
        let Some(get) = ops.get("get") else { continue };
        if get["security"] == json!([{ "mina_sidor": [] }]) {
            let action = format!("GET {template}");
            assert!(own_reads.contains(&action), "{action} is audited as the person's own read: {own_reads:?}");
        }
    }

    // Moving the meeting on the page: the new time is booked, the old one let go.
    let page = get(&me, &app, &format!("/mina-sidor/tider/{}/byt", c.booking)).await.text().await.unwrap();
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let slot =
        page.split("name=\"slot_id\" value=\"").nth(1).expect("times offered").split('"').next().unwrap().to_string();
    let res = me
        .post(app.url(&format!("/mina-sidor/tider/{}/byt", c.booking)))
        .form(&[("csrf", csrf.as_str()), ("slot_id", slot.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/mina-sidor/tider?klart=flyttad");
    let bookings: Value = get(&me, &app, "/api/v1/me/bookings").await.json().await.unwrap();
    let booked: Vec<&Value> = bookings.as_array().unwrap().iter().filter(|b| b["status"] == "booked").collect();
    assert_eq!(booked.len(), 1, "{bookings}");
    assert_ne!(booked[0]["id"], c.booking.as_str(), "a new meeting");
    let moved = booked[0]["id"].as_str().unwrap().to_string();
    // Without the form's token nothing changes.
    let res =
        me.post(app.url(&format!("/mina-sidor/tider/{moved}/avboka"))).form(&[("csrf", "x")]).send().await.unwrap();
    assert_eq!(res.status(), 403);

    // Cancelling: the meeting is let go; a second time it is no longer booked.
    let res = me.delete(app.url(&format!("/api/v1/me/bookings/{moved}"))).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let bookings: Value = get(&me, &app, "/api/v1/me/bookings").await.json().await.unwrap();
    assert!(bookings.as_array().unwrap().iter().all(|b| b["status"] == "cancelled"), "{bookings}");
    let res = me.delete(app.url(&format!("/api/v1/me/bookings/{moved}"))).send().await.unwrap();
    assert_eq!(assert_problem(res, 409).await["code"], "conflict.meeting_passed");
}

#[tokio::test]
async fn without_e_legitimation_set_up_mina_sidor_says_so_and_links_nothing() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/mina-sidor")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let page = res.text().await.unwrap();
    assert!(page.contains("Mina sidor kräver inloggning med e-legitimation"));
    assert!(!page.contains("/mina-sidor/"), "no links to pages that cannot open");
    assert_problem(app.client.get(app.url("/api/v1/me/person")).send().await.unwrap(), 401).await;
    // An apply-form e-legitimation cookie is not a Mina sidor session.
    let res = app
        .client
        .get(app.url("/api/v1/me/person"))
        .header("cookie", "platsa_mina=platsa_0000; platsa_eid=platsa_0000")
        .send()
        .await
        .unwrap();
    assert_problem(res, 401).await;
}
