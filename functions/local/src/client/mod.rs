//! The command-line client: `pastebin put` and `pastebin get`, talking to any deployment of
//! this pastebin over its JSON API. Encryption happens here, before anything is sent.

mod error;
mod link;
mod seal;

use std::io::{Read, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde::Deserialize;
use serde_json::json;

pub use error::ClientError;
use link::Link;
use seal::Meta;

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
    url: String,
    delete_token: String,
}

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
    let base = args.server.server.trim_end_matches('/');
    let res = http()?
        .post(format!("{base}/pastes"))
        .json(&body)
        .send()
        .await
        .map_err(ClientError::Http)?;
    let created: Created = answer(res).await?;
    let link = match key {
        Some(key) => format!("{}#{key}", created.url),
        None => created.url,
    };
    println!("{link}");
    eprintln!("delete token (shown once): {}", created.delete_token);
    Ok(())
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
        if !args.yes {
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
