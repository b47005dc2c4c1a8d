use std::sync::Mutex;

use aws_sdk_dynamodb::types::AttributeValue;
use pastebin_aws::{DailyAllowance, ReleaseOutcome};
use pastebin_core::{CreateRequest, Id, UnixTime};
use pastebin_lambda::{Cdn, InvalidationBudget, Invalidator, PATHS_PER_PASTE, handle_stream};
use serde_json::json;

use crate::common::{fresh, large_text, now, objects, service, store};

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

impl Recorder {
    fn paths(&self) -> usize {
        self.0.lock().unwrap().iter().map(|(p, _)| p.len()).sum()
    }
}

/// A TTL removal and a creator's delete, replayed from `events/dynamodb-ttl-remove.json`
/// through the expire handler: the expired paste's body reference is released, the deleted
/// paste's release (already made by its delete) is a no-op, a body a third paste still uses
/// stays, the deleted paste's two cacheable paths are invalidated, and a retried batch changes
/// nothing more.
#[tokio::test]
async fn the_expire_function_releases_bodies_once_and_invalidates_deleted_pastes() {
    let (clients, settings) = fresh().await;
    let dynamo = store(&clients, &settings);
    let (bin, _) = service(dynamo.clone(), now());
    let text = large_text(64 * 1024, "expiring");
    let create = || CreateRequest {
        content: text.clone().into_bytes(),
        ..Default::default()
    };
    let expiring = bin.create(create()).await.unwrap();
    let deleted = bin.create(create()).await.unwrap();
    let survivor = bin.create(create()).await.unwrap();
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
    bin.delete(&deleted.id, Some(deleted.delete_token.as_str()))
        .await
        .unwrap();
    let json = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/events/dynamodb-ttl-remove.json"
    ))
    .unwrap()
    .replace("PASTE_ID", expiring.id.as_str())
    .replace("USER_DELETED_ID", deleted.id.as_str())
    .replace("BODY_KEY", &body_key);
    let event: aws_lambda_events::dynamodb::Event = serde_json::from_str(&json).unwrap();

    let recorder = Recorder::default();
    let allowance = DailyAllowance::new(&clients, &settings.table, "invalidation-paths", 30);
    let cdn = Cdn {
        invalidator: &recorder,
        budget: &allowance,
    };
    for _ in 0..2 {
        // The second run is the stream retrying the same batch.
        let (response, report) = handle_stream(&dynamo, Some(cdn), event.clone(), now()).await;
        assert!(response.batch_item_failures.is_empty());
        assert_eq!((report.bodies_released, report.invalidated_paths), (2, 2));
        assert_eq!(
            objects(&clients, &settings).await.len(),
            1,
            "the survivor still holds the body"
        );
        assert_eq!(bin.read(&survivor.id).await.unwrap().content, text);
    }
    let calls = recorder.0.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        calls[0].0,
        [format!("/{}", deleted.id), format!("/raw/{}", deleted.id)]
    );
    assert_eq!(calls[0], calls[1], "same reference on the retry");

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

/// A stream batch of `ids`, all removed by their creators.
fn deletes(ids: &[Id], first_sequence: usize) -> aws_lambda_events::dynamodb::Event {
    let records: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            json!({
                "eventID": i.to_string(), "eventName": "REMOVE", "eventVersion": "1.1",
                "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:dynamodb:us-east-1:1:table/t/stream/x",
                "dynamodb": {
                    "Keys": {"id": {"S": id.as_str()}},
                    "OldImage": {"id": {"S": id.as_str()}, "burn": {"BOOL": false},
                                 "token_hash": {"B": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}},
                    "SequenceNumber": format!("{:024}", first_sequence + i),
                    "SizeBytes": 100, "StreamViewType": "OLD_IMAGE"
                }
            })
        })
        .collect();
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

/// The bill a client can run up is bounded: a burst of 10,000 creator deletes, handled in
/// batches of 100 by four instances at once (as four shards would be), buys exactly the day's
/// allowance of invalidation paths and not one more; no batch is held up or retried for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_ten_thousand_deletes_buys_no_more_than_the_daily_allowance() {
    let (clients, settings) = fresh().await;
    let dynamo = store(&clients, &settings);
    let per_day = 30;
    let allowance = DailyAllowance::new(&clients, &settings.table, "invalidation-paths", per_day);
    let recorder = Recorder::default();
    let ids: Vec<Id> = (0..10_000).map(|_| Id::generate()).collect();
    let at = now();
    let not_invalidated = std::sync::atomic::AtomicU64::new(0);
    let batches: Vec<&[Id]> = ids.chunks(100).collect();
    let workers = batches.chunks(batches.len().div_ceil(4)).map(|share| {
        let (dynamo, recorder, allowance, not_invalidated) =
            (&dynamo, &recorder, &allowance, &not_invalidated);
        async move {
            for (n, batch) in share.iter().enumerate() {
                let cdn = Cdn {
                    invalidator: recorder,
                    budget: allowance,
                };
                let (response, report) =
                    handle_stream(dynamo, Some(cdn), deletes(batch, n * 100), at).await;
                assert!(response.batch_item_failures.is_empty());
                not_invalidated
                    .fetch_add(report.not_invalidated, std::sync::atomic::Ordering::SeqCst);
            }
        }
    });
    futures_util::future::join_all(workers).await;
    assert_eq!(
        recorder.paths(),
        per_day as usize,
        "exactly the day's allowance"
    );
    assert_eq!(
        not_invalidated.load(std::sync::atomic::Ordering::SeqCst),
        10_000 - u64::from(per_day / PATHS_PER_PASTE)
    );
    // Tomorrow brings a fresh allowance.
    let tomorrow = UnixTime(at.seconds() + 86_400);
    assert_eq!(
        InvalidationBudget::take(&allowance, 4, tomorrow)
            .await
            .unwrap(),
        4
    );
    assert_eq!(
        InvalidationBudget::take(&allowance, 4, at).await.unwrap(),
        0,
        "today's is spent"
    );
}
