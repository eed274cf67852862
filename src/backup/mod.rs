//! Backups and restores: a consistent copy of the whole database taken while `serve` runs and
//! writes, optionally encrypted with age, and a restore into an empty database that verifies
//! the copy before anything is put in place.
//!
//! The file is one stream: a first line (`PLATSA-BACKUP 1`), a line of JSON (the
//! [`Manifest`]: schema and taxonomy versions, rows per table, the payload's size and SHA-256)
//! and the payload, which is the database itself (SQLite: a file made by `VACUUM INTO`;
//! PostgreSQL: a `pg_dump` archive in custom format). Encrypted, the whole stream is an age
//! file. The manifest's counts come from the same snapshot as the payload, so a restore can
//! check every table.
//!
//! Nothing here logs a value from the database: backups hold personal data.

pub mod schedule;
pub mod store;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::DatabaseUrl;
use crate::db::DbConnection;

/// The first line of every (unencrypted) backup.
const MAGIC: &str = "PLATSA-BACKUP 1";
/// How an age file starts.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1";
/// A manifest line longer than this is not one of ours.
const MANIFEST_MAX: u64 = 4 << 20;

/// What a backup holds, written before its payload and checked by a restore.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// `sqlite` or `postgres`: a backup restores into the same backend.
    pub backend: String,
    /// When the copy was taken (RFC 3339).
    pub taken_at: String,
    /// The Platsa version that took it.
    pub platsa_version: String,
    /// The newest migration applied in the copy.
    pub schema_version: Option<String>,
    /// The newest stored taxonomy version in the copy (none: the compiled-in one).
    pub taxonomy_version: Option<i64>,
    /// Rows per table in the copy.
    pub tables: BTreeMap<String, i64>,
    pub payload_bytes: u64,
    /// SHA-256 of the payload, in hex.
    pub payload_sha256: String,
}

impl Manifest {
    /// Rows of one table (0 for a table the copy does not have).
    pub fn rows(&self, table: &str) -> i64 {
        self.tables.get(table).copied().unwrap_or(0)
    }
}

/// What a backup run produced.
#[derive(Debug, Clone)]
pub struct Taken {
    pub manifest: Manifest,
    /// The size of the written file (after encryption).
    pub bytes: u64,
    pub encrypted: bool,
}

pub use crate::config::{Recipient, recipient};

/// Takes a consistent copy of the database at `url` into `to` (replaced atomically when done),
/// encrypted to `recipient` when given. Works beside running `serve` processes: SQLite copies
/// a read snapshot with `VACUUM INTO` (never the file, which may be mid-write), PostgreSQL
/// dumps an exported snapshot that the manifest's counts are read in as well.
pub fn take(url: &DatabaseUrl, to: &Path, recipient: Option<&Recipient>, now: i64) -> anyhow::Result<Taken> {
    let dir = parent_of(to);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    // Beside the target, so the finished file is renamed into place, never copied.
    let work = tempfile::Builder::new().prefix(".platsa-backup-").tempdir_in(&dir).context("a work folder")?;
    let payload = work.path().join("payload");
    let mut manifest = match url {
        DatabaseUrl::Sqlite(path) => sqlite_snapshot(path, &payload)?,
        DatabaseUrl::Postgres(url) => postgres_snapshot(url, &payload)?,
    };
    manifest.taken_at = crate::clock::format_ts(now);
    let (bytes, sha) = digest(&payload)?;
    manifest.payload_bytes = bytes;
    manifest.payload_sha256 = sha;

    let out = tempfile::NamedTempFile::new_in(&dir).context("creating the backup file")?;
    {
        let mut writer = BufWriter::new(out.as_file());
        match recipient {
            Some(r) => {
                let encryptor = age::Encryptor::with_recipients(std::iter::once(r.as_ref() as &dyn age::Recipient))
                    .context("preparing the encryption")?;
                let mut sealed = encryptor.wrap_output(&mut writer).context("encrypting")?;
                write_stream(&mut sealed, &manifest, &payload)?;
                sealed.finish().context("finishing the encryption")?;
            }
            None => write_stream(&mut writer, &manifest, &payload)?,
        }
        writer.flush().context("writing the backup file")?;
    }
    out.as_file().sync_all().context("syncing the backup file")?;
    let bytes = out.as_file().metadata()?.len();
    out.persist(to).with_context(|| format!("moving the backup to {}", to.display()))?;
    sync_dir(&dir);
    Ok(Taken { manifest, bytes, encrypted: recipient.is_some() })
}

