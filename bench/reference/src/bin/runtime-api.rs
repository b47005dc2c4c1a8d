//! A stand-in for the Lambda runtime API, for `bench/run`: it starts a function binary the way
//! the Lambda service does, times process start → first `GET /invocation/next` (the cold start:
//! everything `main` does before it can take work), then feeds it recorded events one at a time
//! and times each invocation from handing the event over to receiving the response.
//!
//!     runtime-api <binary> <cold starts> <invocations> <event.json>...
//!
//! Prints one JSON object: cold-start times, the first invocation's latency after the last start,
//! and warm invoke latencies in microseconds, and the HTTP
//! status codes the function answered with (so the caller can check it did real work).

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full, combinators::BoxBody};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

type Body = BoxBody<Bytes, Infallible>;

/// Invocations discarded after each cold start before timing: first calls fill caches.
const WARM_UP: usize = 200;
const PATIENCE: Duration = Duration::from_secs(20);

/// How long an invocation took (event handed over → response received), and its HTTP status.
type Answer = oneshot::Sender<(Duration, String)>;

struct Invocation {
    id: String,
    event: Bytes,
    done: Answer,
}

/// One process's lifetime. A fresh one per start, so a poll left over from a killed process
/// can never take an event meant for the next one.
struct Run {
    first_poll: Mutex<Option<oneshot::Sender<Instant>>>,
    events: tokio::sync::Mutex<mpsc::Receiver<Invocation>>,
}

#[derive(Default)]
struct Shared {
    run: Mutex<Option<Arc<Run>>>,
    pending: Mutex<HashMap<String, (Instant, Answer)>>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [binary, starts, invocations, events @ ..] = args.as_slice() else {
        return Err(
            "usage: runtime-api <binary> <cold starts> <invocations> <event.json>...".into(),
        );
    };
    let (starts, invocations): (usize, usize) = (starts.parse()?, invocations.parse()?);
    let events: Vec<Bytes> = events
        .iter()
        .map(|p| std::fs::read(p).map(Bytes::from))
        .collect::<Result<_, _>>()?;
    if events.is_empty() || starts == 0 {
        return Err("need at least one event and one cold start".into());
    }

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let api = listener.local_addr()?.to_string();
    let shared = Arc::new(Shared::default());
    tokio::spawn(serve(listener, shared.clone()));

    let name = std::path::Path::new(binary)
        .parent()
        .and_then(|d| d.file_name())
        .map_or_else(
            || "function".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
    let mut cold_us = Vec::new();
    let mut invoke_us = Vec::new();
    // The first invocation after the cold start: whatever a function put off at init lands here.
    let mut first_invoke_us = None;
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    let mut seq = 0u64;
    for start in 0..starts {
        let (first_tx, first_rx) = oneshot::channel();
        let (events_tx, events_rx) = mpsc::channel(1);
        *lock(&shared.run) = Some(Arc::new(Run {
            first_poll: Mutex::new(Some(first_tx)),
            events: tokio::sync::Mutex::new(events_rx),
        }));
        let started = Instant::now();
        let mut child = tokio::process::Command::new(binary)
            .env("AWS_LAMBDA_RUNTIME_API", &api)
            .env("AWS_LAMBDA_FUNCTION_NAME", &name)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let polled = tokio::time::timeout(PATIENCE, first_rx)
            .await
            .map_err(|_| format!("{binary} never polled for an event"))??;
        cold_us.push(micros(polled - started));

        // Only the last start serves invocations (warm-up first, then the timed ones); the
        // others measure the cold start alone, so they can run without a backend.
        let timed = if start + 1 == starts { invocations } else { 0 };
        let warm_up = if timed > 0 { WARM_UP } else { 0 };
        for i in 0..warm_up + timed {
            seq += 1;
            let (done, result) = oneshot::channel();
            let invocation = Invocation {
                id: format!("bench-{seq}"),
                event: events[i % events.len()].clone(),
                done,
            };
            events_tx
                .send(invocation)
                .await
                .map_err(|_| "the event queue closed")?;
            let (took, status) = tokio::time::timeout(PATIENCE, result)
                .await
                .map_err(|_| format!("{binary} did not answer invocation {i}"))??;
            if i == 0 {
                first_invoke_us = Some(micros(took));
            }
            if i >= warm_up {
                invoke_us.push(micros(took));
                *statuses.entry(status).or_default() += 1;
            }
        }
        child.kill().await?;
    }
    println!(
        "{}",
        serde_json::json!({
            "cold_start_us": cold_us,
            "first_invoke_us": first_invoke_us,
            "invoke_us": invoke_us,
            "statuses": statuses,
        })
    );
    Ok(())
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    while let Ok((stream, _)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(shared.clone(), req));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn empty(status: StatusCode) -> Response<Body> {
    let mut res = Response::new(Empty::new().boxed());
    *res.status_mut() = status;
    res
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let path = req.uri().path().to_owned();
    let Some(rest) = path.strip_prefix("/2018-06-01/runtime/") else {
        return Ok(empty(StatusCode::NOT_FOUND));
    };
    if req.method() == Method::GET && rest == "invocation/next" {
        return Ok(next(&shared).await);
    }
    if req.method() == Method::POST {
        if let Some(id) = rest.strip_prefix("invocation/").and_then(|r| {
            r.strip_suffix("/response")
                .or_else(|| r.strip_suffix("/error"))
        }) {
            let arrived = Instant::now();
            let body = req
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let status = if rest.ends_with("/error") {
                "function error".to_owned()
            } else {
                status_of(&body)
            };
            if let Some((sent, done)) = lock(&shared.pending).remove(id) {
                let _ = done.send((arrived - sent, status));
            }
            return Ok(empty(StatusCode::ACCEPTED));
        }
        // init/error: the function could not start.
        return Ok(empty(StatusCode::ACCEPTED));
    }
    Ok(empty(StatusCode::NOT_FOUND))
}

/// The long poll: parks until the driver hands over an event for the current process.
async fn next(shared: &Shared) -> Response<Body> {
    let Some(run) = lock(&shared.run).clone() else {
        return empty(StatusCode::GONE);
    };
    if let Some(first) = lock(&run.first_poll).take() {
        let _ = first.send(Instant::now());
    }
    let Some(inv) = run.events.lock().await.recv().await else {
        // That process's run is over; it is about to be killed.
        return empty(StatusCode::GONE);
    };
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() + 30_000);
    let mut res = Response::new(Full::new(inv.event).boxed());
    let headers = res.headers_mut();
    let pairs = [
        ("lambda-runtime-aws-request-id", inv.id.clone()),
        ("lambda-runtime-deadline-ms", deadline.to_string()),
        (
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:us-east-1:123456789012:function:bench".to_owned(),
        ),
        (
            "lambda-runtime-trace-id",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0".to_owned(),
        ),
        ("content-type", "application/json".to_owned()),
    ];
    for (name, value) in pairs {
        if let Ok(v) = value.parse() {
            headers.insert(name, v);
        }
    }
    lock(&shared.pending).insert(inv.id, (Instant::now(), inv.done));
    res
}

/// `statusCode` of an API Gateway response, or "ok" for functions that answer something else.
fn status_of(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("statusCode").and_then(serde_json::Value::as_u64))
        .map_or_else(|| "ok".to_owned(), |s| s.to_string())
}
