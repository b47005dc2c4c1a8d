//! The end-to-end encryption format, version 1, as the browser's script writes and reads it
//! (README, "End-to-end encryption"): AES-256-GCM under a fresh random 256-bit key and 96-bit
//! nonce per paste; stored content = base64url without padding of `1 ‖ nonce ‖ ciphertext+tag`;
//! plaintext = a one-line JSON object of metadata (`title`, `syntax`), a line feed, the text.

use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

const VERSION: u8 = 1;

/// Reads what any base64url encoder writes (as browsers' `atob` does): trailing bits ignored.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);
const KEY_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the link's key is damaged or incomplete: copy the whole link again")]
    BadKey,
    #[error("this paste is not in an encryption format this client knows")]
    UnknownFormat,
    #[error("this key does not open this paste: the link is wrong or the paste was altered")]
    WrongKeyOrTampered,
    #[error("the system's random number generator failed")]
    Random,
}

/// What the envelope carries besides the text: the metadata a plain paste would send in the clear.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub syntax: Option<String>,
}

/// A sealed paste: the content to store and the key for the link's fragment.
#[derive(Debug)]
pub struct Sealed {
    pub content: String,
    pub key: String,
}

/// Seals `text` and `meta` under a fresh random key and nonce.
pub fn seal(text: &str, meta: &Meta) -> Result<Sealed, SealError> {
    let rng = SystemRandom::new();
    let mut key = [0u8; KEY_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill(&mut key).map_err(|_| SealError::Random)?;
    rng.fill(&mut nonce).map_err(|_| SealError::Random)?;
    seal_with(&key, nonce, text, meta)
}

fn cipher(key: &[u8]) -> Result<LessSafeKey, SealError> {
    UnboundKey::new(&AES_256_GCM, key)
        .map(LessSafeKey::new)
        .map_err(|_| SealError::BadKey)
}

fn seal_with(
    key: &[u8; KEY_LEN],
    nonce: [u8; NONCE_LEN],
    text: &str,
    meta: &Meta,
) -> Result<Sealed, SealError> {
    // Serialising two optional strings cannot fail.
    let mut plain = serde_json::to_vec(meta).unwrap_or_else(|_| b"{}".to_vec());
    plain.push(b'\n');
    plain.extend_from_slice(text.as_bytes());
    cipher(key)?
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::empty(),
            &mut plain,
        )
        .map_err(|_| SealError::BadKey)?;
    let mut stored = Vec::with_capacity(1 + NONCE_LEN + plain.len());
    stored.push(VERSION);
    stored.extend_from_slice(&nonce);
    stored.extend_from_slice(&plain);
    Ok(Sealed {
        content: URL_SAFE_NO_PAD.encode(stored),
        key: URL_SAFE_NO_PAD.encode(key),
    })
}

