//! The table's stream: what happens after a paste item is gone.
//!
//! - Its S3 body reference is released, whoever removed it: TTL expiry, or a delete or burn
//!   reveal whose own release failed or was cut short (releasing is idempotent, so finishing
//!   what a request already did costs nothing). A failed release is retried by the stream.
//! - A paste its creator deleted is invalidated at the CDN, at its two cacheable URLs, while
//!   today's invalidation allowance lasts. This lives here rather than in the delete function
//!   because the distribution depends on the API, which depends on its functions: they cannot be
//!   given its id. Past the allowance, or if CloudFront refuses, a deleted paste still leaves
//!   the edge when its shared cache lifetime ends; an invalidation is never retried through the
//!   stream, so a CDN problem never holds up the body releases queued behind it.

use async_trait::async_trait;
use aws_lambda_events::dynamodb::Event;
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use lambda_runtime::{LambdaEvent, service_fn};
use pastebin_aws::stream::{Removal, RemovedBy, removal};
use pastebin_aws::{AwsBackend, AwsSettings, DailyAllowance, DynamoStore};
use pastebin_core::{Clock, ConfigError, Env, SystemClock, UnixTime, vars};
use pastebin_http::cacheable_paths;

/// Paths invalidated per deleted paste: `/{id}` and `/raw/{id}`.
pub const PATHS_PER_PASTE: u32 = 2;
/// Inside CloudFront's 1,000 free invalidation paths a month (30 × 31 = 930).
pub const DEFAULT_PATHS_PER_DAY: u32 = 30;

/// Removes paths from the CDN.
#[async_trait]
pub trait Invalidator: Send + Sync {
    /// `reference` is the same for a retried batch, so a retry does not invalidate twice.
    async fn invalidate(&self, paths: Vec<String>, reference: String) -> Result<(), String>;
}

/// Gives back the body reference a removed paste held (idempotent per paste).
#[async_trait]
pub trait BodyReleaser: Send + Sync {
    async fn release(
        &self,
        removal: &Removal,
        body_key: &str,
        now: UnixTime,
    ) -> Result<String, String>;
}

#[async_trait]
impl BodyReleaser for DynamoStore {
    async fn release(
        &self,
        removal: &Removal,
        body_key: &str,
        now: UnixTime,
    ) -> Result<String, String> {
        self.release_body(removal.id.as_str(), body_key, now)
            .await
            .map(|outcome| format!("{outcome:?}"))
            .map_err(|e| e.to_string())
    }
}

/// How many invalidation paths may still be bought today.
#[async_trait]
pub trait InvalidationBudget: Send + Sync {
    /// Takes up to `paths` (whole pastes' worth) from today's allowance; returns how many.
    async fn take(&self, paths: u32, now: UnixTime) -> Result<u32, String>;
}

#[async_trait]
impl InvalidationBudget for DailyAllowance {
    async fn take(&self, paths: u32, now: UnixTime) -> Result<u32, String> {
        DailyAllowance::take(self, paths, PATHS_PER_PASTE, now)
            .await
            .map_err(|e| e.to_string())
    }
}

/// The CDN, and what may be spent on it.
#[derive(Clone, Copy)]
pub struct Cdn<'a> {
    pub invalidator: &'a dyn Invalidator,
    pub budget: &'a dyn InvalidationBudget,
}

pub struct CloudFront {
    client: aws_sdk_cloudfront::Client,
    distribution_id: String,
}

#[async_trait]
impl Invalidator for CloudFront {
    async fn invalidate(&self, paths: Vec<String>, reference: String) -> Result<(), String> {
        use aws_sdk_cloudfront::types::{InvalidationBatch, Paths};
        let quantity = i32::try_from(paths.len()).map_err(|e| e.to_string())?;
        let batch = InvalidationBatch::builder()
            .caller_reference(reference)
            .paths(
                Paths::builder()
                    .quantity(quantity)
                    .set_items(Some(paths))
                    .build()
                    .map_err(|e| e.to_string())?,
            )
            .build()
            .map_err(|e| e.to_string())?;
        self.client
            .create_invalidation()
            .distribution_id(&self.distribution_id)
            .invalidation_batch(batch)
            .send()
            .await
            .map_err(|e| aws_sdk_cloudfront::Error::from(e).to_string())?;
        Ok(())
    }
}

/// What one batch did, for the function's metrics.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchReport {
    pub bodies_released: u64,
    pub release_failures: u64,
    pub invalidated_paths: u64,
    /// Deleted pastes left to expire from the edge on their own (allowance spent, or refused).
    pub not_invalidated: u64,
}

