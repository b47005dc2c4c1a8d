use std::sync::Arc;

use axum::Router;
use axum::routing::{MethodRouter, get};

use pastebin_core::{Id, RateClass};

use crate::rate_limit::{self, Limit};
use crate::state::AppState;
use crate::{create, delete, meta, middleware, origin, proxies, read};

/// Which slice of the contract a runtime serves: the local server serves all of it, each
/// Lambda function its own part (API Gateway routes the rest elsewhere).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Routes {
    pub create: bool,
    pub fetch: bool,
    pub delete: bool,
    /// `/metrics`: only where a process lives long enough to be scraped.
    pub metrics: bool,
}

impl Routes {
    pub const ALL: Self = Self {
        create: true,
        fetch: true,
        delete: true,
        metrics: true,
    };
    pub const CREATE: Self = Self {
        create: true,
        fetch: false,
        delete: false,
        metrics: false,
    };
    pub const FETCH: Self = Self {
        create: false,
        fetch: true,
        delete: false,
        metrics: false,
    };
    pub const DELETE: Self = Self {
        create: false,
        fetch: false,
        delete: true,
        metrics: false,
    };
}

/// The URLs at which a shared cache may hold a paste (see [`crate::cache`]): what a delete
/// must invalidate. Every other way of reading a paste is never in a shared cache.
pub fn cacheable_paths(id: &Id) -> [String; 2] {
    [format!("/{id}"), format!("/raw/{id}")]
}

/// The whole HTTP contract (or the slice `routes` selects) over `state`.
pub fn router(state: AppState, routes: Routes) -> Router {
    use RateClass::{Create, Delete, Read};
    // Shared, not copied: every request's extractors and layers take the state, and cloning its
    // fields once each was a tenth of a cached read's time (perf).
    let state = Arc::new(state);
    let limited = |method: MethodRouter<Arc<AppState>>, class: RateClass| {
        method.route_layer(axum::middleware::from_fn_with_state(
            Limit {
                state: state.clone(),
                class,
            },
            rate_limit::limit,
        ))
    };
    let mut paths: Vec<(&str, MethodRouter<Arc<AppState>>)> = Vec::new();
    let mut add = |path: &'static str, enabled: bool, method: MethodRouter<Arc<AppState>>| {
        if !enabled {
            return;
        }
        match paths.iter_mut().find(|(p, _)| *p == path) {
            Some((_, existing)) => *existing = std::mem::take(existing).merge(method),
            None => paths.push((path, method)),
        }
    };
    use axum::routing::{delete as del, post};
    add("/", routes.fetch, get(meta::index));
    add(
        "/",
        routes.create,
        limited(post(create::create_at_root), Create),
    );
    add(
        "/pastes",
        routes.create,
        limited(post(create::create_at_api), Create),
    );
    add("/{id}", routes.fetch, limited(get(read::share), Read));
    add("/{id}", routes.delete, limited(del(delete::delete), Delete));
    add(
        "/raw/{id}",
        routes.fetch,
        limited(get(read::raw_text), Read),
    );
    add("/pastes/{id}", routes.fetch, limited(get(read::json), Read));
    add(
        "/pastes/{id}",
        routes.delete,
        limited(del(delete::delete), Delete),
    );
    add(
        "/{id}/delete",
        routes.delete,
        limited(post(delete::form_delete), Delete),
    );
    add(
        "/{id}/reveal",
        routes.fetch,
        limited(post(read::reveal), Read),
    );
    add(
        "/pastes/{id}/reveal",
        routes.fetch,
        limited(post(read::reveal_json), Read),
    );
    add("/health", routes.fetch, get(meta::health));
    add("/robots.txt", routes.fetch, get(meta::robots));
    add("/assets/{file}", routes.fetch, get(meta::asset));
    add("/metrics", routes.metrics, get(meta::metrics));

    let mut router = Router::new();
    for (path, method) in paths {
        router = router.route(path, method);
    }
    // Outermost first: every response gets the edge's headers, metrics and log line, including
    // the origin guard's refusals, which happen before any route, limiter or store is involved.
    router = router
        .method_not_allowed_fallback(meta::method_not_allowed)
        .fallback(meta::no_route);
    // Without trusted proxies there is nothing to read: no layer, rather than one that looks
    // and passes on every request.
    if !state.proxies.is_empty() {
        router = router.layer(axum::middleware::from_fn_with_state(
            state.proxies.clone(),
            proxies::from_proxy,
        ));
    }
    router
        .layer(axum::middleware::from_fn_with_state(
            state.origin.clone(),
            origin::guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::edge,
        ))
        .with_state(state)
}
