use std::sync::Arc;

use pastebin_core::Pastebin;

use crate::cache::CachePolicy;
use crate::metrics::Metrics;
use crate::origin::OriginGuard;
use crate::public_url::PublicUrl;

/// What every handler needs; built once per process (per cold start in Lambda).
#[derive(Clone)]
pub struct AppState {
    pub bin: Pastebin,
    pub public_url: PublicUrl,
    pub cache: CachePolicy,
    pub origin: Arc<OriginGuard>,
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
            metrics: Arc::new(Metrics::default()),
        }
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
