use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::header::AUTHORIZATION;
use http::{HeaderMap, StatusCode, Uri};

use pastebin_core::Id;

use crate::body::within;
use crate::error::ApiError;
use crate::extract::PasteRef;
use crate::metrics::Metrics;
use crate::negotiate::Wants;
use crate::state::AppState;
use crate::urlencoded;
use crate::web::{deleted_page, private_page};

pub async fn delete(
    State(state): State<Arc<AppState>>,
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
    deleted(&state, &paste_ref.id, token_from(&headers)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Deletes with the creator's token, counted and logged as every delete is.
async fn deleted(state: &AppState, id: &Id, token: Option<&str>) -> Result<(), ApiError> {
    state.bin.delete(id, token).await?;
    Metrics::inc(&state.metrics.deletes);
    tracing::info!(paste_id = %id, "paste deleted");
    Ok(())
}

/// Longest form body a delete takes (a token is 22 characters; room for a browser's encoding of
/// whatever was typed into the field).
const MAX_FORM_BYTES: usize = 4096;

/// `POST /{id}/delete` with the form field `delete_token`: a delete a browser can make without
/// script (HTML forms only GET and POST).
pub async fn form_delete(
    State(state): State<Arc<AppState>>,
    paste_ref: PasteRef,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let bytes = within(state.body_timeout, async {
        axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| {
                ApiError::Malformed(format!("a delete form is at most {MAX_FORM_BYTES} bytes"))
            })
    })
    .await?;
    let token = urlencoded::pairs(&bytes)
        .find(|(key, _)| {
            let key = urlencoded::decode(key);
            key == b"delete_token" || key == b"token"
        })
        .map(|(_, value)| String::from_utf8_lossy(&urlencoded::decode(value)).into_owned());
    deleted(&state, &paste_ref.id, token.as_deref()).await?;
    Ok(if Wants::of(&headers) == Wants::Html {
        private_page(StatusCode::OK, deleted_page())
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
