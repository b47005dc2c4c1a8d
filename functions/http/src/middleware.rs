use std::sync::Arc;

use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderValue, header};

use crate::error::ErrorBody;
use crate::negotiate::Wants;
use crate::state::AppState;
use crate::web::error_page;

/// For the web page: its own script and stylesheet, nothing else.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/// For everything that is not HTML (raw text opened in a browser, JSON): nothing may load or
/// run, and the document is sandboxed. Shorter too, which every share-link read pays for in
/// bytes sent.
const CONTENT_SECURITY_POLICY_NOT_HTML: &str = "default-src 'none'; sandbox";

/// Applied around every route: security headers, a `no-store` default, HTML error pages for
/// browsers, status metrics and one log line per request.
pub async fn edge(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let wants = Wants::of(req.headers());
    let method = req.method().clone();
    let path = req.uri().path().to_owned();

    let mut res = next.run(req).await;

    if wants == Wants::Html
        && let Some(err) = res.extensions().get::<ErrorBody>().cloned()
    {
        *res.body_mut() = Body::from(error_page(res.status().as_u16(), &err.message));
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        res.headers_mut().remove(header::CONTENT_LENGTH);
    }
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let html = h
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(if html {
            CONTENT_SECURITY_POLICY
        } else {
            CONTENT_SECURITY_POLICY_NOT_HTML
        }),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));

    let status = res.status().as_u16();
    state.metrics.record_status(status);
    if state.access_log {
        tracing::info!(%method, %path, status, latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX), "request");
    }
    res
}
