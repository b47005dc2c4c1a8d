use std::net::SocketAddr;
use std::sync::Arc;

use pastebin_aws::{AwsBackend, AwsError};
use pastebin_core::{FixedWindowLimiter, Pastebin, Storage};
use pastebin_embedded::{EmbeddedError, EmbeddedStore};
use pastebin_http::{Routes, Runtime, app_state, router};
use tokio::net::TcpListener;

use crate::config::Config;
use crate::connections::{self, ConnectionLimits, fit_descriptor_limit};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] EmbeddedError),
    #[error("preparing the AWS table and bucket failed: {0}")]
    Aws(#[from] AwsError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the server failed: {0}")]
    Serve(std::io::Error),
}

pub async fn run(config: Config) -> Result<(), ServeError> {
    let storage = match &config.aws {
        Some(aws) => {
            tracing::info!(table = %aws.table, bucket = %aws.bucket, "aws store");
            AwsBackend::new(aws.clone())
                .await
                .prepared()
                .await?
                .storage()
        }
        None => {
            let store = EmbeddedStore::open(&config.data_dir)?;
            tracing::info!(path = %store.path().display(), "embedded store open");
            // One process sees every request, so counting in memory is exact.
            Storage {
                secret: store.secret(),
                store: Arc::new(store),
                limiter: Arc::new(FixedWindowLimiter::default()),
            }
        }
    };
    let state = app_state(storage, &config.settings, Runtime::LOCAL);
    let bin = state.bin.clone();
    let app = router(state, Routes::ALL);

    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: config.addr,
            source,
        })?;
    let local = listener.local_addr().map_err(ServeError::Serve)?;
    // Tests and scripts read this line to learn the port when asked for port 0.
    println!("listening on http://{local}");
    tracing::info!(addr = %local, "listening");

    tokio::spawn(sweep_forever(bin, config.sweep_interval));
    let limits = ConnectionLimits {
        max_connections: fit_descriptor_limit(config.connections.max_connections),
        ..config.connections
    };
    connections::serve(listener, app, limits, shutdown_signal()).await;
    Ok(())
}

/// Readers never see expired pastes anyway; this only reclaims their space.
async fn sweep_forever(bin: Pastebin, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match bin.sweep_expired().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "expired pastes swept"),
            Err(e) => tracing::warn!(error = %e, "expiry sweep failed; will retry"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
    tracing::info!("shutting down");
}
