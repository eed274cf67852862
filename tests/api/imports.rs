//! Bulk import of seekers: a CSV as Swedish Excel saves it, an XLSX workbook and JSON Lines
//! with a column mapping, through `POST /api/v1/imports/seekers` (multipart), on both
//! backends: dry runs change nothing, bad rows are reported by row and field (never with
//! their values), a re-import updates, and all-or-nothing applies nothing when a row is bad.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::*;

async fn upload(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    for (k, v) in extra {
        form = form.text(k.to_string(), v.to_string());
    }
    app.client.post(app.url("/api/v1/imports/seekers")).bearer_auth(token).multipart(form).send().await.unwrap()
}

async fn seekers(app: &TestApp) -> Vec<Value> {
    let list: Value = app.get("/api/v1/seekers?limit=100", &app.admin_token).await.json().await.unwrap();
    list["items"].as_array().unwrap().clone()
}

fn problems(report: &Value) -> Vec<(u64, String, String)> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap(),
                p["field"].as_str().unwrap().to_string(),
                p["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A CSV as Swedish Excel writes it: BOM, `;`, Swedish headers and letters, a municipality
/// by name, lists in cells.
fn excel_csv(phone_of_first: &str) -> Vec<u8> {
    let rows = [
        "Personnummer;Förnamn;Efternamn;E-post;Telefon;Kommun;Yrken;Kompetenser;Språk;Körkort;Tillgänglig från;Max pendling km;Sammanfattning;Enhet".to_string(),
        format!("{};Åsa;Öberg;asa.oberg@example.se;{phone_of_first};Trelleborg;5321;Kassavana;sv:native, en:good;B;2026-12-01;30;Har arbetat i kassa.;Jobbcenter Trelleborg", pnr("19850505", 301)),
        format!("{};Jörgen;Ärlig;;0702223344;1287;;;;;;;Söker lagerjobb, har truckkort.;Jobbcenter Trelleborg", pnr("19860606", 302)),
        format!("{};Bengt;Fel;inte-en-adress;0703334455;1287;;;;;;;;Jobbcenter Trelleborg", "19850505-0000"),
    ];
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(rows.join("\r\n").into_bytes());
    bytes
}

#[tokio::test]
async fn a_csv_from_swedish_excel_is_checked_imported_and_reimported() {
    let app = spawn_app().await;
    // The dry run: two good rows, the fourth (row 4 in Excel) with a bad personnummer and e-mail.
    let res = upload(&app, &app.admin_token, "deltagare.csv", excel_csv("0701112233"), &[("dry_run", "true")]).await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(
        (report["rows"].as_u64(), report["valid"].as_u64(), report["failed"].as_u64()),
        (Some(3), Some(2), Some(1))
    );
    assert_eq!(
        (report["dry_run"].as_bool(), report["applied"].as_bool(), report["format"].as_str()),
        (Some(true), Some(false), Some("csv"))
    );
    let found = problems(&report);
    assert!(found.iter().all(|(row, _, _)| *row == 4), "{found:?}");
    assert!(found.iter().any(|(_, field, _)| field == "personnummer"), "{found:?}");
    assert!(!report.to_string().contains("inte-en-adress"), "a report never repeats a value");
    assert!(seekers(&app).await.is_empty(), "a dry run changes nothing");

    // The real run applies the two good rows and reports the third.
    let report: Value =
        upload(&app, &app.admin_token, "deltagare.csv", excel_csv("0701112233"), &[]).await.json().await.unwrap();
    assert_eq!(
        (report["created"].as_u64(), report["updated"].as_u64(), report["failed"].as_u64()),
        (Some(2), Some(0), Some(1))
    );
    assert_eq!(report["applied"], true);
    let all = seekers(&app).await;
    assert_eq!(all.len(), 2);
    let asa = all.iter().find(|s| s["first_name"] == "Åsa").unwrap();
    assert_eq!((asa["last_name"].as_str(), asa["municipality_code"].as_str()), (Some("Öberg"), Some("1287")));
    assert_eq!(asa["languages"], json!([{"code": "sv", "level": "native"}, {"code": "en", "level": "good"}]));
    assert_eq!((asa["max_commute_km"].as_u64(), asa["available_from"].as_str()), (Some(30), Some("2026-12-01")));
    assert_eq!(asa["occupations"], json!(["5321"]));
    // Audited as one import: every seeker it wrote, under the import's id.
    let audit: Value = app
        .get(&format!("/api/v1/audit?seeker_id={}", asa["id"].as_str().unwrap()), &app.admin_token)
        .await
        .json()
        .await
        .unwrap();
    let action = format!("import {}", report["id"].as_str().unwrap());
    assert!(audit["items"].as_array().unwrap().iter().any(|e| e["action"] == action), "{audit}");

    // Importing again with a new phone number updates the same people: no duplicates.
    let report: Value =
        upload(&app, &app.admin_token, "deltagare.csv", excel_csv("0709998877"), &[]).await.json().await.unwrap();
    assert_eq!((report["created"].as_u64(), report["updated"].as_u64()), (Some(0), Some(2)));
    let all = seekers(&app).await;
    assert_eq!(all.len(), 2);
    let asa = all.iter().find(|s| s["first_name"] == "Åsa").unwrap();
    assert_eq!(asa["phone"], "0709998877");
    // The imports are kept, with their reports.
    let list: Value = app.get("/api/v1/imports", &app.admin_token).await.json().await.unwrap();
    assert_eq!(list["total"], 3);
    let one: Value = app
        .get(&format!("/api/v1/imports/{}", report["id"].as_str().unwrap()), &app.admin_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["updated"], 2);

    // Bad uploads name their field; only admins import.
    assert_field_error(upload(&app, &app.admin_token, "deltagare.pdf", b"x".to_vec(), &[]).await, "format").await;
    let res = app
        .client
        .post(app.url("/api/v1/imports/seekers"))
        .bearer_auth(&app.admin_token)
        .multipart(Form::new().text("dry_run", "true"))
        .send()
        .await
        .unwrap();
    assert_field_error(res, "file").await;
    assert_field_error(upload(&app, &app.admin_token, "x.csv", b"Namn;Telefon\r\nA;1".to_vec(), &[]).await, "file")
        .await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    assert_problem(upload(&app, &broker, "deltagare.csv", excel_csv("0701112233"), &[]).await, 403).await;
}

#[tokio::test]
async fn an_xlsx_workbook_is_imported_with_numbers_and_dates_as_excel_stores_them() {
    use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook};
    let app = spawn_app().await;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (i, h) in
        ["Personnummer", "Förnamn", "Efternamn", "Telefon", "Kommun", "Tillgänglig från", "Max pendling km", "Enhet"]
            .iter()
            .enumerate()
    {
        sheet.write_string(0, i as u16, *h).unwrap();
    }
    // A personnummer typed as a number, a date cell, a number for the distance.
    let number: f64 = pnr("19900101", 401).replace('-', "").parse().unwrap();
    sheet.write_number(1, 0, number).unwrap();
    sheet.write_string(1, 1, "Märta").unwrap();
    sheet.write_string(1, 2, "Åkesson").unwrap();
    sheet.write_string(1, 3, "0704445566").unwrap();
    sheet.write_string(1, 4, "Trelleborgs kommun").unwrap();
    let date = ExcelDateTime::from_ymd(2027, 1, 15).unwrap();
    sheet.write_datetime_with_format(1, 5, &date, &CellFormat::new().set_num_format("yyyy-mm-dd")).unwrap();
    sheet.write_number(1, 6, 25.0).unwrap();
    sheet.write_string(1, 7, "Jobbcenter Trelleborg").unwrap();
    sheet.write_string(2, 0, pnr("19900101", 402)).unwrap();
    sheet.write_string(2, 1, "Olle").unwrap();
    sheet.write_string(2, 2, "Persson").unwrap();
    sheet.write_string(2, 3, "0705556677").unwrap();
    sheet.write_string(2, 4, "1287").unwrap();
    sheet.write_number(2, 6, 12.5).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let report: Value = upload(&app, &app.admin_token, "register.xlsx", bytes, &[]).await.json().await.unwrap();
    assert_eq!((report["format"].as_str(), report["created"].as_u64()), (Some("xlsx"), Some(1)));
    assert_eq!(problems(&report), [(3, "max_commute_km".to_string(), "max_commute_km.format".to_string())]);
    let all = seekers(&app).await;
    assert_eq!(all.len(), 1);
    let m = &all[0];
    assert_eq!(
        (m["first_name"].as_str(), m["available_from"].as_str(), m["max_commute_km"].as_u64()),
        (Some("Märta"), Some("2027-01-15"), Some(25))
    );
    assert_eq!(m["municipality_code"], "1287");
}

