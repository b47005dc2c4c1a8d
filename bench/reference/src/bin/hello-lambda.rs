//! The cold-start and invoke yardstick: the smallest useful `lambda_runtime` function. It parses
//! the event and answers an API Gateway-shaped 200, nothing else; `bench/run` reports each real
//! function's figures next to this one's, built and measured in the same run.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|_event: LambdaEvent<Value>| async {
        Ok::<_, Error>(json!({ "statusCode": 200, "body": "hello" }))
    }))
    .await
}
