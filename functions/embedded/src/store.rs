use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use pastebin_core::{
    Clock, DeleteOutcome, Id, InsertOutcome, Paste, PasteStore, ServerSecret, StoreError,
    SystemClock, TokenHash, UnixTime,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::EmbeddedError;
use crate::cache::ReadCache;
use crate::checkpoint;
use crate::pool::{ReaderPool, open_writer};
use crate::writer::Writer;

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "pastes.sqlite3";

/// Rows removed per sweep transaction, so a large backlog never holds the write lock for long.
const SWEEP_BATCH: usize = 1000;

/// Free space the file system must have for the store to report healthy: a maximal paste (1 MiB
/// by default) written to the log and then checkpointed into the database, with room to spare.
pub const MIN_FREE_BYTES: u64 = 8 << 20;

/// Memory for recently read pastes (see `cache`): a few thousand typical pastes, or dozens of
/// the largest.
const READ_CACHE_BYTES: usize = 32 << 20;

const COLUMNS: &str =
    "id, content, syntax, title, burn, created_at, expires_at, token_hash, encrypted";

/// Pastes in a SQLite file: one writer thread that group-commits, a pool of readers, and recent
/// reads kept in memory; no SQLite call runs on the async threads (they block). One process per
/// data directory: the read cache only hears of the deletes made through this store.
#[derive(Clone)]
pub struct EmbeddedStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Writer,
    readers: ReaderPool,
    cache: ReadCache,
    secret: ServerSecret,
}

impl EmbeddedStore {
    /// Opens (creating if needed) the database in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, EmbeddedError> {
        std::fs::create_dir_all(data_dir).map_err(|source| EmbeddedError::CreateDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let path = data_dir.join(DB_FILE);
        let (conn, secret) = open_writer(&path)?;
        let checkpoints = checkpoint::spawn(&path).map_err(|source| EmbeddedError::Open {
            path: path.clone(),
            source,
        })?;
        let writer = Writer::spawn(conn, checkpoints).map_err(|source| EmbeddedError::Spawn {
            path: path.clone(),
            source,
        })?;
        Ok(Self {
            inner: Arc::new(Inner {
                readers: ReaderPool::new(path.clone()),
                cache: ReadCache::new(READ_CACHE_BYTES),
                path,
                writer,
                secret: ServerSecret::new(&secret),
            }),
        })
    }

    /// The secret kept in this store (see `pastebin_core::ServerSecret`).
    pub fn secret(&self) -> ServerSecret {
        self.inner.secret.clone()
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on the writer thread: for tests that need to break the writer.
    #[cfg(any(test, feature = "testing"))]
    pub async fn on_writer(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<()> + Send + 'static,
    ) -> Result<(), StoreError> {
        self.write(f).await
    }

    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        Ok(self.inner.writer.write(f).await?)
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = self.inner.clone();
        let result = tokio::task::spawn_blocking(move || {
            let conn = inner.readers.get()?;
            f(&conn)
        })
        .await
        .map_err(EmbeddedError::from)?;
        Ok(result.map_err(EmbeddedError::from)?)
    }
}

/// A row as stored; decoded into a [`Paste`] outside the SQLite callback so that corrupt data
/// becomes a typed error rather than a panic.
struct Row9 {
    id: String,
    content: Vec<u8>,
    syntax: Option<String>,
    title: Option<String>,
    burn: bool,
    created_at: i64,
    expires_at: i64,
    token_hash: Vec<u8>,
    encrypted: bool,
}

impl Row9 {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            content: r.get(1)?,
            syntax: r.get(2)?,
            title: r.get(3)?,
            burn: r.get(4)?,
            created_at: r.get(5)?,
            expires_at: r.get(6)?,
            token_hash: r.get(7)?,
            encrypted: r.get(8)?,
        })
    }

    fn into_paste(self) -> Result<Paste, StoreError> {
        let corrupt = |reason: &str| StoreError::Corrupt {
            id: self.id.clone(),
            reason: reason.to_owned(),
        };
        let id = Id::parse(&self.id).ok_or_else(|| corrupt("malformed id"))?;
        let delete_token_hash = TokenHash::from_bytes(&self.token_hash)
            .ok_or_else(|| corrupt("malformed token hash"))?;
        let content = String::from_utf8(self.content).map_err(|_| StoreError::Corrupt {
            id: self.id.clone(),
            reason: "content is not UTF-8".to_owned(),
        })?;
        Ok(Paste {
            id,
            content: content.into(),
            syntax: self.syntax,
            title: self.title,
            burn_after_reading: self.burn,
            encrypted: self.encrypted,
            created_at: UnixTime(self.created_at),
            expires_at: UnixTime(self.expires_at),
            delete_token_hash,
        })
    }
}

