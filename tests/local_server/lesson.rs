//! A client written against the system-design lesson this product implements uses exactly four
//! calls: `POST /pastes` with `{"content": …}` returning `{ short_url }`, `GET /pastes/{id}`,
//! `DELETE /pastes/{id}` and `GET /health`. It must work as written.

use serde_json::{Value, json};

use crate::common::{Server, client, get, id_of, post_json};

#[tokio::test]
async fn the_lessons_four_calls_work_as_written() {
    let s = Server::start();
    let created: Value = post_json(&s, "/pastes", &json!({"content": "print('hello')"}))
        .await
        .json()
        .await
        .unwrap();
    let short_url = created["short_url"]
        .as_str()
        .expect("short_url in the reply");
    assert_eq!(
        short_url,
        format!("{}/{}", s.base, created["id"].as_str().unwrap())
    );
    let id = id_of(short_url);

    let read = get(&s, &format!("/pastes/{id}")).await;
    assert_eq!(read.status(), 200);
    assert_eq!(
        read.json::<Value>().await.unwrap()["content"],
        "print('hello')"
    );

    let token = created["delete_token"].as_str().unwrap();
    let deleted = client()
        .delete(s.url(&format!("/pastes/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let gone = get(&s, &format!("/pastes/{id}")).await;
    assert_eq!(gone.status(), 404);

    assert_eq!(get(&s, "/health").await.status(), 200);
}
