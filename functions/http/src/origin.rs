//! One door. Behind a CDN, the origin answers only requests that carry the secret header the
//! CDN adds (`X-Origin-Verify`): anyone calling the origin directly would skip the CDN's cache,
//! its firewall and its share of the origin's throttle. Requests the CDN vouches for may also
//! name the viewer's address and host (`X-Viewer-Ip`, `X-Viewer-Host`, set by the CDN's
//! viewer-request function); from anyone else those headers are dropped unread.
//!
//! Two secrets are accepted at once, so that the secret can be rotated without an outage: the
//! origin learns the new one before the CDN starts sending it, and forgets the old one after.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::HeaderMap;
use http::header::HOST;
use pastebin_core::TokenHash;

use crate::client_ip::ClientIp;
use crate::error::ApiError;

pub const VERIFY_HEADER: &str = "x-origin-verify";
pub const VIEWER_IP_HEADER: &str = "x-viewer-ip";
pub const VIEWER_HOST_HEADER: &str = "x-viewer-host";

/// Shortest secret accepted: long enough not to be guessed.
pub const MIN_SECRET_LEN: usize = 32;

/// The secrets a request may carry; none means the origin is open (local use, no CDN).
#[derive(Clone, Default)]
pub struct OriginGuard {
    accepted: Vec<TokenHash>,
}

impl std::fmt::Debug for OriginGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OriginGuard({} secrets)", self.accepted.len())
    }
}

impl OriginGuard {
    /// Every request is served; forwarded viewer headers are never believed.
    pub fn open() -> Self {
        Self::default()
    }

    /// Requests must carry one of `secrets` (the current one, and the previous during a
    /// rotation).
    pub fn requiring<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            accepted: secrets.into_iter().map(TokenHash::of).collect(),
        }
    }

    pub fn is_open(&self) -> bool {
        self.accepted.is_empty()
    }

    fn vouches_for(&self, headers: &HeaderMap) -> bool {
        let Some(sent) = headers
            .get(VERIFY_HEADER)
            .map(|v| TokenHash::of_bytes(v.as_bytes()))
        else {
            return false;
        };
        // Hashes compare in constant time whatever the lengths; every secret is compared, so
        // the time taken does not say which one matched.
        self.accepted
            .iter()
            .fold(false, |found, secret| secret.matches(&sent) | found)
    }
}

/// Refuses what did not come through the CDN (cheaply: before any route, limiter or store),
/// and takes the viewer's address and host from what did.
pub async fn guard(
    State(guard): State<Arc<OriginGuard>>,
    mut req: Request,
    next: Next,
) -> Response {
    if !guard.is_open() {
        if !guard.vouches_for(req.headers()) {
            return ApiError::NotThroughCdn.into_response();
        }
        let viewer_ip = req
            .headers()
            .get(VIEWER_IP_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        if let Some(ip) = viewer_ip {
            req.extensions_mut().insert(ClientIp(ip));
        }
        if let Some(host) = req
            .headers()
            .get(VIEWER_HOST_HEADER)
            .filter(|h| !h.is_empty())
            .cloned()
        {
            req.headers_mut().insert(HOST, host);
        }
    }
    for forwarded in [VIEWER_IP_HEADER, VIEWER_HOST_HEADER, VERIFY_HEADER] {
        req.headers_mut().remove(forwarded);
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(secret: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(s) = secret {
            h.insert(VERIFY_HEADER, s.parse().unwrap());
        }
        h
    }

    #[test]
    fn either_configured_secret_is_accepted_and_nothing_else() {
        let g = OriginGuard::requiring(["current-secret", "previous-secret"]);
        assert!(g.vouches_for(&headers(Some("current-secret"))));
        assert!(g.vouches_for(&headers(Some("previous-secret"))));
        assert!(!g.vouches_for(&headers(Some("current-secre"))));
        assert!(!g.vouches_for(&headers(Some(""))));
        assert!(!g.vouches_for(&headers(None)));
        assert!(!OriginGuard::open().vouches_for(&headers(Some("current-secret"))));
    }
}
