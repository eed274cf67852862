//! Backups and restores on the real binary: taken while the app writes, restored into an empty
//! database (the index rebuilt from it), encrypted with age, refused where they must be; the
//! daily backup in `serve` with `/readyz` and the admins' signal.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::{Value, json};

use crate::helpers::*;

/// `platsa` with this database, its index in `dir`, no configuration file.
fn envs_for(dir: &tempfile::TempDir, url: &str) -> Vec<(&'static str, String)> {
    binary_envs(dir, &TestDb::Shared(url.to_string()), "cli-index")
}

/// Runs `platsa` and answers (success, stdout, stderr).
fn platsa(envs: &[(&str, String)], args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_platsa"))
        .args(args)
        .envs(envs.iter().cloned())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A new empty database of the test backend, in its own folder.
fn empty_database() -> (tempfile::TempDir, TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(&dir);
    (dir, db)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Wrote {
    Seeker,
    Application,
    Journal,
}

/// Ids from one table of the app's database.
async fn ids(app: &TestApp, wrote: Wrote) -> std::collections::HashSet<String> {
    use diesel::prelude::*;
    use platsa::db::schema::{applications, journal_entries, seekers};
    platsa::db::run(&app.state.pool, move |c| {
        Ok(match wrote {
            Wrote::Seeker => seekers::table.select(seekers::id).load::<String>(c)?,
            Wrote::Application => applications::table.select(applications::id).load::<String>(c)?,
            Wrote::Journal => journal_entries::table.select(journal_entries::id).load::<String>(c)?,
        })
    })
    .await
    .unwrap()
    .into_iter()
    .collect()
}

/// Writers post seekers, applications and journal entries while `platsa backup` runs beside
/// the serving app; the copy restored into an empty database holds every write acknowledged
/// before the backup started, passes the integrity check, and its rebuilt index finds people.
#[tokio::test]
async fn a_backup_taken_while_writing_restores_every_acknowledged_write() {
    let app = spawn_app_with(&[("PLATSA_BOOKING__APPLICATIONS_PER_MINUTE", "100000")]).await;
    let (broker, broker_id) = app.token("broker", "Britt", None).await;
    let mut body = seeker_body(&pnr("19800101", 1));
    body["broker_id"] = broker_id.clone().into();
    let followed = app.post_json("/api/v1/seekers", &broker, &body).await.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let acked: Arc<Mutex<Vec<(Instant, Wrote, String)>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for wrote in [Wrote::Seeker, Wrote::Application, Wrote::Journal] {
        let (client, base, token, acked, stop, followed, broker_id) = (
            app.client.clone(),
            app.address.clone(),
            broker.clone(),
            acked.clone(),
            stop.clone(),
            followed.clone(),
            broker_id.clone(),
        );
        writers.push(tokio::spawn(async move {
            let mut i = 0u32;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                i += 1;
                let (path, body, public) = match wrote {
                    Wrote::Seeker => {
                        let mut b = seeker_body(&pnr("19700101", 100 + i));
                        b["last_name"] = format!("Säkerhetsson{i}").into();
                        b["broker_id"] = broker_id.clone().into();
                        ("/api/v1/seekers".to_string(), b, false)
                    }
                    Wrote::Application => (
                        "/api/v1/applications".to_string(),
                        json!({
                            "personnummer": pnr("19900202", i),
                            "first_name": "Sara",
                            "last_name": "Nilsson",
                            "email": format!("sara{i}@example.se"),
                            "phone": "0701112233",
                            "situation": "Har precis förlorat mitt jobb.",
                        }),
                        true,
                    ),
                    Wrote::Journal => (
                        format!("/api/v1/seekers/{followed}/journal"),
                        json!({"kind": "call", "text": format!("Samtal nummer {i}.")}),
                        false,
                    ),
                };
                let req = client.post(format!("{base}{path}")).json(&body);
                let req = if public { req } else { req.bearer_auth(&token) };
                let res = req.send().await.unwrap();
                assert_eq!(res.status(), 201, "{wrote:?} {}", res.text().await.unwrap());
                let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
                acked.lock().unwrap().push((Instant::now(), wrote, id));
            }
        }));
    }
    // Writes before, during and after the backup.
    while acked.lock().unwrap().len() < 30 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("platsa.backup");
    let envs = envs_for(&folder, &app.database_url());
    let started = Instant::now();
    let (ok, out, err) = {
        let (envs, file) = (envs.clone(), file.display().to_string());
        tokio::task::spawn_blocking(move || platsa(&envs, &["backup", "--to", &file])).await.unwrap()
    };
    assert!(ok, "backup: {err}");
    assert!(out.contains("backup written to"), "{out}");
    let during = acked.lock().unwrap().iter().filter(|(at, _, _)| *at > started).count();
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for w in writers {
        w.await.unwrap();
    }
    let before: Vec<(Wrote, String)> =
        acked.lock().unwrap().iter().filter(|(at, _, _)| *at < started).map(|(_, w, id)| (*w, id.clone())).collect();
    assert!(before.len() >= 30);
    // The copy is a database file or an archive, never the rows as text.
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"PLATSA-BACKUP 1\n"));
    eprintln!("backup of {} bytes; {} writes acknowledged before it, {during} while it ran", bytes.len(), before.len());

    let (dir, db) = empty_database();
    let target = db.url();
    let (ok, out, err) = platsa(&envs_for(&dir, &target), &["restore", "--from", &file.display().to_string()]);
    assert!(ok, "restore: {err}");
    assert!(out.contains("as the manifest lists"), "{out}");
    if let TestDb::Sqlite(path) = &db {
        assert!(out.contains("integrity and foreign-key checks ok"), "{out}");
        use diesel::prelude::*;
        #[derive(diesel::QueryableByName)]
        struct Check {
            #[diesel(sql_type = diesel::sql_types::Text)]
            integrity_check: String,
        }
        let mut c = diesel::SqliteConnection::establish(&path.display().to_string()).unwrap();
        let said: Vec<Check> = diesel::sql_query("PRAGMA integrity_check").load(&mut c).unwrap();
        assert_eq!(said.iter().map(|c| c.integrity_check.as_str()).collect::<Vec<_>>(), ["ok"]);
    }

    let restored = spawn_app_on_database(dir, db).await;
    for wrote in [Wrote::Seeker, Wrote::Application, Wrote::Journal] {
        let there = ids(&restored, wrote).await;
        let missing: Vec<&String> =
            before.iter().filter(|(w, id)| *w == wrote && !there.contains(id)).map(|(_, id)| id).collect();
        assert!(missing.is_empty(), "{wrote:?} acknowledged before the backup but not restored: {missing:?}");
    }
    // The index was built from the restored rows: people are found by name.
    let (_, last) = before.iter().rev().find(|(w, _)| *w == Wrote::Seeker).unwrap();
    let person: Value = restored.get(&format!("/api/v1/seekers/{last}"), &broker).await.json().await.unwrap();
    let name = person["last_name"].as_str().unwrap().to_string();
    let found = search_until(&restored, &format!("/api/v1/search/seekers?q={name}"), &broker, 1).await;
    assert!(found["items"].as_array().unwrap().iter().any(|i| i["id"] == last.as_str()), "{found}");
    let ready: Value = restored.client.get(restored.url("/readyz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["checks"]["index"]["behind"], 0);
}

/// An encrypted backup holds nothing readable and opens only with its identity; a restore
/// never goes into a database with data, and a damaged file is refused with nothing written.
#[tokio::test]
async fn an_encrypted_backup_opens_only_with_its_identity_and_never_over_data() {
    use age::secrecy::ExposeSecret;
    let app = spawn_app().await;
    let (broker, _) = app.token("broker", "Britt", None).await;
    let person = pnr("19850505", 7);
    let mut body = seeker_body(&person);
    body["last_name"] = "Krypteradsdotter".into();
    let seeker = app.post_json("/api/v1/seekers", &broker, &body).await.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let folder = tempfile::tempdir().unwrap();
    // A post-quantum hybrid key (what `age-keygen -pq` makes); classic X25519 keys work too.
    let key = age::pq::Identity::generate();
    let key_file = folder.path().join("key.txt");
    std::fs::write(&key_file, format!("{}\n", key.to_string().expose_secret())).unwrap();
    let stranger_file = folder.path().join("stranger.txt");
    std::fs::write(&stranger_file, format!("{}\n", age::pq::Identity::generate().to_string().expose_secret())).unwrap();
    let sealed = folder.path().join("sealed.backup.age");
    let plain = folder.path().join("plain.backup");
    let envs = envs_for(&folder, &app.database_url());
    let (ok, _, err) =
        platsa(&envs, &["backup", "--to", &sealed.display().to_string(), "--encrypt-to", &key.to_public().to_string()]);
    assert!(ok, "{err}");
    let (ok, _, err) = platsa(&envs, &["backup", "--to", &plain.display().to_string()]);
    assert!(ok, "{err}");
    let bytes = std::fs::read(&sealed).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("Krypteradsdotter") && !text.contains(&person) && !text.contains("PLATSA-BACKUP"));
    let (ok, _, err) = platsa(&envs, &["backup", "--to", "x", "--encrypt-to", "age1nope"]);
    assert!(!ok && err.contains("recipient"), "{err}");

    // Without the identity, or with another one: refused, the target left empty.
    let (dir, db) = empty_database();
    let target = envs_for(&dir, &db.url());
    let (ok, _, err) = platsa(&target, &["restore", "--from", &sealed.display().to_string()]);
    assert!(!ok && err.contains("--identity"), "{err}");
    let (ok, _, err) = platsa(
        &target,
        &["restore", "--from", &sealed.display().to_string(), "--identity", &stranger_file.display().to_string()],
    );
    assert!(!ok && err.contains("cannot open"), "{err}");
    // A damaged copy: one byte of the payload changed.
    let mut damaged = std::fs::read(&plain).unwrap();
    let last = damaged.len() - 100;
    damaged[last] ^= 0x55;
    let damaged_file = folder.path().join("damaged.backup");
    std::fs::write(&damaged_file, damaged).unwrap();
    let (ok, _, err) = platsa(&target, &["restore", "--from", &damaged_file.display().to_string()]);
    assert!(!ok && err.contains("damaged"), "{err}");
    if let TestDb::Sqlite(path) = &db {
        assert!(!path.exists(), "nothing written by a refused restore");
    }

    // With its identity it restores, and the person is there.
    let (ok, out, err) = platsa(
        &target,
        &["restore", "--from", &sealed.display().to_string(), "--identity", &key_file.display().to_string()],
    );
    assert!(ok, "{err}");
    assert!(out.contains("as the manifest lists"), "{out}");
    // Never over data: neither the restored copy nor the original takes another restore.
    for over in [&target, &envs] {
        let (ok, _, err) = platsa(over, &["restore", "--from", &plain.display().to_string()]);
        assert!(!ok && err.contains("not empty"), "{err}");
    }
    let restored = spawn_app_on_database(dir, db).await;
    let res = restored.get(&format!("/api/v1/seekers/{seeker}"), &broker).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["last_name"], "Krypteradsdotter");
    // The original still serves, untouched.
    assert_eq!(app.get(&format!("/api/v1/seekers/{seeker}"), &broker).await.status(), 200);
}

