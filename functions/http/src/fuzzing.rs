//! What the fuzz targets (`fuzz/`) run on each input, here so that the test suite can replay
//! their committed corpus on the stable toolchain: whatever the bytes, nothing panics and every
//! accepted input satisfies the contract.

use std::sync::OnceLock;
use std::time::Duration;

use axum::body::Body;
use pastebin_core::{Limits, parse_duration};

use crate::body::{CreateRoute, parse_create};
use crate::extract::PasteRef;
use crate::urlencoded;

/// A small limit, so that inputs of fuzzing size reach the limit checks.
const MAX_BYTES: u64 = 256;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    #[expect(
        clippy::panic,
        reason = "a fuzz harness that cannot run has nothing to report"
    )]
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap_or_else(|e| panic!("a runtime for the fuzz targets: {e}"))
    })
}

/// A create request in every shape: the first byte picks the content type and route, then a
/// query string up to the first newline, then the body.
pub fn create_body(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (query, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&rest[..0], rest),
    };
    let content_type = match selector % 5 {
        0 => "text/plain",
        1 => "application/json",
        2 => "application/x-www-form-urlencoded",
        3 => "multipart/form-data; boundary=XyZ",
        _ => "application/vnd.api+json; charset=utf-8",
    };
    let route = if selector & 0x80 == 0 {
        CreateRoute::Root
    } else {
        CreateRoute::Api
    };
    let Ok(query) = std::str::from_utf8(query) else {
        return;
    };
    let Ok(request) = http::Request::post(format!("/?{query}"))
        .header(http::header::CONTENT_TYPE, content_type)
        .header(
            "sec-fetch-mode",
            if selector & 0x40 == 0 {
                "cors"
            } else {
                "navigate"
            },
        )
        .body(Body::from(body.to_vec()))
    else {
        return;
    };
    let (parts, body) = request.into_parts();
    let limits = Limits::new(
        MAX_BYTES,
        Duration::from_secs(60),
        Duration::from_secs(3600),
    )
    .unwrap_or_default();
    let parsed = runtime().block_on(async {
        let parsed = parse_create(&parts, body, route, &limits, Duration::from_secs(5)).await;
        // A refused body is read away by a task of its own: let it run (block_on returns as
        // soon as its own future is done, which would leave such tasks queued forever).
        tokio::task::yield_now().await;
        parsed
    });
    if let Ok(parsed) = parsed {
        let options = parsed.request.options;
        assert!(
            parsed.request.content.len() as u64 <= MAX_BYTES * 2,
            "decoded content is bounded by the limit (browser CRLF aside)"
        );
        if let Some(lifetime) = options.expires_in {
            assert!(lifetime.duration() >= Limits::MIN_EXPIRY);
            assert!(lifetime.duration() <= limits.max_expiry);
        }
        if let Some(title) = options.title {
            assert!(title.as_str().chars().count() <= pastebin_core::MAX_TITLE_CHARS);
            assert!(!title.as_str().chars().any(char::is_control));
        }
    }
}

/// Durations as operators and clients write them: what parses formats back to itself.
pub fn duration(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = parse_duration(text) {
        let again = parse_duration(&pastebin_core::format_duration(d));
        assert_eq!(again, Ok(d), "{text:?} round-trips");
    }
}

/// A path segment naming a paste (`ID` or `ID.ext`), and the urlencoding around it.
pub fn paste_ref(data: &[u8]) {
    let decoded = urlencoded::decode(data);
    assert!(decoded.len() <= data.len());
    let Ok(segment) = std::str::from_utf8(data) else {
        return;
    };
    if let Some((id, ext)) = PasteRef::parse(segment) {
        assert_eq!(id.as_str().len(), pastebin_core::ID_LEN);
        assert!(id.as_str().bytes().all(|b| b.is_ascii_alphanumeric()));
        assert!(segment.starts_with(id.as_str()));
        if let Some(ext) = ext {
            assert_eq!(segment, format!("{id}.{ext}"));
            let _ = pastebin_core::Syntax::named(ext);
        }
    }
}
