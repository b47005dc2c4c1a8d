use std::process::Command;

use reqwest::header::{ACCEPT, CONTENT_TYPE};

use crate::common::{Server, client};

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

#[tokio::test]
async fn metrics_count_what_happened_in_prometheus_text() {
    if crate::common::local_only("/metrics is the local server's; Lambda emits EMF") {
        return;
    }
    let s = Server::start();
    let url = client()
        .post(s.url("/"))
        .body("12345")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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
    let url = client()
        .post(s.url("/"))
        .body("x")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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
