use serde_json::{Value, json};

use crate::helpers::*;

struct Setup {
    app: TestApp,
    broker: String,
    employer_token: String,
    opening: String,
    seeker: String,
}

async fn setup(vacancies: u32) -> Setup {
    let app = spawn_app().await;
    let (broker, broker_id) = app.token("broker", "Britt Mäklare", None).await;
    let employer = app.employer("Omsorg AB", "556036-0793", false).await;
    let (employer_token, _) = app.token("employer", "Omsorg AB", Some(&employer)).await;
    let mut o = opening_body();
    o["number_of_vacancies"] = vacancies.into();
    let opening = app.post_json("/api/v1/openings", &employer_token, &o).await.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut s = seeker_body(&pnr("19910101", 11));
    s["broker_id"] = broker_id.into();
    let seeker = app.post_json("/api/v1/seekers", &broker, &s).await.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The person agreed (by phone) to be presented for the opening.
    consent_given(&app, &broker, &opening, &seeker).await;
    Setup { app, broker, employer_token, opening, seeker }
}

async fn step(s: &Setup, id: &str, body: Value) -> reqwest::Response {
    s.app.post_json(&format!("/api/v1/placements/{id}/transitions"), &s.broker, &body).await
}

async fn seeker(s: &Setup) -> Value {
    s.app.get(&format!("/api/v1/seekers/{}", s.seeker), &s.broker).await.json().await.unwrap()
}

