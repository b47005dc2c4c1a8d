use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};

use crate::error::ApiError;
use crate::negotiate::Wants;
use crate::state::AppState;
use crate::web::create_page;

/// `GET /`: the create page for browsers, a usage text for everyone else.
pub async fn index(State(state): State<Arc<AppState>>, req: axum::extract::Request) -> Response {
    let headers = req.headers();
    if Wants::of(headers) == Wants::Html {
        return (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            create_page(),
        )
            .into_response();
    }
    let base = state.public_url.base(headers, req.extensions());
    let max = state.bin.limits().max_bytes;
    let max_expiry = pastebin_core::format_duration(state.bin.limits().max_expiry);
    let usage = format!(
        "pastebin: share text from a terminal or a browser.\n\n\
         create   cmd | curl --data-binary @- {base}/           prints the share URL\n\
         \x20        curl -F 'file=@main.rs' {base}/               file uploads work too\n\
         options  {base}/?expires=1h&burn=1&syntax=rs            expires 1s..{max_expiry} (10m, 1h, 1d, 7d or seconds)\n\
         read     curl {base}/ID                                 the text, byte for byte\n\
         delete   curl -X DELETE -H 'X-Delete-Token: TOKEN' {base}/ID\n\
         \x20        (the token is printed in the X-Delete-Token header on create: curl -i)\n\
         JSON API POST {base}/pastes, GET {base}/pastes/ID — see openapi.yaml\n\n\
         Limits: {max} bytes of UTF-8 text per paste.\n"
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], usage).into_response()
}

/// `GET /health`: 200 when the store answers, 503 otherwise.
pub async fn health(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    state
        .bin
        .health()
        .await
        .map_err(pastebin_core::Error::from)?;
    Ok((
        StatusCode::OK,
        axum::Json(serde_json::json!({ "status": "ok" })),
    )
        .into_response())
}

/// `GET /metrics`: Prometheus text.
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render_prometheus(),
    )
        .into_response()
}

/// Share links are unlisted: keep crawlers away from them.
pub async fn robots() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        "User-agent: *\nDisallow: /\n",
    )
        .into_response()
}

/// `GET /assets/{file}`: a stylesheet or script under its content hash, kept for a year.
pub async fn asset(
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Result<Response, ApiError> {
    let (content_type, body) = crate::web::assets::lookup(&file).ok_or(ApiError::NoRoute)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response())
}

pub async fn no_route() -> ApiError {
    ApiError::NoRoute
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
