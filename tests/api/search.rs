use std::time::Instant;

use platsa::startup::Application;
use serde_json::{Value, json};

use crate::helpers::*;

fn ids(body: &Value) -> Vec<String> {
    body["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_new_opening_is_searchable_once_indexed() {
    let app = spawn_app().await;
    let employer = app.employer("Trelleborgs kommun", "212000-1165", true).await;
    let (emp, _) = app.token("employer", "Kommunen", Some(&employer)).await;
    let (broker, _) = app.token("broker", "B", None).await;
    let written = Instant::now();
    let o: Value = app.post_json("/api/v1/openings", &emp, &opening_body()).await.json().await.unwrap();
    let found = search_until(&app, "/api/v1/search/openings?q=undersk%C3%B6terska", &broker, 1).await;
    // How fast is a benchmark's question, not a test's: printed, not asserted.
    eprintln!("searchable after {:?}", written.elapsed());
    assert_eq!(ids(&found), vec![o["id"].as_str().unwrap().to_string()]);
    assert_eq!(found["total"], 1);
    // An edit is searchable too, and a deleted opening leaves the index.
    let tag = format!("\"{}\"", o["version"]);
    let path = format!("/api/v1/openings/{}", o["id"].as_str().unwrap());
    let res = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&emp)
        .header("if-match", tag)
        .json(&json!({"headline": "Truckförare till lagret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(search_until(&app, "/api/v1/search/openings?q=truckforare", &broker, 1).await["total"], 1);
    app.delete(&path, &emp).await;
    index_caught_up(&app.state).await;
    let gone: Value = app.get("/api/v1/search/openings?q=truckforare", &broker).await.json().await.unwrap();
    assert_eq!(gone["total"], 0);
}

/// Seekers described with real occupation names from the reference data.
async fn seed_people(app: &TestApp, broker: &str) -> Vec<String> {
    let people = [
        (
            "19800101",
            "5321",
            "Undersköterska inom hemtjänst och äldreboende i tio år.",
            vec!["Personlig omvårdnad"],
            vec!["B"],
            "1287",
            "2026-12-01",
        ),
        (
            "19850505",
            "7212",
            "Svetsare med erfarenhet av MIG och TIG från varvet.",
            vec!["svetsning"],
            vec!["B", "C"],
            "1280",
            "2027-02-01",
        ),
        (
            "19920202",
            "9111",
            "Har jobbat med städning på hotell och kontor.",
            vec!["lokalvård"],
            vec![],
            "1287",
            "2026-11-01",
        ),
        (
            "19990909",
            "8344",
            "Truckförare på centrallager, har truckkort A och B.",
            vec!["truckkort"],
            vec!["B"],
            "0180",
            "2026-11-15",
        ),
    ];
    let mut ids = Vec::new();
    for (i, (born, ssyk, summary, skills, licences, municipality, available)) in people.into_iter().enumerate() {
        let mut body = seeker_body(&pnr(born, 10 + i as u32));
        body["occupations"] = json!([ssyk]);
        body["summary"] = summary.into();
        body["skills"] = json!(skills);
        body["driving_licences"] = json!(licences);
        body["municipality_code"] = municipality.into();
        body["available_from"] = available.into();
        let res = app.post_json("/api/v1/seekers", broker, &body).await;
        assert_eq!(res.status(), 201);
        ids.push(res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string());
    }
    search_until(app, "/api/v1/search/seekers?limit=10", broker, 4).await;
    ids
}

#[tokio::test]
async fn swedish_queries_tolerate_typos_accents_inflection_and_synonyms() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "B", None).await;
    let ids_ = seed_people(&app, &broker).await;
    let (nurse, welder, cleaner, forklift) = (&ids_[0], &ids_[1], &ids_[2], &ids_[3]);
    let cases = [
        ("undersköterska", nurse),
        ("underskoterska", nurse),  // no ö
        ("undersköterskor", nurse), // plural
        ("underskötreska", nurse),  // transposed letters
        ("undersköterka", nurse),   // a letter missing
        ("svetsare", welder),
        ("svetsning", welder),  // synonym of the skill Svetsteknik
        ("svettsare", welder),  // typo
        ("lokalvård", cleaner), // synonym of Städtjänster
        ("städ", cleaner),
        ("stadning", cleaner),
        ("truckförare", forklift),
        ("truckkort", forklift),
        ("truckforare", forklift),
    ];
    for (q, expected) in cases {
        let body: Value =
            app.get(&format!("/api/v1/search/seekers?q={}", urlencode(q)), &broker).await.json().await.unwrap();
        let found = ids(&body);
        assert_eq!(found.first(), Some(expected), "`{q}` should find its seeker first, got {found:?}");
    }
    // Every word must match: a nurse who is not a welder is not a hit for both.
    let body: Value =
        app.get("/api/v1/search/seekers?q=svetsare%20underskoterska", &broker).await.json().await.unwrap();
    assert_eq!(body["total"], 0);
    // Hits carry no personnummer or contact details.
    let body: Value = app.get("/api/v1/search/seekers?q=svetsare", &broker).await.json().await.unwrap();
    let hit = &body["items"][0];
    assert!(hit.get("personnummer").is_none() && hit.get("email").is_none() && hit.get("phone").is_none());
    assert!(hit["score"].as_f64().unwrap() > 0.0);
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn filters_narrow_the_hits() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "B", None).await;
    let ids_ = seed_people(&app, &broker).await;
    let get = |q: String| {
        let app = &app;
        let broker = &broker;
        async move { app.get(&format!("/api/v1/search/seekers?{q}"), broker).await.json::<Value>().await.unwrap() }
    };
    let mut found = ids(&get("municipality=1287".into()).await);
    found.sort();
    let mut expected = vec![ids_[0].clone(), ids_[2].clone()];
    expected.sort();
    assert_eq!(found, expected);
    assert_eq!(ids(&get("occupation=53".into()).await), vec![ids_[0].clone()], "SSYK at the 2-digit level");
    assert_eq!(ids(&get("occupation=7".into()).await), vec![ids_[1].clone()], "major group");
    assert_eq!(ids(&get("licence=C".into()).await), vec![ids_[1].clone()]);
    assert_eq!(get("available_before=2026-11-20".into()).await["total"], 2);
    assert_eq!(get("status=active&municipality=1280,0180".into()).await["total"], 2);
    let page = get("limit=1&offset=1".into()).await;
    assert_eq!((page["total"].as_i64(), page["items"].as_array().unwrap().len()), (Some(4), 1));
    for (q, field) in [
        ("municipality=9999", "municipality"),
        ("occupation=99999", "occupation"),
        ("licence=Q", "licence"),
        ("status=sleeping", "status"),
        ("available_before=tomorrow", "available_before"),
    ] {
        assert_field_error(app.get(&format!("/api/v1/search/seekers?{q}"), &broker).await, field).await;
    }
}

