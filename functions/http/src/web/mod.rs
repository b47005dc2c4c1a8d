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
