//! What this machine remembers of the pastes it created: their links and delete tokens, so that
//! `pastebin delete URL` needs no token pasted back and `pastebin list` can show them. One JSON
//! file in the user's state directory, readable by its owner only.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::ClientError;

/// One paste this machine created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The link as printed (with `#KEY` for an encrypted paste).
    pub link: String,
    pub id: String,
    pub delete_token: String,
    /// RFC 3339, as the server answered it.
    pub expires_at: String,
    #[serde(default)]
    pub burn_after_reading: bool,
    #[serde(default)]
    pub encrypted: bool,
}

/// `$XDG_STATE_HOME/pastebin`, else the platform's usual place: `~/.local/state/pastebin`,
/// `~/Library/Application Support/pastebin` on macOS, `%LOCALAPPDATA%\pastebin` on Windows.
/// `PASTEBIN_STATE_DIR` overrides all of them.
pub fn dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = var("PASTEBIN_STATE_DIR") {
        return Some(dir);
    }
    if let Some(state) = var("XDG_STATE_HOME") {
        return Some(state.join("pastebin"));
    }
    if cfg!(windows) {
        return var("LOCALAPPDATA").map(|d| d.join("pastebin"));
    }
    let home = var("HOME")?;
    Some(if cfg!(target_os = "macos") {
        home.join("Library/Application Support/pastebin")
    } else {
        home.join(".local/state/pastebin")
    })
}

pub struct State {
    path: PathBuf,
    pub entries: Vec<Entry>,
    /// Held from load to save, so that two commands at once do not lose each other's entries.
    _lock: std::fs::File,
}

impl State {
    /// The remembered pastes (none yet is an empty list), locked for this process until
    /// dropped.
    pub fn load() -> Result<Self, ClientError> {
        let dir = dir().ok_or(ClientError::NoStateDir)?;
        let path = dir.join("pastes.json");
        let failed = |e: std::io::Error| ClientError::State {
            path: path.clone(),
            reason: e.to_string(),
        };
        create_private_dir(&dir).map_err(failed)?;
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("pastes.lock"))
            .map_err(failed)?;
        fs2::FileExt::lock_exclusive(&lock).map_err(failed)?;
        let entries = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| ClientError::State {
                path: path.clone(),
                reason: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                return Err(ClientError::State {
                    path,
                    reason: e.to_string(),
                });
            }
        };
        Ok(Self {
            path,
            entries,
            _lock: lock,
        })
    }

    /// Writes the list back: to a new file (mode 0600) renamed over the old, so that a crash
    /// never leaves half a file and the tokens are never readable by others.
    pub fn save(&self) -> Result<(), ClientError> {
        let failed = |e: std::io::Error| ClientError::State {
            path: self.path.clone(),
            reason: e.to_string(),
        };
        let parent = self.path.parent().unwrap_or(Path::new("."));
        create_private_dir(parent).map_err(failed)?;
        let temp = self
            .path
            .with_extension(format!("json.{}.tmp", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temp).map_err(failed)?;
        let bytes = serde_json::to_vec_pretty(&self.entries).unwrap_or_default();
        file.write_all(&bytes)
            .and_then(|()| file.sync_all())
            .map_err(failed)?;
        std::fs::rename(&temp, &self.path).map_err(failed)
    }
}

/// The state folder, readable by its owner only.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}
