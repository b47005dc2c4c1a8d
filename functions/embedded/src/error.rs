use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error("cannot create the data directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot start the writer thread for {path}: {source}")]
    Spawn {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the database {path} has schema version {found}; this build understands up to {supported}"
    )]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the transaction holding this write did not commit: {0}")]
    Commit(std::sync::Arc<rusqlite::Error>),
    #[error("the database writer has stopped")]
    WriterStopped,
    #[error(
        "the data directory's file system has {free} bytes free, under the {needed} a paste may need"
    )]
    LowOnSpace { free: u64, needed: u64 },
    #[error("checking the data directory: {0}")]
    Io(std::io::Error),
    #[error("a storage task stopped unexpectedly: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl From<EmbeddedError> for pastebin_core::StoreError {
    fn from(e: EmbeddedError) -> Self {
        Self::backend(e)
    }
}
