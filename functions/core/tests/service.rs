#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use pastebin_core::*;

const START: UnixTime = UnixTime(1_800_000_000);

struct Fixture {
    bin: Pastebin,
    clock: Arc<ManualClock>,
}

fn fixture_with(store: Arc<dyn PasteStore>, limits: Limits, rates: RateLimits) -> Fixture {
    let clock = Arc::new(ManualClock::new(START));
    Fixture {
        bin: Pastebin::new(
            store,
            Arc::new(FixedWindowLimiter::default()),
            clock.clone(),
            limits,
            rates,
        ),
        clock,
    }
}

fn fixture() -> Fixture {
    fixture_with(
        Arc::new(MemoryStore::default()),
        Limits::default(),
        RateLimits::OFF,
    )
}

fn text(content: &str) -> CreateRequest {
    CreateRequest {
        content: content.as_bytes().to_vec(),
        ..CreateRequest::default()
    }
}

#[expect(
    clippy::panic,
    reason = "a test helper: any other error fails the test"
)]
fn invalid_option(e: Error) -> (&'static str, String) {
    match e {
        Error::InvalidOption {
            option, expected, ..
        } => (option, expected),
        other => panic!("expected InvalidOption, got {other:?}"),
    }
}

#[tokio::test]
async fn the_memory_store_meets_the_store_contract() {
    store_contract::run_all(Arc::new(MemoryStore::default())).await;
    store_contract::run_sweep(Arc::new(MemoryStore::default())).await;
}

#[tokio::test]
async fn a_created_paste_reads_back_with_the_default_expiry() {
    let f = fixture();
    let created = f.bin.create(text("hello\n")).await.unwrap();
    assert_eq!(created.size, 6);
    assert_eq!(created.expires_at, UnixTime(START.0 + 7 * 86_400));
    let paste = f.bin.read(&created.id).await.unwrap();
    assert_eq!(paste.content, "hello\n");
    assert_eq!(paste.syntax, None);
}

#[tokio::test]
async fn content_must_be_non_empty_utf8_within_the_limit() {
    let f = fixture_with(
        Arc::new(MemoryStore::default()),
        Limits::new(8, Duration::from_secs(60), Duration::from_secs(60)).unwrap(),
        RateLimits::OFF,
    );
    assert!(matches!(
        f.bin.create(text("")).await,
        Err(Error::EmptyContent)
    ));
    assert!(
        f.bin.create(text("12345678")).await.is_ok(),
        "exactly the limit is fine"
    );
    assert!(matches!(
        f.bin.create(text("123456789")).await,
        Err(Error::TooLarge { limit: 8 })
    ));
    let bad = CreateRequest {
        content: vec![0xff, 0xfe, b'a'],
        ..CreateRequest::default()
    };
    assert!(matches!(f.bin.create(bad).await, Err(Error::NotText)));
}

fn with(options: CreateOptions, content: &str) -> CreateRequest {
    CreateRequest {
        content: content.as_bytes().to_vec(),
        options,
    }
}

#[tokio::test]
async fn the_lifetime_asked_for_is_applied_and_the_default_otherwise() {
    let f = fixture();
    for (value, secs) in [("10m", 600), ("7d", 604_800), ("1", 1)] {
        let options = CreateOptions {
            expires_in: f.bin.limits().lifetime_from_text(value).unwrap(),
            ..CreateOptions::default()
        };
        let c = f.bin.create(with(options, "x")).await.unwrap();
        assert_eq!(
            c.expires_at.seconds() - c.created_at.seconds(),
            secs,
            "{value}"
        );
    }
    let c = f.bin.create(text("x")).await.unwrap();
    assert_eq!(c.expires_at.seconds() - c.created_at.seconds(), 7 * 86_400);
    let (option, expected) = invalid_option(f.bin.limits().lifetime_from_text("8d").unwrap_err());
    assert_eq!(option, "expires_in");
    assert!(
        expected.contains("7d") && expected.contains("10m"),
        "{expected}"
    );
}

#[tokio::test]
async fn an_expired_paste_is_gone_for_every_reader_at_once() {
    let f = fixture();
    let created = f
        .bin
        .create(with(
            CreateOptions {
                expires_in: f.bin.limits().lifetime_from_text("10m").unwrap(),
                ..CreateOptions::default()
            },
            "short-lived",
        ))
        .await
        .unwrap();
    f.clock.advance(Duration::from_secs(600));
    assert!(
        f.bin.read(&created.id).await.is_ok(),
        "readable through its last second"
    );
    f.clock.advance(Duration::from_secs(1));
    assert!(matches!(
        f.bin.read(&created.id).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        f.bin
            .delete(&created.id, Some(created.delete_token.as_str()))
            .await,
        Err(Error::NotFound)
    ));
    assert_eq!(f.bin.sweep_expired().await.unwrap(), 1);
}

