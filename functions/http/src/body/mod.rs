//! Turning the many shapes of a create request into one typed [`CreateRequest`]: each source —
//! the query string, a raw body, JSON, a form, multipart — is decoded once, straight into typed
//! options, and a body's options override the query's.
//!
//! Memory is bounded by the paste limit whatever a body's shape: a body is read only up to what
//! its encoding can need for a maximal paste (raw: the limit; urlencoded: 3×, `%XX`; JSON: 6×,
//! `\u00XX`; multipart is parsed as it streams, keeping the content and at most one file), and
//! nothing in it is collected that the create does not use.

mod form;
mod json;
mod multipart;
pub mod options;
pub mod read;

use std::time::Duration;

use axum::body::Body;
use http::header::CONTENT_TYPE;
use http::request::Parts;
use pastebin_core::{CreateRequest, Limits};

use crate::error::ApiError;
use read::{declared_length, read_body};

/// Room for everything in a form or multipart body that is not the content (boundaries, part
/// headers, other fields).
const ENVELOPE_BYTES: u64 = 64 * 1024;

/// Which create route was hit: on `POST /` a urlencoded body is the paste itself (that is what
/// `curl --data-binary` sends); on `POST /pastes` it is a form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreateRoute {
    Root,
    Api,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Raw,
    Json,
    Form,
    Multipart,
}

/// A create request as decoded, and whether the client spoke JSON.
pub struct ParsedCreate {
    pub request: CreateRequest,
    pub json: bool,
}

/// Decodes a create, which must arrive whole within `deadline` (else 408).
pub async fn parse_create(
    parts: &Parts,
    body: Body,
    route: CreateRoute,
    limits: &Limits,
    deadline: Duration,
) -> Result<ParsedCreate, ApiError> {
    within(deadline, decode(parts, body, route, limits)).await
}

/// `reading`, which must finish within `deadline` (else 408): a body that trickles in holds
/// nothing longer than that.
pub async fn within<T>(
    deadline: Duration,
    reading: impl Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    tokio::time::timeout(deadline, reading)
        .await
        .unwrap_or(Err(ApiError::BodyTimeout {
            seconds: deadline.as_secs(),
        }))
}

async fn decode(
    parts: &Parts,
    mut body: Body,
    route: CreateRoute,
    limits: &Limits,
) -> Result<ParsedCreate, ApiError> {
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let shape = match mime.as_str() {
        "application/json" => Shape::Json,
        m if m.starts_with("application/") && m.ends_with("+json") => Shape::Json,
        "multipart/form-data" => Shape::Multipart,
        "application/x-www-form-urlencoded" if route == CreateRoute::Api => Shape::Form,
        _ => Shape::Raw,
    };
    let max = limits.max_bytes;
    let transport_limit = match shape {
        Shape::Raw => max,
        Shape::Json => max.saturating_mul(6).saturating_add(ENVELOPE_BYTES),
        Shape::Form => max.saturating_mul(3).saturating_add(ENVELOPE_BYTES),
        // Browsers send text fields with CRLF line breaks, up to twice the content.
        Shape::Multipart => max.saturating_mul(2).saturating_add(ENVELOPE_BYTES),
    };
    let query = options::from_query(parts.uri.query(), limits)?;
    let declared = declared_length(parts, &mut body, transport_limit, max)?;
    let read = |body| read_body(body, declared, transport_limit, max);
    let (content, body_options) = match shape {
        Shape::Raw => (read(body).await?, Default::default()),
        Shape::Json => json::decode(&read(body).await?, limits)?,
        Shape::Form => form::decode(&read(body).await?, limits)?,
        Shape::Multipart => {
            // Every current browser sends Sec-Fetch-* headers; command-line clients do not.
            let browser = parts.headers.contains_key("sec-fetch-mode");
            let decoded =
                multipart::decode(content_type, body, transport_limit, browser, limits).await?;
            (decoded.content, decoded.options)
        }
    };
    Ok(ParsedCreate {
        request: CreateRequest {
            content,
            options: body_options.or(query),
        },
        json: shape == Shape::Json,
    })
}
