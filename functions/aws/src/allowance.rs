//! A daily allowance counted in the table, shared by every instance of a function: what bounds
//! the CDN invalidations that deletes can buy.

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;
use pastebin_core::UnixTime;

use crate::clients::AwsClients;
use crate::error::{AwsError, dynamo};
use crate::items::{self, attr, n};

/// How often a take retries when other instances spend the same allowance at the same moment.
const ATTEMPTS: u32 = 3;

#[derive(Clone, Debug)]
pub struct DailyAllowance {
    dynamodb: aws_sdk_dynamodb::Client,
    table: String,
    name: &'static str,
    per_day: u32,
}

impl DailyAllowance {
    /// `per_day` units a UTC day under the counter item `allowance#<name>#<day>`.
    pub fn new(clients: &AwsClients, table: &str, name: &'static str, per_day: u32) -> Self {
        Self {
            dynamodb: clients.dynamodb.clone(),
            table: table.to_owned(),
            name,
            per_day,
        }
    }

    pub fn per_day(&self) -> u32 {
        self.per_day
    }

    /// Takes up to `wanted` units from today's allowance, in whole multiples of `unit`; returns
    /// how many were granted (0 once the day's allowance is spent). A unit is counted before it
    /// is used, so a failure after the take can only under-spend the allowance, never exceed it.
    pub async fn take(&self, wanted: u32, unit: u32, now: UnixTime) -> Result<u32, AwsError> {
        let unit = unit.max(1);
        let whole = |k: u32| k / unit * unit;
        let day = now.seconds().div_euclid(86_400);
        let key = items::key(&format!("allowance#{}#{day}", self.name));
        let mut ask = whole(wanted.min(self.per_day));
        for _ in 0..ATTEMPTS {
            if ask == 0 {
                return Ok(0);
            }
            let taken = self
                .dynamodb
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key.clone()))
                .update_expression("ADD #n :k SET #exp = if_not_exists(#exp, :exp)")
                .condition_expression("attribute_not_exists(#n) OR #n <= :most")
                .expression_attribute_names("#n", attr::COUNT)
                .expression_attribute_names("#exp", attr::EXPIRES_AT)
                .expression_attribute_values(":k", n(ask))
                .expression_attribute_values(":most", n(self.per_day - ask))
                .expression_attribute_values(":exp", n((day + 2) * 86_400))
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .send()
                .await;
            let error = match taken {
                Ok(_) => return Ok(ask),
                Err(e) => e,
            };
            let used = match error.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(c)) => c
                    .item()
                    .and_then(|i| i.get(attr::COUNT))
                    .and_then(|v| v.as_n().ok())
                    .and_then(|v| v.parse::<u32>().ok())
                    .unwrap_or(self.per_day),
                _ => return Err(dynamo(error)),
            };
            ask = whole(wanted.min(self.per_day.saturating_sub(used)));
        }
        Ok(0)
    }
}
