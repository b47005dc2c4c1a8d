//! The expire handler's decisions, with its three collaborators faked: what is retried through
//! the stream (a failed body release) and what never is (a refused or unaffordable
//! invalidation, which must not hold up the releases queued behind it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Mutex;

use async_trait::async_trait;
use aws_lambda_events::dynamodb::Event;
use pastebin_aws::stream::Removal;
use pastebin_core::{Id, UnixTime};
use pastebin_lambda::{BodyReleaser, Cdn, InvalidationBudget, Invalidator, handle_stream};
use serde_json::json;

const NOW: UnixTime = UnixTime(1_795_971_600);

/// Releases every body except those of the ids it was told fail.
#[derive(Default)]
struct Bodies {
    failing: Vec<Id>,
    released: Mutex<Vec<Id>>,
}

#[async_trait]
impl BodyReleaser for Bodies {
    async fn release(&self, r: &Removal, _: &str, _: UnixTime) -> Result<String, String> {
        if self.failing.contains(&r.id) {
            return Err("DynamoDB: throttled".to_owned());
        }
        self.released.lock().unwrap().push(r.id.clone());
        Ok("BodyDeleted".to_owned())
    }
}

struct Refusing;

#[async_trait]
impl Invalidator for Refusing {
    async fn invalidate(&self, _: Vec<String>, _: String) -> Result<(), String> {
        Err("TooManyInvalidationsInProgress".to_owned())
    }
}

#[derive(Default)]
struct Recording(Mutex<Vec<String>>);

#[async_trait]
impl Invalidator for Recording {
    async fn invalidate(&self, paths: Vec<String>, _: String) -> Result<(), String> {
        self.0.lock().unwrap().extend(paths);
        Ok(())
    }
}

/// Grants what it has left, in whole pastes (2 paths each).
struct Left(Mutex<u32>);

#[async_trait]
impl InvalidationBudget for Left {
    async fn take(&self, paths: u32, _: UnixTime) -> Result<u32, String> {
        let mut left = self.0.lock().unwrap();
        let granted = paths.min(*left) / 2 * 2;
        *left -= granted;
        Ok(granted)
    }
}

struct Unreadable;

#[async_trait]
impl InvalidationBudget for Unreadable {
    async fn take(&self, _: u32, _: UnixTime) -> Result<u32, String> {
        Err("DynamoDB: unavailable".to_owned())
    }
}

/// `(id, removed by TTL, burn, with a body)` per record.
fn batch(records: &[(&Id, bool, bool, bool)]) -> Event {
    let records: Vec<_> = records
        .iter()
        .enumerate()
        .map(|(i, (id, ttl, burn, body))| {
            let mut image = json!({"id": {"S": id.as_str()}, "burn": {"BOOL": burn}});
            if *body {
                image["body_key"] = json!({"S": "hmac/gen"});
            }
            let mut r = json!({
                "eventID": i.to_string(), "eventName": "REMOVE", "eventVersion": "1.1",
                "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:dynamodb:us-east-1:1:table/t/stream/x",
                "dynamodb": {"Keys": {}, "OldImage": image, "SequenceNumber": format!("{i}"),
                             "SizeBytes": 100, "StreamViewType": "OLD_IMAGE"}
            });
            if *ttl {
                r["userIdentity"] =
                    json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"});
            }
            r
        })
        .collect();
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

#[tokio::test]
async fn a_failed_release_is_retried_and_nothing_else_is() {
    let (expired, broken, deleted) = (Id::generate(), Id::generate(), Id::generate());
    let bodies = Bodies {
        failing: vec![broken.clone()],
        ..Default::default()
    };
    let cdn = Cdn {
        invalidator: &Refusing,
        budget: &Left(Mutex::new(100)),
    };
    let event = batch(&[
        (&expired, true, false, true),
        (&broken, true, false, true),
        (&deleted, false, false, false),
    ]);
    let (response, report) = handle_stream(&bodies, Some(cdn), event, NOW).await;
    let retried: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect();
    assert_eq!(retried, [Some("1".to_owned())], "only the failed release");
    assert_eq!(*bodies.released.lock().unwrap(), [expired]);
    assert_eq!((report.release_failures, report.not_invalidated), (1, 1));
}

#[tokio::test]
async fn only_deleted_ordinary_pastes_are_invalidated_while_the_allowance_lasts() {
    let ids: Vec<Id> = (0..5).map(|_| Id::generate()).collect();
    let recording = Recording::default();
    let budget = Left(Mutex::new(5));
    let cdn = Cdn {
        invalidator: &recording,
        budget: &budget,
    };
    let event = batch(&[
        (&ids[0], false, false, true), // deleted, large: released and invalidated
        (&ids[1], true, false, true),  // expired: only released
        (&ids[2], false, true, false), // a burn reveal: never cached
        (&ids[3], false, false, false),
        (&ids[4], false, false, false), // beyond the 5 paths left (2 pastes' worth)
    ]);
    let bodies = Bodies::default();
    let (response, report) = handle_stream(&bodies, Some(cdn), event, NOW).await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(
        *recording.0.lock().unwrap(),
        [
            format!("/{}", ids[0]),
            format!("/raw/{}", ids[0]),
            format!("/{}", ids[3]),
            format!("/raw/{}", ids[3]),
        ]
    );
    assert_eq!((report.invalidated_paths, report.not_invalidated), (4, 1));
    assert_eq!(bodies.released.lock().unwrap().len(), 2);

    let unreadable = Cdn {
        invalidator: &recording,
        budget: &Unreadable,
    };
    let (response, report) = handle_stream(
        &bodies,
        Some(unreadable),
        batch(&[(&ids[4], false, false, false)]),
        NOW,
    )
    .await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(
        (report.invalidated_paths, report.not_invalidated),
        (0, 1),
        "an allowance that cannot be read buys nothing"
    );
}
