//! Large bodies in S3, stored once per content and generation, with a reference count in
//! DynamoDB.
//!
//! A body's object is `bodies/<hmac>/<gen>`. Creating a paste takes a reference on the counter
//! item `body#<hmac>` (creating it with a fresh `gen` if absent), then writes the object.
//! Releasing drops the reference; the release that brings it to zero deletes the counter
//! (only if it is still at zero and of the same generation) and then the object. A create that
//! races with that deletion finds no counter, starts a new generation and so writes a different
//! object: a deletion can never remove a body that a live paste points to.

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Put, ReturnValue, TransactWriteItem, Update};
use aws_sdk_s3::primitives::ByteStream;
use pastebin_core::{UnixTime, content_key, random_alphanumeric};

use crate::error::{AwsError, dynamo, is_condition_failure, s3};
use crate::items::{self, Item, attr, n, s};

const OBJECT_PREFIX: &str = "bodies/";
/// Marks the content key of a body stored compressed.
const COMPRESSED_SUFFIX: &str = ".z";
/// Release markers outlive every retry of a stream record (streams keep records 24 hours).
const MARKER_LIFETIME_SECS: i64 = 3 * 86_400;

#[derive(Clone, Debug)]
pub struct Bodies {
    pub(crate) dynamodb: aws_sdk_dynamodb::Client,
    pub(crate) s3: crate::clients::LazyS3,
    pub(crate) table: String,
    pub(crate) bucket: String,
    pub(crate) hash_key: Option<Vec<u8>>,
}

/// What releasing a reference did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseOutcome {
    /// Other pastes still use the body.
    StillReferenced,
    /// This was the last reference: the object is gone.
    BodyDeleted,
    /// This paste's reference had already been released (a retried stream record).
    AlreadyReleased,
    /// No counter of that generation existed: every reference to it was already released.
    CounterMissing,
}

impl Bodies {
    pub fn object_key(body_key: &str) -> String {
        format!("{OBJECT_PREFIX}{body_key}")
    }

    /// Whether the object under `body_key` is compressed.
    pub fn is_compressed(body_key: &str) -> bool {
        body_key
            .split_once('/')
            .is_some_and(|(hmac, _)| hmac.ends_with(COMPRESSED_SUFFIX))
    }

    /// Takes a reference on `content`'s body and writes `stored` (the content itself, or
    /// compressed); returns the body key for the item. A compressed body's key says so
    /// (`<hmac>.z/<gen>`): its counter and object are not shared with the same text stored
    /// uncompressed before compression existed. `counter_expires_at` must outlive every paste
    /// that can reference the body.
    pub async fn store(
        &self,
        content: &str,
        stored: &[u8],
        compressed: bool,
        counter_expires_at: UnixTime,
    ) -> Result<String, AwsError> {
        let hash_key = self.hash_key.as_deref().ok_or(AwsError::NoHashKey)?;
        let mut hmac = content_key(hash_key, content.as_bytes());
        if compressed {
            hmac.push_str(COMPRESSED_SUFFIX);
        }
        let out = self
            .dynamodb
            .update_item()
            .table_name(&self.table)
            .set_key(Some(items::key(&counter_id(&hmac))))
            .update_expression("SET #gen = if_not_exists(#gen, :gen), #exp = :exp ADD #refs :one")
            .expression_attribute_names("#gen", attr::GEN)
            .expression_attribute_names("#exp", attr::EXPIRES_AT)
            .expression_attribute_names("#refs", attr::REFS)
            .expression_attribute_values(":gen", s(random_alphanumeric(12)))
            .expression_attribute_values(":exp", n(counter_expires_at.seconds()))
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(dynamo)?;
        let attrs = out.attributes().cloned().unwrap_or_default();
        let generation = items::string(&attrs, attr::GEN)
            .unwrap_or_default()
            .to_owned();
        if refs_of(&attrs) > 1 {
            tracing::info!(content_key = %&hmac[..12], "dedup hit: body already stored");
        }
        let body_key = format!("{hmac}/{generation}");
        // Written even when shared: one PUT keeps the object's age (what the lifecycle backstop
        // looks at) no older than its newest paste, and makes a shared body look like a new one.
        let put = self
            .s3
            .put_object()
            .bucket(&self.bucket)
            .key(Self::object_key(&body_key))
            .content_type(if compressed {
                "application/octet-stream"
            } else {
                "text/plain; charset=utf-8"
            })
            .body(ByteStream::from(stored.to_vec()))
            .send()
            .await;
        if let Err(e) = put {
            self.drop_reference(&hmac, &generation).await;
            return Err(s3(e));
        }
        Ok(body_key)
    }

    pub async fn fetch(&self, body_key: &str) -> Result<Vec<u8>, AwsError> {
        let out = self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(Self::object_key(body_key))
            .send()
            .await
            .map_err(s3)?;
        Ok(out.body.collect().await?.into_bytes().to_vec())
    }

    /// Undoes `store` for a paste that was never written (failed or lost its id).
    pub async fn abandon(&self, body_key: &str) {
        if let Some((hmac, generation)) = body_key.split_once('/') {
            self.drop_reference(hmac, generation).await;
        }
    }

    async fn drop_reference(&self, hmac: &str, generation: &str) {
        let result = self
            .dynamodb
            .update_item()
            .table_name(&self.table)
            .set_key(Some(items::key(&counter_id(hmac))))
            .update_expression("ADD #refs :minus")
            .condition_expression("#gen = :gen")
            .expression_attribute_names("#refs", attr::REFS)
            .expression_attribute_names("#gen", attr::GEN)
            .expression_attribute_values(":minus", n(-1))
            .expression_attribute_values(":gen", s(generation))
            .send()
            .await;
        if let Err(e) = result {
            // A reference too many only delays cleanup until the counter's TTL and the bucket's
            // lifecycle rule; it never breaks a paste.
            tracing::warn!(error = %dynamo(e), "could not drop a body reference");
        }
    }

