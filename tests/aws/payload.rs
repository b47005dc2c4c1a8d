//! Every read of every valid paste fits Lambda's 6 MB response limit: pastes of control
//! characters, terminal colour codes and multi-byte text, inline and in S3, through the very
//! conversion the functions run (`lambda_http`'s adapter over `pastebin_lambda::fitted`), read
//! as raw text, as the page, as JSON and by a burn reveal.

use std::io::Read;
use std::sync::Arc;

use axum::Router;
use base64::Engine;
use lambda_http::request::LambdaRequest;
use lambda_http::{Context, LambdaEvent};
use pastebin_core::{CreateRequest, FixedWindowLimiter, Limits, Pastebin, RateLimits, SystemClock};
use pastebin_http::{AppState, PublicUrl, Routes};
use pastebin_lambda::{RESPONSE_LIMIT, fitted, with_lambda_layers};
use serde_json::Value;
use tower::ServiceExt;

use crate::common::{fresh, store};

const MIB: usize = 1024 * 1024;

/// `len` bytes (or just under, at a character boundary) of `unit` repeated.
fn filled(unit: &str, len: usize) -> String {
    let mut s = unit.repeat(len / unit.len() + 1);
    let mut cut = len;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    s
}

fn contents(len: usize) -> Vec<(&'static str, String)> {
    vec![
        ("\\x01", filled("\u{1}", len)),
        (
            "colour codes",
            filled("\u{1b}[31mred\u{1b}[0m \u{1b}[1;32mok\u{1b}[0m\n", len),
        ),
        ("multi-byte", filled("é✓🦀 日本語 ascii\t\n", len)),
    ]
}

/// What the function returned, after API Gateway would have decoded it.
struct Answer {
    status: u16,
    headers: serde_json::Map<String, Value>,
    body: Vec<u8>,
}

async fn invoke(app: &Router, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut event: Value =
        serde_json::from_str(include_str!("../../events/fetch-raw.json")).unwrap();
    event["rawPath"] = path.into();
    event["requestContext"]["http"]["path"] = path.into();
    event["requestContext"]["http"]["method"] = method.into();
    for (name, value) in headers {
        event["headers"][*name] = (*value).into();
    }
    let request: LambdaRequest = serde_json::from_value(event).unwrap();
    let adapter = lambda_http::Adapter::from(fitted(app.clone()));
    let response = adapter
        .oneshot(LambdaEvent::new(request, Context::default()))
        .await
        .unwrap();
    let document = serde_json::to_vec(&response).unwrap();
    assert!(
        document.len() <= RESPONSE_LIMIT,
        "{method} {path}: a {} byte response document",
        document.len()
    );
    let document: Value = serde_json::from_slice(&document).unwrap();
    let text = document["body"].as_str().unwrap_or_default();
    let mut body = if document["isBase64Encoded"] == true {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap()
    } else {
        text.as_bytes().to_vec()
    };
    let headers = document["headers"].as_object().cloned().unwrap_or_default();
    if headers.get("content-encoding").and_then(Value::as_str) == Some("gzip") {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(body.as_slice())
            .read_to_end(&mut plain)
            .unwrap();
        body = plain;
    }
    Answer {
        status: u16::try_from(document["statusCode"].as_u64().unwrap()).unwrap(),
        headers,
        body,
    }
}

