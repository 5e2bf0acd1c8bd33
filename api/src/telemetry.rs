//! Structured logs on stderr via `tracing`: human-readable text, or one JSON object per line
//! with `HELPDESK_LOG_FORMAT=json`. The filter comes from `RUST_LOG` (default `info`).
//!
//! Never log a password, a token or an `Authorization` header: request logs carry only the
//! method, the path (no query string), the status, the latency and the client IP.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // `try_init` fails only when a subscriber is already installed (tests); that one is kept.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).try_init(),
    };
}
