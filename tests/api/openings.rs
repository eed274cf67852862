use serde_json::{Value, json};

use crate::helpers::*;

async fn employer_with_token(app: &TestApp, name: &str, orgnr: &str) -> (String, String) {
    let id = app.employer(name, orgnr, false).await;
    let (token, _) = app.token("employer", name, Some(&id)).await;
    (id, token)
}

#[tokio::test]
async fn employers_post_and_manage_their_openings() {
    let app = spawn_app().await;
    let (a_id, a) = employer_with_token(&app, "Omsorg AB", "556036-0793").await;
    let (_, b) = employer_with_token(&app, "Bygg AB", "556677-8899").await;
    let res = app.post_json("/api/v1/openings", &a, &opening_body()).await;
    assert_eq!(res.status(), 201);
    let etag = res.headers().get("etag").unwrap().to_str().unwrap().to_string();
    let o: Value = res.json().await.unwrap();
    let id = o["id"].as_str().unwrap().to_string();
    assert_eq!(o["employer_id"], a_id.as_str());
    assert_eq!(o["status"], "open");
    assert_eq!(o["occupation_name"], "Undersköterskor, hemtjänst, hemsjukvård och äldreboende");
    assert_eq!(o["workplace_address"]["postcode"], "231 42");
    assert_eq!(o["must_have"]["skills"][0]["label"], "Personlig omvårdnad");

    // Employer B: the opening does not exist for them, nor in their list.
    assert_problem(app.get(&format!("/api/v1/openings/{id}"), &b).await, 404).await;
    assert_problem(app.delete(&format!("/api/v1/openings/{id}"), &b).await, 404).await;
    let list: Value = app.get("/api/v1/openings", &b).await.json().await.unwrap();
    assert_eq!(list["total"], 0);
    let list: Value = app.get("/api/v1/openings", &a).await.json().await.unwrap();
    assert_eq!(list["total"], 1);
    // Staff see all.
    let (broker, _) = app.token("broker", "B", None).await;
    let list: Value = app.get("/api/v1/openings", &broker).await.json().await.unwrap();
    assert_eq!(list["total"], 1);

    // PATCH needs If-Match; a stale one is 412; the right one bumps the ETag.
    let path = format!("/api/v1/openings/{id}");
    assert_problem(app.patch_json(&path, &a, &json!({"number_of_vacancies": 3})).await, 428).await;
    let patch = |tag: &str| {
        app.client
            .patch(app.url(&path))
            .bearer_auth(&a)
            .header("if-match", tag)
            .json(&json!({"number_of_vacancies": 3}))
    };
    let res = patch(&etag).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let new_tag = res.headers().get("etag").unwrap().to_str().unwrap().to_string();
    assert_ne!(new_tag, etag);
    let o: Value = res.json().await.unwrap();
    assert_eq!(o["number_of_vacancies"], 3);
    assert_eq!(o["headline"], "Undersköterska till hemtjänsten");
    assert_problem(patch(&etag).send().await.unwrap(), 412).await;

    // DELETE hides it.
    assert_eq!(app.delete(&path, &a).await.status(), 204);
    assert_problem(app.get(&path, &a).await, 404).await;
}

#[tokio::test]
async fn posting_is_idempotent_per_key() {
    let app = spawn_app().await;
    let (_, a) = employer_with_token(&app, "Omsorg AB", "556036-0793").await;
    let post = |body: Value, key: &str| {
        app.client.post(app.url("/api/v1/openings")).bearer_auth(&a).header("idempotency-key", key).json(&body)
    };
    let first = post(opening_body(), "k-1").send().await.unwrap();
    assert_eq!(first.status(), 201);
    let first_etag = first.headers()["etag"].clone();
    let first: Value = first.json().await.unwrap();
    let again = post(opening_body(), "k-1").send().await.unwrap();
    assert_eq!(again.status(), 201);
    // The first answer again, with its ETag (as the OpenAPI document says).
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["etag"], first_etag);
    let again: Value = again.json().await.unwrap();
    assert_eq!(first["id"], again["id"]);
    // A key of only spaces, or longer than 200 characters, is refused.
    for key in ["   ".to_string(), "k".repeat(201)] {
        let refused = assert_problem(post(opening_body(), &key).send().await.unwrap(), 400).await;
        assert_eq!(refused["errors"][0]["field"], "Idempotency-Key");
    }
    let mut other = opening_body();
    other["headline"] = "Något annat".into();
    assert_problem(post(other, "k-1").send().await.unwrap(), 422).await;
    let list: Value = app.get("/api/v1/openings", &a).await.json().await.unwrap();
    assert_eq!(list["total"], 1, "one opening despite three posts");
    // Ten retries at once still make one opening.
    let futures: Vec<_> = (0..10).map(|_| post(opening_body(), "k-2").send()).collect();
    let results = futures_util::future::join_all(futures).await;
    let ids: std::collections::HashSet<String> = {
        let mut ids = std::collections::HashSet::new();
        for r in results {
            let r = r.unwrap();
            assert_eq!(r.status(), 201);
            ids.insert(r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string());
        }
        ids
    };
    assert_eq!(ids.len(), 1);
    let list: Value = app.get("/api/v1/openings", &a).await.json().await.unwrap();
    assert_eq!(list["total"], 2);
}

#[tokio::test]
async fn each_opening_rule_names_its_field() {
    let app = spawn_app().await;
    let (_, a) = employer_with_token(&app, "Omsorg AB", "556036-0793").await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("occupation", json!("1234"), "occupation"),
        ("workplace_address", json!({"municipality_code": "0000"}), "workplace_address.municipality_code"),
        ("workplace_address", json!({"municipality_code": "1287", "postcode": "12"}), "workplace_address.postcode"),
        ("number_of_vacancies", json!(0), "number_of_vacancies"),
        ("employment_type", json!("forever"), "employment_type"),
        ("must_have", json!({"driving_licences": ["Z"]}), "must_have.driving_licences[0]"),
        ("nice_to_have", json!({"languages": [{"code": "zz"}]}), "nice_to_have.languages[0].code"),
        ("application_deadline", json!("2026-01-01"), "application_deadline"),
        ("start_date", json!("soon"), "start_date"),
        ("scope_of_work", json!({"min": 80, "max": 50}), "scope_of_work"),
        ("headline", json!(""), "headline"),
        ("status", json!("gone"), "status"),
        ("employer_id", json!("someone-else"), "employer_id"),
    ];
    for (key, value, field) in cases {
        let mut body = opening_body();
        body[key] = value;
        assert_field_error(app.post_json("/api/v1/openings", &a, &body).await, field).await;
    }
    // Staff must say for which employer.
    let (broker, _) = app.token("broker", "B", None).await;
    assert_field_error(app.post_json("/api/v1/openings", &broker, &opening_body()).await, "employer_id").await;
    // Officers and managers do not post openings.
    let (officer, _) = app.token("officer", "O", None).await;
    assert_problem(app.post_json("/api/v1/openings", &officer, &opening_body()).await, 403).await;
    let list: Value = app.get("/api/v1/openings", &a).await.json().await.unwrap();
    assert_eq!(list["total"], 0);
}
