//! Keeping the taxonomy current: `platsa taxonomy update --from URL` against a real local HTTP
//! server that answers like JobTech's Taxonomy API (versions, GraphQL concepts of a type,
//! replaced-by changes). The new version deprecates a skill (replaced), drops one (kept as free
//! text), relabels one and replaces an SSYK group; people's and openings' records move to it,
//! a dry run changes nothing, the version is stored and a `serve` started afterwards has it in
//! force (typeahead, /readyz), and a second update finds nothing to do.
//!
//! Everything runs as separate processes on a database of its own: putting a version in force
//! is process-wide, and the other tests' in-process apps must keep the compiled-in copy.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::helpers::*;

/// Kassaredovisning: deprecated, replaced by a new skill.
const REPLACED_SKILL: &str = "EcuE_BY7_mc4";
const NEW_SKILL: &str = "Nw7k_Kas_s01";
/// Butiksstädning: gone without a replacement.
const DROPPED_SKILL: &str = "7NM4_ArB_Zy2";
/// Gaffeltruck: renamed.
const RELABELLED_SKILL: &str = "8pHc_Lqc_QxD";
/// SSYK 9111 (Städare), replaced by a new group 9112.
const OLD_GROUP: (&str, &str) = ("9111", "Z6TY_xDf_Yup");
const NEW_GROUP: (&str, &str) = ("9112", "N3wS_sYk_911");

/// Version 22 of the taxonomy, built from the compiled-in copy with the changes above.
fn concepts_of(kind: &str) -> Vec<Value> {
    let r = platsa::reference::compiled();
    let concept_of = |code: &str| r.by_concept.ssyk.iter().find(|(_, c)| c.as_str() == code).map(|(id, _)| id.clone());
    match kind {
        "skill" => r
            .skills
            .iter()
            .filter(|s| s.id != REPLACED_SKILL && s.id != DROPPED_SKILL)
            .map(|s| {
                let label = if s.id == RELABELLED_SKILL { "Gaffeltruckskörning" } else { s.label.as_str() };
                json!({"id": s.id, "preferred_label": label})
            })
            .chain([json!({"id": NEW_SKILL, "preferred_label": "Kassahantering"})])
            .collect(),
        "occupation-name" => r
            .occupation_names
            .iter()
            .map(|o| {
                let group = if o.ssyk4 == OLD_GROUP.0 { NEW_GROUP.0 } else { o.ssyk4.as_str() };
                json!({"id": o.id, "preferred_label": o.label, "broader": [{"ssyk_code_2012": group}],
                       "substitutes": []})
            })
            .chain([
                json!({"id": "Lok4_var_d01", "preferred_label": "Lokalvårdare, sjukhus",
                           "broader": [{"ssyk_code_2012": NEW_GROUP.0}],
                           "substitutes": [{"id": "Lok4_var_d02", "substitutability_percentage": 75}]}),
                json!({"id": "Lok4_var_d02", "preferred_label": "Städare, kontor",
                           "broader": [{"ssyk_code_2012": "9119"}], "substitutes": []}),
            ])
            .collect(),
        "municipality" => r
            .municipalities
            .values()
            .map(|m| json!({"id": m.concept_id, "preferred_label": m.name, "lau_2_code_2015": m.code}))
            .chain([json!({"id": "Ny9_kom_mun", "preferred_label": "Nya kommunen", "lau_2_code_2015": "2599"})])
            .collect(),
        ssyk if ssyk.starts_with("ssyk-level-") => {
            let level: u8 = ssyk.trim_start_matches("ssyk-level-").parse().unwrap();
            let mut groups: Vec<Value> = r
                .ssyk
                .values()
                .filter(|g| g.level == level && g.code != OLD_GROUP.0)
                .filter_map(|g| {
                    Some(json!({"id": concept_of(&g.code)?, "preferred_label": g.name, "ssyk_code_2012": g.code}))
                })
                .collect();
            if level == 4 {
                groups.push(json!({"id": NEW_GROUP.1, "preferred_label": "Städare och lokalvårdare", "ssyk_code_2012": NEW_GROUP.0}));
            }
            groups
        }
        _ => Vec::new(),
    }
}

