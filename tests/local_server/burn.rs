use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use serde_json::Value;

use crate::common::{Server, client, id_of, post_text};

async fn create_burn(s: &Server, content: &str) -> String {
    let res = client()
        .post(s.url("/pastes"))
        .json(&serde_json::json!({"content": content, "burn_after_reading": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_burn_paste_shows_an_interstitial_and_api_reads_are_409_until_revealed() {
    let s = Server::start();
    let id = create_burn(&s, "top secret").await;

    let page = client()
        .get(s.url(&format!("/{id}")))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()[CACHE_CONTROL], "no-store");
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("top secret"),
        "the interstitial never shows the content"
    );
    assert!(html.contains(&format!("action=\"/{id}/reveal\"")));

    for path in [
        format!("/{id}"),
        format!("/raw/{id}"),
        format!("/pastes/{id}"),
    ] {
        let res = client().get(s.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 409, "{path}");
        assert_eq!(res.headers()[CACHE_CONTROL], "no-store");
        let body: Value = res.json().await.unwrap();
        assert!(
            body["message"].as_str().unwrap().contains("/reveal"),
            "{path}: says how to reveal"
        );
    }

    let revealed = client()
        .post(s.url(&format!("/{id}/reveal")))
        .send()
        .await
        .unwrap();
    assert_eq!(revealed.status(), 200);
    assert_eq!(revealed.headers()[CACHE_CONTROL], "no-store");
    assert_eq!(
        revealed.headers()[CONTENT_TYPE],
        "text/plain; charset=utf-8"
    );
    assert_eq!(revealed.text().await.unwrap(), "top secret");

    for path in [
        format!("/{id}"),
        format!("/raw/{id}"),
        format!("/pastes/{id}"),
    ] {
        assert_eq!(
            client().get(s.url(&path)).send().await.unwrap().status(),
            404,
            "{path}"
        );
    }
    assert_eq!(
        client()
            .post(s.url(&format!("/{id}/reveal")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn the_reveal_answers_in_the_clients_format() {
    let s = Server::start();
    let id = create_burn(&s, "<i>x</i>").await;
    let page = client()
        .post(s.url(&format!("/{id}/reveal")))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    assert!(page.text().await.unwrap().contains("&lt;i&gt;x&lt;/i&gt;"));

    let id = create_burn(&s, "json please").await;
    let res = client()
        .post(s.url(&format!("/pastes/{id}/reveal")))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["content"], "json please");
    assert_eq!(body["burn_after_reading"], true);
}

#[tokio::test]
async fn of_64_concurrent_reveals_exactly_one_succeeds() {
    let s = Server::start();
    let id = create_burn(&s, "only once").await;
    let c = client();
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let (c, url) = (c.clone(), s.url(&format!("/{id}/reveal")));
            tokio::spawn(async move {
                let res = c.post(url).send().await.unwrap();
                (res.status().as_u16(), res.text().await.unwrap())
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            200 => {
                ok += 1;
                assert_eq!(body, "only once");
            }
            404 => {}
            other => panic!("unexpected status {other}: {body}"),
        }
    }
    assert_eq!(ok, 1);
}

#[tokio::test]
async fn burn_can_be_asked_for_in_the_query_of_a_raw_create() {
    let s = Server::start();
    let url = post_text(&s, "/?burn=1", "q").await;
    assert_eq!(client().get(url.trim()).send().await.unwrap().status(), 409);
    assert_eq!(
        client()
            .post(s.url(&format!("/{}/reveal", id_of(&url))))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "q"
    );
}
