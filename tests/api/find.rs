//! Finding a person: by name (any order, accents and a typo forgiven), by place, and exactly
//! by personnummer (10 or 12 digits, any separator), phone or e-mail; every hit audited.

use serde_json::{Value, json};

use crate::helpers::*;

async fn found(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let q = q.replace('+', "%2B").replace(' ', "%20").replace('@', "%40");
    let res = app.get(&format!("/api/v1/seekers?q={q}"), token).await;
    assert_eq!(res.status(), 200, "{q}");
    let body: Value = res.json().await.unwrap();
    body["items"].as_array().unwrap().iter().map(|s| s["last_name"].as_str().unwrap_or("").to_string()).collect()
}

#[tokio::test]
async fn a_person_is_found_by_name_place_personnummer_phone_and_email() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let (astrand, berg) = (pnr("19900101", 123), pnr("19850505", 301));
    let people = [
        ("Ingrid", "Jensen", "19811228-9874".to_string(), "070-123 45 67", "ingrid.jensen@example.se", "1287"),
        ("Åke", "Åstrand", astrand.clone(), "+46 70 555 12 12", "ake@example.se", "1290"),
        ("Ingrid", "Berg", berg, "0709876543", "berg@example.se", "1287"),
    ];
    for (first, last, personnummer, phone, email, municipality) in people {
        let mut body = seeker_body(&personnummer);
        body["first_name"] = first.into();
        body["last_name"] = last.into();
        body["phone"] = phone.into();
        body["email"] = email.into();
        body["municipality_code"] = municipality.into();
        if last == "Berg" {
            body["languages"] = json!([{"code": "uk", "level": "native"}, {"code": "sv", "level": "good"}]);
        }
        let res = app.post_json("/api/v1/seekers", &broker, &body).await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    }
    // Names reach the index through the outbox: wait until all of it is applied.
    index_caught_up(&app.state).await;

    assert_eq!(found(&app, &broker, "Jensen").await, ["Jensen"]);
    assert_eq!(found(&app, &broker, "Ingrid Jensen").await, ["Jensen"]);
    assert_eq!(found(&app, &broker, "jensen ingrid").await, ["Jensen"], "any order");
    assert_eq!(found(&app, &broker, "Jenssen").await, ["Jensen"], "one typo");
    assert_eq!(found(&app, &broker, "Astrand").await, ["Åstrand"], "without accents");
    let mut ingrids = found(&app, &broker, "Ingrid").await;
    ingrids.sort();
    assert_eq!(ingrids, ["Berg", "Jensen"]);
    assert_eq!(found(&app, &broker, "Kristianstad").await, ["Åstrand"], "by home municipality");
    assert_eq!(found(&app, &broker, "ukrainska").await, ["Berg"], "by a language's name");

    for q in ["198112289874", "19811228-9874", "811228-9874", "8112289874"] {
        assert_eq!(found(&app, &broker, q).await, ["Jensen"], "personnummer {q}");
    }
    assert_eq!(found(&app, &broker, &format!("{}-{}", &astrand[2..8], &astrand[8..])).await, ["Åstrand"]);
    for q in ["0701234567", "070-123 45 67", "+46701234567"] {
        assert_eq!(found(&app, &broker, q).await, ["Jensen"], "phone {q}");
    }
    assert_eq!(found(&app, &broker, "0705551212").await, ["Åstrand"], "a number stored internationally");
    assert_eq!(found(&app, &broker, "Ingrid.Jensen@Example.se").await, ["Jensen"]);
    // Identifiers match exactly, never approximately.
    assert!(found(&app, &broker, "198112289875").await.is_empty());
    assert!(found(&app, &broker, "ingrid.jensen@example.com").await.is_empty());

    // Every hit shown is audited, with the route it came through.
    let res = app.get("/api/v1/audit?limit=500", &app.admin_token).await;
    let audit: Value = res.json().await.unwrap();
    let lookups =
        audit["items"].as_array().unwrap().iter().filter(|a| a["action"] == json!("GET /api/v1/seekers")).count();
    assert!(lookups >= 18, "every hit audited ({lookups})");

    // Employers and managers cannot look people up.
    let (manager, _) = app.token("manager", "Maja", None).await;
    assert_eq!(app.get("/api/v1/seekers?q=Jensen", &manager).await.status(), 403);
}

/// A 10-digit personnummer registers like the 12-digit one, and is answered as 12 digits.
#[tokio::test]
async fn ten_digit_personnummer_is_accepted() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let res = app.post_json("/api/v1/seekers", &broker, &seeker_body("811228-9874")).await;
    assert_eq!(res.status(), 201);
    let s: Value = res.json().await.unwrap();
    assert_eq!(s["personnummer"], "198112289874");
    let again = app.post_json("/api/v1/seekers", &broker, &seeker_body("19811228-9874")).await;
    assert_eq!(again.status(), 409, "the same person");
}

/// "Mina arbetssökande": every seeker assigned to the signed-in broker, paged, and only theirs.
#[tokio::test]
async fn a_broker_lists_all_their_own_seekers() {
    let app = spawn_app().await;
    let (broker, broker_id) = app.token("broker", "Britt", None).await;
    let (other, other_id) = app.token("broker", "Bo", None).await;
    for i in 0..23 {
        let mut body = seeker_body(&pnr("19800101", 400 + i));
        body["last_name"] = format!("Min{i:02}").into();
        body["broker_id"] = broker_id.clone().into();
        assert_eq!(app.post_json("/api/v1/seekers", &broker, &body).await.status(), 201);
    }
    let mut body = seeker_body(&pnr("19800101", 499));
    body["last_name"] = "Annans".into();
    body["broker_id"] = other_id.into();
    assert_eq!(app.post_json("/api/v1/seekers", &other, &body).await.status(), 201);
    index_caught_up(&app.state).await;

    let first = app.get("/seekers?mine=1&status=active", &broker).await.text().await.unwrap();
    assert!(first.contains("Mina arbetssökande") && first.contains("23 personer"), "all 23 are counted");
    assert!(!first.contains("Annans"), "only the broker's own");
    let second = app.get("/seekers?mine=1&status=active&offset=20", &broker).await.text().await.unwrap();
    let shown = |html: &str| html.matches("Min").count();
    assert!(shown(&first) >= 20 && shown(&second) >= 3, "paged: {} and {}", shown(&first), shown(&second));
    // Searching within mine keeps to mine.
    let within = app.get("/seekers?mine=1&status=&q=Amira", &broker).await.text().await.unwrap();
    assert!(within.contains("23 träffar") && !within.contains("Annans"), "{within}");
    // The start page links there.
    assert!(app.get("/", &broker).await.text().await.unwrap().contains("/seekers?mine=1&amp;status=active"));
}
