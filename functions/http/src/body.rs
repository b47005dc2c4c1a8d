//! Turning the many shapes of a create request into one [`CreateRequest`].

use std::convert::Infallible;

use axum::body::Body;
use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::request::Parts;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use pastebin_core::{CreateRequest, Error as CoreError};
use serde_json::Value;

use crate::error::ApiError;

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

/// A create request as parsed, and whether the client spoke JSON.
pub struct ParsedCreate {
    pub request: CreateRequest,
    pub json: bool,
}

pub async fn parse_create(
    parts: &Parts,
    body: Body,
    route: CreateRoute,
    max_bytes: u64,
) -> Result<ParsedCreate, ApiError> {
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
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
    // Worst-case encoded size of `max_bytes` of content: JSON escapes a byte in up to 6
    // (`\u001f`), urlencoding in 3 (`%1F`).
    let transport_limit = match shape {
        Shape::Raw => max_bytes,
        Shape::Json => max_bytes.saturating_mul(6).saturating_add(ENVELOPE_BYTES),
        Shape::Form => max_bytes.saturating_mul(3).saturating_add(ENVELOPE_BYTES),
        Shape::Multipart => max_bytes.saturating_add(ENVELOPE_BYTES),
    };
    let bytes = read_body(parts, body, transport_limit, max_bytes).await?;

    let mut request = CreateRequest::default();
    apply_options(
        &mut request,
        form_pairs(parts.uri.query().unwrap_or("").as_bytes()).into_iter(),
    );
    match shape {
        Shape::Raw => request.content = bytes.into(),
        Shape::Json => parse_json(&bytes, &mut request)?,
        Shape::Form => {
            let pairs = form_pairs(&bytes);
            request.content = pairs
                .iter()
                .find(|(k, _)| k == b"content")
                .map(|(_, v)| v.clone())
                .ok_or_else(|| ApiError::Malformed("the form has no `content` field".to_owned()))?;
            apply_options(&mut request, pairs.into_iter());
        }
        Shape::Multipart => parse_multipart(&content_type, bytes, &mut request).await?,
    }
    Ok(ParsedCreate {
        request,
        json: shape == Shape::Json,
    })
}

/// Reads at most `limit` bytes; a declared or actual length beyond it is a 413 naming the
/// content limit, checked from `Content-Length` before anything is read.
async fn read_body(
    parts: &Parts,
    body: Body,
    limit: u64,
    content_limit: u64,
) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::Core(CoreError::TooLarge {
            limit: content_limit,
        })
    };
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(e) => Err(ApiError::Malformed(format!(
            "the request body could not be read: {e}"
        ))),
    }
}

fn parse_json(bytes: &[u8], request: &mut CreateRequest) -> Result<(), ApiError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::Malformed(format!("the body is not valid JSON: {e}")))?;
    let Value::Object(mut fields) = value else {
        return Err(ApiError::Malformed(
            "expected a JSON object such as {\"content\": \"text\"}".to_owned(),
        ));
    };
    match fields.remove("content") {
        Some(Value::String(s)) => request.content = s.into_bytes(),
        None | Some(Value::Null) => {
            return Err(ApiError::Malformed(
                "the JSON object has no `content` string".to_owned(),
            ));
        }
        Some(_) => {
            return Err(ApiError::Malformed(
                "`content` must be a JSON string".to_owned(),
            ));
        }
    }
    for (key, value) in fields {
        let Some(slot) = option_slot(request, key.as_bytes()) else {
            continue;
        };
        *slot = scalar(option_name(key.as_bytes()), value)?;
    }
    Ok(())
}

/// JSON option values may be strings, numbers or booleans; they are validated by the core.
fn scalar(option: &'static str, value: Value) -> Result<Option<String>, ApiError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(CoreError::InvalidOption {
            option,
            value: other.to_string().chars().take(60).collect(),
            expected: "a string, number or boolean".to_owned(),
        }
        .into()),
    }
}

