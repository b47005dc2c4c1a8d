use reqwest::StatusCode;
use reqwest::header::AUTHORIZATION;

use crate::common::{Server, client, id_of};

async fn create(s: &Server) -> (String, String) {
    let res = client()
        .post(s.url("/"))
        .body("delete me")
        .send()
        .await
        .unwrap();
    let token = res.headers()["x-delete-token"].to_str().unwrap().to_owned();
    (id_of(&res.text().await.unwrap()), token)
}

async fn status(s: &Server, path: &str) -> StatusCode {
    client().get(s.url(path)).send().await.unwrap().status()
}

#[tokio::test]
async fn the_creator_deletes_with_the_bearer_token_then_every_route_is_404() {
    let s = Server::start();
    let (id, token) = create(&s).await;
    let res = client()
        .delete(s.url(&format!("/{id}")))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(res.bytes().await.unwrap().is_empty());
    for path in [
        format!("/{id}"),
        format!("/raw/{id}"),
        format!("/pastes/{id}"),
    ] {
        assert_eq!(status(&s, &path).await, 404, "{path}");
    }
    let again = client()
        .delete(s.url(&format!("/{id}")))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
}

#[tokio::test]
async fn x_delete_token_and_the_api_route_work_too() {
    let s = Server::start();
    let (id, token) = create(&s).await;
    let res = client()
        .delete(s.url(&format!("/pastes/{id}")))
        .header("x-delete-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(status(&s, &format!("/{id}")).await, 404);
}

#[tokio::test]
async fn a_wrong_token_is_403_and_the_paste_still_reads() {
    let s = Server::start();
    let (id, token) = create(&s).await;
    let res = client()
        .delete(s.url(&format!("/{id}")))
        .header(AUTHORIZATION, "Bearer AAAAAAAAAAAAAAAAAAAAAA")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "wrong_token");
    let truncated = &token[..token.len() - 1];
    assert_eq!(
        client()
            .delete(s.url(&format!("/{id}")))
            .header("x-delete-token", truncated)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        client()
            .get(s.url(&format!("/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "delete me"
    );
}

#[tokio::test]
async fn a_missing_token_is_401_and_a_token_in_the_url_is_refused() {
    let s = Server::start();
    let (id, token) = create(&s).await;
    let res = client()
        .delete(s.url(&format!("/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers().contains_key("www-authenticate"));
    let res = client()
        .delete(s.url(&format!("/{id}?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("never accepted in the URL")
    );
    assert_eq!(
        status(&s, &format!("/{id}")).await,
        200,
        "nothing was deleted"
    );
}

#[tokio::test]
async fn deleting_an_unknown_paste_is_404() {
    let s = Server::start();
    let res = client()
        .delete(s.url("/AAAAAAAAAA"))
        .header("x-delete-token", "whatever")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

/// Every delete can cost a CDN invalidation: deletes are limited per client like creates, and
/// counted apart from them.
#[tokio::test]
async fn deletes_are_rate_limited_per_client_with_retry_after() {
    if crate::common::local_only("needs its own PASTEBIN_DELETE_RATE") {
        return;
    }
    let s = Server::with_env(&[("PASTEBIN_DELETE_RATE", "2")]);
    let (id, token) = create(&s).await;
    let delete = |token: &str| {
        client()
            .delete(s.url(&format!("/{id}")))
            .header("x-delete-token", token)
            .send()
    };
    assert_eq!(delete("wrong").await.unwrap().status(), 403);
    assert_eq!(delete("wrong").await.unwrap().status(), 403);
    let limited = delete(&token).await.unwrap();
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    let body: serde_json::Value = limited.json().await.unwrap();
    assert_eq!(body["error"], "rate_limited");
    assert_eq!(status(&s, &format!("/{id}")).await, 200, "still there");
    let res = client().post(s.url("/")).body("x").send().await.unwrap();
    assert_eq!(res.status(), 201, "creates are counted apart");
}

/// A browser without script deletes with a form: `POST /ID/delete`, `delete_token=…`.
#[tokio::test]
async fn a_form_post_deletes_with_the_token_and_refuses_without_the_right_one() {
    let s = Server::start();
    let (id, token) = create(&s).await;
    let form = |token: &str| {
        client()
            .post(s.url(&format!("/{id}/delete")))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(reqwest::header::ACCEPT, "text/html")
            .body(format!("delete_token={token}"))
            .send()
    };
    let wrong = form("not-the-token").await.unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        status(&s, &format!("/raw/{id}")).await,
        StatusCode::OK,
        "untouched"
    );
    let empty = form("").await.unwrap();
    assert_eq!(empty.status(), StatusCode::UNAUTHORIZED);
    let done = form(&token).await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert_eq!(done.headers()[reqwest::header::CACHE_CONTROL], "no-store");
    assert!(done.text().await.unwrap().contains("Paste deleted"));
    assert_eq!(
        status(&s, &format!("/raw/{id}")).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(form(&token).await.unwrap().status(), StatusCode::NOT_FOUND);
}
