//! The command-line client against the real server: put, list, get, delete as a user types
//! them; its state file; its errors; and a create whose reply is lost, retried with its
//! Idempotency-Key into one paste. The client sends no origin secret: local servers only.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::common::{Server, get, id_of, local_only, store_is_aws};

/// The client binary pointed at one server, with a state folder of its own.
pub struct Cli {
    server: String,
    pub state: PathBuf,
}

impl Cli {
    pub fn new(server: String) -> Self {
        let state = std::env::temp_dir().join(format!(
            "pastebin-cli-state-{}",
            pastebin_core::random_alphanumeric(10)
        ));
        Self { server, state }
    }

    /// `(exit ok, stdout, stderr)` of `pastebin ARGS < input`.
    pub fn run(&self, args: &[&str], input: &[u8]) -> (bool, String, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pastebin"))
            .args(args)
            .env("PASTEBIN_SERVER", &self.server)
            .env("PASTEBIN_STATE_DIR", &self.state)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.state);
    }
}

#[tokio::test]
async fn put_list_get_delete_as_a_user_types_them() {
    if local_only("the client sends no origin secret") {
        return;
    }
    let s = Server::start();
    let cli = Cli::new(s.url(""));

    // put from stdin and from a file: the URL and nothing else on stdout.
    let (ok, url, err) = cli.run(
        &["put", "--syntax", "rust", "--title", "demo"],
        b"fn main() {}\n",
    );
    assert!(ok, "{err}");
    let url = url.trim_end().to_owned();
    assert!(url.starts_with(&s.url("/")) && !url.contains(' '), "{url}");
    assert!(err.is_empty(), "nothing on stderr: {err}");
    let file = cli.state.with_extension("notes.txt");
    std::fs::write(&file, "from a file\n").unwrap();
    let (ok, second, err) = cli.run(
        &["put", "--expires", "1h", "--burn", file.to_str().unwrap()],
        b"",
    );
    assert!(ok, "{err}");
    let second = second.trim_end().to_owned();
    let _ = std::fs::remove_file(&file);

    // The state file: tokens for this user's eyes only.
    let state = cli.state.join("pastes.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&state).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let kept: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(kept.as_array().unwrap().len(), 2);

    // list: both, the burn one marked.
    let (ok, listed, _) = cli.run(&["list"], b"");
    assert!(ok);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert!(lines[0].starts_with(&format!("{url}  expires ")));
    assert!(lines[1].starts_with(&second) && lines[1].ends_with("burn after reading"));

    // get: raw text; a burn paste only with --yes (there is no terminal to ask on), once.
    let (ok, text, _) = cli.run(&["get", &url], b"");
    assert!(ok);
    assert_eq!(text, "fn main() {}\n");
    let (ok, _, err) = cli.run(&["get", &second], b"");
    assert!(
        !ok && err.starts_with("pastebin: ") && err.contains("--yes"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    let (ok, text, _) = cli.run(&["get", "--yes", &second], b"");
    assert!(ok);
    assert_eq!(text, "from a file\n");
    let (ok, _, err) = cli.run(&["get", "--yes", &second], b"");
    assert!(
        !ok && err.contains("404") && err.contains("no such paste"),
        "the server's message: {err}"
    );

    // delete with the kept token; then it is gone here and there.
    let (ok, _, err) = cli.run(&["delete", &url], b"");
    assert!(ok, "{err}");
    let gone = get(&s, &format!("/raw/{}", id_of(&url))).await;
    assert_eq!(gone.status(), 404);
    let (_, listed, _) = cli.run(&["list"], b"");
    assert!(!listed.contains(&url), "{listed}");
    let (ok, _, err) = cli.run(&["delete", &url], b"");
    assert!(!ok && err.contains("no delete token"), "{err}");
}

#[tokio::test]
async fn errors_are_one_line_with_the_servers_message_and_a_failing_exit() {
    if local_only("the client sends no origin secret") {
        return;
    }
    let s = Server::start();
    let cli = Cli::new(s.url(""));
    for (args, input, says) in [
        (vec!["put"], &b""[..], "the paste is empty"),
        (vec!["put"], &b"\xff\xfe"[..], "not UTF-8"),
        (vec!["put", "--expires", "9d"], &b"x"[..], "expires_in"),
        (vec!["get", "not-an-id"], &b""[..], "paste id"),
    ] {
        let (ok, out, err) = cli.run(&args, input);
        assert!(!ok && out.is_empty(), "{args:?}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let nowhere = Cli::new("http://127.0.0.1:9".to_owned());
    let (ok, _, err) = nowhere.run(&["get", "AbCdEfGhIj"], b"");
    assert!(!ok && err.contains("cannot reach the server"), "{err}");
}

/// Forwards connections to `upstream`; the first create's reply is dropped after the server
/// has answered it, as when a network fails on the way back.
async fn lossy_proxy(upstream: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut first = true;
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                return;
            };
            let mut outbound = TcpStream::connect(&upstream).await.unwrap();
            if std::mem::take(&mut first) {
                tokio::spawn(async move {
                    let request = read_request(&mut inbound).await;
                    outbound.write_all(&request).await.unwrap();
                    // Wait for the server's answer, then lose it.
                    let mut buf = vec![0u8; 64 * 1024];
                    let _ = outbound.read(&mut buf).await;
                    drop(inbound);
                });
            } else {
                tokio::spawn(async move {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                });
            }
        }
    });
    format!("http://{addr}")
}

// Two workers: the client runs as a blocking child process while the proxy serves it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_whose_reply_is_lost_is_retried_into_one_paste() {
    if local_only("the client sends no origin secret") {
        return;
    }
    let s = Server::start();
    let cli = Cli::new(lossy_proxy(s.addr()).await);
    let content = format!("exactly once {}\n", pastebin_core::random_alphanumeric(8));
    let (ok, url, err) = cli.run(&["put"], content.as_bytes());
    assert!(ok, "{err}");
    assert!(err.contains("retrying"), "{err}");
    let id = id_of(url.trim());
    let read = get(&s, &format!("/raw/{id}")).await;
    assert_eq!(read.text().await.unwrap(), content);
    if !store_is_aws() {
        assert_eq!(rows_with(&s.db_path(), &content), 1, "one paste, not two");
    }
}

/// One whole HTTP/1.1 request with a Content-Length body.
async fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    let mut request = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "the client closed before sending its request");
        request.extend_from_slice(&buf[..n]);
        let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        if request.len() >= end + 4 + length {
            return request;
        }
    }
}

fn rows_with(db: &Path, content: &str) -> i64 {
    let db = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    db.query_row(
        "SELECT count(*) FROM pastes WHERE content = ?1",
        [content.as_bytes()],
        |r| r.get(0),
    )
    .unwrap()
}
