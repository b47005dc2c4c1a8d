use std::sync::Arc;

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
    DynamoStore::new(clients, settings)
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

/// `len` bytes of text, distinct per `seed`, that compresses no further than about 4:3 (random
/// alphanumerics), so that a large one really is stored in S3 and not inline once compressed.
pub fn large_text(len: usize, seed: &str) -> String {
    let mut state = seed.bytes().fold(0x9E37_79B9_7F4A_7C15u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    });
    let alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n";
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(alphabet[usize::try_from(state % alphabet.len() as u64).unwrap_or(0)])
        })
        .collect()
}

/// The server under test, killed however the test ends: a leaked one would keep the test
/// runner's output pipe open and hang whatever reads it (CI's `tee`).
pub struct Server {
    child: std::process::Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary on the aws store through `endpoint`, with a table and bucket named `name`, once it
/// listens (it creates its resources first). `extra` adds environment, e.g. a trust store.
pub fn spawn_server(endpoint: &str, name: &str, extra: &[(&str, &std::path::Path)]) -> Server {
    use std::io::{BufRead, BufReader};
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_pastebin"));
    command
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("PASTEBIN_ADDR", "127.0.0.1:0")
        .env("PASTEBIN_STORE", "aws")
        .env("PASTEBIN_TABLE", name)
        .env("PASTEBIN_BUCKET", name)
        .env("PASTEBIN_HASH_KEY", HASH_KEY)
        .env("PASTEBIN_CREATE_RESOURCES", "true")
        .env("PASTEBIN_LOG", "error")
        .stdout(std::process::Stdio::piped());
    for (key, value) in extra {
        command.env(key, value);
    }
    let mut child = command.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut server = Server {
        child,
        base: String::new(),
    };
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    assert!(
        line.starts_with("listening on "),
        "the server did not start: {line:?}"
    );
    server.base = line.trim().trim_start_matches("listening on ").to_owned();
    server
}

/// An HTTP client builder on the product's TLS provider (ring), installed once per process.
pub fn http_client() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}
