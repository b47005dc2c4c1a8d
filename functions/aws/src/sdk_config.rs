//! The SDK's shared configuration, read from the environment once per process.
//!
//! On Lambda the environment carries everything: the region, the role's credentials and
//! nothing else the SDK would act on. There the configuration is assembled directly from it,
//! which skips the SDK's loader (profile files, and a default credentials chain that builds
//! an STS client with its own HTTPS connector before it looks at the environment): about a
//! tenth of a millisecond, a tenth of what the functions add to a cold start. Any other
//! `AWS_*` setting (a profile, FIPS or dual-stack endpoints, per-service endpoint URLs, …)
//! means the environment is not that simple, and the SDK's own loader reads it all.

use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::config::{SharedCredentialsProvider, SharedHttpClient};

/// `AWS_*` variables the direct path understands (or, for Lambda's own, that the SDK ignores).
const UNDERSTOOD: &[&str] = &[
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_EXECUTION_ENV",
    // Read by other AWS SDKs and tools; the Rust SDK has no such setting.
    "AWS_CA_BUNDLE",
];
const UNDERSTOOD_PREFIXES: &[&str] = &["AWS_LAMBDA_", "AWS_XRAY_"];

/// What the direct path takes from the environment, when that is all there is.
#[derive(Debug, PartialEq, Eq)]
struct Plain {
    region: String,
    endpoint_url: Option<String>,
}

impl Plain {
    fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Option<Self> {
        let mut region = None;
        let mut default_region = None;
        let mut endpoint_url = None;
        let mut credentials = (false, false);
        for (name, value) in vars {
            if !name.starts_with("AWS_") {
                continue;
            }
            let understood = UNDERSTOOD.contains(&name.as_str())
                || UNDERSTOOD_PREFIXES.iter().any(|p| name.starts_with(p));
            if !understood {
                return None;
            }
            let value = value.trim().to_owned();
            match name.as_str() {
                "AWS_REGION" => region = Some(value).filter(|v| !v.is_empty()),
                "AWS_DEFAULT_REGION" => default_region = Some(value).filter(|v| !v.is_empty()),
                "AWS_ENDPOINT_URL" => endpoint_url = Some(value).filter(|v| !v.is_empty()),
                "AWS_ACCESS_KEY_ID" => credentials.0 = !value.is_empty(),
                "AWS_SECRET_ACCESS_KEY" => credentials.1 = !value.is_empty(),
                _ => {}
            }
        }
        (credentials == (true, true)).then_some(())?;
        Some(Self {
            region: region.or(default_region)?,
            endpoint_url,
        })
    }
}

/// The configuration every client of a process is built from. `endpoint` overrides the
/// environment's (tests put a fault-injecting proxy there).
pub async fn load(
    endpoint: Option<&str>,
    http: SharedHttpClient,
    timeouts: TimeoutConfig,
    retries: RetryConfig,
) -> SdkConfig {
    if let Some(plain) = Plain::from_vars(std::env::vars()) {
        let endpoint_url = endpoint.map(str::to_owned).or(plain.endpoint_url);
        let mut config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(plain.region))
            .credentials_provider(SharedCredentialsProvider::new(
                EnvironmentVariableCredentialsProvider::new(),
            ))
            .http_client(http)
            .timeout_config(timeouts)
            .retry_config(retries);
        if let Some(url) = endpoint_url {
            config = config.endpoint_url(url);
        }
        return config.build();
    }
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .timeout_config(timeouts)
        .retry_config(retries);
    if let Some(endpoint) = endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    loader.load().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(vars: &[(&str, &str)]) -> Option<Plain> {
        Plain::from_vars(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
    }

    const LAMBDA: &[(&str, &str)] = &[
        ("AWS_REGION", "eu-west-1"),
        ("AWS_DEFAULT_REGION", "eu-west-1"),
        ("AWS_ACCESS_KEY_ID", "ASIA…"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_SESSION_TOKEN", "token"),
        ("AWS_LAMBDA_FUNCTION_NAME", "create"),
        ("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"),
        ("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023"),
        ("AWS_XRAY_DAEMON_ADDRESS", "169.254.79.129:2000"),
        ("PASTEBIN_TABLE", "pastes"),
    ];

    #[test]
    fn a_lambda_environment_is_read_directly() {
        assert_eq!(
            plain(LAMBDA),
            Some(Plain {
                region: "eu-west-1".to_owned(),
                endpoint_url: None
            })
        );
        let mut local = LAMBDA.to_vec();
        local.push(("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"));
        assert_eq!(
            plain(&local).and_then(|p| p.endpoint_url).as_deref(),
            Some("http://127.0.0.1:4566")
        );
    }

    #[test]
    fn anything_more_goes_through_the_sdks_loader() {
        for extra in [
            ("AWS_PROFILE", "dev"),
            ("AWS_USE_FIPS_ENDPOINT", "true"),
            ("AWS_ENDPOINT_URL_S3", "https://minio.example"),
            ("AWS_CONFIG_FILE", "/etc/aws.conf"),
        ] {
            let mut vars = LAMBDA.to_vec();
            vars.push(extra);
            assert_eq!(plain(&vars), None, "{extra:?}");
        }
        let no_credentials: Vec<_> = LAMBDA
            .iter()
            .filter(|(k, _)| *k != "AWS_SECRET_ACCESS_KEY")
            .copied()
            .collect();
        assert_eq!(plain(&no_credentials), None);
        let no_region: Vec<_> = LAMBDA
            .iter()
            .filter(|(k, _)| !k.ends_with("REGION"))
            .copied()
            .collect();
        assert_eq!(plain(&no_region), None);
    }
}
