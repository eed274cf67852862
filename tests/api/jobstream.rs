//! Platsbanken through JobStream, against a real local HTTP server that serves JobAd payloads
//! (`fixtures/jobstream/`) and fails the way the real service does (503, 429 with
//! Retry-After): the first sync from the snapshot, incremental syncs, an update, a removal
//! closing its opening, replays changing nothing, a malformed ad counted, failures shown in
//! `/readyz`, and imported openings ranking seekers like any other.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::helpers::*;

const SNAPSHOT: &str = include_str!("fixtures/jobstream/snapshot.json");
const STREAM_1: &str = include_str!("fixtures/jobstream/stream-1.json");
const STREAM_2: &str = include_str!("fixtures/jobstream/stream-2.json");

/// What the fake JobStream answers next, per endpoint; and every request it saw.
#[derive(Default)]
struct Script {
    snapshot: VecDeque<(u16, String)>,
    stream: VecDeque<(u16, String)>,
    /// (path and query, api-key header)
    seen: Vec<(String, String)>,
}

type Shared = Arc<Mutex<Script>>;

async fn fake_jobstream() -> (String, Shared, actix_web::dev::ServerHandle) {
    use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
    let script: Shared = Arc::default();
    let s = script.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let s = s.clone();
        App::new().default_service(web::to(move |req: HttpRequest| {
            let s = s.clone();
            async move {
                let mut script = s.lock().unwrap();
                let key = req.headers().get("api-key").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
                let uri = req.uri().to_string();
                script.seen.push((uri, key));
                let next = match req.path() {
                    "/snapshot" => script.snapshot.pop_front(),
                    "/stream" => script.stream.pop_front(),
                    _ => None,
                };
                match next {
                    Some((200, body)) => HttpResponse::Ok().content_type("application/json").body(body),
                    Some((429, _)) => HttpResponse::TooManyRequests().insert_header(("Retry-After", "1")).finish(),
                    Some((status, _)) => {
                        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
                    }
                    None => HttpResponse::NotFound().finish(),
                }
            }
        }))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    (format!("http://127.0.0.1:{port}"), script, handle)
}

fn ok(body: &str) -> (u16, String) {
    (200, body.to_string())
}

fn fail(status: u16) -> (u16, String) {
    (status, String::new())
}

async fn imported(app: &TestApp, token: &str) -> Vec<Value> {
    let res = app.get("/api/v1/openings?source=platsbanken&limit=50", token).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

fn by_ad<'a>(items: &'a [Value], id: &str) -> &'a Value {
    items.iter().find(|o| o["external_id"] == id).unwrap_or_else(|| panic!("ad {id} is an opening"))
}

fn counts(run: &platsa::jobstream::Run) -> [i32; 7] {
    [run.ads, run.created, run.updated, run.unchanged, run.closed, run.filtered, run.malformed]
}

