//! Replays every sample API Gateway event in `events/` through the router the Lambda functions
//! serve, over a memory store seeded with the fixtures `events/README.md` lists.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use http::HeaderMap;
use http_body_util::BodyExt;
use pastebin_core::{
    FixedWindowLimiter, Id, Limits, ManualClock, MemoryStore, Paste, PasteStore, Pastebin,
    RateLimits, TokenHash, UnixTime,
};
use pastebin_http::origin::OriginGuard;
use pastebin_http::{AppState, PublicUrl, Routes};
use pastebin_lambda::with_lambda_layers;
use tower::ServiceExt;

const NOW: UnixTime = UnixTime(1_795_971_600);
const PASTE: &str = "Fx7kQ2mZ9a";
const BURN: &str = "Bn4rT8wY1c";
const EXPIRED: &str = "Ex3pIr3dAA";
const TOKEN: &str = "fixtureDeleteToken0123";
/// What the `*-via-cloudfront.json` events carry in `x-origin-verify`.
const ORIGIN_SECRET: &str = "origin-secret-for-tests-0123456789abcdef";

struct Fixture {
    app: Router,
    store: Arc<MemoryStore>,
}

async fn fixture(max_bytes: u64, rates: RateLimits, routes: Routes) -> Fixture {
    fixture_behind(OriginGuard::open(), max_bytes, rates, routes).await
}

/// The functions as deployed behind CloudFront: only requests with the origin secret pass.
async fn fixture_behind(
    origin: OriginGuard,
    max_bytes: u64,
    rates: RateLimits,
    routes: Routes,
) -> Fixture {
    let store = Arc::new(MemoryStore::default());
    for (id, content, burn, expires_at) in [
        (PASTE, "fn main() {}\n", false, NOW.0 + 3600),
        (BURN, "secret", true, NOW.0 + 3600),
        (EXPIRED, "old", false, NOW.0 - 1),
    ] {
        let paste = Paste {
            id: Id::parse(id).unwrap(),
            content: content.into(),
            syntax: None,
            title: None,
            burn_after_reading: burn,
            encrypted: false,
            created_at: UnixTime(NOW.0 - 60),
            expires_at: UnixTime(expires_at),
            delete_token_hash: TokenHash::of(TOKEN),
        };
        store.insert(&paste).await.unwrap();
    }
    let limits = Limits::new(
        max_bytes,
        Duration::from_secs(7 * 86_400),
        Duration::from_secs(7 * 86_400),
    )
    .unwrap();
    let bin = Pastebin::new(
        store.clone(),
        Arc::new(FixedWindowLimiter::default()),
        Arc::new(ManualClock::new(NOW)),
        limits,
        rates,
    );
    let app = with_lambda_layers(
        AppState::new(bin, PublicUrl::FromRequest { scheme: "https" }).with_origin(origin),
        routes,
    );
    Fixture { app, store }
}

async fn all() -> Fixture {
    fixture(Limits::DEFAULT_MAX_BYTES, RateLimits::OFF, Routes::ALL).await
}

