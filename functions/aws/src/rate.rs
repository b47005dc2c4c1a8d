use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;
use pastebin_core::{
    ClientKey, RateClass, RateLimited, RateLimiter, StoreError, UnixTime, window_of,
};

use crate::clients::AwsClients;
use crate::error::dynamo;
use crate::items::{self, attr, n};

/// Fixed one-minute windows counted in the table (one `UpdateItem` per request), shared by
/// every Lambda instance. Counters expire with TTL. The call has its own short budget and no
/// retries ([`crate::Timeouts::LIMITER`]): callers fail open, so an outage costs milliseconds.
#[derive(Clone, Debug)]
pub struct DynamoRateLimiter {
    dynamodb: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoRateLimiter {
    pub fn new(clients: &AwsClients, table: &str) -> Self {
        Self {
            dynamodb: clients.limiter.clone(),
            table: table.to_owned(),
        }
    }
}

#[async_trait]
impl RateLimiter for DynamoRateLimiter {
    async fn check(
        &self,
        client: ClientKey,
        class: RateClass,
        limit: u32,
        now: UnixTime,
    ) -> Result<Result<(), RateLimited>, StoreError> {
        let (window, retry_after) = window_of(now);
        let out = self
            .dynamodb
            .update_item()
            .table_name(&self.table)
            .set_key(Some(items::key(&format!(
                "rate#{}#{client}#{window}",
                class.as_str()
            ))))
            .update_expression("ADD #n :one SET #exp = if_not_exists(#exp, :exp)")
            .expression_attribute_names("#n", attr::COUNT)
            .expression_attribute_names("#exp", attr::EXPIRES_AT)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":exp", n((window + 2) * 60))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(dynamo)?;
        let count: u64 = out
            .attributes()
            .and_then(|a| a.get(attr::COUNT))
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Ok(if count > u64::from(limit) {
            Err(RateLimited { retry_after })
        } else {
            Ok(())
        })
    }
}
