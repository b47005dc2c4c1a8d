//! The create function: its slice of the shared router, behind API Gateway.

#[tokio::main]
async fn main() -> Result<(), pastebin_lambda::Error> {
    pastebin_lambda::serve_http(pastebin_lambda::Routes::CREATE).await
}