/// The index is derived data: deleted, damaged, or behind the outbox, `serve` puts it right.
#[tokio::test]
async fn serve_rebuilds_and_catches_up_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(&dir);
    let settings = test_settings(&dir, &db, &[]);

    // First run: 30 openings and 30 seekers through the API.
    let (admin, emp) = {
        let app = Application::build(settings.clone()).await.unwrap();
        let state = app.state();
        let handle = app.handle();
        let address = format!("http://{}", app.address());
        let running = tokio::spawn(app.run_until_stopped());
        seed_units(&state).await;
        let now = state.clock.now_ts();
        let admin = platsa::db::run(&state.pool, move |c| {
            platsa::auth::store::create_user_with_token(c, now, platsa::auth::Role::Admin, "A", None, None)
        })
        .await
        .unwrap()
        .token;
        let client = reqwest::Client::new();
        let employer: Value = client
            .post(format!("{address}/api/v1/employers"))
            .bearer_auth(&admin)
            .json(&json!({"name": "Kommunen", "organization_number": "212000-1165", "municipal": true}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let emp: Value = client
            .post(format!("{address}/api/v1/tokens"))
            .bearer_auth(&admin)
            .json(&json!({"role": "employer", "name": "K", "employer_id": employer["id"]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let emp = emp["token"].as_str().unwrap().to_string();
        for i in 0..30 {
            let res = client
                .post(format!("{address}/api/v1/openings"))
                .bearer_auth(&emp)
                .json(&opening_body())
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
            let res = client
                .post(format!("{address}/api/v1/seekers"))
                .bearer_auth(&admin)
                .json(&seeker_body(&pnr("19700101", i)))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
        }
        handle.stop(true).await;
        running.await.unwrap().unwrap();
        drop(state);
        (admin, emp)
    };
    let _ = emp;

    let count = |settings: platsa::config::Settings, admin: String| async move {
        let app = Application::build(settings).await.unwrap();
        let handle = app.handle();
        let address = format!("http://{}", app.address());
        let running = tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::new();
        let get = |path: &str| client.get(format!("{address}{path}")).bearer_auth(&admin).send();
        let openings: Value = get("/api/v1/search/openings?q=hemtjansten&limit=1").await.unwrap().json().await.unwrap();
        let seekers: Value =
            get("/api/v1/search/seekers?q=undersk%C3%B6terska&limit=1").await.unwrap().json().await.unwrap();
        handle.stop(true).await;
        running.await.unwrap().unwrap();
        (openings["total"].as_i64().unwrap(), seekers["total"].as_i64().unwrap())
    };

    // The index directory is deleted: rebuilt from the database, nothing missing.
    std::fs::remove_dir_all(&settings.index_dir).unwrap();
    assert_eq!(count(settings.clone(), admin.clone()).await, (30, 30));

    // Writes made while this process was down (as by another process): caught up on start.
    {
        let pool = platsa::db::connect(&settings.database_url, 2).unwrap();
        let mut conn = pool.get().unwrap();
        for i in 30..35 {
            let input: platsa::seekers::SeekerInput = serde_json::from_value(seeker_body(&pnr("19700101", i))).unwrap();
            let data = input.validate(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()).unwrap();
            platsa::seekers::store::create(&mut conn, 0, data).unwrap();
        }
    }
    assert_eq!(count(settings.clone(), admin.clone()).await, (30, 35));

    // A damaged index: rebuilt.
    std::fs::write(settings.index_dir.join("seekers").join("meta.json"), b"{ not json").unwrap();
    assert_eq!(count(settings.clone(), admin.clone()).await, (30, 35));
}

#[tokio::test]
async fn misspelled_and_accentless_queries_find_openings() {
    let app = spawn_app().await;
    let employer = app.employer("Lager och Vård AB", "556036-0793", false).await;
    let (emp, _) = app.token("employer", "E", Some(&employer)).await;
    let (broker, _) = app.token("broker", "B", None).await;
    let mut by_occupation = std::collections::HashMap::new();
    for (headline, occupation) in [
        ("Truckförare till centrallagret", "8344"),
        ("Svetsare och gasskärare", "7212"),
        ("Undersköterska, hemtjänst", "5321"),
        ("Köksbiträde i skolköket", "9412"),
    ] {
        let mut o = opening_body();
        o["headline"] = headline.into();
        o["description"] = "".into();
        o["occupation"] = occupation.into();
        o["must_have"] = json!({});
        o["nice_to_have"] = json!({});
        let v: Value = app.post_json("/api/v1/openings", &emp, &o).await.json().await.unwrap();
        by_occupation.insert(occupation, v["id"].as_str().unwrap().to_string());
    }
    search_until(&app, "/api/v1/search/openings", &broker, 4).await;
    for (q, occupation) in [
        ("truckforare", "8344"),
        ("trukförare", "8344"),
        ("truckkort", "8344"),
        ("svetsning", "7212"),
        ("svetare", "7212"),
        ("underskoterska", "5321"),
        ("undersköterskor", "5321"),
        ("koksbitrade", "9412"),
        ("köksbiträden", "9412"),
    ] {
        let body: Value =
            app.get(&format!("/api/v1/search/openings?q={}", urlencode(q)), &broker).await.json().await.unwrap();
        assert_eq!(
            ids(&body).first(),
            Some(&by_occupation[occupation]),
            "`{q}` should find the {occupation} opening first: {body}"
        );
    }
}

/// A server on this directory's index and this database, with an admin token.
async fn serve_on(
    dir: &tempfile::TempDir,
    db: &TestDb,
) -> (String, actix_web::web::Data<platsa::startup::AppState>, String) {
    let app = Application::build(test_settings(dir, db, &[])).await.expect("app builds");
    let address = format!("http://{}", app.address());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    let now = state.clock.now_ts();
    let token = platsa::db::run(&state.pool, move |c| {
        platsa::auth::store::create_user_with_token(c, now, platsa::auth::Role::Admin, "Återställare", None, None)
    })
    .await
    .unwrap()
    .token;
    (address, state, token)
}

async fn found(address: &str, token: &str, name: &str) -> u64 {
    let body: Value = reqwest::Client::new()
        .get(format!("{address}/api/v1/seekers?q={name}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["total"].as_u64().unwrap()
}

async fn register(address: &str, token: &str, name: &str, serial: u32) {
    let mut body = seeker_body(&pnr("19800101", serial));
    body["first_name"] = json!(name);
    let res = reqwest::Client::new()
        .post(format!("{address}/api/v1/seekers"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}

/// The index knows its database: restored to an earlier copy (SQLite: the file put back;
/// PostgreSQL: the database dropped and created again from a copy), the index that is ahead
/// of it is rebuilt, so people added after the copy are not found and people added now are.
#[tokio::test]
async fn after_a_restore_the_index_is_rebuilt_from_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(&dir);
    let copy = format!("platsa_copy_{}", uuid::Uuid::new_v4().simple());
    let copy_file = dir.path().join("copy.db");

    let (at, state, token) = serve_on(&dir, &db).await;
    seed_units(&state).await;
    register(&at, &token, "Förstina", 11).await;
    index_caught_up(&state).await;
    assert_eq!(found(&at, &token, "Förstina").await, 1);
    state.indexer.shutdown();
    // The copy (a backup taken now).
    match &db {
        TestDb::Sqlite(_) => {
            let to = copy_file.display().to_string();
            platsa::db::run(&state.pool, move |c| {
                use diesel::connection::SimpleConnection;
                Ok(c.batch_execute(&format!("VACUUM INTO '{to}'"))?)
            })
            .await
            .unwrap();
        }
        TestDb::Postgres { name } => postgres_admin(&[
            format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            ),
            format!("CREATE DATABASE {copy} TEMPLATE {name}"),
        ]),
        TestDb::Shared(_) => unreachable!(),
    }
    drop(state);

    // Later work, then the database is put back to the copy.
    let (at, state, token) = serve_on(&dir, &db).await;
    register(&at, &token, "Andrina", 12).await;
    index_caught_up(&state).await;
    assert_eq!(found(&at, &token, "Andrina").await, 1);
    state.indexer.shutdown();
    match &db {
        TestDb::Sqlite(path) => {
            for ext in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
            }
            std::fs::rename(&copy_file, path).unwrap();
        }
        TestDb::Postgres { name } => postgres_admin(&[
            format!("DROP DATABASE {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name} TEMPLATE {copy}"),
            format!("DROP DATABASE {copy}"),
        ]),
        TestDb::Shared(_) => unreachable!(),
    }
    drop(state);

    // Started on the restored database: the index is rebuilt, and says why.
    let (at, state, token) = serve_on(&dir, &db).await;
    let ready: Value = reqwest::get(format!("{at}/readyz")).await.unwrap().json().await.unwrap();
    assert_eq!(
        ready["checks"]["index"]["rebuilt_because"],
        "the index is ahead of the database (a restored or recreated database)",
        "{ready}"
    );
    assert_eq!(ready["checks"]["index"]["behind"], 0);
    assert_eq!(found(&at, &token, "Andrina").await, 0, "added after the copy: not in the database, not found");
    assert_eq!(found(&at, &token, "Förstina").await, 1);
    register(&at, &token, "Tredjina", 13).await;
    index_caught_up(&state).await;
    assert_eq!(found(&at, &token, "Tredjina").await, 1, "added now: found");
    state.indexer.shutdown();
}