fn replaced_by_changes() -> Value {
    json!([
        {"taxonomy/version": 22, "taxonomy/concept": {
            "taxonomy/id": REPLACED_SKILL, "taxonomy/type": "skill", "taxonomy/preferred-label": "Kassaredovisning",
            "taxonomy/deprecated": true,
            "taxonomy/replaced-by": [{"taxonomy/id": NEW_SKILL, "taxonomy/type": "skill", "taxonomy/preferred-label": "Kassahantering"}]}},
        {"taxonomy/version": 22, "taxonomy/concept": {
            "taxonomy/id": OLD_GROUP.1, "taxonomy/type": "ssyk-level-4", "taxonomy/preferred-label": "Städare",
            "taxonomy/deprecated": true,
            "taxonomy/replaced-by": [{"taxonomy/id": NEW_GROUP.1, "taxonomy/type": "ssyk-level-4", "taxonomy/preferred-label": "Städare och lokalvårdare"}]}}
    ])
}

/// A local server answering like JobTech's Taxonomy API; records each path it was asked.
async fn fake_taxonomy() -> (String, Arc<Mutex<Vec<String>>>, actix_web::dev::ServerHandle) {
    use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let s = seen.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let s = s.clone();
        App::new().default_service(web::to(move |req: HttpRequest| {
            let s = s.clone();
            async move {
                s.lock().unwrap().push(req.path().to_string());
                let query: Vec<(String, String)> = reqwest::Url::parse(&format!("http://x/?{}", req.query_string()))
                    .unwrap()
                    .query_pairs()
                    .into_owned()
                    .collect();
                let body = match req.path() {
                    "/v1/taxonomy/main/versions" => json!([
                        {"taxonomy/version": 21, "taxonomy/timestamp": "2024-05-02T10:00:00.000Z"},
                        {"taxonomy/version": 22, "taxonomy/timestamp": "2025-03-12T10:00:00.000Z"}
                    ]),
                    "/v1/taxonomy/main/replaced-by-changes" => replaced_by_changes(),
                    "/v1/taxonomy/graphql" => {
                        let q = query.iter().find(|(k, _)| k == "query").map(|(_, v)| v.clone()).unwrap_or_default();
                        let kind = q.split("type: \"").nth(1).and_then(|t| t.split('"').next()).unwrap_or_default();
                        assert!(q.contains("version: \"22\""), "{q}");
                        json!({"data": {"concepts": concepts_of(kind)}})
                    }
                    _ => return HttpResponse::NotFound().finish(),
                };
                HttpResponse::Ok().json(body)
            }
        }))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    (format!("http://127.0.0.1:{port}"), seen, handle)
}

