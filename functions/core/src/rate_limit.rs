use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
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

/// The key a client is counted under: its IPv4 address, or the /64 an IPv6 client owns (one
/// host can trivially rotate through the addresses of its /64).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientKey {
    V4(Ipv4Addr),
    V6Net64(u64),
}

impl ClientKey {
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => Self::V4(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self::V4(v4),
                None => Self::V6Net64(u64::try_from(u128::from(v6) >> 64).unwrap_or(0)),
            },
        }
    }
}

impl fmt::Display for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::V4(v4) => v4.fmt(f),
            Self::V6Net64(net) => {
                let s = |shift: u32| (net >> shift) & 0xffff;
                write!(f, "{:x}:{:x}:{:x}:{:x}::/64", s(48), s(32), s(16), s(0))
            }
        }
    }
}

/// Fixed one-minute windows per (client, class). `check` counts the request it is asked about.
#[async_trait]
pub trait RateLimiter: Send + Sync + 'static {
    /// `Ok(Err(..))` means limited; `Err` means the limiter's backend failed (callers fail open).
    async fn check(
        &self,
        client: ClientKey,
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
///
/// Only the current window is kept: when a window ends, its counts are dropped whole (off the
/// request path), never scanned. The map is sharded, so requests rarely wait for each other, and
/// bounded: past [`FixedWindowLimiter::MAX_TRACKED`] clients in one window, new ones are let
/// through uncounted until the window ends (as when a limiter's storage fails: refusing service
/// because the counter is full would turn an attack into an outage for everyone). Each
/// request's cost is one hash and one map operation, however many clients are tracked.
pub struct FixedWindowLimiter {
    shards: Vec<Mutex<Shard>>,
    per_shard: usize,
}

#[derive(Default)]
struct Shard {
    window: i64,
    counts: HashMap<(ClientKey, RateClass), u32>,
    full_warned: bool,
}

impl Default for FixedWindowLimiter {
    fn default() -> Self {
        Self::bounded(Self::MAX_TRACKED)
    }
}

impl FixedWindowLimiter {
    /// Clients counted per window (about 40 MB of counts at most).
    pub const MAX_TRACKED: usize = 1_000_000;
    const SHARDS: usize = 16;

    /// Counting at most about `max_tracked` clients per window.
    pub fn bounded(max_tracked: usize) -> Self {
        Self {
            shards: (0..Self::SHARDS).map(|_| Mutex::default()).collect(),
            per_shard: max_tracked.div_ceil(Self::SHARDS).max(1),
        }
    }

    fn shard(&self, key: &(ClientKey, RateClass)) -> &Mutex<Shard> {
        use std::hash::BuildHasher;
        // A fixed hasher only picks the shard; the maps inside use the default, seeded one.
        let hash =
            std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
                .hash_one(key);
        let i = usize::try_from(hash % Self::SHARDS as u64).unwrap_or(0);
        &self.shards[i]
    }

    /// How many clients are counted in the current windows (for tests and benchmarks).
    pub fn tracked(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).counts.len())
            .sum()
    }
}

