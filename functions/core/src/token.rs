use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::id::random_alphanumeric;

/// 22 characters of `[A-Za-z0-9]`: 22 × log2(62) ≈ 131 bits.
pub(crate) const TOKEN_LEN: usize = 22;

/// The secret a creator needs to delete a paste. Shown once, never stored.
pub struct DeleteToken(String);

impl DeleteToken {
    pub fn generate() -> Self {
        Self(random_alphanumeric(TOKEN_LEN))
    }

    /// A token derived rather than drawn (see `idempotency`).
    pub(crate) fn derived(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl fmt::Debug for DeleteToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeleteToken(<redacted>)")
    }
}

/// SHA-256 of a delete token: what the store keeps.
///
/// The token has over 128 bits of entropy, so a plain (unsalted) hash cannot be reversed by
/// guessing; salting or stretching would only slow down every delete.
#[derive(Clone, Copy)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    pub fn of(token: &str) -> Self {
        Self::of_bytes(token.as_bytes())
    }

    pub fn of_bytes(token: &[u8]) -> Self {
        Self(Sha256::digest(token).into())
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Constant-time comparison, so response timing says nothing about how close a guess was.
    pub fn matches(&self, other: &TokenHash) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_matches_only_its_own_hash() {
        let token = DeleteToken::generate();
        let stored = token.hash();
        assert!(stored.matches(&TokenHash::of(token.as_str())));
        assert!(!stored.matches(&TokenHash::of("not-the-token")));
        assert!(!stored.matches(&DeleteToken::generate().hash()));
    }

    #[test]
    fn tokens_are_long_random_and_not_printed_by_debug() {
        let a = DeleteToken::generate();
        let b = DeleteToken::generate();
        assert_eq!(a.as_str().len(), TOKEN_LEN);
        assert_ne!(a.as_str(), b.as_str());
        assert!(!format!("{a:?}").contains(a.as_str()));
    }

    #[test]
    fn hashes_round_trip_through_bytes() {
        let h = TokenHash::of("x");
        let back = TokenHash::from_bytes(h.as_bytes()).map(|h| h.matches(&TokenHash::of("x")));
        assert_eq!(back, Some(true));
        assert!(TokenHash::from_bytes(&[0; 31]).is_none());
    }
}