// The commands block their thread while the fake API answers on another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_moves_records_to_the_new_version_and_every_process_uses_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(&dir);
    let envs = |index: &str| binary_envs(&dir, &db, index);
    let platsa = |args: &[&str]| run_platsa(&envs("index-a"), args);
    let token = admin_token_by_command(&envs("index-a"), "Taxonomiansvarig");
    let log = |name: &str| std::fs::File::create(dir.path().join(name)).unwrap().into();
    let (a, at_a) = spawn_serve(&envs("index-a"), log("a.log"));
    let a = Stopped(a);
    let client = reqwest::Client::new();
    let send = |method: reqwest::Method, url: String, body: Option<Value>| {
        let r = client.request(method, url).bearer_auth(&token);
        match body {
            Some(b) => r.json(&b).send(),
            None => r.send(),
        }
    };
    let employer: Value = send(
        reqwest::Method::POST,
        format!("{at_a}/api/v1/employers"),
        Some(json!({"name": "Städ AB", "organization_number": "556036-0793"})),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let mut opening = opening_body();
    opening["employer_id"] = employer["id"].clone();
    opening["occupation"] = json!(OLD_GROUP.0);
    opening["must_have"]["skills"] = json!([REPLACED_SKILL]);
    opening["nice_to_have"]["skills"] = json!([RELABELLED_SKILL]);
    let res = send(reqwest::Method::POST, format!("{at_a}/api/v1/openings"), Some(opening)).await.unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let opening_id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let mut person = seeker_body(&pnr("19850101", 300));
    person.as_object_mut().unwrap().remove("unit");
    person["occupations"] = json!([OLD_GROUP.0, "5321"]);
    person["skills"] = json!([REPLACED_SKILL, DROPPED_SKILL, RELABELLED_SKILL, "spelar dragspel"]);
    let res = send(reqwest::Method::POST, format!("{at_a}/api/v1/seekers"), Some(person)).await.unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let seeker_id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let record = || async {
        send(reqwest::Method::GET, format!("{at_a}/api/v1/seekers/{seeker_id}"), None)
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let before = record().await;

    let (api, seen, server) = fake_taxonomy().await;
    // A dry run reports and changes nothing.
    let out = platsa(&["taxonomy", "update", "--from", &api, "--dry-run"]);
    assert!(out.contains("dry run"), "{out}");
    assert!(out.contains("1 seekers and 1 openings moved"), "{out}");
    assert_eq!(record().await["skills"], before["skills"]);
    assert!(platsa(&["taxonomy", "status"]).contains("compiled-in"));

    let out = platsa(&["taxonomy", "update", "--from", &api]);
    assert!(out.contains("version 22 (was the compiled-in copy)"), "{out}");
    assert!(
        out.contains(&format!("replaced\tskill\t{REPLACED_SKILL} (Kassaredovisning)\t→ {NEW_SKILL} (Kassahantering)")),
        "{out}"
    );
    assert!(out.contains("1 skills relabelled, 1 now free text"), "{out}");
    assert!(out.contains("unplaced\tmunicipality 2599"), "{out}");
    assert!(seen.lock().unwrap().iter().any(|p| p == "/v1/taxonomy/main/replaced-by-changes"));

    // The record moved: the replaced skill to its replacement, the relabelled one renamed, the
    // dropped one kept as free text; the replaced SSYK group to its successor.
    let after = record().await;
    let skills: Vec<(Value, Value)> =
        after["skills"].as_array().unwrap().iter().map(|s| (s["id"].clone(), s["label"].clone())).collect();
    assert!(skills.contains(&(json!(NEW_SKILL), json!("Kassahantering"))), "{skills:?}");
    assert!(skills.contains(&(json!(RELABELLED_SKILL), json!("Gaffeltruckskörning"))), "{skills:?}");
    assert!(skills.contains(&(Value::Null, json!("Butiksstädning"))), "{skills:?}");
    assert!(skills.contains(&(Value::Null, json!("spelar dragspel"))), "{skills:?}");
    assert_eq!(after["occupations"], json!([NEW_GROUP.0, "5321"]));
    let opening: Value = send(reqwest::Method::GET, format!("{at_a}/api/v1/openings/{opening_id}"), None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(opening["occupation"], NEW_GROUP.0, "{opening}");
    assert_eq!(opening["must_have"]["skills"][0]["id"], NEW_SKILL);
    assert_eq!(opening["nice_to_have"]["skills"][0]["label"], "Gaffeltruckskörning");

    // A process started now has version 22 in force: its typeahead knows the new skill and
    // group, and it ranks the person for the opening on the replaced must-have.
    drop(a);
    let (b, at_b) = spawn_serve(&envs("index-b"), log("b.log"));
    let _b = Stopped(b);
    let ready: Value = reqwest::get(format!("{at_b}/readyz")).await.unwrap().json().await.unwrap();
    assert_eq!(ready["checks"]["taxonomy"]["version"], 22, "{ready}");
    let found: Value = send(reqwest::Method::GET, format!("{at_b}/api/v1/taxonomy/skills?q=kassahant"), None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["items"][0]["code"], NEW_SKILL, "{found}");
    let found: Value = send(reqwest::Method::GET, format!("{at_b}/api/v1/taxonomy/occupations?q=9112"), None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["items"][0]["code"], NEW_GROUP.0, "{found}");
    let ranked: Value = send(reqwest::Method::GET, format!("{at_b}/api/v1/openings/{opening_id}/candidates"), None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ranked["items"][0]["id"], seeker_id.as_str(), "{ranked}");

    // Nothing newer: nothing to do, and the status lists the stored version.
    let out = platsa(&["taxonomy", "update", "--from", &api]);
    assert!(out.contains("nothing to do"), "{out}");
    assert!(platsa(&["taxonomy", "status"]).contains("in force: version 22"));
    server.stop(true).await;
}
