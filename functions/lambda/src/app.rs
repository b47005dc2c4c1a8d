use std::sync::Arc;

use axum::Router;
use pastebin_aws::{
    AwsClients, AwsError, AwsSettings, DynamoRateLimiter, DynamoStore, ensure_resources,
};
use pastebin_core::{ConfigError, Pastebin, SystemClock};
use pastebin_http::config::Settings;
use pastebin_http::{AppState, PublicUrl, Routes, router};

use crate::emf::{EmfState, emit};
use crate::source_ip::attach_client_ip;

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
    let aws = AwsSettings::from_env()?;
    let clients = AwsClients::from_env().await;
    if aws.create_resources {
        ensure_resources(&clients, &aws).await?;
    }
    let store = DynamoStore::new(&clients, &aws, settings.limits.max_expiry);
    let bin = Pastebin::new(
        Arc::new(store),
        Arc::new(DynamoRateLimiter::new(&clients, &aws.table)),
        Arc::new(SystemClock),
        settings.limits,
        settings.rates,
    );
    // API Gateway only speaks HTTPS.
    let public_url = settings
        .public_url
        .unwrap_or(PublicUrl::FromRequest { scheme: "https" });
    Ok(with_lambda_layers(AppState::new(bin, public_url), routes))
}

/// The shared router plus what only Lambda needs: the client address from the API Gateway
/// request context, and EMF metrics. Tests build it over a memory store.
pub fn with_lambda_layers(state: AppState, routes: Routes) -> Router {
    let function = std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|_| "local".to_owned());
    let emf = EmfState {
        metrics: state.metrics.clone(),
        function,
    };
    router(state, routes)
        .layer(axum::middleware::from_fn_with_state(emf, emit))
        .layer(axum::middleware::from_fn(attach_client_ip))
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
    lambda_http::run(app).await
}
