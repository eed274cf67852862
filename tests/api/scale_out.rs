//! Scale out: two real `serve` processes on one database, each with its own index fed from
//! the shared outbox. A seeker written through one is ranked by the other.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::*;

/// Writes go to process A (and once to B); the other ranks the new seeker for an opening.
/// Each write's delay until the other process ranks it is measured; the other process
/// learns of it only by polling the outbox (every 200 ms), so the median must be under a
/// second. Every write must arrive (within 20 s, so a loaded machine cannot fail it).
#[tokio::test]
async fn a_write_on_one_process_is_ranked_by_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(&dir);
    let envs = |index: &str| binary_envs(&dir, &db, index);
    let token = admin_token_by_command(&envs("index-a"), "Drift");
    let log = |name: &str| std::fs::File::create(dir.path().join(name)).unwrap().into();
    let (a, at_a) = spawn_serve(&envs("index-a"), log("a.log"));
    let _a = Stopped(a);
    let (b, at_b) = spawn_serve(&envs("index-b"), log("b.log"));
    let _b = Stopped(b);
    let client = reqwest::Client::new();
    let post =
        |at: &str, path: &str, body: Value| client.post(format!("{at}{path}")).bearer_auth(&token).json(&body).send();

    let res = post(&at_a, "/api/v1/employers", json!({"name": "Omsorg AB", "organization_number": "556036-0793"}))
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let employer: Value = res.json().await.unwrap();
    let mut opening = opening_body();
    opening["employer_id"] = employer["id"].clone();
    let res = post(&at_a, "/api/v1/openings", opening).await.unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let opening_id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();

    let candidates = |at: &str| format!("{at}/api/v1/openings/{opening_id}/candidates?limit=100");
    let mut delays = Vec::new();
    for i in 0..7u32 {
        // One write the other way round: neither process is special.
        let (write_to, other) = if i == 3 { (&at_b, &at_a) } else { (&at_a, &at_b) };
        let mut seeker = seeker_body(&pnr("19850101", 100 + i));
        seeker.as_object_mut().unwrap().remove("unit");
        let res = post(write_to, "/api/v1/seekers", seeker).await.unwrap();
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
        delays.push(ranked_after(&client, &candidates(other), &token, &id).await);
    }
    // Both processes rank the same people the same way.
    let page = |at: &str| client.get(candidates(at)).bearer_auth(&token).send();
    let (pa, pb): (Value, Value) =
        (page(&at_a).await.unwrap().json().await.unwrap(), page(&at_b).await.unwrap().json().await.unwrap());
    let order = |p: &Value| p["items"].as_array().unwrap().iter().map(|c| c["id"].clone()).collect::<Vec<_>>();
    assert_eq!(order(&pa).len(), 7);
    assert_eq!(order(&pa), order(&pb));

    delays.sort();
    let median = delays[delays.len() / 2];
    println!("write on one process ranked by the other after {delays:?} (median {median:?})");
    assert!(median < Duration::from_secs(1), "median delay {median:?} ({delays:?})");
}

/// How long until `url`'s candidates include `seeker` (panics after 20 s).
async fn ranked_after(client: &reqwest::Client, url: &str, token: &str, seeker: &str) -> Duration {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        let res = client.get(url).bearer_auth(token).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let page: Value = res.json().await.unwrap();
        if page["items"].as_array().unwrap().iter().any(|c| c["id"] == seeker) {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("seeker {seeker} was never ranked by the other process");
}
