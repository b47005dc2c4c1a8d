use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use pastebin_core::{
    DeleteOutcome, Id, InsertOutcome, Limits, Paste, PasteStore, StoreError, TokenHash, UnixTime,
    random_alphanumeric,
};

use crate::bodies::Bodies;
pub use crate::bodies::ReleaseOutcome;
use crate::clients::{AwsClients, CLEANUP_BUDGET};
use crate::codec;
use crate::config::AwsSettings;
use crate::error::{AwsError, dynamo, is_condition_failure};
use crate::items::{self, Body, Decoded, attr, n, s};

/// How long a body's reference counter outlives its latest use: beyond the longest lifetime
/// any deployment allows, not the configured one, so that lowering the maximum expiry can never
/// let a counter vanish under a paste created before (a missing counter means a dead body).
const COUNTER_LIFETIME: Duration = Duration::from_secs(Limits::MAX_MAX_EXPIRY.as_secs() + 86_400);

/// Pastes in DynamoDB, large bodies in S3.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    bodies: Bodies,
    inline_max_bytes: u64,
}

impl DynamoStore {
    pub fn new(clients: &AwsClients, settings: &AwsSettings) -> Self {
        Self {
            bodies: Bodies {
                dynamodb: clients.dynamodb.clone(),
                s3: clients.s3.clone(),
                table: settings.table.clone(),
                bucket: settings.bucket.clone(),
                hash_key: settings.hash_key.clone(),
            },
            inline_max_bytes: settings.inline_max_bytes,
        }
    }

    fn dynamodb(&self) -> &aws_sdk_dynamodb::Client {
        &self.bodies.dynamodb
    }

    fn table(&self) -> &str {
        &self.bodies.table
    }

    /// Releases the body reference of a paste that storage removed (TTL expiry, seen on the
    /// table's stream). Safe to call more than once for the same paste.
    pub async fn release_body(
        &self,
        paste_id: &str,
        body_key: &str,
        now: UnixTime,
    ) -> Result<ReleaseOutcome, AwsError> {
        self.bodies.release(paste_id, body_key, now).await
    }

    /// A strongly consistent read of the paste's item: a link shared right after creation must
    /// work at once, and a read-back must see the write it asks about.
    fn consistent_get(
        &self,
        id: &Id,
    ) -> aws_sdk_dynamodb::operation::get_item::builders::GetItemFluentBuilder {
        self.dynamodb()
            .get_item()
            .table_name(self.table())
            .set_key(Some(items::key(id.as_str())))
            .consistent_read(true)
    }

    /// The paste item, unless it is absent or a reveal has claimed it.
    async fn get_item(&self, id: &Id) -> Result<Option<Decoded>, StoreError> {
        let out = self.consistent_get(id).send().await.map_err(dynamo)?;
        Ok(out
            .item()
            .map(items::decode)
            .transpose()?
            .filter(|d| !d.claimed))
    }

    /// Fills in an external body.
    async fn with_content(&self, decoded: Decoded) -> Result<Paste, StoreError> {
        let Decoded {
            mut paste,
            body_key,
            size,
            ..
        } = decoded;
        if let Some(key) = body_key {
            let mut bytes = self.bodies.fetch(&key).await?;
            if Bodies::is_compressed(&key) {
                bytes = codec::decompress(&bytes, size.unwrap_or(items::MAX_INFLATED)).map_err(
                    |e| StoreError::Corrupt {
                        id: paste.id.to_string(),
                        reason: e.to_string(),
                    },
                )?;
            }
            paste.content = String::from_utf8(bytes)
                .map_err(|_| StoreError::Corrupt {
                    id: paste.id.to_string(),
                    reason: "body is not UTF-8".to_owned(),
                })?
                .into();
        }
        Ok(paste)
    }

    /// The item as it is now (consistent read), for deciding what a call whose reply never came
    /// did; `None` when even this read fails.
    async fn item_now(&self, id: &Id) -> Option<Option<items::Item>> {
        let read = self.consistent_get(id).send().await;
        match read {
            Ok(out) => Some(out.item().cloned()),
            Err(e) => {
                tracing::warn!(paste_id = %id, error = %dynamo(e), "could not read back an item");
                None
            }
        }
    }

    /// Gives back the body reference of a paste that was certainly not written, within the
    /// clean-up budget (one too many only delays cleanup).
    async fn abandon(&self, body_key: &str) {
        if tokio::time::timeout(CLEANUP_BUDGET, self.bodies.abandon(body_key))
            .await
            .is_err()
        {
            tracing::warn!("giving back a body reference took too long");
        }
    }

