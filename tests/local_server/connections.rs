//! Hostile and broken clients on the socket: every wait the server makes has a bound, a crowd
//! of half-open connections does not slow anyone else down, and shutdown is never held up.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{Server, client, local_only};

/// Whether the server closed `stream` (EOF or reset) within `within`.
async fn closed_by_server(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let read = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return true,
                Ok(_) => continue,
            }
        }
    };
    tokio::time::timeout(within, read).await.unwrap_or(false)
}

async fn health(s: &Server) -> (u16, Duration) {
    let started = Instant::now();
    let status = client()
        .get(s.url("/health"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    (status, started.elapsed())
}

/// A thousand sockets that send half a request head and stop: `/health` is still answered at
/// once beside them, and the server closes every one of them within the header timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_do_not_delay_others_and_are_closed_within_the_header_timeout() {
    if local_only("opens a thousand raw sockets to the server") {
        return;
    }
    let s = Server::with_env(&[
        ("PASTEBIN_HEADER_TIMEOUT", "3s"),
        ("PASTEBIN_IDLE_TIMEOUT", "3s"),
    ]);
    let mut sockets = Vec::new();
    for i in 0..1000 {
        let mut stream = TcpStream::connect(s.addr()).await.unwrap();
        let half = if i % 2 == 0 {
            "GET /hea"
        } else {
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Le"
        };
        stream.write_all(half.as_bytes()).await.unwrap();
        sockets.push(stream);
    }
    let opened = Instant::now();
    let (status, took) = health(&s).await;
    assert_eq!(status, 200);
    eprintln!("GET /health beside 1,000 half-open sockets: {took:?}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    for stream in &mut sockets {
        let left = Duration::from_secs(5).saturating_sub(opened.elapsed());
        assert!(
            closed_by_server(stream, left).await,
            "still open after the header timeout"
        );
    }
    eprintln!(
        "all 1,000 closed by the server after {:?}",
        opened.elapsed()
    );
}

/// A body that stops arriving gets 408 (or the connection is closed): never a held socket.
#[tokio::test]
async fn a_stalled_or_trickling_upload_gets_408() {
    if local_only("talks raw HTTP/1.1 to the server socket") {
        return;
    }
    let s = Server::with_env(&[
        ("PASTEBIN_BODY_TIMEOUT", "1s"),
        ("PASTEBIN_IDLE_TIMEOUT", "10s"),
    ]);
    let mut stalled = TcpStream::connect(s.addr()).await.unwrap();
    stalled
        .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        .await
        .unwrap();
    let mut trickle = TcpStream::connect(s.addr()).await.unwrap();
    trickle
        .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
        .await
        .unwrap();
    let writer = tokio::spawn(async move {
        for _ in 0..10 {
            if trickle.write_all(b"x").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        trickle
    });
    for stream in [&mut stalled] {
        let mut response = Vec::new();
        let _ =
            tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut response)).await;
        let text = String::from_utf8_lossy(&response);
        assert!(text.starts_with("HTTP/1.1 408"), "{text}");
        assert!(text.contains("request_timeout"), "{text}");
    }
    let mut trickle = writer.await.unwrap();
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), trickle.read_to_end(&mut response)).await;
    let text = String::from_utf8_lossy(&response);
    assert!(
        text.starts_with("HTTP/1.1 408") || text.is_empty(),
        "{text}"
    );
}

/// An idle keep-alive connection is closed after the idle timeout.
#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    if local_only("talks raw HTTP/1.1 to the server socket") {
        return;
    }
    let s = Server::with_env(&[("PASTEBIN_IDLE_TIMEOUT", "1s")]);
    let mut stream = TcpStream::connect(s.addr()).await.unwrap();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let idle = Instant::now();
    assert!(closed_by_server(&mut stream, Duration::from_secs(5)).await);
    assert!(
        idle.elapsed() >= Duration::from_millis(800),
        "{:?}",
        idle.elapsed()
    );
}

/// At the connection cap the server stops accepting; a client waits in the backlog and is
/// served once a slot frees (here, when the idle ones are closed).
#[tokio::test]
async fn the_connection_cap_holds() {
    if local_only("needs its own PASTEBIN_MAX_CONNECTIONS") {
        return;
    }
    let s = Server::with_env(&[
        ("PASTEBIN_MAX_CONNECTIONS", "4"),
        ("PASTEBIN_IDLE_TIMEOUT", "2s"),
    ]);
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(TcpStream::connect(s.addr()).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, took) = health(&s).await;
    assert_eq!(status, 200);
    assert!(
        took >= Duration::from_millis(1500),
        "served before a slot was free: {took:?}"
    );
}

/// SIGTERM with connections open (idle ones, and one in the middle of an upload) exits within
/// the shutdown timeout.
#[tokio::test]
async fn sigterm_exits_within_the_shutdown_timeout_whatever_is_open() {
    if local_only("signals the server process") {
        return;
    }
    let mut s = Server::with_env(&[
        ("PASTEBIN_SHUTDOWN_TIMEOUT", "1s"),
        ("PASTEBIN_IDLE_TIMEOUT", "60s"),
        ("PASTEBIN_HEADER_TIMEOUT", "60s"),
        ("PASTEBIN_BODY_TIMEOUT", "60s"),
    ]);
    let mut open = Vec::new();
    for _ in 0..20 {
        let mut stream = TcpStream::connect(s.addr()).await.unwrap();
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        open.push(stream);
    }
    let mut uploading = TcpStream::connect(s.addr()).await.unwrap();
    uploading
        .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nhalf")
        .await
        .unwrap();
    open.push(uploading);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let took = s
        .terminate(Duration::from_secs(10))
        .expect("the server did not exit");
    eprintln!("exited {took:?} after SIGTERM");
    assert!(took < Duration::from_secs(4), "{took:?}");
}