async fn readyz_backup(app: &TestApp, until: &str) -> Value {
    for _ in 0..600 {
        let ready: Value = app.client.get(app.url("/readyz")).send().await.unwrap().json().await.unwrap();
        if ready["checks"]["backup"]["status"] == until {
            return ready["checks"]["backup"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the backup check never became {until}");
}

async fn backup_signals(app: &TestApp, token: &str) -> Vec<Value> {
    let all: Value = app.get("/api/v1/signals", token).await.json().await.unwrap();
    all["items"].as_array().unwrap().iter().filter(|s| s["kind"] == "backup_failed").cloned().collect()
}

/// `serve` takes the day's backup from `backup.hour` into `backup.dir` and keeps `backup.keep`;
/// `/readyz` shows it, and a failed or missing backup is an admins' signal (not a manager's).
#[tokio::test]
async fn serve_takes_the_daily_backup_and_a_missing_one_is_signalled() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("platsa-2026-11-01.backup"), b"an old copy").unwrap();
    std::fs::write(folder.path().join("platsa-2026-11-02.backup"), b"an old copy").unwrap();
    let dir = folder.path().display().to_string();
    let app =
        spawn_app_with(&[("PLATSA_BACKUP__DIR", &dir), ("PLATSA_BACKUP__HOUR", "0"), ("PLATSA_BACKUP__KEEP", "2")])
            .await;
    let (manager, _) = app.token("manager", "Maja", None).await;
    let check = readyz_backup(&app, "ok").await;
    assert_eq!(check["scheduled"], true);
    assert_eq!(check["last"]["day"], "2026-11-23");
    assert_eq!(check["last"]["file"], "platsa-2026-11-23.backup");
    let mut files: Vec<String> =
        std::fs::read_dir(folder.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    files.sort();
    assert_eq!(files, ["platsa-2026-11-02.backup", "platsa-2026-11-23.backup"], "the newest two are kept");
    assert!(std::fs::read(folder.path().join("platsa-2026-11-23.backup")).unwrap().starts_with(b"PLATSA-BACKUP 1\n"));
    assert!(backup_signals(&app, &app.admin_token).await.is_empty());

    // Two days later the day's backup is not due yet (hour 23): the newest is too old.
    let later = app
        .at_clock_with("2026-11-25T10:00:00+01:00", &[("PLATSA_BACKUP__DIR", &dir), ("PLATSA_BACKUP__HOUR", "23")])
        .await;
    readyz_backup(&later, "stale").await;
    let signals = backup_signals(&later, &later.admin_token).await;
    assert_eq!(signals.len(), 1, "{signals:?}");
    assert_eq!(signals[0]["days"], 2);
    assert!(backup_signals(&later, &manager).await.is_empty(), "a manager does not see the admins' signal");

    // A day whose backup fails (the folder cannot be made): failed, with what went wrong.
    let blocked = folder.path().join("platsa-2026-11-23.backup").join("sub").display().to_string();
    let failing = app
        .at_clock_with("2026-11-26T10:00:00+01:00", &[("PLATSA_BACKUP__DIR", &blocked), ("PLATSA_BACKUP__HOUR", "0")])
        .await;
    let check = readyz_backup(&failing, "failed").await;
    assert!(check["last"]["error"].as_str().unwrap().contains("creating"), "{check}");
    assert_eq!(backup_signals(&failing, &failing.admin_token).await.len(), 1);
}

/// The retention run refuses to erase while backups are kept longer than the promise allows:
/// an erased person would stay in them.
#[tokio::test]
async fn retention_refuses_backups_kept_longer_than_allowed() {
    let (dir, db) = empty_database();
    let mut envs = envs_for(&dir, &db.url());
    envs.push(("PLATSA_BACKUP__KEEP", "40".to_string()));
    let (ok, _, err) = platsa(&envs, &["retention", "run"]);
    assert!(!ok && err.contains("backup.keep (40)") && err.contains("retention.backups_max_days (35)"), "{err}");
    let (ok, _, err) = platsa(&envs, &["retention", "run", "--dry-run"]);
    assert!(ok, "a dry run only lists: {err}");
}