    /// After a paste item is gone: its body reference goes too, within the clean-up budget. A
    /// failure here only delays clean-up: the expire function releases the reference when the
    /// removal reaches it on the table's stream (and the counter's TTL and the bucket's
    /// lifecycle rule are the last resort), so it is logged, not returned.
    async fn release_after_removal(&self, paste_id: &Id, body_key: Option<&str>, now: UnixTime) {
        let Some(key) = body_key else {
            return;
        };
        match tokio::time::timeout(
            CLEANUP_BUDGET,
            self.bodies.release(paste_id.as_str(), key, now),
        )
        .await
        {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!(paste_id = %paste_id, error = %e, "could not release a body reference; the stream will");
            }
            Err(_) => {
                tracing::warn!(paste_id = %paste_id, "releasing a body reference took too long; the stream will finish it");
            }
        }
    }
}

#[async_trait]
impl PasteStore for DynamoStore {
    async fn insert(&self, paste: &Paste) -> Result<InsertOutcome, StoreError> {
        let compressed = codec::compress(paste.content.as_bytes());
        let stored: &[u8] = compressed
            .as_deref()
            .unwrap_or_else(|| paste.content.as_bytes());
        let external = if stored.len() as u64 > self.inline_max_bytes {
            let counter_expires_at = paste.created_at.saturating_add(COUNTER_LIFETIME);
            // S3 first: an item is never written pointing at a body that is not there.
            Some(
                self.bodies
                    .store(
                        &paste.content,
                        stored,
                        compressed.is_some(),
                        counter_expires_at,
                    )
                    .await?,
            )
        } else {
            None
        };
        let body = match (&external, &compressed) {
            (Some(key), _) => Body::External {
                key,
                size: paste.size(),
            },
            (None, Some(bytes)) => Body::InlineCompressed {
                bytes,
                size: paste.size(),
            },
            (None, None) => Body::Inline(&paste.content),
        };
        let put = self
            .dynamodb()
            .put_item()
            .table_name(self.table())
            .set_item(Some(items::encode(paste, body)))
            .condition_expression("attribute_not_exists(#id)")
            .expression_attribute_names("#id", attr::ID)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let error = match put {
            Ok(_) => return Ok(InsertOutcome::Inserted),
            Err(e) => e,
        };
        let existing = error.as_service_error().and_then(|se| match se {
            PutItemError::ConditionalCheckFailedException(c) => {
                Some(c.item().cloned().unwrap_or_default())
            }
            _ => None,
        });
        match existing {
            // The SDK retried a write whose first reply was lost: the item there is this one
            // (its token hash and creation time are this create's), so it was inserted.
            Some(item) if items::decode(&item).is_ok_and(|d| same_write(&d.paste, paste)) => {
                Ok(InsertOutcome::Inserted)
            }
            Some(_) => {
                // Definitely not written: give the body reference back (a new id takes its own).
                if let Some(key) = &external {
                    self.abandon(key).await;
                }
                Ok(InsertOutcome::IdTaken)
            }
            // The SDK gave up without an answer (timeouts, lost replies, 5xx): whether the item
            // was written is unknown, and one consistent read decides. If even that fails, the
            // reference is kept: one too many only delays cleanup; one too few could delete a
            // body a live paste uses.
            None => match self.item_now(&paste.id).await {
                Some(Some(item))
                    if items::decode(&item).is_ok_and(|d| same_write(&d.paste, paste)) =>
                {
                    tracing::info!(paste_id = %paste.id, error = %dynamo(error), "the write's reply was lost, but the write was made");
                    Ok(InsertOutcome::Inserted)
                }
                Some(None) => {
                    if let Some(key) = &external {
                        self.abandon(key).await;
                    }
                    Err(dynamo(error).into())
                }
                _ => Err(dynamo(error).into()),
            },
        }
    }

    async fn get(&self, id: &Id) -> Result<Option<Paste>, StoreError> {
        match self.get_item(id).await? {
            Some(decoded) => Ok(Some(self.with_content(decoded).await?)),
            None => Ok(None),
        }
    }

    async fn delete(
        &self,
        id: &Id,
        token: &TokenHash,
        now: UnixTime,
    ) -> Result<DeleteOutcome, StoreError> {
        let Some(Decoded {
            paste, body_key, ..
        }) = self.get_item(id).await?
        else {
            return Ok(DeleteOutcome::NotFound);
        };
        if paste.is_expired(now) {
            return Ok(DeleteOutcome::NotFound);
        }
        // Compared here, in constant time; the condition below only guards against a race.
        if !paste.delete_token_hash.matches(token) {
            return Ok(DeleteOutcome::WrongToken);
        }
        let deleted = self
            .dynamodb()
            .delete_item()
            .table_name(self.table())
            .set_key(Some(items::key(id.as_str())))
            .condition_expression("#th = :th")
            .expression_attribute_names("#th", attr::TOKEN_HASH)
            .expression_attribute_values(":th", AttributeValue::B(token.as_bytes().to_vec().into()))
            .send()
            .await;
        match deleted {
            Ok(_) => {
                self.release_after_removal(id, body_key.as_deref(), now)
                    .await;
                Ok(DeleteOutcome::Deleted)
            }
            // The item is gone although the token matched: this delete's first attempt went
            // through and its reply was lost (the SDK retried), or the creator deleted twice at
            // once. Either way it is deleted; releasing the body is idempotent.
            Err(e) if is_condition_failure(&e) => {
                self.release_after_removal(id, body_key.as_deref(), now)
                    .await;
                Ok(DeleteOutcome::Deleted)
            }
            // No answer: if the item is gone, this delete made it so.
            Err(e) => match self.item_now(id).await {
                Some(None) => {
                    self.release_after_removal(id, body_key.as_deref(), now)
                        .await;
                    Ok(DeleteOutcome::Deleted)
                }
                _ => Err(dynamo(e).into()),
            },
        }
    }

