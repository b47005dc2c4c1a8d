//! The web pages: askama templates (`templates/`, escaping by default), the server-side
//! highlighter whose escaped lines are the one piece of markup a page takes as it is, and the
//! static assets the pages load.

pub mod assets;
mod escape;
mod highlight;
mod pages;

pub use pages::{
    burn_page, create_page, created_page, deleted_page, download_name, error_page, paste_page,
};

/// A page for one reader only (it shows a delete token, or answers a form): never stored by a
/// browser or a cache.
pub fn private_page(status: http::StatusCode, body: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        status,
        [
            (http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (http::header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}
