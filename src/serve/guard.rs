//! What every request must show before a route sees it, as protection against DNS
//! rebinding and cross-site requests (the checks Jupyter and TensorBoard make):
//!
//! * a `Host` naming the served address: `localhost` or an IP literal of it, with its
//!   port (400 when missing or unreadable, 421 Misdirected Request otherwise). A page on
//!   an attacker's name that resolves to 127.0.0.1 sends its own name, so it is refused;
//! * an `Origin`, when the browser sends one, that is this server (403 otherwise);
//! * for a POST, a JSON body (415 otherwise: a form or `text/plain` post is what another
//!   site can send without asking the browser first), and one of a few request slots (503
//!   when all are taken), so that hostile clients cannot hold many large bodies at once.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

/// Requests with a body that may be read at once.
const BODY_SLOTS: usize = 16;

/// The address served, and the slots of requests with bodies.
#[derive(Clone)]
pub struct Served {
    address: SocketAddr,
    slots: Arc<Semaphore>,
}

/// The page's address as printed: `http://127.0.0.1:PORT/` (`[::1]` for IPv6).
pub fn url_of(address: SocketAddr) -> String {
    format!("http://{address}/")
}

impl Served {
    pub fn new(address: SocketAddr) -> Served {
        Served {
            address,
            slots: Arc::new(Semaphore::new(BODY_SLOTS)),
        }
    }

    /// Whether an authority (`host[:port]`, from `Host` or an `Origin`) names this
    /// server: the port must be ours and the host `localhost` (when we listen on
    /// loopback or every address) or an IP literal we listen on. Names other than
    /// `localhost` are never accepted: they are what a rebinding attack sends.
    fn names_us(&self, authority: &str) -> bool {
        let (host, port) = split_authority(authority);
        if port != Some(self.address.port()) {
            return false;
        }
        let bound = self.address.ip();
        if host.eq_ignore_ascii_case("localhost") {
            return bound.is_loopback() || bound.is_unspecified();
        }
        let literal = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        match literal.parse::<IpAddr>() {
            Ok(ip) => {
                ip == bound || bound.is_unspecified() || (bound.is_loopback() && ip.is_loopback())
            }
            Err(_) => false,
        }
    }

    /// The status a request with these headers gets, or `None` when it may go on.
    pub fn refuse(&self, host: Option<&str>, origin: Option<&str>) -> Option<(StatusCode, String)> {
        let Some(host) = host else {
            return Some((
                StatusCode::BAD_REQUEST,
                "the request has no readable Host header".to_string(),
            ));
        };
        if !self.names_us(host) {
            return Some((
                StatusCode::MISDIRECTED_REQUEST,
                format!(
                    "this server answers requests for {}, not for `{host}`",
                    self.address
                ),
            ));
        }
        if let Some(origin) = origin {
            let ours = origin
                .strip_prefix("http://")
                .is_some_and(|authority| self.names_us(authority));
            if !ours {
                return Some((
                    StatusCode::FORBIDDEN,
                    format!("requests from the page of `{origin}` are refused"),
                ));
            }
        }
        None
    }
}

/// `host` and the port of an authority (`[::1]:8080`, `localhost:80`); the port is 80
/// when none is written, `None` when it is not a number.
fn split_authority(authority: &str) -> (&str, Option<u16>) {
    let (host, port) = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => (&authority[..i], Some(&authority[i + 1..])),
        _ => (authority, None),
    };
    (host, port.map_or(Some(80), |p| p.parse().ok()))
}

/// An error answer: `{"error": message}` with `status`.
pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    let body = serde_json::json!({ "error": message.into() });
    (status, axum::Json(body)).into_response()
}

/// The middleware: the checks above, then the route.
pub async fn check(State(served): State<Served>, request: Request<Body>, next: Next) -> Response {
    let headers = request.headers();
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
    };
    if let Some((status, message)) = served.refuse(text(header::HOST), text(header::ORIGIN)) {
        return error(status, message);
    }
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let json = text(header::CONTENT_TYPE).is_some_and(|t| {
        t.split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
    });
    if !json {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "a POST carries JSON (Content-Type: application/json)",
        );
    }
    let Ok(_slot) = served.slots.clone().try_acquire_owned() else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is busy with other requests; try again",
        );
    };
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served(address: &str) -> Served {
        Served::new(address.parse().unwrap_or_else(|e| panic!("{e}")))
    }

    fn status(s: &Served, host: Option<&str>, origin: Option<&str>) -> u16 {
        s.refuse(host, origin)
            .map_or(200, |(status, _)| status.as_u16())
    }

    #[test]
    fn loopback_answers_its_own_names_only() {
        let s = served("127.0.0.1:4000");
        for host in [
            "127.0.0.1:4000",
            "localhost:4000",
            "LocalHost:4000",
            "[::1]:4000",
        ] {
            assert_eq!(status(&s, Some(host), None), 200, "{host}");
        }
        for host in [
            "evil.example:4000",
            "127.0.0.1:4001",
            "127.0.0.1",
            "localhost",
            "10.0.0.1:4000",
            "127.0.0.1:x",
            "",
            "localhost.evil.example:4000",
        ] {
            assert_eq!(status(&s, Some(host), None), 421, "{host}");
        }
        assert_eq!(status(&s, None, None), 400);
    }

    #[test]
    fn origins_must_be_this_server() {
        let s = served("127.0.0.1:4000");
        let host = Some("127.0.0.1:4000");
        assert_eq!(status(&s, host, Some("http://127.0.0.1:4000")), 200);
        assert_eq!(status(&s, host, Some("http://localhost:4000")), 200);
        for origin in [
            "http://evil.example:4000",
            "https://127.0.0.1:4000",
            "http://127.0.0.1:4001",
            "null",
            "http://127.0.0.1",
        ] {
            assert_eq!(status(&s, host, Some(origin)), 403, "{origin}");
        }
    }

    #[test]
    fn other_addresses_answer_ip_literals() {
        let any = served("0.0.0.0:80");
        assert_eq!(status(&any, Some("192.0.2.7"), None), 200);
        assert_eq!(status(&any, Some("localhost:80"), None), 200);
        assert_eq!(status(&any, Some("nshed.example"), None), 421);
        let one = served("[2001:db8::1]:9000");
        assert_eq!(status(&one, Some("[2001:db8::1]:9000"), None), 200);
        assert_eq!(status(&one, Some("localhost:9000"), None), 421);
        assert_eq!(status(&one, Some("[2001:db8::2]:9000"), None), 421);
        assert_eq!(
            url_of("[::1]:9000".parse().unwrap_or_else(|e| panic!("{e}"))),
            "http://[::1]:9000/"
        );
    }
}