/// Restores the backup in `from` into the empty database at `url`: decrypts it with the
/// identities in `identity` (an age identity file) when it is encrypted, checks the manifest
/// (backend, a schema this binary knows) and the payload's checksum before touching the
/// database, then restores, checks the result (SQLite's integrity check, every table's rows
/// against the manifest) and gives the database a new identity, so every index built from
/// another copy is rebuilt at the next `serve`. A database with any table is refused.
pub fn restore(url: &DatabaseUrl, from: &Path, identity: Option<&Path>) -> anyhow::Result<Manifest> {
    refuse_unless_empty(url)?;
    let file = std::fs::File::open(from).with_context(|| format!("opening {}", from.display()))?;
    let mut raw = BufReader::new(file);
    let encrypted = raw.fill_buf().context("reading the backup")?.starts_with(AGE_MAGIC);
    let mut stream: Box<dyn BufRead> = if encrypted {
        let Some(identity) = identity else {
            bail!("the backup is encrypted: give the identity file (the age private key) with --identity KEYFILE")
        };
        let identities = age::IdentityFile::from_file(identity.display().to_string())
            .with_context(|| format!("reading the identity file {}", identity.display()))?
            .into_identities()
            .map_err(|e| anyhow::anyhow!("the identity file holds no usable age identity: {e}"))?;
        let decryptor =
            age::Decryptor::new_buffered(raw).map_err(|e| anyhow::anyhow!("not a readable age file: {e}"))?;
        let reader = decryptor
            .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
            .map_err(|e| anyhow::anyhow!("the identity cannot open this backup: {e}"))?;
        Box::new(BufReader::new(reader))
    } else {
        Box::new(raw)
    };
    let manifest = read_header(&mut stream)?;
    if manifest.backend != url.backend() {
        bail!(
            "the backup is of a {} database and cannot be restored into {} ({})",
            manifest.backend,
            url.backend(),
            url.redacted()
        );
    }
    let known = crate::db::newest_migration(url);
    if let (Some(theirs), Some(ours)) = (&manifest.schema_version, &known)
        && theirs > ours
    {
        bail!(
            "the backup was taken by a newer Platsa (schema {theirs}; this one knows up to {ours}): restore with that version"
        );
    }
    match url {
        DatabaseUrl::Sqlite(path) => restore_sqlite(path, &manifest, &mut stream)?,
        DatabaseUrl::Postgres(url) => restore_postgres(url, &manifest, &mut stream)?,
    }
    Ok(manifest)
}

