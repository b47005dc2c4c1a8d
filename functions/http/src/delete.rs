use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::header::AUTHORIZATION;
use http::{HeaderMap, StatusCode, Uri};

use crate::error::ApiError;
use crate::extract::PasteRef;
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::urlencoded;

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
