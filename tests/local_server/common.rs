//! Starts the real `pastebin` binary on a free loopback port with its own data directory — or,
//! with `PASTEBIN_TEST_URL`, points the suite at a deployed API (scripts/e2e-lambda: API Gateway
//! → Lambda → DynamoDB/S3 on ministack).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Server {
    pub base: String,
    pub data_dir: PathBuf,
    child: Option<Child>,
    env: Vec<(String, String)>,
    keep_dir: bool,
}

/// Settings every test server gets unless a test overrides them: rate limits high enough for
/// the concurrency tests, so only the rate-limit test ever sees a 429.
const DEFAULTS: &[(&str, &str)] = &[
    ("PASTEBIN_CREATE_RATE", "100000"),
    ("PASTEBIN_READ_RATE", "0"),
    ("PASTEBIN_LOG", "warn"),
];

impl Server {
    pub fn start() -> Self {
        if let Some(base) = external_url() {
            return Self {
                base,
                data_dir: PathBuf::new(),
                child: None,
                env: Vec::new(),
                keep_dir: true,
            };
        }
        Self::with_env(&[])
    }

    pub fn with_env(env: &[(&str, &str)]) -> Self {
        assert!(
            external_url().is_none(),
            "a test needing its own server must check local_only() first"
        );
        let data_dir = std::env::temp_dir().join(format!(
            "pastebin-test-{}",
            pastebin_core::random_alphanumeric(12)
        ));
        let mut vars: Vec<(String, String)> = DEFAULTS
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if store_is_aws() {
            // A table and bucket per server, so that no test sees another's rate counters.
            let suffix = pastebin_core::random_alphanumeric(10).to_ascii_lowercase();
            for (k, v) in [
                ("PASTEBIN_STORE", "aws".to_owned()),
                ("PASTEBIN_TABLE", format!("suite-{suffix}")),
                ("PASTEBIN_BUCKET", format!("suite-{suffix}")),
                (
                    "PASTEBIN_HASH_KEY",
                    "suite-hash-key-0123456789abcdef0123456789".to_owned(),
                ),
                ("PASTEBIN_CREATE_RESOURCES", "true".to_owned()),
            ] {
                vars.push((k.to_owned(), v));
            }
        }
        vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Self::spawn(data_dir, vars)
    }

    fn spawn(data_dir: PathBuf, env: Vec<(String, String)>) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pastebin"));
        cmd.env("PASTEBIN_ADDR", "127.0.0.1:0")
            .env("PASTEBIN_DATA_DIR", &data_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start the pastebin binary");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the listening line");
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .expect("the first line is `listening on URL`")
            .to_owned();
        Self {
            base,
            data_dir,
            child: Some(child),
            env,
            keep_dir: false,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGKILL, no chance to flush anything, then a new process on the same data directory.
    pub fn kill9_and_restart(mut self) -> Self {
        let child = self.child.as_mut().expect("a server this test started");
        child.kill().expect("kill -9 the server");
        child.wait().expect("reap the server");
        self.keep_dir = true;
        Self::spawn(self.data_dir.clone(), self.env.clone())
    }

    /// SIGTERM, then how long the process took to exit (`None`: still running after `patience`).
    pub fn terminate(&mut self, patience: Duration) -> Option<Duration> {
        let child = self.child.as_mut().expect("a server this test started");
        let started = std::time::Instant::now();
        Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()
            .expect("send SIGTERM");
        while started.elapsed() < patience {
            if child.try_wait().expect("poll the server").is_some() {
                return Some(started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// The `host:port` the server listens on.
    pub fn addr(&self) -> String {
        self.base.trim_start_matches("http://").to_owned()
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("pastes.sqlite3")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if !self.keep_dir {
            let _ = std::fs::remove_dir_all(&self.data_dir);
        }
    }
}

/// The deployed API under test, if any.
pub fn external_url() -> Option<String> {
    std::env::var("PASTEBIN_TEST_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// True (and says why) when the suite runs against a deployed API and this test needs a server
/// of its own: its own settings, a kill -9, its socket, or its SQLite file.
pub fn local_only(why: &str) -> bool {
    let external = external_url().is_some();
    if external {
        eprintln!("not applicable to a deployed API: {why}");
    }
    external
}

/// `PASTEBIN_TEST_STORE=aws` runs this whole suite on DynamoDB + S3 (ministack), as
/// scripts/test does after the embedded run.
pub fn store_is_aws() -> bool {
    std::env::var("PASTEBIN_TEST_STORE").is_ok_and(|s| s == "aws")
}

/// A client as the suite's callers are: against a deployed API it also sends the origin secret,
/// as CloudFront does (`PASTEBIN_TEST_ORIGIN_SECRET`).
pub fn client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(secret) = std::env::var("PASTEBIN_TEST_ORIGIN_SECRET")
        .ok()
        .filter(|s| !s.is_empty())
    {
        headers.insert("x-origin-verify", secret.parse().expect("a header value"));
    }
    // reqwest uses the product's TLS provider (ring), installed once per process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .default_headers(headers)
        .build()
        .expect("http client")
}

/// The id at the end of a share URL.
pub fn id_of(url: &str) -> String {
    url.trim().rsplit('/').next().unwrap_or_default().to_owned()
}

/// A `multipart/form-data` body: `(name, file name, bytes)` per part.
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----pastebin-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, file, data) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes()),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// One raw HTTP/1.1 exchange: for requests reqwest will not send (a Content-Length with no body,
/// hand-made chunking). Returns as soon as one whole response has arrived.
pub async fn raw_exchange(base: &str, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("send");
    let mut response = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            response.extend_from_slice(&buf[..n]);
            if is_complete(&response) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(10), read).await;
    String::from_utf8_lossy(&response).into_owned()
}

fn is_complete(response: &[u8]) -> bool {
    let text = String::from_utf8_lossy(response);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let length = head.lines().find_map(|l| {
        l.to_ascii_lowercase()
            .strip_prefix("content-length:")
            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
    });
    length.is_some_and(|n| body.len() >= n)
}

/// GETs `path`: the response, whatever its status.
pub async fn get(s: &Server, path: &str) -> reqwest::Response {
    client()
        .get(s.url(path))
        .send()
        .await
        .expect("the server answers")
}

/// POSTs `body` as JSON to `path`: the response, whatever its status.
pub async fn post_json(s: &Server, path: &str, body: &serde_json::Value) -> reqwest::Response {
    client()
        .post(s.url(path))
        .json(body)
        .send()
        .await
        .expect("the server answers")
}

/// POSTs `body` to `path` and returns the response's text (a create: the share URL).
pub async fn post_text(s: &Server, path: &str, body: impl Into<reqwest::Body>) -> String {
    text_of(client().post(s.url(path)).body(body)).await
}

/// The body of `path` as a browser asks for it (`Accept: text/html`).
pub async fn html_page(s: &Server, path: &str) -> String {
    text_of(
        client()
            .get(s.url(path))
            .header(reqwest::header::ACCEPT, "text/html"),
    )
    .await
}

async fn text_of(request: reqwest::RequestBuilder) -> String {
    request
        .send()
        .await
        .expect("the server answers")
        .text()
        .await
        .expect("a text body")
}
