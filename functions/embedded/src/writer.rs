//! The single writer, with group commit.
//!
//! Every acknowledged write must be on disk (`synchronous=FULL`), and the fsync at each commit
//! costs far more than the statement it makes durable. One thread owns the write connection and
//! runs writes in batches: whatever queued while the previous commit was syncing goes into the
//! next transaction, so concurrent creates share one fsync instead of waiting for one each. A
//! write's result is released only after the commit that holds it succeeds; if that commit
//! fails, every write in the batch reports the failure and none of them is acknowledged.

use std::sync::Arc;
use std::sync::mpsc;

use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::EmbeddedError;
use crate::checkpoint;

/// Upper bound on writes in one transaction, so one commit never holds a huge batch of callers.
const MAX_BATCH: usize = 256;

/// Run inside the open transaction (or told why there is none); returns what to do once the
/// commit's fate is known.
type Job = Box<dyn FnOnce(Result<&Connection, Arc<rusqlite::Error>>) -> Completion + Send>;
type Completion = Box<dyn FnOnce(Option<&Arc<rusqlite::Error>>) + Send>;

/// Handle to the writer thread; the thread ends when the last handle is dropped.
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread; `checkpoints` hears of every commit (see `checkpoint`).
    pub fn spawn(conn: Connection, checkpoints: checkpoint::Trigger) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("sqlite-writer".to_owned())
            .spawn(move || run(conn, &queue, &checkpoints))?;
        Ok(Self { jobs })
    }

    /// Runs `f` in the next transaction and returns its result once that transaction is durable.
    /// If `f` fails, its own changes are rolled back and the rest of the batch is unaffected.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, EmbeddedError> {
        let (reply, result) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let outcome = match conn {
                Ok(conn) => in_savepoint(conn, f).map_err(EmbeddedError::from),
                Err(e) => Err(EmbeddedError::Commit(e)),
            };
            Box::new(move |commit_failed| {
                let outcome = match commit_failed {
                    Some(e) => Err(EmbeddedError::Commit(e.clone())),
                    None => outcome,
                };
                // The caller may have gone away (request cancelled); the write stands regardless.
                let _ = reply.send(outcome);
            })
        });
        self.jobs
            .send(job)
            .map_err(|_| EmbeddedError::WriterStopped)?;
        result.await.map_err(|_| EmbeddedError::WriterStopped)?
    }
}

fn in_savepoint<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.execute_batch("SAVEPOINT job")?;
    match f(conn) {
        Ok(v) => {
            conn.execute_batch("RELEASE job")?;
            Ok(v)
        }
        Err(e) => {
            // Undo only this job's changes; the transaction and the rest of the batch go on.
            conn.execute_batch("ROLLBACK TO job; RELEASE job")?;
            Err(e)
        }
    }
}

fn run(conn: Connection, queue: &mpsc::Receiver<Job>, checkpoints: &checkpoint::Trigger) {
    // Ends when every Writer handle is gone and the queue is drained.
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        commit_batch(&conn, batch);
        checkpoints.committed();
    }
}

fn commit_batch(conn: &Connection, batch: Vec<Job>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        let e = Arc::new(e);
        // Each job still needs an answer, and must not run outside a transaction.
        for job in batch {
            job(Err(e.clone()))(None);
        }
        return;
    }
    let completions: Vec<Completion> = batch
        .into_iter()
        .map(|job| {
            // Some failures (disk full, I/O) make SQLite roll the whole transaction back. A job
            // run after that would be in autocommit mode, its work committed on its own while the
            // batch reports failure; it is refused instead, and the COMMIT below fails for all.
            if conn.is_autocommit() {
                job(Err(Arc::new(transaction_lost())))
            } else {
                job(Ok(conn))
            }
        })
        .collect();
    let committed = conn.execute_batch("COMMIT").map_err(Arc::new);
    if let Err(e) = &committed {
        tracing::error!(error = %e, writes = completions.len(), "commit failed");
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
    }
    for complete in completions {
        complete(committed.as_ref().err());
    }
}

