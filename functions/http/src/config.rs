//! Settings shared by every runtime, read once at start from `PASTEBIN_*` variables
//! (DESIGN §5). Every error names the variable and says what would be valid.

pub use pastebin_core::{ConfigError, Env};
use pastebin_core::{Limits, RateLimits};

use crate::public_url::PublicUrl;

/// Rules and presentation settings common to the local server and the Lambda functions.
#[derive(Clone, Debug)]
pub struct Settings {
    pub limits: Limits,
    pub rates: RateLimits,
    /// `None`: derived from each request's `Host`.
    pub public_url: Option<PublicUrl>,
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// `lookup` returns a variable's value, if set; tests pass their own.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env(&lookup);
        let max_bytes = env.number("PASTEBIN_MAX_BYTES", Limits::DEFAULT_MAX_BYTES)?;
        let default_expiry = env.duration("PASTEBIN_DEFAULT_EXPIRY", Limits::DEFAULT_EXPIRY)?;
        let max_expiry = env.duration("PASTEBIN_MAX_EXPIRY", Limits::DEFAULT_EXPIRY)?;
        let limits = Limits::new(max_bytes, default_expiry, max_expiry).map_err(|e| {
            let var = match e {
                pastebin_core::LimitsError::ZeroMaxBytes => "PASTEBIN_MAX_BYTES",
                pastebin_core::LimitsError::MaxExpiryOutOfRange => "PASTEBIN_MAX_EXPIRY",
                pastebin_core::LimitsError::DefaultOutOfRange { .. } => "PASTEBIN_DEFAULT_EXPIRY",
            };
            ConfigError {
                var,
                value: lookup(var).unwrap_or_default(),
                reason: e.to_string(),
            }
        })?;
        let defaults = RateLimits::default();
        let rates = RateLimits {
            create_per_minute: env.number("PASTEBIN_CREATE_RATE", defaults.create_per_minute)?,
            read_per_minute: env.number("PASTEBIN_READ_RATE", defaults.read_per_minute)?,
        };
        let public_url = match env.get("PASTEBIN_PUBLIC_URL") {
            None => None,
            Some(v) => Some(PublicUrl::fixed(&v).map_err(|reason| ConfigError {
                var: "PASTEBIN_PUBLIC_URL",
                value: v,
                reason,
            })?),
        };
        Ok(Self {
            limits,
            rates,
            public_url,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::time::Duration;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_match_the_design() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.limits, Limits::default());
        assert_eq!(
            s.rates,
            RateLimits {
                create_per_minute: 120,
                read_per_minute: 1200
            }
        );
        assert!(s.public_url.is_none());
    }

    #[test]
    fn values_are_read_and_validated() {
        let s = settings(&[
            ("PASTEBIN_MAX_BYTES", "2048"),
            ("PASTEBIN_MAX_EXPIRY", "30d"),
            ("PASTEBIN_DEFAULT_EXPIRY", "1h"),
            ("PASTEBIN_CREATE_RATE", "0"),
        ])
        .unwrap();
        assert_eq!(s.limits.max_bytes, 2048);
        assert_eq!(s.limits.max_expiry, Duration::from_secs(30 * 86_400));
        assert_eq!(s.rates.create_per_minute, 0);
    }

    #[test]
    fn errors_name_the_variable() {
        for (var, value) in [
            ("PASTEBIN_MAX_BYTES", "lots"),
            ("PASTEBIN_MAX_BYTES", "0"),
            ("PASTEBIN_DEFAULT_EXPIRY", "8d"),
            ("PASTEBIN_MAX_EXPIRY", "forever"),
            ("PASTEBIN_CREATE_RATE", "-1"),
            ("PASTEBIN_PUBLIC_URL", "example.com"),
        ] {
            let err = settings(&[(var, value)]).unwrap_err();
            assert_eq!(err.var, var);
            assert!(err.to_string().starts_with(var), "{err}");
        }
    }
}
