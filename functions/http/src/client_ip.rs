use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use http::Extensions;

/// The client address as the platform saw it: the socket peer locally, API Gateway's
/// `requestContext.http.sourceIp` in Lambda. Never taken from a client-supplied header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// From the request's extensions: an explicit `ClientIp` (set by the Lambda runtime glue),
    /// else the socket peer; requests with neither share the unspecified address.
    pub fn of(ext: &Extensions) -> IpAddr {
        if let Some(ClientIp(ip)) = ext.get::<ClientIp>() {
            return *ip;
        }
        if let Some(ConnectInfo(addr)) = ext.get::<ConnectInfo<SocketAddr>>() {
            return addr.ip();
        }
        IpAddr::V4(Ipv4Addr::UNSPECIFIED)
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(Self::of(&parts.extensions)))
    }
}
