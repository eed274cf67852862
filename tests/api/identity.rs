//! Identity: staff sign in through the municipality's OpenID provider and applicants with
//! e-legitimation, through real providers started by this test run (tests/oidc/providers.mjs:
//! node's certified `oidc-provider`, and a provider that issues broken ID tokens). The tests
//! act as the browser: they follow each redirect and submit the provider's login form.

use std::io::BufRead;
use std::sync::OnceLock;

use diesel::prelude::*;
use reqwest::redirect::Policy;
use serde_json::{Value, json};

use crate::helpers::*;

/// Platsa's public address in these tests; the providers know their redirect URIs by it,
/// and the test (as a reverse proxy would) brings each answer to the app's real address.
const PUBLIC: &str = "http://platsa.test";
pub const ROLES: &str = "platsa-admin=admin,platsa-mäklare=broker,platsa-chef=manager,platsa-handläggare=officer";
pub const PNR_CLAIM: &str = "https://id.oidc.se/claim/personalIdentityNumber";

pub struct Providers {
    pub certified: String,
    pub rogue: String,
}

/// The providers, started once for the whole test binary. Their process ends when this one
/// does: it exits when its standard input closes.
pub fn providers() -> &'static Providers {
    static P: OnceLock<Providers> = OnceLock::new();
    // The process, with its standard input open for as long as this test binary runs.
    static CHILD: OnceLock<std::sync::Mutex<std::process::Child>> = OnceLock::new();
    P.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc");
        assert!(
            dir.join("node_modules/oidc-provider").exists(),
            "the identity tests need the OpenID providers: run `npm ci --prefix tests/oidc` (CI does)"
        );
        let mut child = std::process::Command::new("node")
            .arg(dir.join("providers.mjs"))
            .current_dir(&dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("node runs (it is installed with npm)");
        let mut line = String::new();
        let mut out = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        out.read_line(&mut line).expect("issuers");
        // Whatever else the providers print is read and dropped: a closed pipe would end them.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let v: Value = serde_json::from_str(&line).expect("providers print their issuers");
        let _ = CHILD.set(std::sync::Mutex::new(child));
        Providers {
            certified: v["certified"].as_str().unwrap().to_string(),
            rogue: v["rogue"].as_str().unwrap().to_string(),
        }
    })
}

/// An account at the certified provider, with its claims.
pub async fn account(sub: &str, claims: Value) {
    let res = reqwest::Client::new()
        .put(format!("{}/test/accounts/{sub}", providers().certified))
        .json(&claims)
        .send()
        .await
        .unwrap_or_else(|e| panic!("the provider takes accounts: {e:?}"));
    assert_eq!(res.status().as_u16(), 204);
}

fn staff_settings<'a>(issuer: &'a str, client_id: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![
        ("PLATSA_PUBLIC_URL", PUBLIC),
        ("PLATSA_STAFF_OIDC__ISSUER", issuer),
        ("PLATSA_STAFF_OIDC__CLIENT_ID", client_id),
        ("PLATSA_STAFF_OIDC__CLIENT_SECRET", "staff-secret"),
        ("PLATSA_STAFF_OIDC__ROLES", ROLES),
    ];
    all.extend_from_slice(extra);
    all
}

/// A browser: keeps cookies, follows nothing by itself.
pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

fn location(res: &reqwest::Response, base: &str) -> String {
    let to = res.headers().get("location").expect("a redirect").to_str().unwrap().to_string();
    if to.starts_with('/') { format!("{base}{to}") } else { to }
}

fn origin(url: &str) -> String {
    let u = reqwest::Url::parse(url).unwrap();
    format!("{}://{}", u.scheme(), u.host_str().unwrap()) + &u.port().map(|p| format!(":{p}")).unwrap_or_default()
}

fn sets_session(res: &reqwest::Response) -> bool {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.starts_with("platsa_session=") && !c.starts_with("platsa_session=;"))
}

