//! Personal data at the edges: nothing submitted reaches the logs, control characters are
//! refused before they reach a database, sign-in leads only to this site, API answers are
//! never cached, and a report export does not run formulas.

use std::process::Command;

use reqwest::header::COOKIE;
use serde_json::{Value, json};

use crate::helpers::*;

const PNR: &str = "198112289874";
const PHONE: &str = "0701234567";
const EMAIL: &str = "anna.lind@example.se";

/// Every shape a personnummer, phone number and e-mail address can arrive in — a string, a
/// JSON number, malformed JSON, the path, the query, a header, a form — at RUST_LOG=trace:
/// none of them is in what the service logged.
#[tokio::test]
async fn submitted_personal_data_never_reaches_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(&dir);
    let log_path = dir.path().join("serve.log");
    let envs = [
        ("DATABASE_URL", db.url()),
        ("PLATSA_LISTEN", "127.0.0.1:0".to_string()),
        ("PLATSA_CLOCK", TEST_CLOCK.to_string()),
        ("PLATSA_LOG_FORMAT", "json".to_string()),
        ("PLATSA_INDEX_DIR", dir.path().join("index").display().to_string()),
        ("PLATSA_CONFIG", dir.path().join("none.toml").display().to_string()),
        ("RUST_LOG", "trace".to_string()),
    ];
    let bin = env!("CARGO_BIN_EXE_platsa");
    let out =
        Command::new(bin).args(["token", "create", "--role", "broker", "--name", "B"]).envs(envs.clone()).output();
    let out = out.unwrap();
    assert!(out.status.success());
    let token = String::from_utf8(out.stdout).unwrap().lines().last().unwrap().trim().to_string();
    let (mut serve, address) = spawn_serve(&envs, std::fs::File::create(&log_path).unwrap().into());
    let client = reqwest::Client::new();
    let pnr_number: u64 = PNR.parse().unwrap();
    let bodies = [
        json!({"personnummer": pnr_number, "first_name": "Anna", "last_name": "Lind", "phone": PHONE}),
        json!({"personnummer": PNR, "first_name": "Anna", "last_name": "Lind", "email": 5, "phone": [PHONE]}),
        json!({"personnummer": PNR, "first_name": "Anna\u{0}", "last_name": "Lind", "email": EMAIL}),
        json!({"personnummer": format!("{PNR}x"), "first_name": "Anna", "last_name": "Lind", "email": EMAIL, "x": PHONE}),
    ];
    for path in ["/api/v1/applications", "/api/v1/seekers"] {
        for body in &bodies {
            let res = client.post(format!("{address}{path}")).bearer_auth(&token).json(body).send().await.unwrap();
            assert!(res.status().is_client_error(), "{path}: {}", res.status());
        }
        let malformed = format!("{{\"personnummer\": \"{PNR}\", \"email\": \"{EMAIL}\", ");
        let res = client
            .post(format!("{address}{path}"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(malformed)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
    }
    for path in [
        format!("/api/v1/seekers/{PNR}"),
        format!("/api/v1/search/seekers?q={PNR}&occupation={PNR}&municipality={PHONE}"),
        format!("/api/v1/search/openings?occupation={PNR}&licence={EMAIL}"),
        format!("/api/v1/seekers?status={PNR}&limit={PHONE}"),
        format!("/api/v1/applications/{PNR}%00/booking"),
        format!("/seekers?q={PNR}&municipality={PNR}"),
    ] {
        let res = client
            .get(format!("{address}{path}"))
            .bearer_auth(&token)
            .header("x-personnummer", PNR)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error() || res.status().is_success(), "{path}: {}", res.status());
    }
    let form = [("csrf", "x"), ("personnummer", PNR), ("first_name", "Anna"), ("last_name", "Lind"), ("phone", PHONE)];
    let _ = client.post(format!("{address}/apply")).form(&form).send().await.unwrap();
    // Then every operation the OpenAPI document describes, with the values in its path, in
    // every query parameter it takes, in a header and in every member of its body (as text,
    // and once more as numbers where a text is expected).
    let doc: Value = client.get(format!("{address}/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut requests = 0;
    let secrets = [PNR, PHONE, EMAIL];
    for (template, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let mut path = template.clone();
            while let (Some(a), Some(b)) = (path.find('{'), path.find('}')) {
                path.replace_range(a..=b, PNR);
            }
            let query: Vec<String> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query")
                .enumerate()
                .map(|(i, p)| format!("{}={}", p["name"].as_str().unwrap(), secrets[i % 3]))
                .collect();
            let url = format!("{address}{path}?{}", query.join("&"));
            let body = &op["requestBody"]["content"];
            let schema = body.as_object().and_then(|c| c.values().next()).map(|c| c["schema"].clone());
            let members: Vec<String> = match schema.as_ref().and_then(|s| s["$ref"].as_str()) {
                Some(r) => doc["components"]["schemas"][r.rsplit('/').next().unwrap()]["properties"]
                    .as_object()
                    .map(|p| p.keys().cloned().collect())
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            let texts: serde_json::Map<String, Value> =
                members.iter().enumerate().map(|(i, m)| (m.clone(), json!(secrets[i % 3]))).collect();
            let numbers: serde_json::Map<String, Value> =
                members.iter().map(|m| (m.clone(), json!(pnr_number))).collect();
            for body in [Value::Object(texts), Value::Object(numbers)] {
                let res = client
                    .request(method.to_uppercase().parse().unwrap(), &url)
                    .bearer_auth(&token)
                    .header("x-personnummer", PNR)
                    .header("x-access-reason", format!("ringde {PHONE}"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert!(res.status().as_u16() < 500, "{method} {template}: {}", res.status());
                requests += 1;
            }
        }
    }
    assert!(requests >= 160, "{requests} requests");

    let _ = Command::new("kill").args(["-TERM", &serve.id().to_string()]).status();
    serve.wait().unwrap();
    let logs = std::fs::read_to_string(&log_path).unwrap();
    assert!(logs.lines().count() > 20, "trace logging was on ({} lines)", logs.lines().count());
    assert!(logs.contains("/api/v1/seekers/{id}"), "requests are logged by route pattern");
    for secret in [PNR, PHONE, EMAIL, &token] {
        let hits: Vec<&str> = logs.lines().filter(|l| l.contains(secret)).take(3).collect();
        assert!(hits.is_empty(), "`{secret}` is in the logs: {hits:#?}");
    }
    eprintln!(
        "logs: {} lines at trace after {requests} requests to every operation: no value found",
        logs.lines().count()
    );
}

/// NUL, other control characters and bidirectional overrides are refused with a 4xx naming
/// the field, on both backends, in JSON, forms, paths and queries; free text keeps its lines.
#[tokio::test]
async fn control_characters_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let check = |res: reqwest::Response, field: &'static str, code: &'static str| async move {
        let body = assert_problem(res, 422).await;
        let e = &body["errors"][0];
        assert_eq!(e["field"], field, "{body}");
        assert_eq!(e["code"], code, "{body}");
    };
    let mut body = seeker_body(&pnr("19850505", 201));
    body["first_name"] = "Anna\u{0}".into();
    check(app.post_json("/api/v1/seekers", &broker, &body).await, "first_name", "first_name.character").await;
    body["first_name"] = "Anna\nLind".into();
    check(app.post_json("/api/v1/seekers", &broker, &body).await, "first_name", "first_name.character").await;
    body["first_name"] = "Anna".into();
    body["summary"] = "Undersköterska\u{202E}".into();
    check(app.post_json("/api/v1/seekers", &broker, &body).await, "summary", "summary.character").await;
    body["languages"] = json!([{"code": "sv\u{1b}", "level": "good"}]);
    body["summary"] = "Undersköterska i fem år.\nKörkort B.\tTruckkort.".into();
    check(app.post_json("/api/v1/seekers", &broker, &body).await, "languages[0].code", "languages.code.character")
        .await;
    body["languages"] = json!([{"code": "sv", "level": "native"}]);
    let res = app.post_json("/api/v1/seekers", &broker, &body).await;
    assert_eq!(res.status(), 201, "free text keeps new lines and tabs");
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["summary"], "Undersköterska i fem år.\nKörkort B.\tTruckkort.");

    // The public application, its booking path, a search query.
    let application = json!({"personnummer": pnr("19900101", 301), "first_name": "Bo\u{0}", "last_name": "Ek", "phone": "0701234567"});
    let res = app.client.post(app.url("/api/v1/applications")).json(&application).send().await.unwrap();
    check(res, "first_name", "first_name.character").await;
    let res = app.client.post(app.url("/api/v1/applications/%00/booking")).json(&json!({})).send().await.unwrap();
    let problem = assert_problem(res, 400).await;
    assert_eq!(problem["errors"][0]["field"], "path");
    let res = app.get("/api/v1/search/seekers?q=Anna%00", &broker).await;
    assert_eq!(assert_problem(res, 400).await["errors"][0]["field"], "query");

    // The applicant's form: a NUL in a name is a field error on the page, not a 500.
    let page = app.client.get(app.url("/apply")).send().await.unwrap();
    let (cookie, csrf) = anonymous_csrf(&page);
    let form = [
        ("csrf", csrf.as_str()),
        ("personnummer", "199001013014"),
        ("first_name", "Bo\u{0}"),
        ("last_name", "Ek"),
        ("phone", "0701234567"),
    ];
    let res = app.client.post(app.url("/apply")).header(COOKIE, &cookie).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Förnamnet innehåller tecken som inte är tillåtna"), "{html}");
}

/// After sign-in, `next` leads only to a path on this site.
#[tokio::test]
async fn sign_in_leads_only_to_local_paths() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for (next, expected) in [
        ("/seekers?offset=20", "/seekers?offset=20"),
        ("/%09/evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/a\r\nSet-Cookie: x=1", "/"),
        ("/%0d%0aSet-Cookie:x=1", "/"),
    ] {
        let page = client.get(app.url("/")).send().await.unwrap();
        let (cookie, csrf) = anonymous_csrf(&page);
        let res = client
            .post(app.url("/signin"))
            .header(COOKIE, &cookie)
            .form(&[("csrf", csrf.as_str()), ("token", broker.as_str()), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "{next:?}");
        assert_eq!(res.headers()["location"], expected, "{next:?}");
    }
}

/// Every API answer, error or not, says `no-store` and `nosniff`; assets keep their caching.
#[tokio::test]
async fn api_answers_are_never_cached_or_sniffed() {
    let app = spawn_app().await;
    let admin = app.admin_token.clone();
    let answers = [
        app.get("/api/v1/me", &admin).await,
        app.get("/api/v1/seekers", &admin).await,
        app.get("/api/v1/openings", &admin).await,
        app.get("/api/openapi.json", &admin).await,
        app.get("/api/v1/seekers/nobody", &admin).await,
        app.client.get(app.url("/api/v1/seekers")).send().await.unwrap(),
        app.client.get(app.url("/healthz")).send().await.unwrap(),
        app.post_json("/api/v1/employers", &admin, &json!({})).await,
    ];
    for res in answers {
        let url = res.url().path().to_string();
        assert_eq!(res.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"), "{url}");
        assert_eq!(res.headers().get("x-content-type-options").map(|v| v.to_str().unwrap()), Some("nosniff"), "{url}");
    }
    // And every operation the OpenAPI document describes, whatever it answers.
    let doc: Value = app.get("/api/openapi.json", &admin).await.json().await.unwrap();
    let mut operations = 0;
    for (template, ops) in doc["paths"].as_object().unwrap() {
        let path = template.replace('{', "x").replace('}', "");
        for method in ops.as_object().unwrap().keys() {
            let res = app
                .client
                .request(method.to_uppercase().parse().unwrap(), app.url(&path))
                .bearer_auth(&admin)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let what = format!("{method} {template}: {}", res.status());
            assert_eq!(res.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"), "{what}");
            assert_eq!(
                res.headers().get("x-content-type-options").map(|v| v.to_str().unwrap()),
                Some("nosniff"),
                "{what}"
            );
            operations += 1;
        }
    }
    eprintln!("no-store and nosniff: {operations} of {operations} operations");
    let css = app.client.get(app.url("/static/platsa.css")).send().await.unwrap();
    assert_eq!(css.headers()["cache-control"], "public, max-age=3600");
}

/// A unit named like a formula is written so a spreadsheet shows it as text.
#[tokio::test]
async fn report_exports_do_not_run_formulas() {
    let app = spawn_app().await;
    let admin = app.admin_token.clone();
    let unit = json!({"name": "=HYPERLINK(\"http://evil\")"});
    assert_eq!(app.post_json("/api/v1/units", &admin, &unit).await.status(), 201);
    let res = app
        .client
        .put(app.url("/api/v1/targets/=HYPERLINK(%22http:%2F%2Fevil%22)/2026-11"))
        .bearer_auth(&admin)
        .json(&json!({"exits_to_work_or_studies": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csv = app.get("/api/v1/reports/monthly.csv?month=2026-11", &admin).await.text().await.unwrap();
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(!csv.lines().any(|l| l.split([',', ';']).any(|cell| cell.trim_matches('"').starts_with('='))), "{csv}");
}

/// After erasure nothing about the person can be read: not the profile, not the situation
/// they wrote when applying, not the notes on their placements; on SQLite not even in the
/// database file's bytes.
#[tokio::test]
async fn erasure_leaves_nothing_readable_behind() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let personnummer = pnr("19870707", 77);
    let application = json!({
        "personnummer": personnummer,
        "first_name": "Zelmira",
        "last_name": "Quistgaard",
        "email": "zelmira.q@example.se",
        "phone": "0761112233",
        "situation": "SITUATIONMARKER har skulder och söker jobb",
    });
    let res = app.client.post(app.url("/api/v1/applications")).json(&application).send().await.unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let created: Value = res.json().await.unwrap();
    // Staff met the applicant and registered them from the application.
    let url = format!("/api/v1/applications/{}/identity", created["id"].as_str().unwrap());
    let confirmed: Value = app.post_json(&url, &broker, &json!({})).await.json().await.unwrap();
    let seeker = confirmed["seeker_id"].as_str().expect("the applicant is registered").to_string();
    let proposal = json!({"seeker_id": seeker, "kind": "studies", "note": "NOTEMARKER ringde 0761112233"});
    let placement: Value = app.post_json("/api/v1/placements", &broker, &proposal).await.json().await.unwrap();
    let step = json!({"to": "withdrawn", "at": "2026-11-23", "note": "STEPMARKER Zelmira ångrade sig"});
    let url = format!("/api/v1/placements/{}/transitions", placement["id"].as_str().unwrap());
    assert_eq!(app.post_json(&url, &broker, &step).await.status(), 200);

    // A broker shortlists the person for an opening with a note, and records their consent
    // (by phone) with another.
    let employer = app.employer("Omsorg AB", "556036-0793", false).await;
    let mut o = opening_body();
    o["employer_id"] = employer.into();
    let opening: Value = app.post_json("/api/v1/openings", &broker, &o).await.json().await.unwrap();
    let opening = opening["id"].as_str().unwrap().to_string();
    let res = app
        .post_json(
            &format!("/api/v1/openings/{opening}/shortlist"),
            &broker,
            &json!({"seeker_id": seeker, "note": "SHORTLISTMARKER ring efter 16"}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let res = app
        .client
        .put(app.url(&format!("/api/v1/openings/{opening}/shortlist/{seeker}/consent")))
        .bearer_auth(&broker)
        .json(&json!({"state": "given", "how": "phone", "note": "CONSENTMARKER sa ja i telefon"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let sqlite_bytes = || {
        let url = app.state.settings.database_url.redacted();
        let path = url.trim_start_matches("sqlite://").to_string();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
        bytes
    };
    let holds = |bytes: &[u8], secret: &str| bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
    // The scans below find what is there: before erasure, it is.
    let stored_before = ["SITUATIONMARKER", "zelmira.q@example.se", "SHORTLISTMARKER", "CONSENTMARKER"];
    if backend() == "sqlite" {
        let before = sqlite_bytes();
        for there in stored_before {
            assert!(holds(&before, there), "{there} is stored before the erasure");
        }
    } else {
        for there in stored_before {
            assert!(!postgres_pages_holding(&app, there).await.is_empty(), "{there} is stored before the erasure");
        }
    }

    // The search index holds the name (and the id) of the person, as terms. A second server
    // builds its index from the database in one segment, shared with another person, so
    // the erased document is not dropped with a segment of its own.
    let res = app.post_json("/api/v1/seekers", &broker, &seeker_body(&pnr("19900101", 3))).await;
    assert_eq!(res.status(), 201);
    let other = app.at_clock(TEST_CLOCK).await;
    assert_eq!(other.state.search.seekers.reader.searcher().segment_readers().len(), 1);
    let in_index = |app: &TestApp| app.state.search.seekers.fields_holding(&format!("Quistgaard {seeker}")).unwrap();
    index_caught_up(&app.state).await;
    assert_eq!(in_index(&app), ["person", "id"]);
    assert_eq!(in_index(&other), ["person", "id"]);

    assert_eq!(other.delete(&format!("/api/v1/seekers/{seeker}"), &app.admin_token).await.status(), 204);

    // Through the API: the placement keeps its anonymous facts, no notes.
    let kept: Value = app
        .get(&format!("/api/v1/placements/{}", placement["id"].as_str().unwrap()), &broker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(kept["status"], "withdrawn");
    assert!(kept["history"].as_array().unwrap().iter().all(|e| e["note"].is_null()), "{kept}");
    // In the database: no situation, no note.
    let id = seeker.clone();
    let (situations, notes) = platsa::db::run(&app.state.pool, move |c| {
        use diesel::prelude::*;
        use platsa::db::schema::{applications, placement_events, placements};
        let situations: Vec<Option<String>> =
            applications::table.filter(applications::seeker_id.eq(&id)).select(applications::situation).load(c)?;
        let notes: Vec<Option<String>> = placement_events::table
            .inner_join(placements::table)
            .filter(placements::seeker_id.eq(&id))
            .select(placement_events::note)
            .load(c)?;
        Ok((situations, notes))
    })
    .await
    .unwrap();
    assert!(!situations.is_empty() && situations.iter().all(Option::is_none), "{situations:?}");
    assert!(notes.len() == 2 && notes.iter().all(Option::is_none), "{notes:?}");
    let id = seeker.clone();
    let (shortlisted, consents) = platsa::db::run(&app.state.pool, move |c| {
        use diesel::prelude::*;
        use platsa::db::schema::{consent_events, shortlist};
        let shortlisted: Vec<Option<String>> =
            shortlist::table.filter(shortlist::seeker_id.eq(&id)).select(shortlist::note).load(c)?;
        let consents: Vec<(String, Option<String>)> = consent_events::table
            .filter(consent_events::seeker_id.eq(&id))
            .select((consent_events::state, consent_events::note))
            .load(c)?;
        Ok((shortlisted, consents))
    })
    .await
    .unwrap();
    assert!(shortlisted.len() == 1 && shortlisted[0].is_none(), "{shortlisted:?}");
    assert!(
        !consents.is_empty() && consents.iter().all(|(state, note)| !state.is_empty() && note.is_none()),
        "the fact stays, the note goes: {consents:?}"
    );
    // In the search index: no segment holds the name any more, not even as a deleted
    // document's term (the segments that held the person were written anew).
    for app in [&app, &other] {
        index_caught_up(&app.state).await;
        for _ in 0..400 {
            if in_index(app).is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(in_index(app), Vec::<&str>::new(), "the erased person's terms are still in the index");
    }
    // In the SQLite file and its WAL, byte for byte.
    if backend() == "sqlite" {
        let bytes = sqlite_bytes();
        for secret in [
            personnummer.as_str(),
            "zelmira.q@example.se",
            "Quistgaard",
            "SITUATIONMARKER",
            "NOTEMARKER",
            "STEPMARKER",
            "SHORTLISTMARKER",
            "CONSENTMARKER",
            "0761112233",
        ] {
            assert!(!holds(&bytes, secret), "`{secret}` is still in the SQLite files");
        }
    } else {
        let secrets = [personnummer.as_str(), "zelmira.q@example.se", "Quistgaard", "SITUATIONMARKER", "NOTEMARKER"];
        assert_postgres_forgot(
            &app,
            secrets.into_iter().chain(["STEPMARKER", "SHORTLISTMARKER", "CONSENTMARKER", "0761112233"]),
        )
        .await;
    }
}

/// No page of PostgreSQL's tables, indexes and TOAST holds any of `secrets`, dead row versions
/// included: the erasure vacuumed them away. A version another connection's open transaction
/// could still see outlives that vacuum; it goes with the next, so look again a few times.
async fn assert_postgres_forgot<'a>(app: &TestApp, secrets: impl IntoIterator<Item = &'a str>) {
    for secret in secrets {
        let mut pages = postgres_pages_holding(app, secret).await;
        for _ in 0..50 {
            if pages.is_empty() {
                break;
            }
            platsa::db::run(&app.state.pool, |c| {
                platsa::privacy::erasure::compact(c, false);
                Ok(())
            })
            .await
            .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            pages = postgres_pages_holding(app, secret).await;
        }
        assert!(pages.is_empty(), "`{secret}` is still in PostgreSQL's pages of {pages:?}");
    }
}

/// The relations of the test database with a row version or index entry holding `text`, read
/// with `pageinspect`: live rows and dead versions not yet vacuumed in tables and TOAST, and
/// the entries of every B-tree index. (Free space inside a page can hold bytes of removed
/// versions until it is reused; no SQL or row reader sees them.)
async fn postgres_pages_holding(app: &TestApp, text: &str) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Hit {
        #[diesel(sql_type = diesel::sql_types::Text)]
        relation: String,
    }
    let text = text.to_string();
    platsa::db::run(&app.state.pool, move |c| {
        use diesel::RunQueryDsl as _;
        use diesel::connection::SimpleConnection as _;
        c.batch_execute("CREATE EXTENSION IF NOT EXISTS pageinspect")?;
        let hits: Vec<Hit> = diesel::sql_query(
            "SELECT DISTINCT c.oid::regclass::text AS relation FROM pg_class c \
             CROSS JOIN LATERAL generate_series(0, pg_relation_size(c.oid) / 8192 - 1) AS p \
             CROSS JOIN LATERAL heap_page_items(get_raw_page(c.oid::regclass::text, p::int)) AS t \
             WHERE c.relkind IN ('r', 't') \
               AND c.relnamespace IN ('public'::regnamespace, 'pg_toast'::regnamespace) \
               AND position(convert_to($1, 'UTF8') IN t.t_data) > 0 \
             UNION \
             SELECT c.oid::regclass::text FROM pg_class c \
             JOIN pg_am am ON am.oid = c.relam AND am.amname = 'btree' \
             CROSS JOIN LATERAL generate_series(1, pg_relation_size(c.oid) / 8192 - 1) AS p \
             CROSS JOIN LATERAL bt_page_items(c.oid::regclass::text, p::int) AS i \
             WHERE c.relkind = 'i' \
               AND c.relnamespace IN ('public'::regnamespace, 'pg_toast'::regnamespace) \
               AND position(convert_to($1, 'UTF8') IN decode(replace(i.data, ' ', ''), 'hex')) > 0",
        )
        .bind::<diesel::sql_types::Text, _>(text)
        .load(c)?;
        Ok(hits.into_iter().map(|h| h.relation).collect())
    })
    .await
    .unwrap()
}

/// Managers see figures, never names; every read that shows a name is audited.
#[tokio::test]
async fn placements_on_an_opening_show_names_only_to_those_who_may_and_are_audited() {
    let app = spawn_app().await;
    let (broker, broker_id) = app.token("broker", "Britt", None).await;
    let (manager, _) = app.token("manager", "Maja", None).await;
    let employer = app.employer("Omsorg AB", "556036-0793", false).await;
    let (employer_token, _) = app.token("employer", "Omsorg AB", Some(&employer)).await;
    let opening: Value =
        app.post_json("/api/v1/openings", &employer_token, &opening_body()).await.json().await.unwrap();
    let opening = opening["id"].as_str().unwrap().to_string();
    let mut body = seeker_body(&pnr("19910101", 11));
    body["broker_id"] = broker_id.into();
    let seeker: Value = app.post_json("/api/v1/seekers", &broker, &body).await.json().await.unwrap();
    let seeker = seeker["id"].as_str().unwrap().to_string();
    let p: Value = app
        .post_json(
            "/api/v1/placements",
            &broker,
            &json!({"seeker_id": seeker, "opening_id": opening, "kind": "praktik"}),
        )
        .await
        .json()
        .await
        .unwrap();
    consent_given(&app, &broker, &opening, &seeker).await;
    let step = json!({"to": "presented", "at": "2026-11-23"});
    let url = format!("/api/v1/placements/{}/transitions", p["id"].as_str().unwrap());
    assert_eq!(app.post_json(&url, &broker, &step).await.status(), 200);

    let url = format!("/api/v1/openings/{opening}/placements");
    let as_manager: Value = app.get(&url, &manager).await.json().await.unwrap();
    assert_eq!(as_manager["total"], 1);
    assert!(as_manager["items"][0]["first_name"].is_null() && as_manager["items"][0]["last_name"].is_null());
    for token in [&broker, &employer_token] {
        let seen: Value = app.get(&url, token).await.json().await.unwrap();
        assert_eq!(seen["items"][0]["first_name"], "Amira");
        assert!(seen["items"][0].get("seeker_id").is_none(), "the seeker's id is not shown");
    }
    let audit: Value =
        app.get(&format!("/api/v1/audit?seeker_id={seeker}"), &app.admin_token).await.json().await.unwrap();
    let roles: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "GET /api/v1/openings/{id}/placements")
        .map(|a| a["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles.len(), 2, "broker and employer reads audited, the manager's showed no name: {roles:?}");
    assert!(roles.contains(&"broker") && roles.contains(&"employer"));
}

/// Platsa cannot be locked out of: the last admin token cannot be revoked.
#[tokio::test]
async fn the_last_admin_token_cannot_be_revoked() {
    let app = spawn_app().await;
    let tokens: Value = app.get("/api/v1/tokens", &app.admin_token).await.json().await.unwrap();
    let first = tokens["items"][0]["id"].as_str().unwrap().to_string();
    let refused = app.delete(&format!("/api/v1/tokens/{first}"), &app.admin_token).await;
    let body = assert_problem(refused, 409).await;
    assert_eq!(body["code"], "conflict.last_admin");
    let (second, _) = app.token("admin", "Andra Admin", None).await;
    assert_eq!(app.delete(&format!("/api/v1/tokens/{first}"), &second).await.status(), 204);
    assert_eq!(app.get("/api/v1/me", &app.admin_token).await.status(), 401);
    let tokens: Value = app.get("/api/v1/tokens", &second).await.json().await.unwrap();
    let second_id = tokens["items"].as_array().unwrap().iter().find(|t| t["revoked_at"].is_null()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_problem(app.delete(&format!("/api/v1/tokens/{second_id}"), &second).await, 409).await;
}

/// A body that trickles in is cut off with 408 after the configured time, so slow senders
/// cannot hold connections open.
#[tokio::test]
async fn a_slow_request_body_times_out() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(&[("PLATSA_BODY_TIMEOUT_MS", "300")]).await;
    let address = app.address.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v1/employers HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\": ",
        app.admin_token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = std::time::Instant::now();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(20), stream.read(&mut answer))
        .await
        .expect("the server answers without waiting for the rest")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(started.elapsed() >= std::time::Duration::from_millis(250), "not before the timeout");
}

/// Guessing booking links is cut off: past 30 unknown links in a minute a client's misses
/// are answered 429 with Retry-After; a valid link still opens, and consent links are
/// counted apart.
#[tokio::test]
async fn guessing_booking_links_is_throttled() {
    let app = spawn_app().await;
    let officer =
        json!({"name": "Olle", "unit": "Jobbcenter Trelleborg", "weekly_hours": {"tue": [["09:00", "12:00"]]}});
    assert_eq!(app.post_json("/api/v1/officers", &app.admin_token, &officer).await.status(), 201);
    let applied: Value = app
        .client
        .post(app.url("/api/v1/applications"))
        .json(&json!({"personnummer": pnr("19930303", 77), "first_name": "Sara", "last_name": "Ek", "phone": "0701112233"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = applied["booking_token"].as_str().unwrap().to_string();
    let res = app
        .client
        .post(app.url(&format!("/api/v1/applications/{}/booking", applied["id"].as_str().unwrap())))
        .json(&json!({"token": token, "slot_id": applied["offered_slots"][0]["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    for i in 0..30 {
        let res = app.client.get(app.url(&format!("/api/v1/bookings/bk_guess{i}.ics"))).send().await.unwrap();
        assert_eq!(res.status(), 404, "guess {i}");
    }
    let res = app.client.delete(app.url("/api/v1/bookings/bk_guess31")).send().await.unwrap();
    let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    assert_problem(res, 429).await;
    assert!(retry.is_some_and(|s| s.parse::<u64>().is_ok_and(|n| (1..=60).contains(&n))));
    // The person's own link still opens.
    let res = app.client.get(app.url(&format!("/api/v1/bookings/{token}.ics"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    // Consent links are another space: a miss there is still a plain 404.
    assert_eq!(app.client.get(app.url("/samtycke/sk_guess")).send().await.unwrap().status(), 404);
    // Other routes are not affected.
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
}

/// The monthly log review: the audit log filtered by user, seeker and period, and as a
/// spreadsheet for Swedish Excel.
#[tokio::test]
async fn the_audit_log_is_filtered_and_exported_for_review() {
    let app = spawn_app().await;
    let (broker, broker_id) = app.token("broker", "Britt", None).await;
    let (other, _) = app.token("broker", "Kalle", None).await;
    let a: Value =
        app.post_json("/api/v1/seekers", &broker, &seeker_body(&pnr("19900101", 300))).await.json().await.unwrap();
    let b: Value =
        app.post_json("/api/v1/seekers", &broker, &seeker_body(&pnr("19900101", 301))).await.json().await.unwrap();
    let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    app.get(&format!("/api/v1/seekers/{a}"), &broker).await;
    app.get(&format!("/api/v1/seekers/{b}"), &broker).await;
    app.get(&format!("/api/v1/seekers/{a}"), &other).await;

    let admin = &app.admin_token;
    let total = |q: String| {
        let app = &app;
        async move {
            let v: Value = app.get(&format!("/api/v1/audit?{q}"), admin).await.json().await.unwrap();
            v["total"].as_i64().unwrap()
        }
    };
    assert_eq!(total(format!("user_id={broker_id}")).await, 2);
    assert_eq!(total(format!("user_id={broker_id}&seeker_id={a}")).await, 1);
    assert_eq!(total(format!("seeker_id={a}")).await, 2);
    assert_eq!(total("from=2026-11-23&to=2026-11-23".into()).await, 3, "the clock says 23 November");
    assert_eq!(total("from=2026-11-24".into()).await, 0);
    assert_field_error(app.get("/api/v1/audit?from=yesterday", admin).await, "from").await;
    assert_field_error(app.get("/api/v1/audit?from=2026-11-24&to=2026-11-01", admin).await, "to").await;
    assert_problem(app.get("/api/v1/audit", &broker).await, 403).await;

    let res = app.get(&format!("/api/v1/audit.csv?seeker_id={a}"), admin).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("\u{feff}Tidpunkt;Användare;Roll;Arbetssökande;Åtgärd"), "{}", lines[0]);
    assert_eq!(lines.len(), 3);
    assert!(lines[1..].iter().any(|l| l.contains(";Kalle;jobbmäklare;")), "{csv}");
    assert!(lines[1].contains("GET /api/v1/seekers/{id}"));
}

/// A method a route does not take is 405 naming the ones it does (`Allow`).
#[tokio::test]
async fn a_wrong_method_is_405_with_allow() {
    let app = spawn_app().await;
    for (method, path, allow) in [
        (reqwest::Method::PUT, "/api/v1/seekers", "GET, POST"),
        (reqwest::Method::POST, "/api/v1/seekers/abc", "DELETE, GET, PATCH"),
        // Both /bookings/{token} and /bookings/{token}.ics fit these paths: the more specific
        // template is the one the document describes there (no booking token ends in .ics).
        (reqwest::Method::PATCH, "/api/v1/bookings/bk_x.ics", "GET"),
        (reqwest::Method::PUT, "/api/v1/imports/seekers", "POST"),
        (reqwest::Method::POST, "/healthz", "GET"),
    ] {
        let res = app.client.request(method.clone(), app.url(path)).bearer_auth(&app.admin_token).send().await.unwrap();
        assert_eq!(res.status(), 405, "{method} {path}");
        assert_eq!(res.headers().get("allow").and_then(|v| v.to_str().ok()), Some(allow), "{method} {path}");
        assert_problem(res, 405).await;
    }
}

/// Behind a trusted proxy the rate limits count the client it names, and an answer to a
/// client that used TLS carries HSTS; from anyone else the forwarding headers are ignored.
#[tokio::test]
async fn only_a_trusted_proxy_names_the_client_and_its_tls() {
    let application = |i: u32| json!({"personnummer": pnr("19930303", i), "first_name": "Sara", "last_name": "Nilsson", "phone": "0701112233"});
    let behind =
        spawn_app_with(&[("PLATSA_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"), ("PLATSA_APPLICATIONS_PER_MINUTE", "2")])
            .await;
    let send = |app: &TestApp, i: u32, forwarded: &str| {
        app.client
            .post(app.url("/api/v1/applications"))
            .header("x-forwarded-for", forwarded)
            .json(&application(i))
            .send()
    };
    // Two per client and minute: the third from 203.0.113.5 is refused, even when it adds a
    // made-up address in front (the proxy appends the real one), while 203.0.113.6 is another
    // client.
    assert_eq!(send(&behind, 1, "203.0.113.5").await.unwrap().status(), 201);
    assert_eq!(send(&behind, 2, "203.0.113.5, 10.1.2.3").await.unwrap().status(), 201);
    assert_eq!(send(&behind, 3, "198.51.100.7, 203.0.113.5").await.unwrap().status(), 429);
    assert_eq!(send(&behind, 4, "203.0.113.6").await.unwrap().status(), 201);
    let hsts = |res: &reqwest::Response| {
        res.headers().get("strict-transport-security").map(|v| v.to_str().unwrap().to_string())
    };
    let over_tls = behind.client.get(behind.url("/healthz")).header("x-forwarded-proto", "https").send().await.unwrap();
    assert_eq!(hsts(&over_tls).as_deref(), Some("max-age=31536000; includeSubDomains"));
    let plain = behind.client.get(behind.url("/healthz")).header("x-forwarded-proto", "http").send().await.unwrap();
    assert_eq!(hsts(&plain), None);

    // Without trusted proxies the same headers change nothing: every request is the peer's.
    let direct = spawn_app_with(&[("PLATSA_APPLICATIONS_PER_MINUTE", "2")]).await;
    assert_eq!(send(&direct, 1, "203.0.113.5").await.unwrap().status(), 201);
    assert_eq!(send(&direct, 2, "203.0.113.6").await.unwrap().status(), 201);
    assert_eq!(send(&direct, 3, "203.0.113.7").await.unwrap().status(), 429);
    let spoofed = direct.client.get(direct.url("/healthz")).header("x-forwarded-proto", "https").send().await.unwrap();
    assert_eq!(hsts(&spoofed), None);
    // A wrong proxy list stops start-up, naming the key.
    let err = platsa::config::Settings::with_overrides(&[("PLATSA_TRUSTED_PROXIES", "10.0.0.0/33")]).err().unwrap();
    assert!(err.to_string().contains("proxy.trusted"), "{err}");
}

/// Retention: people are erased a configured period after their exit or their last activity;
/// a dry run lists them and changes nothing; the daily run erases them once, audited as
/// `system`; anyone active in the period is kept.
#[tokio::test]
async fn retention_erases_after_the_period_and_a_dry_run_changes_nothing() {
    // 36 months before 23 November 2026: anything before 23 November 2023 is due. The
    // background run waits for 23:00, so only the calls below erase.
    let app = spawn_app_with(&[("PLATSA_RETENTION__HOUR", "23")]).await;
    let (broker, broker_id) = app.token("broker", "Britt", None).await;
    let register = |clock: &'static str, serial: u32| {
        let (app, broker, broker_id) = (&app, broker.clone(), broker_id.clone());
        async move {
            let then = app.at_clock(clock).await;
            let mut body = seeker_body(&pnr("19800101", serial));
            body["broker_id"] = broker_id.into();
            let res = then.post_json("/api/v1/seekers", &broker, &body).await;
            assert_eq!(res.status(), 201);
            (res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string(), then)
        }
    };
    // Registered in 2022 and never heard of since: due.
    let (silent, _a) = register("2022-06-01T10:00:00+02:00", 1).await;
    // Registered in 2022, left for work in January 2023: due (exit before the cutoff).
    let (left_early, b) = register("2022-06-01T10:00:00+02:00", 2).await;
    let exit = json!({"status": "exited", "exit_reason": "employment", "exit_date": "2023-01-10"});
    assert_eq!(
        b.at_clock("2023-02-01T10:00:00+01:00")
            .await
            .patch_json(&format!("/api/v1/seekers/{left_early}"), &broker, &exit)
            .await
            .status(),
        200
    );
    // Registered in 2022 but called in 2025: kept.
    let (called, _c) = register("2022-06-01T10:00:00+02:00", 3).await;
    let call = json!({"kind": "call", "text": "Hörde av mig.", "at": "2025-01-10T10:00:00+01:00"});
    assert_eq!(app.post_json(&format!("/api/v1/seekers/{called}/journal"), &broker, &call).await.status(), 201);
    // Registered in 2022, at an activity with attendance recorded in March 2024: kept.
    let (attending, e) = register("2022-06-01T10:00:00+02:00", 5).await;
    let march = e.at_clock("2024-03-05T10:00:00+01:00").await;
    let activity = json!({"kind": "sfi", "title": "SFI kurs B", "hours_per_week": 15, "weekdays": [1, 2, 3], "from": "2024-03-01"});
    let res = march.post_json(&format!("/api/v1/seekers/{attending}/activities"), &broker, &activity).await;
    let activity = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let res = march
        .client
        .put(march.url(&format!("/api/v1/activities/{activity}/attendance/2024-03-04")))
        .bearer_auth(&broker)
        .json(&json!({"state": "present"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Left in May 2024: kept (exit within the period).
    let (left_late, d) = register("2022-06-01T10:00:00+02:00", 4).await;
    let exit = json!({"status": "exited", "exit_reason": "studies", "exit_date": "2024-05-02"});
    assert_eq!(
        d.at_clock("2024-05-10T10:00:00+02:00")
            .await
            .patch_json(&format!("/api/v1/seekers/{left_late}"), &broker, &exit)
            .await
            .status(),
        200
    );

    // The dry run lists the two, and changes nothing.
    let listed: Value = app.get("/api/v1/retention", &app.admin_token).await.json().await.unwrap();
    assert_eq!((listed["inactive_months"].as_i64(), listed["cutoff"].as_str()), (Some(36), Some("2023-11-23")));
    let due: Vec<(&str, &str, &str)> = listed["due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["seeker_id"].as_str().unwrap(), d["reason"].as_str().unwrap(), d["since"].as_str().unwrap()))
        .collect();
    assert_eq!(due, [(silent.as_str(), "inactive", "2022-06-01"), (left_early.as_str(), "exited", "2023-01-10")]);
    assert!(!listed.to_string().contains("Amira"), "no names in the list");
    assert_problem(app.get("/api/v1/retention", &broker).await, 403).await;
    let st = &app.state;
    let (now, months) = (st.clock.now_ts(), st.settings.retention.inactive_months);
    let dry = platsa::db::run(&st.pool, move |c| platsa::retention::run(c, now, (months, false), true)).await.unwrap();
    assert_eq!(dry.len(), 2);
    assert_eq!(app.get(&format!("/api/v1/seekers/{silent}"), &broker).await.status(), 200, "a dry run erases nothing");

    // Import reports: one from 2022 (older than the period) and one from now.
    let me: Value = app.get("/api/v1/me", &app.admin_token).await.json().await.unwrap();
    let admin = me["user_id"].as_str().unwrap().to_string();
    let old_import = chrono::DateTime::parse_from_rfc3339("2022-06-01T10:00:00+02:00").unwrap().timestamp();
    platsa::db::run(&st.pool, move |c| {
        use diesel::prelude::*;
        use platsa::db::schema::imports;
        for (id, at) in [("import-2022", old_import), ("import-now", now)] {
            diesel::insert_into(imports::table)
                .values((
                    imports::id.eq(id),
                    imports::by_user.eq(&admin),
                    imports::at.eq(at),
                    imports::format.eq("csv"),
                    imports::rows_total.eq(1),
                    imports::created.eq(0),
                    imports::updated.eq(0),
                    imports::failed.eq(1),
                    imports::dry_run.eq(true),
                    imports::applied.eq(false),
                    imports::report.eq("{}"),
                ))
                .execute(c)?;
        }
        Ok(())
    })
    .await
    .unwrap();

    // The daily run erases them once; a second process (or a second tick) the same day does nothing.
    let settings = platsa::config::RetentionSettings {
        inactive_months: 36,
        hour: 2,
        rewrite_tables: true,
        backups_max_days: 35,
        backup_keep: 14,
        ranking_log_months: 6,
    };
    let s = settings.clone();
    // On PostgreSQL `rewrite_tables` rewrites the touched tables: new files, no old versions.
    let filenode = || async {
        if backend() != "postgres" {
            return 0i64;
        }
        #[derive(diesel::QueryableByName)]
        struct Node {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            node: i64,
        }
        platsa::db::run(&st.pool, |c| {
            use diesel::RunQueryDsl;
            let platsa::db::DbConnection::Postgres(pg) = c else { unreachable!() };
            Ok(diesel::sql_query("SELECT pg_relation_filenode('seekers')::bigint AS node").get_result::<Node>(pg)?.node)
        })
        .await
        .unwrap()
    };
    let before = filenode().await;
    let first = platsa::db::run(&st.pool, move |c| platsa::retention::daily(c, now, &s)).await.unwrap();
    assert_eq!(first, Some(2));
    if backend() == "postgres" {
        assert_ne!(filenode().await, before, "the seekers table was rewritten");
    }
    let again = platsa::db::run(&st.pool, move |c| platsa::retention::daily(c, now, &settings)).await.unwrap();
    assert_eq!(again, None);
    for gone in [&silent, &left_early] {
        assert_problem(app.get(&format!("/api/v1/seekers/{gone}"), &broker).await, 404).await;
    }
    for kept in [&called, &left_late] {
        assert_eq!(app.get(&format!("/api/v1/seekers/{kept}"), &broker).await.status(), 200);
    }
    // Import reports follow the same period.
    let reports: Vec<String> = platsa::db::run(&st.pool, |c| {
        use diesel::prelude::*;
        Ok(platsa::db::schema::imports::table.select(platsa::db::schema::imports::id).load(c)?)
    })
    .await
    .unwrap();
    assert_eq!(reports, ["import-now"]);
    // Counted in the audit report: two erasures by the system, named in Swedish in the CSV.
    let audit: Value = app.get("/api/v1/audit?user_id=system", &app.admin_token).await.json().await.unwrap();
    assert_eq!(audit["total"], 2);
    assert!(audit["items"].as_array().unwrap().iter().all(|e| e["action"] == "retention"));
    let csv = app.get("/api/v1/audit.csv?user_id=system", &app.admin_token).await.text().await.unwrap();
    assert_eq!(csv.lines().filter(|l| l.contains("Gallring (automatisk)")).count(), 2, "{csv}");
    let listed: Value = app.get("/api/v1/retention", &app.admin_token).await.json().await.unwrap();
    assert!(listed["due"].as_array().unwrap().is_empty());
    assert_eq!(
        (listed["runs"][0]["day"].as_str(), listed["runs"][0]["erased"].as_i64()),
        (Some("2026-11-23"), Some(2))
    );
}

/// Names and texts are stored in Unicode NFC: "Å" sent as A plus a combining ring is the one
/// letter, so the same name is the same text everywhere.
#[tokio::test]
async fn names_and_texts_are_stored_in_nfc() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let mut body = seeker_body(&pnr("19850505", 61));
    body["first_name"] = "A\u{030A}sa".into();
    body["last_name"] = "O\u{0308}berg".into();
    body["summary"] = "Har jobbat i ka\u{0308}llare och ko\u{0308}k.".into();
    let res = app.post_json("/api/v1/seekers", &broker, &body).await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["first_name"], "\u{00C5}sa");
    assert_eq!(created["last_name"], "\u{00D6}berg");
    assert_eq!(created["summary"], "Har jobbat i k\u{00E4}llare och k\u{00F6}k.");
    // The public application too.
    let application = json!({"personnummer": pnr("19930303", 62), "first_name": "Zo\u{0308}e", "last_name": "Nilsson", "phone": "0701112233"});
    let res = app.client.post(app.url("/api/v1/applications")).json(&application).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let stored = platsa::db::run(&app.state.pool, move |c| {
        use diesel::prelude::*;
        use platsa::db::schema::applications;
        Ok(applications::table.find(&id).select(applications::first_name).first::<Option<String>>(c)?)
    })
    .await
    .unwrap();
    assert_eq!(stored.as_deref(), Some("Z\u{00F6}e"));
}

/// Need-to-know: a broker working in one unit reads that unit's people; a person of another
/// unit needs a stated reason (`X-Access-Reason`, or the page's field), which the audit log
/// keeps and the log review filters on; a reason stated today covers the day's later reads of
/// that person. Staff without units and admins read everyone.
#[tokio::test]
async fn another_units_person_is_read_only_with_a_stated_reason() {
    let app = spawn_app().await;
    let admin = app.admin_token.clone();
    let (broker, broker_id) = app.token("broker", "Britt Enhetsson", None).await;
    let (roaming, _) = app.token("broker", "Rut Utan Enhet", None).await;
    let res = app
        .client
        .put(app.url(&format!("/api/v1/users/{broker_id}/units")))
        .bearer_auth(&admin)
        .json(&json!({"units": ["Jobbcenter Anderslöv"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["units"], json!(["Jobbcenter Anderslöv"]));
    let res = app
        .client
        .put(app.url(&format!("/api/v1/users/{broker_id}/units")))
        .bearer_auth(&admin)
        .json(&json!({"units": ["Jobbcenter Ingenstans"]}))
        .send()
        .await
        .unwrap();
    assert_field_error(res, "units[0]").await;

    // Hers and theirs: one person of her unit, one of Trelleborg's.
    let mut own = seeker_body(&pnr("19900101", 410));
    own["unit"] = json!("Jobbcenter Anderslöv");
    let own: Value = app.post_json("/api/v1/seekers", &admin, &own).await.json().await.unwrap();
    let other: Value =
        app.post_json("/api/v1/seekers", &admin, &seeker_body(&pnr("19900101", 420))).await.json().await.unwrap();
    let (own_id, other_id) = (own["id"].as_str().unwrap(), other["id"].as_str().unwrap());

    assert_eq!(app.get(&format!("/api/v1/seekers/{own_id}"), &broker).await.status(), 200);
    let body = assert_problem(app.get(&format!("/api/v1/seekers/{other_id}"), &broker).await, 403).await;
    assert_eq!(body["code"], "access.reason_required");
    assert_eq!(body["errors"][0]["field"], "X-Access-Reason");
    assert!(!body.to_string().contains("Hassan"), "nothing of the person in the refusal");
    let journal = assert_problem(app.get(&format!("/api/v1/seekers/{other_id}/journal"), &broker).await, 403).await;
    assert_eq!(journal["code"], "access.reason_required");
    // A reason too short is a 422 naming the header.
    let res = app
        .client
        .get(app.url(&format!("/api/v1/seekers/{other_id}")))
        .bearer_auth(&broker)
        .header("X-Access-Reason", "x")
        .send()
        .await
        .unwrap();
    assert_field_error(res, "X-Access-Reason").await;
    let reason = "Arbetsgivare i Anderslöv frågar efter undersköterska";
    let res = app
        .client
        .get(app.url(&format!("/api/v1/seekers/{other_id}")))
        .bearer_auth(&broker)
        .header("X-Access-Reason", reason.as_bytes())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // The same day, the journal of the same person is covered by that reason.
    assert_eq!(app.get(&format!("/api/v1/seekers/{other_id}/journal"), &broker).await.status(), 200);
    // Staff without units and admins read everyone.
    assert_eq!(app.get(&format!("/api/v1/seekers/{other_id}"), &roaming).await.status(), 200);

    // The log review: the reads with a reason, with it, in the list and the CSV.
    let list: Value = app.get("/api/v1/audit?with_reason=true&limit=50", &admin).await.json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    assert!(items.iter().all(|e| e["reason"] == reason && e["seeker_id"] == other_id && e["user_id"] == broker_id));
    let csv = app.get("/api/v1/audit.csv?with_reason=true", &admin).await.text().await.unwrap();
    assert!(csv.lines().next().unwrap().ends_with("Skäl"), "{csv}");
    assert!(csv.contains(reason), "{csv}");
    // Erased, the person takes the reason with them; the reads themselves stay on record.
    assert_eq!(app.delete(&format!("/api/v1/seekers/{other_id}"), &admin).await.status(), 204);
    let list: Value =
        app.get(&format!("/api/v1/audit?seeker_id={other_id}&limit=50"), &admin).await.json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert!(items.len() >= 2, "{list}");
    assert!(items.iter().all(|e| e["reason"].is_null()), "{list}");

    // On the pages: another unit's person asks for the reason first, in Swedish.
    let fresh: Value =
        app.post_json("/api/v1/seekers", &admin, &seeker_body(&pnr("19900101", 430))).await.json().await.unwrap();
    let fresh_id = fresh["id"].as_str().unwrap();
    let (session, _) = crate::web::sign_in(&app, &broker).await;
    let page = |path: String| app.client.get(app.url(&path)).header(reqwest::header::COOKIE, session.clone()).send();
    let res = page(format!("/seekers/{fresh_id}")).await.unwrap();
    assert_eq!(res.status(), 403);
    let html = res.text().await.unwrap();
    assert!(html.contains("Skäl för åtkomst") && html.contains("name=\"skal\""), "{html}");
    assert!(!html.contains("Hassan"), "no name before the reason");
    let res = page(format!("/seekers/{fresh_id}?skal=Matchning+mot+tj%C3%A4nst+i+Anderslov")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Hassan"));
    // Then the day's later reads of the profile go through (Post/Redirect/Get keeps working).
    assert_eq!(page(format!("/seekers/{fresh_id}?noted=1")).await.unwrap().status(), 200);
    assert_eq!(page(format!("/seekers/{own_id}")).await.unwrap().status(), 200);
}

/// The OpenAPI document is built from the code and says what the service does: answers have
/// their own schemas (skills come back as objects, optional members may be null), inputs
/// refuse unknown members, 204s have no body, a PATCH takes a merge patch and says which need
/// If-Match, CSV and metrics answers are documented with their media types, and every
/// operation has a unique id and a problem answer for 4xx.
#[tokio::test]
async fn the_openapi_document_describes_what_the_service_does() {
    let app = spawn_app().await;
    let doc: Value = app.client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["Seeker"]["properties"]["skills"]["items"]["$ref"], "#/components/schemas/SkillRef");
    assert_eq!(schemas["Seeker"]["properties"]["email"]["type"], json!(["string", "null"]));
    assert_eq!(schemas["SeekerInput"]["additionalProperties"], false);
    assert_eq!(schemas["SeekerStatus"]["enum"], json!(["active", "paused", "placed", "exited"]));
    assert_eq!(schemas["Seeker"]["properties"]["registered_at"]["format"], "date-time");
    let paths = &doc["paths"];
    let erase = &paths["/api/v1/seekers/{id}"]["delete"]["responses"]["204"];
    assert!(erase.get("content").is_none(), "{erase}");
    let etag = &paths["/api/v1/seekers/{id}"]["get"]["responses"]["200"]["headers"]["ETag"];
    assert!(etag.is_object(), "the ETag a PATCH's If-Match takes is documented");
    let posting = paths["/api/v1/openings"]["post"]["parameters"].as_array().unwrap();
    assert!(posting.iter().any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"));
    let patch = &paths["/api/v1/openings/{id}"]["patch"];
    let if_match = patch["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "If-Match").unwrap();
    assert_eq!(if_match["required"], true);
    let body = &patch["requestBody"]["content"]["application/merge-patch+json"]["schema"];
    assert!(body.get("required").is_none(), "every member of a merge patch is optional: {body}");
    assert!(paths["/api/v1/audit.csv"]["get"]["responses"]["200"]["content"].get("text/csv").is_some());
    assert!(paths["/metrics"]["get"]["responses"]["200"]["content"].get("text/plain; version=0.0.4").is_some());
    assert_eq!(paths["/api/v1/applications"]["post"]["security"], json!([]));
    let mut ids = std::collections::BTreeSet::new();
    for (path, ops) in paths.as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            assert!(ids.insert(op["operationId"].as_str().unwrap().to_string()), "{method} {path}: id used twice");
            let problem = &op["responses"]["4XX"]["content"]["application/problem+json"];
            assert!(problem.is_object(), "{method} {path}: no problem answer");
            // Each parameter once, and a path parameter only where the path has it.
            let params: Vec<(&str, &str)> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| (p["name"].as_str().unwrap(), p["in"].as_str().unwrap()))
                .collect();
            for (i, (name, place)) in params.iter().enumerate() {
                assert!(!params[..i].iter().any(|(n, _)| n == name), "{method} {path}: `{name}` twice");
                assert!(*place != "path" || path.contains(&format!("{{{name}}}")), "{method} {path}: `{name}` in path");
            }
        }
    }
    assert_eq!(ids.len(), 139);
}

/// What Schemathesis found against the generated document stays fixed: a page far past the
/// end of a search or a candidate list is empty (the collectors once sized themselves for
/// the offset and took the connection down), a body that is a JSON array is not read as an
/// object, a merge patch cannot remove a member the input does not have, and an empty
/// X-Access-Reason is refused rather than taken for none.
#[tokio::test]
async fn what_fuzzing_the_document_found_stays_fixed() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let seeker = new_seeker(&app, &broker, &pnr("19850505", 5)).await;
    let employer = app.employer("Omsorg AB", "556036-0793", false).await;
    let opening = new_opening(&app, &broker, &employer, "Undersköterska").await;
    index_caught_up(&app.state).await;
    let far = 9_000_000_000_000_000_000i64;
    for path in [
        format!("/api/v1/search/seekers?q=undersköterska&offset={far}"),
        format!("/api/v1/seekers?q=Amira&offset={far}"),
        format!("/api/v1/openings/{opening}/candidates?offset={far}"),
        format!("/api/v1/seekers/{seeker}/openings?offset={far}"),
    ] {
        let res = app.get(&path, &broker).await;
        assert_eq!(res.status(), 200, "{path}");
        let page: Value = res.json().await.unwrap();
        assert_eq!(page["items"], json!([]), "{path}");
    }

    let res = app
        .client
        .post(app.url("/api/v1/units"))
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/json")
        .body(r#"["Jobbcenter Array", true]"#)
        .send()
        .await
        .unwrap();
    assert_field_error(res, "body").await;

    let res = app
        .client
        .patch(app.url(&format!("/api/v1/seekers/{seeker}")))
        .bearer_auth(&broker)
        .json(&json!({"first_nmae": null}))
        .send()
        .await
        .unwrap();
    assert_field_error(res, "first_nmae").await;

    let res = app
        .client
        .get(app.url(&format!("/api/v1/seekers/{seeker}")))
        .bearer_auth(&broker)
        .header("X-Access-Reason", "")
        .send()
        .await
        .unwrap();
    assert_field_error(res, "X-Access-Reason").await;
}

/// Whether an answer's schema can carry a person's name or contact details (an employer's
/// contact people aside), following `$ref`s.
fn carries_a_person(schema: &Value, schemas: &Value, seen: &mut Vec<String>) -> bool {
    match schema {
        Value::Object(o) => {
            if let Some(name) = o.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()) {
                // Employer contacts and staff accounts are not the people this is about.
                if ["Contact", "Page_Contact", "User", "Page_User"].contains(&name) || seen.iter().any(|s| s == name) {
                    return false;
                }
                seen.push(name.to_string());
                return carries_a_person(&schemas[name], schemas, seen);
            }
            let personal = ["first_name", "last_name", "personnummer", "email", "phone"];
            o.get("properties").and_then(Value::as_object).is_some_and(|p| personal.iter().any(|k| p.contains_key(*k)))
                || o.values().any(|v| carries_a_person(v, schemas, seen))
        }
        Value::Array(a) => a.iter().any(|v| carries_a_person(v, schemas, seen)),
        _ => false,
    }
}

/// Every staff read of a person through the API leaves an audit row naming the route: each
/// answer that can show a name or contact details (found in the OpenAPI document, so a new
/// one cannot be missed), and each that shows what staff wrote about the person (journal,
/// placement history, consent notes).
#[tokio::test]
async fn every_read_of_a_person_is_audited() {
    let app = spawn_app().await;
    let admin = app.admin_token.clone();
    let (broker, broker_id) = app.token("broker", "Britt", None).await;
    let (officer_token, officer_user) = app.token("officer", "Olle", None).await;
    let hours = json!({"tue": [["09:00", "12:00"]]});
    let body = json!({"name": "Olle", "unit": "Jobbcenter Trelleborg", "weekly_hours": hours, "user_id": officer_user});
    let officer: Value = app.post_json("/api/v1/officers", &admin, &body).await.json().await.unwrap();
    let officer = officer["id"].as_str().unwrap().to_string();
    let application = json!({"personnummer": pnr("19930303", 5), "first_name": "Sara", "last_name": "Nilsson", "phone": "0701112233"});
    let a: Value =
        app.client.post(app.url("/api/v1/applications")).json(&application).send().await.unwrap().json().await.unwrap();
    assert!(a["id"].is_string(), "{a}");
    let res = app
        .client
        .post(app.url(&format!("/api/v1/applications/{}/booking", a["id"].as_str().unwrap())))
        .json(&json!({"token": a["booking_token"], "slot_id": a["offered_slots"][0]["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    let seeker = new_seeker(&app, &broker, &pnr("19850505", 5)).await;
    let entry = json!({"kind": "call", "text": "Ringde om praktik"});
    assert_eq!(app.post_json(&format!("/api/v1/seekers/{seeker}/journal"), &broker, &entry).await.status(), 201);
    let employer = app.employer("Omsorg AB", "556036-0793", false).await;
    let opening = new_opening(&app, &broker, &employer, "Undersköterska").await;
    // Another, to which the person is not proposed yet: they are a candidate there.
    let other = new_opening(&app, &broker, &employer, "Undersköterska, natt").await;
    let res =
        app.post_json(&format!("/api/v1/openings/{opening}/shortlist"), &broker, &json!({"seeker_id": seeker})).await;
    assert!(res.status().is_success());
    let placement = presented(&app, &broker, &opening, &seeker).await;
    index_caught_up(&app.state).await;
    // Today's suggestion of the person to their broker (the morning run's row).
    {
        use diesel::prelude::*;
        use platsa::db::schema::daily_matches;
        let (other, seeker, broker_id) = (other.clone(), seeker.clone(), broker_id.clone());
        platsa::db::run(&app.state.pool, move |c| {
            platsa::insert_rows!(
                c,
                daily_matches::table,
                (
                    daily_matches::opening_id.eq(other),
                    daily_matches::seeker_id.eq(seeker),
                    daily_matches::broker_id.eq(broker_id),
                    daily_matches::day.eq("2026-11-23"),
                    daily_matches::score.eq(0.9),
                    daily_matches::state.eq("new"),
                    daily_matches::created_at.eq(0i64),
                )
            )?;
            Ok(())
        })
        .await
        .unwrap();
    }

    let reads = [
        // First: the person is never shown until the candidate list below shows them.
        ("/api/v1/reports/exposure/never-shown", "/api/v1/reports/exposure/never-shown".to_string(), &broker),
        ("/api/v1/daily-matches", "/api/v1/daily-matches".to_string(), &broker),
        ("/api/v1/seekers", "/api/v1/seekers".to_string(), &broker),
        ("/api/v1/seekers/{id}", format!("/api/v1/seekers/{seeker}"), &broker),
        ("/api/v1/seekers/{id}/journal", format!("/api/v1/seekers/{seeker}/journal"), &broker),
        ("/api/v1/seekers/{id}/openings", format!("/api/v1/seekers/{seeker}/openings"), &broker),
        ("/api/v1/search/seekers", "/api/v1/search/seekers?q=Amira".to_string(), &broker),
        ("/api/v1/openings/{id}/candidates", format!("/api/v1/openings/{other}/candidates"), &broker),
        (
            "/api/v1/openings/{id}/candidates/presented",
            format!("/api/v1/openings/{opening}/candidates/presented"),
            &broker,
        ),
        ("/api/v1/openings/{id}/placements", format!("/api/v1/openings/{opening}/placements"), &broker),
        ("/api/v1/openings/{id}/shortlist", format!("/api/v1/openings/{opening}/shortlist"), &broker),
        (
            "/api/v1/openings/{id}/shortlist/{seeker}/consent",
            format!("/api/v1/openings/{opening}/shortlist/{seeker}/consent"),
            &broker,
        ),
        ("/api/v1/placements", "/api/v1/placements".to_string(), &broker),
        ("/api/v1/placements/{id}", format!("/api/v1/placements/{placement}"), &broker),
        ("/api/v1/officers/{id}/agenda", format!("/api/v1/officers/{officer}/agenda?date=2026-11-24"), &officer_token),
        // The booking's confirmation to the applicant: its text and address.
        ("/api/v1/messages", format!("/api/v1/messages?application_id={}", a["id"].as_str().unwrap()), &officer_token),
    ];
    // Every answer the document says can carry a person is among them.
    let doc: Value = app.get("/api/openapi.json", &admin).await.json().await.unwrap();
    for (template, ops) in doc["paths"].as_object().unwrap() {
        let Some(get) = ops.get("get") else { continue };
        // The person's own reads (Mina sidor's session): audited as theirs, tested in mina_sidor.
        if get["security"] == json!([{ "mina_sidor": [] }]) {
            continue;
        }
        if carries_a_person(&get["responses"]["200"], &doc["components"]["schemas"], &mut Vec::new()) {
            assert!(reads.iter().any(|(t, _, _)| t == template), "GET {template} can show a person: add it here");
        }
    }
    for (template, url, token) in &reads {
        let action = format!("GET {template}");
        let count = |action: String| {
            platsa::db::run(&app.state.pool, move |c| {
                use diesel::prelude::*;
                use platsa::db::schema::audit_log;
                Ok(audit_log::table.filter(audit_log::action.eq(action)).count().get_result::<i64>(c)?)
            })
        };
        let before = count(action.clone()).await.unwrap();
        let res = app.get(url, token).await;
        assert_eq!(res.status(), 200, "{url}");
        let page: Value = res.json().await.unwrap();
        assert!(page.get("items").is_none_or(|i| !i.as_array().unwrap().is_empty()), "{url} showed nobody: {page}");
        assert!(count(action.clone()).await.unwrap() > before, "{action} was not audited");
    }
    eprintln!("audited reads: {} of {} read paths that show a person", reads.len(), reads.len());
}

/// An employer's token reaches its own openings, contacts and presented people and nothing
/// else: every read the OpenAPI document describes, tried with another employer's (and the
/// municipality's) ids, is refused or shows nothing of theirs, and so is every write an
/// employer could aim at another employer's data, sent with a body that would otherwise be
/// accepted.
#[tokio::test]
async fn an_employer_reaches_only_its_own() {
    let app = spawn_app().await;
    let admin = app.admin_token.clone();
    let (broker, _) = app.token("broker", "Britt", None).await;
    let a = app.employer("Alfa AB", "556036-0793", false).await;
    let b = app.employer("Beta Bygg AB", "556677-8899", false).await;
    let (alfa, _) = app.token("employer", "Alfa API", Some(&a)).await;
    let (_, beta_user) = app.token("employer", "Beta API", Some(&b)).await;
    let opening = new_opening(&app, &broker, &b, "Betas hemliga tjänst").await;
    let contact = json!({"name": "Bertil Betasson", "phone": "0709998877"});
    let contact: Value =
        app.post_json(&format!("/api/v1/employers/{b}/contacts"), &admin, &contact).await.json().await.unwrap();
    let contact = contact["id"].as_str().unwrap().to_string();
    let seeker = new_seeker(&app, &broker, &pnr("19850505", 5)).await;
    let placement = presented(&app, &broker, &opening, &seeker).await;
    index_caught_up(&app.state).await;
    // What must never reach Alfa.
    let theirs = [b.as_str(), opening.as_str(), contact.as_str(), seeker.as_str(), placement.as_str(), "Beta", "Amira"];

    // Reads an employer may make: of its own, or of shared reference data.
    let allowed = [
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/openapi.json",
        "/api/v1/me",
        "/api/v1/openings",
        "/api/v1/taxonomy/{vocabulary}",
        "/api/v1/users/{id}/units",
        "/api/v1/employers/{id}",
        "/api/v1/employers/{id}/contacts",
    ];
    let doc: Value = app.get("/api/openapi.json", &admin).await.json().await.unwrap();
    let (mut denied, mut should_be_denied) = (0, 0);
    for (template, ops) in doc["paths"].as_object().unwrap() {
        if ops.get("get").is_none() {
            continue;
        }
        let path = template
            .replace("/employers/{id}", &format!("/employers/{b}"))
            .replace("/openings/{id}", &format!("/openings/{opening}"))
            .replace("/seekers/{id}", &format!("/seekers/{seeker}"))
            .replace("/placements/{id}", &format!("/placements/{placement}"))
            .replace("/users/{id}", &format!("/users/{beta_user}"))
            .replace("{seeker}", &seeker)
            .replace("{vocabulary}", "skills")
            .replace("{unit}", "Jobbcenter Trelleborg")
            .replace("{month}", "2026-11");
        // Anything else (an officer, an import, a booking token) by an id that is nobody's.
        let mut path = path;
        while let (Some(a), Some(z)) = (path.find('{'), path.find('}')) {
            path.replace_range(a..=z, "00000000-0000-0000-0000-000000000000");
        }
        let res = app.get(&path, &alfa).await;
        let status = res.status().as_u16();
        let body = res.text().await.unwrap();
        if allowed.contains(&template.as_str()) {
            // Another employer's own record and contacts are refused; the rest shows nothing of B.
            if template.starts_with("/api/v1/employers/{id}") || template == "/api/v1/users/{id}/units" {
                should_be_denied += 1;
                assert!([403, 404].contains(&status), "GET {path}: {status} {body}");
                denied += 1;
            } else {
                assert!(status < 500, "GET {path}: {status}");
                for t in theirs {
                    assert!(!body.contains(t), "GET {path} showed `{t}`: {body}");
                }
            }
        } else {
            should_be_denied += 1;
            assert!([401, 403, 404].contains(&status), "GET {path} answered {status}: {body}");
            for t in theirs {
                assert!(!body.contains(t), "GET {path} showed `{t}`: {body}");
            }
            denied += 1;
        }
    }
    // Writes aimed at B's data, each with a body that B (or staff) would have accepted.
    let writes = [
        (reqwest::Method::PATCH, format!("/api/v1/openings/{opening}"), json!({"headline": "Kapad"}), true),
        (reqwest::Method::DELETE, format!("/api/v1/openings/{opening}"), json!({}), false),
        (reqwest::Method::PUT, format!("/api/v1/openings/{opening}/broker"), json!({"broker_id": null}), false),
        (reqwest::Method::POST, format!("/api/v1/employers/{b}/contacts"), json!({"name": "Kapare"}), false),
        (reqwest::Method::PATCH, format!("/api/v1/employers/{b}/contacts/{contact}"), json!({"name": "Kapare"}), false),
        (reqwest::Method::DELETE, format!("/api/v1/employers/{b}/contacts/{contact}"), json!({}), false),
        (
            reqwest::Method::POST,
            format!("/api/v1/openings/{opening}/candidates/presented/{placement}/feedback"),
            json!({"answer": "not_suitable"}),
            false,
        ),
        (
            reqwest::Method::POST,
            "/api/v1/openings".to_string(),
            {
                let mut o = opening_body();
                o["employer_id"] = b.clone().into();
                o
            },
            false,
        ),
    ];
    for (method, path, body, if_match) in writes {
        should_be_denied += 1;
        let mut req = app.client.request(method.clone(), app.url(&path)).bearer_auth(&alfa).json(&body);
        if if_match {
            req = req.header("If-Match", "\"1\"");
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        if status == 422 {
            // Posting for another employer is refused on the field that names it.
            assert!(text.contains("\"field\":\"employer_id\""), "{method} {path}: {text}");
        } else {
            assert!([403, 404].contains(&status), "{method} {path}: {status} {text}");
        }
        denied += 1;
    }
    // Nothing of B's changed.
    let still: Value = app.get(&format!("/api/v1/openings/{opening}"), &broker).await.json().await.unwrap();
    assert_eq!(still["headline"], "Betas hemliga tjänst");
    assert_eq!(still["employer_id"], b.as_str());
    let contacts: Value = app.get(&format!("/api/v1/employers/{b}/contacts"), &admin).await.json().await.unwrap();
    assert_eq!(contacts["items"][0]["name"], "Bertil Betasson");
    let presented: Value =
        app.get(&format!("/api/v1/openings/{opening}/candidates/presented"), &broker).await.json().await.unwrap();
    assert!(presented["items"][0]["feedback"].as_array().is_none_or(|f| f.is_empty()), "{presented}");
    assert!(should_be_denied >= 40, "{should_be_denied}");
    eprintln!(
        "employer matrix: denied {denied} of {should_be_denied} that should be denied; nothing of another employer shown"
    );
}

/// The privacy gate for lists: a broker of one unit lists and searches (by name, by
/// personnummer, in the search API) and gets another unit's people with id, name, unit,
/// municipality and status only; a reason sent with a list unlocks nobody; the record read
/// with a reason is whole and audited with it, and covers that person in lists for the day.
#[tokio::test]
async fn another_units_people_are_listed_without_their_record() {
    let app = spawn_app().await;
    let admin = app.admin_token.clone();
    let broker = broker_of(&app, "Jobbcenter Anderslöv").await;
    let mut own = seeker_body(&pnr("19900101", 510));
    own["unit"] = json!("Jobbcenter Anderslöv");
    own["last_name"] = json!("Egenström");
    let own = new_seeker_with(&app, &admin, &own).await;
    let theirs_pnr = pnr("19900101", 520);
    let mut theirs = seeker_body(&theirs_pnr);
    theirs["last_name"] = json!("Andrasson");
    theirs["email"] = json!("andrasson@example.se");
    theirs["phone"] = json!("0705556677");
    let theirs = new_seeker_with(&app, &admin, &theirs).await;
    index_caught_up(&app.state).await;

    let restricted = |s: &Value| {
        s["restricted"] == true
            && s["personnummer"].is_null()
            && s["email"].is_null()
            && s["phone"].is_null()
            && s["summary"].is_null()
            && s["skills"] == json!([])
            && s["occupations"] == json!([])
            && s["first_name"] == "Amira"
            && s["unit"] == "Jobbcenter Trelleborg"
            && s["municipality_code"] == "1287"
            && s["status"] == "active"
    };
    let find = |items: &Value, id: &str| items["items"].as_array().unwrap().iter().find(|s| s["id"] == id).cloned();
    for path in [
        "/api/v1/seekers?limit=500".to_string(),
        "/api/v1/seekers?q=Andrasson".to_string(),
        format!("/api/v1/seekers?q={theirs_pnr}"),
        format!("/api/v1/seekers?q={}", &theirs_pnr[2..]),
    ] {
        let list: Value = app.get(&path, &broker).await.json().await.unwrap();
        let s = find(&list, &theirs).unwrap_or_else(|| panic!("{path} finds the person: {list}"));
        assert!(restricted(&s), "{path}: {s}");
        assert!(!list.to_string().contains(&theirs_pnr[2..]), "{path}: no personnummer in {list}");
        for secret in ["andrasson@example.se", "0705556677", "Damaskus"] {
            assert!(!list.to_string().contains(secret) || path.contains("limit"), "{path}: {secret}");
        }
    }
    // Her own unit's person is whole in the same list.
    let list: Value = app.get("/api/v1/seekers?limit=500", &broker).await.json().await.unwrap();
    let mine = find(&list, &own).unwrap();
    assert_eq!(mine["restricted"], false);
    assert_eq!(mine["personnummer"], pnr("19900101", 510).as_str());
    // The search API shows the same.
    let hits: Value = app.get("/api/v1/search/seekers?q=Andrasson", &broker).await.json().await.unwrap();
    let hit = find(&hits, &theirs).unwrap();
    assert_eq!(hit["restricted"], true);
    assert_eq!(hit["skills"], json!([]));
    // A reason sent with a list is for no one in particular: still restricted.
    let res = app
        .client
        .get(app.url("/api/v1/seekers?q=Andrasson"))
        .bearer_auth(&broker)
        .header("X-Access-Reason", "Letar efter undersköterskor")
        .send()
        .await
        .unwrap();
    let list: Value = res.json().await.unwrap();
    assert!(restricted(&find(&list, &theirs).unwrap()), "{list}");
    // The search page says why the row is short, in Swedish.
    let (session, _) = crate::web::sign_in(&app, &broker).await;
    let page = app.client.get(app.url("/seekers?q=Andrasson")).header(COOKIE, session).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("Andrasson") && html.contains("Annan enhet"), "{html}");
    assert!(!html.contains("Damaskus") && !html.contains("0705556677"), "no profile on the page");
    // Admins see everyone whole.
    let list: Value = app.get("/api/v1/seekers?q=Andrasson", &admin).await.json().await.unwrap();
    assert_eq!(find(&list, &theirs).unwrap()["personnummer"], theirs_pnr.as_str());

    // Openings ranked for the person read their whole profile: the same gate.
    let ranked = assert_problem(app.get(&format!("/api/v1/seekers/{theirs}/openings"), &broker).await, 403).await;
    assert_eq!(ranked["code"], "access.reason_required");
    assert_eq!(app.get(&format!("/api/v1/seekers/{own}/openings"), &broker).await.status(), 200);

    // The record with a reason: whole, audited with the reason.
    let reason = "Arbetsgivare i Anderslöv frågar efter undersköterska";
    let res = app
        .client
        .get(app.url(&format!("/api/v1/seekers/{theirs}")))
        .bearer_auth(&broker)
        .header("X-Access-Reason", reason.as_bytes())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let whole: Value = res.json().await.unwrap();
    assert_eq!(whole["personnummer"], theirs_pnr.as_str());
    assert_eq!(whole["summary"], seeker_body("x")["summary"]);
    let audit: Value =
        app.get(&format!("/api/v1/audit?with_reason=true&seeker_id={theirs}"), &admin).await.json().await.unwrap();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");
    assert_eq!(audit["items"][0]["reason"], reason);
    assert_eq!(audit["items"][0]["action"], "GET /api/v1/seekers/{id}");
    // The day's later lists show that person whole.
    let list: Value = app.get("/api/v1/seekers?q=Andrasson", &broker).await.json().await.unwrap();
    assert_eq!(find(&list, &theirs).unwrap()["personnummer"], theirs_pnr.as_str());
    // Every list read above was audited, none with a reason.
    let all: Value =
        app.get(&format!("/api/v1/audit?seeker_id={theirs}&limit=100"), &admin).await.json().await.unwrap();
    let rows = all["items"].as_array().unwrap();
    assert!(rows.iter().filter(|r| r["action"] == "GET /api/v1/seekers").count() >= 6, "{all}");
    assert!(rows.iter().filter(|r| !r["reason"].is_null()).count() == 1, "{all}");
}

/// Writes show the record back, so they are reads: a PATCH (even an empty one) and a journal
/// entry on another unit's person need a reason, and change nothing without it.
#[tokio::test]
async fn writing_to_another_units_person_needs_a_reason() {
    let app = spawn_app().await;
    let broker = broker_of(&app, "Jobbcenter Anderslöv").await;
    let theirs = new_seeker(&app, &app.admin_token, &pnr("19900101", 530)).await;
    let patch = |body: Value, reason: Option<&'static str>| {
        let mut req = app
            .client
            .patch(app.url(&format!("/api/v1/seekers/{theirs}")))
            .bearer_auth(&broker)
            .header("Content-Type", "application/merge-patch+json")
            .body(body.to_string());
        if let Some(r) = reason {
            req = req.header("X-Access-Reason", r);
        }
        req.send()
    };
    for body in [json!({}), json!({"summary": "Ändrad utan skäl"})] {
        let refused = assert_problem(patch(body, None).await.unwrap(), 403).await;
        assert_eq!(refused["code"], "access.reason_required");
        assert!(!refused.to_string().contains("Hassan"), "{refused}");
    }
    let entry = json!({"kind": "note", "text": "Ringde om praktik"});
    let url = format!("/api/v1/seekers/{theirs}/journal");
    let refused = assert_problem(app.post_json(&url, &broker, &entry).await, 403).await;
    assert_eq!(refused["code"], "access.reason_required");
    // Nothing changed, nothing was written.
    let stored: Value = app.get(&format!("/api/v1/seekers/{theirs}"), &app.admin_token).await.json().await.unwrap();
    assert_eq!(stored["version"], 1);
    let journal: Value = app.get(&url, &app.admin_token).await.json().await.unwrap();
    assert_eq!(journal["total"], 0);

    // With a reason both go through, and the reason covers the rest of the day.
    let res = patch(json!({"summary": "Ändrad med skäl"}), Some("Uppdaterar efter möte i Anderslöv")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["summary"], "Ändrad med skäl");
    assert_eq!(app.post_json(&url, &broker, &entry).await.status(), 201);
}

/// Erasure finds the person's applications by their personnummer too: one made before they
/// were registered and never linked to them holds their name, contact details and situation.
/// Another person's application is left alone.
#[tokio::test]
async fn erasure_removes_an_unlinked_application_made_with_the_personnummer() {
    let app = spawn_app().await;
    let personnummer = pnr("19850505", 55);
    let apply = |pnr: &str, last: &str, situation: &str| {
        json!({
            "personnummer": pnr,
            "first_name": "Ottilia",
            "last_name": last,
            "email": format!("{}@example.se", last.to_lowercase()),
            "phone": "0769998877",
            "situation": situation,
        })
    };
    let body = apply(&personnummer, "Olinkadsson", "UNLINKEDMARKER bor hos sin syster");
    let res = app.client.post(app.url("/api/v1/applications")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let other = apply(&pnr("19850505", 66), "Kvarstrom", "KEPTMARKER vill jobba i lager");
    let res = app.client.post(app.url("/api/v1/applications")).json(&other).send().await.unwrap();
    assert_eq!(res.status(), 201);
    // Registered by staff on their own, with the same personnummer: not linked.
    let seeker = new_seeker(&app, &app.admin_token, &personnummer).await;
    let linked = platsa::db::run(&app.state.pool, |c| {
        use diesel::prelude::*;
        use platsa::db::schema::applications;
        Ok(applications::table.filter(applications::seeker_id.is_not_null()).count().get_result::<i64>(c)?)
    })
    .await
    .unwrap();
    assert_eq!(linked, 0, "the application is not linked to the person");

    assert_eq!(app.delete(&format!("/api/v1/seekers/{seeker}"), &app.admin_token).await.status(), 204);

    let rows = platsa::db::run(&app.state.pool, |c| {
        use diesel::prelude::*;
        use platsa::db::schema::applications;
        type Row = (Option<String>, Option<String>, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Row> = applications::table
            .order(applications::created_at)
            .select((
                applications::personnummer,
                applications::last_name,
                applications::email,
                applications::phone,
                applications::situation,
            ))
            .load(c)?;
        Ok(rows)
    })
    .await
    .unwrap();
    assert_eq!(rows.len(), 2, "the anonymous application stays");
    let erased = rows.iter().find(|r| r.0.is_none()).expect("the unlinked application is erased");
    assert_eq!(erased, &(None, None, None, None, None));
    let kept = rows.iter().find(|r| r.0.is_some()).expect("the other person's application stays");
    assert_eq!(kept.4.as_deref(), Some("KEPTMARKER vill jobba i lager"));

    if backend() == "sqlite" {
        let url = app.state.settings.database_url.redacted();
        let path = url.trim_start_matches("sqlite://").to_string();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
        for secret in ["UNLINKEDMARKER", "Olinkadsson", "olinkadsson@example.se"] {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "`{secret}` is in the SQLite files");
        }
        assert!(bytes.windows(10).any(|w| w == b"KEPTMARKER"), "the scan finds what is there");
    } else {
        assert_postgres_forgot(&app, ["UNLINKEDMARKER", "Olinkadsson"]).await;
    }
}

/// Every text column of the migrated schema is named by erasure's lists: erased with the
/// person, or kept with a reason. A new table or column holding something about a person
/// fails here until it is classified; a name in the lists that the schema lacks fails too.
#[tokio::test]
async fn every_text_column_is_classified_for_erasure() {
    use platsa::privacy::erasure::{KEPT, PERSONAL};
    #[derive(diesel::QueryableByName, Debug)]
    struct Column {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table_name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        column_name: String,
    }
    let sql = if backend() == "sqlite" {
        "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m, pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%' \
           AND upper(p.type) IN ('TEXT', 'VARCHAR', 'CLOB') ORDER BY 1, 2"
    } else {
        "SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name NOT LIKE '__diesel%' \
           AND data_type IN ('text', 'character varying') ORDER BY 1, 2"
    };
    let app = spawn_app().await;
    let columns: Vec<Column> = platsa::db::run(&app.state.pool, move |c| {
        use diesel::RunQueryDsl as _;
        Ok(diesel::sql_query(sql).load(c)?)
    })
    .await
    .unwrap();
    assert!(columns.len() > 100, "the schema is read: {columns:?}");
    let named = |t: &str, col: &str| {
        PERSONAL.iter().any(|p| p.table == t && p.columns.iter().any(|(c, _)| *c == col))
            || KEPT.iter().any(|(kt, cols, _)| *kt == t && cols.iter().any(|c| *c == "*" || *c == col))
    };
    let unnamed: Vec<String> = columns
        .iter()
        .filter(|c| !named(&c.table_name, &c.column_name))
        .map(|c| format!("{}.{}", c.table_name, c.column_name))
        .collect();
    assert!(unnamed.is_empty(), "classify these in privacy::erasure (PERSONAL or KEPT): {unnamed:?}");
    let exists = |t: &str, col: &str| columns.iter().any(|c| c.table_name == t && (col == "*" || c.column_name == col));
    let stale: Vec<String> = PERSONAL
        .iter()
        .flat_map(|p| p.columns.iter().map(move |(c, _)| (p.table, *c)))
        .chain(KEPT.iter().flat_map(|(t, cols, _)| cols.iter().map(move |c| (*t, *c))))
        .filter(|(t, c)| !exists(t, c))
        .map(|(t, c)| format!("{t}.{c}"))
        .collect();
    assert!(stale.is_empty(), "named in privacy::erasure but not in the schema: {stale:?}");
}

/// A 409 for a known personnummer names the registered person: it is a read of them, and
/// audited as one. Employers and other non-staff learn nothing.
#[tokio::test]
async fn registering_a_known_personnummer_is_audited_as_a_read_of_that_person() {
    let app = spawn_app().await;
    let (broker, broker_id) = app.token("broker", "Bea", None).await;
    let known = pnr("19880808", 808);
    let id = new_seeker(&app, &app.admin_token, &known).await;
    let before: Value =
        app.get(&format!("/api/v1/audit?seeker_id={id}&limit=50"), &app.admin_token).await.json().await.unwrap();
    let res = app.post_json("/api/v1/seekers", &broker, &seeker_body(&known)).await;
    let body = assert_problem(res, 409).await;
    assert_eq!(body["existing_seeker_id"], id.as_str());
    let after: Value =
        app.get(&format!("/api/v1/audit?seeker_id={id}&limit=50"), &app.admin_token).await.json().await.unwrap();
    assert_eq!(after["total"].as_i64().unwrap(), before["total"].as_i64().unwrap() + 1);
    assert!(after["items"].as_array().unwrap().iter().any(|e| e["user_id"] == broker_id.as_str()), "{after}");
}

/// A staff member's units: their own or, for admins, anyone's; not for other roles.
#[tokio::test]
async fn only_staff_read_units_and_only_their_own() {
    let app = spawn_app().await;
    let employer = app.employer("Bygg AB", "5560000001", false).await;
    let (token, user) = app.token("employer", "Eva Arbetsgivare", Some(&employer)).await;
    assert_problem(app.get(&format!("/api/v1/users/{user}/units"), &token).await, 403).await;
    let (broker, broker_id) = app.token("broker", "Bo", None).await;
    assert_eq!(app.get(&format!("/api/v1/users/{broker_id}/units"), &broker).await.status(), 200);
    assert_problem(app.get(&format!("/api/v1/users/{user}/units"), &broker).await, 403).await;
}
