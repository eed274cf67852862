//! One data layer over two databases: SQLite (embedded default) and PostgreSQL (scale path),
//! through diesel's `MultiConnection`. Queries are written once against `DbConnection`; the
//! few places that need backend-specific SQL match on the variant.

pub mod outbox;
pub mod schema;
pub mod text_enum;

use std::time::Duration;

use anyhow::Context;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::DatabaseUrl;
use crate::error::{AppError, AppResult};

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// How long an SQLite writer waits for the lock before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

/// Opens connections of the backend the URL names (never guessed from the string).
#[derive(Clone)]
pub struct Manager {
    url: DatabaseUrl,
}

impl Manager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }

    fn establish(&self) -> Result<DbConnection, diesel::r2d2::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                PgConnection::establish(url).map(DbConnection::Postgres).map_err(diesel::r2d2::Error::ConnectionError)
            }
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_string_lossy();
                let mut conn = SqliteConnection::establish(&path).map_err(diesel::r2d2::Error::ConnectionError)?;
                // busy_timeout first: switching to WAL needs a lock, and without the timeout a
                // connection opened while another writes fails at once with "database is locked".
                // secure_delete: deleted and overwritten content is zeroed, so an erased
                // person's data does not linger in free pages of the file. cache_size: 32 MiB
                // of pages per connection instead of 2; inserting into a register of a million
                // (random personnummer, random ids) otherwise rereads index pages all the time.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; \
                     PRAGMA cache_size = -32768;"
                ))
                .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        self.establish()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1").map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}

/// Creates the SQLite file's folder if needed, applies pending migrations, and builds the pool;
/// also returns how many migrations this call applied.
pub fn open(url: &DatabaseUrl, size: u32) -> anyhow::Result<(Pool, usize)> {
    if let DatabaseUrl::Sqlite(path) = url
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let manager = Manager::new(url.clone());
    let mut conn = manager.establish().with_context(|| format!("connecting to {}", url.redacted()))?;
    let applied = migrate(&mut conn)?;
    drop(conn);
    let pool = r2d2::Pool::builder()
        .max_size(size)
        .connection_timeout(Duration::from_secs(15))
        .event_handler(Box::new(crate::metrics::PoolEvents))
        .build(manager)
        .context("building the connection pool")?;
    Ok((pool, applied))
}

/// [`open`], for callers that do not need the count.
pub fn connect(url: &DatabaseUrl, size: u32) -> anyhow::Result<Pool> {
    open(url, size).map(|(pool, _)| pool)
}

/// Applies the embedded migrations of the connection's backend; returns how many ran.
pub fn migrate(conn: &mut DbConnection) -> anyhow::Result<usize> {
    let applied = match conn {
        DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    }
    .map_err(|e| anyhow::anyhow!("applying migrations: {e}"))?;
    Ok(applied)
}

/// The newest migration this binary carries for the URL's backend (as
/// `__diesel_schema_migrations` stores it): a backup taken by a newer schema is refused.
pub fn newest_migration(url: &DatabaseUrl) -> Option<String> {
    use diesel::migration::MigrationSource;
    let versions: Vec<String> = match url {
        DatabaseUrl::Sqlite(_) => MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
            .ok()?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
        DatabaseUrl::Postgres(_) => MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
            .ok()?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
    };
    versions.into_iter().max()
}

