//! Retry-safe creates (`Idempotency-Key`): a retry answers the first paste, delete token
//! included; a reused key for other content is refused; concurrent duplicates make one paste.
//! On the local server (both stores) and the Lambda functions behind API Gateway.

use reqwest::header::ACCEPT;
use serde_json::{Value, json};

use crate::common::{Server, client, get, local_only};

async fn create(s: &Server, key: &str, body: Value) -> (u16, Value) {
    let res = client()
        .post(s.url("/pastes"))
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

fn fresh_key() -> String {
    format!("test-{}", pastebin_core::random_alphanumeric(20))
}

#[tokio::test]
async fn a_retry_answers_the_first_paste_and_its_token_works() {
    let s = Server::start();
    let key = fresh_key();
    let body = json!({"content": "retry me", "expires_in": "1h", "syntax": "rs"});
    let (status, first) = create(&s, &key, body.clone()).await;
    assert_eq!(status, 201, "{first}");
    // A later second: the retry must not pass for a write of its own (on DynamoDB, a conditional
    // put that finds an item with its token hash is taken for its own write, lost in transit).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, retry) = create(&s, &key, body).await;
    assert_eq!(status, 201, "{retry}");
    for field in ["id", "url", "short_url", "delete_token", "expires_at"] {
        assert_eq!(retry[field], first[field], "{field}");
    }
    // The same key from a curl-style raw create with the same text is the same request too.
    let raw = client()
        .post(s.url("/?expires=1h&syntax=rs"))
        .header("idempotency-key", &key)
        .header(ACCEPT, "application/json")
        .body("retry me")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.json::<Value>().await.unwrap()["id"], first["id"]);

    let id = first["id"].as_str().unwrap();
    let deleted = client()
        .delete(s.url(&format!("/pastes/{id}")))
        .header("x-delete-token", retry["delete_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
}

#[tokio::test]
async fn a_key_reused_for_other_content_is_refused_and_a_malformed_one_too() {
    let s = Server::start();
    let key = fresh_key();
    let (status, first) = create(&s, &key, json!({"content": "one"})).await;
    assert_eq!(status, 201);
    for other in [
        json!({"content": "two"}),
        json!({"content": "one", "expires_in": "10m"}),
        json!({"content": "one", "title": "other"}),
    ] {
        let (status, error) = create(&s, &key, other.clone()).await;
        assert_eq!(status, 422, "{other}");
        assert_eq!(error["error"], "idempotency_key_reused");
    }
    let read = get(&s, &format!("/pastes/{}", first["id"].as_str().unwrap())).await;
    assert_eq!(read.json::<Value>().await.unwrap()["content"], "one");

    // Burn-after-reading creates ignore the key: a revealed paste must never come back.
    let burn_key = fresh_key();
    let burn = json!({"content": "once", "burn_after_reading": true});
    let (_, a) = create(&s, &burn_key, burn.clone()).await;
    let (status, b) = create(&s, &burn_key, burn).await;
    assert_eq!(status, 201);
    assert_ne!(a["id"], b["id"]);

    for bad in ["", "caf\u{e9}", &"k".repeat(256)] {
        let res = client()
            .post(s.url("/pastes"))
            .header("idempotency-key", bad.as_bytes())
            .json(&json!({"content": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{bad:?}");
    }
}

#[tokio::test]
async fn concurrent_duplicates_make_one_paste() {
    let s = Server::start();
    let key = fresh_key();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let url = s.url("/pastes");
            let key = key.clone();
            tokio::spawn(async move {
                let res = client()
                    .post(url)
                    .header("idempotency-key", key)
                    .json(&json!({"content": "at once"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
                let body: Value = res.json().await.unwrap();
                (
                    body["id"].as_str().unwrap().to_owned(),
                    body["delete_token"].as_str().unwrap().to_owned(),
                )
            })
        })
        .collect();
    let mut answers = std::collections::HashSet::new();
    for t in tasks {
        answers.insert(t.await.unwrap());
    }
    assert_eq!(answers.len(), 1, "{answers:?}");
}

#[tokio::test]
async fn a_retry_after_a_restart_still_finds_its_paste() {
    if local_only("restarts the server") {
        return;
    }
    let s = Server::start();
    let key = fresh_key();
    let (_, first) = create(&s, &key, json!({"content": "durable"})).await;
    let s = s.kill9_and_restart();
    let (status, retry) = create(&s, &key, json!({"content": "durable"})).await;
    assert_eq!(status, 201);
    assert_eq!(
        (&retry["id"], &retry["delete_token"]),
        (&first["id"], &first["delete_token"])
    );
}
