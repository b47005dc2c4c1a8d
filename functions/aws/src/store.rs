use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use pastebin_core::{
    DeleteOutcome, Id, InsertOutcome, Paste, PasteStore, StoreError, TokenHash, UnixTime,
    random_alphanumeric,
};

use crate::bodies::Bodies;
pub use crate::bodies::ReleaseOutcome;
use crate::clients::AwsClients;
use crate::config::AwsSettings;
use crate::error::{AwsError, dynamo};
use crate::items::{self, Body, Decoded, attr, n, s};

/// Extra life of a body's reference counter beyond the longest paste that can use it.
const COUNTER_GRACE_SECS: u64 = 86_400;

/// Pastes in DynamoDB, large bodies in S3.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    bodies: Bodies,
    inline_max_bytes: u64,
    max_expiry: Duration,
}

impl DynamoStore {
    /// `max_expiry` is the longest lifetime a paste may have: body counters are kept at least
    /// that long after their last use.
    pub fn new(clients: &AwsClients, settings: &AwsSettings, max_expiry: Duration) -> Self {
        Self {
            bodies: Bodies {
                dynamodb: clients.dynamodb.clone(),
                s3: clients.s3.clone(),
                table: settings.table.clone(),
                bucket: settings.bucket.clone(),
                hash_key: settings.hash_key.clone(),
            },
            inline_max_bytes: settings.inline_max_bytes,
            max_expiry,
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

    async fn get_item(&self, id: &Id) -> Result<Option<Decoded>, StoreError> {
        // Strongly consistent: a link shared right after creation must work at once.
        let out = self
            .dynamodb()
            .get_item()
            .table_name(self.table())
            .set_key(Some(items::key(id.as_str())))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo)?;
        out.item().map(items::decode).transpose()
    }

    /// Fills in an external body.
    async fn with_content(&self, decoded: Decoded) -> Result<Paste, StoreError> {
        let Decoded {
            mut paste,
            body_key,
        } = decoded;
        if let Some(key) = body_key {
            let bytes = self.bodies.fetch(&key).await?;
            paste.content = String::from_utf8(bytes).map_err(|_| StoreError::Corrupt {
                id: paste.id.to_string(),
                reason: "body is not UTF-8".to_owned(),
            })?;
        }
        Ok(paste)
    }

    /// After a paste item is gone: its body reference goes too. A failure here only delays
    /// cleanup (counter TTL, lifecycle rule), so it is logged, not returned.
    async fn release_after_removal(&self, paste_id: &Id, body_key: Option<&str>, now: UnixTime) {
        if let Some(key) = body_key
            && let Err(e) = self.bodies.release(paste_id.as_str(), key, now).await
        {
            tracing::warn!(paste_id = %paste_id, error = %e, "could not release a body reference");
        }
    }
}

#[async_trait]
impl PasteStore for DynamoStore {
    async fn insert(&self, paste: &Paste) -> Result<InsertOutcome, StoreError> {
        let external = if paste.size() > self.inline_max_bytes {
            let counter_expires_at = paste
                .created_at
                .saturating_add(self.max_expiry + Duration::from_secs(COUNTER_GRACE_SECS));
            // S3 first: an item is never written pointing at a body that is not there.
            Some(
                self.bodies
                    .store(&paste.content, counter_expires_at)
                    .await?,
            )
        } else {
            None
        };
        let body = match &external {
            Some(key) => Body::External {
                key,
                size: paste.size(),
            },
            None => Body::Inline(&paste.content),
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
            // (the token hash is unique to this create), so it was inserted.
            Some(item)
                if items::decode(&item)
                    .is_ok_and(|d| d.paste.delete_token_hash.matches(&paste.delete_token_hash)) =>
            {
                Ok(InsertOutcome::Inserted)
            }
            Some(_) => {
                // Definitely not written: give the body reference back (a new id takes its own).
                if let Some(key) = &external {
                    self.bodies.abandon(key).await;
                }
                Ok(InsertOutcome::IdTaken)
            }
            // Unknown whether the item was written (e.g. a timeout after the commit): keep the
            // reference. One too many only delays cleanup; one too few could delete a body a
            // live paste uses.
            None => Err(dynamo(error).into()),
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
        let Some(Decoded { paste, body_key }) = self.get_item(id).await? else {
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
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_conditional_check_failed_exception()) =>
            {
                self.release_after_removal(id, body_key.as_deref(), now)
                    .await;
                Ok(DeleteOutcome::Deleted)
            }
            Err(e) => Err(dynamo(e).into()),
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
        // Fetch the body first: if S3 fails, the paste is still there to be revealed later.
        let paste = self.with_content(decoded).await?;
        // Claim it first: of any number of concurrent reveals one claim succeeds. The claim
        // carries this reveal's nonce, so the SDK retrying it after a lost reply still succeeds
        // for this reveal and for no other.
        let nonce = random_alphanumeric(16);
        let claimed = self
            .dynamodb()
            .update_item()
            .table_name(self.table())
            .set_key(Some(items::key(id.as_str())))
            .update_expression("SET #claim = :nonce")
            .condition_expression("#burn = :yes AND #exp >= :now AND (attribute_not_exists(#claim) OR #claim = :nonce)")
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
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_conditional_check_failed_exception()) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(dynamo(e).into()),
        }
        // Ours now. A condition failure here means this delete's own first attempt succeeded.
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
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_conditional_check_failed_exception()) => {}
            Err(e) => return Err(dynamo(e).into()),
        }
        self.release_after_removal(id, body_key.as_deref(), now)
            .await;
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
