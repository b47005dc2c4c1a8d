use axum::Router;
use pastebin_aws::{AwsBackend, AwsError, AwsSettings};
use pastebin_core::{ConfigError, StoreKind, vars};
use pastebin_http::config::Settings;
use pastebin_http::{AppState, Routes, Runtime, app_state, router};

use crate::emf::{EmfState, emit};
use crate::source_ip::attach_client;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Aws(#[from] AwsError),
}

/// The stores a function can be given: DynamoDB + S3. A build with the `bench-memory-store`
/// feature (`bench/run`'s warm measurements, never a deployment) also takes `memory`.
pub const STORES: &[StoreKind] = &[
    StoreKind::Aws,
    #[cfg(feature = "bench-memory-store")]
    StoreKind::Memory,
];

/// Cold start: configuration, clients and the router for `routes`, built once.
pub async fn http_app(routes: Routes) -> Result<Router, StartError> {
    let settings = Settings::from_env()?;
    let kind = StoreKind::parse(std::env::var(vars::STORE).ok().as_deref(), STORES)?;
    let storage = match kind {
        #[cfg(feature = "bench-memory-store")]
        StoreKind::Memory => pastebin_core::Storage::memory(),
        // `parse` admits only what `STORES` lists; a deployment build does not even link the
        // memory store.
        _ => {
            let aws = AwsSettings::from_env()?;
            if routes.create {
                aws.require_hash_key()?;
            }
            AwsBackend::new(aws).await.prepared().await?.storage()
        }
    };
    let state = app_state(storage, &settings, Runtime::LAMBDA);
    Ok(with_lambda_layers(state, routes))
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
    pastebin_http::logging::init_logging(pastebin_http::logging::LogSink::Lambda);
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

    #[test]
    fn a_deployed_function_takes_only_the_aws_store() {
        assert_eq!(
            StoreKind::parse(None, STORES),
            Ok(StoreKind::Aws),
            "the default"
        );
        let parse = |value| StoreKind::parse(Some(value), STORES);
        assert_eq!(parse("aws"), Ok(StoreKind::Aws));
        assert!(parse("embedded").is_err());
        assert_eq!(
            parse("memory").is_ok(),
            cfg!(feature = "bench-memory-store"),
            "the memory store is for benchmark builds only"
        );
    }
}
