use serde_json::{Value, json};

use crate::helpers::*;

struct World {
    app: TestApp,
    broker: String,
    opening: String,
}

/// An opening for an undersköterska in Trelleborg needing Swedish, B licence and
/// Personlig omvårdnad; and candidates that differ in one thing each.
async fn world() -> (World, Vec<(String, String)>) {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let employer = app.employer("Trelleborgs kommun", "212000-1165", true).await;
    let mut body = opening_body();
    body["employer_id"] = employer.into();
    let res = app.post_json("/api/v1/openings", &broker, &body).await;
    assert_eq!(res.status(), 201);
    let opening = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let people: Vec<(&str, Value)> = vec![
        ("perfect", json!({})),
        ("missing_must", json!({"skills": ["Kassavana"]})),
        ("far", json!({"municipality_code": "1480", "max_commute_km": 40})), // Göteborg, ~230 km
        ("related", json!({"occupations": ["5322"], "skills": ["Personlig omvårdnad"]})),
        ("paused", json!({"status": "paused"})),
        ("no_licence", json!({"driving_licences": []})),
        ("weak_swedish", json!({"languages": [{"code": "sv", "level": "basic"}]})),
    ];
    let mut ids = Vec::new();
    for (i, (name, overrides)) in people.into_iter().enumerate() {
        let mut s = seeker_body(&pnr("19880808", 100 + i as u32));
        s["first_name"] = name.into();
        s["skills"] = json!(["Personlig omvårdnad", "Kassavana"]);
        s["available_from"] = "2026-12-01".into();
        for (k, v) in overrides.as_object().unwrap() {
            s[k] = v.clone();
        }
        let res = app.post_json("/api/v1/seekers", &broker, &s).await;
        assert_eq!(res.status(), 201, "{name}");
        ids.push((name.to_string(), res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()));
    }
    search_until(&app, "/api/v1/search/seekers?limit=50", &broker, 7).await;
    (World { app, broker, opening }, ids)
}