#[tokio::test]
async fn platsbanken_is_read_from_the_snapshot_then_the_stream() {
    let (base, script, server) = fake_jobstream().await;
    // The app runs without the setting (its own schedule would race the test); each sync is
    // started here with it.
    let app = spawn_app().await;
    let mut settings = app.state.settings.jobstream.clone();
    settings.base_url = base;
    settings.api_key = "nyckel-123".into();
    settings.attempts = 3;
    settings.retry_base_ms = 10;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let sync = |snapshot: bool| {
        let (st, settings) = (app.state.clone(), settings.clone());
        async move { platsa::jobstream::sync(&st.pool, &settings, &st.clock, snapshot).await.unwrap().unwrap() }
    };

    // 1. The first sync reads the snapshot; a 503 is retried.
    script.lock().unwrap().snapshot.extend([fail(503), ok(SNAPSHOT)]);
    let run = sync(false).await;
    assert_eq!(run.error, None);
    assert_eq!(run.kind, Some(platsa::jobstream::RunKind::Snapshot));
    assert_eq!(counts(&run), [3, 3, 0, 0, 0, 0, 0]);
    assert_eq!(run.attempts, 2);
    // Swedish local time, without an offset: the fixed clock is 10:00 in Stockholm.
    assert_eq!(run.position_to.as_deref(), Some("2026-11-23T09:59:00"));
    let items = imported(&app, &broker).await;
    assert_eq!(items.len(), 3);
    let a = by_ad(&items, "30100001");
    assert_eq!(a["source"], "platsbanken");
    assert_eq!(a["webpage_url"], "https://arbetsformedlingen.se/platsbanken/annonser/30100001");
    assert_eq!(a["headline"], "Undersköterska till hemtjänsten i Trelleborg");
    assert_eq!(a["occupation"], "5321");
    assert_eq!(a["employment_type"], "permanent");
    assert_eq!(a["number_of_vacancies"], 2);
    assert_eq!(a["application_deadline"], "2026-12-18");
    assert_eq!(a["scope_of_work"], json!({"min": 100, "max": 100}));
    assert_eq!(a["status"], "open");
    assert_eq!(
        a["workplace_address"],
        json!({"municipality_code": "1287", "street_address": "Algatan 13", "postcode": "231 42", "city": "Trelleborg", "coordinates": {"lat": 55.3751, "lon": 13.1569}})
    );
    assert_eq!(
        a["description"],
        "Vi söker undersköterskor till hemtjänsten i Trelleborg.\nDu har god omvårdnadsvana och körkort."
    );
    assert_eq!(a["must_have"]["skills"], json!([{"id": "zgd6_6Bj_829", "label": "Personlig omvårdnad"}]));
    assert_eq!(a["must_have"]["languages"], json!([{"code": "sv", "level": "basic"}]));
    assert_eq!(a["must_have"]["driving_licences"], json!(["B"]));
    assert_eq!(a["nice_to_have"]["skills"], json!([{"id": "hqYJ_jyZ_Ks8", "label": "Demensvård"}]));
    let (b, c) = (by_ad(&items, "30100002"), by_ad(&items, "30100003"));
    assert_eq!((b["occupation"].as_str(), b["employment_type"].as_str()), (Some("8332"), Some("temporary")));
    assert_eq!(b["must_have"]["driving_licences"], json!(["C"]));
    assert_eq!(b["nice_to_have"]["languages"], json!([{"code": "en", "level": "basic"}]));
    // The occupation group's SSYK code when its concept is unknown; no licence required.
    assert_eq!((c["occupation"].as_str(), c["employment_type"].as_str()), (Some("4322"), Some("hourly")));
    assert_eq!(c["nice_to_have"]["driving_licences"], json!([]));
    // Employers are found or created by organisation number: two, not three.
    assert_eq!(b["employer_id"], c["employer_id"]);
    assert_ne!(a["employer_id"], b["employer_id"]);
    let employer: Value = app
        .get(&format!("/api/v1/employers/{}", a["employer_id"].as_str().unwrap()), &app.admin_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (employer["name"].as_str(), employer["organization_number"].as_str()),
        (Some("Trelleborgs kommun"), Some("212000-1165"))
    );

    // Imported openings are read-only here: they change in Platsbanken.
    let a_id = a["id"].as_str().unwrap().to_string();
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/openings/{a_id}")))
        .bearer_auth(&broker)
        .header("If-Match", format!("\"{}\"", a["version"]))
        .json(&json!({"number_of_vacancies": 9}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_problem(res, 409).await["code"], "conflict.imported");
    assert_eq!(
        assert_problem(app.delete(&format!("/api/v1/openings/{a_id}"), &broker).await, 409).await["code"],
        "conflict.imported"
    );
    // A broker may still take responsibility for one.
    let me: Value = app.get("/api/v1/me", &broker).await.json().await.unwrap();
    let res = app
        .client
        .put(app.url(&format!("/api/v1/openings/{a_id}/broker")))
        .bearer_auth(&broker)
        .json(&json!({"broker_id": me["user_id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // 2. Then the stream from the stored position, with the key; a 429 waits as asked.
    script.lock().unwrap().stream.extend([fail(429), ok(STREAM_1)]);
    let run = sync(false).await;
    assert_eq!(run.kind, Some(platsa::jobstream::RunKind::Stream));
    assert_eq!(counts(&run), [2, 1, 1, 0, 0, 0, 0]);
    assert_eq!(run.attempts, 2);
    {
        let seen = &script.lock().unwrap().seen;
        assert_eq!(seen.len(), 4);
        assert_eq!(seen[2].0, "/stream?date=2026-11-23T09:59:00");
        assert!(seen.iter().all(|(_, key)| key == "nyckel-123"), "the api-key header on every request");
    }
    let items = imported(&app, &broker).await;
    let a = by_ad(&items, "30100001");
    assert_eq!(
        (a["headline"].as_str(), a["number_of_vacancies"].as_i64()),
        (Some("Undersköterskor till hemtjänsten i Trelleborg"), Some(3))
    );
    assert_eq!(a["id"], a_id.as_str(), "the same ad is the same opening, updated");
    assert_eq!(a["broker_id"], me["user_id"], "Platsa's own facts about it stay");
    let d = by_ad(&items, "30100004");
    assert_eq!(d["employment_type"], "summer");
    assert_eq!(d["employer_id"], a["employer_id"]);

    // 3. A removal closes its opening; a malformed ad is skipped and counted.
    script.lock().unwrap().stream.push_back(ok(STREAM_2));
    let run = sync(false).await;
    assert_eq!(counts(&run), [3, 0, 0, 1, 1, 0, 1]);
    assert_eq!(run.problems.len(), 1);
    let p = &run.problems[0];
    assert_eq!((p.ad.as_str(), p.field.as_str()), ("30100005", "number_of_vacancies"));
    let items = imported(&app, &broker).await;
    assert_eq!(items.len(), 4, "the malformed ad is not stored at all");
    assert_eq!(by_ad(&items, "30100002")["status"], "closed");

    // 4. Replays change nothing.
    script.lock().unwrap().stream.extend([ok(STREAM_1), ok(STREAM_2)]);
    assert_eq!(counts(&sync(false).await), [2, 0, 0, 2, 0, 0, 0]);
    assert_eq!(counts(&sync(false).await), [3, 0, 0, 1, 0, 0, 1]);
    assert_eq!(imported(&app, &broker).await, items);

    // 5. A service that keeps failing: the run says why, /readyz shows it, and the position
    // stays for the next run.
    script.lock().unwrap().stream.extend([fail(503), fail(502), fail(503)]);
    let run = sync(false).await;
    assert_eq!(run.error.as_deref(), Some("HTTP 503 after 3 attempts"));
    let ready: Value = app.client.get(app.url("/readyz")).send().await.unwrap().json().await.unwrap();
    let js = &ready["checks"]["jobstream"];
    assert_eq!((js["status"].as_str(), js["failures"].as_i64()), (Some("failing"), Some(1)));
    assert_eq!(js["position"], "2026-11-23T09:59:00");
    let status: Value = app.get("/api/v1/jobstream", &broker).await.json().await.unwrap();
    assert_eq!(status["runs"].as_array().unwrap().len(), 6);
    assert_eq!(status["runs"][0]["error"], "HTTP 503 after 3 attempts");
    assert_eq!(
        status["runs"][1]["problems"],
        json!([{"ad": "30100005", "field": "number_of_vacancies", "problem": "has the wrong type"}])
    );

    // 6. A new snapshot closes what is no longer in Platsbanken.
    let only_a: Vec<Value> = serde_json::from_str::<Vec<Value>>(STREAM_1).unwrap().into_iter().take(1).collect();
    script.lock().unwrap().snapshot.push_back(ok(&serde_json::to_string(&only_a).unwrap()));
    assert_eq!(counts(&sync(true).await), [1, 0, 0, 1, 2, 0, 0]);
    let open: Vec<String> = imported(&app, &broker)
        .await
        .iter()
        .filter(|o| o["status"] == "open")
        .map(|o| o["external_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(open, ["30100001"]);
    let ready: Value = app.client.get(app.url("/readyz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["checks"]["jobstream"]["status"], "ok");

    // 7. An imported opening ranks seekers with explanations like any other.
    let res = app.post_json("/api/v1/seekers", &broker, &seeker_body(&pnr("19880808", 11))).await;
    assert_eq!(res.status(), 201);
    search_until(&app, "/api/v1/search/seekers?limit=5", &broker, 1).await;
    let res = app.get(&format!("/api/v1/openings/{a_id}/candidates"), &broker).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["total"], 1);
    let e = &body["items"][0]["explanation"];
    assert_eq!(e["occupation_match"], "exact");
    let matched: Vec<&str> =
        e["matched"]["must_have"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(matched.contains(&"Personlig omvårdnad") && matched.contains(&"Körkort B"), "{matched:?}");
    // From the workplace's own coordinates (Algatan), not the municipality's centre.
    assert!(e["distance_km"].as_f64().unwrap() > 5.0, "{e}");

    // The pages say where it came from and link to the ad.
    let (session, _) = crate::web::sign_in(&app, &broker).await;
    let get = |path: String| {
        let (app, session) = (&app, session.clone());
        async move {
            let res = app.client.get(app.url(&path)).header("cookie", session).send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            res.text().await.unwrap()
        }
    };
    let page = get(format!("/openings/{a_id}")).await;
    assert!(page.contains("Från Platsbanken"), "{page}");
    assert!(page.contains("href=\"https://arbetsformedlingen.se/platsbanken/annonser/30100001\""));
    let list = get("/openings?source=platsbanken&status=".into()).await;
    assert_eq!(list.matches("title=\"Från Platsbanken\"").count(), 4, "{list}");
    server.stop(true).await;
}

#[tokio::test]
async fn the_sync_endpoint_needs_an_admin_and_the_setting() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    assert_problem(app.post_json("/api/v1/jobstream/sync", &broker, &json!({})).await, 403).await;
    assert_field_error(
        app.post_json("/api/v1/jobstream/sync", &app.admin_token, &json!({})).await,
        "jobstream.base_url",
    )
    .await;
    let status: Value = app.get("/api/v1/jobstream", &broker).await.json().await.unwrap();
    assert_eq!(status["status"]["status"], "off");
    let employer = app.employer("AB", "556677-8899", false).await;
    let (employer_token, _) = app.token("employer", "Arbetsgivare", Some(&employer)).await;
    assert_problem(app.get("/api/v1/jobstream", &employer_token).await, 403).await;
    assert_problem(app.get("/api/v1/openings?source=annonsbladet", &broker).await, 422).await;
}

#[tokio::test]
async fn an_answer_larger_than_the_cap_or_a_redirect_is_refused_and_nothing_is_read() {
    let (base, script, server) = fake_jobstream().await;
    let app = spawn_app().await;
    let mut settings = app.state.settings.jobstream.clone();
    settings.base_url = base;
    settings.attempts = 3;
    settings.retry_base_ms = 10;
    settings.max_mb = 1;
    // Two MB of a valid-looking array: refused at once, not retried.
    let big = format!("[{}]", vec![r#"{"id":"x","removed":true}"#; 100_000].join(","));
    assert!(big.len() > 2 << 20, "{}", big.len());
    script.lock().unwrap().snapshot.push_back(ok(&big));
    let run = platsa::jobstream::sync(&app.state.pool, &settings, &app.state.clock, false).await.unwrap().unwrap();
    let error = run.error.clone().expect("refused");
    assert!(error.contains("max_mb"), "{error}");
    assert_eq!(run.attempts, 1, "a too large answer is not fetched again");
    assert_eq!(counts(&run), [0; 7]);
    // A redirect is not followed (the api-key stays with the service it was meant for).
    script.lock().unwrap().snapshot.push_back(fail(307));
    let run = platsa::jobstream::sync(&app.state.pool, &settings, &app.state.clock, false).await.unwrap().unwrap();
    assert_eq!(run.error.as_deref(), Some("HTTP 307"));
    assert_eq!(script.lock().unwrap().seen.len(), 2, "nothing else was asked");
    server.stop(true).await;
}
