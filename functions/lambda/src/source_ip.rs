use std::net::IpAddr;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use lambda_http::RequestExt;
use lambda_http::request::RequestContext;
use pastebin_http::ClientIp;

/// The client address API Gateway saw (`requestContext.http.sourceIp`).
pub fn source_ip(req: &Request) -> Option<IpAddr> {
    match req.request_context_ref()? {
        RequestContext::ApiGatewayV2(ctx) => ctx.http.source_ip.as_deref()?.parse().ok(),
        // Reachable only when feature unification compiles in the other API Gateway
        // contexts (it does in some test builds), so `expect` would be wrong in the rest.
        #[expect(clippy::allow_attributes, reason = "see above")]
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// Hands API Gateway's `sourceIp` to the router as the client address. Behind CloudFront that
/// is an edge server; the router's origin guard replaces it with the viewer's address when the
/// request carries the origin secret (see `pastebin_http::origin`).
pub async fn attach_client(mut req: Request, next: Next) -> Response {
    if let Some(ip) = source_ip(&req) {
        req.extensions_mut().insert(ClientIp(ip));
    }
    next.run(req).await
}