fn transaction_lost() -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
        Some("an earlier write in this batch rolled its transaction back".to_owned()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer() -> (Writer, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!(
            "pastebin-writer-{}-{:?}.sqlite3",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_file(&path);
        let conn = Connection::open(&path).expect("open");
        conn.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t (k INTEGER PRIMARY KEY)")
            .expect("schema");
        let checkpoints = checkpoint::spawn(&path).expect("checkpoints");
        (Writer::spawn(conn, checkpoints).expect("spawn"), path)
    }

    /// Rows in the database file alone, as if its log were lost: what the checkpoints copied.
    fn rows_in_database_file(path: &std::path::Path) -> Option<i64> {
        let copy = path.with_extension("copy");
        let _ = std::fs::remove_file(copy.with_extension("copy-wal"));
        std::fs::copy(path, &copy).ok()?;
        let conn = Connection::open(&copy).ok()?;
        conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .ok()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn commits_reach_the_database_file_while_the_writer_goes_on() {
        let (writer, path) = writer();
        // Far under the 1,000 pages at which the writer would checkpoint by itself.
        for k in 0..20 {
            writer
                .write(move |c| c.execute("INSERT INTO t VALUES (?1)", [k]))
                .await
                .expect("write");
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let rows = rows_in_database_file(&path);
            if rows == Some(20) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the database file still holds {rows:?} of 20 rows: nothing copied the log"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        drop(writer);
        remove_database(&path);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_stays_bounded_under_sustained_writes() {
        let (writer, path) = writer();
        let writer = Arc::new(writer);
        writer
            .write(|c| c.execute("CREATE TABLE b (k INTEGER PRIMARY KEY, v BLOB)", []))
            .await
            .expect("table");
        // 12 MiB of rows, 64 writers at a time: a log nothing copied back would outgrow the bound.
        for chunk in 0..192 {
            let tasks: Vec<_> = (0..64)
                .map(|i| {
                    let writer = writer.clone();
                    tokio::spawn(async move {
                        writer
                            .write(move |c| {
                                c.execute(
                                    "INSERT INTO b VALUES (?1, ?2)",
                                    rusqlite::params![chunk * 64 + i, vec![7u8; 1024]],
                                )
                            })
                            .await
                    })
                })
                .collect();
            for task in tasks {
                task.await.expect("task").expect("write");
            }
        }
        let log = std::fs::metadata(path.with_extension("sqlite3-wal")).map_or(0, |m| m.len());
        assert!(log <= 8 << 20, "the write-ahead log grew to {log} bytes");
        drop(writer);
        remove_database(&path);
    }

    fn remove_database(path: &std::path::Path) {
        for suffix in [
            "sqlite3",
            "sqlite3-wal",
            "sqlite3-shm",
            "copy",
            "copy-wal",
            "copy-shm",
        ] {
            let _ = std::fs::remove_file(path.with_extension(suffix));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_all_commit_and_one_failure_spoils_only_itself() {
        let (writer, path) = writer();
        let writer = Arc::new(writer);
        let tasks: Vec<_> = (0..200)
            .map(|k| {
                let writer = writer.clone();
                tokio::spawn(async move {
                    writer
                        .write(move |c| {
                            // Key 7 twice in one statement: a constraint failure mid-statement.
                            let sql = if k == 7 {
                                "INSERT INTO t VALUES (1000), (1000)"
                            } else {
                                "INSERT INTO t VALUES (?1)"
                            };
                            if k == 7 {
                                c.execute(sql, [])
                            } else {
                                c.execute(sql, [k])
                            }
                        })
                        .await
                })
            })
            .collect();
        for (k, task) in tasks.into_iter().enumerate() {
            let result = task.await.expect("task");
            assert_eq!(result.is_err(), k == 7, "write {k}: {result:?}");
        }
        drop(writer);
        let conn = Connection::open(&path).expect("reopen");
        let (rows, max): (i64, i64) = conn
            .query_row("SELECT count(*), max(k) FROM t", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("count");
        // All but the failed one are there, and nothing of the failed one's partial work.
        assert_eq!((rows, max), (199, 199));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn once_a_write_loses_the_transaction_the_rest_of_its_batch_is_refused() {
        use std::time::Duration;
        let (writer, path) = writer();
        let writer = Arc::new(writer);
        let submit = |sql: &'static str, pause: Duration| {
            let writer = writer.clone();
            tokio::spawn(async move {
                writer
                    .write(move |c| {
                        std::thread::sleep(pause);
                        c.execute_batch(sql)
                    })
                    .await
            })
        };
        // The first write holds the writer while the next two queue up: they form one batch.
        let first = submit("INSERT INTO t VALUES (1)", Duration::from_millis(300));
        tokio::time::sleep(Duration::from_millis(100)).await;
        let breaker = submit("ROLLBACK", Duration::ZERO);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let follower = submit("INSERT INTO t VALUES (2)", Duration::ZERO);
        assert!(first.await.expect("task").is_ok());
        assert!(breaker.await.expect("task").is_err());
        assert!(follower.await.expect("task").is_err());
        drop(writer);
        let conn = Connection::open(&path).expect("reopen");
        let keys: Vec<i64> = conn
            .prepare("SELECT k FROM t ORDER BY k")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("keys");
        // The follower was told it failed, so its row must not exist either.
        assert_eq!(keys, [1]);
    }
}
