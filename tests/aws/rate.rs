//! Rate limits without a write per request still hold across instances: one client spread over
//! four limiter instances (as over four Lambda instances) is let through at least `limit` and at
//! most `limit + 4 × (FLUSH_EVERY − 1)` times a window.

use pastebin_aws::{DynamoRateLimiter, FLUSH_EVERY};
use pastebin_core::{ClientKey, RateClass, RateLimiter, UnixTime};

use crate::common::{fresh, item_ids};

#[tokio::test]
async fn one_client_over_four_instances_is_held_to_its_limit_within_the_stated_bound() {
    let (clients, settings) = fresh().await;
    let instances: Vec<DynamoRateLimiter> = (0..4)
        .map(|_| DynamoRateLimiter::new(&clients, &settings.table))
        .collect();
    let client = ClientKey::of("203.0.113.7".parse().unwrap());
    let limit = 60;
    let at = UnixTime(1_800_000_010); // 10 s into a window
    let mut admitted = 0;
    let mut x = 0x2545_F491u32;
    for _ in 0..400 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let instance = &instances[(x % 4) as usize];
        if instance
            .check(client, RateClass::Create, limit, at)
            .await
            .unwrap()
            .is_ok()
        {
            admitted += 1;
        }
    }
    let most = limit + 4 * (FLUSH_EVERY - 1);
    eprintln!("admitted {admitted} of 400 (limit {limit}, at most {most})");
    assert!((limit..=most).contains(&admitted), "{admitted}");
    // The next window starts afresh.
    let next = UnixTime(at.seconds() + 60);
    assert!(
        instances[0]
            .check(client, RateClass::Create, limit, next)
            .await
            .unwrap()
            .is_ok()
    );
}

#[tokio::test]
async fn a_client_making_a_few_requests_costs_no_write() {
    let (clients, settings) = fresh().await;
    let limiter = DynamoRateLimiter::new(&clients, &settings.table);
    let at = UnixTime(1_800_000_010);
    for n in 0..100u32 {
        let [.., high, low] = n.to_be_bytes();
        let client = ClientKey::of(std::net::IpAddr::from([10, 0, high, low]));
        for _ in 0..FLUSH_EVERY - 1 {
            assert!(
                limiter
                    .check(client, RateClass::Read, 1200, at)
                    .await
                    .unwrap()
                    .is_ok()
            );
        }
    }
    let counters: Vec<String> = item_ids(&clients, &settings)
        .await
        .into_iter()
        .filter(|id| id.starts_with("rate#"))
        .collect();
    assert!(counters.is_empty(), "{counters:?}");
}
