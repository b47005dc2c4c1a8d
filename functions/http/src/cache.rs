//! What caches may keep of a paste, and for how long.
//!
//! A shared cache (the CDN) may keep a paste only at its two canonical URLs, `/{id}` and
//! `/raw/{id}`: those are the paths a delete invalidates, so nothing a shared cache holds can
//! outlive a delete by more than the shared lifetime (and usually not at all). Every other form
//! of a read (`/{id}.{ext}`, a query string, a percent-encoded id, the JSON API) is `private`:
//! a browser may keep it briefly, a shared cache never. No copy ever outlives the paste's own
//! expiry, and burn-after-reading pastes are stored nowhere.

use std::time::Duration;

use axum::response::Response;
use http::{HeaderValue, header};
use pastebin_core::{Paste, UnixTime};

/// How a read was addressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `/{id}` or `/raw/{id}`, exactly: the URLs a delete invalidates.
    Canonical,
    /// Anything else that still reads the paste.
    Variant,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CachePolicy {
    shared_max_age: u64,
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self::new(Self::DEFAULT_SHARED_MAX_AGE)
    }
}

impl CachePolicy {
    /// How long a shared cache may keep a paste: the bound on how long a delete that could not
    /// be invalidated stays visible at the edge.
    pub const DEFAULT_SHARED_MAX_AGE: Duration = Duration::from_secs(300);
    pub const MAX_SHARED_MAX_AGE: Duration = Duration::from_secs(86_400);
    /// Browsers cannot be told about a delete: they keep a paste a few minutes at most.
    pub const BROWSER_MAX_AGE: u64 = 300;

    pub fn new(shared_max_age: Duration) -> Self {
        Self {
            shared_max_age: shared_max_age.as_secs(),
        }
    }

    pub fn shared_max_age(&self) -> u64 {
        self.shared_max_age
    }

    /// `Cache-Control` and `Expires` for a successful read of `paste`.
    pub fn apply(&self, res: &mut Response, paste: &Paste, now: UnixTime, form: Form) {
        let h = res.headers_mut();
        if let Ok(v) =
            HeaderValue::from_str(&httpdate::fmt_http_date(paste.expires_at.to_system_time()))
        {
            h.insert(header::EXPIRES, v);
        }
        let left = now.until(paste.expires_at);
        let browser = left.min(Self::BROWSER_MAX_AGE);
        let shared = left.min(self.shared_max_age);
        let value = if paste.burn_after_reading {
            "no-store".to_owned()
        } else if form == Form::Canonical && shared > 0 {
            // stale-if-error=0: during an origin outage a shared cache must not fall back to a
            // copy whose lifetime is over (the paste may be gone).
            format!("public, max-age={browser}, s-maxage={shared}, stale-if-error=0")
        } else {
            format!("private, max-age={browser}")
        };
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(header::CACHE_CONTROL, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pastebin_core::{DeleteToken, Id};

    fn paste(burn: bool, expires_at: i64) -> Paste {
        Paste {
            id: Id::generate(),
            content: "x".into(),
            syntax: None,
            title: None,
            burn_after_reading: burn,
            encrypted: false,
            created_at: UnixTime(0),
            expires_at: UnixTime(expires_at),
            delete_token_hash: DeleteToken::generate().hash(),
        }
    }

    fn cache_control(policy: CachePolicy, p: &Paste, now: i64, form: Form) -> String {
        let mut res = Response::new(axum::body::Body::empty());
        policy.apply(&mut res, p, UnixTime(now), form);
        assert!(res.headers().contains_key(header::EXPIRES));
        res.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn only_canonical_reads_are_shared_and_never_beyond_the_paste() {
        let p = CachePolicy::default();
        let long = paste(false, 86_400);
        assert_eq!(
            cache_control(p, &long, 0, Form::Canonical),
            "public, max-age=300, s-maxage=300, stale-if-error=0"
        );
        assert_eq!(
            cache_control(p, &long, 86_400 - 42, Form::Canonical),
            "public, max-age=42, s-maxage=42, stale-if-error=0"
        );
        assert_eq!(
            cache_control(p, &long, 0, Form::Variant),
            "private, max-age=300"
        );
        assert_eq!(
            cache_control(p, &paste(true, 86_400), 0, Form::Canonical),
            "no-store"
        );
        assert_eq!(
            cache_control(
                CachePolicy::new(Duration::from_secs(60)),
                &long,
                0,
                Form::Canonical
            ),
            "public, max-age=300, s-maxage=60, stale-if-error=0"
        );
        assert_eq!(
            cache_control(CachePolicy::new(Duration::ZERO), &long, 0, Form::Canonical),
            "private, max-age=300",
            "a shared lifetime of 0 keeps pastes out of shared caches"
        );
    }
}
