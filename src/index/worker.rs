//! The indexer's thread: one per process applies the outbox to this process's indexes, in
//! order. Writes wake it at once; it also polls, so writes made by other processes on the
//! same PostgreSQL database arrive too. The thread owns the index writers and drops them when
//! it stops, which releases the directory lock. What it applies is the caller's
//! (`search::indexer::catch_up`): this kit knows no capability.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::{SearchIndex, Writers};
use crate::db::Pool;
use crate::db::outbox;

/// How often the indexer looks for writes made by other processes.
const POLL: Duration = Duration::from_millis(200);

/// Applies what the outbox holds after the index's position; answers how many events.
pub type Apply = fn(&Pool, &SearchIndex, &mut Writers) -> anyhow::Result<usize>;

#[derive(Default)]
struct Wake {
    pending: Mutex<bool>,
    cv: Condvar,
}

impl Wake {
    fn notify(&self) {
        *self.pending.lock().expect("wake lock") = true;
        self.cv.notify_one();
    }
}

pub struct Indexer {
    wake: Arc<Wake>,
    /// Keeps this indexer subscribed to the outbox's commits.
    _on_commit: Arc<dyn Fn() + Send + Sync>,
    stop: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Indexer {
    /// Starts the thread; it owns `writers` from now on.
    pub fn start(pool: Pool, index: Arc<SearchIndex>, mut writers: Writers, apply: Apply) -> Self {
        let wake = Arc::new(Wake::default());
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new()
            .name("indexer".into())
            .spawn({
                let (wake, stop) = (wake.clone(), stop.clone());
                move || {
                    run(&pool, &index, &mut writers, apply, &wake, &stop);
                    writers.finish();
                }
            })
            .expect("spawning the indexer thread");
        let on_commit = outbox::on_commit({
            let wake = wake.clone();
            move || wake.notify()
        });
        Self { wake, _on_commit: on_commit, stop, thread: Mutex::new(Some(thread)) }
    }

    /// Index what is in the outbox now rather than at the next poll.
    pub fn notify(&self) {
        self.wake.notify();
    }

    /// Applies what is left, stops, and releases the writers; called on graceful shutdown
    /// (and on drop, so an indexer is never left running by accident).
    pub fn shutdown(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.notify();
        if let Some(t) = self.thread.lock().expect("thread lock").take() {
            let _ = t.join();
        }
    }
}

impl Drop for Indexer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn run(pool: &Pool, index: &SearchIndex, writers: &mut Writers, apply: Apply, wake: &Wake, stop: &AtomicBool) {
    loop {
        {
            let pending = wake.pending.lock().expect("wake lock");
            let (mut pending, _) = wake.cv.wait_timeout_while(pending, POLL, |p| !*p).expect("wake lock");
            *pending = false;
        }
        let stopping = stop.load(Ordering::SeqCst);
        if let Err(e) = apply(pool, index, writers) {
            tracing::warn!(error = %format!("{e:#}"), "indexer: applying the outbox failed; retrying");
            std::thread::sleep(Duration::from_secs(1));
        }
        if stopping {
            return;
        }
    }
}
