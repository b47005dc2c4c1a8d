use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE, EXPIRES, VARY};

use crate::common::{Server, client, html_page, id_of, post_text};

async fn create(s: &Server, body: &str, query: &str) -> String {
    let url = post_text(s, &format!("/{query}"), body.to_owned()).await;
    id_of(&url)
}

#[tokio::test]
async fn the_share_link_negotiates_html_for_browsers_and_raw_text_for_everyone_else() {
    let s = Server::start();
    let id = create(&s, "<b>bold?</b>\n", "").await;

    let raw = client().get(s.url(&format!("/{id}"))).send().await.unwrap();
    assert_eq!(raw.status(), 200);
    assert_eq!(raw.headers()[CONTENT_TYPE], "text/plain; charset=utf-8");
    assert_eq!(raw.headers()[VARY], "Accept");
    assert_eq!(raw.text().await.unwrap(), "<b>bold?</b>\n");

    let page = client()
        .get(s.url(&format!("/{id}")))
        .header(ACCEPT, "text/html,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(page.headers()[VARY], "Accept");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("&lt;b&gt;bold?&lt;/b&gt;"),
        "content is escaped"
    );
    assert!(!html.contains("<b>bold"));
    assert!(html.contains(&format!("href=\"/raw/{id}\"")));
}

#[tokio::test]
async fn raw_is_always_plain_text_with_nosniff() {
    let s = Server::start();
    let id = create(&s, "<html><script>alert(1)</script></html>", "").await;
    let res = client()
        .get(s.url(&format!("/raw/{id}")))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[CONTENT_TYPE], "text/plain; charset=utf-8");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        res.text().await.unwrap(),
        "<html><script>alert(1)</script></html>"
    );
    let download = client()
        .get(s.url(&format!("/raw/{id}?download=1")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        download.headers()["content-disposition"],
        format!("attachment; filename=\"{id}.txt\"").as_str()
    );
    let cc = download.headers()[CACHE_CONTROL].to_str().unwrap();
    assert!(
        cc.starts_with("private,"),
        "not invalidated on delete, so never in a shared cache: {cc}"
    );
}

#[tokio::test]
async fn an_extension_on_the_share_link_picks_the_highlighting() {
    let s = Server::start();
    let id = create(&s, "print('hi')", "").await;
    let html = html_page(&s, &format!("/{id}.py")).await;
    assert!(html.contains("class=\"language-python\""), "{html}");
    let raw = client()
        .get(s.url(&format!("/{id}.py")))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.text().await.unwrap(), "print('hi')");
    let cc = client()
        .get(s.url(&format!("/{id}.py")))
        .send()
        .await
        .unwrap()
        .headers()[CACHE_CONTROL]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cc.starts_with("private,"),
        "extension links are never in a shared cache: {cc}"
    );
    let unknown = client()
        .get(s.url(&format!("/{id}.zzz")))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(
        unknown.status(),
        200,
        "unknown extensions are plain text, not errors"
    );
}

/// A shared cache (the CDN) may keep a paste only at the two URLs a delete invalidates; every
/// other form of a read is `private`; no lifetime reaches beyond the paste's own expiry.
#[tokio::test]
async fn every_read_form_has_its_cache_lifetime_within_the_remaining_life() {
    let s = Server::start();
    let id = create(&s, "cache me", "?expires=120").await;
    let mut forms = vec![
        (format!("/{id}"), true),
        (format!("/raw/{id}"), true),
        (format!("/{id}.rs"), false),
        (format!("/raw/{id}.txt"), false),
        (format!("/{id}?utm=x"), false),
        (format!("/raw/{id}?download=1"), false),
        (format!("/pastes/{id}"), false),
    ];
    if crate::common::external_url().is_none() {
        // (API Gateway may decode the path before the function sees it; the CDN's
        // viewer-request function decodes it before its cache does.)
        let first = id.as_bytes()[0];
        forms.push((format!("/%{first:02X}{}", &id[1..]), false));
    }
    for (path, shared) in forms {
        let res = client().get(s.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let expires = httpdate_seconds(res.headers()[EXPIRES].to_str().unwrap());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            .cast_signed();
        assert!(
            (118..=121).contains(&(expires - now)),
            "{path}: Expires is the paste's expiry"
        );
        let cc = res.headers()[CACHE_CONTROL].to_str().unwrap().to_owned();
        assert_eq!(cc.starts_with("public,"), shared, "{path}: {cc}");
        assert_eq!(cc.contains("s-maxage="), shared, "{path}: {cc}");
        assert!(
            cc.starts_with("public,") || cc.starts_with("private,"),
            "{path}: {cc}"
        );
        for directive in ["max-age=", "s-maxage="] {
            let Some(value) = cc.split(directive).nth(1) else {
                continue;
            };
            let age: i64 = value.split(',').next().unwrap().trim().parse().unwrap();
            assert!(age <= 120, "{path}: {cc}");
        }
    }
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_404_with_a_json_message() {
    let s = Server::start();
    for path in [
        "/AAAAAAAAAA",
        "/raw/AAAAAAAAAA",
        "/pastes/AAAAAAAAAA",
        "/short",
        "/raw/../etc/passwd",
        "/pastes/%00",
        "/AAAAAAAAAA.rs",
    ] {
        let res = client().get(s.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
        assert_eq!(res.headers()[CACHE_CONTROL], "no-store");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"], "not_found", "{path}");
        assert!(body["message"].as_str().unwrap().len() > 10);
    }
}

#[tokio::test]
async fn browsers_get_errors_as_a_page() {
    let s = Server::start();
    let res = client()
        .get(s.url("/AAAAAAAAAA"))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    assert!(res.text().await.unwrap().contains("no such paste"));
}

/// Seconds since the epoch of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn httpdate_seconds(s: &str) -> i64 {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == parts[2])
    .unwrap()
        + 1;
    let iso = format!(
        "{}-{:02}-{:02}T{}Z",
        parts[3],
        month,
        parts[1].parse::<u32>().unwrap(),
        parts[4]
    );
    crate::create::chrono_free_seconds(&iso)
}
