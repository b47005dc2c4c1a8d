use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;
use pastebin_core::{
    ClientKey, RateClass, RateLimited, RateLimiter, StoreError, UnixTime, window_of,
};

use crate::clients::{AwsClients, Timeouts};
use crate::error::dynamo;
use crate::items::{self, attr, n};

/// Requests of one client an instance counts before it adds them to the shared counter.
pub const FLUSH_EVERY: u32 = 4;

/// Clients an instance counts per window before it stops batching (new ones then pay a write
/// per request, as without batching): bounds an instance's memory.
const MAX_LOCAL: usize = 100_000;

/// Fixed one-minute windows, shared by every Lambda instance through a counter item per client
/// and window (TTL removes them), without a write per request. Each instance counts its own
/// requests per client and adds them to the shared counter (one `UpdateItem … ADD`) once it
/// holds [`FLUSH_EVERY`] of them, and at every request once the client's shared count has
/// reached half its limit. So a client that makes a few requests a minute costs no write at
/// all, and one that nears its limit is counted exactly.
///
/// The limit holds across instances within a bound: a client spread over `N` instances can be
/// let through at most `limit + N × (FLUSH_EVERY − 1)` times a window (the requests each
/// instance holds before its first flush), and never fewer than `limit`. The call has its own
/// short budget and no retries ([`crate::Timeouts::LIMITER`]): callers fail open.
#[derive(Debug)]
pub struct DynamoRateLimiter {
    dynamodb: aws_sdk_dynamodb::Client,
    timeouts: Timeouts,
    table: String,
    flush_every: u32,
    local: Mutex<Local>,
}

#[derive(Debug, Default)]
struct Local {
    window: i64,
    clients: HashMap<(ClientKey, RateClass), Counts>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    /// Requests this instance saw in the window.
    seen: u32,
    /// Of those, how many it has added to the shared counter.
    flushed: u32,
    /// The shared count as last read: a lower bound of the client's total.
    shared: u64,
}

impl DynamoRateLimiter {
    pub fn new(clients: &AwsClients, table: &str) -> Self {
        Self {
            dynamodb: clients.dynamodb.clone(),
            timeouts: clients.limiter,
            table: table.to_owned(),
            flush_every: FLUSH_EVERY,
            local: Mutex::default(),
        }
    }

    /// Adds to the shared counter every `every` requests of a client instead of
    /// [`FLUSH_EVERY`] (1: every request, as tests that fail the counter's call need).
    #[must_use]
    pub fn flushing_every(mut self, every: u32) -> Self {
        self.flush_every = every.max(1);
        self
    }

    fn local(&self) -> std::sync::MutexGuard<'_, Local> {
        self.local.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Updates what is known of `key` once a flush has answered, unless a request has started
    /// the next window meanwhile: those counts belong to another minute.
    fn after_flush(
        &self,
        window: i64,
        key: &(ClientKey, RateClass),
        update: impl FnOnce(&mut Counts),
    ) {
        let mut local = self.local();
        if local.window == window
            && let Some(counts) = local.clients.get_mut(key)
        {
            update(counts);
        }
    }

    async fn add(
        &self,
        client: ClientKey,
        class: RateClass,
        window: i64,
        count: u32,
    ) -> Result<u64, StoreError> {
        let out = self
            .dynamodb
            .update_item()
            .table_name(&self.table)
            .set_key(Some(items::key(&format!(
                "rate#{}#{client}#{window}",
                class.as_str()
            ))))
            .update_expression("ADD #n :k SET #exp = if_not_exists(#exp, :exp)")
            .expression_attribute_names("#n", attr::COUNT)
            .expression_attribute_names("#exp", attr::EXPIRES_AT)
            .expression_attribute_values(":k", n(count))
            .expression_attribute_values(":exp", n((window + 2) * 60))
            .return_values(ReturnValue::UpdatedNew)
            .customize()
            .config_override(self.timeouts.dynamodb_override())
            .send()
            .await
            .map_err(dynamo)?;
        Ok(out
            .attributes()
            .and_then(|a| a.get(attr::COUNT))
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }
}

#[async_trait]
impl RateLimiter for DynamoRateLimiter {
    async fn check(
        &self,
        client: ClientKey,
        class: RateClass,
        limit: u32,
        now: UnixTime,
    ) -> Result<Result<(), RateLimited>, StoreError> {
        let (window, retry_after) = window_of(now);
        let limited = Err(RateLimited { retry_after });
        let key = (client, class);
        // Count locally, and decide whether the shared counter must hear of it now. What is
        // flushed is marked as such at once, so that concurrent requests never add it twice.
        let mut ended = None;
        let pending = {
            let mut local = self.local();
            if local.window != window {
                local.window = window;
                // Freed after the lock is released, not while other requests wait for it.
                ended = Some(std::mem::take(&mut local.clients));
            }
            if local.clients.len() >= MAX_LOCAL && !local.clients.contains_key(&key) {
                // Too many clients to batch: this one is counted at once.
                1
            } else {
                let counts = local.clients.entry(key).or_default();
                counts.seen += 1;
                let pending = counts.seen - counts.flushed;
                if counts.shared + u64::from(pending) > u64::from(limit) {
                    // Over the limit whatever other instances add: no write needed to say so.
                    return Ok(limited);
                }
                let near = counts.shared.saturating_mul(2) >= u64::from(limit);
                if pending < self.flush_every && !near {
                    return Ok(Ok(()));
                }
                counts.flushed = counts.seen;
                pending
            }
        };
        drop(ended);
        match self.add(client, class, window, pending).await {
            Ok(total) => {
                self.after_flush(window, &key, |counts| {
                    counts.shared = counts.shared.max(total)
                });
                Ok(if total > u64::from(limit) {
                    limited
                } else {
                    Ok(())
                })
            }
            Err(e) => {
                // Not counted after all: a later flush carries these requests.
                self.after_flush(window, &key, |counts| {
                    counts.flushed = counts.flushed.saturating_sub(pending);
                });
                Err(e)
            }
        }
    }
}
