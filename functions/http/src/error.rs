use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use pastebin_core::Error as CoreError;
use serde::Serialize;

/// Seconds a client is asked to wait after a storage failure.
const UNAVAILABLE_RETRY_AFTER: u64 = 5;

/// Every way a request can fail at the HTTP edge. [`IntoResponse`] below is the one place where
/// failures become status codes.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error(
        "delete tokens are never accepted in the URL: send `Authorization: Bearer TOKEN` or `X-Delete-Token: TOKEN`"
    )]
    TokenInUrl,
    #[error("no such page or paste")]
    NoRoute,
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    #[error("this address only answers requests that come through the service's CDN")]
    NotThroughCdn,
    #[error(
        "this response is too large to send uncompressed from here: ask again with `Accept-Encoding: gzip`"
    )]
    NeedsCompression,
    #[error("this response could not be sent")]
    Unrepresentable,
    #[error("the request body did not arrive within {seconds} s")]
    BodyTimeout { seconds: u64 },
}

/// The body of every error response; also attached to the response so that middleware can
/// render it as HTML for browsers.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorBody {
    pub error: &'static str,
    pub message: String,
    /// On a burn-after-reading paste's `409`: whether it is end-to-end encrypted, so that a
    /// client without the key knows not to reveal (and so destroy) it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        use CoreError as C;
        match self {
            Self::Core(C::EmptyContent) => (StatusCode::BAD_REQUEST, "empty_content"),
            Self::Core(C::TooLarge { .. }) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            Self::Core(C::NotText) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "not_text"),
            Self::Core(C::IdempotencyKeyReused) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused")
            }
            Self::Core(C::NotSealed(_)) => (StatusCode::UNPROCESSABLE_ENTITY, "not_encrypted"),
            Self::Core(C::InvalidOption { .. }) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_option")
            }
            Self::Core(C::NotFound) | Self::NoRoute => (StatusCode::NOT_FOUND, "not_found"),
            Self::Core(C::BurnNeedsReveal { .. }) => (StatusCode::CONFLICT, "burn_after_reading"),
            Self::Core(C::MissingToken) => (StatusCode::UNAUTHORIZED, "missing_token"),
            Self::Core(C::WrongToken) => (StatusCode::FORBIDDEN, "wrong_token"),
            Self::Core(C::RateLimited { .. }) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Self::Core(C::IdsExhausted { .. } | C::Unavailable(_)) => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            Self::Malformed(_) | Self::TokenInUrl => (StatusCode::BAD_REQUEST, "malformed"),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Self::NotThroughCdn => (StatusCode::FORBIDDEN, "forbidden"),
            Self::NeedsCompression => (StatusCode::NOT_ACCEPTABLE, "not_acceptable"),
            Self::Unrepresentable => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            Self::BodyTimeout { .. } => (StatusCode::REQUEST_TIMEOUT, "request_timeout"),
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            Self::Core(CoreError::RateLimited { retry_after }) => Some(*retry_after),
            Self::Core(CoreError::IdsExhausted { .. } | CoreError::Unavailable(_)) => {
                Some(UNAVAILABLE_RETRY_AFTER)
            }
            _ => None,
        }
    }

    /// What the client reads: the core's sentence, with how to proceed over HTTP where the
    /// core cannot know it. Storage failures are logged in full but described vaguely.
    fn message(&self) -> String {
        match self {
            Self::Core(CoreError::IdsExhausted { .. } | CoreError::Unavailable(_)) => {
                format!(
                    "storage is unavailable and the request did not complete: retry in {UNAVAILABLE_RETRY_AFTER} seconds (retrying is safe)"
                )
            }
            Self::Core(e @ CoreError::BurnNeedsReveal { id, .. }) => format!(
                "{e}: reveal it with POST /{id}/reveal (or POST /pastes/{id}/reveal for JSON)"
            ),
            Self::Core(e @ CoreError::MissingToken) => {
                format!("{e}: send it as `Authorization: Bearer TOKEN` or `X-Delete-Token: TOKEN`")
            }
            other => other.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            tracing::error!(error = %self, source = ?std::error::Error::source(&self), "request failed");
        }
        let body = ErrorBody {
            error: code,
            message: self.message(),
            encrypted: match &self {
                Self::Core(CoreError::BurnNeedsReveal { encrypted, .. }) => Some(*encrypted),
                _ => None,
            },
        };
        let mut res = (status, Json(body.clone())).into_response();
        if let Some(secs) = self.retry_after() {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"pastebin\""),
            );
        }
        res.extensions_mut().insert(body);
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pastebin_core::{Id, StoreError};

    #[test]
    fn every_failure_has_its_documented_status() {
        let io = || StoreError::backend(std::io::Error::other("down"));
        let cases: Vec<(ApiError, u16)> = vec![
            (CoreError::EmptyContent.into(), 400),
            (CoreError::TooLarge { limit: 1 }.into(), 413),
            (CoreError::NotText.into(), 415),
            (
                CoreError::InvalidOption {
                    option: "x",
                    value: "y".into(),
                    expected: "z".into(),
                }
                .into(),
                422,
            ),
            (CoreError::NotFound.into(), 404),
            (
                CoreError::BurnNeedsReveal {
                    id: Id::generate(),
                    encrypted: false,
                }
                .into(),
                409,
            ),
            (CoreError::MissingToken.into(), 401),
            (CoreError::WrongToken.into(), 403),
            (CoreError::RateLimited { retry_after: 3 }.into(), 429),
            (CoreError::Unavailable(io()).into(), 503),
            (ApiError::Malformed("x".into()), 400),
            (ApiError::TokenInUrl, 400),
            (ApiError::MethodNotAllowed, 405),
            (ApiError::NotThroughCdn, 403),
            (ApiError::NeedsCompression, 406),
            (ApiError::Unrepresentable, 500),
            (ApiError::BodyTimeout { seconds: 30 }, 408),
        ];
        for (err, status) in cases {
            assert_eq!(err.into_response().status().as_u16(), status);
        }
    }

    #[test]
    fn waits_are_announced_and_storage_details_are_not_leaked() {
        let res = ApiError::from(CoreError::RateLimited { retry_after: 17 }).into_response();
        assert_eq!(res.headers()[header::RETRY_AFTER], "17");
        let err = ApiError::from(CoreError::Unavailable(StoreError::backend(
            std::io::Error::other("secret-host:5432 refused"),
        )));
        assert!(!err.message().contains("secret-host"));
        let res = err.into_response();
        assert_eq!(res.headers()[header::RETRY_AFTER], "5");
    }
}
