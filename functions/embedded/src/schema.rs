use rusqlite::Connection;

/// Bumped with every change below; `migrate` applies the missing steps in order.
pub const VERSION: i64 = 4;

const STEPS: &[&str] = &[
    // 1: one row per paste. Content is a BLOB so that any UTF-8 (NUL included) round-trips.
    "CREATE TABLE pastes (
         id          TEXT PRIMARY KEY NOT NULL,
         content     BLOB NOT NULL,
         syntax      TEXT,
         title       TEXT,
         burn        INTEGER NOT NULL,
         created_at  INTEGER NOT NULL,
         expires_at  INTEGER NOT NULL,
         token_hash  BLOB NOT NULL
     );
     CREATE INDEX pastes_by_expiry ON pastes (expires_at);",
    // 2: one row the health check writes, so that it proves the store can still write.
    "CREATE TABLE health (
         k   INTEGER PRIMARY KEY NOT NULL,
         at  INTEGER NOT NULL
     );",
    // 3: end-to-end encrypted pastes; every paste stored before is plain.
    "ALTER TABLE pastes ADD COLUMN encrypted INTEGER NOT NULL DEFAULT 0;",
    // 4: the store's own secret (derived ids and tokens of idempotent creates), made once.
    "CREATE TABLE secret (
         k      INTEGER PRIMARY KEY NOT NULL CHECK (k = 0),
         value  BLOB NOT NULL
     );",
];

/// The store's secret, drawn from the OS generator the first time and kept with the pastes, so
/// that it lives exactly as long as the data it protects.
pub fn secret(conn: &Connection) -> rusqlite::Result<Vec<u8>> {
    conn.execute(
        "INSERT OR IGNORE INTO secret (k, value) VALUES (0, ?1)",
        [pastebin_core::random_alphanumeric(43).as_bytes()],
    )?;
    conn.query_row("SELECT value FROM secret WHERE k = 0", [], |r| r.get(0))
}

/// Current schema version, then applies what is missing, each step in its own transaction.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<i64> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, step) in STEPS
        .iter()
        .enumerate()
        .skip(usize::try_from(found).unwrap_or(usize::MAX))
    {
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        let version = i64::try_from(i + 1).unwrap_or(i64::MAX);
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(found)
}

/// Settings every connection needs. WAL lets readers run beside the writer; FULL makes each
/// commit reach the disk before the create is acknowledged.
pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}
