//! Accountable ranking: the ranking log, exposure, human oversight, the requirement check and
//! the generated technical documentation (issue 32).

use serde_json::{Value, json};

use crate::helpers::*;

const UNIT: &str = "Jobbcenter Trelleborg";

/// An opening for an undersköterska in Trelleborg and `n` people who all fit it (the test
/// seeker), plus one who is paused and one of an unrelated occupation.
async fn register(app: &TestApp, broker: &str, n: u32) -> (String, Vec<String>, Vec<String>) {
    let employer = app.employer("Trelleborgs kommun", "212000-1165", true).await;
    let opening = new_opening(app, broker, &employer, "Undersköterska till hemtjänsten").await;
    let mut fitting = Vec::new();
    for i in 0..n {
        let mut s = seeker_body(&pnr("19850505", 200 + i));
        s["first_name"] = format!("Person{i}").into();
        fitting.push(new_seeker_with(app, broker, &s).await);
    }
    let mut paused = seeker_body(&pnr("19850505", 300));
    paused["status"] = "paused".into();
    let mut cleaner = seeker_body(&pnr("19850505", 301));
    cleaner["occupations"] = json!(["9111"]);
    cleaner["skills"] = json!([]);
    cleaner["summary"] = "Städar kontor.".into();
    cleaner["languages"] = json!([]);
    let others = vec![new_seeker_with(app, broker, &paused).await, new_seeker_with(app, broker, &cleaner).await];
    search_until(app, "/api/v1/search/seekers?limit=100", broker, n as usize + 2).await;
    (opening, fitting, others)
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

async fn json_of(res: reqwest::Response) -> Value {
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn every_ranked_list_is_logged_with_its_version_kept_six_months_and_forgets_the_erased() {
    let app = spawn_app().await;
    let (broker, broker_id) = app.token("broker", "Britt", None).await;
    let admin = app.admin_token.clone();
    let (opening, people, _) = register(&app, &broker, 4).await;

    // Two candidate lists served, one filtered; an openings list for a person (a page too).
    let first = json_of(app.get(&format!("/api/v1/openings/{opening}/candidates?limit=3"), &broker).await).await;
    let second =
        json_of(app.get(&format!("/api/v1/openings/{opening}/candidates?limit=10&municipality=1287"), &broker).await)
            .await;
    assert_ne!(first["ranking_log_id"], second["ranking_log_id"]);
    let theirs = json_of(app.get(&format!("/api/v1/seekers/{}/openings", people[0]), &broker).await).await;
    assert!(theirs["ranking_log_id"].is_string());

    let log = json_of(app.get(&format!("/api/v1/ranking-log?opening_id={opening}"), &admin).await).await;
    assert_eq!(log["total"], 2, "{log}");
    let version = platsa::matching::version(&app.state.settings.matching).hash;
    for (entry, served) in log["items"].as_array().unwrap().iter().rev().zip([&first, &second]) {
        assert_eq!(entry["id"], served["ranking_log_id"]);
        assert_eq!(entry["version"], version.as_str());
        assert_eq!(entry["list"], "candidates");
        assert_eq!(entry["user_id"], broker_id.as_str());
        assert_eq!(entry["route"], "GET /api/v1/openings/{id}/candidates");
        assert_eq!(entry["total"], served["total"]);
        let shown: Vec<(String, i64, f64)> = entry["shown"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["seeker_id"].as_str().unwrap().to_string(),
                    s["rank"].as_i64().unwrap(),
                    s["score"].as_f64().unwrap(),
                )
            })
            .collect();
        let want: Vec<(String, i64, f64)> = served["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["id"].as_str().unwrap().to_string(), i["rank"].as_i64().unwrap(), i["score"].as_f64().unwrap()))
            .collect();
        assert_eq!(shown, want);
    }
    assert_eq!(log["items"][0]["filters"], json!({"municipality": "1287"}));
    assert_eq!(log["items"][1]["filters"], json!({}));
    let mine = json_of(app.get(&format!("/api/v1/ranking-log?seeker_id={}", people[0]), &admin).await).await;
    // On both candidate lists, and the one list made for them.
    assert_eq!(mine["total"], 3, "{mine}");
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["list"] == "openings" && e["seeker_id"] == people[0].as_str())
    );
    assert_problem(app.get("/api/v1/ranking-log", &broker).await, 403).await;
    assert_field_error(app.get("/api/v1/ranking-log?from=2026-11-23&to=2026-11-01", &admin).await, "to").await;
    assert_field_error(app.get("/api/v1/ranking-log?from=nov", &admin).await, "from").await;
    let csv = app.get(&format!("/api/v1/ranking-log.csv?opening_id={opening}"), &admin).await;
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with('\u{feff}') && text.contains("Tidpunkt;Lista;"), "{text}");
    assert!(text.contains(&version), "{text}");

    // Another weight (a second server on the same database): a new version, both kept.
    let reweighted = app.at_clock_with(TEST_CLOCK, &[("PLATSA_MATCHING__FAIRNESS_MARGIN", "0.03")]).await;
    let other = json_of(reweighted.get(&format!("/api/v1/openings/{opening}/candidates"), &broker).await).await;
    let log = json_of(app.get(&format!("/api/v1/ranking-log?opening_id={opening}"), &admin).await).await;
    let newest = &log["items"][0];
    assert_eq!(newest["id"], other["ranking_log_id"]);
    let new_version = newest["version"].as_str().unwrap();
    assert_ne!(new_version, version);
    assert_eq!(new_version, platsa::matching::version(&reweighted.state.settings.matching).hash);
    let doc = app.get("/api/v1/accountability/document?lang=en", &admin).await.text().await.unwrap();
    assert!(doc.contains(&version) && doc.contains(new_version), "both versions in the history");

    // A list served seven months ago goes with the daily run; this month's stay.
    let april = app.at_clock("2026-04-20T10:00:00+02:00").await;
    let old = json_of(april.get(&format!("/api/v1/openings/{opening}/candidates"), &broker).await).await;
    let tomorrow = app.state.clock.now_ts() + 86_400;
    let settings = app.state.settings.retention.clone();
    let ran =
        platsa::db::run(&app.state.pool, move |c| platsa::retention::daily(c, tomorrow, &settings)).await.unwrap();
    assert!(ran.is_some());
    let log = json_of(app.get(&format!("/api/v1/ranking-log?opening_id={opening}"), &admin).await).await;
    assert_eq!(log["total"], 3, "{log}");
    assert!(log["items"].as_array().unwrap().iter().all(|e| e["id"] != old["ranking_log_id"]));

    // Erasure removes the person from the log; the lists and their ranks stay.
    let erased = &people[0];
    let rank =
        first["items"].as_array().unwrap().iter().find(|i| i["id"] == erased.as_str()).map(|i| i["rank"].clone());
    assert_eq!(app.delete(&format!("/api/v1/seekers/{erased}"), &admin).await.status(), 204);
    let mine = json_of(app.get(&format!("/api/v1/ranking-log?seeker_id={erased}"), &admin).await).await;
    assert_eq!(mine["total"], 0, "{mine}");
    let log = json_of(app.get(&format!("/api/v1/ranking-log?opening_id={opening}"), &admin).await).await;
    let text = log.to_string();
    assert!(!text.contains(erased.as_str()), "{text}");
    if let Some(rank) = rank {
        let entry = log["items"].as_array().unwrap().iter().find(|e| e["id"] == first["ranking_log_id"]).unwrap();
        let slot = entry["shown"].as_array().unwrap().iter().find(|s| s["rank"] == rank).unwrap();
        assert!(slot.get("seeker_id").is_none() && slot["score"].is_number(), "{slot}");
    }
}