/// From Platsa's start of a sign-in to the provider's answer: follows the provider's
/// redirects, signs in as `sub` on its login form, and returns the answer's URL at Platsa's
/// public address (not yet visited).
pub(crate) async fn through_provider(b: &reqwest::Client, app: &TestApp, start: &str, sub: &str) -> String {
    let res = b.get(app.url(start)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303, "{start} sends the browser to the provider");
    let mut url = location(&res, &app.address);
    for _ in 0..10 {
        if url.starts_with(PUBLIC) {
            return url;
        }
        let base = origin(&url);
        let res = b.get(&url).send().await.unwrap();
        if res.status().is_redirection() {
            url = location(&res, &base);
            continue;
        }
        // The provider's login page: post the account's login.
        assert_eq!(res.status().as_u16(), 200, "the provider's page at {url}");
        let res = b.post(&url).form(&[("prompt", "login"), ("login", sub), ("password", "x")]).send().await.unwrap();
        assert!(res.status().is_redirection(), "the provider takes the login");
        url = location(&res, &base);
    }
    panic!("the provider never answered Platsa");
}

/// Brings the provider's answer to the app (as the reverse proxy at the public address would).
pub(crate) async fn answer(b: &reqwest::Client, app: &TestApp, url: &str) -> reqwest::Response {
    b.get(url.replacen(PUBLIC, &app.address, 1)).send().await.unwrap()
}

/// The whole staff sign-in; the callback's answer.
async fn staff_sign_in(b: &reqwest::Client, app: &TestApp, sub: &str, next: &str) -> reqwest::Response {
    let start = format!("/signin/oidc?next={}", next.replace('/', "%2F"));
    let url = through_provider(b, app, &start, sub).await;
    answer(b, app, &url).await
}

/// The user the provider's subject became, with their role and units.
async fn user_of(app: &TestApp, sub: &str) -> Option<(String, String, String, Vec<String>)> {
    use platsa::db::schema::users;
    let sub = sub.to_string();
    platsa::db::run(&app.state.pool, move |c| {
        let row: Option<(String, String, String)> = users::table
            .filter(users::oidc_subject.eq(&sub))
            .select((users::id, users::name, users::role))
            .first(c)
            .optional()?;
        Ok(match row {
            Some((id, name, role)) => {
                let units = platsa::units::of_user(c, &id)?;
                Some((id, name, role, units))
            }
            None => None,
        })
    })
    .await
    .unwrap()
}

/// Whether the browser's session opens a staff page.
async fn signed_in(b: &reqwest::Client, app: &TestApp) -> bool {
    let res = b.get(app.url("/seekers")).send().await.unwrap();
    res.status().as_u16() == 200
}

#[tokio::test]
async fn staff_sign_in_through_the_municipalitys_provider_lands_on_next_with_the_role_of_the_group() {
    let p = providers();
    let settings = staff_settings(&p.certified, "platsa-staff", &[("PLATSA_STAFF_OIDC__UNIT_CLAIM", "units")]);
    let app = spawn_app_with(&settings).await;
    let sub = format!("anna-{}", uuid::Uuid::new_v4());
    account(
        &sub,
        json!({ "name": "Anna Berg", "roles": ["alla-anställda", "platsa-mäklare"], "units": ["Jobbcenter Trelleborg", "Okänd enhet"] }),
    )
    .await;

    // The sign-in page offers the municipality's account first; the token form stays.
    let page = reqwest::get(app.url("/?next=%2Fseekers")).await.unwrap().text().await.unwrap();
    let (provider_at, token_at) =
        (page.find("Logga in med ditt kommunkonto").unwrap(), page.find("name=\"token\"").unwrap());
    assert!(provider_at < token_at, "the municipality's account comes first");

    let b = browser();
    let res = staff_sign_in(&b, &app, &sub, "/seekers").await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(sets_session(&res));
    let landing = res.text().await.unwrap();
    assert!(landing.contains("url=/seekers"), "the page moves on to next: {landing}");
    let seekers = b.get(app.url("/seekers")).send().await.unwrap();
    assert_eq!(seekers.status().as_u16(), 200);
    assert!(seekers.text().await.unwrap().contains("Anna Berg"), "signed in by the provider's name");
    let (id, name, role, units) = user_of(&app, &sub).await.expect("a user made by (issuer, subject)");
    assert_eq!((name.as_str(), role.as_str()), ("Anna Berg", "broker"));
    assert_eq!(units, vec!["Jobbcenter Trelleborg".to_string()], "only units Platsa knows");

    // A group change in the directory: the next sign-in gives the new role, same user.
    account(&sub, json!({ "name": "Anna Berg", "roles": ["platsa-chef"], "units": [] })).await;
    let b2 = browser();
    assert_eq!(staff_sign_in(&b2, &app, &sub, "/").await.status().as_u16(), 200);
    let (id2, _, role, units) = user_of(&app, &sub).await.unwrap();
    assert_eq!((id2.as_str(), role.as_str()), (id.as_str(), "manager"));
    assert!(units.is_empty(), "units follow the claim");

    // Left every Platsa group: no session, and the sessions held end.
    account(&sub, json!({ "name": "Anna Berg", "roles": ["alla-anställda"] })).await;
    let b3 = browser();
    let res = staff_sign_in(&b3, &app, &sub, "/").await;
    assert_eq!(res.status().as_u16(), 403);
    assert!(!sets_session(&res));
    assert!(res.text().await.unwrap().contains("Du har inte behörighet till Platsa"));
    assert!(!signed_in(&b3, &app).await);
    assert!(!signed_in(&b, &app).await, "an earlier session ends when the groups are gone");

    // Bearer tokens still work on the API.
    let res = app.get("/api/v1/users", &app.admin_token).await;
    assert_eq!(res.status().as_u16(), 200);
}

