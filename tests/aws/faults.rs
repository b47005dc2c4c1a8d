//! Every DynamoDB and S3 call of create, read, reveal, delete and expire, failed in each way a
//! backend fails (closed before the request arrived, 500, throttled, stalled past the timeout,
//! applied but its reply lost), once (the SDK's retries see it) and for good. For each: what the
//! user sees (success, or 503 — never a 500), and afterwards, with the faults gone, that no
//! acknowledged paste was lost, no half-written paste is visible, a burn paste is revealed
//! exactly once, and no S3 body was removed while a paste still references it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use futures_util::StreamExt;
use http_body_util::BodyExt;
use pastebin_aws::{AwsClients, AwsSettings, DynamoRateLimiter, DynamoStore, Timeouts};
use pastebin_core::{CreateOptions, CreateRequest, Id, Limits, Pastebin, RateLimits, SystemClock};
use pastebin_http::{AppState, PublicUrl, Routes, router};
use pastebin_lambda::handle_stream;
use tower::ServiceExt;

use crate::common::{fresh, large_text, now, objects, require_endpoint, store};
use crate::fault_proxy::{Call, Fault, FaultProxy};

/// Shorter than the product's, so that stalls cost the suite little; the branches are the same.
const STORE: Timeouts = Timeouts {
    connect: Duration::from_secs(1),
    attempt: Duration::from_millis(1200),
    operation: Duration::from_millis(2500),
    attempts: 3,
};
const LIMITER: Timeouts = Timeouts {
    connect: Duration::from_millis(500),
    attempt: Duration::from_millis(500),
    operation: Duration::from_millis(500),
    attempts: 1,
};

const LIMITER_CALL: Call = Call::with("UpdateItem", "rate#");
const COUNTER_UP: Call = Call::with("UpdateItem", "if_not_exists(#gen");
const PUT_OBJECT: Call = Call::op("PutObject");
const PUT_ITEM: Call = Call::op("PutItem");
const GET_PASTE: Call = Call::without("GetItem", "body#");
const GET_OBJECT: Call = Call::op("GetObject");
const CLAIM: Call = Call::with("UpdateItem", "#claim");
const DELETE_CLAIMED: Call = Call::with("DeleteItem", "#claim");
const DELETE_PASTE: Call = Call::with("DeleteItem", "#th");
const RELEASE: Call = Call::op("TransactWriteItems");
const GET_COUNTER: Call = Call::with("GetItem", "body#");
const DELETE_COUNTER: Call = Call::with("DeleteItem", "body#");
const DELETE_OBJECT: Call = Call::op("DeleteObject");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    CreateSmall,
    CreateLarge,
    ReadLarge,
    Reveal,
    Delete,
    Expire,
}

/// Where a call stands in its request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// The rate limiter: it fails open.
    Limiter,
    /// Before or at the point where the request's outcome is decided.
    Decisive,
    /// Clean-up after the outcome is decided: it may fail, the answer stands.
    Cleanup,
    /// The expire function's body release: a failure is retried through the stream.
    Stream,
}

const STEPS: &[(Flow, Call, Phase)] = &[
    (Flow::CreateSmall, LIMITER_CALL, Phase::Limiter),
    (Flow::CreateSmall, PUT_ITEM, Phase::Decisive),
    (Flow::CreateLarge, LIMITER_CALL, Phase::Limiter),
    (Flow::CreateLarge, COUNTER_UP, Phase::Decisive),
    (Flow::CreateLarge, PUT_OBJECT, Phase::Decisive),
    (Flow::CreateLarge, PUT_ITEM, Phase::Decisive),
    (Flow::ReadLarge, LIMITER_CALL, Phase::Limiter),
    (Flow::ReadLarge, GET_PASTE, Phase::Decisive),
    (Flow::ReadLarge, GET_OBJECT, Phase::Decisive),
    (Flow::Reveal, LIMITER_CALL, Phase::Limiter),
    (Flow::Reveal, GET_PASTE, Phase::Decisive),
    (Flow::Reveal, GET_OBJECT, Phase::Decisive),
    (Flow::Reveal, CLAIM, Phase::Decisive),
    (Flow::Reveal, DELETE_CLAIMED, Phase::Cleanup),
    (Flow::Reveal, RELEASE, Phase::Cleanup),
    (Flow::Reveal, GET_COUNTER, Phase::Cleanup),
    (Flow::Reveal, DELETE_COUNTER, Phase::Cleanup),
    (Flow::Reveal, DELETE_OBJECT, Phase::Cleanup),
    (Flow::Delete, LIMITER_CALL, Phase::Limiter),
    (Flow::Delete, GET_PASTE, Phase::Decisive),
    (Flow::Delete, DELETE_PASTE, Phase::Decisive),
    (Flow::Delete, RELEASE, Phase::Cleanup),
    (Flow::Delete, GET_COUNTER, Phase::Cleanup),
    (Flow::Expire, RELEASE, Phase::Stream),
    (Flow::Expire, GET_COUNTER, Phase::Stream),
    (Flow::Expire, DELETE_COUNTER, Phase::Stream),
    (Flow::Expire, DELETE_OBJECT, Phase::Stream),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    /// 201/200/204, or (expire) a batch with no record to retry.
    Success,
    /// 503 with Retry-After, or (expire) records reported for retry.
    Unavailable,
}

