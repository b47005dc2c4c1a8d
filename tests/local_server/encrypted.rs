//! End-to-end encrypted pastes as the server sees them: ciphertext in, the same ciphertext out,
//! flagged, never the plaintext nor the key; metadata beside ciphertext and plain text under the
//! flag are refused. On the local server (both stores) and, through scripts/e2e-lambda, on the
//! Lambda functions behind API Gateway.

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};

use crate::cli::Cli;
use crate::common::{
    Server, client, get, html_page, id_of, local_only, multipart, post_json, store_is_aws,
};

/// The published known-answer vectors: ciphertexts whose key and plaintext the test knows.
fn vectors() -> Vec<Value> {
    serde_json::from_str(include_str!("../vectors/sealed-v1.json")).unwrap()
}

fn sealed(v: &Value) -> &str {
    v["content"].as_str().unwrap()
}

async fn read_json(s: &Server, id: &str) -> Value {
    let res = get(s, &format!("/pastes/{id}")).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn ciphertext_goes_in_and_comes_out_flagged_in_every_encoding() {
    let s = Server::start();
    let vectors = vectors();
    let content = sealed(&vectors[1]);
    let form = format!("content={content}&encrypted=1&expires_in=1h");
    let (multipart_type, multipart_body) = multipart(&[
        ("content", None, content.as_bytes()),
        ("encrypted", None, b"true"),
    ]);
    let requests = [
        client()
            .post(s.url("/pastes"))
            .json(&json!({"content": content, "encrypted": true})),
        // A urlencoded body on `/` is curl's `-d` of raw text; forms go to /pastes.
        client()
            .post(s.url("/pastes"))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .body(form),
        client()
            .post(s.url("/"))
            .header(CONTENT_TYPE, multipart_type)
            .header(ACCEPT, "application/json")
            .body(multipart_body),
        client()
            .post(s.url("/?encrypted=1"))
            .header(ACCEPT, "application/json")
            .body(content.to_owned()),
    ];
    for (n, request) in requests.into_iter().enumerate() {
        let res = request.send().await.unwrap();
        assert_eq!(res.status(), 201, "request {n}");
        let created: Value = res.json().await.unwrap();
        assert_eq!(created["encrypted"], true, "request {n}");
        let id = created["id"].as_str().unwrap();

        let read = read_json(&s, id).await;
        assert_eq!(
            (
                &read["encrypted"],
                read["content"].as_str(),
                &read["title"],
                &read["syntax"]
            ),
            (&json!(true), Some(content), &Value::Null, &json!("text")),
            "request {n}"
        );
        let raw = get(&s, &format!("/raw/{id}")).await;
        assert_eq!(raw.text().await.unwrap(), content);
        let page = html_page(&s, &format!("/{id}")).await;
        assert!(page.contains("class=\"paste sealed\"") && page.contains(content));
        assert!(
            !page.contains("class=\"line\""),
            "the server cannot lay out lines"
        );
    }
}

#[tokio::test]
async fn plain_text_under_the_flag_and_metadata_beside_ciphertext_are_refused() {
    let s = Server::start();
    let vectors = vectors();
    let content = sealed(&vectors[0]);
    for (body, mentions) in [
        (
            json!({"content": "my password is hunter2", "encrypted": true}),
            "not an encrypted paste",
        ),
        (
            json!({"content": content, "encrypted": true, "title": "leaks"}),
            "title",
        ),
        (
            json!({"content": content, "encrypted": true, "syntax": "rust"}),
            "syntax",
        ),
        (
            json!({"content": content, "encrypted": "yes please"}),
            "encrypted",
        ),
    ] {
        let res = post_json(&s, "/pastes", &body).await;
        assert_eq!(res.status(), 422, "{body}");
        let error: Value = res.json().await.unwrap();
        assert!(
            error["message"].as_str().unwrap().contains(mentions),
            "{body}: {error}"
        );
    }
}

#[tokio::test]
async fn a_burn_paste_can_be_encrypted_and_is_revealed_as_ciphertext_once() {
    let s = Server::start();
    let vectors = vectors();
    let content = sealed(&vectors[2]);
    let res = post_json(
        &s,
        "/pastes",
        &json!({"content": content, "encrypted": true, "burn_after_reading": true}),
    )
    .await;
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A read says it is encrypted, so that a client without the key does not reveal it.
    let read = get(&s, &format!("/pastes/{id}")).await;
    assert_eq!(read.status(), 409);
    let body: Value = read.json().await.unwrap();
    assert_eq!(
        (&body["error"], &body["encrypted"]),
        (&json!("burn_after_reading"), &json!(true))
    );
    let page = html_page(&s, &format!("/{id}")).await;
    assert!(
        page.contains("data-sealed=\"1\"") && page.contains("class=\"primary\" disabled"),
        "without the key and script, the reveal button stays off: {page}"
    );
    let reveal = |s: &Server| client().post(s.url(&format!("/pastes/{id}/reveal"))).send();
    let first = reveal(&s).await.unwrap();
    assert_eq!(first.status(), 200);
    let body: Value = first.json().await.unwrap();
    assert_eq!(
        (body["content"].as_str(), &body["encrypted"]),
        (Some(content), &json!(true))
    );
    assert_eq!(reveal(&s).await.unwrap().status(), 404);
}

/// The client needs no origin secret, so it talks to the local server only.
#[tokio::test]
async fn the_command_line_client_seals_and_opens_and_the_store_holds_only_ciphertext() {
    if local_only("the command-line client does not send the origin secret") {
        return;
    }
    let s = Server::start();
    let client_cli = Cli::new(s.url(""));
    let cli = |_: &Server, args: &[&str], input: &str| client_cli.run(args, input.as_bytes());
    let text = "db_password=correct horse battery staple\nsecond line ✓\n";
    let (ok, link, err) = cli(
        &s,
        &["put", "--encrypt", "--title", "Vault", "--syntax", "ini"],
        text,
    );
    assert!(ok, "{err}");
    let link = link.trim();
    let (url, key) = link.split_once('#').expect("the link carries the key");
    assert_eq!(key.len(), 43);

    let (ok, out, err) = cli(&s, &["get", link], "");
    assert!(ok, "{err}");
    assert_eq!(out, text);
    // A vector's link, written by another implementation, opens too.
    let vectors = vectors();
    let v = &vectors[1];
    let res = post_json(
        &s,
        "/pastes",
        &json!({"content": sealed(v), "encrypted": true}),
    )
    .await;
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (ok, out, err) = cli(
        &s,
        &["get", &format!("{id}#{}", v["key"].as_str().unwrap())],
        "",
    );
    assert!(ok, "{err}");
    assert_eq!(out, v["text"].as_str().unwrap());

    let (ok, _, err) = cli(
        &s,
        &["get", &format!("{url}#{}", v["key"].as_str().unwrap())],
        "",
    );
    assert!(!ok && err.contains("does not open"), "{err}");
    let (ok, _, err) = cli(&s, &["get", url], "");
    assert!(!ok && err.contains("no key"), "{err}");

    // An encrypted burn paste is never revealed without its key: it would be lost unread.
    let (ok, link, _) = cli(&s, &["put", "--encrypt", "--burn"], "burn secret");
    assert!(ok);
    let bare = link.trim().split('#').next().unwrap().to_owned();
    let (ok, _, err) = cli(&s, &["get", "--yes", &bare], "");
    assert!(!ok && err.contains("no key"), "{err}");
    let (ok, text, err) = cli(&s, &["get", "--yes", link.trim()], "");
    assert!(ok, "still there to reveal with the key: {err}");
    assert_eq!(text, "burn secret");

    let stored = read_json(&s, &id_of(url)).await;
    let content = stored["content"].as_str().unwrap();
    assert!(!content.contains("horse") && !content.contains(key));
    if !store_is_aws() {
        let db = rusqlite::Connection::open_with_flags(
            s.db_path(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let row: (Vec<u8>, Option<String>, Option<String>, bool) = db
            .query_row(
                "SELECT content, title, syntax, encrypted FROM pastes WHERE id = ?1",
                [id_of(url)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(row, (content.as_bytes().to_vec(), None, None, true));
    }
}
