//! Which certificate authorities the SDK's HTTPS client trusts.
//!
//! By default, the roots AWS's own endpoints chain to (Amazon Trust Services), compiled in: a
//! function then never reads or parses the machine's CA store, which on a cold start cost more
//! than everything else the SDK does (a bundle of ~150 certificates parsed per client, and a
//! directory of ~300 files where the store is laid out that way). The system store is used as
//! soon as the operator points at one (`SSL_CERT_FILE`, `SSL_CERT_DIR`) or at an endpoint that
//! is not AWS's own over HTTPS (`AWS_ENDPOINT_URL*`, whose certificate may come from any CA).

use aws_smithy_http_client::tls::{TlsContext, TrustStore};

/// Amazon Root CA 1–4 and the Starfield root that cross-signs them, PEM.
pub const AMAZON_ROOTS: &[u8] = include_bytes!("aws-roots.pem");

/// Where the HTTPS client's trusted roots come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Roots {
    /// Amazon Trust Services' roots, compiled in.
    Amazon,
    /// The machine's store, as OpenSSL would find it.
    System,
}

impl Roots {
    /// From the process environment.
    pub fn from_env() -> Self {
        Self::from_vars(std::env::vars())
    }

    fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        // Plain-HTTP endpoints (local stand-ins) need no roots at all.
        let points_elsewhere = |name: &str, value: &str| match name {
            "SSL_CERT_FILE" | "SSL_CERT_DIR" => !value.is_empty(),
            _ => name.starts_with("AWS_ENDPOINT_URL") && value.starts_with("https://"),
        };
        if vars
            .into_iter()
            .any(|(name, value)| points_elsewhere(&name, &value))
        {
            Self::System
        } else {
            Self::Amazon
        }
    }

    pub fn tls_context(self) -> TlsContext {
        let store = match self {
            Self::Amazon => TrustStore::empty().with_pem_certificate(AMAZON_ROOTS),
            Self::System => TrustStore::default(),
        };
        TlsContext::builder()
            .with_trust_store(store)
            .build()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots(vars: &[(&str, &str)]) -> Roots {
        Roots::from_vars(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
    }

    #[test]
    fn aws_endpoints_use_the_bundled_roots_unless_the_operator_points_elsewhere() {
        assert_eq!(roots(&[("AWS_REGION", "eu-west-1")]), Roots::Amazon);
        assert_eq!(roots(&[("SSL_CERT_FILE", "")]), Roots::Amazon);
        assert_eq!(roots(&[("SSL_CERT_FILE", "/etc/ca.pem")]), Roots::System);
        assert_eq!(roots(&[("SSL_CERT_DIR", "/etc/ssl/certs")]), Roots::System);
        assert_eq!(
            roots(&[("AWS_ENDPOINT_URL_S3", "https://minio.example")]),
            Roots::System
        );
        assert_eq!(
            roots(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")]),
            Roots::Amazon
        );
    }
}
