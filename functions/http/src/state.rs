use std::sync::Arc;

use pastebin_core::Pastebin;

use crate::metrics::Metrics;
use crate::public_url::PublicUrl;

/// What every handler needs; built once per process (per cold start in Lambda).
#[derive(Clone)]
pub struct AppState {
    pub bin: Pastebin,
    pub public_url: PublicUrl,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(bin: Pastebin, public_url: PublicUrl) -> Self {
        Self {
            bin,
            public_url,
            metrics: Arc::new(Metrics::default()),
        }
    }
}
