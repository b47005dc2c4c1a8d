use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use crate::id::Id;
use crate::time::UnixTime;
use crate::token::{DeleteToken, TokenHash};

/// A paste's text, shared rather than copied: a paste is read far more often than it is
/// written, and the store, its cache and every response body can hold the same bytes.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Text(Arc<String>);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for Text {
    /// Takes the string as it is: no copy.
    fn from(s: String) -> Self {
        Self(Arc::new(s))
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Self(Arc::new(s.to_owned()))
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<[u8]> for Text {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Text({} bytes)", self.0.len())
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stored paste, as adapters keep it.
#[derive(Clone, Debug)]
pub struct Paste {
    pub id: Id,
    pub content: Text,
    /// Canonical language name (see [`crate::LANGUAGES`]); `None` is plain text.
    pub syntax: Option<String>,
    pub title: Option<String>,
    pub burn_after_reading: bool,
    /// End-to-end encrypted: `content` is sealed (see [`crate::check_sealed`]) and the title
    /// and language are inside it, not here.
    pub encrypted: bool,
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
    pub encrypted: bool,
}
