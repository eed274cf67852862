//! Working with employers: contacts, the shortlist before proposing, the person's consent
//! before anything is shared, and the employer's answer about a presented person.

use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn contacts_are_kept_by_brokers_and_by_the_employer_itself() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let (manager, _) = app.token("manager", "Maja", None).await;
    let employer = app.employer("Omsorgen AB", "5560000001", false).await;
    let other = app.employer("Hamnen AB", "556036-0793", false).await;
    let (own, _) = app.token("employer", "Omsorgen", Some(&employer)).await;
    let url = format!("/api/v1/employers/{employer}/contacts");

    let res = app
        .post_json(
            &url,
            &broker,
            &json!({"name": "Eva Ek", "role": "Enhetschef", "phone": "040-123 45 67", "email": "Eva.Ek@Omsorgen.se"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let eva: Value = res.json().await.unwrap();
    assert_eq!((eva["phone"].as_str(), eva["email"].as_str()), (Some("0401234567"), Some("eva.ek@omsorgen.se")));
    let res = app.post_json(&url, &own, &json!({"name": "Ali Nour", "role": "Rekryterare"})).await;
    assert_eq!(res.status(), 201, "an employer keeps its own contacts");
    let list: Value = app.get(&url, &manager).await.json().await.unwrap();
    assert_eq!(list["total"], 2, "managers read");
    assert_problem(app.post_json(&url, &manager, &json!({"name": "X"})).await, 403).await;
    let (other_token, _) = app.token("employer", "Hamnen", Some(&other)).await;
    assert_problem(app.get(&url, &other_token).await, 404).await;

    let one = format!("{url}/{}", eva["id"].as_str().unwrap());
    let res = app.patch_json(&one, &broker, &json!({"phone": null, "role": "Verksamhetschef"})).await;
    let patched: Value = res.json().await.unwrap();
    assert_eq!((patched["phone"].is_null(), patched["role"].as_str()), (true, Some("Verksamhetschef")));
    assert_field_error(app.patch_json(&one, &broker, &json!({"email": "not-an-address"})).await, "email").await;
    assert_field_error(app.post_json(&url, &broker, &json!({"name": ""})).await, "name").await;
    assert_eq!(app.delete(&one, &broker).await.status(), 204);
    assert_problem(app.delete(&one, &broker).await, 404).await;
    assert_problem(app.get("/api/v1/employers/nobody/contacts", &broker).await, 404).await;
}
