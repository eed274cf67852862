use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["checks"]["database"]["backend"], backend());
}

#[tokio::test]
async fn missing_or_unknown_token_is_401() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/api/v1/employers")).send().await.unwrap();
    assert_eq!(res.headers().get("www-authenticate").unwrap(), "Bearer");
    assert_problem(res, 401).await;
    let res = app.get("/api/v1/employers", "platsa_0000").await;
    assert_problem(res, 401).await;
    let res = app.client.get(app.url("/api/v1/employers")).header("authorization", "Basic abc").send().await.unwrap();
    assert_problem(res, 401).await;
}

#[tokio::test]
async fn wrong_role_is_403() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt Mäklare", None).await;
    let res = app.post_json("/api/v1/tokens", &broker, &json!({"role": "admin", "name": "x"})).await;
    assert_problem(res, 403).await;
    let employer = app.employer("Bygg AB", "556036-0793", false).await;
    let (emp, _) = app.token("employer", "Bygg AB API", Some(&employer)).await;
    assert_problem(app.get("/api/v1/employers", &emp).await, 403).await;
    // An employer reads itself, not others.
    assert_eq!(app.get(&format!("/api/v1/employers/{employer}"), &emp).await.status(), 200);
}

#[tokio::test]
async fn revoked_token_stops_working_at_once() {
    let app = spawn_app().await;
    let res = app.post_json("/api/v1/tokens", &app.admin_token, &json!({"role": "manager", "name": "Maja Chef"})).await;
    assert_eq!(res.status(), 201);
    let issued: Value = res.json().await.unwrap();
    let token = issued["token"].as_str().unwrap();
    assert!(token.starts_with("platsa_") && token.len() == 7 + 64, "256-bit token");
    assert_eq!(app.get("/api/v1/me", token).await.status(), 200);
    let res = app.delete(&format!("/api/v1/tokens/{}", issued["id"].as_str().unwrap()), &app.admin_token).await;
    assert_eq!(res.status(), 204);
    assert_problem(app.get("/api/v1/me", token).await, 401).await;
    // Revoking an unknown token is 404.
    assert_problem(app.delete("/api/v1/tokens/nope", &app.admin_token).await, 404).await;
    // The token list never shows token text or hashes.
    let list: Value = app.get("/api/v1/tokens", &app.admin_token).await.json().await.unwrap();
    assert!(!list.to_string().contains(token));
    assert!(list["items"][0].get("token_hash").is_none());
}

#[tokio::test]
async fn token_requests_are_validated() {
    let app = spawn_app().await;
    let res = app.post_json("/api/v1/tokens", &app.admin_token, &json!({"role": "wizard", "name": ""})).await;
    let body = assert_field_error(res, "role").await;
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"name"));
    let res = app.post_json("/api/v1/tokens", &app.admin_token, &json!({"role": "employer", "name": "X"})).await;
    assert_field_error(res, "employer_id").await;
    let res = app
        .post_json("/api/v1/tokens", &app.admin_token, &json!({"role": "employer", "name": "X", "employer_id": "nope"}))
        .await;
    assert_field_error(res, "employer_id").await;
}

#[tokio::test]
async fn bad_requests_are_problem_json_not_5xx() {
    let app = spawn_app().await;
    let admin = &app.admin_token;
    // Malformed JSON.
    let res = app
        .client
        .post(app.url("/api/v1/employers"))
        .bearer_auth(admin)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_problem(res, 400).await;
    // Wrong content type.
    let res = app
        .client
        .post(app.url("/api/v1/employers"))
        .bearer_auth(admin)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_problem(res, 415).await;
    // A wrong type names the field.
    let res = app.post_json("/api/v1/employers", admin, &json!({"name": "X", "organization_number": 5})).await;
    assert_field_error(res, "organization_number").await;
    // A missing field names it.
    let res = app.post_json("/api/v1/employers", admin, &json!({"name": "X"})).await;
    assert_field_error(res, "organization_number").await;
    // An unknown field names it.
    let res = app
        .post_json("/api/v1/employers", admin, &json!({"name": "X", "organization_number": "556036-0793", "colour": 1}))
        .await;
    assert_problem(res, 422).await;
    // Unknown route, wrong method, bad pagination.
    assert_problem(app.get("/api/v1/nothing-here", admin).await, 404).await;
    let res = app.client.put(app.url("/healthz")).send().await.unwrap();
    assert_problem(res, 405).await;
    assert_field_error(app.get("/api/v1/employers?limit=0", admin).await, "limit").await;
    let res = app.get("/api/v1/employers?limit=abc", admin).await;
    assert_problem(res, 400).await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    assert_eq!(platsa::config::Settings::with_overrides(&[]).unwrap().body_limit, 1 << 20, "1 MiB by default");
    // A small limit, so the whole body is on the wire before the server answers.
    let app = spawn_app_with(&[("PLATSA_BODY_LIMIT", "2048")]).await;
    let big = json!({ "name": "x".repeat(4000), "organization_number": "556036-0793" });
    assert_problem(app.post_json("/api/v1/employers", &app.admin_token, &big).await, 413).await;
    // Without a Content-Length (chunked), the limit still holds.
    let chunks: Vec<Result<String, std::io::Error>> =
        vec![Ok("{\"name\": \"".into()), Ok("y".repeat(3000)), Ok("\"}".into())];
    let res = app
        .client
        .post(app.url("/api/v1/employers"))
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_problem(res, 413).await;
    let ok = json!({ "name": "Liten AB", "organization_number": "556036-0793" });
    assert_eq!(app.post_json("/api/v1/employers", &app.admin_token, &ok).await.status(), 201);
}