#[tokio::test]
async fn exposure_and_oversight_count_who_was_shown_proposed_and_never_seen() {
    let app = spawn_app().await;
    let (broker, broker_id) = app.token("broker", "Britt", None).await;
    let (manager, _) = app.token("manager", "Maj", None).await;
    let (opening, people, others) = register(&app, &broker, 26).await;

    // The broker looks at ranks 1–10 and 21–30, never at 11–20.
    let top = json_of(app.get(&format!("/api/v1/openings/{opening}/candidates?limit=10"), &broker).await).await;
    let deep =
        json_of(app.get(&format!("/api/v1/openings/{opening}/candidates?limit=10&offset=20"), &broker).await).await;
    assert_eq!(top["total"], 26, "the paused and the cleaner are not candidates");
    let (top_ids, deep_ids) = (ids(&top), ids(&deep));
    assert_eq!(deep_ids.len(), 6);
    let never: Vec<&String> = people.iter().filter(|p| !top_ids.contains(p) && !deep_ids.contains(p)).collect();
    assert_eq!(never.len(), 10);

    // Proposals: rank 3 from the list, rank 25 from the deep page, one from the profile.
    let propose = |seeker: &str, log: Option<&Value>| {
        let mut body = json!({"seeker_id": seeker, "opening_id": opening, "kind": "employment"});
        if let Some(l) = log {
            body["ranking_log_id"] = l.clone();
        }
        body
    };
    let third = &top["items"][2];
    let res = app
        .post_json("/api/v1/placements", &broker, &propose(third["id"].as_str().unwrap(), Some(&top["ranking_log_id"])))
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap()["list_rank"], 3);
    let twenty_fifth = deep["items"].as_array().unwrap().iter().find(|i| i["rank"] == 25).unwrap();
    assert_eq!(
        app.post_json(
            "/api/v1/placements",
            &broker,
            &propose(twenty_fifth["id"].as_str().unwrap(), Some(&deep["ranking_log_id"]))
        )
        .await
        .status(),
        201
    );
    // A person not on that list, or a made-up list: refused, naming the field.
    assert_field_error(
        app.post_json("/api/v1/placements", &broker, &propose(never[0], Some(&top["ranking_log_id"]))).await,
        "ranking_log_id",
    )
    .await;
    assert_field_error(
        app.post_json("/api/v1/placements", &broker, &propose(never[0], Some(&json!("no-such-list")))).await,
        "ranking_log_id",
    )
    .await;
    let from_profile = app.post_json("/api/v1/placements", &broker, &propose(never[0], None)).await;
    assert_eq!(from_profile.status(), 201);
    assert_eq!(from_profile.json::<Value>().await.unwrap()["list_rank"], Value::Null);
    // The ranking's first is marked "not suitable" on the shortlist: the ranking overridden.
    let first = top["items"][0]["id"].as_str().unwrap();
    let url = format!("/api/v1/openings/{opening}/shortlist");
    assert_eq!(app.post_json(&url, &broker, &json!({"seeker_id": first})).await.status(), 201);
    let marked = app.patch_json(&format!("{url}/{first}"), &broker, &json!({"status": "not_suitable"})).await;
    assert_eq!(marked.status(), 200);

    let report = json_of(app.get("/api/v1/reports/exposure", &manager).await).await;
    let share = |n: f64| ((n / 26.0) * 10_000.0).round() / 10_000.0;
    let total = &report["total"];
    assert_eq!(total["eligible"], 26, "{report}");
    assert_eq!(total["shown_top"], 10);
    assert_eq!(total["proposed"], 3);
    assert_eq!(total["never_shown"], 10);
    assert_eq!(total["shown_top_share"], share(10.0));
    assert_eq!(total["proposed_share"], share(3.0));
    assert_eq!(total["never_shown_share"], share(10.0));
    let unit = report["by_unit"].as_array().unwrap().iter().find(|g| g["key"] == UNIT).unwrap();
    assert_eq!(unit["eligible"], 26);
    let waited = report["by_waiting"].as_array().unwrap();
    assert_eq!(waited.len(), 4);
    assert_eq!(waited[0]["key"], "under_3_months");
    assert_eq!(waited[0]["eligible"], 26);
    let o = &report["oversight"]["total"];
    assert_eq!(
        (o["from_top_10"].as_i64(), o["from_11_to_50"].as_i64(), o["outside_list"].as_i64()),
        (Some(1), Some(1), Some(1)),
        "{o}"
    );
    assert_eq!(o["not_suitable_over_top_10"], 1);
    let by_broker = &report["oversight"]["by_broker"][0];
    assert_eq!(by_broker["key"], broker_id.as_str());
    assert_eq!(by_broker["from_top_10"], 1);
    assert_problem(app.get("/api/v1/reports/exposure", &broker).await, 403).await;
    assert_field_error(app.get("/api/v1/reports/exposure?from=2026-11-23&to=2026-11-01", &manager).await, "to").await;
    assert_field_error(app.get("/api/v1/reports/exposure?unit=Ingenstans", &manager).await, "unit").await;

    // The never-shown, for the broker: exactly those, longest wait first, and the read audited.
    let list = json_of(app.get("/api/v1/reports/exposure/never-shown", &broker).await).await;
    let mut got: Vec<&str> = list.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    got.sort();
    let mut want: Vec<&str> = never.iter().map(|s| s.as_str()).collect();
    want.sort();
    assert_eq!(got, want);
    assert!(list[0]["first_name"].as_str().unwrap().starts_with("Person"));
    assert!(!got.contains(&others[0].as_str()) && !got.contains(&others[1].as_str()));
    let audit = json_of(app.get(&format!("/api/v1/audit?seeker_id={}", never[0]), &app.admin_token).await).await;
    assert!(
        audit["items"].as_array().unwrap().iter().any(|e| e["action"] == "GET /api/v1/reports/exposure/never-shown")
    );
    assert_problem(app.get("/api/v1/reports/exposure/never-shown", &manager).await, 403).await;

    // The daily measurement (as tomorrow's run makes it) and the managers' signal.
    let st = app.state.clone();
    let measured = platsa::db::run(&app.state.pool, move |c| {
        let at = platsa::index::Lookup {
            index: &st.search,
            weights: &st.settings.matching,
            now: st.clock.now_ts() + 86_400,
        };
        platsa::accountability::exposure::daily(c, at)
    })
    .await
    .unwrap();
    assert_eq!(measured, Some(1));
    let signals = json_of(app.get("/api/v1/signals?kind=never_shown", &manager).await).await;
    let s = &signals["items"][0];
    assert_eq!(s["kind"], "never_shown", "{signals}");
    assert_eq!(s["unit"], UNIT);
    assert_eq!(s["value"], share(10.0));
    assert_eq!(s["days"], 10);

    // The pages: the manager's figures and oversight in Swedish; the broker's list of names.
    let page = app.get("/reports/exposure", &manager).await.text().await.unwrap();
    assert!(
        page.contains("Aldrig visade") && page.contains("Mänsklig tillsyn") && page.contains("Från plats 1–10"),
        "{page}"
    );
    assert!(!page.contains("never-shown\""), "managers read figures, not names");
    let page = app.get("/reports/exposure", &broker).await.text().await.unwrap();
    assert!(page.contains("id=\"never-shown\"") && page.contains("Person"), "{page}");
    let month = json_of(app.get("/api/v1/reports/processes", &manager).await).await;
    assert_eq!(month["oversight"]["total"], report["oversight"]["total"], "the month is the period here");
    let processes = app.get("/reports/processes", &manager).await.text().await.unwrap();
    assert!(processes.contains("Mänsklig tillsyn av rankningen"), "{processes}");
}

