//! The pastebin's domain, independent of HTTP and of any storage technology.
//!
//! Adapters (the embedded SQLite store, DynamoDB + S3) implement [`PasteStore`]; runtimes (the
//! local server, the Lambda functions) hand requests to [`Pastebin`], which owns every rule:
//! limits, expiry, burn-after-reading, delete tokens and rate limits.

pub mod config;
mod dedup;
mod error;
mod expiry;
mod id;
mod idempotency;
mod limits;
mod options;
mod paste;
mod rate_limit;
mod sealed;
mod service;
mod store;
mod syntax;
mod time;
mod token;
pub mod vars;

pub use config::{ConfigError, Env, StoreKind};
pub use dedup::content_key;
pub use error::Error;
pub use expiry::{DurationError, format_duration, parse_duration};
pub use id::{ID_LEN, Id, random_alphanumeric};
pub use idempotency::{
    IDEMPOTENCY_WINDOW, IdempotencyKey, MAX_IDEMPOTENCY_KEY_CHARS, ServerSecret,
};
pub use limits::{Limits, LimitsError};
pub use memory::MemoryStore;
pub use options::{CreateOptions, CreateRequest, Lifetime, MAX_TITLE_CHARS, Syntax, Title};
pub use paste::{Created, Paste, Text};
pub use rate_limit::{
    ClientKey, FixedWindowLimiter, RateClass, RateLimited, RateLimiter, RateLimits, window_of,
};
pub use sealed::{SEALED_VERSION, check_sealed};
pub use service::Pastebin;
pub use store::{DeleteOutcome, InsertOutcome, PasteStore, Storage, StoreError};
pub use syntax::{LANGUAGES, Language, language_for};
pub use time::{Clock, ManualClock, SystemClock, UnixTime};
pub use token::{DeleteToken, TokenHash};

mod memory;
#[cfg(any(test, feature = "testing"))]
pub mod store_contract;
