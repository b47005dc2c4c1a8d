//! The names of every setting, in one place: operators, the template and the tests rely on them.

// Rules and presentation (every runtime).
pub const MAX_BYTES: &str = "PASTEBIN_MAX_BYTES";
pub const DEFAULT_EXPIRY: &str = "PASTEBIN_DEFAULT_EXPIRY";
pub const MAX_EXPIRY: &str = "PASTEBIN_MAX_EXPIRY";
pub const CREATE_RATE: &str = "PASTEBIN_CREATE_RATE";
pub const READ_RATE: &str = "PASTEBIN_READ_RATE";
pub const DELETE_RATE: &str = "PASTEBIN_DELETE_RATE";
pub const PUBLIC_URL: &str = "PASTEBIN_PUBLIC_URL";
pub const TRUSTED_PROXIES: &str = "PASTEBIN_TRUSTED_PROXIES";
pub const SHARED_MAX_AGE: &str = "PASTEBIN_SHARED_MAX_AGE";
pub const ORIGIN_SECRET: &str = "PASTEBIN_ORIGIN_SECRET";
pub const ORIGIN_SECRET_PREVIOUS: &str = "PASTEBIN_ORIGIN_SECRET_PREVIOUS";
pub const LOG: &str = "PASTEBIN_LOG";
pub const BODY_TIMEOUT: &str = "PASTEBIN_BODY_TIMEOUT";
pub const ACCESS_LOG: &str = "PASTEBIN_ACCESS_LOG";

// Storage.
pub const STORE: &str = "PASTEBIN_STORE";
pub const DATA_DIR: &str = "PASTEBIN_DATA_DIR";
pub const TABLE: &str = "PASTEBIN_TABLE";
pub const BUCKET: &str = "PASTEBIN_BUCKET";
pub const HASH_KEY: &str = "PASTEBIN_HASH_KEY";
pub const INLINE_MAX_BYTES: &str = "PASTEBIN_INLINE_MAX_BYTES";
pub const CREATE_RESOURCES: &str = "PASTEBIN_CREATE_RESOURCES";

// The local server.
pub const ADDR: &str = "PASTEBIN_ADDR";
pub const SWEEP_INTERVAL: &str = "PASTEBIN_SWEEP_INTERVAL";
pub const LOG_FORMAT: &str = "PASTEBIN_LOG_FORMAT";
pub const HEADER_TIMEOUT: &str = "PASTEBIN_HEADER_TIMEOUT";
pub const IDLE_TIMEOUT: &str = "PASTEBIN_IDLE_TIMEOUT";
pub const MAX_CONNECTIONS: &str = "PASTEBIN_MAX_CONNECTIONS";
pub const SHUTDOWN_TIMEOUT: &str = "PASTEBIN_SHUTDOWN_TIMEOUT";

// The expire function.
pub const DISTRIBUTION_ID: &str = "PASTEBIN_DISTRIBUTION_ID";
pub const INVALIDATION_PATHS_PER_DAY: &str = "PASTEBIN_INVALIDATION_PATHS_PER_DAY";
