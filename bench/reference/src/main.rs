//! What a paste server costs at the least: the same routes (`POST /`, `GET /{id}`,
//! `GET /raw/{id}`) over a HashMap in memory, no validation, no durability, no headers beyond
//! the content type. `bench/run` reports the product's figures as ratios to this one's,
//! measured in the same run on the same machine.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

#[derive(Default)]
struct Store {
    pastes: RwLock<HashMap<String, Bytes>>,
    next: AtomicU64,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::var("REFERENCE_ADDR").unwrap_or_else(|_| "127.0.0.1:0".to_owned());
    let listener = TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    let store = Arc::new(Store::default());
    loop {
        let (stream, _) = listener.accept().await?;
        let store = store.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(store.clone(), req));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn respond(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut res = Response::new(Full::new(body));
    *res.status_mut() = status;
    res.headers_mut().insert(
        "content-type",
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    res
}

async fn handle(
    store: Arc<Store>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    if req.method() == Method::POST && path == "/" {
        let host = req
            .headers()
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost")
            .to_owned();
        let Ok(body) = req.into_body().collect().await else {
            return Ok(respond(StatusCode::BAD_REQUEST, Bytes::new()));
        };
        let id = format!("{:010}", store.next.fetch_add(1, Ordering::Relaxed));
        store
            .pastes
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.clone(), body.to_bytes());
        return Ok(respond(
            StatusCode::CREATED,
            Bytes::from(format!("http://{host}/{id}\n")),
        ));
    }
    if req.method() == Method::GET {
        let id = path
            .strip_prefix("/raw/")
            .or_else(|| path.strip_prefix('/'))
            .unwrap_or("");
        if let Some(body) = store
            .pastes
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
        {
            return Ok(respond(StatusCode::OK, body.clone()));
        }
    }
    Ok(respond(StatusCode::NOT_FOUND, Bytes::new()))
}