#[tokio::test]
async fn wrong_settings_stop_start_up_naming_the_key() {
    let bin = env!("CARGO_BIN_EXE_platsa");
    for (key, value, named) in [
        ("PLATSA_POOL_SIZE", "many", "pool_size"),
        ("PLATSA_LOG_FORMAT", "xml", "log_format"),
        ("PLATSA_LISTEN", "localhost", "listen"),
        ("PLATSA_CLOCK", "tomorrow", "clock"),
        ("DATABASE_URL", "mysql://x", "database_url"),
    ] {
        let out = std::process::Command::new(bin).arg("migrate").env(key, value).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{key}={value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("`{named}`")), "{key}={value}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // An unknown key in the local file is refused too.
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("local.toml");
    std::fs::write(&local, "listen = \"127.0.0.1:9\"\nlisen = 1\n").unwrap();
    let out = std::process::Command::new(bin).arg("migrate").env("PLATSA_CONFIG", &local).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lisen"));
}

#[tokio::test]
async fn employers_are_created_validated_and_unique() {
    let app = spawn_app().await;
    let admin = &app.admin_token;
    let res = app
        .post_json(
            "/api/v1/employers",
            admin,
            &json!({"name": " Trelleborgs kommun ", "organization_number": "2120001165", "municipal": true}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["name"], "Trelleborgs kommun");
    assert_eq!(e["organization_number"], "212000-1165");
    assert_eq!(e["municipal"], true);
    assert!(e["created_at"].as_str().unwrap().ends_with("+01:00"), "shown in Stockholm time");
    let res = app
        .post_json("/api/v1/employers", admin, &json!({"name": "Dublett", "organization_number": "212000-1165"}))
        .await;
    let body = assert_problem(res, 409).await;
    assert_eq!(body["existing_id"], e["id"]);
    let res =
        app.post_json("/api/v1/employers", admin, &json!({"name": "Fel", "organization_number": "212000-1166"})).await;
    assert_field_error(res, "organization_number").await;
    let list: Value = app.get("/api/v1/employers?limit=10", admin).await.json().await.unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["limit"], 10);
    assert_eq!(list["offset"], 0);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

/// Runs the real binary with no configuration but a database and a port, uses a
/// personnummer and a token, stops it with SIGTERM, and searches everything it logged.
#[tokio::test]
async fn binary_serves_and_never_logs_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(&dir);
    let bin = env!("CARGO_BIN_EXE_platsa");
    let envs = [
        ("DATABASE_URL", db.url()),
        ("PLATSA_LISTEN", "127.0.0.1:0".to_string()),
        ("PLATSA_LOG_FORMAT", "json".to_string()),
        ("PLATSA_INDEX_DIR", dir.path().join("index").display().to_string()),
        ("PLATSA_CONFIG", dir.path().join("none.toml").display().to_string()),
        ("RUST_LOG", "debug".to_string()),
    ];
    let out = Command::new(bin)
        .args(["token", "create", "--role", "admin", "--name", "Ops"])
        .envs(envs.clone())
        .output()
        .unwrap();
    assert!(out.status.success(), "token create: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let admin = stdout.lines().last().unwrap().trim().to_string();
    assert!(admin.starts_with("platsa_"));
    let mut logs = String::from_utf8_lossy(&out.stderr).to_string();

    let mut child = Command::new(bin)
        .arg("serve")
        .envs(envs.clone())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let address = line.trim().strip_prefix("platsa listening on ").expect("address line").to_string();
    // Read the log while it is written: at debug level it outgrows a pipe's buffer, and a
    // child blocked on a full pipe would never finish.
    let mut stderr = child.stderr.take().unwrap();
    let drained = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).unwrap();
        text
    });

    let client = reqwest::Client::new();
    assert_eq!(client.get(format!("{address}/healthz")).send().await.unwrap().status(), 200);
    assert_eq!(client.get(format!("{address}/readyz")).send().await.unwrap().status(), 200);
    let personnummer = "198112289874";
    // The personnummer in a body, a path and a query; the token in a header.
    let res = client
        .post(format!("{address}/api/v1/employers"))
        .bearer_auth(&admin)
        .json(&json!({"name": "Test", "organization_number": personnummer}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let _ = client
        .get(format!("{address}/api/v1/employers/{personnummer}?q={personnummer}"))
        .bearer_auth(&admin)
        .send()
        .await;
    let res = client
        .post(format!("{address}/api/v1/tokens"))
        .bearer_auth(&admin)
        .json(&json!({"role": "broker", "name": "B"}))
        .send()
        .await
        .unwrap();
    let broker: Value = res.json().await.unwrap();
    let broker = broker["token"].as_str().unwrap().to_string();
    let _ = client.get(format!("{address}/api/v1/me")).bearer_auth(&broker).send().await;

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "graceful shutdown exits 0, got {exit:?}");
    logs.push_str(&drained.join().unwrap());

    assert!(logs.contains("request finished"), "requests were logged:\n{logs}");
    assert!(logs.contains("\"route\":\"/api/v1/employers/{id}\""), "routes are logged as patterns");
    for secret in [personnummer, admin.as_str(), broker.as_str(), &admin[7..20]] {
        assert!(!logs.contains(secret), "the log contains a secret `{secret}`");
    }
}