fn parent_of(path: &Path) -> PathBuf {
    path.parent().filter(|d| !d.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

fn sync_dir(dir: &Path) {
    // A rename is durable once its folder is synced; where that is not possible it still happened.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The payload's size and SHA-256.
fn digest(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut file = std::fs::File::open(path).context("reading the copy")?;
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut file, &mut hasher).context("reading the copy")?;
    Ok((bytes, hex::encode(hasher.finalize())))
}

fn write_stream(out: &mut impl Write, manifest: &Manifest, payload: &Path) -> anyhow::Result<()> {
    writeln!(out, "{MAGIC}")?;
    serde_json::to_writer(&mut *out, manifest)?;
    writeln!(out)?;
    let mut file = std::fs::File::open(payload).context("reading the copy")?;
    std::io::copy(&mut file, out).context("writing the backup")?;
    Ok(())
}

fn read_header(stream: &mut dyn BufRead) -> anyhow::Result<Manifest> {
    let not_ours = || anyhow::anyhow!("not a Platsa backup (it does not start with `{MAGIC}`)");
    let mut first = String::new();
    stream.take(64).read_line(&mut first).map_err(|_| not_ours())?;
    if first.trim_end() != MAGIC {
        return Err(not_ours());
    }
    let mut line = String::new();
    stream.take(MANIFEST_MAX).read_line(&mut line).context("reading the manifest")?;
    serde_json::from_str(line.trim_end()).map_err(|e| anyhow::anyhow!("the backup's manifest is damaged: {e}"))
}

/// Copies the payload out of the stream into `into`, and refuses it unless its size and
/// SHA-256 are the manifest's.
fn unpack_payload(stream: &mut dyn BufRead, manifest: &Manifest, into: &Path) -> anyhow::Result<()> {
    let file = std::fs::File::create(into).with_context(|| format!("creating {}", into.display()))?;
    let mut out = BufWriter::new(file);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = stream.read(&mut buf).map_err(|e| anyhow::anyhow!("the backup could not be read to its end: {e}"))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).context("writing the restored copy")?;
        bytes += n as u64;
    }
    out.flush()?;
    out.get_ref().sync_all()?;
    if bytes != manifest.payload_bytes || hex::encode(hasher.finalize()) != manifest.payload_sha256 {
        bail!(
            "the backup is damaged: its content does not match the manifest's checksum ({bytes} of {} bytes); nothing was restored",
            manifest.payload_bytes
        );
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

#[derive(QueryableByName)]
struct Taxonomy {
    #[diesel(sql_type = Nullable<BigInt>)]
    v: Option<i64>,
}

/// The tables of a database (not SQLite's own).
fn tables(conn: &mut DbConnection) -> anyhow::Result<Vec<String>> {
    let sql = match conn {
        DbConnection::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        DbConnection::Postgres(_) => {
            "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        }
    };
    Ok(diesel::sql_query(sql).load::<Name>(conn)?.into_iter().map(|n| n.name).collect())
}

/// Versions and rows per table, read on `conn` (inside the snapshot being copied).
fn census(conn: &mut DbConnection, backend: &str) -> anyhow::Result<Manifest> {
    let mut counts = BTreeMap::new();
    let names = tables(conn)?;
    for table in &names {
        let n = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM \"{}\"", table.replace('"', "\"\"")))
            .get_result::<Count>(conn)
            .with_context(|| format!("counting {table}"))?
            .n;
        counts.insert(table.clone(), n);
    }
    let schema_version = if names.iter().any(|t| t == "__diesel_schema_migrations") {
        diesel::sql_query("SELECT MAX(version) AS v FROM __diesel_schema_migrations").get_result::<Version>(conn)?.v
    } else {
        None
    };
    let taxonomy_version = if names.iter().any(|t| t == "taxonomy_versions") {
        diesel::sql_query("SELECT MAX(version) AS v FROM taxonomy_versions").get_result::<Taxonomy>(conn)?.v
    } else {
        None
    };
    Ok(Manifest {
        backend: backend.to_string(),
        taken_at: String::new(),
        platsa_version: env!("CARGO_PKG_VERSION").to_string(),
        schema_version,
        taxonomy_version,
        tables: counts,
        payload_bytes: 0,
        payload_sha256: String::new(),
    })
}

/// Opens an existing SQLite file (never creating one) as the app does: waits for the lock.
fn sqlite_connection(path: &Path) -> anyhow::Result<DbConnection> {
    let text = path.to_str().context("the SQLite path is not UTF-8")?;
    let mut c = SqliteConnection::establish(text).with_context(|| format!("opening {}", path.display()))?;
    c.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;")?;
    Ok(DbConnection::Sqlite(c))
}

fn sqlite_snapshot(path: &Path, into: &Path) -> anyhow::Result<Manifest> {
    if !path.is_file() {
        bail!("there is no SQLite database at {}", path.display());
    }
    let mut conn = sqlite_connection(path)?;
    let target = into.to_str().context("the backup folder's path is not UTF-8")?;
    // One read transaction: writers go on (WAL), the copy is the database as of its start.
    conn.batch_execute(&format!("VACUUM INTO '{}'", target.replace('\'', "''")))
        .context("copying the database (VACUUM INTO)")?;
    drop(conn);
    let mut copy = sqlite_connection(into)?;
    census(&mut copy, "sqlite")
}

/// A PostgreSQL URL without its password, and the password (for `PGPASSWORD`): a password on
/// a command line is visible to every user of the machine.
fn libpq_target(url: &str) -> anyhow::Result<(String, Option<String>)> {
    let mut parsed = url::Url::parse(url).context("the PostgreSQL URL cannot be read")?;
    let password = parsed.password().map(|p| {
        url::form_urlencoded::parse(format!("p={p}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
    });
    let _ = parsed.set_password(None);
    Ok((parsed.to_string(), password))
}

/// A PostgreSQL client program from `PATH`, or an error naming what to install.
fn pg_tool(name: &str) -> anyhow::Result<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{name} was not found on PATH: install PostgreSQL's client programs (Debian: postgresql-client, \
                 the server's major version or newer) or add their folder to PATH"
            )
        })
}

