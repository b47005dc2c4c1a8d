//! The SDK's HTTPS client (rustls on ring, chosen in `AwsClients`) against a TLS endpoint: the
//! other tests reach ministack over plain HTTP, which would never notice a broken TLS stack.
//! Here a TLS-terminating proxy with its own CA sits in front of ministack, the server is told
//! to trust that CA through `SSL_CERT_FILE` (as it would read a system bundle), and a paste with
//! an S3 body goes through DynamoDB and S3 over TLS.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types};

use crate::common::{large_text, require_endpoint, spawn_server};

/// A CA (written to `ca.pem` in `dir`) and a certificate it issued for `localhost`.
fn certificates(dir: &std::path::Path) -> rustls::ServerConfig {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "pastebin test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();

    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap()
}

/// Terminates TLS on a loopback port and forwards the bytes to `upstream`.
async fn tls_proxy(config: rustls::ServerConfig, upstream: String) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, upstream) = (acceptor.clone(), upstream.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(&upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_reaches_dynamodb_and_s3_over_tls() {
    let endpoint = require_endpoint();
    let upstream = endpoint.trim_start_matches("http://").to_owned();
    let dir = std::env::temp_dir().join(format!(
        "pastebin-tls-{}",
        pastebin_core::random_alphanumeric(8)
    ));
    let no_cert_dir = dir.join("no-cert-dir");
    std::fs::create_dir_all(&no_cert_dir).unwrap();
    let port = tls_proxy(certificates(&dir), upstream).await;

    let suffix = pastebin_core::random_alphanumeric(8).to_ascii_lowercase();
    let ca = dir.join("ca.pem");
    // The only CA it trusts is the proxy's: neither plain HTTP nor the system bundle could pass.
    let server = spawn_server(
        &format!("https://localhost:{port}"),
        &format!("tls-{suffix}"),
        &[("SSL_CERT_FILE", &ca), ("SSL_CERT_DIR", &no_cert_dir)],
    );
    let base = server.base.clone();

    let http = crate::common::http_client().build().unwrap();
    let content = large_text(200 * 1024, "tls");
    let created = http
        .post(format!("{base}/"))
        .body(content.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let url = created.text().await.unwrap().trim().to_owned();
    let id = url.rsplit('/').next().unwrap().to_owned();
    let read = http.get(format!("{base}/raw/{id}")).send().await.unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(read.text().await.unwrap(), content);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// By default the functions trust only the roots AWS's endpoints chain to, compiled in: an
/// endpoint whose certificate comes from another CA is refused. (Which roots a function picks is
/// `Roots::from_env`'s unit test.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundled_roots_parse_and_refuse_a_foreign_ca() {
    let mut roots = rustls::RootCertStore::empty();
    let certs: Vec<_> = pki_types::pem::PemObject::pem_slice_iter(pastebin_aws::AMAZON_ROOTS)
        .collect::<Result<Vec<pki_types::CertificateDer<'static>>, _>>()
        .unwrap();
    let (valid, invalid) = roots.add_parsable_certificates(certs);
    assert_eq!((valid, invalid), (5, 0));

    let upstream = require_endpoint().trim_start_matches("http://").to_owned();
    let dir = std::env::temp_dir().join(format!(
        "pastebin-tls-{}",
        pastebin_core::random_alphanumeric(8)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let port = tls_proxy(certificates(&dir), upstream).await;
    let client = |roots| {
        let config = aws_sdk_dynamodb::config::Builder::new()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .http_client(pastebin_aws::https_client(roots))
            .endpoint_url(format!("https://localhost:{port}"))
            .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "test", "test", None, None, "static",
            ))
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    };
    let refused = client(pastebin_aws::Roots::Amazon)
        .list_tables()
        .send()
        .await
        .unwrap_err();
    let chain = format!("{:?}", std::error::Error::source(&refused));
    assert!(chain.contains("UnknownIssuer"), "{chain}");
    let _ = std::fs::remove_dir_all(&dir);
}