fn event(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../events/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn replay_json(app: &Router, json: &str) -> (u16, HeaderMap, String) {
    let req = lambda_http::request::from_str(json).expect("a valid API Gateway event");
    let res = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    (
        parts.status.as_u16(),
        parts.headers,
        String::from_utf8(body.collect().await.unwrap().to_bytes().to_vec()).unwrap(),
    )
}

async fn replay(app: &Router, name: &str) -> (u16, HeaderMap, String) {
    replay_json(app, &event(name)).await
}

#[tokio::test]
async fn create_raw_prints_an_https_url_on_the_api_host() {
    let f = all().await;
    let (status, headers, body) = replay(&f.app, "create-raw.json").await;
    assert_eq!(status, 201);
    assert!(
        body.starts_with("https://abc123.execute-api.us-east-1.amazonaws.com/"),
        "{body}"
    );
    let id = headers["location"]
        .to_str()
        .unwrap()
        .trim_start_matches('/');
    let paste = f.store.get(&Id::parse(id).unwrap()).await.unwrap().unwrap();
    assert_eq!(paste.content, "hello from a terminal\n");
    assert_eq!(
        paste.expires_at.0 - paste.created_at.0,
        3600,
        "?expires=1h from the query string"
    );
}

#[tokio::test]
async fn create_json_and_base64_multipart() {
    let f = all().await;
    let (status, _, body) = replay(&f.app, "create-json.json").await;
    assert_eq!(status, 201);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    let paste = f
        .store
        .get(&Id::parse(json["id"].as_str().unwrap()).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (paste.syntax.as_deref(), paste.title.as_deref()),
        (Some("rust"), Some("demo"))
    );

    let (status, headers, _) = replay(&f.app, "create-multipart-base64.json").await;
    assert_eq!(status, 201);
    let id = headers["location"]
        .to_str()
        .unwrap()
        .trim_start_matches('/');
    let paste = f.store.get(&Id::parse(id).unwrap()).await.unwrap().unwrap();
    assert_eq!(
        (paste.content.as_str(), paste.syntax.as_deref()),
        ("fn main() {}\n", Some("rust"))
    );
}

#[tokio::test]
async fn an_encrypted_create_stores_the_ciphertext_flagged_and_the_page_carries_it() {
    let f = all().await;
    let (status, _, body) = replay(&f.app, "create-encrypted.json").await;
    assert_eq!(status, 201);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["encrypted"], true);
    let id = Id::parse(json["id"].as_str().unwrap()).unwrap();
    let paste = f.store.get(&id).await.unwrap().unwrap();
    let vectors: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/vectors/sealed-v1.json")).unwrap();
    let content = vectors[0]["content"].as_str().unwrap();
    assert!(paste.encrypted);
    assert_eq!(
        (paste.content.as_str(), paste.title, paste.syntax),
        (content, None, None)
    );

    let mut page: serde_json::Value = serde_json::from_str(&event("fetch-html.json")).unwrap();
    let path = format!("/{id}");
    page["rawPath"] = path.clone().into();
    page["requestContext"]["http"]["path"] = path.into();
    let (status, _, html) = replay_json(&f.app, &page.to_string()).await;
    assert_eq!(status, 200);
    assert!(html.contains("paste sealed") && html.contains(content));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_create_with_an_idempotency_key_replayed_makes_one_paste() {
    let f = all().await;
    let before = f.store.len();
    let (status, _, first) = replay(&f.app, "create-idempotent.json").await;
    assert_eq!(status, 201);
    let first: serde_json::Value = serde_json::from_str(&first).unwrap();
    let replays: Vec<_> = (0..8)
        .map(|_| {
            let app = f.app.clone();
            tokio::spawn(async move { replay(&app, "create-idempotent.json").await })
        })
        .collect();
    for r in replays {
        let (status, _, body) = r.await.unwrap();
        assert_eq!(status, 201);
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (&body["id"], &body["delete_token"]),
            (&first["id"], &first["delete_token"])
        );
    }
    assert_eq!(f.store.len(), before + 1);
}

#[tokio::test]
async fn create_errors() {
    let f = fixture(1024, RateLimits::OFF, Routes::CREATE).await;
    assert_eq!(replay(&f.app, "create-too-large.json").await.0, 413);
    assert_eq!(replay(&f.app, "create-not-text.json").await.0, 415);
    let (status, _, body) = replay(&f.app, "create-bad-expiry.json").await;
    assert_eq!(status, 422);
    assert!(body.contains("expires_in"));
    assert_eq!(f.store.len(), 3, "nothing was stored");
}