fn run_pg_tool(tool: &str, args: &[&str], url: &str) -> anyhow::Result<()> {
    let (target, password) = libpq_target(url)?;
    let mut cmd = Command::new(pg_tool(tool)?);
    cmd.args(args).arg(format!("--dbname={target}"));
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.output().with_context(|| format!("running {tool}"))?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr);
        let last: Vec<&str> = said.lines().rev().take(5).collect();
        bail!("{tool} failed ({}): {}", out.status, last.into_iter().rev().collect::<Vec<_>>().join(" | "));
    }
    Ok(())
}

fn postgres_snapshot(url: &str, into: &Path) -> anyhow::Result<Manifest> {
    pg_tool("pg_dump")?;
    let pg = PgConnection::establish(url).map_err(|e| anyhow::anyhow!("connecting to PostgreSQL: {e}"))?;
    let mut conn = DbConnection::Postgres(pg);
    conn.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
    #[derive(QueryableByName)]
    struct Snapshot {
        #[diesel(sql_type = Text)]
        id: String,
    }
    // pg_dump reads the snapshot this transaction exported: the dump and the counts below see
    // the same database, while writers go on.
    let snapshot = diesel::sql_query("SELECT pg_export_snapshot() AS id").get_result::<Snapshot>(&mut conn)?.id;
    let manifest = census(&mut conn, "postgres")?;
    let file = into.to_str().context("the backup folder's path is not UTF-8")?;
    let dumped = run_pg_tool(
        "pg_dump",
        &[
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            &format!("--snapshot={snapshot}"),
            &format!("--file={file}"),
        ],
        url,
    );
    let _ = conn.batch_execute("COMMIT");
    dumped?;
    Ok(manifest)
}

/// Refuses a database that has any table: a restore never mixes two databases.
fn refuse_unless_empty(url: &DatabaseUrl) -> anyhow::Result<()> {
    let found = match url {
        DatabaseUrl::Sqlite(path) => {
            if !path.exists() || std::fs::metadata(path)?.len() == 0 {
                return Ok(());
            }
            tables(&mut sqlite_connection(path)?)?
        }
        DatabaseUrl::Postgres(u) => {
            let pg = PgConnection::establish(u).map_err(|e| anyhow::anyhow!("connecting to PostgreSQL: {e}"))?;
            tables(&mut DbConnection::Postgres(pg))?
        }
    };
    if !found.is_empty() {
        bail!(
            "{} is not empty ({} tables): a restore goes into a new, empty database; nothing was changed",
            url.redacted(),
            found.len()
        );
    }
    Ok(())
}

/// Checks a restored database against the manifest, then gives it a new identity.
fn verify_and_reidentify(conn: &mut DbConnection, manifest: &Manifest) -> anyhow::Result<()> {
    let found = census(conn, &manifest.backend)?;
    let differ: Vec<&String> = manifest
        .tables
        .iter()
        .filter(|(t, n)| found.tables.get(*t) != Some(n))
        .map(|(t, _)| t)
        .chain(found.tables.keys().filter(|t| !manifest.tables.contains_key(*t)))
        .collect();
    if !differ.is_empty() {
        bail!("the restored copy does not hold what the manifest lists (tables {differ:?})");
    }
    if found.tables.contains_key("database_identity") {
        conn.batch_execute(&format!(
            "UPDATE database_identity SET id = '{}'",
            uuid::Uuid::new_v4() // a fresh random id, no value from outside
        ))?;
    }
    Ok(())
}