#[tokio::test]
async fn burn_pastes_need_a_reveal_which_succeeds_once() {
    let f = fixture();
    let created = f
        .bin
        .create(with(
            CreateOptions {
                burn_after_reading: Some(true),
                ..CreateOptions::default()
            },
            "secret",
        ))
        .await
        .unwrap();
    assert!(created.burn_after_reading);
    assert!(matches!(
        f.bin.read(&created.id).await,
        Err(Error::BurnNeedsReveal { .. })
    ));
    assert_eq!(
        f.bin.peek(&created.id).await.unwrap().content,
        "secret",
        "peeking does not consume"
    );
    assert_eq!(f.bin.reveal(&created.id).await.unwrap().content, "secret");
    assert!(matches!(
        f.bin.reveal(&created.id).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        f.bin.read(&created.id).await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn revealing_an_ordinary_paste_just_reads_it() {
    let f = fixture();
    let created = f.bin.create(text("plain")).await.unwrap();
    assert_eq!(f.bin.reveal(&created.id).await.unwrap().content, "plain");
    assert_eq!(f.bin.read(&created.id).await.unwrap().content, "plain");
}

#[tokio::test]
async fn syntax_and_title_are_stored_as_their_canonical_forms() {
    let f = fixture();
    for (value, stored) in [
        ("rs", Some("rust")),
        ("Python", Some("python")),
        ("text", None),
        ("<b>", None),
    ] {
        let options = CreateOptions {
            syntax: Some(Syntax::named(value)),
            title: Title::parse("  two\nlines  ").unwrap(),
            ..CreateOptions::default()
        };
        let c = f.bin.create(with(options, "x")).await.unwrap();
        let paste = f.bin.read(&c.id).await.unwrap();
        assert_eq!(paste.syntax.as_deref(), stored, "{value}");
        assert_eq!(paste.title.as_deref(), Some("two lines"));
    }
}

#[tokio::test]
async fn delete_needs_the_token_and_leaves_the_paste_on_a_wrong_one() {
    let f = fixture();
    let c = f.bin.create(text("mine")).await.unwrap();
    assert!(matches!(
        f.bin.delete(&c.id, None).await,
        Err(Error::MissingToken)
    ));
    assert!(matches!(
        f.bin.delete(&c.id, Some("  ")).await,
        Err(Error::MissingToken)
    ));
    assert!(matches!(
        f.bin.delete(&c.id, Some("guess")).await,
        Err(Error::WrongToken)
    ));
    assert!(f.bin.read(&c.id).await.is_ok());
    f.bin
        .delete(&c.id, Some(c.delete_token.as_str()))
        .await
        .unwrap();
    assert!(matches!(f.bin.read(&c.id).await, Err(Error::NotFound)));
    assert!(matches!(
        f.bin.delete(&c.id, Some(c.delete_token.as_str())).await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn creates_are_rate_limited_per_client_apart_from_reads_and_deletes() {
    let f = fixture_with(
        Arc::new(MemoryStore::default()),
        Limits::default(),
        RateLimits {
            create_per_minute: 2,
            read_per_minute: 0,
            delete_per_minute: 1,
        },
    );
    let a = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    let b = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));
    f.bin.admit(a, RateClass::Create).await.unwrap();
    f.bin.admit(a, RateClass::Create).await.unwrap();
    match f.bin.admit(a, RateClass::Create).await {
        Err(Error::RateLimited { retry_after }) => assert!((1..=60).contains(&retry_after)),
        other => panic!("expected a rate limit, got {other:?}"),
    }
    f.bin.admit(b, RateClass::Create).await.unwrap();
    for _ in 0..100 {
        f.bin.admit(a, RateClass::Read).await.unwrap();
    }
    f.bin.admit(a, RateClass::Delete).await.unwrap();
    assert!(matches!(
        f.bin.admit(a, RateClass::Delete).await,
        Err(Error::RateLimited { .. })
    ));
    f.clock.advance(Duration::from_secs(60));
    f.bin.admit(a, RateClass::Create).await.unwrap();
    f.bin.admit(a, RateClass::Delete).await.unwrap();
}

/// Reports every id as taken `collisions` times before letting inserts through.
struct Colliding {
    inner: MemoryStore,
    collisions: AtomicU32,
}

#[async_trait]
impl PasteStore for Colliding {
    async fn insert(&self, paste: &Paste) -> Result<InsertOutcome, StoreError> {
        if self
            .collisions
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Ok(InsertOutcome::IdTaken);
        }
        self.inner.insert(paste).await
    }
    async fn get(&self, id: &Id) -> Result<Option<Paste>, StoreError> {
        self.inner.get(id).await
    }
    async fn delete(
        &self,
        id: &Id,
        token: &TokenHash,
        now: UnixTime,
    ) -> Result<DeleteOutcome, StoreError> {
        self.inner.delete(id, token, now).await
    }
    async fn take_burn(&self, id: &Id, now: UnixTime) -> Result<Option<Paste>, StoreError> {
        self.inner.take_burn(id, now).await
    }
    async fn sweep_expired(&self, now: UnixTime) -> Result<u64, StoreError> {
        self.inner.sweep_expired(now).await
    }
    async fn ping(&self) -> Result<(), StoreError> {
        self.inner.ping().await
    }
}

#[tokio::test]
async fn id_collisions_are_retried_a_bounded_number_of_times() {
    let store = Arc::new(Colliding {
        inner: MemoryStore::default(),
        collisions: AtomicU32::new(3),
    });
    let f = fixture_with(store.clone(), Limits::default(), RateLimits::OFF);
    let c = f.bin.create(text("eventually")).await.unwrap();
    assert_eq!(f.bin.read(&c.id).await.unwrap().content, "eventually");

    store.collisions.store(u32::MAX, Ordering::SeqCst);
    assert!(matches!(
        f.bin.create(text("never")).await,
        Err(Error::IdsExhausted { attempts: 5 })
    ));
    assert_eq!(store.inner.len(), 1, "nothing half-written");
}

const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7));

#[tokio::test]
async fn a_retried_create_with_its_key_answers_the_same_paste_and_token() {
    let store = Arc::new(MemoryStore::default());
    let f = fixture_with(store.clone(), Limits::default(), RateLimits::OFF);
    let key = IdempotencyKey::parse("3f1c1d62-5a2b-4c38-9d2e-1b7f0c9a4e11").unwrap();
    let first = f
        .bin
        .create_retry_safe(text("once"), Some((&key, CLIENT)))
        .await
        .unwrap();
    f.clock.advance(Duration::from_secs(3600));
    let retry = f
        .bin
        .create_retry_safe(text("once"), Some((&key, CLIENT)))
        .await
        .unwrap();
    assert_eq!(retry.id, first.id);
    assert_eq!(retry.delete_token.as_str(), first.delete_token.as_str());
    assert_eq!(
        retry.expires_at, first.expires_at,
        "the first paste's, not a new one's"
    );
    assert_eq!(store.len(), 1);

    // The same key for something else is refused, and stores nothing.
    let reused = f
        .bin
        .create_retry_safe(text("twice"), Some((&key, CLIENT)))
        .await;
    assert!(
        matches!(reused, Err(Error::IdempotencyKeyReused)),
        "{reused:?}"
    );
    assert_eq!(store.len(), 1);

    // The token answered to the retry deletes the paste.
    f.bin
        .delete(&retry.id, Some(retry.delete_token.as_str()))
        .await
        .unwrap();
}

#[tokio::test]
async fn keys_belong_to_their_client_and_expire_after_a_day() {
    let store = Arc::new(MemoryStore::default());
    let f = fixture_with(store.clone(), Limits::default(), RateLimits::OFF);
    let key = IdempotencyKey::parse("k-1").unwrap();
    let other_client = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 9));
    let a = f
        .bin
        .create_retry_safe(text("x"), Some((&key, CLIENT)))
        .await
        .unwrap();
    let b = f
        .bin
        .create_retry_safe(text("x"), Some((&key, other_client)))
        .await
        .unwrap();
    assert_ne!(a.id, b.id, "another client's key is another key");

    f.clock.advance(IDEMPOTENCY_WINDOW);
    let later = f
        .bin
        .create_retry_safe(text("x"), Some((&key, CLIENT)))
        .await
        .unwrap();
    assert_ne!(later.id, a.id, "a day later the key no longer applies");
    assert_eq!(store.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicates_make_one_paste() {
    let store = Arc::new(MemoryStore::default());
    let f = fixture_with(store.clone(), Limits::default(), RateLimits::OFF);
    let key = IdempotencyKey::parse("burst").unwrap();
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let bin = f.bin.clone();
            let key = key.clone();
            tokio::spawn(async move {
                bin.create_retry_safe(text("same"), Some((&key, CLIENT)))
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        ids.insert(t.await.unwrap().id);
    }
    assert_eq!(ids.len(), 1);
    assert_eq!(store.len(), 1);
}

#[tokio::test]
async fn burn_creates_ignore_the_key_so_a_revealed_paste_is_never_made_again() {
    let store = Arc::new(MemoryStore::default());
    let f = fixture_with(store.clone(), Limits::default(), RateLimits::OFF);
    let key = IdempotencyKey::parse("burn-key").unwrap();
    let burn = || {
        let mut req = text("read me once");
        req.options.burn_after_reading = Some(true);
        req
    };
    let first = f
        .bin
        .create_retry_safe(burn(), Some((&key, CLIENT)))
        .await
        .unwrap();
    f.bin.reveal(&first.id).await.unwrap();
    let retry = f
        .bin
        .create_retry_safe(burn(), Some((&key, CLIENT)))
        .await
        .unwrap();
    assert_ne!(retry.id, first.id, "the revealed link stays dead");
    assert!(matches!(
        f.bin.reveal(&first.id).await,
        Err(Error::NotFound)
    ));
}
