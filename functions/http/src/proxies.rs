//! Self-hosting behind a reverse proxy (nginx, Caddy, Traefik). For a connection from a proxy
//! the operator trusts (`PASTEBIN_TRUSTED_PROXIES`, CIDRs), the client is the rightmost
//! `X-Forwarded-For` (else `Forwarded: for=`) address that is not itself a trusted proxy, and
//! `X-Forwarded-Proto` / `X-Forwarded-Host` (else `Forwarded: proto= host=`) shape the URLs the
//! service prints. From anyone else those headers are ignored: a client cannot choose the
//! address its rate limits are counted under.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::HOST;
use http::{HeaderMap, HeaderValue};

use crate::client_ip::ClientIp;

/// The scheme a trusted proxy says the client used (`X-Forwarded-Proto`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ForwardedProto(pub &'static str);

/// One trusted network: an address and how many leading bits must match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Net {
    addr: IpAddr,
    bits: u8,
}

impl Net {
    fn parse(text: &str) -> Option<Self> {
        let (addr, bits) = match text.split_once('/') {
            Some((addr, bits)) => (addr, Some(bits.parse::<u8>().ok()?)),
            None => (text, None),
        };
        let addr = canonical(addr.parse().ok()?);
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        (bits <= max).then_some(Self { addr, bits })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let prefix = |a: u128, b: u128, width: u32| {
            let shift = width - u32::from(self.bits);
            shift >= width || (a >> shift) == (b >> shift)
        };
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix(u128::from(u32::from(net)), u128::from(u32::from(ip)), 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => prefix(u128::from(net), u128::from(ip), 128),
            _ => false,
        }
    }
}

/// IPv4 peers of a dual-stack socket arrive as `::ffff:a.b.c.d`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Net>);

impl TrustedProxies {
    /// A comma- or space-separated list of CIDRs or addresses (`10.0.0.0/8, ::1`).
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(|s| {
                Net::parse(s).ok_or_else(|| {
                    format!("{s:?} is not an address or CIDR such as 10.0.0.0/8 or ::1/128")
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(ip))
    }

    /// The client of a request that came from `peer`.
    fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let mut hops = forwarded_for(headers);
        let mut client = peer;
        // From the nearest hop outwards: each trusted proxy vouches for the next address.
        while let Some(hop) = hops.pop() {
            match hop {
                Some(ip) => {
                    client = canonical(ip);
                    if !self.trusts(client) {
                        break;
                    }
                }
                // An entry that is not an address ends what can be believed.
                None => break,
            }
        }
        client
    }
}

/// The addresses a request passed through, farthest first: `X-Forwarded-For` (every line), or
/// else the `for=` of each `Forwarded` element. `None` for an entry that is not an address.
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let xff: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    if !xff.is_empty() {
        return xff.into_iter().map(address).collect();
    }
    forwarded_elements(headers)
        .filter_map(|element| param(&element, "for").map(|v| address(&v)))
        .collect()
}

/// `Forwarded` elements, farthest first.
fn forwarded_elements(headers: &HeaderMap) -> impl Iterator<Item = String> + '_ {
    headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::to_owned)
}

/// The value of `name=` in one `Forwarded` element, unquoted.
fn param(element: &str, name: &str) -> Option<String> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:4711`.
fn address(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Ok(sock) = text.parse::<std::net::SocketAddr>() {
        return Some(sock.ip());
    }
    text.strip_prefix('[')
        .and_then(|t| t.split_once(']'))
        .and_then(|(ip, _)| ip.parse().ok())
}

/// The last value of a header that may be a comma list (the nearest proxy's word).
fn last_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The middleware: the client address, scheme and host as a trusted proxy reports them.
pub async fn from_proxy(
    State(proxies): State<Arc<TrustedProxies>>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = ClientIp::of(req.extensions());
    if proxies.trusts(peer) {
        let client = proxies.client(peer, req.headers());
        req.extensions_mut().insert(ClientIp(client));
        let forwarded = forwarded_elements(req.headers()).last();
        let proto = last_value(req.headers(), "x-forwarded-proto")
            .or_else(|| forwarded.as_deref().and_then(|e| param(e, "proto")));
        match proto.map(|p| p.to_ascii_lowercase()).as_deref() {
            Some("https") => req.extensions_mut().insert(ForwardedProto("https")),
            Some("http") => req.extensions_mut().insert(ForwardedProto("http")),
            _ => None,
        };
        let host = last_value(req.headers(), "x-forwarded-host")
            .or_else(|| forwarded.as_deref().and_then(|e| param(e, "host")))
            .and_then(|h| HeaderValue::from_str(&h).ok());
        if let Some(host) = host {
            req.headers_mut().insert(HOST, host);
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn lists_of_cidrs_and_addresses_parse_and_match() {
        let p = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1 ::1/128 fd00::/8").unwrap();
        assert!(p.trusts(ip("10.200.0.1")) && p.trusts(ip("127.0.0.1")) && p.trusts(ip("::1")));
        assert!(
            p.trusts(ip("::ffff:10.1.2.3")),
            "dual-stack form of a trusted v4 address"
        );
        assert!(p.trusts(ip("fd12::1")));
        assert!(!p.trusts(ip("11.0.0.1")) && !p.trusts(ip("127.0.0.2")) && !p.trusts(ip("::2")));
        assert!(
            TrustedProxies::parse("0.0.0.0/0")
                .unwrap()
                .trusts(ip("8.8.8.8"))
        );
        for bad in ["10.0.0.0/33", "example.com", "10.0.0.0/", "::1/129"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
        assert!(TrustedProxies::parse("").unwrap().is_empty());
    }

    #[test]
    fn the_client_is_the_rightmost_untrusted_hop_and_only_behind_a_trusted_peer() {
        let p = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        let spoofed = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.1.1.1")]);
        assert_eq!(p.client(ip("127.0.0.1"), &spoofed), ip("203.0.113.9"));
        assert_eq!(
            p.client(ip("198.51.100.1"), &spoofed),
            ip("198.51.100.1"),
            "untrusted peer: headers ignored"
        );
        let lines = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(p.client(ip("127.0.0.1"), &lines), ip("203.0.113.9"));
        let garbage = headers(&[("x-forwarded-for", "203.0.113.9, unknown")]);
        assert_eq!(
            p.client(ip("127.0.0.1"), &garbage),
            ip("127.0.0.1"),
            "nothing past a bad entry is believed"
        );
        let all_trusted = headers(&[("x-forwarded-for", "10.0.0.5, 10.0.0.6")]);
        assert_eq!(p.client(ip("127.0.0.1"), &all_trusted), ip("10.0.0.5"));
        let forwarded = headers(&[(
            "forwarded",
            "for=6.6.6.6, for=\"[2001:db8::1]:4711\";proto=https",
        )]);
        assert_eq!(p.client(ip("127.0.0.1"), &forwarded), ip("2001:db8::1"));
        assert_eq!(
            p.client(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
    }
}
