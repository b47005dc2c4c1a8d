use std::time::Duration;

use std::sync::{Arc, OnceLock};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};

use aws_sdk_dynamodb::config::{HttpClient, RuntimeComponents, SharedHttpClient};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{HttpConnectorSettings, SharedHttpConnector};

use crate::sdk_config;
use crate::trust::Roots;

/// How long one kind of call may take, all retries included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub attempt: Duration,
    pub operation: Duration,
    pub attempts: u32,
}

impl Timeouts {
    /// Every DynamoDB and S3 call a request makes. A request makes at most
    /// [`MAX_CALLS_BEFORE_COMMIT`] of them before its outcome is decided, plus the limiter's
    /// and a bounded clean-up, which together stay inside [`REQUEST_BUDGET`].
    pub const STORE: Self = Self {
        connect: Duration::from_secs(1),
        attempt: Duration::from_secs(2),
        operation: Duration::from_secs(3),
        attempts: 3,
    };

    /// The rate limiter's counter: one try, briefly. The limiter fails open, so an outage of
    /// its table costs each request this much and no more. (Its connect timeout is the store's
    /// so that both share one connector and its pool; the operation timeout bounds it anyway.)
    pub const LIMITER: Self = Self {
        connect: Duration::from_secs(1),
        attempt: Duration::from_millis(500),
        operation: Duration::from_millis(500),
        attempts: 1,
    };

    /// These timeouts and retries as a per-call override of a DynamoDB client's own.
    pub fn dynamodb_override(self) -> aws_sdk_dynamodb::config::Builder {
        let (timeouts, retries) = self.config();
        aws_sdk_dynamodb::config::Builder::new()
            .timeout_config(timeouts)
            .retry_config(retries)
    }

    fn config(self) -> (TimeoutConfig, RetryConfig) {
        (
            TimeoutConfig::builder()
                .connect_timeout(self.connect)
                .operation_attempt_timeout(self.attempt)
                .operation_timeout(self.operation)
                .build(),
            RetryConfig::standard().with_max_attempts(self.attempts),
        )
    }
}

/// The most store calls a request waits for before its outcome is decided (a large create:
/// the body's reference count, its S3 object, the item; a burn reveal of a large paste: the
/// item, its body, the claim).
pub const MAX_CALLS_BEFORE_COMMIT: u32 = 3;

/// The longest a request's clean-up after its outcome is decided may take (deleting a revealed
/// burn paste's item, releasing a body reference): what does not finish in time is finished
/// later by the table's TTL and stream.
pub const CLEANUP_BUDGET: Duration = Duration::from_secs(2);

/// The longest a request can spend on storage; the functions' timeout (15 s in template.yaml)
/// leaves room above it to answer.
pub const REQUEST_BUDGET: Duration = Duration::from_secs(12);

/// SDK clients, built once per process (per cold start in Lambda) and cloned cheaply.
#[derive(Clone, Debug)]
pub struct AwsClients {
    /// Region, credentials, timeouts and HTTPS client, for any further client a function needs.
    pub config: aws_config::SdkConfig,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub s3: LazyS3,
    /// The rate limiter's budget, applied to its calls on `dynamodb` (a second client would
    /// cost every cold start its construction, for calls that batching has made rare).
    pub limiter: Timeouts,
}

impl AwsClients {
    /// From the SDK's own configuration chain (region, credentials, `AWS_ENDPOINT_URL*`), with
    /// explicit timeouts so that a hung backend becomes a 503 instead of a hung request.
    pub async fn from_env() -> Self {
        Self::new(None, Timeouts::STORE, Timeouts::LIMITER).await
    }

    /// `endpoint` overrides the SDK's own settings (tests put a fault-injecting proxy there).
    pub async fn new(endpoint: Option<&str>, store: Timeouts, limiter: Timeouts) -> Self {
        let roots = match endpoint {
            Some(url) if url.starts_with("https://") => Roots::System,
            _ => Roots::from_env(),
        };
        let (timeouts, retries) = store.config();
        let config = sdk_config::load(endpoint, https_client(roots), timeouts, retries).await;
        // Local stand-ins (and most S3-compatible servers) only speak path-style addressing.
        let custom_endpoint = endpoint.is_some()
            || ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"]
                .iter()
                .any(|v| std::env::var(v).is_ok_and(|s| !s.is_empty()));
        Self {
            dynamodb: aws_sdk_dynamodb::Client::new(&config),
            s3: LazyS3::new(&config, custom_endpoint),
            limiter,
            config,
        }
    }
}

/// The S3 client, built on first use: most pastes never touch S3 (their text is inline in the
/// item), so most function instances never build it, and a cold start does not wait for it.
#[derive(Clone, Debug)]
pub struct LazyS3 {
    config: aws_sdk_s3::config::Builder,
    client: Arc<OnceLock<aws_sdk_s3::Client>>,
}

impl LazyS3 {
    fn new(config: &aws_config::SdkConfig, path_style: bool) -> Self {
        Self {
            config: aws_sdk_s3::config::Builder::from(config).force_path_style(path_style),
            client: Arc::default(),
        }
    }
}

impl std::ops::Deref for LazyS3 {
    type Target = aws_sdk_s3::Client;

    fn deref(&self) -> &aws_sdk_s3::Client {
        self.client
            .get_or_init(|| aws_sdk_s3::Client::from_conf(self.config.clone().build()))
    }
}

/// The HTTP(S) client every SDK client here uses: rustls on ring rather than the SDK's default
/// aws-lc, the same TLS in a much smaller binary (see the workspace manifest). The SDK is built
/// without a default client, so anything constructing its own SDK client must pass this one.
/// Every SDK client built from one [`AwsClients`] shares it, and with it one set of roots.
pub fn https_client(roots: Roots) -> SharedHttpClient {
    SharedHttpClient::new(ConnectorOnFirstCall(
        aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .tls_context(roots.tls_context())
            .build_https(),
    ))
}

/// The SDK's HTTPS client without its check at client construction, which builds a whole TLS
/// connector (trust store parsed, TLS configuration made) and throws it away, so that a system
/// store is read early. Each SDK client built paid for one on every cold start; the connector
/// calls use is built by the first call and kept, as before.
#[derive(Debug)]
struct ConnectorOnFirstCall(SharedHttpClient);

impl HttpClient for ConnectorOnFirstCall {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.0.http_connector(settings, components)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every wait a request can make on storage, end to end, fits its budget.
    #[test]
    fn the_worst_request_fits_the_budget() {
        let worst = Timeouts::LIMITER.operation
            + Timeouts::STORE.operation * MAX_CALLS_BEFORE_COMMIT
            + CLEANUP_BUDGET;
        assert!(worst <= REQUEST_BUDGET, "{worst:?}");
        assert!(Timeouts::STORE.attempt <= Timeouts::STORE.operation);
        // The limiter's calls go through the store's client and connector: one connect timeout.
        assert_eq!(Timeouts::LIMITER.connect, Timeouts::STORE.connect);
    }
}
