use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, header};
use pastebin_core::{Error as CoreError, Id, Paste, RateClass, UnixTime};
use serde::Serialize;

use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::html::{burn_page, paste_page};
use crate::metrics::Metrics;
use crate::negotiate::Wants;
use crate::state::AppState;

/// Longest a browser may keep a paste: short, so that an early delete takes effect soon.
const BROWSER_MAX_AGE: u64 = 300;
/// Longest a shared cache (CloudFront) may keep a paste; deletes invalidate it explicitly.
const SHARED_MAX_AGE: u64 = 3600;
/// `/{id}.{ext}` links are many per paste and not invalidated one by one on delete (a wildcard
/// per paste would exhaust CloudFront's limits): shared caches keep them briefly.
const EXTENSION_SHARED_MAX_AGE: u64 = 60;

/// `ID` or `ID.ext`; anything else is not a paste.
pub fn parse_id(raw: &str) -> Result<(Id, Option<&str>), ApiError> {
    let (id, ext) = match raw.split_once('.') {
        Some((id, ext)) => (id, Some(ext)),
        None => (raw, None),
    };
    Ok((Id::parse(id).ok_or(CoreError::NotFound)?, ext))
}

#[derive(Serialize)]
struct PasteBody<'a> {
    id: &'a str,
    content: &'a str,
    size: u64,
    syntax: &'a str,
    title: Option<&'a str>,
    created_at: String,
    expires_at: String,
    burn_after_reading: bool,
}

/// `GET /{id}` and `GET /{id}.{ext}`: the share link, HTML for browsers and raw text otherwise.
pub async fn share(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    state.bin.admit(ip, RateClass::Read).await?;
    let (id, ext) = parse_id(&raw_id)?;
    let now = state.bin.now();
    let mut res = if Wants::of(&headers) == Wants::Html {
        // The interstitial needs the paste's expiry but must not consume it.
        let paste = state.bin.peek(&id).await?;
        if paste.burn_after_reading {
            html(burn_page(&paste.id, paste.expires_at, now))
        } else {
            served(&state, &paste);
            with_cache_headers(html(paste_page(&paste, ext, now, false)), &paste, now)
        }
    } else {
        let paste = state.bin.read(&id).await?;
        served(&state, &paste);
        with_cache_headers(raw(&paste), &paste, now)
    };
    if ext.is_some() {
        cap_shared_max_age(&mut res, EXTENSION_SHARED_MAX_AGE);
    }
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    Ok(res)
}

