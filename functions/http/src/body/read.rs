//! Reading a body within a byte limit, and turning away one that is over it without resetting
//! the client's connection.

use std::time::Duration;

use axum::body::Body;
use http::header::CONTENT_LENGTH;
use http::request::Parts;
use http_body_util::BodyExt;
use pastebin_core::Error as CoreError;

use crate::error::ApiError;

/// The declared `Content-Length`, if over `limit` a 413 at once: nothing is read, and the body
/// is read away in the background so that the client sees the answer.
pub fn declared_length(
    parts: &Parts,
    body: &mut Body,
    limit: u64,
    content_limit: u64,
) -> Result<Option<u64>, ApiError> {
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        discard_in_background(std::mem::take(body));
        return Err(CoreError::TooLarge {
            limit: content_limit,
        }
        .into());
    }
    Ok(declared)
}

/// The whole body, at most `limit` bytes; past it, a 413 naming the content limit. A declared
/// length sizes the buffer exactly (growing by doubling would hold up to twice the body).
pub async fn read_body(
    mut body: Body,
    declared: Option<u64>,
    limit: u64,
    content_limit: u64,
) -> Result<Vec<u8>, ApiError> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let expected = declared.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    let mut buf = Vec::with_capacity(expected.min(limit));
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|e| ApiError::Malformed(format!("the request body could not be read: {e}")))?;
        if let Some(data) = frame.data_ref() {
            if buf.len() + data.len() > limit {
                discard_in_background(body);
                return Err(CoreError::TooLarge {
                    limit: content_limit,
                }
                .into());
            }
            buf.extend_from_slice(data);
        }
    }
    Ok(buf)
}

/// Most that is read (and dropped) of a refused body.
const DISCARD_BYTES: usize = 16 * 1024 * 1024;
const DISCARD_TIME: Duration = Duration::from_secs(10);

/// Reads and drops the rest of a refused body while the answer goes out. A client still
/// uploading when the server stops reading would otherwise see a connection reset instead of
/// the answer. Bounded in bytes and time, so refusing stays cheap.
pub fn discard_in_background(mut body: Body) {
    tokio::spawn(async move {
        let drain = async {
            let mut seen = 0;
            while let Some(Ok(frame)) = body.frame().await {
                seen += frame.data_ref().map_or(0, |d| d.len());
                if seen > DISCARD_BYTES {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(DISCARD_TIME, drain).await;
    });
}
