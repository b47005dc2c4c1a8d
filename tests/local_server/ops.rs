use std::process::Command;

use reqwest::header::{ACCEPT, CONTENT_TYPE};

use crate::common::{Server, client, id_of, post_text};

#[tokio::test]
async fn health_reports_ok_when_the_store_answers() {
    let s = Server::start();
    let res = client().get(s.url("/health")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"status": "ok"})
    );
}

/// A small file system of the test's own, unmounted however the test ends.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    /// `None` where this process may not mount one (not root): the caller says so and stops.
    fn mount(size: &str) -> Option<Self> {
        let dir = std::env::temp_dir().join(format!(
            "pastebin-tmpfs-{}",
            pastebin_core::random_alphanumeric(8)
        ));
        std::fs::create_dir_all(&dir).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Self(dir))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `/health` proves the store can take a paste, not only read: with the disk (nearly) full it is
/// 503, and 200 again once there is room. (A writer thread that died is tested in the
/// embedded store's own tests.)
#[tokio::test]
async fn health_is_503_while_the_embedded_store_cannot_write() {
    if crate::common::local_only("needs the server's data directory")
        || crate::common::store_is_aws()
    {
        return;
    }
    let Some(fs) = Tmpfs::mount("24m") else {
        eprintln!("not run: mounting a tmpfs needs root (CI runs as root)");
        return;
    };
    let data = fs.0.join("data");
    // Declared after the file system, so dropped (killed) before it is unmounted.
    let s = Server::with_env(&[("PASTEBIN_DATA_DIR", data.to_str().unwrap())]);
    let health = || async {
        client()
            .get(s.url("/health"))
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(health().await, 200);

    // Fill the disk.
    let filler = fs.0.join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 64 * 1024];
        while f.write_all(&block).and_then(|()| f.sync_all()).is_ok() {}
    }
    assert_eq!(health().await, 503, "disk full");
    let create = client()
        .post(s.url("/"))
        .body("x".repeat(1 << 20))
        .send()
        .await
        .unwrap();
    assert_eq!(
        create.status(),
        503,
        "a create is refused, not half-written"
    );
    std::fs::remove_file(&filler).unwrap();
    assert_eq!(health().await, 200, "room again");

    let create = client().post(s.url("/")).body("back").send().await.unwrap();
    assert_eq!(create.status(), 201);
}

#[tokio::test]
async fn metrics_count_what_happened_in_prometheus_text() {
    if crate::common::local_only("/metrics is the local server's; Lambda emits EMF") {
        return;
    }
    let s = Server::start();
    let url = post_text(&s, "/", "12345").await;
    client().get(url.trim()).send().await.unwrap();
    client().get(s.url("/AAAAAAAAAA")).send().await.unwrap();
    let res = client().get(s.url("/metrics")).send().await.unwrap();
    assert!(
        res.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = res.text().await.unwrap();
    for line in [
        "pastebin_pastes_created_total 1",
        "pastebin_created_bytes_total 5",
        "pastebin_paste_reads_total 1",
        "pastebin_http_responses_total{class=\"4xx\"} 1",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
}

#[tokio::test]
async fn the_root_is_usage_text_for_curl_and_a_form_for_browsers() {
    let s = Server::start();
    let text = client()
        .get(s.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("curl --data-binary @-") && text.contains(&s.base));
    let res = client()
        .get(s.url("/"))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    let html = res.text().await.unwrap();
    assert!(
        html.contains("<form")
            && html.contains("enctype=\"multipart/form-data\"")
            && html.contains("name=\"content\"")
    );
}

#[tokio::test]
async fn every_html_page_carries_the_security_headers() {
    let s = Server::start();
    let url = post_text(&s, "/", "x").await;
    for path in [
        "/".to_owned(),
        url.trim().trim_start_matches(&s.base).to_owned(),
        "/AAAAAAAAAA".to_owned(),
    ] {
        let res = client()
            .get(s.url(&path))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-frame-options"], "DENY");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline"),
            "{csp}"
        );
    }
}

#[tokio::test]
async fn raw_text_and_json_are_sandboxed_with_nothing_allowed_to_load() {
    let s = Server::start();
    let url = post_text(&s, "/", "<script>alert(1)</script>").await;
    let id = id_of(&url);
    for (path, accept) in [
        (format!("/raw/{id}"), "text/html"),
        (format!("/{id}"), "application/json"),
        ("/AAAAAAAAAA".to_owned(), "application/json"),
    ] {
        let res = client()
            .get(s.url(&path))
            .header(ACCEPT, accept)
            .send()
            .await
            .unwrap();
        let h = res.headers();
        assert!(
            !h["content-type"].to_str().unwrap().starts_with("text/html"),
            "{path}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            h["content-security-policy"], "default-src 'none'; sandbox",
            "{path}"
        );
    }
}

#[tokio::test]
async fn unsupported_methods_are_405_with_allow_and_a_json_body() {
    if crate::common::local_only("API Gateway answers methods it has no route for itself") {
        return;
    }
    let s = Server::start();
    for (method, path) in [
        ("PUT", "/pastes"),
        ("PATCH", "/AAAAAAAAAA"),
        ("QUERY", "/"),
        ("DELETE", "/"),
    ] {
        let res = client()
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                s.url(path),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 405, "{method} {path}");
        assert!(res.headers().contains_key("allow"), "{method} {path}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"], "method_not_allowed");
    }
}

#[tokio::test]
async fn head_requests_and_robots_work() {
    if crate::common::local_only("API Gateway routes GET, not HEAD") {
        return;
    }
    let s = Server::start();
    let res = client().head(s.url("/health")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let robots = client()
        .get(s.url("/robots.txt"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(robots.contains("Disallow: /"));
}

#[test]
fn a_bad_setting_stops_the_server_with_a_message_naming_the_variable() {
    for (var, value) in [
        ("PASTEBIN_MAX_BYTES", "a lot"),
        ("PASTEBIN_ADDR", "nowhere"),
        ("PASTEBIN_MAX_EXPIRY", "1y"),
        ("PASTEBIN_STORE", "floppy"),
        ("PASTEBIN_CREATE_RATE", "-3"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_pastebin"))
            .env(
                "PASTEBIN_DATA_DIR",
                std::env::temp_dir().join("pastebin-never-created"),
            )
            .env(var, value)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{var}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(var), "{var}: {stderr}");
    }
}
