use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::store::StoreError;
use crate::time::UnixTime;

/// Creates, reads and deletes are counted separately, so heavy readers never block creators.
/// Deletes have their own class because each one can cost a CDN invalidation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RateClass {
    Create,
    Read,
    Delete,
}

impl RateClass {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Read => "read",
            Self::Delete => "delete",
        }
    }
}

/// Requests allowed per client per minute; `0` turns a class off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    pub create_per_minute: u32,
    pub read_per_minute: u32,
    pub delete_per_minute: u32,
}

impl RateLimits {
    pub const OFF: Self = Self {
        create_per_minute: 0,
        read_per_minute: 0,
        delete_per_minute: 0,
    };

    pub fn per_minute(&self, class: RateClass) -> u32 {
        match class {
            RateClass::Create => self.create_per_minute,
            RateClass::Read => self.read_per_minute,
            RateClass::Delete => self.delete_per_minute,
        }
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            create_per_minute: 120,
            read_per_minute: 1200,
            delete_per_minute: 120,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimited {
    pub retry_after: u64,
}

/// The key clients are counted under: the IPv4 address, or the /64 an IPv6 client owns (one
/// host can trivially rotate through the addresses of its /64).
pub fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Fixed one-minute windows per (client, class). `check` counts the request it is asked about.
#[async_trait]
pub trait RateLimiter: Send + Sync + 'static {
    /// `Ok(Err(..))` means limited; `Err` means the limiter's backend failed (callers fail open).
    async fn check(
        &self,
        client: &str,
        class: RateClass,
        limit: u32,
        now: UnixTime,
    ) -> Result<Result<(), RateLimited>, StoreError>;
}

/// Window index and seconds until the next window, for `now`.
pub fn window_of(now: UnixTime) -> (i64, u64) {
    let w = now.seconds().div_euclid(60);
    (
        w,
        u64::try_from(60 - now.seconds().rem_euclid(60)).unwrap_or(60),
    )
}

/// In-process limiter for the local server (a single process sees every request).
#[derive(Default)]
pub struct FixedWindowLimiter {
    counts: Mutex<HashMap<(String, RateClass), (i64, u32)>>,
}

impl FixedWindowLimiter {
    /// Past this many tracked clients, entries of old windows are dropped.
    const PRUNE_AT: usize = 100_000;
}

#[async_trait]
impl RateLimiter for FixedWindowLimiter {
    async fn check(
        &self,
        client: &str,
        class: RateClass,
        limit: u32,
        now: UnixTime,
    ) -> Result<Result<(), RateLimited>, StoreError> {
        let (window, retry_after) = window_of(now);
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if counts.len() >= Self::PRUNE_AT {
            counts.retain(|_, (w, _)| *w == window);
        }
        let entry = counts
            .entry((client.to_owned(), class))
            .or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= limit {
            return Ok(Err(RateLimited { retry_after }));
        }
        entry.1 += 1;
        Ok(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn limits_per_client_and_class_within_a_window() {
        let l = FixedWindowLimiter::default();
        let t = UnixTime(6_000_010); // 10 s into a window
        for _ in 0..3 {
            assert_eq!(
                l.check("a", RateClass::Create, 3, t).await.ok(),
                Some(Ok(()))
            );
        }
        assert_eq!(
            l.check("a", RateClass::Create, 3, t).await.ok(),
            Some(Err(RateLimited { retry_after: 50 }))
        );
        assert_eq!(
            l.check("b", RateClass::Create, 3, t).await.ok(),
            Some(Ok(())),
            "other clients are unaffected"
        );
        assert_eq!(
            l.check("a", RateClass::Read, 3, t).await.ok(),
            Some(Ok(())),
            "reads are counted apart"
        );
        assert_eq!(
            l.check("a", RateClass::Create, 3, UnixTime(6_000_060))
                .await
                .ok(),
            Some(Ok(())),
            "a new window starts afresh"
        );
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_eq!(client_key(a), "2001:db8:1:2::/64");
        assert_eq!(client_key("::ffff:10.0.0.1".parse().unwrap()), "10.0.0.1");
        assert_eq!(client_key("192.0.2.7".parse().unwrap()), "192.0.2.7");
    }
}
