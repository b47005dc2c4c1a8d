//! What a typical create and a share-link read miss really cost in DynamoDB: every call goes
//! through a proxy that asks the stand-in for the capacity each call consumed
//! (`ReturnConsumedCapacity`), with rate limiting on as deployed. `bench/run` feeds these figures
//! to `bench/cost`; the assertions keep them from creeping back up.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use axum::body::Body;
use pastebin_aws::{AwsClients, DynamoRateLimiter, DynamoStore, Timeouts};
use pastebin_core::{Limits, Pastebin, RateLimits, SystemClock};
use pastebin_http::{AppState, ClientIp, PublicUrl, Routes, router};
use tower::ServiceExt;

use crate::common::{fresh, require_endpoint};
use crate::fault_proxy::FaultProxy;

/// A typical paste: 1 KiB of real source code.
fn typical_paste(n: usize) -> String {
    let source = include_str!("../../functions/core/src/service.rs");
    let start = (n * 97) % (source.len() - 2048);
    let start = (start..).find(|&i| source.is_char_boundary(i)).unwrap_or(0);
    let mut end = start + 1024;
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    source[start..end].to_owned()
}

/// The routes as deployed (rate limiting on), every DynamoDB call through a metering proxy.
async fn metered_app() -> (axum::Router, FaultProxy) {
    let (_, settings) = fresh().await;
    let proxy = FaultProxy::start(&require_endpoint()).await;
    let through = AwsClients::new(Some(proxy.endpoint()), Timeouts::STORE, Timeouts::LIMITER).await;
    let bin = Pastebin::new(
        Arc::new(DynamoStore::new(&through, &settings)),
        Arc::new(DynamoRateLimiter::new(&through, &settings.table)),
        Arc::new(SystemClock),
        Limits::default(),
        RateLimits::default(),
    );
    let app = router(
        AppState::new(bin, PublicUrl::FromRequest { scheme: "https" }),
        Routes::ALL,
    );
    (app, proxy)
}

/// Capacity units per call of `(writes, reads)` operations in what the meter saw.
fn units(seen: &std::collections::BTreeMap<String, (u32, f64)>) -> (f64, f64) {
    let mut writes = 0.0;
    let mut reads = 0.0;
    for (op, (_, consumed)) in seen {
        match op.as_str() {
            "GetItem" | "Query" | "Scan" => reads += consumed,
            _ => writes += consumed,
        }
    }
    (writes, reads)
}

#[tokio::test]
async fn a_typical_create_is_one_write_unit_and_a_read_miss_writes_nothing() {
    let (app, proxy) = metered_app().await;
    const PASTES: u32 = 40;
    // As deployed: each paste from a client of its own, each share link read once by another.
    let client = |n: u32| ClientIp(IpAddr::V4(Ipv4Addr::from(0x0A00_0000 + n)));
    proxy.meter().take();
    let mut ids = Vec::new();
    for n in 0..PASTES {
        let mut req = http::Request::post("/")
            .body(Body::from(typical_paste(n as usize)))
            .unwrap();
        req.extensions_mut().insert(client(n));
        let res = app.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), 201);
        ids.push(res.headers()["location"].to_str().unwrap().to_owned());
    }
    let created = proxy.meter().take();
    for (n, id) in ids.iter().enumerate() {
        let mut req = http::Request::get(format!("/raw{id}"))
            .body(Body::empty())
            .unwrap();
        req.extensions_mut()
            .insert(client(1000 + u32::try_from(n).unwrap()));
        assert_eq!(app.clone().oneshot(req).await.unwrap().status(), 200);
    }
    let read = proxy.meter().take();
    let (create_wru, _) = units(&created);
    let (read_wru, read_rru) = units(&read);
    let per = f64::from(PASTES);
    let figures = serde_json::json!({
        "create_write_units": create_wru / per,
        "read_miss_read_units": read_rru / per,
        "read_miss_write_units": read_wru / per,
        "create_calls": created.iter().map(|(op, (calls, _))| (op.clone(), f64::from(*calls) / per)).collect::<std::collections::BTreeMap<_, _>>(),
    });
    println!("DYNAMODB_UNITS {figures}");
    // Exact and non-zero: a meter that stopped seeing ConsumedCapacity would read 0 and fail.
    assert_eq!(create_wru / per, 1.0, "{figures}");
    assert_eq!(read_wru, 0.0, "{figures}");
    assert!(read_rru > 0.0 && read_rru / per <= 1.0, "{figures}");
}

/// A create with an `Idempotency-Key` costs what one without does: its id is derived, not
/// stored anywhere. A retry costs at most the conditional write that finds the paste, and one
/// read.
#[tokio::test]
async fn a_create_with_an_idempotency_key_is_one_write_unit_too() {
    let (app, proxy) = metered_app().await;
    const PASTES: u32 = 20;
    let request = |n: u32| {
        let mut req = http::Request::post("/")
            .header("idempotency-key", format!("cost-test-{n}"))
            .body(Body::from(typical_paste(n as usize)))
            .unwrap();
        req.extensions_mut()
            .insert(ClientIp(IpAddr::V4(Ipv4Addr::from(0x0A00_0000 + n))));
        req
    };
    proxy.meter().take();
    for n in 0..PASTES {
        assert_eq!(app.clone().oneshot(request(n)).await.unwrap().status(), 201);
    }
    let first = proxy.meter().take();
    for n in 0..PASTES {
        assert_eq!(app.clone().oneshot(request(n)).await.unwrap().status(), 201);
    }
    let retried = proxy.meter().take();
    let per = f64::from(PASTES);
    let (first_wru, first_rru) = units(&first);
    let (retry_wru, retry_rru) = units(&retried);
    println!(
        "DYNAMODB_UNITS_IDEMPOTENT {}",
        serde_json::json!({
            "create_write_units": first_wru / per,
            "create_read_units": first_rru / per,
            "retry_write_units": retry_wru / per,
            "retry_read_units": retry_rru / per,
        })
    );
    assert_eq!(first_wru / per, 1.0);
    assert_eq!(first_rru, 0.0, "a first create reads nothing");
    // A retry's conditional write is refused; DynamoDB bills a refused write as a write (the
    // stand-in reports nothing for it), and a retry in a later second also reads the paste.
    assert!(retry_wru / per <= 1.0 && retry_rru / per <= 1.0);
}