/// Every route the code declares is described, and every described route answers (with
/// something other than "no such route").
#[tokio::test]
async fn openapi_describes_every_route() {
    let app = spawn_app().await;
    let doc: Value = app.client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let described: std::collections::BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| (m.to_uppercase(), path.clone())))
        .collect();
    let mut declared = std::collections::BTreeSet::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for line in text.lines() {
                    let line = line.trim();
                    for m in ["get", "post", "put", "patch", "delete"] {
                        if let Some(rest) = line.strip_prefix(&format!("#[{m}(\"")) {
                            let route = rest.split('"').next().unwrap();
                            // HTML pages are not part of the JSON API.
                            if route.starts_with("/api") || route.ends_with("z") || route == "/metrics" {
                                declared.insert((m.to_uppercase(), route.to_string()));
                            }
                        }
                    }
                }
            }
        }
    }
    let missing: Vec<_> = declared.difference(&described).collect();
    assert!(missing.is_empty(), "routes not in the OpenAPI document: {missing:?}");
    for (method, path) in &described {
        let url = app.url(&path.replace("{id}", "00000000-0000-0000-0000-000000000000"));
        let req = app.client.request(method.parse().unwrap(), url).bearer_auth(&app.admin_token);
        let req = if method == "POST" || method == "PATCH" || method == "PUT" { req.json(&json!({})) } else { req };
        let res = req.send().await.unwrap();
        assert!(res.status().as_u16() < 500, "{method} {path}: {}", res.status());
        if res.status() == 404 {
            let body: Value = res.json().await.unwrap();
            assert_ne!(body["detail"], "route not found", "{method} {path} is described but does not exist");
        }
    }
}