impl fmt::Display for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Success => "ok",
            Self::Unavailable => "503",
        })
    }
}

/// What the user must see. A call failed once is retried by the SDK; a decisive call failed
/// for good is a 503 — unless it was applied and only its replies were lost, which one read
/// back reveals.
fn expected(call: Call, phase: Phase, fault: Fault, always: bool) -> Seen {
    let applied_writes = [PUT_ITEM, CLAIM, DELETE_PASTE];
    match phase {
        Phase::Limiter | Phase::Cleanup => Seen::Success,
        _ if !always => Seen::Success,
        Phase::Decisive if fault == Fault::ReplyLost && applied_writes.contains(&call) => {
            Seen::Success
        }
        Phase::Decisive | Phase::Stream => Seen::Unavailable,
    }
}

/// One scenario's world: a table and bucket of its own, the service through the proxy, and
/// direct clients to look at what is really stored.
struct World {
    proxy: FaultProxy,
    app: Router,
    proxied: DynamoStore,
    direct: DynamoStore,
    bin: Pastebin,
    clients: AwsClients,
    settings: AwsSettings,
}

async fn world() -> World {
    let (clients, settings) = fresh().await;
    let proxy = FaultProxy::start(&require_endpoint()).await;
    let through = AwsClients::new(Some(proxy.endpoint()), STORE, LIMITER).await;
    let proxied = DynamoStore::new(&through, &settings);
    let bin = Pastebin::new(
        Arc::new(proxied.clone()),
        // Counting every request, so that each one makes the limiter's call.
        Arc::new(DynamoRateLimiter::new(&through, &settings.table).flushing_every(1)),
        Arc::new(SystemClock),
        Limits::default(),
        RateLimits {
            create_per_minute: 1_000_000,
            read_per_minute: 1_000_000,
            delete_per_minute: 1_000_000,
        },
    );
    let app = router(
        AppState::new(bin.clone(), PublicUrl::FromRequest { scheme: "http" }),
        Routes::ALL,
    );
    World {
        proxy,
        app,
        proxied,
        direct: store(&clients, &settings),
        bin,
        clients,
        settings,
    }
}

/// The direct (fault-free) service, for setting up and checking.
fn direct_bin(w: &World) -> Pastebin {
    Pastebin::new(
        Arc::new(w.direct.clone()),
        Arc::new(pastebin_core::FixedWindowLimiter::default()),
        Arc::new(SystemClock),
        Limits::default(),
        RateLimits::OFF,
    )
}

