use std::time::Duration;

use crate::common::{Server, client, id_of, post_text};

#[tokio::test]
async fn an_expired_paste_is_404_on_every_route_at_once() {
    let s = Server::start();
    let res = client()
        .post(s.url("/?expires=1"))
        .body("brief")
        .send()
        .await
        .unwrap();
    let token = res.headers()["x-delete-token"].to_str().unwrap().to_owned();
    let id = id_of(&res.text().await.unwrap());
    assert_eq!(
        client()
            .get(s.url(&format!("/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // Readable through its expiry second, gone after: at most two seconds.
    tokio::time::sleep(Duration::from_millis(2100)).await;
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
            .delete(s.url(&format!("/{id}")))
            .header("x-delete-token", token)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn the_background_sweep_removes_expired_rows() {
    if crate::common::local_only("reads the server's SQLite file") {
        return;
    }
    if crate::common::store_is_aws() {
        // DynamoDB's TTL, not the server, removes expired items; tests/aws covers reads of
        // expired-but-present items.
        eprintln!("not applicable to the aws store");
        return;
    }
    let s = Server::with_env(&[("PASTEBIN_SWEEP_INTERVAL", "1s")]);
    let short = id_of(&post_text(&s, "/?expires=1", "gone soon").await);
    let long = id_of(&post_text(&s, "/", "stays").await);
    let db = rusqlite::Connection::open_with_flags(
        s.db_path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let count = |id: &str| {
        db.query_row("SELECT count(*) FROM pastes WHERE id = ?1", [id], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap()
    };
    assert_eq!(count(&short), 1);
    let mut swept = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if count(&short) == 0 {
            swept = true;
            break;
        }
    }
    assert!(swept, "the expired row is removed within 10 s");
    assert_eq!(count(&long), 1, "live pastes are kept");
}
