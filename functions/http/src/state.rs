use std::sync::Arc;
use std::time::Duration;

use pastebin_core::Pastebin;

use crate::cache::CachePolicy;
use crate::config::Settings;
use crate::metrics::Metrics;
use crate::origin::OriginGuard;
use crate::proxies::TrustedProxies;
use crate::public_url::PublicUrl;

/// What every handler needs; built once per process (per cold start in Lambda).
#[derive(Clone)]
pub struct AppState {
    pub bin: Pastebin,
    pub public_url: PublicUrl,
    pub cache: CachePolicy,
    pub origin: Arc<OriginGuard>,
    pub proxies: Arc<TrustedProxies>,
    /// How long a request body may take to arrive (408 after).
    pub body_timeout: Duration,
    /// Log a line per request.
    pub access_log: bool,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    /// An open origin with the default cache lifetimes; see the `with_*` methods.
    pub fn new(bin: Pastebin, public_url: PublicUrl) -> Self {
        Self {
            bin,
            public_url,
            cache: CachePolicy::default(),
            origin: Arc::new(OriginGuard::open()),
            proxies: Arc::new(TrustedProxies::default()),
            body_timeout: Settings::DEFAULT_BODY_TIMEOUT,
            access_log: true,
            metrics: Arc::new(Metrics::default()),
        }
    }

    /// Everything the shared settings say about the HTTP layer.
    pub fn with_settings(self, settings: &Settings) -> Self {
        Self {
            cache: settings.cache,
            origin: Arc::new(settings.origin.clone()),
            proxies: Arc::new(settings.trusted_proxies.clone()),
            body_timeout: settings.body_timeout,
            access_log: settings.access_log.unwrap_or(self.access_log),
            ..self
        }
    }

    /// Whether to log a line per request when `PASTEBIN_ACCESS_LOG` does not say.
    pub fn with_access_log_default(mut self, on: bool) -> Self {
        self.access_log = on;
        self
    }

    pub fn with_cache(mut self, cache: CachePolicy) -> Self {
        self.cache = cache;
        self
    }

    pub fn with_origin(mut self, origin: OriginGuard) -> Self {
        self.origin = Arc::new(origin);
        self
    }
}
