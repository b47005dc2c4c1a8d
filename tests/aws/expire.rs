use aws_sdk_dynamodb::types::AttributeValue;
use pastebin_aws::ReleaseOutcome;
use pastebin_core::CreateRequest;
use std::sync::Mutex;

use pastebin_lambda::{Invalidator, handle_stream};

/// Records what would have been invalidated in CloudFront.
#[derive(Default)]
struct Recorder(Mutex<Vec<(Vec<String>, String)>>);

#[async_trait::async_trait]
impl Invalidator for Recorder {
    async fn invalidate(&self, paths: Vec<String>, reference: String) -> Result<(), String> {
        self.0.lock().unwrap().push((paths, reference));
        Ok(())
    }
}

use crate::common::{fresh, large_text, now, objects, service, store};

/// A TTL removal, replayed from `events/dynamodb-ttl-remove.json` through the expire handler,
/// removes the body; a retried record does nothing more; user deletes and non-paste items in
/// the same batch are left alone.
#[tokio::test]
async fn the_expire_function_releases_bodies_of_ttl_removals_once() {
    let (clients, settings) = fresh().await;
    let dynamo = store(&clients, &settings);
    let (bin, _) = service(dynamo.clone(), now());
    let text = large_text(64 * 1024, "expiring");
    let expiring = bin
        .create(CreateRequest {
            content: text.clone().into_bytes(),
            ..Default::default()
        })
        .await
        .unwrap();
    let survivor = bin
        .create(CreateRequest {
            content: text.clone().into_bytes(),
            ..Default::default()
        })
        .await
        .unwrap();
    let item = clients
        .dynamodb
        .get_item()
        .table_name(&settings.table)
        .key("id", AttributeValue::S(expiring.id.to_string()))
        .send()
        .await
        .unwrap();
    let body_key = item.item().unwrap()["body_key"].as_s().unwrap().clone();

    // What DynamoDB's TTL does: remove the item; the stream then carries its old image.
    clients
        .dynamodb
        .delete_item()
        .table_name(&settings.table)
        .key("id", AttributeValue::S(expiring.id.to_string()))
        .send()
        .await
        .unwrap();
    let json = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/events/dynamodb-ttl-remove.json"
    ))
    .unwrap();
    let json = json
        .replace("PASTE_ID", expiring.id.as_str())
        .replace("USER_DELETED_ID", survivor.id.as_str())
        .replace("BODY_KEY", &body_key);
    let event: aws_lambda_events::dynamodb::Event = serde_json::from_str(&json).unwrap();

    let cdn = Recorder::default();
    let response = handle_stream(&dynamo, Some(&cdn), event.clone(), now()).await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(
        objects(&clients, &settings).await.len(),
        1,
        "the survivor still holds the body"
    );
    assert_eq!(
        bin.read(&survivor.id).await.unwrap().content,
        text,
        "the user-delete record was ignored"
    );

    // A retried batch releases nothing twice.
    let response = handle_stream(&dynamo, Some(&cdn), event, now()).await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(bin.read(&survivor.id).await.unwrap().content, text);

    // The user-deleted paste's paths were invalidated, under the same reference on the retry;
    // neither the TTL removal nor the rate counter was.
    let calls = cdn.0.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    let survivor_paths = vec![
        format!("/{}", survivor.id),
        format!("/raw/{}", survivor.id),
        format!("/pastes/{}", survivor.id),
    ];
    assert_eq!(calls[0].0, survivor_paths);
    assert_eq!(calls[0], calls[1]);

    // When the survivor expires too, the body goes.
    clients
        .dynamodb
        .delete_item()
        .table_name(&settings.table)
        .key("id", AttributeValue::S(survivor.id.to_string()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        dynamo
            .release_body(survivor.id.as_str(), &body_key, now())
            .await
            .unwrap(),
        ReleaseOutcome::BodyDeleted
    );
    assert!(objects(&clients, &settings).await.is_empty());
    assert_eq!(
        dynamo
            .release_body(survivor.id.as_str(), &body_key, now())
            .await
            .unwrap(),
        ReleaseOutcome::AlreadyReleased
    );
}
