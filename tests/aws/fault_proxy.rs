//! A fault-injecting HTTP proxy between the SDK and the DynamoDB/S3 stand-in: each call is
//! recognised (DynamoDB by `X-Amz-Target` and what its body contains, S3 by method and path)
//! and either forwarded or failed the way a real backend fails.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// How a call fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The connection closes before the request reaches the backend (never applied).
    Refused,
    /// The backend answers 500 (DynamoDB `InternalServerError`, S3 `InternalError`).
    ServerError,
    /// The backend throttles (DynamoDB `ThrottlingException`, S3 503 `SlowDown`).
    Throttled,
    /// The backend never answers (the SDK's attempt timeout fires; never applied).
    Stalled,
    /// The backend applies the request; its reply is lost on the way back.
    ReplyLost,
}

impl Fault {
    pub const ALL: [Fault; 5] = [
        Fault::Refused,
        Fault::ServerError,
        Fault::Throttled,
        Fault::Stalled,
        Fault::ReplyLost,
    ];
}

/// Which calls a rule applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Call {
    /// DynamoDB operation (`PutItem`) or S3 one (`PutObject`, `GetObject`, `DeleteObject`).
    pub operation: &'static str,
    /// The request body must contain this (DynamoDB: tells item kinds apart).
    pub contains: &'static str,
    /// … and must not contain this.
    pub excludes: &'static str,
}

impl Call {
    pub const fn op(operation: &'static str) -> Self {
        Self {
            operation,
            contains: "",
            excludes: "",
        }
    }

    pub const fn with(operation: &'static str, contains: &'static str) -> Self {
        Self {
            operation,
            contains,
            excludes: "",
        }
    }

    pub const fn without(operation: &'static str, excludes: &'static str) -> Self {
        Self {
            operation,
            contains: "",
            excludes,
        }
    }

    fn matches(&self, operation: &str, body: &[u8]) -> bool {
        let text = String::from_utf8_lossy(body);
        self.operation == operation
            && text.contains(self.contains)
            && (self.excludes.is_empty() || !text.contains(self.excludes))
    }
}

struct Rule {
    call: Call,
    fault: Fault,
    /// `None`: every matching call fails; `Some(n)`: the next `n` do.
    remaining: Option<u32>,
    hits: u32,
}

#[derive(Default)]
struct Rules(Mutex<Vec<Rule>>);

pub struct FaultProxy {
    endpoint: String,
    rules: Arc<Rules>,
    meter: Arc<Meter>,
}

/// What DynamoDB says each call consumed: the proxy asks for it on every call
/// (`ReturnConsumedCapacity: TOTAL`) and adds it up per operation.
#[derive(Default)]
pub struct Meter(Mutex<std::collections::BTreeMap<String, (u32, f64)>>);

impl Meter {
    /// Calls and capacity units per DynamoDB operation since the last take.
    pub fn take(&self) -> std::collections::BTreeMap<String, (u32, f64)> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }

    fn record(&self, operation: &str, response: &[u8]) {
        let units = serde_json::from_slice::<serde_json::Value>(response)
            .ok()
            .map_or(0.0, |v| match &v["ConsumedCapacity"] {
                serde_json::Value::Array(all) => all
                    .iter()
                    .map(|c| c["CapacityUnits"].as_f64().unwrap_or(0.0))
                    .sum(),
                one => one["CapacityUnits"].as_f64().unwrap_or(0.0),
            });
        let mut meter = self.0.lock().unwrap();
        let entry = meter.entry(operation.to_owned()).or_default();
        entry.0 += 1;
        entry.1 += units;
    }
}

impl FaultProxy {
    /// A proxy to `upstream` (e.g. `http://127.0.0.1:4566`) on a free loopback port.
    pub async fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let rules = Arc::new(Rules::default());
        let meter = Arc::new(Meter::default());
        let forward = crate::common::http_client()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let (upstream, shared, metered) = (upstream.to_owned(), rules.clone(), meter.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (upstream, rules, meter, forward) = (
                    upstream.clone(),
                    shared.clone(),
                    metered.clone(),
                    forward.clone(),
                );
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        handle(
                            req,
                            upstream.clone(),
                            rules.clone(),
                            meter.clone(),
                            forward.clone(),
                        )
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            endpoint,
            rules,
            meter,
        }
    }

    pub fn meter(&self) -> &Meter {
        &self.meter
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Fails the next `times` calls matching `call` with `fault` (`None`: every one).
    pub fn inject(&self, call: Call, fault: Fault, times: Option<u32>) {
        self.rules.0.lock().unwrap().push(Rule {
            call,
            fault,
            remaining: times,
            hits: 0,
        });
    }

    /// Removes every rule; returns how many calls they failed.
    pub fn clear(&self) -> u32 {
        let mut rules = self.rules.0.lock().unwrap();
        let hits = rules.iter().map(|r| r.hits).sum();
        rules.clear();
        hits
    }
}

