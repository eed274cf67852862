//! Test harness: every test gets the real app on a free port, its own database (an SQLite
//! file, or a fresh PostgreSQL database when PLATSA_TEST_BACKEND=postgres) and its own index
//! directory.

use std::path::PathBuf;
use std::sync::Once;

use actix_web::web;
use diesel::{Connection, PgConnection, RunQueryDsl};
use platsa::{
    auth,
    config::Settings,
    startup::{AppState, Application},
};
use serde_json::Value;
use tempfile::TempDir;

pub const TEST_CLOCK: &str = "2026-11-23T10:00:00+01:00";

/// The units every test app knows.
pub const TEST_UNITS: [&str; 3] = ["Jobbcenter Trelleborg", "Jobbcenter Anderslöv", "Jobbcenter"];

pub fn backend() -> String {
    std::env::var("PLATSA_TEST_BACKEND").unwrap_or_else(|_| "sqlite".into())
}

fn postgres_base() -> String {
    std::env::var("PLATSA_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// The local test server speaks plain TCP: asking for TLS first (libpq's default) only wakes
/// OpenSSL, whose exit handlers then race threads still connected when the tests end.
fn postgres_url(db: &str) -> String {
    format!("{}/{db}?sslmode=disable", postgres_base())
}

/// A database that is gone when the test ends.
pub enum TestDb {
    Sqlite(PathBuf),
    Postgres {
        name: String,
    },
    /// Another app's database: not dropped here.
    Shared(String),
}

impl TestDb {
    pub fn create(dir: &TempDir) -> Self {
        match backend().as_str() {
            "postgres" => {
                let name = format!("platsa_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(&postgres_url("postgres"))
                    .expect("PostgreSQL reachable for PLATSA_TEST_BACKEND=postgres");
                diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin).expect("create database");
                TestDb::Postgres { name }
            }
            _ => TestDb::Sqlite(dir.path().join("platsa.db")),
        }
    }

    pub fn url(&self) -> String {
        match self {
            TestDb::Sqlite(path) => format!("sqlite://{}", path.display()),
            TestDb::Postgres { name } => postgres_url(name),
            TestDb::Shared(url) => url.clone(),
        }
    }
}

/// Runs statements one by one on the PostgreSQL server's own database (creating, copying and
/// dropping test databases, which no transaction may hold).
pub fn postgres_admin(statements: &[String]) {
    use diesel::connection::SimpleConnection;
    let mut admin = PgConnection::establish(&postgres_url("postgres")).expect("PostgreSQL reachable");
    for sql in statements {
        admin.batch_execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { name } = self
            && let Ok(mut admin) = PgConnection::establish(&postgres_url("postgres"))
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin);
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub admin_token: String,
    pub state: web::Data<AppState>,
    /// Kept for their `Drop`: the temp directory and (on PostgreSQL) the test database.
    _dir: TempDir,
    // Declared last: dropped after the server's pool is gone.
    _db: TestDb,
}

/// A test's servers stop indexing when the test ends: an indexer left polling a dropped
/// database keeps reconnecting until the process exits, and its threads then race the exit.
impl Drop for TestApp {
    fn drop(&mut self) {
        self.state.indexer.shutdown();
    }
}

static LOGS: Once = Once::new();

fn init_logs() {
    LOGS.call_once(|| {
        if std::env::var("TEST_LOG").is_ok() {
            platsa::telemetry::init(platsa::config::LogFormat::Pretty, std::io::stderr);
        }
    });
}

/// The tests' HTTP client. An idle connection is dropped after a second, well before the
/// server's keep-alive (5 s) closes it: a request reusing a connection the server is closing
/// at that moment fails with an incomplete message, and a test that waits a few seconds
/// between two requests (an evaluation, a second server starting) on a loaded machine would
/// hit that race.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().pool_idle_timeout(std::time::Duration::from_secs(1)).build().expect("client")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// The units the tests' seekers, officers and targets belong to ([`TEST_UNITS`]).
pub async fn seed_units(state: &web::Data<AppState>) {
    let now = state.clock.now_ts();
    platsa::db::run(&state.pool, move |c| {
        for name in TEST_UNITS {
            platsa::units::create(c, now, platsa::units::UnitInput { name: name.to_string(), active: true })?;
        }
        Ok(())
    })
    .await
    .expect("units");
}

/// Test settings for a database and a directory (index under `dir/index`).
pub fn test_settings(dir: &TempDir, db: &TestDb, overrides: &[(&str, &str)]) -> Settings {
    let url = db.url();
    let index_dir = dir.path().join("index").display().to_string();
    let mut all: Vec<(&str, &str)> = vec![
        ("PLATSA_LISTEN", "127.0.0.1:0"),
        ("DATABASE_URL", &url),
        ("PLATSA_INDEX_DIR", &index_dir),
        ("PLATSA_CLOCK", TEST_CLOCK),
        ("PLATSA_POOL_SIZE", "8"),
        // "Dagens förslag" runs on its own at start and with each new opening: off unless a
        // test asks for it (`daily_matches::matching`), so no other test's lists and signals
        // depend on when it ran.
        ("PLATSA_MATCHING__DAILY_PER_BROKER", "0"),
    ];
    all.extend_from_slice(overrides);
    Settings::with_overrides(&all).expect("test settings")
}

/// The app with some settings overridden (same keys as the environment).
pub async fn spawn_app_with(overrides: &[(&str, &str)]) -> TestApp {
    spawn_app_on(None, overrides).await
}

/// The app on a socket bound beforehand, reached at its own address as `public_url` (what a
/// browser signing in through a provider is sent back to, registered there first).
pub async fn spawn_app_at_public_url(listener: std::net::TcpListener, overrides: &[(&str, &str)]) -> TestApp {
    spawn_app_on(Some(listener), overrides).await
}

async fn spawn_app_on(listener: Option<std::net::TcpListener>, overrides: &[(&str, &str)]) -> TestApp {
    init_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = TestDb::create(&dir);
    let public = listener.as_ref().map(|l| format!("http://{}", l.local_addr().unwrap()));
    let mut all: Vec<(&str, &str)> = overrides.to_vec();
    if let Some(p) = &public {
        all.push(("PLATSA_PUBLIC_URL", p));
    }
    let settings = test_settings(&dir, &db, &all);
    let app = match listener {
        Some(l) => Application::build_on(settings, l).await.expect("app builds"),
        None => Application::build(settings).await.expect("app builds"),
    };
    let app = serve_with_admin(app, dir, db).await;
    seed_units(&app.state).await;
    app
}

/// The app on a database that already holds a municipality (a restored copy, say): its own
/// index (built at start), a new admin, no units seeded. The database is dropped with it.
pub async fn spawn_app_on_database(dir: TempDir, db: TestDb) -> TestApp {
    init_logs();
    let settings = test_settings(&dir, &db, &[]);
    serve_with_admin(Application::build(settings).await.expect("app builds"), dir, db).await
}

/// Serves a built app and makes its admin.
async fn serve_with_admin(app: Application, dir: TempDir, db: TestDb) -> TestApp {
    let address = format!("http://{}", app.address());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    let now = state.clock.now_ts();
    let admin = platsa::db::run(&state.pool, move |c| {
        auth::store::create_user_with_token(c, now, auth::Role::Admin, "Test Admin", None, None)
    })
    .await
    .expect("admin token");
    TestApp { address, client: client(), admin_token: admin.token, state, _dir: dir, _db: db }
}

impl TestApp {
    /// This app's database (not the app's own once it is dropped).
    pub fn database_url(&self) -> String {
        self._db.url()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A second server on the same database whose clock says `clock` (its own index,
    /// caught up from the outbox): "tomorrow" for the same data. Keep `self` alive while it runs.
    pub async fn at_clock(&self, clock: &str) -> TestApp {
        self.at_clock_with(clock, &[]).await
    }

    /// [`Self::at_clock`] with other settings overridden too.
    pub async fn at_clock_with(&self, clock: &str, overrides: &[(&str, &str)]) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = TestDb::Shared(self._db.url());
        // Two connections: a test may keep ten of these "other days" running on one
        // PostgreSQL, beside other tests and another suite (100 connections in all).
        let mut all = vec![("PLATSA_CLOCK", clock), ("PLATSA_POOL_SIZE", "2")];
        all.extend_from_slice(overrides);
        let settings = test_settings(&dir, &db, &all);
        let app = Application::build(settings).await.expect("app builds");
        let address = format!("http://{}", app.address());
        let state = app.state();
        tokio::spawn(app.run_until_stopped());
        TestApp { address, client: client(), admin_token: self.admin_token.clone(), state, _dir: dir, _db: db }
    }

    /// A new user with a token of the role; returns (token, user_id).
    pub async fn token(&self, role: &str, name: &str, employer_id: Option<&str>) -> (String, String) {
        let mut body = serde_json::json!({ "role": role, "name": name });
        if let Some(e) = employer_id {
            body["employer_id"] = e.into();
        }
        let res = self.post_json("/api/v1/tokens", &self.admin_token, &body).await;
        assert_eq!(res.status(), 201, "token create");
        let v: Value = res.json().await.unwrap();
        (v["token"].as_str().unwrap().to_string(), v["user_id"].as_str().unwrap().to_string())
    }

    pub async fn employer(&self, name: &str, orgnr: &str, municipal: bool) -> String {
        let res = self
            .post_json(
                "/api/v1/employers",
                &self.admin_token,
                &serde_json::json!({ "name": name, "organization_number": orgnr, "municipal": municipal }),
            )
            .await;
        assert_eq!(res.status(), 201);
        res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.expect("request")
    }

    pub async fn post_json(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.client.post(self.url(path)).bearer_auth(token).json(body).send().await.expect("request")
    }

    pub async fn patch_json(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.client.patch(self.url(path)).bearer_auth(token).json(body).send().await.expect("request")
    }

    pub async fn delete(&self, path: &str, token: &str) -> reqwest::Response {
        self.client.delete(self.url(path)).bearer_auth(token).send().await.expect("request")
    }
}

/// Records that the seeker agreed, by phone, to be presented for the opening.
pub async fn consent_given(app: &TestApp, token: &str, opening: &str, seeker: &str) {
    let url = format!("/api/v1/openings/{opening}/shortlist/{seeker}/consent");
    let res = app
        .client
        .put(app.url(&url))
        .bearer_auth(token)
        .json(&serde_json::json!({"state": "given", "how": "phone"}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200, "consent recorded");
}

/// Asserts a problem+json answer with the status, and returns its body.
pub async fn assert_problem(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status().as_u16(), status, "status");
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    assert!(ct.starts_with("application/problem+json"), "content type was `{ct}`");
    let body: Value = res.json().await.expect("problem body is JSON");
    assert_eq!(body["status"].as_u64(), Some(status as u64));
    assert!(body["type"].is_string() && body["title"].is_string() && body["detail"].is_string());
    body
}

/// Asserts a validation problem that names the field.
pub async fn assert_field_error(res: reqwest::Response, field: &str) -> Value {
    let body = assert_problem(res, 422).await;
    let names: Vec<&str> =
        body["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    assert!(names.contains(&field), "expected an error on `{field}`, got {names:?}");
    body
}

/// A valid personnummer for a birth date (`YYYYMMDD`) and a serial number.
pub fn pnr(date: &str, serial: u32) -> String {
    let body = format!("{}{:03}", &date[2..], serial % 1000);
    let sum: u32 = body
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap() * if i % 2 == 0 { 2 } else { 1 };
            if d > 9 { d - 9 } else { d }
        })
        .sum();
    format!("{date}{:03}{}", serial % 1000, (10 - sum % 10) % 10)
}

/// A realistic seeker body; tests override what they examine.
pub fn seeker_body(personnummer: &str) -> Value {
    serde_json::json!({
        "personnummer": personnummer,
        "first_name": "Amira",
        "last_name": "Hassan",
        "email": "amira.hassan@example.se",
        "phone": "070-123 45 67",
        "municipality_code": "1287",
        "occupations": ["5321"],
        "skills": ["personlig omvardnad", "Kassavana", "spelar dragspel"],
        "languages": [{"code": "sv", "level": "good"}, {"code": "ar", "level": "native"}],
        "driving_licences": ["b"],
        "available_from": "2026-12-01",
        "max_commute_km": 40,
        "summary": "Har arbetat som undersköterska i hemtjänsten i Damaskus i sex år.",
        "unit": "Jobbcenter Trelleborg",
    })
}

/// A realistic opening body for an employer.
pub fn opening_body() -> Value {
    serde_json::json!({
        "headline": "Undersköterska till hemtjänsten",
        "description": "Vi söker en undersköterska till hemtjänsten i Trelleborg. Körkort krävs.",
        "occupation": "5321",
        "workplace_address": {"municipality_code": "1287", "city": "Trelleborg", "postcode": "23142"},
        "number_of_vacancies": 2,
        "employment_type": "temporary",
        "must_have": {"skills": ["Personlig omvårdnad"], "languages": [{"code": "sv", "level": "good"}], "driving_licences": ["B"]},
        "nice_to_have": {"skills": ["Kassavana"]},
        "application_deadline": "2026-12-31",
        "start_date": "2027-01-07",
        "scope_of_work": {"min": 75, "max": 100},
    })
}

/// Polls a search until it has `n` hits or a second has passed; returns the hits.
pub async fn search_until(app: &TestApp, path: &str, token: &str, n: usize) -> Value {
    // Waits for the index, not for a wall-clock guess: a loaded machine may take longer than
    // a second, and a test must not depend on that.
    index_caught_up(&app.state).await;
    let started = std::time::Instant::now();
    loop {
        let body: Value = app.get(path, token).await.json().await.unwrap();
        if body["items"].as_array().map(|a| a.len()).unwrap_or(0) >= n || started.elapsed().as_secs() >= 20 {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// Waits (up to 20 s) until this app's index has applied every outbox event written so far.
pub async fn index_caught_up(state: &web::Data<AppState>) {
    let head = platsa::db::run(&state.pool, |c| Ok(platsa::db::outbox::head(c)?)).await.unwrap();
    for _ in 0..400 {
        if state.search.position() >= head {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the index did not catch up with the outbox ({} of {head})", state.search.position());
}

/// The public forms' double-submit CSRF cookie (`platsa_csrf=…`) a page set, and its value.
pub fn anonymous_csrf(res: &reqwest::Response) -> (String, String) {
    let cookie = res
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next().filter(|p| p.starts_with("platsa_csrf=")).map(str::to_string))
        .expect("csrf cookie");
    let value = cookie.trim_start_matches("platsa_csrf=").to_string();
    (cookie, value)
}

/// Starts the real binary's `serve` with these settings; returns it and its address once it
/// listens. Its log goes to `log` (a file keeps a chatty log from filling a pipe).
pub fn spawn_serve(envs: &[(&str, String)], log: std::process::Stdio) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut serve = std::process::Command::new(env!("CARGO_BIN_EXE_platsa"))
        .arg("serve")
        .envs(envs.iter().cloned())
        .stdout(std::process::Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(serve.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let address = line.trim().strip_prefix("platsa listening on ").expect("address line").to_string();
    (serve, address)
}

/// A `serve` stopped with SIGTERM (a graceful stop that releases its index) when the test
/// ends, also when it fails.
pub struct Stopped(pub std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

/// What a test gives the real binary: its own database, the index in `dir/index`, no local
/// configuration file, the test clock, any free port and quiet logs.
pub fn binary_envs(dir: &TempDir, db: &TestDb, index: &str) -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE_URL", db.url()),
        ("PLATSA_LISTEN", "127.0.0.1:0".to_string()),
        ("PLATSA_CLOCK", TEST_CLOCK.to_string()),
        ("PLATSA_INDEX_DIR", dir.path().join(index).display().to_string()),
        ("PLATSA_CONFIG", dir.path().join("none.toml").display().to_string()),
        ("RUST_LOG", "warn".to_string()),
    ]
}

/// Runs a `platsa` command that must succeed; answers what it printed.
pub fn run_platsa(envs: &[(&str, String)], args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_platsa"))
        .args(args)
        .envs(envs.iter().cloned())
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A new admin's token, made with `platsa token create` (the last line it prints).
pub fn admin_token_by_command(envs: &[(&str, String)], name: &str) -> String {
    run_platsa(envs, &["token", "create", "--role", "admin", "--name", name]).lines().last().unwrap().trim().to_string()
}

// Builders for the common fixtures: a seeker, an opening, a presented person, a broker of a unit.

/// A new seeker's id.
pub async fn new_seeker(app: &TestApp, token: &str, personnummer: &str) -> String {
    let res = app.post_json("/api/v1/seekers", token, &seeker_body(personnummer)).await;
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

/// A new opening's id, of `employer`.
pub async fn new_opening(app: &TestApp, token: &str, employer: &str, headline: &str) -> String {
    let mut o = opening_body();
    o["employer_id"] = employer.into();
    o["headline"] = headline.into();
    let res = app.post_json("/api/v1/openings", token, &o).await;
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

/// The person consents, is proposed for the opening and presented to its employer; the
/// placement's id.
pub async fn presented(app: &TestApp, broker: &str, opening: &str, seeker: &str) -> String {
    consent_given(app, broker, opening, seeker).await;
    let proposal = serde_json::json!({"seeker_id": seeker, "opening_id": opening, "kind": "praktik"});
    let placement: Value = app.post_json("/api/v1/placements", broker, &proposal).await.json().await.unwrap();
    let placement = placement["id"].as_str().unwrap().to_string();
    let step = serde_json::json!({"to": "presented", "at": "2026-11-23"});
    let res = app.post_json(&format!("/api/v1/placements/{placement}/transitions"), broker, &step).await;
    assert_eq!(res.status(), 200);
    placement
}

/// A broker of one unit gives herself a unit through the admin; her token.
pub async fn broker_of(app: &TestApp, unit: &str) -> String {
    let (broker, broker_id) = app.token("broker", "Britt Enhetsson", None).await;
    let res = app
        .client
        .put(app.url(&format!("/api/v1/users/{broker_id}/units")))
        .bearer_auth(&app.admin_token)
        .json(&serde_json::json!({ "units": [unit] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    broker
}

pub async fn new_seeker_with(app: &TestApp, token: &str, body: &Value) -> String {
    let res = app.post_json("/api/v1/seekers", token, body).await;
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

/// Where messages go when a test sends them itself: SMS and e-mail to `hook`, the JSON
/// webhook (the app under test has none, so its own schedule never sends first).
pub fn webhook_gateways(hook: &str) -> platsa::messages::gateway::Gateways {
    platsa::messages::gateway::Gateways {
        sms: Some(platsa::messages::gateway::Sms {
            kind: platsa::config::SmsGateway::Webhook,
            url: hook.to_string(),
            user: String::new(),
            password: String::new(),
            from: "Platsa".into(),
        }),
        email: Some(hook.to_string()),
        public_url: "http://127.0.0.1:8080".into(),
        max_attempts: 6,
        timeout: std::time::Duration::from_secs(10),
    }
}
