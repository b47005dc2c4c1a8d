use std::net::IpAddr;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::HOST;
use lambda_http::RequestExt;
use lambda_http::request::RequestContext;
use pastebin_core::TokenHash;
use pastebin_http::ClientIp;

/// The client address API Gateway saw (`requestContext.http.sourceIp`).
pub fn source_ip(req: &Request) -> Option<IpAddr> {
    match req.request_context_ref()? {
        RequestContext::ApiGatewayV2(ctx) => ctx.http.source_ip.as_deref()?.parse().ok(),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// Behind CloudFront, API Gateway's `sourceIp` is an edge server and `Host` the API's own
/// domain. CloudFront's viewer-request function (infra/viewer-request.js) passes the viewer's
/// address and host on; they are believed only when the request also carries the origin secret
/// that CloudFront adds, so a client calling the API directly cannot choose its own address.
#[derive(Clone, Default)]
pub struct Forwarding {
    pub origin_secret: Option<String>,
}

impl Forwarding {
    fn vouches_for(&self, req: &Request) -> bool {
        let (Some(secret), Some(sent)) = (
            &self.origin_secret,
            req.headers()
                .get("x-origin-verify")
                .and_then(|v| v.to_str().ok()),
        ) else {
            return false;
        };
        // Hashing both sides makes the comparison constant-time whatever their lengths.
        TokenHash::of(secret).matches(&TokenHash::of(sent))
    }
}

pub async fn attach_client(
    State(forwarding): State<Forwarding>,
    mut req: Request,
    next: Next,
) -> Response {
    let from_cdn = forwarding.vouches_for(&req);
    let viewer_ip = from_cdn
        .then(|| {
            req.headers()
                .get("x-viewer-ip")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
        })
        .flatten();
    if let Some(ip) = viewer_ip.or_else(|| source_ip(&req)) {
        req.extensions_mut().insert(ClientIp(ip));
    }
    if from_cdn
        && let Some(host) = req
            .headers()
            .get("x-viewer-host")
            .filter(|h| !h.is_empty())
            .cloned()
    {
        req.headers_mut().insert(HOST, host);
    }
    for forwarded in ["x-viewer-ip", "x-viewer-host", "x-origin-verify"] {
        req.headers_mut().remove(forwarded);
    }
    next.run(req).await
}
