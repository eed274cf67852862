//! The typed core from the outside: commands beside a running `serve`, the two migration
//! trees giving one schema, and the demo's pages in Swedish only.

use std::process::{Command, Output, Stdio};

use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use platsa::startup::Application;
use serde_json::Value;

use crate::helpers::{TestDb, backend, binary_envs, index_caught_up, spawn_serve, test_settings};

fn run(envs: &[(&str, String)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_platsa")).args(args).envs(envs.iter().cloned()).output().expect("runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

/// `token create`, `report show` and `migrate` open only the database, so they work while
/// `serve` holds the index; `reindex` refuses then, saying what to do, and works once it stops.
#[tokio::test]
async fn commands_work_beside_a_running_serve() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(&dir);
    let envs = binary_envs(&dir, &db, "index");
    // migrate says how many it applied: all of them on a new database, then none.
    let trees = std::fs::read_dir(format!("{}/migrations/{}", env!("CARGO_MANIFEST_DIR"), backend()))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_dir())
        .count();
    let first = run(&envs, &["migrate"]);
    assert!(first.status.success(), "migrate: {}", text(&first.stderr));
    assert!(text(&first.stdout).contains(&format!(": {trees} migration(s) applied")), "{}", text(&first.stdout));
    let again = run(&envs, &["migrate"]);
    assert!(text(&again.stdout).contains(": 0 migration(s) applied"), "{}", text(&again.stdout));

    let (mut serve, address) = spawn_serve(&envs, Stdio::null());
    let client = reqwest::Client::new();

    let created = run(&envs, &["token", "create", "--role", "manager", "--name", "Maja Chef"]);
    assert!(created.status.success(), "token create beside serve: {}", text(&created.stderr));
    let token = text(&created.stdout).lines().last().unwrap().trim().to_string();
    // The running service knows the new token at once: one database.
    let me = client.get(format!("{address}/api/v1/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), 200);

    let report = run(&envs, &["report", "show", "--month", "2026-11"]);
    assert!(report.status.success(), "report show beside serve: {}", text(&report.stderr));
    let report: Value = serde_json::from_slice(&report.stdout).expect("the report is JSON");
    assert_eq!(report["month"], "2026-11");
    let bad = run(&envs, &["report", "show", "--month", "november"]);
    assert!(!bad.status.success() && text(&bad.stderr).contains("--month"), "{}", text(&bad.stderr));

    let reindex = run(&envs, &["reindex"]);
    assert!(!reindex.status.success(), "reindex must not run beside serve");
    let why = text(&reindex.stderr);
    assert!(why.contains("another platsa process") && why.contains("stop it first"), "{why}");

    // SIGTERM: a graceful stop releases the index.
    let _ = Command::new("kill").args(["-TERM", &serve.id().to_string()]).status();
    let stopped = serve.wait().unwrap();
    assert!(stopped.success(), "serve stops cleanly: {stopped:?}");
    let reindex = run(&envs, &["reindex"]);
    assert!(reindex.status.success(), "reindex after serve stopped: {}", text(&reindex.stderr));
}

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ColumnRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
}

/// Both migration trees, applied to empty databases, give the same tables and columns.
#[tokio::test]
async fn sqlite_and_postgres_migrations_give_the_same_tables_and_columns() {
    if backend() != "postgres" {
        eprintln!("runs with PLATSA_TEST_BACKEND=postgres (CI's second pass)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pg = TestDb::create(&dir);
    let sqlite_url = format!("sqlite://{}", dir.path().join("schema.db").display());
    for url in [sqlite_url.clone(), pg.url()] {
        let settings = platsa::config::Settings::with_overrides(&[("DATABASE_URL", url.as_str())]).unwrap();
        platsa::db::open(&settings.database_url, 1).expect("migrates");
    }
    let hidden = |t: &str| t.starts_with("__diesel") || t.starts_with("sqlite_");
    let mut sqlite = SqliteConnection::establish(dir.path().join("schema.db").to_str().unwrap()).unwrap();
    let mut lite: Vec<ColumnRow> = diesel::sql_query(
        "SELECT m.name AS table_name, p.name AS column_name \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'",
    )
    .load(&mut sqlite)
    .unwrap();
    let mut postgres = PgConnection::establish(&pg.url()).unwrap();
    let mut pg_cols: Vec<ColumnRow> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name \
         FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .load(&mut postgres)
    .unwrap();
    lite.retain(|c| !hidden(&c.table_name));
    pg_cols.retain(|c| !hidden(&c.table_name));
    lite.sort();
    pg_cols.sort();
    assert!(lite.len() > 50, "introspection found the schema ({} columns)", lite.len());
    let only = |a: &[ColumnRow], b: &[ColumnRow]| -> Vec<String> {
        a.iter().filter(|c| !b.contains(c)).map(|c| format!("{}.{}", c.table_name, c.column_name)).collect()
    };
    assert!(
        lite == pg_cols,
        "only in SQLite: {:?}; only in PostgreSQL: {:?}",
        only(&lite, &pg_cols),
        only(&pg_cols, &lite)
    );
}

/// The visible text of a page: tags, scripts and attribute values left out.
fn visible(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
}

/// English that used to reach the Swedish pages through string fallbacks.
const ENGLISH: &[&str] = &[
    "seasonal",
    "hourly",
    "moved up",
    "place(s)",
    "waited longest",
    "must-have",
    "nice-to-have",
    "commute",
    "available by",
    "after the start date",
    "shared words",
    "same SSYK",
    "substitute",
    "related occupation",
    "unknown",
    "(seeker)",
    "(opening)",
    "not found",
    "must be",
    "YYYY-MM",
    "proposed",
    "presented",
    "employment",
];

fn assert_swedish(path: &str, html: &str) {
    let text = visible(html);
    let lower = text.to_lowercase();
    for word in ENGLISH {
        assert!(!lower.contains(&word.to_lowercase()), "{path} shows English `{word}`: …{}…", {
            let i = lower.find(&word.to_lowercase()).unwrap();
            let start = text.char_indices().map(|(i, _)| i).rfind(|&j| j + 80 <= i).unwrap_or(0);
            text[start..(i + word.len() + 40).min(text.len())].to_string()
        });
    }
}

/// The demo's pages, every opening's page included (all employment types, the candidates'
/// explanations and fairness notes), a bad month and the 404 pages contain none of the
/// English words above.
#[tokio::test]
async fn demo_pages_speak_swedish_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(&dir);
    let settings = test_settings(&dir, &db, &[]);
    let booking = settings.booking.clone();
    let app = Application::build(settings).await.expect("app builds");
    let address = format!("http://{}", app.address());
    let state = app.state();
    let handle = app.handle();
    let running = tokio::spawn(app.run_until_stopped());
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let tokens = platsa::db::run(&state.pool, move |c| platsa::demo::municipality::seed(c, now, today, &booking))
        .await
        .expect("demo seeds");
    // The indexer is woken by the commit; wait until it has applied everything.
    index_caught_up(&state).await;

    let client = reqwest::Client::new();
    // The demo has no seasonal or hourly jobs; post one of each, so their pages are seen too.
    let employers: Value = client
        .get(format!("{address}/api/v1/employers"))
        .bearer_auth(&tokens.admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let employer = employers["items"][0]["id"].as_str().unwrap().to_string();
    let mut added = Vec::new();
    for kind in ["seasonal", "hourly"] {
        let mut body = crate::helpers::opening_body();
        body["employment_type"] = kind.into();
        body["employer_id"] = employer.clone().into();
        let res = client.post(format!("{address}/api/v1/openings")).bearer_auth(&tokens.admin).json(&body).send().await;
        let created: Value = res.unwrap().json().await.unwrap();
        added.push(format!("/openings/{}", created["id"].as_str().expect("opening created")));
    }
    let get = |path: String, token: String| {
        let client = client.clone();
        let url = format!("{address}{path}");
        async move {
            let res = client.get(url).bearer_auth(token).send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let broker = tokens.broker.clone();
    let mut pages = vec![
        ("/".to_string(), 200),
        ("/openings".to_string(), 200),
        ("/openings?status=closed".to_string(), 200),
        ("/seekers".to_string(), 200),
        ("/placements".to_string(), 200),
        ("/placements?all=1".to_string(), 200),
        ("/agenda".to_string(), 200),
        ("/reports/monthly".to_string(), 200),
        ("/reports/monthly?month=november".to_string(), 422),
        ("/openings?municipality=9999".to_string(), 200),
        ("/seekers/00000000-0000-0000-0000-000000000000".to_string(), 404),
        ("/openings/00000000-0000-0000-0000-000000000000".to_string(), 404),
    ];
    pages.extend(added.iter().map(|p| (p.clone(), 200)));
    // Every opening and a page of seekers, by their links.
    for list in ["/openings?status=&offset=0", "/openings?status=&offset=20", "/seekers?status="] {
        let (_, html) = get(list.to_string(), broker.clone()).await;
        for part in html.split("href=\"").skip(1) {
            let link = part.split('"').next().unwrap();
            let is_record = (link.starts_with("/openings/") || link.starts_with("/seekers/")) && !link.contains('?');
            if is_record && !pages.iter().any(|(p, _)| p == link) {
                pages.push((link.to_string(), 200));
            }
        }
    }
    let openings = pages.iter().filter(|(p, _)| p.starts_with("/openings/")).count();
    assert!(openings >= 10, "the demo's openings were found ({openings})");
    // The plan pages of some of those people, and the attendance register with a group's week.
    let people: Vec<String> = pages
        .iter()
        .filter(|(p, status)| p.starts_with("/seekers/") && *status == 200 && p.len() > 30)
        .map(|(p, _)| p.clone())
        .take(8)
        .collect();
    assert!(!people.is_empty(), "the demo's people were found");
    for p in people {
        pages.push((format!("{p}/plan"), 200));
        pages.push((format!("{p}/plan/print"), 200));
    }
    pages.push(("/attendance".to_string(), 200));
    pages.push(("/attendance?grupp=praktik:Praktik%20i%20butik&vecka=2026-11-16".to_string(), 200));
    let (mut explained, mut fairness, mut kinds) = (0, 0, 0);
    for (path, status) in &pages {
        let (got, html) = get(path.clone(), broker.clone()).await;
        assert_eq!(got, *status, "{path}");
        assert_swedish(path, &html);
        explained += html.matches("Poängens delar").count();
        fairness += html.matches("Rättvisa:").count();
        kinds += html.matches("Säsongsanställning").count() + html.matches("Timanställning").count();
    }
    // The checks above saw what they guard against.
    assert!(explained > 20, "candidate explanations were shown ({explained})");
    assert!(fairness > 0, "fairness notes were shown");
    assert!(kinds >= 2, "the seasonal and hourly jobs were shown ({kinds})");
    // The officer's agenda (today's applicants, linked by the demo), the manager's pages.
    for (path, token) in
        [("/agenda", &tokens.officer), ("/", &tokens.manager), ("/reports/monthly?month=2026-10", &tokens.manager)]
    {
        let (got, html) = get(path.to_string(), token.clone()).await;
        assert_eq!(got, 200, "{path}");
        assert_swedish(path, &html);
    }
    handle.stop(true).await;
    running.await.unwrap().unwrap();
}

/// The one delivery table takes over what the four delivery tables held, on both backends:
/// from a database one migration back (its `down.sql` run, so that is checked too), with a
/// reminder failing, a consent request failed, a month's figures delivered and a signal
/// pending, the migration moves each with its state, attempts and error.
#[tokio::test]
async fn the_deliveries_migration_keeps_every_delivery_and_its_state() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(&dir);
    let settings = test_settings(&dir, &db, &[]);
    let (pool, _) = platsa::db::open(&settings.database_url, 1).expect("migrates");
    // Back to before the deliveries: every later migration undone, the newest first, then the
    // deliveries' own (whatever migrations come after it, this test keeps working).
    let dir_of = format!("{}/migrations/{}", env!("CARGO_MANIFEST_DIR"), backend());
    let mut names: Vec<String> = std::fs::read_dir(&dir_of)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.as_str() > "2026-12-06-000018_deliveries")
        .collect();
    names.sort();
    let undo = |name: &str| {
        std::fs::read_to_string(format!("{dir_of}/{name}/down.sql")).unwrap()
            + "\nDELETE FROM __diesel_schema_migrations WHERE version = (SELECT MAX(version) FROM __diesel_schema_migrations);\n"
    };
    let later: String = names.iter().rev().map(|n| undo(n)).collect();
    let down = undo("2026-12-06-000018_deliveries");
    let undone = names.len() + 1;
    // Old rows name a booking and a seeker that need not exist here.
    let no_keys =
        if backend() == "sqlite" { "PRAGMA foreign_keys = OFF;" } else { "SET session_replication_role = replica;" };
    let old_rows = format!(
        "{later}
         {no_keys}
         {down}
         INSERT INTO reminders (booking_id, due_at, status, attempts, last_error, next_attempt_at)
             VALUES ('b1', 100, 'pending', 2, 'HTTP 500', 400);
         INSERT INTO consent_messages (id, opening_id, seeker_id, link, status, attempts, next_attempt_at, last_error, created_at)
             VALUES ('m1', 'o1', 's1', 'http://x/samtycke/t', 'failed', 3, 300, 'HTTP 502', 50);
         INSERT INTO report_deliveries (id, unit, month, idempotency_key, payload, status, attempts, next_attempt_at, delivered_at, created_at)
             VALUES ('r1', 'Jobbcenter', '2026-10', 'platsa-report:Jobbcenter:2026-10', '{{}}', 'delivered', 1, 60, 70, 60);
         INSERT INTO signal_deliveries (signal_key, kind, payload, status, attempts, next_attempt_at, created_at)
             VALUES ('no_shows:Jobbcenter:2026-W48', 'no_shows', '{{}}', 'pending', 0, 80, 80);"
    );
    platsa::db::run(&pool, move |c| {
        use diesel::connection::SimpleConnection as _;
        Ok(c.batch_execute(&old_rows)?)
    })
    .await
    .unwrap();
    drop(pool);
    let (pool, applied) = platsa::db::open(&settings.database_url, 1).expect("migrates again");
    assert_eq!(applied, undone);
    type Row = (String, String, String, String, i32, Option<String>, i64);
    let rows: Vec<Row> = platsa::db::run(&pool, |c| {
        use diesel::prelude::*;
        use platsa::db::schema::deliveries as d;
        Ok(d::table
            .order(d::idempotency_key)
            .select((
                d::channel,
                d::idempotency_key,
                d::subject,
                d::status,
                d::attempts,
                d::last_error,
                d::next_attempt_at,
            ))
            .load(c)?)
    })
    .await
    .unwrap();
    let row = |ch: &str, key: &str, subject: &str, status: &str, attempts: i32, error: Option<&str>, next: i64| {
        (ch.into(), key.into(), subject.into(), status.into(), attempts, error.map(str::to_string), next)
    };
    assert_eq!(
        rows,
        vec![
            row("signal", "no_shows:Jobbcenter:2026-W48", "no_shows", "pending", 0, None, 80),
            row("consent", "platsa-consent:m1", "m1", "pending", 3, Some("HTTP 502"), 300),
            row("reminder", "platsa-reminder:b1", "b1", "pending", 2, Some("HTTP 500"), 400),
            row("report", "platsa-report:Jobbcenter:2026-10", "Jobbcenter", "delivered", 1, None, 60),
        ]
    );
}
