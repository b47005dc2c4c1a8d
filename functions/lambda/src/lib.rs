//! What every Lambda function shares: read and validate configuration once, build the SDK
//! clients once per cold start, then serve a slice of the shared router (or the stream handler).

mod app;
mod emf;
mod expire;
mod payload;
mod source_ip;

pub use app::{StartError, http_app, serve_http, with_lambda_layers};
pub use expire::{
    BatchReport, BodyReleaser, Cdn, CloudFront, DEFAULT_PATHS_PER_DAY, InvalidationBudget,
    Invalidator, PATHS_PER_PASTE, handle_stream, paths_per_day, serve_expire,
};
pub use payload::{Fitted, RESPONSE_LIMIT, accepts_gzip, fit, fitted, json_escaped_len};
pub use source_ip::source_ip;

/// JSON logs (CloudWatch Logs Insights reads them as fields), level from `PASTEBIN_LOG`.
pub fn init_logging() {
    let level = std::env::var("PASTEBIN_LOG")
        .ok()
        .and_then(|l| l.parse().ok())
        .unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_max_level(level)
        .with_target(false)
        .without_time()
        .init();
}

pub use lambda_http::Error;
pub use pastebin_http::Routes;
