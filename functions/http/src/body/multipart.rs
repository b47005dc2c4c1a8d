//! `multipart/form-data` (curl -F, the page's form), parsed as it streams in: the content and at
//! most one file are kept, options are decoded as they come, other files are skipped unread, and
//! an unknown field stops the parse at once. Memory is bounded by the paste limit, not by how
//! many parts a body has.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::body::HttpBody as _;
use bytes::Bytes;
use pastebin_core::{CreateOptions, Error as CoreError, Limits, Syntax};

use super::options::{MAX_OPTION_BYTES, OptionName, set_text, too_long, unknown_field};
use super::read::discard_in_background;
use crate::error::ApiError;

pub struct Decoded {
    pub content: Vec<u8>,
    pub options: CreateOptions,
}

/// `browser`: a form posted by a browser, whose text fields the HTML standard sends with CRLF
/// line breaks whatever the user typed; those are turned back into LF. Files and other clients'
/// fields are kept byte for byte.
pub async fn decode(
    content_type: &str,
    body: Body,
    transport_limit: u64,
    browser: bool,
    limits: &Limits,
) -> Result<Decoded, ApiError> {
    let boundary = multer::parse_boundary(content_type).map_err(malformed)?;
    let body = Arc::new(Mutex::new(body));
    let constraints = multer::Constraints::new()
        .size_limit(multer::SizeLimit::new().whole_stream(transport_limit));
    let multipart =
        multer::Multipart::with_constraints(Shared(body.clone()), boundary, constraints);
    let result = parts(multipart, browser, limits).await;
    if result.is_err() {
        // The client may still be sending: read the rest away so that it sees the answer.
        let rest = std::mem::take(&mut *body.lock().unwrap_or_else(|p| p.into_inner()));
        discard_in_background(rest);
    }
    result
}

async fn parts(
    mut multipart: multer::Multipart<'static>,
    browser: bool,
    limits: &Limits,
) -> Result<Decoded, ApiError> {
    let max = usize::try_from(limits.max_bytes).unwrap_or(usize::MAX);
    let too_large = || {
        ApiError::Core(CoreError::TooLarge {
            limit: limits.max_bytes,
        })
    };
    let mut content: Option<Vec<u8>> = None;
    let mut first_file: Option<Result<File, ApiError>> = None;
    let mut options = CreateOptions::default();
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or("").as_bytes().to_vec();
        let file_name = field.file_name().map(str::to_owned);
        if name == b"content" && content.is_none() {
            let typed = browser && file_name.is_none();
            // Typed text comes with CRLF line breaks: up to twice its length on the wire.
            let limit = if typed { max.saturating_mul(2) } else { max };
            let data = read(&mut field, limit).await?.ok_or_else(too_large)?;
            let data = if typed { crlf_to_lf(&data) } else { data };
            if data.len() > max {
                return Err(too_large());
            }
            content = Some(data);
        } else if name == b"content" {
            skip(&mut field).await?;
        } else if file_name.is_some() {
            if first_file.is_some() {
                skip(&mut field).await?;
                continue;
            }
            // Kept only in case no `content` field follows; too large matters only then.
            first_file = Some(match read(&mut field, max).await? {
                Some(data) => Ok(File { data, file_name }),
                None => {
                    skip(&mut field).await?;
                    Err(too_large())
                }
            });
        } else if let Some(option) = OptionName::of(&name) {
            let value = read(&mut field, MAX_OPTION_BYTES)
                .await?
                .ok_or_else(|| too_long(option))?;
            set_text(&mut options, option, &value, limits)?;
        } else {
            return Err(unknown_field(&name));
        }
    }
    let (content, file_name) = match (content, first_file) {
        (Some(data), _) => (data, None),
        (None, Some(file)) => {
            let file = file?;
            (file.data, file.file_name)
        }
        (None, None) => {
            return Err(ApiError::Malformed(
                "the multipart body has no `content` field and no file (try `curl -F content=<file` or `curl -F file=@file`)".to_owned(),
            ));
        }
    };
    // `curl -F file=@main.rs` highlights as Rust unless a syntax was given.
    if options.syntax.is_none() {
        options.syntax = file_name
            .as_deref()
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, ext)| Syntax::named(ext));
    }
    Ok(Decoded { content, options })
}

/// A file part, kept in case no `content` field comes.
struct File {
    data: Vec<u8>,
    file_name: Option<String>,
}

/// A field's bytes, or `None` once it passes `limit` (the rest of the field is left unread).
async fn read(
    field: &mut multer::Field<'static>,
    limit: usize,
) -> Result<Option<Vec<u8>>, ApiError> {
    let mut data = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(malformed)? {
        if data.len() + chunk.len() > limit {
            return Ok(None);
        }
        data.extend_from_slice(&chunk);
    }
    Ok(Some(data))
}

async fn skip(field: &mut multer::Field<'static>) -> Result<(), ApiError> {
    while field.chunk().await.map_err(malformed)?.is_some() {}
    Ok(())
}

fn malformed(e: multer::Error) -> ApiError {
    match e {
        multer::Error::StreamSizeExceeded { .. } => {
            ApiError::Malformed("the multipart body is larger than its content can be".to_owned())
        }
        e => ApiError::Malformed(format!("the multipart body is malformed: {e}")),
    }
}

fn crlf_to_lf(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for (i, &b) in text.iter().enumerate() {
        if !(b == b'\r' && text.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

/// The request body as multer's stream, while the handler keeps a hold on it (to read away what
/// is left if the parse stops early).
struct Shared(Arc<Mutex<Body>>);

impl futures_util::Stream for Shared {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut body = self.0.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            return match Pin::new(&mut *body).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => Poll::Ready(Some(Ok(data))),
                    Err(_) => continue, // trailers
                },
                Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            };
        }
    }
}
