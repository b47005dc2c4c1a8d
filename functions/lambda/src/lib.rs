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

pub use lambda_http::Error;
pub use pastebin_http::Routes;
