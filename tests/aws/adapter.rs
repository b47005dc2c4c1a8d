use std::sync::Arc;
use std::time::Duration;

use pastebin_core::{CreateRequest, Error, PasteStore, store_contract};

use crate::common::{fresh, item_ids, large_text, now, objects, service, store};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_dynamodb_store_meets_the_store_contract() {
    let (clients, settings) = fresh().await;
    store_contract::run_all(Arc::new(store(&clients, &settings))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn large_bodies_meet_the_store_contract_too() {
    let (clients, settings) = fresh().await;
    let mut settings = settings;
    settings.inline_max_bytes = 4; // every contract paste goes to S3
    store_contract::run_all(Arc::new(store(&clients, &settings))).await;
    assert!(
        !objects(&clients, &settings).await.is_empty(),
        "the contract's pastes went to S3"
    );
}

#[tokio::test]
async fn a_200_kib_paste_lives_in_s3_and_reads_back_identical() {
    let (clients, settings) = fresh().await;
    let (bin, _) = service(store(&clients, &settings), now());
    let text = large_text(200 * 1024, "big");
    let created = bin
        .create(CreateRequest {
            content: text.clone().into_bytes(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        objects(&clients, &settings).await.len(),
        1,
        "the body is in S3"
    );
    let item = paste_item(&clients, &settings, &created.id).await;
    assert!(
        !item.contains_key("body") && item.contains_key("body_key"),
        "the item holds a reference, not the body"
    );
    assert_eq!(bin.read(&created.id).await.unwrap().content, text);

    let small = bin
        .create(CreateRequest {
            content: b"small".to_vec(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        objects(&clients, &settings).await.len(),
        1,
        "small bodies stay inline"
    );
    assert_eq!(bin.read(&small.id).await.unwrap().content, "small");
}

/// The item of an end-to-end encrypted paste: the ciphertext, the flag, and no title or
/// language (they are inside the ciphertext).
#[tokio::test]
async fn an_encrypted_paste_item_holds_the_ciphertext_and_the_flag_only() {
    let (clients, settings) = fresh().await;
    let (bin, _) = service(store(&clients, &settings), now());
    let vectors: serde_json::Value =
        serde_json::from_str(include_str!("../vectors/sealed-v1.json")).unwrap();
    let content = vectors[1]["content"].as_str().unwrap();
    let created = bin
        .create(CreateRequest {
            content: content.as_bytes().to_vec(),
            options: pastebin_core::CreateOptions {
                encrypted: Some(true),
                ..Default::default()
            },
        })
        .await
        .unwrap();
    let item = paste_item(&clients, &settings, &created.id).await;
    assert_eq!(
        item.get("enc"),
        Some(&aws_sdk_dynamodb::types::AttributeValue::Bool(true))
    );
    // Inline, as it came or deflated (base64 text still deflates by about a quarter).
    assert!(
        item.get("body")
            .and_then(|b| b.as_s().ok())
            .map(String::as_str)
            == Some(content)
            || item.contains_key("bodyz"),
        "{item:?}"
    );
    assert!(!item.contains_key("title") && !item.contains_key("syntax"));
    let read = bin.read(&created.id).await.unwrap();
    assert!(read.encrypted);
    assert_eq!(read.content, content);
}

#[tokio::test]
async fn identical_large_bodies_are_stored_once_and_removed_with_their_last_paste() {
    let (clients, settings) = fresh().await;
    let (bin, _) = service(store(&clients, &settings), now());
    let text = large_text(100 * 1024, "shared");
    let req = || CreateRequest {
        content: text.clone().into_bytes(),
        ..Default::default()
    };
    let a = bin.create(req()).await.unwrap();
    let b = bin.create(req()).await.unwrap();
    assert_ne!(a.id, b.id);
    assert_ne!(
        a.delete_token.as_str(),
        b.delete_token.as_str(),
        "every create gets its own token"
    );
    assert_eq!(
        objects(&clients, &settings).await.len(),
        1,
        "one object for both"
    );

    bin.delete(&a.id, Some(a.delete_token.as_str()))
        .await
        .unwrap();
    assert_eq!(
        bin.read(&b.id).await.unwrap().content,
        text,
        "deleting one leaves the other readable"
    );
    assert_eq!(objects(&clients, &settings).await.len(), 1);

    bin.delete(&b.id, Some(b.delete_token.as_str()))
        .await
        .unwrap();
    assert!(
        objects(&clients, &settings).await.is_empty(),
        "the last delete removes the body"
    );
    assert!(
        !item_ids(&clients, &settings)
            .await
            .iter()
            .any(|id| id.starts_with("body#")),
        "and its counter"
    );

    // The same content again starts afresh.
    let c = bin.create(req()).await.unwrap();
    assert_eq!(bin.read(&c.id).await.unwrap().content, text);
}

#[tokio::test]
async fn a_burn_reveal_of_a_large_body_releases_it() {
    let (clients, settings) = fresh().await;
    let (bin, _) = service(store(&clients, &settings), now());
    let text = large_text(50 * 1024, "burn");
    let created = bin
        .create(CreateRequest {
            content: text.clone().into_bytes(),
            options: pastebin_core::CreateOptions {
                burn_after_reading: Some(true),
                ..Default::default()
            },
        })
        .await
        .unwrap();
    assert_eq!(bin.reveal(&created.id).await.unwrap().content, text);
    assert!(matches!(
        bin.reveal(&created.id).await,
        Err(Error::NotFound)
    ));
    assert!(objects(&clients, &settings).await.is_empty());
}

#[tokio::test]
async fn an_item_past_expires_at_but_not_yet_removed_reads_404() {
    let (clients, settings) = fresh().await;
    let dynamo = store(&clients, &settings);
    let (bin, clock) = service(dynamo.clone(), now());
    let created = bin
        .create(CreateRequest {
            content: b"soon gone".to_vec(),
            options: pastebin_core::CreateOptions {
                expires_in: pastebin_core::Limits::default()
                    .lifetime_from_text("10m")
                    .unwrap(),
                ..Default::default()
            },
        })
        .await
        .unwrap();
    clock.advance(Duration::from_secs(601));
    assert!(
        dynamo.get(&created.id).await.unwrap().is_some(),
        "still stored: TTL is lazy"
    );
    assert!(matches!(bin.read(&created.id).await, Err(Error::NotFound)));
    assert!(matches!(
        bin.delete(&created.id, Some(created.delete_token.as_str()))
            .await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn health_pings_the_table() {
    let (clients, settings) = fresh().await;
    let (bin, _) = service(store(&clients, &settings), now());
    bin.health().await.unwrap();
    let mut missing = settings.clone();
    missing.table = "no-such-table".to_owned();
    let (bin, _) = service(store(&clients, &missing), now());
    assert!(bin.health().await.is_err());
}

/// A paste's item as stored.
async fn paste_item(
    clients: &pastebin_aws::AwsClients,
    settings: &pastebin_aws::AwsSettings,
    id: &pastebin_core::Id,
) -> std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue> {
    clients
        .dynamodb
        .get_item()
        .table_name(&settings.table)
        .key(
            "id",
            aws_sdk_dynamodb::types::AttributeValue::S(id.to_string()),
        )
        .send()
        .await
        .unwrap()
        .item()
        .unwrap()
        .clone()
}
