//! Logging. The request span records the route *pattern* (`/api/v1/bookings/{token}.ics`),
//! never the raw path or query string, and errors are recorded by status only: paths, queries
//! and bodies can carry tokens, personnummer or contact details, and none of those may reach
//! a log.

use std::time::Instant;

use actix_web::{
    HttpMessage,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
};
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};
use tracing_subscriber::filter::{FilterExt, LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, fmt::MakeWriter};

use crate::config::LogFormat;

/// The most each library that puts request data in its own debug and trace lines may log,
/// whatever `RUST_LOG` asks: actix's extractors log the request path (which may hold a
/// personnummer), the HTTP server and client stacks log headers and bodies. Platsa logs its
/// own failures, without values.
const VALUE_FREE: &[(&str, LevelFilter)] = &[
    ("actix_web::types", LevelFilter::OFF),
    ("actix_web", LevelFilter::INFO),
    ("actix_http", LevelFilter::INFO),
    ("actix_server", LevelFilter::INFO),
    ("hyper", LevelFilter::INFO),
    ("hyper_util", LevelFilter::INFO),
    ("h2", LevelFilter::INFO),
    ("reqwest", LevelFilter::INFO),
    ("rustls", LevelFilter::INFO),
    ("diesel", LevelFilter::INFO),
    ("tokio_postgres", LevelFilter::INFO),
];

/// Installs the global subscriber. `RUST_LOG` filters; the default is `info`, with tantivy's
/// per-commit chatter at `warn`. [`VALUE_FREE`] caps it: a line passes both.
pub fn init<W>(format: LogFormat, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let wanted = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,tantivy=warn"));
    let caps = Targets::new().with_default(LevelFilter::TRACE).with_targets(VALUE_FREE.iter().copied());
    // Colour codes only for a person at a terminal: a log file or a journal gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let layer = tracing_subscriber::fmt::layer().with_ansi(ansi).with_writer(writer);
    let layer = match format {
        LogFormat::Json => layer.json().flatten_event(true).with_current_span(true).boxed(),
        LogFormat::Pretty => layer.compact().boxed(),
    };
    // A second init (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry().with(layer.with_filter(wanted.and(caps))).try_init();
}

#[derive(Clone, Copy)]
struct Started(Instant);

/// The root span of every request, with a request id and nothing personal.
pub struct RedactingRootSpan;

impl RootSpanBuilder for RedactingRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let request_id = request.extensions().get::<RequestId>().copied();
        request.extensions_mut().insert(Started(Instant::now()));
        let route = request.match_pattern().unwrap_or_else(|| "unmatched".to_string());
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = %route,
            request_id = %request_id.map(|r| r.to_string()).unwrap_or_default(),
            user_id = tracing::field::Empty,
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, actix_web::Error>) {
        let (status, elapsed, route) = match outcome {
            Ok(res) => (
                res.status().as_u16(),
                res.request().extensions().get::<Started>().map(|s| s.0.elapsed()),
                res.request().match_pattern(),
            ),
            Err(e) => (e.as_response_error().status_code().as_u16(), None, None),
        };
        span.record("status", status);
        crate::metrics::request(route.as_deref().unwrap_or("unmatched"), status, elapsed);
        let ms = elapsed.map(|d| d.as_secs_f64() * 1000.0).unwrap_or_default();
        span.in_scope(|| {
            if status >= 500 {
                tracing::warn!(status, elapsed_ms = ms, "request failed");
            } else {
                tracing::info!(status, elapsed_ms = ms, "request finished");
            }
        });
    }
}