    async fn take_burn(&self, id: &Id, now: UnixTime) -> Result<Option<Paste>, StoreError> {
        let Some(decoded) = self.get_item(id).await? else {
            return Ok(None);
        };
        if !decoded.paste.burn_after_reading || decoded.paste.is_expired(now) {
            return Ok(None);
        }
        let body_key = decoded.body_key.clone();
        // Fetch the body before claiming: if S3 fails, the paste is still there to be revealed.
        let paste = self.with_content(decoded).await?;
        // The claim is the commit point: of any number of concurrent reveals one claim
        // succeeds, and the reveal that made it delivers the paste whatever happens after. It
        // carries this reveal's nonce, so the SDK retrying it after a lost reply still succeeds
        // for this reveal and for no other; it also ends the item's life now, so that TTL (and
        // then the stream) finishes the clean-up below if this request cannot.
        let nonce = random_alphanumeric(16);
        let claimed = self
            .dynamodb()
            .update_item()
            .table_name(self.table())
            .set_key(Some(items::key(id.as_str())))
            .update_expression("SET #claim = :nonce, #exp = :now")
            .condition_expression(
                "#burn = :yes AND ((attribute_not_exists(#claim) AND #exp >= :now) OR #claim = :nonce)",
            )
            .expression_attribute_names("#claim", attr::CLAIM)
            .expression_attribute_names("#burn", attr::BURN)
            .expression_attribute_names("#exp", attr::EXPIRES_AT)
            .expression_attribute_values(":nonce", s(nonce.as_str()))
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":now", n(now.seconds()))
            .send()
            .await;
        match claimed {
            Ok(_) => {}
            Err(e) if is_condition_failure(&e) => return Ok(None),
            // No answer: the claim is this reveal's if the item carries its nonce; unclaimed,
            // the paste is still there to be revealed later; claimed by another, it is theirs.
            Err(e) => match self.item_now(id).await {
                Some(Some(item)) if items::string(&item, attr::CLAIM) == Some(nonce.as_str()) => {
                    tracing::info!(paste_id = %id, error = %dynamo(e), "the claim's reply was lost, but the claim was made");
                }
                Some(Some(item)) if !item.contains_key(attr::CLAIM) => {
                    return Err(dynamo(e).into());
                }
                Some(_) => return Ok(None),
                None => return Err(dynamo(e).into()),
            },
        }
        let cleanup = async {
            // A condition failure here means this delete's own first attempt succeeded.
            let deleted = self
                .dynamodb()
                .delete_item()
                .table_name(self.table())
                .set_key(Some(items::key(id.as_str())))
                .condition_expression("#claim = :nonce")
                .expression_attribute_names("#claim", attr::CLAIM)
                .expression_attribute_values(":nonce", s(nonce.as_str()))
                .send()
                .await;
            match deleted {
                Ok(_) => {}
                Err(e) if is_condition_failure(&e) => {}
                Err(e) => {
                    tracing::warn!(paste_id = %id, error = %dynamo(e), "could not delete a revealed burn paste; TTL will");
                    return;
                }
            }
            self.release_after_removal(id, body_key.as_deref(), now)
                .await;
        };
        if tokio::time::timeout(CLEANUP_BUDGET, cleanup).await.is_err() {
            tracing::warn!(paste_id = %id, "cleaning up a revealed burn paste took too long; TTL and the stream will finish it");
        }
        Ok(Some(paste))
    }

    /// DynamoDB's TTL removes expired items (within about two days); readers never depend on it.
    async fn sweep_expired(&self, _now: UnixTime) -> Result<u64, StoreError> {
        Ok(0)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.dynamodb()
            .get_item()
            .table_name(self.table())
            .set_key(Some(items::key("health#ping")))
            .send()
            .await
            .map_err(dynamo)?;
        Ok(())
    }
}

/// Whether the item found under a paste's id is this very write. A random token is unique to
/// its create; a derived one (a retried create with an idempotency key) is shared by the retries
/// of one request, which the creation time then tells apart from the first.
fn same_write(found: &Paste, written: &Paste) -> bool {
    found.delete_token_hash.matches(&written.delete_token_hash)
        && found.created_at == written.created_at
}
