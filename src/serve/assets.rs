//! The page's files, built from `web/` into `web/dist` (committed, so that building nshed
//! needs no npm) and embedded in the binary: nothing is fetched from the network.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Where the page may load things from: this server only (the editor's styles are
/// inline style elements, hence `'unsafe-inline'` for styles, and downloads are blobs).
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; \
                   form-action 'none'; frame-ancestors 'none'";

/// `(path, media type, contents)` of every file of the page.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "/",
        "text/html; charset=utf-8",
        include_bytes!("../../web/dist/index.html"),
    ),
    (
        "/app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/dist/app.js"),
    ),
    (
        "/app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../web/dist/app.css"),
    ),
    (
        "/favicon.svg",
        "image/svg+xml",
        include_bytes!("../../web/dist/favicon.svg"),
    ),
];

/// The embedded file at `path`, or 404.
pub fn file(path: &str) -> Response {
    let Some((_, media_type, body)) = FILES.iter().find(|(p, _, _)| *p == path) else {
        return super::guard::error(StatusCode::NOT_FOUND, format!("there is no page `{path}`"));
    };
    let mut response = (*body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}
