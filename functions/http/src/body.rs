//! Turning the many shapes of a create request into one [`CreateRequest`].

use std::convert::Infallible;

use axum::body::Body;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::request::Parts;
use http_body_util::BodyExt;
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
    /// The options given in the query string alone; body fields override them, but they must
    /// still be valid.
    pub query_options: CreateRequest,
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
        // Browsers send text fields with CRLF line breaks, up to twice the content.
        Shape::Multipart => max_bytes.saturating_mul(2).saturating_add(ENVELOPE_BYTES),
    };
    let bytes = read_body(parts, body, transport_limit, max_bytes).await?;

    let mut query_options = CreateRequest::default();
    apply_options(
        &mut query_options,
        form_pairs(parts.uri.query().unwrap_or("").as_bytes()).into_iter(),
    );
    let mut request = query_options.clone();
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
            reject_unknown_fields(&pairs)?;
            apply_options(&mut request, pairs.into_iter());
        }
        Shape::Multipart => {
            // Every current browser sends Sec-Fetch-* headers; command-line clients do not.
            let browser = parts.headers.contains_key("sec-fetch-mode");
            parse_multipart(&content_type, bytes, &mut request, browser).await?
        }
    }
    Ok(ParsedCreate {
        request,
        query_options,
        json: shape == Shape::Json,
    })
}

/// Reads at most `limit` bytes; a declared or actual length beyond it is a 413 naming the
/// content limit, decided from `Content-Length` before anything is read.
async fn read_body(
    parts: &Parts,
    mut body: Body,
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
        discard_in_background(body);
        return Err(too_large());
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let expected = declared.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    let mut buf = BytesMut::with_capacity(expected.min(limit));
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|e| ApiError::Malformed(format!("the request body could not be read: {e}")))?;
        if let Some(data) = frame.data_ref() {
            if buf.len() + data.len() > limit {
                discard_in_background(body);
                return Err(too_large());
            }
            buf.extend_from_slice(data);
        }
    }
    Ok(buf.freeze())
}

/// Most that is read (and dropped) of a refused body.
const DISCARD_BYTES: usize = 16 * 1024 * 1024;
const DISCARD_TIME: Duration = Duration::from_secs(10);

/// Reads and drops the rest of a refused body while the 413 goes out. A client still uploading
/// when the server stops reading would otherwise see a connection reset instead of the answer.
/// Bounded in bytes and time, so refusing stays cheap.
fn discard_in_background(mut body: Body) {
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
        let option = option_name(key.as_bytes());
        let Some(slot) = option_slot(request, key.as_bytes()) else {
            continue;
        };
        *slot = json_option(option, value)?;
    }
    Ok(())
}

/// JSON options have JSON types: `expires_in` a number of seconds or a duration string,
/// `burn_after_reading` a boolean, the others strings; `null` means "not given". The values
/// themselves are validated by the core.
fn json_option(option: &'static str, value: Value) -> Result<Option<String>, ApiError> {
    let shown: String = value.to_string().chars().take(60).collect();
    let expected = match (option, value) {
        (_, Value::Null) => return Ok(None),
        ("burn_after_reading", Value::Bool(b)) => return Ok(Some(b.to_string())),
        ("burn_after_reading", _) => "true or false",
        // JSON Schema counts 3600.0 as an integer, so it is one here too.
        ("expires_in", Value::Number(n)) => {
            let whole = n.as_u64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && (0.0..1e15).contains(f))
                    .map(|f| f as u64)
            });
            return Ok(Some(whole.map_or_else(|| n.to_string(), |w| w.to_string())));
        }
        ("expires_in" | "syntax" | "title", Value::String(s)) => return Ok(Some(s)),
        ("expires_in", _) => "a number of seconds or a duration string such as \"1h\"",
        _ => "a string",
    };
    Err(CoreError::InvalidOption {
        option,
        value: shown,
        expected: expected.to_owned(),
    }
    .into())
}

/// `browser`: a form posted by a browser, whose text fields the HTML standard sends with CRLF
/// line breaks whatever the user typed; those are turned back into LF. Files and other clients'
/// fields are kept byte for byte.
async fn parse_multipart(
    content_type: &str,
    bytes: Bytes,
    request: &mut CreateRequest,
    browser: bool,
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
            let data = if browser && file_name.is_none() {
                Bytes::from(crlf_to_lf(&data))
            } else {
                data
            };
            content.get_or_insert(data);
        } else if file_name.is_some() {
            if first_file.is_none() {
                first_file = Some((data, file_name));
            }
        } else {
            options.push((name, data.to_vec()));
        }
    }
    reject_unknown_fields(&options)?;
    apply_options(request, options.into_iter());
    let (data, file_name) = match (content, first_file) {
        (Some(data), _) => (data, None),
        (None, Some((data, name))) => (data, name),
        (None, None) => {
            return Err(ApiError::Malformed(
                "the multipart body has no `content` field and no file (try `curl -F content=<file` or `curl -F file=@file`)".to_owned(),
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

fn crlf_to_lf(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for (i, &b) in text.iter().enumerate() {
        if !(b == b'\r' && text.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

/// Form fields are a closed set (files may have any name): a misspelt option is an error, not
/// silently ignored.
fn reject_unknown_fields(fields: &[(Vec<u8>, Vec<u8>)]) -> Result<(), ApiError> {
    match fields
        .iter()
        .find(|(k, _)| k != b"content" && option_name(k).is_empty())
    {
        None => Ok(()),
        Some((name, _)) => Err(CoreError::InvalidOption {
            option: "form field",
            value: String::from_utf8_lossy(name).chars().take(60).collect(),
            expected: "fields are content, expires_in, burn_after_reading, syntax and title (files may have any name)".to_owned(),
        }
        .into()),
    }
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
