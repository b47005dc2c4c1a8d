use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Where identical bodies meet: hex HMAC-SHA256 of the content under a server secret.
///
/// Keyed, so that an object name reveals nothing about the content to someone without the
/// secret (a plain hash of a short secret paste could be confirmed by guessing).
pub fn content_key(secret: &[u8], content: &[u8]) -> String {
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(content);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_content_meets_under_one_key_and_the_key_depends_on_the_secret() {
        let a = content_key(b"secret-one", b"body");
        assert_eq!(a, content_key(b"secret-one", b"body"));
        assert_ne!(a, content_key(b"secret-one", b"body!"));
        assert_ne!(a, content_key(b"secret-two", b"body"));
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn matches_the_rfc_4231_test_vector() {
        // RFC 4231, test case 2.
        assert_eq!(
            content_key(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
