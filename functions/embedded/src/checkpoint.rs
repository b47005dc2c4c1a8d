//! Checkpoints beside the write path.
//!
//! In WAL mode a commit appends to the log, and a checkpoint copies the log back into the
//! database file and syncs it. SQLite's automatic checkpoint runs inside the commit that takes the
//! log past 1,000 pages, on the writer thread, so every create queued behind that batch waited for
//! the whole copy: under load, a create's 99th percentile was that wait. Here a thread of its own,
//! on its own connection, copies the log as soon as a commit lands (`PASSIVE`: it never waits for
//! the writer, which goes on appending). The next write restarts the log from its beginning once
//! every page in it has been copied (and no reader still needs it), which with the copy kept
//! current happens long before 1,000 pages; the writer's own checkpoint stays on as the fallback
//! that bounds the log if this thread falls behind (when the two meet, the writer's gives way:
//! SQLite drops a busy automatic checkpoint). Durability is unchanged: a commit is durable in
//! the log before it is acknowledged, whoever copies it later.

use std::path::Path;
use std::sync::mpsc;

use rusqlite::Connection;

use crate::schema;

/// Told of each commit by the writer; the checkpoint thread ends, after a last pass, when this
/// is dropped.
pub struct Trigger {
    commits: mpsc::SyncSender<()>,
}

impl Trigger {
    pub fn committed(&self) {
        // A full slot means a pass is already due, and it will cover this commit too.
        let _ = self.commits.try_send(());
    }
}

/// Starts the thread that copies the log of the database at `path`.
pub fn spawn(path: &Path) -> rusqlite::Result<Trigger> {
    let conn = Connection::open(path)?;
    schema::configure(&conn)?;
    let (commits, pending) = mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("sqlite-checkpoint".to_owned())
        .spawn(move || run(&conn, &pending));
    if let Err(e) = spawned {
        // The writer's own checkpoints still bound the log, only on the write path.
        tracing::error!(error = %e, "cannot start the checkpoint thread");
    }
    Ok(Trigger { commits })
}

fn run(conn: &Connection, pending: &mpsc::Receiver<()>) {
    while pending.recv().is_ok() {
        pass(conn);
    }
    // The writer is gone: leave the database file up to date for whoever opens it next.
    pass(conn);
}

fn pass(conn: &Connection) {
    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
        tracing::warn!(error = %e, "checkpoint failed");
    }
}
