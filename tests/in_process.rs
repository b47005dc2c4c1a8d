//! The shared router driven in-process (no socket): what needs a fake store or a hand-moved
//! clock to be tested deterministically.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use pastebin_core::{
    DeleteOutcome, FixedWindowLimiter, Id, InsertOutcome, Limits, ManualClock, MemoryStore, Paste,
    PasteStore, Pastebin, RateLimits, StoreError, TokenHash, UnixTime,
};
use pastebin_http::{AppState, PublicUrl, Routes, router};
use tower::ServiceExt;

/// Every operation fails as if the backend were unreachable.
struct DownStore;

fn down() -> StoreError {
    StoreError::backend(std::io::Error::new(
        std::io::ErrorKind::ConnectionRefused,
        "db.internal:5432 refused",
    ))
}

#[async_trait]
impl PasteStore for DownStore {
    async fn insert(&self, _: &Paste) -> Result<InsertOutcome, StoreError> {
        Err(down())
    }
    async fn get(&self, _: &Id) -> Result<Option<Paste>, StoreError> {
        Err(down())
    }
    async fn delete(
        &self,
        _: &Id,
        _: &TokenHash,
        _: UnixTime,
    ) -> Result<DeleteOutcome, StoreError> {
        Err(down())
    }
    async fn take_burn(&self, _: &Id, _: UnixTime) -> Result<Option<Paste>, StoreError> {
        Err(down())
    }
    async fn sweep_expired(&self, _: UnixTime) -> Result<u64, StoreError> {
        Err(down())
    }
    async fn ping(&self) -> Result<(), StoreError> {
        Err(down())
    }
}

fn app(store: Arc<dyn PasteStore>, clock: Arc<ManualClock>) -> axum::Router {
    let bin = Pastebin::new(
        store,
        Arc::new(FixedWindowLimiter::default()),
        clock,
        Limits::default(),
        RateLimits::OFF,
    );
    router(
        AppState::new(bin, PublicUrl::FromRequest { scheme: "http" }),
        Routes::ALL,
    )
}

async fn call(app: &axum::Router, req: Request<Body>) -> (StatusCode, http::HeaderMap, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    (
        parts.status,
        parts.headers,
        String::from_utf8(body.collect().await.unwrap().to_bytes().to_vec()).unwrap(),
    )
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn storage_failures_are_503_with_retry_after_and_leak_no_detail() {
    let app = app(
        Arc::new(DownStore),
        Arc::new(ManualClock::new(UnixTime(1_800_000_000))),
    );
    let requests = [
        get("/health"),
        get("/AAAAAAAAAA"),
        get("/raw/AAAAAAAAAA"),
        get("/pastes/AAAAAAAAAA"),
        Request::post("/").body(Body::from("text")).unwrap(),
        Request::post("/AAAAAAAAAA/reveal")
            .body(Body::empty())
            .unwrap(),
        Request::delete("/AAAAAAAAAA")
            .header("x-delete-token", "t")
            .body(Body::empty())
            .unwrap(),
    ];
    for req in requests {
        let what = format!("{} {}", req.method(), req.uri());
        let (status, headers, body) = call(&app, req).await;
        assert_eq!(status, 503, "{what}");
        assert_eq!(headers["retry-after"], "5", "{what}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["error"], "unavailable");
        assert!(!body.contains("5432"), "{what}: {body}");
    }
}

#[tokio::test]
async fn expiry_follows_the_clock_exactly() {
    let clock = Arc::new(ManualClock::new(UnixTime(1_800_000_000)));
    let app = app(Arc::new(MemoryStore::default()), clock.clone());
    let (status, headers, _) = call(
        &app,
        Request::post("/?expires=1h")
            .body(Body::from("hourly"))
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201);
    let id = headers["location"].to_str().unwrap().to_owned();

    clock.advance(Duration::from_secs(3400));
    let (status, headers, body) = call(&app, get(&id)).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "hourly"));
    assert_eq!(
        headers["cache-control"], "public, max-age=200, s-maxage=200, stale-if-error=0",
        "no cache keeps it beyond its remaining 200 s"
    );

    clock.advance(Duration::from_secs(200));
    let (status, headers, _) = call(&app, get(&id)).await;
    assert_eq!(status, 200, "readable through its last second");
    assert_eq!(headers["cache-control"], "private, max-age=0");

    clock.advance(Duration::from_secs(1));
    assert_eq!(call(&app, get(&id)).await.0, 404);
}
