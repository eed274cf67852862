use std::sync::{Arc, Mutex};

use platsa::startup::Application;
use serde_json::{Value, json};

use crate::helpers::*;

const UNIT: &str = "Jobbcenter Trelleborg";

async fn start(
    settings: platsa::config::Settings,
) -> (
    String,
    actix_web::dev::ServerHandle,
    tokio::task::JoinHandle<std::io::Result<()>>,
    actix_web::web::Data<platsa::startup::AppState>,
) {
    let app = Application::build(settings).await.unwrap();
    let address = format!("http://{}", app.address());
    let (handle, state) = (app.handle(), app.state());
    (address, handle, tokio::spawn(app.run_until_stopped()), state)
}

/// Seeker, kind, with an opening, proposed on, steps, and how it ended.
type Plan<'a> = (usize, &'a str, bool, &'a str, Vec<(&'a str, &'a str)>, Option<Value>);

/// A month with known events, then every figure of the report, in JSON and CSV.
#[tokio::test]
async fn a_month_of_known_events_gives_exact_figures() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(&dir);
    let client = reqwest::Client::new();

    // Mid-September: nine people register; targets are set.
    let september = test_settings(&dir, &db, &[("PLATSA_CLOCK", "2026-09-15T09:00:00+02:00")]);
    let (addr, handle, running, state) = start(september).await;
    seed_units(&state).await;
    let now = state.clock.now_ts();
    let admin = platsa::db::run(&state.pool, move |c| {
        platsa::auth::store::create_user_with_token(c, now, platsa::auth::Role::Admin, "Admin", None, None)
    })
    .await
    .unwrap()
    .token;
    let post = |path: &str, token: &str, body: Value| {
        client.post(format!("{addr}{path}")).bearer_auth(token).json(&body).send()
    };
    let broker: Value = post("/api/v1/tokens", &admin, json!({"role": "broker", "name": "Britt Mäklare"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let broker_token = broker["token"].as_str().unwrap().to_string();
    let mut seekers = Vec::new();
    for (i, name) in ["A", "B", "C", "D", "E", "F", "G", "H", "I"].iter().enumerate() {
        let mut body = seeker_body(&pnr("19850505", 300 + i as u32));
        body["first_name"] = (*name).into();
        body["unit"] = UNIT.into();
        let s: Value = post("/api/v1/seekers", &broker_token, body).await.unwrap().json().await.unwrap();
        seekers.push(s["id"].as_str().unwrap().to_string());
    }
    for (unit, month, n) in [(UNIT, "2026-09", 10), (UNIT, "2026-10", 12), ("Jobbcenter Anderslöv", "2026-10", 5)] {
        let res = client
            .put(format!("{addr}/api/v1/targets/{}/{month}", unit.replace(' ', "%20").replace('ö', "%C3%B6")))
            .bearer_auth(&admin)
            .json(&json!({"exits_to_work_or_studies": n}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{unit} {month}");
    }
    handle.stop(true).await;
    running.await.unwrap().unwrap();
    drop(state);

    // Late November: what happened in September and October is recorded.
    let november = test_settings(&dir, &db, &[]);
    let (addr, handle, running, _state) = start(november).await;
    let post =
        |path: String, body: Value| client.post(format!("{addr}{path}")).bearer_auth(&broker_token).json(&body).send();
    let employer: Value = client
        .post(format!("{addr}/api/v1/employers"))
        .bearer_auth(&admin)
        .json(&json!({"name": "Kommunen", "organization_number": "212000-1165", "municipal": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let opening = || {
        let mut o = opening_body();
        o["employer_id"] = employer["id"].clone();
        o["number_of_vacancies"] = 1.into();
        o
    };
    // (seeker, kind, with opening, proposed, steps, ending)
    let plans: Vec<Plan> = vec![
        (
            0,
            "extratjanst",
            true,
            "2026-10-01",
            vec![("presented", "2026-10-02"), ("offered", "2026-10-03"), ("started", "2026-10-05")],
            Some(json!({"at": "2026-10-26", "outcome": "municipal_labour_market_job"})),
        ),
        (
            1,
            "employment",
            true,
            "2026-10-01",
            vec![("presented", "2026-10-01"), ("offered", "2026-10-02"), ("started", "2026-10-05")],
            Some(json!({"at": "2026-10-10", "outcome": "employment", "employment_until": "2026-10-24"})),
        ),
        (
            2,
            "studies",
            false,
            "2026-10-05",
            vec![("started", "2026-10-06")],
            Some(json!({"at": "2026-10-20", "outcome": "studies", "student_finance_eligible": false})),
        ),
        (
            3,
            "praktik",
            true,
            "2026-10-02",
            vec![("presented", "2026-10-03"), ("offered", "2026-10-06"), ("started", "2026-10-07")],
            Some(json!({"at": "2026-10-28", "outcome": "employment", "employment_until": null})),
        ),
        (
            4,
            "studies",
            false,
            "2026-10-01",
            vec![("started", "2026-10-02")],
            Some(json!({"at": "2026-10-15", "outcome": "studies", "student_finance_eligible": true})),
        ),
        (
            5,
            "arbetstraning",
            true,
            "2026-10-01",
            vec![("presented", "2026-10-02"), ("offered", "2026-10-02"), ("started", "2026-10-03")],
            Some(json!({"at": "2026-10-30", "outcome": "aborted"})),
        ),
        (
            6,
            "praktik",
            true,
            "2026-10-08",
            vec![("presented", "2026-10-09"), ("offered", "2026-10-10"), ("started", "2026-10-12")],
            None,
        ),
        (
            7,
            "employment",
            true,
            "2026-09-16",
            vec![("presented", "2026-09-17"), ("offered", "2026-09-18"), ("started", "2026-09-21")],
            Some(json!({"at": "2026-09-30", "outcome": "subsidised_employment"})),
        ),
    ];
    for (who, kind, with_opening, proposed, steps, ending) in plans {
        let mut body = json!({"seeker_id": seekers[who], "kind": kind, "proposed_on": proposed});
        if with_opening {
            let o: Value = post("/api/v1/openings".into(), opening()).await.unwrap().json().await.unwrap();
            body["opening_id"] = o["id"].clone();
            // The person agreed (by phone) to be presented.
            let url =
                format!("{addr}/api/v1/openings/{}/shortlist/{}/consent", o["id"].as_str().unwrap(), seekers[who]);
            let res = client
                .put(url)
                .bearer_auth(&broker_token)
                .json(&json!({"state": "given", "how": "phone"}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
        }
        let res = post("/api/v1/placements".into(), body).await.unwrap();
        assert_eq!(res.status(), 201);
        let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
        for (to, at) in steps {
            let res = post(format!("/api/v1/placements/{id}/transitions"), json!({"to": to, "at": at})).await.unwrap();
            assert_eq!(res.status(), 200, "{kind} {to}");
        }
        if let Some(mut end) = ending {
            end["to"] = "ended".into();
            let res = post(format!("/api/v1/placements/{id}/transitions"), end).await.unwrap();
            assert_eq!(res.status(), 200, "{kind} ended");
        }
    }

    let get = |path: &str, accept: &str| {
        client.get(format!("{addr}{path}")).bearer_auth(&broker_token).header("accept", accept).send()
    };
    let report: Value =
        get("/api/v1/reports/monthly?month=2026-10", "application/json").await.unwrap().json().await.unwrap();
    assert_eq!(report["month"], "2026-10");
    let units: Vec<&str> = report["units"].as_array().unwrap().iter().map(|u| u["unit"].as_str().unwrap()).collect();
    assert_eq!(units, ["Jobbcenter Anderslöv", UNIT]);
    let u = report["units"].as_array().unwrap().iter().find(|u| u["unit"] == UNIT).unwrap();
    assert_eq!(u["exits_to_work"], 3, "extratjänst to a municipal job, the two-week job, the permanent job");
    assert_eq!(u["exits_to_studies"], 2);
    assert_eq!(u["exits_total"], 5);
    assert_eq!(u["target"], 12);
    assert_eq!(u["ytd_exits"], 6, "plus September's subsidised job");
    assert_eq!(u["ytd_target"], 22);
    assert_eq!(
        u["placements_started"],
        json!({"arbetstraning": 1, "employment": 1, "extratjanst": 1, "lonebidrag": 0, "nystartsjobb": 0, "praktik": 2, "studies": 2})
    );
    assert_eq!(
        u["placements_ended"],
        json!({"arbetstraning": 1, "employment": 1, "extratjanst": 1, "lonebidrag": 0, "nystartsjobb": 0, "praktik": 1, "studies": 2})
    );
    // Kolada: six ended; only the permanent job and the studies with student finance count.
    assert_eq!(u["kolada"], json!({"participants_ended": 6, "started_work_or_studies": 2, "share": 0.3333}));
    assert_eq!(u["median_days_to_first_placement"], 16.0);
    assert_eq!(u["not_proposed_30_days"], 1, "I has waited since September");
    assert!(u["median_hours_application_to_meeting"].is_null());
    assert_eq!(u["brokers"][0]["broker_name"], "Britt Mäklare");
    assert_eq!(u["brokers"][0]["exits_total"], 5);
    let other = report["units"].as_array().unwrap().iter().find(|u| u["unit"] == "Jobbcenter Anderslöv").unwrap();
    assert_eq!((other["exits_total"].as_i64(), other["target"].as_i64()), (Some(0), Some(5)));
    let t = &report["totals"];
    assert_eq!(
        (t["exits_total"].as_i64(), t["target"].as_i64(), t["ytd_target"].as_i64()),
        (Some(5), Some(17), Some(27))
    );
    assert_eq!(t["kolada"]["share"], 0.3333);
    assert_eq!((t["openings_posted"].as_i64(), t["openings_filled"].as_i64()), (Some(0), Some(5)));

    // The CSV says the same, for Swedish Excel: BOM, `;`, Swedish headers, decimal comma.
    let res = get("/api/v1/reports/monthly?month=2026-10", "text/csv").await.unwrap();
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = res.text().await.unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut rows = csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
    let header = rows.headers().unwrap().clone();
    let records: Vec<csv::StringRecord> = rows.records().map(|r| r.unwrap()).collect();
    let row = records.iter().find(|r| &r[1] == UNIT && r[2].is_empty()).unwrap();
    let col = |name: &str| {
        let at = header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}: {header:?}"));
        row[at].replace(',', ".")
    };
    for (name, json_value) in [
        ("Avslut till arbete", &u["exits_to_work"]),
        ("Avslut till studier", &u["exits_to_studies"]),
        ("Avslut totalt", &u["exits_total"]),
        ("Mål", &u["target"]),
        ("Avslut hittills i år", &u["ytd_exits"]),
        ("Mål hittills i år", &u["ytd_target"]),
        ("Påbörjade: Praktik", &u["placements_started"]["praktik"]),
        ("Avslutade: Studier", &u["placements_ended"]["studies"]),
        ("Kolada: avslutade deltagare", &u["kolada"]["participants_ended"]),
        ("Kolada: började arbeta eller studera", &u["kolada"]["started_work_or_studies"]),
        ("Kolada: andel", &u["kolada"]["share"]),
        ("Mediandagar till första placering", &u["median_days_to_first_placement"]),
        ("Ej föreslagna på 30 dagar", &u["not_proposed_30_days"]),
    ] {
        assert_eq!(col(name).parse::<f64>().unwrap(), json_value.as_f64().unwrap(), "{name}");
    }
    assert!(row.iter().any(|c| c.contains(',')), "a decimal comma: {row:?}");
    assert!(records.iter().any(|r| &r[1] == "Totalt"));

    // The page: the chart against target and the table.
    let page = get("/reports/monthly?month=2026-10", "text/html").await.unwrap().text().await.unwrap();
    assert!(
        page.contains("<svg") && page.contains("polyline") && page.contains(UNIT) && page.contains("Britt Mäklare")
    );
    // A unit filter, and bad input.
    let one: Value = get("/api/v1/reports/monthly?month=2026-10&unit=Jobbcenter%20Trelleborg", "application/json")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["units"].as_array().unwrap().len(), 1);
    assert_eq!(one["totals"]["exits_total"], 5);
    assert_field_error(get("/api/v1/reports/monthly?month=2026-13", "application/json").await.unwrap(), "month").await;
    let res = client
        .put(format!("{addr}/api/v1/targets/X/2026-10"))
        .bearer_auth(&broker_token)
        .json(&json!({"exits_to_work_or_studies": 1}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 403).await;
    handle.stop(true).await;
    running.await.unwrap().unwrap();
}

/// A real local HTTP server stands in for the process-metrics endpoint and fails twice.
#[tokio::test]
async fn the_push_is_delivered_once_with_one_idempotency_key() {
    use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
    #[derive(Default)]
    struct Seen {
        calls: Vec<(String, Value)>,
        accepted: std::collections::HashSet<String>,
    }
    let seen = Arc::new(Mutex::new(Seen::default()));
    let s = seen.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let s = s.clone();
        App::new().route(
            "/metrics-in",
            web::post().to(move |req: HttpRequest, body: web::Json<Value>| {
                let s = s.clone();
                async move {
                    let key = req
                        .headers()
                        .get("idempotency-key")
                        .map(|v| v.to_str().unwrap().to_string())
                        .unwrap_or_default();
                    let mut seen = s.lock().unwrap();
                    seen.calls.push((key.clone(), body.into_inner()));
                    if seen.calls.len() <= 2 {
                        return HttpResponse::ServiceUnavailable().finish();
                    }
                    seen.accepted.insert(key);
                    HttpResponse::Created().finish()
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    let server_handle = server.handle();
    tokio::spawn(server);

    let endpoint = format!("http://127.0.0.1:{port}/metrics-in");
    // The app itself has no endpoint, so its 30-second schedule never joins in (on a loaded
    // machine it did, making a fourth call); the test pushes with the endpoint set.
    let app = spawn_app_with(&[("PLATSA_REPORTS__RETRY_BASE_MS", "20")]).await;
    let res = app
        .client
        .put(app.url("/api/v1/targets/Jobbcenter%20Trelleborg/2026-10"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"exits_to_work_or_studies": 12}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let month = platsa::reports::Month::parse("2026-10").unwrap();
    let st = &app.state;
    let settings = platsa::config::ReportSettings { metrics_endpoint: endpoint.clone(), ..st.settings.reports.clone() };
    assert_eq!(platsa::reports::push::prepare(&st.pool, month, st.clock.now_ts()).await.unwrap(), 1);
    let summary = platsa::reports::push::deliver_due(&st.pool, &settings, &st.clock).await.unwrap();
    assert_eq!((summary.delivered, summary.pending), (1, 0));
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.calls.len(), 3, "two failures, then success");
        let keys: std::collections::HashSet<&String> = seen.calls.iter().map(|(k, _)| k).collect();
        assert_eq!(keys.len(), 1, "the same idempotency key every time");
        assert_eq!(seen.calls[0].0, "platsa-report:Jobbcenter Trelleborg:2026-10");
        assert_eq!(seen.accepted.len(), 1);
        assert_eq!(seen.calls[2].1["figures"]["target"], 12);
    }
    // Pushing again sends nothing: it was delivered.
    platsa::reports::push::prepare(&st.pool, month, st.clock.now_ts()).await.unwrap();
    platsa::reports::push::deliver_due(&st.pool, &settings, &st.clock).await.unwrap();
    assert_eq!(seen.lock().unwrap().calls.len(), 3);
    let deliveries: Value =
        app.get("/api/v1/reports/deliveries?month=2026-10", &app.admin_token).await.json().await.unwrap();
    let d = &deliveries["items"][0];
    assert_eq!((d["status"].as_str(), d["attempts"].as_i64()), (Some("delivered"), Some(3)));

    // With the endpoint down, the delivery stays pending with its error: never dropped.
    server_handle.stop(true).await;
    let res = app
        .client
        .put(app.url("/api/v1/targets/Jobbcenter%20Trelleborg/2026-09"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"exits_to_work_or_studies": 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let september = platsa::reports::Month::parse("2026-09").unwrap();
    platsa::reports::push::prepare(&st.pool, september, st.clock.now_ts()).await.unwrap();
    let summary = platsa::reports::push::deliver_due(&st.pool, &settings, &st.clock).await.unwrap();
    assert_eq!((summary.delivered, summary.pending), (0, 1));
    let deliveries: Value =
        app.get("/api/v1/reports/deliveries?month=2026-09", &app.admin_token).await.json().await.unwrap();
    let d = &deliveries["items"][0];
    assert_eq!((d["status"].as_str(), d["attempts"].as_i64()), (Some("pending"), Some(4)));
    assert!(d["last_error"].is_string());
}
