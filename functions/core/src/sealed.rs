//! End-to-end encrypted ("sealed") pastes, as the server sees them: opaque ASCII it can check
//! the shape of but never open. The key exists only in the share link's `#fragment`, which
//! browsers and HTTP clients never send.
//!
//! Format, version 1 (the README's "End-to-end encryption" section is the reference):
//! stored content = base64url without padding of `version (1 byte = 1) ‖ nonce (12 bytes) ‖
//! AES-256-GCM ciphertext with its 16-byte tag`; the plaintext is a one-line JSON object of
//! metadata (`title`, `syntax`), a line feed, then the text itself.

use crate::error::Error;

/// The only version written and read today.
pub const SEALED_VERSION: u8 = 1;

/// Fewest bytes a version-1 sealed paste decodes to: version, nonce, tag, and the shortest
/// plaintext (`{}` and its line feed).
const MIN_SEALED_BYTES: usize = 1 + 12 + 16 + 3;

fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Checks that `content` has the shape of a sealed paste: the server cannot verify the
/// ciphertext, but it refuses what is certainly not one (plain text sent with the flag by a
/// client that failed to encrypt, which would otherwise be stored in the clear).
pub fn check_sealed(content: &str) -> Result<(), Error> {
    let bytes = content.as_bytes();
    if let Some(at) = bytes.iter().position(|&c| sextet(c).is_none()) {
        return Err(Error::NotSealed(format!(
            "it must be base64url without padding, and byte {at} is not"
        )));
    }
    if bytes.len() % 4 == 1
        || bytes.len() / 4 * 3 + (bytes.len() % 4).saturating_sub(1) < MIN_SEALED_BYTES
    {
        return Err(Error::NotSealed(format!(
            "{} characters cannot hold a version, a nonce, a tag and a message",
            bytes.len()
        )));
    }
    let version = match (
        bytes.first().copied().and_then(sextet),
        bytes.get(1).copied().and_then(sextet),
    ) {
        (Some(hi), Some(lo)) => (hi << 2) | (lo >> 4),
        _ => 0,
    };
    if version != SEALED_VERSION {
        return Err(Error::NotSealed(format!(
            "version {version} is not known (this server reads version {SEALED_VERSION})"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// base64url of `bytes`, for building cases.
    fn b64(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n =
                chunk.iter().fold(0u32, |n, &b| n << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            }
        }
        out
    }

    #[test]
    fn a_version_one_payload_passes() {
        let mut bytes = vec![1u8];
        bytes.extend([7u8; 12 + 16 + 3]);
        check_sealed(&b64(&bytes)).unwrap();
        bytes.push(9);
        check_sealed(&b64(&bytes)).unwrap();
    }

    #[test]
    fn plain_text_short_payloads_and_other_versions_are_refused() {
        for bad in ["hello world", "x", "", "AQ==AAAA", "{\"content\":1}"] {
            assert!(
                matches!(check_sealed(bad), Err(Error::NotSealed(_))),
                "{bad}"
            );
        }
        let mut short = vec![1u8];
        short.extend([0u8; 30]);
        assert!(check_sealed(&b64(&short)).is_err());
        let mut v2 = vec![2u8];
        v2.extend([0u8; 40]);
        let Err(Error::NotSealed(why)) = check_sealed(&b64(&v2)) else {
            panic!("version 2 accepted");
        };
        assert!(why.contains("version 2"), "{why}");
    }
}
