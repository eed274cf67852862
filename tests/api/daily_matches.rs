//! "Dagens förslag": the best candidates of an open opening who are on no list of it yet
//! become suggestions for their brokers, at most the cap a day each; brokers shortlist or
//! dismiss them; nothing reaches the employer.

use serde_json::{Value, json};

use crate::helpers::*;

/// A seeker of this broker who fits `opening_body()` well.
pub async fn fitting(app: &TestApp, token: &str, broker_id: &str, serial: u32, first: &str) -> String {
    let mut body = seeker_body(&pnr("19860606", serial));
    body["broker_id"] = broker_id.into();
    body["first_name"] = first.into();
    new_seeker_with(app, token, &body).await
}

/// The broker's suggestions of the day, once the run has made them (it runs at the app's
/// start and when an opening is made): waits for the index and the run, not for a guess.
pub async fn suggestions(app: &TestApp, token: &str, at_least: usize) -> Vec<Value> {
    for _ in 0..600 {
        let list: Value = app.get("/api/v1/daily-matches", token).await.json().await.unwrap();
        let items = list.as_array().unwrap_or_else(|| panic!("{list}")).clone();
        if items.len() >= at_least {
            return items;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("fewer than {at_least} suggestions after a minute");
}

/// The same app (database) with the daily matches on: its first run starts with it.
pub async fn matching(app: &TestApp, cap: &str) -> TestApp {
    let settings = [("PLATSA_MATCHING__DAILY_PER_BROKER", cap), ("PLATSA_MATCHING__DAILY_MIN_SCORE", "0.3")];
    app.at_clock_with(TEST_CLOCK, &settings).await
}

#[tokio::test]
async fn a_new_opening_gives_each_broker_their_fitting_people_up_to_the_cap() {
    // Set up with the daily matches off, so nothing is suggested before the lists are made.
    let app = spawn_app_with(&[("PLATSA_MATCHING__DAILY_PER_BROKER", "0")]).await;
    let (a, a_id) = app.token("broker", "Anna", None).await;
    let (b, b_id) = app.token("broker", "Bengt", None).await;
    let employer = app.employer("Omsorgshuset Skåne AB", "556036-0793", false).await;
    let mut a_people = Vec::new();
    for (i, name) in ["Alva", "Alma", "Aron", "Asta", "Axel", "Adam"].iter().enumerate() {
        a_people.push(fitting(&app, &a, &a_id, 10 + i as u32, name).await);
    }
    let mut b_people = Vec::new();
    for (i, name) in ["Bea", "Bo", "Bror"].iter().enumerate() {
        b_people.push(fitting(&app, &b, &b_id, 20 + i as u32, name).await);
    }
    let opening = new_opening(&app, &a, &employer, "Undersköterska till hemtjänsten").await;
    // Already on a list of the opening: shortlisted, proposed, "ej aktuell".
    let add = |seeker: &str, status: &str| json!({"seeker_id": seeker, "status": status});
    let url = format!("/api/v1/openings/{opening}/shortlist");
    assert!(app.post_json(&url, &a, &add(&a_people[4], "considering")).await.status().is_success());
    assert!(app.post_json(&url, &b, &add(&b_people[2], "not_suitable")).await.status().is_success());
    let proposal = json!({"seeker_id": a_people[5], "opening_id": opening, "kind": "praktik"});
    assert_eq!(app.post_json("/api/v1/placements", &a, &proposal).await.status(), 201);
    index_caught_up(&app.state).await;

    // The morning run (it is 10:00, past `daily_hour`), at most 3 a day per broker.
    let on = matching(&app, "3").await;
    index_caught_up(&on.state).await;
    let mine = suggestions(&on, &a, 3).await;
    let theirs = suggestions(&on, &b, 2).await;
    let ids =
        |list: &[Value]| -> Vec<String> { list.iter().map(|m| m["seeker_id"].as_str().unwrap().to_string()).collect() };
    assert_eq!(mine.len(), 3, "A's cap: {mine:?}");
    assert!(ids(&mine).iter().all(|id| a_people[..4].contains(id)), "A's fitting people, none on a list: {mine:?}");
    assert_eq!(ids(&theirs).len(), 2);
    assert!(ids(&theirs).iter().all(|id| b_people[..2].contains(id)), "{theirs:?}");
    let m = &mine[0];
    assert_eq!((m["opening_id"].as_str(), m["state"].as_str()), (Some(opening.as_str()), Some("new")));
    assert!(m["explanation"]["components"].as_array().is_some_and(|c| !c.is_empty()), "with the explanation: {m}");
    assert!(mine.windows(2).all(|w| w[0]["score"].as_f64() >= w[1]["score"].as_f64()), "the best first");
    // A signal for the broker, none for the other's people.
    let signals: Value = on.get("/api/v1/signals?kind=new_match", &a).await.json().await.unwrap();
    let keys: Vec<&str> = signals["items"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert_eq!(keys.len(), 3, "{signals}");
    assert!(keys.contains(&format!("new_match:{opening}:{}", mine[0]["seeker_id"].as_str().unwrap()).as_str()));

    // Another opening the same day: A has had their 3, and B's two were suggested today
    // already; Bror, "ej aktuell" for the first opening only, fits the second.
    let second = new_opening(&on, &a, &employer, "Vårdbiträde till hemtjänsten").await;
    // Bror's suggestion comes in the same write as any for A: once it is there, the run is done.
    let theirs = suggestions(&on, &b, 3).await;
    assert_eq!(theirs.len(), 3, "a person once a day: {theirs:?}");
    let bror = theirs.iter().find(|m| m["seeker_id"] == b_people[2].as_str()).expect("Bror, for the second opening");
    assert_eq!(bror["opening_id"], second.as_str());
    assert_eq!(suggestions(&on, &a, 3).await.len(), 3, "one day's cap");

    // The broker acts: shortlist one, dismiss one with a reason; another broker cannot.
    let (s1, s2) = (mine[0]["seeker_id"].as_str().unwrap(), mine[1]["seeker_id"].as_str().unwrap());
    let act = |seeker: &str, what: &str| format!("/api/v1/daily-matches/{opening}/{seeker}/{what}");
    assert_problem(on.post_json(&act(s1, "shortlist"), &b, &json!({})).await, 404).await;
    assert_eq!(on.post_json(&act(s1, "shortlist"), &a, &json!({})).await.status(), 204);
    let res = on.post_json(&act(s1, "shortlist"), &a, &json!({})).await;
    assert_eq!(assert_problem(res, 409).await["code"], "conflict.match_handled");
    let shortlist: Value = on.get(&format!("/api/v1/openings/{opening}/shortlist"), &a).await.json().await.unwrap();
    assert!(shortlist.to_string().contains(s1), "on the shortlist: {shortlist}");
    assert_field_error(on.post_json(&act(s2, "dismiss"), &a, &json!({"reason": "lazy"})).await, "reason").await;
    assert_eq!(on.post_json(&act(s2, "dismiss"), &a, &json!({"reason": "already_in_contact"})).await.status(), 204);
    let (manager, _) = on.token("manager", "Mona", None).await;
    let outcomes: Value = on.get("/api/v1/daily-matches/outcomes", &manager).await.json().await.unwrap();
    assert_eq!(
        (
            outcomes["suggested"].as_i64(),
            outcomes["shortlisted"].as_i64(),
            outcomes["dismissed"].as_i64(),
            outcomes["open"].as_i64()
        ),
        (Some(6), Some(1), Some(1), Some(4)),
        "{outcomes}"
    );
    assert_eq!(outcomes["dismissed_because"]["already_in_contact"], 1);
    // Nothing reaches the employer: the suggestions are not on the opening's placements.
    let (employer_token, _) = on.token("employer", "Eva", Some(&employer)).await;
    let seen: Value =
        on.get(&format!("/api/v1/openings/{opening}/placements"), &employer_token).await.json().await.unwrap();
    assert!(!seen.to_string().contains(s1) && !seen.to_string().contains(s2), "{seen}");
}
