//! The command-line client: `pastebin put` and `pastebin get`, talking to any deployment of
//! this pastebin over its JSON API. Encryption happens here, before anything is sent.

mod error;
mod link;
mod seal;
mod state;

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use serde::Deserialize;
use serde_json::json;

pub use error::ClientError;
use link::Link;
use seal::Meta;
use state::{Entry, State};

/// The local server's own address: where a client points when nothing else is said.
const DEFAULT_SERVER: &str = "http://127.0.0.1:3000";

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (what `pastebin` with no command does).
    Serve,
    /// Paste a file, or standard input, and print its link.
    Put(PutArgs),
    /// Print a paste's text (decrypting it when the link carries a key).
    Get(GetArgs),
    /// Delete a paste this machine created (its token was kept by `put`).
    Delete(DeleteArgs),
    /// The pastes this machine created that have not expired or been deleted from it.
    List,
}

#[derive(Args, Debug)]
pub struct PutArgs {
    /// The file to paste; standard input when absent or `-`.
    file: Option<PathBuf>,
    /// Encrypt in this client: the server stores only ciphertext, and the printed link carries
    /// the key after `#`.
    #[arg(long)]
    encrypt: bool,
    /// How long the paste lives (e.g. 10m, 1h, 1d, 7d).
    #[arg(long)]
    expires: Option<String>,
    /// Delete the paste once it has been read.
    #[arg(long)]
    burn: bool,
    /// Language, for highlighting (e.g. rust, py).
    #[arg(long)]
    syntax: Option<String>,
    #[arg(long)]
    title: Option<String>,
    #[command(flatten)]
    server: Server,
}

#[derive(Args, Debug)]
pub struct GetArgs {
    /// The paste's link as shared (`https://host/ID#KEY`), or its id.
    link: String,
    /// Read a burn-after-reading paste, which deletes it.
    #[arg(long)]
    yes: bool,
    #[command(flatten)]
    server: Server,
}

#[derive(Args, Debug)]
pub struct DeleteArgs {
    /// The paste's link, or its id.
    link: String,
    #[command(flatten)]
    server: Server,
}

#[derive(Args, Debug)]
struct Server {
    /// The pastebin to talk to (for `get`, only when the link is a bare id).
    #[arg(long, env = "PASTEBIN_SERVER", default_value = DEFAULT_SERVER)]
    server: String,
}

/// Runs a client command; `Serve` is the caller's.
pub async fn run(command: Command) -> Result<(), ClientError> {
    match command {
        Command::Serve => Ok(()),
        Command::Put(args) => put(args).await,
        Command::Get(args) => get(args).await,
        Command::Delete(args) => delete(args).await,
        Command::List => list(),
    }
}

fn http() -> Result<reqwest::Client, ClientError> {
    // rustls with ring, as the functions use: installed once, before the first connection.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(concat!("pastebin-cli/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .map_err(ClientError::Http)
}

#[derive(Deserialize)]
struct ServerError {
    message: String,
}

/// The response's body as `T`, or the server's own message as the error.
async fn answer<T: serde::de::DeserializeOwned>(res: reqwest::Response) -> Result<T, ClientError> {
    let status = res.status();
    if status.is_success() {
        return res.json().await.map_err(ClientError::Http);
    }
    let message = match res.json::<ServerError>().await {
        Ok(e) => e.message,
        Err(_) => status.canonical_reason().unwrap_or("error").to_owned(),
    };
    Err(ClientError::Server {
        status: status.as_u16(),
        message,
    })
}

fn read_input(file: Option<&PathBuf>) -> Result<String, ClientError> {
    let mut bytes = Vec::new();
    match file.filter(|f| f.as_os_str() != "-") {
        Some(path) => {
            bytes = std::fs::read(path).map_err(|source| ClientError::Read {
                path: path.clone(),
                source,
            })?;
        }
        None => {
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|source| ClientError::Read {
                    path: "standard input".into(),
                    source,
                })?;
        }
    }
    String::from_utf8(bytes).map_err(|_| ClientError::NotText)
}

#[derive(Deserialize)]
struct Created {
    id: String,
    url: String,
    delete_token: String,
    expires_at: String,
    #[serde(default)]
    burn_after_reading: bool,
}

/// Uploads above this show their progress (when stderr is a terminal).
const PROGRESS_FROM_BYTES: usize = 256 * 1024;
/// Attempts of a create that fails in transit or meets a 502/503/504; its Idempotency-Key makes
/// every retry land on the paste the first attempt may already have made.
const CREATE_ATTEMPTS: u32 = 3;

