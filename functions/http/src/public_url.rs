use http::header::HOST;
use http::{Extensions, HeaderMap};

use crate::proxies::ForwardedProto;

/// The base that share URLs are printed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicUrl {
    /// Configured (`PASTEBIN_PUBLIC_URL`), e.g. `https://paste.example.com`.
    Fixed(String),
    /// `scheme://` + the request's `Host` header.
    FromRequest { scheme: &'static str },
}

impl PublicUrl {
    /// Validates and normalises a configured base URL (no trailing slash).
    pub fn fixed(url: &str) -> Result<Self, String> {
        let trimmed = url.trim().trim_end_matches('/');
        let rest = trimmed
            .strip_prefix("https://")
            .or_else(|| trimmed.strip_prefix("http://"))
            .ok_or("must start with http:// or https://")?;
        if rest.is_empty()
            || rest.chars().any(|c| {
                c.is_whitespace()
                    || c.is_control()
                    || matches!(c, '"' | '<' | '>' | '\\' | '?' | '#')
            })
        {
            return Err("must be an absolute URL such as https://paste.example.com".to_owned());
        }
        Ok(Self::Fixed(trimmed.to_owned()))
    }

    /// The base for a request: configured, or its scheme (as a trusted proxy reported it, see
    /// `proxies`, else the runtime's) and its `Host`.
    pub fn base(&self, headers: &HeaderMap, extensions: &Extensions) -> String {
        match self {
            Self::Fixed(base) => base.clone(),
            Self::FromRequest { scheme } => {
                let scheme = extensions.get::<ForwardedProto>().map_or(*scheme, |p| p.0);
                let host = headers
                    .get(HOST)
                    .and_then(|h| h.to_str().ok())
                    .filter(|h| is_plausible_host(h))
                    .unwrap_or("localhost");
                format!("{scheme}://{host}")
            }
        }
    }
}

/// A Host header is echoed into the URLs we print: accept only host[:port] characters.
fn is_plausible_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_derived_bases_refuse_odd_hosts() {
        let url = PublicUrl::FromRequest { scheme: "http" };
        let mut h = HeaderMap::new();
        h.insert(HOST, "127.0.0.1:3000".parse().unwrap());
        let none = Extensions::new();
        assert_eq!(url.base(&h, &none), "http://127.0.0.1:3000");
        let mut proxied = Extensions::new();
        proxied.insert(ForwardedProto("https"));
        assert_eq!(url.base(&h, &proxied), "https://127.0.0.1:3000");
        h.insert(HOST, "evil.com/<script>".parse().unwrap());
        assert_eq!(url.base(&h, &none), "http://localhost");
    }

    #[test]
    fn configured_bases_are_validated() {
        assert!(
            matches!(PublicUrl::fixed("https://p.example.com/"), Ok(PublicUrl::Fixed(b)) if b == "https://p.example.com")
        );
        assert!(PublicUrl::fixed("p.example.com").is_err());
        assert!(PublicUrl::fixed("https://").is_err());
        assert!(PublicUrl::fixed("https://a b").is_err());
    }
}