    /// Drops the reference paste `paste_id` held on `body_key`, deleting the body if it was the
    /// last. Idempotent per paste: a marker item records that the release happened.
    pub async fn release(
        &self,
        paste_id: &str,
        body_key: &str,
        now: UnixTime,
    ) -> Result<ReleaseOutcome, AwsError> {
        let Some((hmac, generation)) = body_key.split_once('/') else {
            return Ok(ReleaseOutcome::CounterMissing);
        };
        let marker = Put::builder()
            .table_name(&self.table)
            .set_item(Some(Item::from([
                (attr::ID.to_owned(), s(format!("released#{paste_id}"))),
                (
                    attr::EXPIRES_AT.to_owned(),
                    n(now.seconds() + MARKER_LIFETIME_SECS),
                ),
            ])))
            .condition_expression("attribute_not_exists(#id)")
            .expression_attribute_names("#id", attr::ID)
            .build()?;
        let decrement = Update::builder()
            .table_name(&self.table)
            .set_key(Some(items::key(&counter_id(hmac))))
            .update_expression("ADD #refs :minus")
            .condition_expression("attribute_exists(#id) AND #gen = :gen")
            .expression_attribute_names("#id", attr::ID)
            .expression_attribute_names("#refs", attr::REFS)
            .expression_attribute_names("#gen", attr::GEN)
            .expression_attribute_values(":minus", n(-1))
            .expression_attribute_values(":gen", s(generation))
            .build()?;
        let result = self
            .dynamodb
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(marker).build())
            .transact_items(TransactWriteItem::builder().update(decrement).build())
            .send()
            .await;
        let dropped = match result {
            Ok(_) => ReleaseOutcome::StillReferenced,
            Err(e) => {
                let failed: Vec<bool> = e
                    .as_service_error()
                    .and_then(|se| match se {
                        TransactWriteItemsError::TransactionCanceledException(c) => Some(c),
                        _ => None,
                    })
                    .map(|c| {
                        c.cancellation_reasons()
                            .iter()
                            .map(|r| r.code() == Some("ConditionalCheckFailed"))
                            .collect()
                    })
                    .unwrap_or_default();
                match failed.as_slice() {
                    [true, _] => ReleaseOutcome::AlreadyReleased,
                    [false, true] => ReleaseOutcome::CounterMissing,
                    _ => return Err(dynamo(e)),
                }
            }
        };
        // Whether this call dropped the reference or an earlier one did (and then failed or was
        // cut short), finish what the last drop leaves behind: so any retry completes the
        // clean-up, and nothing is left to the lifecycle rule but what a crash abandons.
        let finished = self.finish(hmac, generation, body_key).await?;
        Ok(match dropped {
            ReleaseOutcome::StillReferenced => finished,
            other => other,
        })
    }

    /// Deletes the counter of `hmac` if it is at zero in `generation`, and then the object;
    /// deletes the object if the counter of that generation no longer exists (a missing counter
    /// means every reference to the generation was released: a create that finds no counter
    /// starts a new generation, and so a new object).
    async fn finish(
        &self,
        hmac: &str,
        generation: &str,
        body_key: &str,
    ) -> Result<ReleaseOutcome, AwsError> {
        let mut counter_gone = false;
        for _ in 0..2 {
            let counter = self
                .dynamodb
                .get_item()
                .table_name(&self.table)
                .set_key(Some(items::key(&counter_id(hmac))))
                .consistent_read(true)
                .send()
                .await
                .map_err(dynamo)?;
            match counter.item() {
                Some(c) if items::string(c, attr::GEN) == Some(generation) && refs_of(c) > 0 => {
                    return Ok(ReleaseOutcome::StillReferenced);
                }
                Some(c) if items::string(c, attr::GEN) == Some(generation) => {
                    // Only if nobody took a new reference meanwhile.
                    let deleted = self
                        .dynamodb
                        .delete_item()
                        .table_name(&self.table)
                        .set_key(Some(items::key(&counter_id(hmac))))
                        .condition_expression("#refs <= :zero AND #gen = :gen")
                        .expression_attribute_names("#refs", attr::REFS)
                        .expression_attribute_names("#gen", attr::GEN)
                        .expression_attribute_values(":zero", n(0))
                        .expression_attribute_values(":gen", s(generation))
                        .send()
                        .await;
                    match deleted {
                        Ok(_) => {
                            counter_gone = true;
                            break;
                        }
                        // A new reference, or the counter already deleted (this delete's own
                        // earlier attempt): read it again to tell which.
                        Err(e) if is_condition_failure(&e) => continue,
                        Err(e) => return Err(dynamo(e)),
                    }
                }
                // Gone, or a newer generation with an object of its own.
                _ => {
                    counter_gone = true;
                    break;
                }
            }
        }
        if !counter_gone {
            // Still in use as far as can be told now; a later release finishes it.
            return Ok(ReleaseOutcome::StillReferenced);
        }
        self.s3
            .delete_object()
            .bucket(&self.bucket)
            .key(Self::object_key(body_key))
            .send()
            .await
            .map_err(s3)?;
        Ok(ReleaseOutcome::BodyDeleted)
    }
}

fn counter_id(hmac: &str) -> String {
    format!("body#{hmac}")
}

fn refs_of(item: &Item) -> i64 {
    item.get(attr::REFS)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
