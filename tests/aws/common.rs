use std::sync::Arc;
use std::time::Duration;

use pastebin_aws::{AwsClients, AwsSettings, DynamoStore, ensure_resources};
use pastebin_core::{FixedWindowLimiter, Limits, ManualClock, Pastebin, RateLimits, UnixTime};

pub const HASH_KEY: &str = "test-hash-key-0123456789abcdef0123456789";

pub fn require_endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").expect(
        "these tests need DynamoDB and S3 stand-ins: run scripts/test (it starts ministack), \
         or start one and set AWS_ENDPOINT_URL, AWS_REGION and credentials",
    )
}

/// A table and bucket of its own for each test.
pub async fn fresh() -> (AwsClients, AwsSettings) {
    require_endpoint();
    let suffix = pastebin_core::random_alphanumeric(10).to_ascii_lowercase();
    let settings = AwsSettings::from_lookup(|name| match name {
        "PASTEBIN_TABLE" => Some(format!("pastes-{suffix}")),
        "PASTEBIN_BUCKET" => Some(format!("bodies-{suffix}")),
        "PASTEBIN_HASH_KEY" => Some(HASH_KEY.to_owned()),
        _ => None,
    })
    .unwrap();
    let clients = AwsClients::from_env().await;
    ensure_resources(&clients, &settings).await.unwrap();
    (clients, settings)
}

pub fn store(clients: &AwsClients, settings: &AwsSettings) -> DynamoStore {
    DynamoStore::new(clients, settings, Duration::from_secs(7 * 86_400))
}

/// The service over the DynamoDB store with a clock the test moves.
pub fn service(store: DynamoStore, start: UnixTime) -> (Pastebin, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(start));
    (
        Pastebin::new(
            Arc::new(store),
            Arc::new(FixedWindowLimiter::default()),
            clock.clone(),
            Limits::default(),
            RateLimits::OFF,
        ),
        clock,
    )
}

pub fn now() -> UnixTime {
    use pastebin_core::Clock;
    pastebin_core::SystemClock.now()
}

/// Keys of the objects under `bodies/`.
pub async fn objects(clients: &AwsClients, settings: &AwsSettings) -> Vec<String> {
    let out = clients
        .s3
        .list_objects_v2()
        .bucket(&settings.bucket)
        .prefix("bodies/")
        .send()
        .await
        .unwrap();
    out.contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect()
}

/// Ids of every item in the table.
pub async fn item_ids(clients: &AwsClients, settings: &AwsSettings) -> Vec<String> {
    let out = clients
        .dynamodb
        .scan()
        .table_name(&settings.table)
        .send()
        .await
        .unwrap();
    out.items()
        .iter()
        .filter_map(|i| i.get("id").and_then(|v| v.as_s().ok()).cloned())
        .collect()
}

/// `len` bytes of varied text, distinct per `seed`.
pub fn large_text(len: usize, seed: &str) -> String {
    let line = format!("{seed} the quick brown fox jumps over the lazy dog 0123456789\n");
    line.repeat(len / line.len() + 1)[..len].to_owned()
}
