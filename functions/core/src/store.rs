use std::sync::Arc;

use async_trait::async_trait;

use crate::id::Id;
use crate::idempotency::ServerSecret;
use crate::paste::Paste;
use crate::rate_limit::RateLimiter;
use crate::time::UnixTime;
use crate::token::TokenHash;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend could not be reached or failed; the request may be retried later.
    #[error("storage backend failed: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Stored data could not be decoded.
    #[error("stored paste {id} is corrupt: {reason}")]
    Corrupt { id: String, reason: String },
}

impl StoreError {
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(e))
    }
}

/// What a runtime brings to the service: where pastes live and where request counts are kept.
/// The two go together because a store that many instances share needs a shared counter too.
#[derive(Clone)]
pub struct Storage {
    pub store: Arc<dyn PasteStore>,
    pub limiter: Arc<dyn RateLimiter>,
    /// Keys what every instance on this storage must derive alike (idempotent creates).
    pub secret: ServerSecret,
}

impl Storage {
    /// Pastes and counts in this process only.
    pub fn memory() -> Self {
        Self {
            store: Arc::new(crate::memory::MemoryStore::default()),
            limiter: Arc::new(crate::rate_limit::FixedWindowLimiter::default()),
            secret: ServerSecret::random(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome {
    Inserted,
    /// A paste with this id exists (expired or not): ids are never reused.
    IdTaken,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteOutcome {
    Deleted,
    /// The paste exists and was left untouched.
    WrongToken,
    /// Unknown or expired.
    NotFound,
}

/// The storage port. Each operation is atomic on its own: adapters must not let two concurrent
/// `take_burn` calls both return the paste, nor a failed `insert` leave anything readable.
#[async_trait]
pub trait PasteStore: Send + Sync + 'static {
    /// Stores `paste` only if its id is free.
    async fn insert(&self, paste: &Paste) -> Result<InsertOutcome, StoreError>;

    /// The paste with this id, expired or not; the caller decides what expired means.
    async fn get(&self, id: &Id) -> Result<Option<Paste>, StoreError>;

    /// Deletes the paste if it is not expired at `now` and `token` matches (compared in constant
    /// time, see [`TokenHash::matches`]).
    async fn delete(
        &self,
        id: &Id,
        token: &TokenHash,
        now: UnixTime,
    ) -> Result<DeleteOutcome, StoreError>;

    /// Atomically removes and returns a burn-after-reading paste that is not expired at `now`.
    /// Of any number of concurrent calls for one id, at most one returns `Some`.
    async fn take_burn(&self, id: &Id, now: UnixTime) -> Result<Option<Paste>, StoreError>;

    /// Removes pastes expired at `now`; returns how many. Readers never depend on it having run.
    async fn sweep_expired(&self, now: UnixTime) -> Result<u64, StoreError>;

    /// Cheap round trip proving the backend answers.
    async fn ping(&self) -> Result<(), StoreError>;
}
