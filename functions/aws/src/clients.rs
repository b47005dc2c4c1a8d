use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};

/// SDK clients, built once per process (per cold start in Lambda) and cloned cheaply.
#[derive(Clone, Debug)]
pub struct AwsClients {
    /// Region, credentials, timeouts and HTTPS client, for any further client a function needs.
    pub config: aws_config::SdkConfig,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub s3: aws_sdk_s3::Client,
}

impl AwsClients {
    /// From the SDK's own configuration chain (region, credentials, `AWS_ENDPOINT_URL*`), with
    /// explicit timeouts so that a hung backend becomes a 503 instead of a hung request.
    pub async fn from_env() -> Self {
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(1))
            .operation_attempt_timeout(Duration::from_secs(3))
            .operation_timeout(Duration::from_secs(8))
            .build();
        let config = aws_config::defaults(BehaviorVersion::latest())
            .http_client(https_client())
            .timeout_config(timeouts)
            .retry_config(RetryConfig::standard().with_max_attempts(3))
            .load()
            .await;
        // Local stand-ins (and most S3-compatible servers) only speak path-style addressing.
        let custom_endpoint = ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"]
            .iter()
            .any(|v| std::env::var(v).is_ok_and(|s| !s.is_empty()));
        let s3 = aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(custom_endpoint)
            .build();
        Self {
            dynamodb: aws_sdk_dynamodb::Client::new(&config),
            s3: aws_sdk_s3::Client::from_conf(s3),
            config,
        }
    }
}

/// The HTTP(S) client every SDK client here uses: rustls on ring rather than the SDK's default
/// aws-lc, the same TLS in a much smaller binary (see the workspace manifest). The SDK is built
/// without a default client, so anything constructing its own SDK client must pass this one.
pub fn https_client() -> aws_sdk_dynamodb::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}
