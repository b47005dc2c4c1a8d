#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use pastebin_core::store_contract;
use pastebin_embedded::EmbeddedStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_embedded_store_meets_the_store_contract() {
    let dir = tempdir();
    let store = EmbeddedStore::open(&dir).unwrap();
    let store = Arc::new(store);
    store_contract::run_all(store.clone()).await;
    store_contract::run_sweep(store).await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn pastes_survive_reopening_the_database() {
    let dir = tempdir();
    let (paste, _) = store_contract::sample("kept", false);
    {
        let store = EmbeddedStore::open(&dir).unwrap();
        pastebin_core::PasteStore::insert(&store, &paste)
            .await
            .unwrap();
    }
    let store = EmbeddedStore::open(&dir).unwrap();
    let back = pastebin_core::PasteStore::get(&store, &paste.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.content, "kept");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A database written before encrypted pastes existed (schema 2) opens, gains the column, and
/// its pastes read as the plain pastes they are.
#[tokio::test]
async fn pastes_stored_before_encryption_existed_read_as_plain() {
    let dir = tempdir();
    {
        let db = rusqlite::Connection::open(dir.join("pastes.sqlite3")).unwrap();
        db.execute_batch(
            "CREATE TABLE pastes (id TEXT PRIMARY KEY NOT NULL, content BLOB NOT NULL, syntax TEXT,
                 title TEXT, burn INTEGER NOT NULL, created_at INTEGER NOT NULL,
                 expires_at INTEGER NOT NULL, token_hash BLOB NOT NULL);
             CREATE INDEX pastes_by_expiry ON pastes (expires_at);
             CREATE TABLE health (k INTEGER PRIMARY KEY NOT NULL, at INTEGER NOT NULL);
             INSERT INTO pastes VALUES ('OldPaste01', CAST('old text' AS BLOB), 'rust', 'old', 0,
                 1800000000, 4000000000, zeroblob(32));
             PRAGMA user_version = 2;",
        )
        .unwrap();
    }
    let store = EmbeddedStore::open(&dir).unwrap();
    let id = pastebin_core::Id::parse("OldPaste01").unwrap();
    let old = pastebin_core::PasteStore::get(&store, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (old.content.as_str(), old.title.as_deref(), old.encrypted),
        ("old text", Some("old"), false)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_unwritable_data_dir_is_a_clear_error() {
    let file = tempdir().join("not-a-dir");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, b"x").unwrap();
    let err = EmbeddedStore::open(&file).err().unwrap().to_string();
    assert!(err.contains("not-a-dir"), "{err}");
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "pastebin-embedded-test-{}",
        pastebin_core::random_alphanumeric(12)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `/health` asks the store to write: a store that can still be read but no longer written is
/// not healthy.
#[tokio::test]
async fn ping_fails_once_the_writer_is_gone() {
    let dir = tempdir();
    let store = EmbeddedStore::open(&dir).unwrap();
    pastebin_core::PasteStore::ping(&store).await.unwrap();
    let (paste, _) = store_contract::sample("still readable", false);
    pastebin_core::PasteStore::insert(&store, &paste)
        .await
        .unwrap();
    // What a bug in a write would do to the writer thread.
    let _ = store.on_writer(|_| panic!("the writer thread dies")).await;
    assert!(pastebin_core::PasteStore::ping(&store).await.is_err());
    assert!(
        pastebin_core::PasteStore::get(&store, &paste.id)
            .await
            .unwrap()
            .is_some(),
        "reads still work, which is why the ping must write"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
