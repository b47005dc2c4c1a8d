//! Typed request parts, parsed once at the boundary.

use axum::extract::{FromRequestParts, Path};
use http::request::Parts;
use pastebin_core::{Error as CoreError, Id};

use crate::cache::Form;
use crate::error::ApiError;

/// The paste a route names: `{id}` or `{id}.{ext}` (the extension picks the highlighting), and
/// whether the URL was the paste's canonical form. Anything that is not an id is a 404.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasteRef {
    pub id: Id,
    pub ext: Option<String>,
    pub form: Form,
}

impl PasteRef {
    pub fn parse(segment: &str) -> Option<(Id, Option<&str>)> {
        let (id, ext) = match segment.split_once('.') {
            Some((id, ext)) => (id, Some(ext)),
            None => (segment, None),
        };
        Some((Id::parse(id)?, ext))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PasteRef {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(segment) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| CoreError::NotFound)?;
        let (id, ext) = Self::parse(&segment).ok_or(CoreError::NotFound)?;
        // Ids are alphanumeric, so a `%` anywhere in the path means an encoded variant, which a
        // CDN would cache under a key no invalidation names.
        let canonical = ext.is_none()
            && !parts.uri.path().contains('%')
            && parts.uri.query().is_none_or(str::is_empty);
        Ok(Self {
            ext: ext.map(str::to_owned),
            id,
            form: if canonical {
                Form::Canonical
            } else {
                Form::Variant
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn extract(uri: &str) -> Result<PasteRef, ApiError> {
        use axum::routing::get;
        use tower::ServiceExt;
        let (tx, rx) = std::sync::mpsc::channel();
        let app = axum::Router::new()
            .route(
                "/{id}",
                get(move |r: Result<PasteRef, ApiError>| async move {
                    let _ = tx.send(r.map_err(|e| e.to_string()));
                }),
            )
            .route("/raw/{id}", get(|| async {}));
        let req = http::Request::get(uri)
            .body(axum::body::Body::empty())
            .unwrap();
        let _ = app.oneshot(req).await;
        rx.recv()
            .unwrap()
            .map_err(|_| ApiError::Core(CoreError::NotFound))
    }

    #[tokio::test]
    async fn only_the_bare_id_is_canonical() {
        let id = Id::generate();
        let r = extract(&format!("/{id}")).await.unwrap();
        assert_eq!(
            (r.id.clone(), r.ext, r.form),
            (id.clone(), None, Form::Canonical)
        );
        let r = extract(&format!("/{id}.rs")).await.unwrap();
        assert_eq!((r.ext.as_deref(), r.form), (Some("rs"), Form::Variant));
        let r = extract(&format!("/{id}?download=1")).await.unwrap();
        assert_eq!(r.form, Form::Variant);
        let encoded = format!("/%{:02X}{}", id.as_str().as_bytes()[0], &id.as_str()[1..]);
        let r = extract(&encoded).await.unwrap();
        assert_eq!((r.id, r.form), (id, Form::Variant));
        assert!(extract("/favicon.ico").await.is_err());
        assert!(extract("/abc").await.is_err());
    }
}
