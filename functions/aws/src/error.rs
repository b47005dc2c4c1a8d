use aws_sdk_dynamodb::error::BuildError;

/// Failures of the AWS backends. Service errors stay typed (the SDK's per-service `Error`)
/// until the store has checked for the ones it expects, such as `ConditionalCheckFailed`.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error("DynamoDB: {0}")]
    DynamoDb(#[from] aws_sdk_dynamodb::Error),
    #[error("S3: {0}")]
    S3(#[from] aws_sdk_s3::Error),
    #[error("reading an S3 body: {0}")]
    S3Body(#[from] aws_sdk_s3::primitives::ByteStreamError),
    #[error("building a request: {0}")]
    Build(#[from] BuildError),
    #[error("PASTEBIN_HASH_KEY is not set: this runtime cannot store bodies in S3")]
    NoHashKey,
    #[error("table {table} did not become active within {seconds} s")]
    TableNotActive { table: String, seconds: u64 },
}

impl From<AwsError> for pastebin_core::StoreError {
    fn from(e: AwsError) -> Self {
        Self::backend(e)
    }
}

/// Converts an operation's `SdkError` into the service error (keeps the type information).
pub fn dynamo<E, R>(e: aws_sdk_dynamodb::error::SdkError<E, R>) -> AwsError
where
    aws_sdk_dynamodb::Error: From<aws_sdk_dynamodb::error::SdkError<E, R>>,
{
    AwsError::DynamoDb(e.into())
}

pub fn s3<E, R>(e: aws_sdk_s3::error::SdkError<E, R>) -> AwsError
where
    aws_sdk_s3::Error: From<aws_sdk_s3::error::SdkError<E, R>>,
{
    AwsError::S3(e.into())
}

/// Whether a DynamoDB call failed only because its condition did not hold (the one failure the
/// store expects and decides on, kept typed until here).
pub fn is_condition_failure<E, R>(e: &aws_sdk_dynamodb::error::SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    e.as_service_error()
        .and_then(aws_sdk_dynamodb::error::ProvideErrorMetadata::code)
        == Some("ConditionalCheckFailedException")
}