#[tokio::test]
async fn a_full_pipeline_to_employment_with_history() {
    let s = setup(1).await;
    let res = s
        .app
        .post_json(
            "/api/v1/placements",
            &s.broker,
            &json!({"seeker_id": s.seeker, "opening_id": s.opening, "kind": "praktik", "proposed_on": "2026-11-02"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let p: Value = res.json().await.unwrap();
    let id = p["id"].as_str().unwrap().to_string();
    assert_eq!(p["status"], "proposed");
    assert_eq!(p["allowed_transitions"], json!(["presented", "declined_by_seeker", "withdrawn"]));
    for (to, at) in
        [("presented", "2026-11-03"), ("interview", "2026-11-05"), ("offered", "2026-11-06"), ("started", "2026-11-09")]
    {
        let res = step(&s, &id, json!({"to": to, "at": at, "note": format!("{to} ok")})).await;
        assert_eq!(res.status(), 200, "{to}");
    }
    // Started: the seeker is placed and the only vacancy is filled.
    assert_eq!(seeker(&s).await["status"], "placed");
    let o: Value = s.app.get(&format!("/api/v1/openings/{}", s.opening), &s.broker).await.json().await.unwrap();
    assert_eq!((o["filled_vacancies"].as_i64(), o["status"].as_str()), (Some(1), Some("filled")));
    // Ending needs an outcome.
    assert_field_error(step(&s, &id, json!({"to": "ended", "at": "2026-11-20"})).await, "outcome").await;
    let res =
        step(&s, &id, json!({"to": "ended", "at": "2026-11-20", "outcome": "employment", "employment_until": null}))
            .await;
    assert_eq!(res.status(), 200);
    let p: Value = res.json().await.unwrap();
    assert_eq!(
        (p["status"].as_str(), p["outcome"].as_str(), p["ended_on"].as_str()),
        (Some("ended"), Some("employment"), Some("2026-11-20"))
    );
    assert_eq!(p["allowed_transitions"], json!([]));
    let history = p["history"].as_array().unwrap();
    let steps: Vec<(Value, &str)> = history.iter().map(|e| (e["from"].clone(), e["to"].as_str().unwrap())).collect();
    assert_eq!(
        steps,
        vec![
            (Value::Null, "proposed"),
            (json!("proposed"), "presented"),
            (json!("presented"), "interview"),
            (json!("interview"), "offered"),
            (json!("offered"), "started"),
            (json!("started"), "ended"),
        ]
    );
    assert!(history.iter().all(|e| e["by"] == "Britt Mäklare" && e["at"].is_string()));
    assert_eq!(history[1]["note"], "presented ok");
    // A manager reads the facts, not what staff wrote.
    let (manager, _) = s.app.token("manager", "Maria Chef", None).await;
    let as_manager: Value = s.app.get(&format!("/api/v1/placements/{id}"), &manager).await.json().await.unwrap();
    let steps = as_manager["history"].as_array().unwrap();
    assert_eq!(steps.len(), 6);
    assert!(steps.iter().all(|e| e["note"].is_null() && e["to"].is_string()), "{as_manager}");
    let listed: Value = s.app.get("/api/v1/placements", &manager).await.json().await.unwrap();
    assert!(!listed.to_string().contains("presented ok"), "{listed}");
    // The seeker left assistance for work.
    let sk = seeker(&s).await;
    assert_eq!(
        (sk["status"].as_str(), sk["exit_reason"].as_str(), sk["exit_date"].as_str()),
        (Some("exited"), Some("employment"), Some("2026-11-20"))
    );
}

#[tokio::test]
async fn impossible_transitions_are_409_listing_the_allowed_ones() {
    let s = setup(2).await;
    let p: Value = s
        .app
        .post_json(
            "/api/v1/placements",
            &s.broker,
            &json!({"seeker_id": s.seeker, "opening_id": s.opening, "kind": "extratjanst"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = p["id"].as_str().unwrap().to_string();
    let body = assert_problem(step(&s, &id, json!({"to": "started", "at": "2026-11-23"})).await, 409).await;
    assert_eq!(body["allowed"], json!(["presented", "declined_by_seeker", "withdrawn"]));
    assert_eq!(body["from"], "proposed");
    let body =
        assert_problem(step(&s, &id, json!({"to": "ended", "at": "2026-11-23", "outcome": "other"})).await, 409).await;
    assert_eq!(body["allowed"], json!(["presented", "declined_by_seeker", "withdrawn"]));
    // Dates: never in the future, never before the previous step.
    assert_field_error(step(&s, &id, json!({"to": "presented", "at": "2026-11-24"})).await, "at").await;
    assert_field_error(step(&s, &id, json!({"to": "presented", "at": "2026-01-01"})).await, "at").await;
    assert_field_error(step(&s, &id, json!({"to": "teleported", "at": "2026-11-23"})).await, "to").await;
    assert_eq!(step(&s, &id, json!({"to": "presented", "at": "2026-11-23"})).await.status(), 200);
    assert_eq!(step(&s, &id, json!({"to": "interview", "at": "2026-11-23"})).await.status(), 200);
    // A side exit ends the road; nothing follows it.
    assert_eq!(step(&s, &id, json!({"to": "declined_by_employer", "at": "2026-11-23"})).await.status(), 200);
    let body = assert_problem(step(&s, &id, json!({"to": "offered", "at": "2026-11-23"})).await, 409).await;
    assert_eq!(body["allowed"], json!([]));
    // The seeker is still active, and nothing was half-written by the refused steps.
    assert_eq!(seeker(&s).await["status"], "active");
    let p: Value = s.app.get(&format!("/api/v1/placements/{id}"), &s.broker).await.json().await.unwrap();
    assert_eq!(p["history"].as_array().unwrap().len(), 4);
    // The same seeker is not proposed twice for one opening.
    let res = s
        .app
        .post_json(
            "/api/v1/placements",
            &s.broker,
            &json!({"seeker_id": s.seeker, "opening_id": s.opening, "kind": "extratjanst"}),
        )
        .await;
    assert_problem(res, 409).await;
}

#[tokio::test]
async fn studies_need_no_opening_and_record_student_finance() {
    let s = setup(1).await;
    assert_field_error(
        s.app.post_json("/api/v1/placements", &s.broker, &json!({"seeker_id": s.seeker, "kind": "praktik"})).await,
        "opening_id",
    )
    .await;
    let p: Value = s
        .app
        .post_json(
            "/api/v1/placements",
            &s.broker,
            &json!({"seeker_id": s.seeker, "kind": "studies", "proposed_on": "2026-10-01"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = p["id"].as_str().unwrap().to_string();
    assert_eq!(step(&s, &id, json!({"to": "started", "at": "2026-10-15"})).await.status(), 200);
    assert_field_error(
        step(&s, &id, json!({"to": "ended", "at": "2026-11-01", "outcome": "studies"})).await,
        "student_finance_eligible",
    )
    .await;
    assert_field_error(
        step(
            &s,
            &id,
            json!({"to": "ended", "at": "2026-11-01", "outcome": "employment", "student_finance_eligible": true}),
        )
        .await,
        "student_finance_eligible",
    )
    .await;
    let res = step(
        &s,
        &id,
        json!({"to": "ended", "at": "2026-11-01", "outcome": "studies", "student_finance_eligible": true}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let sk = seeker(&s).await;
    assert_eq!((sk["status"].as_str(), sk["exit_reason"].as_str()), (Some("exited"), Some("studies")));
}

#[tokio::test]
async fn an_aborted_measure_returns_the_seeker_to_the_pool() {
    let s = setup(1).await;
    let p: Value = s
        .app
        .post_json("/api/v1/placements", &s.broker, &json!({"seeker_id": s.seeker, "opening_id": s.opening, "kind": "arbetstraning", "proposed_on": "2026-11-01"}))
        .await
        .json()
        .await
        .unwrap();
    let id = p["id"].as_str().unwrap().to_string();
    for (to, at) in [("presented", "2026-11-02"), ("offered", "2026-11-03"), ("started", "2026-11-04")] {
        assert_eq!(step(&s, &id, json!({"to": to, "at": at})).await.status(), 200);
    }
    assert_eq!(seeker(&s).await["status"], "placed");
    assert_eq!(step(&s, &id, json!({"to": "ended", "at": "2026-11-10", "outcome": "aborted"})).await.status(), 200);
    assert_eq!(seeker(&s).await["status"], "active");
}

#[tokio::test]
async fn employers_see_their_placements_without_personal_data() {
    let s = setup(1).await;
    let p: Value = s
        .app
        .post_json(
            "/api/v1/placements",
            &s.broker,
            &json!({"seeker_id": s.seeker, "opening_id": s.opening, "kind": "praktik"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = p["id"].as_str().unwrap().to_string();
    let url = format!("/api/v1/openings/{}/placements", s.opening);
    let body: Value = s.app.get(&url, &s.employer_token).await.json().await.unwrap();
    assert_eq!(body["total"], 1);
    // Not yet presented: no name either.
    assert!(body["items"][0]["first_name"].is_null());
    step(&s, &id, json!({"to": "presented", "at": "2026-11-23"})).await;
    let body: Value = s.app.get(&url, &s.employer_token).await.json().await.unwrap();
    assert_eq!(body["items"][0]["first_name"], "Amira");
    let text = body.to_string();
    for secret in ["19910101", "amira.hassan@example.se", "0701234567", "personnummer", "email", "phone"] {
        assert!(!text.contains(secret), "employer view contains {secret}: {text}");
    }
    // Another employer: not found. Employers cannot propose or move placements.
    let other = s.app.employer("Annan AB", "556677-8899", false).await;
    let (other_token, _) = s.app.token("employer", "Annan", Some(&other)).await;
    assert_problem(s.app.get(&url, &other_token).await, 404).await;
    assert_problem(
        s.app
            .post_json(
                &format!("/api/v1/placements/{id}/transitions"),
                &s.employer_token,
                &json!({"to": "interview", "at": "2026-11-23"}),
            )
            .await,
        403,
    )
    .await;
    assert_problem(s.app.get("/api/v1/placements", &s.employer_token).await, 403).await;
}

#[tokio::test]
async fn two_brokers_proposing_at_once_make_one_placement() {
    let s = setup(1).await;
    let (other, _) = s.app.token("broker", "Bo", None).await;
    let body = json!({"seeker_id": s.seeker, "opening_id": s.opening, "kind": "praktik"});
    let (a, b) = tokio::join!(
        s.app.post_json("/api/v1/placements", &s.broker, &body),
        s.app.post_json("/api/v1/placements", &other, &body)
    );
    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![201, 409]);
    let list: Value =
        s.app.get(&format!("/api/v1/placements?opening_id={}", s.opening), &s.broker).await.json().await.unwrap();
    assert_eq!(list["total"], 1);
}

/// Double clicks and deleted openings: a second proposal names the first; an opening with a
/// placement under way cannot be deleted (close it instead; the history stays).
#[tokio::test]
async fn a_proposal_is_made_once_and_its_opening_is_closed_not_deleted() {
    let s = setup(1).await;
    let body = json!({"seeker_id": s.seeker, "opening_id": s.opening, "kind": "employment"});
    let (a, b) = tokio::join!(
        s.app.post_json("/api/v1/placements", &s.broker, &body),
        s.app.post_json("/api/v1/placements", &s.broker, &body)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "two clicks, one placement");
    let created: Value = if a.status() == 201 { a.json().await.unwrap() } else { b.json().await.unwrap() };
    let again = assert_problem(s.app.post_json("/api/v1/placements", &s.broker, &body).await, 409).await;
    assert_eq!(again["code"], "conflict.already_proposed");
    assert_eq!(again["existing_placement_id"], created["id"]);

    let url = format!("/api/v1/openings/{}", s.opening);
    let refused = assert_problem(s.app.delete(&url, &s.employer_token).await, 409).await;
    assert_eq!(refused["code"], "conflict.active_placements");
    assert_eq!(s.app.get(&url, &s.employer_token).await.status(), 200, "nothing removed");
    // Once the placement has ended, the opening may go; the placement and its history stay.
    let id = created["id"].as_str().unwrap();
    assert_eq!(step(&s, id, json!({"to": "withdrawn", "at": "2026-11-23"})).await.status(), 200);
    assert_eq!(s.app.delete(&url, &s.employer_token).await.status(), 204);
    let p: Value = s.app.get(&format!("/api/v1/placements/{id}"), &s.broker).await.json().await.unwrap();
    assert_eq!(p["history"].as_array().unwrap().len(), 2);
}

/// "Föreslå studier" twice, or by two brokers at once, is one proposal: the database's
/// partial unique index holds it, and the second answer names the first. Once it is over,
/// studies may be proposed again.
#[tokio::test]
async fn studies_are_proposed_once_while_under_way() {
    let s = setup(1).await;
    let (other, _) = s.app.token("broker", "Bo", None).await;
    let body = json!({"seeker_id": s.seeker, "kind": "studies"});
    let (a, b, c) = tokio::join!(
        s.app.post_json("/api/v1/placements", &s.broker, &body),
        s.app.post_json("/api/v1/placements", &other, &body),
        s.app.post_json("/api/v1/placements", &s.broker, &body)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16(), c.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409, 409], "three clicks, one placement");
    let created: Value = match (a.status().as_u16(), b.status().as_u16()) {
        (201, _) => a.json().await.unwrap(),
        (_, 201) => b.json().await.unwrap(),
        _ => c.json().await.unwrap(),
    };
    let again = assert_problem(s.app.post_json("/api/v1/placements", &s.broker, &body).await, 409).await;
    assert_eq!(again["code"], "conflict.already_proposed");
    assert_eq!(again["existing_placement_id"], created["id"]);
    let list: Value =
        s.app.get(&format!("/api/v1/placements?seeker_id={}", s.seeker), &s.broker).await.json().await.unwrap();
    assert_eq!(list["total"], 1, "{list}");

    // Withdrawn, it is over: a new proposal of studies may be made.
    let id = created["id"].as_str().unwrap();
    assert_eq!(step(&s, id, json!({"to": "withdrawn", "at": "2026-11-23"})).await.status(), 200);
    assert_eq!(s.app.post_json("/api/v1/placements", &s.broker, &body).await.status(), 201);
}
