//! The expire function: fed by the table's stream, removes S3 bodies of pastes that TTL expired.

#[tokio::main]
async fn main() -> Result<(), pastebin_lambda::Error> {
    pastebin_lambda::serve_expire().await
}