async fn put(args: PutArgs) -> Result<(), ClientError> {
    let text = read_input(args.file.as_ref())?;
    let mut body = json!({
        "expires_in": args.expires,
        "burn_after_reading": args.burn,
    });
    let key = if args.encrypt {
        let meta = Meta {
            title: args.title,
            syntax: args.syntax,
        };
        let sealed = seal::seal(&text, &meta)?;
        body["content"] = sealed.content.into();
        body["encrypted"] = true.into();
        Some(sealed.key)
    } else {
        body["content"] = text.into();
        body["title"] = args.title.into();
        body["syntax"] = args.syntax.into();
        None
    };
    let body = serde_json::to_vec(&body).unwrap_or_default();
    let base = args.server.server.trim_end_matches('/');
    let idempotency_key = pastebin_core::random_alphanumeric(32);
    let http = http()?;
    let mut attempt = 1;
    let res = loop {
        let sent = http
            .post(format!("{base}/pastes"))
            .header("content-type", "application/json")
            .header("idempotency-key", &idempotency_key)
            .header("content-length", body.len())
            .body(upload(body.clone()))
            .send()
            .await;
        let transient = match &sent {
            Ok(res) => matches!(res.status().as_u16(), 502..=504),
            Err(e) => e.is_connect() || e.is_timeout() || e.is_request(),
        };
        if !transient || attempt == CREATE_ATTEMPTS {
            break sent.map_err(ClientError::Http)?;
        }
        eprintln!(
            "pastebin: the create did not get through; retrying (attempt {} of {CREATE_ATTEMPTS})",
            attempt + 1
        );
        tokio::time::sleep(Duration::from_secs(u64::from(attempt))).await;
        attempt += 1;
    };
    let created: Created = answer(res).await?;
    let link = match &key {
        Some(key) => format!("{}#{key}", created.url),
        None => created.url.clone(),
    };
    let kept = State::load().and_then(|mut state| {
        state.entries.retain(|e| e.id != created.id);
        state.entries.push(Entry {
            link: link.clone(),
            id: created.id.clone(),
            delete_token: created.delete_token.clone(),
            expires_at: created.expires_at.clone(),
            burn_after_reading: created.burn_after_reading,
            encrypted: key.is_some(),
        });
        state.save()
    });
    println!("{link}");
    if let Err(e) = kept {
        // Not kept: the token is shown, once, rather than lost.
        eprintln!(
            "pastebin: {e}; delete token (shown once): {}",
            created.delete_token
        );
    }
    Ok(())
}

/// The request body: as it is, or, for a large upload to a terminal, read out in pieces that
/// report how far the upload has got.
fn upload(body: Vec<u8>) -> reqwest::Body {
    if body.len() < PROGRESS_FROM_BYTES || !std::io::stderr().is_terminal() {
        return body.into();
    }
    let total = body.len();
    let chunks: Vec<Vec<u8>> = body.chunks(64 * 1024).map(<[u8]>::to_vec).collect();
    let mut sent = 0;
    let stream = futures_util::stream::iter(chunks.into_iter().map(move |chunk| {
        sent += chunk.len();
        let percent = sent * 100 / total;
        eprint!("\rpastebin: uploading {percent}% of {} KiB", total / 1024);
        if sent == total {
            eprint!("\r\x1b[K");
        }
        Ok::<_, std::io::Error>(chunk)
    }));
    reqwest::Body::wrap_stream(stream)
}

async fn delete(args: DeleteArgs) -> Result<(), ClientError> {
    let link = Link::parse(&args.link, &args.server.server)?;
    let mut state = State::load()?;
    let entry = state
        .entries
        .iter()
        .find(|e| e.id == link.id.as_str())
        .cloned()
        .ok_or(ClientError::NoToken)?;
    let base = Link::parse(&entry.link, &args.server.server)?.base;
    let res = http()?
        .delete(format!("{base}/pastes/{}", link.id))
        .header("x-delete-token", &entry.delete_token)
        .send()
        .await
        .map_err(ClientError::Http)?;
    match res.status().as_u16() {
        // Gone either way: forgotten here too.
        204 | 404 => {
            state.entries.retain(|e| e.id != entry.id);
            state.save()
        }
        _ => answer::<serde_json::Value>(res).await.map(drop),
    }
}

fn list() -> Result<(), ClientError> {
    let mut state = State::load()?;
    let now = pastebin_core::Clock::now(&pastebin_core::SystemClock).to_rfc3339();
    // Server times are fixed-width RFC 3339 in UTC: they compare as text.
    let before = state.entries.len();
    state.entries.retain(|e| e.expires_at > now);
    if state.entries.len() != before {
        state.save()?;
    }
    let mut out = std::io::stdout().lock();
    for e in &state.entries {
        let mut flags = String::new();
        if e.burn_after_reading {
            flags.push_str("  burn after reading");
        }
        if e.encrypted {
            flags.push_str("  encrypted");
        }
        writeln!(out, "{}  expires {}{flags}", e.link, e.expires_at).map_err(ClientError::Write)?;
    }
    Ok(())
}

/// Asks on the terminal whether to reveal (and so delete) a burn-after-reading paste; without
/// a terminal to ask on, the answer is no.
fn confirm_reveal() -> Result<bool, ClientError> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(false);
    }
    eprint!("This paste is deleted once read: nobody can open it after you. Reveal it now? [y/N] ");
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|source| ClientError::Read {
            path: "the terminal".into(),
            source,
        })?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

/// The `409` a burn-after-reading paste answers a plain read with.
#[derive(Deserialize)]
struct BurnError {
    #[serde(default)]
    encrypted: bool,
}

#[derive(Deserialize)]
struct Fetched {
    content: String,
    #[serde(default)]
    encrypted: bool,
}

async fn get(args: GetArgs) -> Result<(), ClientError> {
    let link = Link::parse(&args.link, &args.server.server)?;
    let http = http()?;
    let res = http
        .get(format!("{}/pastes/{}", link.base, link.id))
        .send()
        .await
        .map_err(ClientError::Http)?;
    let res = if res.status() == reqwest::StatusCode::CONFLICT {
        let burn: BurnError = res.json().await.map_err(ClientError::Http)?;
        // Revealed without its key, an encrypted paste would be deleted unread.
        if burn.encrypted && link.key.is_none() {
            return Err(ClientError::NoKey);
        }
        if !args.yes && !confirm_reveal()? {
            return Err(ClientError::NeedsReveal);
        }
        http.post(format!("{}/pastes/{}/reveal", link.base, link.id))
            .send()
            .await
            .map_err(ClientError::Http)?
    } else {
        res
    };
    let fetched: Fetched = answer(res).await?;
    let text = match (fetched.encrypted, &link.key) {
        (true, Some(key)) => seal::open(&fetched.content, key)?.0,
        (true, None) => return Err(ClientError::NoKey),
        (false, _) => fetched.content,
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(ClientError::Write)
}
