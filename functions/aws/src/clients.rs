use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};

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
    /// its table costs each request this much and no more.
    pub const LIMITER: Self = Self {
        connect: Duration::from_millis(500),
        attempt: Duration::from_millis(500),
        operation: Duration::from_millis(500),
        attempts: 1,
    };

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
    pub s3: aws_sdk_s3::Client,
    /// DynamoDB with the limiter's short budget (the same connections as `dynamodb`).
    pub limiter: aws_sdk_dynamodb::Client,
}

impl AwsClients {
    /// From the SDK's own configuration chain (region, credentials, `AWS_ENDPOINT_URL*`), with
    /// explicit timeouts so that a hung backend becomes a 503 instead of a hung request.
    pub async fn from_env() -> Self {
        Self::new(None, Timeouts::STORE, Timeouts::LIMITER).await
    }

    /// `endpoint` overrides the SDK's own settings (tests put a fault-injecting proxy there).
    pub async fn new(endpoint: Option<&str>, store: Timeouts, limiter: Timeouts) -> Self {
        let (timeouts, retries) = store.config();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(https_client())
            .timeout_config(timeouts)
            .retry_config(retries);
        if let Some(endpoint) = endpoint {
            loader = loader.endpoint_url(endpoint);
        }
        let config = loader.load().await;
        // Local stand-ins (and most S3-compatible servers) only speak path-style addressing.
        let custom_endpoint = endpoint.is_some()
            || ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"]
                .iter()
                .any(|v| std::env::var(v).is_ok_and(|s| !s.is_empty()));
        let s3 = aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(custom_endpoint)
            .build();
        let (timeouts, retries) = limiter.config();
        let limiter = aws_sdk_dynamodb::config::Builder::from(&config)
            .timeout_config(timeouts)
            .retry_config(retries)
            .build();
        Self {
            dynamodb: aws_sdk_dynamodb::Client::new(&config),
            s3: aws_sdk_s3::Client::from_conf(s3),
            limiter: aws_sdk_dynamodb::Client::from_conf(limiter),
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
    }
}
