//! Paste ↔ DynamoDB item.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use pastebin_core::{Id, Paste, StoreError, TokenHash, UnixTime};

use crate::codec;

pub type Item = HashMap<String, AttributeValue>;

/// Largest text a compressed body may inflate to when its item does not say its size.
pub const MAX_INFLATED: u64 = 64 << 20;

/// Attribute names. Every expression refers to them through `#placeholders`, so none can clash
/// with DynamoDB's reserved words.
pub mod attr {
    pub const ID: &str = "id";
    pub const BODY: &str = "body";
    /// The text deflate-compressed (see `codec`): items written since compression.
    pub const BODY_COMPRESSED: &str = "bodyz";
    pub const BODY_KEY: &str = "body_key";
    pub const SIZE: &str = "size";
    pub const SYNTAX: &str = "syntax";
    pub const TITLE: &str = "title";
    pub const BURN: &str = "burn";
    /// Present (and true) only on end-to-end encrypted pastes.
    pub const ENCRYPTED: &str = "enc";
    pub const CREATED_AT: &str = "created_at";
    pub const EXPIRES_AT: &str = "expires_at";
    pub const TOKEN_HASH: &str = "token_hash";
    pub const REFS: &str = "refs";
    pub const GEN: &str = "gen";
    pub const COUNT: &str = "n";
    /// The nonce of the reveal that claimed a burn paste.
    pub const CLAIM: &str = "claim";
}

/// Where a paste's content lives.
pub enum Body<'a> {
    Inline(&'a str),
    /// Deflate-compressed, in the item; `size` is the text's own.
    InlineCompressed {
        bytes: &'a [u8],
        size: u64,
    },
    /// S3 object `bodies/<key>`; the item keeps the size so reads need not ask S3.
    External {
        key: &'a str,
        size: u64,
    },
}

pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub fn key(id: &str) -> Item {
    HashMap::from([(attr::ID.to_owned(), s(id))])
}

pub fn encode(paste: &Paste, body: Body<'_>) -> Item {
    let mut item = key(paste.id.as_str());
    match body {
        Body::Inline(text) => {
            item.insert(attr::BODY.to_owned(), s(text));
        }
        Body::InlineCompressed { bytes, size } => {
            item.insert(
                attr::BODY_COMPRESSED.to_owned(),
                AttributeValue::B(Blob::new(bytes)),
            );
            item.insert(attr::SIZE.to_owned(), n(size));
        }
        Body::External { key, size } => {
            item.insert(attr::BODY_KEY.to_owned(), s(key));
            item.insert(attr::SIZE.to_owned(), n(size));
        }
    }
    if let Some(syntax) = &paste.syntax {
        item.insert(attr::SYNTAX.to_owned(), s(syntax));
    }
    if let Some(title) = &paste.title {
        item.insert(attr::TITLE.to_owned(), s(title));
    }
    item.insert(
        attr::BURN.to_owned(),
        AttributeValue::Bool(paste.burn_after_reading),
    );
    if paste.encrypted {
        item.insert(attr::ENCRYPTED.to_owned(), AttributeValue::Bool(true));
    }
    item.insert(attr::CREATED_AT.to_owned(), n(paste.created_at.seconds()));
    item.insert(attr::EXPIRES_AT.to_owned(), n(paste.expires_at.seconds()));
    item.insert(
        attr::TOKEN_HASH.to_owned(),
        AttributeValue::B(Blob::new(paste.delete_token_hash.as_bytes().to_vec())),
    );
    item
}

/// A paste item as read: for an external body, `paste.content` is empty and `body_key` says
/// where to fetch it.
pub struct Decoded {
    pub paste: Paste,
    pub body_key: Option<String>,
    /// The text's size, for bodies stored compressed or elsewhere.
    pub size: Option<u64>,
    /// A burn paste a reveal has claimed: delivered, so gone for everyone else, even while its
    /// item waits to be deleted.
    pub claimed: bool,
}

