use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    StreamSpecification, StreamViewType, TableStatus, TimeToLiveSpecification,
};

use crate::clients::AwsClients;
use crate::config::AwsSettings;
use crate::error::{AwsError, dynamo, s3};
use crate::items::attr;

/// Creates the table (on-demand, TTL on `expires_at`, stream of old images for the expire
/// function) and the bucket if they do not exist. For local stand-ins and first runs; real
/// deployments get both from template.yaml.
pub async fn ensure_resources(
    clients: &AwsClients,
    settings: &AwsSettings,
) -> Result<(), AwsError> {
    let created = clients
        .dynamodb
        .create_table()
        .table_name(&settings.table)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(attr::ID)
                .attribute_type(ScalarAttributeType::S)
                .build()?,
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(attr::ID)
                .key_type(KeyType::Hash)
                .build()?,
        )
        .billing_mode(BillingMode::PayPerRequest)
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::OldImage)
                .build()?,
        )
        .send()
        .await;
    match created {
        Ok(_) => tracing::info!(table = %settings.table, "table created"),
        Err(e)
            if e.as_service_error()
                .is_some_and(|se| se.is_resource_in_use_exception()) => {}
        Err(e) => return Err(dynamo(e)),
    }
    wait_until_active(clients, &settings.table).await?;
    let ttl = clients
        .dynamodb
        .update_time_to_live()
        .table_name(&settings.table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(attr::EXPIRES_AT)
                .build()?,
        )
        .send()
        .await;
    match ttl {
        Ok(_) => {}
        // Enabling TTL twice is refused with "TimeToLive is already enabled".
        Err(e)
            if e.as_service_error()
                .is_some_and(|se| se.to_string().contains("already enabled")) => {}
        Err(e) => return Err(dynamo(e)),
    }

    match clients
        .s3
        .create_bucket()
        .bucket(&settings.bucket)
        .send()
        .await
    {
        Ok(_) => tracing::info!(bucket = %settings.bucket, "bucket created"),
        Err(e)
            if e.as_service_error().is_some_and(|se| {
                se.is_bucket_already_owned_by_you() || se.is_bucket_already_exists()
            }) => {}
        Err(e) => return Err(s3(e)),
    }
    Ok(())
}

async fn wait_until_active(clients: &AwsClients, table: &str) -> Result<(), AwsError> {
    const WAIT: Duration = Duration::from_secs(60);
    let started = std::time::Instant::now();
    loop {
        let out = clients
            .dynamodb
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(dynamo)?;
        if out.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
            return Ok(());
        }
        if started.elapsed() > WAIT {
            return Err(AwsError::TableNotActive {
                table: table.to_owned(),
                seconds: WAIT.as_secs(),
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