#[tokio::test]
async fn a_forged_or_replayed_answer_gives_no_session_and_sign_out_ends_the_providers_session_too() {
    let p = providers();
    let app =
        spawn_app_with(&staff_settings(&p.certified, "platsa-staff", &[("PLATSA_STAFF_OIDC__ONLY", "true")])).await;
    let sub = format!("bo-{}", uuid::Uuid::new_v4());
    account(&sub, json!({ "name": "Bo Ek", "roles": "platsa-admin" })).await;

    // Forged state: the provider's answer with another state.
    let b = browser();
    let url = through_provider(&b, &app, "/signin/oidc?next=%2F", &sub).await;
    let forged = reqwest::Url::parse(&url).unwrap();
    let code = forged.query_pairs().find(|(k, _)| k == "code").unwrap().1.to_string();
    let res = answer(&b, &app, &format!("{PUBLIC}/signin/oidc/callback?code={code}&state=forged")).await;
    assert_eq!(res.status().as_u16(), 400);
    assert!(!sets_session(&res));
    assert!(!signed_in(&b, &app).await);

    // Another browser bringing a genuine answer (a link passed on) is refused too.
    let b = browser();
    let url = through_provider(&b, &app, "/signin/oidc?next=%2F", &sub).await;
    let res = answer(&browser(), &app, &url).await;
    assert_eq!(res.status().as_u16(), 400);
    assert!(!sets_session(&res));

    // A genuine answer signs in once; replayed, by the same browser, it gives nothing.
    let b = browser();
    let url = through_provider(&b, &app, "/signin/oidc?next=%2F", &sub).await;
    let res = answer(&b, &app, &url).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(sets_session(&res));
    let replay = answer(&b, &app, &url).await;
    assert_eq!(replay.status().as_u16(), 400);
    assert!(!sets_session(&replay));
    assert!(signed_in(&b, &app).await, "the first sign-in stands");

    // An error from the provider (the person cancelled): no session.
    let res = answer(&browser(), &app, &format!("{PUBLIC}/signin/oidc/callback?error=access_denied&state=x")).await;
    assert_eq!(res.status().as_u16(), 400);
    assert!(!sets_session(&res));

    // `only`: the token form is not offered, and posting a token does not sign in.
    let page = reqwest::get(app.url("/")).await.unwrap().text().await.unwrap();
    assert!(page.contains("Logga in med ditt kommunkonto") && !page.contains("name=\"token\""));
    let first = reqwest::get(app.url("/")).await.unwrap();
    let (cookie, csrf) = anonymous_csrf(&first);
    let res = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
        .post(app.url("/signin"))
        .header("cookie", cookie)
        .form(&[("csrf", csrf.as_str()), ("token", app.admin_token.as_str()), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    assert!(!sets_session(&res));
    assert_eq!(app.get("/api/v1/users", &app.admin_token).await.status().as_u16(), 200, "tokens still reach the API");

    // Sign-out ends Platsa's session and sends the browser to the provider's sign-out.
    let page = b.get(app.url("/seekers")).send().await.unwrap().text().await.unwrap();
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let res = b.post(app.url("/signout")).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains(&format!("{}/session/end", p.certified)), "the provider's end_session_endpoint: {page}");
    assert!(!signed_in(&b, &app).await);
}

#[tokio::test]
async fn id_tokens_with_the_wrong_audience_issuer_nonce_expiry_or_key_give_no_session() {
    let p = providers();
    // The same provider, issuing a correct token: the sign-in works, so each refusal below
    // is the fault's alone.
    let app = spawn_app_with(&staff_settings(&p.rogue, "good", &[])).await;
    let b = browser();
    let res = staff_sign_in(&b, &app, "", "/").await;
    assert_eq!(res.status().as_u16(), 200, "a correct token signs in");
    assert!(sets_session(&res));

    for fault in ["wrong-audience", "wrong-issuer", "wrong-nonce", "no-nonce", "expired", "other-key"] {
        let app = spawn_app_with(&staff_settings(&p.rogue, fault, &[])).await;
        let b = browser();
        let res = staff_sign_in(&b, &app, "", "/").await;
        assert_eq!(res.status().as_u16(), 403, "{fault}");
        assert!(!sets_session(&res), "{fault}");
        assert!(res.text().await.unwrap().contains("kunde inte kontrolleras"), "{fault}");
        assert!(!signed_in(&b, &app).await, "{fault}");
        assert!(user_of(&app, "rogue-admin").await.is_none(), "{fault}: no user is made");
    }
}

/// The application row the e-ID or the form made.
async fn application(app: &TestApp, id: &str) -> (Option<String>, Option<String>, String) {
    use platsa::db::schema::applications;
    let id = id.to_string();
    platsa::db::run(&app.state.pool, move |c| {
        Ok(applications::table
            .find(&id)
            .select((applications::personnummer, applications::first_name, applications::identified_by))
            .first(c)?)
    })
    .await
    .unwrap()
}

pub(crate) fn citizen_settings<'a>(issuer: &'a str, required: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("PLATSA_PUBLIC_URL", PUBLIC),
        ("PLATSA_CITIZEN_OIDC__ISSUER", issuer),
        ("PLATSA_CITIZEN_OIDC__CLIENT_ID", "platsa-citizen"),
        ("PLATSA_CITIZEN_OIDC__CLIENT_SECRET", "citizen-secret"),
        ("PLATSA_CITIZEN_OIDC__REQUIRED", required),
    ]
}

