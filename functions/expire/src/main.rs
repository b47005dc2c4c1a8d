//! The expire function: fed by the table's stream, removes S3 bodies of pastes that TTL expired.

// One request at a time per instance, on a fraction of a vCPU: one thread serves it, and a
// cold start spawns no worker pool.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), pastebin_lambda::Error> {
    pastebin_lambda::serve_expire().await
}