async fn call(app: &Router, req: http::Request<Body>) -> (u16, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    if status == 503 {
        assert!(res.headers().contains_key("retry-after"));
    }
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn seen(status: u16, ok: u16) -> Result<Seen, String> {
    match status {
        s if s == ok => Ok(Seen::Success),
        503 => Ok(Seen::Unavailable),
        other => Err(format!("answered {other}")),
    }
}

fn burn() -> CreateOptions {
    CreateOptions {
        burn_after_reading: Some(true),
        ..CreateOptions::default()
    }
}

async fn create(bin: &Pastebin, content: &str, options: CreateOptions) -> pastebin_core::Created {
    bin.create(CreateRequest {
        content: content.as_bytes().to_vec(),
        options,
    })
    .await
    .unwrap()
}

/// Every paste item decodes whole, and every body an item points at is in the bucket.
async fn nothing_half_written(w: &World) -> Result<Vec<Id>, String> {
    let items = w
        .clients
        .dynamodb
        .scan()
        .table_name(&w.settings.table)
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    let stored = objects(&w.clients, &w.settings).await;
    let mut ids = Vec::new();
    for item in items.items() {
        let Some(id) = item
            .get("id")
            .and_then(|v| v.as_s().ok())
            .and_then(|s| Id::parse(s))
        else {
            continue;
        };
        if item.contains_key("claim") {
            continue; // revealed: gone for readers, left for TTL
        }
        if let Some(key) = item.get("body_key").and_then(|v| v.as_s().ok())
            && !stored.contains(&format!("bodies/{key}"))
        {
            return Err(format!("paste {id} points at a body that was removed"));
        }
        if pastebin_core::PasteStore::get(&w.direct, &id)
            .await
            .is_err()
        {
            return Err(format!("paste {id} does not read back whole"));
        }
        ids.push(id);
    }
    Ok(ids)
}

/// Runs one scenario; `Ok` with what the user saw, or why an invariant broke.
async fn scenario(flow: Flow, call_: Call, fault: Fault, always: bool) -> Result<Seen, String> {
    let w = world().await;
    let direct = direct_bin(&w);
    let big = large_text(40 * 1024, &format!("{flow:?}"));
    let times = if always { None } else { Some(1) };
    let outcome = match flow {
        Flow::CreateSmall | Flow::CreateLarge => {
            let content = if flow == Flow::CreateSmall {
                "small".to_owned()
            } else {
                big.clone()
            };
            w.proxy.inject(call_, fault, times);
            let (status, body) = call(
                &w.app,
                http::Request::post("/")
                    .body(Body::from(content.clone()))
                    .unwrap(),
            )
            .await;
            let hits = w.proxy.clear();
            let outcome = seen(status, 201)?;
            let ids = nothing_half_written(&w).await?;
            if outcome == Seen::Success {
                let id = Id::parse(body.trim().rsplit('/').next().unwrap_or("")).ok_or("no id")?;
                let paste = direct
                    .read(&id)
                    .await
                    .map_err(|e| format!("acknowledged paste lost: {e}"))?;
                if paste.content != content {
                    return Err("acknowledged paste reads back different".to_owned());
                }
            } else if ids.len() > 1 {
                return Err(format!("{} pastes from one failed create", ids.len()));
            }
            (outcome, hits)
        }
        Flow::ReadLarge => {
            let created = create(&direct, &big, CreateOptions::default()).await;
            w.proxy.inject(call_, fault, times);
            let (status, body) = call(
                &w.app,
                http::Request::get(format!("/raw/{}", created.id))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            let hits = w.proxy.clear();
            let outcome = seen(status, 200)?;
            if outcome == Seen::Success && body != big {
                return Err("read back different".to_owned());
            }
            (outcome, hits)
        }
        Flow::Reveal => {
            let created = create(&direct, &big, burn()).await;
            w.proxy.inject(call_, fault, times);
            let (status, body) = call(
                &w.app,
                http::Request::post(format!("/{}/reveal", created.id))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            let hits = w.proxy.clear();
            let outcome = seen(status, 200)?;
            nothing_half_written(&w).await?;
            let again = w.bin.reveal(&created.id).await;
            match outcome {
                Seen::Success if body != big => return Err("revealed different".to_owned()),
                Seen::Success if again.is_ok() => return Err("revealed twice".to_owned()),
                Seen::Unavailable
                    if again.ok().map(|p| p.content.to_string()) != Some(big.clone()) =>
                {
                    return Err("a burn paste was lost: not revealable after a 503".to_owned());
                }
                _ => {}
            }
            if w.bin.reveal(&created.id).await.is_ok() {
                return Err("revealed more than once".to_owned());
            }
            (outcome, hits)
        }
        Flow::Delete => {
            // Two pastes share the body: deleting one must leave the other whole.
            let doomed = create(&direct, &big, CreateOptions::default()).await;
            let witness = create(&direct, &big, CreateOptions::default()).await;
            w.proxy.inject(call_, fault, times);
            let (status, _) = call(
                &w.app,
                http::Request::delete(format!("/{}", doomed.id))
                    .header("x-delete-token", doomed.delete_token.as_str())
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            let hits = w.proxy.clear();
            let outcome = seen(status, 204)?;
            nothing_half_written(&w).await?;
            if direct
                .read(&witness.id)
                .await
                .ok()
                .map(|p| p.content.to_string())
                != Some(big.clone())
            {
                return Err("a paste lost the body it shares".to_owned());
            }
            let gone = direct.read(&doomed.id).await.is_err();
            if outcome == Seen::Success && !gone {
                return Err("acknowledged delete did not happen".to_owned());
            }
            (outcome, hits)
        }
        Flow::Expire => {
            // Both pastes holding a body expire; the stream brings both removals.
            let a = create(&direct, &big, CreateOptions::default()).await;
            let b = create(&direct, &big, CreateOptions::default()).await;
            let key = body_key(&w, &a.id).await;
            for id in [&a.id, &b.id] {
                remove_item(&w, id).await;
            }
            let event = ttl_removals(&[(&a.id, &key), (&b.id, &key)]);
            w.proxy.inject(call_, fault, times);
            let (response, _) = handle_stream(&w.proxied, None, event.clone(), now()).await;
            let hits = w.proxy.clear();
            let outcome = if response.batch_item_failures.is_empty() {
                Seen::Success
            } else {
                Seen::Unavailable
            };
            // The stream retries what failed; once the backend is back, the body is gone.
            let (response, _) = handle_stream(&w.proxied, None, event, now()).await;
            if !response.batch_item_failures.is_empty() {
                return Err("a retried batch failed without faults".to_owned());
            }
            if !objects(&w.clients, &w.settings).await.is_empty() {
                return Err("a body with no paste left was not removed".to_owned());
            }
            (outcome, hits)
        }
    };
    let (seen, hits) = outcome;
    if hits == 0 {
        return Err("the faulted call was never made: the scenario does not test it".to_owned());
    }
    Ok(seen)
}

async fn body_key(w: &World, id: &Id) -> String {
    let item = w
        .clients
        .dynamodb
        .get_item()
        .table_name(&w.settings.table)
        .key(
            "id",
            aws_sdk_dynamodb::types::AttributeValue::S(id.to_string()),
        )
        .send()
        .await
        .unwrap();
    item.item().unwrap()["body_key"].as_s().unwrap().clone()
}

async fn remove_item(w: &World, id: &Id) {
    w.clients
        .dynamodb
        .delete_item()
        .table_name(&w.settings.table)
        .key(
            "id",
            aws_sdk_dynamodb::types::AttributeValue::S(id.to_string()),
        )
        .send()
        .await
        .unwrap();
}

fn ttl_removals(removed: &[(&Id, &str)]) -> aws_lambda_events::dynamodb::Event {
    let records: Vec<_> = removed
        .iter()
        .enumerate()
        .map(|(i, (id, key))| {
            serde_json::json!({
                "eventID": i.to_string(), "eventName": "REMOVE", "eventVersion": "1.1",
                "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:dynamodb:us-east-1:1:table/t/stream/x",
                "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},
                "dynamodb": {
                    "Keys": {"id": {"S": id.as_str()}},
                    "OldImage": {"id": {"S": id.as_str()}, "body_key": {"S": key},
                                 "burn": {"BOOL": false},
                                 "token_hash": {"B": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}},
                    "SequenceNumber": format!("{i}"), "SizeBytes": 100, "StreamViewType": "OLD_IMAGE"
                }
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({ "Records": records })).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_backend_call_fails_every_way_and_the_user_sees_503_or_success_never_a_loss() {
    let mut scenarios = Vec::new();
    for &(flow, call_, phase) in STEPS {
        for fault in Fault::ALL {
            // Calls whose failure cannot change the answer need no separate one-off run.
            let modes: &[bool] = match phase {
                Phase::Limiter | Phase::Cleanup => &[true],
                _ => &[false, true],
            };
            for &always in modes {
                scenarios.push((flow, call_, phase, fault, always));
            }
        }
    }
    let total = scenarios.len();
    let results: Vec<_> = futures_util::stream::iter(scenarios)
        .map(|(flow, call_, phase, fault, always)| async move {
            let started = std::time::Instant::now();
            let got = scenario(flow, call_, fault, always).await;
            (flow, call_, phase, fault, always, got, started.elapsed())
        })
        .buffer_unordered(6)
        .collect()
        .await;
    let mut failures = Vec::new();
    let mut lines = Vec::new();
    for (flow, call_, phase, fault, always, got, took) in results {
        let want = expected(call_, phase, fault, always);
        let mode = if always { "always" } else { "once" };
        let what = format!(
            "{flow:?} {}{}{} {fault:?} {mode}",
            call_.operation,
            if call_.contains.is_empty() {
                ""
            } else {
                " with "
            },
            call_.contains
        );
        match got {
            Ok(seen) if seen == want => {
                lines.push(format!(
                    "{what}: {seen} (scenario {:.1} s)",
                    took.as_secs_f64()
                ));
            }
            Ok(seen) => failures.push(format!("{what}: saw {seen}, expected {want}")),
            Err(why) => failures.push(format!("{what}: {why}")),
        }
    }
    lines.sort();
    eprintln!("{} fault scenarios:\n{}", total, lines.join("\n"));
    assert!(
        failures.is_empty(),
        "{} of {total} scenarios failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
