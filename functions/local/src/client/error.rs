use std::path::PathBuf;

use super::seal::SealError;

/// Everything a client command can fail with; each is one line on stderr.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the input is not UTF-8 text: only text can be pasted")]
    NotText,
    #[error("cannot write the paste out: {0}")]
    Write(#[source] std::io::Error),
    #[error("{0}")]
    Link(String),
    #[error("cannot reach the server: {0}")]
    Http(#[source] reqwest::Error),
    #[error("the server answered {status}: {message}")]
    Server { status: u16, message: String },
    #[error("this paste is deleted once read: pass --yes to read it (and delete it)")]
    NeedsReveal,
    #[error(
        "this paste is encrypted and the link has no key: use the whole link, with the part after #"
    )]
    NoKey,
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error("no folder for this machine's list of pastes: set PASTEBIN_STATE_DIR or HOME")]
    NoStateDir,
    #[error("the list of pastes in {} cannot be used: {reason}", path.display())]
    State { path: PathBuf, reason: String },
    #[error(
        "this machine did not create that paste (or has deleted it already): no delete token is kept for it"
    )]
    NoToken,
}
