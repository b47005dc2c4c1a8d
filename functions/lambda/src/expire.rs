use aws_lambda_events::dynamodb::Event;
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use lambda_runtime::{LambdaEvent, service_fn};
use pastebin_aws::{AwsClients, AwsSettings, DynamoStore, attr};
use pastebin_core::{Clock, SystemClock};
use pastebin_http::config::Settings;

/// Handles a batch of the table's stream: for every paste that DynamoDB's TTL removed and whose
/// body lives in S3, drops its reference (deleting the body if it was the last). Deletes and
/// reveals release their own references, so only TTL removals (done by the DynamoDB service
/// principal) are handled here. Failed records are reported for retry; releases are idempotent.
pub async fn handle_stream(
    store: &DynamoStore,
    event: Event,
    now: pastebin_core::UnixTime,
) -> DynamoDbEventResponse {
    let mut response = DynamoDbEventResponse::default();
    for record in event.records {
        let by_ttl = record.event_name == "REMOVE"
            && record.user_identity.as_ref().is_some_and(|u| {
                u.type_ == "Service" && u.principal_id == "dynamodb.amazonaws.com"
            });
        if !by_ttl {
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
        let (Some(id), Some(body_key)) = (text(attr::ID), text(attr::BODY_KEY)) else {
            continue;
        };
        match store.release_body(&id, &body_key, now).await {
            Ok(outcome) => {
                tracing::info!(paste_id = %id, ?outcome, "expired paste's body released")
            }
            Err(e) => {
                tracing::error!(paste_id = %id, error = %e, "releasing an expired paste's body failed; will be retried");
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = record.change.sequence_number.clone();
                response.batch_item_failures.push(failure);
            }
        }
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
    let store = &store;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Event>| async move {
        Ok::<_, lambda_runtime::Error>(handle_stream(store, event.payload, SystemClock.now()).await)
    }))
    .await
}