/// `/metrics`: admins (or the addresses in `metrics.allow`) read request latency per route
/// pattern, connection waits and what the database says, in Prometheus text; nobody else does.
#[tokio::test]
async fn metrics_are_prometheus_text_for_admins() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(app.get("/api/v1/seekers", &broker).await.status(), 200);
    assert_problem(app.client.get(app.url("/metrics")).send().await.unwrap(), 401).await;
    assert_problem(app.get("/metrics", &broker).await, 403).await;
    let res = app.get("/metrics", &app.admin_token).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = res.text().await.unwrap();
    assert!(text.contains("# TYPE platsa_http_responses_total counter"));
    let ok: u64 = text
        .lines()
        .find(|l| l.starts_with("platsa_http_responses_total{class=\"2xx\"}"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(ok >= 1);
    // Latency per route pattern and status class, never a raw path.
    assert!(text.contains("# TYPE platsa_http_request_duration_seconds histogram"), "{text}");
    assert!(
        text.lines()
            .any(|l| l
                .starts_with("platsa_http_request_duration_seconds_count{class=\"2xx\",route=\"/api/v1/seekers\"}")),
        "{text}"
    );
    assert!(text.contains("route=\"/healthz\""));
    assert!(text.contains("# TYPE platsa_db_pool_wait_seconds histogram"));
    for figure in [
        "platsa_index_outbox_behind 0",
        "platsa_index_lag_seconds 0",
        "platsa_booking_free_slots_next_working_day ",
        "platsa_backup_scheduled 0",
        "# TYPE platsa_deliveries_overdue gauge",
        "# TYPE platsa_applications_next_day_full_total counter",
    ] {
        assert!(text.contains(figure), "{figure} missing: {text}");
    }

    // From an allowed address (the Prometheus server) no token is needed.
    let open = spawn_app_with(&[("PLATSA_METRICS__ALLOW", "127.0.0.1/32")]).await;
    let res = open.client.get(open.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("platsa_http_request_duration_seconds"));
}

/// `serve --demo` seeds an empty database and prints tokens; a second start leaves it alone.
#[tokio::test]
#[allow(clippy::zombie_processes)] // `start` hands the child to the caller, which waits for it
async fn serve_demo_seeds_a_living_municipality_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(&dir);
    let bin = env!("CARGO_BIN_EXE_platsa");
    let envs = [
        ("DATABASE_URL", db.url()),
        ("PLATSA_LISTEN", "127.0.0.1:0".to_string()),
        ("PLATSA_CLOCK", TEST_CLOCK.to_string()),
        ("PLATSA_INDEX_DIR", dir.path().join("index").display().to_string()),
        ("PLATSA_CONFIG", dir.path().join("none.toml").display().to_string()),
    ];
    let start = || {
        let mut child = Command::new(bin)
            .args(["serve", "--demo"])
            .envs(envs.clone())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            if out.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.kill();
                let _ = child.wait();
                panic!("serve ended early: {lines:?}");
            }
            let done = line.starts_with("platsa listening on ");
            lines.push(line.trim().to_string());
            if done {
                return (child, lines);
            }
        }
    };
    let (mut child, lines) = start();
    let address = lines.last().unwrap().strip_prefix("platsa listening on ").unwrap().to_string();
    let token = |role: &str| {
        lines.iter().find_map(|l| l.strip_prefix(&format!("demo: {role} token")).map(|t| t.trim().to_string())).unwrap()
    };
    let (broker, manager) = (token("broker"), token("manager"));
    let client = reqwest::Client::new();
    let get = |path: String, t: &str| client.get(format!("{address}{path}")).bearer_auth(t).send();
    let openings: Value = get("/api/v1/openings?status=open".into(), &broker).await.unwrap().json().await.unwrap();
    assert!(openings["total"].as_i64().unwrap() >= 20, "open openings: {}", openings["total"]);
    let seekers: Value = get("/api/v1/seekers?limit=1".into(), &broker).await.unwrap().json().await.unwrap();
    assert!(seekers["total"].as_i64().unwrap() >= 300);
    // The index caught up with the seeded data: an open opening has ranked candidates.
    let id = openings["items"][0]["id"].as_str().unwrap().to_string();
    let mut ranked = 0;
    for _ in 0..200 {
        let c: Value = get(format!("/api/v1/openings/{id}/candidates"), &broker).await.unwrap().json().await.unwrap();
        ranked = c["total"].as_i64().unwrap_or(0);
        if ranked > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ranked > 0, "candidates for a demo opening");
    // A year of outcomes against targets.
    let report: Value =
        get("/api/v1/reports/monthly?month=2026-10".into(), &manager).await.unwrap().json().await.unwrap();
    assert!(
        report["totals"]["exits_total"].as_i64().unwrap() > 0 && report["totals"]["target"].as_i64().unwrap() > 0,
        "{report}"
    );
    let placements: Value =
        get("/api/v1/placements?status=proposed".into(), &broker).await.unwrap().json().await.unwrap();
    let _ = placements;
    // Labour-market plans and the last weeks' attendance: both plan measures have values.
    let processes: Value = get("/api/v1/reports/processes".into(), &manager).await.unwrap().json().await.unwrap();
    for m in ["share_with_agreed_plan", "attendance_rate"] {
        let values: Vec<f64> = processes["units"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|u| u["measures"].as_array().unwrap().iter())
            .filter(|f| f["measure"] == m)
            .filter_map(|f| f["value"].as_f64())
            .collect();
        assert!(values.iter().any(|v| *v > 0.3 && *v < 1.0), "{m}: {values:?}");
    }
    // The broker has looked at each open opening's first page: exposure has figures.
    let exposure: Value = get("/api/v1/reports/exposure".into(), &manager).await.unwrap().json().await.unwrap();
    let total = &exposure["total"];
    assert!(total["shown_top"].as_i64().unwrap() > 0, "{exposure}");
    assert!(total["never_shown"].as_i64().unwrap() < total["eligible"].as_i64().unwrap(), "{exposure}");
    // The broker has people behind each of the plan's signals.
    let signals: Value = get("/api/v1/signals".into(), &broker).await.unwrap().json().await.unwrap();
    for kind in ["no_plan", "plan_review", "invalid_absences"] {
        assert!(signals["items"].as_array().unwrap().iter().any(|s| s["kind"] == kind), "{kind}");
    }
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    child.wait().unwrap();
    // Started again with --demo: the data is left alone.
    let (mut child, lines) = start();
    assert!(lines.iter().any(|l| l.contains("already has data")), "{lines:?}");
    // …and says how to get a token, since the first start's are not printed again.
    assert!(lines.iter().any(|l| l.contains("platsa token create --role broker")), "{lines:?}");
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    child.wait().unwrap();
}