type Reply = Result<Response<Full<Bytes>>, Box<dyn std::error::Error + Send + Sync>>;

async fn handle(
    req: Request<Incoming>,
    upstream: String,
    rules: Arc<Rules>,
    meter: Arc<Meter>,
    forward: reqwest::Client,
) -> Reply {
    let (parts, body) = req.into_parts();
    let mut body = body.collect().await?.to_bytes();
    let dynamodb = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.rsplit_once('.'))
        .map(|(_, op)| op.to_owned());
    let operation = dynamodb.clone().unwrap_or_else(|| s3_operation(&parts));
    let fault = {
        let mut rules = rules.0.lock().unwrap();
        rules
            .iter_mut()
            .find(|r| r.remaining != Some(0) && r.call.matches(&operation, &body))
            .map(|r| {
                r.hits += 1;
                if let Some(n) = r.remaining.as_mut() {
                    *n -= 1;
                }
                r.fault
            })
    };
    let is_dynamodb = dynamodb.is_some();
    match fault {
        Some(Fault::Refused) => return Err("injected: connection closed".into()),
        Some(Fault::Stalled) => {
            tokio::time::sleep(Duration::from_secs(120)).await;
            return Err("injected: stalled".into());
        }
        Some(Fault::ServerError) if is_dynamodb => {
            return Ok(dynamodb_error(500, "InternalServerError"));
        }
        Some(Fault::ServerError) => return Ok(s3_error(500, "InternalError")),
        Some(Fault::Throttled) if is_dynamodb => {
            return Ok(dynamodb_error(400, "ThrottlingException"));
        }
        Some(Fault::Throttled) => return Ok(s3_error(503, "SlowDown")),
        Some(Fault::ReplyLost) | None => {}
    }
    if is_dynamodb && let Ok(serde_json::Value::Object(mut call)) = serde_json::from_slice(&body) {
        // (The stand-in does not check signatures, so the body may change.)
        call.entry("ReturnConsumedCapacity")
            .or_insert_with(|| "TOTAL".into());
        body = Bytes::from(serde_json::to_vec(&call)?);
    }
    let mut request = forward.request(
        parts.method.clone(),
        format!(
            "{upstream}{}",
            parts.uri.path_and_query().map_or("/", |p| p.as_str())
        ),
    );
    for (name, value) in &parts.headers {
        if !matches!(
            name.as_str(),
            "host" | "content-length" | "transfer-encoding" | "connection"
        ) {
            request = request.header(name, value);
        }
    }
    let response = request.body(body).send().await?;
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await?;
    if is_dynamodb {
        meter.record(&operation, &bytes);
    }
    if fault == Some(Fault::ReplyLost) {
        return Err("injected: reply lost".into());
    }
    let mut reply = Response::new(Full::new(bytes));
    *reply.status_mut() = status;
    for (name, value) in &headers {
        if !matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            reply.headers_mut().append(name, value.clone());
        }
    }
    Ok(reply)
}

/// S3 operations by method, path-style: `/bucket` or `/bucket/key`.
fn s3_operation(parts: &hyper::http::request::Parts) -> String {
    let object = parts.uri.path().trim_start_matches('/').contains('/');
    let what = match (parts.method.as_str(), object) {
        ("PUT", true) => "PutObject",
        ("GET", true) => "GetObject",
        ("HEAD", true) => "HeadObject",
        ("DELETE", true) => "DeleteObject",
        ("PUT", false) => "CreateBucket",
        ("GET", false) => "ListObjects",
        _ => "Other",
    };
    what.to_owned()
}

fn dynamodb_error(status: u16, kind: &str) -> Response<Full<Bytes>> {
    let body =
        format!(r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{kind}","message":"injected"}}"#);
    let mut res = Response::new(Full::new(Bytes::from(body)));
    *res.status_mut() = StatusCode::from_u16(status).unwrap();
    res.headers_mut().insert(
        "content-type",
        "application/x-amz-json-1.0".parse().unwrap(),
    );
    res
}

fn s3_error(status: u16, code: &str) -> Response<Full<Bytes>> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>injected</Message></Error>"
    );
    let mut res = Response::new(Full::new(Bytes::from(body)));
    *res.status_mut() = StatusCode::from_u16(status).unwrap();
    res.headers_mut()
        .insert("content-type", "application/xml".parse().unwrap());
    res
}
