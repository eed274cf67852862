//! The typeahead API over the reference vocabularies: names, codes and concept ids, ranked,
//! a typo forgiven; open to every signed-in role, employers included.

use serde_json::Value;

use crate::helpers::*;

async fn terms(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let res = app.get(path, token).await;
    assert_eq!(res.status(), 200, "{path}");
    let body: Value = res.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn typeahead_finds_terms_by_name_code_concept_id_and_with_a_typo() {
    let app = spawn_app().await;
    let employer = app.employer("Hamnen AB", "5560000001", false).await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let (employer_token, _) = app.token("employer", "Hamnen", Some(&employer)).await;

    let found = terms(&app, &broker, "/api/v1/taxonomy/municipalities?q=trelleborg").await;
    assert_eq!(found[0]["label"], "Trelleborg");
    assert_eq!(found[0]["code"], "1287");
    assert_eq!(found[0]["detail"], "Skåne län");
    assert_eq!(terms(&app, &broker, "/api/v1/taxonomy/municipalities?q=1287").await[0]["label"], "Trelleborg");
    assert_eq!(terms(&app, &broker, "/api/v1/taxonomy/municipalities?q=Kristianstd").await[0]["label"], "Kristianstad");

    // Employers describe their openings with the same codes.
    let found = terms(&app, &employer_token, "/api/v1/taxonomy/occupations?q=underskoterska").await;
    // The SSYK group first, then its occupation names: picking the group finds all of it.
    assert!(
        found[0]["concept_id"].is_null() && found[0]["label"].as_str().unwrap().starts_with("Undersköterskor"),
        "{found:?}"
    );
    assert_eq!(found[1]["code"], found[0]["code"], "{found:?}");
    assert!(found[1]["label"].as_str().unwrap().starts_with("Undersköterska"), "{found:?}");
    assert!(found.iter().all(|t| t["label"].as_str().unwrap().contains("dersköters")), "{found:?}");
    assert!(found.iter().any(|t| t["code"] == "5321"), "{found:?}");
    let concept = found.iter().find_map(|t| t["concept_id"].as_str()).unwrap().to_string();
    let by_id = terms(&app, &broker, &format!("/api/v1/taxonomy/occupations?q={concept}")).await;
    assert_eq!(by_id[0]["concept_id"], concept.as_str());

    let typo = terms(&app, &broker, "/api/v1/taxonomy/occupations?q=underskoterka").await;
    assert!(!typo.is_empty() && typo[0]["label"].as_str().unwrap().starts_with("Underskötersk"), "{typo:?}");

    let skills = terms(&app, &broker, "/api/v1/taxonomy/skills?q=truck&limit=3").await;
    assert!(skills.len() <= 3 && !skills.is_empty());
    assert!(skills[0]["label"].as_str().unwrap().to_lowercase().starts_with("truck"), "{skills:?}");
    assert_eq!(skills[0]["code"], skills[0]["concept_id"]);

    let languages = terms(&app, &broker, "/api/v1/taxonomy/languages?q=arab").await;
    assert_eq!(languages[0]["label"], "Arabiska");
    assert_eq!(languages[0]["code"], "ar");

    // Paged like every list: the total says how many matched.
    let body: Value = app.get("/api/v1/taxonomy/skills?q=s&limit=2&offset=2", &broker).await.json().await.unwrap();
    assert_eq!(body["items"].as_array().unwrap().len(), 2);
    assert!(body["total"].as_i64().unwrap() > 100);

    // Bad input is named; an unknown vocabulary is a 404; no token, 401.
    assert_field_error(app.get("/api/v1/taxonomy/skills?q=", &broker).await, "q").await;
    assert_field_error(app.get(&format!("/api/v1/taxonomy/skills?q={}", "a".repeat(101)), &broker).await, "q").await;
    assert_problem(app.get("/api/v1/taxonomy/planets?q=mars", &broker).await, 404).await;
    assert_problem(app.client.get(app.url("/api/v1/taxonomy/skills?q=truck")).send().await.unwrap(), 401).await;
}
