use axum::Router;
use axum::routing::{MethodRouter, get};

use crate::state::AppState;
use crate::{create, delete, meta, middleware, read};

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

/// The whole HTTP contract (or the slice `routes` selects) over `state`.
pub fn router(state: AppState, routes: Routes) -> Router {
    let mut paths: Vec<(&str, MethodRouter<AppState>)> = Vec::new();
    let mut add = |path: &'static str, enabled: bool, method: MethodRouter<AppState>| {
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
    add("/", routes.create, post(create::create_at_root));
    add("/pastes", routes.create, post(create::create_at_api));
    add("/{id}", routes.fetch, get(read::share));
    add("/{id}", routes.delete, del(delete::delete));
    add("/raw/{id}", routes.fetch, get(read::raw_text));
    add("/pastes/{id}", routes.fetch, get(read::json));
    add("/pastes/{id}", routes.delete, del(delete::delete));
    add("/{id}/reveal", routes.fetch, post(read::reveal));
    add("/pastes/{id}/reveal", routes.fetch, post(read::reveal_json));
    add("/health", routes.fetch, get(meta::health));
    add("/robots.txt", routes.fetch, get(meta::robots));
    add("/assets/{file}", routes.fetch, get(meta::asset));
    add("/metrics", routes.metrics, get(meta::metrics));

    let mut router = Router::new();
    for (path, method) in paths {
        router = router.route(path, method);
    }
    router
        .method_not_allowed_fallback(meta::method_not_allowed)
        .fallback(meta::no_route)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::edge,
        ))
        .with_state(state)
}