/// Runs blocking diesel work on the blocking thread pool, keeping the request's span.
pub async fn run<T, F>(pool: &Pool, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let span = tracing::Span::current();
    actix_web::web::block(move || {
        let _entered = span.enter();
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?
}

/// SQLite has one writer at a time. A writer that finds the lock taken waits in SQLite's busy
/// handler, which sleeps 1, 2, 5, 10… ms between tries: with eight clients posting, most of
/// the time went to those sleeps (862 seekers/s at a quarter of a core). Writers in this
/// process queue here instead and the next one starts the moment the previous one ends. Only
/// speed depends on it: the lock itself is still SQLite's, a writer in another process still
/// meets the busy timeout, and one that waits here too long goes on to SQLite's own wait.
struct WriterGate {
    busy: std::sync::Mutex<bool>,
    free: std::sync::Condvar,
}

static WRITER_GATE: WriterGate = WriterGate { busy: std::sync::Mutex::new(false), free: std::sync::Condvar::new() };

/// How long a writer queues in this process before trying SQLite's lock regardless.
const GATE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

struct GatePass;

impl WriterGate {
    fn enter(&'static self) -> Option<GatePass> {
        let deadline = std::time::Instant::now() + GATE_WAIT;
        let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        while *busy {
            let left = deadline.checked_duration_since(std::time::Instant::now())?;
            busy = self.free.wait_timeout(busy, left).unwrap_or_else(|p| p.into_inner()).0;
        }
        *busy = true;
        Some(GatePass)
    }
}

impl Drop for GatePass {
    fn drop(&mut self) {
        *WRITER_GATE.busy.lock().unwrap_or_else(|p| p.into_inner()) = false;
        WRITER_GATE.free.notify_one();
    }
}

/// A write transaction. On SQLite it is `BEGIN IMMEDIATE`, so a transaction that reads and
/// then writes takes the write lock up front and waits (busy timeout) instead of failing
/// with SQLITE_BUSY on upgrade; on PostgreSQL a plain transaction.
pub fn write_tx<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let _pass = match conn {
        DbConnection::Sqlite(c) => {
            let pass = WRITER_GATE.enter();
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            pass
        }
        DbConnection::Postgres(c) => {
            AnsiTransactionManager::begin_transaction(c)?;
            None
        }
    };
    match f(conn) {
        Ok(value) => {
            let committed = match conn {
                DbConnection::Sqlite(c) => AnsiTransactionManager::commit_transaction(c),
                DbConnection::Postgres(c) => AnsiTransactionManager::commit_transaction(c),
            };
            committed?;
            outbox::committed();
            Ok(value)
        }
        Err(e) => {
            let _ = match conn {
                DbConnection::Sqlite(c) => AnsiTransactionManager::rollback_transaction(c),
                DbConnection::Postgres(c) => AnsiTransactionManager::rollback_transaction(c),
            };
            outbox::rolled_back();
            Err(e)
        }
    }
}

/// Whether the database answers; for `/readyz`.
pub fn ping(conn: &mut DbConnection) -> AppResult<()> {
    conn.batch_execute("SELECT 1").map_err(AppError::from)
}

/// This database's identity, made by the first process that asks (two at once agree: the
/// second insert finds the first's row).
pub fn identity(conn: &mut DbConnection) -> AppResult<String> {
    use schema::database_identity as di;
    let found: Option<String> = di::table.select(di::id).first(conn).optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    let made = uuid::Uuid::new_v4().to_string();
    let now = chrono::Utc::now().timestamp();
    // The table holds one row: a second process inserting at once fails on nothing (its row
    // is only read back if no other is there).
    let _ = write_tx(conn, |c| -> AppResult<()> {
        let n: i64 = di::table.count().get_result(c)?;
        if n == 0 {
            diesel::insert_into(di::table).values((di::id.eq(&made), di::created_at.eq(now))).execute(c)?;
        }
        Ok(())
    });
    Ok(di::table.order(di::created_at).select(di::id).first(conn)?)
}

/// A new time-ordered id (UUID v7): ids never reveal counts and sort by creation.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// One multi-row `INSERT` of a `Vec` of rows (value tuples or `Insertable` structs), on
/// either backend: diesel's `MultiConnection` cannot insert a batch, the concrete
/// connections can. The caller keeps a batch under the bound-parameter limits (SQLite
/// 32 766, PostgreSQL 65 535).
#[macro_export]
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {{
        use diesel::RunQueryDsl as _;
        match $conn {
            $crate::db::DbConnection::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
            $crate::db::DbConnection::Postgres(c) => diesel::insert_into($table).values($rows).execute(c),
        }
    }};
}
