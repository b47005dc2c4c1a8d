use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use serde_json::Value;

use crate::common::{Server, client, html_page, id_of, multipart, post_text};

/// What `curl --data-binary @file` sends: form-urlencoded by content type, but on `POST /` the
/// body is the paste byte for byte (no `+`→space, no `%xx` decoding, no splitting at `&`).
#[tokio::test]
async fn curl_data_binary_body_is_the_paste_byte_for_byte() {
    let s = Server::start();
    let content = "a+b=c&d=%41 ünï 🦀\r\nline\ttwo\n\n";
    let res = client()
        .post(s.url("/"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(content)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let id = res.headers()[LOCATION]
        .to_str()
        .unwrap()
        .trim_start_matches('/')
        .to_owned();
    assert!(res.headers().contains_key("x-delete-token"));
    let body = res.text().await.unwrap();
    assert_eq!(body.lines().count(), 1, "one line: the URL");
    assert!(body.ends_with('\n'));
    assert_eq!(body.trim(), format!("{}/{id}", s.base));
    assert_eq!(id.len(), 10);

    let back = client().get(body.trim()).send().await.unwrap();
    assert_eq!(back.status(), 200);
    assert_eq!(back.bytes().await.unwrap(), content.as_bytes());
}

#[tokio::test]
async fn multipart_file_upload_prints_the_url_and_picks_syntax_from_the_file_name() {
    let s = Server::start();
    let source = b"fn main() {\n    println!(\"hi\");\n}\n";
    let (ct, body) = multipart(&[("file", Some("main.rs"), source)]);
    let res = client()
        .post(s.url("/"))
        .header(CONTENT_TYPE, ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let url = res.text().await.unwrap();
    assert_eq!(
        client()
            .get(url.trim())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
        &source[..]
    );
    let json: Value = client()
        .get(s.url(&format!("/pastes/{}", id_of(&url))))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["syntax"], "rust");
}

#[tokio::test]
async fn multipart_content_field_wins_and_other_fields_are_options() {
    let s = Server::start();
    let (ct, body) = multipart(&[
        ("file", Some("ignored.txt"), b"not me"),
        ("content", None, b"the paste"),
        ("title", None, b"My title"),
        ("syntax", None, b"python"),
        ("expires_in", None, b"1h"),
    ]);
    let res = client()
        .post(s.url("/pastes"))
        .header(CONTENT_TYPE, ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let url = res.text().await.unwrap();
    let json: Value = client()
        .get(s.url(&format!("/pastes/{}", id_of(&url))))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["content"], "the paste");
    assert_eq!(json["title"], "My title");
    assert_eq!(json["syntax"], "python");
    let created = chrono_free_seconds(json["created_at"].as_str().unwrap());
    let expires = chrono_free_seconds(json["expires_at"].as_str().unwrap());
    assert_eq!(expires - created, 3600);
}

#[tokio::test]
async fn a_browser_form_post_answers_the_link_and_the_delete_token_once() {
    let s = Server::start();
    let (ct, body) = multipart(&[
        ("content", None, b"from a\r\nbrowser\r\n"),
        ("burn_after_reading", None, b""),
    ]);
    let res = client()
        .post(s.url("/"))
        .header(CONTENT_TYPE, ct)
        .header(ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
        .header("sec-fetch-mode", "navigate")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()[CACHE_CONTROL], "no-store");
    let location = res.headers()[LOCATION].to_str().unwrap().to_owned();
    let token = res.headers()["x-delete-token"].to_str().unwrap().to_owned();
    let created = res.text().await.unwrap();
    assert!(
        created.contains(&format!("href=\"{}{location}\"", s.base)),
        "{created}"
    );
    assert!(created.contains(&format!("<code class=\"token\">{token}</code>")));
    assert!(created.contains(&format!("action=\"{location}/delete\"")));
    let page = html_page(&s, &location).await;
    assert!(page.contains("from a"));
    let raw = client()
        .get(s.url(&format!("/raw{location}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        raw, "from a\nbrowser\n",
        "a browser form's CRLF line breaks are stored as typed (LF)"
    );
}

#[tokio::test]
async fn json_create_returns_json_with_every_documented_field() {
    let s = Server::start();
    for path in ["/pastes", "/"] {
        let res = client()
            .post(s.url(path))
            .json(&serde_json::json!({"content": "{\"k\": 1}", "expires_in": 600, "syntax": "json", "title": "cfg"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{path}");
        assert!(
            res.headers()[CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let token_header = res.headers()["x-delete-token"].to_str().unwrap().to_owned();
        let body: Value = res.json().await.unwrap();
        let id = body["id"].as_str().unwrap();
        assert_eq!(body["url"], format!("{}/{id}", s.base));
        assert_eq!(body["short_url"], body["url"]);
        assert_eq!(body["raw_url"], format!("{}/raw/{id}", s.base));
        assert_eq!(body["delete_token"], token_header);
        assert!(body["delete_token"].as_str().unwrap().len() >= 22);
        assert_eq!(body["size"], 8);
        assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));

        let got: Value = client()
            .get(s.url(&format!("/pastes/{id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(got["id"], id);
        assert_eq!(got["content"], "{\"k\": 1}");
        assert_eq!(got["size"], 8);
        assert_eq!(got["syntax"], "json");
        assert_eq!(got["burn_after_reading"], false);
        assert_eq!(got["expires_at"], body["expires_at"]);
        assert_eq!(
            chrono_free_seconds(got["expires_at"].as_str().unwrap())
                - chrono_free_seconds(got["created_at"].as_str().unwrap()),
            600
        );
    }
}

#[tokio::test]
async fn accept_json_on_a_raw_create_returns_json() {
    let s = Server::start();
    let res = client()
        .post(s.url("/?expires=10m&syntax=rs"))
        .header(ACCEPT, "application/json")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["size"], 1);
    let got: Value = client()
        .get(s.url(&format!("/pastes/{}", body["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["syntax"], "rust");
}

/// The shape older pastebin clients send: a form on `POST /pastes`.
#[tokio::test]
async fn a_form_on_the_api_route_is_decoded_and_answered_with_the_url() {
    let s = Server::start();
    let res = client()
        .post(s.url("/pastes"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("content=hello+form%21%0A&title=t&burn_after_reading=0&syntax=go")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let url = res.text().await.unwrap();
    assert_eq!(url.lines().count(), 1);
    let got: Value = client()
        .get(s.url(&format!("/pastes/{}", id_of(&url))))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["content"], "hello form!\n");
    assert_eq!(got["syntax"], "go");
}

#[tokio::test]
async fn a_configured_public_url_is_used_in_printed_links() {
    if crate::common::local_only("needs a server with its own PASTEBIN_PUBLIC_URL") {
        return;
    }
    let s = Server::with_env(&[("PASTEBIN_PUBLIC_URL", "https://paste.example.com/")]);
    let url = post_text(&s, "/", "x").await;
    assert!(url.starts_with("https://paste.example.com/"), "{url}");
    assert_eq!(url.trim().len(), "https://paste.example.com/".len() + 10);
}

/// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SSZ`, enough to compare two timestamps.
pub fn chrono_free_seconds(ts: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| ts[r].parse::<i64>().unwrap();
    let (y, mo, d, h, mi, s) = (n(0..4), n(5..7), n(8..10), n(11..13), n(14..16), n(17..19));
    // Days from civil (H. Hinnant), so the test does not reuse the code under test.
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + h * 3600 + mi * 60 + s
}
