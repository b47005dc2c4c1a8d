//! One way to build the service, for every runtime. They differ in their storage and in two
//! defaults, and in nothing else.

use std::sync::Arc;

use pastebin_core::{Pastebin, Storage, SystemClock};

use crate::config::Settings;
use crate::public_url::PublicUrl;
use crate::state::AppState;

/// What a runtime assumes when the settings do not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Runtime {
    /// The scheme of printed URLs when `PASTEBIN_PUBLIC_URL` is unset.
    pub scheme: &'static str,
    /// A log line per request when `PASTEBIN_ACCESS_LOG` is unset.
    pub access_log: bool,
}

impl Runtime {
    pub const LOCAL: Self = Self {
        scheme: "http",
        access_log: true,
    };
    /// API Gateway only speaks HTTPS, and its access log (template.yaml) already has a line
    /// per request: the function's own would double what CloudWatch ingests and bills.
    pub const LAMBDA: Self = Self {
        scheme: "https",
        access_log: false,
    };
}

/// The service and everything the HTTP layer needs, from the shared settings.
pub fn app_state(storage: Storage, settings: &Settings, runtime: Runtime) -> AppState {
    let bin = Pastebin::new(
        storage.store,
        storage.limiter,
        Arc::new(SystemClock),
        settings.limits.clone(),
        settings.rates,
    )
    .with_secret(storage.secret);
    let public_url = settings
        .public_url
        .clone()
        .unwrap_or(PublicUrl::FromRequest {
            scheme: runtime.scheme,
        });
    AppState::new(bin, public_url)
        .with_access_log_default(runtime.access_log)
        .with_settings(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access_log(value: Option<&str>, runtime: Runtime) -> bool {
        let settings = Settings::from_lookup(|name| {
            (name == pastebin_core::vars::ACCESS_LOG)
                .then(|| value.map(str::to_owned))
                .flatten()
        })
        .unwrap();
        app_state(Storage::memory(), &settings, runtime).access_log
    }

    #[test]
    fn each_runtime_has_its_access_log_default_and_the_setting_overrides_it() {
        assert!(access_log(None, Runtime::LOCAL));
        assert!(
            !access_log(None, Runtime::LAMBDA),
            "API Gateway logs already"
        );
        assert!(access_log(Some("on"), Runtime::LAMBDA));
        assert!(!access_log(Some("off"), Runtime::LOCAL));
    }

    #[test]
    fn printed_urls_use_the_runtime_scheme_unless_configured() {
        let settings = Settings::from_lookup(|_| None).unwrap();
        let state = app_state(Storage::memory(), &settings, Runtime::LAMBDA);
        assert_eq!(state.public_url, PublicUrl::FromRequest { scheme: "https" });
    }
}
