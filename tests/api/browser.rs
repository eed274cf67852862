//! End to end in a real browser: headless Chromium driven through chromedriver (WebDriver).
//! Screenshots of every page go to `screenshots/` (ignored by git) for a person to look at.
//!
//! Without chromedriver these tests say so and pass, unless `PLATSA_REQUIRE_BROWSER=1`
//! (set by `.ci/run` once it has installed Debian's chromium and chromium-driver).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::helpers::*;

struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn find(env: &str, candidates: &[&str]) -> Option<String> {
    if let Ok(p) = std::env::var(env) {
        return Some(p);
    }
    candidates.iter().find(|c| std::path::Path::new(c).exists()).map(|c| c.to_string())
}

impl Browser {
    /// A headless Chromium with a window of this size, or `None` when none is installed.
    async fn start(width: u32, height: u32) -> Option<Browser> {
        let driver_path = find("PLATSA_CHROMEDRIVER", &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
        let chromium = find("PLATSA_CHROMIUM", &["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
        let (Some(driver_path), Some(chromium)) = (driver_path, chromium) else {
            assert!(
                std::env::var("PLATSA_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "PLATSA_REQUIRE_BROWSER=1 but chromium/chromedriver are not installed"
            );
            eprintln!("browser test skipped: chromium and chromedriver are not installed");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         format!("--window-size={width},{height}"),
                         format!("--user-data-dir={}", profile.path().display())],
            }
        });
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..100 {
            match ClientBuilder::native().capabilities(caps.as_object().unwrap().clone()).connect(&url).await {
                Ok(client) => return Some(Browser { client, driver, _profile: profile }),
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not start a browser session: {last:?}");
    }

    async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{}-{name}.png", backend())), png).unwrap();
    }

    /// The element's text once it is there and satisfies `ok`; polls, since after a click
    /// the old page may still be showing (its elements then go stale).
    async fn text_where(&self, css: &str, ok: impl Fn(&str) -> bool) -> String {
        let mut last = String::new();
        for _ in 0..100 {
            if let Ok(e) = self.client.find(Locator::Css(css)).await
                && let Ok(t) = e.text().await
            {
                if ok(&t) {
                    return t;
                }
                last = t;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css}: never as expected; last text: {last}");
    }

    async fn text(&self, css: &str) -> String {
        self.text_where(css, |_| true).await
    }

    /// An attribute of the element (waits for it, as `text` does).
    async fn attribute(&self, css: &str, name: &str) -> String {
        self.text(css).await;
        let element = self.client.find(Locator::Css(css)).await.unwrap();
        element.attr(name).await.unwrap().unwrap_or_else(|| panic!("{css} has no {name}"))
    }

    async fn sign_in(&self, app: &TestApp, token: &str) {
        self.client.goto(&app.url("/")).await.unwrap();
        self.client.find(Locator::Css("#token")).await.unwrap().send_keys(token).await.unwrap();
        self.client.find(Locator::Css("form[action='/signin'] button")).await.unwrap().click().await.unwrap();
        self.text_where("main h1", |t| t.starts_with("Hej")).await;
    }

    /// Picks the card's next step on the board and submits its form.
    async fn move_first_card(&self, to: &str) {
        let form = self.client.wait().for_element(Locator::Css("article.card form.move")).await.unwrap();
        form.find(Locator::Css("select[name=to]")).await.unwrap().select_by_value(to).await.unwrap();
        if to == "ended" {
            form.find(Locator::Css("select[name=outcome]")).await.unwrap().select_by_value("employment").await.unwrap();
        }
        form.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
        self.text_where(".notice.ok", |t| t.contains("flyttad")).await;
    }

    async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A test that fails half-way must not leave its chromedriver (and browser) behind: they
/// would hold the test run's output open and keep running after it.
impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

async fn report_figure(b: &Browser, app: &TestApp, id: &str) -> String {
    b.client.goto(&app.url("/reports/monthly")).await.unwrap();
    b.text(&format!("#{id} .big")).await
}

#[tokio::test]
async fn a_broker_proposes_a_candidate_and_follows_it_to_the_report() {
    let Some(b) = Browser::start(1400, 1000).await else { return };
    let app = spawn_app().await;
    let (broker, broker_id) = app.token("broker", "Britt Jobbmäklare", None).await;
    let mut amira = String::new();
    let employer = app.employer("Omsorgshuset Skåne AB", "556036-0793", false).await;
    let mut body = opening_body();
    body["employer_id"] = employer.into();
    let opening: Value = app.post_json("/api/v1/openings", &broker, &body).await.json().await.unwrap();
    let opening = opening["id"].as_str().unwrap().to_string();
    // The exact occupation with every must-have, and a cleaner who lacks them.
    for (i, (first, last, occupation, skills)) in [
        ("Amira", "Hassan", "5321", json!(["Personlig omvårdnad", "Kassavana"])),
        ("Erik", "Lind", "9111", json!(["Lokalvård"])),
    ]
    .into_iter()
    .enumerate()
    {
        let mut s = seeker_body(&pnr("19880808", 300 + i as u32));
        s["first_name"] = first.into();
        s["last_name"] = last.into();
        s["occupations"] = json!([occupation]);
        s["skills"] = skills;
        s["broker_id"] = broker_id.clone().into();
        let res = app.post_json("/api/v1/seekers", &broker, &s).await;
        assert_eq!(res.status(), 201);
        if i == 0 {
            amira = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
        }
    }
    search_until(&app, &format!("/api/v1/openings/{opening}/candidates"), &broker, 2).await;
    // Amira agreed by phone to be presented for the opening.
    consent_given(&app, &broker, &opening, &amira).await;

    b.sign_in(&app, &broker).await;
    assert!(b.text("#waiting").await.contains("Amira Hassan"));
    b.screenshot("start").await;
    assert_eq!(report_figure(&b, &app, "started").await, "0");
    assert_eq!(report_figure(&b, &app, "exits").await, "0");

    b.client.goto(&app.url(&format!("/openings/{opening}"))).await.unwrap();
    let first = b.text("li.candidate").await;
    assert!(first.contains("Amira Hassan") && first.contains("Samma yrke"), "{first}");
    assert!(first.contains("✓ Personlig omvårdnad"), "matched must-haves are named: {first}");
    let candidates = b.client.find_all(Locator::Css("li.candidate")).await.unwrap();
    assert_eq!(candidates.len(), 2);
    assert!(candidates[1].text().await.unwrap().contains("✗ Personlig omvårdnad"), "missing must-haves are named");
    b.screenshot("opening").await;
    b.client.find(Locator::Css("li.candidate form.propose button")).await.unwrap().click().await.unwrap();
    b.text_where(".notice.ok", |t| t.contains("Förslaget är registrerat")).await;
    assert!(b.text("section.pipeline").await.contains("Amira Hassan"));

    b.client.goto(&app.url("/placements")).await.unwrap();
    assert!(b.text(".column[data-status=proposed]").await.contains("Amira Hassan"));
    b.move_first_card("presented").await;
    b.move_first_card("offered").await;
    b.screenshot("placements").await;
    // A drop on a column that is no step from here (the board's drag and drop calls this):
    // the server refuses with a readable message.
    b.client.execute("moveCard(document.querySelector('article.card form.move'), 'proposed')", vec![]).await.unwrap();
    let refused = b.text_where(".notice.error", |t| t.contains("Det går inte")).await;
    assert!(refused.contains("Det går inte att flytta") && refused.contains("Påbörjad"), "{refused}");
    b.screenshot("placements-refused").await;
    b.move_first_card("started").await;
    assert!(b.text(".column[data-status=started]").await.contains("Amira Hassan"));

    assert_eq!(report_figure(&b, &app, "started").await, "1");
    b.client.goto(&app.url("/placements")).await.unwrap();
    b.move_first_card("ended").await;
    assert_eq!(report_figure(&b, &app, "exits").await, "1");
    b.screenshot("report").await;

    // The seeker's page: the profile and the placement's whole history.
    b.client.goto(&app.url(&format!("/seekers/{amira}"))).await.unwrap();
    let timeline = b.text("#timeline").await;
    for step in ["Föreslagen", "Presenterad", "Erbjuden", "Påbörjad", "Avslutad"] {
        assert!(timeline.contains(step), "{step} in {timeline}");
    }
    b.screenshot("seeker").await;
    b.close().await;
}

#[tokio::test]
async fn an_applicant_books_a_meeting_on_a_phone() {
    let Some(b) = Browser::start(390, 844).await else { return };
    let app = spawn_app().await;
    let hours = json!({"mon": [["08:30", "12:00"]], "tue": [["08:30", "12:00"], ["13:00", "16:00"]], "wed": [["08:30", "12:00"]]});
    for name in ["Olle Sekreterare", "Lina Sekreterare"] {
        let res = app
            .post_json(
                "/api/v1/officers",
                &app.admin_token,
                &json!({"name": name, "unit": "Jobbcenter Trelleborg", "weekly_hours": hours}),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    b.client.goto(&app.url("/apply")).await.unwrap();
    b.screenshot("apply").await;
    // A wrong personnummer is named at its field; what was typed stays.
    let fill = |id: &'static str, v: String| {
        let c = b.client.clone();
        async move {
            let e = c.find(Locator::Id(id)).await.unwrap();
            e.clear().await.unwrap();
            e.send_keys(&v).await.unwrap();
        }
    };
    fill("personnummer", "198503121234".into()).await;
    fill("first_name", "Samira".into()).await;
    fill("last_name", "Ali".into()).await;
    fill("phone", "070-765 43 21".into()).await;
    b.client.find(Locator::Css("form[action='/apply'] button")).await.unwrap().click().await.unwrap();
    b.text_where(".field small.error", |t| !t.is_empty()).await;
    assert_eq!(
        b.client.find(Locator::Id("first_name")).await.unwrap().prop("value").await.unwrap().as_deref(),
        Some("Samira")
    );
    fill("personnummer", pnr("19850312", 7)).await;
    b.client.find(Locator::Css("form[action='/apply'] button")).await.unwrap().click().await.unwrap();

    // Three slots on the next working day (the clock says Monday 23 November 2026).
    b.text_where("main h1", |t| t == "Välj en tid").await;
    let slots = b.client.find_all(Locator::Css("label.slot")).await.unwrap();
    assert_eq!(slots.len(), 3);
    for s in &slots {
        assert!(s.text().await.unwrap().starts_with("tisdag 24 november"), "{}", s.text().await.unwrap());
    }
    b.screenshot("apply-slots").await;

    // Someone else takes the first slot a moment earlier: a clear message and fresh offers.
    let first = b.client.find(Locator::Css("label.slot input")).await.unwrap().attr("value").await.unwrap().unwrap();
    let other: Value = app
        .client
        .post(app.url("/api/v1/applications"))
        .json(
            &json!({"personnummer": pnr("19700101", 9), "first_name": "Per", "last_name": "Ek", "phone": "0701234567"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = app
        .client
        .post(app.url(&format!("/api/v1/applications/{}/booking", other["id"].as_str().unwrap())))
        .json(&json!({"token": other["booking_token"], "slot_id": first}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    b.client.find(Locator::Css("form.slots button")).await.unwrap().click().await.unwrap();
    b.text_where(".notice.error", |t| t.contains("hann någon annan boka")).await;
    let fresh: Vec<String> = {
        let mut v = Vec::new();
        for e in b.client.find_all(Locator::Css("label.slot input")).await.unwrap() {
            v.push(e.attr("value").await.unwrap().unwrap());
        }
        v
    };
    assert!(!fresh.is_empty() && !fresh.contains(&first));
    b.screenshot("apply-taken").await;

    b.client.find(Locator::Css("form.slots button")).await.unwrap().click().await.unwrap();
    b.text_where("main h1", |t| t == "Ditt möte är bokat").await;
    assert!(b.text("main").await.contains("tisdag 24 november"));
    b.screenshot("apply-booked").await;
    let ics = b.client.find(Locator::Css("a[download]")).await.unwrap().attr("href").await.unwrap().unwrap();
    let text = app.client.get(app.url(&ics)).send().await.unwrap().text().await.unwrap();
    let cal: icalendar::Calendar = text.parse().expect("the .ics parses");
    assert_eq!(cal.components.len(), 1);
    assert!(text.contains("DTSTART:20261124T"), "UTC start on the 24th: {text}");
    b.close().await;
}

/// A profile that is only text (issue 36): the broker sees what was read, with the words
/// that gave it, on a phone, and "Stämmer" makes it the registered profile.
#[tokio::test]
async fn a_broker_confirms_what_was_read_from_a_summary_on_a_phone() {
    let Some(b) = Browser::start(390, 844).await else { return };
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let mut s = seeker_body(&pnr("19900101", 78));
    s["occupations"] = json!([]);
    s["skills"] = json!([]);
    s["driving_licences"] = json!([]);
    s["summary"] = "Jobbat som servitor i 5 år, kan kassa och bordsservering. Har B-kort. \
                    Har aldrig jobbat som kock."
        .into();
    let seeker: Value = app.post_json("/api/v1/seekers", &broker, &s).await.json().await.unwrap();
    let id = seeker["id"].as_str().unwrap().to_string();
    b.sign_in(&app, &broker).await;
    b.client.goto(&app.url(&format!("/seekers/{id}"))).await.unwrap();
    let read = b.text("#utlast").await;
    for words in [
        "Hovmästare och servitörer",
        "har erfarenhet",
        "5 år",
        "servitor",
        "Kassavana",
        "Bordsservering",
        "Körkort: B",
        "Söker inte: Kockar",
    ] {
        assert!(read.contains(words), "{words} in {read}");
    }
    b.accessible_on_a_phone("utlast-ur-texten").await;
    b.click("#utlast form button").await;
    b.text_where("main h1", |t| t.contains("Amira")).await;
    let stored: Value = app.get(&format!("/api/v1/seekers/{id}"), &broker).await.json().await.unwrap();
    assert_eq!(stored["occupations"], json!(["5131"]));
    assert_eq!(stored["driving_licences"], json!(["B"]));
    let skills: Vec<&str> = stored["skills"].as_array().unwrap().iter().map(|k| k["label"].as_str().unwrap()).collect();
    assert!(skills.contains(&"Kassavana") && skills.contains(&"Bordsservering"), "{skills:?}");
    // Nothing more to add: no "Stämmer" (and no section, the profile being coded now).
    assert!(b.client.find_all(Locator::Css("#utlast form")).await.unwrap().is_empty());
    b.close().await;
}

#[tokio::test]
async fn a_script_in_a_summary_is_shown_as_text() {
    let Some(b) = Browser::start(1280, 900).await else { return };
    let app = spawn_app().await;
    let mut s = seeker_body(&pnr("19900101", 77));
    s["summary"] =
        "<script>document.title='XSS'</script><img src=x onerror=\"document.title='XSS'\">Lagerarbete".into();
    let seeker: Value = app.post_json("/api/v1/seekers", &app.admin_token, &s).await.json().await.unwrap();
    b.sign_in(&app, &app.admin_token).await;
    b.client.goto(&app.url(&format!("/seekers/{}", seeker["id"].as_str().unwrap()))).await.unwrap();
    let summary = b.text("p.summary").await;
    assert!(summary.starts_with("<script>document.title='XSS'</script><img"), "{summary}");
    assert_ne!(b.client.title().await.unwrap(), "XSS");
    assert!(b.client.find_all(Locator::Css("main img")).await.unwrap().is_empty());
    b.screenshot("seeker-xss").await;
    b.close().await;
}

impl Browser {
    async fn fill(&self, css: &str, value: &str) {
        let e = self.client.find(Locator::Css(css)).await.unwrap();
        e.clear().await.unwrap();
        e.send_keys(value).await.unwrap();
    }

    /// Types into a picker and takes the first suggestion the typeahead offers.
    async fn pick(&self, css: &str, typed: &str, expect: &str) -> String {
        self.fill(css, typed).await;
        let first = format!("{css} + ul.suggestions li:first-child button");
        let text = self.text_where(&first, |t| t.contains(expect)).await;
        self.client.find(Locator::Css(&first)).await.unwrap().click().await.unwrap();
        text
    }

    async fn click(&self, css: &str) {
        self.client.wait().for_element(Locator::Css(css)).await.unwrap().click().await.unwrap();
    }

    /// Picks the option with this value in a select.
    async fn select(&self, css: &str, value: &str) {
        self.client.find(Locator::Css(css)).await.unwrap().select_by_value(value).await.unwrap();
    }

    async fn value(&self, css: &str) -> String {
        self.client.find(Locator::Css(css)).await.unwrap().prop("value").await.unwrap().unwrap_or_default()
    }
}

async fn audited_actions(app: &TestApp, seeker: &str) -> Vec<String> {
    let audit: Value =
        app.get(&format!("/api/v1/audit?seeker_id={seeker}&limit=500"), &app.admin_token).await.json().await.unwrap();
    audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_string()).collect()
}

/// Acceptance 1 of the broker's day: find by a misspelt surname and by a 10-digit
/// personnummer, register with the pickers, edit, a stale save refused with both versions,
/// a journal entry whose next contact shows under "Att göra" that day; every read audited.
#[tokio::test]
async fn a_broker_finds_registers_edits_and_plans_the_next_contact() {
    let Some(b) = Browser::start(1280, 1000).await else { return };
    let app = spawn_app().await;
    let (broker, broker_id) = app.token("broker", "Britt Mäklare", None).await;
    let (colleague, _) = app.token("broker", "Kalle Kollega", None).await;
    let ingrid = pnr("19811228", 987);
    let mut body = seeker_body(&ingrid);
    body["first_name"] = "Ingrid".into();
    body["last_name"] = "Jensen".into();
    let res = app.post_json("/api/v1/seekers", &broker, &body).await;
    assert_eq!(res.status(), 201);
    index_caught_up(&app.state).await;
    b.sign_in(&app, &broker).await;

    // One search box: a typo in the surname, then the personnummer with 10 digits.
    for q in ["Jenssen", &format!("{}-{}", &ingrid[2..8], &ingrid[8..])] {
        b.client.goto(&app.url("/seekers")).await.unwrap();
        b.fill("input[name=q]", q).await;
        b.click("form.filters button[type=submit], form.search button[type=submit]").await;
        b.text_where("table.results tbody", |t| t.contains("Ingrid Jensen")).await;
    }

    // Register a new seeker with the pickers.
    b.client.goto(&app.url("/seekers/new")).await.unwrap();
    b.fill("#personnummer", &pnr("19900101", 123)).await;
    b.fill("#first_name", "Åke").await;
    b.fill("#last_name", "Åstrand").await;
    b.fill("#phone", "070-555 12 12").await;
    b.pick("#municipality", "trelleborg", "Trelleborg").await;
    let occupation = b.pick("#occupation-0", "underskoterka", "Undersköterskor").await;
    b.pick("#skill-0", "truckkor", "ruck").await;
    b.fill("#skill-1", "Tålamod med kunder i kassan").await;
    b.pick("#language-0", "arab", "Arabiska").await;
    b.select("#broker_id", &broker_id).await;
    b.screenshot("seeker-new").await;
    b.click("form.profile button[type=submit]").await;
    b.text_where(".notice.ok", |t| t.contains("Profilen är sparad")).await;
    let facts = b.text("dl.facts").await;
    let occupation_name = occupation.split(" (").next().unwrap().to_string();
    assert!(facts.contains("Tålamod med kunder i kassan"), "free text kept: {facts}");
    assert!(facts.contains("Arabiska"), "{facts}");
    let url = b.client.current_url().await.unwrap();
    let id = url.path().trim_start_matches("/seekers/").to_string();
    let stored: Value = app.get(&format!("/api/v1/seekers/{id}"), &broker).await.json().await.unwrap();
    assert_eq!(stored["municipality_code"], "1287");
    assert_eq!(stored["broker_id"], broker_id.as_str());
    assert_eq!(stored["languages"][0]["code"], "ar");
    assert!(stored["skills"][0]["id"].is_string(), "a picked skill is a concept: {stored}");
    assert!(stored["skills"][1]["id"].is_null(), "a free-text skill stays as written");
    assert!(!occupation_name.is_empty());

    // Edit; meanwhile a colleague saves a new phone first. The broker never touched the
    // phone: the save merges, keeping the colleague's number and the broker's text.
    b.click("a.button[href$='/edit']").await;
    b.text_where("main h1", |t| t.starts_with("Redigera")).await;
    assert!(b.value("#occupation-0").await.ends_with(&format!("({})", stored["occupations"][0].as_str().unwrap())));
    let res = app.patch_json(&format!("/api/v1/seekers/{id}"), &colleague, &json!({"phone": "0701234567"})).await;
    assert_eq!(res.status(), 200);
    b.fill("#summary", "Vill arbeta inom hemtjänsten.").await;
    b.click("form.profile button[type=submit]").await;
    b.text_where(".notice.ok", |t| t.contains("deras ändringar av andra uppgifter finns kvar")).await;
    let kept: Value = app.get(&format!("/api/v1/seekers/{id}"), &broker).await.json().await.unwrap();
    assert_eq!(kept["phone"], "0701234567", "the colleague's phone is not written back");
    assert_eq!(kept["summary"], "Vill arbeta inom hemtjänsten.");

    // Both change the text: side by side, for a choice; the rest is merged.
    b.click("a.button[href$='/edit']").await;
    b.text_where("main h1", |t| t.starts_with("Redigera")).await;
    let res = app
        .patch_json(
            &format!("/api/v1/seekers/{id}"),
            &colleague,
            &json!({"summary": "Vill arbeta i butik.", "max_commute_km": 40}),
        )
        .await;
    assert_eq!(res.status(), 200);
    b.fill("#summary", "Vill arbeta inom hemtjänsten, gärna nätter.").await;
    b.fill("#email", "ake.astrand@example.se").await;
    b.click("form.profile button[type=submit]").await;
    let stale = b.text_where(".stale", |t| t.contains("Någon annan sparade")).await;
    assert!(stale.contains("Vill arbeta i butik.") && stale.contains("gärna nätter"), "{stale}");
    assert!(!stale.contains("Pendlar") && !stale.contains("E-post"), "only what both changed: {stale}");
    assert_eq!(b.value("#max_commute_km").await, "40", "the colleague's distance merged in");
    assert_eq!(b.value("#email").await, "ake.astrand@example.se", "the broker's address kept");
    b.screenshot("seeker-stale").await;
    b.accessible_on_a_phone("seeker-stale").await;
    let kept: Value = app.get(&format!("/api/v1/seekers/{id}"), &broker).await.json().await.unwrap();
    assert_eq!(kept["summary"], "Vill arbeta i butik.", "nothing overwritten before the choice");
    // The broker takes the colleague's text.
    b.click("input[name='choose.summary'][value=theirs]").await;
    b.click("form.profile button[type=submit]").await;
    b.text_where(".notice.ok", |t| t.contains("Profilen är sparad")).await;
    assert!(b.text("p.summary").await.contains("Vill arbeta i butik."));
    let kept: Value = app.get(&format!("/api/v1/seekers/{id}"), &broker).await.json().await.unwrap();
    assert_eq!((kept["email"].as_str(), kept["max_commute_km"].as_u64()), (Some("ake.astrand@example.se"), Some(40)));

    // A journal entry with the next contact today (the clock says Monday 23 November).
    b.select("form.journal select[name=kind]", "call").await;
    b.fill("form.journal textarea[name=text]", "Ringde om truckkortet.").await;
    let date = b.client.find(Locator::Css("form.journal input[name=next_contact_on]")).await.unwrap();
    b.client.execute("arguments[0].value = '2026-11-23';", vec![serde_json::to_value(&date).unwrap()]).await.unwrap();
    b.click("form.journal button[type=submit]").await;
    b.text_where(".notice.ok", |t| t.contains("Sparat i journalen")).await;
    b.client.goto(&app.url("/")).await.unwrap();
    b.text_where("#todo", |t| t.contains("Åke Åstrand")).await;
    b.screenshot("start-todo").await;

    // Every read of the person on these pages is in the audit log.
    let actions = audited_actions(&app, &id).await;
    for action in ["GET /seekers/{id}/edit", "POST /seekers/{id}/edit", "GET /seekers/{id}", "GET /"] {
        assert!(actions.iter().any(|a| a == action), "{action} not audited: {actions:?}");
    }
    b.close().await;
}

/// Acceptance 2: the applicant on a phone sees where, applies again and lands on the
/// booking, moves it, cancels, books again; the next day the officer sees the situation,
/// confirms identity, marks the meeting held and registers a profile that gets openings.
#[tokio::test]
async fn an_applicant_rebooks_on_a_phone_and_the_officer_takes_over() {
    let Some(b) = Browser::start(390, 844).await else { return };
    let app = spawn_app().await;
    let (officer_token, officer_user) = app.token("officer", "Olle Svensson", None).await;
    let hours = json!({"mon": [["08:30", "12:00"]], "tue": [["08:30", "12:00"]], "wed": [["08:30", "12:00"]]});
    let officer = json!({"name": "Olle Svensson", "unit": "Jobbcenter Trelleborg", "address": "Algatan 13, 231 20 Trelleborg",
                         "weekly_hours": hours, "user_id": officer_user});
    assert_eq!(app.post_json("/api/v1/officers", &app.admin_token, &officer).await.status(), 201);
    let employer = app.employer("Omsorgen AB", "5560000001", false).await;
    let mut opening = opening_body();
    opening["employer_id"] = employer.into();
    let res = app.post_json("/api/v1/openings", &app.admin_token, &opening).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());

    let samira = pnr("19850312", 7);
    let apply = |personnummer: String| {
        let b = &b;
        let app = &app;
        async move {
            b.client.goto(&app.url("/apply")).await.unwrap();
            b.fill("#personnummer", &personnummer).await;
            b.fill("#first_name", "Samira").await;
            b.fill("#last_name", "Ali").await;
            b.fill("#phone", "070-765 43 21").await;
            b.fill("#situation", "Har förlorat jobbet på lagret och behöver stöd.").await;
            b.click("form[action='/apply'] button").await;
        }
    };
    apply(samira.clone()).await;
    b.text_where("main h1", |t| t == "Välj en tid").await;
    let slot = b.text("label.slot").await;
    assert!(slot.contains("Jobbcenter Trelleborg, Algatan 13, 231 20 Trelleborg"), "{slot}");
    b.click("form.slots button").await;
    b.text_where("main h1", |t| t == "Ditt möte är bokat").await;
    assert!(b.text(".address").await.contains("Algatan 13"));
    b.screenshot("apply-address").await;
    // Back goes to the booked meeting, never to "Confirm Form Resubmission".
    b.client.back().await.unwrap();
    b.text_where("main h1", |t| t == "Ditt möte är bokat").await;

    // Applying again (10 digits) lands on the meeting already booked.
    apply(format!("{}-{}", &samira[2..8], &samira[8..])).await;
    b.text_where(".notice", |t| t.contains("redan en bokad tid")).await;
    let before = b.text("p.big").await;
    // "Byt tid" and Back: the confirmation again, never a resubmission warning.
    b.click("a[href$='/ny-tid']").await;
    b.text_where("main h1", |t| t == "Välj en ny tid").await;
    b.client.back().await.unwrap();
    b.text_where("main h1", |t| t == "Ditt möte är bokat").await;
    b.click("a[href$='/ny-tid']").await;
    b.text_where("main h1", |t| t == "Välj en ny tid").await;
    let radios = b.client.find_all(Locator::Css("label.slot input")).await.unwrap();
    radios.last().unwrap().click().await.unwrap();
    b.click("form.slots button").await;
    b.text_where(".notice", |t| t.contains("Din tid är ändrad")).await;
    assert_ne!(b.text("p.big").await, before, "moved");
    // "Avboka" asks first, on a page of its own; "Nej" keeps the meeting.
    b.click("a[href$='/avboka']").await;
    b.text_where("main h1", |t| t == "Är du säker?").await;
    b.accessible_on_a_phone("apply-cancel-question").await;
    b.click("a[href^='/apply/booked/']").await;
    b.text_where("main h1", |t| t == "Ditt möte är bokat").await;
    b.click("a[href$='/avboka']").await;
    b.click("form[action$='/avboka'] button").await;
    b.text_where(".notice", |t| t.contains("Din tid är avbokad")).await;
    b.click("a[href$='/ny-tid']").await;
    b.text_where("main h1", |t| t == "Välj en tid").await;
    b.click("form.slots button").await;
    b.text_where("main h1", |t| t == "Ditt möte är bokat").await;
    b.screenshot("apply-rebooked").await;

    // Tuesday: the officer's agenda.
    let tuesday = app.at_clock("2026-11-24T12:30:00+01:00").await;
    index_caught_up(&tuesday.state).await;
    b.client.set_window_size(1280, 1000).await.unwrap();
    b.sign_in(&tuesday, &officer_token).await;
    b.client.goto(&tuesday.url("/agenda")).await.unwrap();
    let meeting = b.text_where("li.meeting", |t| t.contains("Samira Ali")).await;
    assert!(meeting.contains("Har förlorat jobbet på lagret"), "{meeting}");
    b.screenshot("agenda").await;
    b.click("li.meeting form.mark button[value=held]").await;
    b.text_where(".notice.ok", |t| t.contains("markerat")).await;
    b.click("li.meeting form.identity button").await;
    b.text_where(".notice.ok", |t| t.contains("Identiteten är bekräftad")).await;
    assert_eq!(b.value("#first_name").await, "Samira");
    b.pick("#occupation-0", "underskoterska hemtjanst", "Undersköterskor, hemtjänst").await;
    b.pick("#skill-0", "personlig omvardnad", "omvårdnad").await;
    b.pick("#language-0", "svenska", "Svenska").await;
    b.client.find(Locator::Css("input[name=driving_licence][value=B]")).await.unwrap().click().await.unwrap();
    b.click("form.profile button[type=submit]").await;
    b.text_where(".notice.ok", |t| t.contains("Profilen är sparad")).await;
    let id = b.client.current_url().await.unwrap().path().trim_start_matches("/seekers/").to_string();
    index_caught_up(&tuesday.state).await;
    b.client.goto(&tuesday.url(&format!("/seekers/{id}"))).await.unwrap();
    b.text_where("#matches", |t| t.contains("Undersköterska till hemtjänsten")).await;
    b.screenshot("registered-matches").await;
    let stored: Value = tuesday.get(&format!("/api/v1/seekers/{id}"), &tuesday.admin_token).await.json().await.unwrap();
    assert_eq!(stored["phone"], "0707654321");
    assert_eq!(stored["unit"], "Jobbcenter Trelleborg");
    let actions = audited_actions(&tuesday, &id).await;
    assert!(actions.iter().any(|a| a == "POST /agenda/{application}/identity"), "{actions:?}");
    b.close().await;
}

/// Acceptance 3 of the employers issue: a manager sets a unit's target on the report page and
/// reads its progress; the page fits a phone (no horizontal scroll at 390 px).
#[tokio::test]
async fn a_manager_sets_a_target_on_a_phone() {
    let Some(b) = Browser::start(390, 844).await else { return };
    let app = spawn_app().await;
    let (manager, _) = app.token("manager", "Maja Enhetschef", None).await;
    b.sign_in(&app, &manager).await;
    b.client.goto(&app.url("/reports/monthly")).await.unwrap();
    let form = "form.target:has(input[name=unit][value='Jobbcenter Trelleborg'])";
    b.fill(&format!("{form} input[name=exits_to_work_or_studies]"), "12").await;
    b.fill(&format!("{form} input[name=note]"), "Enligt verksamhetsplanen").await;
    b.click(&format!("{form} button")).await;
    b.text_where(".notice.ok", |t| t.contains("Målet är sparat")).await;
    let card =
        b.text_where("article.unit-target", |t| t.contains("Jobbcenter Trelleborg") && t.contains("av 12")).await;
    assert!(card.contains("0 av 12 (0 %) · 12 kvar"), "{card}");
    assert!(card.contains("arbetsdagar kvar"), "the running month shows its pace: {card}");
    assert!(b.text(".changes").await.contains("Maja Enhetschef"), "the change is kept with who made it");
    let (scroll, inner) = (
        b.client.execute("return document.documentElement.scrollWidth", vec![]).await.unwrap(),
        b.client.execute("return window.innerWidth", vec![]).await.unwrap(),
    );
    assert!(scroll.as_i64().unwrap() <= inner.as_i64().unwrap(), "no horizontal scroll: {scroll} > {inner}");
    b.screenshot("report-phone").await;
    // Through the API the same target reads back.
    let report: Value =
        app.get("/api/v1/reports/monthly?unit=Jobbcenter%20Trelleborg", &manager).await.json().await.unwrap();
    assert_eq!(report["units"][0]["target"], 12);
    b.close().await;
}

/// Acceptance 1 of the employers issue: two people shortlisted; one says yes on the phone,
/// the other is asked through a link; only the first can be presented (the second is refused
/// in Swedish); the employer sees exactly that person and answers "suitable", which the
/// broker sees on the board.
#[tokio::test]
async fn only_the_person_who_consented_is_presented_and_the_employer_answers() {
    let Some(b) = Browser::start(1400, 1000).await else { return };
    let app = spawn_app().await;
    let (broker, broker_id) = app.token("broker", "Britt Jobbmäklare", None).await;
    let employer_id = app.employer("Omsorgshuset Skåne AB", "556036-0793", false).await;
    let (employer, _) = app.token("employer", "Omsorgshuset", Some(&employer_id)).await;
    let contact = json!({"name": "Eva Ek", "role": "Enhetschef", "phone": "040-123 45 67"});
    assert_eq!(
        app.post_json(&format!("/api/v1/employers/{employer_id}/contacts"), &broker, &contact).await.status(),
        201
    );
    let opening: Value = app.post_json("/api/v1/openings", &employer, &opening_body()).await.json().await.unwrap();
    let opening = opening["id"].as_str().unwrap().to_string();
    for (i, first) in ["Anna", "Bo"].iter().enumerate() {
        let mut s = seeker_body(&pnr("19880808", 300 + i as u32));
        s["first_name"] = (*first).into();
        s["last_name"] = "Lind".into();
        s["phone"] = "0701112233".into();
        s["skills"] = json!(["Personlig omvårdnad", "Kassavana"]);
        s["broker_id"] = broker_id.clone().into();
        assert_eq!(app.post_json("/api/v1/seekers", &broker, &s).await.status(), 201);
    }
    search_until(&app, &format!("/api/v1/openings/{opening}/candidates"), &broker, 2).await;

    b.sign_in(&app, &broker).await;
    b.client.goto(&app.url(&format!("/openings/{opening}"))).await.unwrap();
    assert!(b.text("p.employer").await.contains("Eva Ek"), "the opening names whom to present to");
    for who in ["Anna Lind", "Bo Lind"] {
        let mut clicked = false;
        for l in b.client.find_all(Locator::Css("li.candidate")).await.unwrap() {
            if l.text().await.unwrap().contains(who) {
                l.find(Locator::Css("form.shortlist button")).await.unwrap().click().await.unwrap();
                clicked = true;
                break;
            }
        }
        assert!(clicked, "{who} is among the candidates");
        // The page after this click, not the one the first click left (same notice): wait
        // for this person on the shortlist.
        b.text_where("#shortlist", |t| t.contains(who)).await;
        b.text_where(".notice.ok", |t| t.contains("Kortlistan är uppdaterad")).await;
    }
    let entry = |who: &'static str| {
        let b = &b;
        async move {
            b.text_where("#shortlist", |t| t.contains(who)).await;
            for l in b.client.find_all(Locator::Css("#shortlist li.entry")).await.unwrap() {
                if l.text().await.unwrap().contains(who) {
                    return l;
                }
            }
            panic!("{who} is not on the shortlist");
        }
    };
    // Anna said yes on the phone.
    let anna = entry("Anna Lind").await;
    anna.find(Locator::Css("summary")).await.unwrap().click().await.unwrap();
    let form = anna.find(Locator::Css("form.consent")).await.unwrap();
    form.find(Locator::Css("select[name=state]")).await.unwrap().select_by_value("given").await.unwrap();
    form.find(Locator::Css("select[name=how]")).await.unwrap().select_by_value("phone").await.unwrap();
    form.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
    b.text_where("#shortlist", |t| t.contains("samtycke givet")).await;
    // Bo is asked through a link.
    let bo = entry("Bo Lind").await;
    bo.find(Locator::Css("summary")).await.unwrap().click().await.unwrap();
    assert!(b.text("#shortlist .no-gateway").await.contains("Ingen sms-tjänst"), "said before the click");
    bo.find(Locator::Css("form.request button")).await.unwrap().click().await.unwrap();
    b.text_where("#shortlist", |t| t.contains("samtycke begärt")).await;
    // No gateway here: the broker is told at once, and the shortlist says the request waits.
    b.text_where(".notice", |t| t.contains("kan inte skickas")).await;
    b.text_where("#shortlist", |t| t.contains("Förfrågan: Skickas inte – ingen tjänst för utskick är inställd")).await;
    b.screenshot("shortlist").await;

    // Both are proposed; on the board only Anna can be presented.
    for proposed in 1..=2u64 {
        b.client.find(Locator::Css("li.candidate form.propose button")).await.unwrap().click().await.unwrap();
        b.text_where(".notice.ok", |t| t.contains("Förslaget är registrerat")).await;
        // The second notice reads like the first: wait for the server to hold the proposal.
        let started = std::time::Instant::now();
        loop {
            let list: Value =
                app.get(&format!("/api/v1/placements?opening_id={opening}"), &broker).await.json().await.unwrap();
            if list["total"].as_u64() == Some(proposed) {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "proposal {proposed} never arrived: {list}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    b.client.goto(&app.url("/placements")).await.unwrap();
    let move_card = |who: &'static str| {
        let b = &b;
        async move {
            for card in b.client.find_all(Locator::Css("article.card")).await.unwrap() {
                if card.text().await.unwrap().contains(who) {
                    let form = card.find(Locator::Css("form.move")).await.unwrap();
                    form.find(Locator::Css("select[name=to]"))
                        .await
                        .unwrap()
                        .select_by_value("presented")
                        .await
                        .unwrap();
                    form.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
                    return;
                }
            }
            panic!("no card for {who}");
        }
    };
    move_card("Bo Lind").await;
    let refused = b.text_where(".notice.error", |t| t.contains("samtycke")).await;
    assert!(refused.contains("utan sitt samtycke"), "{refused}");
    move_card("Anna Lind").await;
    b.text_where(".notice.ok", |t| t.contains("flyttad")).await;

    // The employer sees exactly Anna, and answers.
    let url = format!("/api/v1/openings/{opening}/candidates/presented");
    let seen: Value = app.get(&url, &employer).await.json().await.unwrap();
    assert_eq!(seen["total"], 1);
    assert_eq!(seen["items"][0]["first_name"], "Anna");
    let placement = seen["items"][0]["placement_id"].as_str().unwrap();
    let res = app
        .post_json(
            &format!("{url}/{placement}/feedback"),
            &employer,
            &json!({"answer": "suitable", "note": "Vill träffa henne"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    b.client.goto(&app.url("/placements")).await.unwrap();
    let card = b.text_where("article.card .feedback", |t| t.contains("lämplig")).await;
    assert!(card.contains("Vill träffa henne"), "{card}");
    b.screenshot("board-feedback").await;
    b.close().await;
}

/// Acceptance 2 of the process-signals issue: a manager sets a process target on a phone; the
/// broker's signals page then lists the process behind its pace and a seeker without
/// contact, each leading to the people behind it.
#[tokio::test]
async fn the_signals_page_leads_to_the_people_behind_each_signal() {
    let Some(b) = Browser::start(390, 844).await else { return };
    let app = spawn_app().await;
    let (manager, _) = app.token("manager", "Maja Enhetschef", None).await;
    let (broker, broker_id) = app.token("broker", "Britt Mäklare", None).await;
    // Signe registered on 1 October and nobody has been in touch since.
    let october = app.at_clock("2026-10-01T10:00:00+02:00").await;
    let mut body = seeker_body(&pnr("19910101", 31));
    body["first_name"] = "Signe".into();
    body["last_name"] = "Tystnad".into();
    body["broker_id"] = broker_id.clone().into();
    let res = october.post_json("/api/v1/seekers", &broker, &body).await;
    assert_eq!(res.status(), 201);
    let signe = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();

    // The manager asks for ten proposals in November (none made by the 23rd: behind).
    b.sign_in(&app, &manager).await;
    b.client.goto(&app.url("/reports/processes?unit=Jobbcenter%20Trelleborg")).await.unwrap();
    b.fill("tr.measure.proposals input[name=target]", "10").await;
    b.click("tr.measure.proposals form button").await;
    b.text_where(".notice.ok", |t| t.contains("Målet är sparat")).await;
    let row = b.text_where("tr.measure.proposals", |t| t.contains("Efter")).await;
    assert!(row.contains("Förslag till arbetsgivare"), "{row}");
    let (scroll, inner) = (
        b.client.execute("return document.documentElement.scrollWidth", vec![]).await.unwrap(),
        b.client.execute("return window.innerWidth", vec![]).await.unwrap(),
    );
    assert!(scroll.as_i64().unwrap() <= inner.as_i64().unwrap(), "no horizontal scroll: {scroll} > {inner}");
    b.screenshot("processes-phone").await;
    b.click("form.signout button").await;

    // Britt's signals.
    b.sign_in(&app, &broker).await;
    b.client.goto(&app.url("/signals")).await.unwrap();
    let process = b.text("li.signal.process_behind").await;
    assert!(process.contains("Förslag till arbetsgivare är 0"), "{process}");
    let silent = b.text("li.signal.no_contact").await;
    assert!(silent.contains("Signe Tystnad") && silent.contains("Ingen kontakt på 53 dagar"), "{silent}");
    b.screenshot("signals-phone").await;
    // The process leads to the people without a proposal, Signe among them …
    b.click("li.signal.process_behind a").await;
    let people = b.text_where("#people", |t| t.contains("Signe Tystnad")).await;
    assert!(people.contains("sedan 1 oktober 2026"), "{people}");
    b.click("#people a").await;
    b.text_where("main h1", |t| t.contains("Signe Tystnad")).await;
    assert_eq!(b.client.current_url().await.unwrap().path(), format!("/seekers/{signe}"));
    // … and the silent seeker's signal to her page.
    b.client.goto(&app.url("/signals")).await.unwrap();
    b.click("li.signal.no_contact a").await;
    b.text_where("main h1", |t| t.contains("Signe Tystnad")).await;
    assert_eq!(b.client.current_url().await.unwrap().path(), format!("/seekers/{signe}"));
    // Reading her name on the signals page was audited.
    let audit: Value =
        app.get(&format!("/api/v1/audit?seeker_id={signe}&limit=500"), &app.admin_token).await.json().await.unwrap();
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"GET /signals") && actions.contains(&"GET /signals/people"), "{actions:?}");
    b.close().await;
    drop(october);
}

/// Acceptance 2 of the plan issue: a coordinator fills in a week in the attendance register
/// on a tablet (each change saved at once); the person's profile shows it.
#[tokio::test]
async fn a_coordinator_fills_in_a_week_of_attendance_and_the_profile_shows_it() {
    let Some(b) = Browser::start(820, 1180).await else { return };
    let app = spawn_app().await; // Monday 2026-11-23
    let (broker, broker_id) = app.token("broker", "Kim Koordinator", None).await;
    let mut ids = Vec::new();
    for (serial, first) in [(31, "Aida"), (32, "Bertil")] {
        let mut body = seeker_body(&pnr("19850505", serial));
        (body["broker_id"], body["first_name"]) = (broker_id.clone().into(), first.into());
        let seeker = new_seeker_with(&app, &broker, &body).await;
        let activity = json!({"kind": "praktik", "title": "Praktik i butik", "provider": "ICA Kvantum",
            "hours_per_week": 20, "weekdays": [1, 2, 3, 4], "from": "2026-11-05"});
        let res = app.post_json(&format!("/api/v1/seekers/{seeker}/activities"), &broker, &activity).await;
        let activity = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
        ids.push((seeker, activity));
    }
    b.sign_in(&app, &broker).await;
    b.client.goto(&app.url("/attendance?vecka=2026-11-18")).await.unwrap();
    b.select("select[name=grupp]", "praktik:Praktik i butik").await;
    b.click("form.filters button").await;
    b.text_where("main h2", |t| t.contains("Praktik i butik")).await;
    for day in ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"] {
        for (i, (_, activity)) in ids.iter().enumerate() {
            let state = if i == 1 && day == "2026-11-17" { "absent_invalid" } else { "present" };
            let cell = format!("select[name='s:{activity}:{day}']");
            b.select(&cell, state).await;
        }
    }
    // The script has saved each change already.
    b.text_where("[data-autosave-status]", |t| t == "Sparat.").await;
    b.fill(&format!("input[name='h:{}:2026-11-19']", ids[1].1), "3,5").await;
    b.click("form.attendance-week button[type=submit]").await;
    b.text_where(".notice.ok", |t| t.contains("Närvaron är sparad")).await;
    assert_eq!(b.value(&format!("input[name='h:{}:2026-11-19']", ids[1].1)).await, "3,5");
    b.screenshot("attendance-tablet").await;

    // Bertil's profile shows the week.
    b.client.goto(&app.url(&format!("/seekers/{}", ids[1].0))).await.unwrap();
    let plan = b.text("#plan").await;
    assert!(plan.contains("Ogiltig frånvaro"), "{plan}");
    let plan = plan.replace('\n', " ");
    assert!(plan.contains("Närvaro 13,5 tim"), "5 + 5 + 3,5 hours present: {plan}");
    assert!(plan.contains("Ogiltig frånvaro 5 tim"), "{plan}");
    assert!(plan.contains("19 november 2026 Praktik i butik Närvarande 3,5"), "{plan}");
    let status: Value = app
        .get(&format!("/api/v1/seekers/{}/plan-status?month=2026-11", ids[1].0), &broker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((status["attended_hours"].as_f64(), status["absent_invalid_hours"].as_f64()), (Some(13.5), Some(5.0)));

    // On the plan page: the activity with recorded days is not removed, but ended.
    b.click("#plan a.button").await;
    b.text_where("main h1", |t| t.starts_with("Planering för")).await;
    b.click("#activities form[action$='/delete'] button").await;
    b.text_where(".notice.error", |t| t.contains("registrerad närvaro")).await;
    // A date field takes what a person picks; set it as the picker would.
    let set = "document.querySelector(\"#activities form[action$='/end'] input[name=to]\").value = '2026-11-30'";
    b.client.execute(set, vec![]).await.unwrap();
    b.click("#activities form[action$='/end'] button").await;
    b.text_where(".notice.ok", |t| t.contains("Sparat")).await;
    let row = b.text("#activities table.activities tbody tr").await;
    assert!(row.contains("30 november 2026"), "{row}");

    // The plan itself from its form, and a declined offer from its own.
    let set = |css: &str, v: &str| format!("document.querySelector(\"{css}\").value = '{v}'");
    b.select("form.plan select[name=goal]", "work").await;
    b.fill("form.plan input[name=occupation]", "5223").await;
    b.fill("form.plan input[name=hours_per_week]", "40").await;
    for (field, v) in [("start_date", "2026-11-02"), ("review_date", "2027-02-01"), ("agreed_on", "2026-11-20")] {
        b.client.execute(&set(&format!("form.plan input[name={field}]"), v), vec![]).await.unwrap();
    }
    b.select("form.plan select[name=agreed_how]", "in_person").await;
    b.click("form.plan button[type=submit]").await;
    b.text_where(".notice.ok", |t| t.contains("Sparat")).await;
    let plan = b.text("#plan dl").await;
    assert!(plan.contains("Arbete") && plan.contains("1 februari 2027") && plan.contains("vid möte"), "{plan}");
    b.click("#declines details summary").await;
    b.fill("form.decline input[name=reason]", "Ville inte arbeta kvällar").await;
    b.click("form.decline button[type=submit]").await;
    b.text_where(".notice.ok", |t| t.contains("Sparat")).await;
    assert!(b.text("#declines ul").await.contains("utan godtagbart skäl"));
    let status: Value = app
        .get(&format!("/api/v1/seekers/{}/plan-status?month=2026-11", ids[1].0), &broker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((status["has_active_plan"].as_bool(), status["unjustified_declines"].as_i64()), (Some(true), Some(1)));
    b.close().await;
}

#[tokio::test]
async fn a_broker_signs_in_with_the_municipalitys_account_and_out_again() {
    let Some(b) = Browser::start(390, 844).await else { return };
    // The app at its own address (the provider sends the browser back there), with a client
    // registered for it at the certified provider.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (client_id, secret) = crate::identity::register_client(&base).await;
    let issuer = crate::identity::providers().certified.clone();
    let settings = [
        ("PLATSA_STAFF_OIDC__ISSUER", issuer.as_str()),
        ("PLATSA_STAFF_OIDC__CLIENT_ID", client_id.as_str()),
        ("PLATSA_STAFF_OIDC__CLIENT_SECRET", secret.as_str()),
        ("PLATSA_STAFF_OIDC__ROLES", crate::identity::ROLES),
    ];
    let app = spawn_app_at_public_url(listener, &settings).await;
    let sub = format!("maja-{}", uuid::Uuid::new_v4());
    crate::identity::account(&sub, json!({ "name": "Maja Mäklare", "roles": ["platsa-mäklare"] })).await;

    // A page asks for sign-in; the municipality's account comes first.
    b.client.goto(&app.url("/seekers")).await.unwrap();
    b.screenshot("signin-provider").await;
    b.click("#signin-provider").await;
    // The provider's own login form.
    let login = b.client.wait().for_element(Locator::Css("input[name=login]")).await.unwrap();
    login.send_keys(&sub).await.unwrap();
    b.client.find(Locator::Css("input[name=password]")).await.unwrap().send_keys("x").await.unwrap();
    b.client.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    // Back at Platsa, on the page asked for, signed in (the session cookie is SameSite=Strict:
    // it must arrive although the sign-in came back from another site).
    b.text_where("main h1", |t| t.contains("arbetssökande") || t.contains("Arbetssökande")).await;
    let path = b.client.current_url().await.unwrap().path().to_string();
    assert_eq!(path, "/seekers");
    assert!(b.client.source().await.unwrap().contains("Maja Mäklare"), "signed in by the provider's name");
    b.screenshot("signed-in-with-provider").await;

    // Sign-out ends Platsa's session and leads to the provider's sign-out.
    b.click("form.signout button").await;
    let mut left = false;
    for _ in 0..50 {
        let url = b.client.current_url().await.unwrap();
        if url.as_str().starts_with(&issuer) {
            left = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(left, "the browser reaches the provider's sign-out");
    b.client.goto(&app.url("/seekers")).await.unwrap();
    b.text_where("main h1", |t| t == "Logga in i Platsa").await;
    b.close().await;
}

impl Browser {
    /// The axe-core rules the page breaks with serious or critical impact (axe-core from
    /// `tests/oidc/node_modules`, installed by `npm ci`), each with the elements concerned.
    async fn serious_axe_violations(&self) -> Vec<String> {
        static AXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let axe = AXE.get_or_init(|| {
            let path =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc/node_modules/axe-core/axe.min.js");
            std::fs::read_to_string(&path).expect("axe-core is installed: run `npm ci --prefix tests/oidc` (CI does)")
        });
        self.client.execute(axe, vec![]).await.expect("axe-core loads");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        found.as_array().unwrap().iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect()
    }

    /// The page passes axe-core (nothing serious or critical) and fits the window's width.
    async fn accessible_on_a_phone(&self, name: &str) {
        let violations = self.serious_axe_violations().await;
        assert!(violations.is_empty(), "{name}: {violations:?}");
        let (scroll, inner) = (
            self.client.execute("return document.documentElement.scrollWidth", vec![]).await.unwrap(),
            self.client.execute("return window.innerWidth", vec![]).await.unwrap(),
        );
        assert!(scroll.as_i64().unwrap() <= inner.as_i64().unwrap(), "{name}: horizontal scroll {scroll} > {inner}");
        self.screenshot(name).await;
    }
}

#[tokio::test]
async fn a_person_follows_their_own_case_on_mina_sidor_on_a_phone() {
    let Some(b) = Browser::start(390, 844).await else { return };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (client_id, secret) = crate::identity::register_client(&base).await;
    let issuer = crate::identity::providers().certified.clone();
    let settings = [
        ("PLATSA_CITIZEN_OIDC__ISSUER", issuer.as_str()),
        ("PLATSA_CITIZEN_OIDC__CLIENT_ID", client_id.as_str()),
        ("PLATSA_CITIZEN_OIDC__CLIENT_SECRET", secret.as_str()),
    ];
    let app = spawn_app_at_public_url(listener, &settings).await;
    let c = crate::mina_sidor::case(&app, 601).await;
    let sub = format!("amira-{}", uuid::Uuid::new_v4());
    crate::identity::account(
        &sub,
        json!({ "given_name": "Amira", "family_name": "Hassan", crate::identity::PNR_CLAIM: c.personnummer }),
    )
    .await;

    // A page of Mina sidor sends the person to e-legitimation and back to it.
    b.client.goto(&app.url("/mina-sidor/tider")).await.unwrap();
    let login = b.client.wait().for_element(Locator::Css("input[name=login]")).await.unwrap();
    login.send_keys(&sub).await.unwrap();
    b.client.find(Locator::Css("input[name=password]")).await.unwrap().send_keys("x").await.unwrap();
    b.client.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    b.text_where("main h1", |t| t == "Mina tider").await;
    let page = b.text("main").await;
    assert!(page.contains("Olle Sekreterare") && page.contains("Jobbcenter Trelleborg"), "{page}");
    b.accessible_on_a_phone("mina-sidor-tider").await;

    b.client.goto(&app.url("/mina-sidor")).await.unwrap();
    b.text_where("main h1", |t| t == "Mina sidor").await;
    b.accessible_on_a_phone("mina-sidor").await;

    b.client.goto(&app.url("/mina-sidor/planering?month=2026-11")).await.unwrap();
    let page = b.text_where("main", |t| t.contains("Praktik på äldreboende")).await;
    assert!(page.contains("Arbete inom vården") && page.contains("Ogiltig frånvaro"), "{page}");
    b.accessible_on_a_phone("mina-sidor-planering").await;

    // The pending request, answered yes.
    b.client.goto(&app.url("/mina-sidor/samtycken")).await.unwrap();
    let page = b.text_where("main", |t| t.contains("Vårdbiträde på natten")).await;
    assert!(page.contains("Hemtjänsten Söder AB"), "{page}");
    b.accessible_on_a_phone("mina-sidor-samtycken").await;
    b.click(&format!("form[action='/mina-sidor/samtycken/{}'] button[value=yes]", c.asked)).await;
    b.text_where("p.notice", |t| t.contains("Du har gett ditt samtycke")).await;
    let consents: Value = app
        .get(&format!("/api/v1/openings/{}/shortlist/{}/consent", c.asked, c.seeker), &c.broker)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(consents["state"], "given", "{consents}");

    b.client.goto(&app.url("/mina-sidor/forklaringar")).await.unwrap();
    let page = b.text_where("main", |t| t.contains("Undersköterska till hemtjänsten")).await;
    assert!(page.contains("Presenterad för arbetsgivaren") && page.contains("kön"), "{page}");
    assert!(!page.contains("Zlatan"), "no other person");
    b.accessible_on_a_phone("mina-sidor-forklaringar").await;

    // The extract: every kind of record, nothing of the other person.
    b.client.goto(&app.url("/mina-sidor/uppgifter")).await.unwrap();
    let page = b.text_where("main", |t| t.contains("Journalanteckningar om dig")).await;
    for kind in [
        "Din profil",
        "Dina ansökningar",
        "Dina möten",
        "Pratade om praktiken i telefon.",
        "Din planering",
        "Dina aktiviteter",
        "Din närvaro",
        "Erbjudanden du tackat nej till",
        "Dina insatser och anställningar",
        "Insatsernas historik",
        "Tjänster du övervägts för",
        "Samtycken och svar",
        "Vem som har läst dina uppgifter",
    ] {
        assert!(page.contains(kind), "{kind} in the extract");
    }
    for theirs in ["Zlatan", "Grannsson", c.other_personnummer.as_str(), c.other_seeker.as_str()] {
        assert!(!page.contains(theirs), "{theirs} is the other person's");
    }
    b.accessible_on_a_phone("mina-sidor-uppgifter").await;

    b.client.goto(&app.url("/mina-sidor/omprovning")).await.unwrap();
    b.text_where("main h1", |t| t.starts_with("Begär omprövning")).await;
    b.accessible_on_a_phone("mina-sidor-omprovning").await;
    b.select("#about", "attendance").await;
    b.fill("#text", "Jag var sjuk den 20 november och ringde in.").await;
    b.click("form[action='/mina-sidor/omprovning'] button[type=submit]").await;
    b.text_where("p.notice", |t| t.contains("Din begäran är skickad")).await;

    // Cancelling asks first, then lets the meeting go.
    b.client.goto(&app.url("/mina-sidor/tider")).await.unwrap();
    b.click(&format!("a[href='/mina-sidor/tider/{}/avboka']", c.booking)).await;
    b.text_where("main h1", |t| t == "Vill du avboka mötet?").await;
    b.accessible_on_a_phone("mina-sidor-avboka").await;
    b.click(&format!("form[action='/mina-sidor/tider/{}/avboka'] button", c.booking)).await;
    b.text_where("p.notice", |t| t.contains("Ditt möte är avbokat")).await;
    assert!(b.text("main").await.contains("Avbokad"));

    // Signing out ends the session: the next page asks for e-legitimation again.
    b.click("form[action='/mina-sidor/logga-ut'] button").await;
    b.text_where("main h1", |t| t == "Du är utloggad").await;
    b.close().await;
}

#[tokio::test]
async fn a_broker_acts_on_todays_suggestions_from_the_start_page() {
    let Some(b) = Browser::start(390, 844).await else { return };
    let app = spawn_app_with(&[("PLATSA_MATCHING__DAILY_PER_BROKER", "0")]).await;
    let (token, broker_id) = app.token("broker", "Anna Mäklare", None).await;
    let employer = app.employer("Omsorgshuset Skåne AB", "556036-0793", false).await;
    crate::daily_matches::fitting(&app, &token, &broker_id, 31, "Alva").await;
    crate::daily_matches::fitting(&app, &token, &broker_id, 32, "Aron").await;
    let opening = new_opening(&app, &token, &employer, "Undersköterska till hemtjänsten").await;
    index_caught_up(&app.state).await;
    let on = crate::daily_matches::matching(&app, "10").await;
    let made = crate::daily_matches::suggestions(&on, &token, 2).await;
    assert_eq!(made.len(), 2);

    b.sign_in(&on, &token).await;
    b.text_where("#dagens-forslag h2", |t| t == "Dagens förslag (2)").await;
    let first = b.text("#dagens-forslag li:first-child").await;
    assert!(first.contains("Undersköterska till hemtjänsten") && first.contains("Yrke"), "{first}");
    b.accessible_on_a_phone("dagens-forslag").await;

    // Shortlist the first; the page comes back with one left.
    b.click("#dagens-forslag li:first-child form[action$='/kortlista'] button").await;
    b.text_where("p.notice", |t| t.contains("annonsens kortlista")).await;
    b.text_where("#dagens-forslag h2", |t| t == "Dagens förslag (1)").await;
    // Dismiss the other with a reason: the section is gone.
    b.select("#dagens-forslag li select", "not_available").await;
    b.click("#dagens-forslag li form[action$='/avfarda'] button").await;
    b.text_where("p.notice", |t| t.contains("avfärdat")).await;
    assert!(b.client.find(Locator::Css("#dagens-forslag")).await.is_err(), "nothing left to act on");

    let shortlist: Value = on.get(&format!("/api/v1/openings/{opening}/shortlist"), &token).await.json().await.unwrap();
    assert_eq!(
        shortlist["items"].as_array().map(Vec::len).unwrap_or_else(|| shortlist.as_array().unwrap().len()),
        1,
        "{shortlist}"
    );
    let outcomes: Value = on.get("/api/v1/daily-matches/outcomes", &token).await.json().await.unwrap();
    assert_eq!(
        (outcomes["shortlisted"].as_i64(), outcomes["dismissed_because"]["not_available"].as_i64()),
        (Some(1), Some(1))
    );
    b.close().await;
}

/// Accountable ranking on a phone: a broker proposes the second candidate from an opening's
/// list (the placement keeps rank 2), the opening warns of a licence few have, the manager
/// reads exposure and oversight, and the broker follows a never-shown person to their page.
#[tokio::test]
async fn a_proposal_keeps_its_rank_and_exposure_shows_who_was_never_seen_on_a_phone() {
    let Some(b) = Browser::start(390, 844).await else { return };
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt Mäklare", None).await;
    let (manager, _) = app.token("manager", "Maja Enhetschef", None).await;
    let employer = app.employer("Trelleborgs kommun", "212000-1165", true).await;
    let mut people = Vec::new();
    for i in 0..12u32 {
        let mut s = seeker_body(&pnr("19870707", 500 + i));
        s["first_name"] = format!("Synlig{i}").into();
        people.push(new_seeker_with(&app, &broker, &s).await);
    }
    search_until(&app, "/api/v1/search/seekers?limit=50", &broker, 12).await;
    let mut o = opening_body();
    o["employer_id"] = employer.into();
    o["must_have"]["driving_licences"] = json!(["B", "C"]);
    let opening: Value = app.post_json("/api/v1/openings", &broker, &o).await.json().await.unwrap();
    let opening = opening["id"].as_str().unwrap().to_string();
    // Everyone has B; nobody has C: the opening says so (and lists nobody).
    b.sign_in(&app, &broker).await;
    b.client.goto(&app.url(&format!("/openings/{opening}"))).await.unwrap();
    let note = b.text(".notice.requirements").await;
    assert!(note.contains("Kravet på körkort C utesluter 100 % av annars matchande sökande"), "{note}");
    b.accessible_on_a_phone("kravprovning").await;
    // Without C: the list, and a proposal of the second.
    let etag = app.get(&format!("/api/v1/openings/{opening}"), &broker).await.headers()["etag"].clone();
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/openings/{opening}")))
        .bearer_auth(&broker)
        .header("if-match", etag)
        .json(&json!({"must_have": {"skills": ["Personlig omvårdnad"], "driving_licences": ["B"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    b.client.goto(&app.url(&format!("/openings/{opening}"))).await.unwrap();
    let second = b.attribute("ol.candidates li.candidate:nth-child(2)", "data-seeker").await;
    b.click("ol.candidates li.candidate:nth-child(2) form.propose button").await;
    b.text_where(".notice.ok", |t| t.contains("Förslaget är registrerat")).await;
    let placements: Value =
        app.get(&format!("/api/v1/placements?seeker_id={second}"), &broker).await.json().await.unwrap();
    assert_eq!(placements["items"][0]["list_rank"], 2, "{placements}");
    b.click("form.signout button").await;

    // The manager: exposure and oversight, on a phone.
    b.sign_in(&app, &manager).await;
    b.client.goto(&app.url("/reports/exposure")).await.unwrap();
    let main = b.text("main").await;
    assert!(main.contains("Synlighet") && main.contains("Från plats 1–10"), "{main}");
    b.accessible_on_a_phone("synlighet").await;
    b.click("form.signout button").await;

    // The broker: the people the list never showed (a page shows 20: all were shown here
    // but nobody beyond), then one of them.
    b.sign_in(&app, &broker).await;
    b.client.goto(&app.url("/reports/exposure")).await.unwrap();
    let section = b.text("#never-shown").await;
    assert!(section.contains("Alla berättigade har visats"), "{section}");
    b.accessible_on_a_phone("synlighet-mäklare").await;
    b.close().await;
}

/// Issue 33: the admin's pages on a phone (a user with a key shown once, units, employers,
/// an officer's hours), each without a serious axe-core finding; and Back after "Logga ut"
/// shows no person.
#[tokio::test]
async fn the_admin_pages_work_on_a_phone_and_back_after_sign_out_shows_nobody() {
    let Some(b) = Browser::start(390, 844).await else { return };
    let app = spawn_app().await;
    b.sign_in(&app, &app.admin_token).await;
    b.click("a[href='/admin']").await;
    b.text_where("main h1", |t| t == "Administration").await;
    b.accessible_on_a_phone("admin").await;
    b.click("a[href='/admin/users']").await;
    b.fill("form.new-user input[name=name]", "Karin Jobbmäklare").await;
    b.select("form.new-user select[name=role]", "broker").await;
    b.fill("form.new-user input[name=email]", "karin@kommun.example").await;
    b.click("form.new-user button").await;
    let key = b.text_where("#new-token", |t| t.contains("visas bara den här gången")).await;
    b.accessible_on_a_phone("admin-user").await;
    b.client.refresh().await.unwrap();
    b.text_where("main h1", |t| t == "Karin Jobbmäklare").await;
    assert!(b.client.find(Locator::Css("#new-token")).await.is_err(), "shown once: {key}");
    b.client.goto(&app.url("/admin/units")).await.unwrap();
    b.accessible_on_a_phone("admin-units").await;
    b.client.goto(&app.url("/admin/employers")).await.unwrap();
    b.accessible_on_a_phone("admin-employers").await;
    b.client.goto(&app.url("/admin/officers")).await.unwrap();
    b.fill("form.officer input[name=name]", "Olle Svensson").await;
    b.fill("form.officer input[name='hours.mon']", "08:30–12:00").await;
    b.click("form.officer button").await;
    b.text_where(".notice.ok", |t| t.contains("Sparat")).await;
    b.accessible_on_a_phone("admin-officer").await;
    b.click("form.signout button").await;

    // A broker reads a person, signs out, and presses Back: the sign-in page, not the person.
    let (broker, _) = app.token("broker", "Britt", None).await;
    let mut body = seeker_body(&pnr("19900101", 77));
    body["first_name"] = "Hemlig".into();
    let id = app.post_json("/api/v1/seekers", &broker, &body).await.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    b.sign_in(&app, &broker).await;
    b.client.goto(&app.url(&format!("/seekers/{id}"))).await.unwrap();
    b.text_where("main h1", |t| t.contains("Hemlig")).await;
    b.click("form.signout button").await;
    b.text_where("form[action='/signin'] button", |_| true).await;
    b.client.back().await.unwrap();
    b.text_where("main", |t| !t.contains("Hemlig") && t.contains("Logga in")).await;
    b.close().await;
}

/// A local SMS webhook: records each message it is handed and answers 200.
async fn sms_webhook() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    use actix_web::{App, HttpResponse, HttpServer, web};
    let calls: std::sync::Arc<std::sync::Mutex<Vec<Value>>> = std::sync::Arc::default();
    let c = calls.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        let c = c.clone();
        App::new().route(
            "/sms",
            web::post().to(move |body: web::Json<Value>| {
                let c = c.clone();
                async move {
                    c.lock().unwrap().push(body.into_inner());
                    HttpResponse::Ok().finish()
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    (url, calls)
}

#[tokio::test]
async fn a_broker_texts_an_invitation_to_five_shortlisted_people_and_sees_each_delivery() {
    let Some(b) = Browser::start(1400, 1000).await else { return };
    let (hook, calls) = sms_webhook().await;
    let app = spawn_app_with(&[("PLATSA_MESSAGES__SMS_URL", hook.as_str())]).await;
    let (broker, broker_id) = app.token("broker", "Britt Jobbmäklare", None).await;
    let employer = app.employer("Omsorgshuset Skåne AB", "556036-0793", false).await;
    let opening = new_opening(&app, &broker, &employer, "Undersköterska").await;
    let names = ["Anna", "Bo", "Cecilia", "David", "Elin", "Filip"];
    for (i, first) in names.iter().enumerate() {
        let mut s = seeker_body(&pnr("19880808", 400 + i as u32));
        s["first_name"] = (*first).into();
        s["last_name"] = "Lind".into();
        s["broker_id"] = broker_id.clone().into();
        // Filip has no mobile number, only e-mail.
        if i == 5 {
            s["phone"] = Value::Null;
            s["email"] = "filip@example.se".into();
        } else {
            s["phone"] = format!("070111220{i}").into();
        }
        let id = new_seeker_with(&app, &broker, &s).await;
        let res =
            app.post_json(&format!("/api/v1/openings/{opening}/shortlist"), &broker, &json!({"seeker_id": id})).await;
        assert!(res.status().is_success());
    }

    b.sign_in(&app, &broker).await;
    b.client.goto(&app.url(&format!("/openings/{opening}"))).await.unwrap();
    b.text_where("#shortlist", |t| t.contains("Filip Lind")).await;
    assert!(b.client.find(Locator::Css("#shortlist .no-gateway")).await.is_err(), "a gateway is set");
    let violations = b.serious_axe_violations().await;
    assert!(violations.is_empty(), "the opening with its shortlist: {violations:?}");
    for pick in b.client.find_all(Locator::Css("#shortlist input.pick")).await.unwrap() {
        pick.click().await.unwrap();
    }
    let form = b.client.find(Locator::Css("form.bulk")).await.unwrap();
    form.find(Locator::Css("input[name=tid]")).await.unwrap().send_keys("tisdag 8 december kl. 10").await.unwrap();
    form.find(Locator::Css("input[name=plats]")).await.unwrap().send_keys("Jobbcenter, Stortorget 1").await.unwrap();
    form.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
    b.text_where("section.sent h2", |t| t.contains("5 sms")).await;
    let skipped = b.text("ul.skipped").await;
    assert!(skipped.contains("Filip Lind") && skipped.contains("Inget mobilnummer"), "{skipped}");
    let violations = b.serious_axe_violations().await;
    assert!(violations.is_empty(), "the sent page: {violations:?}");
    b.screenshot("texts-to-many-queued").await;

    // The gateway takes all five (this test's run, or the app's own schedule); the operator
    // reports four delivered and one failed.
    platsa::messages::send::deliver_due(
        &app.state.pool,
        &platsa::messages::gateway::Gateways::from_settings(&app.state.settings),
        &app.state.clock,
        100,
    )
    .await
    .unwrap();
    for _ in 0..100 {
        if calls.lock().unwrap().len() == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sent = calls.lock().unwrap().clone();
    assert_eq!(sent.len(), 5, "one SMS each");
    assert!(
        sent.iter().all(|m| m["text"].as_str().unwrap().contains("tisdag 8 december kl. 10, Jobbcenter, Stortorget 1"))
    );
    for (i, m) in sent.iter().enumerate() {
        let status = if m["to"] == "+46701112204" { "failed" } else { "delivered" };
        // The report URL names public_url; this test's server listens elsewhere.
        let path = m["whendelivered"].as_str().unwrap().split_once("/api/").map(|(_, p)| format!("/api/{p}")).unwrap();
        let res = app.client.post(app.url(&path)).json(&json!({"status": status})).send().await.unwrap();
        assert_eq!(res.status(), 204, "report {i}");
    }
    b.client.refresh().await.unwrap();
    let table = b.text_where("table.messages", |t| t.matches("Levererat").count() == 4).await;
    for first in &names[..5] {
        assert!(table.contains(&format!("{first} Lind")), "{first}: {table}");
    }
    let failed = b.text_where("table.messages", |t| t.contains("Kunde inte skickas – ring i stället")).await;
    assert!(failed.lines().any(|l| l.contains("Elin Lind") && l.contains("ring i stället")), "{failed}");
    b.screenshot("texts-to-many-delivered").await;

    // The same from "Mina arbetssökande", without an opening.
    b.client.goto(&app.url("/seekers?mine=1&status=active")).await.unwrap();
    b.text_where("table.caseload", |t| t.contains("Anna Lind")).await;
    for pick in b.client.find_all(Locator::Css("table.caseload input.pick")).await.unwrap().into_iter().take(2) {
        pick.click().await.unwrap();
    }
    b.client.find(Locator::Css("form.bulk button")).await.unwrap().click().await.unwrap();
    b.text_where("section.sent h2", |t| t.contains("2 sms")).await;
    assert!(b.text("section.sent").await.contains("Tillbaka till Mina arbetssökande"));
    b.close().await;
}
