//! The backend goes away mid-run and comes back: requests in between get 503 with
//! `Retry-After`, nothing half-written is left, and every acknowledged paste still reads.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{large_text, require_endpoint, spawn_server};

/// A ministack of this test's own (the shared one must stay up), persisting its state so that a
/// restart brings the data back.
struct Ministack {
    port: u16,
    state: PathBuf,
    child: Option<Child>,
}

impl Ministack {
    fn start(port: u16, state: PathBuf) -> Self {
        let bin = std::env::var("PASTEBIN_TEST_MINISTACK").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/ministack").to_owned()
        });
        let child = Command::new(bin)
            .env("BIND_HOST", "127.0.0.1")
            .env("GATEWAY_PORT", port.to_string())
            .env("PERSIST_STATE", "1")
            .env("STATE_DIR", state.join("state"))
            .env("S3_PERSIST", "1")
            .env("S3_DATA_DIR", state.join("s3"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ministack (installed by scripts/test into .venv)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "ministack did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Self {
            port,
            state,
            child: Some(child),
        }
    }

    /// Graceful stop (SIGTERM), which is when ministack saves its state.
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Ministack {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.state);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_outage_is_503_and_leaves_nothing_half_written() {
    require_endpoint();
    let state = std::env::temp_dir().join(format!(
        "pastebin-outage-{}",
        pastebin_core::random_alphanumeric(8)
    ));
    let mut ministack = Ministack::start(free_port(), state.clone());
    let endpoint = format!("http://127.0.0.1:{}", ministack.port);
    let suffix = pastebin_core::random_alphanumeric(8).to_ascii_lowercase();
    let server = spawn_server(&endpoint, &format!("outage-{suffix}"), &[]);
    let base = server.base.clone();
    let http = crate::common::http_client()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();

    let mut acknowledged = Vec::new();
    for content in [
        "small before".to_owned(),
        large_text(40 * 1024, "large before"),
    ] {
        let url = http
            .post(format!("{base}/"))
            .body(content.clone())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        acknowledged.push((url.trim().to_owned(), content));
    }

    ministack.stop();
    for res in [
        http.post(format!("{base}/"))
            .body("during the outage")
            .send()
            .await
            .unwrap(),
        http.post(format!("{base}/"))
            .body(large_text(40 * 1024, "large during"))
            .send()
            .await
            .unwrap(),
        http.get(&acknowledged[0].0).send().await.unwrap(),
        http.get(format!("{base}/health")).send().await.unwrap(),
    ] {
        assert_eq!(res.status(), 503);
        assert!(res.headers().contains_key("retry-after"));
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"], "unavailable");
    }

    let mut ministack = Ministack::start(ministack.port, state);
    for (url, content) in &acknowledged {
        let res = http.get(url).send().await.unwrap();
        assert_eq!(res.status(), 200, "{url}");
        assert_eq!(&res.text().await.unwrap(), content);
    }
    // Nothing from the failed creates: every paste item is one we acknowledged.
    let clients = {
        let config = aws_sdk_dynamodb::config::Builder::new()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .http_client(pastebin_aws::https_client(pastebin_aws::Roots::System))
            .endpoint_url(&endpoint)
            .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "test", "test", None, None, "static",
            ))
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    };
    let items = clients
        .scan()
        .table_name(format!("outage-{suffix}"))
        .send()
        .await
        .unwrap();
    let paste_ids: Vec<String> = items
        .items()
        .iter()
        .filter_map(|i| i.get("id")?.as_s().ok().cloned())
        .filter(|id| !id.contains('#'))
        .collect();
    let acknowledged_ids: Vec<String> = acknowledged
        .iter()
        .map(|(u, _)| u.rsplit('/').next().unwrap().to_owned())
        .collect();
    for id in &paste_ids {
        assert!(acknowledged_ids.contains(id), "orphan paste item {id}");
    }
    assert_eq!(paste_ids.len(), acknowledged_ids.len());

    drop(server);
    ministack.stop();
}