async fn parse_multipart(
    content_type: &str,
    bytes: Bytes,
    request: &mut CreateRequest,
) -> Result<(), ApiError> {
    let malformed =
        |e: multer::Error| ApiError::Malformed(format!("the multipart body is malformed: {e}"));
    let boundary = multer::parse_boundary(content_type).map_err(malformed)?;
    let mut multipart = multer::Multipart::new(
        futures_util::stream::once(async move { Ok::<Bytes, Infallible>(bytes) }),
        boundary,
    );
    let mut content = None;
    let mut first_file: Option<(Bytes, Option<String>)> = None;
    let mut options = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or("").as_bytes().to_vec();
        let file_name = field.file_name().map(str::to_owned);
        let data = field.bytes().await.map_err(malformed)?;
        if name == b"content" {
            content.get_or_insert(data);
        } else if file_name.is_some() {
            if first_file.is_none() {
                first_file = Some((data, file_name));
            }
        } else {
            options.push((name, data.to_vec()));
        }
    }
    apply_options(request, options.into_iter());
    let (data, file_name) = match (content, first_file) {
        (Some(data), _) => (data, None),
        (None, Some((data, name))) => (data, name),
        (None, None) => {
            return Err(ApiError::Malformed(
                "the multipart body has neither a `content` field nor a file".to_owned(),
            ));
        }
    };
    // `curl -F file=@main.rs` highlights as Rust unless a syntax was given.
    if request.syntax.is_none() {
        request.syntax = file_name
            .as_deref()
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, ext)| ext.to_owned());
    }
    request.content = data.into();
    Ok(())
}

fn option_name(key: &[u8]) -> &'static str {
    match key {
        b"expires" | b"expires_in" => "expires_in",
        b"burn" | b"burn_after_reading" => "burn_after_reading",
        b"syntax" | b"lang" | b"language" => "syntax",
        b"title" => "title",
        _ => "",
    }
}

fn option_slot<'a>(request: &'a mut CreateRequest, key: &[u8]) -> Option<&'a mut Option<String>> {
    match option_name(key) {
        "expires_in" => Some(&mut request.expires_in),
        "burn_after_reading" => Some(&mut request.burn_after_reading),
        "syntax" => Some(&mut request.syntax),
        "title" => Some(&mut request.title),
        _ => None,
    }
}

/// Later pairs win, so body fields override query defaults.
fn apply_options(request: &mut CreateRequest, pairs: impl Iterator<Item = (Vec<u8>, Vec<u8>)>) {
    for (key, value) in pairs {
        if let Some(slot) = option_slot(request, &key) {
            *slot = Some(String::from_utf8_lossy(&value).into_owned());
        }
    }
}

/// `application/x-www-form-urlencoded` pairs, decoded to bytes (not strings) so that content
/// which is not UTF-8 reaches the core and is refused with 415, rather than silently repaired.
pub fn form_pairs(input: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    input
        .split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let mut kv = pair.splitn(2, |&b| b == b'=');
            (
                percent_decode(kv.next().unwrap_or(b"")),
                percent_decode(kv.next().unwrap_or(b"")),
            )
        })
        .collect()
}

fn percent_decode(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                input.get(i + 1).copied().and_then(hex),
                input.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding_keeps_bytes_and_tolerates_stray_percents() {
        let pairs = form_pairs(b"content=a+b%26c%ff&title=%E2%9C%93&x&bad=%zz%4");
        assert_eq!(pairs[0], (b"content".to_vec(), b"a b&c\xff".to_vec()));
        assert_eq!(pairs[1], (b"title".to_vec(), "✓".as_bytes().to_vec()));
        assert_eq!(pairs[2], (b"x".to_vec(), Vec::new()));
        assert_eq!(pairs[3], (b"bad".to_vec(), b"%zz%4".to_vec()));
    }

    #[test]
    fn json_options_accept_scalars_and_refuse_structures() {
        let mut r = CreateRequest::default();
        parse_json(br#"{"content":"x","expires_in":3600,"burn_after_reading":true,"syntax":"rs","unknown":[1]}"#, &mut r).unwrap();
        assert_eq!(
            (
                r.expires_in.as_deref(),
                r.burn_after_reading.as_deref(),
                r.syntax.as_deref()
            ),
            (Some("3600"), Some("true"), Some("rs"))
        );
        let err = parse_json(
            br#"{"content":"x","title":{"a":1}}"#,
            &mut CreateRequest::default(),
        )
        .unwrap_err();
        assert!(matches!(
            err,
            ApiError::Core(CoreError::InvalidOption {
                option: "title",
                ..
            })
        ));
        for bad in [&br#"{"content":5}"#[..], b"[]", b"{", br#"{"title":"t"}"#] {
            assert!(matches!(
                parse_json(bad, &mut CreateRequest::default()),
                Err(ApiError::Malformed(_))
            ));
        }
    }
}
