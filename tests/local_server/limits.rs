use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use serde_json::Value;

use crate::common::{Server, client, multipart, raw_exchange};

const MIB: usize = 1024 * 1024;

async fn error_of(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn exactly_one_mib_is_accepted_and_one_byte_more_is_413() {
    let s = Server::start();
    let exact: String = "abcdefghijklmnop".repeat(MIB / 16);
    assert_eq!(exact.len(), 1_048_576);
    let res = client()
        .post(s.url("/"))
        .body(exact.clone())
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
            .text()
            .await
            .unwrap(),
        exact
    );

    let (status, body) = error_of(
        client()
            .post(s.url("/"))
            .body(format!("{exact}x"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(body["error"], "too_large");
    assert!(body["message"].as_str().unwrap().contains("1048576"));
}

#[tokio::test]
async fn the_limit_counts_decoded_content_for_json_and_multipart() {
    let s = Server::start();
    // Every quote is escaped in JSON: 2 MiB on the wire, exactly 1 MiB of content.
    let quotes = "\"".repeat(MIB);
    let res = client()
        .post(s.url("/pastes"))
        .json(&serde_json::json!({ "content": quotes }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["size"], MIB);
    let res = client()
        .post(s.url("/pastes"))
        .json(&serde_json::json!({ "content": format!("{quotes}\"") }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);

    let data = vec![b'm'; MIB];
    let (ct, body) = multipart(&[("file", Some("big.txt"), &data), ("title", None, b"big")]);
    assert_eq!(
        client()
            .post(s.url("/"))
            .header(CONTENT_TYPE, ct)
            .body(body)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    let data = vec![b'm'; MIB + 1];
    let (ct, body) = multipart(&[("file", Some("big.txt"), &data)]);
    assert_eq!(
        client()
            .post(s.url("/"))
            .header(CONTENT_TYPE, ct)
            .body(body)
            .send()
            .await
            .unwrap()
            .status(),
        413
    );
}

/// A declared length over the limit is refused before a single body byte is sent.
#[tokio::test]
async fn an_oversized_content_length_is_refused_before_the_body_is_read() {
    if crate::common::local_only(
        "talks raw HTTP/1.1 to the server socket (API Gateway buffers bodies)",
    ) {
        return;
    }
    let s = Server::start();
    let request = "POST / HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 1048577\r\nConnection: close\r\n\r\n";
    let response = raw_exchange(&s.base, request.as_bytes()).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("too_large"));
}

#[tokio::test]
async fn a_chunked_body_is_cut_off_at_the_limit() {
    if crate::common::local_only("needs its own PASTEBIN_MAX_BYTES and the server socket") {
        return;
    }
    let s = Server::with_env(&[("PASTEBIN_MAX_BYTES", "1000")]);
    let chunk = "a".repeat(800);
    let request = format!(
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n320\r\n{chunk}\r\n320\r\n{chunk}\r\n0\r\n\r\n"
    );
    let response = raw_exchange(&s.base, request.as_bytes()).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");

    let ok = format!(
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n320\r\n{chunk}\r\n0\r\n\r\n"
    );
    let response = raw_exchange(&s.base, ok.as_bytes()).await;
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
}

#[tokio::test]
async fn invalid_utf8_is_415_and_empty_content_is_400() {
    let s = Server::start();
    let (status, body) = error_of(
        client()
            .post(s.url("/"))
            .body(vec![b'o', b'k', 0xC3, 0x28, 0xFF])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["error"].as_str().unwrap()), (415, "not_text"));
    let (ct, mp) = multipart(&[("file", Some("bin.dat"), &[0x89, b'P', b'N', b'G', 0xFF])]);
    assert_eq!(
        client()
            .post(s.url("/"))
            .header(CONTENT_TYPE, ct)
            .body(mp)
            .send()
            .await
            .unwrap()
            .status(),
        415
    );
    let form = client()
        .post(s.url("/pastes"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("content=%FF%FE")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);

    for res in [
        client().post(s.url("/")).body("").send().await.unwrap(),
        client()
            .post(s.url("/pastes"))
            .json(&serde_json::json!({"content": ""}))
            .send()
            .await
            .unwrap(),
    ] {
        let (status, body) = error_of(res).await;
        assert_eq!(
            (status, body["error"].as_str().unwrap()),
            (400, "empty_content")
        );
    }
}

#[tokio::test]
async fn bad_option_values_are_422_and_list_the_valid_ones() {
    let s = Server::start();
    let cases = [
        client().post(s.url("/?expires=8d")).body("x"),
        client().post(s.url("/?expires=soon")).body("x"),
        client()
            .post(s.url("/pastes"))
            .json(&serde_json::json!({"content": "x", "expires_in": -5})),
        client()
            .post(s.url("/pastes"))
            .json(&serde_json::json!({"content": "x", "expires_in": 604_801})),
    ];
    for req in cases {
        let (status, body) = error_of(req.send().await.unwrap()).await;
        assert_eq!(status, 422);
        assert_eq!(body["error"], "invalid_option");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains("expires_in") && message.contains("10m") && message.contains("7d"),
            "{message}"
        );
    }
    let (status, body) = error_of(
        client()
            .post(s.url("/?burn=perhaps"))
            .body("x")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["message"].as_str().unwrap().contains("true, false"));
    let (status, _) = error_of(
        client()
            .post(s.url("/pastes"))
            .json(&serde_json::json!({"content": "x", "title": "t".repeat(201)}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);

    let long_title = "t".repeat(201);
    let overridden = client()
        .post(s.url(&format!("/pastes?title={long_title}")))
        .json(&serde_json::json!({"content": "x", "title": "ok"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        overridden.status(),
        422,
        "a query option the body overrides must still be valid"
    );
    let (ct, body) = multipart(&[("content", None, b"x"), ("tilte", None, b"typo")]);
    let (status, json) = error_of(
        client()
            .post(s.url("/"))
            .header(CONTENT_TYPE, ct)
            .body(body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        status, 422,
        "a misspelt form field is an error, not silently ignored"
    );
    assert!(json["message"].as_str().unwrap().contains("tilte"));

    let res = client()
        .post(s.url("/?syntax=klingon"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        201,
        "unknown languages are plain text, not errors"
    );
}

#[tokio::test]
async fn malformed_bodies_are_400_with_a_message() {
    let s = Server::start();
    for (ct, body) in [
        ("application/json", "{not json"),
        ("application/json", "[1,2]"),
        ("application/json", "{\"title\":\"no content\"}"),
        ("multipart/form-data", "no boundary"),
        ("multipart/form-data; boundary=xyz", "garbage"),
    ] {
        let (status, json) = error_of(
            client()
                .post(s.url("/pastes"))
                .header(CONTENT_TYPE, ct)
                .body(body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 400, "{ct} {body}");
        assert!(json["message"].as_str().unwrap().len() > 10);
    }
}

#[tokio::test]
async fn creates_are_rate_limited_per_client_with_retry_after_and_reads_are_not_affected() {
    if crate::common::local_only(
        "needs its own PASTEBIN_CREATE_RATE (tests/aws and events cover DynamoDB rate limits)",
    ) {
        return;
    }
    let s = Server::with_env(&[("PASTEBIN_CREATE_RATE", "3")]);
    let mut created = Vec::new();
    let mut limited = None;
    for _ in 0..10 {
        let res = client().post(s.url("/")).body("x").send().await.unwrap();
        match res.status().as_u16() {
            201 => created.push(res.text().await.unwrap()),
            429 => {
                limited = Some(res);
                break;
            }
            other => panic!("unexpected {other}"),
        }
    }
    let res = limited.expect("a 429 within 10 creates at 3 per minute");
    // At most two windows can be touched by a burst this short.
    assert!(
        created.len() <= 6,
        "{} creates before the first 429",
        created.len()
    );
    let retry: u64 = res.headers()[RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    let (_, body) = error_of(res).await;
    assert_eq!(body["error"], "rate_limited");
    assert_eq!(
        client()
            .get(created[0].trim())
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

/// An index below `len`, from a random number.
fn pick(random: u64, len: usize) -> usize {
    usize::try_from(random % len as u64).unwrap()
}

/// Random methods, paths, content types and bodies: nothing may produce a 5xx or take the
/// server down.
#[tokio::test]
async fn no_input_makes_the_server_fail() {
    if crate::common::local_only("needs its own PASTEBIN_MAX_BYTES") {
        return;
    }
    let s = Server::with_env(&[("PASTEBIN_MAX_BYTES", "4096")]);
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
    let paths = [
        "/",
        "/pastes",
        "/raw/",
        "/AAAAAAAAAA",
        "/AAAAAAAAAA/reveal",
        "/pastes/AAAAAAAAAA",
        "/pastes/AAAAAAAAAA/reveal",
        "/%ff%fe",
        "/a.b.c",
        "/health",
        "/?expires=%ff&burn=%00",
        "/pastes?syntax=<x>",
    ];
    let types = [
        "",
        "application/json",
        "multipart/form-data; boundary=b",
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/octet-stream",
        "image/png",
    ];
    for i in 0..400 {
        let len = pick(next(), 6000);
        let mut body: Vec<u8> = (0..len).map(|_| next().to_le_bytes()[0]).collect();
        if i % 3 == 0 {
            body = format!(
                "--b\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\n{}\r\n--b--\r\n",
                "z".repeat(len)
            )
            .into_bytes();
        }
        let method =
            reqwest::Method::from_bytes(methods[pick(next(), methods.len())].as_bytes()).unwrap();
        let path = paths[pick(next(), paths.len())];
        let mut req = client().request(method.clone(), s.url(path)).body(body);
        let ct = types[pick(next(), types.len())];
        if !ct.is_empty() {
            req = req.header(CONTENT_TYPE, ct);
        }
        let res = req.send().await.unwrap();
        assert!(
            res.status().as_u16() < 500,
            "{method} {path} {ct}: {}",
            res.status()
        );
    }
    assert_eq!(
        client()
            .get(s.url("/health"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}