fn names(body: &Value) -> Vec<String> {
    body["items"].as_array().unwrap().iter().map(|i| i["first_name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn candidates_rank_in_the_expected_order_with_explanations() {
    let (w, _) = world().await;
    let res = w.app.get(&format!("/api/v1/openings/{}/candidates", w.opening), &w.broker).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let order = names(&body);
    // Hard filters: not active, lacking a must-have licence.
    assert!(!order.contains(&"paused".to_string()) && !order.contains(&"no_licence".to_string()), "{order:?}");
    let pos = |n: &str| order.iter().position(|x| x == n).unwrap_or_else(|| panic!("{n} missing in {order:?}"));
    assert_eq!(pos("perfect"), 0, "{order:?}");
    assert!(pos("perfect") < pos("missing_must"));
    assert!(pos("missing_must") < pos("far"), "{order:?}");
    assert!(pos("perfect") < pos("related"));
    assert!(pos("perfect") < pos("weak_swedish"));
    assert_eq!(body["total"], 5);

    let item = |n: &str| body["items"].as_array().unwrap().iter().find(|i| i["first_name"] == n).unwrap().clone();
    let perfect = item("perfect");
    let e = &perfect["explanation"];
    assert_eq!(e["occupation_match"], "exact");
    assert_eq!(e["missing"]["must_have"], json!([]));
    let matched: Vec<&str> =
        e["matched"]["must_have"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(
        matched.contains(&"Personlig omvårdnad")
            && matched.contains(&"Svenska (god)")
            && matched.contains(&"Körkort B"),
        "{matched:?}"
    );
    assert_eq!(e["matched"]["nice_to_have"], json!(["Kassavana"]));
    let components: Vec<&str> =
        e["components"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(components, ["occupation", "must_have", "distance", "text", "nice_to_have", "availability"]);
    let sum: f64 = e["components"].as_array().unwrap().iter().map(|c| c["contribution"].as_f64().unwrap()).sum();
    assert!((sum - perfect["score"].as_f64().unwrap()).abs() < 0.001, "the components add up to the score");
    assert!(perfect.get("personnummer").is_none() && perfect.get("email").is_none());

    let missing = item("missing_must");
    assert_eq!(missing["explanation"]["missing"]["must_have"], json!(["Personlig omvårdnad"]));
    let far = item("far");
    assert!(far["explanation"]["distance_km"].as_f64().unwrap() > 150.0);
    assert!(far["explanation"]["components"][2]["detail"].as_str().unwrap().contains("beyond"));
    assert_eq!(item("related")["explanation"]["occupation_match"], "same_minor_group");
    assert_eq!(item("weak_swedish")["explanation"]["missing"]["must_have"], json!(["Svenska (god)"]));

    // Employers never see candidates.
    let employer = w.app.employer("Annan AB", "556036-0793", false).await;
    let (emp, _) = w.app.token("employer", "E", Some(&employer)).await;
    assert_problem(w.app.get(&format!("/api/v1/openings/{}/candidates", w.opening), &emp).await, 403).await;
}

#[tokio::test]
async fn a_placement_on_the_opening_removes_the_candidate_and_fairness_breaks_ties() {
    let (w, ids) = world().await;
    let id_of = |n: &str| ids.iter().find(|(x, _)| x == n).unwrap().1.clone();
    // Two equal twins: same profile, registered one after the other.
    let mut twins = Vec::new();
    for (i, name) in ["twin_a", "twin_b"].into_iter().enumerate() {
        let mut s = seeker_body(&pnr("19900909", 500 + i as u32));
        s["first_name"] = name.into();
        s["municipality_code"] = "1287".into();
        s["skills"] = json!(["Personlig omvårdnad", "Kassavana"]);
        s["available_from"] = "2026-12-01".into();
        let res = w.app.post_json("/api/v1/seekers", &w.broker, &s).await;
        twins.push(res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string());
    }
    search_until(&w.app, "/api/v1/search/seekers?limit=50", &w.broker, 9).await;
    let url = format!("/api/v1/openings/{}/candidates", w.opening);
    let order = names(&w.app.get(&url, &w.broker).await.json().await.unwrap());
    let pos = |o: &Vec<String>, n: &str| o.iter().position(|x| x == n).unwrap();
    // Same score as "perfect"; the one waiting longest (registered first) goes first.
    assert!(
        pos(&order, "perfect") < pos(&order, "twin_a") && pos(&order, "twin_a") < pos(&order, "twin_b"),
        "{order:?}"
    );

    // Proposing "perfect" for another opening resets their wait; twins now wait longer.
    let employer = w.app.employer("Annan AB", "556036-0793", false).await;
    let mut other = opening_body();
    other["employer_id"] = employer.into();
    let other: Value = w.app.post_json("/api/v1/openings", &w.broker, &other).await.json().await.unwrap();
    let res = w
        .app
        .post_json(
            "/api/v1/placements",
            &w.broker,
            &json!({"seeker_id": id_of("perfect"), "opening_id": other["id"], "kind": "praktik"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    index_caught_up(&w.app.state).await;
    // Waits on the condition (up to 20 s), never on a guess of how long indexing takes.
    let mut body: Value = w.app.get(&url, &w.broker).await.json().await.unwrap();
    for _ in 0..200 {
        if pos(&names(&body), "twin_a") < pos(&names(&body), "perfect") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        body = w.app.get(&url, &w.broker).await.json().await.unwrap();
    }
    let order = names(&body);
    assert!(pos(&order, "twin_a") < pos(&order, "perfect"), "{order:?}");
    assert!(body["items"][0]["explanation"]["fairness"].is_string() || order[0] == "twin_a");

    // A placement on this opening takes the seeker out of its candidates.
    let res = w
        .app
        .post_json(
            "/api/v1/placements",
            &w.broker,
            &json!({"seeker_id": twins[0], "opening_id": w.opening, "kind": "employment"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    index_caught_up(&w.app.state).await;
    let mut order = names(&w.app.get(&url, &w.broker).await.json().await.unwrap());
    for _ in 0..200 {
        if !order.contains(&"twin_a".to_string()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        order = names(&w.app.get(&url, &w.broker).await.json().await.unwrap());
    }
    assert!(!order.contains(&"twin_a".to_string()), "{order:?}");
}

#[tokio::test]
async fn openings_are_ranked_for_a_seeker() {
    let (w, ids) = world().await;
    let employer = w.app.employer("Bygg AB", "556036-0793", false).await;
    // A welding job and a truck job needing a C licence she lacks.
    for (headline, occupation, licence) in
        [("Svetsare till verkstad", "7212", None), ("Lastbilschaufför", "8332", Some("C"))]
    {
        let mut o = opening_body();
        o["employer_id"] = employer.clone().into();
        o["headline"] = headline.into();
        o["occupation"] = occupation.into();
        o["must_have"] = json!({"driving_licences": licence.map(|l| vec![l]).unwrap_or_default()});
        assert_eq!(w.app.post_json("/api/v1/openings", &w.broker, &o).await.status(), 201);
    }
    search_until(&w.app, "/api/v1/search/openings?limit=10", &w.broker, 3).await;
    let perfect = &ids[0].1;
    let body: Value = w.app.get(&format!("/api/v1/seekers/{perfect}/openings"), &w.broker).await.json().await.unwrap();
    let headlines: Vec<&str> =
        body["items"].as_array().unwrap().iter().map(|i| i["headline"].as_str().unwrap()).collect();
    assert_eq!(headlines[0], "Undersköterska till hemtjänsten", "{headlines:?}");
    assert!(!headlines.contains(&"Lastbilschaufför"), "a must-have licence she lacks: {headlines:?}");
    let e = &body["items"][0]["explanation"];
    assert_eq!(e["occupation_match"], "exact");
    assert_eq!(e["missing"]["must_have"], json!([]));
    assert!(body["items"][0]["score"].as_f64().unwrap() > 0.8);
}
