//! Posting to outside receivers: one client setup and one reading of the answer. The one
//! delivery loop (`deliveries`) keeps what is sent in the database and retries what failed;
//! the `Idempotency-Key` makes a repeated delivery harmless to the receiver.

use std::time::Duration;

use crate::error::{AppError, AppResult};

/// A client with a whole-request timeout that follows no redirect: a receiver answering 3xx
/// must not make Platsa re-post what it carries (contact details) to wherever it points.
pub fn client(timeout: Duration) -> AppResult<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| AppError::internal(format!("http client: {e}")))
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