/// SIGTERM: the server stops accepting, closes an idle keep-alive connection at once, and
/// finishes a request already under way (its body still arriving) before it exits, well
/// inside the 10 s grace period rather than at its end. (actix-web before 4.14 kept idle
/// keep-alive connections open until their keep-alive ran out.)
#[tokio::test]
async fn sigterm_closes_idle_connections_and_finishes_requests_under_way() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(&dir);
    let envs = binary_envs(&dir, &db, "index");
    let (mut serve, at) = spawn_serve(&envs, std::process::Stdio::null());
    let address = at.trim_start_matches("http://").to_string();
    let read_answer = |s: &mut std::net::TcpStream| {
        let mut buf = vec![0u8; 16 * 1024];
        let n = s.read(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).to_string()
    };
    // An idle keep-alive connection: one answered request, then nothing.
    let mut idle = std::net::TcpStream::connect(&address).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert!(read_answer(&mut idle).starts_with("HTTP/1.1 200"));
    // A request under way: its headers sent, its body not yet.
    let body = br#"{"name": "Sent AB", "organization_number": "556036-0793"}"#;
    let mut busy = std::net::TcpStream::connect(&address).unwrap();
    write!(
        busy,
        "POST /api/v1/employers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    busy.write_all(&body[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(200));

    let stopped = Instant::now();
    std::process::Command::new("kill").args(["-TERM", &serve.id().to_string()]).status().unwrap();
    // The idle connection is closed by the server: a read sees the end of the stream.
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut rest = Vec::new();
    let closed = idle.read_to_end(&mut rest);
    assert!(closed.is_ok(), "the idle connection was not closed: {closed:?}");
    // At once, not when its keep-alive (5 s) runs out; 2 s leaves room for a loaded machine.
    let idle_closed = stopped.elapsed();
    assert!(idle_closed < Duration::from_secs(2), "the idle connection stayed open {idle_closed:?}");
    // The request under way is answered (401: no token) once its body has arrived.
    std::thread::sleep(Duration::from_millis(200));
    busy.write_all(&body[10..]).unwrap();
    busy.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let answer = read_answer(&mut busy);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    // New connections are refused once it is gone, and it is gone long before the grace period.
    let status = loop {
        if let Some(status) = serve.try_wait().unwrap() {
            break status;
        }
        assert!(stopped.elapsed() < Duration::from_secs(8), "still running after SIGTERM (grace period: 10 s)");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    println!("stopped {:?} after SIGTERM", stopped.elapsed());
    assert!(std::net::TcpStream::connect(&address).is_err());
}

/// The token is checked before the body is read: an unknown token with a bad body is 401
/// (never a 422 that tells a stranger how the body is checked); a known one with it is 422.
#[tokio::test]
async fn an_unknown_token_is_refused_before_the_body_is_read() {
    let app = spawn_app().await;
    let bogus = "platsa_0000000000000000000000000000000000000000000000000000000000000000";
    for (path, body) in [("/api/v1/seekers", "{\"personnummer\": 12"), ("/api/v1/openings", "[1, 2, 3]")] {
        let res = app
            .client
            .post(app.url(path))
            .bearer_auth(bogus)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_problem(res, 401).await;
        let res = app
            .client
            .post(app.url(path))
            .bearer_auth(&app.admin_token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(matches!(res.status().as_u16(), 400 | 422), "{path}: {}", res.status());
    }
}

/// Trying tokens is throttled per address and told to admins: past 20 failures a minute the
/// failures are answered late with Retry-After (still 401, a valid token still works), and
/// 50 in a day become a signal that admins see and managers do not.
#[tokio::test]
async fn guessing_tokens_is_throttled_and_signalled_to_admins() {
    let app = spawn_app().await;
    let (manager, _) = app.token("manager", "Maja Chef", None).await;
    let mut answers = Vec::new();
    for i in 0..50 {
        let guess = format!("platsa_{i:064}");
        let res = app.get("/api/v1/openings", &guess).await;
        answers.push((res.status().as_u16(), res.headers().contains_key("retry-after")));
    }
    assert!(answers.iter().all(|(s, _)| *s == 401), "{answers:?}");
    assert!(answers[..20].iter().all(|(_, slowed)| !slowed), "{answers:?}");
    assert!(answers[20..].iter().all(|(_, slowed)| *slowed), "{answers:?}");
    assert_eq!(app.get("/api/v1/openings", &app.admin_token).await.status(), 200, "a valid token still works");

    let signals: Value = app.get("/api/v1/signals?kind=sign_in_failures", &app.admin_token).await.json().await.unwrap();
    let items = signals["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{signals}");
    assert_eq!((items[0]["address"].as_str(), items[0]["days"].as_i64()), (Some("127.0.0.1"), Some(50)));
    let theirs: Value = app.get("/api/v1/signals", &manager).await.json().await.unwrap();
    assert!(!theirs.to_string().contains("sign_in_failures"), "{theirs}");
}

/// A log written to a file (or a journal) is plain text: colour codes are for a terminal.
#[tokio::test]
async fn a_log_to_a_file_carries_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(&dir);
    let mut envs = binary_envs(&dir, &db, "index");
    envs.retain(|(k, _)| *k != "RUST_LOG");
    envs.push(("RUST_LOG", "info".to_string()));
    envs.push(("PLATSA_LOG_FORMAT", "pretty".to_string()));
    let log_path = dir.path().join("serve.log");
    let (serve, address) = spawn_serve(&envs, std::fs::File::create(&log_path).unwrap().into());
    let serve = Stopped(serve);
    assert_eq!(reqwest::get(format!("{address}/healthz")).await.unwrap().status(), 200);
    drop(serve);
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("starting"), "{log}");
    assert!(!log.contains('\u{1b}'), "colour codes in a log file: {log:?}");
}