pub fn decode(item: &Item) -> Result<Decoded, StoreError> {
    let id_text = string(item, attr::ID).unwrap_or_default();
    let corrupt = |reason: &str| StoreError::Corrupt {
        id: id_text.to_owned(),
        reason: reason.to_owned(),
    };
    let id = Id::parse(id_text).ok_or_else(|| corrupt("malformed id"))?;
    let number = |name: &str| {
        item.get(name)
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse::<i64>().ok())
    };
    let token = item
        .get(attr::TOKEN_HASH)
        .and_then(|v| v.as_b().ok())
        .and_then(|b| TokenHash::from_bytes(b.as_ref()))
        .ok_or_else(|| corrupt("malformed token hash"))?;
    let body_key = string(item, attr::BODY_KEY).map(str::to_owned);
    let size = number(attr::SIZE).and_then(|n| u64::try_from(n).ok());
    let compressed = item.get(attr::BODY_COMPRESSED).and_then(|v| v.as_b().ok());
    let content = match (&body_key, string(item, attr::BODY), compressed) {
        (None, Some(text), None) => text.to_owned(),
        (None, None, Some(bytes)) => {
            let text = codec::decompress(bytes.as_ref(), size.unwrap_or(MAX_INFLATED))
                .map_err(|e| corrupt(&e.to_string()))?;
            String::from_utf8(text).map_err(|_| corrupt("body is not UTF-8"))?
        }
        (Some(_), None, None) => String::new(),
        _ => return Err(corrupt("needs exactly one of body, bodyz and body_key")),
    };
    Ok(Decoded {
        paste: Paste {
            id,
            content: content.into(),
            syntax: string(item, attr::SYNTAX).map(str::to_owned),
            title: string(item, attr::TITLE).map(str::to_owned),
            burn_after_reading: item
                .get(attr::BURN)
                .and_then(|v| v.as_bool().ok())
                .copied()
                .unwrap_or(false),
            encrypted: item
                .get(attr::ENCRYPTED)
                .and_then(|v| v.as_bool().ok())
                .copied()
                .unwrap_or(false),
            created_at: UnixTime(
                number(attr::CREATED_AT).ok_or_else(|| corrupt("missing created_at"))?,
            ),
            expires_at: UnixTime(
                number(attr::EXPIRES_AT).ok_or_else(|| corrupt("missing expires_at"))?,
            ),
            delete_token_hash: token,
        },
        body_key,
        size,
        claimed: item.contains_key(attr::CLAIM),
    })
}

pub fn string<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pastebin_core::DeleteToken;

    fn paste() -> Paste {
        Paste {
            id: Id::generate(),
            content: "hello".into(),
            syntax: Some("rust".to_owned()),
            title: None,
            burn_after_reading: true,
            encrypted: false,
            created_at: UnixTime(10),
            expires_at: UnixTime(20),
            delete_token_hash: DeleteToken::generate().hash(),
        }
    }

    #[test]
    fn inline_and_external_items_round_trip() {
        let p = paste();
        let back = decode(&encode(&p, Body::Inline(&p.content))).unwrap();
        assert_eq!(
            (back.paste.content.as_str(), back.body_key),
            ("hello", None)
        );
        assert_eq!(
            (
                back.paste.syntax,
                back.paste.title,
                back.paste.burn_after_reading
            ),
            (Some("rust".to_owned()), None, true)
        );
        assert_eq!(
            (back.paste.created_at, back.paste.expires_at),
            (UnixTime(10), UnixTime(20))
        );
        assert!(back.paste.delete_token_hash.matches(&p.delete_token_hash));

        let ext = decode(&encode(
            &p,
            Body::External {
                key: "abc/gen",
                size: 5,
            },
        ))
        .unwrap();
        assert_eq!(
            (ext.paste.content.as_str(), ext.body_key.as_deref()),
            ("", Some("abc/gen"))
        );
    }

    #[test]
    fn compressed_items_round_trip_and_old_ones_still_read() {
        let mut p = paste();
        p.content = "fn main() {}\n".repeat(100).into();
        let packed = codec::compress(p.content.as_bytes()).unwrap();
        let item = encode(
            &p,
            Body::InlineCompressed {
                bytes: &packed,
                size: p.size(),
            },
        );
        assert!(!item.contains_key(attr::BODY));
        assert_eq!(decode(&item).unwrap().paste.content, p.content);
        let old = encode(&p, Body::Inline(&p.content));
        assert_eq!(decode(&old).unwrap().paste.content, p.content);
    }

    #[test]
    fn only_encrypted_pastes_carry_the_flag_and_items_without_it_are_plain() {
        let mut p = paste();
        let plain = encode(&p, Body::Inline(&p.content));
        assert!(!plain.contains_key(attr::ENCRYPTED));
        assert!(!decode(&plain).unwrap().paste.encrypted);
        p.encrypted = true;
        let sealed = encode(&p, Body::Inline(&p.content));
        assert_eq!(
            sealed.get(attr::ENCRYPTED),
            Some(&AttributeValue::Bool(true))
        );
        assert!(decode(&sealed).unwrap().paste.encrypted);
    }

    #[test]
    fn damaged_items_are_typed_errors() {
        let p = paste();
        let mut item = encode(&p, Body::Inline("x"));
        item.remove(attr::TOKEN_HASH);
        assert!(matches!(decode(&item), Err(StoreError::Corrupt { .. })));
        let mut item = encode(&p, Body::Inline("x"));
        item.insert(attr::BODY_KEY.to_owned(), s("k"));
        assert!(matches!(decode(&item), Err(StoreError::Corrupt { .. })));
    }
}
