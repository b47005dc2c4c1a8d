use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters of what the service did. The local server renders them as Prometheus text at
/// `GET /metrics`; in Lambda they are emitted as CloudWatch EMF.
#[derive(Debug, Default)]
pub struct Metrics {
    pub creates: AtomicU64,
    pub created_bytes: AtomicU64,
    pub reads: AtomicU64,
    pub reveals: AtomicU64,
    pub deletes: AtomicU64,
    pub rate_limited: AtomicU64,
    pub responses_2xx: AtomicU64,
    pub responses_3xx: AtomicU64,
    pub responses_4xx: AtomicU64,
    pub responses_5xx: AtomicU64,
}

impl Metrics {
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn record_status(&self, status: u16) {
        let counter = match status {
            200..=299 => &self.responses_2xx,
            300..=399 => &self.responses_3xx,
            400..=499 => &self.responses_4xx,
            _ => &self.responses_5xx,
        };
        Self::inc(counter);
        if status == 429 {
            Self::inc(&self.rate_limited);
        }
    }

    /// Every counter with its EMF metric name, for per-invocation deltas in Lambda.
    pub fn snapshot(&self) -> Vec<(&'static str, u64)> {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        vec![
            ("Creates", get(&self.creates)),
            ("CreatedBytes", get(&self.created_bytes)),
            ("Reads", get(&self.reads)),
            ("BurnReveals", get(&self.reveals)),
            ("Deletes", get(&self.deletes)),
            ("RateLimited", get(&self.rate_limited)),
            ("Status4xx", get(&self.responses_4xx)),
            ("Status5xx", get(&self.responses_5xx)),
        ]
    }

    /// Prometheus text exposition format, version 0.0.4.
    pub fn render_prometheus(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        let counters = [
            (
                "pastebin_pastes_created_total",
                "Pastes created.",
                get(&self.creates),
            ),
            (
                "pastebin_created_bytes_total",
                "Content bytes of created pastes.",
                get(&self.created_bytes),
            ),
            (
                "pastebin_paste_reads_total",
                "Successful paste reads.",
                get(&self.reads),
            ),
            (
                "pastebin_burn_reveals_total",
                "Burn-after-reading pastes revealed (and so deleted).",
                get(&self.reveals),
            ),
            (
                "pastebin_pastes_deleted_total",
                "Pastes deleted by their creator.",
                get(&self.deletes),
            ),
            (
                "pastebin_rate_limited_total",
                "Requests refused with 429.",
                get(&self.rate_limited),
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP pastebin_http_responses_total HTTP responses by status class.\n# TYPE pastebin_http_responses_total counter"
        );
        for (class, c) in [
            ("2xx", &self.responses_2xx),
            ("3xx", &self.responses_3xx),
            ("4xx", &self.responses_4xx),
            ("5xx", &self.responses_5xx),
        ] {
            let _ = writeln!(
                out,
                "pastebin_http_responses_total{{class=\"{class}\"}} {}",
                get(c)
            );
        }
        out
    }
}
