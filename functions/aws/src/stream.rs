//! The table's stream, decoded next to the item codec that wrote what it carries: which paste a
//! removal took away, and whether DynamoDB's TTL or a request removed it.

use aws_lambda_events::dynamodb::EventRecord;
use pastebin_core::Id;
use serde_dynamo::AttributeValue;

use crate::items::attr;

/// Who removed an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemovedBy {
    /// DynamoDB's TTL, after the paste expired.
    Expiry,
    /// A request: a creator's delete or a burn reveal.
    Request,
}

/// A paste item that left the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removal {
    pub id: Id,
    /// Its S3 body, if it had one: the reference it held must be released.
    pub body_key: Option<String>,
    pub burn: bool,
    pub by: RemovedBy,
    /// Identifies the record to the stream when it must be retried.
    pub sequence: Option<String>,
}

/// The paste a `REMOVE` record took away; `None` for other events and for the table's other
/// items (counters and markers, whose ids contain `#` and so never parse as a paste id).
pub fn removal(record: &EventRecord) -> Option<Removal> {
    if record.event_name != "REMOVE" {
        return None;
    }
    let image = &record.change.old_image;
    let text = |name: &str| match image.get(name) {
        Some(AttributeValue::S(s)) => Some(s.as_str()),
        _ => None,
    };
    let id = Id::parse(text(attr::ID)?)?;
    let by_ttl = record
        .user_identity
        .as_ref()
        .is_some_and(|u| u.type_ == "Service" && u.principal_id == "dynamodb.amazonaws.com");
    Some(Removal {
        id,
        body_key: text(attr::BODY_KEY).map(str::to_owned),
        burn: matches!(image.get(attr::BURN), Some(AttributeValue::Bool(true))),
        by: if by_ttl {
            RemovedBy::Expiry
        } else {
            RemovedBy::Request
        },
        sequence: record.change.sequence_number.clone(),
    })
}

/// What the stream-record fuzz target (`fuzz/`) runs on each input, here so that the test
/// suite can replay its corpus: any JSON a stream could deliver decodes or is refused, without
/// panicking, and a removal always names a valid paste id.
pub fn fuzz_record(data: &[u8]) {
    let Ok(event) = serde_json::from_slice::<aws_lambda_events::dynamodb::Event>(data) else {
        if let Ok(record) = serde_json::from_slice::<EventRecord>(data)
            && let Some(r) = removal(&record)
        {
            assert!(Id::parse(r.id.as_str()).is_some());
        }
        return;
    };
    for r in event.records.iter().filter_map(removal) {
        assert!(Id::parse(r.id.as_str()).is_some());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A record as the stream delivers it, with `event` and `old_image` filled in.
    fn record(event: &str, old_image: Value, by_ttl: bool) -> EventRecord {
        let mut r = json!({
            "eventID": "1", "eventName": event, "eventVersion": "1.1", "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1", "eventSourceARN": "arn:aws:dynamodb:us-east-1:1:table/t/stream/x",
            "dynamodb": {"Keys": {}, "OldImage": old_image, "SequenceNumber": "7",
                         "SizeBytes": 10, "StreamViewType": "OLD_IMAGE"},
        });
        if by_ttl {
            r["userIdentity"] = json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"});
        }
        serde_json::from_value(r).unwrap()
    }

    #[test]
    fn removals_say_what_went_and_who_removed_it() {
        let image =
            json!({"id": {"S": "Ab3dE6gH9k"}, "body_key": {"S": "k/g"}, "burn": {"BOOL": false}});
        let r = removal(&record("REMOVE", image, true)).unwrap();
        assert_eq!(
            (
                r.id.as_str(),
                r.body_key.as_deref(),
                r.burn,
                r.by,
                r.sequence.as_deref()
            ),
            (
                "Ab3dE6gH9k",
                Some("k/g"),
                false,
                RemovedBy::Expiry,
                Some("7")
            )
        );
        let image = json!({"id": {"S": "Ab3dE6gH9k"}, "burn": {"BOOL": true}});
        let r = removal(&record("REMOVE", image, false)).unwrap();
        assert_eq!((r.by, r.burn, r.body_key), (RemovedBy::Request, true, None));
    }

    #[test]
    fn other_events_and_items_are_not_removals() {
        for (event, image) in [
            ("INSERT", json!({"id": {"S": "Ab3dE6gH9k"}})),
            ("REMOVE", json!({"id": {"S": "rate#create#1.2.3.4#5"}})),
            ("REMOVE", json!({"id": {"S": "released#Ab3dE6gH9k"}})),
            ("REMOVE", json!({"id": {"N": "5"}})),
            ("REMOVE", json!({})),
        ] {
            assert_eq!(
                removal(&record(event, image.clone(), true)),
                None,
                "{event} {image}"
            );
        }
    }
}