#[tokio::test]
async fn a_requirement_that_excludes_most_matching_people_is_warned_of_with_the_exact_share() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let employer = app.employer("Trelleborgs kommun", "212000-1165", true).await;
    // Ten undersköterskor; three speak Swedish fluently, seven well.
    for i in 0..10u32 {
        let mut s = seeker_body(&pnr("19900101", 400 + i));
        let level = if i < 3 { "fluent" } else { "good" };
        s["languages"] = json!([{"code": "sv", "level": level}]);
        new_seeker_with(&app, &broker, &s).await;
    }
    search_until(&app, "/api/v1/search/seekers?limit=50", &broker, 10).await;
    let mut body = opening_body();
    body["employer_id"] = employer.into();
    body["must_have"]["languages"] = json!([{"code": "sv", "level": "fluent"}]);
    let res = app.post_json("/api/v1/openings", &broker, &body).await;
    assert_eq!(res.status(), 201, "warned, never blocked");
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let created: Value = res.json().await.unwrap();
    let warnings = created["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{created}");
    let w = &warnings[0];
    assert_eq!(w["requirement"], "language");
    assert_eq!((w["excluded"].as_i64(), w["of"].as_i64()), (Some(7), Some(10)));
    assert_eq!(w["share"], 0.7);
    assert!(w["message"].as_str().unwrap().contains("utesluter 70 % av annars matchande sökande"), "{w}");
    // A good level asked instead: everyone has it, no warning.
    let id = created["id"].as_str().unwrap();
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/openings/{id}")))
        .bearer_auth(&broker)
        .header("if-match", etag)
        .json(&json!({"must_have": {"skills": ["Personlig omvårdnad"], "languages": [{"code": "sv", "level": "good"}], "driving_licences": ["B"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["warnings"], json!([]));
    // A licence almost nobody has (C): warned of on the page, in Swedish.
    let mut body = opening_body();
    body["employer_id"] = created["employer_id"].clone();
    body["must_have"]["driving_licences"] = json!(["C"]);
    let res = app.post_json("/api/v1/openings", &broker, &body).await;
    let other: Value = res.json().await.unwrap();
    assert_eq!(other["warnings"][0]["requirement"], "driving_licence", "{other}");
    assert_eq!(other["warnings"][0]["share"], 1.0);
    let page = app.get(&format!("/openings/{}", other["id"].as_str().unwrap()), &broker).await.text().await.unwrap();
    assert!(page.contains("Kravet på körkort C utesluter 100 % av annars matchande sökande"), "{page}");
}

#[tokio::test]
async fn the_technical_documentation_states_the_weights_in_force_and_the_shipped_sets_figures() {
    let app = spawn_app().await;
    let admin = app.admin_token.clone();
    let res = app.get("/api/v1/accountability/document", &admin).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/markdown"));
    let doc = res.text().await.unwrap();
    let w = app.state.settings.matching;
    assert!(doc.contains(&format!("weights: occupation {}, must_have {}", w.occupation, w.must_have)), "{doc}");
    assert!(
        doc.contains("# Platsa – teknisk dokumentation av rankningen")
            && doc.contains("# Platsa – technical documentation of the ranking")
    );
    assert!(doc.contains("kön, ålder, ursprung") && doc.contains("gender, age, origin"));
    let html = app.get("/api/v1/accountability/document?format=html&lang=sv", &admin).await;
    assert!(html.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = html.text().await.unwrap();
    assert!(html.contains("<h2>2. Regler och vikter i kraft</h2>") && !html.contains("Purpose"), "{html}");
    assert_field_error(app.get("/api/v1/accountability/document?format=pdf", &admin).await, "format").await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    assert_problem(app.get("/api/v1/accountability/document", &broker).await, 403).await;
    // The shipped sets, evaluated here independently with the same weights.
    for free_text in [false, true] {
        let set = platsa::eval::generate::generate(13, 40, 2000, free_text);
        let dir = tempfile::tempdir().unwrap();
        let report = platsa::eval::run(&set, &w, &dir.path().join("eval")).unwrap();
        let row = format!(
            "| {} | {} | {:.4} | {:.4} | {} |",
            report.openings, report.seekers, report.ndcg_at_10, report.recall_at_50, report.violations
        );
        assert!(doc.contains(&row), "{row} in {doc}");
    }
}
