//! Behaviour every [`PasteStore`] adapter must show. Adapter test suites call [`run_all`] with a
//! fresh store; the same assertions then hold for SQLite, DynamoDB + S3 and the memory store.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

use std::sync::Arc;

use crate::id::Id;
use crate::paste::Paste;
use crate::store::{DeleteOutcome, InsertOutcome, PasteStore};
use crate::time::UnixTime;
use crate::token::{DeleteToken, TokenHash};

const NOW: UnixTime = UnixTime(1_800_000_000);

/// A paste with the given content, alive from `NOW` for an hour.
pub fn sample(content: &str, burn: bool) -> (Paste, DeleteToken) {
    let token = DeleteToken::generate();
    let paste = Paste {
        id: Id::generate(),
        content: content.into(),
        syntax: Some("rust".to_owned()),
        title: Some("a title".to_owned()),
        burn_after_reading: burn,
        encrypted: false,
        created_at: NOW,
        expires_at: UnixTime(NOW.0 + 3600),
        delete_token_hash: token.hash(),
    };
    (paste, token)
}

pub async fn run_all(store: Arc<dyn PasteStore>) {
    insert_then_get_round_trips_every_field(&*store).await;
    encrypted_pastes_keep_their_flag(&*store).await;
    insert_refuses_a_taken_id(&*store).await;
    delete_needs_the_right_token(&*store).await;
    expired_pastes_cannot_be_deleted_or_revealed(&*store).await;
    take_burn_succeeds_once_even_concurrently(store.clone()).await;
    take_burn_ignores_ordinary_pastes(&*store).await;
    store.ping().await.expect("ping");
}

/// For stores that remove expired pastes themselves (DynamoDB leaves it to TTL).
pub async fn run_sweep(store: Arc<dyn PasteStore>) {
    sweep_removes_only_expired_pastes(&*store).await;
}

pub async fn insert_then_get_round_trips_every_field(store: &dyn PasteStore) {
    let (paste, token) = sample("fn main() {\n\tprintln!(\"héllo 👋\\0\");\n}\n\0end", false);
    assert_eq!(store.insert(&paste).await.unwrap(), InsertOutcome::Inserted);
    let got = store
        .get(&paste.id)
        .await
        .unwrap()
        .expect("inserted paste reads back");
    assert_eq!(got.id, paste.id);
    assert_eq!(got.content, paste.content);
    assert_eq!(got.syntax, paste.syntax);
    assert_eq!(got.title, paste.title);
    assert_eq!(got.burn_after_reading, paste.burn_after_reading);
    assert_eq!(got.created_at, paste.created_at);
    assert_eq!(got.expires_at, paste.expires_at);
    assert!(got.delete_token_hash.matches(&token.hash()));
    assert!(store.get(&Id::generate()).await.unwrap().is_none());
}

/// An end-to-end encrypted paste: sealed content, no title or language of its own.
pub async fn encrypted_pastes_keep_their_flag(store: &dyn PasteStore) {
    let (mut paste, _) = sample(
        "AWRlZmdoaWprbG1ubzNm1A4chTrxEkIoh6gJDvcSSWknK5_uCIeM90mt-lEl",
        false,
    );
    paste.encrypted = true;
    paste.title = None;
    paste.syntax = None;
    assert_eq!(store.insert(&paste).await.unwrap(), InsertOutcome::Inserted);
    let got = store.get(&paste.id).await.unwrap().expect("reads back");
    assert!(got.encrypted);
    assert_eq!(
        (got.content, got.title, got.syntax),
        (paste.content, None, None)
    );
    let (plain, _) = sample("plain", false);
    store.insert(&plain).await.unwrap();
    assert!(!store.get(&plain.id).await.unwrap().unwrap().encrypted);
}

pub async fn insert_refuses_a_taken_id(store: &dyn PasteStore) {
    let (first, _) = sample("first", false);
    let (mut second, _) = sample("second", false);
    second.id = first.id.clone();
    assert_eq!(store.insert(&first).await.unwrap(), InsertOutcome::Inserted);
    assert_eq!(store.insert(&second).await.unwrap(), InsertOutcome::IdTaken);
    assert_eq!(
        store.get(&first.id).await.unwrap().unwrap().content,
        "first",
        "the first paste is untouched"
    );
}

pub async fn delete_needs_the_right_token(store: &dyn PasteStore) {
    let (paste, token) = sample("to delete", false);
    store.insert(&paste).await.unwrap();
    assert_eq!(
        store
            .delete(&paste.id, &TokenHash::of("wrong"), NOW)
            .await
            .unwrap(),
        DeleteOutcome::WrongToken
    );
    assert!(
        store.get(&paste.id).await.unwrap().is_some(),
        "a wrong token leaves the paste"
    );
    assert_eq!(
        store.delete(&paste.id, &token.hash(), NOW).await.unwrap(),
        DeleteOutcome::Deleted
    );
    assert!(store.get(&paste.id).await.unwrap().is_none());
    assert_eq!(
        store.delete(&paste.id, &token.hash(), NOW).await.unwrap(),
        DeleteOutcome::NotFound
    );
}

pub async fn expired_pastes_cannot_be_deleted_or_revealed(store: &dyn PasteStore) {
    let later = UnixTime(NOW.0 + 3601);
    let (paste, token) = sample("old", false);
    store.insert(&paste).await.unwrap();
    assert_eq!(
        store.delete(&paste.id, &token.hash(), later).await.unwrap(),
        DeleteOutcome::NotFound
    );
    let (burn, _) = sample("old secret", true);
    store.insert(&burn).await.unwrap();
    assert!(store.take_burn(&burn.id, later).await.unwrap().is_none());
}

pub async fn take_burn_succeeds_once_even_concurrently(store: Arc<dyn PasteStore>) {
    let (paste, _) = sample("secret", true);
    store.insert(&paste).await.unwrap();
    let attempts: Vec<_> = (0..32)
        .map(|_| {
            let (store, id) = (store.clone(), paste.id.clone());
            tokio::spawn(async move { store.take_burn(&id, NOW).await.unwrap() })
        })
        .collect();
    let mut winners = Vec::new();
    for a in attempts {
        if let Some(p) = a.await.unwrap() {
            winners.push(p);
        }
    }
    assert_eq!(winners.len(), 1, "exactly one reveal wins");
    assert_eq!(winners[0].content, "secret");
    assert!(store.get(&paste.id).await.unwrap().is_none());
}

pub async fn take_burn_ignores_ordinary_pastes(store: &dyn PasteStore) {
    let (paste, _) = sample("not a secret", false);
    store.insert(&paste).await.unwrap();
    assert!(store.take_burn(&paste.id, NOW).await.unwrap().is_none());
    assert!(store.get(&paste.id).await.unwrap().is_some());
}

pub async fn sweep_removes_only_expired_pastes(store: &dyn PasteStore) {
    let (mut old, _) = sample("old", false);
    old.expires_at = UnixTime(NOW.0 - 10);
    let (fresh, _) = sample("fresh", false);
    store.insert(&old).await.unwrap();
    store.insert(&fresh).await.unwrap();
    // Read first: a store that keeps recent reads in memory must forget swept ones too.
    assert!(store.get(&old.id).await.unwrap().is_some());
    assert!(store.sweep_expired(NOW).await.unwrap() >= 1);
    assert!(store.get(&old.id).await.unwrap().is_none());
    assert!(store.get(&fresh.id).await.unwrap().is_some());
}