#[tokio::test]
async fn json_lines_with_a_mapping_all_or_nothing() {
    let app = spawn_app().await;
    let mapping = r#"{"Pnr": "personnummer", "Fnamn": "first_name", "Enamn": "last_name", "Mobil": "phone", "Kommunkod": "municipality_code"}"#;
    let good = json!({"Pnr": pnr("19700707", 501), "Fnamn": "Sven", "Enamn": "Svensson", "Mobil": "0706667788", "Kommunkod": "1287", "skills": ["Kassavana"]});
    let bad = json!({"Pnr": pnr("19700707", 502), "Fnamn": "Tove", "Enamn": "Larsson", "Mobil": "0707778899", "Kommunkod": "9999", "email": "inte-en-adress"});
    let file = format!("{good}\n{bad}\n").into_bytes();
    // One bad row: all or nothing applies nothing, and says which rows and fields.
    let report: Value = upload(
        &app,
        &app.admin_token,
        "export.jsonl",
        file.clone(),
        &[("mapping", mapping), ("all_or_nothing", "true")],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        (report["applied"].as_bool(), report["created"].as_u64(), report["failed"].as_u64()),
        (Some(false), Some(0), Some(1))
    );
    let fields: Vec<String> = problems(&report).into_iter().map(|(row, field, _)| format!("{row}:{field}")).collect();
    assert_eq!(fields, ["2:email", "2:municipality_code"]);
    assert!(!report.to_string().contains("inte-en-adress"));
    assert!(seekers(&app).await.is_empty());
    // Without it the good row goes in.
    let report: Value =
        upload(&app, &app.admin_token, "export.jsonl", file, &[("mapping", mapping)]).await.json().await.unwrap();
    assert_eq!((report["applied"].as_bool(), report["created"].as_u64()), (Some(true), Some(1)));
    let all = seekers(&app).await;
    assert_eq!((all.len(), all[0]["first_name"].as_str()), (1, Some("Sven")));
    // A mapping to a field seekers do not have is refused.
    let res =
        upload(&app, &app.admin_token, "export.jsonl", b"{}".to_vec(), &[("mapping", r#"{"X": "shoe_size"}"#)]).await;
    assert_field_error(res, "mapping").await;
}

/// The admin page: the upload form, a dry run posted with the session's CSRF token,
/// redirected to its report, which names each bad row's field in Swedish.
#[tokio::test]
async fn the_import_page_shows_the_report_in_swedish() {
    use reqwest::header::COOKIE;
    let app = spawn_app().await;
    let (session, csrf) = crate::web::sign_in(&app, &app.admin_token).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = client.get(app.url("/imports")).header(COOKIE, &session).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("enctype=\"multipart/form-data\"") && page.contains("Provkör"), "{page}");
    let post = |csrf: &str| {
        let form = Form::new()
            .text("csrf", csrf.to_string())
            .text("dry_run", "true")
            .part("file", Part::bytes(excel_csv("0701112233")).file_name("deltagare.csv"));
        client.post(app.url("/imports")).header(COOKIE, &session).multipart(form).send()
    };
    assert_eq!(post("wrong").await.unwrap().status(), 403, "a form without the session's token is refused");
    let res = post(&csrf).await.unwrap();
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/imports/"), "{to}");
    let report = client.get(app.url(&to)).header(COOKIE, &session).send().await.unwrap().text().await.unwrap();
    assert!(report.contains("Provkörning: 3 rader, 2 går att läsa in, 1 har fel. Ingenting sparades."), "{report}");
    assert!(report.contains("Personnumret") && report.contains("E-postadressen"), "{report}");
    assert!(!report.contains("inte-en-adress") && !report.contains("must be"), "Swedish, and no value: {report}");
    assert!(seekers(&app).await.is_empty());
    let (broker, _) = app.token("broker", "Britt", None).await;
    assert_eq!(app.get("/imports", &broker).await.status(), 403);
}

/// `platsa import seekers` on the command line: the new people are written in multi-row
/// inserts and the index is brought up to date before it ends (no `serve` holds it), so
/// they are searchable at once; a second run updates one of them and adds one.
#[tokio::test]
async fn the_command_line_import_leaves_people_written_and_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(&dir);
    let index_dir = dir.path().join("index");
    let envs = binary_envs(&dir, &db, "index");
    let person = |serial: u32, first: &str| {
        json!({"personnummer": pnr("19900101", serial), "first_name": first, "last_name": "Importsson",
               "municipality_code": "1287", "occupations": ["5321"], "skills": ["Personlig omvårdnad"],
               "status": "active"})
        .to_string()
    };
    let run = |lines: Vec<String>| {
        let file = dir.path().join("register.jsonl");
        std::fs::write(&file, lines.join("\n")).unwrap();
        run_platsa(&envs, &["import", "seekers", file.to_str().unwrap()])
    };
    let names = ["Alva", "Bror", "Cissi", "Dan", "Elin"];
    let out = run((0..5).map(|i| person(10 + i, names[i as usize])).collect());
    assert!(out.contains("5 created, 0 updated"), "{out}");
    assert!(out.contains("searchable"), "{out}");
    let indexed = |expected: u64| {
        let index = platsa::index::SearchIndex::open(&index_dir).unwrap();
        assert_eq!(index.seekers.reader.searcher().num_docs(), expected);
        assert!(!index.seekers.needs_rebuild.load(std::sync::atomic::Ordering::SeqCst));
    };
    indexed(5);

    let out = run(vec![person(10, "Alva-Li"), person(20, "Fia")]);
    assert!(out.contains("1 created, 1 updated"), "{out}");
    indexed(6);
    // A serve started now finds nothing left to index, and finds the renamed person.
    let (serve, at) = spawn_serve(&envs, std::process::Stdio::null());
    let _serve = Stopped(serve);
    let token = admin_token_by_command(&envs, "Granskare");
    let found: Value = reqwest::Client::new()
        .get(format!("{at}/api/v1/seekers?q=Alva-Li"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["items"][0]["first_name"], "Alva-Li", "{found}");
}

/// A report names row, field and kind of problem, never what the cell held, and keeps the
/// first thousand problems with a count of every one.
#[tokio::test]
async fn a_report_keeps_no_cell_value_and_a_thousand_problems_with_counts() {
    let app = spawn_app().await;
    // A personnummer where the municipality goes, and words where codes and numbers go.
    let stray = pnr("19750101", 333);
    let header = "Personnummer;Förnamn;Efternamn;Telefon;Kommun;Yrken;Körkort;Max pendling km;Status";
    let row = format!("{};Eva;Ek;0701234567;{stray};Hemligyrke;Hemligkort;Hemligmil;Hemligstatus", pnr("19800101", 1));
    let csv = format!("{header}\r\n{row}").into_bytes();
    let res = upload(&app, &app.admin_token, "fel.csv", csv, &[("dry_run", "true")]).await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    let text = report.to_string();
    assert!(!report["problems"].as_array().unwrap().is_empty(), "{report}");
    for value in [stray.as_str(), "Hemligyrke", "Hemligkort", "Hemligmil", "Hemligstatus", "19750101"] {
        assert!(!text.contains(value), "the report quotes `{value}`: {text}");
    }
    let stored = app.get(&format!("/api/v1/imports/{}", report["id"].as_str().unwrap()), &app.admin_token).await;
    let stored = stored.text().await.unwrap();
    assert!(!stored.contains(&stray) && !stored.contains("Hemlig"), "the stored report quotes a value");

    // 1 200 rows with a bad e-mail: 1 000 problems kept, all 1 200 counted.
    let mut lines = vec!["Personnummer;Förnamn;Efternamn;E-post".to_string()];
    for i in 0..1200u32 {
        lines.push(format!("{};Per;Son;inte-en-adress-{i}", pnr("19900101", i % 1000 + 1_000 * (i / 1000) + 1)));
    }
    let res =
        upload(&app, &app.admin_token, "många.csv", lines.join("\r\n").into_bytes(), &[("dry_run", "true")]).await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["problems"].as_array().unwrap().len(), 1000);
    let counted: u64 = report["problem_counts"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(counted, 1200, "{}", report["problem_counts"]);
    assert_eq!(report["failed"], 1200);
    assert!(!report.to_string().contains("inte-en-adress"));
    // The list of imports carries counts, not every report's problems.
    let list: Value = app.get("/api/v1/imports", &app.admin_token).await.json().await.unwrap();
    assert!(list["items"].as_array().unwrap().iter().all(|r| r["problems"].as_array().unwrap().is_empty()));
}

/// The peak resident memory of a process (VmHWM), in MB.
fn peak_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}

/// A workbook of a few KB whose cells span the whole sheet (A1 and XFD1048576), or a part
/// that unpacks hugely, is refused with 422 naming the limit; the service stays up, and its
/// memory with it.
#[tokio::test]
async fn a_workbook_spanning_the_whole_sheet_is_refused_and_the_service_stays_up() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(&dir);
    let envs = binary_envs(&dir, &db, "index");
    let (serve, at) = spawn_serve(&envs, std::process::Stdio::null());
    let pid = serve.id();
    let _serve = Stopped(serve);
    let token = admin_token_by_command(&envs, "Inläsare");
    let client = reqwest::Client::new();
    let send = |name: &'static str, bytes: Vec<u8>| {
        let form = Form::new().part("file", Part::bytes(bytes).file_name(name)).text("dry_run", "true");
        client.post(format!("{at}/api/v1/imports/seekers")).bearer_auth(&token).multipart(form).send()
    };

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Personnummer").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let bomb = book.save_to_buffer().unwrap();
    assert!(bomb.len() < 10_000, "{} bytes", bomb.len());
    let res = send("bomb.xlsx", bomb).await.unwrap();
    let body = assert_field_error(res, "file").await;
    assert!(body.to_string().contains("column XFD"), "names the limit: {body}");

    // A1 and CV300000: within the columns, so read, and only its two cells are held.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Personnummer").unwrap();
    sheet.write_string(299_999, 99, "x").unwrap();
    let res = send("gles.xlsx", book.save_to_buffer().unwrap()).await.unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

    // The service is up, and a real workbook is read after them.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (i, h) in ["Personnummer", "Förnamn", "Efternamn", "Telefon", "Kommun"].iter().enumerate() {
        sheet.write_string(0, i as u16, *h).unwrap();
    }
    let row = [pnr("19900101", 501), "Ada".into(), "Ek".into(), "0701234567".into(), "1287".into()];
    for (i, v) in row.iter().enumerate() {
        sheet.write_string(1, i as u16, v).unwrap();
    }
    let res = send("riktig.xlsx", book.save_to_buffer().unwrap()).await.unwrap();
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!((report["rows"].as_u64(), report["valid"].as_u64()), (Some(1), Some(1)), "{report}");
    let peak = peak_mb(pid);
    println!("the server's peak memory over the three uploads: {peak} MB");
    assert!(peak < 200, "the server's peak memory was {peak} MB");
}

