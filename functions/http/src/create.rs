use std::sync::Arc;

use axum::Json;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use pastebin_core::{IdempotencyKey, MAX_IDEMPOTENCY_KEY_CHARS};
use serde::Serialize;

use crate::body::{CreateRoute, parse_create};
use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::negotiate::Wants;
use crate::state::AppState;
use crate::web::{created_page, private_page};

#[derive(Serialize)]
struct CreatedBody<'a> {
    id: &'a str,
    url: String,
    /// The share URL again, under the name the system-design lesson's API uses.
    short_url: String,
    raw_url: String,
    delete_token: &'a str,
    expires_at: String,
    size: u64,
    burn_after_reading: bool,
    encrypted: bool,
}

pub async fn create_at_root(
    State(state): State<Arc<AppState>>,
    req: Request,
) -> Result<Response, ApiError> {
    create(state, req, CreateRoute::Root).await
}

pub async fn create_at_api(
    State(state): State<Arc<AppState>>,
    req: Request,
) -> Result<Response, ApiError> {
    create(state, req, CreateRoute::Api).await
}

async fn create(
    state: Arc<AppState>,
    req: Request,
    route: CreateRoute,
) -> Result<Response, ApiError> {
    let (parts, body) = req.into_parts();
    let key = idempotency_key(&parts.headers)?;
    let parsed = parse_create(&parts, body, route, state.bin.limits(), state.body_timeout).await?;
    let client = ClientIp::of(&parts.extensions);
    let created = state
        .bin
        .create_retry_safe(parsed.request, key.as_ref().map(|k| (k, client)))
        .await?;
    Metrics::inc(&state.metrics.creates);
    Metrics::add(&state.metrics.created_bytes, created.size);
    tracing::info!(paste_id = %created.id, size = created.size, burn = created.burn_after_reading, encrypted = created.encrypted, "paste created");

    let base = state.public_url.base(&parts.headers, &parts.extensions);
    let url = format!("{base}/{}", created.id);
    let wants = Wants::of(&parts.headers);
    let mut res = if parsed.json || wants == Wants::Json {
        let body = CreatedBody {
            id: created.id.as_str(),
            raw_url: format!("{base}/raw/{}", created.id),
            short_url: url.clone(),
            url,
            delete_token: created.delete_token.as_str(),
            expires_at: created.expires_at.to_rfc3339(),
            size: created.size,
            burn_after_reading: created.burn_after_reading,
            encrypted: created.encrypted,
        };
        (StatusCode::CREATED, Json(body)).into_response()
    } else if wants == Wants::Html {
        // A browser form post without script: the link, and the delete token, once.
        let page = created_page(
            &created.id,
            &url,
            created.delete_token.as_str(),
            created.expires_at,
            state.bin.now(),
        );
        private_page(StatusCode::CREATED, page)
    } else {
        (
            StatusCode::CREATED,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{url}\n"),
        )
            .into_response()
    };
    let h = res.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&format!("/{}", created.id)) {
        h.insert(header::LOCATION, location);
    }
    if let Ok(token) = HeaderValue::from_str(created.delete_token.as_str()) {
        h.insert("x-delete-token", token);
    }
    Ok(res)
}

/// The create's `Idempotency-Key`, if it sent one; a malformed one is refused rather than
/// ignored, since ignoring it would make a retry create a second paste.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(IdempotencyKey::parse)
        .map(Some)
        .ok_or_else(|| {
            ApiError::Malformed(format!(
                "the Idempotency-Key header must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII characters"
            ))
        })
}