/// Handles one batch; records whose body release failed are reported for retry.
pub async fn handle_stream(
    bodies: &dyn BodyReleaser,
    cdn: Option<Cdn<'_>>,
    event: Event,
    now: UnixTime,
) -> (DynamoDbEventResponse, BatchReport) {
    let mut report = BatchReport::default();
    let mut failed: Vec<Option<String>> = Vec::new();
    let mut deleted: Vec<Removal> = Vec::new();
    for removal in event.records.iter().filter_map(removal) {
        if let Some(body_key) = &removal.body_key {
            match bodies.release(&removal, body_key, now).await {
                Ok(outcome) => {
                    report.bodies_released += 1;
                    tracing::info!(paste_id = %removal.id, %outcome, by = ?removal.by, "body reference released");
                }
                Err(e) => {
                    report.release_failures += 1;
                    tracing::error!(paste_id = %removal.id, error = %e, "releasing a body failed; will be retried");
                    failed.push(removal.sequence.clone());
                    continue;
                }
            }
        }
        // Burn pastes were never in a cache; expired ones left it before they expired.
        if removal.by == RemovedBy::Request && !removal.burn {
            deleted.push(removal);
        }
    }
    if let Some(cdn) = cdn
        && !deleted.is_empty()
    {
        invalidate_within_budget(cdn, &deleted, now, &mut report).await;
    }
    let mut response = DynamoDbEventResponse::default();
    for sequence in failed {
        let mut failure = DynamoDbBatchItemFailure::default();
        failure.item_identifier = sequence;
        response.batch_item_failures.push(failure);
    }
    (response, report)
}

async fn invalidate_within_budget(
    cdn: Cdn<'_>,
    deleted: &[Removal],
    now: UnixTime,
    report: &mut BatchReport,
) {
    let wanted = u32::try_from(deleted.len())
        .unwrap_or(u32::MAX)
        .saturating_mul(PATHS_PER_PASTE);
    let granted = cdn.budget.take(wanted, now).await.unwrap_or_else(|e| {
        // Spending nothing is the safe side of a budget that cannot be read.
        tracing::warn!(error = %e, "the invalidation allowance could not be read; not invalidating");
        0
    });
    let covered = usize::try_from(granted / PATHS_PER_PASTE)
        .unwrap_or(0)
        .min(deleted.len());
    report.not_invalidated += (deleted.len() - covered) as u64;
    if covered < deleted.len() {
        tracing::info!(
            pastes = deleted.len() - covered,
            "today's invalidation allowance is spent: these deleted pastes leave the CDN when their shared cache lifetime ends"
        );
    }
    let Some(first) = deleted.first().filter(|_| covered > 0) else {
        return;
    };
    let paths: Vec<String> = deleted[..covered]
        .iter()
        .flat_map(|r| cacheable_paths(&r.id))
        .collect();
    let count = paths.len() as u64;
    let reference = format!("{}-{covered}", first.sequence.clone().unwrap_or_default());
    match cdn.invalidator.invalidate(paths, reference).await {
        Ok(()) => {
            report.invalidated_paths += count;
            tracing::info!(pastes = covered, "deleted pastes invalidated in CloudFront");
        }
        Err(e) => {
            report.not_invalidated += covered as u64;
            tracing::warn!(error = %e, pastes = covered, "CloudFront refused the invalidation; not retried, the pastes leave the CDN when their shared cache lifetime ends");
        }
    }
}

/// `PASTEBIN_INVALIDATION_PATHS_PER_DAY`: CDN invalidation paths deletes may buy per UTC day.
pub fn paths_per_day(lookup: impl Fn(&str) -> Option<String>) -> Result<u32, ConfigError> {
    Env(&lookup).number(vars::INVALIDATION_PATHS_PER_DAY, DEFAULT_PATHS_PER_DAY)
}

/// `main` of the expire function.
pub async fn serve_expire() -> Result<(), lambda_runtime::Error> {
    pastebin_http::logging::init_logging(pastebin_http::logging::LogSink::Lambda);
    let per_day = paths_per_day(|name| std::env::var(name).ok())?;
    // The table and bucket exist before their stream can call this.
    let backend = AwsBackend::new(AwsSettings::from_env()?).await;
    let clients = &backend.clients;
    let store = backend.store();
    let budget = DailyAllowance::new(
        clients,
        &backend.settings.table,
        "invalidation-paths",
        per_day,
    );
    let cloudfront = std::env::var(vars::DISTRIBUTION_ID)
        .ok()
        .filter(|d| !d.is_empty())
        .map(|distribution_id| CloudFront {
            client: aws_sdk_cloudfront::Client::new(&clients.config),
            distribution_id,
        });
    let cdn = cloudfront.as_ref().map(|c| Cdn {
        invalidator: c,
        budget: &budget,
    });
    let store = &store;
    let function =
        std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|_| "expire".to_owned());
    let function = function.as_str();
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Event>| async move {
        let (response, report) = handle_stream(store, cdn, event.payload, SystemClock.now()).await;
        println!("{}", crate::emf::counts(function, &report.counts()));
        Ok::<_, lambda_runtime::Error>(response)
    }))
    .await
}

impl BatchReport {
    /// As EMF metric names and values.
    pub fn counts(&self) -> [(&'static str, u64); 4] {
        [
            ("BodiesReleased", self.bodies_released),
            ("BodyReleaseFailures", self.release_failures),
            ("InvalidatedPaths", self.invalidated_paths),
            ("DeletesNotInvalidated", self.not_invalidated),
        ]
    }
}