#[tokio::test]
async fn fetch_hit_miss_expired_and_burn() {
    let f = all().await;
    let (status, headers, body) = replay(&f.app, "fetch-raw.json").await;
    assert_eq!((status, body.as_str()), (200, "fn main() {}\n"));
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=300, s-maxage=300, stale-if-error=0"
    );
    assert_eq!(headers["vary"], "Accept");

    let (status, headers, body) = replay(&f.app, "fetch-html.json").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert!(body.contains("language-rust"));

    let (status, _, body) = replay(&f.app, "fetch-json.json").await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"],
        PASTE
    );
    assert_eq!(replay(&f.app, "fetch-raw-route.json").await.0, 200);

    assert_eq!(replay(&f.app, "fetch-miss.json").await.0, 404);
    assert_eq!(
        replay(&f.app, "fetch-expired.json").await.0,
        404,
        "past expires_at, though still stored"
    );
    let (status, headers, _) = replay(&f.app, "fetch-burn.json").await;
    assert_eq!(
        (status, headers["cache-control"].to_str().unwrap()),
        (409, "no-store")
    );
    assert_eq!(replay(&f.app, "health.json").await.0, 200);
}

#[tokio::test]
async fn a_burn_reveal_succeeds_once() {
    let f = all().await;
    let (status, headers, body) = replay(&f.app, "reveal-burn.json").await;
    assert_eq!((status, body.as_str()), (200, "secret"));
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(replay(&f.app, "reveal-burn.json").await.0, 404);
}