async fn every_read_fits(inline: bool) {
    let (clients, mut settings) = fresh().await;
    // Bodies are stored deflated: only a tiny threshold sends a repetitive 1 MiB text to S3.
    settings.inline_max_bytes = if inline { 350_000 } else { 4 };
    let len = if inline { 340_000 } else { MIB };
    let bin = Pastebin::new(
        Arc::new(store(&clients, &settings)),
        Arc::new(FixedWindowLimiter::default()),
        Arc::new(SystemClock),
        Limits::default(),
        RateLimits::OFF,
    );
    let app = with_lambda_layers(
        AppState::new(bin.clone(), PublicUrl::FromRequest { scheme: "https" }),
        Routes::FETCH,
    );
    for (what, content) in contents(len) {
        let create = |burn: bool| CreateRequest {
            content: content.clone().into_bytes(),
            options: pastebin_core::CreateOptions {
                burn_after_reading: Some(burn),
                ..Default::default()
            },
        };
        let id = bin.create(create(false)).await.unwrap().id;

        let raw = invoke(&app, "GET", &format!("/raw/{id}"), &[]).await;
        assert_eq!(
            (raw.status, raw.body == content.as_bytes()),
            (200, true),
            "{what}: raw"
        );
        let share = invoke(&app, "GET", &format!("/{id}"), &[("accept", "*/*")]).await;
        assert_eq!(
            (share.status, share.body == content.as_bytes()),
            (200, true),
            "{what}: share"
        );
        let page = invoke(&app, "GET", &format!("/{id}"), &[("accept", "text/html")]).await;
        assert_eq!(page.status, 200, "{what}: page");
        assert!(
            String::from_utf8(page.body)
                .unwrap()
                .contains("class=\"line\"")
        );
        for accept_encoding in [None, Some("gzip, deflate, br")] {
            let mut headers = vec![("accept", "application/json")];
            headers.extend(accept_encoding.map(|v| ("accept-encoding", v)));
            let json = invoke(&app, "GET", &format!("/pastes/{id}"), &headers).await;
            assert_eq!(json.status, 200, "{what}: JSON");
            let value: Value = serde_json::from_slice(&json.body).unwrap();
            assert_eq!(
                value["content"].as_str(),
                Some(content.as_str()),
                "{what}: JSON"
            );
        }

        let burn = bin.create(create(true)).await.unwrap().id;
        let revealed = invoke(&app, "POST", &format!("/pastes/{burn}/reveal"), &[]).await;
        assert_eq!(revealed.status, 200, "{what}: reveal");
        let value: Value = serde_json::from_slice(&revealed.body).unwrap();
        assert_eq!(
            value["content"].as_str(),
            Some(content.as_str()),
            "{what}: reveal"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_read_of_an_inline_paste_fits_lambdas_response_limit() {
    every_read_fits(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_read_of_a_one_mib_s3_paste_fits_lambdas_response_limit() {
    every_read_fits(false).await;
}

/// The JSON of a paste of control characters fits only compressed; a client that refuses gzip
/// is told so (406) rather than sent something it cannot read.
#[tokio::test]
async fn a_client_refusing_gzip_is_told_what_to_ask_for() {
    let (clients, settings) = fresh().await;
    let bin = Pastebin::new(
        Arc::new(store(&clients, &settings)),
        Arc::new(FixedWindowLimiter::default()),
        Arc::new(SystemClock),
        Limits::default(),
        RateLimits::OFF,
    );
    let app = with_lambda_layers(
        AppState::new(bin.clone(), PublicUrl::FromRequest { scheme: "https" }),
        Routes::FETCH,
    );
    let id = bin
        .create(CreateRequest {
            content: filled("\u{1}", MIB).into_bytes(),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    let refused = invoke(
        &app,
        "GET",
        &format!("/pastes/{id}"),
        &[("accept-encoding", "identity")],
    )
    .await;
    assert_eq!(refused.status, 406);
    let error: Value = serde_json::from_slice(&refused.body).unwrap();
    assert_eq!(error["error"], "not_acceptable");
    assert_eq!(
        refused
            .headers
            .get("x-content-type-options")
            .and_then(Value::as_str),
        Some("nosniff")
    );
    let raw = invoke(
        &app,
        "GET",
        &format!("/raw/{id}"),
        &[("accept-encoding", "identity")],
    )
    .await;
    assert_eq!(raw.status, 200, "the raw text fits as base64, uncompressed");
}
