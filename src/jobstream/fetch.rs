//! Asking JobStream, politely: retries on 429, 5xx and network errors with backoff (or as
//! long as `Retry-After` asks), the answer streamed to a temporary file (a snapshot is all
//! of Platsbanken), then read one ad at a time so memory holds one ad, not the whole answer.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use futures_util::StreamExt;

use crate::config::JobStreamSettings;

/// The answer on disk, or why there is none; and how many requests it took.
pub struct Fetched {
    pub file: Result<PathBuf, String>,
    pub attempts: u32,
}

/// Longest wait a `Retry-After` may ask for within one run; longer, and the next run retries.
const MAX_RETRY_AFTER_SECS: u64 = 600;

enum Attempt {
    Done(PathBuf),
    /// Worth another try, after the service's own wait if it named one.
    Retry(String, Option<Duration>),
    Fatal(String),
}

pub async fn download(settings: &JobStreamSettings, url: &str) -> Fetched {
    // A redirect is an answer like any other non-success: the api-key goes nowhere else.
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_millis(settings.timeout_ms))
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => return Fetched { file: Err(format!("http client: {e}")), attempts: 0 },
    };
    let mut wait = Duration::from_millis(settings.retry_base_ms);
    let mut last = String::new();
    for attempt in 1..=settings.attempts {
        match once(&client, settings, url).await {
            Attempt::Done(path) => return Fetched { file: Ok(path), attempts: attempt },
            Attempt::Fatal(why) => return Fetched { file: Err(why), attempts: attempt },
            Attempt::Retry(why, asked) => {
                last = why;
                if attempt < settings.attempts {
                    tokio::time::sleep(asked.unwrap_or(wait)).await;
                    wait *= 2;
                }
            }
        }
    }
    Fetched { file: Err(format!("{last} after {} attempts", settings.attempts)), attempts: settings.attempts }
}

/// One request. Errors say the status or the kind of network error, never the URL (it may
/// carry filters) or anything from the body.
async fn once(client: &reqwest::Client, settings: &JobStreamSettings, url: &str) -> Attempt {
    let mut request = client.get(url).header("Accept", "application/json");
    if !settings.api_key.trim().is_empty() {
        request = request.header("api-key", settings.api_key.trim());
    }
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) => return Attempt::Retry(e.without_url().to_string(), None),
    };
    let status = response.status();
    if !status.is_success() {
        let why = format!("HTTP {}", status.as_u16());
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| Duration::from_secs(s.min(MAX_RETRY_AFTER_SECS)));
        return if status.as_u16() == 429 || status.as_u16() == 408 || status.is_server_error() {
            Attempt::Retry(why, retry_after)
        } else {
            Attempt::Fatal(why)
        };
    }
    let path = std::env::temp_dir().join(format!("platsa-jobstream-{}.json", uuid::Uuid::new_v4().simple()));
    let result = save(response, &path, u64::from(settings.max_mb) << 20).await;
    if !matches!(result, Attempt::Done(_)) {
        let _ = std::fs::remove_file(&path);
    }
    result
}

/// The answer to a file, at most `max` bytes: a larger one is refused (not retried), so a
/// broken or hostile answer cannot fill the disk.
async fn save(response: reqwest::Response, path: &PathBuf, max: u64) -> Attempt {
    let too_large = || Attempt::Fatal(format!("the answer is larger than jobstream.max_mb ({} MB)", max >> 20));
    if response.content_length().is_some_and(|n| n > max) {
        return too_large();
    }
    let file = match std::fs::File::create(path) {
        Ok(f) => f,
        Err(e) => return Attempt::Retry(format!("a temporary file: {}", e.kind()), None),
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    let mut body = response.bytes_stream();
    let mut written = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => return Attempt::Retry(format!("the answer broke off: {}", e.without_url()), None),
        };
        written += chunk.len() as u64;
        if written > max {
            return too_large();
        }
        if let Err(e) = out.write_all(&chunk) {
            return Attempt::Retry(format!("a temporary file: {}", e.kind()), None);
        }
    }
    match out.flush() {
        Ok(()) => Attempt::Done(path.clone()),
        Err(e) => Attempt::Retry(format!("a temporary file: {}", e.kind()), None),
    }
}

/// Calls `each` with every element of a JSON array, one at a time.
pub fn each_element<R: std::io::Read>(reader: R, each: impl FnMut(serde_json::Value)) -> Result<(), serde_json::Error> {
    use serde::de::{Deserializer, SeqAccess, Visitor};

    struct Elements<F>(F);

    impl<'de, F: FnMut(serde_json::Value)> Visitor<'de> for Elements<F> {
        type Value = ();

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON array of job ads")
        }

        fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
            while let Some(element) = seq.next_element::<serde_json::Value>()? {
                (self.0)(element);
            }
            Ok(())
        }
    }

    let mut de = serde_json::Deserializer::from_reader(reader);
    de.deserialize_seq(Elements(each))?;
    de.end()
}

#[cfg(test)]
mod tests {
    #[test]
    fn elements_are_read_one_at_a_time() {
        let mut seen = Vec::new();
        super::each_element(&b"[{\"id\": 1}, {\"id\": \"2\"}, 3]"[..], |v| seen.push(v)).unwrap();
        assert_eq!(seen.len(), 3);
        assert!(super::each_element(&b"{\"ads\": []}"[..], |_| {}).is_err());
    }
}