#[tokio::test]
async fn delete_ok_wrong_and_missing_token() {
    let f = fixture(Limits::DEFAULT_MAX_BYTES, RateLimits::OFF, Routes::DELETE).await;
    assert_eq!(replay(&f.app, "delete-missing-token.json").await.0, 401);
    assert_eq!(replay(&f.app, "delete-wrong-token.json").await.0, 403);
    assert!(
        f.store
            .get(&Id::parse(PASTE).unwrap())
            .await
            .unwrap()
            .is_some(),
        "untouched by a wrong token"
    );
    assert_eq!(replay(&f.app, "delete-ok.json").await.0, 204);
    assert!(
        f.store
            .get(&Id::parse(PASTE).unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(replay(&f.app, "delete-ok.json").await.0, 404);
}

/// Deletes are limited per `sourceIp` like creates (each one can cost an invalidation).
#[tokio::test]
async fn deletes_are_limited_per_source_ip() {
    let f = fixture(
        Limits::DEFAULT_MAX_BYTES,
        RateLimits {
            create_per_minute: 0,
            read_per_minute: 0,
            delete_per_minute: 2,
        },
        Routes::DELETE,
    )
    .await;
    assert_eq!(replay(&f.app, "delete-wrong-token.json").await.0, 403);
    assert_eq!(replay(&f.app, "delete-wrong-token.json").await.0, 403);
    let (status, headers, _) = replay(&f.app, "delete-ok.json").await;
    assert_eq!(status, 429);
    assert!(headers.contains_key("retry-after"));
    assert!(
        f.store
            .get(&Id::parse(PASTE).unwrap())
            .await
            .unwrap()
            .is_some(),
        "a limited delete deletes nothing"
    );
    let other_client = event("delete-ok.json").replace("198.51.100.7", "192.0.2.44");
    assert_eq!(replay_json(&f.app, &other_client).await.0, 204);
}

#[tokio::test]
async fn each_function_serves_only_its_routes() {
    let fetch = fixture(Limits::DEFAULT_MAX_BYTES, RateLimits::OFF, Routes::FETCH).await;
    assert_eq!(replay(&fetch.app, "create-raw.json").await.0, 405);
    assert_eq!(replay(&fetch.app, "delete-ok.json").await.0, 405);
    let create = fixture(Limits::DEFAULT_MAX_BYTES, RateLimits::OFF, Routes::CREATE).await;
    assert_eq!(replay(&create.app, "fetch-raw.json").await.0, 404);
}

/// Rate limits count API Gateway's `sourceIp`; a spoofed `X-Forwarded-For` changes nothing.
#[tokio::test]
async fn creates_are_limited_per_source_ip() {
    let f = fixture(
        Limits::DEFAULT_MAX_BYTES,
        RateLimits {
            create_per_minute: 2,
            read_per_minute: 0,
            delete_per_minute: 0,
        },
        Routes::CREATE,
    )
    .await;
    let original = event("create-raw.json");
    let spoofed = original.replace(
        "\"x-forwarded-for\": \"198.51.100.7\"",
        "\"x-forwarded-for\": \"203.0.113.99\"",
    );
    assert_ne!(original, spoofed);
    assert_eq!(replay_json(&f.app, &original).await.0, 201);
    assert_eq!(replay_json(&f.app, &spoofed).await.0, 201);
    let (status, headers, _) = replay_json(&f.app, &spoofed).await;
    assert_eq!(status, 429);
    assert!(headers.contains_key("retry-after"));
    let other_client = original.replace("198.51.100.7", "192.0.2.44");
    assert_eq!(replay_json(&f.app, &other_client).await.0, 201);
}

/// Behind CloudFront: with the origin secret, the viewer's address (rate limits) and host
/// (printed URLs) come from the CloudFront function's headers.
#[tokio::test]
async fn cloudfront_forwarding_is_believed_with_the_origin_secret() {
    let f = fixture_behind(
        OriginGuard::requiring([ORIGIN_SECRET]),
        Limits::DEFAULT_MAX_BYTES,
        RateLimits {
            create_per_minute: 1,
            read_per_minute: 0,
            delete_per_minute: 0,
        },
        Routes::CREATE,
    )
    .await;
    let via_cdn = event("create-via-cloudfront.json");
    let (status, _, body) = replay_json(&f.app, &via_cdn).await;
    assert_eq!(status, 201);
    assert!(
        body.starts_with("https://paste.example.com/"),
        "the viewer's host: {body}"
    );
    // Same edge (sourceIp), another viewer: not limited.
    let other_viewer = via_cdn.replace(
        "\"x-viewer-ip\": \"203.0.113.50\"",
        "\"x-viewer-ip\": \"203.0.113.51\"",
    );
    assert_eq!(replay_json(&f.app, &other_viewer).await.0, 201);
    assert_eq!(
        replay_json(&f.app, &via_cdn).await.0,
        429,
        "the first viewer's second create"
    );
}

/// Without the origin secret configured (the local server, or the functions called with no CDN
/// in front), forwarded viewer headers are never believed.
#[tokio::test]
async fn an_open_origin_ignores_forwarded_viewer_headers() {
    let f = fixture(Limits::DEFAULT_MAX_BYTES, RateLimits::OFF, Routes::CREATE).await;
    let (status, _, body) = replay(&f.app, "create-via-cloudfront.json").await;
    assert_eq!(status, 201);
    assert!(
        body.starts_with("https://abc123.execute-api.us-east-1.amazonaws.com/"),
        "{body}"
    );
}

/// One door: with the origin secret configured, a request without it (or with a wrong one) is a
/// 403 with the JSON error body, answered before any limiter or store is asked; the previous
/// secret still works during a rotation.
#[tokio::test]
async fn behind_cloudfront_only_requests_with_a_current_or_previous_secret_are_served() {
    let previous = "origin-secret-of-last-month-0123456789ab";
    let f = fixture_behind(
        OriginGuard::requiring([ORIGIN_SECRET, previous]),
        Limits::DEFAULT_MAX_BYTES,
        RateLimits::OFF,
        Routes::ALL,
    )
    .await;
    let via_cdn = event("fetch-via-cloudfront.json");
    let (status, _, body) = replay_json(&f.app, &via_cdn).await;
    assert_eq!((status, body.as_str()), (200, "fn main() {}\n"));
    let rotated = via_cdn.replace(ORIGIN_SECRET, previous);
    assert_eq!(replay_json(&f.app, &rotated).await.0, 200);

    let direct = [
        event("fetch-raw.json"),
        event("create-raw.json"),
        event("delete-ok.json"),
        event("health.json"),
        via_cdn.replace(ORIGIN_SECRET, "origin-secret-guessed-0000000000000000000"),
    ];
    let pastes_before = f.store.len();
    for request in &direct {
        let (status, headers, body) = replay_json(&f.app, request).await;
        assert_eq!(status, 403, "{request}");
        let error: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["error"], "forbidden");
        assert_eq!(headers["x-content-type-options"], "nosniff");
    }
    assert_eq!(
        f.store.len(),
        pastes_before,
        "nothing was created or deleted"
    );
}

/// The guard answers before the store or the limiter is asked: a direct caller costs no
/// storage call.
#[tokio::test]
async fn refusing_a_direct_caller_costs_no_storage_call() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    struct Counting(AtomicUsize);
    #[async_trait::async_trait]
    impl pastebin_core::RateLimiter for Counting {
        async fn check(
            &self,
            _: pastebin_core::ClientKey,
            _: pastebin_core::RateClass,
            _: u32,
            _: UnixTime,
        ) -> Result<Result<(), pastebin_core::RateLimited>, pastebin_core::StoreError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(Ok(()))
        }
    }
    /// A store that counts every call made to it.
    #[derive(Default)]
    struct CountingStore(MemoryStore, AtomicUsize);
    impl CountingStore {
        fn calls(&self) -> usize {
            self.1.load(Ordering::SeqCst)
        }
        fn count(&self) -> &MemoryStore {
            self.1.fetch_add(1, Ordering::SeqCst);
            &self.0
        }
    }
    #[async_trait::async_trait]
    impl PasteStore for CountingStore {
        async fn insert(
            &self,
            p: &Paste,
        ) -> Result<pastebin_core::InsertOutcome, pastebin_core::StoreError> {
            self.count().insert(p).await
        }
        async fn get(&self, id: &Id) -> Result<Option<Paste>, pastebin_core::StoreError> {
            self.count().get(id).await
        }
        async fn delete(
            &self,
            id: &Id,
            t: &TokenHash,
            now: UnixTime,
        ) -> Result<pastebin_core::DeleteOutcome, pastebin_core::StoreError> {
            self.count().delete(id, t, now).await
        }
        async fn take_burn(
            &self,
            id: &Id,
            now: UnixTime,
        ) -> Result<Option<Paste>, pastebin_core::StoreError> {
            self.count().take_burn(id, now).await
        }
        async fn sweep_expired(&self, now: UnixTime) -> Result<u64, pastebin_core::StoreError> {
            self.count().sweep_expired(now).await
        }
        async fn ping(&self) -> Result<(), pastebin_core::StoreError> {
            self.count().ping().await
        }
    }
    let limiter = Arc::new(Counting(AtomicUsize::new(0)));
    let store = Arc::new(CountingStore::default());
    let bin = Pastebin::new(
        store.clone(),
        limiter.clone(),
        Arc::new(ManualClock::new(NOW)),
        Limits::default(),
        RateLimits::default(),
    );
    let app = with_lambda_layers(
        AppState::new(bin, PublicUrl::FromRequest { scheme: "https" })
            .with_origin(OriginGuard::requiring([ORIGIN_SECRET])),
        Routes::ALL,
    );
    for name in [
        "fetch-raw.json",
        "create-raw.json",
        "delete-ok.json",
        "health.json",
    ] {
        assert_eq!(replay(&app, name).await.0, 403);
    }
    assert_eq!(limiter.0.load(Ordering::SeqCst), 0);
    assert_eq!(store.calls(), 0);
    assert_eq!(replay(&app, "fetch-via-cloudfront.json").await.0, 404);
    assert_eq!(
        limiter.0.load(Ordering::SeqCst),
        1,
        "the limiter, once let through"
    );
    assert!(store.calls() > 0);
}
