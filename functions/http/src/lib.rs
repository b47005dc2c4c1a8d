//! The HTTP contract, written once. [`router`] is an axum `Router` (a tower `Service`):
//! `axum::serve` runs it locally and `lambda_http::run` runs it in Lambda, so both runtimes
//! share every handler, header and status code.

mod body;
pub mod cache;
mod client_ip;
pub mod config;
mod create;
mod delete;
mod error;
mod extract;
pub mod fuzzing;
pub mod logging;
mod meta;
mod metrics;
mod middleware;
mod negotiate;
pub mod origin;
pub mod proxies;
mod public_url;
mod rate_limit;
mod read;
mod routes;
pub mod setup;
mod state;
mod urlencoded;
mod web;

pub use client_ip::ClientIp;
pub use error::{ApiError, ErrorBody};
pub use metrics::Metrics;
pub use public_url::PublicUrl;
pub use routes::{Routes, cacheable_paths, router};
pub use setup::{Runtime, app_state};
pub use state::AppState;
