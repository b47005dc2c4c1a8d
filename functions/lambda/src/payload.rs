//! Fitting every response into Lambda's response payload limit.
//!
//! A function's response reaches API Gateway as one JSON document, at most 6 MB. A text body is
//! embedded in it as a JSON string, where every control character becomes a six-byte `\u00XX`
//! escape: a 1 MiB paste of terminal output (`\x1b`) or of `\x01` would not fit as text, while
//! as base64 it is 1.4 MB. So each body travels in whichever encoding is smaller. A body that
//! fits neither way (the JSON view of such a paste, whose own escaping already multiplied it by
//! six) is gzip-compressed, which browsers and HTTP libraries undo by themselves.

use std::convert::Infallible;
use std::future::Future;
use std::io::Write;
use std::pin::Pin;

use axum::Router;
use axum::response::IntoResponse as _;
use http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, VARY};
use http::{HeaderMap, HeaderValue};
use http_body_util::BodyExt;
use lambda_http::{Body, IntoResponse, Response};
use pastebin_http::{ApiError, ErrorBody};
use tower::ServiceExt;

/// Lambda's limit for a synchronous response, in bytes (6 MB, read as the smaller reading).
pub const RESPONSE_LIMIT: usize = 6_000_000;
/// Room for everything in the response document that is not the body: status, headers and
/// JSON punctuation (headers are counted too, this covers the rest).
const ENVELOPE_BYTES: usize = 4 * 1024;

/// A response whose body encoding (text or base64) is already decided.
pub struct Fitted(Response<Body>);

impl IntoResponse for Fitted {
    fn into_response(self) -> Pin<Box<dyn Future<Output = Response<Body>> + Send>> {
        Box::pin(std::future::ready(self.0))
    }
}

impl Fitted {
    pub fn into_inner(self) -> Response<Body> {
        self.0
    }
}

/// The router as a Lambda handler whose every response fits the payload limit.
pub fn fitted(
    app: Router,
) -> impl tower::Service<
    lambda_http::Request,
    Response = Fitted,
    Error = Infallible,
    Future = impl Future<Output = Result<Fitted, Infallible>> + Send,
> + Clone {
    tower::service_fn(move |req: lambda_http::Request| {
        let app = app.clone();
        async move {
            let gzip_ok = accepts_gzip(req.headers());
            let res = match app.oneshot(req).await {
                Ok(res) => res,
                Err(never) => match never {},
            };
            Ok(fit(res, gzip_ok).await)
        }
    })
}

/// Chooses the body's encoding, compressing it if that is the only way it fits.
pub async fn fit(res: axum::response::Response, gzip_ok: bool) -> Fitted {
    let (mut parts, body) = res.into_parts();
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            tracing::error!(error = %e, "a response body could not be read");
            return refuse(parts.headers, ApiError::Unrepresentable);
        }
    };
    let headers_size: usize = parts
        .headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 6)
        .sum();
    let room = RESPONSE_LIMIT.saturating_sub(ENVELOPE_BYTES + headers_size);

    let text = (is_text(&parts.headers))
        .then(|| std::str::from_utf8(&bytes).ok())
        .flatten();
    let binary_size = base64_len(bytes.len());
    match text {
        Some(text) if json_escaped_len(text) <= binary_size.min(room) => {
            return Fitted(Response::from_parts(parts, Body::Text(text.to_owned())));
        }
        _ if binary_size <= room => {
            return Fitted(Response::from_parts(parts, Body::Binary(bytes.to_vec())));
        }
        _ => {}
    }
    if !gzip_ok || parts.headers.contains_key(CONTENT_ENCODING) {
        return refuse(parts.headers, ApiError::NeedsCompression);
    }
    let compressed = gzip(&bytes);
    if base64_len(compressed.len()) > room {
        tracing::error!(
            size = bytes.len(),
            compressed = compressed.len(),
            "a response does not fit Lambda's payload limit even compressed"
        );
        return refuse(parts.headers, ApiError::Unrepresentable);
    }
    parts
        .headers
        .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    parts.headers.remove(CONTENT_LENGTH);
    parts
        .headers
        .append(VARY, HeaderValue::from_static("Accept-Encoding"));
    Fitted(Response::from_parts(parts, Body::Binary(compressed)))
}

/// The error in place of a body that cannot be sent; the security headers the router set stay.
fn refuse(mut headers: HeaderMap, error: ApiError) -> Fitted {
    let res = error.into_response();
    let json = res
        .extensions()
        .get::<ErrorBody>()
        .and_then(|b| serde_json::to_string(b).ok())
        .unwrap_or_default();
    for (name, value) in res.headers() {
        headers.insert(name, value.clone());
    }
    headers.remove(CONTENT_LENGTH);
    headers.remove(CONTENT_ENCODING);
    let mut out = Response::new(Body::Text(json));
    *out.status_mut() = res.status();
    *out.headers_mut() = headers;
    Fitted(out)
}

/// Whether `lambda_http` would send this body as a JSON string (its own rule).
fn is_text(headers: &HeaderMap) -> bool {
    if headers.contains_key(CONTENT_ENCODING) {
        return false;
    }
    let Some(content_type) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let mime = content_type.split(';').next().unwrap_or("").trim();
    [
        "text",
        "application/json",
        "application/javascript",
        "application/xml",
        "application/yaml",
    ]
    .iter()
    .any(|p| content_type.starts_with(p))
        || ["+xml", "+yaml", "+json"].iter().any(|s| mime.ends_with(s))
}

/// Length of `text` as a JSON string's content (serde_json's escaping).
pub fn json_escaped_len(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{08}' | '\u{0c}' => 2,
            c if (c as u32) < 0x20 => 6,
            c => c.len_utf8(),
        })
        .sum()
}

fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4),
        flate2::Compression::fast(),
    );
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// No `Accept-Encoding` means any coding is acceptable (RFC 9110, 12.5.3); otherwise gzip must
/// be listed (or `*`) without `q=0`.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let values: Vec<&str> = headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if values.is_empty() {
        return true;
    }
    let mut gzip = None;
    let mut any = None;
    for coding in values.iter().flat_map(|v| v.split(',')) {
        let mut parts = coding.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match name.as_str() {
            "gzip" | "x-gzip" => gzip = Some(q > 0.0),
            "*" => any = Some(q > 0.0),
            _ => {}
        }
    }
    gzip.or(any).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(accept_encoding: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(v) = accept_encoding {
            h.insert(ACCEPT_ENCODING, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn gzip_is_acceptable_unless_refused() {
        assert!(accepts_gzip(&headers(None)));
        assert!(accepts_gzip(&headers(Some("gzip, deflate, br"))));
        assert!(accepts_gzip(&headers(Some("*"))));
        assert!(!accepts_gzip(&headers(Some("identity"))));
        assert!(!accepts_gzip(&headers(Some("gzip;q=0, br"))));
        assert!(!accepts_gzip(&headers(Some("*;q=0"))));
    }

    #[test]
    fn escaping_is_counted_as_serde_json_does_it() {
        for text in [
            "plain",
            "\u{1}\u{1b}[31mred\n",
            "\"quoted\\\" é ✓ 🦀",
            "\t\r\u{8}\u{c}\u{7f}",
        ] {
            let encoded = serde_json::to_string(text).unwrap();
            assert_eq!(json_escaped_len(text), encoded.len() - 2, "{text:?}");
        }
    }
}