/// `GET /raw/{id}`: always the text itself.
///
/// With `?download` (any value), as an attachment named after the id and the language.
pub async fn raw_text(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(raw_id): Path<String>,
    uri: http::Uri,
) -> Result<Response, ApiError> {
    state.bin.admit(ip, RateClass::Read).await?;
    let (id, _) = parse_id(&raw_id)?;
    let paste = state.bin.read(&id).await?;
    served(&state, &paste);
    let mut res = raw(&paste);
    let download = crate::body::form_pairs(uri.query().unwrap_or("").as_bytes())
        .iter()
        .any(|(k, _)| k == b"download");
    if download
        && let Ok(v) = HeaderValue::from_str(&format!(
            "attachment; filename=\"{}\"",
            crate::html::download_name(&paste)
        ))
    {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    let mut res = with_cache_headers(res, &paste, state.bin.now());
    if download {
        // Query variants are not covered by the delete's invalidation of /raw/{id}.
        cap_shared_max_age(&mut res, EXTENSION_SHARED_MAX_AGE);
    }
    Ok(res)
}

/// `GET /pastes/{id}`: metadata and content as JSON.
pub async fn json(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    state.bin.admit(ip, RateClass::Read).await?;
    let (id, _) = parse_id(&raw_id)?;
    let paste = state.bin.read(&id).await?;
    served(&state, &paste);
    Ok(with_cache_headers(
        json_body(&paste),
        &paste,
        state.bin.now(),
    ))
}

/// `POST /{id}/reveal`: consumes a burn-after-reading paste, answering in the client's format.
pub async fn reveal(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let wants = Wants::of(&headers);
    let (state, paste) = revealed(state, ip, &raw_id).await?;
    let now = state.bin.now();
    let res = match wants {
        Wants::Html => html(paste_page(&paste, None, now, paste.burn_after_reading)),
        Wants::Json => json_body(&paste),
        Wants::Text => raw(&paste),
    };
    Ok(with_cache_headers(res, &paste, now))
}

/// `POST /pastes/{id}/reveal`: the same, always JSON.
pub async fn reveal_json(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    let (state, paste) = revealed(state, ip, &raw_id).await?;
    let now = state.bin.now();
    Ok(with_cache_headers(json_body(&paste), &paste, now))
}

async fn revealed(
    state: AppState,
    ip: std::net::IpAddr,
    raw_id: &str,
) -> Result<(AppState, Paste), ApiError> {
    state.bin.admit(ip, RateClass::Read).await?;
    let (id, _) = parse_id(raw_id)?;
    let paste = state.bin.reveal(&id).await?;
    if paste.burn_after_reading {
        Metrics::inc(&state.metrics.reveals);
        tracing::info!(paste_id = %paste.id, "burn-after-reading paste revealed and deleted");
    } else {
        served(&state, &paste);
    }
    Ok((state, paste))
}

fn served(state: &AppState, paste: &Paste) {
    Metrics::inc(&state.metrics.reads);
    tracing::debug!(paste_id = %paste.id, "paste read");
}

fn html(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

fn raw(paste: &Paste) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        paste.content.clone(),
    )
        .into_response()
}

fn json_body(paste: &Paste) -> Response {
    Json(PasteBody {
        id: paste.id.as_str(),
        content: &paste.content,
        size: paste.size(),
        syntax: paste.syntax.as_deref().unwrap_or("text"),
        title: paste.title.as_deref(),
        created_at: paste.created_at.to_rfc3339(),
        expires_at: paste.expires_at.to_rfc3339(),
        burn_after_reading: paste.burn_after_reading,
    })
    .into_response()
}

/// `Expires` is the paste's own expiry; no cache may keep it longer. Burn pastes are never
/// stored anywhere.
/// Lowers `s-maxage` to at most `cap`.
fn cap_shared_max_age(res: &mut Response, cap: u64) {
    let Some(cc) = res
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
    else {
        return;
    };
    let capped: Vec<String> = cc
        .split(", ")
        .map(|d| {
            match d
                .strip_prefix("s-maxage=")
                .and_then(|v| v.parse::<u64>().ok())
            {
                Some(age) => format!("s-maxage={}", age.min(cap)),
                None => d.to_owned(),
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&capped.join(", ")) {
        res.headers_mut().insert(header::CACHE_CONTROL, v);
    }
}

fn with_cache_headers(mut res: Response, paste: &Paste, now: UnixTime) -> Response {
    let h = res.headers_mut();
    if let Ok(v) =
        HeaderValue::from_str(&httpdate::fmt_http_date(paste.expires_at.to_system_time()))
    {
        h.insert(header::EXPIRES, v);
    }
    let cache_control = if paste.burn_after_reading {
        "no-store".to_owned()
    } else {
        let left = now.until(paste.expires_at);
        format!(
            "public, max-age={}, s-maxage={}",
            left.min(BROWSER_MAX_AGE),
            left.min(SHARED_MAX_AGE)
        )
    };
    if let Ok(v) = HeaderValue::from_str(&cache_control) {
        h.insert(header::CACHE_CONTROL, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_may_carry_an_extension() {
        let id = Id::generate();
        let with_ext = format!("{id}.rs");
        assert_eq!(parse_id(&with_ext).unwrap(), (id.clone(), Some("rs")));
        assert_eq!(parse_id(id.as_str()).unwrap(), (id.clone(), None));
        assert!(parse_id("favicon.ico").is_err());
        assert!(parse_id("").is_err());
    }
}
