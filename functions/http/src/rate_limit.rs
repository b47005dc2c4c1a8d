//! Rate limiting as a route layer: each route names its class once, and a limited client is
//! turned away before its body is read or any store is asked.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use pastebin_core::RateClass;

use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Clone)]
pub struct Limit {
    pub state: Arc<AppState>,
    pub class: RateClass,
}

pub async fn limit(
    State(Limit { state, class }): State<Limit>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    state
        .bin
        .admit(ClientIp::of(req.extensions()), class)
        .await?;
    Ok(next.run(req).await)
}