#[async_trait]
impl PasteStore for EmbeddedStore {
    async fn insert(&self, paste: &Paste) -> Result<InsertOutcome, StoreError> {
        let p = paste.clone();
        let inserted = self
            .write(move |conn| {
                conn.prepare_cached(&format!("INSERT INTO pastes ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO NOTHING"))?.execute(params![
                    p.id.as_str(),
                    p.content.as_bytes(),
                    p.syntax,
                    p.title,
                    p.burn_after_reading,
                    p.created_at.seconds(),
                    p.expires_at.seconds(),
                    &p.delete_token_hash.as_bytes()[..],
                    p.encrypted,
                ])
            })
            .await?;
        Ok(if inserted == 1 {
            InsertOutcome::Inserted
        } else {
            InsertOutcome::IdTaken
        })
    }

    async fn get(&self, id: &Id) -> Result<Option<Paste>, StoreError> {
        let cache = &self.inner.cache;
        if let Some(hit) = cache.get(id) {
            return Ok(Some(Paste::clone(&hit)));
        }
        let seen = cache.epoch();
        let wanted = id.clone();
        let row = self
            .read(move |conn| {
                conn.prepare_cached(&format!("SELECT {COLUMNS} FROM pastes WHERE id = ?1"))?
                    .query_row([wanted.as_str()], Row9::from_row)
                    .optional()
            })
            .await?;
        let Some(paste) = row.map(Row9::into_paste).transpose()? else {
            return Ok(None);
        };
        let paste = Arc::new(paste);
        cache.insert(seen, paste.clone());
        Ok(Some(Arc::unwrap_or_clone(paste)))
    }

    async fn delete(
        &self,
        id: &Id,
        token: &TokenHash,
        now: UnixTime,
    ) -> Result<DeleteOutcome, StoreError> {
        let (wanted, token) = (id.clone(), *token);
        // The writer runs this inside its transaction: the check and the delete are atomic.
        let outcome = self
            .write(move |conn| {
                let id = wanted;
                let found: Option<(Vec<u8>, i64)> = conn
                    .prepare_cached("SELECT token_hash, expires_at FROM pastes WHERE id = ?1")?
                    .query_row([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let outcome = match found {
                    None => DeleteOutcome::NotFound,
                    Some((_, expires_at)) if now.seconds() > expires_at => DeleteOutcome::NotFound,
                    Some((stored, _))
                        if !TokenHash::from_bytes(&stored).is_some_and(|h| h.matches(&token)) =>
                    {
                        DeleteOutcome::WrongToken
                    }
                    Some(_) => {
                        conn.prepare_cached("DELETE FROM pastes WHERE id = ?1")?
                            .execute([id.as_str()])?;
                        DeleteOutcome::Deleted
                    }
                };
                Ok(outcome)
            })
            .await?;
        if outcome == DeleteOutcome::Deleted {
            self.inner.cache.invalidate(id);
        }
        Ok(outcome)
    }

    async fn take_burn(&self, id: &Id, now: UnixTime) -> Result<Option<Paste>, StoreError> {
        let id = id.clone();
        // One statement: the row is removed and returned atomically, so only one caller gets it.
        let row = self
            .write(move |conn| {
                conn.prepare_cached(&format!("DELETE FROM pastes WHERE id = ?1 AND burn = 1 AND expires_at >= ?2 RETURNING {COLUMNS}"))?
                    .query_row(params![id.as_str(), now.seconds()], Row9::from_row)
                    .optional()
            })
            .await?;
        row.map(Row9::into_paste).transpose()
    }

    async fn sweep_expired(&self, now: UnixTime) -> Result<u64, StoreError> {
        let mut total = 0;
        loop {
            let removed = self
                .write(move |conn| {
                    conn.prepare_cached("DELETE FROM pastes WHERE rowid IN (SELECT rowid FROM pastes WHERE expires_at < ?1 LIMIT ?2)")?
                        .execute(params![now.seconds(), i64::try_from(SWEEP_BATCH).unwrap_or(i64::MAX)])
                })
                .await?;
            total += removed as u64;
            if removed < SWEEP_BATCH {
                self.inner.cache.forget_expired(now);
                return Ok(total);
            }
        }
    }

    /// A write through the writer, a read, and room on the disk: a store that can still be read
    /// but no longer written (its writer thread gone, its file system read-only, too little
    /// space left for a maximal paste) is not healthy.
    async fn ping(&self) -> Result<(), StoreError> {
        let free = fs2::available_space(&self.inner.path).map_err(EmbeddedError::Io)?;
        if free < MIN_FREE_BYTES {
            return Err(EmbeddedError::LowOnSpace {
                free,
                needed: MIN_FREE_BYTES,
            }
            .into());
        }
        let now = SystemClock.now().seconds();
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO health (k, at) VALUES (1, ?1) ON CONFLICT (k) DO UPDATE SET at = excluded.at",
            )?
            .execute([now])
        })
        .await?;
        self.read(|conn| conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(())))
            .await
    }
}
