//! The local rate limiter's cost per request as the number of clients it tracks grows:
//! `limiter` prints ns per check at each population (a window's worth of distinct clients,
//! then checks of random ones among them). Run by `bench/run` (BENCH_ONLY=limiter).

use std::net::Ipv4Addr;
use std::time::Instant;

use pastebin_core::{ClientKey, FixedWindowLimiter, RateClass, RateLimiter, UnixTime};

const CHECKS: u32 = 1_000_000;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let now = UnixTime(6_000_010);
    println!("{{\"checks\": {CHECKS}, \"populations\": [");
    let populations = [1_000u32, 100_000, 1_000_000, 3_000_000];
    for (n, population) in populations.iter().enumerate() {
        let limiter = FixedWindowLimiter::default();
        for i in 0..*population {
            let _ = limiter
                .check(
                    ClientKey::V4(Ipv4Addr::from(i)),
                    RateClass::Read,
                    u32::MAX,
                    now,
                )
                .await;
        }
        let tracked = limiter.tracked();
        let mut x = 0x9E37_79B9u32;
        let started = Instant::now();
        for _ in 0..CHECKS {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let client = ClientKey::V4(Ipv4Addr::from(x % population));
            let _ = limiter.check(client, RateClass::Read, u32::MAX, now).await;
        }
        let ns = started.elapsed().as_secs_f64() * 1e9 / f64::from(CHECKS);
        // Past 100,000 clients the previous limiter's cost grows with every client (filling
        // it is quadratic): it is measured where it can be.
        let before = if *population <= 100_000 {
            format!("{:.1}", scanning_limiter_ns(*population))
        } else {
            "null".to_owned()
        };
        let comma = if n + 1 < populations.len() { "," } else { "" };
        println!(
            "  {{\"clients\": {population}, \"tracked\": {tracked}, \"ns_per_check\": {ns:.1}, \"previous_ns_per_check\": {before}}}{comma}"
        );
    }
    println!("]}}");
}

/// The yardstick: the limiter as it was before, one map of string keys under one lock, all of
/// it scanned for old windows on every request once it tracked 100,000 clients.
fn scanning_limiter_ns(population: u32) -> f64 {
    use std::collections::HashMap;
    const PRUNE_AT: usize = 100_000;
    let mut counts: HashMap<(String, u8), (i64, u32)> = HashMap::new();
    let window = 100_000i64;
    let check = |client: String, counts: &mut HashMap<(String, u8), (i64, u32)>| {
        if counts.len() >= PRUNE_AT {
            counts.retain(|_, (w, _)| *w == window);
        }
        let entry = counts.entry((client, 0)).or_insert((window, 0));
        entry.1 += 1;
    };
    for i in 0..population {
        check(Ipv4Addr::from(i).to_string(), &mut counts);
    }
    let checks = 2_000u32;
    let started = Instant::now();
    for i in 0..checks {
        check(Ipv4Addr::from(i % population).to_string(), &mut counts);
    }
    started.elapsed().as_secs_f64() * 1e9 / f64::from(checks)
}
