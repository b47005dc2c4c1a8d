//! Logging, set up the same way by every runtime; the level is `PASTEBIN_LOG` (default `info`).

use pastebin_core::{ConfigError, Env, vars};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// `PASTEBIN_LOG_FORMAT`: `text` (the default) or `json`.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        match env.get(vars::LOG_FORMAT).map(|v| v.to_ascii_lowercase()) {
            None => Ok(Self::Text),
            Some(v) if v == "text" => Ok(Self::Text),
            Some(v) if v == "json" => Ok(Self::Json),
            Some(other) => Err(ConfigError {
                var: vars::LOG_FORMAT,
                value: other,
                reason: "expected `text` or `json`".to_owned(),
            }),
        }
    }
}

/// Where log lines go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogSink {
    /// stderr, so that stdout carries only what scripts read (the "listening on" line).
    Terminal(LogFormat),
    /// JSON on stdout without timestamps: CloudWatch stamps each line, and Logs Insights reads
    /// the fields.
    Lambda,
}

pub fn init_logging(sink: LogSink) {
    let level = std::env::var(vars::LOG)
        .ok()
        .and_then(|l| l.parse().ok())
        .unwrap_or(tracing::Level::INFO);
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_target(false);
    match sink {
        LogSink::Terminal(LogFormat::Text) => builder.with_writer(std::io::stderr).init(),
        LogSink::Terminal(LogFormat::Json) => builder
            .with_writer(std::io::stderr)
            .json()
            .flatten_event(true)
            .init(),
        LogSink::Lambda => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .without_time()
            .init(),
    }
}
