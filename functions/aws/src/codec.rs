//! Paste text is stored deflate-compressed (pure Rust, miniz_oxide) when that makes it smaller:
//! DynamoDB bills writes per 1 KB of item and text shrinks 2–4×, so a typical 1 KiB paste is one
//! write unit instead of two, and more pastes stay inline instead of costing an S3 PUT and GET.
//! Items and objects written before compression keep reading: a compressed inline body is a
//! binary attribute of its own, and a compressed S3 body's key says so.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;

/// Above this, bodies are compressed at the fastest level: a 1 MiB paste must not spend tens of
/// milliseconds of a create on saving a few more percent.
const FAST_ABOVE: usize = 64 * 1024;

/// `text` compressed, if that makes it smaller.
pub fn compress(text: &[u8]) -> Option<Vec<u8>> {
    let level = if text.len() > FAST_ABOVE {
        Compression::fast()
    } else {
        Compression::default()
    };
    let mut encoder = DeflateEncoder::new(Vec::with_capacity(text.len() / 2), level);
    encoder.write_all(text).ok()?;
    let compressed = encoder.finish().ok()?;
    (compressed.len() < text.len()).then_some(compressed)
}

/// The text back, refusing to inflate past `limit` bytes (a corrupt or hostile stored body must
/// not be able to exhaust memory).
pub fn decompress(bytes: &[u8], limit: u64) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(3));
    DeflateDecoder::new(bytes)
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|_| CodecError::Corrupt)?;
    if out.len() as u64 > limit {
        return Err(CodecError::TooLarge);
    }
    Ok(out)
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CodecError {
    #[error("the compressed body does not inflate")]
    Corrupt,
    #[error("the compressed body inflates past the paste limit")]
    TooLarge,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_smaller_and_incompressible_bytes_are_left_alone() {
        let text = include_str!("store.rs").as_bytes();
        let packed = compress(text).unwrap();
        assert!(
            packed.len() * 2 < text.len(),
            "{} of {}",
            packed.len(),
            text.len()
        );
        assert_eq!(decompress(&packed, text.len() as u64).unwrap(), text);
        assert_eq!(compress(b"ab"), None, "nothing to gain");
    }

    #[test]
    fn inflating_is_bounded_and_garbage_is_an_error() {
        let zeros = vec![0u8; 1 << 20];
        let packed = compress(&zeros).unwrap();
        assert_eq!(decompress(&packed, 1000), Err(CodecError::TooLarge));
        assert_eq!(
            decompress(b"\xff\xfe not deflate", 1000),
            Err(CodecError::Corrupt)
        );
    }
}
