use std::sync::Arc;

use axum::Router;
use pastebin_aws::{
    AwsClients, AwsError, AwsSettings, DynamoRateLimiter, DynamoStore, ensure_resources,
};
use pastebin_core::{
    ConfigError, FixedWindowLimiter, MemoryStore, PasteStore, Pastebin, RateLimiter, SystemClock,
};
use pastebin_http::config::Settings;
use pastebin_http::{AppState, PublicUrl, Routes, router};

use crate::emf::{EmfState, emit};
use crate::source_ip::attach_client;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Aws(#[from] AwsError),
}

/// Cold start: configuration, clients and the router for `routes`, built once.
pub async fn http_app(routes: Routes) -> Result<Router, StartError> {
    let settings = Settings::from_env()?;
    let (store, limiter): (Arc<dyn PasteStore>, Arc<dyn RateLimiter>) =
        match store_kind(|name| std::env::var(name).ok())? {
            FunctionStore::Aws => {
                let aws = AwsSettings::from_env()?;
                if routes.create {
                    aws.require_hash_key()?;
                }
                let clients = AwsClients::from_env().await;
                if aws.create_resources {
                    ensure_resources(&clients, &aws).await?;
                }
                (
                    Arc::new(DynamoStore::new(&clients, &aws)),
                    Arc::new(DynamoRateLimiter::new(&clients, &aws.table)),
                )
            }
            FunctionStore::Memory => (
                Arc::new(MemoryStore::default()),
                Arc::new(FixedWindowLimiter::default()),
            ),
        };
    let bin = Pastebin::new(
        store,
        limiter,
        Arc::new(SystemClock),
        settings.limits.clone(),
        settings.rates,
    );
    // API Gateway only speaks HTTPS.
    let public_url = settings
        .public_url
        .clone()
        .unwrap_or(PublicUrl::FromRequest { scheme: "https" });
    // API Gateway's access log (template.yaml) already has a line per request; the function's
    // own would double what CloudWatch ingests and bills. PASTEBIN_ACCESS_LOG=on turns it on.
    let state = AppState::new(bin, public_url)
        .with_access_log_default(false)
        .with_settings(&settings);
    Ok(with_lambda_layers(state, routes))
}

#[derive(Debug, PartialEq, Eq)]
enum FunctionStore {
    Aws,
    /// Each process keeps its own pastes, lost when it ends: only for measuring the functions
    /// without storage time (`bench/run`), never for a deployment.
    Memory,
}

/// `PASTEBIN_STORE`: `aws` (the default) or `memory`. The embedded store needs a disk that
/// outlives the process, which a function does not have.
fn store_kind(lookup: impl Fn(&str) -> Option<String>) -> Result<FunctionStore, ConfigError> {
    match pastebin_core::Env(&lookup).get("PASTEBIN_STORE") {
        None => Ok(FunctionStore::Aws),
        Some(v) => match v.trim().to_ascii_lowercase().as_str() {
            "aws" => Ok(FunctionStore::Aws),
            "memory" => Ok(FunctionStore::Memory),
            _ => Err(ConfigError {
                var: "PASTEBIN_STORE",
                value: v,
                reason: "a function takes `aws` (or `memory`, for benchmarks only)".to_owned(),
            }),
        },
    }
}

/// The shared router plus what only Lambda needs: the client address API Gateway saw, and EMF
/// metrics. Tests build it over a memory store.
pub fn with_lambda_layers(state: AppState, routes: Routes) -> Router {
    let function = std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|_| "local".to_owned());
    let emf = EmfState {
        metrics: state.metrics.clone(),
        function,
    };
    router(state, routes)
        .layer(axum::middleware::from_fn_with_state(emf, emit))
        .layer(axum::middleware::from_fn(attach_client))
}

/// `main` of the create, fetch and delete functions.
pub async fn serve_http(routes: Routes) -> Result<(), lambda_http::Error> {
    crate::init_logging();
    let app = match http_app(routes).await {
        Ok(app) => app,
        Err(e) => {
            tracing::error!(error = %e, "cannot start");
            return Err(e.into());
        }
    };
    lambda_http::run(crate::payload::fitted(app)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(value: Option<&str>) -> Result<FunctionStore, ConfigError> {
        store_kind(|name| {
            assert_eq!(name, "PASTEBIN_STORE");
            value.map(str::to_owned)
        })
    }

    #[test]
    fn functions_use_aws_unless_told_memory_and_refuse_the_embedded_store() {
        assert_eq!(kind(None).ok(), Some(FunctionStore::Aws));
        assert_eq!(kind(Some("aws")).ok(), Some(FunctionStore::Aws));
        assert_eq!(kind(Some(" Memory ")).ok(), Some(FunctionStore::Memory));
        let err = kind(Some("embedded")).err().map(|e| e.var);
        assert_eq!(err, Some("PASTEBIN_STORE"));
    }
}
