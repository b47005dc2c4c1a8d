//! The table's stream: what happens after a paste item is gone.
//!
//! - removed by TTL (the DynamoDB service principal) with an S3 body: release the body
//!   reference, deleting the body if it was the last;
//! - removed by its creator (an ordinary, cacheable paste): invalidate its CloudFront paths.
//!   This lives here rather than in the delete function because the distribution depends on the
//!   API, which depends on its functions: they cannot be given its id. The stream delivers each
//!   delete within seconds, and retries a failed invalidation.
//!
//! Burn reveals need neither (never cached; the reveal released the body), nor do counters,
//! markers and rate items (ids with `#`).

use async_trait::async_trait;
use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use lambda_runtime::{LambdaEvent, service_fn};
use pastebin_aws::{AwsClients, AwsSettings, DynamoStore, attr};
use pastebin_core::{Clock, SystemClock, UnixTime};
use pastebin_http::config::Settings;

/// Removes paths from the CDN.
#[async_trait]
pub trait Invalidator: Send + Sync {
    /// `reference` is the same for a retried batch, so a retry does not invalidate twice.
    async fn invalidate(&self, paths: Vec<String>, reference: String) -> Result<(), String>;
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

/// Every cached path of a paste. `/{id}.{ext}` variants are cached for a minute at most
/// (functions/http/src/read.rs), so no wildcard (CloudFront allows few at once) is needed.
pub fn cached_paths(id: &str) -> Vec<String> {
    vec![
        format!("/{id}"),
        format!("/raw/{id}"),
        format!("/pastes/{id}"),
    ]
}

fn by_ttl(record: &EventRecord) -> bool {
    record
        .user_identity
        .as_ref()
        .is_some_and(|u| u.type_ == "Service" && u.principal_id == "dynamodb.amazonaws.com")
}

/// Handles one batch; records that failed are reported for retry (both actions are idempotent).
pub async fn handle_stream(
    store: &DynamoStore,
    cdn: Option<&dyn Invalidator>,
    event: Event,
    now: UnixTime,
) -> DynamoDbEventResponse {
    let mut failed: Vec<Option<String>> = Vec::new();
    let mut deleted: Vec<(String, Option<String>)> = Vec::new();
    for record in &event.records {
        if record.event_name != "REMOVE" {
            continue;
        }
        let image = serde_json::to_value(&record.change.old_image).unwrap_or_default();
        let text = |name: &str| {
            image
                .get(name)
                .and_then(|v| v.get("S"))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let Some(id) = text(attr::ID).filter(|id| !id.contains('#')) else {
            continue;
        };
        let sequence = record.change.sequence_number.clone();
        if by_ttl(record) {
            let Some(body_key) = text(attr::BODY_KEY) else {
                continue;
            };
            match store.release_body(&id, &body_key, now).await {
                Ok(outcome) => {
                    tracing::info!(paste_id = %id, ?outcome, "expired paste's body released")
                }
                Err(e) => {
                    tracing::error!(paste_id = %id, error = %e, "releasing an expired paste's body failed; will be retried");
                    failed.push(sequence);
                }
            }
        } else {
            let burn = image
                .get(attr::BURN)
                .and_then(|v| v.get("BOOL"))
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false);
            if !burn {
                deleted.push((id, sequence));
            }
        }
    }
    if let (Some(cdn), false) = (cdn, deleted.is_empty()) {
        let paths: Vec<String> = deleted
            .iter()
            .flat_map(|(id, _)| cached_paths(id))
            .collect();
        let reference = format!(
            "{}-{}",
            deleted[0].1.clone().unwrap_or_default(),
            deleted.len()
        );
        match cdn.invalidate(paths, reference).await {
            Ok(()) => tracing::info!(
                pastes = deleted.len(),
                "deleted pastes invalidated in CloudFront"
            ),
            Err(e) => {
                tracing::error!(error = %e, "CloudFront invalidation failed; will be retried");
                failed.extend(deleted.into_iter().map(|(_, s)| s));
            }
        }
    }
    let mut response = DynamoDbEventResponse::default();
    for sequence in failed {
        let mut failure = DynamoDbBatchItemFailure::default();
        failure.item_identifier = sequence;
        response.batch_item_failures.push(failure);
    }
    response
}

/// `main` of the expire function.
pub async fn serve_expire() -> Result<(), lambda_runtime::Error> {
    crate::init_logging();
    let settings = Settings::from_env()?;
    let aws = AwsSettings::from_env()?;
    let clients = AwsClients::from_env().await;
    let store = DynamoStore::new(&clients, &aws, settings.limits.max_expiry);
    let cdn = match std::env::var("PASTEBIN_DISTRIBUTION_ID")
        .ok()
        .filter(|d| !d.is_empty())
    {
        Some(distribution_id) => Some(CloudFront {
            client: aws_sdk_cloudfront::Client::new(&clients.config),
            distribution_id,
        }),
        None => None,
    };
    let (store, cdn) = (&store, cdn.as_ref().map(|c| c as &dyn Invalidator));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Event>| async move {
        Ok::<_, lambda_runtime::Error>(
            handle_stream(store, cdn, event.payload, SystemClock.now()).await,
        )
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paste_has_three_cached_paths_and_no_wildcards() {
        let paths = cached_paths("Ab3dE6gH9k");
        assert_eq!(
            paths,
            ["/Ab3dE6gH9k", "/raw/Ab3dE6gH9k", "/pastes/Ab3dE6gH9k"]
        );
        assert!(paths.iter().all(|p| !p.contains('*')));
    }
}
