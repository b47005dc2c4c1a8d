//! Settings shared by every runtime, read once at start from `PASTEBIN_*` variables. Every
//! error names the variable and says what would be valid.

use std::time::Duration;

pub use pastebin_core::{ConfigError, Env};
use pastebin_core::{Limits, LimitsError, RateLimits, vars};

use crate::cache::CachePolicy;
use crate::origin::{MIN_SECRET_LEN, OriginGuard};
use crate::proxies::TrustedProxies;
use crate::public_url::PublicUrl;

/// Rules and presentation settings common to the local server and the Lambda functions.
#[derive(Clone, Debug)]
pub struct Settings {
    pub limits: Limits,
    pub rates: RateLimits,
    /// `None`: derived from each request's `Host`.
    pub public_url: Option<PublicUrl>,
    pub cache: CachePolicy,
    pub origin: OriginGuard,
    /// How long a request body may take to arrive.
    pub body_timeout: Duration,
    /// One log line per request (`PASTEBIN_ACCESS_LOG`); unset, each runtime picks its default.
    pub access_log: Option<bool>,
    /// Reverse proxies whose forwarding headers are believed (`PASTEBIN_TRUSTED_PROXIES`).
    pub trusted_proxies: TrustedProxies,
}

impl Settings {
    /// Time for a 1 MiB paste at about 35 KB/s.
    pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// `lookup` returns a variable's value, if set; tests pass their own.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env(&lookup);
        let max_bytes = env.number(vars::MAX_BYTES, Limits::DEFAULT_MAX_BYTES)?;
        let default_expiry = env.duration(vars::DEFAULT_EXPIRY, Limits::DEFAULT_EXPIRY)?;
        let max_expiry = env.duration(vars::MAX_EXPIRY, Limits::DEFAULT_EXPIRY)?;
        let limits = Limits::new(max_bytes, default_expiry, max_expiry).map_err(|e| {
            let var = match e {
                LimitsError::ZeroMaxBytes => vars::MAX_BYTES,
                LimitsError::MaxExpiryOutOfRange => vars::MAX_EXPIRY,
                LimitsError::DefaultOutOfRange { .. } => vars::DEFAULT_EXPIRY,
            };
            ConfigError {
                var,
                value: lookup(var).unwrap_or_default(),
                reason: e.to_string(),
            }
        })?;
        let defaults = RateLimits::default();
        let rates = RateLimits {
            create_per_minute: env.number(vars::CREATE_RATE, defaults.create_per_minute)?,
            read_per_minute: env.number(vars::READ_RATE, defaults.read_per_minute)?,
            delete_per_minute: env.number(vars::DELETE_RATE, defaults.delete_per_minute)?,
        };
        let public_url = match env.get(vars::PUBLIC_URL) {
            None => None,
            Some(v) => Some(PublicUrl::fixed(&v).map_err(|reason| ConfigError {
                var: vars::PUBLIC_URL,
                value: v,
                reason,
            })?),
        };
        let shared_max_age =
            env.duration(vars::SHARED_MAX_AGE, CachePolicy::DEFAULT_SHARED_MAX_AGE)?;
        if shared_max_age > CachePolicy::MAX_SHARED_MAX_AGE {
            return Err(ConfigError {
                var: vars::SHARED_MAX_AGE,
                value: lookup(vars::SHARED_MAX_AGE).unwrap_or_default(),
                reason:
                    "must be at most 1d (it bounds how long a delete can stay visible at the CDN)"
                        .to_owned(),
            });
        }
        Ok(Self {
            limits,
            rates,
            public_url,
            cache: CachePolicy::new(shared_max_age),
            origin: origin_guard(&env)?,
            body_timeout: positive(&env, vars::BODY_TIMEOUT, Self::DEFAULT_BODY_TIMEOUT)?,
            access_log: env.optional_flag(vars::ACCESS_LOG)?,
            trusted_proxies: match env.get(vars::TRUSTED_PROXIES) {
                None => TrustedProxies::default(),
                Some(list) => TrustedProxies::parse(&list).map_err(|reason| ConfigError {
                    var: vars::TRUSTED_PROXIES,
                    value: list,
                    reason,
                })?,
            },
        })
    }
}

/// A duration that must not be zero.
pub fn positive(
    env: &Env<'_>,
    var: &'static str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let d = env.duration(var, default)?;
    if d.is_zero() {
        return Err(ConfigError {
            var,
            value: "0".to_owned(),
            reason: "must be at least 1s".to_owned(),
        });
    }
    Ok(d)
}

/// `PASTEBIN_ORIGIN_SECRET` (and, during a rotation, `PASTEBIN_ORIGIN_SECRET_PREVIOUS`).
fn origin_guard(env: &Env<'_>) -> Result<OriginGuard, ConfigError> {
    let secret = |var: &'static str| match env.get(var) {
        Some(s) if s.len() < MIN_SECRET_LEN => Err(ConfigError {
            var,
            value: "<redacted>".to_owned(),
            reason: format!("must be at least {MIN_SECRET_LEN} characters"),
        }),
        other => Ok(other),
    };
    let current = secret(vars::ORIGIN_SECRET)?;
    let previous = secret(vars::ORIGIN_SECRET_PREVIOUS)?;
    match (current, previous) {
        (None, None) => Ok(OriginGuard::open()),
        (Some(current), previous) => Ok(OriginGuard::requiring(
            std::iter::once(current.as_str()).chain(previous.as_deref()),
        )),
        (None, Some(_)) => Err(ConfigError {
            var: vars::ORIGIN_SECRET_PREVIOUS,
            value: "<redacted>".to_owned(),
            reason: format!("is only accepted beside {}", vars::ORIGIN_SECRET),
        }),
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
                read_per_minute: 1200,
                delete_per_minute: 120,
            }
        );
        assert!(s.public_url.is_none());
        assert_eq!(s.cache.shared_max_age(), 300);
        assert!(s.origin.is_open());
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
    fn origin_secrets_are_never_echoed_and_two_are_accepted_during_a_rotation() {
        let s = settings(&[
            (
                "PASTEBIN_ORIGIN_SECRET",
                "new-0123456789abcdef0123456789abcdef",
            ),
            (
                "PASTEBIN_ORIGIN_SECRET_PREVIOUS",
                "old-0123456789abcdef0123456789abcdef",
            ),
        ])
        .unwrap();
        assert!(!s.origin.is_open());
        assert_eq!(format!("{:?}", s.origin), "OriginGuard(2 secrets)");
        let err = settings(&[("PASTEBIN_ORIGIN_SECRET", "short-secret")]).unwrap_err();
        assert!(!err.to_string().contains("short-secret"));
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
            ("PASTEBIN_DELETE_RATE", "many"),
            ("PASTEBIN_SHARED_MAX_AGE", "2d"),
            ("PASTEBIN_ORIGIN_SECRET", "too-short"),
            (
                "PASTEBIN_ORIGIN_SECRET_PREVIOUS",
                "0123456789abcdef0123456789abcdef",
            ),
        ] {
            let err = settings(&[(var, value)]).unwrap_err();
            assert_eq!(err.var, var);
            assert!(err.to_string().starts_with(var), "{err}");
        }
    }
}