/// utoipa names a schema after its type, and a second type of the same name silently replaces
/// the first in the document (the backup's `Status` once replaced the placements' status):
/// every type deriving `ToSchema` has a name of its own (or its own `#[schema(as = …)]`).
#[test]
fn every_schema_has_a_name_of_its_own() {
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut clashes = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let lines: Vec<&str> = text.lines().map(str::trim).collect();
            for (i, line) in lines.iter().enumerate() {
                if !(line.starts_with("#[derive(") && line.contains("ToSchema")) {
                    continue;
                }
                // The attributes up to the item: a renaming `as`, then the type's own name.
                let mut renamed = None;
                for next in &lines[i + 1..] {
                    if let Some(rest) = next.strip_prefix("#[schema(as = ") {
                        renamed = rest.split([')', ',']).next().map(str::to_string);
                    }
                    let item = next.strip_prefix("pub ").unwrap_or(next);
                    let item = item.strip_prefix("(crate) ").or_else(|| item.strip_prefix("(super) ")).unwrap_or(item);
                    if let Some(rest) = item.strip_prefix("struct ").or_else(|| item.strip_prefix("enum ")) {
                        let own: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                        let name = renamed.clone().unwrap_or(own);
                        let place = format!("{}:{}", path.display(), i + 1);
                        if let Some(first) = seen.insert(name.clone(), place.clone()) {
                            clashes.push(format!("{name}: {first} and {place}"));
                        }
                        break;
                    }
                }
            }
        }
    }
    assert!(clashes.is_empty(), "schemas sharing a name: {clashes:#?}");
    assert!(seen.len() > 100, "the scan found the schemas ({})", seen.len());
}
