//! The AWS adapter: pastes as DynamoDB items (TTL on `expires_at`), bodies above a threshold in
//! S3, content-addressed and reference-counted so identical bodies are stored once.
//!
//! Table design (one table, partition key `id`, a string):
//!
//! | item | `id` | attributes |
//! | --- | --- | --- |
//! | paste | the paste id (10 alphanumerics) | `body` (inline text) or `body_key` + `size`; `syntax`, `title`, `burn`, `created_at`, `expires_at` (TTL), `token_hash` |
//! | body reference count | `body#<hmac>` | `refs`, `gen`, `expires_at` (TTL backstop) |
//! | release marker | `released#<paste id>` | `expires_at` — makes releasing a body reference idempotent |
//! | rate counter | `rate#<class>#<client>#<minute>` | `n`, `expires_at` |
//!
//! Prefixed keys contain `#`, which no paste id can, so item kinds never collide.

mod allowance;
mod backend;
mod bodies;
mod clients;
mod codec;
mod config;
mod error;
mod items;
mod rate;
mod resources;
mod sdk_config;
mod store;
pub mod stream;
mod trust;

pub use allowance::DailyAllowance;
pub use backend::AwsBackend;
pub use bodies::Bodies;
pub use clients::{
    AwsClients, CLEANUP_BUDGET, MAX_CALLS_BEFORE_COMMIT, REQUEST_BUDGET, Timeouts, https_client,
};
pub use config::AwsSettings;
pub use error::AwsError;
pub use items::attr;
pub use rate::{DynamoRateLimiter, FLUSH_EVERY};
pub use resources::ensure_resources;
pub use store::{DynamoStore, ReleaseOutcome};
pub use trust::{AMAZON_ROOTS, Roots};