/// The text and metadata of stored `content`, opened with the link's `key`.
pub fn open(content: &str, key: &str) -> Result<(String, Meta), SealError> {
    let key = LENIENT
        .decode(key.trim())
        .ok()
        .filter(|k| k.len() == KEY_LEN)
        .ok_or(SealError::BadKey)?;
    let mut bytes = LENIENT
        .decode(content.trim())
        .map_err(|_| SealError::UnknownFormat)?;
    if bytes.first() != Some(&VERSION) || bytes.len() < 1 + NONCE_LEN + AES_256_GCM.tag_len() {
        return Err(SealError::UnknownFormat);
    }
    let nonce = Nonce::try_assume_unique_for_key(&bytes[1..=NONCE_LEN])
        .map_err(|_| SealError::UnknownFormat)?;
    let plain = cipher(&key)?
        .open_in_place(nonce, Aad::empty(), &mut bytes[1 + NONCE_LEN..])
        .map_err(|_| SealError::WrongKeyOrTampered)?;
    let plain = std::str::from_utf8(plain).map_err(|_| SealError::WrongKeyOrTampered)?;
    let (header, text) = plain
        .split_once('\n')
        .ok_or(SealError::WrongKeyOrTampered)?;
    // As the browser reads it: an object, whose string `title` and `syntax` are taken.
    let header: serde_json::Value =
        serde_json::from_str(header).map_err(|_| SealError::UnknownFormat)?;
    if !header.is_object() {
        return Err(SealError::UnknownFormat);
    }
    let field = |name: &str| {
        header
            .get(name)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let meta = Meta {
        title: field("title"),
        syntax: field("syntax"),
    };
    Ok((text.to_owned(), meta))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published known-answer vectors (also checked against the browser's implementation).
    #[derive(Deserialize)]
    struct Vector {
        key: String,
        nonce: String,
        text: String,
        #[serde(default)]
        title: Option<String>,
        #[serde(default)]
        syntax: Option<String>,
        content: String,
    }

    fn vectors() -> Vec<Vector> {
        serde_json::from_str(include_str!("../../../../tests/vectors/sealed-v1.json")).unwrap()
    }

    #[test]
    fn the_known_answers_seal_and_open() {
        let vectors = vectors();
        assert!(vectors.len() >= 3);
        for v in vectors {
            let key: [u8; KEY_LEN] = URL_SAFE_NO_PAD.decode(&v.key).unwrap().try_into().unwrap();
            let nonce: [u8; NONCE_LEN] = URL_SAFE_NO_PAD
                .decode(&v.nonce)
                .unwrap()
                .try_into()
                .unwrap();
            let meta = Meta {
                title: v.title,
                syntax: v.syntax,
            };
            let sealed = seal_with(&key, nonce, &v.text, &meta).unwrap();
            assert_eq!(sealed.content, v.content);
            assert_eq!(sealed.key, v.key);
            assert_eq!(open(&v.content, &v.key).unwrap(), (v.text, meta));
            pastebin_core::check_sealed(&sealed.content).unwrap();
        }
    }

    #[test]
    fn trailing_bits_are_ignored_as_browsers_ignore_them() {
        let v = &vectors()[2];
        assert_eq!(
            v.content.len() % 4,
            2,
            "a vector whose last character has spare bits"
        );
        let mut loose = v.content.clone();
        let last = loose.pop().unwrap();
        let value = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            .iter()
            .position(|&c| char::from(c) == last)
            .unwrap();
        loose.push(char::from(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[value ^ 1],
        ));
        assert_eq!(open(&loose, &v.key).unwrap().0, v.text);
    }

    #[test]
    fn fresh_seals_differ_and_round_trip() {
        let meta = Meta {
            title: Some("t".to_owned()),
            syntax: None,
        };
        let a = seal("secret\nline", &meta).unwrap();
        let b = seal("secret\nline", &meta).unwrap();
        assert_ne!(a.content, b.content);
        assert_ne!(a.key, b.key);
        assert_eq!(a.key.len(), 43, "32 bytes in base64url");
        assert_eq!(
            open(&a.content, &a.key).unwrap(),
            ("secret\nline".to_owned(), meta)
        );
    }

    #[test]
    fn wrong_keys_and_tampering_are_refused() {
        let sealed = seal("secret", &Meta::default()).unwrap();
        let other = seal("secret", &Meta::default()).unwrap();
        assert!(matches!(
            open(&sealed.content, &other.key),
            Err(SealError::WrongKeyOrTampered)
        ));
        // Flip one bit of every byte position in turn: none may open.
        let bytes = URL_SAFE_NO_PAD.decode(&sealed.content).unwrap();
        for i in 1..bytes.len() {
            let mut tampered = bytes.clone();
            tampered[i] ^= 1;
            assert!(
                open(&URL_SAFE_NO_PAD.encode(&tampered), &sealed.key).is_err(),
                "byte {i}"
            );
        }
        assert!(matches!(
            open(&sealed.content, "short"),
            Err(SealError::BadKey)
        ));
        assert!(matches!(
            open("not sealed", &sealed.key),
            Err(SealError::UnknownFormat)
        ));
    }
}
