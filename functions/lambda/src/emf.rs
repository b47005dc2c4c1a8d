//! CloudWatch metrics as Embedded Metric Format: one JSON line per invocation on stdout, which
//! CloudWatch turns into metrics without any API call.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use pastebin_http::Metrics;
use serde_json::{Map, Value, json};

#[derive(Clone)]
pub struct EmfState {
    pub metrics: Arc<Metrics>,
    pub function: String,
}

/// Counters are per process and a Lambda instance handles one request at a time, so the
/// difference across the request is exactly what it did.
pub async fn emit(State(state): State<EmfState>, req: Request, next: Next) -> Response {
    let before = state.metrics.snapshot();
    let started = Instant::now();
    let res = next.run(req).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let after = state.metrics.snapshot();
    println!("{}", line(&state.function, &before, &after, latency_ms));
    res
}

pub fn line(
    function: &str,
    before: &[(&'static str, u64)],
    after: &[(&'static str, u64)],
    latency_ms: f64,
) -> String {
    let deltas = before
        .iter()
        .zip(after)
        .map(|((name, b), (_, a))| (*name, a.saturating_sub(*b)));
    document(function, deltas, Some(latency_ms))
}

/// A line of plain counts (the expire function's, per batch).
pub fn counts(function: &str, counts: &[(&'static str, u64)]) -> String {
    document(function, counts.iter().copied(), None)
}

/// One EMF document. Its `level` is FATAL only so that no `ApplicationLogLevel` drops it:
/// Lambda filters JSON log lines by their `level` field (a line without one counts as INFO),
/// and a metric line must survive whatever level an operator sets. Metric lines are told apart
/// from events by their `_aws` field.
fn document(
    function: &str,
    counts: impl Iterator<Item = (&'static str, u64)>,
    latency_ms: Option<f64>,
) -> String {
    let mut root = Map::new();
    let mut definitions = Vec::new();
    if let Some(latency_ms) = latency_ms {
        definitions.push(json!({"Name": "LatencyMs", "Unit": "Milliseconds"}));
        root.insert("LatencyMs".to_owned(), json!(latency_ms));
    }
    for (name, value) in counts {
        definitions.push(json!({"Name": name, "Unit": "Count"}));
        root.insert(name.to_owned(), json!(value));
    }
    root.insert("Function".to_owned(), json!(function));
    root.insert("level".to_owned(), json!("FATAL"));
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    root.insert(
        "_aws".to_owned(),
        json!({
            "Timestamp": timestamp,
            "CloudWatchMetrics": [{"Namespace": "Pastebin", "Dimensions": [["Function"]], "Metrics": definitions}],
        }),
    );
    Value::Object(root).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_valid_emf_with_per_request_deltas() {
        let line = line(
            "fetch",
            &[("Reads", 4), ("Status5xx", 1)],
            &[("Reads", 5), ("Status5xx", 1)],
            2.5,
        );
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["Reads"], 1);
        assert_eq!(v["Status5xx"], 0);
        assert_eq!(v["Function"], "fetch");
        assert_eq!(
            v["level"], "FATAL",
            "kept whatever ApplicationLogLevel filters"
        );
        let metrics = &v["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(metrics["Namespace"], "Pastebin");
        assert!(
            metrics["Metrics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["Name"] == "Reads")
        );
    }
}
