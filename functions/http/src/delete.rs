use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::header::AUTHORIZATION;
use http::{HeaderMap, StatusCode, Uri};

use crate::error::ApiError;
use crate::extract::PasteRef;
use crate::metrics::Metrics;
use crate::negotiate::Wants;
use crate::state::AppState;
use crate::urlencoded;
use crate::web::deleted_page;

pub async fn delete(
    State(state): State<AppState>,
    paste_ref: PasteRef,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    // A token in the URL ends up in logs, histories and caches: refuse it loudly.
    if urlencoded::has_key(
        uri.query().unwrap_or("").as_bytes(),
        &[b"token", b"delete_token"],
    ) {
        return Err(ApiError::TokenInUrl);
    }
    let token = token_from(&headers);
    if token.is_none() {
        return Err(pastebin_core::Error::MissingToken.into());
    }
    let id = paste_ref.id;
    state.bin.delete(&id, token).await?;
    Metrics::inc(&state.metrics.deletes);
    tracing::info!(paste_id = %id, "paste deleted");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Longest form body a delete takes (a token is 22 characters; room for a browser's encoding of
/// whatever was typed into the field).
const MAX_FORM_BYTES: usize = 4096;

/// `POST /{id}/delete` with the form field `delete_token`: a delete a browser can make without
/// script (HTML forms only GET and POST).
pub async fn form_delete(
    State(state): State<AppState>,
    paste_ref: PasteRef,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let bytes = tokio::time::timeout(
        state.body_timeout,
        axum::body::to_bytes(body, MAX_FORM_BYTES),
    )
    .await
    .map_err(|_| ApiError::BodyTimeout {
        seconds: state.body_timeout.as_secs(),
    })?
    .map_err(|_| ApiError::Malformed(format!("a delete form is at most {MAX_FORM_BYTES} bytes")))?;
    let token = urlencoded::pairs(&bytes)
        .find(|(key, _)| {
            let key = urlencoded::decode(key);
            key == b"delete_token" || key == b"token"
        })
        .map(|(_, value)| String::from_utf8_lossy(&urlencoded::decode(value)).into_owned());
    let id = paste_ref.id;
    state.bin.delete(&id, token.as_deref()).await?;
    Metrics::inc(&state.metrics.deletes);
    tracing::info!(paste_id = %id, "paste deleted");
    Ok(if Wants::of(&headers) == Wants::Html {
        (
            [
                (http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (http::header::CACHE_CONTROL, "no-store"),
            ],
            deleted_page(),
        )
            .into_response()
    } else {
        StatusCode::NO_CONTENT.into_response()
    })
}

/// `Authorization: Bearer TOKEN`, else `X-Delete-Token: TOKEN`.
fn token_from(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then_some(rest.trim())
        });
    bearer
        .or_else(|| headers.get("x-delete-token").and_then(|v| v.to_str().ok()))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (http::HeaderName::from_static(k), v.parse().unwrap()))
            .collect()
    }

    #[test]
    fn tokens_come_from_either_header() {
        assert_eq!(
            token_from(&headers(&[("authorization", "Bearer abc")])),
            Some("abc")
        );
        assert_eq!(
            token_from(&headers(&[("authorization", "bearer  abc ")])),
            Some("abc")
        );
        assert_eq!(
            token_from(&headers(&[("x-delete-token", "xyz")])),
            Some("xyz")
        );
        assert_eq!(
            token_from(&headers(&[("authorization", "Basic Zm9v")])),
            None
        );
        assert_eq!(token_from(&headers(&[("authorization", "Bearer ")])), None);
        assert_eq!(token_from(&HeaderMap::new()), None);
    }
}
