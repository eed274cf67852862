//! Posting events to outside gateways (reminders, consent requests, report pushes): one
//! client setup and one reading of the answer, so every sender retries on the same terms.
//! The caller keeps what was sent in the database and retries what failed; the
//! `Idempotency-Key` makes a repeated delivery harmless to the receiver.

use std::time::Duration;

use crate::error::{AppError, AppResult};

/// A client with a whole-request timeout.
pub fn client(timeout: Duration) -> AppResult<reqwest::Client> {
    reqwest::Client::builder().timeout(timeout).build().map_err(|e| AppError::internal(format!("http client: {e}")))
}

/// POSTs a JSON body with its idempotency key; `Err` says why it was not delivered (an HTTP
/// status or the kind of network error, never the URL, which may hold a secret).
pub async fn post(client: &reqwest::Client, url: &str, key: &str, json: String) -> Result<(), String> {
    let result = client
        .post(url)
        .header("Idempotency-Key", key)
        .header("Content-Type", "application/json")
        .body(json)
        .send()
        .await;
    match result {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(format!("HTTP {}", r.status().as_u16())),
        Err(e) => Err(e.without_url().to_string()),
    }
}

/// Seconds to wait before the next attempt after `attempts` failed ones: a minute, doubling,
/// at most about four hours.
pub fn backoff_secs(attempts: i32) -> i64 {
    60i64 << attempts.clamp(0, 8)
}

/// POSTs up to `attempts` times, waiting `base`, then twice that, and so on; after each
/// attempt `record` stores its outcome (`None`: delivered, `Some(why)`: failed), so nothing
/// is lost between attempts. Returns whether it was delivered.
pub async fn post_with_retries<F, Fut>(
    client: &reqwest::Client,
    url: &str,
    key: &str,
    body: &str,
    (attempts, base): (u32, Duration),
    mut record: F,
) -> AppResult<bool>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = AppResult<()>>,
{
    let mut wait = base;
    for attempt in 0..attempts {
        if attempt > 0 {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
        let error = post(client, url, key, body.to_string()).await.err();
        let delivered = error.is_none();
        record(error).await?;
        if delivered {
            return Ok(true);
        }
    }
    Ok(false)
}
