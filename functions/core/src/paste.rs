use crate::id::Id;
use crate::time::UnixTime;
use crate::token::{DeleteToken, TokenHash};

/// A stored paste, as adapters keep it.
#[derive(Clone, Debug)]
pub struct Paste {
    pub id: Id,
    pub content: String,
    /// Canonical language name (see [`crate::LANGUAGES`]); `None` is plain text.
    pub syntax: Option<String>,
    pub title: Option<String>,
    pub burn_after_reading: bool,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub delete_token_hash: TokenHash,
}

impl Paste {
    pub fn size(&self) -> u64 {
        self.content.len() as u64
    }

    /// A paste is readable through the whole second of its `expires_at` and gone after it,
    /// for every reader at once, whether or not storage has removed it yet.
    pub fn is_expired(&self, now: UnixTime) -> bool {
        now > self.expires_at
    }
}

/// What a successful create returns. The token exists only here.
#[derive(Debug)]
pub struct Created {
    pub id: Id,
    pub delete_token: DeleteToken,
    pub size: u64,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub burn_after_reading: bool,
}