#[async_trait]
impl RateLimiter for FixedWindowLimiter {
    async fn check(
        &self,
        client: ClientKey,
        class: RateClass,
        limit: u32,
        now: UnixTime,
    ) -> Result<Result<(), RateLimited>, StoreError> {
        let (window, retry_after) = window_of(now);
        let key = (client, class);
        let (outcome, ended) = {
            let mut shard = self
                .shard(&key)
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let ended = (shard.window != window).then(|| {
                shard.window = window;
                shard.full_warned = false;
                std::mem::take(&mut shard.counts)
            });
            let full = shard.counts.len() >= self.per_shard;
            let mut overflowed = false;
            let outcome = match shard.counts.entry(key) {
                Entry::Occupied(e) if *e.get() >= limit => Err(RateLimited { retry_after }),
                Entry::Occupied(mut e) => {
                    *e.get_mut() += 1;
                    Ok(())
                }
                Entry::Vacant(_) if limit == 0 => Err(RateLimited { retry_after }),
                Entry::Vacant(_) if full => {
                    overflowed = true;
                    Ok(())
                }
                Entry::Vacant(e) => {
                    e.insert(1);
                    Ok(())
                }
            };
            if overflowed && !shard.full_warned {
                shard.full_warned = true;
                tracing::warn!(
                    "rate limiter full for this window; admitting new clients uncounted"
                );
            }
            (outcome, ended)
        };
        // Dropping a window's counts is the only work that grows with the number of clients:
        // done once a minute per shard, outside the lock.
        drop(ended);
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn limits_per_client_and_class_within_a_window() {
        let l = FixedWindowLimiter::default();
        let (a, b) = (key("192.0.2.1"), key("192.0.2.2"));
        let t = UnixTime(6_000_010); // 10 s into a window
        for _ in 0..3 {
            assert_eq!(l.check(a, RateClass::Create, 3, t).await.ok(), Some(Ok(())));
        }
        assert_eq!(
            l.check(a, RateClass::Create, 3, t).await.ok(),
            Some(Err(RateLimited { retry_after: 50 }))
        );
        assert_eq!(
            l.check(b, RateClass::Create, 3, t).await.ok(),
            Some(Ok(())),
            "other clients are unaffected"
        );
        assert_eq!(
            l.check(a, RateClass::Read, 3, t).await.ok(),
            Some(Ok(())),
            "reads are counted apart"
        );
        assert_eq!(
            l.check(a, RateClass::Create, 3, UnixTime(6_000_060))
                .await
                .ok(),
            Some(Ok(())),
            "a new window starts afresh"
        );
    }

    fn key(ip: &str) -> ClientKey {
        ClientKey::of(ip.parse().unwrap())
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let a = key("2001:db8:1:2:aaaa::1");
        assert_eq!(a, key("2001:db8:1:2:bbbb::9"));
        assert_ne!(a, key("2001:db8:1:3::1"));
        assert_eq!(a.to_string(), "2001:db8:1:2::/64");
        assert_eq!(key("::ffff:10.0.0.1").to_string(), "10.0.0.1");
        assert_eq!(key("192.0.2.7").to_string(), "192.0.2.7");
    }

    #[tokio::test]
    async fn only_the_current_window_is_kept_and_the_map_is_bounded() {
        let l = FixedWindowLimiter::default();
        let t = UnixTime(6_000_010);
        for i in 0..1000u32 {
            let client = ClientKey::V4(Ipv4Addr::from(i));
            assert!(
                l.check(client, RateClass::Read, 5, t)
                    .await
                    .unwrap()
                    .is_ok()
            );
        }
        assert_eq!(l.tracked(), 1000);
        // The next window starts empty: the old counts went without a scan.
        let later = UnixTime(6_000_070);
        for i in 0..u32::try_from(FixedWindowLimiter::SHARDS * 4).unwrap() {
            let _ = l
                .check(
                    ClientKey::V4(Ipv4Addr::from(100_000 + i)),
                    RateClass::Read,
                    5,
                    later,
                )
                .await;
        }
        assert_eq!(l.tracked(), FixedWindowLimiter::SHARDS * 4);
    }

    #[tokio::test]
    async fn past_its_bound_it_admits_new_clients_uncounted_and_keeps_limiting_known_ones() {
        let l = FixedWindowLimiter::bounded(160);
        let t = UnixTime(6_000_010);
        let known = key("192.0.2.1");
        assert!(
            l.check(known, RateClass::Create, 1, t)
                .await
                .unwrap()
                .is_ok()
        );
        for i in 0..10_000u32 {
            let client = ClientKey::V4(Ipv4Addr::from(1_000_000 + i));
            assert!(
                l.check(client, RateClass::Create, 1, t)
                    .await
                    .unwrap()
                    .is_ok()
            );
        }
        assert!(l.tracked() <= 160, "{}", l.tracked());
        assert!(
            l.check(known, RateClass::Create, 1, t)
                .await
                .unwrap()
                .is_err(),
            "a client already counted is still limited"
        );
    }
}