fn restore_sqlite(path: &Path, manifest: &Manifest, stream: &mut dyn BufRead) -> anyhow::Result<()> {
    let dir = parent_of(path);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let work = tempfile::Builder::new().prefix(".platsa-restore-").tempdir_in(&dir).context("a work folder")?;
    let copy = work.path().join("restored.db");
    unpack_payload(stream, manifest, &copy)?;
    {
        let mut conn = sqlite_connection(&copy)?;
        #[derive(QueryableByName)]
        struct Check {
            #[diesel(sql_type = Text)]
            integrity_check: String,
        }
        let said: Vec<String> = diesel::sql_query("PRAGMA integrity_check")
            .load::<Check>(&mut conn)?
            .into_iter()
            .map(|c| c.integrity_check)
            .collect();
        if said != ["ok"] {
            bail!("the restored copy fails SQLite's integrity check ({} problems); nothing was restored", said.len());
        }
        #[derive(QueryableByName)]
        struct Orphan {
            #[diesel(sql_type = Text)]
            table: String,
        }
        let orphans = diesel::sql_query("PRAGMA foreign_key_check").load::<Orphan>(&mut conn)?;
        if let Some(o) = orphans.first() {
            bail!("the restored copy has rows whose references are missing (in {}); nothing was restored", o.table);
        }
        verify_and_reidentify(&mut conn, manifest)?;
        conn.batch_execute("PRAGMA journal_mode = DELETE")?;
    }
    // A write-ahead log left by an earlier empty database would be applied to the new file.
    for suffix in ["-wal", "-shm", "-journal"] {
        let stale = PathBuf::from(format!("{}{suffix}", path.display()));
        if stale.exists() {
            std::fs::remove_file(&stale).with_context(|| format!("removing {}", stale.display()))?;
        }
    }
    std::fs::rename(&copy, path).with_context(|| format!("moving the restored copy to {}", path.display()))?;
    sync_dir(&dir);
    Ok(())
}

fn restore_postgres(url: &str, manifest: &Manifest, stream: &mut dyn BufRead) -> anyhow::Result<()> {
    pg_tool("pg_restore")?;
    let work = tempfile::Builder::new().prefix("platsa-restore-").tempdir().context("a work folder")?;
    let copy = work.path().join("payload.dump");
    unpack_payload(stream, manifest, &copy)?;
    let file = copy.to_str().context("the work folder's path is not UTF-8")?;
    // One transaction: a failure leaves the database as empty as it was.
    run_pg_tool(
        "pg_restore",
        &["--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges", file],
        url,
    )?;
    let pg = PgConnection::establish(url).map_err(|e| anyhow::anyhow!("connecting to PostgreSQL: {e}"))?;
    verify_and_reidentify(&mut DbConnection::Postgres(pg), manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_leaves_the_url_for_the_environment() {
        let (url, password) =
            libpq_target("postgres://platsa:s%40cret@db.kommun.se:5432/platsa?sslmode=require").unwrap();
        assert_eq!(url, "postgres://platsa@db.kommun.se:5432/platsa?sslmode=require");
        assert_eq!(password.as_deref(), Some("s@cret"));
        let (url, password) = libpq_target("postgres://postgres@127.0.0.1:5432/x").unwrap();
        assert_eq!(url, "postgres://postgres@127.0.0.1:5432/x");
        assert_eq!(password, None);
    }

    #[test]
    #[allow(deprecated)] // classic keys: what existing age users have
    fn post_quantum_and_classic_recipients_are_read() {
        assert!(recipient(&age::pq::Identity::generate().to_public().to_string()).is_ok());
        assert!(recipient(&age::x25519::Identity::generate().to_public().to_string()).is_ok());
        let e = recipient("age1nope").err().unwrap().to_string();
        assert!(e.contains("not an age recipient") && !e.contains("nope"), "{e}");
    }

    #[test]
    fn a_stream_reads_back_and_a_stranger_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let payload = dir.path().join("p");
        std::fs::write(&payload, b"rows").unwrap();
        let (bytes, sha) = digest(&payload).unwrap();
        let manifest = Manifest {
            backend: "sqlite".into(),
            taken_at: "2026-12-07T03:00:00+01:00".into(),
            platsa_version: "0".into(),
            schema_version: Some("20261210000027".into()),
            taxonomy_version: None,
            tables: BTreeMap::from([("seekers".to_string(), 3)]),
            payload_bytes: bytes,
            payload_sha256: sha,
        };
        let mut out = Vec::new();
        write_stream(&mut out, &manifest, &payload).unwrap();
        let mut reader = std::io::Cursor::new(out.clone());
        assert_eq!(read_header(&mut reader).unwrap(), manifest);
        unpack_payload(&mut reader, &manifest, &dir.path().join("q")).unwrap();
        // One changed byte of the payload is found.
        let last = out.len() - 1;
        out[last] ^= 1;
        let mut reader = std::io::Cursor::new(out);
        read_header(&mut reader).unwrap();
        let e = unpack_payload(&mut reader, &manifest, &dir.path().join("r")).unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
        let e = read_header(&mut std::io::Cursor::new(b"SQLite format 3\0".to_vec())).unwrap_err();
        assert!(e.to_string().contains("not a Platsa backup"), "{e}");
    }
}
