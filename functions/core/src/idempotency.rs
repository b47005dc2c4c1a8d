//! Retry-safe creates: the `Idempotency-Key` request header
//! (<https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/>).
//!
//! A create that carries a key gets its id and delete token derived from the key, the client's
//! address and the deployment's secret, instead of drawn at random. A retry — from the same
//! client, in this instance or any other, concurrent or a day later — derives the same pair, and
//! the store's conditional insert lets exactly one of them create the paste; the others find it
//! and answer it, delete token included, after checking that they asked for the same paste.
//! Nothing extra is written: a create with a key costs what one without costs.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::id::{ALPHABET, ID_LEN, Id};
use crate::rate_limit::ClientKey;
use crate::token::{DeleteToken, TOKEN_LEN};

/// How long a key is honoured after the paste it created.
pub const IDEMPOTENCY_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// Longest key accepted (the draft sets none; a UUID is 36 characters).
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;

/// A deployment's own secret: what makes derived ids and tokens unpredictable to anyone who
/// does not hold it, yet the same in every instance that does.
#[derive(Clone)]
pub struct ServerSecret(Arc<[u8]>);

impl ServerSecret {
    pub fn new(bytes: &[u8]) -> Self {
        Self(bytes.into())
    }

    /// A secret for this process alone (a store that lives no longer than the process).
    pub fn random() -> Self {
        Self::new(crate::id::random_alphanumeric(43).as_bytes())
    }
}

impl std::fmt::Debug for ServerSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerSecret(<redacted>)")
    }
}

/// A client's idempotency key: 1 to 255 printable ASCII characters, as sent (a structured-field
/// string's quotes removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(header: &str) -> Option<Self> {
        let trimmed = header.trim();
        let key = trimmed
            .strip_prefix('"')
            .and_then(|k| k.strip_suffix('"'))
            .filter(|k| !k.is_empty())
            .unwrap_or(trimmed);
        (!key.is_empty()
            && key.len() <= MAX_IDEMPOTENCY_KEY_CHARS
            && key.bytes().all(|b| b.is_ascii_graphic() || b == b' '))
        .then(|| Self(key.to_owned()))
    }

    /// The id and delete token a create with this key from `client` gets. The id depends on
    /// the key alone, so that every request with it meets at one id; the token also on what
    /// was asked for (`request`, a digest of the content and options), so that a different
    /// request under the same key can never pass for the first one's write.
    pub(crate) fn derive(
        &self,
        secret: &ServerSecret,
        client: ClientKey,
        request: &[u8],
    ) -> (Id, DeleteToken) {
        let mut mac = hmac(&secret.0);
        mac.update(b"pastebin idempotency v1\0");
        mac.update(client.to_string().as_bytes());
        mac.update(b"\0");
        mac.update(self.0.as_bytes());
        let seed = mac.finalize().into_bytes();
        let mut token_seed = hmac(&seed);
        token_seed.update(request);
        (
            Id::derived(alphanumeric(&seed, b"id", ID_LEN)),
            DeleteToken::derived(alphanumeric(
                &token_seed.finalize().into_bytes(),
                b"token",
                TOKEN_LEN,
            )),
        )
    }
}

fn hmac(key: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length; this cannot fail.
    <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!())
}

/// `len` characters of `[A-Za-z0-9]` expanded from `seed` (HMAC in counter mode, bytes ≥ 248
/// rejected so that `% 62` is unbiased, as for random ids).
fn alphanumeric(seed: &[u8], label: &[u8], len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut counter: u32 = 0;
    while out.len() < len {
        let mut mac = hmac(seed);
        mac.update(label);
        mac.update(&counter.to_be_bytes());
        counter += 1;
        for b in mac.finalize().into_bytes() {
            if b < 248 && out.len() < len {
                out.push(char::from(ALPHABET[usize::from(b % 62)]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn client(ip: &str) -> ClientKey {
        ClientKey::of(ip.parse::<IpAddr>().unwrap())
    }

    #[test]
    fn keys_are_printable_ascii_up_to_255_and_quotes_are_removed() {
        assert_eq!(
            IdempotencyKey::parse("\"8e03978e-40d5-43e8-bc93-6894a57f9324\""),
            IdempotencyKey::parse("8e03978e-40d5-43e8-bc93-6894a57f9324")
        );
        assert!(IdempotencyKey::parse(&"k".repeat(255)).is_some());
        assert_eq!(
            IdempotencyKey::parse("\"\""),
            Some(IdempotencyKey("\"\"".to_owned())),
            "quotes around nothing are the key itself"
        );
        for bad in ["", "  ", "tab\there", "é", &"k".repeat(256)] {
            assert!(IdempotencyKey::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn the_same_key_client_and_secret_derive_the_same_pair_and_anything_else_another() {
        let secret = ServerSecret::new(b"deployment secret");
        let key = IdempotencyKey::parse("retry-me").unwrap();
        let (id, token) = key.derive(&secret, client("198.51.100.7"), b"request");
        let (id2, token2) = key.derive(&secret, client("198.51.100.7"), b"request");
        assert_eq!(
            (id.as_str(), token.as_str()),
            (id2.as_str(), token2.as_str())
        );
        assert!(Id::parse(id.as_str()).is_some());
        assert_eq!(token.as_str().len(), TOKEN_LEN);
        for (other_key, other_client, other_secret) in [
            ("retry-me!", "198.51.100.7", &secret),
            ("retry-me", "198.51.100.8", &secret),
            ("retry-me", "198.51.100.7", &ServerSecret::new(b"another")),
        ] {
            let (other_id, other_token) = IdempotencyKey::parse(other_key).unwrap().derive(
                other_secret,
                client(other_client),
                b"request",
            );
            assert_ne!(other_id, id);
            assert_ne!(other_token.as_str(), token.as_str());
        }
        let (same_id, other_token) = key.derive(&secret, client("198.51.100.7"), b"other request");
        assert_eq!(same_id, id, "every request with the key meets at one id");
        assert_ne!(
            other_token.as_str(),
            token.as_str(),
            "but only the same request gets the token"
        );
    }
}
