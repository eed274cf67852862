//! The admin's day in pages: a user with role, e-mail and unit, the key shown once and
//! revoked; units; employers; an officer with working hours and an absence. Each form is
//! Post/Redirect/Get and refuses bad input on the page, naming the field.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

/// A browser of its own, signed in with `token`; answers it and the session's form token.
async fn signed_in(app: &TestApp, token: &str) -> (reqwest::Client, String) {
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let hidden =
        |html: &str| html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let start = client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    let res = client
        .post(app.url("/signin"))
        .form(&[("csrf", hidden(&start).as_str()), ("token", token), ("next", "/admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("Administration"), "{page}");
    (client, hidden(&page))
}

async fn post(client: &reqwest::Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client.post(app.url(path)).form(form).send().await.unwrap()
}

#[tokio::test]
async fn an_admin_creates_a_user_with_a_key_shown_once_then_revokes_it() {
    let app = spawn_app().await;
    let (admin, csrf) = signed_in(&app, &app.admin_token).await;

    // A bad form comes back with what is wrong, naming the field.
    let res = post(&admin, &app, "/admin/users", &[("csrf", &csrf), ("name", ""), ("role", "broker")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("Namnet"), "names the field");
    let res = post(&admin, &app, "/admin/users", &[("csrf", &csrf), ("name", "Eva"), ("role", "employer")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "an employer's user needs the employer");

    let res = post(
        &admin,
        &app,
        "/admin/users",
        &[
            ("csrf", &csrf),
            ("name", "Britt Jobbmäklare"),
            ("role", "broker"),
            ("email", "Britt@Kommun.example"),
            ("unit", "Jobbcenter Trelleborg"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let user_path = res.url().path().to_string();
    assert!(user_path.starts_with("/admin/users/"), "{user_path}");
    let page = res.text().await.unwrap();
    let token =
        page.split("<output class=\"token\">").nth(1).expect("the key, once").split('<').next().unwrap().to_string();
    assert!(page.contains("visas bara den här gången"), "{page}");
    // The key works, and the user has their e-mail and unit.
    let users: Value = app.get("/api/v1/users?role=broker", &token).await.json().await.unwrap();
    let britt = users["items"].as_array().unwrap().iter().find(|u| u["name"] == "Britt Jobbmäklare").unwrap().clone();
    assert_eq!(britt["email"], "britt@kommun.example");
    let id = britt["id"].as_str().unwrap();
    let units: Value = app.get(&format!("/api/v1/users/{id}/units"), &app.admin_token).await.json().await.unwrap();
    assert_eq!(units["units"], serde_json::json!(["Jobbcenter Trelleborg"]), "{units}");
    // Shown once: the page again has no key.
    let again = admin.get(app.url(&user_path)).send().await.unwrap().text().await.unwrap();
    assert!(!again.contains(&token) && !again.contains("class=\"token\""), "{again}");
    // The same e-mail for another user is refused on the form.
    let res = post(
        &admin,
        &app,
        "/admin/users",
        &[("csrf", &csrf), ("name", "Britt 2"), ("role", "broker"), ("email", "britt@kommun.example")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Revoked from the page: the key stops working at once.
    let token_id = again.split("/admin/tokens/").nth(1).unwrap().split('/').next().unwrap().to_string();
    let res = post(&admin, &app, &format!("/admin/tokens/{token_id}/revoke"), &[("csrf", &csrf), ("user", id)]).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Nyckeln är återkallad"));
    assert_eq!(app.get("/api/v1/users", &token).await.status(), StatusCode::UNAUTHORIZED);
    // A new key for the same user, shown once.
    let res = post(&admin, &app, &format!("{user_path}/tokens"), &[("csrf", &csrf)]).await;
    let page = res.text().await.unwrap();
    let second = page.split("<output class=\"token\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert_eq!(app.get("/api/v1/users", &second).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_admin_keeps_units_employers_and_officers_with_hours_and_absences() {
    let app = spawn_app().await;
    let (admin, csrf) = signed_in(&app, &app.admin_token).await;
    let (_, officer_user) = app.token("officer", "Olle Svensson", None).await;

    // Units: a new one, then inactive.
    let res = post(&admin, &app, "/admin/units", &[("csrf", &csrf), ("name", "Jobbcenter Skegrie")]).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Jobbcenter Skegrie"));
    let res = post(&admin, &app, "/admin/units", &[("csrf", &csrf), ("name", "Jobbcenter Skegrie")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "a name twice");
    let res = post(&admin, &app, "/admin/units/Jobbcenter%20Skegrie/active", &[("csrf", &csrf), ("active", "0")]).await;
    assert!(res.text().await.unwrap().contains("inaktiv"));

    // An employer, then its page (where contacts are added).
    let res = post(
        &admin,
        &app,
        "/admin/employers",
        &[("csrf", &csrf), ("name", "Bageriet AB"), ("organization_number", "12345")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "a bad organisation number");
    let res = post(
        &admin,
        &app,
        "/admin/employers",
        &[("csrf", &csrf), ("name", "Bageriet AB"), ("organization_number", "556123-4567"), ("municipal", "1")],
    )
    .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert!(res.url().path().starts_with("/employers/"), "{}", res.url());

    // An officer with working hours; a weekday's text that is no time is refused, named.
    let bad = [
        ("csrf", csrf.as_str()),
        ("name", "Olle Svensson"),
        ("unit", "Jobbcenter Trelleborg"),
        ("user_id", officer_user.as_str()),
        ("hours.tue", "förmiddag"),
        ("active", "1"),
    ];
    let res = post(&admin, &app, "/admin/officers", &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("role=\"alert\""));
    let good = [
        ("csrf", csrf.as_str()),
        ("name", "Olle Svensson"),
        ("unit", "Jobbcenter Trelleborg"),
        ("address", "Algatan 13, 231 20 Trelleborg"),
        ("user_id", officer_user.as_str()),
        ("meeting_minutes", "45"),
        ("hours.tue", "08:30–12:00, 13:00-16:00"),
        ("active", "1"),
    ];
    let res = post(&admin, &app, "/admin/officers", &good).await;
    assert_eq!(res.status(), 200);
    let path = res.url().path().to_string();
    let id = path.trim_start_matches("/admin/officers/").to_string();
    let o: Value = app.get(&format!("/api/v1/officers/{id}"), &app.admin_token).await.json().await.unwrap();
    assert_eq!(o["weekly_hours"]["tue"], serde_json::json!([["08:30", "12:00"], ["13:00", "16:00"]]), "{o}");
    assert_eq!(o["user_id"], officer_user.as_str());
    // Wednesday added on the officer's page; the form shows the hours as typed.
    let mut edit = good.to_vec();
    edit.push(("hours.wed", "09:00–11:00"));
    let res = post(&admin, &app, &path, &edit).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("09:00–11:00"));
    // An absence on Tuesday 24 November: no times that day.
    let res = post(
        &admin,
        &app,
        &format!("{path}/absences"),
        &[("csrf", &csrf), ("from", "2026-11-24"), ("to", "2026-11-24"), ("reason", "Kurs")],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Frånvaron är sparad"));
    let o: Value = app.get(&format!("/api/v1/officers/{id}"), &app.admin_token).await.json().await.unwrap();
    assert_eq!(o["absences"][0]["from"], "2026-11-24");
    let res =
        post(&admin, &app, &format!("{path}/absences"), &[("csrf", &csrf), ("from", ""), ("to", "2026-11-24")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Only admins.
    let (broker, _) = app.token("broker", "B", None).await;
    assert_eq!(app.get("/admin/users", &broker).await.status(), StatusCode::FORBIDDEN);
}