/// What Swedish Excel saves as "CSV (semikolonavgränsad)": Windows-1252, `;`, the README's
/// headers with their notes ("Yrken (SSYK)"), a broker column by name and by e-mail, a
/// column nobody reads, and a phone whose leading 0 Excel dropped.
#[tokio::test]
async fn an_excel_csv_in_windows_1252_reads_every_readme_header_and_assigns_the_broker() {
    let app = spawn_app().await;
    let res = app
        .post_json(
            "/api/v1/tokens",
            &app.admin_token,
            &json!({"role": "broker", "name": "Åke Jobbmäklare", "email": "Ake.J@Kommun.example"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let ake = res.json::<Value>().await.unwrap()["user_id"].as_str().unwrap().to_string();
    let (_, britt) = app.token("broker", "Britt Östberg", None).await;
    let text = [
        "Personnummer;Förnamn;Efternamn;Telefon;Kommun (kod eller namn);Yrken (SSYK);Jobbmäklare;Intern anteckning"
            .to_string(),
        format!("{};Åsa;Öberg;0701112233;Trelleborg;5311;ake.j@kommun.example;x", pnr("19850505", 311)),
        format!("{};Jörgen;Ärlig;0702223344;1287;5311, 4321;britt östberg;y", pnr("19860606", 312)),
        format!("{};Bo;Nollös;701112233;1287;5311;;z", pnr("19870707", 313)),
        format!("{};Cia;Okänd;0704445566;1287;5311;Ingen Sådan;", pnr("19880808", 314)),
    ]
    .join("\r\n");
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "the file is not UTF-8");
    let bytes = bytes.into_owned();

    // The dry run names the column nobody reads, and each bad row's field.
    let report: Value = upload(&app, &app.admin_token, "deltagare.csv", bytes.clone(), &[("dry_run", "true")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["unknown_columns"], json!(["Intern anteckning"]), "{report}");
    assert_eq!((report["valid"].as_u64(), report["failed"].as_u64()), (Some(2), Some(2)), "{report}");
    let found = problems(&report);
    assert!(found.contains(&(4, "phone".into(), "phone.leading_zero".into())), "{found:?}");
    assert!(found.contains(&(5, "broker".into(), "broker.not_found".into())), "{found:?}");
    assert!(!report.to_string().contains("701112233") && !report.to_string().contains("Ingen"), "no values");

    let report: Value = upload(&app, &app.admin_token, "deltagare.csv", bytes, &[]).await.json().await.unwrap();
    assert_eq!(report["created"], 2, "{report}");
    assert_eq!(report["unknown_columns"], json!(["Intern anteckning"]));
    let all = seekers(&app).await;
    let asa = all.iter().find(|s| s["first_name"] == "Åsa").expect("Å read as Å");
    assert_eq!((asa["last_name"].as_str(), asa["municipality_code"].as_str()), (Some("Öberg"), Some("1287")));
    assert_eq!(asa["occupations"], json!(["5311"]), "the occupation from \"Yrken (SSYK)\"");
    assert_eq!(asa["broker_id"].as_str(), Some(ake.as_str()), "the broker by e-mail, any case");
    let jorgen = all.iter().find(|s| s["first_name"] == "Jörgen").unwrap();
    assert_eq!(jorgen["occupations"], json!(["5311", "4321"]));
    assert_eq!(jorgen["broker_id"].as_str(), Some(britt.as_str()), "the broker by name, any case");

    // The admin's page says which columns were not read, in Swedish.
    let (session, _) = crate::web::sign_in(&app, &app.admin_token).await;
    let page = app
        .client
        .get(app.url(&format!("/imports/{}", report["id"].as_str().unwrap())))
        .header(reqwest::header::COOKIE, &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Kolumner som inte lästes") && page.contains("Intern anteckning"), "{page}");
}
