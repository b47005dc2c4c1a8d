//! The access log, in a test binary of its own: `tracing` caches per call site whether anyone
//! listens, process-wide, so a test that installs a subscriber for its own thread cannot share a
//! process with tests that log without one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::body::Body;
use http::Request;
use pastebin_core::{
    FixedWindowLimiter, Limits, ManualClock, MemoryStore, Pastebin, RateLimits, UnixTime,
};
use pastebin_http::{AppState, PublicUrl, Routes, router};
use tower::ServiceExt;

/// A writer the test's log subscriber appends to.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_access_log_is_a_line_per_request_unless_switched_off() {
    for (on, lines) in [(true, 3), (false, 0)] {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let settings = pastebin_http::config::Settings::from_lookup(|name| {
            (name == "PASTEBIN_ACCESS_LOG").then(|| if on { "on" } else { "off" }.to_owned())
        })
        .unwrap();
        let bin = Pastebin::new(
            Arc::new(MemoryStore::default()),
            Arc::new(FixedWindowLimiter::default()),
            Arc::new(ManualClock::new(UnixTime(1_700_000_000))),
            Limits::default(),
            RateLimits::default(),
        );
        let state = AppState::new(bin, PublicUrl::FromRequest { scheme: "http" })
            .with_access_log_default(!on)
            .with_settings(&settings);
        let app = router(state, Routes::ALL);
        for path in ["/health", "/raw/AAAAAAAAAA", "/"] {
            let req = Request::get(path).body(Body::empty()).unwrap();
            app.clone().oneshot(req).await.unwrap();
        }
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(log.matches(" request ").count(), lines, "{log}");
    }
}
