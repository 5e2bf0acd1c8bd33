//! Structured logs on stderr via `tracing`: human-readable text, or one JSON object per line
//! with `HELPDESK_LOG_FORMAT=json`. The filter comes from `RUST_LOG` (default `info`).
//!
//! Never log a password, a token or an `Authorization` header: request logs carry only the
//! method, the path (no query string), the status, the latency and the client IP.

use tracing_subscriber::{EnvFilter, Layer, filter::Targets, layer::SubscriberExt, util::SubscriberInitExt};

use crate::{config::LogFormat, request_logs};

/// Logs to stderr; with `log_dir`, the access log also goes to daily JSON files (P10).
pub fn init(format: LogFormat, log_dir: Option<&std::path::Path>) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let stderr = match format {
        LogFormat::Text => tracing_subscriber::fmt::layer().with_writer(std::io::stderr).boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_writer(std::io::stderr)
            .boxed(),
    };
    let files = log_dir.map(|dir| {
        tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_writer(request_logs::DailyFiles(dir.to_path_buf()))
            .with_filter(Targets::new().with_target(request_logs::TARGET, tracing::Level::INFO))
    });
    // `try_init` fails only when a subscriber is already installed (tests); that one is kept.
    let _ = tracing_subscriber::registry().with(stderr.with_filter(filter)).with(files).try_init();
}
