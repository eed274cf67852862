//! The web pages over plain HTTP: sessions, CSRF, roles, escaping and audit. The browser
//! tests (browser.rs) drive the same pages through Chromium.

use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};

use crate::helpers::*;

/// `name=value` of a Set-Cookie header, and the whole header.
fn set_cookie(res: &reqwest::Response, name: &str) -> Option<(String, String)> {
    res.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        let pair = v.split(';').next()?.trim();
        pair.starts_with(&format!("{name}=")).then(|| (pair.to_string(), v.to_string()))
    })
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no hidden {name}")) + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// Signs in through the form; returns the session cookie pair and the session's CSRF token.
pub async fn sign_in(app: &TestApp, token: &str) -> (String, String) {
    let client = no_redirects();
    let page = client.get(app.url("/")).send().await.unwrap();
    let (csrf_cookie, _) = set_cookie(&page, "platsa_csrf").expect("csrf cookie");
    let csrf = hidden(&page.text().await.unwrap(), "csrf");
    let res = client
        .post(app.url("/signin"))
        .header(COOKIE, &csrf_cookie)
        .form(&[("csrf", csrf.as_str()), ("token", token), ("next", "/placements")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/placements");
    let (session, header) = set_cookie(&res, "platsa_session").expect("session cookie");
    assert!(header.contains("HttpOnly") && header.contains("SameSite=Strict"), "{header}");
    let start = client.get(app.url("/")).header(COOKIE, &session).send().await.unwrap().text().await.unwrap();
    (session, hidden(&start, "csrf"))
}

#[tokio::test]
async fn pages_need_a_session_and_every_form_its_csrf_token() {
    let app = spawn_app().await;
    let client = no_redirects();
    let issued: Value = app
        .post_json("/api/v1/tokens", &app.admin_token, &json!({"role": "broker", "name": "Britt Jobbmäklare"}))
        .await
        .json()
        .await
        .unwrap();
    let broker = issued["token"].as_str().unwrap().to_string();

    // Signed out: the sign-in page in place, leading back.
    let res = client.get(app.url("/placements")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    let body = res.text().await.unwrap();
    assert!(body.contains("Logga in") && body.contains("value=\"/placements\""));

    // A sign-in without the double-submit cookie, or with a wrong token, fails.
    let res = client.post(app.url("/signin")).form(&[("csrf", "x"), ("token", broker.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let page = client.get(app.url("/")).send().await.unwrap();
    let (csrf_cookie, _) = set_cookie(&page, "platsa_csrf").unwrap();
    let csrf = hidden(&page.text().await.unwrap(), "csrf");
    let res = client
        .post(app.url("/signin"))
        .header(COOKIE, &csrf_cookie)
        .form(&[("csrf", csrf.as_str()), ("token", "platsa_0000")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("okänd eller återkallad"));

    // Employers use the API, not the staff pages.
    let employer = app.employer("Hamnlogistik AB", "556677-8899", false).await;
    let (employer_token, _) = app.token("employer", "Hamnen", Some(&employer)).await;
    let res = client
        .post(app.url("/signin"))
        .header(COOKIE, &csrf_cookie)
        .form(&[("csrf", csrf.as_str()), ("token", employer_token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    let (session, csrf) = sign_in(&app, &broker).await;
    let start = client.get(app.url("/")).header(COOKIE, &session).send().await.unwrap();
    assert_eq!(start.status(), 200);
    assert_eq!(start.headers()["cache-control"], "no-store");
    assert!(start.text().await.unwrap().contains("Hej Britt Jobbmäklare"));

    // A staff form without the session's token is refused and changes nothing.
    let res = client.post(app.url("/signout")).header(COOKIE, &session).form(&[("csrf", "nope")]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(client.get(app.url("/")).header(COOKIE, &session).send().await.unwrap().status(), 200);
    let res = client
        .post(app.url("/openings/x/propose"))
        .header(COOKIE, &session)
        .form(&[("seeker_id", "x"), ("kind", "praktik")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // Revoking the token ends its sessions at once.
    let id = issued["id"].as_str().unwrap();
    assert_eq!(app.delete(&format!("/api/v1/tokens/{id}"), &app.admin_token).await.status(), 204);
    let res = client.get(app.url("/placements")).header(COOKIE, &session).send().await.unwrap();
    assert_eq!(res.status(), 401);

    // Sign-out ends the session.
    let (admin_session, admin_csrf) = sign_in(&app, &app.admin_token).await;
    let res = client
        .post(app.url("/signout"))
        .header(COOKIE, &admin_session)
        .form(&[("csrf", admin_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    // Back after signing out shows no person: the browser is told to drop its cached pages.
    assert_eq!(res.headers()["clear-site-data"], "\"cache\"");
    assert_eq!(client.get(app.url("/")).header(COOKIE, &admin_session).send().await.unwrap().status(), 200);
    let res = client.get(app.url("/placements")).header(COOKIE, &admin_session).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let _ = csrf;
}

#[tokio::test]
async fn user_text_is_escaped_and_page_reads_are_audited() {
    let app = spawn_app().await;
    let client = no_redirects();
    let (broker, broker_id) = app.token("broker", "Britt", None).await;
    let mut s = seeker_body(&pnr("19900101", 41));
    s["summary"] = "<script>alert('xss')</script> & <b>fet</b>".into();
    s["broker_id"] = broker_id.clone().into();
    let seeker: Value = app.post_json("/api/v1/seekers", &broker, &s).await.json().await.unwrap();
    let id = seeker["id"].as_str().unwrap();
    let employer = app.employer("Trelleborgs kommun", "212000-1165", true).await;
    let mut o = opening_body();
    o["employer_id"] = employer.into();
    o["description"] = "<img src=x onerror=alert(1)> Vi söker dig!".into();
    let opening: Value = app.post_json("/api/v1/openings", &broker, &o).await.json().await.unwrap();
    let opening_id = opening["id"].as_str().unwrap();

    let (session, _) = sign_in(&app, &broker).await;
    let page = client.get(app.url(&format!("/seekers/{id}"))).header(COOKIE, &session).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("&lt;script&gt;alert('xss')&lt;/script&gt; &amp; &lt;b&gt;fet&lt;/b&gt;"), "escaped summary");
    assert!(!html.contains("<script>alert"));
    let html = client
        .get(app.url(&format!("/openings/{opening_id}")))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;") && !html.contains("<img src=x"));

    // The profile page and the start page's list are reads of the seeker: audited.
    client.get(app.url("/")).header(COOKIE, &session).send().await.unwrap();
    let audit: Value = app.get(&format!("/api/v1/audit?seeker_id={id}"), &app.admin_token).await.json().await.unwrap();
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"GET /seekers/{id}") && actions.contains(&"GET /"), "{actions:?}");

    // Managers see the report pages but not seekers; unknown pages are HTML 404s.
    let (manager, _) = app.token("manager", "Maja", None).await;
    let (m_session, _) = sign_in(&app, &manager).await;
    assert_eq!(
        client.get(app.url(&format!("/seekers/{id}"))).header(COOKIE, &m_session).send().await.unwrap().status(),
        403
    );
    let report = client.get(app.url("/reports/monthly?month=2026-11")).header(COOKIE, &m_session).send().await.unwrap();
    assert_eq!(report.status(), 200);
    assert!(report.text().await.unwrap().contains("<svg"));
    let csv =
        client.get(app.url("/reports/monthly.csv?month=2026-11")).header(COOKIE, &m_session).send().await.unwrap();
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let res = client.get(app.url("/seekers/not-a-seeker")).header(COOKIE, &session).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
}

/// "Mina arbetssökande": all of a broker's seekers, sorted as asked, and as a spreadsheet
/// for Swedish Excel; every person listed is an audited read.
#[tokio::test]
async fn the_caseload_sorts_by_contact_and_exports_for_swedish_excel() {
    let app = spawn_app().await;
    let (broker, broker_id) = app.token("broker", "Britt", None).await;
    let (other, other_id) = app.token("broker", "Kalle", None).await;
    let mut ids = Vec::new();
    for (i, last) in ["Andersson", "Berg", "Cederlund"].iter().enumerate() {
        let mut body = seeker_body(&pnr("19900101", 100 + i as u32));
        body["last_name"] = (*last).into();
        if i == 2 {
            body["first_name"] = "=1+1".into();
        }
        body["broker_id"] = broker_id.clone().into();
        let s: Value = app.post_json("/api/v1/seekers", &broker, &body).await.json().await.unwrap();
        ids.push(s["id"].as_str().unwrap().to_string());
    }
    let mut body = seeker_body(&pnr("19900101", 200));
    body["last_name"] = "Kollegasson".into();
    body["broker_id"] = other_id.into();
    assert_eq!(app.post_json("/api/v1/seekers", &other, &body).await.status(), 201);
    // Berg was called last week and is to be called again on Friday.
    let entry =
        json!({"kind": "call", "text": "Samtal", "at": "2026-11-16T10:00:00+01:00", "next_contact_on": "2026-11-27"});
    let res = app.post_json(&format!("/api/v1/seekers/{}/journal", ids[1]), &broker, &entry).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());

    let (session, _) = sign_in(&app, &broker).await;
    let page = |query: &'static str| {
        let (app, session) = (&app, session.clone());
        async move {
            let res = app
                .client
                .get(app.url(&format!("/seekers?mine=1{query}")))
                .header(COOKIE, &session)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            let html = res.text().await.unwrap();
            let order: Vec<&str> = ["Andersson", "Berg", "Cederlund", "Kollegasson"]
                .into_iter()
                .filter(|n| html.contains(n))
                .collect::<Vec<_>>();
            let mut order = order;
            order.sort_by_key(|n| html.find(n));
            (html, order.into_iter().map(str::to_string).collect::<Vec<_>>())
        }
    };
    let (html, order) = page("&sort=name").await;
    assert!(html.contains("3 personer"), "only mine");
    assert_eq!(order, ["Andersson", "Berg", "Cederlund"]);
    let (_, order) = page("&sort=next_contact").await;
    assert_eq!(order[0], "Berg", "the planned contact first");
    let (_, order) = page("&sort=last_contact").await;
    assert_eq!(order[2], "Berg", "the one contacted most recently last");
    let (html, order) = page("&sort=name&status=paused").await;
    assert!(order.is_empty() && html.contains("0 personer"));

    let res = app.client.get(app.url("/seekers/mine.csv?sort=name")).header(COOKIE, &session).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert!(lines[0].starts_with("\u{feff}Förnamn;Efternamn;Personnummer;Status"), "{}", lines[0]);
    assert_eq!(lines.len(), 5, "header, three people, the final line end: {csv}");
    assert!(lines[2].contains(";Berg;") && lines[2].contains(";2026-11-27;"), "{}", lines[2]);
    assert!(lines[3].starts_with("'=1+1;Cederlund;"), "no formula: {}", lines[3]);
    // The workbook beside it: personnummer and phone as text (Excel keeps the leading 0 and
    // every digit), the days waited as a number, the next contact as a date.
    let res = app.client.get(app.url("/seekers/mine.xlsx?sort=name")).header(COOKIE, &session).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let bytes = res.bytes().await.unwrap().to_vec();
    {
        use calamine::{Data, Reader};
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range("Mina arbetssökande").unwrap();
        let header: Vec<String> = (0..11).map(|c| sheet.get((0, c)).unwrap().to_string()).collect();
        assert_eq!(header[2], "Personnummer");
        let berg = (1..4).find(|r| sheet.get((*r, 1)) == Some(&Data::String("Berg".into()))).unwrap();
        assert!(matches!(sheet.get((berg, 2)), Some(Data::String(p)) if p.len() == 12), "{:?}", sheet.get((berg, 2)));
        assert!(
            matches!(sheet.get((berg, 9)), Some(Data::String(p)) if p.starts_with('0')),
            "{:?}",
            sheet.get((berg, 9))
        );
        assert!(matches!(sheet.get((berg, 6)), Some(Data::Float(_))), "{:?}", sheet.get((berg, 6)));
        assert!(matches!(sheet.get((berg, 8)), Some(Data::DateTime(_))), "{:?}", sheet.get((berg, 8)));
        assert_eq!(sheet.get((3, 0)), Some(&Data::String("=1+1".into())), "a text cell, never a formula");
    }
    for id in &ids {
        let audit: Value =
            app.get(&format!("/api/v1/audit?seeker_id={id}"), &app.admin_token).await.json().await.unwrap();
        let actions: Vec<&str> =
            audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"GET /seekers/mine.csv") && actions.contains(&"GET /seekers"), "{actions:?}");
        assert!(actions.contains(&"GET /seekers/mine.xlsx"), "{actions:?}");
    }
}

/// Every page starts with "Hoppa till innehållet", which leads to its main content, and names
/// the tab's icon, which is there.
#[tokio::test]
async fn pages_have_a_skip_link_and_the_tab_an_icon() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let (session, _) = sign_in(&app, &broker).await;
    for path in ["/", "/openings", "/seekers"] {
        let page = app.client.get(app.url(path)).header(COOKIE, &session).send().await.unwrap().text().await.unwrap();
        let skip = page.find("href=\"#innehall\"").unwrap_or_else(|| panic!("{path}: no skip link"));
        assert!(skip < page.find("<header").unwrap(), "{path}: the skip link comes first");
        assert!(page.contains("<main id=\"innehall\" tabindex=\"-1\">"), "{path}");
        assert!(page.contains(">Hoppa till innehållet<"), "{path}");
        assert!(page.contains("rel=\"icon\" href=\"/favicon.ico\""), "{path}");
    }
    let res = app.client.get(app.url("/favicon.ico")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/x-icon");
    let icon = res.bytes().await.unwrap();
    assert_eq!(&icon[..4], &[0, 0, 1, 0], "an ICO file");
    assert_eq!(&icon[22..26], b"\x89PNG", "holding a PNG");
}

/// A browser asking for a page that does not exist gets a Swedish page with a way back; an
/// API client (and any path under /api/) keeps the problem document.
#[tokio::test]
async fn a_missing_page_is_a_swedish_page_for_a_browser() {
    let app = spawn_app().await;
    let html = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8";
    let res = app.client.get(app.url("/nosuchpage")).header("accept", html).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = res.text().await.unwrap();
    assert!(page.contains("Vi hittar inte sidan.") && page.contains("href=\"/\""), "{page}");
    for (path, accept) in [("/nosuchpage", "application/json"), ("/api/v1/nosuch", html)] {
        let res = app.client.get(app.url(path)).header("accept", accept).send().await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
        assert_eq!(res.headers()["content-type"], "application/problem+json", "{path}");
    }
}

/// A query a page cannot read is a Swedish page; an empty `offset` on a page is the
/// default; the API keeps to its documented types and answers the problem document.
#[tokio::test]
async fn a_bad_query_is_a_swedish_page_and_an_empty_offset_the_default() {
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let (session, _) = sign_in(&app, &broker).await;
    let html = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8";
    let page = |path: &'static str| {
        let (app, session) = (&app, session.clone());
        async move { app.client.get(app.url(path)).header("accept", html).header(COOKIE, &session).send().await.unwrap() }
    };
    for path in ["/openings?offset=", "/seekers?mine=1&offset=", "/openings?offset=&q="] {
        assert_eq!(page(path).await.status(), 200, "{path}");
    }
    let res = page("/seekers?mine=1&offset=abc").await;
    assert_eq!(res.status(), 400);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let body = res.text().await.unwrap();
    assert!(body.contains("<html lang=\"sv\"") && body.contains("Förfrågan kunde inte läsas."), "{body}");
    // The API keeps to its documented types: an empty or bad number is the problem document.
    let res = app.get("/api/v1/seekers?offset=&limit=", &broker).await;
    assert_eq!(res.status(), 400);
    let res = app.get("/api/v1/seekers?offset=abc", &broker).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
}