#[tokio::test]
async fn an_application_after_e_legitimation_carries_the_e_ids_personnummer_whatever_the_form_says() {
    let p = providers();
    let app = spawn_app_with(&citizen_settings(&p.certified, "false")).await;
    let own = pnr("19850412", 231);
    let sub = format!("eid-{}", uuid::Uuid::new_v4());
    account(&sub, json!({ "given_name": "Sara", "family_name": "Lind", "name": "Sara Lind", PNR_CLAIM: own })).await;

    let b = browser();
    let page = b.get(app.url("/apply")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Logga in med e-legitimation"));
    let url = through_provider(&b, &app, "/apply/eid", &sub).await;
    let res = answer(&b, &app, &url).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/apply");
    let page = b.get(app.url("/apply")).send().await.unwrap().text().await.unwrap();
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert!(page.contains("Identifierad med e-legitimation") && page.contains("Sara Lind"));
    assert!(page.contains(&format!("{}-{}", &own[..8], &own[8..])));
    assert!(!page.contains("name=\"personnummer\""), "the personnummer is not editable");

    // The form posts someone else's personnummer: the e-ID's is stored.
    let stranger = pnr("19700101", 998);
    let res = b
        .post(app.url("/apply"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("personnummer", stranger.as_str()),
            ("first_name", "Fel"),
            ("last_name", "Namn"),
            ("phone", "0701234567"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "applied");
    let id: String = {
        use platsa::db::schema::applications;
        let own = own.clone();
        platsa::db::run(&app.state.pool, move |c| {
            Ok(applications::table.filter(applications::personnummer.eq(&own)).select(applications::id).first(c)?)
        })
        .await
        .expect("an application with the e-ID's personnummer")
    };
    assert_eq!(application(&app, &id).await, (Some(own.clone()), Some("Sara".into()), "eid".into()));

    // The e-legitimation ended with the application; the API without it is unidentified.
    let res = app
        .client
        .post(app.url("/api/v1/applications"))
        .json(&json!({ "personnummer": stranger, "first_name": "Per", "last_name": "Ek", "phone": "0701234568" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["identified_by"], "none");
    assert_eq!(application(&app, body["id"].as_str().unwrap()).await.2, "none");

    // Through the public API with the e-ID's cookie: the e-ID's personnummer, whatever is posted.
    let b = browser();
    let url = through_provider(&b, &app, "/apply/eid", &sub).await;
    answer(&b, &app, &url).await;
    let res = b
        .post(app.url("/api/v1/applications"))
        .json(
            &json!({ "personnummer": stranger, "first_name": "Fel", "last_name": "Namn", "email": "sara@example.se" }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["identified_by"], "eid");
    assert_eq!(application(&app, body["id"].as_str().unwrap()).await.0, Some(own));
}

#[tokio::test]
async fn with_e_legitimation_required_the_public_api_refuses_an_application_without_it() {
    let p = providers();
    let app = spawn_app_with(&citizen_settings(&p.certified, "true")).await;
    let res = app
        .client
        .post(app.url("/api/v1/applications"))
        .json(&json!({ "personnummer": pnr("19900101", 123), "first_name": "Ada", "last_name": "Ek", "phone": "0701234567" }))
        .send()
        .await
        .unwrap();
    let body = assert_problem(res, 403).await;
    assert_eq!(body["code"], "identity.eid_required");
    // The page offers only the e-legitimation.
    let page = reqwest::get(app.url("/apply")).await.unwrap().text().await.unwrap();
    assert!(page.contains("Logga in med e-legitimation") && !page.contains("name=\"personnummer\""));

    // After it, the same API takes the application.
    let own = pnr("19920202", 456);
    let sub = format!("eid-{}", uuid::Uuid::new_v4());
    account(&sub, json!({ "given_name": "Ali", "family_name": "Noor", PNR_CLAIM: own })).await;
    let b = browser();
    let url = through_provider(&b, &app, "/apply/eid", &sub).await;
    answer(&b, &app, &url).await;
    let res = b.post(app.url("/api/v1/applications")).json(&json!({ "phone": "0701234567" })).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(application(&app, body["id"].as_str().unwrap()).await, (Some(own), Some("Ali".into()), "eid".into()));

    // No personnummer in the e-legitimation: refused, nothing kept.
    let sub = format!("eid-{}", uuid::Uuid::new_v4());
    account(&sub, json!({ "given_name": "Utan", "family_name": "Nummer" })).await;
    let b = browser();
    let url = through_provider(&b, &app, "/apply/eid", &sub).await;
    let res = answer(&b, &app, &url).await;
    assert_eq!(res.status().as_u16(), 403);
    assert!(res.text().await.unwrap().contains("inget giltigt personnummer"));
}

/// A client registered at the certified provider (OpenID Dynamic Client Registration) for an
/// app at `base`: (client_id, client_secret).
pub async fn register_client(base: &str) -> (String, String) {
    let res = reqwest::Client::new()
        .post(format!("{}/reg", providers().certified))
        .json(&json!({
            "redirect_uris": [format!("{base}/signin/oidc/callback"), format!("{base}/mina-sidor/callback")],
            "post_logout_redirect_uris": [format!("{base}/")],
            "token_endpoint_auth_method": "client_secret_basic",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201, "the provider registers the client");
    let body: Value = res.json().await.unwrap();
    (body["client_id"].as_str().unwrap().to_string(), body["client_secret"].as_str().unwrap().to_string())
}
