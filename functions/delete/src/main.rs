//! The delete function: its slice of the shared router, behind API Gateway.

// One request at a time per instance, on a fraction of a vCPU: one thread serves it, and a
// cold start spawns no worker pool.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), pastebin_lambda::Error> {
    pastebin_lambda::serve_http(pastebin_lambda::Routes::DELETE).await
}
