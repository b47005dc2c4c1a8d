use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Uri, header};
use pastebin_core::Paste;
use serde::Serialize;

use crate::cache::Form;
use crate::error::ApiError;
use crate::extract::PasteRef;
use crate::metrics::Metrics;
use crate::negotiate::Wants;
use crate::state::AppState;
use crate::web::{burn_page, paste_page};

#[derive(Serialize)]
struct PasteBody<'a> {
    id: &'a str,
    content: &'a str,
    size: u64,
    syntax: &'a str,
    title: Option<&'a str>,
    created_at: String,
    expires_at: String,
    burn_after_reading: bool,
    encrypted: bool,
}

/// `GET /{id}` and `GET /{id}.{ext}`: the share link, HTML for browsers and raw text otherwise.
pub async fn share(
    State(state): State<Arc<AppState>>,
    paste_ref: PasteRef,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let now = state.bin.now();
    let mut res = if Wants::of(&headers) == Wants::Html {
        // The interstitial needs the paste's expiry but must not consume it.
        let paste = state.bin.peek(&paste_ref.id).await?;
        if paste.burn_after_reading {
            html(burn_page(&paste.id, paste.expires_at, now, paste.encrypted))
        } else {
            served(&state, &paste);
            let mut res = html(paste_page(&paste, paste_ref.ext.as_deref(), now, false));
            state.cache.apply(&mut res, &paste, now, paste_ref.form);
            res
        }
    } else {
        let paste = state.bin.read(&paste_ref.id).await?;
        served(&state, &paste);
        let mut res = raw(&paste);
        state.cache.apply(&mut res, &paste, now, paste_ref.form);
        res
    };
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    Ok(res)
}

/// `GET /raw/{id}`: always the text itself.
///
/// With `?download` (any value), as an attachment named after the id and the language.
pub async fn raw_text(
    State(state): State<Arc<AppState>>,
    paste_ref: PasteRef,
    uri: Uri,
) -> Result<Response, ApiError> {
    let paste = state.bin.read(&paste_ref.id).await?;
    served(&state, &paste);
    let mut res = raw(&paste);
    let download = crate::urlencoded::has_key(uri.query().unwrap_or("").as_bytes(), &[b"download"]);
    if download
        && let Ok(v) = HeaderValue::from_str(&format!(
            "attachment; filename=\"{}\"",
            crate::web::download_name(&paste)
        ))
    {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    state
        .cache
        .apply(&mut res, &paste, state.bin.now(), paste_ref.form);
    Ok(res)
}

/// `GET /pastes/{id}`: metadata and content as JSON. An API response, never in a shared cache.
pub async fn json(
    State(state): State<Arc<AppState>>,
    paste_ref: PasteRef,
) -> Result<Response, ApiError> {
    let paste = state.bin.read(&paste_ref.id).await?;
    served(&state, &paste);
    let mut res = json_body(&paste);
    state
        .cache
        .apply(&mut res, &paste, state.bin.now(), Form::Variant);
    Ok(res)
}

/// `POST /{id}/reveal`: consumes a burn-after-reading paste, answering in the client's format.
pub async fn reveal(
    State(state): State<Arc<AppState>>,
    paste_ref: PasteRef,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let wants = Wants::of(&headers);
    let paste = revealed(&state, &paste_ref).await?;
    let now = state.bin.now();
    let mut res = match wants {
        Wants::Html => html(paste_page(&paste, None, now, paste.burn_after_reading)),
        Wants::Json => json_body(&paste),
        Wants::Text => raw(&paste),
    };
    state.cache.apply(&mut res, &paste, now, Form::Variant);
    Ok(res)
}

/// `POST /pastes/{id}/reveal`: the same, always JSON.
pub async fn reveal_json(
    State(state): State<Arc<AppState>>,
    paste_ref: PasteRef,
) -> Result<Response, ApiError> {
    let paste = revealed(&state, &paste_ref).await?;
    let mut res = json_body(&paste);
    state
        .cache
        .apply(&mut res, &paste, state.bin.now(), Form::Variant);
    Ok(res)
}

async fn revealed(state: &AppState, paste_ref: &PasteRef) -> Result<Paste, ApiError> {
    let paste = state.bin.reveal(&paste_ref.id).await?;
    if paste.burn_after_reading {
        Metrics::inc(&state.metrics.reveals);
        tracing::info!(paste_id = %paste.id, "burn-after-reading paste revealed and deleted");
    } else {
        served(state, &paste);
    }
    Ok(paste)
}

fn served(state: &AppState, paste: &Paste) {
    Metrics::inc(&state.metrics.reads);
    tracing::debug!(paste_id = %paste.id, "paste read");
}

fn html(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// The text itself, sharing the paste's bytes rather than copying them.
fn raw(paste: &Paste) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        Bytes::from_owner(paste.content.clone()),
    )
        .into_response()
}

fn json_body(paste: &Paste) -> Response {
    Json(PasteBody {
        id: paste.id.as_str(),
        content: &paste.content,
        size: paste.size(),
        syntax: paste.syntax.as_deref().unwrap_or("text"),
        title: paste.title.as_deref(),
        created_at: paste.created_at.to_rfc3339(),
        expires_at: paste.expires_at.to_rfc3339(),
        burn_after_reading: paste.burn_after_reading,
        encrypted: paste.encrypted,
    })
    .into_response()
}
